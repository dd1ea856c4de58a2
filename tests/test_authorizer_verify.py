"""The token verification library: each reason, against Cogito's JWKS and against a key set of our
own (forgeries signed with a foreign key, alg none/HS256, nbf/iat, audience lists), plus the pure
parts (claim rendering, IAM policy matching)."""

from __future__ import annotations

import time
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from emulator.authorizer import claims as rendering
from emulator.authorizer import policy
from emulator.authorizer.verify import KeySets, TokenRejected, check_token, jwks_url_for, strip_bearer, verify_token
from tests.authorizer_support import World, claims_of, world  # noqa: F401

KID = "test-key"
_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
_OTHER = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _jwks() -> dict[str, Any]:
    jwk = jwt.algorithms.RSAAlgorithm.to_jwk(_KEY.public_key(), as_dict=True)
    return {"keys": [{**jwk, "kid": KID, "alg": "RS256", "use": "sig"}]}


def _sets() -> KeySets:
    return KeySets(fetch=lambda url: _jwks())


def _token(claims: dict[str, Any], key: Any = _KEY, **header: Any) -> str:
    base = {"iss": "https://issuer.example/pool", "exp": time.time() + 600, "iat": time.time() - 1,
            "token_use": "access", "client_id": "app", "scope": "orders/read"}
    return jwt.encode({**base, **claims}, key, algorithm=header.pop("alg", "RS256"), headers={"kid": KID, **header})


def _reason(token: str, **options: Any) -> str | None:
    options.setdefault("jwks_url", "https://issuer.example/pool/.well-known/jwks.json")
    return check_token(token, key_sets=_sets(), **options).reason


def test_a_good_token_passes_every_check() -> None:
    token = _token({})
    claims = verify_token(token, jwks_url="x", key_sets=_sets(), issuer="https://issuer.example/pool",
                          token_use="access", client_ids=["app"], scopes=["orders/read", "orders/write"],
                          check_issued_at=True)
    assert claims["client_id"] == "app"
    assert check_token("Bearer " + token, jwks_url="x", key_sets=_sets()).ok


@pytest.mark.parametrize(("token", "options", "reason"), [
    (None, {}, "missing"),
    ("", {}, "missing"),
    ("Bearer ", {}, "missing"),
    ("abc", {}, "malformed"),
    ("a.b", {}, "malformed"),
    ("a.b.c", {}, "malformed"),
    ("é.b.c", {}, "malformed"),
    (_token({}, alg="HS256", key="s" * 32), {}, "unsupported_algorithm"),
    (jwt.encode({"exp": time.time() + 60}, None, algorithm="none"), {}, "unsupported_algorithm"),
    (_token({}, kid="nope"), {}, "unknown_kid"),
    (_token({}, key=_OTHER), {}, "bad_signature"),
    (_token({"exp": time.time() - 1}), {}, "expired"),
    (_token({"exp": "tomorrow"}), {}, "malformed"),
    (_token({"nbf": time.time() + 600}), {}, "not_yet_valid"),
    (_token({"iat": time.time() + 600}), {"check_issued_at": True}, "not_yet_valid"),
    (_token({"iat": time.time() + 600}), {}, None),  # Cognito-style checks ignore iat
    (_token({}), {"issuer": "https://other.example/pool"}, "wrong_issuer"),
    (_token({}), {"token_use": "id"}, "wrong_token_use"),
    (_token({}), {"client_ids": ["someone-else"]}, "wrong_audience"),
    (_token({"aud": "web"}), {"client_ids": ["app"]}, "wrong_audience"),  # aud wins over client_id
    (_token({"aud": ["x", "web"]}), {"client_ids": ["web"]}, None),
    (_token({}), {"scopes": ["orders/write"]}, "insufficient_scope"),
    (_token({"scope": None, "scp": ["orders/write"]}), {"scopes": ["orders/write"]}, None),
])
def test_each_reason(token: str | None, options: dict[str, Any], reason: str | None) -> None:
    assert _reason(token, **options) == reason  # type: ignore[arg-type]


def test_unreachable_or_broken_key_sets() -> None:
    def down(url: str) -> dict[str, Any]:
        raise ConnectionError("refused")

    assert check_token(_token({}), jwks_url="x", key_sets=KeySets(fetch=down)).reason == "jwks_unavailable"
    assert check_token(_token({}), jwks_url="x", key_sets=KeySets(fetch=lambda u: {"nope": 1})).reason \
        == "jwks_unavailable"
    not_sig = {"keys": [{**_jwks()["keys"][0], "use": "enc"}]}
    assert check_token(_token({}), jwks_url="x", key_sets=KeySets(fetch=lambda u: not_sig)).reason == "unknown_kid"


def test_key_sets_are_cached_and_refetched_for_new_kids() -> None:
    fetched: list[str] = []
    now = [0.0]

    def fetch(url: str) -> dict[str, Any]:
        fetched.append(url)
        return _jwks()

    sets = KeySets(fetch=fetch, clock=lambda: now[0])
    for _ in range(3):
        sets.key("u", KID)
    assert fetched == ["u"]
    with pytest.raises(TokenRejected):
        sets.key("u", "rotated")  # too soon after the last fetch: no refetch
    assert fetched == ["u"]
    now[0] += 10
    with pytest.raises(TokenRejected):
        sets.key("u", "rotated")
    assert fetched == ["u", "u"]


