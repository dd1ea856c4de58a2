"""Identity pool CRUD, roles and role mappings, principal-tag maps and tags.

UpdateIdentityPool replaces the whole configuration (an omitted provider list is
cleared, as on AWS); only DeveloperProviderName, once set, stays and cannot change.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from sqlalchemy import and_, delete, func, or_, select

from emulator import paging
from emulator.context import Context
from emulator.errors import (
    InvalidParameterException,
    LimitExceededException,
    ResourceNotFoundException,
)
from emulator.identitypool.models import Identity, IdentityLogin, IdentityPool
from emulator.protocol.registry import operation

MAX_POOLS = 1000
MAX_TAGS = 50
MAX_RULES = 25
CONFIG_MEMBERS = (
    "AllowUnauthenticatedIdentities", "AllowClassicFlow", "SupportedLoginProviders", "DeveloperProviderName",
    "OpenIdConnectProviderARNs", "CognitoIdentityProviders", "SamlProviderARNs",
)
_ROLE_ARN = re.compile(r"arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]+")
_POOL_ARN = re.compile(
    r"arn:aws[a-z-]*:cognito-identity:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):"
    r"identitypool/(?P<pool>[\w-]+:[0-9a-f-]+)"
)
# Cognito's defaults for a user pool provider's principal tags.
DEFAULT_USER_POOL_TAGS = {"username": "sub", "client": "aud"}


def get_pool(ctx: Context, pool_id: str) -> IdentityPool:
    pool = ctx.db.get(IdentityPool, pool_id)
    if pool is None or pool.account_id != ctx.account_id:
        raise ResourceNotFoundException(f"IdentityPool '{pool_id}' not found.")
    return pool


def pool_arn(pool: IdentityPool) -> str:
    return f"arn:aws:cognito-identity:{pool.region}:{pool.account_id}:identitypool/{pool.id}"


def describe(pool: IdentityPool) -> dict[str, Any]:
    """The IdentityPool shape: empty lists and maps omitted, ServerSideTokenCheck defaulted."""
    config = pool.config
    out: dict[str, Any] = {
        "IdentityPoolId": pool.id,
        "IdentityPoolName": pool.name,
        "AllowUnauthenticatedIdentities": bool(config.get("AllowUnauthenticatedIdentities")),
        "AllowClassicFlow": config.get("AllowClassicFlow"),
    }
    for member in CONFIG_MEMBERS[2:]:
        value = config.get(member)
        if value:
            out[member] = value
    if "CognitoIdentityProviders" in out:
        out["CognitoIdentityProviders"] = [
            {**p, "ServerSideTokenCheck": bool(p.get("ServerSideTokenCheck"))} for p in out["CognitoIdentityProviders"]
        ]
    out["IdentityPoolTags"] = dict(pool.tags or {})
    return out


def _config(params: dict[str, Any], keep_developer: str | None = None) -> dict[str, Any]:
    config = {m: params.get(m) for m in CONFIG_MEMBERS if params.get(m) is not None}
    developer = params.get("DeveloperProviderName")
    if keep_developer:
        if developer is not None and developer != keep_developer:
            raise InvalidParameterException("Cannot modify DeveloperProviderName once it is set.")
        config["DeveloperProviderName"] = keep_developer
    for provider in config.get("CognitoIdentityProviders") or []:
        if not provider.get("ProviderName"):
            raise InvalidParameterException("CognitoIdentityProvider ProviderName is required.")
    return config


def _check_tags(tags: dict[str, str]) -> None:
    if len(tags) > MAX_TAGS:
        raise InvalidParameterException(f"An identity pool can have at most {MAX_TAGS} tags.")


@operation("cognito-identity", "CreateIdentityPool")
def create_identity_pool(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    count = ctx.db.scalar(
        select(func.count()).select_from(IdentityPool)
        .where(IdentityPool.account_id == ctx.account_id, IdentityPool.region == ctx.region)
    )
    if (count or 0) >= MAX_POOLS:
        raise LimitExceededException(f"Identity pool limit of {MAX_POOLS} reached.")
    tags = dict(params.get("IdentityPoolTags") or {})
    _check_tags(tags)
    pool = IdentityPool(
        id=f"{ctx.region}:{uuid.uuid4()}", account_id=ctx.account_id, region=ctx.region,
        name=params["IdentityPoolName"], created=ctx.now, modified=ctx.now, config=_config(params),
        tags=tags, roles={}, role_mappings={}, principal_tags={},
    )
    ctx.db.add(pool)
    return describe(pool)


@operation("cognito-identity", "DescribeIdentityPool", readonly=True)
def describe_identity_pool(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    return describe(get_pool(ctx, params["IdentityPoolId"]))


@operation("cognito-identity", "UpdateIdentityPool")
def update_identity_pool(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    pool = get_pool(ctx, params["IdentityPoolId"])
    pool.config = _config(params, keep_developer=pool.config.get("DeveloperProviderName"))
    pool.name = params["IdentityPoolName"]
    if params.get("IdentityPoolTags") is not None:
        _check_tags(params["IdentityPoolTags"])
        pool.tags = dict(params["IdentityPoolTags"])
    pool.modified = ctx.now
    return describe(pool)


@operation("cognito-identity", "DeleteIdentityPool")
def delete_identity_pool(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    pool = get_pool(ctx, params["IdentityPoolId"])
    ctx.db.execute(delete(IdentityLogin).where(IdentityLogin.pool_id == pool.id))
    ctx.db.execute(delete(Identity).where(Identity.pool_id == pool.id))
    ctx.db.delete(pool)
    return {}


@operation("cognito-identity", "ListIdentityPools", readonly=True)
def list_identity_pools(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    """Oldest first, keyset-paged by (created, id), this account and Region only."""
    query = select(IdentityPool).where(IdentityPool.account_id == ctx.account_id, IdentityPool.region == ctx.region)
    after = paging.decode(params.get("NextToken"))
    if after is not None:
        if not (isinstance(after, list) and len(after) == 2):
            raise InvalidParameterException("Invalid pagination token.")
        query = query.where(or_(IdentityPool.created > after[0],
                                and_(IdentityPool.created == after[0], IdentityPool.id > after[1])))
    limit = params["MaxResults"]
    rows = list(ctx.db.scalars(query.order_by(IdentityPool.created, IdentityPool.id).limit(limit + 1)))
    page = rows[:limit]
    token = paging.encode([page[-1].created, page[-1].id]) if len(rows) > limit else None
    return {"IdentityPools": [{"IdentityPoolId": p.id, "IdentityPoolName": p.name} for p in page], "NextToken": token}


def _check_mappings(mappings: dict[str, Any]) -> None:
    for provider, mapping in mappings.items():
        kind = mapping["Type"]
        if not mapping.get("AmbiguousRoleResolution"):
            raise InvalidParameterException(
                f"AmbiguousRoleResolution must be specified for {kind} role mapping of provider {provider}."
            )
        if kind == "Rules":
            rules = (mapping.get("RulesConfiguration") or {}).get("Rules")
            if not rules:
                raise InvalidParameterException(f"RulesConfiguration is required for Rules role mapping of {provider}.")
            if len(rules) > MAX_RULES:
                raise InvalidParameterException(f"A role mapping can have at most {MAX_RULES} rules.")
            for rule in rules:
                _check_role(rule["RoleARN"])


def _check_role(arn: str) -> None:
    if not _ROLE_ARN.fullmatch(arn):
        raise InvalidParameterException(f"Invalid role ARN: {arn}")


@operation("cognito-identity", "SetIdentityPoolRoles")
def set_identity_pool_roles(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    pool = get_pool(ctx, params["IdentityPoolId"])
    roles = dict(params["Roles"])
    for arn in roles.values():
        _check_role(arn)
    mappings = dict(params.get("RoleMappings") or {})
    _check_mappings(mappings)
    pool.roles = roles
    pool.role_mappings = mappings
    pool.modified = ctx.now
    return {}


@operation("cognito-identity", "GetIdentityPoolRoles", readonly=True)
def get_identity_pool_roles(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    pool = get_pool(ctx, params["IdentityPoolId"])
    return {"IdentityPoolId": pool.id, "Roles": dict(pool.roles or {}),
            "RoleMappings": dict(pool.role_mappings) if pool.role_mappings else None}


def _tag_map(pool: IdentityPool, provider: str) -> dict[str, Any]:
    stored = (pool.principal_tags or {}).get(provider)
    if stored is None:  # attributes for access control are off until a map is set
        return {"UseDefaults": False, "PrincipalTags": None}
    return stored


@operation("cognito-identity", "SetPrincipalTagAttributeMap")
def set_principal_tag_attribute_map(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    pool = get_pool(ctx, params["IdentityPoolId"])
    provider = params["IdentityProviderName"]
    use_defaults = bool(params.get("UseDefaults"))
    tags = dict(params.get("PrincipalTags") or {})
    if use_defaults:
        tags = dict(DEFAULT_USER_POOL_TAGS)
    entry = {"UseDefaults": use_defaults, "PrincipalTags": tags}
    pool.principal_tags = {**(pool.principal_tags or {}), provider: entry}
    return {"IdentityPoolId": pool.id, "IdentityProviderName": provider, "UseDefaults": use_defaults,
            "PrincipalTags": tags}


@operation("cognito-identity", "GetPrincipalTagAttributeMap", readonly=True)
def get_principal_tag_attribute_map(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    pool = get_pool(ctx, params["IdentityPoolId"])
    provider = params["IdentityProviderName"]
    stored = _tag_map(pool, provider)
    return {"IdentityPoolId": pool.id, "IdentityProviderName": provider, "UseDefaults": stored["UseDefaults"],
            "PrincipalTags": stored["PrincipalTags"]}


def principal_tags_for(pool: IdentityPool, provider: str, claims: dict[str, Any]) -> dict[str, str]:
    """Session tags from a login's claims, only where a map was explicitly set for the provider."""
    stored = (pool.principal_tags or {}).get(provider)
    if not stored:
        return {}
    tags: dict[str, str] = {}
    for tag, claim in stored["PrincipalTags"].items():
        value = claims.get(claim)
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            tags[tag] = str(value)
    return tags


def _pool_by_arn(ctx: Context, arn: str) -> IdentityPool:
    match = _POOL_ARN.fullmatch(arn)
    if match is None:
        raise InvalidParameterException(f"Invalid ARN {arn}: not an identity pool ARN.")
    pool = ctx.db.get(IdentityPool, match["pool"])
    if pool is None or pool.account_id != match["account"] or pool.region != match["region"]:
        raise ResourceNotFoundException(f"IdentityPool '{match['pool']}' not found.")
    return pool


@operation("cognito-identity", "TagResource")
def tag_resource(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    pool = _pool_by_arn(ctx, params["ResourceArn"])
    tags = {**(pool.tags or {}), **params["Tags"]}
    _check_tags(tags)
    pool.tags = tags
    return {}


@operation("cognito-identity", "UntagResource")
def untag_resource(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    pool = _pool_by_arn(ctx, params["ResourceArn"])
    gone = set(params["TagKeys"])
    pool.tags = {k: v for k, v in (pool.tags or {}).items() if k not in gone}
    return {}


@operation("cognito-identity", "ListTagsForResource", readonly=True)
def list_tags_for_resource(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    return {"Tags": dict(_pool_by_arn(ctx, params["ResourceArn"]).tags or {})}
