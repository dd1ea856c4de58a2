"""The Flask application: one POST / for the AWS APIs, the emulator's own /_cogito/ API."""

from __future__ import annotations

import json
import logging

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException

from emulator.clock import Clock
from emulator.server_state import ServerState
from emulator.settings import Settings
from emulator.store.engine import Store

EXPOSED_HEADERS = "x-amzn-RequestId,x-amzn-ErrorType,x-amzn-ErrorMessage,Date"
DEFAULT_ALLOWED_HEADERS = (
    "Content-Type,X-Amz-Target,X-Amz-User-Agent,X-Amz-Date,X-Amz-Security-Token,"
    "Authorization,Cache-Control,amz-sdk-invocation-id,amz-sdk-request"
)


def create_app(settings: Settings | None = None) -> Flask:
    """Build the app; the store is opened (and its schema created) here."""
    settings = settings or Settings()
    logging.getLogger("cogito").setLevel(settings.log_level.upper())
    state = ServerState(settings=settings, store=Store(settings.db_url), clock=Clock())
    app = Flask("emulator")
    app.config["COGITO"] = state

    from emulator.admin.routes import admin

    app.register_blueprint(admin)
    from emulator.admin.messages import messages

    app.register_blueprint(messages)
    from emulator.jwks.routes import well_known

    app.register_blueprint(well_known)

    @app.post("/")
    def aws_api() -> Response:
        if request.headers.get("X-Amz-Target"):
            from emulator.protocol.json11 import dispatch

            return dispatch(state, request)
        from emulator.protocol.query import dispatch_query

        return dispatch_query(state, request)

    @app.route("/", defaults={"path": ""}, methods=["OPTIONS"])
    @app.route("/<path:path>", methods=["OPTIONS"])
    def preflight(path: str) -> Response:
        resp = Response(status=200)
        resp.headers["Access-Control-Allow-Methods"] = "GET,POST,PUT,DELETE,OPTIONS"
        resp.headers["Access-Control-Allow-Headers"] = request.headers.get(
            "Access-Control-Request-Headers", DEFAULT_ALLOWED_HEADERS
        )
        resp.headers["Access-Control-Max-Age"] = "86400"
        return resp

    @app.after_request
    def cors(resp: Response) -> Response:
        resp.headers["Access-Control-Allow-Origin"] = "*"
        resp.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
        return resp

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        body = json.dumps({"__type": exc.name.replace(" ", ""), "message": exc.description or exc.name})
        return Response(body, status=exc.code or 500, content_type="application/json")

    @app.errorhandler(Exception)
    def internal_error(exc: Exception) -> Response:
        logging.getLogger("cogito").exception("unhandled error")
        body = json.dumps({"__type": "InternalErrorException", "message": "An internal error occurred."})
        return Response(body, status=500, content_type="application/json")

    return app


def state_of(app: Flask) -> ServerState:
    """The ServerState behind an app built by create_app."""
    return app.config["COGITO"]
