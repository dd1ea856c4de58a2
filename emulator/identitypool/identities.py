"""Identities: GetId, credentials and OpenID tokens for them, describe, list, delete, unlink.

Linking rules (reference §9): the same (provider, subject) always reaches the same
identity; new logins are linked to the identity in hand; when the logins of one request
are already linked to different identities, those identities merge. The survivor is the
oldest authenticated identity involved (or the one in hand when none is authenticated),
and the others' logins move to it; merged-away identities are deleted, so a client
holding one gets ResourceNotFoundException and calls GetId again, as on AWS.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import and_, delete, exists, not_, or_, select, update
from sqlalchemy.exc import IntegrityError

from emulator import paging
from emulator.context import Context
from emulator.errors import (
    CognitoError,
    InvalidParameterException,
    NotAuthorizedException,
    ResourceNotFoundException,
)
from emulator.identitypool import credentials, logins, openid, roles
from emulator.identitypool.logins import Login
from emulator.identitypool.models import Identity, IdentityLogin, IdentityPool
from emulator.identitypool.pools import get_pool, pool_arn, principal_tags_for
from emulator.protocol.registry import operation

UNAUTH_NOT_SUPPORTED = "Unauthenticated access is not supported for this identity pool."
LOGINS_DONT_MATCH = "Logins don't match. Please include at least one valid login for this identity or identity pool."
CLASSIC_DISABLED = "Basic (classic) flow is not enabled, please use enhanced flow."


def get_identity(ctx: Context, identity_id: str) -> Identity:
    identity = ctx.db.get(Identity, identity_id)
    if identity is None:
        raise ResourceNotFoundException(f"Identity '{identity_id}' not found.")
    return identity


def pool_of(ctx: Context, identity: Identity) -> IdentityPool:
    pool = ctx.db.get(IdentityPool, identity.pool_id)
    if pool is None or pool.account_id != ctx.account_id:
        raise ResourceNotFoundException(f"Identity '{identity.id}' not found.")
    return pool


def new_identity(ctx: Context, pool: IdentityPool, *, authenticated: bool) -> Identity:
    identity = Identity(id=f"{pool.region}:{uuid.uuid4()}", pool_id=pool.id, created=ctx.now, modified=ctx.now,
                        authenticated=authenticated)
    ctx.db.add(identity)
    ctx.db.flush()
    return identity


def linked_identity(ctx: Context, pool_id: str, provider: str, subject: str) -> str | None:
    return ctx.db.scalar(select(IdentityLogin.identity_id).where(
        IdentityLogin.pool_id == pool_id, IdentityLogin.provider == provider,
        IdentityLogin.subject_hash == logins.subject_hash(subject)))


def is_disabled(ctx: Context, identity: Identity) -> bool:
    """Authenticated once, with every login unlinked since."""
    if not identity.authenticated:
        return False
    return ctx.db.scalar(select(IdentityLogin.identity_id).where(IdentityLogin.identity_id == identity.id)
                         .limit(1)) is None


def merge(ctx: Context, source: Identity, destination: Identity) -> None:
    """Move every login of ``source`` to ``destination`` and delete ``source``."""
    if source.id == destination.id:
        return
    ctx.db.execute(update(IdentityLogin).where(IdentityLogin.identity_id == source.id)
                   .values(identity_id=destination.id))
    ctx.db.delete(source)
    destination.authenticated = destination.authenticated or source.authenticated
    ctx.db.flush()


def _add_link(ctx: Context, pool: IdentityPool, identity: Identity, provider: str, subject: str) -> Identity:
    """Link one login; if a concurrent request linked it first, merge into that identity."""
    try:
        with ctx.db.begin_nested():
            ctx.db.add(IdentityLogin(pool_id=pool.id, provider=provider, subject_hash=logins.subject_hash(subject),
                                     subject=subject, identity_id=identity.id, created=ctx.now))
    except IntegrityError:
        other_id = linked_identity(ctx, pool.id, provider, subject)
        other = ctx.db.get(Identity, other_id) if other_id else None
        if other is None:
            raise
        merge(ctx, identity, other)
        return other
    return identity


def link(ctx: Context, pool: IdentityPool, verified: list[Login], current: Identity | None) -> Identity:
    """The identity these logins belong to, after linking and merging."""
    ids: list[str] = [current.id] if current else []
    for login in verified:
        found = login.identity_id or linked_identity(ctx, pool.id, login.provider, login.subject)
        if found:
            ids.append(found)
    involved: list[Identity] = []
    for identity_id in dict.fromkeys(ids):
        identity = ctx.db.get(Identity, identity_id)
        if identity is None or identity.pool_id != pool.id:
            raise ResourceNotFoundException(f"Identity '{identity_id}' not found.")
        involved.append(identity)
    if not involved:
        survivor = new_identity(ctx, pool, authenticated=True)
    else:
        authenticated = sorted((i for i in involved if i.authenticated), key=lambda i: (i.created, i.id))
        survivor = authenticated[0] if authenticated else involved[0]
        for other in involved:
            merge(ctx, other, survivor)
    for login in verified:
        if login.identity_id is None and linked_identity(ctx, pool.id, login.provider, login.subject) != survivor.id:
            survivor = _add_link(ctx, pool, survivor, login.provider, login.subject)
    survivor.authenticated = True
    survivor.modified = ctx.now
    return survivor


def session(ctx: Context, identity_id: str, given: dict[str, str] | None) -> tuple[IdentityPool, Identity, list[Login]]:
    """The pool, identity (after linking) and verified logins of a credentials/token request."""
    identity = get_identity(ctx, identity_id)
    pool = pool_of(ctx, identity)
    if is_disabled(ctx, identity):
        raise NotAuthorizedException(LOGINS_DONT_MATCH)  # its last login was unlinked: inaccessible
    if given:
        verified = logins.verify_logins(ctx, pool, given)
        return pool, link(ctx, pool, verified, identity), verified
    if identity.authenticated:
        raise NotAuthorizedException(LOGINS_DONT_MATCH)
    if not pool.config.get("AllowUnauthenticatedIdentities"):
        raise NotAuthorizedException(UNAUTH_NOT_SUPPORTED)
    return pool, identity, []


def resolve_role(pool: IdentityPool, verified: list[Login], custom_role_arn: str | None) -> str:
    """The role for this request: the first login with a role mapping decides, else the defaults."""
    mapping = None
    claims: dict[str, Any] = {}
    for login in verified:
        mapping = logins.mapping_for(pool, login)
        if mapping is not None:
            claims = login.claims
            break
    try:
        return roles.resolve(pool.roles or {}, authenticated=bool(verified), mapping=mapping, claims=claims,
                             custom_role_arn=custom_role_arn)
    except roles.RoleError as exc:
        raise CognitoError(exc.message, code=exc.code) from None


@operation("cognito-identity", "GetId")
def get_id(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    pool = get_pool(ctx, params["IdentityPoolId"])
    if params.get("AccountId") and params["AccountId"] != pool.account_id:
        raise ResourceNotFoundException(f"IdentityPool '{pool.id}' not found.")
    given = params.get("Logins") or {}
    if not given:
        if not pool.config.get("AllowUnauthenticatedIdentities"):
            raise NotAuthorizedException(UNAUTH_NOT_SUPPORTED)
        return {"IdentityId": new_identity(ctx, pool, authenticated=False).id}
    verified = logins.verify_logins(ctx, pool, given)
    return {"IdentityId": link(ctx, pool, verified, None).id}


@operation("cognito-identity", "GetCredentialsForIdentity")
def get_credentials_for_identity(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    pool, identity, verified = session(ctx, params["IdentityId"], params.get("Logins"))
    role_arn = resolve_role(pool, verified, params.get("CustomRoleArn"))
    first = verified[0] if verified else None
    issued = credentials.issue(ctx, role_arn, source="GetCredentialsForIdentity", identity_id=identity.id,
                               identity_pool_id=pool.id, provider=first.provider if first else None,
                               subject=first.subject if first else None)
    return {"IdentityId": identity.id, "Credentials": {
        "AccessKeyId": issued.access_key_id, "SecretKey": issued.secret_key,
        "SessionToken": issued.session_token, "Expiration": issued.expiration}}


def amr_of(verified: list[Login]) -> list[str]:
    if not verified:
        return ["unauthenticated"]
    amr = ["authenticated"]
    for login in verified:
        amr.extend(a for a in login.amr if a not in amr)
    return amr


@operation("cognito-identity", "GetOpenIdToken")
def get_open_id_token(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    pool, identity, verified = session(ctx, params["IdentityId"], params.get("Logins"))
    if pool.config.get("AllowClassicFlow") is False:
        # AWS refuses only an explicit false; a pool created without the flag allows it.
        raise InvalidParameterException(CLASSIC_DISABLED)
    tags = principal_tags_for(pool, verified[0].provider, verified[0].claims) if verified else {}
    claims = openid.token_claims(identity_id=identity.id, pool_id=pool.id, pool_arn=pool_arn(pool),
                                 amr=amr_of(verified), now=ctx.now, lifetime=openid.OPEN_ID_TOKEN_SECONDS,
                                 principal_tags=tags)
    return {"IdentityId": identity.id, "Token": openid.mint(ctx.db, pool.region, claims)}


def _providers(ctx: Context, identity_ids: list[str]) -> dict[str, list[str]]:
    rows = ctx.db.execute(select(IdentityLogin.identity_id, IdentityLogin.provider)
                          .where(IdentityLogin.identity_id.in_(identity_ids))
                          .order_by(IdentityLogin.created, IdentityLogin.provider))
    found: dict[str, list[str]] = {}
    for identity_id, provider in rows:
        names = found.setdefault(identity_id, [])
        if provider not in names:
            names.append(provider)
    return found


def _description(identity: Identity, providers: list[str]) -> dict[str, Any]:
    return {"IdentityId": identity.id, "Logins": providers or None, "CreationDate": identity.created,
            "LastModifiedDate": identity.modified}


@operation("cognito-identity", "DescribeIdentity", readonly=True)
def describe_identity(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    identity = get_identity(ctx, params["IdentityId"])
    pool_of(ctx, identity)
    return _description(identity, _providers(ctx, [identity.id]).get(identity.id, []))


@operation("cognito-identity", "ListIdentities", readonly=True)
def list_identities(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    """Oldest first, keyset-paged; HideDisabled drops authenticated identities with no login left."""
    pool = get_pool(ctx, params["IdentityPoolId"])
    query = select(Identity).where(Identity.pool_id == pool.id)
    if params.get("HideDisabled"):
        has_login = exists(select(IdentityLogin.identity_id).where(IdentityLogin.identity_id == Identity.id))
        query = query.where(or_(not_(Identity.authenticated), has_login))
    after = paging.decode(params.get("NextToken"))
    if after is not None:
        if not (isinstance(after, list) and len(after) == 2):
            raise InvalidParameterException("Invalid pagination token.")
        query = query.where(or_(Identity.created > after[0],
                                and_(Identity.created == after[0], Identity.id > after[1])))
    limit = params["MaxResults"]
    rows = list(ctx.db.scalars(query.order_by(Identity.created, Identity.id).limit(limit + 1)))
    page = rows[:limit]
    providers = _providers(ctx, [i.id for i in page]) if page else {}
    return {"IdentityPoolId": pool.id,
            "Identities": [_description(i, providers.get(i.id, [])) for i in page],
            "NextToken": paging.encode([page[-1].created, page[-1].id]) if len(rows) > limit else None}


@operation("cognito-identity", "DeleteIdentities")
def delete_identities(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    """Deletes each identity of this account; unknown ids are ignored (nothing to delete)."""
    for identity_id in dict.fromkeys(params["IdentityIdsToDelete"]):
        identity = ctx.db.get(Identity, identity_id)
        if identity is None:
            continue
        pool = ctx.db.get(IdentityPool, identity.pool_id)
        if pool is None or pool.account_id != ctx.account_id:
            continue
        ctx.db.execute(delete(IdentityLogin).where(IdentityLogin.identity_id == identity.id))
        ctx.db.delete(identity)
    return {"UnprocessedIdentityIds": []}


@operation("cognito-identity", "UnlinkIdentity")
def unlink_identity(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    """Removes providers from an identity; the caller proves ownership with its current logins."""
    identity = get_identity(ctx, params["IdentityId"])
    pool = pool_of(ctx, identity)
    verified = logins.verify_logins(ctx, pool, params.get("Logins") or {})
    owned = [
        (login.identity_id or linked_identity(ctx, pool.id, login.provider, login.subject)) == identity.id
        for login in verified
    ]
    if not verified or not all(owned):
        raise NotAuthorizedException(LOGINS_DONT_MATCH)
    remove = {logins.canonical_provider(pool, name) for name in params["LoginsToRemove"]}
    if remove:
        ctx.db.execute(delete(IdentityLogin).where(IdentityLogin.identity_id == identity.id,
                                                   IdentityLogin.provider.in_(remove)))
    identity.modified = ctx.now
    return {}
