"""The command-line side of seeds and importers: ``serve --seed`` and ``import-cognito-local``.

Kept out of emulator/cli.py so that plain ``cogito serve`` imports none of it.

A seed is applied before gunicorn starts its workers, in the master, so several workers
never race to apply it; its errors stop start-up with exit status 2. An in-memory
database lives in the worker, so there the master applies the seed to a throwaway
in-memory store (to report errors before serving) and the worker applies it for real.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path
from typing import Any

from emulator.settings import Settings, from_env

log = logging.getLogger("cogito")


def is_memory(db_url: str) -> bool:
    return db_url in ("sqlite://", "sqlite:///", "sqlite:///:memory:") or "mode=memory" in db_url


def _apply(settings: Settings, db_url: str) -> str:
    """Apply settings.seed to the database at ``db_url``; a one-line summary."""
    from emulator import seed
    from emulator.store.engine import Store

    store = Store(db_url)
    try:
        report = seed.apply_file(store, settings, settings.seed or "", time.time())
    finally:
        store.dispose()
    return report.summary()


def prepare_seed(settings: Settings) -> str | None:
    """Before serving: apply (or, for memory, rehearse) the seed; the problem, or None when fine."""
    if not settings.seed:
        return None
    from emulator.seed import SeedError

    try:
        summary = _apply(settings, "sqlite://" if is_memory(settings.db_url) else settings.db_url)
    except SeedError as exc:
        return f"seed {settings.seed}: {exc}"
    if not is_memory(settings.db_url):
        print(f"cogito: seeded from {settings.seed}: {summary}", file=sys.stderr)
    return None


def seed_worker(app: Any, settings: Settings) -> None:
    """In the worker: apply the seed to an in-memory store (the master already did the others)."""
    if not settings.seed or not is_memory(settings.db_url):
        return
    from emulator import seed
    from emulator.app import state_of

    state = state_of(app)
    report = seed.apply_file(state.store, settings, settings.seed, state.clock.now())
    log.info("seeded from %s: %s", settings.seed, report.summary())


def add_import_parser(sub: Any) -> None:
    cmd = sub.add_parser("import-cognito-local",
                         help="import a cognito-local data folder (.cognito/db/*.json) into Cogito's database")
    cmd.add_argument("path", help="the project folder, its .cognito folder, or .cognito/db")
    cmd.add_argument("--db", dest="db_url", help="database to import into (default: COGITO_DB or .cogito/cogito.db)")
    cmd.add_argument("--region", help="region for pools whose id has none, e.g. local_abc (COGITO_REGION)")
    cmd.add_argument("--account-id", help="AWS account id in ARNs (COGITO_ACCOUNT_ID)")
    cmd.add_argument("--write-seed", metavar="FILE",
                     help="also write the equivalent Cogito seed file (YAML; it holds the plaintext passwords "
                          "cognito-local kept)")
    cmd.add_argument("--dry-run", action="store_true", help="read and convert only; change no database")


def run_import(args: argparse.Namespace) -> int:
    """``cogito import-cognito-local PATH``: exit 0 when imported, 2 on a problem (said on stderr)."""
    from emulator import seed
    from emulator.state import cognito_local

    settings = from_env().with_overrides(db_url=args.db_url, region=args.region, account_id=args.account_id)
    try:
        doc, notes = cognito_local.to_seed(Path(args.path))
        target = "sqlite://" if args.dry_run else settings.db_url
        from emulator.store.engine import Store

        store = Store(target)
        try:
            report = seed.apply(store, settings, doc, time.time(), password_policy=False)
        finally:
            store.dispose()
    except seed.SeedError as exc:
        print(f"cogito: {exc}", file=sys.stderr)
        return 2
    for note in notes:
        print(f"note: {note}", file=sys.stderr)
    if args.write_seed:
        import yaml

        header = "# Converted from cognito-local by `cogito import-cognito-local`; see docs/seed.md.\n"
        Path(args.write_seed).write_text(header + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True),
                                         encoding="utf-8")
    where = "nothing written (dry run)" if args.dry_run else settings.db_url
    pools = len(doc.get("UserPools") or [])
    print(f"cogito: imported {pools} user pool(s) from {args.path} into {where}: {report.summary()}", file=sys.stderr)
    return 0
