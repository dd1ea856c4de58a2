"""Start-up benchmark: launch the real `cogito serve`, time it to the first good ListUserPools.

Each run starts the CLI exactly as a user would (gunicorn, a fresh database), then sends
ListUserPools until one answers 200 with a ``UserPools`` list; the clock stops there, so
the store, the handler modules and the service model are all ready by then. The server is
stopped with SIGTERM after each run. Target: a median of 0.25 s or less.

Besides wall time each run reports the CPU time the server's processes (gunicorn master
and worker) had used when the answer arrived: on a busy machine wall time swings, CPU time
much less. Python runs as users run it, writing bytecode caches (PYTHONDONTWRITEBYTECODE is
dropped for the server); an uncounted first launch warms those caches and the OS file cache.

    .venv/bin/python bench/startup.py [--runs 7] [--db file|memory|URL] [--importtime]

``--importtime`` adds one launch under ``PYTHONPROFILEIMPORTTIME`` and prints the
packages whose imports cost most (master and worker together). ``--phases`` times, in a
plain interpreter, what the worker does before it can answer (median of five).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

TARGET_SECONDS = 0.25
HEADERS = {
    "Content-Type": "application/x-amz-json-1.1",
    "X-Amz-Target": "AWSCognitoIdentityProviderService.ListUserPools",
    # What boto3 sends, minus a real signature: the server reads the region from the scope.
    "Authorization": "AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/cognito-idp/aws4_request, "
    "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=0",
    "X-Amz-Date": "20240101T000000Z",
}
BODY = json.dumps({"MaxResults": 10})


def cogito_command() -> str:
    """The `cogito` script beside this interpreter (the venv's), else the one on PATH."""
    beside = Path(sys.executable).with_name("cogito")
    if beside.exists():
        return str(beside)
    found = shutil.which("cogito")
    if found is None:
        raise SystemExit("cannot find the cogito command: run `make install` first")
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def first_list(port: int, deadline: float) -> None:
    """Send ListUserPools until one succeeds (connection refused means not listening yet)."""
    while time.perf_counter() < deadline:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            conn.request("POST", "/", body=BODY, headers=HEADERS)
            resp = conn.getresponse()
            payload = resp.read()
            if resp.status == 200 and "UserPools" in json.loads(payload):
                return
            raise SystemExit(f"server answered {resp.status}: {payload[:300]!r}")
        except (ConnectionRefusedError, ConnectionResetError, http.client.RemoteDisconnected):
            time.sleep(0.001)
        finally:
            conn.close()
    raise SystemExit("server did not answer within the deadline")


def db_url(choice: str, workdir: str) -> str:
    if choice == "memory":
        return "sqlite://"
    if choice == "file":
        return f"sqlite:///{workdir}/cogito.db"
    return choice


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU of ``pid`` and its children so far (Linux /proc; None elsewhere)."""
    try:
        tick = os.sysconf("SC_CLK_TCK")
        pids = [pid]
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as fh:
                pids += [int(child) for child in fh.read().split()]
        total = 0
        for one in pids:
            with open(f"/proc/{one}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        return total / tick
    except (OSError, ValueError, IndexError):
        return None


def server_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {**env, **(extra or {})}


def launch(db_choice: str, env: dict[str, str] | None = None) -> tuple[float, float | None, float, str]:
    """One run: (seconds to the first good answer, server CPU seconds by then, seconds to stop, stderr)."""
    port = free_port()
    with tempfile.TemporaryDirectory() as workdir:
        command = [cogito_command(), "serve", "--port", str(port), "--db", db_url(db_choice, workdir),
                   "--log-level", "warning"]
        log_path = os.path.join(workdir, "stderr.log")
        with open(log_path, "w") as log:
            started = time.perf_counter()
            proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=log, env=env or server_env(),
                                    cwd=workdir)
            try:
                first_list(port, started + 30)
                ready = time.perf_counter() - started
                cpu = cpu_seconds(proc.pid)
            finally:
                stopping = time.perf_counter()
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
                stopped = time.perf_counter() - stopping
        with open(log_path) as log:
            return ready, cpu, stopped, log.read()


_IMPORT_LINE = re.compile(r"^import time:\s+(\d+) \|\s+(\d+) \| *(\S+)$")


def import_summary(stderr: str, top: int = 12) -> list[tuple[str, float]]:
    """Milliseconds spent importing each distribution's modules (self time, master and worker summed)."""
    totals: dict[str, float] = defaultdict(float)
    for line in stderr.splitlines():
        match = _IMPORT_LINE.match(line)
        if match:
            totals[match.group(3).split(".")[0]] += int(match.group(1)) / 1000
    return sorted(totals.items(), key=lambda kv: -kv[1])[:top]


# What a gunicorn worker does before its first answer, phase by phase (run in a fresh interpreter).
PHASES = """
import importlib, json, tempfile, time
marks = [("start", time.perf_counter())]
def lap(name):
    marks.append((name, time.perf_counter()))
import flask
lap("import flask (werkzeug, jinja2, click)")
import sqlalchemy
lap("import sqlalchemy")
import sqlalchemy.orm
lap("import sqlalchemy.orm")
from emulator.store import engine
for module in engine.MODEL_MODULES:
    importlib.import_module(module)
lap("import the table modules")
store = engine.Store("sqlite:///" + tempfile.mkdtemp() + "/cogito.db")
lap("open the store: engine, create_all on a fresh file")
import emulator.app as app_module
from emulator.settings import Settings
app_module.Store = lambda url: store
app = app_module.create_app(Settings(log_level="warning"))
lap("create_app: blueprints and what they import")
answer = app.test_client().post("/", data='{"MaxResults": 10}', headers=HEADERS)
assert answer.status_code == 200, answer.data
lap("first ListUserPools: service model, handler module, first query")
print(json.dumps([[marks[i][0], marks[i][1] - marks[i - 1][1]] for i in range(1, len(marks))]))
"""


def phases(runs: int = 5) -> list[tuple[str, float]]:
    """Median seconds per start-up phase, each run in a fresh interpreter."""
    code = f"HEADERS = {HEADERS!r}\n" + PHASES
    samples = []
    for _ in range(runs + 1):
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=server_env(),
                              cwd=str(Path(__file__).resolve().parents[1]), check=True)
        samples.append(json.loads(done.stdout.strip().splitlines()[-1]))
    samples = samples[1:]  # the first run writes bytecode caches
    return [(name, statistics.median(run[i][1] for run in samples)) for i, (name, _) in enumerate(samples[0])]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--db", default="file", help="file (a fresh temp SQLite file, default), memory, or a URL")
    parser.add_argument("--importtime", action="store_true", help="also show which imports dominate")
    parser.add_argument("--phases", action="store_true", help="also time the worker's start-up phases")
    args = parser.parse_args(argv)

    launch(args.db)  # warm the OS file cache; not counted
    readies, cpus = [], []
    for run in range(1, args.runs + 1):
        ready, cpu, stopped, _ = launch(args.db)
        readies.append(ready)
        cpu_text = "" if cpu is None else f", server CPU {cpu:.2f} s"
        if cpu is not None:
            cpus.append(cpu)
        print(f"run {run}: first ListUserPools after {ready:.3f} s{cpu_text} (SIGTERM stop {stopped:.3f} s)")
    median = statistics.median(readies)
    verdict = "within" if median <= TARGET_SECONDS else "over"
    print(f"median {median:.3f} s, best {min(readies):.3f} s over {args.runs} runs "
          f"(db={args.db}; {verdict} the {TARGET_SECONDS:.2f} s target)")
    if cpus:
        print(f"server CPU to ready: median {statistics.median(cpus):.2f} s (clock ticks of 10 ms)")

    if args.importtime:
        _, _, _, stderr = launch(args.db, server_env({"PYTHONPROFILEIMPORTTIME": "1"}))
        print("import time by package (self time, one launch, master + worker):")
        for name, ms in import_summary(stderr):
            print(f"  {ms:7.1f} ms  {name}")
    if args.phases:
        print("worker start-up phases (median of 5 fresh interpreters, no gunicorn):")
        steps = phases()
        for name, seconds in steps:
            print(f"  {seconds * 1000:7.1f} ms  {name}")
        print(f"  {sum(s for _, s in steps) * 1000:7.1f} ms  total")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
