"""A pool's settings document: what Create/UpdateUserPool store and DescribeUserPool echoes.

UpdateUserPool, as AWS documents, sets every setting the request leaves out to its
default. Exceptions: the settings fixed at creation (schema, username/alias attributes,
username configuration), UserAttributeUpdateSettings (AWS keeps it: an update that omits
it still fails against the new AutoVerifiedAttributes), DcrConfiguration (documented as
kept), and the domain keys written by the domain operations.
"""

from __future__ import annotations

import copy
from typing import Any

from emulator.errors import FeatureUnavailableInTierException, InvalidParameterException

Params = dict[str, Any]
DEFAULT_DAYS = 7
FIXED_AT_CREATION = ("SchemaAttributes", "UsernameAttributes", "AliasAttributes", "UsernameConfiguration")
KEPT_ON_UPDATE = ("UserAttributeUpdateSettings", "DcrConfiguration", "KeyConfiguration", "IssuerConfiguration",
                  "Domain", "CustomDomain")
# Internal bookkeeping kept in the document but never shown by Describe.
MFA_SETTINGS = "MfaSettings"
DAYS_EXPLICIT = "TemporaryPasswordValidityDaysSet"
INTERNAL_KEYS = frozenset({MFA_SETTINGS, DAYS_EXPLICIT})

# Settings copied from the request as given, with nothing added.
_AS_GIVEN = (
    "AutoVerifiedAttributes", "SmsVerificationMessage", "EmailVerificationMessage", "EmailVerificationSubject",
    "SmsAuthenticationMessage", "DeviceConfiguration", "UserPoolAddOns", "AccountRecoverySetting",
    "AcrConfiguration", "KeyConfiguration", "IssuerConfiguration",
)
_MIRRORED = (("SmsVerificationMessage", "SmsMessage"), ("EmailVerificationMessage", "EmailMessage"),
             ("EmailVerificationSubject", "EmailSubject"))
MFA_FACTORS = ("SmsMfaConfiguration", "SoftwareTokenMfaConfiguration", "EmailMfaConfiguration")
_CREATE_MFA_MESSAGE = (
    "SMS configuration and Auto verification for phone_number are required when MFA is required/optional"
)
_DAYS_MESSAGE = "Please use TemporaryPasswordValidityDays in PasswordPolicy instead of UnusedAccountValidityDays"


def _password_policy(given: Params | None, days: int) -> Params:
    """All four character classes and 8 characters by default; absent flags of a given policy are false."""
    if given is None:
        return {"MinimumLength": 8, "RequireUppercase": True, "RequireLowercase": True, "RequireNumbers": True,
                "RequireSymbols": True, "TemporaryPasswordValidityDays": days}
    policy: Params = {"MinimumLength": given.get("MinimumLength", 8)}
    for flag in ("RequireUppercase", "RequireLowercase", "RequireNumbers", "RequireSymbols"):
        policy[flag] = bool(given.get(flag, False))
    if "PasswordHistorySize" in given:
        policy["PasswordHistorySize"] = given["PasswordHistorySize"]
    policy["TemporaryPasswordValidityDays"] = days
    return policy


def _temporary_days(params: Params, previous: Params | None) -> tuple[int, bool]:
    """One validity for temporary passwords, shown in both places; the legacy field is refused once
    TemporaryPasswordValidityDays is in use (0 counts as not given, as the model documents)."""
    policy = (params.get("Policies") or {}).get("PasswordPolicy") or {}
    tpvd = policy.get("TemporaryPasswordValidityDays") or 0
    uavd = (params.get("AdminCreateUserConfig") or {}).get("UnusedAccountValidityDays") or 0
    explicit_before = bool(previous and previous.get(DAYS_EXPLICIT))
    if uavd and (tpvd or explicit_before):
        raise InvalidParameterException(_DAYS_MESSAGE)
    return (tpvd or uavd or DEFAULT_DAYS), bool(tpvd) or explicit_before


