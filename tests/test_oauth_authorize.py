"""/oauth2/authorize: errors (to the redirect URI, or the error page), the implicit grant,
single sign-on with the ``cognito`` cookie, and /logout."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import pytest
import requests

from tests.auth_helpers import clock  # noqa: F401
from tests.hostedui_support import CALLBACK, SIGNED_OUT, claims_of, fragment_of, oauth, query_of  # noqa: F401


def _authorize(oauth: Any, params: dict[str, str], session: requests.Session | None = None) -> requests.Response:
    getter = session or requests
    return getter.get(f"{oauth.url}/oauth2/authorize", params=params, allow_redirects=False, timeout=10)


def test_unknown_client_goes_to_the_error_page(oauth: Any) -> None:
    answer = _authorize(oauth, {"client_id": "nosuchclient", "redirect_uri": CALLBACK, "response_type": "code"})
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/error?error=invalid_request")
    page = requests.get(oauth.url + answer.headers["Location"], timeout=10)
    assert page.status_code == 400 and "An error was encountered" in page.text


@pytest.mark.parametrize("redirect", [None, "http://localhost:8765/other", CALLBACK + "/",
                                      "HTTP://localhost:8765/callback"])
def test_redirect_uri_must_be_exactly_a_callback(oauth: Any, redirect: str | None) -> None:
    client = oauth.client()
    params = oauth.authorize_params(client, redirect_uri=redirect)
    answer = _authorize(oauth, params)
    assert answer.status_code == 302
    assert answer.headers["Location"] == f"/error?error=redirect_mismatch&client_id={client['ClientId']}"
    page = requests.get(oauth.url + answer.headers["Location"], timeout=10)
    assert page.status_code == 400 and "redirect_mismatch" in page.text


def test_default_redirect_uri_stands_in_for_a_missing_one(oauth: Any) -> None:
    client = oauth.client(DefaultRedirectURI=CALLBACK)
    answer = _authorize(oauth, oauth.authorize_params(client, redirect_uri=None))
    assert answer.headers["Location"].startswith("/login?")


@pytest.mark.parametrize("params, error", [
    ({"response_type": None}, "invalid_request"),
    ({"response_type": "id_token"}, "unsupported_response_type"),
    ({"response_type": "token"}, "unauthorized_client"),
    ({"scope": "unknown"}, "invalid_scope"),
    ({"scope": "email"}, "invalid_scope"),
    ({"code_challenge_method": "S256"}, "invalid_request"),
    ({"code_challenge": "abc", "code_challenge_method": "S512"}, "invalid_request"),
    ({"identity_provider": "Google"}, "invalid_request"),
])
def test_errors_go_to_the_redirect_uri_with_the_state(oauth: Any, params: dict[str, Any], error: str) -> None:
    client = oauth.client(scopes=["openid", "email"])
    request = oauth.authorize_params(client, state="keep me/é", **params)
    answer = _authorize(oauth, request)
    assert answer.status_code == 302
    location = answer.headers["Location"]
    implicit = params.get("response_type") == "token"
    assert location.startswith(CALLBACK + ("#" if implicit else "?"))
    query = fragment_of(location) if implicit else query_of(location)
    assert query["error"] == error and query["state"] == "keep me/é"


def test_client_without_oauth_is_unauthorized(oauth: Any) -> None:
    client = oauth.idp.create_user_pool_client(UserPoolId=oauth.pool_id, ClientName="plain",
                                               CallbackURLs=[CALLBACK])["UserPoolClient"]
    answer = _authorize(oauth, oauth.authorize_params(client))
    assert query_of(answer.headers["Location"])["error"] == "unauthorized_client"


def test_identity_provider_cognito_is_accepted(oauth: Any) -> None:
    client = oauth.client()
    answer = _authorize(oauth, oauth.authorize_params(client, identity_provider="COGNITO"))
    assert answer.headers["Location"].startswith("/login?")


def test_implicit_grant_puts_tokens_in_the_fragment(oauth: Any) -> None:
    client = oauth.client(flows=["implicit"])
    answer = oauth.sign_in(client, response_type="token", scope="openid profile", nonce="n-9", state="s 1")
    assert answer.status_code == 302
    location = answer.headers["Location"]
    assert location.startswith(CALLBACK + "#") and "?" not in location
    fragment = fragment_of(location)
    assert set(fragment) == {"access_token", "id_token", "token_type", "expires_in", "state"}
    assert fragment["token_type"] == "Bearer" and fragment["expires_in"] == "3600" and fragment["state"] == "s 1"
    id_claims = claims_of(fragment["id_token"])
    digest = hashlib.sha256(fragment["access_token"].encode()).digest()
    assert id_claims["at_hash"] == base64.urlsafe_b64encode(digest[:16]).decode().rstrip("=")
    assert id_claims["nonce"] == "n-9"
    assert claims_of(fragment["access_token"])["scope"] == "openid profile"


def test_implicit_grant_without_openid_has_no_id_token(oauth: Any) -> None:
    client = oauth.client(flows=["implicit"], scopes=["openid", "aws.cognito.signin.user.admin"])
    answer = oauth.sign_in(client, response_type="token", scope="aws.cognito.signin.user.admin")
    fragment = fragment_of(answer.headers["Location"])
    assert "id_token" not in fragment and "access_token" in fragment


def test_implicit_errors_go_in_the_fragment(oauth: Any) -> None:
    client = oauth.client(flows=["implicit"])
    answer = _authorize(oauth, oauth.authorize_params(client, response_type="token", scope="nothing-known"))
    fragment = fragment_of(answer.headers["Location"])
    assert fragment["error"] == "invalid_scope"


def test_single_sign_on_across_clients_of_the_pool(oauth: Any, clock: Any) -> None:
    first, second = oauth.client(), oauth.client()
    browser = requests.Session()
    signed_in = oauth.sign_in(first, browser=browser)
    assert signed_in.status_code == 302 and "code" in query_of(signed_in.headers["Location"])
    cookie = signed_in.cookies.get("cognito")
    assert cookie and browser.cookies.get("cognito") == cookie
    set_cookie = signed_in.headers["Set-Cookie"]
    assert "Max-Age=3600" in set_cookie and "HttpOnly" in set_cookie
    sign_in_time = int(clock.now())
    clock.advance(600)
    again = _authorize(oauth, oauth.authorize_params(second, scope="openid"), session=browser)
    assert again.status_code == 302 and again.headers["Location"].startswith(CALLBACK + "?code=")
    code = query_of(again.headers["Location"])["code"]
    body = oauth.token({"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK,
                        "client_id": second["ClientId"]}).json()
    assert claims_of(body["id_token"])["auth_time"] == sign_in_time
    # The session lasts one hour.
    clock.advance(3001)
    expired = _authorize(oauth, oauth.authorize_params(second), session=browser)
    assert expired.headers["Location"].startswith("/login?")


def test_session_ends_for_a_disabled_user(oauth: Any) -> None:
    client = oauth.client()
    browser = requests.Session()
    oauth.sign_in(client, browser=browser)
    oauth.idp.admin_disable_user(UserPoolId=oauth.pool_id, Username="alice")
    answer = _authorize(oauth, oauth.authorize_params(client), session=browser)
    assert answer.headers["Location"].startswith("/login?")


def test_logout_to_an_allowed_sign_out_url(oauth: Any) -> None:
    client = oauth.client()
    browser = requests.Session()
    oauth.sign_in(client, browser=browser)
    answer = browser.get(f"{oauth.url}/logout", params={"client_id": client["ClientId"], "logout_uri": SIGNED_OUT},
                         allow_redirects=False, timeout=10)
    assert answer.status_code == 302 and answer.headers["Location"] == SIGNED_OUT
    assert "cognito=;" in answer.headers["Set-Cookie"]
    after = _authorize(oauth, oauth.authorize_params(client), session=browser)
    assert after.headers["Location"].startswith("/login?")


def test_logout_with_redirect_uri_goes_back_to_login(oauth: Any) -> None:
    client = oauth.client()
    browser = requests.Session()
    oauth.sign_in(client, browser=browser)
    params = {"client_id": client["ClientId"], "redirect_uri": CALLBACK, "response_type": "code", "state": "x"}
    answer = browser.get(f"{oauth.url}/logout", params=params, allow_redirects=False, timeout=10)
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/login?")
    assert query_of(answer.headers["Location"]) == params
    after = _authorize(oauth, oauth.authorize_params(client), session=browser)
    assert after.headers["Location"].startswith("/login?")


@pytest.mark.parametrize("params, error", [
    ({"logout_uri": "http://localhost:8765/elsewhere"}, "redirect_mismatch"),
    ({"redirect_uri": "http://localhost:8765/elsewhere", "response_type": "code"}, "redirect_mismatch"),
    ({}, "invalid_request"),
])
def test_logout_errors_show_the_error_page(oauth: Any, params: dict[str, str], error: str) -> None:
    client = oauth.client()
    browser = requests.Session()
    oauth.sign_in(client, browser=browser)
    answer = browser.get(f"{oauth.url}/logout", params={"client_id": client["ClientId"], **params},
                         allow_redirects=False, timeout=10)
    assert answer.status_code == 302 and answer.headers["Location"].startswith(f"/error?error={error}")
    # Still signed in: a refused logout signs nobody out.
    still = _authorize(oauth, oauth.authorize_params(client), session=browser)
    assert still.headers["Location"].startswith(CALLBACK)


def test_logout_of_an_unknown_client(oauth: Any) -> None:
    answer = requests.get(f"{oauth.url}/logout", params={"client_id": "nope", "logout_uri": SIGNED_OUT},
                          allow_redirects=False, timeout=10)
    assert answer.headers["Location"].startswith("/error?error=invalid_request")


def test_discovery_document_lists_the_served_endpoints(oauth: Any, server: Any) -> None:
    doc = requests.get(f"{server.url}/{oauth.pool_id}/.well-known/openid-configuration", timeout=10).json()
    client = oauth.client()
    assert doc["authorization_endpoint"] == f"{server.url}/oauth2/authorize"
    assert _authorize(oauth, oauth.authorize_params(client)).status_code == 302
    for key, method in (("token_endpoint", "post"), ("revocation_endpoint", "post"), ("userinfo_endpoint", "get")):
        answer = requests.request(method, doc[key], timeout=10)
        assert answer.status_code in (400, 401) and "error" in answer.json(), key
    logout = requests.get(doc["end_session_endpoint"], params={"client_id": client["ClientId"],
                                                               "logout_uri": SIGNED_OUT}, allow_redirects=False,
                          timeout=10)
    assert logout.headers["Location"] == SIGNED_OUT
