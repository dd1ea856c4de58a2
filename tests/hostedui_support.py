"""Shared pieces of the Hosted UI and OAuth tests: OAuth clients made over the wire, a
browserless sign-in through the pages (plain requests, as a person's browser would post
the forms), PKCE pairs, token-endpoint calls and unverified claim reading.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

PASSWORD = "Passw0rd!x"
CALLBACK = "http://localhost:8765/callback"
OTHER_CALLBACK = "myapp://signed-in"
SIGNED_OUT = "http://localhost:8765/signed-out"
USER_SCOPES = ["openid", "email", "phone", "profile", "aws.cognito.signin.user.admin"]


def claims_of(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    import json

    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def pkce_pair() -> tuple[str, str]:
    """(verifier, S256 challenge) per RFC 7636, computed here independently."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
    return verifier, challenge


def basic(client_id: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query, keep_blank_values=True).items()}


def fragment_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).fragment, keep_blank_values=True).items()}


class OAuthPool:
    """A pool with a confirmed user ``alice`` and helpers to make OAuth clients in it."""

    def __init__(self, idp: Any, server: Any, **pool_kwargs: Any) -> None:
        self.idp = idp
        self.server = server
        self.url = server.url
        self.pool_id = idp.create_user_pool(PoolName=f"t-{uuid.uuid4().hex[:8]}", **pool_kwargs)["UserPool"]["Id"]

    def client(self, *, secret: bool = False, flows: list[str] | None = None, scopes: list[str] | None = None,
               callbacks: list[str] | None = None, **kwargs: Any) -> dict[str, Any]:
        kwargs.setdefault("LogoutURLs", [SIGNED_OUT])
        kwargs.setdefault("SupportedIdentityProviders", ["COGNITO"])
        return self.idp.create_user_pool_client(
            UserPoolId=self.pool_id, ClientName="web", GenerateSecret=secret, AllowedOAuthFlowsUserPoolClient=True,
            AllowedOAuthFlows=flows or ["code"], AllowedOAuthScopes=scopes or USER_SCOPES,
            CallbackURLs=callbacks or [CALLBACK, OTHER_CALLBACK], **kwargs,
        )["UserPoolClient"]

    def user(self, username: str = "alice", password: str = PASSWORD, *, permanent: bool = True,
             attributes: dict[str, str] | None = None) -> None:
        attrs = [{"Name": k, "Value": v} for k, v in (attributes or {}).items()]
        self.idp.admin_create_user(UserPoolId=self.pool_id, Username=username, MessageAction="SUPPRESS",
                                   TemporaryPassword=password, UserAttributes=attrs)
        if permanent:
            self.idp.admin_set_user_password(UserPoolId=self.pool_id, Username=username, Password=password,
                                             Permanent=True)

    def resource_server(self, identifier: str = "https://api.example.com", *names: str) -> None:
        self.idp.create_resource_server(
            UserPoolId=self.pool_id, Identifier=identifier, Name="api",
            Scopes=[{"ScopeName": n, "ScopeDescription": f"{n} access"} for n in (names or ("read", "write"))],
        )

    def authorize_params(self, client: dict[str, Any], **params: str) -> dict[str, str]:
        base = {"client_id": client["ClientId"], "redirect_uri": CALLBACK, "response_type": "code",
                "state": "st-" + uuid.uuid4().hex}
        base.update(params)
        return {k: v for k, v in base.items() if v is not None}

    def login_page(self, browser: requests.Session, client: dict[str, Any], **params: str) -> requests.Response:
        page = browser.get(f"{self.url}/login", params=self.authorize_params(client, **params), timeout=10,
                           allow_redirects=False)
        return page

    def sign_in(self, client: dict[str, Any], username: str = "alice", password: str = PASSWORD, *,
                browser: requests.Session | None = None, **params: str) -> requests.Response:
        """GET /oauth2/authorize, follow to /login, post the form; the (unfollowed) answer."""
        browser = browser or requests.Session()
        first = browser.get(f"{self.url}/oauth2/authorize", params=self.authorize_params(client, **params),
                            timeout=10, allow_redirects=False)
        assert first.status_code == 302, first.text
        location = first.headers["Location"]
        if not location.startswith("/login"):
            return first  # single sign-on: straight back to the app
        form_url = self.url + location
        page = browser.get(form_url, timeout=10, allow_redirects=False)
        assert page.status_code == 200, page.text
        return browser.post(form_url, data={"_csrf": csrf_of(page.text), "username": username,
                                            "password": password}, timeout=10, allow_redirects=False)

    def code(self, client: dict[str, Any], **params: str) -> str:
        answer = self.sign_in(client, **params)
        assert answer.status_code == 302, answer.text
        return query_of(answer.headers["Location"])["code"]

    def token(self, data: dict[str, str], *, auth: str | None = None) -> requests.Response:
        headers = {"Authorization": auth} if auth else {}
        return requests.post(f"{self.url}/oauth2/token", data=data, headers=headers, timeout=10)

    def code_tokens(self, client: dict[str, Any], **params: str) -> dict[str, Any]:
        """Sign in with PKCE and exchange the code: the token endpoint's JSON."""
        verifier, challenge = pkce_pair()
        code = self.code(client, code_challenge=challenge, code_challenge_method="S256", **params)
        data = {"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK,
                "code_verifier": verifier, "client_id": client["ClientId"]}
        auth = basic(client["ClientId"], client["ClientSecret"]) if client.get("ClientSecret") else None
        answer = self.token(data, auth=auth)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def messages(self, **filters: str) -> list[dict[str, Any]]:
        found = requests.get(f"{self.url}/_cogito/messages", params={"pool_id": self.pool_id, **filters}, timeout=10)
        return found.json()["messages"]

    def delete(self) -> None:
        try:
            self.idp.delete_user_pool(UserPoolId=self.pool_id)
        except Exception:  # noqa: BLE001 - best-effort clean-up
            pass


_CSRF = re.compile(r'name="_csrf" value="([^"]+)"')


def csrf_of(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "the page has no _csrf field"
    return match.group(1)


def hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{re.escape(name)}" value="([^"]*)"', html)
    assert match, f"the page has no {name} field"
    return match.group(1)


def error_text(html: str) -> str | None:
    match = re.search(r'id="errorMessage" role="alert">([^<]*)<', html)
    import html as html_lib

    return html_lib.unescape(match.group(1)) if match else None


@pytest.fixture
def oauth(idp: Any, server: Any) -> Iterator[OAuthPool]:
    """A fresh pool with user ``alice``."""
    made = OAuthPool(idp, server)
    made.user()
    yield made
    made.delete()
