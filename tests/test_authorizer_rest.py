"""The REST API ``COGNITO_USER_POOLS`` authorizer through the proxy, case by case: token kind x
method scopes x token state, with a real upstream receiving what API Gateway passes on."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.authorizer_support import World, call, claims_of, forwarded, proxy, upstream, world  # noqa: F401

UNAUTHORIZED = {"message": "Unauthorized"}
JAVA_DATE = re.compile(r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) [A-Z][a-z]{2} \d{2} \d{2}:\d{2}:\d{2} UTC \d{4}$")

# (method scopes?, token kind, token state) -> (status, Cogito's reason header or None when allowed).
# Kinds: id / access = AdminInitiateAuth tokens (scope aws.cognito.signin.user.admin);
# m2m_read / m2m_write = client_credentials with orders/read / orders/write;
# user_scoped = a user's access token from the authorization-code flow with orders/read.
# Scoped rows use the method scope "orders/read". Machine tokens have no user to revoke.
TABLE = [
    # no scopes on the method: an ID token of the pool, and nothing else
    (False, "id", "valid", 200, None),
    (False, "id", "expired", 401, "expired"),
    (False, "id", "tampered", 401, "bad_signature"),
    (False, "id", "foreign", 401, "unknown_kid"),
    (False, "id", "revoked", 200, None),
    (False, "access", "valid", 401, "wrong_token_use"),
    (False, "access", "expired", 401, "expired"),
    (False, "access", "tampered", 401, "bad_signature"),
    (False, "access", "foreign", 401, "unknown_kid"),
    (False, "access", "revoked", 401, "wrong_token_use"),
    (False, "m2m_read", "valid", 401, "wrong_token_use"),
    (False, "m2m_read", "expired", 401, "expired"),
    (False, "m2m_read", "tampered", 401, "bad_signature"),
    (False, "m2m_read", "foreign", 401, "unknown_kid"),
    (False, "m2m_write", "valid", 401, "wrong_token_use"),
    (False, "m2m_write", "expired", 401, "expired"),
    (False, "m2m_write", "tampered", 401, "bad_signature"),
    (False, "m2m_write", "foreign", 401, "unknown_kid"),
    (False, "user_scoped", "valid", 401, "wrong_token_use"),
    (False, "user_scoped", "expired", 401, "expired"),
    (False, "user_scoped", "tampered", 401, "bad_signature"),
    (False, "user_scoped", "foreign", 401, "unknown_kid"),
    (False, "user_scoped", "revoked", 401, "wrong_token_use"),
    # method scope orders/read: an access token holding it, and nothing else
    (True, "id", "valid", 401, "wrong_token_use"),
    (True, "id", "expired", 401, "expired"),
    (True, "id", "tampered", 401, "bad_signature"),
    (True, "id", "foreign", 401, "unknown_kid"),
    (True, "id", "revoked", 401, "wrong_token_use"),
    (True, "access", "valid", 401, "insufficient_scope"),
    (True, "access", "expired", 401, "expired"),
    (True, "access", "tampered", 401, "bad_signature"),
    (True, "access", "foreign", 401, "unknown_kid"),
    (True, "access", "revoked", 401, "insufficient_scope"),
    (True, "m2m_read", "valid", 200, None),
    (True, "m2m_read", "expired", 401, "expired"),
    (True, "m2m_read", "tampered", 401, "bad_signature"),
    (True, "m2m_read", "foreign", 401, "unknown_kid"),
    (True, "m2m_write", "valid", 401, "insufficient_scope"),
    (True, "m2m_write", "expired", 401, "expired"),
    (True, "m2m_write", "tampered", 401, "bad_signature"),
    (True, "m2m_write", "foreign", 401, "unknown_kid"),
    (True, "user_scoped", "valid", 200, None),
    (True, "user_scoped", "expired", 401, "expired"),
    (True, "user_scoped", "tampered", 401, "bad_signature"),
    (True, "user_scoped", "foreign", 401, "unknown_kid"),
    (True, "user_scoped", "revoked", 200, None),
]


@pytest.mark.parametrize(("scoped", "kind", "state", "status", "reason"), TABLE,
                         ids=[f"{'scoped' if s else 'noscope'}-{k}-{st}" for s, k, st, _, _ in TABLE])
def test_rest_table(world: World, proxy: Any, scoped: bool, kind: str, state: str, status: int,
                    reason: str | None) -> None:
    gateway = proxy(mode="rest", user_pool_id=world.pool_id, scopes=("orders/read",) if scoped else ())
    token = world.token(kind, state)
    answer = call(gateway, token)
    assert answer.status_code == status, answer.text
    if status == 200:
        seen = forwarded(answer)
        claims = json.loads(seen["headers"]["x-cogito-authorizer-claims"])
        assert claims["sub"] == claims_of(token)["sub"]
        assert json.loads(seen["headers"]["x-cogito-authorizer"]) == {"claims": claims}
    else:
        assert answer.json() == UNAUTHORIZED
        assert answer.headers["x-amzn-ErrorType"] == "UnauthorizedException"
        assert answer.headers["X-Cogito-Authorizer-Reason"] == reason
        assert "X-Upstream" not in answer.headers


def test_the_table_covers_every_kind_and_state() -> None:
    from tests.authorizer_support import KINDS, STATES

    for scoped in (False, True):
        rows = {(k, s) for sc, k, s, _, _ in TABLE if sc == scoped}
        wanted = {(k, s) for k in KINDS for s in STATES if not (k.startswith("m2m") and s == "revoked")}
        assert rows == wanted


def test_revoked_tokens_pass_although_cognito_refuses_them(world: World, proxy: Any) -> None:
    """The authorizer checks signature and expiry, not Cognito's revocation record."""
    with pytest.raises(ClientError) as refused:
        world.pool.idp.get_user(AccessToken=world.token("access", "revoked"))
    assert refused.value.response["Error"]["Code"] == "NotAuthorizedException"
    gateway = proxy(mode="rest", user_pool_id=world.pool_id)
    assert call(gateway, world.token("id", "revoked")).status_code == 200


