"""The authorizer in front of your API: WSGI middleware, a reverse proxy, and a server to run it.

Every request is authorized as API Gateway would (modes.py, lambda_mode.py). A refused request
gets API Gateway's answer and never reaches the upstream. An allowed one is forwarded with what
API Gateway gives a backend as ``event.requestContext.authorizer``, in headers:

- ``X-Cogito-Authorizer``: JSON of ``requestContext.authorizer`` (REST Cognito:
  ``{"claims":{...}}``; HTTP API JWT: ``{"jwt":{"claims":{...},"scopes":[...]}}``; Lambda:
  ``{"principalId":...,<context>}``);
- ``X-Cogito-Authorizer-Claims``: JSON of the claims alone (Cognito and JWT modes), every value
  a string as API Gateway renders them (claims.py).

Headers of those names sent by the client are dropped, so a caller cannot forge them. In-process,
the middleware also puts the dict under ``environ["cogito.authorizer"]``.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Protocol
from urllib.parse import quote

from emulator.authorizer.config import AuthorizerConfig
from emulator.authorizer.decision import Decision, RequestInfo
from emulator.authorizer.verify import KeySets

log = logging.getLogger("cogito.authorizer")

AUTHORIZER_HEADER = "X-Cogito-Authorizer"
CLAIMS_HEADER = "X-Cogito-Authorizer-Claims"
ENVIRON_KEY = "cogito.authorizer"
READY = "Cogito authorizer ready on"
_FORGEABLE = "HTTP_X_COGITO_AUTHORIZER"
_HOP_BY_HOP = frozenset({"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te",
                         "trailers", "transfer-encoding", "upgrade", "host", "content-length"})
_STATUS = {401: "401 Unauthorized", 403: "403 Forbidden", 500: "500 Internal Server Error",
           502: "502 Bad Gateway"}


class Authorizer(Protocol):
    def authorize(self, request: RequestInfo) -> Decision: ...


def build_authorizer(config: AuthorizerConfig, *, clock: Callable[[], float] = time.time,
                     key_sets: KeySets | None = None) -> Authorizer:
    """The authorizer for ``config.mode``; ValueError naming every problem of the config."""
    problems = config.problems()
    if problems:
        raise ValueError("; ".join(problems))
    if config.mode == "rest":
        from emulator.authorizer.modes import RestCognitoAuthorizer

        return RestCognitoAuthorizer(config, key_sets=key_sets, clock=clock)
    if config.mode == "jwt":
        from emulator.authorizer.modes import JwtAuthorizer

        return JwtAuthorizer(config, key_sets=key_sets, clock=clock)
    from emulator.authorizer.lambda_mode import LambdaAuthorizer

    return LambdaAuthorizer(config, clock=clock)


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=True)  # ASCII: safe in a header


class AuthorizerMiddleware:
    """WSGI middleware: authorize, then call ``app`` with the authorizer's output, or refuse."""

    def __init__(self, app: Any, config: AuthorizerConfig, *, clock: Callable[[], float] = time.time,
                 key_sets: KeySets | None = None, authorizer: Authorizer | None = None) -> None:
        self.app = app
        self.config = config
        self.authorizer = authorizer or build_authorizer(config, clock=clock, key_sets=key_sets)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        for key in [k for k in environ if k.startswith(_FORGEABLE)]:
            del environ[key]
        request = RequestInfo.from_environ(environ)
        if request.method == "OPTIONS" and self.config.open_options:
            return self.app(environ, start_response)
        try:
            decision = self.authorizer.authorize(request)
        except Exception:
            log.exception("authorizer failed on %s %s", request.method, request.path)
            from emulator.authorizer.decision import configuration_error

            decision = configuration_error("authorizer_error")
        if not decision.allowed:
            log.info("%s %s -> %s (%s)", request.method, request.path, decision.status, decision.reason)
            start_response(_STATUS.get(decision.status or 500, f"{decision.status} Refused"),
                           [*decision.headers, ("Content-Length", str(len(decision.body)))])
            return [decision.body]
        log.info("%s %s -> allowed", request.method, request.path)
        environ[ENVIRON_KEY] = decision.authorizer
        environ["HTTP_X_COGITO_AUTHORIZER"] = _json(decision.authorizer)
        if decision.claims is not None:
            environ["HTTP_X_COGITO_AUTHORIZER_CLAIMS"] = _json(decision.claims)
        return self.app(environ, start_response)


