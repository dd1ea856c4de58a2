"""An app client's settings document: what Create/UpdateUserPoolClient store and Describe echoes.

What AWS echoes, as observed in real responses (2024-2025): ``RefreshTokenValidity``
(30 by default), ``TokenValidityUnits`` (``{}`` when none were given),
``AllowedOAuthFlowsUserPoolClient`` (false), ``EnableTokenRevocation`` (true),
``EnablePropagateAdditionalUserContextData`` (false) and ``AuthSessionValidity`` (3) are
always present; every other setting appears only when the request gave it. In particular
``ExplicitAuthFlows`` and ``PreventUserExistenceErrors`` are left out when omitted although
the client then behaves as ALLOW_REFRESH_TOKEN_AUTH/ALLOW_USER_SRP_AUTH/ALLOW_CUSTOM_AUTH
and LEGACY: the effective values come from ``auth_flows`` and ``prevent_user_existence_errors``.

UpdateUserPoolClient, like AWS, resets every setting the request leaves out to its default.
"""

from __future__ import annotations

import copy
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from emulator.errors import InvalidOAuthFlowException, InvalidParameterException, ScopeDoesNotExistException

DEFAULT_AUTH_FLOWS = ("ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH")
LEGACY_AUTH_FLOWS = frozenset({"ADMIN_NO_SRP_AUTH", "CUSTOM_AUTH_FLOW_ONLY", "USER_PASSWORD_AUTH"})
STANDARD_SCOPES = frozenset({"openid", "email", "phone", "profile", "aws.cognito.signin.user.admin"})
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "[::1]"})
UNIT_SECONDS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}
DEFAULT_REFRESH_VALIDITY = 30
# Token kind -> (validity member, implied unit, shortest, longest in seconds, stored default).
VALIDITY: dict[str, tuple[str, str, int, int, int | None]] = {
    "AccessToken": ("AccessTokenValidity", "hours", 5 * 60, 86400, None),
    "IdToken": ("IdTokenValidity", "hours", 5 * 60, 86400, None),
    "RefreshToken": ("RefreshTokenValidity", "days", 3600, 3650 * 86400, DEFAULT_REFRESH_VALIDITY),
}
DEFAULT_SECONDS = {"AccessToken": 3600, "IdToken": 3600, "RefreshToken": 30 * 86400}
# The order Describe lists a client's settings in (after ids, secret and dates).
ORDER = (
    "RefreshTokenValidity", "AccessTokenValidity", "IdTokenValidity", "TokenValidityUnits", "ReadAttributes",
    "WriteAttributes", "ExplicitAuthFlows", "SupportedIdentityProviders", "CallbackURLs", "LogoutURLs",
    "DefaultRedirectURI", "AllowedOAuthFlows", "AllowedOAuthScopes", "AllowedOAuthFlowsUserPoolClient",
    "AnalyticsConfiguration", "PreventUserExistenceErrors", "EnableTokenRevocation",
    "EnablePropagateAdditionalUserContextData", "AuthSessionValidity", "RefreshTokenRotation",
)
_LISTS = (
    "ReadAttributes", "WriteAttributes", "ExplicitAuthFlows", "SupportedIdentityProviders", "CallbackURLs",
    "LogoutURLs", "AllowedOAuthFlows", "AllowedOAuthScopes",
)
_NOT_WRITABLE = frozenset({"sub"})
_INVALID_RANGE = "Invalid range for token validity."
Params = dict[str, Any]


# --- Hooks for tables that do not exist yet -------------------------------------------------

def custom_scopes(db: Session, pool_id: str) -> frozenset[str]:
    """Every ``{resourceServerId}/{scopeName}`` the pool's resource servers define."""
    from emulator.userpool.resource_servers import defined_scopes

    return defined_scopes(db, pool_id)


def identity_provider_names(db: Session, pool_id: str) -> frozenset[str]:
    """The ProviderNames of the pool's identity providers besides COGNITO.

    No identity provider table exists yet, so only COGNITO is known. The IdP work
    replaces this body.
    """
    return frozenset()


# --- Effective values, for the auth flows and token issuers ---------------------------------

def auth_flows(config: dict[str, Any]) -> list[str]:
    """The flows the client allows: its ExplicitAuthFlows, or AWS's default three."""
    return list(config.get("ExplicitAuthFlows") or DEFAULT_AUTH_FLOWS)


def prevent_user_existence_errors(config: dict[str, Any]) -> str:
    """ENABLED or LEGACY (the API default)."""
    return str(config.get("PreventUserExistenceErrors") or "LEGACY")