def test_claims_reach_the_upstream_as_strings(world: World, proxy: Any) -> None:
    gateway = proxy(mode="rest", user_pool_id=world.pool_id)
    token = world.token("id", "valid")
    raw = claims_of(token)
    claims = json.loads(forwarded(call(gateway, token))["headers"]["x-cogito-authorizer-claims"])
    assert set(claims) == set(raw)
    assert all(isinstance(value, str) for value in claims.values())
    assert JAVA_DATE.match(claims["exp"]) and JAVA_DATE.match(claims["iat"])
    assert claims["auth_time"] == str(raw["auth_time"])  # only exp and iat become dates
    assert claims["cognito:username"] == "alice" and claims["token_use"] == "id"
    assert claims["aud"] == world.app["ClientId"]


def test_groups_and_booleans_are_rendered_like_api_gateway(world: World, proxy: Any) -> None:
    idp, pool_id = world.pool.idp, world.pool_id
    for group in ("admins", "staff"):
        idp.create_group(UserPoolId=pool_id, GroupName=group)
        idp.admin_add_user_to_group(UserPoolId=pool_id, Username="alice", GroupName=group)
    idp.admin_update_user_attributes(UserPoolId=pool_id, Username="alice", UserAttributes=[
        {"Name": "email", "Value": "alice@example.com"}, {"Name": "email_verified", "Value": "true"}])
    try:
        token = idp.admin_initiate_auth(UserPoolId=pool_id, ClientId=world.app["ClientId"],
                                        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                        AuthParameters={"USERNAME": "alice", "PASSWORD": "Passw0rd!x"},
                                        )["AuthenticationResult"]["IdToken"]
        assert claims_of(token)["email_verified"] is True
        gateway = proxy(mode="rest", user_pool_id=pool_id)
        claims = json.loads(forwarded(call(gateway, token))["headers"]["x-cogito-authorizer-claims"])
        assert claims["email_verified"] == "true"
        assert sorted(claims["cognito:groups"].split(",")) == ["admins", "staff"]
    finally:
        for group in ("admins", "staff"):
            idp.delete_group(UserPoolId=pool_id, GroupName=group)


@pytest.mark.parametrize("value", [None, "", "Bearer", "Bearer ", "Bearer x", "not-a-jwt", "a.b.c", "Basic dXNlcjpwdw=="])
def test_missing_or_malformed_tokens(world: World, proxy: Any, value: str | None) -> None:
    gateway = proxy(mode="rest", user_pool_id=world.pool_id)
    answer = call(gateway, value)
    assert answer.status_code == 401 and answer.json() == UNAUTHORIZED


