"""Shared pieces of the authorizer tests: an echoing upstream, proxies on free ports, and a set of
real tokens in every state (valid, expired, tampered, foreign pool, revoked), made once per module.

Tokens come from real sign-ins against the live Cogito: ``AdminInitiateAuth`` for the API tokens
(ID and access, scope ``aws.cognito.signin.user.admin``), ``client_credentials`` for machine
tokens with custom scopes, and the Hosted UI's authorization-code flow for a user's access token
with a custom scope. Expired tokens are minted with the server's clock two hours back; revoked
ones belong to a user signed out everywhere afterwards.
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from emulator.authorizer.config import AuthorizerConfig
from emulator.authorizer.proxy import ProxyServer
from tests.hostedui_support import PASSWORD, OAuthPool, basic

KINDS = ("id", "access", "m2m_read", "m2m_write", "user_scoped")
STATES = ("valid", "expired", "tampered", "foreign", "revoked")
APP_SCOPES = ["openid", "orders/read", "aws.cognito.signin.user.admin"]


class Upstream:
    """A tiny API that answers what it received (method, path, query, headers, body) as JSON."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self.httpd = make_server("127.0.0.1", 0, self._wsgi, threaded=True)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}"
        threading.Thread(target=self.httpd.serve_forever, name="upstream", daemon=True).start()

    def _wsgi(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        seen = {"method": request.method, "path": request.path, "query": request.query_string.decode(),
                "headers": {k.lower(): v for k, v in request.headers.items()}, "body": request.get_data(as_text=True)}
        with self._lock:
            self.received.append(seen)
        answer = Response(json.dumps(seen), status=200, content_type="application/json",
                          headers={"X-Upstream": "yes"})
        answer.set_cookie("seen", "1")
        return answer(environ, start_response)

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="session")
def upstream() -> Iterator[Upstream]:
    made = Upstream()
    yield made
    made.stop()


def claims_of(token: str) -> dict[str, Any]:
    part = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def tampered(token: str, **changes: Any) -> str:
    """The token with its payload changed (and its signature kept): a forgery."""
    header, _payload, signature = token.split(".")
    claims = {**claims_of(token), **(changes or {"cognito:username": "mallory", "username": "mallory"})}
    payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{payload}.{signature}"


@dataclass
class World:
    """Two pools (ours and a foreign one), their clients, and tokens[(kind, state)]."""

    pool: OAuthPool
    foreign: OAuthPool
    app: dict[str, Any]
    m2m_read: dict[str, Any]
    m2m_write: dict[str, Any]
    tokens: dict[tuple[str, str], str] = field(default_factory=dict)

    @property
    def pool_id(self) -> str:
        return self.pool.pool_id

    def token(self, kind: str, state: str) -> str:
        return self.tokens[(kind, state)]


def _clients(oauth: OAuthPool) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    oauth.resource_server("orders", "read", "write")
    app = oauth.client(scopes=APP_SCOPES, ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH",
                                                             "ALLOW_REFRESH_TOKEN_AUTH"])
    m2m_read = oauth.client(secret=True, flows=["client_credentials"], scopes=["orders/read"])
    m2m_write = oauth.client(secret=True, flows=["client_credentials"], scopes=["orders/write"])
    return app, m2m_read, m2m_write


def _mint(oauth: OAuthPool, clients: tuple[dict[str, Any], ...], username: str) -> dict[str, str]:
    """One token of each kind, for ``username``, signed now (by the server's clock)."""
    app, m2m_read, m2m_write = clients
    api = oauth.idp.admin_initiate_auth(UserPoolId=oauth.pool_id, ClientId=app["ClientId"],
                                        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                        AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD})
    result = api["AuthenticationResult"]
    minted = {"id": result["IdToken"], "access": result["AccessToken"]}
    for kind, client in (("m2m_read", m2m_read), ("m2m_write", m2m_write)):
        answer = oauth.token({"grant_type": "client_credentials"}, auth=basic(client["ClientId"],
                                                                             client["ClientSecret"]))
        assert answer.status_code == 200, answer.text
        minted[kind] = answer.json()["access_token"]
    minted["user_scoped"] = oauth.code_tokens(app, username=username, scope="openid orders/read")["access_token"]
    return minted


def build_world(idp: Any, server: Any) -> World:
    pool, foreign = OAuthPool(idp, server), OAuthPool(idp, server)
    for made in (pool, foreign):
        made.user("alice")
    pool.user("bob")
    clients = _clients(pool)
    foreign_clients = _clients(foreign)
    world = World(pool, foreign, *clients)
    for kind, token in _mint(pool, clients, "alice").items():
        world.tokens[(kind, "valid")] = token
        world.tokens[(kind, "tampered")] = tampered(token)
    for kind, token in _mint(foreign, foreign_clients, "alice").items():
        world.tokens[(kind, "foreign")] = token
    clock = server.state.clock
    clock.freeze(clock.now() - 7200)  # two hours ago: every token below has expired
    try:
        for kind, token in _mint(pool, clients, "alice").items():
            world.tokens[(kind, "expired")] = token
    finally:
        clock.reset()
    for kind, token in _mint(pool, clients, "bob").items():
        if not kind.startswith("m2m"):  # machine tokens have no user to sign out
            world.tokens[(kind, "revoked")] = token
    idp.admin_user_global_sign_out(UserPoolId=pool.pool_id, Username="bob")
    return world


@pytest.fixture(scope="module")
def world(idp: Any, server: Any) -> Iterator[World]:
    made = build_world(idp, server)
    yield made
    made.pool.delete()
    made.foreign.delete()


@pytest.fixture
def proxy(server: Any, upstream: Upstream) -> Iterator[Any]:
    """``proxy(mode=..., ...)``: an authorizer proxy on a free port in front of ``upstream``."""
    started: list[ProxyServer] = []

    def start(**options: Any) -> ProxyServer:
        options.setdefault("cognito_endpoint", server.url)
        made = ProxyServer(AuthorizerConfig(**options), upstream.url).start()
        started.append(made)
        return made

    yield start
    for made in started:
        made.stop()


def call(proxy: ProxyServer, token: str | None = None, *, path: str = "/orders", method: str = "GET",
         header: str = "Authorization", **kwargs: Any) -> requests.Response:
    headers = dict(kwargs.pop("headers", {}))
    if token is not None:
        headers[header] = token
    return requests.request(method, proxy.url + path, headers=headers, timeout=10, **kwargs)


def forwarded(answer: requests.Response) -> dict[str, Any]:
    """What the upstream received, from its echo."""
    assert answer.status_code == 200, answer.text
    assert answer.headers.get("X-Upstream") == "yes"
    return answer.json()
