"""Crashes: every acknowledged write survives ``kill -9`` of the real server, on the default SQLite file.

The store is SQLite in WAL mode with ``synchronous=NORMAL`` (emulator/store/engine.py): a
commit returns once its pages are written to the WAL, which the operating system then holds,
so the death of the process loses nothing it acknowledged; only a power cut or an OS crash
could lose the last transactions (FULL would fsync every commit to survive those too, at a
cost an emulator does not need). This test is the proof for the process part.

Clients (one per thread, each owning its users) run AdminCreateUser, AdminSetUserPassword,
sign-ins and group changes against ``cogito serve`` started with no ``--db`` (the default
``.cogito/cogito.db`` under its working directory), recording every write the server answered
200 to. When enough are recorded, the whole process group (gunicorn master and workers) gets
SIGKILL while calls are still in flight. Then the file must pass ``PRAGMA integrity_check``,
and a restarted server must show every recorded write. A call in flight at the kill (no answer,
or an answer cut off after its headers) may land either way; only its own effect is left
unjudged. Twice: one worker, then two.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError

from tests.test_cli import ROOT, cogito_command, free_port

PASSWORD = "Durable-passw0rd!"
READY = "Cogito ready on"
THREADS = 6
KILL_AFTER = 240  # acknowledged writes before the kill (of each run)


class Server:
    """``cogito serve`` in a process group of its own, so master and workers die together."""

    def __init__(self, workdir: Path, *args: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith("COGITO_")}
        env["PYTHONPATH"] = str(ROOT)
        self.proc = subprocess.Popen(
            [*cogito_command(), "serve", "--port", str(self.port), "--log-level", "info", *args],
            cwd=str(workdir), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
            start_new_session=True,
        )
        self.log: list[str] = []
        self.ready = threading.Event()
        threading.Thread(target=self._drain, daemon=True).start()
        assert self.ready.wait(60), "cogito did not start:\n" + "".join(self.log)
        assert any(READY in line for line in self.log), "cogito exited:\n" + "".join(self.log)

    def _drain(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.log.append(line)
            if READY in line:
                self.ready.set()
        self.ready.set()

    def idp(self) -> Any:
        return boto3.client("cognito-idp", endpoint_url=self.url, region_name="eu-west-1", aws_access_key_id="k",
                            aws_secret_access_key="s",
                            config=Config(retries={"max_attempts": 1}, connect_timeout=5, read_timeout=30))

    def kill(self) -> None:
        os.killpg(self.proc.pid, signal.SIGKILL)  # the group: gunicorn master and every worker
        self.proc.wait(30)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)


@dataclass
class Ledger:
    """What the server acknowledged, and what was in flight when it died."""

    users: set[str] = field(default_factory=set)
    passwords: set[str] = field(default_factory=set)  # users whose permanent password was acknowledged
    refresh: dict[str, str] = field(default_factory=dict)  # user -> refresh token of an acknowledged sign-in
    member: dict[str, bool] = field(default_factory=dict)  # user -> in the group after the last acknowledged change
    in_flight: dict[str, str] = field(default_factory=dict)  # user -> the write that got no answer
    refused: list[str] = field(default_factory=list)  # answers that were errors (none expected)
    lock: threading.Lock = field(default_factory=threading.Lock)
    acknowledged: int = 0
    enough: threading.Event = field(default_factory=threading.Event)

    def ack(self) -> None:
        with self.lock:
            self.acknowledged += 1
            if self.acknowledged >= KILL_AFTER:
                self.enough.set()


def _refresh_token(answer: dict[str, Any]) -> str:
    """The refresh token of a sign-in that must succeed at once (no challenge).

    A kill between the answer's headers and its body leaves botocore an empty body, parsed as {}:
    the sign-in committed (answers go out after the commit) but its tokens never arrived.
    """
    if "AuthenticationResult" not in answer:
        raise AssertionError(f"no tokens in the answer: {answer}")
    return answer["AuthenticationResult"]["RefreshToken"]


def load(server: Server, pool_id: str, client_id: str, prefix: str, ledger: Ledger) -> None:
    """Write until the server is gone: each thread creates its own users and changes them in turn."""
    stop = threading.Event()
    killed = threading.Event()

    def worker(n: int) -> None:
        idp = server.idp()
        i = 0
        while not stop.is_set():
            user = f"{prefix}-{n}-{i}"
            i += 1
            steps = [
                ("create", lambda: idp.admin_create_user(UserPoolId=pool_id, Username=user,
                                                         MessageAction="SUPPRESS")["User"]),
                ("password", lambda: idp.admin_set_user_password(UserPoolId=pool_id, Username=user,
                                                                Password=PASSWORD, Permanent=True)),
                ("sign-in", lambda: _refresh_token(idp.initiate_auth(
                    ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                    AuthParameters={"USERNAME": user, "PASSWORD": PASSWORD}))),
                ("join", lambda: idp.admin_add_user_to_group(UserPoolId=pool_id, Username=user, GroupName="crew")),
            ]
            if i % 3 == 0:
                steps.append(("leave", lambda: idp.admin_remove_user_from_group(UserPoolId=pool_id, Username=user,
                                                                               GroupName="crew")))
            for name, call in steps:
                try:
                    result = call()
                except Exception as exc:  # noqa: BLE001 - sorted below
                    with ledger.lock:
                        if isinstance(exc, (BotoCoreError, OSError)) or killed.is_set():
                            ledger.in_flight[user] = name  # no (whole) answer: the server died mid-call
                        else:  # an answer, but not the expected one
                            ledger.refused.append(f"{name} of {user}: {exc!r}")
                    stop.set()
                    return
                with ledger.lock:
                    if name == "create":
                        ledger.users.add(user)
                    elif name == "password":
                        ledger.passwords.add(user)
                    elif name == "sign-in":
                        ledger.refresh[user] = result
                    else:
                        ledger.member[user] = name == "join"
                ledger.ack()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    assert ledger.enough.wait(120), f"only {ledger.acknowledged} writes acknowledged"
    killed.set()
    server.kill()  # while the workers are still calling
    for t in threads:
        t.join(60)
    stop.set()


def integrity(db: Path) -> str:
    """SQLite's own check of the file the killed server left (the WAL is recovered on open)."""
    conn = sqlite3.connect(db)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


