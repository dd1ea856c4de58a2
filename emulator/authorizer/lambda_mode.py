"""A REST API's Lambda (custom) authorizer, TOKEN or REQUEST, run through the triggers' invoker.

The function runs where Cogito's triggers run (emulator/triggers/invoke.py): a Python callable
registered in-process (the pytest plugin), a plain URL (``--lambda-url ARN=URL``) or the Lambda
Invoke API (``--lambda-endpoint``). A Python callable given directly in the config is called
as a Lambda handler, ``fn(event, context)``.

Events, as API Gateway sends them:
- TOKEN: ``{"type":"TOKEN","authorizationToken":<the header, as sent>,"methodArn":...}``;
- REQUEST: ``{"type":"REQUEST","methodArn","resource","path","httpMethod","headers",
  "multiValueHeaders","queryStringParameters","multiValueQueryStringParameters",
  "pathParameters","stageVariables","requestContext"}``.

A missing or empty identity source is 401 without calling the function. A function that throws
``Unauthorized`` is 401; any other failure, or an answer that is not a policy, is 500
``{"message":null}``. The policy is evaluated against the request's method ARN (policy.py);
the result is cached per token (TOKEN) or per identity-source values (REQUEST) for the TTL,
and a cached policy is evaluated against each later request's own method ARN.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from emulator.authorizer import decision
from emulator.authorizer.config import AuthorizerConfig
from emulator.authorizer.decision import Decision, RequestInfo
from emulator.authorizer.policy import (
    ALLOW,
    EXPLICIT_DENY,
    AuthorizerOutput,
    InvalidAuthorizerResponse,
    evaluate,
    method_arn,
    parse_output,
)
from emulator.settings import Settings

TRIGGER = "Authorizer"
CACHE_SIZE = 10_000


class _Unauthorized(Exception):
    """The function threw "Unauthorized"."""


class _Failed(Exception):
    """The function could not be run, threw something else, or answered nonsense."""


class LambdaAuthorizer:
    """TOKEN or REQUEST authorizer with API Gateway's result cache."""

    def __init__(self, config: AuthorizerConfig, *, clock: Callable[[], float] = time.time,
                 settings: Settings | None = None) -> None:
        self.config = config
        self.kind = "TOKEN" if config.mode == "lambda-token" else "REQUEST"
        self.sources = config.sources()
        self.clock = clock
        self.settings = settings or Settings(region=config.region_name(), lambda_endpoint=config.lambda_endpoint,
                                             lambda_urls=dict(config.lambda_urls))
        self._cache: OrderedDict[tuple[str, ...], tuple[float, AuthorizerOutput]] = OrderedDict()
        self._lock = threading.Lock()
        self.invocations = 0  # how many times the function ran (the cache's effect, for tests and logs)

    def method_arn(self, request: RequestInfo) -> str:
        c = self.config
        return method_arn(c.region_name(), c.account_id, c.api_id, c.stage, request.method, request.path)

    def authorize(self, request: RequestInfo) -> Decision:
        arn = self.method_arn(request)
        values = [source.read(request.headers, request.query) for source in self.sources]
        if any(value is None for value in values):
            return decision.unauthorized("missing")
        if self.kind == "TOKEN":
            event: dict[str, Any] = {"type": "TOKEN", "authorizationToken": values[0], "methodArn": arn}
        else:
            event = self.request_event(request, arn)
        key = (self.kind, *[str(v) for v in values]) if self.config.ttl > 0 and values else None
        output = self._cached(key)
        if output is None:
            try:
                output = parse_output(self._invoke(event))
            except _Unauthorized:
                return decision.unauthorized("lambda_unauthorized")
            except (_Failed, InvalidAuthorizerResponse):
                return decision.configuration_error("lambda_error")
            self._store(key, output)
        verdict = evaluate(output, arn)
        if verdict == EXPLICIT_DENY:
            return decision.explicit_deny()
        if verdict != ALLOW:
            return decision.implicit_deny()
        return decision.allow({"principalId": output.principal_id, **output.context})

    def request_event(self, request: RequestInfo, arn: str) -> dict[str, Any]:
        """The REQUEST authorizer's event: the request's headers, query, path and context."""
        c = self.config
        headers = {_header_case(name): value for name, value in request.headers.items()}
        query = request.query
        return {
            "type": "REQUEST",
            "methodArn": arn,
            "resource": request.path,
            "path": request.path,
            "httpMethod": request.method,
            "headers": headers,
            "multiValueHeaders": {name: [value] for name, value in headers.items()},
            "queryStringParameters": {k: v[-1] for k, v in query.items()} or None,
            "multiValueQueryStringParameters": dict(query) or None,
            "pathParameters": {},
            "stageVariables": {},
            "requestContext": {
                "accountId": c.account_id, "apiId": c.api_id, "stage": c.stage, "httpMethod": request.method,
                "path": f"/{c.stage}{request.path}", "resourcePath": request.path,
                "requestId": str(uuid.uuid4()), "resourceId": "cogito",
                "identity": {"sourceIp": request.source_ip, "userAgent": request.headers.get("user-agent")},
            },
        }

    def _invoke(self, event: dict[str, Any]) -> Any:
        self.invocations += 1
        function = self.config.function
        if callable(function):
            context = SimpleNamespace(function_name="authorizer", aws_request_id=str(uuid.uuid4()))
            try:
                return function(event, context)
            except Exception as exc:  # noqa: BLE001 - whatever the function throws is its answer
                raise (_Unauthorized() if str(exc) == "Unauthorized" else _Failed(str(exc))) from None
        from emulator.errors import (
            InvalidLambdaResponseException,
            UnexpectedLambdaException,
            UserLambdaValidationException,
        )
        from emulator.triggers.invoke import run

        try:
            return run(self.settings, TRIGGER, str(function), event)
        except UserLambdaValidationException as exc:
            thrown = exc.message.removeprefix(f"{TRIGGER} failed with error ").removesuffix(".")
            raise (_Unauthorized() if thrown == "Unauthorized" else _Failed(thrown)) from None
        except (InvalidLambdaResponseException, UnexpectedLambdaException) as exc:
            raise _Failed(exc.message) from None

    def _cached(self, key: tuple[str, ...] | None) -> AuthorizerOutput | None:
        if key is None:
            return None
        with self._lock:
            entry = self._cache.get(key)
            if entry is None:
                return None
            if entry[0] <= self.clock():
                del self._cache[key]
                return None
            return entry[1]

    def _store(self, key: tuple[str, ...] | None, output: AuthorizerOutput) -> None:
        if key is None:
            return
        with self._lock:
            self._cache[key] = (self.clock() + self.config.ttl, output)
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)

    def clear_cache(self) -> None:
        with self._lock:
            self._cache.clear()


def _header_case(name: str) -> str:
    """``x-api-key`` -> ``X-Api-Key`` (WSGI keeps no original case)."""
    return "-".join(part[:1].upper() + part[1:] for part in name.split("-"))
