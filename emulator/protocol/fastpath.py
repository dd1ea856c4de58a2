"""A thin WSGI path for the AWS JSON APIs: ``POST /`` straight to ``json11.dispatch``.

Every AWS call goes through Flask's request machinery (context push, routing, the
before/after hooks) although ``POST /`` with a JSON target needs none of it: the Flask
route only hands the request to ``json11.dispatch`` and ``after_request`` adds the CORS
headers and drains an unread body. Doing exactly that here saves about a tenth of a
millisecond per call (measured in bench/compare.py). Everything else, including the
Query protocol (STS) on ``POST /``, still goes through Flask.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request

if TYPE_CHECKING:
    from flask import Response

    from emulator.server_state import ServerState

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class ApiRequest(Request):
    """The request object dispatch sees; ``max_content_length`` as Flask's MAX_CONTENT_LENGTH."""

    max_content_length: int | None = None


def _is_json_call(environ: dict[str, Any]) -> bool:
    """What the Flask route sends to json11: a target, or a JSON content type."""
    if environ.get("REQUEST_METHOD") != "POST" or environ.get("PATH_INFO") != "/":
        return False
    if environ.get("HTTP_X_AMZ_TARGET"):
        return True
    mimetype = (environ.get("CONTENT_TYPE") or "").split(";", 1)[0].strip().lower()
    return "json" in mimetype


def drain(request: Request, response: Response, cap: int) -> None:
    """Read what a handler left unread of the body (an error answered before reading it).

    gunicorn drains at most 64 KiB of an unread body before keeping a connection alive and
    closes it otherwise, after an answer that promised keep-alive: the client's next call
    on that connection would meet a closed socket. Bodies over ``cap`` are not read; the
    answer says the connection closes.
    """
    length = request.content_length or 0
    if not length:
        return
    if length > cap:
        response.headers["Connection"] = "close"
        return
    try:
        while request.stream.read(65536):
            pass
    except Exception:  # noqa: BLE001 - a client gone mid-body: nothing left to keep alive
        response.headers["Connection"] = "close"


def aws_fast_path(app: WSGIApp, state: ServerState, max_body: int, cors: dict[str, str]) -> WSGIApp:
    """Wrap the Flask app's ``wsgi_app``: JSON ``POST /`` calls skip Flask, the rest go to it."""
    from flask import Response

    from emulator.protocol.json11 import dispatch

    request_class = type("CogitoApiRequest", (ApiRequest,), {"max_content_length": max_body})
    cors_items = list(cors.items())

    def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if not _is_json_call(environ):
            return app(environ, start_response)
        request = request_class(environ)
        try:
            response = dispatch(state, request)
        except Exception:
            logging.getLogger("cogito").exception("unhandled error")
            body = json.dumps({"__type": "InternalErrorException", "message": "An internal error occurred."})
            response = Response(body, status=500, content_type="application/json")
        headers = response.headers
        for key, value in cors_items:
            headers[key] = value
        drain(request, response, request.max_content_length or max_body)
        return response(environ, start_response)

    return wsgi
