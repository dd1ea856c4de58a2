"""User pool handlers: create, describe, update, delete, list, custom attributes, MFA config."""

from __future__ import annotations

import copy
from typing import Any

from sqlalchemy import func, select

from emulator import ids, paging
from emulator.context import Context
from emulator.errors import InvalidParameterException
from emulator.protocol.registry import operation
from emulator.userpool import pool_config, schema
from emulator.userpool.lookup import get_pool
from emulator.userpool.models import UserPool

Params = dict[str, Any]
INTERNAL_KEYS = frozenset({"MfaSettings"})  # kept in the config document, never shown by Describe


def pool_arn(ctx: Context, pool: UserPool) -> str:
    return ctx.arn("cognito-idp", f"userpool/{pool.id}", region=pool.region)


def user_count(ctx: Context, pool: UserPool) -> int:
    """EstimatedNumberOfUsers; 0 until the directory has a users table."""
    try:
        from emulator.userpool.models import User  # type: ignore[attr-defined]
    except ImportError:
        return 0
    return ctx.db.scalar(select(func.count()).select_from(User).where(User.pool_id == pool.id)) or 0


def describe(ctx: Context, pool: UserPool) -> dict[str, Any]:
    """The UserPoolType document."""
    doc: dict[str, Any] = {"Id": pool.id, "Name": pool.name}
    doc.update({k: copy.deepcopy(v) for k, v in pool.config.items() if k not in INTERNAL_KEYS})
    doc["LastModifiedDate"] = pool.modified
    doc["CreationDate"] = pool.created
    doc["EstimatedNumberOfUsers"] = user_count(ctx, pool)
    doc["Arn"] = pool_arn(ctx, pool)
    if pool.tags:
        doc["UserPoolTags"] = dict(pool.tags)
    return doc


@operation("cognito-idp", "CreateUserPool")
def create_user_pool(ctx: Context, params: Params) -> dict[str, Any]:
    pool_config.check_sign_in_attributes(params)
    fixed = {
        "SchemaAttributes": schema.build_schema(params.get("Schema")),
        **{k: params[k] for k in ("UsernameAttributes", "AliasAttributes", "UsernameConfiguration") if k in params},
    }
    config = pool_config.build_config(params, fixed)
    pool = UserPool(
        id=ids.user_pool_id(ctx.region), account_id=ctx.account_id, region=ctx.region, name=params["PoolName"],
        created=ctx.now, modified=ctx.now, config=config, tags=dict(params.get("UserPoolTags") or {}),
    )
    ctx.db.add(pool)
    ctx.db.flush()
    return {"UserPool": describe(ctx, pool)}


@operation("cognito-idp", "DescribeUserPool", readonly=True)
def describe_user_pool(ctx: Context, params: Params) -> dict[str, Any]:
    return {"UserPool": describe(ctx, get_pool(ctx.db, params["UserPoolId"]))}


@operation("cognito-idp", "UpdateUserPool")
def update_user_pool(ctx: Context, params: Params) -> dict[str, Any]:
    pool = get_pool(ctx.db, params["UserPoolId"])
    config = pool_config.build_config(params, pool.config)
    for kept in ("Domain", "CustomDomain"):
        if kept in pool.config:
            config[kept] = pool.config[kept]
    pool.config = config
    if "PoolName" in params:
        pool.name = params["PoolName"]
    if "UserPoolTags" in params:
        pool.tags = dict(params["UserPoolTags"])
    pool.modified = ctx.now
    return {}


@operation("cognito-idp", "DeleteUserPool")
def delete_user_pool(ctx: Context, params: Params) -> dict[str, Any]:
    pool = get_pool(ctx.db, params["UserPoolId"])
    if pool.config.get("DeletionProtection") == "ACTIVE":
        raise InvalidParameterException(
            "The user pool cannot be deleted because deletion protection is activated. "
            "Deletion protection must be inactivated first."
        )
    ctx.db.delete(pool)
    return {}


@operation("cognito-idp", "ListUserPools", readonly=True)
def list_user_pools(ctx: Context, params: Params) -> dict[str, Any]:
    after = paging.decode(params.get("NextToken"))
    limit = params["MaxResults"]
    query = select(UserPool).where(UserPool.account_id == ctx.account_id, UserPool.region == ctx.region)
    if after is not None:
        query = query.where(UserPool.id > str(after))
    rows = list(ctx.db.scalars(query.order_by(UserPool.id).limit(limit + 1)))
    page = rows[:limit]
    result: dict[str, Any] = {
        "UserPools": [
            {
                "Id": p.id, "Name": p.name, "LambdaConfig": copy.deepcopy(p.config.get("LambdaConfig", {})),
                "LastModifiedDate": p.modified, "CreationDate": p.created,
            }
            for p in page
        ]
    }
    if len(rows) > limit:
        result["NextToken"] = paging.encode(page[-1].id)
    return result


@operation("cognito-idp", "AddCustomAttributes")
def add_custom_attributes(ctx: Context, params: Params) -> dict[str, Any]:
    pool = get_pool(ctx.db, params["UserPoolId"])
    for attr in params["CustomAttributes"]:
        if attr.get("Name") in schema.STANDARD_NAMES:
            raise InvalidParameterException(f"Existing attribute already has name {attr['Name']}.")
    config = copy.deepcopy(pool.config)
    config["SchemaAttributes"] = schema.add_custom(config["SchemaAttributes"], params["CustomAttributes"])
    pool.config = config
    pool.modified = ctx.now
    return {}


_MFA_KEYS = ("SmsMfaConfiguration", "SoftwareTokenMfaConfiguration", "EmailMfaConfiguration", "WebAuthnConfiguration")


def mfa_config(pool: UserPool) -> dict[str, Any]:
    stored = pool.config.get("MfaSettings") or {}
    result = {k: copy.deepcopy(stored[k]) for k in _MFA_KEYS if k in stored}
    result["MfaConfiguration"] = pool.config.get("MfaConfiguration", "OFF")
    return result


@operation("cognito-idp", "GetUserPoolMfaConfig", readonly=True)
def get_user_pool_mfa_config(ctx: Context, params: Params) -> dict[str, Any]:
    return mfa_config(get_pool(ctx.db, params["UserPoolId"]))


@operation("cognito-idp", "SetUserPoolMfaConfig")
def set_user_pool_mfa_config(ctx: Context, params: Params) -> dict[str, Any]:
    pool = get_pool(ctx.db, params["UserPoolId"])
    config = copy.deepcopy(pool.config)
    settings = config.get("MfaSettings") or {}
    for key in _MFA_KEYS:
        if key in params:
            settings[key] = copy.deepcopy(params[key])
    mode = params.get("MfaConfiguration", config.get("MfaConfiguration", "OFF"))
    if mode in ("ON", "OPTIONAL"):
        enabled = [
            settings.get("SoftwareTokenMfaConfiguration", {}).get("Enabled"),
            "SmsMfaConfiguration" in settings and bool(settings["SmsMfaConfiguration"]),
            "EmailMfaConfiguration" in settings and bool(settings["EmailMfaConfiguration"]),
        ]
        if not any(enabled):
            raise InvalidParameterException("At least one MFA method must be enabled to set MFA to ON or OPTIONAL.")
    config["MfaSettings"] = settings
    config["MfaConfiguration"] = mode
    pool.config = config
    pool.modified = ctx.now
    return mfa_config(pool)
