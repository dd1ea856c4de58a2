"""TagResource, UntagResource, ListTagsForResource on user pool ARNs."""

from __future__ import annotations

from typing import Any

from emulator.context import Context
from emulator.errors import InvalidParameterException, ResourceNotFoundException
from emulator.protocol.registry import operation
from emulator.userpool.lookup import get_pool
from emulator.userpool.models import UserPool

MAX_TAGS = 50


def _pool_by_arn(ctx: Context, arn: str) -> UserPool:
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "cognito-idp" or not parts[5].startswith("userpool/"):
        raise InvalidParameterException(f"Invalid ARN: {arn}")
    pool_id = parts[5].removeprefix("userpool/")
    try:
        return get_pool(ctx.db, pool_id)
    except ResourceNotFoundException:
        raise ResourceNotFoundException(f"Resource {arn} does not exist.") from None


@operation("cognito-idp", "TagResource")
def tag_resource(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    pool = _pool_by_arn(ctx, params["ResourceArn"])
    tags = {**(pool.tags or {}), **params["Tags"]}
    if len(tags) > MAX_TAGS:
        raise InvalidParameterException(f"A user pool can have at most {MAX_TAGS} tags.")
    pool.tags = tags
    return {}


@operation("cognito-idp", "UntagResource")
def untag_resource(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    pool = _pool_by_arn(ctx, params["ResourceArn"])
    pool.tags = {k: v for k, v in (pool.tags or {}).items() if k not in set(params.get("TagKeys") or ())}
    return {}


@operation("cognito-idp", "ListTagsForResource", readonly=True)
def list_tags_for_resource(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    pool = _pool_by_arn(ctx, params["ResourceArn"])
    return {"Tags": dict(pool.tags or {})}
