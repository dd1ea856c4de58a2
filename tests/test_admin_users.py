"""The admin user life cycle over the wire: AdminCreateUser (invitations, RESEND, SUPPRESS),
AdminGet/Delete/Disable/EnableUser, AdminSet/ResetUserPassword, and a concurrent-create race."""

from __future__ import annotations

import threading
import uuid
from typing import Any

import pytest
import requests
from botocore.exceptions import ClientError
from sqlalchemy import text

from emulator.store.base import Base
from tests.auth_helpers import make_pool  # noqa: F401 - fixture

STRONG = "Passw0rd!x"


def _error(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    err = exc.value.response["Error"]
    return err["Code"], err["Message"]


def _attrs(items: list[dict[str, str]]) -> dict[str, str]:
    return {a["Name"]: a["Value"] for a in items}


def _messages(server: Any, pool_id: str, kind: str | None = None) -> list[dict[str, Any]]:
    params = {"pool_id": pool_id, **({"kind": kind} if kind else {})}
    return requests.get(f"{server.url}/_cogito/messages", params=params, timeout=10).json()["messages"]



def test_create_with_temporary_password(idp: Any, pool: dict[str, Any], server: Any) -> None:
    user = idp.admin_create_user(
        UserPoolId=pool["Id"], Username="alice", TemporaryPassword=STRONG, MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "email", "Value": "alice@example.com"}, {"Name": "email_verified", "Value": "true"}],
    )["User"]
    assert user["Username"] == "alice"
    assert user["UserStatus"] == "FORCE_CHANGE_PASSWORD" and user["Enabled"] is True
    attrs = _attrs(user["Attributes"])
    assert len(attrs["sub"]) == 36 and attrs["email"] == "alice@example.com" and attrs["email_verified"] == "true"
    got = idp.admin_get_user(UserPoolId=pool["Id"], Username="alice")
    assert got["Username"] == "alice" and got["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    assert _attrs(got["UserAttributes"]) == attrs
    assert got["UserCreateDate"] == got["UserLastModifiedDate"]
    assert "MFAOptions" not in got and "PreferredMfaSetting" not in got
    assert _messages(server, pool["Id"]) == []


def test_generated_password_goes_out_in_the_default_invitation(idp: Any, pool: dict[str, Any], server: Any) -> None:
    idp.admin_create_user(UserPoolId=pool["Id"], Username="bob", DesiredDeliveryMediums=["EMAIL"],
                          UserAttributes=[{"Name": "email", "Value": "bob@example.com"}])
    [message] = _messages(server, pool["Id"], "INVITATION")
    assert message["medium"] == "EMAIL" and message["destination"] == "bob@example.com"
    assert message["subject"] == "Your temporary password"
    password = message["code"]
    assert message["body"] == f"Your username is bob and temporary password is {password}."
    assert len(password) >= 8 and any(c.isupper() for c in password) and any(c.isdigit() for c in password)


def test_invitation_uses_the_pool_template_and_sms(idp: Any, make_pool: Any, server: Any) -> None:
    pool_id = make_pool(AdminCreateUserConfig={"InviteMessageTemplate": {
        "SMSMessage": "Hi {username}, code {####}", "EmailMessage": "Hello {username}: {####}",
        "EmailSubject": "Welcome"}})
    idp.admin_create_user(UserPoolId=pool_id, Username="carol", TemporaryPassword=STRONG,
                          DesiredDeliveryMediums=["SMS", "EMAIL"],
                          UserAttributes=[{"Name": "phone_number", "Value": "+15555550100"},
                                          {"Name": "email", "Value": "carol@example.com"}])
    by_medium = {m["medium"]: m for m in _messages(server, pool_id, "INVITATION")}
    assert by_medium["SMS"]["body"] == f"Hi carol, code {STRONG}"
    assert by_medium["SMS"]["destination"] == "+15555550100"
    assert by_medium["EMAIL"]["body"] == f"Hello carol: {STRONG}" and by_medium["EMAIL"]["subject"] == "Welcome"


def test_default_medium_is_sms(idp: Any, pool: dict[str, Any], server: Any) -> None:
    """Without DesiredDeliveryMediums the invitation is an SMS; a user with only an e-mail gets none."""
    idp.admin_create_user(UserPoolId=pool["Id"], Username="emailonly",
                          UserAttributes=[{"Name": "email", "Value": "e@example.com"}])
    assert _messages(server, pool["Id"]) == []
    idp.admin_create_user(UserPoolId=pool["Id"], Username="phone",
                          UserAttributes=[{"Name": "phone_number", "Value": "+15555550101"}])
    [message] = _messages(server, pool["Id"])
    assert message["medium"] == "SMS" and message["username"] == "phone"


def test_email_medium_needs_an_email(idp: Any, pool: dict[str, Any]) -> None:
    with pytest.raises(ClientError) as exc:
        idp.admin_create_user(UserPoolId=pool["Id"], Username="nomail", DesiredDeliveryMediums=["EMAIL"])
    assert _error(exc) == ("InvalidParameterException", "No email provided but desired delivery medium was Email")
    with pytest.raises(ClientError) as exc:
        idp.admin_get_user(UserPoolId=pool["Id"], Username="nomail")
    assert _error(exc) == ("UserNotFoundException", "User does not exist.")


def test_temporary_password_must_meet_the_policy(idp: Any, pool: dict[str, Any]) -> None:
    with pytest.raises(ClientError) as exc:
        idp.admin_create_user(UserPoolId=pool["Id"], Username="weak", TemporaryPassword="Sh0rt!")
    assert _error(exc) == ("InvalidPasswordException", "Password does not conform to policy: Password not long enough")
    with pytest.raises(ClientError) as exc:
        idp.admin_create_user(UserPoolId=pool["Id"], Username="weak", TemporaryPassword="nouppercase1!")
    assert _error(exc) == ("InvalidPasswordException",
                           "Password does not conform to policy: Password must have uppercase characters")


def test_duplicate_username(idp: Any, pool: dict[str, Any]) -> None:
    idp.admin_create_user(UserPoolId=pool["Id"], Username="dup", MessageAction="SUPPRESS")
    with pytest.raises(ClientError) as exc:
        idp.admin_create_user(UserPoolId=pool["Id"], Username="dup", MessageAction="SUPPRESS")
    assert _error(exc) == ("UsernameExistsException", "User account already exists")


def test_unknown_pool_and_user(idp: Any, pool: dict[str, Any]) -> None:
    with pytest.raises(ClientError) as exc:
        idp.admin_get_user(UserPoolId="eu-west-1_Nope12345", Username="x")
    assert _error(exc) == ("ResourceNotFoundException", "User pool eu-west-1_Nope12345 does not exist.")
    for call in (idp.admin_get_user, idp.admin_delete_user, idp.admin_disable_user, idp.admin_enable_user,
                 idp.admin_reset_user_password):
        with pytest.raises(ClientError) as exc:
            call(UserPoolId=pool["Id"], Username="ghost")
        assert _error(exc) == ("UserNotFoundException", "User does not exist.")


def test_resend_gives_a_new_temporary_password(idp: Any, pool: dict[str, Any], server: Any) -> None:
    attrs = [{"Name": "email", "Value": "dan@example.com"}]
    idp.admin_create_user(UserPoolId=pool["Id"], Username="dan", UserAttributes=attrs, DesiredDeliveryMediums=["EMAIL"])
    first = _messages(server, pool["Id"], "INVITATION")[0]["code"]
    user = idp.admin_create_user(UserPoolId=pool["Id"], Username="dan", MessageAction="RESEND",
                                 DesiredDeliveryMediums=["EMAIL"])["User"]
    assert user["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    invitations = _messages(server, pool["Id"], "INVITATION")
    assert len(invitations) == 2 and invitations[0]["code"] != first


def test_resend_errors(idp: Any, pool: dict[str, Any]) -> None:
    with pytest.raises(ClientError) as exc:
        idp.admin_create_user(UserPoolId=pool["Id"], Username="nobody", MessageAction="RESEND")
    assert _error(exc) == ("UserNotFoundException", "User does not exist.")
    idp.admin_create_user(UserPoolId=pool["Id"], Username="done", MessageAction="SUPPRESS")
    idp.admin_set_user_password(UserPoolId=pool["Id"], Username="done", Password=STRONG, Permanent=True)
    with pytest.raises(ClientError) as exc:
        idp.admin_create_user(UserPoolId=pool["Id"], Username="done", MessageAction="RESEND")
    assert _error(exc)[0] == "UnsupportedUserStateException"


def test_passwordless_pool_creates_confirmed_users(idp: Any, make_pool: Any, server: Any) -> None:
    pool_id = make_pool(Policies={"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP"]}})
    user = idp.admin_create_user(UserPoolId=pool_id, Username="otp", MessageAction="SUPPRESS",
                                 UserAttributes=[{"Name": "email", "Value": "otp@example.com"}])["User"]
    assert user["UserStatus"] == "CONFIRMED"
    with_password = idp.admin_create_user(UserPoolId=pool_id, Username="pw", TemporaryPassword=STRONG,
                                          MessageAction="SUPPRESS")["User"]
    assert with_password["UserStatus"] == "FORCE_CHANGE_PASSWORD"


