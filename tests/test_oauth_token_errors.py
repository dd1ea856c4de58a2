"""Every error of POST /oauth2/token over plain HTTP: JSON ``{"error": ...}`` with its status."""

from __future__ import annotations

import base64
from typing import Any

import pytest
import requests

from tests.hostedui_support import CALLBACK, basic, oauth, pkce_pair  # noqa: F401


def _error(answer: requests.Response, status: int, error: str) -> None:
    assert answer.status_code == status, answer.text
    assert answer.json() == {"error": error}
    assert answer.headers["Content-Type"].startswith("application/json")


def _code_grant(client: dict[str, Any], code: str, **extra: str) -> dict[str, str]:
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK,
            "client_id": client["ClientId"]}
    data.update(extra)
    return data


def test_missing_grant_type_is_invalid_request(oauth: Any) -> None:
    client = oauth.client()
    _error(oauth.token({"client_id": client["ClientId"]}), 400, "invalid_request")


def test_json_body_is_invalid_request(oauth: Any) -> None:
    client = oauth.client()
    answer = requests.post(f"{oauth.url}/oauth2/token", timeout=10,
                           json={"grant_type": "client_credentials", "client_id": client["ClientId"]})
    _error(answer, 400, "invalid_request")


def test_repeated_parameter_is_invalid_request(oauth: Any) -> None:
    client = oauth.client()
    answer = requests.post(f"{oauth.url}/oauth2/token", timeout=10,
                           data=[("grant_type", "authorization_code"), ("code", "a"), ("code", "b"),
                                 ("redirect_uri", CALLBACK), ("client_id", client["ClientId"])])
    _error(answer, 400, "invalid_request")


@pytest.mark.parametrize("grant", ["password", "implicit", "urn:ietf:params:oauth:grant-type:device_code"])
def test_unknown_grant_is_unsupported_grant_type(oauth: Any, grant: str) -> None:
    client = oauth.client()
    _error(oauth.token({"grant_type": grant, "client_id": client["ClientId"]}), 400, "unsupported_grant_type")


def test_unknown_client_is_invalid_client(oauth: Any) -> None:
    _error(oauth.token({"grant_type": "authorization_code", "code": "x", "redirect_uri": CALLBACK,
                        "client_id": "nosuchclient0000000000000"}), 400, "invalid_client")
    answer = oauth.token({"grant_type": "authorization_code", "code": "x", "redirect_uri": CALLBACK},
                         auth=basic("nosuchclient0000000000000", "secret"))
    _error(answer, 401, "invalid_client")
    assert answer.headers["WWW-Authenticate"].startswith("Basic")


def test_no_client_at_all_is_invalid_client(oauth: Any) -> None:
    _error(oauth.token({"grant_type": "authorization_code", "code": "x", "redirect_uri": CALLBACK}),
           400, "invalid_client")


def test_malformed_basic_header_is_invalid_client(oauth: Any) -> None:
    _error(oauth.token({"grant_type": "client_credentials"}, auth="Basic %%%notbase64"), 401, "invalid_client")
    no_colon = "Basic " + base64.b64encode(b"justanid").decode()
    _error(oauth.token({"grant_type": "client_credentials"}, auth=no_colon), 401, "invalid_client")


def test_confidential_client_needs_its_secret(oauth: Any) -> None:
    client = oauth.client(secret=True)
    code = oauth.code(client)
    _error(oauth.token(_code_grant(client, code)), 400, "invalid_client")
    _error(oauth.token(_code_grant(client, code, client_secret="wrong")), 400, "invalid_client")
    _error(oauth.token(_code_grant(client, code), auth=basic(client["ClientId"], "wrong")), 401, "invalid_client")
    # The code was not spent by the failed attempts.
    good = oauth.token(_code_grant(client, code), auth=basic(client["ClientId"], client["ClientSecret"]))
    assert good.status_code == 200, good.text


def test_basic_and_form_client_ids_must_agree(oauth: Any) -> None:
    client = oauth.client(secret=True)
    other = oauth.client()
    data = {"grant_type": "refresh_token", "refresh_token": "x", "client_id": other["ClientId"]}
    _error(oauth.token(data, auth=basic(client["ClientId"], client["ClientSecret"])), 401, "invalid_client")


def test_public_client_sending_a_secret_is_invalid_client(oauth: Any) -> None:
    client = oauth.client()
    code = oauth.code(client)
    _error(oauth.token(_code_grant(client, code, client_secret="anything")), 400, "invalid_client")


def test_missing_code_or_redirect_uri_is_invalid_request(oauth: Any) -> None:
    client = oauth.client()
    _error(oauth.token({"grant_type": "authorization_code", "redirect_uri": CALLBACK,
                        "client_id": client["ClientId"]}), 400, "invalid_request")
    code = oauth.code(client)
    _error(oauth.token({"grant_type": "authorization_code", "code": code, "client_id": client["ClientId"]}),
           400, "invalid_request")


def test_unknown_code_is_invalid_grant(oauth: Any) -> None:
    client = oauth.client()
    _error(oauth.token(_code_grant(client, "5f1b9c1e-0000-4000-8000-000000000000")), 400, "invalid_grant")


def test_redirect_uri_must_match_the_authorize_request(oauth: Any) -> None:
    client = oauth.client()
    code = oauth.code(client)
    _error(oauth.token(_code_grant(client, code, redirect_uri="myapp://signed-in")), 400, "invalid_grant")


