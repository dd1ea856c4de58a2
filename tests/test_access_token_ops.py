"""The access-token operations over the wire: GetUser, UpdateUserAttributes,
DeleteUserAttributes, DeleteUser, ChangePassword, GetUserAttributeVerificationCode,
VerifyUserAttribute (and GlobalSignOut for the token checks), with Cognito's refusals."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from botocore.exceptions import ClientError

from emulator.jwks import signing
from emulator.userpool.directory_models import User

PASSWORD = "Passw0rd!x"
NEW_PASSWORD = "N3w-Passw0rd!"
FLOWS = ["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
SCHEMA = [
    {"Name": "dept", "AttributeDataType": "String", "Mutable": True},
    {"Name": "secret", "AttributeDataType": "String", "DeveloperOnlyAttribute": True, "Mutable": True},
]


def _error(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    err = exc.value.response["Error"]
    return err["Code"], err["Message"]


def _attrs(items: list[dict[str, str]]) -> dict[str, str]:
    return {a["Name"]: a["Value"] for a in items}


def _messages(server: Any, pool_id: str, kind: str | None = None) -> list[dict[str, Any]]:
    params = {"pool_id": pool_id, **({"kind": kind} if kind else {})}
    return requests.get(f"{server.url}/_cogito/messages", params=params, timeout=10).json()["messages"]


class Pools:
    """Pools and clients made for one test, deleted afterwards."""

    def __init__(self, idp: Any) -> None:
        self.idp = idp
        self.created: list[str] = []

    def pool(self, **kwargs: Any) -> str:
        kwargs.setdefault("Schema", SCHEMA)
        pool_id = self.idp.create_user_pool(PoolName=f"t-{uuid.uuid4().hex[:8]}", **kwargs)["UserPool"]["Id"]
        self.created.append(pool_id)
        return pool_id

    def client(self, pool_id: str, **kwargs: Any) -> str:
        kwargs.setdefault("ExplicitAuthFlows", FLOWS)
        return self.idp.create_user_pool_client(UserPoolId=pool_id, ClientName="app", **kwargs)["UserPoolClient"][
            "ClientId"
        ]

    def user(self, pool_id: str, username: str = "alice", attrs: dict[str, str] | None = None) -> None:
        given = attrs if attrs is not None else {"email": f"{username}@example.com", "email_verified": "true"}
        self.idp.admin_create_user(
            UserPoolId=pool_id, Username=username, MessageAction="SUPPRESS",
            UserAttributes=[{"Name": k, "Value": v} for k, v in given.items()],
        )
        self.idp.admin_set_user_password(UserPoolId=pool_id, Username=username, Password=PASSWORD, Permanent=True)

    def sign_in(self, pool_id: str, client_id: str, username: str = "alice",
                password: str = PASSWORD) -> dict[str, Any]:
        return self.idp.admin_initiate_auth(
            UserPoolId=pool_id, ClientId=client_id, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": password},
        )["AuthenticationResult"]


@pytest.fixture
def pools(idp: Any) -> Iterator[Pools]:
    made = Pools(idp)
    yield made
    for pool_id in made.created:
        try:
            idp.delete_user_pool(UserPoolId=pool_id)
        except ClientError:
            pass


@pytest.fixture
def alice(pools: Pools) -> dict[str, Any]:
    """A default pool and client, user alice signed in: pool_id, client_id and the tokens."""
    pool_id = pools.pool()
    client_id = pools.client(pool_id)
    pools.user(pool_id, attrs={"email": "alice@example.com", "email_verified": "true", "name": "Alice",
                               "custom:dept": "R&D", "dev:custom:secret": "s3"})
    return {"pool_id": pool_id, "client_id": client_id, **pools.sign_in(pool_id, client_id)}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _payload(token: str) -> dict[str, Any]:
    part = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def _sign(server: Any, pool_id: str, claims: dict[str, Any]) -> str:
    """A token signed with a pool's own access key (claims Cognito's API flows never issue)."""
    with server.state.store.transaction() as db:
        return signing.sign(db, pool_id, claims, "access")


# Every access-token operation, called so that it would succeed with a good token.
OPS: dict[str, Callable[[Any, str], Any]] = {
    "GetUser": lambda idp, t: idp.get_user(AccessToken=t),
    "UpdateUserAttributes": lambda idp, t: idp.update_user_attributes(
        AccessToken=t, UserAttributes=[{"Name": "name", "Value": "Changed"}]),
    "DeleteUserAttributes": lambda idp, t: idp.delete_user_attributes(AccessToken=t, UserAttributeNames=["name"]),
    "ChangePassword": lambda idp, t: idp.change_password(
        AccessToken=t, PreviousPassword=PASSWORD, ProposedPassword=NEW_PASSWORD),
    "GetUserAttributeVerificationCode": lambda idp, t: idp.get_user_attribute_verification_code(
        AccessToken=t, AttributeName="email"),
    "VerifyUserAttribute": lambda idp, t: idp.verify_user_attribute(
        AccessToken=t, AttributeName="email", Code="123456"),
    "GlobalSignOut": lambda idp, t: idp.global_sign_out(AccessToken=t),
    "DeleteUser": lambda idp, t: idp.delete_user(AccessToken=t),
}


def _all_refused(idp: Any, token: str, code: str, message: str) -> None:
    for name, call in OPS.items():
        with pytest.raises(ClientError) as exc:
            call(idp, token)
        assert _error(exc) == (code, message), name


def _untouched(idp: Any, alice: dict[str, Any]) -> None:
    """Refused calls changed nothing: the profile and the password are as they were."""
    user = idp.admin_get_user(UserPoolId=alice["pool_id"], Username="alice")
    assert _attrs(user["UserAttributes"])["name"] == "Alice"
    fresh = idp.admin_initiate_auth(UserPoolId=alice["pool_id"], ClientId=alice["client_id"],
                                    AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                    AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD})
    assert "AccessToken" in fresh["AuthenticationResult"]


# --- who may call -------------------------------------------------------------------------

def test_id_token_is_not_an_access_token(idp: Any, alice: dict[str, Any]) -> None:
    _all_refused(idp, alice["IdToken"], "NotAuthorizedException", "Invalid Access Token")
    _untouched(idp, alice)


@pytest.mark.parametrize("where", ["signature", "payload", "header"])
def test_tampered_tokens_are_invalid(idp: Any, alice: dict[str, Any], where: str) -> None:
    header, payload, signature = alice["AccessToken"].split(".")
    if where == "signature":
        flipped = "A" if signature[10] != "A" else "B"
        token = f"{header}.{payload}.{signature[:10]}{flipped}{signature[11:]}"
    elif where == "payload":
        claims = _payload(alice["AccessToken"])
        claims["username"] = "mallory"
        token = f"{header}.{_b64(json.dumps(claims).encode())}.{signature}"
    else:
        token = f"{_b64(json.dumps({'alg': 'none'}).encode())}.{payload}."
    _all_refused(idp, token, "NotAuthorizedException", "Invalid Access Token")
    _untouched(idp, alice)


@pytest.mark.parametrize("token", ["garbage", "a.b.c", "eyJhbGciOiJSUzI1NiJ9.e30.AAAA", "x" * 40])
def test_garbage_tokens_are_invalid(idp: Any, alice: dict[str, Any], token: str) -> None:
    _all_refused(idp, token, "NotAuthorizedException", "Invalid Access Token")


def test_another_pools_key_is_invalid(idp: Any, pools: Pools, alice: dict[str, Any], server: Any) -> None:
    """The same claims signed by a different pool's key do not open this pool."""
    other = pools.pool()
    forged = _sign(server, other, _payload(alice["AccessToken"]))
    _all_refused(idp, forged, "NotAuthorizedException", "Invalid Access Token")
    # ...while a token genuinely of the other pool names the other pool and its own user.
    pools.user(other, "bob")
    bob = pools.sign_in(other, pools.client(other), "bob")
    assert idp.get_user(AccessToken=bob["AccessToken"])["Username"] == "bob"


