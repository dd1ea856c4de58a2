"""The enhanced flow (GetId -> GetCredentialsForIdentity) end to end, with every refusal.

ID tokens come from real sign-ins (AdminInitiateAuth); only forgeries are minted in-process.
"""

from __future__ import annotations

import base64
import json
import re
import uuid
from typing import Any

import jwt
import pytest
import requests

from tests.conftest import REGION, LiveServer
from tests.identity_support import (  # noqa: F401 - fixtures
    AUTH_ROLE,
    UNAUTH_ROLE,
    UserPoolApp,
    clock,
    error_of,
    make_user_pool_app,
    new_identity_pool,
    userpool,
)

IDENTITY_ID = re.compile(rf"^{REGION}:[0-9a-f]{{8}}-[0-9a-f]{{4}}-[0-9a-f]{{4}}-[0-9a-f]{{4}}-[0-9a-f]{{12}}$")
ADMIN_ROLE = "arn:aws:iam::000000000000:role/Admins"
READER_ROLE = "arn:aws:iam::000000000000:role/Readers"
NOT_SUPPORTED = "Token is not from a supported provider of this identity pool."
LOGINS_DONT_MATCH = "Logins don't match. Please include at least one valid login for this identity or identity pool."
UNAUTH = "Unauthenticated access is not supported for this identity pool."


def owner(server: LiveServer, access_key_id: str) -> dict[str, Any]:
    resp = requests.get(f"{server.url}/_cogito/credentials/{access_key_id}")
    assert resp.status_code == 200
    return resp.json()


def credentials_role(server: LiveServer, identity: Any, identity_id: str, **kwargs: Any) -> str:
    creds = identity.get_credentials_for_identity(IdentityId=identity_id, **kwargs)["Credentials"]
    return owner(server, creds["AccessKeyId"])["RoleArn"]


def amplify_key(server: LiveServer, pool_id: str) -> str:
    """The Logins key Amplify builds: the ID token's iss without its scheme."""
    return f"{server.url.split('://', 1)[1]}/{pool_id}"


def test_authenticated_enhanced_flow(server: LiveServer, identity: Any, userpool: UserPoolApp, clock: Any) -> None:
    clock.freeze()
    pool_id = new_identity_pool(identity, userpool)
    logins = {userpool.provider: userpool.id_token()}
    identity_id = identity.get_id(IdentityPoolId=pool_id, Logins=logins)["IdentityId"]
    assert IDENTITY_ID.match(identity_id)
    result = identity.get_credentials_for_identity(IdentityId=identity_id, Logins=logins)
    assert result["IdentityId"] == identity_id
    creds = result["Credentials"]
    assert re.fullmatch(r"ASIA[A-Z0-9]{16}", creds["AccessKeyId"])
    assert len(creds["SecretKey"]) == 40
    assert len(creds["SessionToken"]) > 100
    assert int(creds["Expiration"].timestamp()) == int(clock.now()) + 3600
    record = owner(server, creds["AccessKeyId"])
    assert record["IdentityId"] == identity_id and record["IdentityPoolId"] == pool_id
    assert record["RoleArn"] == AUTH_ROLE
    assert record["AssumedRoleArn"] == "arn:aws:sts::000000000000:assumed-role/CognitoAuth/CognitoIdentityCredentials"
    assert record["Provider"] == userpool.provider and record["Expired"] is False


def test_unknown_access_key_is_a_json_404(server: LiveServer) -> None:
    resp = requests.get(f"{server.url}/_cogito/credentials/ASIAAAAAAAAAAAAAAAAA")
    assert resp.status_code == 404
    assert resp.headers["Content-Type"].startswith("application/json")
    assert "ASIAAAAAAAAAAAAAAAAA" in resp.json()["message"]


def test_same_user_always_gets_the_same_identity(server: LiveServer, identity: Any, userpool: UserPoolApp) -> None:
    pool_id = new_identity_pool(identity, userpool)
    first = userpool.sign_in()
    again = userpool.sign_in(first["Username"], create=False)["IdToken"]
    assert again != first["IdToken"]
    a = identity.get_id(IdentityPoolId=pool_id, Logins={userpool.provider: first["IdToken"]})["IdentityId"]
    b = identity.get_id(IdentityPoolId=pool_id, Logins={userpool.provider: again})["IdentityId"]
    c = identity.get_id(IdentityPoolId=pool_id, Logins={amplify_key(server, userpool.pool_id): again})["IdentityId"]
    other = identity.get_id(IdentityPoolId=pool_id, Logins={userpool.provider: userpool.id_token()})["IdentityId"]
    assert a == b == c
    assert other != a
    described = identity.describe_identity(IdentityId=a)
    assert described["Logins"] == [userpool.provider]


