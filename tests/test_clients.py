"""App clients over the wire: defaults, round trips, secrets, paging, validation, not-found, cascade."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from botocore.exceptions import ClientError
from sqlalchemy import func, select

from emulator import ids
from emulator.userpool.models import AppClient

ALWAYS_ECHOED = {
    "RefreshTokenValidity": 30,
    "TokenValidityUnits": {},
    "AllowedOAuthFlowsUserPoolClient": False,
    "EnableTokenRevocation": True,
    "EnablePropagateAdditionalUserContextData": False,
    "AuthSessionValidity": 3,
}


def _error(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    err = exc.value.response["Error"]
    return err["Code"], err["Message"]


def _create(idp: Any, pool: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    kwargs.setdefault("ClientName", "app")
    return idp.create_user_pool_client(UserPoolId=pool["Id"], **kwargs)["UserPoolClient"]


def _describe(idp: Any, client: dict[str, Any]) -> dict[str, Any]:
    return idp.describe_user_pool_client(UserPoolId=client["UserPoolId"], ClientId=client["ClientId"])["UserPoolClient"]


def _create_fails(idp: Any, pool: dict[str, Any], **kwargs: Any) -> tuple[str, str]:
    with pytest.raises(ClientError) as exc:
        _create(idp, pool, **kwargs)
    return _error(exc)


# --- Defaults and secrets -------------------------------------------------------------------

def test_defaults_echoed_like_aws(idp, pool):
    created = _create(idp, pool)
    assert re.fullmatch(r"[a-z0-9]{26}", created["ClientId"])
    assert created["UserPoolId"] == pool["Id"] and created["ClientName"] == "app"
    for key, value in ALWAYS_ECHOED.items():
        assert created[key] == value, key
    assert created["ClientType"] == "REGULAR"
    # AWS leaves out what was not given, although the client behaves with the defaults.
    for absent in ("ClientSecret", "ExplicitAuthFlows", "PreventUserExistenceErrors", "AccessTokenValidity",
                   "IdTokenValidity", "ReadAttributes", "WriteAttributes", "SupportedIdentityProviders",
                   "CallbackURLs", "AllowedOAuthFlows", "AllowedOAuthScopes", "RefreshTokenRotation"):
        assert absent not in created, absent
    assert created["CreationDate"] == created["LastModifiedDate"]
    described = _describe(idp, created)
    assert described == created


def test_effective_defaults_for_other_modules(server, idp, pool):
    """What auth flows and token issuers read when the request gave nothing."""
    from emulator.userpool import clients

    created = _create(idp, pool)
    with server.state.store.transaction(write=False) as db:
        row = db.get(AppClient, created["ClientId"])
        assert clients.auth_flows(row.config) == [
            "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH",
        ]
        assert clients.prevent_user_existence_errors(row.config) == "LEGACY"
        assert clients.validity_seconds(row.config) == {"AccessToken": 3600, "IdToken": 3600, "RefreshToken": 2592000}


def test_generated_secret_format_and_describe(idp, pool):
    created = _create(idp, pool, GenerateSecret=True)
    assert re.fullmatch(r"[a-z0-9]{51}", created["ClientSecret"])
    assert _describe(idp, created)["ClientSecret"] == created["ClientSecret"]
    listed = idp.list_user_pool_clients(UserPoolId=pool["Id"])["UserPoolClients"]
    assert listed == [{"ClientId": created["ClientId"], "UserPoolId": pool["Id"], "ClientName": "app"}]


def test_generate_secret_false_has_no_secret(idp, pool):
    created = _create(idp, pool, GenerateSecret=False)
    assert "ClientSecret" not in _describe(idp, created)


def test_given_secret_is_accepted_and_echoed(idp, pool):
    secret = "my0own0secret0value0is0long0enough"
    created = _create(idp, pool, ClientSecret=secret)
    assert created["ClientSecret"] == secret
    assert _describe(idp, created)["ClientSecret"] == secret


def test_generate_and_given_secret_conflict(idp, pool):
    code, _ = _create_fails(idp, pool, GenerateSecret=True, ClientSecret="x" * 30)
    assert code == "InvalidParameterException"


def test_secret_never_changes_on_update(idp, pool):
    created = _create(idp, pool, GenerateSecret=True)
    updated = idp.update_user_pool_client(UserPoolId=pool["Id"], ClientId=created["ClientId"],
                                          ClientName="renamed")["UserPoolClient"]
    assert updated["ClientSecret"] == created["ClientSecret"]
    assert _describe(idp, created)["ClientSecret"] == created["ClientSecret"]


# --- Every setting round-trips ----------------------------------------------------------------

def _full_settings(variant: int) -> dict[str, Any]:
    """Two different complete configurations, both valid for a client with a secret."""
    if variant == 0:
        return {
            "RefreshTokenValidity": 10, "AccessTokenValidity": 60, "IdTokenValidity": 30,
            "TokenValidityUnits": {"AccessToken": "minutes", "IdToken": "minutes", "RefreshToken": "days"},
            "ReadAttributes": ["email", "email_verified", "custom:team"], "WriteAttributes": ["email", "custom:team"],
            "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
            "SupportedIdentityProviders": ["COGNITO"],
            "CallbackURLs": ["https://example.com/cb", "http://localhost:8001/cb", "myapp://callback"],
            "LogoutURLs": ["https://example.com/bye"], "DefaultRedirectURI": "https://example.com/cb",
            "AllowedOAuthFlows": ["code", "implicit"],
            "AllowedOAuthScopes": ["openid", "email", "profile", "aws.cognito.signin.user.admin"],
            "AllowedOAuthFlowsUserPoolClient": True,
            "AnalyticsConfiguration": {
                "ApplicationId": "abcdef0123", "RoleArn": "arn:aws:iam::000000000000:role/pinpoint",
                "ExternalId": "ext", "UserDataShared": True,
            },
            "PreventUserExistenceErrors": "ENABLED", "EnableTokenRevocation": False,
            "EnablePropagateAdditionalUserContextData": True, "AuthSessionValidity": 7,
            "RefreshTokenRotation": {"Feature": "ENABLED", "RetryGracePeriodSeconds": 10},
        }
    return {
        "RefreshTokenValidity": 48, "AccessTokenValidity": 2, "IdTokenValidity": 3600,
        "TokenValidityUnits": {"AccessToken": "hours", "IdToken": "seconds", "RefreshToken": "hours"},
        "ReadAttributes": ["name"], "WriteAttributes": ["name", "nickname"],
        "ExplicitAuthFlows": ["USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"],
        "CallbackURLs": ["http://127.0.0.1:3000/", "http://[::1]/x"], "LogoutURLs": ["http://localhost/"],
        "AllowedOAuthFlows": ["code"], "AllowedOAuthScopes": ["phone", "openid"],
        "AllowedOAuthFlowsUserPoolClient": True, "PreventUserExistenceErrors": "LEGACY",
        "EnableTokenRevocation": True, "AuthSessionValidity": 15,
        "RefreshTokenRotation": {"Feature": "DISABLED"},
    }


@pytest.fixture
def team_pool(idp, pool):
    idp.add_custom_attributes(UserPoolId=pool["Id"], CustomAttributes=[{"Name": "team", "AttributeDataType": "String"}])
    return pool


def test_every_setting_round_trips_through_create_describe_update(idp, team_pool):
    first = _full_settings(0)
    created = _create(idp, team_pool, GenerateSecret=True, **first)
    described = _describe(idp, created)
    for key, value in first.items():
        assert described[key] == value, key
    assert described == created

    second = _full_settings(1)
    updated = idp.update_user_pool_client(UserPoolId=team_pool["Id"], ClientId=created["ClientId"],
                                          ClientName="second", **second)["UserPoolClient"]
    described = _describe(idp, created)
    assert described == updated
    assert described["ClientName"] == "second"
    for key, value in second.items():
        assert described[key] == value, key
    # Settings the second request left out went back to their defaults.
    assert described["EnablePropagateAdditionalUserContextData"] is False
    assert "AnalyticsConfiguration" not in described and "DefaultRedirectURI" not in described
    assert "SupportedIdentityProviders" not in described
    assert described["CreationDate"] == created["CreationDate"]
    assert described["LastModifiedDate"] >= created["LastModifiedDate"]


def test_update_resets_omitted_settings_and_keeps_name(idp, team_pool):
    created = _create(idp, team_pool, GenerateSecret=True, **_full_settings(0))
    updated = idp.update_user_pool_client(UserPoolId=team_pool["Id"], ClientId=created["ClientId"])["UserPoolClient"]
    assert updated["ClientName"] == "app"
    assert updated["ClientSecret"] == created["ClientSecret"]
    for key, value in ALWAYS_ECHOED.items():
        assert updated[key] == value, key
    for gone in ("AccessTokenValidity", "ExplicitAuthFlows", "ReadAttributes", "CallbackURLs", "AllowedOAuthScopes",
                 "PreventUserExistenceErrors", "RefreshTokenRotation", "AnalyticsConfiguration"):
        assert gone not in updated, gone
    assert _describe(idp, created) == updated


def test_analytics_arn_gets_the_service_linked_role(idp, pool):
    arn = "arn:aws:mobiletargeting:eu-west-1:000000000000:apps/abc123"
    created = _create(idp, pool, AnalyticsConfiguration={"ApplicationArn": arn, "UserDataShared": True})
    analytics = _describe(idp, created)["AnalyticsConfiguration"]
    assert analytics["ApplicationArn"] == arn and analytics["UserDataShared"] is True
    role = ":role/aws-service-role/cognito-idp.amazonaws.com/AWSServiceRoleForAmazonCognitoIdp"
    assert analytics["RoleArn"] == "arn:aws:iam::000000000000" + role


def test_refresh_validity_zero_means_thirty_days(idp, pool):
    assert _create(idp, pool, RefreshTokenValidity=0)["RefreshTokenValidity"] == 30


def test_refresh_token_rotation_echoed(idp, pool):
    created = _create(idp, pool, RefreshTokenRotation={"Feature": "ENABLED", "RetryGracePeriodSeconds": 60})
    assert _describe(idp, created)["RefreshTokenRotation"] == {"Feature": "ENABLED", "RetryGracePeriodSeconds": 60}


def test_duplicate_list_entries_kept_once(idp, pool):
    created = _create(idp, pool, ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_USER_SRP_AUTH"])
    assert created["ExplicitAuthFlows"] == ["ALLOW_USER_SRP_AUTH"]


# --- Token validity ----------------------------------------------------------------------------

@pytest.mark.parametrize("settings", [
    {"AccessTokenValidity": 4, "TokenValidityUnits": {"AccessToken": "minutes"}},
    {"AccessTokenValidity": 299, "TokenValidityUnits": {"AccessToken": "seconds"}},
    {"AccessTokenValidity": 25},  # hours implied
    {"AccessTokenValidity": 2, "TokenValidityUnits": {"AccessToken": "days"}},
    {"IdTokenValidity": 4, "TokenValidityUnits": {"IdToken": "minutes"}},
    {"IdTokenValidity": 1441, "TokenValidityUnits": {"IdToken": "minutes"}},
    {"RefreshTokenValidity": 59, "TokenValidityUnits": {"RefreshToken": "minutes"}},
    {"RefreshTokenValidity": 3651},  # days implied
    {"RefreshTokenValidity": 2, "AccessTokenValidity": 24, "TokenValidityUnits": {"RefreshToken": "hours"}},
    {"TokenValidityUnits": {"RefreshToken": "minutes"}},  # the default 30 read as minutes
])
def test_token_validity_out_of_range(idp, pool, settings):
    assert _create_fails(idp, pool, **settings) == ("InvalidParameterException", "Invalid range for token validity.")


@pytest.mark.parametrize("settings", [
    {"AccessTokenValidity": 300, "TokenValidityUnits": {"AccessToken": "seconds"}},
    {"AccessTokenValidity": 1, "IdTokenValidity": 1, "TokenValidityUnits": {"AccessToken": "days", "IdToken": "days"}},
    {"AccessTokenValidity": 24, "IdTokenValidity": 5, "TokenValidityUnits": {"IdToken": "minutes"}},
    {"RefreshTokenValidity": 60, "TokenValidityUnits": {"RefreshToken": "minutes"}},
    {"RefreshTokenValidity": 3650},
])
def test_token_validity_at_the_limits(idp, pool, settings):
    created = _create(idp, pool, **settings)
    for key, value in settings.items():
        assert created[key] == value


def test_update_checks_token_validity_too(idp, pool):
    created = _create(idp, pool)
    with pytest.raises(ClientError) as exc:
        idp.update_user_pool_client(UserPoolId=pool["Id"], ClientId=created["ClientId"], AccessTokenValidity=48)
    assert _error(exc) == ("InvalidParameterException", "Invalid range for token validity.")


def test_auth_session_validity_model_range(idp, pool):
    code, message = _create_fails(idp, pool, AuthSessionValidity=16)
    assert code == "InvalidParameterException" and "authSessionValidity" in message


# --- Auth flows ---------------------------------------------------------------------------------

def test_legacy_and_allow_flows_cannot_mix(idp, pool):
    code, message = _create_fails(idp, pool, ExplicitAuthFlows=["USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    assert code == "InvalidParameterException" and "ALLOW_" in message
    legacy = _create(idp, pool, ExplicitAuthFlows=["CUSTOM_AUTH_FLOW_ONLY"])
    assert legacy["ExplicitAuthFlows"] == ["CUSTOM_AUTH_FLOW_ONLY"]


# --- OAuth settings -----------------------------------------------------------------------------

def test_client_credentials_cannot_join_code_or_implicit(idp, pool):
    code, message = _create_fails(idp, pool, GenerateSecret=True, AllowedOAuthFlows=["client_credentials", "code"],
                                  AllowedOAuthScopes=["openid"], CallbackURLs=["https://a.example/cb"])
    assert code == "InvalidOAuthFlowException"
    assert message == "client_credentials flow can not be selected along with code flow or implicit flow."


def test_client_credentials_needs_a_secret(idp, pool):
    code, message = _create_fails(idp, pool, AllowedOAuthFlows=["client_credentials"], AllowedOAuthScopes=["openid"])
    assert (code, message) == (
        "InvalidOAuthFlowException",
        "client_credentials flow can not be selected if client does not have a client secret.",
    )


def test_client_credentials_refuses_standard_scopes(idp, pool):
    code, message = _create_fails(idp, pool, GenerateSecret=True, AllowedOAuthFlows=["client_credentials"],
                                  AllowedOAuthScopes=["openid"])
    assert code == "InvalidOAuthFlowException" and message.startswith("openid is not supported")


def test_oauth_client_needs_flows_and_scopes(idp, pool):
    code, message = _create_fails(idp, pool, AllowedOAuthFlowsUserPoolClient=True, AllowedOAuthFlows=["code"],
                                  CallbackURLs=["https://a.example/cb"])
    assert code == "InvalidParameterException"
    assert message == (
        "AllowedOAuthFlows and AllowedOAuthScopes are required if user pool client is allowed to use OAuth flows."
    )


def test_code_flow_needs_callback_urls(idp, pool):
    code, _ = _create_fails(idp, pool, AllowedOAuthFlowsUserPoolClient=True, AllowedOAuthFlows=["code"],
                            AllowedOAuthScopes=["openid"])
    assert code == "InvalidOAuthFlowException"


@pytest.mark.parametrize("url", ["http://example.com/cb", "http://192.168.1.2:3000/", "http://localhost.example.com/"])
def test_http_urls_refused_except_loopback(idp, pool, url):
    assert _create_fails(idp, pool, CallbackURLs=[url]) == ("InvalidParameterException",
                                                            f"{url} cannot use the HTTP protocol.")
    code, _ = _create_fails(idp, pool, LogoutURLs=[url])
    assert code == "InvalidParameterException"


def test_callback_url_with_fragment_refused(idp, pool):
    code, message = _create_fails(idp, pool, CallbackURLs=["https://a.example/cb#frag"])
    assert code == "InvalidParameterException" and "fragment" in message


@pytest.mark.parametrize("url", ["https://[broken/cb", "no-scheme-at-all", "/relative/path"])
def test_malformed_urls_refused(idp, pool, url):
    code, message = _create_fails(idp, pool, CallbackURLs=[url])
    assert code == "InvalidParameterException" and url in message


def test_app_scheme_urls_accepted(idp, pool):
    created = _create(idp, pool, CallbackURLs=["myapp://auth/callback", "com.example.app:/oauth2redirect"])
    assert created["CallbackURLs"] == ["myapp://auth/callback", "com.example.app:/oauth2redirect"]


def test_default_redirect_must_be_a_callback(idp, pool):
    code, message = _create_fails(idp, pool, CallbackURLs=["https://a.example/cb"],
                                  DefaultRedirectURI="https://b.example/cb")
    assert code == "InvalidParameterException" and "DefaultRedirectURI" in message


@pytest.mark.parametrize("scope", ["Cognito", "admin", "my-api/read"])
def test_unknown_scopes_do_not_exist(idp, pool, scope):
    assert _create_fails(idp, pool, AllowedOAuthScopes=["openid", scope]) == (
        "ScopeDoesNotExistException", f"Invalid scope requested: {scope}"
    )


def test_unknown_identity_provider_refused(idp, pool):
    assert _create_fails(idp, pool, SupportedIdentityProviders=["COGNITO", "Google"]) == (
        "InvalidParameterException", f"The provider Google does not exist for User Pool {pool['Id']}"
    )


def test_context_data_propagation_needs_a_secret(idp, pool):
    code, _ = _create_fails(idp, pool, EnablePropagateAdditionalUserContextData=True)
    assert code == "InvalidParameterException"
    assert _create(idp, pool, GenerateSecret=True, EnablePropagateAdditionalUserContextData=True)[
        "EnablePropagateAdditionalUserContextData"] is True


# --- Read and write attributes -------------------------------------------------------------------

@pytest.mark.parametrize("settings, which", [
    ({"ReadAttributes": ["email", "favourite_colour"]}, "read"),
    ({"ReadAttributes": ["custom:missing"]}, "read"),
    ({"WriteAttributes": ["nickname", "custom:missing"]}, "write"),
    ({"WriteAttributes": ["sub"]}, "write"),
])
def test_attributes_must_be_in_the_schema(idp, pool, settings, which):
    assert _create_fails(idp, pool, **settings) == (
        "InvalidParameterException", f"Invalid {which} attributes specified while creating a client"
    )


def test_write_attributes_must_cover_required_ones(idp):
    pool = idp.create_user_pool(PoolName=f"req-{uuid.uuid4().hex[:6]}",
                                Schema=[{"Name": "email", "AttributeDataType": "String", "Required": True}])["UserPool"]
    try:
        code, _ = _create_fails(idp, pool, WriteAttributes=["name"])
        assert code == "InvalidParameterException"
        assert _create(idp, pool, WriteAttributes=["name", "email"])["WriteAttributes"] == ["name", "email"]
    finally:
        idp.delete_user_pool(UserPoolId=pool["Id"])


# --- Not found ------------------------------------------------------------------------------------

def test_unknown_client_not_found(idp, pool):
    missing = ids.client_id()
    for call in (idp.describe_user_pool_client, idp.update_user_pool_client, idp.delete_user_pool_client):
        with pytest.raises(ClientError) as exc:
            call(UserPoolId=pool["Id"], ClientId=missing)
        assert _error(exc) == ("ResourceNotFoundException", f"User pool client {missing} does not exist.")


def test_client_of_another_pool_not_found(idp, pool):
    other = idp.create_user_pool(PoolName=f"other-{uuid.uuid4().hex[:6]}")["UserPool"]
    try:
        foreign = _create(idp, other)
        with pytest.raises(ClientError) as exc:
            idp.describe_user_pool_client(UserPoolId=pool["Id"], ClientId=foreign["ClientId"])
        assert _error(exc) == ("ResourceNotFoundException", f"User pool client {foreign['ClientId']} does not exist.")
        with pytest.raises(ClientError):
            idp.delete_user_pool_client(UserPoolId=pool["Id"], ClientId=foreign["ClientId"])
        assert _describe(idp, foreign)["ClientId"] == foreign["ClientId"]
    finally:
        idp.delete_user_pool(UserPoolId=other["Id"])


def test_unknown_pool_not_found(idp):
    missing = "eu-west-1_zzzzzzzzz"
    with pytest.raises(ClientError) as exc:
        idp.create_user_pool_client(UserPoolId=missing, ClientName="app")
    assert _error(exc) == ("ResourceNotFoundException", f"User pool {missing} does not exist.")
    with pytest.raises(ClientError) as exc:
        idp.list_user_pool_clients(UserPoolId=missing)
    assert _error(exc)[0] == "ResourceNotFoundException"


def test_deleted_client_is_gone(idp, pool):
    created = _create(idp, pool)
    assert idp.delete_user_pool_client(UserPoolId=pool["Id"], ClientId=created["ClientId"])["ResponseMetadata"][
        "HTTPStatusCode"] == 200
    with pytest.raises(ClientError) as exc:
        _describe(idp, created)
    assert _error(exc)[0] == "ResourceNotFoundException"
    assert idp.list_user_pool_clients(UserPoolId=pool["Id"])["UserPoolClients"] == []


# --- Listing ----------------------------------------------------------------------------------------

def test_list_pages_without_repeats(idp, pool):
    made = {_create(idp, pool, ClientName=f"c{i}")["ClientId"] for i in range(8)}
    seen: list[str] = []
    token = None
    pages = 0
    while True:
        kwargs = {"NextToken": token} if token else {}
        page = idp.list_user_pool_clients(UserPoolId=pool["Id"], MaxResults=3, **kwargs)
        assert len(page["UserPoolClients"]) <= 3
        seen += [c["ClientId"] for c in page["UserPoolClients"]]
        pages += 1
        token = page.get("NextToken")
        if not token:
            break
    assert pages == 3
    assert len(seen) == len(set(seen)) == 8
    assert set(seen) == made


def test_list_with_boto3_paginator(idp, pool):
    made = {_create(idp, pool)["ClientId"] for _ in range(5)}
    paginator = idp.get_paginator("list_user_pool_clients")
    pages = list(paginator.paginate(UserPoolId=pool["Id"], PaginationConfig={"PageSize": 2}))
    found = [c["ClientId"] for p in pages for c in p["UserPoolClients"]]
    assert len(pages) == 3 and sorted(found) == sorted(made)


def test_list_limits_and_tokens(idp, pool):
    _create(idp, pool)
    with pytest.raises(ClientError) as exc:
        idp.list_user_pool_clients(UserPoolId=pool["Id"], MaxResults=61)
    code, message = _error(exc)
    assert code == "InvalidParameterException" and "less than or equal to 60" in message
    with pytest.raises(ClientError) as exc:
        idp.list_user_pool_clients(UserPoolId=pool["Id"], NextToken="not-a-token")
    assert _error(exc)[0] == "InvalidParameterException"
    assert idp.list_user_pool_clients(UserPoolId=pool["Id"], ClientType="DCR")["UserPoolClients"] == []
    assert len(idp.list_user_pool_clients(UserPoolId=pool["Id"], ClientType="REGULAR")["UserPoolClients"]) == 1


def test_list_only_shows_that_pool(idp, pool):
    other = idp.create_user_pool(PoolName=f"other-{uuid.uuid4().hex[:6]}")["UserPool"]
    try:
        mine = _create(idp, pool)
        _create(idp, other)
        listed = idp.list_user_pool_clients(UserPoolId=pool["Id"])["UserPoolClients"]
        assert [c["ClientId"] for c in listed] == [mine["ClientId"]]
    finally:
        idp.delete_user_pool(UserPoolId=other["Id"])


# --- Pool deletion and quota ------------------------------------------------------------------------

def _stored_clients(server: Any, pool_id: str) -> int:
    with server.state.store.transaction(write=False) as db:
        return db.scalar(select(func.count()).select_from(AppClient).where(AppClient.pool_id == pool_id)) or 0


def test_deleting_the_pool_deletes_its_clients(server, idp):
    pool = idp.create_user_pool(PoolName=f"gone-{uuid.uuid4().hex[:6]}")["UserPool"]
    client = _create(idp, pool)
    _create(idp, pool, GenerateSecret=True)
    assert _stored_clients(server, pool["Id"]) == 2
    idp.delete_user_pool(UserPoolId=pool["Id"])
    assert _stored_clients(server, pool["Id"]) == 0
    with pytest.raises(ClientError) as exc:
        _describe(idp, client)
    assert _error(exc)[0] == "ResourceNotFoundException"


def test_quota_of_a_thousand_clients_per_pool(server, idp, pool):
    with server.state.store.transaction(write=True) as db:
        db.add_all(
            AppClient(client_id=ids.client_id(), pool_id=pool["Id"], name="bulk", secret=None, created=0.0,
                      modified=0.0, config={})
            for _ in range(999)
        )
    _create(idp, pool)  # the thousandth
    code, _ = _create_fails(idp, pool)
    assert code == "LimitExceededException"
    assert _stored_clients(server, pool["Id"]) == 1000