def _admin_create_user_config(given: Params | None, days: int) -> Params:
    config: Params = {"AllowAdminCreateUserOnly": bool((given or {}).get("AllowAdminCreateUserOnly", False)),
                      "UnusedAccountValidityDays": days}
    if given and given.get("InviteMessageTemplate") is not None:
        config["InviteMessageTemplate"] = copy.deepcopy(given["InviteMessageTemplate"])
    return config


def _verification_template(params: Params) -> Params:
    """DefaultEmailOption defaults to CONFIRM_WITH_CODE; the legacy top-level messages fill the template."""
    template: Params = {"DefaultEmailOption": "CONFIRM_WITH_CODE"}
    for top, inner in _MIRRORED:
        if top in params:
            template[inner] = params[top]
    template.update({k: v for k, v in (params.get("VerificationMessageTemplate") or {}).items() if v is not None})
    return template


def _check_messages(config: Params) -> None:
    """Verification and SMS MFA messages must carry the code placeholder, as the model documents."""
    template = config["VerificationMessageTemplate"]
    checks = [("SmsVerificationMessage", config.get("SmsVerificationMessage")),
              ("SmsMessage", template.get("SmsMessage")),
              ("SmsAuthenticationMessage", config.get("SmsAuthenticationMessage"))]
    if template.get("DefaultEmailOption") != "CONFIRM_WITH_LINK":
        checks += [("EmailVerificationMessage", config.get("EmailVerificationMessage")),
                   ("EmailMessage", template.get("EmailMessage"))]
    for name, text in checks:
        if text is not None and "{####}" not in text:
            raise InvalidParameterException(f"{name} must contain the {{####}} placeholder.")
    link = template.get("EmailMessageByLink")
    if template.get("DefaultEmailOption") == "CONFIRM_WITH_LINK" and link is not None and "{##" not in link:
        raise InvalidParameterException("EmailMessageByLink must contain a {##Verify Email##} placeholder.")


def _check_tier(config: Params) -> None:
    """Features the model documents as needing a higher feature plan."""
    tier = config["UserPoolTier"]
    mode = (config.get("UserPoolAddOns") or {}).get("AdvancedSecurityMode", "OFF")
    if mode != "OFF" and tier != "PLUS":
        raise FeatureUnavailableInTierException(f"Threat protection ({mode}) requires the PLUS feature plan.")
    factors = config["Policies"]["SignInPolicy"].get("AllowedFirstAuthFactors") or []
    if tier == "LITE" and any(f != "PASSWORD" for f in factors):
        raise FeatureUnavailableInTierException(
            "Choice-based sign-in factors require the ESSENTIALS or PLUS feature plan."
        )
    if tier == "LITE" and config.get("DcrConfiguration"):
        raise FeatureUnavailableInTierException(
            "Dynamic client registration requires the ESSENTIALS or PLUS feature plan."
        )


def _check_verification(config: Params) -> None:
    wanted = config["UserAttributeUpdateSettings"].get("AttributesRequireVerificationBeforeUpdate") or []
    auto = set(config.get("AutoVerifiedAttributes") or [])
    if any(attr not in auto for attr in wanted):
        raise InvalidParameterException(
            "All attributes in AttributesRequireVerificationBeforeUpdate must exist in AutoVerifiedAttributes"
        )


def _dcr(given: Params) -> Params:
    """Members left out take their defaults; an omitted EnableStatus turns registration on."""
    return {"EnableStatus": "Enabled", "OpenDcrEnabled": False,
            **{k: copy.deepcopy(v) for k, v in given.items() if v is not None}}