def test_disable_enable_delete(idp: Any, pool: dict[str, Any]) -> None:
    idp.admin_create_user(UserPoolId=pool["Id"], Username="erin", MessageAction="SUPPRESS")
    idp.admin_disable_user(UserPoolId=pool["Id"], Username="erin")
    assert idp.admin_get_user(UserPoolId=pool["Id"], Username="erin")["Enabled"] is False
    idp.admin_enable_user(UserPoolId=pool["Id"], Username="erin")
    assert idp.admin_get_user(UserPoolId=pool["Id"], Username="erin")["Enabled"] is True
    idp.admin_delete_user(UserPoolId=pool["Id"], Username="erin")
    with pytest.raises(ClientError) as exc:
        idp.admin_get_user(UserPoolId=pool["Id"], Username="erin")
    assert _error(exc) == ("UserNotFoundException", "User does not exist.")
    with pytest.raises(ClientError) as exc:
        idp.admin_delete_user(UserPoolId=pool["Id"], Username="erin")
    assert _error(exc)[0] == "UserNotFoundException"
    again = idp.admin_create_user(UserPoolId=pool["Id"], Username="erin", MessageAction="SUPPRESS")["User"]
    assert again["Enabled"] is True


def test_admin_ops_accept_the_sub(idp: Any, pool: dict[str, Any]) -> None:
    user = idp.admin_create_user(UserPoolId=pool["Id"], Username="frank", MessageAction="SUPPRESS")["User"]
    sub = _attrs(user["Attributes"])["sub"]
    assert idp.admin_get_user(UserPoolId=pool["Id"], Username=sub)["Username"] == "frank"


