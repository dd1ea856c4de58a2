"""A tiny AWS-Lambda-compatible HTTP server hosting Python handlers, for the trigger tests.

It speaks the Lambda Invoke API Cogito calls at ``--lambda-endpoint``
(``POST /2015-03-31/functions/{name}/invocations``): the handler's return value is the JSON
reply; a handler that raises answers 200 with ``X-Amz-Function-Error: Unhandled`` and
``{errorMessage, errorType, stackTrace}``; an unknown function answers 404
``ResourceNotFoundException``. ``POST /plain/{name}`` is the same handler behind a plain
URL (``--lambda-url``): its failure is a 500 with ``errorMessage``.

Handlers are ``handler(event, context)`` like Lambda's Python runtime. Every event received
is kept (``host.events(name)``) so tests can assert on what Cognito-as-emulated sent.

Fixtures: ``lambda_host`` (one server per session) and ``triggers`` (per test: points the
live Cogito at the host, registers functions under unique ARNs, makes pools with a
LambdaConfig, and cleans up).
"""

from __future__ import annotations

import dataclasses
import json
import threading
import traceback
import uuid
from collections.abc import Callable, Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

Handler = Callable[[dict[str, Any], Any], Any]
ACCOUNT = "000000000000"
REGION = "eu-west-1"


class Raw:
    """Return this from a handler to answer raw bytes instead of JSON (a broken function)."""

    def __init__(self, body: str) -> None:
        self.body = body


class LambdaHost:
    """The server: handlers by function name, and what each one received."""

    def __init__(self) -> None:
        self.handlers: dict[str, Handler] = {}
        self.received: dict[str, list[dict[str, Any]]] = {}
        self.headers: dict[str, list[dict[str, str]]] = {}
        self._lock = threading.Lock()
        self.httpd = make_server("127.0.0.1", 0, self._wsgi, threaded=True)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="lambda-host", daemon=True)
        self.thread.start()

    def add(self, name: str, handler: Handler) -> None:
        with self._lock:
            self.handlers[name] = handler
            self.received[name] = []
            self.headers[name] = []

    def remove(self, name: str) -> None:
        with self._lock:
            self.handlers.pop(name, None)

    def events(self, name: str) -> list[dict[str, Any]]:
        with self._lock:
            return list(self.received.get(name, []))

    def plain_url(self, name: str) -> str:
        return f"{self.url}/plain/{name}"

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def _wsgi(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        parts = request.path.strip("/").split("/")
        if request.method == "POST" and len(parts) == 4 and parts[:2] == ["2015-03-31", "functions"] \
                and parts[3] == "invocations":
            response = self._invoke(parts[2], request, plain=False)
        elif request.method == "POST" and len(parts) == 2 and parts[0] == "plain":
            response = self._invoke(parts[1], request, plain=True)
        else:
            response = Response("not found", status=404)
        return response(environ, start_response)

    def _invoke(self, name: str, request: Request, *, plain: bool) -> Response:
        with self._lock:
            handler = self.handlers.get(name)
        if handler is None:
            body = {"Type": "User", "message": f"Function not found: arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"}
            return Response(json.dumps(body), status=404, content_type="application/json",
                            headers={"x-amzn-ErrorType": "ResourceNotFoundException"})
        event = json.loads(request.get_data())
        with self._lock:  # a copy: the handler may change the event it returns
            self.received[name].append(json.loads(request.get_data()))
            self.headers[name].append(dict(request.headers))
        context = SimpleNamespace(function_name=name, aws_request_id=str(uuid.uuid4()))
        try:
            value = handler(event, context)
        except Exception as exc:  # noqa: BLE001 - the function threw: Lambda reports it
            error = {"errorMessage": str(exc), "errorType": type(exc).__name__,
                     "stackTrace": traceback.format_tb(exc.__traceback__)}
            if plain:
                return Response(json.dumps(error), status=500, content_type="application/json")
            return Response(json.dumps(error), status=200, content_type="application/json",
                            headers={"X-Amz-Function-Error": "Unhandled"})
        if isinstance(value, Raw):
            return Response(value.body, status=200, content_type="application/json")
        return Response(json.dumps(value), status=200, content_type="application/json")


@pytest.fixture(scope="session")
def lambda_host() -> Iterator[LambdaHost]:
    host = LambdaHost()
    yield host
    host.stop()


@dataclasses.dataclass
class Triggers:
    """Per-test helper: functions under unique ARNs, pools that use them, the events they got."""

    host: LambdaHost
    server: Any
    idp: Any
    names: list[str] = dataclasses.field(default_factory=list)
    pools: list[str] = dataclasses.field(default_factory=list)

    def function(self, handler: Handler, name: str = "fn") -> str:
        """Host ``handler`` and return its function ARN."""
        unique = f"{name}-{uuid.uuid4().hex[:10]}"
        self.host.add(unique, handler)
        self.names.append(unique)
        return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{unique}"

    def echo(self, name: str = "echo", change: Callable[[dict[str, Any]], None] | None = None) -> str:
        """A function that returns the event, after ``change(event)`` if given."""
        def handler(event: dict[str, Any], _context: Any) -> dict[str, Any]:
            if change is not None:
                change(event)
            return event
        return self.function(handler, name)

    def events(self, arn: str) -> list[dict[str, Any]]:
        return self.host.events(arn.rsplit(":", 1)[1])

    def headers(self, arn: str) -> list[dict[str, str]]:
        return list(self.host.headers.get(arn.rsplit(":", 1)[1], []))

    def map_url(self, arn: str, url: str) -> None:
        """Run ``arn`` through a plain URL (the ``--lambda-url`` setting) for this test."""
        state = self.server.state
        state.settings = dataclasses.replace(state.settings, lambda_urls={**state.settings.lambda_urls, arn: url})

    def pool(self, lambda_config: dict[str, Any], **kwargs: Any) -> str:
        """A new pool with this LambdaConfig (deleted after the test)."""
        pool_id = self.idp.create_user_pool(PoolName=f"trg-{uuid.uuid4().hex[:8]}", LambdaConfig=lambda_config,
                                            **kwargs)["UserPool"]["Id"]
        self.pools.append(pool_id)
        return pool_id

    def finish(self) -> None:
        for name in self.names:
            self.host.remove(name)
        for pool_id in self.pools:
            try:
                self.idp.delete_user_pool(UserPoolId=pool_id)
            except Exception:  # noqa: BLE001 - already gone
                pass
        state = self.server.state
        state.settings = dataclasses.replace(state.settings, lambda_urls={})


@pytest.fixture
def triggers(server: Any, idp: Any, lambda_host: LambdaHost) -> Iterator[Triggers]:
    """The live Cogito pointed at ``lambda_host`` as its Lambda endpoint (the ``--lambda-endpoint`` setting)."""
    state = server.state
    if state.settings.lambda_endpoint != lambda_host.url:
        state.settings = dataclasses.replace(state.settings, lambda_endpoint=lambda_host.url)
    helper = Triggers(lambda_host, server, idp)
    yield helper
    helper.finish()