def test_token_of_a_deleted_pool_is_invalid(idp: Any, alice: dict[str, Any]) -> None:
    idp.delete_user_pool(UserPoolId=alice["pool_id"])
    with pytest.raises(ClientError) as exc:
        idp.get_user(AccessToken=alice["AccessToken"])
    assert _error(exc) == ("NotAuthorizedException", "Invalid Access Token")


def test_expired_access_token(idp: Any, alice: dict[str, Any], server: Any) -> None:
    assert idp.get_user(AccessToken=alice["AccessToken"])["Username"] == "alice"
    server.state.clock.advance(3600)
    try:
        _all_refused(idp, alice["AccessToken"], "NotAuthorizedException", "Access Token has expired")
    finally:
        server.state.clock.advance(-3600)
    _untouched(idp, alice)


def test_token_without_the_admin_scope(idp: Any, alice: dict[str, Any], server: Any) -> None:
    claims = {**_payload(alice["AccessToken"]), "scope": "openid email"}
    token = _sign(server, alice["pool_id"], claims)
    _all_refused(idp, token, "NotAuthorizedException", "Access Token does not have required scopes")
    _untouched(idp, alice)


def test_revoked_token(idp: Any, alice: dict[str, Any]) -> None:
    idp.admin_user_global_sign_out(UserPoolId=alice["pool_id"], Username="alice")
    _all_refused(idp, alice["AccessToken"], "NotAuthorizedException", "Access Token has been revoked")
    _untouched(idp, alice)


