"""Device tracking: devices handed out at sign-in, confirmed, remembered, listed and forgotten.

With a DeviceConfiguration on the pool, a sign-in without a DEVICE_KEY gets
NewDeviceMetadata{DeviceKey "{region}_{uuid}", DeviceGroupKey} and the key in its access
token. ConfirmDevice stores the device's SRP verifier; it is remembered at once unless
DeviceOnlyRememberedOnUserPrompt asks the app to call UpdateDeviceStatus. A remembered
device answers DEVICE_SRP_AUTH at sign-in (auth/device_srp.py) and, with
ChallengeRequiredOnNewDevice, skips MFA.

What the user's own operations see: only remembered devices. The AWS SDK for Android's
integration tests against a real pool expect ListDevices to be empty and GetDevice to
answer ResourceNotFoundException until the device is remembered, while AdminGetDevice
still shows the not-remembered one [O]. Unknown keys are ResourceNotFoundException
"Device does not exist." (the clients retry without the device on that word).
"""

from __future__ import annotations

import base64
import binascii
import secrets
import string
import uuid
from typing import Any

from sqlalchemy import select, update

from emulator import paging
from emulator.context import Context
from emulator.errors import DeviceKeyExistsException, InvalidParameterException, ResourceNotFoundException
from emulator.protocol.registry import operation
from emulator.userpool import directory
from emulator.userpool.auth import access
from emulator.userpool.auth.models import RefreshToken
from emulator.userpool.device_models import Device
from emulator.userpool.directory_models import User
from emulator.userpool.lookup import get_pool
from emulator.userpool.models import UserPool

Params = dict[str, Any]
NOT_FOUND = "Device does not exist."
REMEMBERED = "remembered"
NOT_REMEMBERED = "not_remembered"
MAX_LIMIT = 60
_GROUP_ALPHABET = string.ascii_letters + string.digits


def tracking(pool: UserPool) -> dict[str, Any] | None:
    """The pool's DeviceConfiguration when device tracking is on (any member given), else None."""
    config = pool.config.get("DeviceConfiguration")
    return config if isinstance(config, dict) and config else None


def skips_mfa(pool: UserPool, device: Device | None) -> bool:
    """A remembered device stands in for MFA when the pool says ChallengeRequiredOnNewDevice."""
    config = tracking(pool) or {}
    return bool(device is not None and device.confirmed and device.remembered == REMEMBERED
                and device.verifier and config.get("ChallengeRequiredOnNewDevice"))


def authenticates(device: Device | None) -> bool:
    """Whether sign-ins with this device go through DEVICE_SRP_AUTH (it is remembered, with a verifier) [U]."""
    return bool(device is not None and device.confirmed and device.verifier and device.remembered == REMEMBERED)


def for_sign_in(ctx: Context, user: User, device_key: str | None) -> Device | None:
    """The device a sign-in names in DEVICE_KEY; an unknown one is RNF (clients then retry without it)."""
    if not device_key:
        return None
    device = ctx.db.get(Device, device_key)
    if device is None or device.user_id != user.id:
        raise ResourceNotFoundException(NOT_FOUND)
    return device


def _group_key(ctx: Context, user: User) -> str:
    """The user's device group key (shaped like AWS's ``-wt2ha1Zd``), shared by all their devices."""
    existing = ctx.db.scalar(select(Device.group_key).where(Device.user_id == user.id).limit(1))
    return existing or "-" + "".join(secrets.choice(_GROUP_ALPHABET) for _ in range(8))


def issue(ctx: Context, pool: UserPool, user: User) -> Device:
    """A new, unconfirmed device for a tracked sign-in that named none."""
    device = Device(
        device_key=f"{pool.region}_{uuid.uuid4()}", pool_id=pool.id, user_id=user.id,
        group_key=_group_key(ctx, user), confirmed=False, created=ctx.now, modified=ctx.now,
        last_authenticated=ctx.now,
    )
    ctx.db.add(device)
    return device


