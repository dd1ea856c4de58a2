"""The user directory at scale: creation rate at 1k and at 100k users, ListUsers page times.

Starts the real CLI (``cogito serve``) on a free port against a fresh database, creates
users over the wire with AdminCreateUser (MessageAction=SUPPRESS) from several client
threads, and times:

- the creation rate for the first 1,000 users and again for the last 1,000 (N-1000..N);
  every user in between is created the same way, through the API (no bulk seeding);
  then, as a control, 1,000 users into an empty pool at that same moment, so a change
  caused by the machine's load (other processes) is not mistaken for one caused by scale;
- ListUsers pages at N users: ``email = "..."`` (exact), ``email ^= "..."`` (prefix, full
  page), and the unfiltered list walked page by page with PaginationToken.

Page times are measured by the client over a kept-alive HTTP connection with a minimal
JSON 1.1 request (no SigV4 signing), so they are the server's time plus the loopback.

    .venv/bin/python bench/directory.py                 # 100,000 users on SQLite
    .venv/bin/python bench/directory.py --users 5000
    .venv/bin/python bench/directory.py --db postgresql://postgres@127.0.0.1:5432/bench
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
CLI = ROOT / ".venv" / "bin" / "cogito"
TARGET = "AWSCognitoIdentityProviderService."
HEADERS = {"Content-Type": "application/x-amz-json-1.1"}
# Fake credentials in the shape SigV4 expects: the server reads the region from the scope.
AUTH = "AWS4-HMAC-SHA256 Credential=test/20260101/eu-west-1/cognito-idp/aws4_request, SignedHeaders=host, Signature=0"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def cogito(db_url: str, threads: int) -> Iterator[str]:
    """``cogito serve`` on a free port until the block ends; yields its base URL."""
    port = free_port()
    cmd = [str(CLI), "serve", "--port", str(port), "--db", db_url, "--threads", str(threads), "--log-level", "warning"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get(f"{url}/_cogito/health", timeout=1).ok:
                    break
            except requests.RequestException:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"cogito did not start: {proc.stderr.read().decode() if proc.stderr else ''}")
            time.sleep(0.1)
        yield url
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


class Api:
    """A minimal JSON 1.1 client on one kept-alive connection (one per thread)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.session = requests.Session()

    def call(self, op: str, body: dict[str, Any]) -> dict[str, Any]:
        resp = self.session.post(self.url, data=json.dumps(body),
                                 headers={**HEADERS, "X-Amz-Target": TARGET + op, "Authorization": AUTH})
        if resp.status_code != 200:
            raise RuntimeError(f"{op} failed: {resp.status_code} {resp.text}")
        return resp.json()  # type: ignore[no-any-return]


def user_body(pool_id: str, i: int) -> dict[str, Any]:
    return {
        "UserPoolId": pool_id, "Username": f"user{i:06d}", "MessageAction": "SUPPRESS",
        "UserAttributes": [
            {"Name": "email", "Value": f"user{i}@example{i % 10}.com"},
            {"Name": "given_name", "Value": f"Given{i % 997}"},
            {"Name": "family_name", "Value": f"Family{i % 991}"},
        ],
    }