def test_bearer_prefix_is_accepted(world: World, proxy: Any) -> None:
    gateway = proxy(mode="rest", user_pool_id=world.pool_id)
    for prefix in ("Bearer ", "bearer ", "Bearer  "):
        assert call(gateway, prefix + world.token("id", "valid")).status_code == 200


def test_the_api_scope_lets_api_sign_ins_in(world: World, proxy: Any) -> None:
    """With aws.cognito.signin.user.admin on the method, an InitiateAuth access token passes."""
    gateway = proxy(mode="rest", user_pool_id=world.pool_id, scopes=("orders/read", "aws.cognito.signin.user.admin"))
    assert call(gateway, world.token("access", "valid")).status_code == 200
    assert call(gateway, world.token("m2m_read", "valid")).status_code == 200
    assert call(gateway, world.token("m2m_write", "valid")).status_code == 401


def test_custom_identity_source_header(world: World, proxy: Any) -> None:
    gateway = proxy(mode="rest", user_pool_id=world.pool_id, identity_sources=("X-Id-Token",))
    assert call(gateway, world.token("id", "valid"), header="X-Id-Token").status_code == 200
    assert call(gateway, world.token("id", "valid")).status_code == 401  # Authorization is not read


def test_the_request_is_forwarded_unchanged(world: World, proxy: Any) -> None:
    gateway = proxy(mode="rest", user_pool_id=world.pool_id)
    answer = call(gateway, world.token("id", "valid"), method="POST", path="/orders/42/items?x=1&y=%2F",
                  data=b'{"qty": 2}', headers={"Content-Type": "application/json", "X-Trace": "t-1"})
    seen = forwarded(answer)
    assert seen["method"] == "POST" and seen["path"] == "/orders/42/items" and seen["query"] == "x=1&y=%2F"
    assert seen["body"] == '{"qty": 2}' and seen["headers"]["x-trace"] == "t-1"
    assert seen["headers"]["authorization"] == world.token("id", "valid")
    assert answer.cookies.get("seen") == "1"  # the upstream's answer comes back as it was


def test_forged_authorizer_headers_are_dropped(world: World, proxy: Any) -> None:
    gateway = proxy(mode="rest", user_pool_id=world.pool_id)
    forged = {"X-Cogito-Authorizer-Claims": '{"sub":"admin"}', "X-Cogito-Authorizer": '{"claims":{}}'}
    seen = forwarded(call(gateway, world.token("id", "valid"), headers=forged))
    assert json.loads(seen["headers"]["x-cogito-authorizer-claims"])["cognito:username"] == "alice"
    refused = call(gateway, None, headers=forged)
    assert refused.status_code == 401


def test_cors_preflight_passes_unless_told_otherwise(world: World, proxy: Any) -> None:
    open_gateway = proxy(mode="rest", user_pool_id=world.pool_id)
    seen = forwarded(call(open_gateway, None, method="OPTIONS"))
    assert "x-cogito-authorizer" not in seen["headers"]
    strict = proxy(mode="rest", user_pool_id=world.pool_id, open_options=False)
    assert call(strict, None, method="OPTIONS").status_code == 401


def test_unreachable_jwks_is_a_configuration_error(world: World, proxy: Any) -> None:
    gateway = proxy(mode="rest", user_pool_id="eu-west-1_NoSuchPool")  # Cogito answers 404 for its JWKS
    answer = call(gateway, world.token("id", "valid"))
    assert answer.status_code == 500 and answer.json() == {"message": None}
    assert answer.headers["x-amzn-ErrorType"] == "AuthorizerConfigurationException"


def test_unreachable_upstream_is_a_bad_gateway(world: World, server: Any) -> None:
    from emulator.authorizer.config import AuthorizerConfig
    from emulator.authorizer.proxy import ProxyServer

    with ProxyServer(AuthorizerConfig(user_pool_id=world.pool_id, cognito_endpoint=server.url),
                     "http://127.0.0.1:9") as gateway:
        answer = call(gateway, world.token("id", "valid"))
    assert answer.status_code == 502 and answer.json() == {"message": "Bad Gateway"}
