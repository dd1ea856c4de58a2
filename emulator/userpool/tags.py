"""TagResource, UntagResource, ListTagsForResource on user pool ARNs.

A user pool ARN is ``arn:{partition}:cognito-idp:{region}:{account}:userpool/{poolId}``.
Anything else is an InvalidParameterException; a well-formed ARN naming no pool of this
account and Region is a ResourceNotFoundException.
"""

from __future__ import annotations

import re
from typing import Any

from emulator.context import Context
from emulator.errors import InvalidParameterException, ResourceNotFoundException
from emulator.protocol.registry import operation
from emulator.userpool.models import UserPool

MAX_TAGS = 50
_ARN = re.compile(
    r"arn:(?P<partition>aws[a-z-]*):cognito-idp:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):"
    r"userpool/(?P<pool>[\w-]+_[0-9a-zA-Z]+)"
)


def _pool_by_arn(ctx: Context, arn: str) -> UserPool:
    match = _ARN.fullmatch(arn)
    if match is None:
        raise InvalidParameterException(f"Invalid ARN {arn}: not a user pool ARN.")
    pool_id = match["pool"]
    pool = ctx.db.get(UserPool, pool_id)
    if pool is None or pool.account_id != match["account"] or pool.region != match["region"]:
        raise ResourceNotFoundException(f"User pool {pool_id} does not exist.")
    return pool


@operation("cognito-idp", "TagResource")
def tag_resource(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    """Adds or overwrites tags; a pool holds at most 50."""
    pool = _pool_by_arn(ctx, params["ResourceArn"])
    tags = {**(pool.tags or {}), **params["Tags"]}
    if len(tags) > MAX_TAGS:
        raise InvalidParameterException(f"A user pool can have at most {MAX_TAGS} tags.")
    pool.tags = tags
    return {}


@operation("cognito-idp", "UntagResource")
def untag_resource(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    """Removes the named keys; unknown keys are ignored."""
    pool = _pool_by_arn(ctx, params["ResourceArn"])
    gone = set(params.get("TagKeys") or ())
    pool.tags = {k: v for k, v in (pool.tags or {}).items() if k not in gone}
    return {}


@operation("cognito-idp", "ListTagsForResource", readonly=True)
def list_tags_for_resource(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    pool = _pool_by_arn(ctx, params["ResourceArn"])
    return {"Tags": dict(pool.tags or {})}
