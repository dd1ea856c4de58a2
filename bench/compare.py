"""Speed against moto: one workload, Cogito and moto's server, in the same run.

Both servers are started as users start them (``cogito serve`` with a temporary SQLite
file; ``moto_server``), then get the same calls, phase by phase, the servers taking
turns inside each phase so that a burst of load elsewhere on the machine hits both:

- start-up: launch to the first good ListUserPools (median of ``--startup-runs``);
- AdminCreateUser x500, then AdminSetUserPassword (permanent) x500;
- InitiateAuth USER_PASSWORD_AUTH: 300 sign-ins from one thread, then 300 from 8;
- GetUser x300 and InitiateAuth REFRESH_TOKEN_AUTH x300 with the tokens just issued;
- ListUsers: a prefix-filtered listing and the full unfiltered listing, both walked page
  by page (Limit 60) with PaginationToken, repeated.

For each phase it prints each server's wall time, the ratio moto/Cogito (how many times
faster Cogito is), and each server's CPU seconds (the server process and its children,
from /proc); at the end the CPU of the whole workload and each server's peak RSS
(VmHWM, the gunicorn worker and master separately). The repeatable phases run
``--rounds`` times and the best round counts (CPU: the least).

Calls go over kept-alive HTTP connections with pre-built JSON bodies and a SigV4-shaped
but unsigned Authorization header (neither server checks signatures), so the client
costs the same for both. The load generator runs on the same machine.

Goals (issue 8): server CPU <= 0.33x moto's for the whole workload; sign-in >= 1.5x moto
with one thread and >= 2x with 8; GetUser >= 2x; the full paged listing of 500 users in
<= 0.25x moto's time; start-up <= 0.5x moto's. moto comes from the ``bench`` extra.

    .venv/bin/python bench/compare.py [--users 500] [--signins 300] [--rounds 3] [--workers 1] [--threads 8]

Exit status 1 when a goal is missed.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from auth import cpu_seconds, free_port, tool

TARGET = "AWSCognitoIdentityProviderService."
PASSWORD = "Compare-passw0rd!"
AUTH = ("AWS4-HMAC-SHA256 Credential=bench/20260101/us-east-1/cognito-idp/aws4_request, "
        "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=0")
PAGE = 60


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    startup: list[float] = field(default_factory=list)

    def stop(self) -> None:
        stop(self.process)


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def post(conn: http.client.HTTPConnection, op: str, body: bytes) -> tuple[int, bytes]:
    conn.request("POST", "/", body=body, headers={
        "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": TARGET + op, "Authorization": AUTH,
        "X-Amz-Date": "20260101T000000Z",
    })
    resp = conn.getresponse()
    return resp.status, resp.read()


def launch(name: str, workdir: str, workers: int, threads: int) -> tuple[subprocess.Popen[bytes], int, float]:
    """Start one server; returns it, its port and the seconds to its first good ListUserPools."""
    port = free_port()
    if name == "cogito":
        env = {k: v for k, v in os.environ.items() if not k.startswith("COGITO_")}
        db = os.path.join(workdir, f"cogito-{port}.db")
        cmd = [tool("cogito"), "serve", "--port", str(port), "--db", f"sqlite:///{db}", "--log-level", "warning",
               "--workers", str(workers), "--threads", str(threads)]
    else:
        env = dict(os.environ)
        cmd = [tool("moto_server"), "-H", "127.0.0.1", "-p", str(port)]
    began = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    body = json.dumps({"MaxResults": 10}).encode()
    while True:
        if proc.poll() is not None:
            raise SystemExit(f"{name} exited during start-up")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            status, data = post(conn, "ListUserPools", body)
            conn.close()
            if status == 200 and "UserPools" in json.loads(data):
                return proc, port, time.perf_counter() - began
        except (OSError, ValueError, http.client.HTTPException):
            pass
        if time.perf_counter() - began > 60:
            stop(proc)
            raise SystemExit(f"{name} did not start")
        time.sleep(0.005)


def start(name: str, workdir: str, runs: int, workers: int, threads: int) -> Server:
    """Time ``runs`` launches (stopping all but the last), keep the last one running."""
    times: list[float] = []
    for run in range(runs):
        proc, port, seconds = launch(name, workdir, workers, threads)
        times.append(seconds)
        if run < runs - 1:
            stop(proc)
    return Server(name, port, proc, times)


def peak_rss_mb(pid: int) -> dict[str, float]:
    """VmHWM (peak resident set) of the server's main process and of its largest child, in MB."""
    def hwm(p: int) -> float:
        try:
            with open(f"/proc/{p}/status") as handle:
                for line in handle:
                    if line.startswith("VmHWM:"):
                        return int(line.split()[1]) / 1024
        except OSError:
            pass
        return 0.0

    children = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    if int(handle.read().rsplit(")", 1)[1].split()[1]) == pid:
                        children.append(int(entry))
            except OSError:
                continue
    return {"main": hwm(pid), "worker": max((hwm(c) for c in children), default=0.0)}


