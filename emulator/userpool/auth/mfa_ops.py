"""Setting up MFA: software tokens (Associate/VerifySoftwareToken), MFA preferences, legacy settings.

AssociateSoftwareToken and VerifySoftwareToken take the user's access token, or the
Session of an MFA_SETUP challenge (then each answers a new Session, and the last one
completes the sign-in as RespondToAuthChallenge MFA_SETUP). Verifying through the access
token registers the token; SetUserMFAPreference then turns it on (AWS: "Next, you can
enable TOTP MFA for your user or set TOTP as the preferred MFA method"). Verifying during
MFA_SETUP turns it on at once.
"""

from __future__ import annotations

from typing import Any

from emulator.context import Context
from emulator.errors import (
    EnableSoftwareTokenMFAException,
    InvalidParameterException,
    NotAuthorizedException,
    SoftwareTokenMFANotFoundException,
)
from emulator.protocol.registry import operation
from emulator.userpool import directory
from emulator.userpool.auth import access, sessions, totp
from emulator.userpool.auth import mfa_settings as settings
from emulator.userpool.auth.models import AuthSession
from emulator.userpool.directory_models import User
from emulator.userpool.lookup import get_pool
from emulator.userpool.models import AppClient, UserPool

Params = dict[str, Any]
MFA_SETUP = "MFA_SETUP"
NOT_ENABLED_FOR_POOL = "Software Token MFA has not been enabled by the userPool."  # AWS developer guide
CODE_MISMATCH = "Code mismatch and fail enable Software Token MFA"  # [O]
NOT_ASSOCIATED = "Software token has not been associated with the user."  # [U]
ONE_OF = "Either AccessToken or Session must be given, not both."  # [U]
NO_DELIVERY = "User does not have delivery config set to turn on {factor}"  # [O] for SOFTWARE_TOKEN_MFA
_PREFERENCES = (("SMSMfaSettings", settings.SMS), ("SoftwareTokenMfaSettings", settings.TOTP),
                ("EmailMfaSettings", settings.EMAIL))


def _caller_or_session(ctx: Context, params: Params) -> tuple[UserPool, User, AuthSession | None]:
    """The user behind the access token, or behind an MFA_SETUP session (not yet spent)."""
    token, session_text = params.get("AccessToken"), params.get("Session")
    if bool(token) == bool(session_text):
        raise InvalidParameterException(ONE_OF)
    if token:
        caller = access.authenticate(ctx, token)
        return caller.pool, caller.user, None
    row = sessions.take(ctx, None, session_text, MFA_SETUP, mark_used=False)
    user = ctx.db.get(User, row.user_id) if row.user_id else None
    pool = ctx.db.get(UserPool, row.pool_id)
    if user is None or pool is None:
        raise NotAuthorizedException(sessions.INVALID)
    if not user.enabled:
        raise NotAuthorizedException("User is disabled.")
    return pool, user, row


def _next_session(ctx: Context, row: AuthSession, user: User, stage: str) -> str:
    """Spend ``row`` and open the MFA_SETUP session of the next stage (same client, same state)."""
    row.used = True
    client = ctx.db.get(AppClient, row.client_id)
    if client is None:
        raise NotAuthorizedException(sessions.INVALID)
    return sessions.start(ctx, client, user, MFA_SETUP, {**(row.state or {}), "stage": stage})


@operation("cognito-idp", "AssociateSoftwareToken")
def associate_software_token(ctx: Context, params: Params) -> dict[str, Any]:
    pool, user, row = _caller_or_session(ctx, params)
    if settings.TOTP not in settings.pool_factors(pool):
        raise SoftwareTokenMFANotFoundException(NOT_ENABLED_FOR_POOL)
    result: dict[str, Any] = {"SecretCode": start_association(user)}
    if row is not None:
        result["Session"] = _next_session(ctx, row, user, "associated")
    return result


def start_association(user: User) -> str:
    """A new secret waiting for its first code (replacing any earlier pending one)."""
    secret = totp.new_secret()
    data = settings.read(user)
    data["totp_pending"] = secret
    settings.save(user, data)
    return secret


def verify_pending(ctx: Context, user: User, code: str, *, friendly_name: str | None, enable: bool) -> None:
    """Make the associated secret the user's token if ``code`` is right for it."""
    data = settings.read(user)
    pending = data.get("totp_pending")
    if not pending:
        raise SoftwareTokenMFANotFoundException(NOT_ASSOCIATED)
    if not totp.matches(pending, code, ctx.now):
        raise EnableSoftwareTokenMFAException(CODE_MISMATCH)
    data["totp_secret"] = pending
    data.pop("totp_pending", None)
    if friendly_name:
        data["totp_name"] = friendly_name
    if enable:
        data["enabled"] = [*(data.get("enabled") or []), settings.TOTP]
    settings.save(user, data)
    user.modified = ctx.now