def test_disabled_user(idp: Any, alice: dict[str, Any]) -> None:
    idp.admin_disable_user(UserPoolId=alice["pool_id"], Username="alice")
    _all_refused(idp, alice["AccessToken"], "NotAuthorizedException", "User is disabled.")


def test_deleted_user_and_namesake(idp: Any, pools: Pools, alice: dict[str, Any]) -> None:
    idp.admin_delete_user(UserPoolId=alice["pool_id"], Username="alice")
    _all_refused(idp, alice["AccessToken"], "UserNotFoundException", "User does not exist.")
    # A new alice is another user (another sub): the old token still finds nobody.
    pools.user(alice["pool_id"])
    _all_refused(idp, alice["AccessToken"], "UserNotFoundException", "User does not exist.")


# --- GetUser --------------------------------------------------------------------------------

def test_get_user_shows_the_profile_without_developer_attributes(idp: Any, alice: dict[str, Any]) -> None:
    got = idp.get_user(AccessToken=alice["AccessToken"])
    assert got["Username"] == "alice"
    attrs = _attrs(got["UserAttributes"])
    assert len(attrs["sub"]) == 36
    assert attrs["email"] == "alice@example.com" and attrs["email_verified"] == "true"
    assert attrs["name"] == "Alice" and attrs["custom:dept"] == "R&D"
    assert not any(name.startswith("dev:") for name in attrs)
    assert not {"MFAOptions", "PreferredMfaSetting", "UserMFASettingList"} & set(got)
    # The administrator does see the developer-only attribute.
    admin = _attrs(idp.admin_get_user(UserPoolId=alice["pool_id"], Username="alice")["UserAttributes"])
    assert admin["dev:custom:secret"] == "s3"


def test_get_user_username_is_internal_in_email_pools(idp: Any, pools: Pools) -> None:
    pool_id = pools.pool(UsernameAttributes=["email"])
    client_id = pools.client(pool_id)
    pools.user(pool_id, "carol@example.com", attrs={})
    tokens = pools.sign_in(pool_id, client_id, "carol@example.com")
    got = idp.get_user(AccessToken=tokens["AccessToken"])
    attrs = _attrs(got["UserAttributes"])
    assert got["Username"] == attrs["sub"] != "carol@example.com"
    assert attrs["email"] == "carol@example.com"


