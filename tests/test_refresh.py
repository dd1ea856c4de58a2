"""Refreshing over the wire: REFRESH_TOKEN_AUTH, REFRESH_TOKEN, GetTokensFromRefreshToken,
RefreshTokenRotation and its grace period, expiry and SECRET_HASH (reference §2, §4)."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.auth_helpers import (  # noqa: F401 - fixtures
    claims_of,
    clock,
    error_of,
    make_client,
    make_pool,
    make_user,
    password_auth,
    secret_hash,
)

INVALID = ("NotAuthorizedException", "Invalid Refresh Token.")
ROTATION = {"Feature": "ENABLED", "RetryGracePeriodSeconds": 10}


def _refresh(idp: Any, client: dict[str, Any], token: str, flow: str = "REFRESH_TOKEN_AUTH",
             **extra: str) -> dict[str, Any]:
    return idp.initiate_auth(ClientId=client["ClientId"], AuthFlow=flow,
                             AuthParameters={"REFRESH_TOKEN": token, **extra})


def _same_family(before: dict[str, Any], after: dict[str, Any], advanced: int) -> None:
    """Same auth_time and origin_jti; new jti, iat and exp (reference §2)."""
    for kind in ("AccessToken", "IdToken"):
        old, new = claims_of(before[kind]), claims_of(after[kind])
        assert new["auth_time"] == old["auth_time"] and new["origin_jti"] == old["origin_jti"]
        assert new["jti"] != old["jti"] and new["event_id"] != old["event_id"]
        assert new["iat"] == old["iat"] + advanced and new["exp"] == old["exp"] + advanced
        assert new["token_use"] == old["token_use"] and new["sub"] == old["sub"]


@pytest.mark.parametrize("flow", ["REFRESH_TOKEN_AUTH", "REFRESH_TOKEN"])
def test_refresh_by_initiate_auth(idp: Any, pool: dict[str, Any], clock: Any, flow: str) -> None:
    client = make_client(idp, pool["Id"])
    make_user(idp, pool["Id"])
    first = password_auth(idp, client)["AuthenticationResult"]
    clock.advance(100)
    result = _refresh(idp, client, first["RefreshToken"], flow)
    assert result["ChallengeParameters"] == {} and "ChallengeName" not in result
    auth = result["AuthenticationResult"]
    assert "RefreshToken" not in auth
    assert auth["TokenType"] == "Bearer" and auth["ExpiresIn"] == 3600
    _same_family(first, auth, 100)
    # The refresh token keeps working (no rotation).
    _refresh(idp, client, first["RefreshToken"], flow)


def test_refresh_by_admin_initiate_auth(idp: Any, pool: dict[str, Any]) -> None:
    client = make_client(idp, pool["Id"])
    make_user(idp, pool["Id"])
    first = password_auth(idp, client)["AuthenticationResult"]
    auth = idp.admin_initiate_auth(UserPoolId=pool["Id"], ClientId=client["ClientId"], AuthFlow="REFRESH_TOKEN_AUTH",
                                   AuthParameters={"REFRESH_TOKEN": first["RefreshToken"]})["AuthenticationResult"]
    assert "RefreshToken" not in auth
    assert claims_of(auth["IdToken"])["origin_jti"] == claims_of(first["IdToken"])["origin_jti"]


def test_get_tokens_from_refresh_token(idp: Any, pool: dict[str, Any], clock: Any) -> None:
    client = make_client(idp, pool["Id"])
    make_user(idp, pool["Id"])
    first = password_auth(idp, client)["AuthenticationResult"]
    clock.advance(30)
    result = idp.get_tokens_from_refresh_token(RefreshToken=first["RefreshToken"], ClientId=client["ClientId"])
    auth = result["AuthenticationResult"]
    assert "RefreshToken" not in auth and auth["ExpiresIn"] == 3600
    _same_family(first, auth, 30)


def test_refresh_carries_current_attributes(idp: Any, pool: dict[str, Any]) -> None:
    client = make_client(idp, pool["Id"])
    make_user(idp, pool["Id"], attributes={"name": "Old"})
    first = password_auth(idp, client)["AuthenticationResult"]
    idp.admin_update_user_attributes(UserPoolId=pool["Id"], Username="alice",
                                     UserAttributes=[{"Name": "name", "Value": "New"}])
    auth = _refresh(idp, client, first["RefreshToken"])["AuthenticationResult"]
    assert claims_of(auth["IdToken"])["name"] == "New"


def test_invalid_refresh_tokens(idp: Any, pool: dict[str, Any]) -> None:
    client = make_client(idp, pool["Id"])
    other = make_client(idp, pool["Id"])
    make_user(idp, pool["Id"])
    token = password_auth(idp, client)["AuthenticationResult"]["RefreshToken"]
    for cid, text in ((client["ClientId"], "garbage"), (client["ClientId"], token[:-4] + "AAAA"),
                      (other["ClientId"], token)):
        with pytest.raises(ClientError) as exc:
            idp.initiate_auth(ClientId=cid, AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters={"REFRESH_TOKEN": text})
        assert error_of(exc) == INVALID
        with pytest.raises(ClientError) as exc:
            idp.get_tokens_from_refresh_token(RefreshToken=text, ClientId=cid)
        assert error_of(exc) == INVALID
    with pytest.raises(ClientError) as exc:
        idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters={})
    assert error_of(exc) == ("InvalidParameterException", "Missing required parameter REFRESH_TOKEN")


def test_refresh_token_expires(idp: Any, pool: dict[str, Any], clock: Any) -> None:
    client = make_client(idp, pool["Id"], RefreshTokenValidity=60, TokenValidityUnits={"RefreshToken": "minutes"})
    make_user(idp, pool["Id"])
    token = password_auth(idp, client)["AuthenticationResult"]["RefreshToken"]
    clock.advance(3599)
    _refresh(idp, client, token)
    clock.advance(2)
    with pytest.raises(ClientError) as exc:
        _refresh(idp, client, token)
    assert error_of(exc) == ("NotAuthorizedException", "Refresh Token has expired")
    with pytest.raises(ClientError) as exc:
        idp.get_tokens_from_refresh_token(RefreshToken=token, ClientId=client["ClientId"])
    assert error_of(exc) == ("NotAuthorizedException", "Refresh Token has expired")


def test_refresh_for_disabled_user(idp: Any, pool: dict[str, Any]) -> None:
    client = make_client(idp, pool["Id"])
    make_user(idp, pool["Id"])
    token = password_auth(idp, client)["AuthenticationResult"]["RefreshToken"]
    idp.admin_disable_user(UserPoolId=pool["Id"], Username="alice")
    with pytest.raises(ClientError) as exc:
        _refresh(idp, client, token)
    assert error_of(exc) == ("NotAuthorizedException", "User is disabled.")


def test_refresh_flow_must_be_enabled(idp: Any, pool: dict[str, Any]) -> None:
    client = make_client(idp, pool["Id"], flows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    make_user(idp, pool["Id"])
    token = password_auth(idp, client)["AuthenticationResult"]["RefreshToken"]
    idp.update_user_pool_client(UserPoolId=pool["Id"], ClientId=client["ClientId"],
                                ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"])
    with pytest.raises(ClientError) as exc:
        _refresh(idp, client, token)
    assert error_of(exc)[0] == "InvalidParameterException"


def test_refresh_secret_hash(idp: Any, make_pool: Any) -> None:
    pool_id = make_pool(UsernameAttributes=["email"])
    client = make_client(idp, pool_id, secret=True)
    cid, secret = client["ClientId"], client["ClientSecret"]
    sub = {a["Name"]: a["Value"] for a in make_user(idp, pool_id, "fay@example.com")["Attributes"]}["sub"]
    token = password_auth(idp, client, username="fay@example.com",
                          SECRET_HASH=secret_hash(secret, "fay@example.com", cid))["AuthenticationResult"]["RefreshToken"]
    with pytest.raises(ClientError) as exc:
        _refresh(idp, client, token)
    assert error_of(exc) == ("NotAuthorizedException", f"Client {cid} is configured for secret but secret was not received")
    with pytest.raises(ClientError) as exc:
        _refresh(idp, client, token, SECRET_HASH=secret_hash(secret, "someone-else", cid))
    assert error_of(exc) == ("NotAuthorizedException", f"SecretHash does not match for the client: {cid}")
    # The internal username (the sub here) and the name the user signed in with both work.
    for name in (sub, "fay@example.com"):
        assert "AccessToken" in _refresh(idp, client, token, SECRET_HASH=secret_hash(secret, name, cid))[
            "AuthenticationResult"]


def test_get_tokens_client_secret(idp: Any, pool: dict[str, Any]) -> None:
    client = make_client(idp, pool["Id"], secret=True)
    cid, secret = client["ClientId"], client["ClientSecret"]
    make_user(idp, pool["Id"])
    token = password_auth(idp, client, SECRET_HASH=secret_hash(secret, "alice", cid))["AuthenticationResult"][
        "RefreshToken"]
    with pytest.raises(ClientError) as exc:
        idp.get_tokens_from_refresh_token(RefreshToken=token, ClientId=cid)
    assert error_of(exc) == ("NotAuthorizedException", f"Client {cid} is configured for secret but secret was not received")
    with pytest.raises(ClientError) as exc:
        idp.get_tokens_from_refresh_token(RefreshToken=token, ClientId=cid, ClientSecret="x" * 51)
    assert error_of(exc)[0] == "NotAuthorizedException"
    auth = idp.get_tokens_from_refresh_token(RefreshToken=token, ClientId=cid, ClientSecret=secret)
    assert "IdToken" in auth["AuthenticationResult"]


# --- RefreshTokenRotation ----------------------------------------------------------------------------

def test_rotation_returns_a_new_refresh_token(idp: Any, pool: dict[str, Any], clock: Any) -> None:
    client = make_client(idp, pool["Id"], RefreshTokenRotation=ROTATION)
    make_user(idp, pool["Id"])
    first = password_auth(idp, client)["AuthenticationResult"]
    old = first["RefreshToken"]
    rotated = idp.get_tokens_from_refresh_token(RefreshToken=old, ClientId=client["ClientId"])["AuthenticationResult"]
    new = rotated["RefreshToken"]
    assert new != old and new.count(".") == 4
    _same_family(first, rotated, 0)
    # The replaced token still works within the grace period...
    clock.advance(10)
    retry = idp.get_tokens_from_refresh_token(RefreshToken=old, ClientId=client["ClientId"])["AuthenticationResult"]
    assert retry["RefreshToken"] not in (old, new)
    # ...and not after it.
    clock.advance(1)
    with pytest.raises(ClientError) as exc:
        idp.get_tokens_from_refresh_token(RefreshToken=old, ClientId=client["ClientId"])
    assert error_of(exc) == INVALID
    again = idp.get_tokens_from_refresh_token(RefreshToken=new, ClientId=client["ClientId"])["AuthenticationResult"]
    assert claims_of(again["AccessToken"])["origin_jti"] == claims_of(first["AccessToken"])["origin_jti"]


def test_rotation_without_grace_period(idp: Any, pool: dict[str, Any]) -> None:
    client = make_client(idp, pool["Id"], RefreshTokenRotation={"Feature": "ENABLED", "RetryGracePeriodSeconds": 0})
    make_user(idp, pool["Id"])
    old = password_auth(idp, client)["AuthenticationResult"]["RefreshToken"]
    new = idp.get_tokens_from_refresh_token(RefreshToken=old, ClientId=client["ClientId"])["AuthenticationResult"][
        "RefreshToken"]
    with pytest.raises(ClientError) as exc:
        idp.get_tokens_from_refresh_token(RefreshToken=old, ClientId=client["ClientId"])
    assert error_of(exc) == INVALID
    assert idp.get_tokens_from_refresh_token(RefreshToken=new, ClientId=client["ClientId"])["AuthenticationResult"]


def test_rotated_tokens_keep_the_original_expiry(idp: Any, pool: dict[str, Any], clock: Any) -> None:
    client = make_client(idp, pool["Id"], RefreshTokenRotation=ROTATION, RefreshTokenValidity=60,
                         TokenValidityUnits={"RefreshToken": "minutes"})
    make_user(idp, pool["Id"])
    token = password_auth(idp, client)["AuthenticationResult"]["RefreshToken"]
    clock.advance(1800)
    token = idp.get_tokens_from_refresh_token(RefreshToken=token, ClientId=client["ClientId"])[
        "AuthenticationResult"]["RefreshToken"]
    clock.advance(1801)
    with pytest.raises(ClientError) as exc:
        idp.get_tokens_from_refresh_token(RefreshToken=token, ClientId=client["ClientId"])
    assert error_of(exc) == ("NotAuthorizedException", "Refresh Token has expired")


def test_rotation_refuses_refresh_token_auth(idp: Any, pool: dict[str, Any]) -> None:
    client = make_client(idp, pool["Id"], RefreshTokenRotation=ROTATION)
    make_user(idp, pool["Id"])
    token = password_auth(idp, client)["AuthenticationResult"]["RefreshToken"]
    with pytest.raises(ClientError) as exc:
        _refresh(idp, client, token)
    assert error_of(exc)[0] == "InvalidParameterException"
    assert "GetTokensFromRefreshToken" in error_of(exc)[1]


def test_rotation_without_refresh_token_auth_flag(idp: Any, pool: dict[str, Any]) -> None:
    """AWS asks to turn ALLOW_REFRESH_TOKEN_AUTH off for rotation: GetTokensFromRefreshToken still works."""
    client = make_client(idp, pool["Id"], flows=["ALLOW_USER_PASSWORD_AUTH"], RefreshTokenRotation=ROTATION)
    make_user(idp, pool["Id"])
    token = password_auth(idp, client)["AuthenticationResult"]["RefreshToken"]
    auth = idp.get_tokens_from_refresh_token(RefreshToken=token, ClientId=client["ClientId"])["AuthenticationResult"]
    assert auth["RefreshToken"] != token
