"""A pool's settings document: what Create/UpdateUserPool store and DescribeUserPool echoes.

UpdateUserPool, like AWS, resets every setting the request leaves out to its default;
only the settings fixed at creation (schema, username/alias attributes, username
configuration) are kept.
"""

from __future__ import annotations

import copy
from typing import Any

from emulator.errors import InvalidParameterException

DEFAULT_PASSWORD_POLICY: dict[str, Any] = {
    "MinimumLength": 8,
    "RequireUppercase": True,
    "RequireLowercase": True,
    "RequireNumbers": True,
    "RequireSymbols": True,
    "TemporaryPasswordValidityDays": 7,
}
FIXED_AT_CREATION = ("SchemaAttributes", "UsernameAttributes", "AliasAttributes", "UsernameConfiguration")

# Settings copied from the request as given, with nothing added.
_AS_GIVEN = (
    "AutoVerifiedAttributes", "SmsVerificationMessage", "EmailVerificationMessage", "EmailVerificationSubject",
    "SmsAuthenticationMessage", "DeviceConfiguration", "SmsConfiguration", "UserPoolAddOns",
    "AccountRecoverySetting",
)


def _password_policy(given: dict[str, Any] | None) -> dict[str, Any]:
    if given is None:
        return dict(DEFAULT_PASSWORD_POLICY)
    policy = {
        "MinimumLength": given.get("MinimumLength", 8),
        "RequireUppercase": given.get("RequireUppercase", False),
        "RequireLowercase": given.get("RequireLowercase", False),
        "RequireNumbers": given.get("RequireNumbers", False),
        "RequireSymbols": given.get("RequireSymbols", False),
    }
    if "PasswordHistorySize" in given:
        policy["PasswordHistorySize"] = given["PasswordHistorySize"]
    days = given.get("TemporaryPasswordValidityDays") or 7
    policy["TemporaryPasswordValidityDays"] = days
    return policy


def _admin_create_user_config(given: dict[str, Any] | None, password_days_given: bool) -> dict[str, Any]:
    config = {"AllowAdminCreateUserOnly": False, "UnusedAccountValidityDays": 7}
    if given:
        if "UnusedAccountValidityDays" in given and password_days_given:
            raise InvalidParameterException(
                "Please use TemporaryPasswordValidityDays in PasswordPolicy instead of UnusedAccountValidityDays"
            )
        config.update(copy.deepcopy(given))
    return config


def _verification_template(params: dict[str, Any]) -> dict[str, Any]:
    template = {"DefaultEmailOption": "CONFIRM_WITH_CODE"}
    for src, dst in (
        ("SmsVerificationMessage", "SmsMessage"),
        ("EmailVerificationMessage", "EmailMessage"),
        ("EmailVerificationSubject", "EmailSubject"),
    ):
        if src in params:
            template[dst] = params[src]
    template.update(copy.deepcopy(params.get("VerificationMessageTemplate") or {}))
    return template


def _check_messages(config: dict[str, Any]) -> None:
    """Verification messages must carry the code placeholder, as AWS requires."""
    template = config["VerificationMessageTemplate"]
    checks = [("SmsVerificationMessage", config.get("SmsVerificationMessage")),
              ("EmailVerificationMessage", config.get("EmailVerificationMessage")),
              ("SmsMessage", template.get("SmsMessage"))]
    if template.get("DefaultEmailOption") != "CONFIRM_WITH_LINK":
        checks.append(("EmailMessage", template.get("EmailMessage")))
    for name, text in checks:
        if text is not None and "{####}" not in text:
            raise InvalidParameterException(f"{name} must contain the {{####}} placeholder.")
    link = template.get("EmailMessageByLink")
    if template.get("DefaultEmailOption") == "CONFIRM_WITH_LINK" and link is not None and "{##" not in link:
        raise InvalidParameterException("EmailMessageByLink must contain a {##Verify Email##} placeholder.")


def build_config(params: dict[str, Any], fixed: dict[str, Any]) -> dict[str, Any]:
    """The settings document for a Create (``fixed`` from the request) or Update (from the pool)."""
    policies = params.get("Policies") or {}
    password_given = policies.get("PasswordPolicy")
    config: dict[str, Any] = {
        "Policies": {
            "PasswordPolicy": _password_policy(password_given),
            "SignInPolicy": copy.deepcopy(policies.get("SignInPolicy") or {"AllowedFirstAuthFactors": ["PASSWORD"]}),
        },
        "DeletionProtection": params.get("DeletionProtection", "INACTIVE"),
        "LambdaConfig": copy.deepcopy(params.get("LambdaConfig") or {}),
        "VerificationMessageTemplate": _verification_template(params),
        "UserAttributeUpdateSettings": copy.deepcopy(
            params.get("UserAttributeUpdateSettings") or {"AttributesRequireVerificationBeforeUpdate": []}
        ),
        "MfaConfiguration": params.get("MfaConfiguration", "OFF"),
        "EmailConfiguration": copy.deepcopy(params.get("EmailConfiguration") or {"EmailSendingAccount": "COGNITO_DEFAULT"}),
        "AdminCreateUserConfig": _admin_create_user_config(
            params.get("AdminCreateUserConfig"),
            bool(password_given and "TemporaryPasswordValidityDays" in password_given),
        ),
        "UserPoolTier": params.get("UserPoolTier", "ESSENTIALS"),
    }
    if "PasswordHistorySize" in config["Policies"]["PasswordPolicy"] and config["UserPoolTier"] == "LITE":
        raise InvalidParameterException("Password history is not supported on the LITE tier.")
    for key in _AS_GIVEN:
        if key in params:
            config[key] = copy.deepcopy(params[key])
    for key in FIXED_AT_CREATION:
        if key in fixed:
            config[key] = copy.deepcopy(fixed[key])
    _check_messages(config)
    _check_verification(config)
    return config


def _check_verification(config: dict[str, Any]) -> None:
    wanted = config["UserAttributeUpdateSettings"].get("AttributesRequireVerificationBeforeUpdate") or []
    auto = set(config.get("AutoVerifiedAttributes") or [])
    for attr in wanted:
        if attr not in auto:
            raise InvalidParameterException(
                "The attributes in AttributesRequireVerificationBeforeUpdate must also be auto-verified "
                "(AutoVerifiedAttributes)."
            )


def check_sign_in_attributes(params: dict[str, Any]) -> None:
    """UsernameAttributes and AliasAttributes exclude each other."""
    if params.get("UsernameAttributes") and params.get("AliasAttributes"):
        raise InvalidParameterException("Only one of the aliasAttributes or usernameAttributes can be set in a User Pool.")