def create_users(url: str, pool_id: str, start: int, stop: int, threads: int) -> float:
    """Create users ``start..stop-1`` from ``threads`` client threads; returns users per second."""
    lock = threading.Lock()
    cursor = [start]
    errors: list[str] = []

    def work() -> None:
        api = Api(url)
        while True:
            with lock:
                i = cursor[0]
                if i >= stop or errors:
                    return
                cursor[0] += 1
            try:
                api.call("AdminCreateUser", user_body(pool_id, i))
            except Exception as exc:  # noqa: BLE001 - reported once below
                errors.append(str(exc))
                return

    began = time.perf_counter()
    workers = [threading.Thread(target=work) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    if errors:
        raise SystemExit(errors[0])
    return (stop - start) / (time.perf_counter() - began)


def timed(api: Api, op: str, body: dict[str, Any]) -> tuple[float, dict[str, Any]]:
    began = time.perf_counter()
    result = api.call(op, body)
    return (time.perf_counter() - began) * 1000, result


def page_times(url: str, pool_id: str, users: int, samples: int) -> dict[str, list[float]]:
    """Milliseconds per ListUsers page for each kind of query, taken in turn (so load spikes hit all)."""
    api = Api(url)
    rng = random.Random(7)
    api.call("ListUsers", {"UserPoolId": pool_id, "Limit": 1})  # warm the connection and caches
    kinds = ("email = (exact)", "email ^= (prefix), 1st page", "email ^= (prefix), paged", "unfiltered, paged")
    times: dict[str, list[float]] = {k: [] for k in kinds}
    walks: dict[str, dict[str, Any]] = {
        "email ^= (prefix), paged": {"UserPoolId": pool_id, "Filter": 'email ^= "user1"', "Limit": 60},
        "unfiltered, paged": {"UserPoolId": pool_id, "Limit": 60},
    }
    seen: dict[str, set[str]] = {k: set() for k in walks}
    for _ in range(samples):
        i = rng.randrange(users)
        ms, got = timed(api, "ListUsers", {"UserPoolId": pool_id, "Filter": f'email = "user{i}@example{i % 10}.com"'})
        assert [u["Username"] for u in got["Users"]] == [f"user{i:06d}"], got
        times["email = (exact)"].append(ms)
        prefix = f"user{rng.randrange(10, 100)}"  # matches >= 1,000 users at 100k: a full page
        ms, got = timed(api, "ListUsers", {"UserPoolId": pool_id, "Filter": f'email ^= "{prefix}"', "Limit": 60})
        assert got["Users"] and all(
            a["Value"].startswith(prefix) for u in got["Users"] for a in u["Attributes"] if a["Name"] == "email"
        )
        times["email ^= (prefix), 1st page"].append(ms)
        for kind, body in walks.items():
            if body.get("done"):
                continue
            ms, got = timed(api, "ListUsers", body)
            times[kind].append(ms)
            names = {u["Username"] for u in got["Users"]}
            assert not names & seen[kind], "a user repeated across pages"
            seen[kind] |= names
            if "PaginationToken" in got:
                body["PaginationToken"] = got["PaginationToken"]
            else:
                body["done"] = True
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100_000, help="users to create (default 100,000)")
    parser.add_argument("--db", help="database URL (default: a fresh SQLite file in a temporary directory)")
    parser.add_argument("--threads", type=int, default=8, help="client threads creating users (default 8)")
    parser.add_argument("--server-threads", type=int, default=8, help="cogito serve --threads (default 8)")
    parser.add_argument("--samples", type=int, default=200, help="ListUsers calls timed per kind (default 200)")
    args = parser.parse_args(argv)
    # The server runs in its own session: turn SIGTERM into an exit so it is stopped too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    window = min(1000, args.users // 2)

    with tempfile.TemporaryDirectory(prefix="cogito-bench-") as tmp:
        db_url = args.db or f"sqlite:///{os.path.join(tmp, 'bench.db')}"
        with cogito(db_url, args.server_threads) as url:
            api = Api(url)
            # Warm up (imports, connections, caches) in a throwaway pool before anything is timed.
            scratch = api.call("CreateUserPool", {"PoolName": "bench-warm-up"})["UserPool"]["Id"]
            create_users(url, scratch, 0, 200, args.threads)
            api.call("DeleteUserPool", {"UserPoolId": scratch})
            pool_id = api.call("CreateUserPool", {"PoolName": f"bench-{int(time.time())}"})["UserPool"]["Id"]
            print(f"cogito at {url}, database {db_url.split('@')[-1]}, pool {pool_id}", flush=True)
            began = time.perf_counter()
            first = create_users(url, pool_id, 0, window, args.threads)
            print(f"  first {window:,} users: {first:,.0f}/s", flush=True)
            step = max(window, (args.users - 2 * window) // 10 or window)
            for start in range(window, args.users - window, step):
                stop = min(start + step, args.users - window)
                rate = create_users(url, pool_id, start, stop, args.threads)
                print(f"  users {start:,}..{stop:,}: {rate:,.0f}/s", flush=True)
            last = create_users(url, pool_id, args.users - window, args.users, args.threads)
            print(f"  last {window:,} users: {last:,.0f}/s; all {args.users:,} in {time.perf_counter() - began:,.0f} s",
                  flush=True)
            # Control: 1,000 users into an empty pool now, under the machine's current load, so
            # a change between the two windows can be told apart from the load changing.
            control_pool = api.call("CreateUserPool", {"PoolName": "bench-control"})["UserPool"]["Id"]
            control = create_users(url, control_pool, 0, window, args.threads)
            print(f"  control, {window:,} users into an empty pool now: {control:,.0f}/s", flush=True)
            times = page_times(url, pool_id, args.users, args.samples)
            for done in (pool_id, control_pool):
                api.call("DeleteUserPool", {"UserPoolId": done})

    print()
    print(f"{'measure':<40}{'value':>14}")
    print("-" * 54)
    print(f"{f'AdminCreateUser, users 0..{window:,}':<40}{first:>12,.0f}/s")
    print(f"{f'AdminCreateUser, users {args.users - window:,}..{args.users:,}':<40}{last:>12,.0f}/s")
    print(f"{'  change':<40}{(last / first - 1) * 100:>+13.1f}%")
    print(f"{'  control: empty pool, same moment':<40}{control:>12,.0f}/s")
    print(f"{'  last window vs control':<40}{(last / control - 1) * 100:>+13.1f}%")
    for name, values in times.items():
        values.sort()
        p95 = values[min(len(values) - 1, int(len(values) * 0.95))]
        label = f"ListUsers {name}"
        print(f"{label:<40}{statistics.median(values):>9.2f} ms  (p95 {p95:.2f} ms, n={len(values)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