def validity_seconds(config: dict[str, Any]) -> dict[str, int]:
    """Lifetimes of ``AccessToken``, ``IdToken`` and ``RefreshToken`` in seconds."""
    units = config.get("TokenValidityUnits") or {}
    result = {}
    for kind, (member, implied, _lo, _hi, _default) in VALIDITY.items():
        value = config.get(member)
        result[kind] = value * UNIT_SECONDS[units.get(kind, implied)] if value else DEFAULT_SECONDS[kind]
    return result


# --- Building and checking the document -----------------------------------------------------

def _unique(values: list[str]) -> list[str]:
    """A list member as AWS keeps it: a set (first occurrence wins the order here)."""
    return list(dict.fromkeys(values))


def _analytics(given: dict[str, Any], region: str, account_id: str) -> dict[str, Any]:
    """AnalyticsConfiguration as echoed: with an ApplicationArn, AWS fills in its service-linked role."""
    result = copy.deepcopy(given)
    if "ApplicationArn" in result and "RoleArn" not in result:
        result["RoleArn"] = (
            f"arn:aws:iam::{account_id}:role/aws-service-role/cognito-idp.amazonaws.com/"
            "AWSServiceRoleForAmazonCognitoIdp"
        )
    if "ApplicationArn" not in result and not ("ApplicationId" in result and "RoleArn" in result):
        raise InvalidParameterException(
            "AnalyticsConfiguration needs either ApplicationArn or ApplicationId and RoleArn."
        )
    return result


def build_config(params: Params, *, region: str, account_id: str) -> dict[str, Any]:
    """The settings document for a Create or an Update request (defaults for what it leaves out)."""
    config: dict[str, Any] = {}
    refresh = params.get("RefreshTokenValidity")
    config["RefreshTokenValidity"] = refresh if refresh else DEFAULT_REFRESH_VALIDITY
    for member in ("AccessTokenValidity", "IdTokenValidity"):
        if member in params:
            config[member] = params[member]
    config["TokenValidityUnits"] = dict(params.get("TokenValidityUnits") or {})
    for member in _LISTS:
        if params.get(member):
            config[member] = _unique(params[member])
    if "DefaultRedirectURI" in params:
        config["DefaultRedirectURI"] = params["DefaultRedirectURI"]
    config["AllowedOAuthFlowsUserPoolClient"] = bool(params.get("AllowedOAuthFlowsUserPoolClient", False))
    if params.get("AnalyticsConfiguration"):
        config["AnalyticsConfiguration"] = _analytics(params["AnalyticsConfiguration"], region, account_id)
    if "PreventUserExistenceErrors" in params:
        config["PreventUserExistenceErrors"] = params["PreventUserExistenceErrors"]
    config["EnableTokenRevocation"] = bool(params.get("EnableTokenRevocation", True))
    config["EnablePropagateAdditionalUserContextData"] = bool(
        params.get("EnablePropagateAdditionalUserContextData", False)
    )
    config["AuthSessionValidity"] = params.get("AuthSessionValidity") or 3
    if params.get("RefreshTokenRotation"):
        config["RefreshTokenRotation"] = copy.deepcopy(params["RefreshTokenRotation"])
    return {key: config[key] for key in ORDER if key in config}


def check_validity(config: dict[str, Any]) -> None:
    """Token lifetimes within Cognito's ranges, in the units given (hours/hours/days implied)."""
    units = config.get("TokenValidityUnits") or {}
    seconds: dict[str, int] = {}
    for kind, (member, implied, lo, hi, _default) in VALIDITY.items():
        value = config.get(member)
        if value is None:
            continue
        seconds[kind] = value * UNIT_SECONDS[units.get(kind, implied)]
        if not lo <= seconds[kind] <= hi:
            raise InvalidParameterException(_INVALID_RANGE)
    # Access and ID tokens can't outlive the refresh token.
    for kind in ("AccessToken", "IdToken"):
        if seconds.get(kind, DEFAULT_SECONDS[kind]) > seconds["RefreshToken"]:
            raise InvalidParameterException(_INVALID_RANGE)


def check_auth_flows(config: dict[str, Any]) -> None:
    flows = set(config.get("ExplicitAuthFlows") or ())
    if flows & LEGACY_AUTH_FLOWS and flows - LEGACY_AUTH_FLOWS:
        raise InvalidParameterException(
            "The legacy ExplicitAuthFlows values ADMIN_NO_SRP_AUTH, CUSTOM_AUTH_FLOW_ONLY and USER_PASSWORD_AUTH "
            "can't be combined with values that begin with ALLOW_."
        )


