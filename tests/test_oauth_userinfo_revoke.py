"""/oauth2/userInfo (claims per scope, AWS's error headers) and /oauth2/revoke."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from tests.auth_helpers import clock  # noqa: F401
from tests.hostedui_support import basic, oauth  # noqa: F401

BAD_TOKEN = 'error="invalid_token", error_description="Access token is expired, disabled, or deleted, or the ' \
            'user has globally signed out."'


def _info(oauth: Any, token: str | None, method: str = "GET") -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return requests.request(method, f"{oauth.url}/oauth2/userInfo", headers=headers, timeout=10)


@pytest.fixture
def alice_attrs(oauth: Any) -> None:
    oauth.idp.admin_update_user_attributes(UserPoolId=oauth.pool_id, Username="alice", UserAttributes=[
        {"Name": "email", "Value": "alice@example.com"}, {"Name": "email_verified", "Value": "true"},
        {"Name": "phone_number", "Value": "+15555550100"}, {"Name": "name", "Value": "Alice"},
        {"Name": "given_name", "Value": "Al"}])


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_openid_alone_shows_every_readable_attribute(oauth: Any, alice_attrs: None, method: str) -> None:
    client = oauth.client()
    body = oauth.code_tokens(client, scope="openid")
    answer = _info(oauth, body["access_token"], method)
    assert answer.status_code == 200, answer.text
    info = answer.json()
    assert info["username"] == "alice" and len(info["sub"]) == 36
    assert info["email"] == "alice@example.com" and info["email_verified"] == "true"
    assert info["phone_number"] == "+15555550100" and info["name"] == "Alice"


def test_email_scope_narrows_to_email_claims(oauth: Any, alice_attrs: None) -> None:
    client = oauth.client()
    body = oauth.code_tokens(client, scope="openid email")
    info = _info(oauth, body["access_token"]).json()
    assert set(info) == {"sub", "username", "email", "email_verified"}


def test_profile_and_phone_scopes(oauth: Any, alice_attrs: None) -> None:
    client = oauth.client()
    body = oauth.code_tokens(client, scope="openid profile phone")
    info = _info(oauth, body["access_token"]).json()
    assert set(info) == {"sub", "username", "name", "given_name", "phone_number", "phone_number_verified"}


def test_read_attributes_of_the_client_limit_userinfo(oauth: Any, alice_attrs: None) -> None:
    client = oauth.client(ReadAttributes=["email", "name"])
    info = _info(oauth, oauth.code_tokens(client, scope="openid")["access_token"]).json()
    assert set(info) == {"sub", "username", "email", "name"}


def test_missing_token_is_invalid_request(oauth: Any) -> None:
    answer = _info(oauth, None)
    assert answer.status_code == 400
    assert answer.headers["WWW-Authenticate"] == \
        'error="invalid_request", error_description="Bad OAuth2 request at UserInfo Endpoint"'


@pytest.mark.parametrize("token", ["garbage", "a.b.c"])
def test_bad_tokens_are_invalid_token(oauth: Any, token: str) -> None:
    answer = _info(oauth, token)
    assert answer.status_code == 401 and answer.headers["WWW-Authenticate"] == BAD_TOKEN
    assert answer.json()["error"] == "invalid_token"


def test_api_access_token_without_openid_is_refused(oauth: Any) -> None:
    client = oauth.client(ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    result = oauth.idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="USER_PASSWORD_AUTH",
                                     AuthParameters={"USERNAME": "alice", "PASSWORD": "Passw0rd!x"})
    answer = _info(oauth, result["AuthenticationResult"]["AccessToken"])
    assert answer.status_code == 401 and answer.headers["WWW-Authenticate"] == BAD_TOKEN
    id_token = result["AuthenticationResult"]["IdToken"]
    assert _info(oauth, id_token).status_code == 401


def test_expired_and_signed_out_tokens_are_refused(oauth: Any, clock: Any) -> None:
    client = oauth.client()
    body = oauth.code_tokens(client, scope="openid aws.cognito.signin.user.admin")
    assert _info(oauth, body["access_token"]).status_code == 200
    clock.advance(3601)
    assert _info(oauth, body["access_token"]).status_code == 401
    fresh = oauth.code_tokens(client, scope="openid aws.cognito.signin.user.admin")
    oauth.idp.global_sign_out(AccessToken=fresh["access_token"])
    assert _info(oauth, fresh["access_token"]).status_code == 401


def test_revoke_kills_the_family(oauth: Any) -> None:
    client = oauth.client()
    body = oauth.code_tokens(client, scope="openid")
    answer = requests.post(f"{oauth.url}/oauth2/revoke", timeout=10,
                           data={"token": body["refresh_token"], "client_id": client["ClientId"]})
    assert answer.status_code == 200 and answer.content == b""
    refreshed = oauth.token({"grant_type": "refresh_token", "refresh_token": body["refresh_token"],
                             "client_id": client["ClientId"]})
    assert refreshed.status_code == 400 and refreshed.json() == {"error": "invalid_grant"}
    assert _info(oauth, body["access_token"]).status_code == 401
    # Revoking again, or an unknown token, is still a success.
    for token in (body["refresh_token"], "unknown-token"):
        again = requests.post(f"{oauth.url}/oauth2/revoke", data={"token": token, "client_id": client["ClientId"]},
                              timeout=10)
        assert again.status_code == 200


def test_revoke_with_basic_auth_and_its_errors(oauth: Any) -> None:
    client = oauth.client(secret=True)
    body = oauth.code_tokens(client, scope="openid")
    url = f"{oauth.url}/oauth2/revoke"
    no_token = requests.post(url, data={}, headers={"Authorization": basic(client["ClientId"], client["ClientSecret"])},
                             timeout=10)
    assert no_token.status_code == 400 and no_token.json() == {"error": "invalid_request"}
    wrong = requests.post(url, data={"token": body["refresh_token"]}, timeout=10,
                          headers={"Authorization": basic(client["ClientId"], "wrong-secret")})
    assert wrong.status_code == 401 and wrong.json() == {"error": "invalid_client"}
    missing_secret = requests.post(url, data={"token": body["refresh_token"], "client_id": client["ClientId"]},
                                   timeout=10)
    assert missing_secret.status_code == 400 and missing_secret.json() == {"error": "invalid_client"}
    access = requests.post(url, data={"token": body["access_token"]}, timeout=10,
                           headers={"Authorization": basic(client["ClientId"], client["ClientSecret"])})
    assert access.status_code == 400 and access.json() == {"error": "unsupported_token_type"}
    good = requests.post(url, data={"token": body["refresh_token"]}, timeout=10,
                         headers={"Authorization": basic(client["ClientId"], client["ClientSecret"])})
    assert good.status_code == 200 and good.content == b""


def test_revoke_when_revocation_is_off(oauth: Any) -> None:
    client = oauth.client(EnableTokenRevocation=False)
    body = oauth.code_tokens(client, scope="openid")
    answer = requests.post(f"{oauth.url}/oauth2/revoke", timeout=10,
                           data={"token": body["refresh_token"], "client_id": client["ClientId"]})
    assert answer.status_code == 400 and answer.json() == {"error": "invalid_request"}


def test_revoke_leaves_another_clients_token_alone(oauth: Any) -> None:
    first, second = oauth.client(), oauth.client()
    body = oauth.code_tokens(first, scope="openid")
    answer = requests.post(f"{oauth.url}/oauth2/revoke", timeout=10,
                           data={"token": body["refresh_token"], "client_id": second["ClientId"]})
    assert answer.status_code == 200
    still = oauth.token({"grant_type": "refresh_token", "refresh_token": body["refresh_token"],
                         "client_id": first["ClientId"]})
    assert still.status_code == 200