def test_against_cogito(world: World, server: Any) -> None:
    token = world.token("id", "valid")
    claims = verify_token(token, user_pool_id=world.pool_id, cognito_endpoint=server.url, token_use="id",
                          client_ids=[world.app["ClientId"]])
    assert claims == claims_of(token)
    url = jwks_url_for(world.pool_id, server.url + "/")
    assert url == f"{server.url}/{world.pool_id}/.well-known/jwks.json"
    for kind, state, reason in [("id", "expired", "expired"), ("id", "tampered", "bad_signature"),
                                ("id", "foreign", "unknown_kid"), ("access", "valid", "wrong_token_use")]:
        verdict = check_token(world.token(kind, state), jwks_url=url, user_pool_id=world.pool_id, token_use="id")
        assert verdict.reason == reason, (kind, state)
    # a foreign pool's token verified against its own keys still names the wrong pool
    foreign = world.token("id", "foreign")
    assert check_token(foreign, jwks_url=jwks_url_for(world.foreign.pool_id, server.url),
                       user_pool_id=world.pool_id).reason == "wrong_issuer"
    with pytest.raises(ValueError):
        verify_token(token)  # neither a JWKS URL nor a pool


def test_strip_bearer() -> None:
    assert strip_bearer("Bearer abc") == "abc"
    assert strip_bearer("bearer   abc ") == "abc"
    assert strip_bearer("abc") == "abc"
    assert strip_bearer("Bearer") == strip_bearer("Bearer  ") == ""


def test_rest_claim_rendering() -> None:
    rendered = rendering.rest_claims({"exp": 1469818373, "iat": 1469814773.0, "auth_time": 1469814773,
                                      "email_verified": True, "phone_number_verified": False,
                                      "cognito:groups": ["admins", "staff"], "custom:n": "7",
                                      "identities": [{"providerName": "Google"}], "score": 1.5})
    assert rendered == {"exp": "Fri Jul 29 18:52:53 UTC 2016", "iat": "Fri Jul 29 17:52:53 UTC 2016",
                        "auth_time": "1469814773", "email_verified": "true", "phone_number_verified": "false",
                        "cognito:groups": "admins,staff", "custom:n": "7",
                        "identities": '{"providerName":"Google"}', "score": "1.5"}


def test_http_api_claim_rendering() -> None:
    assert rendering.http_api_claims({"exp": 1787996002, "email_verified": True,
                                      "cognito:groups": ["admins", "staff"]}) == {
        "exp": "1787996002", "email_verified": "true", "cognito:groups": "[admins staff]"}


@pytest.mark.parametrize(("pattern", "arn", "matches"), [
    ("*", "arn:aws:execute-api:eu-west-1:1:api/s/GET/x", True),
    ("arn:aws:execute-api:*:*:*", "arn:aws:execute-api:eu-west-1:1:api/s/GET/x", True),
    ("arn:aws:execute-api:*:*:api/*/GET/x", "arn:aws:execute-api:eu-west-1:1:api/s/GET/x", True),
    ("arn:aws:execute-api:*:*:api/*/GET/x", "arn:aws:execute-api:eu-west-1:1:api/s/GET/x/y", False),
    ("arn:aws:execute-api:*:*:api/s/G?T/*", "arn:aws:execute-api:eu-west-1:1:api/s/GET/x", True),
    ("arn:aws:execute-api:*", "arn:aws:execute-api:eu-west-1:1:api/s/GET/x", False),  # * stays in its part
    ("arn:aws:execute-api:eu-*-1:*:*", "arn:aws:execute-api:eu-west-1:1:api/s/GET/x", True),
    ("arn:aws:execute-api:*:*:api/s/GET/a.b", "arn:aws:execute-api:r:1:api/s/GET/aXb", False),  # . is literal
])
def test_arn_matching(pattern: str, arn: str, matches: bool) -> None:
    assert policy.arn_matches(pattern, arn) is matches


def test_method_arn() -> None:
    assert policy.method_arn("eu-west-1", "1", "api", "dev", "get", "/") == "arn:aws:execute-api:eu-west-1:1:api/dev/GET/"
    assert policy.method_arn("r", "1", "a", "s", "POST", "/a%20b/c").endswith("/POST/a b/c")


def test_statement_shapes() -> None:
    single = {"policyDocument": {"Statement": {"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": "*"}},
              "principalId": 42}
    output = policy.parse_output(single)
    assert output.principal_id == "42" and policy.evaluate(output, "arn:aws:execute-api:r:1:a/s/GET/x") == policy.ALLOW
    for bad in [{"policyDocument": {"Statement": []}},
                {"policyDocument": {"Statement": [{"Effect": "Allow", "Action": 3, "Resource": "*"}]}},
                {"policyDocument": {"Statement": [{"Effect": "Allow", "Action": "execute-api:Invoke"}]}},
                {**single, "context": ["x"]}, {**single, "principalId": {"a": 1}}]:
        with pytest.raises(policy.InvalidAuthorizerResponse):
            policy.parse_output(bad)
