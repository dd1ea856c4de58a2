"""`cogito authorizer` as a real subprocess (readiness read from its log line), its flag checks, and
the authorizer as WSGI middleware in-process."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
from pathlib import Path
from typing import Any

import pytest
import requests
from werkzeug.test import Client
from werkzeug.wrappers import Response

from emulator.authorizer.config import AuthorizerConfig
from emulator.authorizer.proxy import ENVIRON_KEY, READY, AuthorizerMiddleware
from tests.authorizer_support import World, claims_of, upstream, world  # noqa: F401
from tests.lambda_server import lambda_host  # noqa: F401
from tests.test_cli import cogito_command, free_port

ROOT = Path(__file__).resolve().parents[1]


class AuthorizerCli:
    """One `cogito authorizer` process; its stderr drained by a thread."""

    def __init__(self, *args: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        self.proc = subprocess.Popen([*cogito_command(), "authorizer", "--port", str(self.port), *args],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env,
                                     cwd=str(ROOT))
        self.log: list[str] = []
        self.ready = threading.Event()
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.log.append(line)
            if READY in line:
                self.ready.set()
        self.ready.set()

    def wait_ready(self) -> None:
        assert self.ready.wait(30), "no ready line:\n" + "".join(self.log)
        assert any(READY in line for line in self.log), "exited before ready:\n" + "".join(self.log)

    def stop(self) -> int:
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=15)


def test_cli_rest_authorizer(world: World, server: Any, upstream: Any) -> None:
    cli = AuthorizerCli("--upstream", upstream.url, "--user-pool-id", world.pool_id,
                        "--cognito-endpoint", server.url)
    try:
        cli.wait_ready()
        ok = requests.get(f"{cli.url}/orders?x=1", headers={"Authorization": world.token("id", "valid")}, timeout=10)
        assert ok.status_code == 200, ok.text
        seen = ok.json()
        assert seen["path"] == "/orders" and seen["query"] == "x=1"
        claims = json.loads(seen["headers"]["x-cogito-authorizer-claims"])
        assert claims["cognito:username"] == "alice"
        refused = requests.get(f"{cli.url}/orders", headers={"Authorization": world.token("access", "valid")},
                               timeout=10)
        assert refused.status_code == 401 and refused.json() == {"message": "Unauthorized"}
    finally:
        assert cli.stop() == 0
    assert any("401 (wrong_token_use)" in line for line in cli.log), "".join(cli.log)


def test_cli_scoped_and_lambda_modes(world: World, server: Any, upstream: Any, lambda_host: Any) -> None:
    scoped = AuthorizerCli("--upstream", upstream.url, "--user-pool-id", world.pool_id, "--cognito-endpoint",
                           server.url, "--scope", "orders/read", "--identity-source", "X-Token")
    name = "cli-authz"
    lambda_host.add(name, lambda event, _ctx: {"principalId": event["authorizationToken"], "policyDocument": {
        "Statement": [{"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": event["methodArn"]}]}})
    arn = f"arn:aws:lambda:eu-west-1:000000000000:function:{name}"
    custom = AuthorizerCli("--upstream", upstream.url, "--mode", "lambda-token", "--function", arn,
                           "--lambda-endpoint", lambda_host.url, "--api-id", "abc123defg", "--stage", "prod")
    try:
        scoped.wait_ready()
        custom.wait_ready()
        token = world.token("m2m_read", "valid")
        assert requests.get(f"{scoped.url}/o", headers={"X-Token": token}, timeout=10).status_code == 200
        assert requests.get(f"{scoped.url}/o", headers={"Authorization": token}, timeout=10).status_code == 401
        answer = requests.get(f"{custom.url}/pets/1", headers={"Authorization": "tok"}, timeout=10)
        assert json.loads(answer.json()["headers"]["x-cogito-authorizer"]) == {"principalId": "tok"}
        (event,) = lambda_host.events(name)
        assert event["methodArn"] == "arn:aws:execute-api:us-east-1:000000000000:abc123defg/prod/GET/pets/1"
        other = requests.get(f"{custom.url}/pets/2", headers={"Authorization": "tok"}, timeout=10)
        assert other.status_code == 403  # the cached, narrowly scoped policy
    finally:
        lambda_host.remove(name)
        assert scoped.stop() == 0
        assert custom.stop() == 0


@pytest.mark.parametrize(("args", "message"), [
    (["--upstream", "http://127.0.0.1:1"], "--user-pool-id is required"),
    (["--upstream", "http://127.0.0.1:1", "--mode", "jwt", "--user-pool-id", "p"], "--audience"),
    (["--upstream", "http://127.0.0.1:1", "--mode", "lambda-token"], "--function"),
    (["--upstream", "127.0.0.1:1", "--user-pool-id", "p"], "--upstream"),
    (["--upstream", "http://x", "--mode", "lambda-token", "--function", "f", "--lambda-url", "nope"], "ARN=URL"),
    (["--upstream", "http://x", "--user-pool-id", "p", "--ttl", "-1"], "--ttl"),
])
def test_cli_refuses_bad_flags(args: list[str], message: str) -> None:
    done = subprocess.run([*cogito_command(), "authorizer", *args], check=False, capture_output=True, text=True,
                          timeout=30, cwd=str(ROOT), env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert done.returncode == 2 and message in done.stderr, done.stderr


def test_wsgi_middleware_in_process(world: World, server: Any) -> None:
    seen: list[dict[str, Any]] = []

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        seen.append(environ[ENVIRON_KEY])
        return Response("ok")(environ, start_response)

    config = AuthorizerConfig(mode="rest", user_pool_id=world.pool_id, cognito_endpoint=server.url)
    client = Client(AuthorizerMiddleware(app, config))
    token = world.token("id", "valid")
    assert client.get("/x", headers={"Authorization": token}).status_code == 200
    assert seen[0]["claims"]["sub"] == claims_of(token)["sub"]
    refused = client.get("/x", headers={"Authorization": world.token("id", "expired")})
    assert refused.status_code == 401 and refused.json == {"message": "Unauthorized"}
    assert len(seen) == 1