def test_get_user_honours_read_attributes(idp: Any, pools: Pools) -> None:
    pool_id = pools.pool()
    narrow = pools.client(pool_id, ReadAttributes=["email", "custom:dept"])
    pools.user(pool_id, attrs={"email": "a@example.com", "name": "A", "custom:dept": "Ops"})
    tokens = pools.sign_in(pool_id, narrow)
    attrs = _attrs(idp.get_user(AccessToken=tokens["AccessToken"])["UserAttributes"])
    assert set(attrs) == {"sub", "email", "custom:dept"}


def test_get_user_echoes_mfa_settings(idp: Any, alice: dict[str, Any], server: Any) -> None:
    with server.state.store.transaction() as db:
        user = db.query(User).filter_by(pool_id=alice["pool_id"], username="alice").one()
        user.mfa = {"PreferredMfaSetting": "SOFTWARE_TOKEN_MFA", "UserMFASettingList": ["SOFTWARE_TOKEN_MFA"]}
    got = idp.get_user(AccessToken=alice["AccessToken"])
    assert got["PreferredMfaSetting"] == "SOFTWARE_TOKEN_MFA"
    assert got["UserMFASettingList"] == ["SOFTWARE_TOKEN_MFA"]
    assert "MFAOptions" not in got


def test_refreshed_access_token_opens_get_user(idp: Any, alice: dict[str, Any]) -> None:
    refreshed = idp.initiate_auth(ClientId=alice["client_id"], AuthFlow="REFRESH_TOKEN_AUTH",
                                  AuthParameters={"REFRESH_TOKEN": alice["RefreshToken"]})["AuthenticationResult"]
    assert idp.get_user(AccessToken=refreshed["AccessToken"])["Username"] == "alice"


# --- UpdateUserAttributes / DeleteUserAttributes -------------------------------------------

def test_update_user_attributes(idp: Any, alice: dict[str, Any]) -> None:
    out = idp.update_user_attributes(AccessToken=alice["AccessToken"], UserAttributes=[
        {"Name": "name", "Value": "Alice B"}, {"Name": "custom:dept", "Value": "Sales"}])
    assert "CodeDeliveryDetailsList" not in out
    attrs = _attrs(idp.get_user(AccessToken=alice["AccessToken"])["UserAttributes"])
    assert attrs["name"] == "Alice B" and attrs["custom:dept"] == "Sales"


def test_update_refuses_what_the_user_may_not_write(idp: Any, alice: dict[str, Any]) -> None:
    token = alice["AccessToken"]
    cases = [
        ([{"Name": "dev:custom:secret", "Value": "x"}], "InvalidParameterException",
         "user.dev:custom:secret: Attribute does not exist in the schema.\n"),
        ([{"Name": "custom:nope", "Value": "x"}], "InvalidParameterException",
         "user.custom:nope: Attribute does not exist in the schema.\n"),
        ([{"Name": "sub", "Value": str(uuid.uuid4())}], "InvalidParameterException",
         "user.sub: Attribute cannot be updated. (changing an immutable attribute)\n"),
        ([{"Name": "email", "Value": "not-an-email"}], "InvalidParameterException", "Invalid email address format."),
    ]
    for given, code, message in cases:
        with pytest.raises(ClientError) as exc:
            idp.update_user_attributes(AccessToken=token, UserAttributes=given)
        assert _error(exc) == (code, message)
    admin = _attrs(idp.admin_get_user(UserPoolId=alice["pool_id"], Username="alice")["UserAttributes"])
    assert admin["dev:custom:secret"] == "s3" and admin["email"] == "alice@example.com"


