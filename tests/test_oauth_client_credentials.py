"""client_credentials: machine-to-machine access tokens scoped by resource servers."""

from __future__ import annotations

from typing import Any

import jwt
import requests

from tests.auth_helpers import clock  # noqa: F401
from tests.hostedui_support import basic, claims_of, oauth  # noqa: F401


def _m2m(oauth: Any, scopes: list[str]) -> dict[str, Any]:
    return oauth.client(secret=True, flows=["client_credentials"], scopes=scopes)


def test_token_with_every_scope_of_the_client(oauth: Any, server: Any, clock: Any) -> None:
    oauth.resource_server("https://api.example.com", "read", "write")
    client = _m2m(oauth, ["https://api.example.com/read", "https://api.example.com/write"])
    answer = oauth.token({"grant_type": "client_credentials"}, auth=basic(client["ClientId"], client["ClientSecret"]))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert set(body) == {"access_token", "token_type", "expires_in"}
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    jwks = requests.get(f"{server.url}/{oauth.pool_id}/.well-known/jwks.json", timeout=10).json()
    kid = jwt.get_unverified_header(body["access_token"])["kid"]
    key = jwt.PyJWK(next(k for k in jwks["keys"] if k["kid"] == kid)).key
    claims = jwt.decode(body["access_token"], key, algorithms=["RS256"])
    assert claims["sub"] == client["ClientId"] and claims["client_id"] == client["ClientId"]
    assert claims["token_use"] == "access"
    assert claims["scope"].split() == ["https://api.example.com/read", "https://api.example.com/write"]
    assert "username" not in claims and "aud" not in claims and "origin_jti" not in claims
    assert claims["exp"] - claims["iat"] == 3600 and claims["auth_time"] == claims["iat"] == int(clock.now())
    assert claims["iss"] == f"{server.url}/{oauth.pool_id}" and claims["version"] == 2


def test_requested_subset_and_form_credentials(oauth: Any) -> None:
    oauth.resource_server("orders", "read", "write", "admin")
    client = _m2m(oauth, ["orders/read", "orders/write"])
    answer = oauth.token({"grant_type": "client_credentials", "scope": "orders/write",
                          "client_id": client["ClientId"], "client_secret": client["ClientSecret"]})
    assert answer.status_code == 200, answer.text
    assert claims_of(answer.json()["access_token"])["scope"] == "orders/write"


def test_deleted_resource_server_stops_granting_its_scopes(oauth: Any) -> None:
    oauth.resource_server("orders", "read")
    oauth.resource_server("billing", "read")
    client = _m2m(oauth, ["orders/read", "billing/read"])
    oauth.idp.delete_resource_server(UserPoolId=oauth.pool_id, Identifier="billing")
    auth = basic(client["ClientId"], client["ClientSecret"])
    answer = oauth.token({"grant_type": "client_credentials"}, auth=auth)
    assert claims_of(answer.json()["access_token"])["scope"] == "orders/read"
    refused = oauth.token({"grant_type": "client_credentials", "scope": "billing/read"}, auth=auth)
    assert refused.status_code == 400 and refused.json() == {"error": "invalid_scope"}


def test_access_token_validity_follows_the_client(oauth: Any) -> None:
    oauth.resource_server("orders", "read")
    client = oauth.client(secret=True, flows=["client_credentials"], scopes=["orders/read"], AccessTokenValidity=10,
                          TokenValidityUnits={"AccessToken": "minutes"})
    answer = oauth.token({"grant_type": "client_credentials"}, auth=basic(client["ClientId"], client["ClientSecret"]))
    assert answer.json()["expires_in"] == 600
    claims = claims_of(answer.json()["access_token"])
    assert claims["exp"] - claims["iat"] == 600


def test_m2m_token_cannot_open_user_endpoints(oauth: Any) -> None:
    oauth.resource_server("orders", "read")
    client = _m2m(oauth, ["orders/read"])
    token = oauth.token({"grant_type": "client_credentials"},
                        auth=basic(client["ClientId"], client["ClientSecret"])).json()["access_token"]
    info = requests.get(f"{oauth.url}/oauth2/userInfo", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert info.status_code == 401


def test_custom_scopes_in_a_user_sign_in(oauth: Any) -> None:
    """OAuth sign-ins are how users' access tokens get custom scopes."""
    oauth.resource_server("orders", "read", "write")
    client = oauth.client(scopes=["openid", "orders/read", "orders/write"])
    body = oauth.code_tokens(client, scope="openid orders/read")
    claims = claims_of(body["access_token"])
    assert claims["scope"] == "openid orders/read" and claims["username"] == "alice"