@operation("cognito-idp", "VerifySoftwareToken")
def verify_software_token(ctx: Context, params: Params) -> dict[str, Any]:
    _, user, row = _caller_or_session(ctx, params)
    if row is not None and (row.state or {}).get("stage") != "associated":
        raise NotAuthorizedException(sessions.INVALID)
    verify_pending(ctx, user, params["UserCode"], friendly_name=params.get("FriendlyDeviceName"),
                   enable=row is not None)
    result: dict[str, Any] = {"Status": "SUCCESS"}
    if row is not None:
        result["Session"] = _next_session(ctx, row, user, "verified")
    return result


def apply_preferences(user: User, params: Params) -> None:
    """SetUserMFAPreference's rules: each factor given is turned on or off; one may be preferred."""
    data = settings.read(user)
    enabled = list(data.get("enabled") or [])
    preferred = data.get("preferred")
    given = [(factor, params[member]) for member, factor in _PREFERENCES if params.get(member) is not None]
    if sum(1 for _, value in given if value.get("PreferredMfa")) > 1:
        raise InvalidParameterException("Only one MFA method can be preferred.")  # [U]
    attrs = user.attributes or {}
    for factor, value in given:
        turn_on = value.get("Enabled", bool(value.get("PreferredMfa")))
        if turn_on:
            if factor == settings.TOTP:
                has = bool(data.get("totp_secret"))
            else:
                has = bool(attrs.get(settings.DESTINATION[factor]))
            if not has:
                raise InvalidParameterException(NO_DELIVERY.format(factor=factor))
            if factor not in enabled:
                enabled.append(factor)
            if value.get("PreferredMfa"):
                preferred = factor
            elif preferred == factor and "PreferredMfa" in value:
                preferred = None
        else:
            enabled = [f for f in enabled if f != factor]
            if preferred == factor:
                preferred = None
    data["enabled"], data["preferred"] = enabled, preferred
    settings.save(user, data)


def apply_legacy_options(user: User, options: list[dict[str, Any]]) -> None:
    """SetUserSettings: MFAOptions can only turn SMS MFA on (an SMS entry) or off (none)."""
    if any(o.get("DeliveryMedium") != "SMS" for o in options):
        raise InvalidParameterException("Only SMS is supported as an MFA delivery medium in MFAOptions.")  # [U]
    data = settings.read(user)
    enabled = [f for f in (data.get("enabled") or []) if f != settings.SMS]
    if options:
        if not (user.attributes or {}).get("phone_number"):
            raise InvalidParameterException(NO_DELIVERY.format(factor=settings.SMS))
        enabled.append(settings.SMS)
    data["enabled"] = enabled
    settings.save(user, data)


@operation("cognito-idp", "SetUserMFAPreference")
def set_user_mfa_preference(ctx: Context, params: Params) -> dict[str, Any]:
    caller = access.authenticate(ctx, params["AccessToken"])
    apply_preferences(caller.user, params)
    caller.user.modified = ctx.now
    return {}


@operation("cognito-idp", "AdminSetUserMFAPreference")
def admin_set_user_mfa_preference(ctx: Context, params: Params) -> dict[str, Any]:
    pool = get_pool(ctx.db, params["UserPoolId"])
    user = directory.require_target(ctx.db, pool, params["Username"])
    apply_preferences(user, params)
    user.modified = ctx.now
    return {}


@operation("cognito-idp", "SetUserSettings")
def set_user_settings(ctx: Context, params: Params) -> dict[str, Any]:
    caller = access.authenticate(ctx, params["AccessToken"])
    apply_legacy_options(caller.user, params["MFAOptions"])
    caller.user.modified = ctx.now
    return {}


@operation("cognito-idp", "AdminSetUserSettings")
def admin_set_user_settings(ctx: Context, params: Params) -> dict[str, Any]:
    pool = get_pool(ctx.db, params["UserPoolId"])
    user = directory.require_target(ctx.db, pool, params["Username"])
    apply_legacy_options(user, params["MFAOptions"])
    user.modified = ctx.now
    return {}


@operation("cognito-idp", "AdminDeleteSoftwareToken")
def admin_delete_software_token(ctx: Context, params: Params) -> dict[str, Any]:
    """Forget the user's software token (a lost phone): TOTP MFA is off until a new one is verified."""
    pool = get_pool(ctx.db, params["UserPoolId"])
    user = directory.require_target(ctx.db, pool, params["Username"])
    data = settings.read(user)
    for key in ("totp_secret", "totp_pending", "totp_name"):
        data.pop(key, None)
    data["enabled"] = [f for f in (data.get("enabled") or []) if f != settings.TOTP]
    settings.save(user, data)
    user.modified = ctx.now
    return {}
