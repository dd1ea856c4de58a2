"""User pool handlers: create, describe, update, delete, list, custom attributes, MFA config."""

from __future__ import annotations

import copy
from typing import Any

from sqlalchemy import and_, func, or_, select

from emulator import ids, paging
from emulator.context import Context
from emulator.errors import FeatureUnavailableInTierException, InvalidParameterException, LimitExceededException
from emulator.protocol.registry import operation
from emulator.userpool import domains, pool_config, schema
from emulator.userpool.lookup import get_pool
from emulator.userpool.models import UserPool

Params = dict[str, Any]
MAX_POOLS = 1000  # user pools per account and Region (AWS quota)
_MFA_KEYS = (*pool_config.MFA_FACTORS, "WebAuthnConfiguration")


def pool_arn(ctx: Context, pool: UserPool) -> str:
    return ctx.arn("cognito-idp", f"userpool/{pool.id}", region=pool.region)


def user_count(ctx: Context, pool: UserPool) -> int:
    """EstimatedNumberOfUsers: the users the directory holds for this pool."""
    try:
        from emulator.userpool.directory_models import User
    except ImportError:  # pragma: no cover - the directory tables ship with the emulator
        return 0
    return ctx.db.scalar(select(func.count()).select_from(User).where(User.pool_id == pool.id)) or 0


def describe(ctx: Context, pool: UserPool, *, empty_tags: bool = True) -> dict[str, Any]:
    """The UserPoolType document (Describe always shows UserPoolTags, even empty)."""
    doc: dict[str, Any] = {"Id": pool.id, "Name": pool.name}
    doc.update(pool_config.public(pool.config))
    doc["LastModifiedDate"] = pool.modified
    doc["CreationDate"] = pool.created
    doc["EstimatedNumberOfUsers"] = user_count(ctx, pool)
    doc["Arn"] = pool_arn(ctx, pool)
    if pool.tags or empty_tags:
        doc["UserPoolTags"] = dict(pool.tags or {})
    return doc


def _check_quota(ctx: Context) -> None:
    """A cheap count on the (account, region) index before adding one more pool."""
    count = ctx.db.scalar(
        select(func.count()).select_from(UserPool)
        .where(UserPool.account_id == ctx.account_id, UserPool.region == ctx.region)
    ) or 0
    if count >= MAX_POOLS:
        raise LimitExceededException(
            f"The limit of {MAX_POOLS} user pools per account in this Region has been reached."
        )


@operation("cognito-idp", "CreateUserPool")
def create_user_pool(ctx: Context, params: Params) -> dict[str, Any]:
    pool_config.check_sign_in_attributes(params)
    source = {k: params[k] for k in ("UsernameAttributes", "AliasAttributes", "UsernameConfiguration") if k in params}
    source["SchemaAttributes"] = schema.build_schema(params.get("Schema"))
    config = pool_config.build_config({**params, **source}, None, ctx.region)
    _check_quota(ctx)
    pool = UserPool(
        id=ids.user_pool_id(ctx.region), account_id=ctx.account_id, region=ctx.region, name=params["PoolName"],
        created=ctx.now, modified=ctx.now, config=config, tags=dict(params.get("UserPoolTags") or {}),
    )
    ctx.db.add(pool)
    ctx.db.flush()
    return {"UserPool": describe(ctx, pool, empty_tags=False)}


@operation("cognito-idp", "DescribeUserPool", readonly=True)
def describe_user_pool(ctx: Context, params: Params) -> dict[str, Any]:
    return {"UserPool": describe(ctx, get_pool(ctx.db, params["UserPoolId"]))}


@operation("cognito-idp", "UpdateUserPool")
def update_user_pool(ctx: Context, params: Params) -> dict[str, Any]:
    """Omitted settings go back to their defaults (see pool_config); the schema and sign-in shape stay."""
    pool = get_pool(ctx.db, params["UserPoolId"])
    pool.config = pool_config.build_config(params, pool.config, pool.region)
    if "PoolName" in params:
        pool.name = params["PoolName"]
    if "UserPoolTags" in params:
        pool.tags = dict(params["UserPoolTags"] or {})
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
    domains.check_pool_deletable(ctx.db, pool.id)
    ctx.db.delete(pool)
    return {}


def _after(token: str | None) -> tuple[float, str] | None:
    """The (created, id) key a NextToken stands for."""
    key = paging.decode(token)
    if key is None:
        return None
    if (not isinstance(key, list) or len(key) != 2 or not isinstance(key[0], (int, float))
            or not isinstance(key[1], str)):
        raise InvalidParameterException("Invalid pagination token.")
    return float(key[0]), key[1]


@operation("cognito-idp", "ListUserPools", readonly=True)
def list_user_pools(ctx: Context, params: Params) -> dict[str, Any]:
    """The caller's pools in the caller's Region, oldest first, keyset-paged on (created, id)."""
    after = _after(params.get("NextToken"))
    limit = params["MaxResults"]
    query = select(UserPool).where(UserPool.account_id == ctx.account_id, UserPool.region == ctx.region)
    if after is not None:
        created, pool_id = after
        query = query.where(or_(UserPool.created > created, and_(UserPool.created == created, UserPool.id > pool_id)))
    rows = list(ctx.db.scalars(query.order_by(UserPool.created, UserPool.id).limit(limit + 1)))
    page = rows[:limit]
    result: dict[str, Any] = {
        "UserPools": [
            {"Id": p.id, "Name": p.name, "LambdaConfig": copy.deepcopy(p.config.get("LambdaConfig") or {}),
             "LastModifiedDate": p.modified, "CreationDate": p.created}
            for p in page
        ]
    }
    if len(rows) > limit:
        result["NextToken"] = paging.encode([page[-1].created, page[-1].id])
    return result


