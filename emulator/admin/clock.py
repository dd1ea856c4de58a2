"""GET/POST /_cogito/clock: read, freeze and move the emulator's clock.

Every "now" in Cogito (token iat/exp, session, code and temporary-password expiry) comes
from the server's Clock, so a test can expire things without sleeping:

    POST /_cogito/clock {"freeze": true}              stop time here
    POST /_cogito/clock {"freeze": true, "at": 1.7e9} stop it at an epoch instant
    POST /_cogito/clock {"advance": 3600}             move it one hour on (frozen or running)
    POST /_cogito/clock {"at": 1.7e9}                 jump there (keeps running if it was)
    POST /_cogito/clock {"freeze": false}             let it run again from where it stands
    POST /_cogito/clock {"reset": true}               back to wall time

Within one request, ``reset`` applies first, then ``freeze``/``at``, then ``advance``.
Moving time is allowed only when clock control is on (``--clock-control`` or
``COGITO_CLOCK_CONTROL=1``); otherwise POST answers a JSON 404, so a shared emulator
cannot be time-travelled by accident. GET always answers.

Limitation: the clock lives in the process. With several gunicorn workers
(``--workers N``) each worker has its own clock and a POST reaches only the worker that
served it, so run a single worker (the default) when tests move time.
"""

from __future__ import annotations

import math
import time
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from emulator.clock import Clock

clock = Blueprint("cogito_clock", __name__, url_prefix="/_cogito")

_KEYS = {"freeze": bool, "reset": bool, "at": (int, float), "advance": (int, float)}


def _error(status: int, name: str, message: str) -> Response:
    resp = jsonify({"__type": name, "message": message})
    resp.status_code = status
    return resp


def describe(c: Clock) -> dict[str, Any]:
    """What the clock says now: the instant, whether it is stopped, and its offset from wall time."""
    now = c.now()
    return {"now": now, "frozen": c.frozen_at is not None, "offset": now - time.time()}


def _problem(body: Any) -> str | None:
    """Why ``body`` is not a clock command (None when it is one)."""
    if not isinstance(body, dict):
        return "The body must be a JSON object such as {\"freeze\": true}."
    for key, value in body.items():
        kind = _KEYS.get(key)
        if kind is None:
            return f"Unknown member {key!r}: use freeze, at, advance or reset."
        if (isinstance(value, bool) and kind is not bool) or not isinstance(value, kind):
            return f"{key} must be {'true or false' if kind is bool else 'a number'}."
        if kind is not bool and not math.isfinite(value):
            return f"{key} must be a finite number."
    if "at" in body and body["at"] < 0:
        return "at must be an epoch time in seconds (not negative)."
    return None


def apply(c: Clock, body: dict[str, Any]) -> None:
    """Carry out a validated command: reset, then freeze/at, then advance."""
    if body.get("reset"):
        c.reset()
    freeze = body.get("freeze")
    at = body.get("at")
    if freeze is True:
        c.freeze(float(at) if at is not None else None)
    elif freeze is False:
        standing = float(at) if at is not None else c.now()
        c.offset = standing - time.time()  # set before unfreezing so no reader sees a jump
        c.frozen_at = None
    elif at is not None:
        if c.frozen_at is not None:
            c.frozen_at = float(at)
        else:
            c.offset = float(at) - time.time()
    if body.get("advance"):
        c.advance(float(body["advance"]))


@clock.get("/clock")
def read_clock() -> Response:
    """The emulator's current time (epoch seconds), whether it is frozen, and its offset."""
    return jsonify(describe(current_app.config["COGITO"].clock))


@clock.post("/clock")
def move_clock() -> Response:
    """Freeze, move or reset the clock (only with clock control on; see the module docstring)."""
    state = current_app.config["COGITO"]
    if not getattr(state.settings, "clock_control", False):
        return _error(404, "NotFound", "Clock control is off: start Cogito with --clock-control "
                                       "(or COGITO_CLOCK_CONTROL=1) to move time.")
    body = request.get_json(silent=True) if request.get_data() else {}
    problem = _problem(body)
    if problem:
        return _error(400, "InvalidParameterException", problem)
    apply(state.clock, body)
    return jsonify(describe(state.clock))
