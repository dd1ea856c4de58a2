"""The real `cogito serve` as a subprocess: health, persistence across restarts, reset, SIGTERM.

Readiness is read from the server's own log line ("Cogito ready on ..."), not guessed
with sleeps; the worker logs it once the store is open.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests
from botocore.config import Config

from emulator import __version__

ROOT = Path(__file__).resolve().parents[1]
READY = "Cogito ready on"


def cogito_command() -> list[str]:
    beside = Path(sys.executable).with_name("cogito")
    return [str(beside)] if beside.exists() else [sys.executable, "-m", "emulator"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def raw_exchange(port: int, data: bytes) -> bytes:
    """Send raw bytes, read until the server closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(data)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


class Cli:
    """One `cogito serve` process, its log drained by a thread."""

    def __init__(self, *args: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ, PYTHONPATH=str(ROOT))  # serve the tree under test
        env.pop("COGITO_DB", None)
        self.proc = subprocess.Popen(
            [*cogito_command(), "serve", "--port", str(self.port), "--log-level", "info", *args],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env, cwd=str(ROOT),
        )
        self.log: list[str] = []
        self.ready = threading.Event()
        self.reader = threading.Thread(target=self._drain, daemon=True)
        self.reader.start()

    def _drain(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.log.append(line)
            if READY in line:
                self.ready.set()
        self.ready.set()  # end of output: wake the waiter either way

    def wait_ready(self, timeout: float = 30) -> None:
        assert self.ready.wait(timeout), "cogito did not get ready in time:\n" + "".join(self.log)
        assert any(READY in line for line in self.log), "cogito exited before it was ready:\n" + "".join(self.log)

    def stop(self) -> int:
        """SIGTERM, then the exit status (the whole log is read by then)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=20)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
            self.reader.join(timeout=10)

    def idp(self) -> Any:
        return boto3.client("cognito-idp", endpoint_url=self.url, region_name="eu-west-1", aws_access_key_id="k",
                            aws_secret_access_key="s", config=Config(retries={"max_attempts": 1}))


@pytest.fixture
def start(tmp_path: Path) -> Iterator[Any]:
    started: list[Cli] = []

    def run(*args: str) -> Cli:
        cli = Cli(*args)
        started.append(cli)
        cli.wait_ready()
        return cli

    yield run
    for cli in started:
        cli.stop()


def test_health_persistence_reset_and_sigterm(start: Any, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'state.db'}"
    first = start("--db", db)
    health = requests.get(first.url + "/_cogito/health", timeout=10)
    assert health.status_code == 200
    assert health.json() == {"status": "ok", "version": __version__}

    garbled = raw_exchange(first.port, b"GARBAGE\r\n\r\n")  # not HTTP: gunicorn answers, as JSON
    assert garbled.startswith(b"HTTP/1.1 400 ")
    assert b"application/json" in garbled and b"<html" not in garbled.lower()
    assert json.loads(garbled.split(b"\r\n\r\n", 1)[1])["__type"] == "BadRequest"

    pool = first.idp().create_user_pool(PoolName="kept")["UserPool"]
    assert first.stop() == 0  # SIGTERM: a clean, zero exit
    assert "Shutting down" in "".join(first.log)
    assert "Traceback" not in "".join(first.log)

    second = start("--db", db)
    idp = second.idp()
    assert idp.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]["Name"] == "kept"

    reset = requests.post(second.url + "/_cogito/reset", timeout=10)
    assert reset.status_code == 200
    assert idp.list_user_pools(MaxResults=60)["UserPools"] == []
    with pytest.raises(idp.exceptions.ResourceNotFoundException):
        idp.describe_user_pool(UserPoolId=pool["Id"])
    assert second.stop() == 0


@pytest.mark.parametrize(
    ("args", "complaint"),
    [
        (["--db", "sqlite://", "--workers", "2"], "in-memory database lives in one process"),
        (["--db", "mysql://localhost/x"], "unsupported database URL"),
        (["--log-level", "loud"], "unknown log level"),
    ],
)
def test_bad_settings_are_refused_before_serving(args: list[str], complaint: str) -> None:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run([*cogito_command(), "serve", "--port", str(free_port()), *args], env=env,
                          capture_output=True, text=True, timeout=60, cwd=str(ROOT))
    assert done.returncode == 2
    assert complaint in done.stderr
    assert "Traceback" not in done.stderr


def test_start_up_stays_light(tmp_path: Path) -> None:
    """botocore is read as data, never imported; handler modules wait for their first call."""
    code = """
import json, sys
from emulator.app import create_app
from emulator.settings import Settings
app = create_app(Settings(db_url="sqlite://", log_level="warning"))
at_start = sorted(m for m in sys.modules if m.startswith("emulator.userpool.handlers"))
resp = app.test_client().post("/", data='{"MaxResults": 1}', headers={
    "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "AWSCognitoIdentityProviderService.ListUserPools"})
heavy = sorted({m.split(".")[0] for m in sys.modules} & {"botocore", "boto3"})
print(json.dumps({"status": resp.status_code, "at_start": at_start, "heavy": heavy}))
"""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report == {"status": 200, "at_start": [], "heavy": []}
