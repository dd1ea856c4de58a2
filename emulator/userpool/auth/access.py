"""Who is calling an access-token operation (GetUser and friends), or Cognito's refusal.

Only an access token of this pool, unexpired, unrevoked, with the admin scope, for an
existing enabled user opens these operations; every failure is NotAuthorizedException
with Cognito's exact message (reference §1).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from emulator.context import Context
from emulator.errors import NotAuthorizedException, UserNotFoundException
from emulator.jwks.claims import ADMIN_SCOPE
from emulator.userpool import directory
from emulator.userpool.auth.models import RevokedOrigin
from emulator.userpool.directory_models import User
from emulator.userpool.models import UserPool

INVALID = "Invalid Access Token"
EXPIRED = "Access Token has expired"
REVOKED = "Access Token has been revoked"
NO_SCOPE = "Access Token does not have required scopes"


@dataclass
class Caller:
    pool: UserPool
    user: User
    claims: dict[str, Any]


def _pool_of(ctx: Context, token: str) -> UserPool:
    import jwt

    try:
        unverified = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        raise NotAuthorizedException(INVALID) from None
    iss = unverified.get("iss")
    if not isinstance(iss, str) or "/" not in iss:
        raise NotAuthorizedException(INVALID)
    pool = ctx.db.get(UserPool, iss.rstrip("/").rsplit("/", 1)[1])
    if pool is None:
        raise NotAuthorizedException(INVALID)
    return pool


def is_revoked(ctx: Context, user: User, claims: dict[str, Any]) -> bool:
    """Revoked by RevokeToken (its family) or by a global sign-out after it was issued."""
    origin = claims.get("origin_jti")
    if origin and ctx.db.get(RevokedOrigin, origin) is not None:
        return True
    return bool(user.revoked_before and int(claims.get("iat", 0)) < int(user.revoked_before))


def authenticate(ctx: Context, token: str, *, scope: str = ADMIN_SCOPE) -> Caller:
    """The pool, user and claims behind an access token, checked in Cognito's order."""
    from emulator.jwks import issuer, signing

    pool = _pool_of(ctx, token)
    try:
        claims = signing.verify(ctx.db, pool.id, token)
    except Exception:  # noqa: BLE001 - any verification failure is the same refusal
        raise NotAuthorizedException(INVALID) from None
    if claims.get("token_use") != "access" or not issuer.issuer_matches(str(claims.get("iss")), pool.id):
        raise NotAuthorizedException(INVALID)
    if int(claims.get("exp", 0)) <= ctx.now:
        raise NotAuthorizedException(EXPIRED)
    if signing.not_yet_valid(claims, ctx.now):
        raise NotAuthorizedException(INVALID)
    if scope not in str(claims.get("scope", "")).split():
        raise NotAuthorizedException(NO_SCOPE)
    user = directory.find_user(ctx.db, pool, str(claims.get("username", "")), by_alias=False)
    if user is None or user.sub != claims.get("sub"):
        raise UserNotFoundException("User does not exist.")
    # Disabled before revoked: AdminDisableUser also revokes, and the answer must not
    # depend on whether the token was minted in the second of the disabling.
    if not user.enabled:
        raise NotAuthorizedException("User is disabled.")
    if is_revoked(ctx, user, claims):
        raise NotAuthorizedException(REVOKED)
    return Caller(pool, user, claims)