def test_update_honours_the_token_clients_write_attributes(idp: Any, pools: Pools) -> None:
    pool_id = pools.pool()
    open_client = pools.client(pool_id)
    narrow = pools.client(pool_id, WriteAttributes=["name"])
    pools.user(pool_id)
    narrow_token = pools.sign_in(pool_id, narrow)["AccessToken"]
    idp.update_user_attributes(AccessToken=narrow_token, UserAttributes=[{"Name": "name", "Value": "ok"}])
    with pytest.raises(ClientError) as exc:
        idp.update_user_attributes(AccessToken=narrow_token, UserAttributes=[{"Name": "family_name", "Value": "X"}])
    assert _error(exc) == ("NotAuthorizedException", "A client attempted to write unauthorized attribute")
    # The same user through a client without a write list may change it.
    open_token = pools.sign_in(pool_id, open_client)["AccessToken"]
    idp.update_user_attributes(AccessToken=open_token, UserAttributes=[{"Name": "family_name", "Value": "X"}])
    assert _attrs(idp.get_user(AccessToken=narrow_token)["UserAttributes"])["family_name"] == "X"


def test_user_cannot_mark_a_value_verified(idp: Any, pools: Pools) -> None:
    pool_id = pools.pool()
    client_id = pools.client(pool_id)
    pools.user(pool_id, attrs={"email": "a@example.com"})
    token = pools.sign_in(pool_id, client_id)["AccessToken"]
    idp.update_user_attributes(AccessToken=token, UserAttributes=[{"Name": "email_verified", "Value": "true"}])
    assert _attrs(idp.get_user(AccessToken=token)["UserAttributes"]).get("email_verified") != "true"


def test_changed_email_is_unverified_and_gets_a_code(idp: Any, pools: Pools, server: Any) -> None:
    pool_id = pools.pool(AutoVerifiedAttributes=["email"])
    client_id = pools.client(pool_id)
    pools.user(pool_id)
    token = pools.sign_in(pool_id, client_id)["AccessToken"]
    out = idp.update_user_attributes(AccessToken=token, UserAttributes=[{"Name": "email", "Value": "new@example.org"}])
    assert out["CodeDeliveryDetailsList"] == [
        {"Destination": "n***@e***", "DeliveryMedium": "EMAIL", "AttributeName": "email"}]
    attrs = _attrs(idp.get_user(AccessToken=token)["UserAttributes"])
    assert attrs["email"] == "new@example.org" and attrs["email_verified"] == "false"
    message = _messages(server, pool_id, "VERIFY_ATTRIBUTE")[0]
    assert message["destination"] == "new@example.org"
    idp.verify_user_attribute(AccessToken=token, AttributeName="email", Code=message["code"])
    assert _attrs(idp.get_user(AccessToken=token)["UserAttributes"])["email_verified"] == "true"


def test_verification_before_update_keeps_the_old_value(idp: Any, pools: Pools, server: Any) -> None:
    pool_id = pools.pool(AutoVerifiedAttributes=["email"], AliasAttributes=["email"],
                         UserAttributeUpdateSettings={"AttributesRequireVerificationBeforeUpdate": ["email"]})
    client_id = pools.client(pool_id)
    pools.user(pool_id, attrs={"email": "old@example.com", "email_verified": "true"})
    token = pools.sign_in(pool_id, client_id)["AccessToken"]
    out = idp.update_user_attributes(AccessToken=token, UserAttributes=[{"Name": "email", "Value": "new@example.com"}])
    assert out["CodeDeliveryDetailsList"][0]["AttributeName"] == "email"
    attrs = _attrs(idp.get_user(AccessToken=token)["UserAttributes"])
    assert attrs["email"] == "old@example.com" and attrs["email_verified"] == "true"
    # The old address still signs in; the new one not yet.
    pools.sign_in(pool_id, client_id, "old@example.com")
    with pytest.raises(ClientError):
        pools.sign_in(pool_id, client_id, "new@example.com")
    # A fresh code goes to the pending value, and verifying it switches the value and alias.
    sent = idp.get_user_attribute_verification_code(AccessToken=token, AttributeName="email")["CodeDeliveryDetails"]
    assert sent["Destination"] == "n***@e***"
    message = _messages(server, pool_id, "VERIFY_ATTRIBUTE")[0]
    assert message["destination"] == "new@example.com"
    idp.verify_user_attribute(AccessToken=token, AttributeName="email", Code=message["code"])
    attrs = _attrs(idp.get_user(AccessToken=token)["UserAttributes"])
    assert attrs["email"] == "new@example.com" and attrs["email_verified"] == "true"
    assert pools.sign_in(pool_id, client_id, "new@example.com")["AccessToken"]
    with pytest.raises(ClientError):
        pools.sign_in(pool_id, client_id, "old@example.com")


