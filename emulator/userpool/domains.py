"""User pool domains: Create/Describe/Update/DeleteUserPoolDomain.

A pool has at most one prefix domain (``{prefix}.auth.{region}.amazoncognito.com``,
unique within its Region) and one custom domain (unique everywhere); DescribeUserPool
shows them as ``Domain`` and ``CustomDomain``. Cogito serves the Hosted UI and OAuth
endpoints itself, under its own base URL, whatever the domain: the domain is recorded
and described, not resolved (clients find the pool through ``client_id``).

AWS facts kept: a taken name is ``Domain already associated with another user pool.``;
an unknown domain is described as an empty ``DomainDescription`` (no error); a pool with
a domain cannot be deleted until the domain is.
"""

from __future__ import annotations

import copy
import secrets
import string
import time
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from emulator.context import Context
from emulator.errors import FeatureUnavailableInTierException, InvalidParameterException
from emulator.hostedui.models import PoolDomain
from emulator.protocol.registry import operation
from emulator.userpool.lookup import get_pool
from emulator.userpool.models import UserPool

Params = dict[str, Any]

TAKEN = "Domain already associated with another user pool."
# [U] wording of the next three.
ALREADY_HAS = "User pool already has a domain configured."
NO_SUCH = "No such domain or user pool exists."
RESERVED = ("aws", "amazon", "cognito")
HAS_DOMAIN = "User pool cannot be deleted. It has a domain configured that should be deleted first."
CUSTOM_SCOPE = "*"  # custom domains are DNS names: unique across Regions
# The asset buckets AWS names after an airport code per Region (others: the Region name).
_AIRPORTS = {
    "us-east-1": "iad", "us-east-2": "cmh", "us-west-1": "sfo", "us-west-2": "pdx", "eu-west-1": "dub",
    "eu-west-2": "lhr", "eu-west-3": "cdg", "eu-central-1": "fra", "eu-north-1": "arn", "ap-northeast-1": "nrt",
    "ap-southeast-1": "sin", "ap-southeast-2": "syd", "ap-south-1": "bom", "ca-central-1": "yul", "sa-east-1": "gru",
}


def _scope(pool: UserPool, custom: bool) -> str:
    return CUSTOM_SCOPE if custom else pool.region


def _cloudfront() -> str:
    """A CloudFront distribution host shaped like AWS's (``d`` + 13 characters)."""
    return "d" + "".join(secrets.choice(string.ascii_lowercase + string.digits) for _ in range(13)) + ".cloudfront.net"


def _version(now: float) -> str:
    return time.strftime("%Y%m%d%H%M%S", time.gmtime(now))


def _find(db: Session, name: str, region: str) -> PoolDomain | None:
    """The prefix domain of this Region or the custom domain called ``name``."""
    return db.scalar(
        select(PoolDomain).where(PoolDomain.domain == name, PoolDomain.region_key.in_((region, CUSTOM_SCOPE)))
    )


def _owned(ctx: Context, pool: UserPool, name: str) -> PoolDomain:
    row = _find(ctx.db, name, pool.region)
    if row is None or row.pool_id != pool.id:
        raise InvalidParameterException(NO_SUCH)
    return row


def _set_pool_key(pool: UserPool, row: PoolDomain, present: bool) -> None:
    """Keep DescribeUserPool's ``Domain`` / ``CustomDomain`` in step with the table."""
    config = copy.deepcopy(pool.config)
    key = "CustomDomain" if row.custom else "Domain"
    if present:
        config[key] = row.domain
    else:
        config.pop(key, None)
    pool.config = config


def _login_version(pool: UserPool, given: int | None, default: int) -> int:
    version = default if given is None else given
    if version not in (1, 2):
        raise InvalidParameterException("ManagedLoginVersion must be 1 (hosted UI classic) or 2 (managed login).")
    if version == 2 and pool.config.get("UserPoolTier") == "LITE":
        raise FeatureUnavailableInTierException("Managed login requires the ESSENTIALS or PLUS feature plan.")
    return version


def _check_prefix(name: str) -> None:
    for word in RESERVED:
        if word in name:
            raise InvalidParameterException(f"Domain cannot contain reserved word: {word}")


def _answer(row: PoolDomain) -> dict[str, Any]:
    result: dict[str, Any] = {"ManagedLoginVersion": row.managed_login_version}
    if row.custom:
        result["CloudFrontDomain"] = row.cloudfront
    if row.routing:
        result["Routing"] = copy.deepcopy(row.routing)
    return result


