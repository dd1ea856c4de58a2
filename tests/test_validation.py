"""Model validation as AWS words it: over the wire for every implemented operation, and unit
tests of emulator/protocol/validate.py.

Raw ``requests`` only: boto3 validates client-side and would never send these calls.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
import requests

from emulator.errors import CognitoError
from emulator.protocol import registry, specs
from emulator.protocol.specs import ServiceSpec
from emulator.protocol.validate import _pattern, summary, validation_errors

TARGET = {"cognito-idp": "AWSCognitoIdentityProviderService", "cognito-identity": "AWSCognitoIdentityService"}
CODE = {"cognito-idp": "InvalidParameterException", "cognito-identity": "ValidationException"}

# Values that satisfy the models' string patterns; the first one that fits a shape is used.
SAMPLES = [
    "us-east-1_abcdefghi",
    "us-east-1:11111111-2222-4333-8444-555555555555",
    "us-east-1_11111111-2222-4333-8444-555555555555",
    "11111111-2222-4333-8444-555555555555",
    "import-abc123",
    "arn:aws:iam::000000000000:role/sample",
    "arn:aws:s3:::sample-bucket",
    "arn:aws:secretsmanager:us-east-1:000000000000:secret/sample",
    "https://example.com/callback",
    "cognito:english",
    "terms-of-use",
    "tkn" + "a" * 25,
    "Level1",
    "Your code is {####}.",
    "Click {##Verify##} to confirm.",
    "user@example.com",
    "authenticated",
    "123456",
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567",
    "abcdefghijklmnopqrstuvwxyz",
    "sample",
    "abc",
]


def sample_string(shape: dict[str, Any]) -> str:
    """A string that satisfies ``shape`` (enum, pattern, length), from SAMPLES or padding."""
    if "enum" in shape:
        return shape["enum"][0]
    low, high = shape.get("min", 0), shape.get("max", 1 << 20)
    compiled = _pattern(shape["pattern"]) if "pattern" in shape else None
    candidates = [*SAMPLES, "a" * max(low, 1)]
    candidates += [c + "a" * (low - len(c)) for c in SAMPLES if len(c) < low]
    for candidate in candidates:
        if low <= len(candidate) <= high and (compiled is None or compiled.fullmatch(candidate)):
            return candidate
    raise AssertionError(f"no sample satisfies {shape}: add one to SAMPLES")


def sample(spec: ServiceSpec, shape_name: str, depth: int = 0) -> Any:
    """A minimal valid value of ``shape_name``: required members only, shortest lists."""
    shape = spec.shapes[shape_name]
    kind = shape["type"]
    if kind == "structure":
        if shape.get("document"):
            return {}
        members = shape.get("members", {})
        return {name: sample(spec, members[name]["shape"], depth + 1) for name in shape.get("required", ())}
    if kind == "list":
        return [sample(spec, shape["member"]["shape"], depth + 1) for _ in range(shape.get("min", 0))]
    if kind == "map":
        keys = spec.shapes[shape["key"]["shape"]]
        return {sample_string(keys) + str(i): sample(spec, shape["value"]["shape"]) for i in range(shape.get("min", 0))}
    if kind == "string":
        return sample_string(shape)
    if kind in ("integer", "long"):
        return max(shape.get("min", 0), 0) if "max" not in shape else min(max(shape.get("min", 0), 0), shape["max"])
    if kind == "boolean":
        return False
    if kind == "timestamp":
        return 1_700_000_000
    if kind == "blob":
        return base64.b64encode(b"x" * max(shape.get("min", 1), 1)).decode()
    return 1.0


def implemented_cases(with_required: bool) -> list[tuple[str, str]]:
    cases = []
    for service in TARGET:
        spec = specs.get_spec(service)
        for name in registry.implemented(service):
            shape = spec.input_shape(name)
            required = spec.shapes[shape].get("required", []) if shape else []
            if required or not with_required:
                cases.append((service, name))
    return cases


def call(server: Any, service: str, operation: str, body: dict[str, Any]) -> requests.Response:
    headers = {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": f"{TARGET[service]}.{operation}"}
    return requests.post(server.url + "/", data=json.dumps(body), headers=headers, timeout=30)


def field(member: str) -> str:
    return member[:1].lower() + member[1:]


REQUIRED_CASES = implemented_cases(with_required=True)
ALL_CASES = implemented_cases(with_required=False)


# -- every implemented operation, over the wire --------------------------------------------


@pytest.mark.parametrize(("service", "operation"), REQUIRED_CASES, ids=[f"{s}:{o}" for s, o in REQUIRED_CASES])
def test_a_missing_required_member_is_named(server: Any, service: str, operation: str) -> None:
    spec = specs.get_spec(service)
    shape_name = spec.input_shape(operation)
    assert shape_name is not None
    body = sample(spec, shape_name)
    assert validation_errors(spec, shape_name, body) == [], "the sample itself must be valid"
    missing = spec.shapes[shape_name]["required"][0]
    del body[missing]
    resp = call(server, service, operation, body)
    assert resp.status_code == 400, resp.text
    assert resp.json() == {
        "__type": CODE[service],
        "message": f"1 validation error detected: Value null at '{field(missing)}' failed to satisfy constraint: "
        "Member must not be null",
    }


def _long_member(spec: ServiceSpec, shape_name: str | None) -> tuple[str, dict[str, Any]] | None:
    """The first top-level string member with a maximum length (and no enum)."""
    if shape_name is None:
        return None
    for name, member in spec.shapes[shape_name].get("members", {}).items():
        shape = spec.shapes[member["shape"]]
        if shape["type"] == "string" and "max" in shape and "enum" not in shape:
            return name, shape
    return None


# Operations whose input has a length-limited string at the top (GetUser's AccessToken has no maximum).
LONG_CASES = [
    (service, name) for service, name in ALL_CASES
    if _long_member(specs.get_spec(service), specs.get_spec(service).input_shape(name))
]


@pytest.mark.parametrize(("service", "operation"), LONG_CASES, ids=[f"{s}:{o}" for s, o in LONG_CASES])
def test_an_over_long_string_is_refused_in_aws_words(server: Any, service: str, operation: str) -> None:
    spec = specs.get_spec(service)
    shape_name = spec.input_shape(operation)
    found = _long_member(spec, shape_name)
    assert shape_name is not None and found is not None
    name, shape = found
    body = sample(spec, shape_name)
    base = sample_string(shape)
    body[name] = base + "a" * (shape["max"] + 1 - len(base))
    resp = call(server, service, operation, body)
    assert resp.status_code == 400, resp.text
    assert resp.json()["__type"] == CODE[service]
    message = resp.json()["message"]
    shown = "" if shape.get("sensitive") else f" '{body[name]}'"
    expected = (
        f"Value{shown} at '{field(name)}' failed to satisfy constraint: "
        f"Member must have length less than or equal to {shape['max']}"
    )
    head, _, rest = message.partition(" detected: ")
    parts = rest.split("; ")
    assert expected in parts
    assert head == f"{len(parts)} validation error{'s' if len(parts) > 1 else ''}"


def test_sensitive_values_are_not_echoed(server: Any, pool: dict[str, Any]) -> None:
    """Usernames and passwords are sensitive shapes: AWS says ``Value at 'username'``."""
    idp = specs.get_spec("cognito-idp")
    if "AdminCreateUser" not in registry.implemented("cognito-idp"):
        pytest.skip("AdminCreateUser is not implemented yet")
    body = {"UserPoolId": pool["Id"], "Username": "bad name", "TemporaryPassword": "x" * 300}
    message = call(server, "cognito-idp", "AdminCreateUser", body).json()["message"]
    assert "Value at 'username' failed to satisfy constraint: Member must satisfy regular expression pattern" in message
    assert "Value at 'temporaryPassword' failed to satisfy constraint: Member must have length less than" in message
    assert "bad name" not in message and "x" * 300 not in message
    assert idp.shapes["UsernameType"].get("sensitive")


def test_validation_runs_before_any_lookup(server: Any) -> None:
    """A bad value wins over a missing pool: the handler never runs."""
    resp = call(server, "cognito-idp", "DescribeUserPool", {"UserPoolId": "bad id!"})
    assert resp.json()["__type"] == "InvalidParameterException"
    assert "at 'userPoolId' failed to satisfy constraint: Member must satisfy regular expression pattern" in (
        resp.json()["message"]
    )


# -- validate.py, unit -----------------------------------------------------------------------


def make_spec(**shapes: dict[str, Any]) -> ServiceSpec:
    return ServiceSpec("test", {}, shapes)


UNIT = make_spec(
    Input={
        "type": "structure",
        "required": ["Name"],
        "members": {
            "Name": {"shape": "Name"},
            "Kind": {"shape": "Kind"},
            "Limit": {"shape": "Limit"},
            "Big": {"shape": "Big"},
            "Secret": {"shape": "Secret"},
            "Names": {"shape": "Names"},
            "Items": {"shape": "Items"},
            "Tags": {"shape": "Tags"},
            "Flag": {"shape": "Flag"},
            "When": {"shape": "When"},
            "Data": {"shape": "Data"},
            "Doc": {"shape": "Doc"},
        },
    },
    Name={"type": "string", "min": 1, "max": 8, "pattern": r"[\p{L}\p{M}\p{S}\p{N}\p{P}]+"},
    Kind={"type": "string", "enum": ["RED", "GREEN"]},
    Limit={"type": "integer", "min": 1, "max": 60},
    Big={"type": "long"},
    Secret={"type": "string", "max": 4, "sensitive": True},
    Names={"type": "list", "member": {"shape": "Kind"}, "max": 2},
    Items={"type": "list", "member": {"shape": "Item"}},
    Item={"type": "structure", "required": ["Name"], "members": {"Name": {"shape": "Name"}}},
    Tags={"type": "map", "key": {"shape": "Key"}, "value": {"shape": "Secret"}},
    Key={"type": "string", "min": 1, "max": 3},
    Flag={"type": "boolean"},
    When={"type": "timestamp"},
    Data={"type": "blob", "max": 3},
    Doc={"type": "structure", "members": {}, "document": True},
)


def errors_of(params: dict[str, Any]) -> list[str]:
    return validation_errors(UNIT, "Input", params)


def test_valid_input_has_no_errors() -> None:
    params = {"Name": "é-ü", "Kind": "RED", "Limit": 60, "Big": 2**40, "Secret": "pw", "Names": ["RED"],
              "Items": [{"Name": "a"}], "Tags": {"k": "v"}, "Flag": True, "When": 1.5, "Data": "YWJj",
              "Doc": [1, {"any": None}]}
    assert errors_of(params) == []


def test_pattern_uses_unicode_categories() -> None:
    assert errors_of({"Name": "Zoë"}) == []  # \p{L} covers letters beyond ASCII
    assert errors_of({"Name": "a b"}) == [
        r"Value 'a b' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: "
        r"[\p{L}\p{M}\p{S}\p{N}\p{P}]+"
    ]


def test_length_comes_before_pattern() -> None:
    assert errors_of({"Name": ""}) == [
        "Value '' at 'name' failed to satisfy constraint: Member must have length greater than or equal to 1",
        r"Value '' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: "
        r"[\p{L}\p{M}\p{S}\p{N}\p{P}]+",
    ]


def test_enum() -> None:
    assert errors_of({"Name": "a", "Kind": "BLUE"}) == [
        "Value 'BLUE' at 'kind' failed to satisfy constraint: Member must satisfy enum value set: [RED, GREEN]"
    ]


@pytest.mark.parametrize(("value", "phrase"), [
    (0, "Member must have value greater than or equal to 1"),
    (61, "Member must have value less than or equal to 60"),
])
def test_numeric_ranges(value: int, phrase: str) -> None:
    expected = f"Value '{value}' at 'limit' failed to satisfy constraint: {phrase}"
    assert errors_of({"Name": "a", "Limit": value}) == [expected]


def test_integral_floats_become_ints() -> None:
    params = {"Name": "a", "Limit": 5.0}
    assert errors_of(params) == []
    assert params["Limit"] == 5 and isinstance(params["Limit"], int)


def test_sensitive_values_are_dropped() -> None:
    assert errors_of({"Name": "a", "Secret": "hunter2"}) == [
        "Value at 'secret' failed to satisfy constraint: Member must have length less than or equal to 4"
    ]


def test_nested_paths_use_aws_names() -> None:
    idp = specs.get_spec("cognito-idp")
    params = {"PoolName": "p", "Policies": {"PasswordPolicy": {"MinimumLength": 100}},
              "Schema": [{"Name": "ok"}, {"Name": "x" * 21}]}
    assert validation_errors(idp, "CreateUserPoolRequest", params) == [
        "Value '100' at 'policies.passwordPolicy.minimumLength' failed to satisfy constraint: "
        "Member must have value less than or equal to 99",
        f"Value '{'x' * 21}' at 'schema.2.member.name' failed to satisfy constraint: "
        "Member must have length less than or equal to 20",
    ]


def test_list_members() -> None:
    assert errors_of({"Name": "a", "Items": [{"Name": "a"}, {}]}) == [
        "Value null at 'items.2.member.name' failed to satisfy constraint: Member must not be null"
    ]
    # A list of scalars is judged whole, listing every constraint of its members.
    assert errors_of({"Name": "a", "Names": ["RED", "BLUE"]}) == [
        "Value '[RED, BLUE]' at 'names' failed to satisfy constraint: "
        "Member must satisfy constraint: [Member must satisfy enum value set: [RED, GREEN]]"
    ]
    assert errors_of({"Name": "a", "Names": ["RED", "RED", "RED"]}) == [
        "Value '[RED, RED, RED]' at 'names' failed to satisfy constraint: "
        "Member must have length less than or equal to 2"
    ]


def test_map_keys_and_values() -> None:
    assert errors_of({"Name": "a", "Tags": {"long": "v"}}) == [
        "Value at 'tags' failed to satisfy constraint: Map keys must satisfy constraint: "
        "[Member must have length less than or equal to 3, Member must have length greater than or equal to 1]"
    ]
    assert errors_of({"Name": "a", "Tags": {"k": "too long"}}) == [
        "Value at 'tags' failed to satisfy constraint: Map value must satisfy constraint: "
        "[Member must have length less than or equal to 4]"
    ]


def test_multiple_errors_are_counted() -> None:
    problems = errors_of({"Kind": "BLUE", "Limit": 99})
    assert summary(problems) == (
        "3 validation errors detected: "
        "Value null at 'name' failed to satisfy constraint: Member must not be null; "
        "Value 'BLUE' at 'kind' failed to satisfy constraint: Member must satisfy enum value set: [RED, GREEN]; "
        "Value '99' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 60"
    )
    assert summary(problems[:1]).startswith("1 validation error detected: Value null")


def test_blob_length_counts_decoded_bytes() -> None:
    assert errors_of({"Name": "a", "Data": base64.b64encode(b"abc").decode()}) == []
    assert errors_of({"Name": "a", "Data": base64.b64encode(b"abcd").decode()}) == [
        "Value 'YWJjZA==' at 'data' failed to satisfy constraint: Member must have length less than or equal to 3"
    ]


@pytest.mark.parametrize("params", [
    {"Name": 5},
    {"Name": "a", "Limit": "5"},
    {"Name": "a", "Limit": True},
    {"Name": "a", "Limit": 1.5},
    {"Name": "a", "Limit": 2**31},
    {"Name": "a", "Big": 2**63},
    {"Name": "a", "Limit": float("inf")},
    {"Name": "a", "Flag": "true"},
    {"Name": "a", "When": "2024-01-01"},
    {"Name": "a", "Data": "not base64!"},
    {"Name": "a", "Items": {"Name": "a"}},
    {"Name": "a", "Items": [None]},
    {"Name": "a", "Tags": ["k"]},
    {"Name": "a", "Tags": {"k": None}},
    {"Name": "a", "Secret": "a\u0000"},
    {"Name": "a", "Tags": {"k": "\udc00"}},
], ids=lambda p: json.dumps(p, default=str)[:40])
def test_wrong_types_are_serialization_errors(params: dict[str, Any]) -> None:
    with pytest.raises(CognitoError) as caught:
        errors_of(params)
    assert caught.value.code == "SerializationException"
    assert caught.value.status == 400


def test_an_unstorable_string_yields_to_real_validation_errors() -> None:
    """When the value breaks the model anyway, the AWS validation message is what the caller sees."""
    assert errors_of({"Name": "a\u0000b"})[0].startswith("Value 'a\u0000b' at 'name' failed to satisfy constraint")


def test_non_object_input_is_a_serialization_error() -> None:
    for params in ([], "x", 3, None):
        with pytest.raises(CognitoError) as caught:
            validation_errors(UNIT, "Input", params)
        assert caught.value.code == "SerializationException"


def test_every_model_pattern_compiles() -> None:
    """A pattern that does not compile would silently not be enforced: none may."""
    for service in ("cognito-idp", "cognito-identity", "sts"):
        for name, shape in specs.get_spec(service).shapes.items():
            if "pattern" in shape:
                assert _pattern(shape["pattern"]) is not None, (service, name, shape["pattern"])


def test_cognito_identity_answers_validation_exception(server: Any) -> None:
    """cognito-identity words model violations the same way but names them ValidationException."""
    saved = registry._table.get(("cognito-identity", "DescribeIdentityPool"))
    registry.lookup("cognito-identity", "DescribeIdentityPool")
    if saved is None:  # not implemented yet: stand in a handler that must never run
        registry.operation("cognito-identity", "DescribeIdentityPool", readonly=True)(_never_called)
    try:
        resp = call(server, "cognito-identity", "DescribeIdentityPool", {"IdentityPoolId": "no colon"})
        assert resp.status_code == 400
        assert resp.json() == {
            "__type": "ValidationException",
            "message": "1 validation error detected: Value 'no colon' at 'identityPoolId' failed to satisfy "
            r"constraint: Member must satisfy regular expression pattern: [\w-]+:[0-9a-f-]+",
        }
    finally:
        if saved is None:
            registry._table.pop(("cognito-identity", "DescribeIdentityPool"), None)


def _never_called(ctx: Any, params: dict[str, Any]) -> dict[str, Any]:
    raise AssertionError("validation must refuse the call before the handler")


def test_java_shorthands_stay_ascii_while_categories_are_unicode() -> None:
    """Java's \\w \\d \\s are ASCII; \\p{L} is Unicode: a pool id with 'é' fails, a username with it passes."""
    pool_id = _pattern(r"[\w-]+_[0-9a-zA-Z]+")
    username = _pattern(r"[\p{L}\p{M}\p{S}\p{N}\p{P}]+")
    digits = _pattern(r"[0-9]+|\d+")
    spaced = _pattern(r"[\w\s+=,.@-]+")
    assert pool_id is not None and username is not None and digits is not None and spaced is not None
    assert pool_id.fullmatch("us-east-1_abc") and not pool_id.fullmatch("us-éast-1_abc")
    assert username.fullmatch("Zoë_Ça") and not username.fullmatch("has space")
    assert not digits.fullmatch("١٢٣")  # Arabic-Indic digits are not Java's \d
    assert spaced.fullmatch("My Pool") and not spaced.fullmatch("My\u2003Pool")  # an em space is not Java's \s