class Forwarder:
    """A WSGI app that forwards each request to ``upstream`` and relays the answer unchanged."""

    def __init__(self, upstream: str, *, timeout: float = 60.0) -> None:
        import requests

        self.upstream = upstream.rstrip("/")
        self.timeout = timeout
        self.session = requests.Session()
        self.session.trust_env = False  # a local upstream: no HTTP(S)_PROXY detour

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        import requests
        from werkzeug.wsgi import get_input_stream

        raw = environ.get("RAW_URI") or environ.get("REQUEST_URI") or ""
        if not raw.startswith("/"):  # a server that keeps no raw target: rebuild it
            path = quote((environ.get("PATH_INFO") or "/").encode("latin-1"), safe="/:@!$&'()*+,;=-._~")
            raw = path + (f"?{environ['QUERY_STRING']}" if environ.get("QUERY_STRING") else "")
        url = self.upstream + raw
        headers = {}
        for key, value in environ.items():
            if key.startswith("HTTP_"):
                name = key[5:].replace("_", "-").title()
                if name.lower() not in _HOP_BY_HOP:
                    headers[name] = value
        if environ.get("CONTENT_TYPE"):
            headers["Content-Type"] = environ["CONTENT_TYPE"]
        forwarded = environ.get("REMOTE_ADDR", "")
        headers["X-Forwarded-For"] = ", ".join(v for v in (headers.get("X-Forwarded-For"), forwarded) if v)
        body = get_input_stream(environ).read()
        try:
            answer = self.session.request(environ.get("REQUEST_METHOD", "GET"), url,
                                          headers=headers, data=body or None, stream=True,
                                          allow_redirects=False, timeout=self.timeout)
        except requests.RequestException as exc:
            log.warning("upstream %s unreachable: %s", self.upstream, exc)
            payload = _json({"message": "Bad Gateway"}).encode()
            start_response(_STATUS[502], [("Content-Type", "application/json"),
                                          ("Content-Length", str(len(payload)))])
            return [payload]
        relayed = [(k, v) for k, v in answer.raw.headers.items() if k.lower() not in _HOP_BY_HOP - {"content-length"}]
        start_response(f"{answer.status_code} {answer.reason or ''}".strip(), relayed)
        return _stream(answer)


def _stream(answer: Any) -> Iterator[bytes]:
    try:
        yield from answer.raw.stream(65536, decode_content=False)
    finally:
        answer.close()


def make_proxy_app(config: AuthorizerConfig, upstream: str, *, clock: Callable[[], float] = time.time,
                   key_sets: KeySets | None = None) -> AuthorizerMiddleware:
    """The reverse proxy as a WSGI app: the authorizer in front of a Forwarder to ``upstream``."""
    return AuthorizerMiddleware(Forwarder(upstream), config, clock=clock, key_sets=key_sets)


class ProxyServer:
    """The proxy on ``host:port`` (0: a free port) in a background thread; a context manager."""

    def __init__(self, config: AuthorizerConfig, upstream: str, *, host: str = "127.0.0.1", port: int = 0,
                 clock: Callable[[], float] = time.time, key_sets: KeySets | None = None) -> None:
        from werkzeug.serving import make_server

        self.app = make_proxy_app(config, upstream, clock=clock, key_sets=key_sets)
        self.httpd = make_server(host, port, self.app, threaded=True)
        self.url = f"http://{host}:{self.httpd.server_port}"
        self._thread: threading.Thread | None = None

    @property
    def authorizer(self) -> Authorizer:
        return self.app.authorizer

    def start(self) -> ProxyServer:
        # A short poll interval: stop() returns within it (werkzeug's default is half a second).
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02},
                                        name="cogito-authorizer", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> ProxyServer:  # noqa: PYI034 - start() returns this very object
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def serve(config: AuthorizerConfig, upstream: str, *, host: str = "127.0.0.1", port: int = 9230) -> int:
    """Run the proxy in the foreground until SIGTERM or Ctrl-C (``cogito authorizer``)."""
    import signal

    server = ProxyServer(config, upstream, host=host, port=port)
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.httpd.shutdown, daemon=True).start())
    where = config.user_pool_id or ", ".join(config.issuers) or str(config.function)
    log.info("%s %s (%s authorizer for %s, upstream %s)", READY, server.url, config.mode, where, upstream)
    try:
        server.httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.httpd.server_close()
    return 0