def test_amplify_style_provider_name_in_the_pool(server: LiveServer, identity: Any, userpool: UserPoolApp) -> None:
    key = amplify_key(server, userpool.pool_id)
    pool_id = new_identity_pool(identity, CognitoIdentityProviders=[{"ProviderName": key,
                                                                      "ClientId": userpool.client_id}])
    token = userpool.id_token()
    a = identity.get_id(IdentityPoolId=pool_id, Logins={key: token})["IdentityId"]
    b = identity.get_id(IdentityPoolId=pool_id, Logins={userpool.provider: token})["IdentityId"]
    assert a == b
    assert identity.describe_identity(IdentityId=a)["Logins"] == [key]


def test_unauthenticated_enhanced_flow(server: LiveServer, identity: Any) -> None:
    pool_id = new_identity_pool(identity)
    a = identity.get_id(IdentityPoolId=pool_id)["IdentityId"]
    b = identity.get_id(IdentityPoolId=pool_id)["IdentityId"]
    assert a != b and IDENTITY_ID.match(a)
    result = identity.get_credentials_for_identity(IdentityId=a)
    assert result["IdentityId"] == a
    assert owner(server, result["Credentials"]["AccessKeyId"])["RoleArn"] == UNAUTH_ROLE
    assert "Logins" not in identity.describe_identity(IdentityId=a)


def test_unauthenticated_refused_without_allow(identity: Any) -> None:
    pool_id = new_identity_pool(identity, unauth=False)
    assert error_of(identity.get_id, IdentityPoolId=pool_id) == ("NotAuthorizedException", UNAUTH)
    open_pool = new_identity_pool(identity)
    identity_id = identity.get_id(IdentityPoolId=open_pool)["IdentityId"]
    identity.update_identity_pool(IdentityPoolId=open_pool, IdentityPoolName="closed",
                                  AllowUnauthenticatedIdentities=False)
    assert error_of(identity.get_credentials_for_identity, IdentityId=identity_id) == ("NotAuthorizedException", UNAUTH)


def test_authenticated_identity_needs_its_login(identity: Any, userpool: UserPoolApp) -> None:
    pool_id = new_identity_pool(identity, userpool)
    identity_id = identity.get_id(IdentityPoolId=pool_id, Logins={userpool.provider: userpool.id_token()})["IdentityId"]
    assert error_of(identity.get_credentials_for_identity, IdentityId=identity_id) == (
        "NotAuthorizedException", LOGINS_DONT_MATCH)


def test_unknown_identity(identity: Any) -> None:
    missing = f"{REGION}:00000000-0000-0000-0000-00000000abcd"
    assert error_of(identity.get_credentials_for_identity, IdentityId=missing) == (
        "ResourceNotFoundException", f"Identity '{missing}' not found.")


def test_no_role_is_an_invalid_configuration(identity: Any, userpool: UserPoolApp) -> None:
    pool_id = new_identity_pool(identity, userpool, roles=False)
    identity_id = identity.get_id(IdentityPoolId=pool_id)["IdentityId"]
    assert error_of(identity.get_credentials_for_identity, IdentityId=identity_id) == (
        "InvalidIdentityPoolConfigurationException",
        "Invalid identity pool configuration. Check assigned IAM roles for this pool.")
    logins = {userpool.provider: userpool.id_token()}
    auth_id = identity.get_id(IdentityPoolId=pool_id, Logins=logins)["IdentityId"]
    assert error_of(identity.get_credentials_for_identity, IdentityId=auth_id, Logins=logins)[0] == \
        "InvalidIdentityPoolConfigurationException"


def test_unauthenticated_identity_becomes_authenticated(server: LiveServer, identity: Any,
                                                        userpool: UserPoolApp) -> None:
    pool_id = new_identity_pool(identity, userpool)
    guest = identity.get_id(IdentityPoolId=pool_id)["IdentityId"]
    logins = {userpool.provider: userpool.id_token()}
    assert credentials_role(server, identity, guest, Logins=logins) == AUTH_ROLE
    assert identity.describe_identity(IdentityId=guest)["Logins"] == [userpool.provider]
    assert identity.get_id(IdentityPoolId=pool_id, Logins=logins)["IdentityId"] == guest


