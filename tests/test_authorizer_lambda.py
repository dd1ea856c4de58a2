"""Lambda (custom) authorizers, TOKEN and REQUEST, run on a Lambda-Invoke-compatible test server (and
through a plain URL, the in-process registry, or a callable): event shapes, IAM policy enforcement
with wildcards and explicit Deny, context to the upstream, failures, and the result cache."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from emulator.authorizer.verify import TokenRejected, verify_token
from tests.authorizer_support import World, call, claims_of, forwarded, proxy, upstream, world  # noqa: F401
from tests.lambda_server import ACCOUNT, REGION, LambdaHost, lambda_host  # noqa: F401

EXPLICIT = {"Message": "User is not authorized to access this resource with an explicit deny"}
IMPLICIT = {"Message": "User is not authorized to access this resource"}
ARN_SHAPE = re.compile(r"^arn:aws:execute-api:eu-west-1:000000000000:cogitoapi0/local/[A-Z]+/.*$")


def policy(effect: str, resource: str | list[str], principal: str = "user", **context: Any) -> dict[str, Any]:
    return {"principalId": principal, "context": context,
            "policyDocument": {"Version": "2012-10-17",
                               "Statement": [{"Action": "execute-api:Invoke", "Effect": effect, "Resource": resource}]}}


class Functions:
    """Handlers hosted on the Lambda test server under unique names; removed after the test."""

    def __init__(self, host: LambdaHost) -> None:
        self.host = host
        self.names: list[str] = []

    def add(self, handler: Callable[[dict[str, Any], Any], Any]) -> str:
        name = f"authz-{uuid.uuid4().hex[:10]}"
        self.host.add(name, handler)
        self.names.append(name)
        return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"

    def events(self, arn: str) -> list[dict[str, Any]]:
        return self.host.events(arn.rsplit(":", 1)[1])


@pytest.fixture
def functions(lambda_host: LambdaHost) -> Iterator[Functions]:
    made = Functions(lambda_host)
    yield made
    for name in made.names:
        lambda_host.remove(name)


@pytest.fixture
def lambda_proxy(proxy: Any, lambda_host: LambdaHost) -> Callable[..., Any]:
    def start(function: Any, mode: str = "lambda-token", **options: Any) -> Any:
        options.setdefault("region", REGION)
        return proxy(mode=mode, function=function, lambda_endpoint=lambda_host.url, **options)
    return start


def jwt_checking_authorizer(world: World, server: Any) -> Callable[[dict[str, Any], Any], Any]:
    """The docs' example: verify against Cogito's JWKS, allow GET on /orders/* only, add context."""
    def handler(event: dict[str, Any], _context: Any) -> dict[str, Any]:
        try:
            claims = verify_token(event["authorizationToken"], user_pool_id=world.pool_id, cognito_endpoint=server.url)
        except TokenRejected:
            raise Exception("Unauthorized") from None  # noqa: TRY002 - Lambda's way to say 401
        api = event["methodArn"].split("/", 1)[0]  # arn:aws:execute-api:region:account:apiId
        return policy("Allow", [f"{api}/*/GET/orders", f"{api}/*/GET/orders/*"], claims["sub"],
                      username=claims.get("cognito:username") or claims.get("username") or "",
                      scope=claims.get("scope", ""), admin=False)
    return handler


# (token kind, state) -> status with the example authorizer: it checks signature and expiry only.
LAMBDA_TABLE = [
    ("id", "valid", 200), ("id", "expired", 401), ("id", "tampered", 401), ("id", "foreign", 401),
    ("id", "revoked", 200), ("access", "valid", 200), ("access", "expired", 401), ("access", "tampered", 401),
    ("access", "foreign", 401), ("access", "revoked", 200), ("m2m_read", "valid", 200),
    ("m2m_read", "expired", 401), ("m2m_read", "tampered", 401), ("m2m_read", "foreign", 401),
    ("user_scoped", "valid", 200), ("user_scoped", "expired", 401), ("user_scoped", "tampered", 401),
    ("user_scoped", "foreign", 401), ("user_scoped", "revoked", 200),
]


@pytest.mark.parametrize(("kind", "state", "status"), LAMBDA_TABLE, ids=[f"{k}-{s}" for k, s, _ in LAMBDA_TABLE])
def test_token_authorizer_table(world: World, server: Any, functions: Functions, lambda_proxy: Any, kind: str,
                                state: str, status: int) -> None:
    arn = functions.add(jwt_checking_authorizer(world, server))
    gateway = lambda_proxy(arn)
    token = world.token(kind, state)
    answer = call(gateway, "Bearer " + token, path="/orders/7")
    assert answer.status_code == status, answer.text
    (event,) = functions.events(arn)
    assert event == {"type": "TOKEN", "authorizationToken": "Bearer " + token,
                     "methodArn": "arn:aws:execute-api:eu-west-1:000000000000:cogitoapi0/local/GET/orders/7"}
    if status == 401:
        assert answer.json() == {"message": "Unauthorized"}
        return
    context = json.loads(forwarded(answer)["headers"]["x-cogito-authorizer"])
    assert context["principalId"] == claims_of(token)["sub"] and context["admin"] is False
    # the policy is scoped: another method on the same path is refused
    assert call(gateway, "Bearer " + token, path="/orders/7", method="DELETE").json() == IMPLICIT


def test_missing_identity_source_skips_the_function(functions: Functions, lambda_proxy: Any) -> None:
    arn = functions.add(lambda event, _ctx: policy("Allow", "*"))
    gateway = lambda_proxy(arn)
    assert call(gateway, None).status_code == 401
    assert call(gateway, "").status_code == 401
    assert functions.events(arn) == []


def test_function_errors(functions: Functions, lambda_proxy: Any) -> None:
    def unauthorized(_event: dict[str, Any], _ctx: Any) -> Any:
        raise Exception("Unauthorized")  # noqa: TRY002 - Lambda's way to say 401

    def broken(_event: dict[str, Any], _ctx: Any) -> Any:
        raise ValueError("database down")

    for handler, status, body in [(unauthorized, 401, {"message": "Unauthorized"}),
                                  (broken, 500, {"message": None}),
                                  (lambda e, c: {"principalId": "x"}, 500, {"message": None}),  # no policy
                                  (lambda e, c: "Allow", 500, {"message": None}),
                                  (lambda e, c: policy("Allow", "*", nested={"a": 1}), 500, {"message": None}),
                                  (lambda e, c: policy("Maybe", "*"), 500, {"message": None})]:
        answer = call(lambda_proxy(functions.add(handler)), "token")
        assert (answer.status_code, answer.json()) == (status, body)
        if status == 500:
            assert answer.headers["x-amzn-ErrorType"] == "AuthorizerConfigurationException"


def test_unknown_function_is_a_configuration_error(lambda_proxy: Any) -> None:
    answer = call(lambda_proxy(f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:nobody-{uuid.uuid4().hex[:6]}"), "t")
    assert answer.status_code == 500 and answer.json() == {"message": None}


@pytest.mark.parametrize(("resource", "method", "path", "status"), [
    ("*", "GET", "/orders", 200),
    ("arn:aws:execute-api:eu-west-1:000000000000:cogitoapi0/local/GET/orders", "GET", "/orders", 200),
    ("arn:aws:execute-api:eu-west-1:000000000000:cogitoapi0/local/GET/orders", "GET", "/orders/1", 403),
    ("arn:aws:execute-api:*:*:*/*/GET/*", "GET", "/orders/1/items", 200),
    ("arn:aws:execute-api:*:*:*/*/GET/*", "POST", "/orders", 403),
    ("arn:aws:execute-api:eu-west-1:*:cogitoapi0/*/*/orders/?", "PUT", "/orders/7", 200),
    ("arn:aws:execute-api:eu-west-1:*:cogitoapi0/*/*/orders/?", "PUT", "/orders/77", 403),
    ("arn:aws:execute-api:us-east-1:*:*/*/*/*", "GET", "/orders", 403),  # another region
    ("arn:aws:execute-api:eu-west-1:111111111111:*/*/*/*", "GET", "/orders", 403),  # another account
    ("arn:aws:execute-api:eu-west-1:000000000000:otherapi00/*", "GET", "/orders", 403),
    ("arn:aws:execute-api:eu-west-1:000000000000:cogitoapi0/prod/*", "GET", "/orders", 403),  # another stage
])
def test_policy_wildcards(functions: Functions, lambda_proxy: Any, resource: str, method: str, path: str,
                          status: int) -> None:
    gateway = lambda_proxy(functions.add(lambda e, c: policy("Allow", resource)), ttl=0)
    answer = call(gateway, "token", method=method, path=path)
    assert answer.status_code == status, answer.text
    if status == 403:
        assert answer.json() == IMPLICIT


