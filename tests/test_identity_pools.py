"""Identity pool CRUD, roles and role mappings, principal-tag maps and tags over boto3."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

import pytest
import requests

from tests.conftest import REGION, LiveServer
from tests.identity_support import AUTH_ROLE, UNAUTH_ROLE, error_of

POOL_ID = re.compile(rf"^{REGION}:[0-9a-f]{{8}}-[0-9a-f]{{4}}-[0-9a-f]{{4}}-[0-9a-f]{{4}}-[0-9a-f]{{12}}$")
PROVIDER = f"cognito-idp.{REGION}.amazonaws.com/{REGION}_abcdefghi"


def create(identity: Any, **extra: Any) -> dict[str, Any]:
    params = {"IdentityPoolName": f"pool {uuid.uuid4().hex[:6]}", "AllowUnauthenticatedIdentities": False, **extra}
    result = identity.create_identity_pool(**params)
    result.pop("ResponseMetadata")
    return result


def raw(server: LiveServer, op: str, body: dict[str, Any]) -> requests.Response:
    return requests.post(server.url, data=json.dumps(body), headers={
        "X-Amz-Target": f"AWSCognitoIdentityService.{op}", "Content-Type": "application/x-amz-json-1.1"})


def test_create_returns_the_pool_as_aws_shapes_it(identity: Any) -> None:
    pool = create(identity, CognitoIdentityProviders=[{"ProviderName": PROVIDER, "ClientId": "abc123"}])
    assert POOL_ID.match(pool["IdentityPoolId"])
    assert pool["AllowUnauthenticatedIdentities"] is False
    assert pool["CognitoIdentityProviders"] == [
        {"ProviderName": PROVIDER, "ClientId": "abc123", "ServerSideTokenCheck": False}]
    assert pool["IdentityPoolTags"] == {}
    for absent in ("SupportedLoginProviders", "OpenIdConnectProviderARNs", "SamlProviderARNs",
                   "DeveloperProviderName", "AllowClassicFlow"):
        assert absent not in pool


def test_describe_echoes_every_member(identity: Any) -> None:
    created = create(
        identity, AllowUnauthenticatedIdentities=True, AllowClassicFlow=True,
        SupportedLoginProviders={"graph.facebook.com": "1234567890", "accounts.google.com": "x.apps.example"},
        DeveloperProviderName="login.example.app",
        OpenIdConnectProviderARNs=["arn:aws:iam::000000000000:oidc-provider/issuer.example.com"],
        SamlProviderARNs=["arn:aws:iam::000000000000:saml-provider/corp"],
        CognitoIdentityProviders=[{"ProviderName": PROVIDER, "ClientId": "abc", "ServerSideTokenCheck": True}],
        IdentityPoolTags={"team": "blue"},
    )
    described = identity.describe_identity_pool(IdentityPoolId=created["IdentityPoolId"])
    described.pop("ResponseMetadata")
    assert described == created
    assert described["AllowClassicFlow"] is True
    assert described["IdentityPoolTags"] == {"team": "blue"}
    assert described["DeveloperProviderName"] == "login.example.app"


def test_unknown_pool_is_not_found(identity: Any) -> None:
    missing = f"{REGION}:00000000-0000-0000-0000-000000000000"
    assert error_of(identity.describe_identity_pool, IdentityPoolId=missing) == (
        "ResourceNotFoundException", f"IdentityPool '{missing}' not found.")
    assert error_of(identity.delete_identity_pool, IdentityPoolId=missing)[0] == "ResourceNotFoundException"
    assert error_of(identity.get_identity_pool_roles, IdentityPoolId=missing)[0] == "ResourceNotFoundException"


def test_model_violations_are_validation_exceptions(identity: Any) -> None:
    code, message = error_of(identity.describe_identity_pool, IdentityPoolId="no-colon-here")
    assert code == "ValidationException"
    assert message == ("1 validation error detected: Value 'no-colon-here' at 'identityPoolId' failed to satisfy "
                       "constraint: Member must satisfy regular expression pattern: [\\w-]+:[0-9a-f-]+")
    code, message = error_of(identity.create_identity_pool, IdentityPoolName="bad/name",
                             AllowUnauthenticatedIdentities=False)
    assert code == "ValidationException" and "at 'identityPoolName'" in message
    code, message = error_of(identity.list_identity_pools, MaxResults=61)
    assert code == "ValidationException" and "Member must have value less than or equal to 60" in message


def test_missing_required_member_over_the_wire(server: LiveServer) -> None:
    resp = raw(server, "CreateIdentityPool", {"IdentityPoolName": "x"})
    assert resp.status_code == 400
    assert resp.json()["__type"] == "ValidationException"
    assert "Value null at 'allowUnauthenticatedIdentities'" in resp.json()["message"]
    assert resp.headers["x-amzn-ErrorType"] == "ValidationException:"


def test_update_replaces_the_configuration(identity: Any) -> None:
    pool = create(identity, SupportedLoginProviders={"graph.facebook.com": "123"},
                  CognitoIdentityProviders=[{"ProviderName": PROVIDER, "ClientId": "abc"}],
                  DeveloperProviderName="login.example")
    updated = identity.update_identity_pool(IdentityPoolId=pool["IdentityPoolId"], IdentityPoolName="renamed",
                                            AllowUnauthenticatedIdentities=True)
    assert updated["IdentityPoolName"] == "renamed"
    assert updated["AllowUnauthenticatedIdentities"] is True
    assert "SupportedLoginProviders" not in updated and "CognitoIdentityProviders" not in updated
    assert updated["DeveloperProviderName"] == "login.example"  # once set, it stays
    described = identity.describe_identity_pool(IdentityPoolId=pool["IdentityPoolId"])
    assert described["IdentityPoolName"] == "renamed" and "CognitoIdentityProviders" not in described


def test_developer_provider_name_cannot_change(identity: Any) -> None:
    pool = create(identity, DeveloperProviderName="login.example")
    code, _ = error_of(identity.update_identity_pool, IdentityPoolId=pool["IdentityPoolId"],
                       IdentityPoolName=pool["IdentityPoolName"], AllowUnauthenticatedIdentities=False,
                       DeveloperProviderName="login.other")
    assert code == "InvalidParameterException"


def test_update_unknown_pool(identity: Any) -> None:
    missing = f"{REGION}:11111111-0000-0000-0000-000000000000"
    assert error_of(identity.update_identity_pool, IdentityPoolId=missing, IdentityPoolName="x",
                    AllowUnauthenticatedIdentities=False)[0] == "ResourceNotFoundException"


def test_delete_removes_the_pool_and_its_identities(identity: Any) -> None:
    pool = create(identity, AllowUnauthenticatedIdentities=True)
    identity_id = identity.get_id(IdentityPoolId=pool["IdentityPoolId"])["IdentityId"]
    identity.delete_identity_pool(IdentityPoolId=pool["IdentityPoolId"])
    assert error_of(identity.describe_identity_pool, IdentityPoolId=pool["IdentityPoolId"])[0] == \
        "ResourceNotFoundException"
    assert error_of(identity.describe_identity, IdentityId=identity_id)[0] == "ResourceNotFoundException"
    assert error_of(identity.get_id, IdentityPoolId=pool["IdentityPoolId"])[0] == "ResourceNotFoundException"


def test_list_pages_through_every_pool_oldest_first(identity: Any) -> None:
    ours = [create(identity)["IdentityPoolId"] for _ in range(3)]
    seen: list[str] = []
    pages = 0
    kwargs: dict[str, Any] = {"MaxResults": 2}
    while True:
        page = identity.list_identity_pools(**kwargs)
        pages += 1
        assert len(page["IdentityPools"]) <= 2
        seen.extend(p["IdentityPoolId"] for p in page["IdentityPools"])
        if "NextToken" not in page:
            break
        kwargs["NextToken"] = page["NextToken"]
    assert pages >= 2
    assert [p for p in seen if p in ours] == ours
    assert len(seen) == len(set(seen))
    named = identity.list_identity_pools(MaxResults=60)["IdentityPools"]
    assert all(set(p) == {"IdentityPoolId", "IdentityPoolName"} for p in named)


def test_list_is_per_region(server: LiveServer, identity: Any) -> None:
    pool = create(identity)
    other = server.client("cognito-identity", region="us-west-2")
    ids = [p["IdentityPoolId"] for p in other.list_identity_pools(MaxResults=60)["IdentityPools"]]
    assert pool["IdentityPoolId"] not in ids


def test_forged_next_token(identity: Any) -> None:
    code, _ = error_of(identity.list_identity_pools, MaxResults=5, NextToken="not-a-token")
    assert code == "InvalidParameterException"


def test_roles_and_mappings_round_trip(identity: Any) -> None:
    pool_id = create(identity)["IdentityPoolId"]
    assert identity.get_identity_pool_roles(IdentityPoolId=pool_id)["Roles"] == {}
    mappings = {
        f"{PROVIDER}:abc": {"Type": "Token", "AmbiguousRoleResolution": "AuthenticatedRole"},
        "graph.facebook.com": {"Type": "Rules", "AmbiguousRoleResolution": "Deny", "RulesConfiguration": {"Rules": [
            {"Claim": "locale", "MatchType": "StartsWith", "Value": "en", "RoleARN": AUTH_ROLE}]}},
    }
    identity.set_identity_pool_roles(IdentityPoolId=pool_id, Roles={"authenticated": AUTH_ROLE,
                                                                   "unauthenticated": UNAUTH_ROLE},
                                     RoleMappings=mappings)
    got = identity.get_identity_pool_roles(IdentityPoolId=pool_id)
    assert got["IdentityPoolId"] == pool_id
    assert got["Roles"] == {"authenticated": AUTH_ROLE, "unauthenticated": UNAUTH_ROLE}
    assert got["RoleMappings"] == mappings
    identity.set_identity_pool_roles(IdentityPoolId=pool_id, Roles={"authenticated": AUTH_ROLE})
    got = identity.get_identity_pool_roles(IdentityPoolId=pool_id)
    assert got["Roles"] == {"authenticated": AUTH_ROLE} and "RoleMappings" not in got


@pytest.mark.parametrize("mapping", [
    {"Type": "Token"},
    {"Type": "Rules", "AmbiguousRoleResolution": "Deny"},
    {"Type": "Rules", "AmbiguousRoleResolution": "Deny", "RulesConfiguration": {"Rules": [
        {"Claim": "a", "MatchType": "Equals", "Value": "b", "RoleARN": "arn:aws:s3:::not-a-role-arn"}]}},
    {"Type": "Rules", "AmbiguousRoleResolution": "Deny", "RulesConfiguration": {"Rules": [
        {"Claim": "a", "MatchType": "Equals", "Value": str(i), "RoleARN": AUTH_ROLE} for i in range(26)]}},
])
def test_bad_role_mappings_are_refused(identity: Any, mapping: dict[str, Any]) -> None:
    pool_id = create(identity)["IdentityPoolId"]
    code, _ = error_of(identity.set_identity_pool_roles, IdentityPoolId=pool_id, Roles={},
                       RoleMappings={"graph.facebook.com": mapping})
    assert code == "InvalidParameterException"
    assert "RoleMappings" not in identity.get_identity_pool_roles(IdentityPoolId=pool_id)


def test_role_validation(identity: Any) -> None:
    pool_id = create(identity)["IdentityPoolId"]
    assert error_of(identity.set_identity_pool_roles, IdentityPoolId=pool_id,
                    Roles={"authenticated": "arn:aws:s3:::some-bucket-name"})[0] == "InvalidParameterException"
    code, message = error_of(identity.set_identity_pool_roles, IdentityPoolId=pool_id, Roles={"admin": AUTH_ROLE})
    assert code == "ValidationException" and "(un)?authenticated" in message


def test_tags(identity: Any) -> None:
    pool = create(identity, IdentityPoolTags={"a": "1"})
    arn = f"arn:aws:cognito-identity:{REGION}:000000000000:identitypool/{pool['IdentityPoolId']}"
    assert identity.list_tags_for_resource(ResourceArn=arn)["Tags"] == {"a": "1"}
    identity.tag_resource(ResourceArn=arn, Tags={"b": "2", "a": "3"})
    assert identity.list_tags_for_resource(ResourceArn=arn)["Tags"] == {"a": "3", "b": "2"}
    identity.untag_resource(ResourceArn=arn, TagKeys=["a", "nope"])
    assert identity.list_tags_for_resource(ResourceArn=arn)["Tags"] == {"b": "2"}
    assert identity.describe_identity_pool(IdentityPoolId=pool["IdentityPoolId"])["IdentityPoolTags"] == {"b": "2"}
    too_many = {f"k{i}": "v" for i in range(50)}
    assert error_of(identity.tag_resource, ResourceArn=arn, Tags=too_many)[0] == "InvalidParameterException"


def test_tag_arns_are_checked(identity: Any) -> None:
    assert error_of(identity.list_tags_for_resource,
                    ResourceArn="arn:aws:cognito-idp:eu-west-1:000000000000:userpool/eu-west-1_x")[0] == \
        "InvalidParameterException"
    missing = (f"arn:aws:cognito-identity:{REGION}:000000000000:identitypool/"
               f"{REGION}:00000000-0000-0000-0000-00000000000a")
    assert error_of(identity.tag_resource, ResourceArn=missing, Tags={"a": "b"})[0] == "ResourceNotFoundException"


def test_principal_tag_attribute_map(identity: Any) -> None:
    pool_id = create(identity)["IdentityPoolId"]
    initial = identity.get_principal_tag_attribute_map(IdentityPoolId=pool_id, IdentityProviderName=PROVIDER)
    assert initial["UseDefaults"] is False and "PrincipalTags" not in initial
    set_ = identity.set_principal_tag_attribute_map(IdentityPoolId=pool_id, IdentityProviderName=PROVIDER,
                                                    PrincipalTags={"team": "custom:team"})
    assert set_["PrincipalTags"] == {"team": "custom:team"} and set_["UseDefaults"] is False
    got = identity.get_principal_tag_attribute_map(IdentityPoolId=pool_id, IdentityProviderName=PROVIDER)
    assert got["IdentityProviderName"] == PROVIDER and got["PrincipalTags"] == {"team": "custom:team"}
    defaults = identity.set_principal_tag_attribute_map(IdentityPoolId=pool_id, IdentityProviderName=PROVIDER,
                                                        UseDefaults=True)
    assert defaults["UseDefaults"] is True
    assert defaults["PrincipalTags"] == {"username": "sub", "client": "aud"}
    missing = f"{REGION}:00000000-0000-0000-0000-00000000000b"
    assert error_of(identity.get_principal_tag_attribute_map, IdentityPoolId=missing,
                    IdentityProviderName=PROVIDER)[0] == "ResourceNotFoundException"