def signed_in(ctx: Context, pool: UserPool, user: User,
              device: Device | None) -> tuple[str | None, dict[str, str] | None]:
    """The device key for the tokens and the NewDeviceMetadata to return (a new device only)."""
    if device is not None:
        device.last_authenticated = ctx.now
        return device.device_key, None
    if tracking(pool) is None:
        return None, None
    device = issue(ctx, pool, user)
    return device.device_key, {"DeviceKey": device.device_key, "DeviceGroupKey": device.group_key}


def device_type(pool: UserPool, user: User, device: Device) -> dict[str, Any]:
    """DeviceType as GetDevice shows it (attribute names as in AWS's documented example)."""
    owner = f"{user.username}.{pool.id}"
    attrs = [{"Name": "device_status", "Value": "valid"}]
    if device.name:
        attrs.append({"Name": "device_name", "Value": device.name})
    arn = f"arn:aws:cognito-idp:{pool.region}:{pool.account_id}:owner/{owner}/device/{device.device_key}"
    attrs.append({"Name": "dev:device_arn", "Value": arn})
    attrs.append({"Name": "dev:device_owner", "Value": owner})
    if device.last_ip:
        attrs.append({"Name": "last_ip_used", "Value": device.last_ip})
    if device.remembered:
        attrs.append({"Name": "dev:device_remembered_status", "Value": device.remembered})
    return {
        "DeviceKey": device.device_key, "DeviceAttributes": attrs, "DeviceCreateDate": device.created,
        "DeviceLastModifiedDate": device.modified, "DeviceLastAuthenticatedDate": device.last_authenticated,
    }


def _owned(ctx: Context, user: User, key: str, *, remembered_only: bool) -> Device:
    device = ctx.db.get(Device, key, with_for_update=True)
    if device is None or device.user_id != user.id:
        raise ResourceNotFoundException(NOT_FOUND)
    if remembered_only and device.remembered != REMEMBERED:
        raise ResourceNotFoundException(NOT_FOUND)
    return device


def _hex_of(text: str | None, name: str) -> str | None:
    """A base64 DeviceSecretVerifierConfig member as hex (the client sends padHex bytes)."""
    if not text:
        return None
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidParameterException(f"{name} must be base64 encoded.") from None
    if not raw:
        raise InvalidParameterException(f"{name} must be base64 encoded.")
    return raw.hex()


def _page(ctx: Context, pool: UserPool, user: User, params: Params, *, remembered_only: bool) -> dict[str, Any]:
    limit = int(params.get("Limit") or MAX_LIMIT)
    after = paging.decode(params.get("PaginationToken"))
    stmt = select(Device).where(Device.user_id == user.id)
    if remembered_only:
        stmt = stmt.where(Device.remembered == REMEMBERED)
    if after is not None:
        try:
            created, key = float(after[0]), str(after[1])
        except (TypeError, ValueError, IndexError):
            raise InvalidParameterException("Invalid pagination token.") from None
        stmt = stmt.where((Device.created > created) | ((Device.created == created) & (Device.device_key > key)))
    rows = list(ctx.db.scalars(stmt.order_by(Device.created, Device.device_key).limit(limit + 1)))
    result: dict[str, Any] = {"Devices": [device_type(pool, user, d) for d in rows[:limit]]}
    if len(rows) > limit:
        last = rows[limit - 1]
        result["PaginationToken"] = paging.encode([last.created, last.device_key])
    return result


def _forget(ctx: Context, device: Device) -> None:
    """Delete the device; refresh tokens it was issued with stop working."""
    ctx.db.execute(update(RefreshToken).where(RefreshToken.device_key == device.device_key).values(revoked=True))
    ctx.db.delete(device)


def _set_status(ctx: Context, device: Device, status: str | None) -> None:
    if status:
        device.remembered = status
        device.modified = ctx.now


