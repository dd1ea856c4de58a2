"""A user's MFA settings and the pool's MFA factors: what sign-in consults.

Kept in the user's JSON ``mfa`` column. The keys AdminGetUser/GetUser show as they are
(``UserMFASettingList``, ``PreferredMfaSetting``, ``MFAOptions``) are derived from the
internal ones on every save, so the two never disagree:

- ``enabled``: factors the user turned on (SetUserMFAPreference, VerifySoftwareToken,
  SetUserSettings, a first SMS/e-mail MFA in a pool that requires MFA);
- ``preferred``: at most one of them;
- ``totp_secret`` (verified), ``totp_pending`` (associated, not yet verified), ``totp_name``.
"""

from __future__ import annotations

from typing import Any

from emulator.userpool.directory_models import User
from emulator.userpool.models import UserPool

SMS = "SMS_MFA"
TOTP = "SOFTWARE_TOKEN_MFA"
EMAIL = "EMAIL_OTP"
ORDER = (SMS, TOTP, EMAIL)
# The attribute each message factor is delivered to.
DESTINATION = {SMS: "phone_number", EMAIL: "email"}


def read(user: User) -> dict[str, Any]:
    """A copy of the user's settings (JSON columns must be replaced, not mutated)."""
    return dict(user.mfa or {})


def save(user: User, data: dict[str, Any]) -> None:
    """Store ``data`` with the public fields recomputed from it."""
    enabled = [f for f in ORDER if f in (data.get("enabled") or [])]
    data["enabled"] = enabled
    if data.get("preferred") not in enabled:
        data.pop("preferred", None)
    data["UserMFASettingList"] = enabled
    if data.get("preferred"):
        data["PreferredMfaSetting"] = data["preferred"]
    else:
        data.pop("PreferredMfaSetting", None)
    # The legacy view (SetUserSettings / MFAOptions) of SMS MFA [U: AWS mirrors it here].
    data["MFAOptions"] = [{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}] if SMS in enabled else []
    user.mfa = data


def enabled(user: User) -> list[str]:
    return list((user.mfa or {}).get("enabled") or [])


def preferred(user: User) -> str | None:
    return (user.mfa or {}).get("preferred")


def totp_secret(user: User) -> str | None:
    return (user.mfa or {}).get("totp_secret")


def mode(pool: UserPool) -> str:
    return str(pool.config.get("MfaConfiguration") or "OFF")


def pool_factors(pool: UserPool) -> list[str]:
    """The factors the pool offers (none when MFA is OFF), in Cognito's listing order."""
    if mode(pool) == "OFF":
        return []
    settings = pool.config.get("MfaSettings") or {}
    offered = {
        SMS: bool(settings.get("SmsMfaConfiguration")),
        TOTP: bool((settings.get("SoftwareTokenMfaConfiguration") or {}).get("Enabled")),
        EMAIL: bool(settings.get("EmailMfaConfiguration")),
    }
    return [f for f in ORDER if offered[f]]


def usable(pool: UserPool, user: User) -> list[str]:
    """The factors this sign-in can challenge with (none when the pool's MFA is OFF).

    A factor counts when the user has what it needs and it is on for them: a verified
    software token; a phone number or an e-mail address (verified or not, AWS: "Amazon
    Cognito can send messages to unverified email addresses and phone numbers"). "On"
    means turned on by the user, or just available when the pool requires MFA (AWS: "You
    can't turn off SMS MFA for any of your users when MFA is required"; the token and
    e-mail by analogy [U]). SMS and e-mail need the pool to offer them; a verified token
    keeps working after the pool stops offering TOTP (AWS: "users who previously associated
    and verified a TOTP token can continue to use it for MFA").
    """
    if mode(pool) == "OFF":
        return []
    offered = pool_factors(pool)
    mine = set(enabled(user))
    attrs = user.attributes or {}
    required = mode(pool) == "ON"
    result = []
    for factor in ORDER:
        on = factor in mine or required
        if factor == TOTP:
            ok = bool(totp_secret(user)) and (factor in mine or (required and factor in offered))
        else:
            ok = factor in offered and bool(attrs.get(DESTINATION[factor])) and on
        if ok:
            result.append(factor)
    return result


def applies(pool: UserPool, user: User) -> bool:
    """Whether this user must pass MFA: always when required, when optional only with a factor on."""
    if mode(pool) == "ON":
        return True
    if mode(pool) == "OPTIONAL":
        return bool(usable(pool, user))
    return False
