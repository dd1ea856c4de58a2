"""Sign-in throughput: Cogito (the real CLI, a temporary SQLite file) against moto's server.

Both servers get the same pool, client and user, then the same fixed number of calls of
each kind, sent over keep-alive HTTP connections with pre-built bodies (these operations
are unsigned in the service model, so no SigV4 is needed), and the requests per second
of each are printed with the ratio Cogito/moto, beside the server CPU time per request
(the server process and its children, from /proc):

- InitiateAuth USER_PASSWORD_AUTH, one thread, then 8 threads;
- GetUser with the access token (every check Cogito does on it included);
- InitiateAuth REFRESH_TOKEN_AUTH.

Goals (issue 4): InitiateAuth >= 1.5x moto single-threaded and >= 2x with 8 threads;
GetUser >= 2x moto. moto comes from the ``bench`` extra: ``pip install -e '.[bench]'``.

    .venv/bin/python bench/auth.py [--count 400] [--threads 8] [--rounds 3] [--workers 1] [--only cogito|moto]

On a shared machine the servers take turns within each round and the best round counts;
the CPU-per-request ratio is the steadier figure when other work competes for the cores.
The load generator runs on the same machine. Exit status 1 when a goal is missed.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

PASSWORD = "Bench-passw0rd!"
TARGET = "AWSCognitoIdentityProviderService."
GOALS = {"InitiateAuth x1": 1.5, "InitiateAuth x8": 2.0, "GetUser x1": 2.0}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def tool(name: str) -> str:
    """A console script beside this interpreter (the venv's), else on PATH."""
    beside = Path(sys.executable).with_name(name)
    if beside.exists():
        return str(beside)
    found = shutil.which(name)
    if found is None:
        raise SystemExit(f"cannot find {name}: install the bench extra (pip install -e '.[bench]')")
    return found


def wait_until_up(url: str, path: str, deadline: float = 30.0) -> None:
    parts = urlsplit(url)
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        try:
            conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=2)
            conn.request("GET", path)
            conn.getresponse().read()
            conn.close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"{url} did not come up")


@dataclass
class Server:
    name: str
    url: str
    process: subprocess.Popen[bytes]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()


