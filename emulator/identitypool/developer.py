"""Developer-authenticated identities: your back end vouches for a user id (reference §9).

GetOpenIdTokenForDeveloperIdentity links ``{DeveloperProviderName: userId}`` to an
identity and returns an identity-service token (``amr`` = authenticated, the developer
provider, ``{provider}:{identityPoolId}:{userId}``), valid TokenDuration seconds (15
minutes by default). The app then calls GetCredentialsForIdentity with
``Logins={"cognito-identity.amazonaws.com": token}``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from emulator import paging
from emulator.context import Context
from emulator.errors import (
    DeveloperUserAlreadyRegisteredException,
    InvalidParameterException,
    ResourceNotFoundException,
)
from emulator.identitypool import identities, logins, openid
from emulator.identitypool.logins import Login
from emulator.identitypool.models import IdentityLogin, IdentityPool
from emulator.identitypool.pools import get_pool, pool_arn
from emulator.protocol.registry import operation

NOT_LINKED = "No identity is associated with the developer user identifier {user}."


def _developer_name(pool: IdentityPool, given: str | None = None) -> str:
    name = pool.config.get("DeveloperProviderName")
    if not name:
        raise InvalidParameterException(f"Identity pool {pool.id} has no DeveloperProviderName.")
    if given is not None and given != name:
        raise InvalidParameterException(f"DeveloperProviderName {given} does not match the identity pool's.")
    return name


def _linked(ctx: Context, pool: IdentityPool, name: str, user: str) -> str:
    found = identities.linked_identity(ctx, pool.id, name, user)
    if found is None:
        raise ResourceNotFoundException(NOT_LINKED.format(user=user))
    return found


@operation("cognito-identity", "GetOpenIdTokenForDeveloperIdentity")
def get_open_id_token_for_developer_identity(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    pool = get_pool(ctx, params["IdentityPoolId"])
    name = pool.config.get("DeveloperProviderName")
    given = dict(params["Logins"])
    user = given.pop(name, None) if name else None
    verified = logins.verify_logins(ctx, pool, given)
    current = None
    if params.get("IdentityId"):
        current = identities.get_identity(ctx, params["IdentityId"])
        if current.pool_id != pool.id:
            raise ResourceNotFoundException(f"Identity '{current.id}' not found.")
    if user is not None:
        linked = identities.linked_identity(ctx, pool.id, name or "", user)
        if current is not None and linked is not None and linked != current.id:
            raise DeveloperUserAlreadyRegisteredException(
                f"Developer user identifier {user} is already registered with identity {linked}."
            )
        verified.insert(0, Login(name or "", user, {}, (name or "", f"{name}:{pool.id}:{user}")))
    if not verified:
        raise InvalidParameterException("Logins must hold the developer provider name or a supported login.")
    identity = identities.link(ctx, pool, verified, current)
    claims = openid.token_claims(
        identity_id=identity.id, pool_id=pool.id, pool_arn=pool_arn(pool), amr=identities.amr_of(verified),
        now=ctx.now, lifetime=params.get("TokenDuration") or openid.DEVELOPER_TOKEN_SECONDS,
        principal_tags=params.get("PrincipalTags"),
    )
    return {"IdentityId": identity.id, "Token": openid.mint(ctx.db, pool.region, claims)}


@operation("cognito-identity", "LookupDeveloperIdentity", readonly=True)
def lookup_developer_identity(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    """The identity of a developer user id (or the developer user ids of an identity)."""
    pool = get_pool(ctx, params["IdentityPoolId"])
    name = _developer_name(pool)
    identity_id = params.get("IdentityId")
    user = params.get("DeveloperUserIdentifier")
    if not identity_id and not user:
        raise InvalidParameterException("Either IdentityId or DeveloperUserIdentifier must be given.")
    if user:
        found = _linked(ctx, pool, name, user)
        if identity_id and identity_id != found:
            raise ResourceNotFoundException(NOT_LINKED.format(user=user))
    else:
        identity = identities.get_identity(ctx, identity_id or "")
        if identity.pool_id != pool.id:
            raise ResourceNotFoundException(f"Identity '{identity.id}' not found.")
        found = identity.id
    query = select(IdentityLogin).where(IdentityLogin.identity_id == found, IdentityLogin.provider == name)
    after = paging.decode(params.get("NextToken"))
    if after is not None:
        query = query.where(IdentityLogin.subject_hash > str(after))
    limit = params.get("MaxResults") or 60
    rows = list(ctx.db.scalars(query.order_by(IdentityLogin.subject_hash).limit(limit + 1)))
    page = rows[:limit]
    return {"IdentityId": found, "DeveloperUserIdentifierList": [r.subject for r in page],
            "NextToken": paging.encode(page[-1].subject_hash) if len(rows) > limit else None}


@operation("cognito-identity", "MergeDeveloperIdentities")
def merge_developer_identities(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    """Everything linked to the source user's identity moves to the destination user's."""
    pool = get_pool(ctx, params["IdentityPoolId"])
    name = _developer_name(pool, params["DeveloperProviderName"])
    source = identities.get_identity(ctx, _linked(ctx, pool, name, params["SourceUserIdentifier"]))
    destination = identities.get_identity(ctx, _linked(ctx, pool, name, params["DestinationUserIdentifier"]))
    identities.merge(ctx, source, destination)
    destination.modified = ctx.now
    return {"IdentityId": destination.id}


@operation("cognito-identity", "UnlinkDeveloperIdentity")
def unlink_developer_identity(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    pool = get_pool(ctx, params["IdentityPoolId"])
    name = _developer_name(pool, params["DeveloperProviderName"])
    identity = identities.get_identity(ctx, params["IdentityId"])
    if identity.pool_id != pool.id:
        raise ResourceNotFoundException(f"Identity '{identity.id}' not found.")
    user = params["DeveloperUserIdentifier"]
    row = ctx.db.get(IdentityLogin, (pool.id, name, logins.subject_hash(user)))
    if row is None or row.identity_id != identity.id:
        raise ResourceNotFoundException(NOT_LINKED.format(user=user))
    ctx.db.delete(row)
    identity.modified = ctx.now
    return {}
