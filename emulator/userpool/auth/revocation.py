"""Signing out: RevokeToken (one sign-in family), GlobalSignOut and AdminUserGlobalSignOut
(every session of a user, all clients).

A sign-in family is everything minted from one authentication: its refresh token(s) and
every access and ID token carrying the same ``origin_jti``. Revoking a family marks its
refresh tokens revoked and records the ``origin_jti`` in ``RevokedOrigin``, which
``access.is_revoked`` and ``refresh.usable`` consult.

A global sign-out records the instant in ``users.revoked_before`` *and* revokes every
family the user has, so that tokens from the very second of the sign-out are refused
(``iat`` is whole seconds) while a sign-in made right after it, even in the same second,
is not: it starts a new family that was never marked.

Revoked tokens stay cryptographically valid until ``exp``: only Cognito's own APIs refuse
them (reference §2).
"""

from __future__ import annotations

import hmac
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from emulator.context import Context
from emulator.errors import UnauthorizedException, UnsupportedOperationException, UnsupportedTokenTypeException
from emulator.jwks import signing
from emulator.protocol.registry import operation
from emulator.userpool import directory
from emulator.userpool.auth import access, tokens
from emulator.userpool.auth.models import RefreshToken, RevokedOrigin
from emulator.userpool.directory_models import User
from emulator.userpool.lookup import get_pool
from emulator.userpool.models import AppClient

Params = dict[str, Any]

# [U] AWS documents the exception names for RevokeToken but not their messages.
UNKNOWN_CLIENT = "Invalid client id."
NO_SECRET = "Client {} is configured for secret but secret was not received"
BAD_SECRET = "Client secret does not match for the client: {}"
REVOCATION_OFF = "Token revocation is not enabled for client {}."
NOT_REFRESH = "Only refresh tokens can be revoked."


def revoke_family(ctx: Context, pool_id: str, origin_jti: str) -> None:
    """Mark every refresh token of the family revoked and remember its origin_jti.

    Concurrent revocations of the same family both succeed: the second insert of the
    RevokedOrigin row is a no-op.
    """
    for row in ctx.db.scalars(select(RefreshToken).where(RefreshToken.origin_jti == origin_jti)):
        row.revoked = True
    if ctx.db.get(RevokedOrigin, origin_jti) is not None:
        return
    try:
        with ctx.db.begin_nested():
            ctx.db.add(RevokedOrigin(origin_jti=origin_jti, pool_id=pool_id, revoked_at=ctx.now))
    except IntegrityError:
        pass


def sign_out_everywhere(ctx: Context, user: User) -> None:
    """Revoke every session of ``user``: each live family, and all tokens issued before now."""
    user.revoked_before = ctx.now
    rows = ctx.db.scalars(select(RefreshToken).where(RefreshToken.user_id == user.id, RefreshToken.revoked.is_(False)))
    for origin in sorted({row.origin_jti for row in rows}):
        revoke_family(ctx, user.pool_id, origin)


def _check_client(client: AppClient, secret: str | None) -> None:
    """The client's secret when it has one, then whether it allows revocation."""
    if client.secret:
        if not secret:
            raise UnauthorizedException(NO_SECRET.format(client.client_id))
        if not hmac.compare_digest(secret, client.secret):
            raise UnauthorizedException(BAD_SECRET.format(client.client_id))
    if not client.config.get("EnableTokenRevocation", True):
        raise UnsupportedOperationException(REVOCATION_OFF.format(client.client_id))


def _looks_like_jwt(token: str) -> bool:
    """An ID or access token (three-part JWS) rather than a refresh token (five-part JWE)."""
    if token.count(".") != 2:
        return False
    try:
        signing.unverified_header(token)
    except signing.TokenError:
        return False
    return True


@operation("cognito-idp", "RevokeToken")
def revoke_token(ctx: Context, params: Params) -> dict[str, Any]:
    """Revoke the refresh token's whole family; an unknown or already revoked token is a
    success, as is another client's token (which is left alone) [U].

    RevokeAssociatedSessions concerns managed-login SSO sessions, which Cogito does not
    link to token sessions; it is accepted and has nothing more to revoke.
    """
    client = ctx.db.get(AppClient, params["ClientId"])
    if client is None:
        raise UnauthorizedException(UNKNOWN_CLIENT)
    _check_client(client, params.get("ClientSecret"))
    token = params["Token"]
    if _looks_like_jwt(token):
        raise UnsupportedTokenTypeException(NOT_REFRESH)
    row = ctx.db.get(RefreshToken, tokens.token_hash(token))
    if row is not None and row.client_id == client.client_id:
        revoke_family(ctx, row.pool_id, row.origin_jti)
    return {}


@operation("cognito-idp", "GlobalSignOut")
def global_sign_out(ctx: Context, params: Params) -> dict[str, Any]:
    caller = access.authenticate(ctx, params["AccessToken"])
    sign_out_everywhere(ctx, caller.user)
    return {}


@operation("cognito-idp", "AdminUserGlobalSignOut")
def admin_user_global_sign_out(ctx: Context, params: Params) -> dict[str, Any]:
    pool = get_pool(ctx.db, params["UserPoolId"])
    sign_out_everywhere(ctx, directory.require_target(ctx.db, pool, params["Username"]))
    return {}
