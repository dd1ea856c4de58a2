"""GET /_cogito/messages: the codes and messages Cognito would have sent, newest first."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request

messages = Blueprint("cogito_messages", __name__, url_prefix="/_cogito")


@messages.get("/messages")
def list_messages() -> Response:
    """Filter with ``pool_id``, ``username``, ``kind``; ``limit`` (default 100, at most 1000)."""
    from emulator.userpool import outbox

    state = current_app.config["COGITO"]
    try:
        limit = max(1, min(int(request.args.get("limit", 100)), 1000))
    except ValueError:
        limit = 100
    with state.store.transaction(write=False) as db:
        found = outbox.query(
            db, pool_id=request.args.get("pool_id"), username=request.args.get("username"),
            kind=request.args.get("kind"), limit=limit,
        )
        return jsonify({"messages": [outbox.as_json(m) for m in found]})
