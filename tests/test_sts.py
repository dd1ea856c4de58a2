"""The basic (classic) flow: GetOpenIdToken -> STS AssumeRoleWithWebIdentity, and STS itself.

STS speaks the Query protocol (form in, XML out); boto3's sts client must parse every answer.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import boto3
import jwt
import pytest
import requests
from botocore.config import Config
from cryptography.hazmat.primitives.asymmetric import rsa

from emulator.protocol import specs
from emulator.protocol.query import parse_form
from tests.conftest import REGION, LiveServer
from tests.identity_support import (  # noqa: F401 - fixtures
    AUTH_ROLE,
    UNAUTH_ROLE,
    UserPoolApp,
    clock,
    error_of,
    new_identity_pool,
    userpool,
)

POOL_ARN_CLAIM = "https://cognito-identity.amazonaws.com/identity-pool-arn"
LOGINS_DONT_MATCH = "Logins don't match. Please include at least one valid login for this identity or identity pool."


@pytest.fixture(scope="module")
def sts(server: LiveServer) -> Any:
    return server.client("sts")


def sts_with(server: LiveServer, creds: dict[str, Any]) -> Any:
    return boto3.client("sts", endpoint_url=server.url, region_name=REGION, config=Config(retries={"max_attempts": 1}),
                        aws_access_key_id=creds["AccessKeyId"],
                        aws_secret_access_key=creds.get("SecretAccessKey") or creds["SecretKey"],
                        aws_session_token=creds["SessionToken"])


def jwks_key(server: LiveServer, token: str) -> Any:
    keys = requests.get(f"{server.url}/_cogito/identity/.well-known/jwks_uri").json()["keys"]
    kid = jwt.get_unverified_header(token)["kid"]
    return jwt.PyJWK(next(k for k in keys if k["kid"] == kid)).key


def raw_sts(server: LiveServer, form: dict[str, str]) -> requests.Response:
    return requests.post(server.url, data={"Version": "2011-06-15", **form})


def test_basic_flow_authenticated(server: LiveServer, identity: Any, sts: Any, userpool: UserPoolApp,
                                  clock: Any) -> None:
    clock.freeze()
    pool_id = new_identity_pool(identity, userpool, AllowClassicFlow=True)
    logins = {userpool.provider: userpool.id_token()}
    identity_id = identity.get_id(IdentityPoolId=pool_id, Logins=logins)["IdentityId"]
    result = identity.get_open_id_token(IdentityId=identity_id, Logins=logins)
    assert result["IdentityId"] == identity_id
    token = result["Token"]
    header = jwt.get_unverified_header(token)
    assert header == {"alg": "RS512", "kid": f"{REGION}1", "typ": "JWS"}
    claims = jwt.decode(token, jwks_key(server, token), algorithms=["RS512"], audience=pool_id,
                        issuer="https://cognito-identity.amazonaws.com", options={"verify_exp": False})
    assert claims["sub"] == identity_id
    assert claims["exp"] - claims["iat"] == 600 and claims["iat"] == int(clock.now())
    sub = jwt.decode(logins[userpool.provider], options={"verify_signature": False})["sub"]
    assert claims["amr"] == ["authenticated", userpool.provider, f"{userpool.provider}:CognitoSignIn:{sub}"]
    assert claims[POOL_ARN_CLAIM] == f"arn:aws:cognito-identity:{REGION}:000000000000:identitypool/{pool_id}"

    assumed = sts.assume_role_with_web_identity(RoleArn=AUTH_ROLE, RoleSessionName="app-session",
                                                WebIdentityToken=token)
    creds = assumed["Credentials"]
    assert re.fullmatch(r"ASIA[A-Z0-9]{16}", creds["AccessKeyId"]) and len(creds["SecretAccessKey"]) == 40
    assert int(creds["Expiration"].timestamp()) == int(clock.now()) + 3600
    assert assumed["SubjectFromWebIdentityToken"] == identity_id
    assert assumed["Audience"] == pool_id
    assert assumed["Provider"] == "cognito-identity.amazonaws.com"
    assert assumed["AssumedRoleUser"]["Arn"] == "arn:aws:sts::000000000000:assumed-role/CognitoAuth/app-session"
    assert re.fullmatch(r"AROA[A-Z0-9]{17}:app-session", assumed["AssumedRoleUser"]["AssumedRoleId"])
    assert "PackedPolicySize" not in assumed
    record = requests.get(f"{server.url}/_cogito/credentials/{creds['AccessKeyId']}").json()
    assert record["IdentityId"] == identity_id and record["RoleArn"] == AUTH_ROLE
    assert record["Source"] == "AssumeRoleWithWebIdentity" and record["RoleSessionName"] == "app-session"
    caller = sts_with(server, creds).get_caller_identity()
    assert caller["Arn"] == assumed["AssumedRoleUser"]["Arn"]
    assert caller["UserId"] == assumed["AssumedRoleUser"]["AssumedRoleId"]
    assert caller["Account"] == "000000000000"


def test_basic_flow_unauthenticated(identity: Any, sts: Any) -> None:
    pool_id = new_identity_pool(identity, AllowClassicFlow=True)
    identity_id = identity.get_id(IdentityPoolId=pool_id)["IdentityId"]
    token = identity.get_open_id_token(IdentityId=identity_id)["Token"]
    assert jwt.decode(token, options={"verify_signature": False})["amr"] == ["unauthenticated"]
    assumed = sts.assume_role_with_web_identity(RoleArn=UNAUTH_ROLE, RoleSessionName="guest", WebIdentityToken=token)
    assert assumed["AssumedRoleUser"]["Arn"].endswith(":assumed-role/CognitoUnauth/guest")
    code, message = error_of(sts.assume_role_with_web_identity, RoleArn=AUTH_ROLE, RoleSessionName="guest",
                             WebIdentityToken=token)
    assert (code, message) == ("AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity")


def test_authenticated_token_cannot_take_the_unauthenticated_or_a_foreign_role(
        identity: Any, sts: Any, userpool: UserPoolApp) -> None:
    pool_id = new_identity_pool(identity, userpool)
    logins = {userpool.provider: userpool.id_token()}
    identity_id = identity.get_id(IdentityPoolId=pool_id, Logins=logins)["IdentityId"]
    token = identity.get_open_id_token(IdentityId=identity_id, Logins=logins)["Token"]
    for role in (UNAUTH_ROLE, "arn:aws:iam::000000000000:role/SomethingElse"):
        assert error_of(sts.assume_role_with_web_identity, RoleArn=role, RoleSessionName="sess",
                        WebIdentityToken=token)[0] == "AccessDenied"


def test_classic_flow_switch(identity: Any, userpool: UserPoolApp) -> None:
    disabled = new_identity_pool(identity, AllowClassicFlow=False)
    guest = identity.get_id(IdentityPoolId=disabled)["IdentityId"]
    assert error_of(identity.get_open_id_token, IdentityId=guest) == (
        "InvalidParameterException", "Basic (classic) flow is not enabled, please use enhanced flow.")
    unset = new_identity_pool(identity)  # AWS allows it when the flag was never set
    assert identity.get_open_id_token(IdentityId=identity.get_id(IdentityPoolId=unset)["IdentityId"])["Token"]


def test_open_id_token_needs_the_logins_of_an_authenticated_identity(identity: Any, userpool: UserPoolApp) -> None:
    pool_id = new_identity_pool(identity, userpool, unauth=False)
    identity_id = identity.get_id(IdentityPoolId=pool_id, Logins={userpool.provider: userpool.id_token()})["IdentityId"]
    assert error_of(identity.get_open_id_token, IdentityId=identity_id) == ("NotAuthorizedException", LOGINS_DONT_MATCH)


def test_sts_refusals(server: LiveServer, identity: Any, sts: Any, clock: Any) -> None:
    pool_id = new_identity_pool(identity)
    clock.freeze()
    token = identity.get_open_id_token(IdentityId=identity.get_id(IdentityPoolId=pool_id)["IdentityId"])["Token"]
    claims = jwt.decode(token, options={"verify_signature": False})
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = jwt.encode(claims, stranger, algorithm="RS512", headers={"kid": f"{REGION}1", "typ": "JWS"})
    foreign = jwt.encode({"iss": "https://accounts.example.com", "sub": "x", "aud": "y"}, stranger, algorithm="RS256")
    cases = [
        ("garbage-token", "InvalidIdentityToken", "could not be validated"),
        (forged, "InvalidIdentityToken", "could not be validated"),
        (foreign, "InvalidIdentityToken", "No OpenIDConnect provider found in your account for "
                                          "https://accounts.example.com"),
    ]
    for web_token, code, text in cases:
        got = error_of(sts.assume_role_with_web_identity, RoleArn=UNAUTH_ROLE, RoleSessionName="sess",
                       WebIdentityToken=web_token)
        assert got[0] == code and text in got[1], got
    clock.advance(600)
    code, message = error_of(sts.assume_role_with_web_identity, RoleArn=UNAUTH_ROLE, RoleSessionName="sess",
                             WebIdentityToken=token)
    assert code == "ExpiredTokenException" and "expired" in message
    code, message = error_of(sts.assume_role_with_web_identity, RoleArn="arn:aws:s3:::bucket-name-here",
                             RoleSessionName="sess", WebIdentityToken=token)
    assert (code, message) == ("ValidationError", "Request ARN is invalid")


def test_sts_errors_are_xml(server: LiveServer) -> None:
    resp = raw_sts(server, {"Action": "AssumeRoleWithWebIdentity", "RoleArn": AUTH_ROLE, "RoleSessionName": "sess",
                            "WebIdentityToken": "garbage"})
    assert resp.status_code == 400 and resp.headers["Content-Type"].startswith("text/xml")
    assert re.search(r"<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type>"
                     r"<Code>InvalidIdentityToken</Code><Message>[^<]+</Message></Error><RequestId>[0-9a-f-]{36}"
                     r"</RequestId></ErrorResponse>", resp.text)
    bad = raw_sts(server, {"Action": "AssumeRoleWithWebIdentity", "RoleArn": AUTH_ROLE,
                           "RoleSessionName": "bad name!", "WebIdentityToken": "garbage", "DurationSeconds": "100"})
    assert bad.status_code == 400 and "<Code>ValidationError</Code>" in bad.text
    assert "2 validation errors detected: " in bad.text
    assert "Value 'bad name!' at 'roleSessionName' failed to satisfy constraint" in bad.text
    assert "Value '100' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or " \
           "equal to 900" in bad.text
    missing = raw_sts(server, {"Action": "AssumeRoleWithWebIdentity", "RoleArn": AUTH_ROLE})
    assert "Value null at 'roleSessionName'" in missing.text
    unknown = raw_sts(server, {"Action": "NoSuchAction"})
    assert unknown.status_code == 400 and "<Code>InvalidAction</Code>" in unknown.text
    not_a_number = raw_sts(server, {"Action": "AssumeRoleWithWebIdentity", "RoleArn": AUTH_ROLE,
                                    "RoleSessionName": "sess", "WebIdentityToken": "abcd", "DurationSeconds": "ten"})
    assert not_a_number.status_code == 400 and "<Code>ValidationError</Code>" in not_a_number.text


def test_policies_and_duration(server: LiveServer, identity: Any, sts: Any, clock: Any) -> None:
    clock.freeze()
    pool_id = new_identity_pool(identity)
    token = identity.get_open_id_token(IdentityId=identity.get_id(IdentityPoolId=pool_id)["IdentityId"])["Token"]
    assumed = sts.assume_role_with_web_identity(
        RoleArn=UNAUTH_ROLE, RoleSessionName="scoped", WebIdentityToken=token, DurationSeconds=900,
        PolicyArns=[{"arn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}, {"arn": "arn:aws:iam::aws:policy/Other"}],
        Policy='{"Version":"2012-10-17","Statement":[]}',
    )
    assert int(assumed["Credentials"]["Expiration"].timestamp()) == int(clock.now()) + 900
    assert 1 <= assumed["PackedPolicySize"] <= 100


def test_query_form_parsing_of_nested_members() -> None:
    spec = specs.get_spec("sts")
    form = {
        "RoleArn": AUTH_ROLE, "RoleSessionName": "sess", "DurationSeconds": "1800",
        "PolicyArns.member.1.arn": "arn:aws:iam::aws:policy/A", "PolicyArns.member.2.arn": "arn:aws:iam::aws:policy/B",
        "Tags.member.1.Key": "team", "Tags.member.1.Value": "blue",
        "TransitiveTagKeys.member.1": "team", "Ignored": "x",
    }
    params = parse_form(spec.shapes, "AssumeRoleRequest", form)
    assert params == {
        "RoleArn": AUTH_ROLE, "RoleSessionName": "sess", "DurationSeconds": 1800,
        "PolicyArns": [{"arn": "arn:aws:iam::aws:policy/A"}, {"arn": "arn:aws:iam::aws:policy/B"}],
        "Tags": [{"Key": "team", "Value": "blue"}], "TransitiveTagKeys": ["team"],
    }
    assert parse_form(spec.shapes, "AssumeRoleRequest", {"PolicyArns": ""})["PolicyArns"] == []


def test_user_pool_id_token_straight_to_sts(identity: Any, sts: Any, userpool: UserPoolApp, clock: Any) -> None:
    clock.freeze()
    signed = userpool.sign_in()
    claims = jwt.decode(signed["IdToken"], options={"verify_signature": False})
    role = f"arn:aws:iam::123456789012:role/path/Web{uuid.uuid4().hex[:4]}"
    assumed = sts.assume_role_with_web_identity(RoleArn=role, RoleSessionName="direct",
                                                WebIdentityToken=signed["IdToken"])
    assert assumed["SubjectFromWebIdentityToken"] == claims["sub"]
    assert assumed["Audience"] == userpool.client_id
    assert assumed["Provider"] == claims["iss"]
    name = role.rsplit("/", 1)[1]
    assert assumed["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::123456789012:assumed-role/{name}/direct"
    assert error_of(sts.assume_role_with_web_identity, RoleArn=role, RoleSessionName="direct",
                    WebIdentityToken=signed["AccessToken"])[0] == "InvalidIdentityToken"
    clock.advance(3600)
    assert error_of(sts.assume_role_with_web_identity, RoleArn=role, RoleSessionName="direct",
                    WebIdentityToken=signed["IdToken"])[0] == "ExpiredTokenException"


def test_get_caller_identity(server: LiveServer, identity: Any, sts: Any, clock: Any) -> None:
    root = sts.get_caller_identity()
    assert root["Arn"] == "arn:aws:iam::000000000000:root" and root["Account"] == "000000000000"
    unknown = {"AccessKeyId": "ASIAZZZZZZZZZZZZZZZZ", "SecretKey": "x" * 40, "SessionToken": "t"}
    assert error_of(sts_with(server, unknown).get_caller_identity)[0] == "InvalidClientTokenId"
    clock.freeze()
    pool_id = new_identity_pool(identity)
    vended = identity.get_credentials_for_identity(IdentityId=identity.get_id(IdentityPoolId=pool_id)["IdentityId"])
    creds = vended["Credentials"]
    caller = sts_with(server, creds).get_caller_identity()
    assert caller["Arn"] == "arn:aws:sts::000000000000:assumed-role/CognitoUnauth/CognitoIdentityCredentials"
    wrong_token = {**creds, "SessionToken": "not-the-session-token"}
    assert error_of(sts_with(server, wrong_token).get_caller_identity)[0] == "InvalidClientTokenId"
    clock.advance(3600)
    assert error_of(sts_with(server, creds).get_caller_identity)[0] == "ExpiredToken"


def test_identity_jwks_and_discovery(server: LiveServer) -> None:
    for path in ("jwks_uri", "jwks.json"):
        resp = requests.get(f"{server.url}/_cogito/identity/.well-known/{path}")
        assert resp.status_code == 200 and resp.headers["Content-Type"].startswith("application/json")
        keys = resp.json()["keys"]
        assert keys and all(set(k) == {"alg", "e", "kid", "kty", "n", "use"} and k["alg"] == "RS512" for k in keys)
    discovery = requests.get(f"{server.url}/_cogito/identity/.well-known/openid-configuration").json()
    assert discovery["issuer"] == "https://cognito-identity.amazonaws.com"
    assert discovery["jwks_uri"] == f"{server.url}/_cogito/identity/.well-known/jwks_uri"