def test_set_user_password(idp: Any, pool: dict[str, Any]) -> None:
    idp.admin_create_user(UserPoolId=pool["Id"], Username="gus", MessageAction="SUPPRESS")
    idp.admin_set_user_password(UserPoolId=pool["Id"], Username="gus", Password=STRONG, Permanent=True)
    assert idp.admin_get_user(UserPoolId=pool["Id"], Username="gus")["UserStatus"] == "CONFIRMED"
    idp.admin_set_user_password(UserPoolId=pool["Id"], Username="gus", Password="An0ther!pw", Permanent=False)
    assert idp.admin_get_user(UserPoolId=pool["Id"], Username="gus")["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    with pytest.raises(ClientError) as exc:
        idp.admin_set_user_password(UserPoolId=pool["Id"], Username="gus", Password="alllowercase1!", Permanent=True)
    assert _error(exc) == ("InvalidPasswordException",
                           "Password does not conform to policy: Password must have uppercase characters")


def test_password_history(idp: Any, make_pool: Any) -> None:
    pool_id = make_pool(Policies={"PasswordPolicy": {"MinimumLength": 8, "PasswordHistorySize": 2}})
    idp.admin_create_user(UserPoolId=pool_id, Username="hal", TemporaryPassword="first-pass", MessageAction="SUPPRESS")
    idp.admin_set_user_password(UserPoolId=pool_id, Username="hal", Password="second-pass", Permanent=True)
    for used in ("first-pass", "second-pass"):
        with pytest.raises(ClientError) as exc:
            idp.admin_set_user_password(UserPoolId=pool_id, Username="hal", Password=used, Permanent=True)
        assert _error(exc)[0] == "PasswordHistoryPolicyViolationException"
    idp.admin_set_user_password(UserPoolId=pool_id, Username="hal", Password="third-pass", Permanent=True)
    idp.admin_set_user_password(UserPoolId=pool_id, Username="hal", Password="first-pass", Permanent=True)


@pytest.mark.parametrize("settings", [
    {"AutoVerifiedAttributes": ["email"]},
    {"AccountRecoverySetting": {"RecoveryMechanisms": [{"Name": "verified_email", "Priority": 1}]}},
])
def test_reset_password_sends_a_code_to_the_verified_email(
    idp: Any, make_pool: Any, server: Any, settings: dict[str, Any]
) -> None:
    pool_id = make_pool(**settings)
    idp.admin_create_user(UserPoolId=pool_id, Username="ivy", TemporaryPassword=STRONG, MessageAction="SUPPRESS",
                          UserAttributes=[{"Name": "email", "Value": "ivy@example.com"},
                                          {"Name": "email_verified", "Value": "true"}])
    idp.admin_set_user_password(UserPoolId=pool_id, Username="ivy", Password=STRONG, Permanent=True)
    idp.admin_reset_user_password(UserPoolId=pool_id, Username="ivy")
    assert idp.admin_get_user(UserPoolId=pool_id, Username="ivy")["UserStatus"] == "RESET_REQUIRED"
    [message] = _messages(server, pool_id, "FORGOT_PASSWORD")
    assert message["destination"] == "ivy@example.com" and message["medium"] == "EMAIL"
    assert len(message["code"]) == 6 and message["code"] in message["body"]


def test_reset_password_legacy_pool_without_email_verification(idp: Any, pool: dict[str, Any], server: Any) -> None:
    """No AccountRecoverySetting and e-mail not auto-verified: a verified e-mail gets no code."""
    idp.admin_create_user(UserPoolId=pool["Id"], Username="ivo", MessageAction="SUPPRESS",
                          UserAttributes=[{"Name": "email", "Value": "ivo@example.com"},
                                          {"Name": "email_verified", "Value": "true"}])
    idp.admin_set_user_password(UserPoolId=pool["Id"], Username="ivo", Password=STRONG, Permanent=True)
    idp.admin_reset_user_password(UserPoolId=pool["Id"], Username="ivo")
    assert idp.admin_get_user(UserPoolId=pool["Id"], Username="ivo")["UserStatus"] == "RESET_REQUIRED"
    assert _messages(server, pool["Id"]) == []


def test_reset_password_without_a_verified_channel(idp: Any, make_pool: Any, server: Any) -> None:
    pool_id = make_pool(AutoVerifiedAttributes=["email"])
    idp.admin_create_user(UserPoolId=pool_id, Username="jay", MessageAction="SUPPRESS",
                          UserAttributes=[{"Name": "email", "Value": "jay@example.com"}])
    idp.admin_set_user_password(UserPoolId=pool_id, Username="jay", Password=STRONG, Permanent=True)
    idp.admin_reset_user_password(UserPoolId=pool_id, Username="jay")
    assert idp.admin_get_user(UserPoolId=pool_id, Username="jay")["UserStatus"] == "RESET_REQUIRED"
    assert _messages(server, pool_id) == []


def test_reset_password_refused_before_the_first_sign_in(idp: Any, pool: dict[str, Any]) -> None:
    idp.admin_create_user(UserPoolId=pool["Id"], Username="kim", MessageAction="SUPPRESS")
    with pytest.raises(ClientError) as exc:
        idp.admin_reset_user_password(UserPoolId=pool["Id"], Username="kim")
    assert _error(exc) == ("NotAuthorizedException", "User password cannot be reset in the current state.")


def test_no_plaintext_password_in_the_store(idp: Any, pool: dict[str, Any], server: Any) -> None:
    temporary, permanent = "Tmp-" + uuid.uuid4().hex[:10], "Perm-" + uuid.uuid4().hex[:10]
    idp.admin_create_user(UserPoolId=pool["Id"], Username="leo", TemporaryPassword=temporary + "A1!",
                          MessageAction="SUPPRESS")
    idp.admin_set_user_password(UserPoolId=pool["Id"], Username="leo", Password=permanent + "A1!", Permanent=True)
    with server.state.store.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            for row in conn.execute(text(f"SELECT * FROM {table.name}")):
                dump = repr(tuple(row))
                assert temporary not in dump and permanent not in dump, table.name


def test_concurrent_creates_of_one_username(server: Any, pool: dict[str, Any]) -> None:
    """Eight clients create the same user at once: exactly one wins, the rest are told it exists."""
    clients = [server.client("cognito-idp") for _ in range(8)]
    barrier = threading.Barrier(len(clients))
    outcomes: list[str] = []
    lock = threading.Lock()

    def create(client: Any) -> None:
        barrier.wait()
        try:
            client.admin_create_user(UserPoolId=pool["Id"], Username="racer", MessageAction="SUPPRESS")
            outcome = "ok"
        except ClientError as exc:
            outcome = exc.response["Error"]["Code"]
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=create, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["UsernameExistsException"] * 7 + ["ok"]
