"""Replicas: several gunicorn workers on one SQLite file, several Cogito processes on one
PostgreSQL database, all started with the real CLI.

Whichever replica a client reaches, it must see one emulator: the same JWKS (keys live in
the store, not in a process), tokens signed by one accepted by another, and a revocation
made through one (RevokeToken, GlobalSignOut) refused by every other. Each replica has its
own in-process caches (loaded keys, proven passwords), which is exactly what this checks.

Which gunicorn worker serves a kept-alive connection is read from /proc (the worker
process holding the server end of the socket), so each check goes through a known
worker rather than one chosen by luck.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jwt
import pytest

from tests.conftest import _private_schema

ROOT = Path(__file__).resolve().parents[1]
READY = "Cogito ready on"
TARGET = "AWSCognitoIdentityProviderService."
PASSWORD = "Replica-passw0rd!"
pytestmark = pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="needs Linux /proc")


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Replica:
    """One `cogito serve` process (with its workers); ready once every worker has logged so."""

    def __init__(self, db_url: str, workers: int = 1) -> None:
        self.port = free_port()
        self.workers = workers
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        env.pop("COGITO_DB", None)
        beside = Path(sys.executable).with_name("cogito")
        command = [str(beside)] if beside.exists() else [sys.executable, "-m", "emulator"]
        self.proc = subprocess.Popen(
            [*command, "serve", "--port", str(self.port), "--db", db_url, "--workers", str(workers),
             "--log-level", "info"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env, cwd=str(ROOT),
        )
        self.log: list[str] = []
        self.ready = threading.Event()
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.log.append(line)
            if sum(READY in seen for seen in self.log) >= self.workers:
                self.ready.set()
        self.ready.set()

    def wait_ready(self) -> None:
        assert self.ready.wait(60), "cogito did not get ready:\n" + "".join(self.log)
        assert sum(READY in line for line in self.log) >= self.workers, "cogito exited:\n" + "".join(self.log)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()

    def worker_pids(self) -> list[int]:
        found = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    stat = Path(f"/proc/{entry}/stat").read_text()
                except OSError:
                    continue
                if int(stat.rsplit(")", 1)[1].split()[1]) == self.proc.pid:
                    found.append(int(entry))
        return found

    def connect(self) -> http.client.HTTPConnection:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        conn.connect()
        return conn


def holder(replica: Replica, conn: http.client.HTTPConnection, pids: list[int]) -> int | None:
    """The worker process holding the server end of ``conn`` (its socket inode, from /proc)."""
    assert conn.sock is not None
    client_port = conn.sock.getsockname()[1]
    inode = None
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].split(":")[1], 16) == replica.port and int(fields[2].split(":")[1], 16) == client_port:
            inode = fields[9]
    for pid in pids:
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(f"/proc/{pid}/fd/{fd}") == f"socket:[{inode}]":
                    return pid
            except OSError:
                continue
    return None


def one_connection_per_worker(replica: Replica) -> list[http.client.HTTPConnection]:
    """Kept-alive connections, one served by each worker (the kernel deals connections out)."""
    pids = replica.worker_pids()
    assert len(pids) == replica.workers
    chosen: dict[int, http.client.HTTPConnection] = {}
    for _ in range(64):
        conn = replica.connect()
        call(conn, "GET", "/_cogito/health")  # served: the worker's thread now holds the socket
        pid = holder(replica, conn, pids)
        if pid is not None and pid not in chosen:
            chosen[pid] = conn
        else:
            conn.close()
        if len(chosen) == replica.workers:
            return list(chosen.values())
    raise AssertionError(f"64 connections never reached every worker: {sorted(chosen)} of {pids}")


def call(conn: http.client.HTTPConnection, method: str, path: str, body: bytes | None = None,
         headers: dict[str, str] | None = None) -> tuple[int, Any]:
    conn.request(method, path, body=body, headers=headers or {})
    resp = conn.getresponse()
    data = resp.read()
    return resp.status, json.loads(data) if data else None


def api(conn: http.client.HTTPConnection, op: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    status, body = call(conn, "POST", "/", json.dumps(params).encode(), {
        "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": TARGET + op,
        "Authorization": "AWS4-HMAC-SHA256 Credential=k/20260101/eu-west-1/cognito-idp/aws4_request, "
                         "SignedHeaders=host, Signature=0",
    })
    return status, body


def ok(conn: http.client.HTTPConnection, op: str, params: dict[str, Any]) -> dict[str, Any]:
    status, body = api(conn, op, params)
    assert status == 200, (op, status, body)
    return body


def refused(conn: http.client.HTTPConnection, op: str, params: dict[str, Any]) -> tuple[str, str]:
    status, body = api(conn, op, params)
    assert status == 400, (op, status, body)
    return body["__type"], body["message"]


def prove_one_emulator(first: http.client.HTTPConnection, second: http.client.HTTPConnection) -> None:
    """Every check, going back and forth between two replicas (or workers)."""
    pool_id = ok(first, "CreateUserPool", {"PoolName": "replicas"})["UserPool"]["Id"]
    client_id = ok(second, "CreateUserPoolClient", {
        "UserPoolId": pool_id, "ClientName": "replicas",
        "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    })["UserPoolClient"]["ClientId"]
    ok(first, "AdminCreateUser", {"UserPoolId": pool_id, "Username": "ann", "MessageAction": "SUPPRESS",
                                  "UserAttributes": [{"Name": "email", "Value": "ann@example.com"}]})
    ok(second, "AdminSetUserPassword", {"UserPoolId": pool_id, "Username": "ann", "Password": PASSWORD,
                                        "Permanent": True})

    # One JWKS: the keys are made once (by whichever replica needs them first) and kept in the store.
    status, jwks_first = call(first, "GET", f"/{pool_id}/.well-known/jwks.json")
    assert status == 200
    status, jwks_second = call(second, "GET", f"/{pool_id}/.well-known/jwks.json")
    assert status == 200 and jwks_second == jwks_first and len(jwks_first["keys"]) == 2

    sign_in = {"ClientId": client_id, "AuthFlow": "USER_PASSWORD_AUTH",
               "AuthParameters": {"USERNAME": "ann", "PASSWORD": PASSWORD}}
    tokens = ok(first, "InitiateAuth", sign_in)["AuthenticationResult"]
    # Signed by the first, verified with the JWKS the second serves.
    keys = {key["kid"]: key for key in jwks_second["keys"]}
    for name in ("IdToken", "AccessToken"):
        kid = jwt.get_unverified_header(tokens[name])["kid"]
        jwt.decode(tokens[name], jwt.PyJWK(keys[kid]).key, algorithms=["RS256"],
                   options={"verify_aud": False, "verify_iss": False})
    assert ok(second, "GetUser", {"AccessToken": tokens["AccessToken"]})["Username"] == "ann"
    refresh = {"ClientId": client_id, "AuthFlow": "REFRESH_TOKEN_AUTH",
               "AuthParameters": {"REFRESH_TOKEN": tokens["RefreshToken"]}}
    assert ok(second, "InitiateAuth", refresh)["AuthenticationResult"]["AccessToken"]

    # RevokeToken through the second: the first refuses that sign-in's tokens.
    ok(second, "RevokeToken", {"ClientId": client_id, "Token": tokens["RefreshToken"]})
    assert refused(first, "GetUser", {"AccessToken": tokens["AccessToken"]}) == (
        "NotAuthorizedException", "Access Token has been revoked")
    assert refused(first, "InitiateAuth", refresh) == ("NotAuthorizedException", "Refresh Token has been revoked")

    # GlobalSignOut through the first: the second refuses every earlier sign-in.
    again = ok(second, "InitiateAuth", sign_in)["AuthenticationResult"]
    assert ok(first, "GetUser", {"AccessToken": again["AccessToken"]})["Username"] == "ann"
    ok(first, "GlobalSignOut", {"AccessToken": again["AccessToken"]})
    assert refused(second, "GetUser", {"AccessToken": again["AccessToken"]}) == (
        "NotAuthorizedException", "Access Token has been revoked")
    again_refresh = {**refresh, "AuthParameters": {"REFRESH_TOKEN": again["RefreshToken"]}}
    assert refused(second, "InitiateAuth", again_refresh) == (
        "NotAuthorizedException", "Refresh Token has been revoked")
    # ...and a sign-in made afterwards, through either, works everywhere.
    fresh = ok(second, "InitiateAuth", sign_in)["AuthenticationResult"]
    assert ok(first, "GetUser", {"AccessToken": fresh["AccessToken"]})["Username"] == "ann"


@pytest.fixture
def replicas() -> Iterator[list[Replica]]:
    started: list[Replica] = []
    yield started
    for replica in started:
        replica.stop()


def test_workers_on_one_sqlite_file_are_one_emulator(replicas: list[Replica], tmp_path: Path) -> None:
    replica = Replica(f"sqlite:///{tmp_path / 'shared.db'}", workers=2)
    replicas.append(replica)
    replica.wait_ready()
    first, second = one_connection_per_worker(replica)
    prove_one_emulator(first, second)


@pytest.mark.skipif(not os.environ.get("COGITO_TEST_DATABASE_URL"), reason="COGITO_TEST_DATABASE_URL is not set")
def test_processes_on_one_postgresql_are_one_emulator(replicas: list[Replica],
                                                      request: pytest.FixtureRequest) -> None:
    db_url = _private_schema(os.environ["COGITO_TEST_DATABASE_URL"], request)
    replicas.extend([Replica(db_url), Replica(db_url)])
    for replica in replicas:
        replica.wait_ready()
    first, second = (replica.connect() for replica in replicas)
    prove_one_emulator(first, second)