def test_login_linked_elsewhere_merges_identities(identity: Any, userpool: UserPoolApp) -> None:
    pool_id = new_identity_pool(identity, userpool)
    logins = {userpool.provider: userpool.id_token()}
    known = identity.get_id(IdentityPoolId=pool_id, Logins=logins)["IdentityId"]
    guest = identity.get_id(IdentityPoolId=pool_id)["IdentityId"]
    result = identity.get_credentials_for_identity(IdentityId=guest, Logins=logins)
    assert result["IdentityId"] == known
    assert error_of(identity.describe_identity, IdentityId=guest)[0] == "ResourceNotFoundException"


def test_two_providers_linked_then_merged(identity: Any, userpool: UserPoolApp) -> None:
    pool_id = new_identity_pool(identity, userpool, SupportedLoginProviders={"graph.facebook.com": "app"})
    token = userpool.id_token()
    a = identity.get_id(IdentityPoolId=pool_id, Logins={userpool.provider: token})["IdentityId"]
    b = identity.get_id(IdentityPoolId=pool_id, Logins={"graph.facebook.com": "fb-42"})["IdentityId"]
    assert a != b
    merged = identity.get_id(IdentityPoolId=pool_id, Logins={userpool.provider: token,
                                                             "graph.facebook.com": "fb-42"})["IdentityId"]
    assert merged == a  # the oldest authenticated identity survives
    assert sorted(identity.describe_identity(IdentityId=a)["Logins"]) == sorted(
        [userpool.provider, "graph.facebook.com"])
    assert error_of(identity.describe_identity, IdentityId=b)[0] == "ResourceNotFoundException"
    assert identity.get_id(IdentityPoolId=pool_id, Logins={"graph.facebook.com": "fb-42"})["IdentityId"] == a


def _forge(server: LiveServer, sign_pool: str, claims: dict[str, Any], use: str = "id") -> str:
    from emulator.jwks import signing

    with server.state.store.transaction() as db:
        return signing.sign(db, sign_pool, claims, use)


def test_refused_logins(server: LiveServer, identity: Any, idp: Any, userpool: UserPoolApp) -> None:
    pool_id = new_identity_pool(identity, userpool)
    other = make_user_pool_app(idp)
    signed = userpool.sign_in()
    token = signed["IdToken"]
    claims = jwt.decode(token, options={"verify_signature": False})
    header, payload, signature = token.split(".")
    tampered_claims = {**claims, "sub": str(uuid.uuid4())}
    tampered = ".".join([header, base64.urlsafe_b64encode(json.dumps(tampered_claims).encode()).decode().rstrip("="),
                         signature])
    cases = {
        "garbage": ({userpool.provider: "not-a-token"},
                    "Invalid login token. Not a valid OpenId Connect identity token."),
        "access token": ({userpool.provider: signed["AccessToken"]},
                         "Invalid login token. Can't pass in a Cognito token."),
        "tampered": ({userpool.provider: tampered}, "Invalid login token. Couldn't verify signed token."),
        "other pool's key": ({userpool.provider: _forge(server, other.pool_id, claims)},
                             "Invalid login token. Couldn't verify signed token."),
        "issuer mismatch": ({userpool.provider: other.id_token()},
                            "Invalid login token. Issuer doesn't match providerName"),
        "other client": ({userpool.provider: userpool.id_token(client_id=userpool.add_client())}, NOT_SUPPORTED),
        "unlisted user pool": ({other.provider: other.id_token()}, NOT_SUPPORTED),
        "unlisted social provider": ({"accounts.google.com": "someone"}, NOT_SUPPORTED),
        "access token signed as id": ({userpool.provider: _forge(server, userpool.pool_id, claims, "access")},
                                      "Invalid login token. Can't pass in a Cognito token."),
    }
    guest = identity.get_id(IdentityPoolId=pool_id)["IdentityId"]
    for name, (logins, message) in cases.items():
        assert error_of(identity.get_id, IdentityPoolId=pool_id, Logins=logins) == (
            "NotAuthorizedException", message), name
        assert error_of(identity.get_credentials_for_identity, IdentityId=guest, Logins=logins)[1] == message, name
        assert error_of(identity.get_open_id_token, IdentityId=guest, Logins=logins)[1] == message, name
    idp.delete_user_pool(UserPoolId=other.pool_id)