def test_verified_email_becomes_an_alias(idp: Any, pools: Pools, server: Any) -> None:
    pool_id = pools.pool(AliasAttributes=["email"])
    client_id = pools.client(pool_id)
    pools.user(pool_id, attrs={})
    token = pools.sign_in(pool_id, client_id)["AccessToken"]
    idp.update_user_attributes(AccessToken=token, UserAttributes=[{"Name": "email", "Value": "al@example.com"}])
    with pytest.raises(ClientError):
        pools.sign_in(pool_id, client_id, "al@example.com")
    idp.get_user_attribute_verification_code(AccessToken=token, AttributeName="email")
    code = _messages(server, pool_id, "VERIFY_ATTRIBUTE")[0]["code"]
    idp.verify_user_attribute(AccessToken=token, AttributeName="email", Code=code)
    assert pools.sign_in(pool_id, client_id, "al@example.com")["AccessToken"]


def test_delete_user_attributes(idp: Any, pools: Pools) -> None:
    pool_id = pools.pool(Schema=[*SCHEMA, {"Name": "given_name", "AttributeDataType": "String", "Required": True,
                                           "Mutable": True}])
    client_id = pools.client(pool_id)
    pools.user(pool_id, attrs={"email": "a@example.com", "email_verified": "true", "name": "A", "given_name": "G"})
    token = pools.sign_in(pool_id, client_id)["AccessToken"]
    idp.delete_user_attributes(AccessToken=token, UserAttributeNames=["name", "email"])
    attrs = _attrs(idp.get_user(AccessToken=token)["UserAttributes"])
    assert "name" not in attrs and "email" not in attrs and "email_verified" not in attrs
    cases = [
        (["given_name"], "Attributes did not conform to the schema: given_name: The attribute is required"),
        (["sub"], "user.sub: Attribute cannot be updated. (changing an immutable attribute)\n"),
        (["dev:custom:secret"], "user.dev:custom:secret: Attribute does not exist in the schema.\n"),
    ]
    for names, message in cases:
        with pytest.raises(ClientError) as exc:
            idp.delete_user_attributes(AccessToken=token, UserAttributeNames=names)
        assert _error(exc) == ("InvalidParameterException", message)


# --- DeleteUser -----------------------------------------------------------------------------

def test_delete_user(idp: Any, alice: dict[str, Any]) -> None:
    assert idp.delete_user(AccessToken=alice["AccessToken"])["ResponseMetadata"]["HTTPStatusCode"] == 200
    with pytest.raises(ClientError) as exc:
        idp.admin_get_user(UserPoolId=alice["pool_id"], Username="alice")
    assert _error(exc) == ("UserNotFoundException", "User does not exist.")
    with pytest.raises(ClientError) as exc:
        idp.get_user(AccessToken=alice["AccessToken"])
    assert _error(exc) == ("UserNotFoundException", "User does not exist.")
    with pytest.raises(ClientError) as exc:
        idp.initiate_auth(ClientId=alice["client_id"], AuthFlow="REFRESH_TOKEN_AUTH",
                          AuthParameters={"REFRESH_TOKEN": alice["RefreshToken"]})
    assert _error(exc)[0] == "NotAuthorizedException"