@operation("cognito-idp", "AddCustomAttributes")
def add_custom_attributes(ctx: Context, params: Params) -> dict[str, Any]:
    """Custom attributes only: a Name like a standard one still becomes ``custom:<name>``."""
    pool = get_pool(ctx.db, params["UserPoolId"])
    config = copy.deepcopy(pool.config)
    config["SchemaAttributes"] = schema.add_custom(config["SchemaAttributes"], params["CustomAttributes"])
    pool.config = config
    pool.modified = ctx.now
    return {}


def mfa_config(pool: UserPool) -> dict[str, Any]:
    """GetUserPoolMfaConfig's answer: the stored factors and the pool's MfaConfiguration."""
    stored = pool.config.get(pool_config.MFA_SETTINGS) or {}
    result = {k: copy.deepcopy(stored[k]) for k in _MFA_KEYS if k in stored}
    result["MfaConfiguration"] = pool.config.get("MfaConfiguration", "OFF")
    return result


@operation("cognito-idp", "GetUserPoolMfaConfig", readonly=True)
def get_user_pool_mfa_config(ctx: Context, params: Params) -> dict[str, Any]:
    return mfa_config(get_pool(ctx.db, params["UserPoolId"]))


def _sms_factor(given: Params, config: Params, region: str) -> Params:
    """An SMS factor; without its own SmsConfiguration it uses the pool's."""
    sms = copy.deepcopy(given)
    if sms.get("SmsConfiguration"):
        sms["SmsConfiguration"].setdefault("SnsRegion", region)
    elif config.get("SmsConfiguration"):
        sms["SmsConfiguration"] = copy.deepcopy(config["SmsConfiguration"])
    return sms


def _check_mfa_messages(params: Params) -> None:
    """The SMS and email MFA messages must carry the {####} code placeholder, as the model documents."""
    for key, member in (("SmsMfaConfiguration", "SmsAuthenticationMessage"), ("EmailMfaConfiguration", "Message")):
        text = (params.get(key) or {}).get(member)
        if text is not None and "{####}" not in text:
            raise InvalidParameterException(f"{member} must contain the {{####}} placeholder.")


@operation("cognito-idp", "SetUserPoolMfaConfig")
def set_user_pool_mfa_config(ctx: Context, params: Params) -> dict[str, Any]:
    """Replaces the MFA factors with the ones given (passkey settings stay unless given)."""
    pool = get_pool(ctx.db, params["UserPoolId"])
    config = copy.deepcopy(pool.config)
    mode = params.get("MfaConfiguration", config.get("MfaConfiguration", "OFF"))
    _check_mfa_messages(params)
    if params.get("EmailMfaConfiguration") is not None and config.get("UserPoolTier") == "LITE":
        raise FeatureUnavailableInTierException("Email MFA requires the ESSENTIALS or PLUS feature plan.")
    previous = config.get(pool_config.MFA_SETTINGS) or {}
    settings: Params = {}
    if params.get("SmsMfaConfiguration") is not None:
        settings["SmsMfaConfiguration"] = _sms_factor(params["SmsMfaConfiguration"], config, pool.region)
    if params.get("SoftwareTokenMfaConfiguration") is not None:
        settings["SoftwareTokenMfaConfiguration"] = {
            "Enabled": bool(params["SoftwareTokenMfaConfiguration"].get("Enabled", False))
        }
    if params.get("EmailMfaConfiguration") is not None:
        settings["EmailMfaConfiguration"] = copy.deepcopy(params["EmailMfaConfiguration"])
    if params.get("WebAuthnConfiguration") is not None:
        settings["WebAuthnConfiguration"] = copy.deepcopy(params["WebAuthnConfiguration"])
    elif "WebAuthnConfiguration" in previous:
        settings["WebAuthnConfiguration"] = copy.deepcopy(previous["WebAuthnConfiguration"])
    if mode == "OFF" and pool_config.factor_enabled(settings):
        raise InvalidParameterException(
            "Invalid MFA configuration given, can't turn off MFA and configure an MFA together."
        )
    if mode != "OFF" and not pool_config.factor_enabled(settings):
        raise InvalidParameterException(
            "Invalid MFA configuration given, can't disable all MFAs with a required or optional configuration."
        )
    sms = settings.get("SmsMfaConfiguration") or {}
    if sms.get("SmsConfiguration"):
        config["SmsConfiguration"] = copy.deepcopy(sms["SmsConfiguration"])
    if "SmsAuthenticationMessage" in sms:
        config["SmsAuthenticationMessage"] = sms["SmsAuthenticationMessage"]
    config[pool_config.MFA_SETTINGS] = settings
    config["MfaConfiguration"] = mode
    pool.config = config
    pool.modified = ctx.now
    return mfa_config(pool)
