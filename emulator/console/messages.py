"""The outbox page: every code and message Cognito would have sent, newest first."""

from __future__ import annotations

from flask import render_template, request
from sqlalchemy import select

from emulator.console import calls, console
from emulator.console.pools import all_pools
from emulator.userpool import outbox
from emulator.userpool.directory_models import Message

LIMITS = (50, 200, 1000)


@console.get("/outbox")
def outbox_page() -> str:
    pool_id = request.args.get("pool") or None
    username = request.args.get("username") or None
    kind = request.args.get("kind") or None
    try:
        limit = int(request.args.get("limit", 200))
    except ValueError:
        limit = 200
    limit = limit if limit in LIMITS else 200
    with calls.read() as reader:
        pools = all_pools(reader)
        found = outbox.query(reader.db, pool_id=pool_id, username=username, kind=kind, limit=limit)
        kinds = sorted(reader.db.scalars(select(Message.kind).distinct()))
        return render_template("console/outbox.html", messages=found, pools=pools, pool_id=pool_id or "", kinds=kinds,
                               username=username or "", kind=kind or "", limit=limit, limits=LIMITS,
                               names={p.id: p.name for p in pools})
