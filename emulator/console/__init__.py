"""The web console at /console: server-rendered pages for people, over the emulator's own handlers.

Pages: user pools (settings, app clients, groups, users and their actions), the outbox,
the token inspector, identity pools. Every action is a POST form guarded by a same-origin
check; every answer carries a strict Content-Security-Policy (scripts and styles only from
``/console/static``).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Response, abort, render_template, request

from emulator.console import calls

console = Blueprint(
    "console", __name__, url_prefix="/console", template_folder="templates", static_folder="static",
    static_url_path="/static",
)

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'")


def identity_pools_available() -> bool:
    """The identity-pool pages appear only when the identity-pool tables ship with this build."""
    try:
        import emulator.identitypool.models  # noqa: F401
    except ImportError:
        return False
    return True


def when(epoch: float | None) -> str:
    """An epoch time as people read it (UTC, to the second)."""
    if epoch is None:
        return "—"
    return datetime.fromtimestamp(float(epoch), tz=UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def pretty(value: Any) -> str:
    return json.dumps(value, indent=2, sort_keys=False, ensure_ascii=False, default=str)


def duration(seconds: float) -> str:
    """``5400`` -> ``1 h 30 min``: a lifetime or what is left of it (zero units left out)."""
    seconds = max(0, int(seconds))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{n} {unit}" for n, unit in ((days, "d"), (hours, "h"), (minutes, "min"), (secs, "s")) if n]
    return " ".join(parts) or "0 s"


@console.context_processor
def helpers() -> dict[str, Any]:
    return {"when": when, "pretty": pretty, "duration": duration,
            "identity_pools": identity_pools_available()}


@console.before_request
def guard() -> None:
    """Refuse cross-site form posts (CSRF), and nothing else."""
    if request.method == "POST" and not calls.same_origin():
        abort(403, description="Cross-site request refused: console forms are accepted from the console only.")


@console.after_request
def headers(resp: Response) -> Response:
    resp.headers["Content-Security-Policy"] = CSP
    resp.headers["X-Frame-Options"] = "DENY"
    resp.headers["Referrer-Policy"] = "same-origin"
    resp.headers["X-Content-Type-Options"] = "nosniff"
    if resp.mimetype == "text/html":
        resp.headers["Cache-Control"] = "no-store"  # pages may show tokens and codes
    return resp


@console.errorhandler(403)
@console.errorhandler(404)
def http_error(exc: Any) -> tuple[str, int]:
    return render_template("console/error.html", code=exc.code, message=exc.description), exc.code


@console.get("/")
def index() -> str:
    from sqlalchemy import func, select

    from emulator.userpool.directory_models import Message, User
    from emulator.userpool.models import UserPool

    with calls.read() as reader:
        counts = {
            "pools": reader.db.scalar(select(func.count()).select_from(UserPool)) or 0,
            "users": reader.db.scalar(select(func.count()).select_from(User)) or 0,
            "messages": reader.db.scalar(select(func.count()).select_from(Message)) or 0,
        }
        if identity_pools_available():
            from emulator.identitypool.models import IdentityPool

            counts["identity_pools"] = reader.db.scalar(select(func.count()).select_from(IdentityPool)) or 0
    return render_template("console/index.html", counts=counts, now=calls.now())


from emulator.console import identity, messages, pools, tokens, users  # noqa: F401  (routes)