class Client:
    """What one phase sends to one server: kept-alive connections, pre-built bodies."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def call(self, op: str, value: dict[str, Any]) -> dict[str, Any]:
        status, data = post(self.conn, op, json.dumps(value).encode())
        if status != 200:
            raise RuntimeError(f"{op} answered {status}: {data[:300]!r}")
        return json.loads(data) if data else {}


def spread(port: int, bodies: list[tuple[str, bytes]], threads: int) -> list[bytes]:
    """Send every (op, body) from ``threads`` threads (each its own connection); the answers in order."""
    answers: list[bytes] = [b""] * len(bodies)
    failures: list[str] = []
    cursor = iter(range(len(bodies)))
    lock = threading.Lock()

    def work() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while True:
            with lock:
                index = next(cursor, None)
            if index is None or failures:
                return
            op, body = bodies[index]
            status, data = post(conn, op, body)
            if status != 200:
                failures.append(f"{op} answered {status}: {data[:300]!r}")
                return
            answers[index] = data

    pool = [threading.Thread(target=work) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    if failures:
        raise RuntimeError(failures[0])
    return answers


@dataclass
class Run:
    """One server's state through the workload."""

    server: Server
    pool_id: str = ""
    client_id: str = ""
    tokens: dict[int, dict[str, str]] = field(default_factory=dict)


def user_name(i: int) -> str:
    return f"user{i:04d}"


def prepare(run: Run) -> None:
    api = Client(run.server.port)
    run.pool_id = api.call("CreateUserPool", {"PoolName": "compare"})["UserPool"]["Id"]
    run.client_id = api.call("CreateUserPoolClient", {
        "UserPoolId": run.pool_id, "ClientName": "compare",
        "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH"],
    })["UserPoolClient"]["ClientId"]


def create_bodies(run: Run, users: int) -> list[tuple[str, bytes]]:
    return [("AdminCreateUser", json.dumps({
        "UserPoolId": run.pool_id, "Username": user_name(i), "MessageAction": "SUPPRESS",
        "UserAttributes": [{"Name": "email", "Value": f"{user_name(i)}@example{i % 10}.com"},
                           {"Name": "email_verified", "Value": "true"},
                           {"Name": "given_name", "Value": f"Given{i % 97}"}],
    }).encode()) for i in range(users)]


def password_bodies(run: Run, users: int) -> list[tuple[str, bytes]]:
    return [("AdminSetUserPassword", json.dumps({
        "UserPoolId": run.pool_id, "Username": user_name(i), "Password": PASSWORD, "Permanent": True,
    }).encode()) for i in range(users)]


def sign_in_bodies(run: Run, indexes: list[int]) -> list[tuple[str, bytes]]:
    return [("InitiateAuth", json.dumps({
        "ClientId": run.client_id, "AuthFlow": "USER_PASSWORD_AUTH",
        "AuthParameters": {"USERNAME": user_name(i), "PASSWORD": PASSWORD},
    }).encode()) for i in indexes]


def keep_tokens(run: Run, indexes: list[int], answers: list[bytes]) -> None:
    for i, data in zip(indexes, answers):
        result = json.loads(data)["AuthenticationResult"]
        run.tokens[i] = {"access": result["AccessToken"], "refresh": result["RefreshToken"]}


def get_user_bodies(run: Run, indexes: list[int]) -> list[tuple[str, bytes]]:
    return [("GetUser", json.dumps({"AccessToken": run.tokens[i]["access"]}).encode()) for i in indexes]


def refresh_bodies(run: Run, indexes: list[int]) -> list[tuple[str, bytes]]:
    return [("InitiateAuth", json.dumps({
        "ClientId": run.client_id, "AuthFlow": "REFRESH_TOKEN_AUTH",
        "AuthParameters": {"REFRESH_TOKEN": run.tokens[i]["refresh"]},
    }).encode()) for i in indexes]


