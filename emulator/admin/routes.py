"""/_cogito/health, /_cogito/reset, /_cogito/state (export/import), /_cogito/seed; POST /moto-api/reset."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Flask, Response, current_app, jsonify, request

from emulator import __version__

admin = Blueprint("cogito_admin", __name__, url_prefix="/_cogito")
# A saved state can be far larger than any API call (100,000 users is ~150 MB of JSON).
STATE_MAX_BYTES = 2 * 1024**3


def _allow_large_body() -> None:
    try:
        request.max_content_length = STATE_MAX_BYTES  # Flask >= 3.1; older ones keep the app's limit
    except AttributeError:
        pass


def _error(message: str, status: int = 400, name: str = "InvalidParameterException") -> Response:
    resp = Response(json.dumps({"__type": name, "message": message}), status=status, content_type="application/json")
    resp.headers["x-amzn-ErrorType"] = f"{name}:"
    return resp


@admin.get("/health")
def health() -> Response:
    """Liveness; ``?deep=1`` also runs a real CreateUserPool/DescribeUserPool/DeleteUserPool through
    the AWS wire protocol (the same dispatch, store and handlers clients reach): 503 if any fails."""
    if request.args.get("deep") not in (None, "", "0", "false"):
        return _deep_health()
    return jsonify({"status": "ok", "version": __version__})


def _deep_health() -> Response:
    client = current_app.test_client()
    headers = {"Content-Type": "application/x-amz-json-1.1"}
    steps: dict[str, Any] = {}

    def call(name: str, body: dict[str, Any]) -> dict[str, Any] | None:
        resp = client.post("/", data=json.dumps(body),
                           headers={**headers, "X-Amz-Target": f"AWSCognitoIdentityProviderService.{name}"})
        steps[name] = resp.status_code
        if resp.status_code != 200:
            return None
        try:
            return json.loads(resp.get_data())
        except ValueError:
            steps[name] = "not JSON"
            return None

    created = call("CreateUserPool", {"PoolName": "cogito-health-probe"})
    pool_id = ((created or {}).get("UserPool") or {}).get("Id")
    if pool_id:
        described = call("DescribeUserPool", {"UserPoolId": pool_id})
        if ((described or {}).get("UserPool") or {}).get("Id") != pool_id:
            steps["DescribeUserPool"] = "mismatch"
        call("DeleteUserPool", {"UserPoolId": pool_id})
    ok = bool(pool_id) and all(code == 200 for code in steps.values())
    body = {"status": "ok" if ok else "failing", "version": __version__, "probe": steps}
    return Response(json.dumps(body), status=200 if ok else 503, content_type="application/json")


@admin.post("/reset")
def reset() -> Response:
    """Empty all state; keys, pools, users and everything else are gone."""
    state = current_app.config["COGITO"]
    state.store.reset()
    state.clock.reset()
    return jsonify({"status": "reset"})


@admin.get("/state")
def export_state() -> Response:
    """Everything, table by table (passwords only as SRP salt + verifier): POST it back to restore."""
    from emulator.state import snapshot

    state = current_app.config["COGITO"]
    doc = snapshot.export_state(state.store, now=state.clock.now())
    resp = Response(json.dumps(doc, separators=(",", ":")), content_type="application/json")
    if request.args.get("download"):
        resp.headers["Content-Disposition"] = 'attachment; filename="cogito-state.json"'
    return resp


@admin.post("/state")
def import_state() -> Response:
    """Replace all state with a document GET /_cogito/state made (all or nothing)."""
    from emulator.state import snapshot

    state = current_app.config["COGITO"]
    _allow_large_body()
    try:
        doc = json.loads(request.get_data(cache=False) or b"null")
    except ValueError:
        return _error("The body is not JSON: send what GET /_cogito/state returned.")
    try:
        rows = snapshot.import_state(state.store, doc)
    except snapshot.StateError as exc:
        return _error(str(exc))
    return jsonify({"status": "imported", "rows": rows})


@admin.post("/seed")
def apply_seed() -> Response:
    """Apply a seed document (YAML or JSON body) to the running emulator; an upsert, like --seed."""
    from emulator import seed

    state = current_app.config["COGITO"]
    _allow_large_body()
    text = request.get_data(cache=False).decode("utf-8", "replace")
    name = "seed.json" if "json" in (request.mimetype or "") else "seed"
    try:
        report = seed.apply(state.store, state.settings, seed.parse(text, name), state.clock.now())
    except seed.SeedError as exc:
        return _error(str(exc))
    return jsonify({"status": "seeded", "created": report.created, "updated": report.updated})


def _moto_reset() -> Response:
    """moto's reset endpoint, for test suites moving from moto: empties Cogito's state."""
    return reset()


@admin.record_once
def _moto_alias(setup: Any) -> None:
    app: Flask = setup.app
    app.add_url_rule("/moto-api/reset", "moto_reset", _moto_reset, methods=["POST"])
