"""The tokens a sign-in hands out, checked with PyJWT against the JWKS fetched over HTTP:
header, exact claim sets of ID and access tokens, validity, ReadAttributes, issuer (§2)."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import jwt
import pytest
import requests
from botocore.config import Config
from werkzeug.serving import make_server

from emulator.app import create_app
from emulator.jwks import issuer
from emulator.settings import Settings, from_env
from tests.auth_helpers import (  # noqa: F401 - fixtures
    OTHER_PASSWORD,
    PASSWORD,
    attrs_of,
    claims_of,
    header_of,
    make_client,
    make_pool,
    make_user,
    password_auth,
)

ROLE_1 = "arn:aws:iam::000000000000:role/first"
ROLE_2 = "arn:aws:iam::000000000000:role/second"
ID_COMMON = {"sub", "aud", "iss", "token_use", "auth_time", "iat", "exp", "jti", "origin_jti", "event_id",
             "cognito:username"}
ACCESS_COMMON = {"sub", "iss", "client_id", "origin_jti", "event_id", "token_use", "scope", "auth_time", "exp",
                 "iat", "jti", "username"}
SCHEMA = [{"Name": "tier", "AttributeDataType": "Number", "Mutable": True},
          {"Name": "team", "AttributeDataType": "String", "Mutable": True}]


def verify(base_url: str, pool_id: str, token: str, *, audience: str | None = None) -> dict[str, Any]:
    """PyJWT verification against the pool's JWKS over HTTP, with pycognito's issuer rule."""
    jwks = jwt.PyJWKClient(f"{base_url}/{pool_id}/.well-known/jwks.json")
    key = jwks.get_signing_key_from_jwt(token)
    return jwt.decode(token, key.key, algorithms=["RS256"], issuer=f"{base_url}/{pool_id}", audience=audience,
                      options={"verify_aud": audience is not None, "require": ["exp", "iat", "iss", "sub"]})


@pytest.fixture
def rich_user(idp: Any, make_pool: Any) -> dict[str, Any]:
    """A pool with custom attributes and groups, a client, and a user with a bit of everything."""
    pool_id = make_pool(Schema=SCHEMA)
    client = make_client(idp, pool_id)
    make_user(idp, pool_id, attributes={
        "email": "alice@example.com", "email_verified": "true", "phone_number": "+15555550100",
        "phone_number_verified": "false", "name": "Alice", "custom:tier": "3", "custom:team": "blue",
    })
    for name, role, precedence in (("low", ROLE_2, 5), ("top", ROLE_1, 1), ("plain", None, None)):
        idp.create_group(UserPoolId=pool_id, GroupName=name, **({"RoleArn": role} if role else {}),
                         **({"Precedence": precedence} if precedence is not None else {}))
        idp.admin_add_user_to_group(UserPoolId=pool_id, Username="alice", GroupName=name)
    return {"pool_id": pool_id, "client": client}


def test_every_token_verifies_against_the_jwks(server: Any, idp: Any, rich_user: dict[str, Any]) -> None:
    pool_id, cid = rich_user["pool_id"], rich_user["client"]["ClientId"]
    auth = password_auth(idp, rich_user["client"])["AuthenticationResult"]
    refreshed = idp.initiate_auth(ClientId=cid, AuthFlow="REFRESH_TOKEN_AUTH",
                                  AuthParameters={"REFRESH_TOKEN": auth["RefreshToken"]})["AuthenticationResult"]
    fetched = idp.get_tokens_from_refresh_token(ClientId=cid, RefreshToken=auth["RefreshToken"])["AuthenticationResult"]
    for result in (auth, refreshed, fetched):
        assert verify(server.url, pool_id, result["IdToken"], audience=cid)["token_use"] == "id"
        assert verify(server.url, pool_id, result["AccessToken"])["token_use"] == "access"
    # The refresh token is opaque: five parts, not a JWS anyone can verify.
    assert auth["RefreshToken"].count(".") == 4
    with pytest.raises(jwt.PyJWTError):
        verify(server.url, pool_id, auth["RefreshToken"])
    # The ID token's audience is the client: any other audience is refused.
    with pytest.raises(jwt.InvalidAudienceError):
        verify(server.url, pool_id, auth["IdToken"], audience="someone-else")


def test_header_and_keys(server: Any, idp: Any, rich_user: dict[str, Any]) -> None:
    pool_id = rich_user["pool_id"]
    auth = password_auth(idp, rich_user["client"])["AuthenticationResult"]
    id_header, access_header = header_of(auth["IdToken"]), header_of(auth["AccessToken"])
    assert list(id_header) == ["kid", "alg"] and list(access_header) == ["kid", "alg"]
    assert id_header["alg"] == access_header["alg"] == "RS256"
    assert id_header["kid"] != access_header["kid"]  # two key pairs, as AWS has
    published = {k["kid"] for k in requests.get(f"{server.url}/{pool_id}/.well-known/jwks.json", timeout=10).json()["keys"]}
    assert published == {id_header["kid"], access_header["kid"]}
    assert all(len(kid) == 44 and kid.endswith("=") for kid in published)


def test_id_token_claims(server: Any, idp: Any, rich_user: dict[str, Any]) -> None:
    pool_id, cid = rich_user["pool_id"], rich_user["client"]["ClientId"]
    auth = password_auth(idp, rich_user["client"])["AuthenticationResult"]
    claims = verify(server.url, pool_id, auth["IdToken"], audience=cid)
    user = idp.admin_get_user(UserPoolId=pool_id, Username="alice")
    sub = attrs_of(user)["sub"]
    assert set(claims) == ID_COMMON | {"cognito:groups", "cognito:roles", "cognito:preferred_role", "email",
                                       "email_verified", "phone_number", "phone_number_verified", "name",
                                       "custom:tier", "custom:team"}
    assert claims["sub"] == sub and claims["aud"] == cid and claims["token_use"] == "id"
    assert claims["cognito:username"] == "alice"
    assert claims["email_verified"] is True and claims["phone_number_verified"] is False
    assert claims["custom:tier"] == "3" and claims["custom:team"] == "blue"  # custom values stay strings
    assert claims["email"] == "alice@example.com" and claims["name"] == "Alice"
    assert claims["cognito:groups"] == ["top", "low", "plain"]  # best precedence first
    assert claims["cognito:roles"] == [ROLE_1, ROLE_2]
    assert claims["cognito:preferred_role"] == ROLE_1
    assert claims["iss"] == f"{server.url}/{pool_id}"
    assert claims["auth_time"] == claims["iat"] and claims["exp"] == claims["iat"] + 3600
    uuid.UUID(claims["jti"]), uuid.UUID(claims["origin_jti"]), uuid.UUID(claims["event_id"])


def test_access_token_claims(server: Any, idp: Any, rich_user: dict[str, Any]) -> None:
    pool_id, cid = rich_user["pool_id"], rich_user["client"]["ClientId"]
    auth = password_auth(idp, rich_user["client"])["AuthenticationResult"]
    access = verify(server.url, pool_id, auth["AccessToken"])
    id_claims = claims_of(auth["IdToken"])
    assert set(access) == ACCESS_COMMON | {"cognito:groups"}  # no aud, no personal data
    assert access["client_id"] == cid and access["token_use"] == "access"
    assert access["username"] == "alice" and access["sub"] == id_claims["sub"]
    assert access["scope"] == "aws.cognito.signin.user.admin"
    assert access["cognito:groups"] == ["top", "low", "plain"]
    # Minted together: one sign-in family and event, separate token ids.
    assert access["origin_jti"] == id_claims["origin_jti"] and access["event_id"] == id_claims["event_id"]
    assert access["jti"] != id_claims["jti"]
    assert access["auth_time"] == id_claims["auth_time"] and access["iat"] == id_claims["iat"]


def test_user_without_groups_or_attributes(server: Any, idp: Any, pool: dict[str, Any]) -> None:
    client = make_client(idp, pool["Id"])
    make_user(idp, pool["Id"])
    auth = password_auth(idp, client)["AuthenticationResult"]
    assert set(verify(server.url, pool["Id"], auth["IdToken"], audience=client["ClientId"])) == ID_COMMON
    assert set(verify(server.url, pool["Id"], auth["AccessToken"])) == ACCESS_COMMON


@pytest.mark.parametrize(("settings", "access", "id_life"), [
    ({}, 3600, 3600),
    ({"AccessTokenValidity": 5, "IdTokenValidity": 10, "TokenValidityUnits": {"AccessToken": "minutes",
                                                                              "IdToken": "minutes"}}, 300, 600),
    ({"AccessTokenValidity": 2, "IdTokenValidity": 1}, 7200, 3600),  # hours are implied
    ({"AccessTokenValidity": 1, "IdTokenValidity": 86400, "TokenValidityUnits": {"AccessToken": "days",
                                                                                 "IdToken": "seconds"}}, 86400, 86400),
])
def test_validity_from_the_client(idp: Any, pool: dict[str, Any], settings: dict[str, Any], access: int,
                                  id_life: int) -> None:
    client = make_client(idp, pool["Id"], **settings)
    make_user(idp, pool["Id"])
    auth = password_auth(idp, client)["AuthenticationResult"]
    assert auth["ExpiresIn"] == access
    a, i = claims_of(auth["AccessToken"]), claims_of(auth["IdToken"])
    assert a["exp"] - a["iat"] == access and i["exp"] - i["iat"] == id_life


def test_read_attributes_limit_the_id_token(server: Any, idp: Any, rich_user: dict[str, Any]) -> None:
    pool_id = rich_user["pool_id"]
    client = make_client(idp, pool_id, ReadAttributes=["email", "custom:tier"])
    claims = verify(server.url, pool_id, password_auth(idp, client)["AuthenticationResult"]["IdToken"],
                    audience=client["ClientId"])
    assert claims["email"] == "alice@example.com" and claims["custom:tier"] == "3"
    for hidden in ("name", "phone_number", "email_verified", "custom:team"):
        assert hidden not in claims
    assert claims["cognito:groups"] == ["top", "low", "plain"]  # groups are not attributes


def test_issuer_matches_discovery(server: Any, idp: Any, pool: dict[str, Any]) -> None:
    client = make_client(idp, pool["Id"])
    make_user(idp, pool["Id"])
    auth = password_auth(idp, client)["AuthenticationResult"]
    discovery = requests.get(f"{server.url}/{pool['Id']}/.well-known/openid-configuration", timeout=10).json()
    assert claims_of(auth["IdToken"])["iss"] == claims_of(auth["AccessToken"])["iss"] == discovery["issuer"]
    assert discovery["issuer"] == f"{server.url}/{pool['Id']}"


# --- COGITO_ISSUER_STYLE=aws: a second in-process server ---------------------------------------------

@pytest.fixture(scope="module")
def aws_style_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    settings = Settings(db_url=f"sqlite:///{tmp_path_factory.mktemp('aws') / 'c.db'}", issuer_style="aws",
                        log_level="warning")
    app = create_app(settings)
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    app.config["COGITO"].store.dispose()


def test_aws_issuer_style(aws_style_server: str) -> None:
    idp = boto3.client("cognito-idp", endpoint_url=aws_style_server, region_name="eu-west-1",
                       aws_access_key_id="test", aws_secret_access_key="test",
                       config=Config(retries={"max_attempts": 1}))
    pool_id = idp.create_user_pool(PoolName="aws-style")["UserPool"]["Id"]
    client = make_client(idp, pool_id)
    make_user(idp, pool_id)
    auth = password_auth(idp, client)["AuthenticationResult"]
    expected = f"https://cognito-idp.eu-west-1.amazonaws.com/{pool_id}"
    for token in (auth["IdToken"], auth["AccessToken"]):
        assert claims_of(token)["iss"] == expected
        key = jwt.PyJWKClient(f"{aws_style_server}/{pool_id}/.well-known/jwks.json").get_signing_key_from_jwt(token)
        assert jwt.decode(token, key.key, algorithms=["RS256"], issuer=expected, options={"verify_aud": False})
    discovery = requests.get(f"{aws_style_server}/{pool_id}/.well-known/openid-configuration", timeout=10).json()
    assert discovery["issuer"] == expected


def test_issuer_style_settings() -> None:
    assert from_env({"COGITO_ISSUER_STYLE": "AWS"}).issuer_style == "aws"
    assert from_env({}).issuer_style == "request"
    pinned = Settings(issuer_base="http://cognito:9229/")
    assert issuer.issuer_from(pinned, "http://127.0.0.1:5000", "eu-west-1_abc") == "http://cognito:9229/eu-west-1_abc"
    assert issuer.issuer_from(Settings(), "http://localhost:9229", "eu-west-1_abc") == "http://localhost:9229/eu-west-1_abc"
    assert (issuer.issuer_from(Settings(issuer_style="aws"), "http://x", "ap-south-2_abc")
            == "https://cognito-idp.ap-south-2.amazonaws.com/ap-south-2_abc")