def check_attributes(config: dict[str, Any], schema: list[dict[str, Any]]) -> None:
    """Read and write attributes must be in the pool's schema; writes must cover required ones."""
    names = {a["Name"] for a in schema} | {a["Name"].removeprefix("dev:") for a in schema}
    for attr in config.get("ReadAttributes") or ():
        if attr not in names:
            raise InvalidParameterException("Invalid read attributes specified while creating a client")
    write = config.get("WriteAttributes")
    if not write:
        return
    required = {a["Name"] for a in schema if a.get("Required")} - _NOT_WRITABLE
    for attr in write:
        if attr not in names or attr in _NOT_WRITABLE:
            raise InvalidParameterException("Invalid write attributes specified while creating a client")
    if not required <= set(write):
        raise InvalidParameterException("Invalid write attributes specified while creating a client")


def check_providers(db: Session, pool_id: str, config: dict[str, Any]) -> None:
    known = {"COGNITO"} | identity_provider_names(db, pool_id)
    for name in config.get("SupportedIdentityProviders") or ():
        if name not in known:
            raise InvalidParameterException(f"The provider {name} does not exist for User Pool {pool_id}")


def _check_url(url: str) -> None:
    """Absolute, no fragment, HTTPS unless a loopback host or an app scheme."""
    try:
        parts = urlsplit(url)
        host = (parts.netloc.rsplit("@", 1)[-1]).lower()
        if host.startswith("["):
            host = host[: host.find("]") + 1]
        else:
            host = host.split(":", 1)[0]
    except ValueError:
        raise InvalidParameterException(f"{url} is not a valid URL.") from None
    if not parts.scheme:
        raise InvalidParameterException(f"{url} is not a valid URL.")
    if "#" in url:
        raise InvalidParameterException(f"{url} cannot contain a fragment.")
    if parts.scheme.lower() == "http" and host not in LOOPBACK_HOSTS:
        raise InvalidParameterException(f"{url} cannot use the HTTP protocol.")


def check_oauth(db: Session, pool_id: str, config: dict[str, Any], *, has_secret: bool) -> None:
    """The OAuth settings as Cognito validates them (flows, scopes, URLs)."""
    for url in (config.get("CallbackURLs") or []) + (config.get("LogoutURLs") or []):
        _check_url(url)
    redirect = config.get("DefaultRedirectURI")
    if redirect is not None:
        _check_url(redirect)
        if redirect not in (config.get("CallbackURLs") or ()):
            raise InvalidParameterException("DefaultRedirectURI must be one of the CallbackURLs.")
    flows = set(config.get("AllowedOAuthFlows") or ())
    scopes = config.get("AllowedOAuthScopes") or []
    if config.get("AllowedOAuthFlowsUserPoolClient") and not (flows and scopes):
        raise InvalidParameterException(
            "AllowedOAuthFlows and AllowedOAuthScopes are required if user pool client is allowed to use OAuth flows."
        )
    unknown = [scope for scope in scopes if scope not in STANDARD_SCOPES]
    if unknown:
        defined = custom_scopes(db, pool_id)
        for scope in unknown:
            if scope not in defined:
                raise ScopeDoesNotExistException(f"Invalid scope requested: {scope}")
    if "client_credentials" in flows:
        if flows & {"code", "implicit"}:
            raise InvalidOAuthFlowException(
                "client_credentials flow can not be selected along with code flow or implicit flow."
            )
        if not has_secret:
            raise InvalidOAuthFlowException(
                "client_credentials flow can not be selected if client does not have a client secret."
            )
        for scope in scopes:
            if scope in STANDARD_SCOPES:
                raise InvalidOAuthFlowException(f"{scope} is not supported with client_credentials flow")
    if flows & {"code", "implicit"} and not config.get("CallbackURLs"):
        raise InvalidOAuthFlowException("CallbackUrls can not be empty when code flow or implicit flow is selected")


def check(db: Session, pool_id: str, schema: list[dict[str, Any]], config: dict[str, Any], *, has_secret: bool) -> None:
    """Every rule a client's settings must meet, in one place for Create and Update."""
    check_validity(config)
    check_auth_flows(config)
    check_attributes(config, schema)
    check_providers(db, pool_id, config)
    check_oauth(db, pool_id, config, has_secret=has_secret)
    if config.get("EnablePropagateAdditionalUserContextData") and not has_secret:
        raise InvalidParameterException(
            "EnablePropagateAdditionalUserContextData can only be activated for an app client that has a client secret."
        )
