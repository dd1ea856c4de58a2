"""Fuzz the real server: ≥10,000 generated requests, then check that none broke it.

Requests come from botocore's models for every operation of cognito-idp, cognito-identity
(JSON 1.1) and STS (Query protocol) — missing and extra members, wrong types, lengths and
numbers out of range, pattern and enum violations, huge and unicode strings (NUL, lone
surrogates, RTL, emoji), nulls, deep nesting — plus non-JSON bodies, wrong or missing
X-Amz-Target/Content-Type, the OAuth endpoints and Hosted UI forms, and valid-looking calls
against real resources (a pool, clients, a user with tokens, a group, a domain, an identity
pool and identity), re-created every ``--round`` requests since fuzzed calls delete them.

Goal: no status ≥ 500 except 501 NotImplementedException for unimplemented operations, no
HTML from the API or JSON endpoints, no traceback in any body or in the server's log, and
the server healthy at the end (``/_cogito/health?deep=1`` and a real call).

    .venv/bin/python bench/fuzz.py [--count 12000] [--seed 1] [--threads 4] [--db postgresql://...]

Without ``--url`` it starts ``cogito serve`` on a temporary SQLite file (or ``--db``).
Exit status 1 when any goal is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import requests  # noqa: E402

from fuzz_cases import JSON_TYPE, TARGET_PREFIX, Case, Generator, Models  # noqa: E402

PASSWORD = "Fuzz-Passw0rd!"
TRACEBACK_MARKERS = ("Traceback (most recent call last)", 'File "/', "sqlalchemy.exc", "psycopg.")


def call(session: requests.Session, url: str, service: str, op: str, body: dict[str, Any]) -> dict[str, Any]:
    """One JSON 1.1 call that must succeed (resource set-up)."""
    resp = session.post(url + "/", data=json.dumps(body), timeout=60,
                        headers={"Content-Type": JSON_TYPE, "X-Amz-Target": f"{TARGET_PREFIX[service]}.{op}"})
    if resp.status_code != 200:
        raise RuntimeError(f"set-up {op} failed: {resp.status_code} {resp.text[:300]}")
    return resp.json()


def make_resources(url: str) -> dict[str, Any]:
    """A pool with clients, a signed-in user in a group, a domain and an identity pool with an identity."""
    s = requests.Session()
    idp = lambda op, body: call(s, url, "cognito-idp", op, body)  # noqa: E731
    tag = uuid.uuid4().hex[:8]
    pool = idp("CreateUserPool", {"PoolName": f"fuzz-{tag}", "AutoVerifiedAttributes": ["email"]})["UserPool"]
    pool_id = pool["Id"]
    flows = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH",
             "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_CUSTOM_AUTH"]
    client = idp("CreateUserPoolClient", {"UserPoolId": pool_id, "ClientName": "api", "ExplicitAuthFlows": flows})
    client_id = client["UserPoolClient"]["ClientId"]
    idp("CreateUserPoolDomain", {"UserPoolId": pool_id, "Domain": f"fuzz-{tag}"})
    web = idp("CreateUserPoolClient", {
        "UserPoolId": pool_id, "ClientName": "web", "ExplicitAuthFlows": flows, "AllowedOAuthFlowsUserPoolClient": True,
        "AllowedOAuthFlows": ["code", "implicit"], "AllowedOAuthScopes": ["openid", "email", "profile"],
        "CallbackURLs": ["http://localhost/cb"], "LogoutURLs": ["http://localhost/out"],
        "SupportedIdentityProviders": ["COGNITO"]})["UserPoolClient"]["ClientId"]
    username = f"fuzzer-{tag}"
    idp("AdminCreateUser", {"UserPoolId": pool_id, "Username": username, "MessageAction": "SUPPRESS",
                            "UserAttributes": [{"Name": "email", "Value": f"{tag}@example.com"},
                                               {"Name": "email_verified", "Value": "true"}]})
    idp("AdminSetUserPassword", {"UserPoolId": pool_id, "Username": username, "Password": PASSWORD, "Permanent": True})
    idp("CreateGroup", {"UserPoolId": pool_id, "GroupName": "fuzzers"})
    idp("AdminAddUserToGroup", {"UserPoolId": pool_id, "Username": username, "GroupName": "fuzzers"})
    tokens = idp("InitiateAuth", {"ClientId": client_id, "AuthFlow": "USER_PASSWORD_AUTH",
                                  "AuthParameters": {"USERNAME": username, "PASSWORD": PASSWORD}})["AuthenticationResult"]
    provider = f"cognito-idp.{pool_id.split('_')[0]}.amazonaws.com/{pool_id}"
    ipool = call(s, url, "cognito-identity", "CreateIdentityPool", {
        "IdentityPoolName": f"fuzz{tag}", "AllowUnauthenticatedIdentities": True,
        "CognitoIdentityProviders": [{"ProviderName": provider, "ClientId": client_id}]})["IdentityPoolId"]
    call(s, url, "cognito-identity", "SetIdentityPoolRoles", {"IdentityPoolId": ipool, "Roles": {
        "authenticated": "arn:aws:iam::123456789012:role/fuzz-auth",
        "unauthenticated": "arn:aws:iam::123456789012:role/fuzz-unauth"}})
    identity_id = call(s, url, "cognito-identity", "GetId", {"IdentityPoolId": ipool,
                                                             "Logins": {provider: tokens["IdToken"]}})["IdentityId"]
    return {
        "UserPoolId": pool_id, "ClientId": client_id, "WebClientId": web, "Username": username, "Password": PASSWORD,
        "PreviousPassword": PASSWORD, "ProposedPassword": PASSWORD + "2", "GroupName": "fuzzers",
        "AccessToken": tokens["AccessToken"], "IdToken": tokens["IdToken"], "RefreshToken": tokens["RefreshToken"],
        "Token": tokens["RefreshToken"], "Domain": f"fuzz-{tag}", "IdentityPoolId": ipool, "IdentityId": identity_id,
        "LoginKey": provider, "ResourceArn": pool["Arn"], "RoleArn": "arn:aws:iam::123456789012:role/fuzz-auth",
        "IdentityPoolName": f"fuzz{tag}", "PoolName": f"fuzz-{tag}-b", "ClientName": "fuzzed",
    }


@dataclass
class Report:
    total: int = 0
    by_status: Counter = field(default_factory=Counter)
    by_surface: Counter = field(default_factory=Counter)
    by_kind: Counter = field(default_factory=Counter)
    not_implemented: Counter = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)
    failed_cases: list[Case] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, case: Case, status: int, problem: str | None) -> None:
        with self.lock:
            self.total += 1
            self.by_status[status] += 1
            self.by_surface[case.surface] += 1
            self.by_kind[case.kind] += 1
            if status == 501 and problem is None:
                self.not_implemented[case.target] += 1
            if problem:
                self.problems.append(f"{case.target} [{case.kind}] -> {status}: {problem}")
                self.failed_cases.append(case)


def judge(case: Case, status: int, content_type: str, body: bytes) -> str | None:
    """What is wrong with this answer, if anything."""
    text = body[:200_000].decode("utf-8", "replace")
    if any(marker in text for marker in TRACEBACK_MARKERS):
        return "traceback in the body: " + text[:200]
    api = case.surface in ("json", "query")
    parsed: Any = None
    if content_type.startswith(("application/json", JSON_TYPE)):
        try:
            parsed = json.loads(body) if body else None
        except ValueError:
            return "a JSON content type with a body that is not JSON"
    if status == 501:
        code = parsed.get("__type") if isinstance(parsed, dict) else None
        if api and (code == "NotImplementedException" or b"<Code>NotImplementedException</Code>" in body):
            return None
        return f"501 that is not NotImplementedException: {text[:200]}"
    if status >= 500:
        return f"server error: {text[:300]}"
    if body.strip() and ("html" in content_type or text.lstrip()[:15].lower().startswith(("<!doctype", "<html"))):
        if api or case.expect_json:
            return "HTML from an API or JSON endpoint: " + text[:200]
        return None
    if api and status >= 400:
        if case.surface == "json" or content_type.startswith(("application/json", JSON_TYPE)):
            if not (isinstance(parsed, dict) and isinstance(parsed.get("__type"), str)):
                return "an error without a JSON __type: " + text[:200]
        elif not (content_type.startswith("text/xml") and "<ErrorResponse" in text):
            return f"an STS error that is neither JSON nor XML ({content_type}): {text[:200]}"
    if case.expect_json and status >= 400 and body and parsed is None:
        return f"a JSON endpoint answered {content_type or 'no content type'}: {text[:200]}"
    return None


def send(session: requests.Session, url: str, case: Case, report: Report) -> None:
    try:
        resp = session.request(case.method, url + case.path, data=case.body or None, headers=case.headers,
                               timeout=120, allow_redirects=False)
    except requests.ConnectionError as exc:
        # A client still sending an over-large body may see the server's early 413 as a reset.
        if len(case.body) > 16 * 1024 * 1024:
            report.add(case, 413, None)
            return
        report.add(case, 0, f"no response: {exc}")
        return
    report.add(case, resp.status_code, judge(case, resp.status_code, resp.headers.get("Content-Type", ""),
                                             resp.content))


def run(url: str, count: int, seed: int, threads: int = 4, round_size: int = 2000,
        oversize: bool = True) -> Report:
    """Generate and send ``count`` requests in rounds (fresh resources each round)."""
    rng = random.Random(seed)
    models = Models()
    report = Report()
    local = threading.local()

    def session() -> requests.Session:
        if not hasattr(local, "s"):
            local.s = requests.Session()
        return local.s

    sent = 0
    with ThreadPoolExecutor(threads) as pool:
        while sent < count:
            env = make_resources(url)
            rare = set(report.not_implemented)
            cases = Generator(rng, env, models, rare).generate(min(round_size, count - sent))
            if oversize and sent == 0:
                cases.append(Case("huge", "cognito-idp:ListUserPools", "json", "POST", "/",
                                  {"Content-Type": JSON_TYPE, "X-Amz-Target": f"{TARGET_PREFIX['cognito-idp']}.ListUserPools"},
                                  b'{"MaxResults":1,"NextToken":"' + b"a" * (17 * 1024 * 1024) + b'"}'))
            list(pool.map(lambda c: send(session(), url, c, report), cases))
            sent += len(cases)
    return report


def healthy(url: str) -> str | None:
    """None when the server still answers its deep health check and a real call."""
    try:
        deep = requests.get(url + "/_cogito/health?deep=1", timeout=30)
        if deep.status_code != 200:
            return f"deep health {deep.status_code}: {deep.text[:300]}"
        make_resources(url)
    except Exception as exc:  # noqa: BLE001 - any failure is the finding
        return f"{type(exc).__name__}: {exc}"
    return None


def summary(report: Report, elapsed: float, health: str | None, log_problems: list[str]) -> str:
    lines = [f"requests: {report.total} in {elapsed:.1f} s ({report.total / max(elapsed, 1e-9):.0f}/s)",
             "by status: " + ", ".join(f"{k}={v}" for k, v in sorted(report.by_status.items())),
             "by surface: " + ", ".join(f"{k}={v}" for k, v in sorted(report.by_surface.items())),
             "by kind: " + ", ".join(f"{k}={v}" for k, v in sorted(report.by_kind.items())),
             f"501 NotImplementedException: {sum(report.not_implemented.values())} requests to "
             f"{len(report.not_implemented)} unimplemented operations",
             f"problems: {len(report.problems)}"]
    lines += ["  " + p[:400] for p in report.problems[:40]]
    lines.append(f"server log tracebacks/errors: {len(log_problems)}")
    lines += ["  " + p[:400] for p in log_problems[:10]]
    lines.append("server healthy afterwards: " + ("yes" if health is None else f"NO ({health})"))
    return "\n".join(lines)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(db_url: str, log_path: str) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    cogito = Path(sys.executable).with_name("cogito")
    command = [str(cogito)] if cogito.exists() else [sys.executable, "-m", "emulator"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("COGITO_")}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[1])
    log = open(log_path, "wb")  # noqa: SIM115 - closed with the process
    proc = subprocess.Popen([*command, "serve", "--port", str(port), "--db", db_url, "--log-level", "warning"],
                            stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(url + "/_cogito/health", timeout=2).status_code == 200:
                return proc, url
        except requests.ConnectionError:
            time.sleep(0.1)
    os.killpg(proc.pid, signal.SIGKILL)
    raise SystemExit("cogito did not start:\n" + Path(log_path).read_text(errors="replace"))


def private_schema(db_url: str) -> tuple[str, Any]:
    """A PostgreSQL URL whose tables live in a fresh schema (dropped afterwards); others as given."""
    if not db_url.startswith(("postgres://", "postgresql://")):
        return db_url, None
    import psycopg

    schema = f"cogito_fuzz_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")

    def drop() -> None:
        with psycopg.connect(db_url, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")

    joiner = "&" if "?" in db_url else "?"
    return f"{db_url}{joiner}options=-csearch_path%3D{schema}", drop


def log_problems(text: str) -> list[str]:
    return [line for line in text.splitlines() if "Traceback" in line or "internal error" in line
            or "unhandled error" in line or "[ERROR]" in line or "CRITICAL" in line]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=12_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--round", type=int, default=2000, help="requests per set of fresh resources")
    parser.add_argument("--db", help="database URL for the server (default: a temporary SQLite file)")
    parser.add_argument("--url", help="fuzz a server that is already running instead")
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="cogito-fuzz-")
    log_path = os.path.join(workdir, "server.log")
    proc = None
    url = args.url
    db_url, drop = private_schema(args.db) if args.db else (f"sqlite:///{workdir}/fuzz.db", None)
    if url is None:
        proc, url = start_server(db_url, log_path)
    try:
        started = time.perf_counter()
        report = run(url, args.count, args.seed, args.threads, args.round)
        elapsed = time.perf_counter() - started
        health = healthy(url)
        alive = proc is None or proc.poll() is None
        if not alive:
            health = f"server process exited with {proc.returncode if proc else '?'}"
    finally:
        if proc is not None:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(15)
        if drop is not None:
            drop()
    logged = log_problems(Path(log_path).read_text(errors="replace")) if proc is not None else []
    print(f"server: {'cogito serve --db ' + (args.db or 'sqlite (temporary file)') if proc else url}, seed {args.seed}")
    print(summary(report, elapsed, health, logged))
    if report.failed_cases:
        dump = os.path.join(workdir, "failed.jsonl")
        with open(dump, "w") as out:
            for case in report.failed_cases:
                out.write(json.dumps({"target": case.target, "kind": case.kind, "method": case.method, "path": case.path,
                                      "headers": case.headers, "body": case.body[:4000].decode("latin-1")}) + "\n")
        print(f"failed requests (first 4,000 body bytes): {dump}; server log: {log_path}")
    failed = report.problems or health is not None or logged or report.total < args.count
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