def test_explicit_deny_wins(functions: Functions, lambda_proxy: Any) -> None:
    def handler(event: dict[str, Any], _ctx: Any) -> dict[str, Any]:
        answer = policy("Allow", "arn:aws:execute-api:*:*:*/*/*/*")
        answer["policyDocument"]["Statement"].append(
            {"Action": ["execute-api:Invoke"], "Effect": "Deny", "Resource": ["arn:aws:execute-api:*:*:*/*/DELETE/*"]})
        return answer

    gateway = lambda_proxy(functions.add(handler))
    assert call(gateway, "t", method="GET", path="/orders/1").status_code == 200
    denied = call(gateway, "t", method="DELETE", path="/orders/1")
    assert denied.status_code == 403 and denied.json() == EXPLICIT
    assert denied.headers["x-amzn-ErrorType"] == "AccessDeniedException"


def test_action_must_name_invoke(functions: Functions, lambda_proxy: Any) -> None:
    other = policy("Allow", "*")
    other["policyDocument"]["Statement"][0]["Action"] = "execute-api:ManageConnections"
    assert call(lambda_proxy(functions.add(lambda e, c: other)), "t").json() == IMPLICIT
    wildcard = policy("Allow", "*")
    wildcard["policyDocument"]["Statement"][0]["Action"] = "execute-api:*"
    assert call(lambda_proxy(functions.add(lambda e, c: wildcard)), "t").status_code == 200


