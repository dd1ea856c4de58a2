"""Which IAM role an identity gets: pure functions, exactly Cognito's order (reference §9).

- Unauthenticated: the pool's unauthenticated role.
- Authenticated, no role mapping for the login's provider: the authenticated role.
- ``Token`` mapping: CustomRoleArn if it is one of ``cognito:roles`` (else denied), then
  ``cognito:preferred_role``, then AmbiguousRoleResolution.
- ``Rules`` mapping: the rules in order, the first match wins (CustomRoleArn may pick any
  matching rule's role); a NotEqual rule on a missing claim is skipped; no match falls to
  AmbiguousRoleResolution.
- AmbiguousRoleResolution ``AuthenticatedRole`` takes the authenticated role, ``Deny`` refuses.

No role where one is needed is an invalid pool configuration.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

NO_ROLE = "Invalid identity pool configuration. Check assigned IAM roles for this pool."
DENIED = "The ambiguous role mapping rules denied this request."
# Not documented by AWS: how a CustomRoleArn the token does not allow is refused.
CUSTOM_DENIED = "The role ARN {arn} is not allowed by the role mapping of this provider."


class RoleError(Exception):
    """No role can be given; ``code`` is the AWS error name to answer with."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _no_role() -> RoleError:
    return RoleError("InvalidIdentityPoolConfigurationException", NO_ROLE)


def _denied(message: str = DENIED) -> RoleError:
    return RoleError("NotAuthorizedException", message)


def claim_strings(value: Any) -> list[str] | None:
    """A claim as the strings rules compare against (None when the claim is absent).

    Lists (``cognito:groups``) are compared element by element; JSON booleans read as
    ``true``/``false`` the way Java prints them.
    """
    if value is None:
        return None
    items = value if isinstance(value, list) else [value]
    out: list[str] = []
    for item in items:
        if isinstance(item, bool):
            out.append("true" if item else "false")
        elif isinstance(item, (dict, list)):
            continue
        else:
            out.append(str(item))
    return out


def rule_matches(rule: Mapping[str, Any], claims: Mapping[str, Any]) -> bool:
    """Whether one MappingRule matches the token's claims."""
    values = claim_strings(claims.get(rule["Claim"]))
    if values is None:
        return False  # every match type, NotEqual included, skips a missing claim
    expected = str(rule["Value"])
    kind = rule["MatchType"]
    if kind == "Equals":
        return expected in values
    if kind == "NotEqual":
        return expected not in values
    if kind == "Contains":
        return any(expected in v for v in values)
    if kind == "StartsWith":
        return any(v.startswith(expected) for v in values)
    return False


def token_roles(claims: Mapping[str, Any]) -> list[str]:
    """``cognito:roles`` as a list (an array in ID tokens; a comma-separated string tolerated)."""
    raw = claims.get("cognito:roles")
    if isinstance(raw, str):
        return [r.strip() for r in raw.split(",") if r.strip()]
    if isinstance(raw, list):
        return [r for r in raw if isinstance(r, str)]
    return []


def _ambiguous(mapping: Mapping[str, Any], roles: Mapping[str, str]) -> str:
    if mapping.get("AmbiguousRoleResolution") == "AuthenticatedRole":
        role = roles.get("authenticated")
        if not role:
            raise _no_role()
        return role
    raise _denied()


def _by_token(mapping: Mapping[str, Any], roles: Mapping[str, str], claims: Mapping[str, Any],
              custom_role_arn: str | None) -> str:
    allowed = token_roles(claims)
    if custom_role_arn:
        if custom_role_arn in allowed:
            return custom_role_arn
        raise _denied(CUSTOM_DENIED.format(arn=custom_role_arn))
    preferred = claims.get("cognito:preferred_role")
    if isinstance(preferred, str) and preferred:
        return preferred
    return _ambiguous(mapping, roles)


def _by_rules(mapping: Mapping[str, Any], roles: Mapping[str, str], claims: Mapping[str, Any],
              custom_role_arn: str | None) -> str:
    rules = (mapping.get("RulesConfiguration") or {}).get("Rules") or []
    matched = [rule["RoleARN"] for rule in rules if rule_matches(rule, claims)]
    if custom_role_arn:
        if custom_role_arn in matched:
            return custom_role_arn
        raise _denied(CUSTOM_DENIED.format(arn=custom_role_arn))
    if matched:
        return matched[0]
    return _ambiguous(mapping, roles)


def resolve(roles: Mapping[str, str], *, authenticated: bool, mapping: Mapping[str, Any] | None = None,
            claims: Mapping[str, Any] | None = None, custom_role_arn: str | None = None) -> str:
    """The role ARN for one request, or RoleError."""
    if not authenticated:
        role = roles.get("unauthenticated")
        if not role:
            raise _no_role()
        return role
    if not mapping:
        role = roles.get("authenticated")
        if not role:
            raise _no_role()
        return role
    claims = claims or {}
    if mapping.get("Type") == "Token":
        return _by_token(mapping, roles, claims, custom_role_arn)
    return _by_rules(mapping, roles, claims, custom_role_arn)


def mapped_roles(role_mappings: Mapping[str, Any]) -> set[str]:
    """Every role ARN a pool's rules can give (the STS trust rule accepts these)."""
    found: set[str] = set()
    for mapping in role_mappings.values():
        for rule in (mapping.get("RulesConfiguration") or {}).get("Rules") or []:
            found.add(rule["RoleARN"])
    return found