def build_config(params: Params, previous: Params | None, region: str) -> Params:
    """The settings document for CreateUserPool (``previous`` None) or UpdateUserPool."""
    days, days_explicit = _temporary_days(params, previous)
    policies = params.get("Policies") or {}
    sign_in = policies.get("SignInPolicy") or {}
    config: Params = {
        "Policies": {
            "PasswordPolicy": _password_policy(policies.get("PasswordPolicy"), days),
            "SignInPolicy": {"AllowedFirstAuthFactors": list(sign_in.get("AllowedFirstAuthFactors") or ["PASSWORD"])},
        },
        "DeletionProtection": params.get("DeletionProtection", "INACTIVE"),
        "LambdaConfig": copy.deepcopy(params.get("LambdaConfig") or {}),
        "VerificationMessageTemplate": _verification_template(params),
        "MfaConfiguration": params.get("MfaConfiguration", "OFF"),
        "EmailConfiguration": {"EmailSendingAccount": "COGNITO_DEFAULT",
                               **copy.deepcopy(params.get("EmailConfiguration") or {})},
        "AdminCreateUserConfig": _admin_create_user_config(params.get("AdminCreateUserConfig"), days),
        "UserPoolTier": params.get("UserPoolTier", "ESSENTIALS"),
        DAYS_EXPLICIT: days_explicit,
    }
    for key in _AS_GIVEN:
        if key in params:
            config[key] = copy.deepcopy(params[key])
    for top, inner in _MIRRORED:
        if top not in config and inner in config["VerificationMessageTemplate"]:
            config[top] = config["VerificationMessageTemplate"][inner]
    if "SmsConfiguration" in params:
        config["SmsConfiguration"] = {**copy.deepcopy(params["SmsConfiguration"])}
        config["SmsConfiguration"].setdefault("SnsRegion", region)
    if "DcrConfiguration" in params:
        config["DcrConfiguration"] = _dcr(params["DcrConfiguration"])
    if "UserAttributeUpdateSettings" in params:
        wanted = (params["UserAttributeUpdateSettings"] or {}).get("AttributesRequireVerificationBeforeUpdate")
        config["UserAttributeUpdateSettings"] = {"AttributesRequireVerificationBeforeUpdate": list(wanted or [])}
    source = previous if previous is not None else params
    for key in FIXED_AT_CREATION:
        if key in source:
            config[key] = copy.deepcopy(source[key])
    if previous is not None:
        for key in KEPT_ON_UPDATE:
            if key not in config and key in previous:
                config[key] = copy.deepcopy(previous[key])
    config.setdefault("UserAttributeUpdateSettings", {"AttributesRequireVerificationBeforeUpdate": []})
    _check_messages(config)
    _check_verification(config)
    _check_tier(config)
    config[MFA_SETTINGS] = _pool_mfa(config, (previous or {}).get(MFA_SETTINGS) or {}, creating=previous is None)
    return config


def factor_enabled(settings: Params) -> bool:
    """Whether any MFA factor (SMS, TOTP, email) is on; passkeys are not an MFA factor here."""
    return bool(settings.get("SmsMfaConfiguration") or settings.get("EmailMfaConfiguration")
                or (settings.get("SoftwareTokenMfaConfiguration") or {}).get("Enabled"))


def _pool_mfa(config: Params, previous: Params, *, creating: bool) -> Params:
    """MFA factors after a Create/Update: SMS follows the pool's SmsConfiguration; OFF clears the factors."""
    settings = copy.deepcopy(previous)
    if config["MfaConfiguration"] == "OFF":
        return {k: v for k, v in settings.items() if k not in MFA_FACTORS}
    if "SmsConfiguration" in config:
        sms: Params = {"SmsConfiguration": copy.deepcopy(config["SmsConfiguration"])}
        if "SmsAuthenticationMessage" in config:
            sms["SmsAuthenticationMessage"] = config["SmsAuthenticationMessage"]
        settings["SmsMfaConfiguration"] = sms
    else:
        settings.pop("SmsMfaConfiguration", None)
    if creating and "SmsConfiguration" not in config:
        raise InvalidParameterException(_CREATE_MFA_MESSAGE)
    if not factor_enabled(settings):
        raise InvalidParameterException(_CREATE_MFA_MESSAGE)
    return settings


def check_sign_in_attributes(params: Params) -> None:
    """UsernameAttributes and AliasAttributes exclude each other."""
    if params.get("UsernameAttributes") and params.get("AliasAttributes"):
        raise InvalidParameterException(
            "Only one of the aliasAttributes or usernameAttributes can be set in a User Pool."
        )


def public(config: Params) -> Params:
    """The document without internal bookkeeping."""
    return {k: copy.deepcopy(v) for k, v in config.items() if k not in INTERNAL_KEYS}