# --- The user's own operations (access token) ------------------------------------------------------


@operation("cognito-idp", "ConfirmDevice")
def confirm_device(ctx: Context, params: Params) -> dict[str, Any]:
    caller = access.authenticate(ctx, params["AccessToken"])
    device = _owned(ctx, caller.user, params["DeviceKey"], remembered_only=False)
    if device.confirmed:
        raise DeviceKeyExistsException("Device key already exists.")
    config = params.get("DeviceSecretVerifierConfig") or {}
    device.salt = _hex_of(config.get("Salt"), "Salt")
    device.verifier = _hex_of(config.get("PasswordVerifier"), "PasswordVerifier")
    device.name = params.get("DeviceName") or device.name
    on_prompt = bool((tracking(caller.pool) or {}).get("DeviceOnlyRememberedOnUserPrompt"))
    device.confirmed = True
    device.remembered = NOT_REMEMBERED if on_prompt else REMEMBERED
    device.modified = ctx.now
    return {"UserConfirmationNecessary": on_prompt}


@operation("cognito-idp", "GetDevice", readonly=True)
def get_device(ctx: Context, params: Params) -> dict[str, Any]:
    caller = access.authenticate(ctx, params.get("AccessToken") or "")
    device = _owned(ctx, caller.user, params["DeviceKey"], remembered_only=True)
    return {"Device": device_type(caller.pool, caller.user, device)}


@operation("cognito-idp", "ListDevices", readonly=True)
def list_devices(ctx: Context, params: Params) -> dict[str, Any]:
    caller = access.authenticate(ctx, params["AccessToken"])
    return _page(ctx, caller.pool, caller.user, params, remembered_only=True)


@operation("cognito-idp", "ForgetDevice")
def forget_device(ctx: Context, params: Params) -> dict[str, Any]:
    caller = access.authenticate(ctx, params.get("AccessToken") or "")
    _forget(ctx, _owned(ctx, caller.user, params["DeviceKey"], remembered_only=False))
    return {}


@operation("cognito-idp", "UpdateDeviceStatus")
def update_device_status(ctx: Context, params: Params) -> dict[str, Any]:
    caller = access.authenticate(ctx, params["AccessToken"])
    device = _owned(ctx, caller.user, params["DeviceKey"], remembered_only=False)
    _set_status(ctx, device, params.get("DeviceRememberedStatus"))
    return {}


# --- Administrator twins ------------------------------------------------------------------------------


def _admin_target(ctx: Context, params: Params) -> tuple[UserPool, User]:
    pool = get_pool(ctx.db, params["UserPoolId"])
    return pool, directory.require_target(ctx.db, pool, params["Username"])


@operation("cognito-idp", "AdminGetDevice", readonly=True)
def admin_get_device(ctx: Context, params: Params) -> dict[str, Any]:
    pool, user = _admin_target(ctx, params)
    return {"Device": device_type(pool, user, _owned(ctx, user, params["DeviceKey"], remembered_only=False))}


@operation("cognito-idp", "AdminListDevices", readonly=True)
def admin_list_devices(ctx: Context, params: Params) -> dict[str, Any]:
    pool, user = _admin_target(ctx, params)
    return _page(ctx, pool, user, params, remembered_only=False)


@operation("cognito-idp", "AdminForgetDevice")
def admin_forget_device(ctx: Context, params: Params) -> dict[str, Any]:
    _, user = _admin_target(ctx, params)
    _forget(ctx, _owned(ctx, user, params["DeviceKey"], remembered_only=False))
    return {}


@operation("cognito-idp", "AdminUpdateDeviceStatus")
def admin_update_device_status(ctx: Context, params: Params) -> dict[str, Any]:
    _, user = _admin_target(ctx, params)
    device = _owned(ctx, user, params["DeviceKey"], remembered_only=False)
    _set_status(ctx, device, params.get("DeviceRememberedStatus"))
    return {}