# --- ChangePassword -------------------------------------------------------------------------

def test_change_password(idp: Any, pools: Pools, alice: dict[str, Any]) -> None:
    token = alice["AccessToken"]
    with pytest.raises(ClientError) as exc:
        idp.change_password(AccessToken=token, PreviousPassword="Wr0ng-pass!", ProposedPassword=NEW_PASSWORD)
    assert _error(exc) == ("NotAuthorizedException", "Incorrect username or password.")
    with pytest.raises(ClientError) as exc:
        idp.change_password(AccessToken=token, ProposedPassword=NEW_PASSWORD)
    assert _error(exc) == ("NotAuthorizedException", "Incorrect username or password.")
    weak_ones = [("Sh0rt!", "Password not long enough"), ("alllower1!", "Password must have uppercase characters"),
                 ("NoDigits!x", "Password must have numeric characters")]
    for weak, reason in weak_ones:
        with pytest.raises(ClientError) as exc:
            idp.change_password(AccessToken=token, PreviousPassword=PASSWORD, ProposedPassword=weak)
        assert _error(exc) == ("InvalidPasswordException", f"Password does not conform to policy: {reason}")
    idp.change_password(AccessToken=token, PreviousPassword=PASSWORD, ProposedPassword=NEW_PASSWORD)
    assert pools.sign_in(alice["pool_id"], alice["client_id"], password=NEW_PASSWORD)["AccessToken"]
    with pytest.raises(ClientError) as exc:
        pools.sign_in(alice["pool_id"], alice["client_id"], password=PASSWORD)
    assert _error(exc) == ("NotAuthorizedException", "Incorrect username or password.")
    # The token used for the change still works (a password change is not a sign-out).
    assert idp.get_user(AccessToken=token)["Username"] == "alice"


def test_change_password_history(idp: Any, pools: Pools) -> None:
    policy = {"MinimumLength": 8, "RequireNumbers": True, "PasswordHistorySize": 2}
    pool_id = pools.pool(Policies={"PasswordPolicy": policy})
    client_id = pools.client(pool_id)
    pools.user(pool_id)
    token = pools.sign_in(pool_id, client_id)["AccessToken"]
    with pytest.raises(ClientError) as exc:
        idp.change_password(AccessToken=token, PreviousPassword=PASSWORD, ProposedPassword=PASSWORD)
    assert _error(exc)[0] == "PasswordHistoryPolicyViolationException"
    idp.change_password(AccessToken=token, PreviousPassword=PASSWORD, ProposedPassword="second-pw1")
    with pytest.raises(ClientError) as exc:
        idp.change_password(AccessToken=token, PreviousPassword="second-pw1", ProposedPassword=PASSWORD)
    assert _error(exc)[0] == "PasswordHistoryPolicyViolationException"
    idp.change_password(AccessToken=token, PreviousPassword="second-pw1", ProposedPassword="third-pw1")
    # With a history of 2, the first password has dropped out of it.
    idp.change_password(AccessToken=token, PreviousPassword="third-pw1", ProposedPassword=PASSWORD)


# --- GetUserAttributeVerificationCode / VerifyUserAttribute --------------------------------

