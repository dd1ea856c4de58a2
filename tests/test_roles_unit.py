"""Role resolution as Cognito does it (reference §9): pure unit tests of emulator.identitypool.roles."""

from __future__ import annotations

from typing import Any

import pytest

from emulator.identitypool.roles import (
    CUSTOM_DENIED,
    DENIED,
    NO_ROLE,
    RoleError,
    claim_strings,
    mapped_roles,
    resolve,
    rule_matches,
)

AUTH = "arn:aws:iam::111111111111:role/Auth"
UNAUTH = "arn:aws:iam::111111111111:role/Unauth"
ADMIN = "arn:aws:iam::111111111111:role/Admin"
READER = "arn:aws:iam::111111111111:role/Reader"
ROLES = {"authenticated": AUTH, "unauthenticated": UNAUTH}


def token_mapping(ambiguous: str = "AuthenticatedRole") -> dict[str, Any]:
    return {"Type": "Token", "AmbiguousRoleResolution": ambiguous}


def rules_mapping(*rules: tuple[str, str, str, str], ambiguous: str = "AuthenticatedRole") -> dict[str, Any]:
    return {"Type": "Rules", "AmbiguousRoleResolution": ambiguous, "RulesConfiguration": {"Rules": [
        {"Claim": c, "MatchType": m, "Value": v, "RoleARN": r} for c, m, v, r in rules]}}


def refusal(**kwargs: Any) -> RoleError:
    with pytest.raises(RoleError) as info:
        resolve(**kwargs)
    return info.value


def test_unauthenticated_gets_the_unauthenticated_role() -> None:
    assert resolve(ROLES, authenticated=False) == UNAUTH


def test_unauthenticated_without_that_role_is_a_configuration_error() -> None:
    err = refusal(roles={"authenticated": AUTH}, authenticated=False)
    assert (err.code, err.message) == ("InvalidIdentityPoolConfigurationException", NO_ROLE)


def test_unauthenticated_ignores_mappings_and_claims() -> None:
    assert resolve(ROLES, authenticated=False, mapping=token_mapping("Deny"),
                   claims={"cognito:preferred_role": ADMIN}) == UNAUTH


def test_authenticated_without_mapping_gets_the_authenticated_role() -> None:
    assert resolve(ROLES, authenticated=True, claims={"cognito:preferred_role": ADMIN}) == AUTH


def test_authenticated_without_any_role_is_a_configuration_error() -> None:
    err = refusal(roles={"unauthenticated": UNAUTH}, authenticated=True)
    assert err.code == "InvalidIdentityPoolConfigurationException"


def test_custom_role_arn_is_ignored_without_a_mapping() -> None:
    assert resolve(ROLES, authenticated=True, custom_role_arn=ADMIN) == AUTH


def test_token_preferred_role_wins() -> None:
    claims = {"cognito:roles": [ADMIN, READER], "cognito:preferred_role": READER}
    assert resolve(ROLES, authenticated=True, mapping=token_mapping(), claims=claims) == READER


def test_token_custom_role_in_cognito_roles_overrides_preferred() -> None:
    claims = {"cognito:roles": [ADMIN, READER], "cognito:preferred_role": READER}
    assert resolve(ROLES, authenticated=True, mapping=token_mapping(), claims=claims, custom_role_arn=ADMIN) == ADMIN


def test_token_custom_role_not_in_cognito_roles_is_denied() -> None:
    err = refusal(roles=ROLES, authenticated=True, mapping=token_mapping(),
                  claims={"cognito:roles": [READER], "cognito:preferred_role": READER}, custom_role_arn=ADMIN)
    assert (err.code, err.message) == ("NotAuthorizedException", CUSTOM_DENIED.format(arn=ADMIN))


def test_token_roles_as_comma_separated_string() -> None:
    claims = {"cognito:roles": f"{ADMIN}, {READER}"}
    assert resolve(ROLES, authenticated=True, mapping=token_mapping(), claims=claims, custom_role_arn=READER) == READER


def test_token_ambiguous_falls_back_to_authenticated_role() -> None:
    claims = {"cognito:roles": [ADMIN, READER]}
    assert resolve(ROLES, authenticated=True, mapping=token_mapping(), claims=claims) == AUTH


def test_token_without_any_role_claim_is_ambiguous() -> None:
    assert resolve(ROLES, authenticated=True, mapping=token_mapping(), claims={"sub": "x"}) == AUTH


