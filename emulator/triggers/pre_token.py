"""PreTokenGeneration, V1_0, V2_0 and V3_0 (reference §2), and its effect on the tokens.

The pool's ``PreTokenGenerationConfig{LambdaVersion, LambdaArn}`` decides the version;
the legacy ``PreTokenGeneration`` ARN alone means V1_0.

- V1 (event version "1"): ``claimsOverrideDetails{claimsToAddOrOverride (strings),
  claimsToSuppress, groupOverrideDetails}`` changes the ID token; only
  ``groupOverrideDetails`` reaches the access token (``cognito:groups``).
- V2/V3 (event versions "2"/"3", with ``request.scopes``):
  ``claimsAndScopeOverrideDetails{idTokenGeneration, accessTokenGeneration{…, scopesToAdd,
  scopesToSuppress}, groupOverrideDetails}``; claim values may be any JSON.

Suppression wins over an override. Immutable claims are left as they are ([U] Cognito
documents them as not modifiable; whether it ignores or refuses an attempt is not known:
Cogito ignores it). ``scope`` changes only through the scope lists.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from emulator.context import Context
from emulator.errors import InvalidLambdaResponseException
from emulator.jwks.claims import ADMIN_SCOPE, group_claims
from emulator.triggers import events, invoke
from emulator.userpool.directory_models import User
from emulator.userpool.models import AppClient, UserPool

AUTHENTICATION = "TokenGeneration_Authentication"
NEW_PASSWORD_CHALLENGE = "TokenGeneration_NewPasswordChallenge"
REFRESH_TOKENS = "TokenGeneration_RefreshTokens"
HOSTED_AUTH = "TokenGeneration_HostedAuth"
AUTHENTICATE_DEVICE = "TokenGeneration_AuthenticateDevice"

IMMUTABLE = frozenset({
    "acr", "amr", "aud", "at_hash", "auth_time", "azp", "cognito:username", "exp", "iat", "identities", "iss",
    "jti", "nbf", "nonce", "origin_jti", "sub", "token_use",
})
# The access token's own bookkeeping: scopes have their lists, the rest identifies the client and user.
ACCESS_IMMUTABLE = IMMUTABLE | {"client_id", "scope", "username", "version", "device_key", "event_id"}
_UNSET: Any = object()


@dataclass
class Overrides:
    """One PreTokenGeneration answer, applied to the claims of the tokens it was asked for."""

    id_add: dict[str, Any] = field(default_factory=dict)
    id_suppress: list[str] = field(default_factory=list)
    access_add: dict[str, Any] = field(default_factory=dict)
    access_suppress: list[str] = field(default_factory=list)
    scopes_add: list[str] = field(default_factory=list)
    scopes_suppress: list[str] = field(default_factory=list)
    groups: list[str] | None = None
    roles: list[str] | None = None
    preferred_role: Any = _UNSET

    def _groups(self, claims: dict[str, Any], *, id_token: bool) -> None:
        if self.groups is not None:
            _set_list(claims, "cognito:groups", self.groups)
        if not id_token:
            return
        if self.roles is not None:
            _set_list(claims, "cognito:roles", self.roles)
        if self.preferred_role is not _UNSET:
            if self.preferred_role:
                claims["cognito:preferred_role"] = self.preferred_role
            else:
                claims.pop("cognito:preferred_role", None)

    def apply_id(self, claims: dict[str, Any]) -> None:
        self._groups(claims, id_token=True)
        _change(claims, self.id_add, self.id_suppress, IMMUTABLE)

    def apply_access(self, claims: dict[str, Any]) -> None:
        self._groups(claims, id_token=False)
        _change(claims, self.access_add, self.access_suppress, ACCESS_IMMUTABLE)
        if self.scopes_add or self.scopes_suppress:
            scopes = [s for s in str(claims.get("scope", "")).split() if s]
            scopes += [s for s in self.scopes_add if s not in scopes]
            claims["scope"] = " ".join(s for s in scopes if s not in set(self.scopes_suppress))


def _set_list(claims: dict[str, Any], name: str, values: list[str]) -> None:
    if values:
        claims[name] = list(values)
    else:
        claims.pop(name, None)


def _change(claims: dict[str, Any], add: dict[str, Any], suppress: list[str], protected: frozenset[str]) -> None:
    for name, value in add.items():
        if name not in protected:
            claims[name] = value
    for name in suppress:
        if name not in protected:
            claims.pop(name, None)


def version_of(pool: UserPool) -> str:
    config = events.lambda_config(pool).get("PreTokenGenerationConfig") or {}
    return str(config.get("LambdaVersion") or "V1_0")


def run(ctx: Context, pool: UserPool, client: AppClient, user: User, trigger_source: str,
        scopes: list[str] | None = None) -> Overrides | None:
    """Ask the pool's function how to change the tokens about to be minted (None: no trigger)."""
    if events.function_arn(pool, "PreTokenGeneration") is None:
        return None
    from emulator.userpool.auth.tokens import subject_of

    version = version_of(pool)
    current = group_claims(subject_of(ctx, user).groups)
    request: dict[str, Any] = {
        "userAttributes": events.user_attributes(pool, user),
        "groupConfiguration": {
            "groupsToOverride": current.get("cognito:groups", []),
            "iamRolesToOverride": current.get("cognito:roles", []),
            "preferredRole": current.get("cognito:preferred_role"),
        },
    }
    if version != "V1_0":
        request["scopes"] = list(scopes if scopes is not None else [ADMIN_SCOPE])
    events.with_metadata(request, events.metadata_after_initiate(ctx))
    member = "claimsOverrideDetails" if version == "V1_0" else "claimsAndScopeOverrideDetails"
    response = events.run(
        ctx, pool, "PreTokenGeneration", trigger_source, user_name=user.username, client_id=client.client_id,
        request=request, response={member: None}, version={"V1_0": "1", "V2_0": "2"}.get(version, "3"),
    )
    details = response.get(member)
    if details is None:
        return None
    if not isinstance(details, dict):
        raise InvalidLambdaResponseException(invoke.UNRECOGNIZABLE)
    return _v1(details) if version == "V1_0" else _v2(details)