def verify(server: Server, pool_id: str, client_id: str, ledger: Ledger) -> None:
    idp = server.idp()
    listed: set[str] = set()
    token = None
    while True:
        page = idp.list_users(UserPoolId=pool_id, **({"PaginationToken": token} if token else {}))
        listed |= {u["Username"] for u in page["Users"]}
        token = page.get("PaginationToken")
        if not token:
            break
    assert ledger.users <= listed, f"lost users: {sorted(ledger.users - listed)[:5]}"
    for user in ledger.passwords:
        assert idp.admin_get_user(UserPoolId=pool_id, Username=user)["UserStatus"] == "CONFIRMED", user
    for user, refresh in ledger.refresh.items():
        result = idp.initiate_auth(ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                                   AuthParameters={"REFRESH_TOKEN": refresh})["AuthenticationResult"]
        assert result["AccessToken"]
    in_group: set[str] = set()
    token = None
    while True:
        page = idp.list_users_in_group(UserPoolId=pool_id, GroupName="crew", **({"NextToken": token} if token else {}))
        in_group |= {u["Username"] for u in page["Users"]}
        token = page.get("NextToken")
        if not token:
            break
    for user, member in ledger.member.items():
        if ledger.in_flight.get(user) in ("join", "leave"):
            continue  # the unanswered change may or may not have landed
        assert (user in in_group) == member, (user, member)


def test_acknowledged_writes_survive_kill_9(tmp_path: Path) -> None:
    workdir = tmp_path
    db = workdir / ".cogito" / "cogito.db"
    first = Server(workdir)  # no --db: the default file
    try:
        idp = first.idp()
        pool_id = idp.create_user_pool(PoolName="durable")["UserPool"]["Id"]
        client_id = idp.create_user_pool_client(UserPoolId=pool_id, ClientName="c", ExplicitAuthFlows=[
            "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])["UserPoolClient"]["ClientId"]
        idp.create_group(UserPoolId=pool_id, GroupName="crew")
        ledger = Ledger()
        load(first, pool_id, client_id, "a", ledger)
    finally:
        first.stop()
    assert ledger.refused == []
    assert db.exists() and first.proc.returncode == -signal.SIGKILL
    journal = sqlite3.connect(db).execute("PRAGMA journal_mode").fetchone()[0]
    assert journal == "wal"
    assert integrity(db) == "ok"

    second = Server(workdir, "--workers", "2")  # the same file, now with two writer processes
    try:
        verify(second, pool_id, client_id, ledger)
        ledger.enough.clear()
        ledger.acknowledged = 0
        load(second, pool_id, client_id, "b", ledger)
    finally:
        second.stop()
    assert ledger.refused == []
    assert integrity(db) == "ok"

    third = Server(workdir)
    try:
        verify(third, pool_id, client_id, ledger)
        assert len(ledger.users) >= 2 * KILL_AFTER // 5  # both runs wrote a fair number of users
        print(f"acknowledged and found after two kill -9: {len(ledger.users)} users, {len(ledger.passwords)} "
              f"passwords, {len(ledger.refresh)} sign-ins, {len(ledger.member)} group changes; "
              f"in flight at the kills: {sorted(ledger.in_flight.values())}")
    finally:
        third.stop()
    assert "Traceback" not in "".join(first.log + second.log + third.log)