def test_expired_id_token(identity: Any, userpool: UserPoolApp, clock: Any) -> None:
    pool_id = new_identity_pool(identity, userpool)
    clock.freeze()
    token = userpool.id_token()
    exp = jwt.decode(token, options={"verify_signature": False})["exp"]
    logins = {userpool.provider: token}
    identity_id = identity.get_id(IdentityPoolId=pool_id, Logins=logins)["IdentityId"]
    clock.advance(3600)
    now = int(clock.now())
    assert error_of(identity.get_id, IdentityPoolId=pool_id, Logins=logins) == (
        "NotAuthorizedException", f"Invalid login token. Token expired: {now} >= {exp}")
    assert error_of(identity.get_credentials_for_identity, IdentityId=identity_id, Logins=logins)[0] == \
        "NotAuthorizedException"


def _server_side_pools(identity: Any, app: UserPoolApp) -> tuple[str, str]:
    checked = new_identity_pool(identity, CognitoIdentityProviders=[
        {"ProviderName": app.provider, "ClientId": app.client_id, "ServerSideTokenCheck": True}])
    unchecked = new_identity_pool(identity, app)
    return checked, unchecked


def test_server_side_check_refuses_deleted_users(identity: Any, idp: Any, userpool: UserPoolApp) -> None:
    checked, unchecked = _server_side_pools(identity, userpool)
    signed = userpool.sign_in()
    logins = {userpool.provider: signed["IdToken"]}
    assert identity.get_id(IdentityPoolId=checked, Logins=logins)["IdentityId"]
    idp.admin_delete_user(UserPoolId=userpool.pool_id, Username=signed["Username"])
    code, message = error_of(identity.get_id, IdentityPoolId=checked, Logins=logins)
    assert code == "NotAuthorizedException" and message.startswith("Invalid login token.")
    assert identity.get_id(IdentityPoolId=unchecked, Logins=logins)["IdentityId"]


def test_server_side_check_honours_revocation(identity: Any, idp: Any, userpool: UserPoolApp, clock: Any) -> None:
    checked, unchecked = _server_side_pools(identity, userpool)
    clock.freeze()
    family = userpool.sign_in()
    other_session = userpool.sign_in(family["Username"], create=False)
    idp.revoke_token(Token=family["RefreshToken"], ClientId=userpool.client_id)
    refused = error_of(identity.get_id, IdentityPoolId=checked, Logins={userpool.provider: family["IdToken"]})
    assert refused[0] == "NotAuthorizedException" and refused[1].startswith("Invalid login token.")
    assert identity.get_id(IdentityPoolId=checked, Logins={userpool.provider: other_session["IdToken"]})
    assert identity.get_id(IdentityPoolId=unchecked, Logins={userpool.provider: family["IdToken"]})
    clock.advance(5)
    idp.admin_user_global_sign_out(UserPoolId=userpool.pool_id, Username=family["Username"])
    assert error_of(identity.get_id, IdentityPoolId=checked,
                    Logins={userpool.provider: other_session["IdToken"]})[0] == "NotAuthorizedException"
    clock.advance(5)
    fresh = userpool.sign_in(family["Username"], create=False)["IdToken"]
    assert identity.get_id(IdentityPoolId=checked, Logins={userpool.provider: fresh})["IdentityId"]


def test_token_role_mapping_uses_group_roles(server: LiveServer, identity: Any, idp: Any,
                                             userpool: UserPoolApp) -> None:
    pool_id = new_identity_pool(identity, userpool)
    identity.set_identity_pool_roles(
        IdentityPoolId=pool_id, Roles={"authenticated": AUTH_ROLE, "unauthenticated": UNAUTH_ROLE},
        RoleMappings={f"{userpool.provider}:{userpool.client_id}": {"Type": "Token",
                                                                    "AmbiguousRoleResolution": "Deny"}})
    idp.create_group(UserPoolId=userpool.pool_id, GroupName="admins", RoleArn=ADMIN_ROLE, Precedence=1)
    idp.create_group(UserPoolId=userpool.pool_id, GroupName="readers", RoleArn=READER_ROLE, Precedence=5)
    username = f"u{uuid.uuid4().hex[:8]}"
    userpool.sign_in(username)
    for group in ("admins", "readers"):
        idp.admin_add_user_to_group(UserPoolId=userpool.pool_id, Username=username, GroupName=group)
    logins = {userpool.provider: userpool.sign_in(username, create=False)["IdToken"]}
    identity_id = identity.get_id(IdentityPoolId=pool_id, Logins=logins)["IdentityId"]
    assert credentials_role(server, identity, identity_id, Logins=logins) == ADMIN_ROLE
    assert credentials_role(server, identity, identity_id, Logins=logins, CustomRoleArn=READER_ROLE) == READER_ROLE
    assert error_of(identity.get_credentials_for_identity, IdentityId=identity_id, Logins=logins,
                    CustomRoleArn=UNAUTH_ROLE)[0] == "NotAuthorizedException"
    loner = {userpool.provider: userpool.id_token()}
    loner_id = identity.get_id(IdentityPoolId=pool_id, Logins=loner)["IdentityId"]
    assert error_of(identity.get_credentials_for_identity, IdentityId=loner_id, Logins=loner) == (
        "NotAuthorizedException", "The ambiguous role mapping rules denied this request.")