def start_cogito(workdir: str, workers: int = 1) -> Server:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("COGITO_")}
    proc = subprocess.Popen(
        [tool("cogito"), "serve", "--port", str(port), "--db", f"sqlite:///{workdir}/bench.db",
         "--log-level", "warning", "--workers", str(workers)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    wait_until_up(url, "/_cogito/health")
    return Server("cogito", url, proc)


def start_moto() -> Server:
    port = free_port()
    proc = subprocess.Popen([tool("moto_server"), "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    wait_until_up(url, "/moto-api/")
    return Server("moto", url, proc)


def setup(url: str) -> dict[str, str]:
    """The same pool, client and user on either server, through boto3; returns what the calls need."""
    import boto3

    idp = boto3.client("cognito-idp", endpoint_url=url, region_name="us-east-1", aws_access_key_id="bench",
                       aws_secret_access_key="bench")
    pool_id = idp.create_user_pool(PoolName="bench")["UserPool"]["Id"]
    client_id = idp.create_user_pool_client(
        UserPoolId=pool_id, ClientName="bench",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]
    idp.admin_create_user(UserPoolId=pool_id, Username="bench", MessageAction="SUPPRESS",
                          UserAttributes=[{"Name": "email", "Value": "bench@example.com"},
                                          {"Name": "email_verified", "Value": "true"}])
    idp.admin_set_user_password(UserPoolId=pool_id, Username="bench", Password=PASSWORD, Permanent=True)
    auth = idp.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                             AuthParameters={"USERNAME": "bench", "PASSWORD": PASSWORD})["AuthenticationResult"]
    return {"client_id": client_id, "access": auth["AccessToken"], "refresh": auth["RefreshToken"]}


def bodies(ids: dict[str, str]) -> dict[str, tuple[str, bytes]]:
    """Operation -> (target, body), built once."""
    def body(value: dict[str, Any]) -> bytes:
        return json.dumps(value).encode()

    return {
        "InitiateAuth": ("InitiateAuth", body({"ClientId": ids["client_id"], "AuthFlow": "USER_PASSWORD_AUTH",
                                               "AuthParameters": {"USERNAME": "bench", "PASSWORD": PASSWORD}})),
        "GetUser": ("GetUser", body({"AccessToken": ids["access"]})),
        "Refresh": ("InitiateAuth", body({"ClientId": ids["client_id"], "AuthFlow": "REFRESH_TOKEN_AUTH",
                                          "AuthParameters": {"REFRESH_TOKEN": ids["refresh"]}})),
    }


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) used so far by ``pid`` and its direct children (gunicorn's workers)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(entry) == pid or int(fields[1]) == pid:  # fields[1] is the parent pid
            total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return total


def call(conn: http.client.HTTPConnection, target: str, body: bytes) -> int:
    conn.request("POST", "/", body=body, headers={
        "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": TARGET + target,
    })
    resp = conn.getresponse()
    resp.read()
    return resp.status


def run(url: str, target: str, body: bytes, count: int, threads: int) -> tuple[float, int]:
    """Requests per second for ``count`` calls spread over ``threads`` keep-alive connections; and failures."""
    parts = urlsplit(url)
    per_thread = [count // threads + (1 if i < count % threads else 0) for i in range(threads)]
    failures = [0] * threads
    start_line = threading.Barrier(threads + 1)

    def worker(index: int) -> None:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        call(conn, target, body)  # connect and warm up outside the timing
        start_line.wait()
        for _ in range(per_thread[index]):
            if call(conn, target, body) != 200:
                failures[index] += 1
        conn.close()

    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    start_line.wait()
    began = time.perf_counter()
    for thread in pool:
        thread.join()
    return count / (time.perf_counter() - began), sum(failures)


def supported(url: str, target: str, body: bytes) -> bool:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    ok = call(conn, target, body) == 200
    conn.close()
    return ok


PLAN = (("InitiateAuth x1", "InitiateAuth", 1), ("InitiateAuth xN", "InitiateAuth", 0), ("GetUser x1", "GetUser", 1),
        ("Refresh x1", "Refresh", 1))


def measure(servers: list[Server], count: int, threads: int,
            rounds: int) -> tuple[dict[str, dict[str, float | None]], dict[str, dict[str, float]]]:
    """Best requests/s of each measurement over ``rounds``, the servers taking turns; and the
    least server CPU time per request seen (clock ticks of 10 ms: use a few hundred calls).

    Alternating the servers inside each round exposes both to the same background load;
    the best round is the least disturbed one. CPU time per request hardly depends on that
    load, so its ratio is the steadier comparison on a busy machine.
    """
    calls = {server.name: bodies(setup(server.url)) for server in servers}
    table: dict[str, dict[str, float | None]] = {server.name: {} for server in servers}
    cpu: dict[str, dict[str, float]] = {server.name: {} for server in servers}
    for label, op, n in PLAN:
        label = label.replace("xN", f"x{threads}")
        n = n or threads
        for server in servers:
            target, body = calls[server.name][op]
            if not supported(server.url, target, body):
                table[server.name][label] = None
                print(f"  {server.name:7} {label:16} not supported", flush=True)
        for round_no in range(rounds):
            for server in servers:
                if table[server.name].get(label, 0) is None:
                    continue
                target, body = calls[server.name][op]
                cpu_before = cpu_seconds(server.process.pid)
                rate, failed = run(server.url, target, body, count, n)
                cpu_ms = (cpu_seconds(server.process.pid) - cpu_before) / count * 1000
                best = max(rate, table[server.name].get(label) or 0.0)
                table[server.name][label] = best
                spent = cpu[server.name].setdefault(label, cpu_ms)
                cpu[server.name][label] = min(spent, cpu_ms)
                note = f"  ({failed} failed)" if failed else ""
                print(f"  round {round_no + 1} {server.name:7} {label:16} {rate:8.0f} req/s  "
                      f"{cpu_ms:5.2f} ms CPU/request{note}", flush=True)
    return table, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=400, help="calls per measurement (default 400)")
    parser.add_argument("--threads", type=int, default=8, help="threads for the concurrent run (default 8)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds; the best of each is kept (default 3)")
    parser.add_argument("--workers", type=int, default=1, help="Cogito worker processes (default 1)")
    parser.add_argument("--only", choices=("cogito", "moto"), help="measure one server only")
    args = parser.parse_args()
    goals = {label.replace("x8", f"x{args.threads}"): goal for label, goal in GOALS.items()}
    print(f"{os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.1f}; {args.count} calls per measurement, "
          f"best of {args.rounds} rounds; Cogito with {args.workers} worker(s)", flush=True)
    servers: list[Server] = []
    with tempfile.TemporaryDirectory(prefix="cogito-bench-") as workdir:
        try:
            if args.only != "moto":
                servers.append(start_cogito(workdir, args.workers))
            if args.only != "cogito":
                servers.append(start_moto())
            for server in servers:
                print(f"{server.name} at {server.url}", flush=True)
            table, cpu = measure(servers, args.count, args.threads, args.rounds)
        finally:
            for server in servers:
                server.stop()
    if len(table) < 2:
        return 0
    print(f"\n{'requests/s':18}{'cogito':>10}{'moto':>10}{'ratio':>8}  goal{'':14}"
          f"{'CPU ms/req':>12}{'cogito':>8}{'moto':>8}{'ratio':>8}")
    missed = 0
    for label in table["cogito"]:
        ours, theirs = table["cogito"][label], table["moto"][label]
        goal = goals.get(label)
        if ours is None or theirs is None:
            print(f"{label:18}{ours or 0:10.0f}{theirs or 0:10.0f}{'n/a':>8}")
            continue
        ratio = ours / theirs
        verdict = "" if goal is None else f">= {goal}x {'ok' if ratio >= goal else 'MISSED'}"
        missed += goal is not None and ratio < goal
        our_cpu, their_cpu = cpu["cogito"][label], cpu["moto"][label]
        cpu_ratio = f"{their_cpu / our_cpu:7.2f}x" if our_cpu else "    n/a"
        print(f"{label:18}{ours:10.0f}{theirs:10.0f}{ratio:7.2f}x  {verdict:18}{'':12}"
              f"{our_cpu:8.2f}{their_cpu:8.2f} {cpu_ratio}")
    print(f"load average at the end {os.getloadavg()[0]:.1f}")
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
