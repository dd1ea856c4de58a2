"""/_cogito/health and /_cogito/reset."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify

from emulator import __version__

admin = Blueprint("cogito_admin", __name__, url_prefix="/_cogito")


@admin.get("/health")
def health() -> Response:
    return jsonify({"status": "ok", "version": __version__})


@admin.post("/reset")
def reset() -> Response:
    """Empty all state; keys, pools, users and everything else are gone."""
    state = current_app.config["COGITO"]
    state.store.reset()
    state.clock.reset()
    return jsonify({"status": "reset"})