def walk(run: Run, query: dict[str, Any], repeat: int, expected: int) -> None:
    """List every page of ``query`` ``repeat`` times; checks the count and that no user repeats."""
    api = Client(run.server.port)
    for _ in range(repeat):
        body = {"UserPoolId": run.pool_id, "Limit": PAGE, **query}
        seen: set[str] = set()
        while True:
            page = api.call("ListUsers", body)
            names = {u["Username"] for u in page["Users"]}
            if names & seen:
                raise RuntimeError(f"{run.server.name}: a user repeated across pages")
            seen |= names
            if not page.get("PaginationToken"):
                break
            body["PaginationToken"] = page["PaginationToken"]
        if len(seen) != expected:
            raise RuntimeError(f"{run.server.name}: listed {len(seen)} users, expected {expected}")


@dataclass
class Phase:
    label: str
    calls: int
    action: Callable[[Run], None]
    repeatable: bool = True
    goal: float | None = None  # minimum speed-up over moto
    time_goal: float | None = None  # maximum time ratio Cogito/moto


def phases(users: int, signins: int, threads: int, list_repeat: int) -> list[Phase]:
    ones = list(range(signins))
    many = [(users - signins + i) % users for i in range(signins)]
    prefix = "user01"  # user0100..user0199 (and more when --users is larger)
    filtered = sum(1 for i in range(users) if user_name(i).startswith(prefix))

    def create(run: Run) -> None:
        spread(run.server.port, create_bodies(run, users), 1)

    def passwords(run: Run) -> None:
        spread(run.server.port, password_bodies(run, users), 1)

    def sign_in_one(run: Run) -> None:
        keep_tokens(run, ones, spread(run.server.port, sign_in_bodies(run, ones), 1))

    def sign_in_many(run: Run) -> None:
        keep_tokens(run, many, spread(run.server.port, sign_in_bodies(run, many), threads))

    def get_user(run: Run) -> None:
        for data in spread(run.server.port, get_user_bodies(run, ones), 1):
            if not json.loads(data)["Username"].startswith("user"):
                raise RuntimeError("GetUser answered the wrong user")

    def refresh(run: Run) -> None:
        for data in spread(run.server.port, refresh_bodies(run, ones), 1):
            json.loads(data)["AuthenticationResult"]["AccessToken"]

    def list_filtered(run: Run) -> None:
        walk(run, {"Filter": f'username ^= "{prefix}"'}, list_repeat, filtered)

    def list_all(run: Run) -> None:
        walk(run, {}, list_repeat, users)

    pages_all = (users + PAGE - 1) // PAGE
    pages_filtered = max(1, (filtered + PAGE - 1) // PAGE)
    return [
        Phase(f"AdminCreateUser x{users}", users, create, repeatable=False),
        Phase(f"AdminSetUserPassword x{users}", users, passwords, repeatable=False),
        Phase(f"InitiateAuth x{signins}, 1 thread", signins, sign_in_one, goal=1.5),
        Phase(f"InitiateAuth x{signins}, {threads} threads", signins, sign_in_many, goal=2.0),
        Phase(f"GetUser x{signins}", signins, get_user, goal=2.0),
        Phase(f"Refresh x{signins}", signins, refresh),
        Phase(f"ListUsers ^= paged x{list_repeat}", pages_filtered * list_repeat, list_filtered),
        Phase(f"ListUsers all {users} paged x{list_repeat}", pages_all * list_repeat, list_all, time_goal=0.25),
    ]


@dataclass
class Measure:
    seconds: dict[str, float] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)


def measure_phase(runs: list[Run], phase: Phase, rounds: int, table: dict[str, Measure]) -> None:
    for round_no in range(rounds if phase.repeatable else 1):
        order = runs if round_no % 2 == 0 else list(reversed(runs))
        for run in order:
            pid = run.server.process.pid
            cpu_before = cpu_seconds(pid)
            began = time.perf_counter()
            phase.action(run)
            elapsed = time.perf_counter() - began
            cpu = cpu_seconds(pid) - cpu_before
            m = table[run.server.name]
            m.seconds[phase.label] = min(elapsed, m.seconds.get(phase.label, elapsed))
            m.cpu[phase.label] = min(cpu, m.cpu.get(phase.label, cpu))
            print(f"  round {round_no + 1} {run.server.name:6} {phase.label:34} {elapsed * 1000:9.0f} ms "
                  f"({phase.calls / elapsed:6.0f} calls/s)  CPU {cpu:6.2f} s", flush=True)


