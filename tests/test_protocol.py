"""The wire itself: routing, the error shape, CORS, regions, and atomic failures.

Raw ``requests`` for what boto3 would never send; boto3 where the client's view matters.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import requests

from emulator.protocol import registry, specs
from emulator.protocol.json11 import region_of

IDP = "AWSCognitoIdentityProviderService"
IDENTITY = "AWSCognitoIdentityService"
JSON11 = "application/x-amz-json-1.1"
PREFIX = {"cognito-idp": IDP, "cognito-identity": IDENTITY}
EXPOSED = "x-amzn-RequestId,x-amzn-ErrorType,x-amzn-ErrorMessage,Date"
ALL_OPERATIONS = [
    (service, name)
    for service in ("cognito-idp", "cognito-identity")
    for name in sorted(specs.get_spec(service).operations)
]


def call(server: Any, target: str, body: str | bytes | dict[str, Any] = "{}", **headers: str) -> requests.Response:
    """POST / with a JSON 1.1 target, unsigned (no Authorization header)."""
    data = json.dumps(body) if isinstance(body, dict) else body
    sent = {"Content-Type": JSON11, "X-Amz-Target": target, **headers}
    return requests.post(server.url + "/", data=data, headers=sent, timeout=30)


def assert_aws_error(resp: requests.Response, code: str, status: int = 400) -> str:
    """The full AWS JSON error shape; returns the message."""
    assert resp.status_code == status, resp.text
    assert resp.headers["Content-Type"] == JSON11
    body = resp.json()
    assert set(body) == {"__type", "message"}
    assert body["__type"] == code
    assert resp.headers["x-amzn-ErrorType"] == f"{code}:"
    assert resp.headers["x-amzn-ErrorMessage"] == body["message"]
    assert uuid.UUID(resp.headers["x-amzn-RequestId"])
    assert "Traceback" not in resp.text
    return body["message"]


@pytest.fixture
def temporary_operation() -> Iterator[Callable[[str, str, Any], None]]:
    """Register a handler for the length of one test, then put the table back."""
    saved: dict[tuple[str, str], Any] = {}

    def install(service: str, name: str, handler: Any) -> None:
        registry.lookup(service, name)  # load the real handlers first
        saved.setdefault((service, name), registry._table.get((service, name)))
        registry.operation(service, name)(handler)

    yield install
    for key, original in saved.items():
        if original is None:
            registry._table.pop(key, None)
        else:
            registry._table[key] = original


def pool_ids(idp: Any) -> set[str]:
    return {p["Id"] for p in idp.list_user_pools(MaxResults=60)["UserPools"]}


# -- every operation answers --------------------------------------------------------------


@pytest.mark.parametrize(("service", "operation"), ALL_OPERATIONS, ids=[f"{s}:{o}" for s, o in ALL_OPERATIONS])
def test_every_operation_is_implemented_or_answers_501(server: Any, service: str, operation: str) -> None:
    resp = call(server, f"{PREFIX[service]}.{operation}", "{}")
    assert resp.headers["Content-Type"] == JSON11
    body = resp.json()
    if registry.lookup(service, operation) is None:
        assert resp.status_code == 501
        assert body["__type"] == "NotImplementedException"
        assert operation in body["message"]
        assert resp.headers["x-amzn-ErrorType"] == "NotImplementedException:"
    else:
        # An empty call to a real handler is answered, or refused as a client error: never a 5xx.
        assert resp.status_code in (200, 400), resp.text
        if resp.status_code == 400:
            assert body["__type"] and body["message"]


# -- malformed input ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [b"{", b"{'MaxResults': 1}", b"not json", b"\xff\xfe\x00", b'{"MaxResults": NaN}', b"[" * 100_000 + b"]" * 100_000],
    ids=["truncated", "single-quotes", "text", "bad-utf8", "nan", "deep-nesting"],
)
def test_malformed_json_is_a_serialization_exception(server: Any, raw: bytes) -> None:
    assert_aws_error(call(server, f"{IDP}.ListUserPools", raw), "SerializationException")


@pytest.mark.parametrize("raw", ["[]", "[1, 2]", '"text"', "42", "null", "true"])
def test_a_body_that_is_not_an_object_is_a_serialization_exception(server: Any, raw: str) -> None:
    assert_aws_error(call(server, f"{IDP}.ListUserPools", raw), "SerializationException")


@pytest.mark.parametrize(
    "target",
    [f"{IDP}.NoSuchOperation", "NoSuchService.ListUserPools", IDP, f"{IDP}.", "garbage", f"{IDENTITY}.ListUserPools"],
)
def test_unknown_target_is_an_unknown_operation(server: Any, target: str) -> None:
    assert_aws_error(call(server, target), "UnknownOperationException")


def test_json_without_a_target_is_an_unknown_operation(server: Any) -> None:
    resp = requests.post(server.url + "/", data="{}", headers={"Content-Type": JSON11}, timeout=30)
    assert_aws_error(resp, "UnknownOperationException")


@pytest.mark.parametrize("raw", ["", "   ", "\n"])
def test_an_empty_body_is_an_empty_object(server: Any, raw: str) -> None:
    # ListUserPools requires MaxResults: an empty body reaches validation as {}.
    message = assert_aws_error(call(server, f"{IDP}.ListUserPools", raw), "InvalidParameterException")
    assert message == (
        "1 validation error detected: Value null at 'maxResults' failed to satisfy constraint: "
        "Member must not be null"
    )


def test_a_wrong_member_type_is_a_serialization_exception(server: Any) -> None:
    assert_aws_error(call(server, f"{IDP}.ListUserPools", {"MaxResults": "10"}), "SerializationException")
    assert_aws_error(call(server, f"{IDP}.CreateUserPool", {"PoolName": ["x"]}), "SerializationException")


@pytest.mark.parametrize("value", ["a\u0000b", "\ud800"])
def test_strings_the_store_cannot_hold_are_refused(server: Any, idp: Any, value: str) -> None:
    before = pool_ids(idp)
    body = {"PoolName": "fine", "UserPoolTags": {"k": value}}
    assert_aws_error(call(server, f"{IDP}.CreateUserPool", json.dumps(body)), "SerializationException")
    assert pool_ids(idp) == before


def test_an_over_large_body_is_refused_without_a_crash(server: Any) -> None:
    raw = '{"MaxResults": 1, "NextToken": "' + "a" * (17 * 1024 * 1024) + '"}'
    resp = call(server, f"{IDP}.ListUserPools", raw)
    assert resp.status_code == 413
    assert resp.json()["__type"] == "SerializationException"


# -- the error shape ----------------------------------------------------------------------


def test_error_shape_for_a_handler_error(server: Any, idp: Any) -> None:
    resp = call(server, f"{IDP}.DescribeUserPool", {"UserPoolId": "us-east-1_doesNotExist"})
    message = assert_aws_error(resp, "ResourceNotFoundException")
    assert "us-east-1_doesNotExist" in message
    with pytest.raises(idp.exceptions.ResourceNotFoundException) as caught:
        idp.describe_user_pool(UserPoolId="eu-west-1_doesNotExist")
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert caught.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_all_client_errors_are_400(server: Any) -> None:
    cases = [
        (call(server, f"{IDP}.DescribeUserPool", {"UserPoolId": "us-east-1_nope"}), "ResourceNotFoundException"),
        (call(server, f"{IDP}.ListUserPools", {"MaxResults": 0}), "InvalidParameterException"),
        (call(server, f"{IDP}.ListUserPools", "{"), "SerializationException"),
        (call(server, f"{IDP}.Nope"), "UnknownOperationException"),
    ]
    for resp, code in cases:
        assert_aws_error(resp, code, 400)


def test_success_shape(server: Any, idp: Any) -> None:
    created = call(server, f"{IDP}.CreateUserPool", {"PoolName": "shape"})
    assert created.status_code == 200
    assert created.headers["Content-Type"] == JSON11
    assert uuid.UUID(created.headers["x-amzn-RequestId"])
    pool = created.json()["UserPool"]
    assert "null" not in created.text  # absent members are omitted, never null
    deleted = call(server, f"{IDP}.DeleteUserPool", {"UserPoolId": pool["Id"]})
    assert deleted.status_code == 200
    assert deleted.text == "{}"  # empty outputs are {} (Amplify fails on an empty body)


def test_an_internal_error_is_a_clean_500(server: Any, temporary_operation: Any) -> None:
    def broken(ctx: Any, params: dict[str, Any]) -> dict[str, Any]:
        raise RuntimeError("secret detail that must not leak")

    temporary_operation("cognito-idp", "DescribeUserPool", broken)
    resp = call(server, f"{IDP}.DescribeUserPool", {"UserPoolId": "us-east-1_abc"})
    message = assert_aws_error(resp, "InternalErrorException", 500)
    assert "secret detail" not in resp.text and "secret detail" not in message


# -- CORS -------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/_cogito/health", "/us-east-1_abc/.well-known/jwks.json"])
def test_cors_preflight(server: Any, path: str) -> None:
    asked = "content-type,x-amz-target,x-amz-user-agent,cache-control,amz-sdk-invocation-id"
    resp = requests.options(server.url + path, timeout=30, headers={
        "Origin": "http://localhost:3000",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": asked,
    })
    assert resp.status_code == 200
    assert resp.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in resp.headers["Access-Control-Allow-Methods"].split(",")
    assert resp.headers["Access-Control-Allow-Headers"] == asked


def test_cors_headers_on_answers_and_errors(server: Any) -> None:
    ok = call(server, f"{IDP}.ListUserPools", {"MaxResults": 1}, Origin="http://localhost:3000")
    bad = call(server, f"{IDP}.ListUserPools", "{", Origin="http://localhost:3000")
    missing = requests.get(server.url + "/nowhere", timeout=30)
    for resp in (ok, bad, missing):
        assert resp.headers["Access-Control-Allow-Origin"] == "*"
        assert resp.headers["Access-Control-Expose-Headers"] == EXPOSED


# -- regions ----------------------------------------------------------------------------


def test_the_signing_region_names_the_pool(server: Any) -> None:
    west = server.client("cognito-idp", region="us-west-2")
    pool = west.create_user_pool(PoolName="west")["UserPool"]
    try:
        assert re.fullmatch(r"us-west-2_[0-9A-Za-z]{9}", pool["Id"])
        assert pool["Arn"].startswith("arn:aws:cognito-idp:us-west-2:")
    finally:
        west.delete_user_pool(UserPoolId=pool["Id"])


def test_an_unsigned_call_uses_the_configured_default_region(server: Any) -> None:
    resp = call(server, f"{IDP}.CreateUserPool", {"PoolName": "unsigned"})
    pool = resp.json()["UserPool"]
    try:
        assert pool["Id"].startswith(server.state.settings.region + "_")
    finally:
        call(server, f"{IDP}.DeleteUserPool", {"UserPoolId": pool["Id"]})


def _request(authorization: str | None = None) -> Any:
    return SimpleNamespace(headers={"Authorization": authorization} if authorization else {})


def test_region_resolution_order() -> None:
    signed = (
        "AWS4-HMAC-SHA256 Credential=AKID/20240101/ap-south-1/cognito-idp/aws4_request, "
        "SignedHeaders=host, Signature=0"
    )
    pool = {"UserPoolId": "eu-central-1_abcdefghi"}
    assert region_of(_request(signed), pool, "us-east-1") == "ap-south-1"  # the signature wins
    assert region_of(_request(), pool, "us-east-1") == "eu-central-1"  # then the id's prefix
    assert region_of(_request(), {"IdentityPoolId": "us-gov-west-1:0f0e"}, "us-east-1") == "us-gov-west-1"
    assert region_of(_request(), {"IdentityId": "ca-central-1:1234"}, "us-east-1") == "ca-central-1"
    assert region_of(_request(), {"UserPoolId": "not-a-region"}, "us-east-1") == "us-east-1"  # then the default
    assert region_of(_request(), {}, "eu-west-3") == "eu-west-3"


# -- not the AWS API: still JSON -----------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("GET", "/", 405), ("PUT", "/", 405), ("DELETE", "/", 405), ("GET", "/nowhere", 404),
     ("POST", "/nowhere/deeper", 404), ("PUT", "/_cogito/health", 405), ("GET", "/_cogito/reset", 405)],
)
def test_unknown_paths_and_methods_answer_json(server: Any, method: str, path: str, status: int) -> None:
    resp = requests.request(method, server.url + path, timeout=30)
    assert resp.status_code == status
    assert resp.headers["Content-Type"].startswith("application/json")
    assert "<html" not in resp.text.lower()
    body = resp.json()
    assert body["__type"] and body["message"]
    if status == 405:
        assert resp.headers["Allow"]


# -- a failing request changes nothing -------------------------------------------------------


def test_a_request_rejected_by_validation_changes_nothing(server: Any, idp: Any) -> None:
    before = pool_ids(idp)
    too_long = {"PoolName": "x" * 129, "UserPoolTags": {"team": "a"}}
    assert_aws_error(call(server, f"{IDP}.CreateUserPool", too_long), "InvalidParameterException")
    assert pool_ids(idp) == before


def test_a_request_refused_by_its_handler_changes_nothing(server: Any, idp: Any) -> None:
    before = pool_ids(idp)
    with pytest.raises(idp.exceptions.InvalidParameterException):
        idp.create_user_pool(PoolName="both", AliasAttributes=["email"], UsernameAttributes=["email"])
    assert pool_ids(idp) == before


def test_a_handler_that_fails_after_writing_is_rolled_back(server: Any, idp: Any, temporary_operation: Any) -> None:
    real = registry.lookup("cognito-idp", "CreateUserPool")
    assert real is not None

    def create_then_fail(ctx: Any, params: dict[str, Any]) -> dict[str, Any]:
        real.handler(ctx, params)
        ctx.db.flush()
        raise RuntimeError("fails after the insert")

    before = pool_ids(idp)
    temporary_operation("cognito-idp", "CreateUserPool", create_then_fail)
    assert_aws_error(call(server, f"{IDP}.CreateUserPool", {"PoolName": "ghost"}), "InternalErrorException", 500)
    assert pool_ids(idp) == before


# -- the registry's source scan ----------------------------------------------------------


@pytest.mark.parametrize("service", ["cognito-idp", "cognito-identity", "sts"])
def test_the_source_scan_places_every_handler(service: str) -> None:
    """Each implemented operation is found, once, in the module that defines its handler."""
    index = registry.scan()
    for name in registry.implemented(service):
        handler = registry.lookup(service, name)
        assert handler is not None
        assert index.get((service, name)) == handler.handler.__module__, (service, name)


# -- the Query protocol (STS) ---------------------------------------------------------------


def sts_call(server: Any, form: dict[str, str]) -> requests.Response:
    return requests.post(server.url + "/", data=form, timeout=30)


def test_sts_unknown_action_is_an_xml_error(server: Any) -> None:
    resp = sts_call(server, {"Action": "NoSuchThing", "Version": "2011-06-15"})
    assert resp.status_code == 400
    assert resp.headers["Content-Type"].startswith("text/xml")
    assert "<Code>InvalidAction</Code>" in resp.text and "<Type>Sender</Type>" in resp.text
    assert uuid.UUID(resp.headers["x-amzn-RequestId"])


def test_sts_form_is_read_against_the_model(server: Any, temporary_operation: Any) -> None:
    seen: list[dict[str, Any]] = []

    def capture(ctx: Any, params: dict[str, Any]) -> dict[str, Any]:
        seen.append(params)
        return {"Provider": "p", "Audience": "a", "PackedPolicySize": 3}

    temporary_operation("sts", "AssumeRoleWithWebIdentity", capture)
    form = {
        "Action": "AssumeRoleWithWebIdentity", "Version": "2011-06-15",
        "RoleArn": "arn:aws:iam::000000000000:role/r", "RoleSessionName": "session", "WebIdentityToken": "t" * 10,
        "DurationSeconds": "1800", "PolicyArns.member.1.arn": "arn:aws:iam::aws:policy/ReadOnlyAccess",
        "PolicyArns.member.2.arn": "arn:aws:iam::aws:policy/PowerUserAccess",
    }
    resp = sts_call(server, form)
    assert resp.status_code == 200, resp.text
    assert [{k: v for k, v in params.items() if not k.startswith("__")} for params in seen] == [{
        "RoleArn": "arn:aws:iam::000000000000:role/r", "RoleSessionName": "session", "WebIdentityToken": "t" * 10,
        "DurationSeconds": 1800,
        "PolicyArns": [
            {"arn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}, {"arn": "arn:aws:iam::aws:policy/PowerUserAccess"}
        ],
    }]
    assert "<AssumeRoleWithWebIdentityResult><Provider>p</Provider>" in resp.text
    assert "<PackedPolicySize>3</PackedPolicySize>" in resp.text


def test_sts_validation_errors_are_xml(server: Any, temporary_operation: Any) -> None:
    temporary_operation("sts", "AssumeRoleWithWebIdentity", lambda ctx, params: {})
    form = {"Action": "AssumeRoleWithWebIdentity", "Version": "2011-06-15", "RoleArn": "short",
            "WebIdentityToken": "t" * 10, "DurationSeconds": "100"}
    resp = sts_call(server, form)
    assert resp.status_code == 400
    assert "<Code>ValidationError</Code>" in resp.text
    assert (
        "3 validation errors detected: Value 'short' at 'roleArn' failed to satisfy constraint: "
        "Member must have length greater than or equal to 20; "
        "Value null at 'roleSessionName' failed to satisfy constraint: Member must not be null; "
        "Value '100' at 'durationSeconds' failed to satisfy constraint: "
        "Member must have value greater than or equal to 900"
    ) in resp.text
    bad_number = sts_call(server, {**form, "DurationSeconds": "soon"})
    assert bad_number.status_code == 400 and "<Code>ValidationError</Code>" in bad_number.text
    assert "DurationSeconds" in bad_number.text


def test_sts_over_large_form_is_refused_without_a_crash(server: Any) -> None:
    resp = sts_call(server, {"Action": "GetCallerIdentity", "Padding": "a" * (17 * 1024 * 1024)})
    assert resp.status_code == 413
    assert resp.json()["__type"] == "RequestEntityTooLarge"


def test_unknown_members_are_ignored_and_never_reach_handlers(server: Any, temporary_operation: Any) -> None:
    seen: list[dict[str, Any]] = []
    temporary_operation("cognito-idp", "DescribeUserPool", lambda ctx, params: seen.append(params) or {})
    body = {"UserPoolId": "us-east-1_abc", "Surprise": 1, "__authorization": "forged"}
    resp = call(server, f"{IDP}.DescribeUserPool", body)
    assert resp.status_code == 200, resp.text
    assert seen == [{"UserPoolId": "us-east-1_abc"}]


def test_first_lookups_from_many_threads_agree() -> None:
    """In a fresh interpreter, threads racing to load handlers all get them (and no 'not implemented')."""
    code = """
import json, threading
from emulator.protocol import registry, specs
names = sorted(specs.get_spec("cognito-idp").operations)
results = {}
def worker(i):
    for name in names[i::8]:
        results[name] = registry.lookup("cognito-idp", name) is not None
threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
[t.start() for t in threads]
[t.join() for t in threads]
print(json.dumps({"racing": sorted(n for n, ok in results.items() if ok),
                  "after": registry.implemented("cognito-idp")}))
"""
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(root)})
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["racing"] == report["after"] and report["after"]