def _section(value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InvalidLambdaResponseException(invoke.UNRECOGNIZABLE)
    return value


def _claims(value: Any, *, strings: bool) -> dict[str, Any]:
    section = _section(value)
    if strings:
        return {str(k): events.text(v) for k, v in section.items() if v is not None}
    return {str(k): v for k, v in section.items()}


def _group_details(overrides: Overrides, value: Any) -> None:
    details = _section(value)
    overrides.groups = events.string_list(details.get("groupsToOverride"))
    overrides.roles = events.string_list(details.get("iamRolesToOverride"))
    if "preferredRole" in details:
        role = details.get("preferredRole")
        overrides.preferred_role = None if role is None else events.text(role)


def _v1(details: dict[str, Any]) -> Overrides:
    overrides = Overrides(
        id_add=_claims(details.get("claimsToAddOrOverride"), strings=True),
        id_suppress=events.string_list(details.get("claimsToSuppress")) or [],
    )
    if details.get("groupOverrideDetails") is not None:
        _group_details(overrides, details["groupOverrideDetails"])
    return overrides


def _v2(details: dict[str, Any]) -> Overrides:
    id_part = _section(details.get("idTokenGeneration"))
    access_part = _section(details.get("accessTokenGeneration"))
    overrides = Overrides(
        id_add=_claims(id_part.get("claimsToAddOrOverride"), strings=False),
        id_suppress=events.string_list(id_part.get("claimsToSuppress")) or [],
        access_add=_claims(access_part.get("claimsToAddOrOverride"), strings=False),
        access_suppress=events.string_list(access_part.get("claimsToSuppress")) or [],
        scopes_add=events.string_list(access_part.get("scopesToAdd")) or [],
        scopes_suppress=events.string_list(access_part.get("scopesToSuppress")) or [],
    )
    if details.get("groupOverrideDetails") is not None:
        _group_details(overrides, details["groupOverrideDetails"])
    return overrides