def report(phase_list: list[Phase], table: dict[str, Measure], servers: dict[str, Server],
           rss: dict[str, dict[str, float]]) -> int:
    ours, theirs = table["cogito"], table["moto"]
    missed = 0
    print(f"\n{'phase':36}{'cogito ms':>10}{'moto ms':>10}{'speed-up':>9}  {'goal':16}"
          f"{'CPU s cogito':>13}{'moto':>7}{'ratio':>7}")
    for phase in phase_list:
        a, b = ours.seconds[phase.label], theirs.seconds[phase.label]
        ratio = b / a
        verdict = ""
        if phase.goal is not None:
            ok = ratio >= phase.goal
            verdict = f">= {phase.goal}x {'ok' if ok else 'MISSED'}"
            missed += not ok
        if phase.time_goal is not None:
            ok = a / b <= phase.time_goal
            verdict = f"time <= {phase.time_goal}x {'ok' if ok else 'MISSED'}"
            missed += not ok
        ca, cb = ours.cpu[phase.label], theirs.cpu[phase.label]
        cpu_ratio = f"{ca / cb:6.2f}x" if cb else "   n/a"
        print(f"{phase.label:36}{a * 1000:10.0f}{b * 1000:10.0f}{ratio:8.2f}x  {verdict:16}"
              f"{ca:13.2f}{cb:7.2f} {cpu_ratio}")
    total_a, total_b = sum(ours.cpu.values()), sum(theirs.cpu.values())
    ok = total_a <= 0.33 * total_b
    missed += not ok
    print(f"{'whole workload, server CPU':36}{'':29}  {'<= 0.33x ' + ('ok' if ok else 'MISSED'):16}"
          f"{total_a:13.2f}{total_b:7.2f} {total_a / total_b:6.2f}x")
    up_a, up_b = statistics.median(servers["cogito"].startup), statistics.median(servers["moto"].startup)
    ok = up_a <= 0.5 * up_b
    missed += not ok
    print(f"{'start-up (median)':36}{up_a * 1000:10.0f}{up_b * 1000:10.0f}{up_b / up_a:8.2f}x  "
          f"{'time <= 0.5x ' + ('ok' if ok else 'MISSED'):16}")
    print(f"peak RSS: cogito worker {rss['cogito']['worker']:.0f} MB + master {rss['cogito']['main']:.0f} MB; "
          f"moto {rss['moto']['main']:.0f} MB" + (f" (+ child {rss['moto']['worker']:.0f} MB)"
                                                  if rss["moto"]["worker"] else ""))
    return missed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=500)
    parser.add_argument("--signins", type=int, default=300)
    parser.add_argument("--threads", type=int, default=8, help="client threads of the concurrent sign-ins")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of the repeatable phases; best kept")
    parser.add_argument("--list-repeat", type=int, default=5, help="full listings per ListUsers phase")
    parser.add_argument("--startup-runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=1, help="cogito serve --workers (default 1)")
    parser.add_argument("--server-threads", type=int, default=8, help="cogito serve --threads (default 8)")
    args = parser.parse_args()
    if args.signins > args.users:
        parser.error("--signins must not exceed --users")
    print(f"{os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.1f}; Cogito --workers {args.workers} "
          f"--threads {args.server_threads}", flush=True)
    phase_list = phases(args.users, args.signins, args.threads, args.list_repeat)
    servers: dict[str, Server] = {}
    with tempfile.TemporaryDirectory(prefix="cogito-compare-") as workdir:
        try:
            for name in ("cogito", "moto"):
                servers[name] = start(name, workdir, args.startup_runs, args.workers, args.server_threads)
                print(f"{name} up in {', '.join(f'{s * 1000:.0f}' for s in servers[name].startup)} ms "
                      f"(port {servers[name].port})", flush=True)
            runs = [Run(servers["cogito"]), Run(servers["moto"])]
            for run in runs:
                prepare(run)
            table = {name: Measure() for name in servers}
            for phase in phase_list:
                measure_phase(runs, phase, args.rounds, table)
            rss = {name: peak_rss_mb(server.process.pid) for name, server in servers.items()}
        finally:
            for server in servers.values():
                server.stop()
    missed = report(phase_list, table, servers, rss)
    print(f"load average at the end {os.getloadavg()[0]:.1f}")
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