def test_token_ambiguous_deny() -> None:
    err = refusal(roles=ROLES, authenticated=True, mapping=token_mapping("Deny"),
                  claims={"cognito:roles": [ADMIN, READER]})
    assert (err.code, err.message) == ("NotAuthorizedException", DENIED)


def test_token_ambiguous_authenticated_role_missing_is_configuration_error() -> None:
    err = refusal(roles={"unauthenticated": UNAUTH}, authenticated=True, mapping=token_mapping(), claims={})
    assert (err.code, err.message) == ("InvalidIdentityPoolConfigurationException", NO_ROLE)


@pytest.mark.parametrize(("match", "value", "claim", "expected"), [
    ("Equals", "admins", "admins", True),
    ("Equals", "admins", "admins2", False),
    ("Equals", "Admins", "admins", False),
    ("Contains", "dmi", "admins", True),
    ("Contains", "xyz", "admins", False),
    ("StartsWith", "adm", "admins", True),
    ("StartsWith", "dmi", "admins", False),
    ("NotEqual", "admins", "users", True),
    ("NotEqual", "admins", "admins", False),
])
def test_match_types_on_a_string_claim(match: str, value: str, claim: str, expected: bool) -> None:
    rule = {"Claim": "custom:team", "MatchType": match, "Value": value}
    assert rule_matches(rule, {"custom:team": claim}) is expected


@pytest.mark.parametrize("match", ["Equals", "Contains", "StartsWith", "NotEqual"])
def test_missing_claim_never_matches(match: str) -> None:
    assert rule_matches({"Claim": "custom:team", "MatchType": match, "Value": "a"}, {"sub": "x"}) is False


def test_list_claims_match_element_by_element() -> None:
    claims = {"cognito:groups": ["readers", "admins"]}
    assert rule_matches({"Claim": "cognito:groups", "MatchType": "Equals", "Value": "admins"}, claims)
    assert rule_matches({"Claim": "cognito:groups", "MatchType": "StartsWith", "Value": "read"}, claims)
    assert not rule_matches({"Claim": "cognito:groups", "MatchType": "NotEqual", "Value": "admins"}, claims)
    assert rule_matches({"Claim": "cognito:groups", "MatchType": "NotEqual", "Value": "owners"}, claims)


def test_boolean_claims_compare_as_lowercase_text() -> None:
    assert claim_strings(True) == ["true"]
    assert rule_matches({"Claim": "email_verified", "MatchType": "Equals", "Value": "true"}, {"email_verified": True})


def test_rules_first_match_wins() -> None:
    mapping = rules_mapping(("custom:team", "StartsWith", "adm", ADMIN), ("custom:team", "Contains", "min", READER))
    assert resolve(ROLES, authenticated=True, mapping=mapping, claims={"custom:team": "admins"}) == ADMIN


def test_rules_skip_not_equal_on_missing_claim_and_continue() -> None:
    mapping = rules_mapping(("custom:team", "NotEqual", "admins", ADMIN), ("email", "Contains", "@corp", READER))
    assert resolve(ROLES, authenticated=True, mapping=mapping, claims={"email": "a@corp.example"}) == READER


def test_rules_no_match_falls_back_to_authenticated_role() -> None:
    mapping = rules_mapping(("custom:team", "Equals", "admins", ADMIN))
    assert resolve(ROLES, authenticated=True, mapping=mapping, claims={"custom:team": "users"}) == AUTH


def test_rules_no_match_with_deny() -> None:
    mapping = rules_mapping(("custom:team", "Equals", "admins", ADMIN), ambiguous="Deny")
    err = refusal(roles=ROLES, authenticated=True, mapping=mapping, claims={"custom:team": "users"})
    assert (err.code, err.message) == ("NotAuthorizedException", DENIED)


def test_rules_custom_role_picks_among_matching_rules() -> None:
    mapping = rules_mapping(("custom:team", "StartsWith", "a", ADMIN), ("custom:team", "Contains", "s", READER))
    claims = {"custom:team": "admins"}
    assert resolve(ROLES, authenticated=True, mapping=mapping, claims=claims, custom_role_arn=READER) == READER
    err = refusal(roles=ROLES, authenticated=True, mapping=mapping, claims=claims, custom_role_arn=AUTH)
    assert err.code == "NotAuthorizedException"


def test_mapped_roles_lists_every_rule_role() -> None:
    mappings = {"a": rules_mapping(("x", "Equals", "1", ADMIN)), "b": token_mapping(),
                "c": rules_mapping(("y", "Equals", "2", READER), ("z", "Equals", "3", ADMIN))}
    assert mapped_roles(mappings) == {ADMIN, READER}