def test_attribute_verification_codes(idp: Any, pools: Pools, server: Any) -> None:
    pool_id = pools.pool()
    client_id = pools.client(pool_id)
    pools.user(pool_id, attrs={"email": "a@example.com", "name": "A"})
    token = pools.sign_in(pool_id, client_id)["AccessToken"]
    for name in ("name", "email_verified", "custom:dept"):
        with pytest.raises(ClientError) as exc:
            idp.get_user_attribute_verification_code(AccessToken=token, AttributeName=name)
        assert _error(exc) == ("InvalidParameterException",
                               "Invalid attribute name. Only phone_number and email can be verified.")
    with pytest.raises(ClientError) as exc:
        idp.get_user_attribute_verification_code(AccessToken=token, AttributeName="phone_number")
    assert _error(exc) == ("InvalidParameterException", "User does not have a valid registered phone number")
    with pytest.raises(ClientError) as exc:
        idp.verify_user_attribute(AccessToken=token, AttributeName="email", Code="123456")
    assert _error(exc) == ("ExpiredCodeException", "Invalid code provided, please request a code again.")

    sent = idp.get_user_attribute_verification_code(AccessToken=token, AttributeName="email")["CodeDeliveryDetails"]
    assert sent == {"Destination": "a***@e***", "DeliveryMedium": "EMAIL", "AttributeName": "email"}
    message = _messages(server, pool_id, "VERIFY_ATTRIBUTE")[0]
    assert message["destination"] == "a@example.com" and len(message["code"]) == 6
    wrong = "000000" if message["code"] != "000000" else "111111"
    with pytest.raises(ClientError) as exc:
        idp.verify_user_attribute(AccessToken=token, AttributeName="email", Code=wrong)
    assert _error(exc) == ("CodeMismatchException", "Invalid verification code provided, please try again.")
    idp.verify_user_attribute(AccessToken=token, AttributeName="email", Code=message["code"])
    assert _attrs(idp.get_user(AccessToken=token)["UserAttributes"])["email_verified"] == "true"
    with pytest.raises(ClientError) as exc:
        idp.verify_user_attribute(AccessToken=token, AttributeName="email", Code=message["code"])
    assert _error(exc) == ("ExpiredCodeException", "Invalid code provided, please request a code again.")
    # A verified value may be verified again (observed on AWS).
    again = idp.get_user_attribute_verification_code(AccessToken=token, AttributeName="email")
    assert again["CodeDeliveryDetails"]["AttributeName"] == "email"


def test_phone_verification_by_sms(idp: Any, pools: Pools, server: Any) -> None:
    pool_id = pools.pool()
    client_id = pools.client(pool_id)
    pools.user(pool_id, attrs={"phone_number": "+15555550100"})
    token = pools.sign_in(pool_id, client_id)["AccessToken"]
    with pytest.raises(ClientError) as exc:
        idp.get_user_attribute_verification_code(AccessToken=token, AttributeName="email")
    assert _error(exc) == ("InvalidParameterException", "User does not have a valid registered email address")
    sent = idp.get_user_attribute_verification_code(AccessToken=token, AttributeName="phone_number")
    assert sent["CodeDeliveryDetails"] == {"Destination": "+*******0100", "DeliveryMedium": "SMS",
                                           "AttributeName": "phone_number"}
    code = _messages(server, pool_id, "VERIFY_ATTRIBUTE")[0]["code"]
    idp.verify_user_attribute(AccessToken=token, AttributeName="phone_number", Code=code)
    assert _attrs(idp.get_user(AccessToken=token)["UserAttributes"])["phone_number_verified"] == "true"


def test_expired_attribute_code(idp: Any, alice: dict[str, Any], server: Any) -> None:
    token = alice["AccessToken"]
    idp.get_user_attribute_verification_code(AccessToken=token, AttributeName="email")
    code = _messages(server, alice["pool_id"], "VERIFY_ATTRIBUTE")[0]["code"]
    server.state.clock.advance(24 * 3600)
    try:
        fresh = alice["RefreshToken"]
        token = idp.initiate_auth(ClientId=alice["client_id"], AuthFlow="REFRESH_TOKEN_AUTH",
                                  AuthParameters={"REFRESH_TOKEN": fresh})["AuthenticationResult"]["AccessToken"]
        with pytest.raises(ClientError) as exc:
            idp.verify_user_attribute(AccessToken=token, AttributeName="email", Code=code)
        assert _error(exc) == ("ExpiredCodeException", "Invalid code provided, please request a code again.")
    finally:
        server.state.clock.advance(-24 * 3600)
