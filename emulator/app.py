"""The Flask application: one POST / for the AWS APIs, the emulator's own /_cogito/ API."""

from __future__ import annotations

import json
import logging
import re

from flask import Flask, Response, abort, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from emulator.clock import Clock
from emulator.server_state import ServerState
from emulator.settings import Settings
from emulator.store.engine import Store

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# Far above any real call (the largest model strings are ~130 KB), far below a memory problem.
MAX_BODY_BYTES = 16 * 1024 * 1024
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
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES

    from emulator.admin.routes import admin

    app.register_blueprint(admin)
    from emulator.admin.messages import messages

    app.register_blueprint(messages)
    from emulator.admin.clock import clock

    app.register_blueprint(clock)
    from emulator.jwks.routes import well_known

    app.register_blueprint(well_known)
    from emulator.admin.credentials import identity_api
    app.register_blueprint(identity_api)
    from emulator.console import console
    app.register_blueprint(console)
    from emulator.hostedui.routes import hosted_ui
    app.register_blueprint(hosted_ui)

    @app.before_request
    def preflight() -> Response | None:
        """Answer every CORS preflight (any path) before routing: browsers' SDKs need it."""
        if request.method != "OPTIONS":
            return None
        resp = Response(status=200)
        resp.headers["Access-Control-Allow-Methods"] = "GET,POST,PUT,DELETE,OPTIONS"
        resp.headers["Access-Control-Allow-Headers"] = request.headers.get(
            "Access-Control-Request-Headers", DEFAULT_ALLOWED_HEADERS
        )
        resp.headers["Access-Control-Max-Age"] = "86400"
        return resp

    @app.before_request
    def refuse_unstorable() -> None:
        """A NUL or unpaired surrogate in a URL or form can name nothing stored (PostgreSQL's text
        cannot even hold one): 400 before any lookup. POST / validates its own input against the
        service models, and the Hosted UI answers such requests with its own error page."""
        if request.blueprint == "cogito_hosted_ui" or request.path == "/":
            return
        values = list((request.view_args or {}).values()) + [v for _k, vs in request.args.lists() for v in vs]
        # The console's are the only other forms; parsing any other body (curl posts a state
        # file as a form) would spend it before its handler reads it.
        if request.method == "POST" and request.blueprint == "console":
            values += [v for _k, vs in request.form.lists() for v in vs]
        if any(isinstance(v, str) and _UNSTORABLE.search(v) for v in values):
            abort(400, description="The request holds a NUL character or an unpaired surrogate.")

    @app.post("/")
    def aws_api() -> Response:
        """JSON 1.1 when the call names a target or speaks JSON; the Query protocol (STS) otherwise."""
        if request.headers.get("X-Amz-Target") or "json" in (request.mimetype or ""):
            from emulator.protocol.json11 import dispatch

            return dispatch(state, request)
        if (request.content_length or 0) > MAX_BODY_BYTES:
            raise RequestEntityTooLarge()  # answered as JSON by http_error, before the form is read
        from emulator.protocol.query import dispatch_query

        return dispatch_query(state, request)

    @app.after_request
    def cors(resp: Response) -> Response:
        resp.headers["Access-Control-Allow-Origin"] = "*"
        resp.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
        _finish_body(resp)
        return resp

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        """Unknown paths, wrong methods and the like: a JSON error, never an HTML page."""
        code = exc.code or 500
        if code < 400:  # routing redirects (a missing trailing slash) stay redirects
            return exc.get_response()
        name = exc.name.replace(" ", "")
        body = json.dumps({"__type": name, "message": exc.description or exc.name})
        resp = Response(body, status=code, content_type="application/json")
        for key, value in exc.get_headers():
            if key.lower() != "content-type":
                resp.headers[key] = value  # e.g. Allow on a 405
        resp.headers["x-amzn-ErrorType"] = f"{name}:"
        return resp

    @app.errorhandler(Exception)
    def internal_error(exc: Exception) -> Response:
        logging.getLogger("cogito").exception("unhandled error")
        body = json.dumps({"__type": "InternalErrorException", "message": "An internal error occurred."})
        return Response(body, status=500, content_type="application/json")

    from emulator.protocol.fastpath import aws_fast_path

    cors_headers = {"Access-Control-Allow-Origin": "*", "Access-Control-Expose-Headers": EXPOSED_HEADERS}
    app.wsgi_app = aws_fast_path(app.wsgi_app, state, MAX_BODY_BYTES, cors_headers)  # type: ignore[method-assign]
    return app


def _finish_body(resp: Response) -> None:
    """Drain the unread body so the kept-alive connection survives (see fastpath.drain)."""
    from emulator.protocol.fastpath import drain

    drain(request, resp, request.max_content_length or MAX_BODY_BYTES)


def state_of(app: Flask) -> ServerState:
    """The ServerState behind an app built by create_app."""
    return app.config["COGITO"]