def test_narrow_policy_is_cached_and_refuses_the_next_route(functions: Functions, lambda_proxy: Any) -> None:
    """The classic trap: Resource = event.methodArn, cached per token, evaluated for the next route."""
    arn = functions.add(lambda event, _ctx: policy("Allow", event["methodArn"]))
    gateway = lambda_proxy(arn)
    assert call(gateway, "token-1", path="/orders").status_code == 200
    assert call(gateway, "token-1", path="/invoices").json() == IMPLICIT
    assert len(functions.events(arn)) == 1  # the second request used the cached policy
    assert call(gateway, "token-2", path="/invoices").status_code == 200  # another token, another entry
    uncached = lambda_proxy(arn, ttl=0)
    assert call(uncached, "token-1", path="/orders").status_code == 200
    assert call(uncached, "token-1", path="/invoices").status_code == 200
    assert len(functions.events(arn)) == 4


def test_cache_expires_after_the_ttl(functions: Functions, server: Any, upstream: Any, lambda_host: LambdaHost) -> None:
    from emulator.authorizer.config import AuthorizerConfig
    from emulator.authorizer.proxy import ProxyServer

    now = [1_000_000.0]
    arn = functions.add(lambda e, c: policy("Allow", "*"))
    config = AuthorizerConfig(mode="lambda-token", function=arn, ttl=60, lambda_endpoint=lambda_host.url)
    with ProxyServer(config, upstream.url, clock=lambda: now[0]) as gateway:
        call(gateway, "t")
        now[0] += 59
        call(gateway, "t")
        assert len(functions.events(arn)) == 1
        now[0] += 1
        call(gateway, "t")
        assert len(functions.events(arn)) == 2


def test_request_authorizer_event_and_identity_sources(functions: Functions, lambda_proxy: Any) -> None:
    arn = functions.add(lambda event, _ctx: policy("Allow", "*", "p-1", tenant=event["queryStringParameters"]["t"]))
    gateway = lambda_proxy(arn, mode="lambda-request",
                           identity_sources=("X-Api-Key", "method.request.querystring.t"))
    answer = call(gateway, "k-1", header="X-Api-Key", method="POST", path="/orders/9?t=acme&t=acme2&x=1")
    assert json.loads(forwarded(answer)["headers"]["x-cogito-authorizer"]) == {"principalId": "p-1",
                                                                                "tenant": "acme2"}
    (event,) = functions.events(arn)
    assert event["type"] == "REQUEST" and event["httpMethod"] == "POST" and event["path"] == "/orders/9"
    assert ARN_SHAPE.match(event["methodArn"]) and event["methodArn"].endswith("/POST/orders/9")
    assert event["headers"]["X-Api-Key"] == "k-1" and event["multiValueHeaders"]["X-Api-Key"] == ["k-1"]
    assert event["queryStringParameters"] == {"t": "acme2", "x": "1"}
    assert event["multiValueQueryStringParameters"] == {"t": ["acme", "acme2"], "x": ["1"]}
    assert event["requestContext"]["stage"] == "local" and event["requestContext"]["httpMethod"] == "POST"
    # every identity source must be present, else 401 without a call
    assert call(gateway, "k-1", header="X-Api-Key", path="/orders/9").status_code == 401
    assert call(gateway, None, path="/orders/9?t=acme").status_code == 401
    assert len(functions.events(arn)) == 1
    # cached per identity-source values
    call(gateway, "k-1", header="X-Api-Key", path="/other?t=acme2")
    assert len(functions.events(arn)) == 1
    call(gateway, "k-1", header="X-Api-Key", path="/other?t=zzz")
    assert len(functions.events(arn)) == 2


def test_plain_url_and_in_process_functions(functions: Functions, lambda_host: LambdaHost, lambda_proxy: Any,
                                            proxy: Any) -> None:
    from emulator.state import functions as registry

    hosted = functions.add(lambda e, c: policy("Allow", "*", "via-url"))
    elsewhere = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:not-on-the-endpoint"
    by_url = proxy(mode="lambda-token", function=elsewhere,
                   lambda_urls={elsewhere: lambda_host.plain_url(hosted.rsplit(":", 1)[1])})
    assert json.loads(forwarded(call(by_url, "t"))["headers"]["x-cogito-authorizer"])["principalId"] == "via-url"

    registered = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:in-process-{uuid.uuid4().hex[:6]}"
    registry.register(registered, lambda event: policy("Allow", "*", "in-process"))  # fn(event), as triggers
    try:
        in_process = proxy(mode="lambda-token", function=registered)
        assert json.loads(forwarded(call(in_process, "t"))["headers"]["x-cogito-authorizer"])["principalId"] \
            == "in-process"
    finally:
        registry.unregister(registered)

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        if event["authorizationToken"] != "let-me-in":
            raise Exception("Unauthorized")  # noqa: TRY002 - Lambda's way to say 401
        return policy("Allow", "*", context.function_name)

    direct = proxy(mode="lambda-token", function=handler)
    assert call(direct, "let-me-in").status_code == 200
    assert call(direct, "nope").status_code == 401