def test_code_of_another_client_is_invalid_grant(oauth: Any) -> None:
    first, second = oauth.client(), oauth.client()
    code = oauth.code(first)
    _error(oauth.token(_code_grant(second, code)), 400, "invalid_grant")


def test_pkce_verifier_must_match(oauth: Any) -> None:
    client = oauth.client()
    verifier, challenge = pkce_pair()
    code = oauth.code(client, code_challenge=challenge, code_challenge_method="S256")
    _error(oauth.token(_code_grant(client, code)), 400, "invalid_request")  # no verifier
    _error(oauth.token(_code_grant(client, code, code_verifier=verifier + "x")), 400, "invalid_grant")
    # The code survives the failed attempts and the right verifier still works.
    assert oauth.token(_code_grant(client, code, code_verifier=verifier)).status_code == 200


def test_plain_pkce_compares_verbatim(oauth: Any) -> None:
    client = oauth.client()
    verifier, challenge = pkce_pair()
    code = oauth.code(client, code_challenge=verifier)  # no method: plain (RFC 7636 §4.3)
    _error(oauth.token(_code_grant(client, code, code_verifier=challenge)), 400, "invalid_grant")
    assert oauth.token(_code_grant(client, code, code_verifier=verifier)).status_code == 200


def test_client_without_the_code_flow_is_unauthorized_client(oauth: Any) -> None:
    client = oauth.client(flows=["implicit"])
    _error(oauth.token(_code_grant(client, "anything")), 400, "unauthorized_client")
    plain = oauth.idp.create_user_pool_client(UserPoolId=oauth.pool_id, ClientName="api-only")["UserPoolClient"]
    _error(oauth.token(_code_grant(plain, "anything")), 400, "unauthorized_client")


def test_client_credentials_needs_the_flow(oauth: Any) -> None:
    client = oauth.client(secret=True)
    answer = oauth.token({"grant_type": "client_credentials"}, auth=basic(client["ClientId"], client["ClientSecret"]))
    _error(answer, 400, "unauthorized_client")


def test_client_credentials_unknown_scope_is_invalid_scope(oauth: Any) -> None:
    oauth.resource_server("api", "read", "write")
    client = oauth.client(secret=True, flows=["client_credentials"], scopes=["api/read"])
    auth = basic(client["ClientId"], client["ClientSecret"])
    _error(oauth.token({"grant_type": "client_credentials", "scope": "api/write"}, auth=auth), 400, "invalid_scope")
    _error(oauth.token({"grant_type": "client_credentials", "scope": "openid"}, auth=auth), 400, "invalid_scope")


def test_refresh_grant_errors(oauth: Any) -> None:
    client = oauth.client()
    _error(oauth.token({"grant_type": "refresh_token", "client_id": client["ClientId"]}), 400, "invalid_request")
    _error(oauth.token({"grant_type": "refresh_token", "refresh_token": "not-a-token",
                        "client_id": client["ClientId"]}), 400, "invalid_grant")
    body = oauth.code_tokens(client, scope="openid")
    other = oauth.client()
    _error(oauth.token({"grant_type": "refresh_token", "refresh_token": body["refresh_token"],
                        "client_id": other["ClientId"]}), 400, "invalid_grant")
    oauth.idp.admin_disable_user(UserPoolId=oauth.pool_id, Username="alice")
    _error(oauth.token({"grant_type": "refresh_token", "refresh_token": body["refresh_token"],
                        "client_id": client["ClientId"]}), 400, "invalid_grant")


def test_code_of_a_disabled_user_is_invalid_grant(oauth: Any) -> None:
    client = oauth.client()
    code = oauth.code(client)
    oauth.idp.admin_disable_user(UserPoolId=oauth.pool_id, Username="alice")
    _error(oauth.token(_code_grant(client, code)), 400, "invalid_grant")


def test_get_is_not_allowed(oauth: Any) -> None:
    answer = requests.get(f"{oauth.url}/oauth2/token", timeout=10)
    assert answer.status_code == 405


def test_nul_characters_are_bad_requests_not_server_errors(oauth: Any) -> None:
    """PostgreSQL text cannot hold NUL: every surface refuses it before any lookup."""
    client = oauth.client()
    _error(oauth.token({"grant_type": "authorization_code", "code": "x", "redirect_uri": CALLBACK,
                        "client_id": "ab\x00c"}), 400, "invalid_request")
    revoke = requests.post(f"{oauth.url}/oauth2/revoke", data={"token": "t", "client_id": "ab\x00c"}, timeout=10)
    _error(revoke, 400, "invalid_request")
    for path, params in (("/oauth2/authorize", {"client_id": "ab\x00c"}),
                         ("/logout", {"client_id": "ab\x00c", "logout_uri": "x"}),
                         ("/confirmUser", {"client_id": client["ClientId"], "user_name": "a\x00",
                                           "confirmation_code": "1"}),
                         ("/login", {**oauth.authorize_params(client), "state": "s\x00"})):
        answer = requests.get(f"{oauth.url}{path}", params=params, allow_redirects=False, timeout=10)
        assert answer.status_code == 400 and "An error was encountered" in answer.text, path
    payload = base64.urlsafe_b64encode(b'{"iss": "http://x/eu-west-1_a\\u0000b"}').decode().rstrip("=")
    token = "eyJhbGciOiJSUzI1NiIsImtpZCI6IngifQ." + payload + ".c2ln"
    info = requests.get(f"{oauth.url}/oauth2/userInfo", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert info.status_code == 401
