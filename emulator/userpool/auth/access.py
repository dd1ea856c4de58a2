"""Who is calling an access-token operation (GetUser and friends), or Cognito's refusal.

Only an access token of this pool, unexpired, unrevoked, with the admin scope, for an
existing enabled user opens these operations; every failure is NotAuthorizedException
with Cognito's exact message (reference §1).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, exists, select

from emulator.context import Context
from emulator.errors import NotAuthorizedException, UserNotFoundException
from emulator.jwks.claims import ADMIN_SCOPE
from emulator.store.prepared import Prepared
from emulator.userpool import directory
from emulator.userpool.auth import reads
from emulator.userpool.auth.models import RevokedOrigin
from emulator.userpool.directory_models import User
from emulator.userpool.models import AppClient, UserPool

INVALID = "Invalid Access Token"
EXPIRED = "Access Token has expired"
REVOKED = "Access Token has been revoked"
NO_SCOPE = "Access Token does not have required scopes"


@dataclass
class Caller:
    pool: UserPool
    user: User
    claims: dict[str, Any]
    # The app client the token's client_id names, read with the pool (a snapshot:
    # auth.reads); None when no such client exists. Which pool it belongs to is the caller's check.
    client: AppClient | None = None


# Built once: the caller's user and whether the token's sign-in family was revoked, in one read.
_USER_AND_REVOKED = (
    select(User, exists().where(RevokedOrigin.origin_jti == bindparam("origin")).label("revoked"))
    .where(User.pool_id == bindparam("pool_id"), User.username_key == bindparam("key"))
)
# The same read for a caller that only reads the user (GetUser): a snapshot, as auth.reads.
_USERS = User.__table__
_USER_COLUMNS = [column.key for column in _USERS.columns]
_USER_SNAPSHOT = Prepared(
    select(*_USERS.columns, exists().where(RevokedOrigin.origin_jti == bindparam("origin")).label("revoked"))
    .where(_USERS.c.pool_id == bindparam("pool_id"), _USERS.c.username_key == bindparam("key"))
)


def _user_and_revoked(ctx: Context, params: dict[str, Any], read_only: bool) -> tuple[User | None, bool]:
    if not read_only:
        row = ctx.db.execute(_USER_AND_REVOKED, params).first()
        return (row[0], bool(row[1])) if row is not None else (None, False)
    found = _USER_SNAPSHOT.first(ctx.db, params)
    if found is None:
        return None, False
    return User(**dict(zip(_USER_COLUMNS, found[:-1]))), bool(found[-1])


def _unverified(token: str) -> dict[str, Any]:
    """The payload, unchecked (only to find the pool); a token that is not a JWS is invalid."""
    from emulator.jwks import signing

    try:
        return signing.unverified_claims(token)
    except signing.TokenError:
        raise NotAuthorizedException(INVALID) from None


def _pool_id_of(unverified: dict[str, Any]) -> str:
    iss = unverified.get("iss")
    if not isinstance(iss, str) or "/" not in iss:
        raise NotAuthorizedException(INVALID)
    return iss.rstrip("/").rsplit("/", 1)[1]


def is_revoked(ctx: Context, user: User, claims: dict[str, Any]) -> bool:
    """Revoked by RevokeToken (its family) or by a global sign-out after it was issued."""
    origin = claims.get("origin_jti")
    if origin and ctx.db.get(RevokedOrigin, origin) is not None:
        return True
    return _signed_out(user, claims)


def _signed_out(user: User, claims: dict[str, Any]) -> bool:
    return bool(user.revoked_before and int(claims.get("iat", 0)) < int(user.revoked_before))


def authenticate(ctx: Context, token: str, *, scope: str = ADMIN_SCOPE, read_only: bool = False) -> Caller:
    """The pool, user and claims behind an access token, checked in Cognito's order.

    Two reads: the pool with its kids and the token's client (auth.reads), then the
    user together with whether the token's family is revoked; the answers are checked
    in the same order as ever. ``read_only``: the caller changes nothing, so the user
    may be a snapshot (not attached to the session) rather than a loaded entity.
    """
    from emulator.jwks import issuer, signing

    unverified = _unverified(token)
    # The verified claims below are parsed from this same payload: same client_id.
    found = reads.pool_and_client(ctx.db, _pool_id_of(unverified), str(unverified.get("client_id", "")))
    if found is None:
        raise NotAuthorizedException(INVALID)
    pool, client = found
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
    origin = claims.get("origin_jti")
    user, family_revoked = _user_and_revoked(ctx, {
        "pool_id": pool.id, "key": directory.username_key(pool, str(claims.get("username", ""))),
        "origin": origin if origin and isinstance(origin, str) else None,
    }, read_only)
    if user is None or user.sub != claims.get("sub"):
        raise UserNotFoundException("User does not exist.")
    # Disabled before revoked: AdminDisableUser also revokes, and the answer must not
    # depend on whether the token was minted in the second of the disabling.
    if not user.enabled:
        raise NotAuthorizedException("User is disabled.")
    if family_revoked or _signed_out(user, claims):
        raise NotAuthorizedException(REVOKED)
    return Caller(pool, user, claims, client)