def has_domain(db: Session, pool_id: str) -> bool:
    """Whether the pool still has a domain (DeleteUserPool refuses then)."""
    return db.scalar(select(PoolDomain.domain).where(PoolDomain.pool_id == pool_id).limit(1)) is not None


def check_pool_deletable(db: Session, pool_id: str) -> None:
    if has_domain(db, pool_id):
        raise InvalidParameterException(HAS_DOMAIN)


@operation("cognito-idp", "CreateUserPoolDomain")
def create_user_pool_domain(ctx: Context, params: Params) -> dict[str, Any]:
    pool = get_pool(ctx.db, params["UserPoolId"])
    name = params["Domain"]
    custom = params.get("CustomDomainConfig") is not None
    if not custom:
        _check_prefix(name)
    if _find(ctx.db, name, pool.region) is not None:
        raise InvalidParameterException(TAKEN)
    kind_taken = ctx.db.scalar(select(PoolDomain.domain).where(PoolDomain.pool_id == pool.id,
                                                               PoolDomain.custom.is_(custom)))
    if kind_taken is not None:
        raise InvalidParameterException(ALREADY_HAS)
    row = PoolDomain(
        region_key=_scope(pool, custom), domain=name, pool_id=pool.id, custom=custom, account_id=pool.account_id,
        custom_config=copy.deepcopy(params["CustomDomainConfig"]) if custom else None,
        routing=copy.deepcopy(params.get("Routing")) or None,
        managed_login_version=_login_version(pool, params.get("ManagedLoginVersion"), 1),
        cloudfront=_cloudfront(), version=_version(ctx.now), created=ctx.now,
    )
    try:
        with ctx.db.begin_nested():
            ctx.db.add(row)
            ctx.db.flush()
    except IntegrityError:  # a concurrent request took the name (or the pool's slot) first
        raise InvalidParameterException(TAKEN) from None
    _set_pool_key(pool, row, True)
    return _answer(row)


@operation("cognito-idp", "DescribeUserPoolDomain", readonly=True)
def describe_user_pool_domain(ctx: Context, params: Params) -> dict[str, Any]:
    """An unknown domain (or another Region's prefix domain) is an empty description."""
    row = _find(ctx.db, params["Domain"], ctx.region)
    if row is None:
        return {"DomainDescription": {}}
    pool = ctx.db.get(UserPool, row.pool_id)
    region = pool.region if pool is not None else ctx.region
    doc: dict[str, Any] = {
        "UserPoolId": row.pool_id,
        "AWSAccountId": row.account_id,
        "Domain": row.domain,
        "S3Bucket": f"aws-cognito-prod-{_AIRPORTS.get(region, region)}-assets",
        "CloudFrontDistribution": row.cloudfront,
        "Version": row.version,
        "Status": "ACTIVE",
        "CustomDomainConfig": copy.deepcopy(row.custom_config or {}),
        "ManagedLoginVersion": row.managed_login_version,
    }
    if row.routing:
        doc["Routing"] = copy.deepcopy(row.routing)
    return {"DomainDescription": doc}


@operation("cognito-idp", "UpdateUserPoolDomain")
def update_user_pool_domain(ctx: Context, params: Params) -> dict[str, Any]:
    """Changes the branding version and, for a custom domain, its certificate; never the name."""
    pool = get_pool(ctx.db, params["UserPoolId"])
    row = _owned(ctx, pool, params["Domain"])
    if params.get("CustomDomainConfig") is not None:
        if not row.custom:
            raise InvalidParameterException("CustomDomainConfig applies to custom domains only.")
        row.custom_config = copy.deepcopy(params["CustomDomainConfig"])
    row.managed_login_version = _login_version(pool, params.get("ManagedLoginVersion"), row.managed_login_version)
    if params.get("Routing") is not None:
        row.routing = copy.deepcopy(params["Routing"]) or None
    row.version = _version(ctx.now)
    return _answer(row)


@operation("cognito-idp", "DeleteUserPoolDomain")
def delete_user_pool_domain(ctx: Context, params: Params) -> dict[str, Any]:
    pool = get_pool(ctx.db, params["UserPoolId"])
    row = _owned(ctx, pool, params["Domain"])
    _set_pool_key(pool, row, False)
    ctx.db.delete(row)
    return {}
