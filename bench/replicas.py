"""Replicas: throughput of N Cogito processes on one PostgreSQL database against one process.

Starts ``cogito serve`` once (one process, one worker) and measures requests per second
of a call kind under a steady concurrent load, then starts N processes on the same
database (a fresh schema of its own) and measures again with the same load per process.
Goal (issue 8): N processes >= 0.8 x N x one process, up to the cores available.

The load generator is as light as it can be so that it does not eat the cores it is
measuring: separate client processes (no shared GIL), each one kept-alive connection
sending pre-encoded HTTP requests and reading answers by Content-Length. Its own CPU is
reported, and so is PostgreSQL's (the local backends serving these processes, from
/proc), since on a
small machine all three share the cores: the script prints the most any number of
processes could reach on this machine (cores / CPU per request) beside the goal.

Call kinds: ``signin`` (InitiateAuth USER_PASSWORD_AUTH: reads, one insert, two RSA
signatures), ``getuser`` (GetUser: reads and one RSA verification), ``mixed`` (one of each).

    .venv/bin/python bench/replicas.py [--db postgresql://postgres@127.0.0.1:5432/test] [--replicas 2]
        [--kind signin|getuser|mixed] [--clients 4] [--seconds 5]

``--clients`` is client connections per server process (enough to keep one busy).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from auth import cpu_seconds, free_port, tool

TARGET = "AWSCognitoIdentityProviderService."
PASSWORD = "Replica-passw0rd!"
USERS = 64


def request_bytes(port: int, op: str, body: dict[str, Any]) -> bytes:
    data = json.dumps(body).encode()
    head = (f"POST / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/x-amz-json-1.1\r\n"
            f"X-Amz-Target: {TARGET}{op}\r\nContent-Length: {len(data)}\r\n\r\n")
    return head.encode() + data


def read_response(sock: socket.socket, buffer: bytearray) -> tuple[int, bytes]:
    """One HTTP/1.1 response (Content-Length framed) from ``sock``; leftovers stay in ``buffer``."""
    while b"\r\n\r\n" not in buffer:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("server closed the connection")
        buffer += chunk
    head, _, _ = bytes(buffer).partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    total = len(head) + 4 + length
    while len(buffer) < total:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("server closed the connection")
        buffer += chunk
    body = bytes(buffer[len(head) + 4:total])
    del buffer[:total]
    return status, body


def client(port: int, requests: list[bytes], start_at: float, stop_at: float, out: Any) -> None:
    """One connection sending ``requests`` round-robin from ``start_at`` to ``stop_at``; counts answers."""
    sock = socket.create_connection(("127.0.0.1", port))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    buffer = bytearray()
    done = failed = 0
    i = 0
    sock.sendall(requests[0])  # warm the connection
    read_response(sock, buffer)
    while time.time() < start_at:
        time.sleep(0.001)
    cpu_before = time.process_time()
    while time.time() < stop_at:
        sock.sendall(requests[i % len(requests)])
        status, _ = read_response(sock, buffer)
        if status == 200:
            done += 1
        else:
            failed += 1
        i += 1
    out.put((done, failed, time.process_time() - cpu_before))
    sock.close()


def start_server(db_url: str) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("COGITO_")}
    proc = subprocess.Popen([tool("cogito"), "serve", "--port", str(port), "--db", db_url, "--log-level", "warning"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                sock.sendall(b"GET /_cogito/health HTTP/1.1\r\nHost: x\r\n\r\n")
                if read_response(sock, bytearray())[0] == 200:
                    return proc, port
        except OSError:
            time.sleep(0.05)
    raise SystemExit("cogito did not start")


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()


def call(port: int, op: str, body: dict[str, Any]) -> dict[str, Any]:
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(request_bytes(port, op, body))
        status, data = read_response(sock, bytearray())
    if status != 200:
        raise SystemExit(f"{op} failed: {status} {data!r}")
    return json.loads(data) if data else {}


def prepare(port: int) -> dict[str, Any]:
    """A pool, a client and USERS users with passwords; one access token per user."""
    pool_id = call(port, "CreateUserPool", {"PoolName": "replicas-bench"})["UserPool"]["Id"]
    client_id = call(port, "CreateUserPoolClient", {
        "UserPoolId": pool_id, "ClientName": "bench",
        "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    })["UserPoolClient"]["ClientId"]
    tokens = []
    for i in range(USERS):
        name = f"user{i:03d}"
        call(port, "AdminCreateUser", {"UserPoolId": pool_id, "Username": name, "MessageAction": "SUPPRESS"})
        call(port, "AdminSetUserPassword", {"UserPoolId": pool_id, "Username": name, "Password": PASSWORD,
                                            "Permanent": True})
        auth = call(port, "InitiateAuth", {"ClientId": client_id, "AuthFlow": "USER_PASSWORD_AUTH",
                                           "AuthParameters": {"USERNAME": name, "PASSWORD": PASSWORD}})
        tokens.append(auth["AuthenticationResult"]["AccessToken"])
    return {"pool_id": pool_id, "client_id": client_id, "tokens": tokens}


def workload(port: int, ids: dict[str, Any], kind: str, offset: int) -> list[bytes]:
    signins = [request_bytes(port, "InitiateAuth", {
        "ClientId": ids["client_id"], "AuthFlow": "USER_PASSWORD_AUTH",
        "AuthParameters": {"USERNAME": f"user{(offset + i) % USERS:03d}", "PASSWORD": PASSWORD}}) for i in range(16)]
    getusers = [request_bytes(port, "GetUser", {"AccessToken": ids["tokens"][(offset + i) % USERS]})
                for i in range(16)]
    if kind == "signin":
        return signins
    if kind == "getuser":
        return getusers
    return [r for pair in zip(signins, getusers) for r in pair]


def _ports_of(pids: list[int]) -> set[int]:
    """Local TCP ports of the sockets these processes hold (their connections to the database)."""
    inodes = set()
    for pid in pids:
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if fields[9] in inodes:
                ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


def database_cpu(server_pids: list[int]) -> dict[int, float]:
    """CPU seconds so far of each local PostgreSQL backend serving these Cogito processes.

    A backend's command line names its client's address and port; only backends whose
    client port is one of these processes' sockets count (not other users of the database).
    """
    ports = _ports_of(server_pids)
    tick = os.sysconf("SC_CLK_TCK")
    found: dict[int, float] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes().decode(errors="replace")
            if not cmdline.startswith("postgres:") or "(" not in cmdline:
                continue
            port = int(cmdline.rsplit("(", 1)[1].split(")", 1)[0])
            if port not in ports:
                continue
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, ValueError):
            continue
        found[int(entry)] = (int(fields[11]) + int(fields[12])) / tick
    return found


def _all_pids(masters: list[int]) -> list[int]:
    """The server processes and their gunicorn workers."""
    found = list(masters)
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                parent = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError):
                continue
            if parent in masters:
                found.append(int(entry))
    return found


def measure(ports: list[int], pids: list[int], ids: dict[str, Any], kind: str, clients: int,
            seconds: float) -> dict[str, float]:
    """Requests per second with ``clients`` connections per server, for ``seconds``."""
    ctx = multiprocessing.get_context("fork")
    out = ctx.Queue()
    start_at = time.time() + 1.5  # every client connected and warmed before the clock starts
    stop_at = start_at + seconds
    procs = []
    for s, port in enumerate(ports):
        for c in range(clients):
            reqs = workload(port, ids, kind, offset=(s * clients + c) * 7)
            procs.append(ctx.Process(target=client, args=(port, reqs, start_at, stop_at, out)))
    for proc in procs:
        proc.start()
    while time.time() < start_at:
        time.sleep(0.005)
    workers = _all_pids(pids)
    cpu_before = sum(cpu_seconds(pid) for pid in pids)
    db_before = database_cpu(workers)
    results = [out.get() for _ in procs]
    cpu_after = sum(cpu_seconds(pid) for pid in pids)
    db_after = database_cpu(workers)
    db_cpu = sum(used - db_before.get(pid, 0.0) for pid, used in db_after.items())
    for proc in procs:
        proc.join()
    done = sum(r[0] for r in results)
    failed = sum(r[1] for r in results)
    if failed:
        print(f"  ({failed} failed calls)", flush=True)
    return {"rps": done / seconds, "server_cpu": (cpu_after - cpu_before) / seconds,
            "client_cpu": sum(r[2] for r in results) / seconds, "db_cpu": db_cpu / seconds}


def fresh_schema(base: str) -> tuple[str, Any]:
    """A schema of its own on ``base`` (dropped at the end), as the tests do."""
    from sqlalchemy import create_engine, text

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from emulator.store.engine import normalise_url

    schema = f"cogito_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(normalise_url(base))
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))

    def drop() -> None:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        admin.dispose()

    joiner = "&" if "?" in base else "?"
    return f"{base}{joiner}options=-csearch_path%3D{schema}", drop


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default=os.environ.get("COGITO_TEST_DATABASE_URL",
                                                       "postgresql://postgres@127.0.0.1:5432/test"))
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--kind", choices=("signin", "getuser", "mixed"), default="mixed")
    parser.add_argument("--clients", type=int, default=4, help="client connections per server process")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds; the best of each is kept")
    args = parser.parse_args()
    db_url, drop = fresh_schema(args.db)
    print(f"{os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.1f}; {args.kind}; {args.clients} client "
          f"connections per server; {args.seconds:.0f} s per measurement", flush=True)
    servers = [start_server(db_url) for _ in range(args.replicas)]
    best: dict[int, dict[str, float]] = {}
    try:
        ids = prepare(servers[0][1])
        for round_no in range(args.rounds):
            for n in (1, args.replicas):
                chosen = servers[:n]
                got = measure([port for _, port in chosen], [proc.pid for proc, _ in chosen], ids, args.kind,
                              args.clients, args.seconds)
                print(f"  round {round_no + 1}: {n} process(es) {got['rps']:7.0f} req/s; cores busy: Cogito "
                      f"{got['server_cpu']:.2f}, PostgreSQL {got['db_cpu']:.2f}, load generator "
                      f"{got['client_cpu']:.2f}", flush=True)
                if got["rps"] > best.get(n, {}).get("rps", 0):
                    best[n] = got
    finally:
        for proc, _ in servers:
            stop(proc)
        drop()
    one, many = best[1]["rps"], best[args.replicas]["rps"]
    goal = 0.8 * args.replicas
    ratio = many / one
    print(f"\n1 process: {one:.0f} req/s; {args.replicas} processes: {many:.0f} req/s; "
          f"ratio {ratio:.2f} (goal >= {goal:.1f}: {'ok' if ratio >= goal else 'MISSED'})")
    single = best[1]
    per_request = (single["server_cpu"] + single["db_cpu"] + single["client_cpu"]) / one
    ceiling = (os.cpu_count() or 1) / per_request
    print(f"CPU per request with 1 process: Cogito {single['server_cpu'] / one * 1000:.2f} ms, PostgreSQL "
          f"{single['db_cpu'] / one * 1000:.2f} ms, load generator {single['client_cpu'] / one * 1000:.2f} ms: "
          f"this machine's {os.cpu_count()} cores can carry at most {ceiling:.0f} req/s "
          f"({ceiling / one:.2f}x one process), whatever the number of processes")
    print(f"{args.replicas} processes reached {many / ceiling * 100:.0f}% of that ceiling")
    return 0 if ratio >= goal else 1


if __name__ == "__main__":
    raise SystemExit(main())
