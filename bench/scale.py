"""Scale: one pool of 100,000 users against the same pool at 1,000.

Starts the real CLI (``cogito serve``) against a fresh database and grows one pool, every
user created over the wire with AdminCreateUser from several client threads (no bulk
insert: the honest path, the one bench/directory.py also takes and whose helpers this
script reuses). It measures:

- sign-in cost at 1,000 users and again at 100,000 (goal: no worse): InitiateAuth
  USER_PASSWORD_AUTH from one thread, 100 users given a password just before (so each
  one's first sign-in pays the SRP verifier check) signed in three times each; the
  client's time per call and the server's CPU per call (gunicorn master and worker, /proc);
- ListUsers pages at 100,000 users (goal: a filtered page <= 10 ms), with
  bench/directory.py's own measurement (``page_times``: exact email, prefix, paged walks);
- the worker's memory at the end (goal: <= 150 MB RSS): VmRSS and the peak VmHWM from
  /proc of the gunicorn worker, and the master beside it.

    .venv/bin/python bench/scale.py                 # 100,000 users on SQLite
    .venv/bin/python bench/scale.py --users 20000 --db postgresql://postgres@127.0.0.1:5432/bench
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from auth import cpu_seconds
from directory import Api, cogito, create_users, page_times

PASSWORD = "Scale-passw0rd!"
SAMPLE = 100  # users given a password at each measuring point
PASSES = 3  # sign-ins per sample user


def server_pids(port: int) -> tuple[int, list[int]]:
    """The gunicorn master listening on ``port`` (found by its command line) and its workers."""
    master = None
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            cmd = Path(f"/proc/{entry}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"serve" in cmd and str(port).encode() in cmd:
            stat = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            parent_cmd = Path(f"/proc/{stat[1]}/cmdline").read_bytes() if stat[1] != "0" else b""
            if b"serve" not in parent_cmd or str(port).encode() not in parent_cmd:
                master = int(entry)
    if master is None:
        raise SystemExit("cannot find the server process")
    workers = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1]) == master:
                    workers.append(int(entry))
            except OSError:
                continue
    return master, workers


def memory_mb(pid: int) -> dict[str, float]:
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) / 1024
    return values


def sign_in_cost(api: Api, master: int, pool_id: str, client_id: str, first: int) -> dict[str, float]:
    """Give users ``first``.. a password, then sign each in PASSES times; ms per call and server CPU ms per call."""
    names = [f"user{i:06d}" for i in range(first, first + SAMPLE)]
    for name in names:
        api.call("AdminSetUserPassword", {"UserPoolId": pool_id, "Username": name, "Password": PASSWORD,
                                          "Permanent": True})
    times: list[float] = []
    cpu_before = cpu_seconds(master)
    for _ in range(PASSES):
        for name in names:
            began = time.perf_counter()
            api.call("InitiateAuth", {"ClientId": client_id, "AuthFlow": "USER_PASSWORD_AUTH",
                                      "AuthParameters": {"USERNAME": name, "PASSWORD": PASSWORD}})
            times.append((time.perf_counter() - began) * 1000)
    cpu = (cpu_seconds(master) - cpu_before) / len(times) * 1000
    first_pass = times[:SAMPLE]
    later = times[SAMPLE:]
    return {"median": statistics.median(times), "first": statistics.median(first_pass),
            "again": statistics.median(later), "cpu": cpu}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--db", help="database URL (default: a fresh SQLite file in a temporary directory)")
    parser.add_argument("--threads", type=int, default=8, help="client threads creating users")
    parser.add_argument("--samples", type=int, default=200, help="ListUsers calls timed per kind")
    args = parser.parse_args(argv)
    small = min(1000, args.users)
    with tempfile.TemporaryDirectory(prefix="cogito-scale-") as tmp:
        db_url = args.db or f"sqlite:///{os.path.join(tmp, 'scale.db')}"
        with cogito(db_url, 8) as url:
            port = int(url.rsplit(":", 1)[1])
            master, workers = server_pids(port)
            api = Api(url)
            pool_id = api.call("CreateUserPool", {"PoolName": f"scale-{int(time.time())}"})["UserPool"]["Id"]
            client_id = api.call("CreateUserPoolClient", {
                "UserPoolId": pool_id, "ClientName": "scale", "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH"],
            })["UserPoolClient"]["ClientId"]
            print(f"cogito at {url} (master {master}, workers {workers}), database {db_url.split('@')[-1]}",
                  flush=True)
            began = time.perf_counter()
            create_users(url, pool_id, 0, small, args.threads)
            at_small = sign_in_cost(api, master, pool_id, client_id, 0)
            print(f"  {small:,} users: sign-in {at_small['median']:.2f} ms (first {at_small['first']:.2f}, "
                  f"again {at_small['again']:.2f}), server CPU {at_small['cpu']:.2f} ms", flush=True)
            step = 10_000
            for start in range(small, args.users, step):
                stop = min(start + step, args.users)
                rate = create_users(url, pool_id, start, stop, args.threads)
                print(f"  users {start:,}..{stop:,}: {rate:,.0f}/s", flush=True)
            print(f"  {args.users:,} users created in {time.perf_counter() - began:,.0f} s", flush=True)
            at_large = sign_in_cost(api, master, pool_id, client_id, args.users - SAMPLE)
            print(f"  {args.users:,} users: sign-in {at_large['median']:.2f} ms (first {at_large['first']:.2f}, "
                  f"again {at_large['again']:.2f}), server CPU {at_large['cpu']:.2f} ms", flush=True)
            # The first sample again, now in the large pool: the same users, so the same work.
            again_small = sign_in_cost(api, master, pool_id, client_id, 0)
            times = page_times(url, pool_id, args.users, args.samples)
            memory = {pid: memory_mb(pid) for pid in [master, *workers]}

    print()
    print(f"{'measure':<46}{'value':>16}")
    print("-" * 62)
    for label, got in ((f"sign-in at {small:,} users", at_small), (f"sign-in at {args.users:,} users", at_large),
                       (f"  same users as at {small:,}, now", again_small)):
        print(f"{label:<46}{got['median']:>10.2f} ms   (server CPU {got['cpu']:.2f} ms)")
    change = at_large["cpu"] / at_small["cpu"] - 1
    print(f"{'  server CPU per sign-in, change':<46}{change * 100:>+11.1f} %   (goal: no worse)")
    for name, values in times.items():
        values.sort()
        p95 = values[min(len(values) - 1, int(len(values) * 0.95))]
        verdict = "  (goal <= 10 ms)" if "paged" not in name or "^=" in name else ""
        print(f"{'ListUsers ' + name:<46}{statistics.median(values):>10.2f} ms   (p95 {p95:.2f} ms){verdict}")
    for pid, mem in memory.items():
        role = "master" if pid == master else "worker"
        print(f"{role + ' memory (VmRSS / peak VmHWM)':<46}{mem['VmRSS']:>10.0f} MB   (peak {mem['VmHWM']:.0f} MB)"
              + ("  (goal <= 150 MB)" if role == "worker" else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
