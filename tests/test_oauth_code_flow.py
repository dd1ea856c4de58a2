"""The authorization-code grant over plain HTTP: /oauth2/authorize → /login → code →
/oauth2/token, with PKCE, nonce, state and the claims of the tokens it yields."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import jwt
import requests

from tests.auth_helpers import clock  # noqa: F401
from tests.hostedui_support import (  # noqa: F401
    CALLBACK,
    PASSWORD,
    basic,
    claims_of,
    oauth,
    query_of,
)


def _verify(server: Any, pool_id: str, token: str, **kwargs: Any) -> dict[str, Any]:
    jwks = requests.get(f"{server.url}/{pool_id}/.well-known/jwks.json", timeout=10).json()
    header = jwt.get_unverified_header(token)
    key = next(k for k in jwks["keys"] if k["kid"] == header["kid"])
    return jwt.decode(token, jwt.PyJWK(key).key, algorithms=["RS256"], **kwargs)


def test_authorize_without_session_goes_to_login_with_the_same_query(oauth: Any) -> None:
    client = oauth.client()
    params = oauth.authorize_params(client, scope="openid email", nonce="n-1")
    answer = requests.get(f"{oauth.url}/oauth2/authorize", params=params, allow_redirects=False, timeout=10)
    assert answer.status_code == 302
    location = answer.headers["Location"]
    assert location.startswith("/login?")
    assert query_of(location) == params


def test_code_flow_with_pkce_yields_verified_tokens(oauth: Any, server: Any) -> None:
    client = oauth.client(ReadAttributes=["email", "email_verified", "name"])
    oauth.idp.admin_update_user_attributes(UserPoolId=oauth.pool_id, Username="alice", UserAttributes=[
        {"Name": "email", "Value": "alice@example.com"}, {"Name": "email_verified", "Value": "true"},
        {"Name": "name", "Value": "Alice"}])
    body = oauth.code_tokens(client, scope="openid email aws.cognito.signin.user.admin", nonce="nonce-42")
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    assert set(body) == {"access_token", "id_token", "refresh_token", "token_type", "expires_in"}
    id_claims = _verify(server, oauth.pool_id, body["id_token"], audience=client["ClientId"])
    assert id_claims["nonce"] == "nonce-42"
    digest = hashlib.sha256(body["access_token"].encode()).digest()
    assert id_claims["at_hash"] == base64.urlsafe_b64encode(digest[:16]).decode().rstrip("=")
    assert id_claims["token_use"] == "id" and id_claims["cognito:username"] == "alice"
    assert id_claims["email"] == "alice@example.com" and id_claims["email_verified"] is True
    assert id_claims["iss"] == f"{server.url}/{oauth.pool_id}"
    access = _verify(server, oauth.pool_id, body["access_token"])
    assert access["scope"].split() == ["openid", "email", "aws.cognito.signin.user.admin"]
    assert access["version"] == 2 and access["username"] == "alice" and access["client_id"] == client["ClientId"]
    assert "aud" not in access and access["origin_jti"] == id_claims["origin_jti"]
    # The admin scope opens the access-token operations.
    user = oauth.idp.get_user(AccessToken=body["access_token"])
    assert user["Username"] == "alice"


def test_code_is_bound_to_state_and_redirect_and_is_single_use(oauth: Any) -> None:
    client = oauth.client()
    state = "a b&c=d/é?%"
    answer = oauth.sign_in(client, state=state, redirect_uri="myapp://signed-in")
    location = answer.headers["Location"]
    assert location.startswith("myapp://signed-in?code=")
    assert query_of(location)["state"] == state
    code = query_of(location)["code"]
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": "myapp://signed-in",
            "client_id": client["ClientId"]}
    first = oauth.token(data)
    assert first.status_code == 200, first.text
    again = oauth.token(data)
    assert again.status_code == 400 and again.json() == {"error": "invalid_grant"}


def test_scopes_are_limited_to_the_client_and_openid_rules(oauth: Any) -> None:
    client = oauth.client(scopes=["openid", "email", "profile"])
    body = oauth.code_tokens(client, scope="email profile unknown/scope aws.cognito.signin.user.admin openid")
    assert claims_of(body["access_token"])["scope"].split() == ["email", "profile", "openid"]
    # Without openid, email and profile are dropped, and there is no ID token.
    client2 = oauth.client(scopes=["openid", "email", "aws.cognito.signin.user.admin"])
    body2 = oauth.code_tokens(client2, scope="email aws.cognito.signin.user.admin")
    assert claims_of(body2["access_token"])["scope"] == "aws.cognito.signin.user.admin"
    assert "id_token" not in body2
    # No scope at all: every scope of the client.
    body3 = oauth.code_tokens(client, scope=None)
    assert claims_of(body3["access_token"])["scope"].split() == ["openid", "email", "profile"]


def test_plain_pkce_and_confidential_client_with_post_credentials(oauth: Any) -> None:
    client = oauth.client(secret=True)
    code = oauth.code(client, code_challenge="plain-verifier-" + "x" * 40, code_challenge_method="plain")
    answer = oauth.token({"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK,
                          "code_verifier": "plain-verifier-" + "x" * 40, "client_id": client["ClientId"],
                          "client_secret": client["ClientSecret"]})
    assert answer.status_code == 200, answer.text
    assert claims_of(answer.json()["access_token"])["client_id"] == client["ClientId"]


def test_refresh_grant_keeps_the_scopes_and_gives_no_refresh_token(oauth: Any, clock: Any) -> None:
    client = oauth.client()
    body = oauth.code_tokens(client, scope="openid profile")
    clock.advance(120)
    answer = oauth.token({"grant_type": "refresh_token", "refresh_token": body["refresh_token"],
                          "client_id": client["ClientId"]})
    assert answer.status_code == 200, answer.text
    fresh = answer.json()
    assert "refresh_token" not in fresh and set(fresh) == {"access_token", "id_token", "token_type", "expires_in"}
    old, new = claims_of(body["access_token"]), claims_of(fresh["access_token"])
    assert new["scope"] == "openid profile" and new["version"] == 2
    assert new["origin_jti"] == old["origin_jti"] and new["auth_time"] == old["auth_time"]
    assert new["iat"] == old["iat"] + 120
    assert claims_of(fresh["id_token"])["auth_time"] == old["auth_time"]


def test_refresh_grant_rotates_when_the_client_rotates(oauth: Any) -> None:
    client = oauth.client(RefreshTokenRotation={"Feature": "ENABLED", "RetryGracePeriodSeconds": 0},
                          ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH"])
    body = oauth.code_tokens(client, scope="openid")
    answer = oauth.token({"grant_type": "refresh_token", "refresh_token": body["refresh_token"],
                          "client_id": client["ClientId"]})
    assert answer.status_code == 200, answer.text
    assert answer.json()["refresh_token"] != body["refresh_token"]


def test_code_expires_after_five_minutes(oauth: Any, clock: Any) -> None:
    client = oauth.client()
    code = oauth.code(client)
    clock.advance(301)
    answer = oauth.token({"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK,
                          "client_id": client["ClientId"]})
    assert answer.status_code == 400 and answer.json() == {"error": "invalid_grant"}


def test_code_still_good_just_before_five_minutes(oauth: Any, clock: Any) -> None:
    client = oauth.client()
    code = oauth.code(client)
    clock.advance(299)
    answer = oauth.token({"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK,
                          "client_id": client["ClientId"]}, auth=None)
    assert answer.status_code == 200, answer.text


def test_basic_auth_for_a_confidential_client(oauth: Any) -> None:
    client = oauth.client(secret=True)
    body = oauth.code_tokens(client, scope="openid")
    assert claims_of(body["id_token"])["aud"] == client["ClientId"]
    wrong = basic(client["ClientId"], "x" * 51)
    answer = oauth.token({"grant_type": "refresh_token", "refresh_token": body["refresh_token"]}, auth=wrong)
    assert answer.status_code == 401 and answer.json() == {"error": "invalid_client"}
    assert answer.headers["WWW-Authenticate"].startswith("Basic")


def test_password_of_the_login_is_the_users_own(oauth: Any) -> None:
    """The page signs in with the password the API knows (not a separate store)."""
    client = oauth.client()
    oauth.idp.admin_set_user_password(UserPoolId=oauth.pool_id, Username="alice", Password="N3w-Passw0rd!",
                                      Permanent=True)
    refused = oauth.sign_in(client, password=PASSWORD)
    assert refused.status_code == 400
    assert oauth.sign_in(client, password="N3w-Passw0rd!").status_code == 302


def test_api_refresh_of_an_oauth_sign_in_keeps_its_scopes(oauth: Any, idp: Any) -> None:
    """GetTokensFromRefreshToken and REFRESH_TOKEN_AUTH refresh an OAuth family with its own scopes."""
    client = oauth.client()
    body = oauth.code_tokens(client, scope="openid profile")
    via_api = idp.get_tokens_from_refresh_token(RefreshToken=body["refresh_token"], ClientId=client["ClientId"])
    assert claims_of(via_api["AuthenticationResult"]["AccessToken"])["scope"] == "openid profile"
    via_flow = idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="REFRESH_TOKEN_AUTH",
                                 AuthParameters={"REFRESH_TOKEN": body["refresh_token"]})
    access = claims_of(via_flow["AuthenticationResult"]["AccessToken"])
    assert access["scope"] == "openid profile" and access["version"] == 2
    assert claims_of(via_flow["AuthenticationResult"]["IdToken"])["token_use"] == "id"