def test_rules_role_mapping(server: LiveServer, identity: Any, userpool: UserPoolApp) -> None:
    pool_id = new_identity_pool(identity, userpool)
    special = f"boss{uuid.uuid4().hex[:6]}"
    identity.set_identity_pool_roles(
        IdentityPoolId=pool_id, Roles={"authenticated": AUTH_ROLE},
        RoleMappings={amplify_key(server, userpool.pool_id) + f":{userpool.client_id}": {
            "Type": "Rules", "AmbiguousRoleResolution": "AuthenticatedRole", "RulesConfiguration": {"Rules": [
                {"Claim": "cognito:username", "MatchType": "Equals", "Value": special, "RoleARN": ADMIN_ROLE},
                {"Claim": "custom:missing", "MatchType": "NotEqual", "Value": "x", "RoleARN": READER_ROLE},
            ]}}})
    boss = {userpool.provider: userpool.id_token(special)}
    boss_id = identity.get_id(IdentityPoolId=pool_id, Logins=boss)["IdentityId"]
    assert credentials_role(server, identity, boss_id, Logins=boss) == ADMIN_ROLE
    other = {userpool.provider: userpool.id_token()}
    other_id = identity.get_id(IdentityPoolId=pool_id, Logins=other)["IdentityId"]
    assert credentials_role(server, identity, other_id, Logins=other) == AUTH_ROLE


def test_unverifiable_providers_are_stable_per_subject(identity: Any, clock: Any) -> None:
    pool_id = new_identity_pool(identity, SupportedLoginProviders={"graph.facebook.com": "app",
                                                                   "accounts.google.com": "client"},
                                OpenIdConnectProviderARNs=["arn:aws:iam::000000000000:oidc-provider/op.example.com"])
    fb = identity.get_id(IdentityPoolId=pool_id, Logins={"graph.facebook.com": "fb-user-1"})["IdentityId"]
    assert identity.get_id(IdentityPoolId=pool_id, Logins={"graph.facebook.com": "fb-user-1"})["IdentityId"] == fb
    assert identity.get_id(IdentityPoolId=pool_id, Logins={"graph.facebook.com": "fb-user-2"})["IdentityId"] != fb
    clock.freeze()
    now = int(clock.now())
    google = [jwt.encode({"sub": "g-1", "exp": now + 60, "n": i}, "k" * 32, algorithm="HS256") for i in range(2)]
    ids = {identity.get_id(IdentityPoolId=pool_id, Logins={"accounts.google.com": t})["IdentityId"] for t in google}
    assert len(ids) == 1
    expired = jwt.encode({"sub": "g-1", "exp": now - 1}, "k" * 32, algorithm="HS256")
    assert error_of(identity.get_id, IdentityPoolId=pool_id, Logins={"accounts.google.com": expired}) == (
        "NotAuthorizedException", f"Invalid login token. Token expired: {now} >= {now - 1}")
    oidc = identity.get_id(IdentityPoolId=pool_id, Logins={"op.example.com": "subject-9"})["IdentityId"]
    assert identity.describe_identity(IdentityId=oidc)["Logins"] == ["op.example.com"]


def test_concurrent_first_logins_reach_one_identity(server: LiveServer, identity: Any, userpool: UserPoolApp) -> None:
    from concurrent.futures import ThreadPoolExecutor

    pool_id = new_identity_pool(identity, userpool)
    logins = {userpool.provider: userpool.id_token()}
    clients = [server.client("cognito-identity") for _ in range(6)]
    with ThreadPoolExecutor(len(clients)) as pool:
        ids = list(pool.map(lambda c: c.get_id(IdentityPoolId=pool_id, Logins=logins)["IdentityId"], clients))
    assert len(set(ids)) == 1
    listed = identity.list_identities(IdentityPoolId=pool_id, MaxResults=60)["Identities"]
    assert [i["IdentityId"] for i in listed] == [ids[0]]
