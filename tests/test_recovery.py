"""ForgotPassword and ConfirmForgotPassword over the wire, codes read from the outbox."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from emulator.userpool import directory
from emulator.userpool.models import UserPool
from tests.test_signup import (  # noqa: F401 - fixtures
    EMAIL,
    PASSWORD,
    PHONE,
    MovedClock,
    email_pool,
    error_of,
    latest_code,
    make_client,
    make_pool,
    messages,
    password_is,
    sign_up,
    stored_user,
)

NEW_PASSWORD = "N3w-passw0rd"
NO_CHANNEL = "Cannot reset password for the user as there is no registered/verified email or phone_number"


def set_user(server: Any, pool_id: str, username: str, **fields: Any) -> None:
    """Put a user in a state no public operation reaches (disabled, FORCE_CHANGE_PASSWORD, ...)."""
    with server.state.store.transaction() as db:
        user = directory.find_user(db, db.get(UserPool, pool_id), username)
        for name, value in fields.items():
            setattr(user, name, value)


def confirmed_user(idp: Any, server: Any, pool_id: str, client_id: str, username: str = "alice", **kw: Any) -> None:
    """Sign up and confirm with the emailed code, so the email is verified."""
    sign_up(idp, client_id, username, **kw)
    idp.confirm_sign_up(ClientId=client_id, Username=username,
                        ConfirmationCode=latest_code(server, pool_id, username=username))


def test_forgot_password_round_trip(idp, server, email_pool):
    pool, client = email_pool
    confirmed_user(idp, server, pool["Id"], client["ClientId"])
    sent = idp.forgot_password(ClientId=client["ClientId"], Username="alice")
    assert sent["CodeDeliveryDetails"] == {"Destination": "a***@e***", "DeliveryMedium": "EMAIL",
                                           "AttributeName": "email"}
    [message] = messages(server, pool["Id"], kind="FORGOT_PASSWORD")
    assert (message["username"], message["medium"], message["destination"]) == ("alice", "EMAIL", EMAIL)
    assert message["body"] == f"Your verification code is {message['code']}. "
    assert message["code"] not in json.dumps(sent)
    idp.confirm_forgot_password(ClientId=client["ClientId"], Username="alice",
                                ConfirmationCode=message["code"], Password=NEW_PASSWORD)
    assert password_is(server, pool["Id"], "alice", NEW_PASSWORD)
    assert not password_is(server, pool["Id"], "alice", PASSWORD)
    assert stored_user(server, pool["Id"], "alice").status == "CONFIRMED"
    # The code is spent.
    with pytest.raises(ClientError) as exc:
        idp.confirm_forgot_password(ClientId=client["ClientId"], Username="alice",
                                    ConfirmationCode=message["code"], Password="An0ther-pass")
    assert error_of(exc) == ("ExpiredCodeException", "Invalid code provided, please request a code again.")


def test_forgot_password_by_alias(idp, server, make_pool):
    pool = make_pool(AutoVerifiedAttributes=["email"], AliasAttributes=["email"])
    client = make_client(idp, pool["Id"])
    confirmed_user(idp, server, pool["Id"], client["ClientId"])
    idp.forgot_password(ClientId=client["ClientId"], Username=EMAIL)
    assert messages(server, pool["Id"], kind="FORGOT_PASSWORD")[0]["username"] == "alice"


def test_no_verified_channel(idp, server, email_pool):
    pool, client = email_pool
    sign_up(idp, client["ClientId"])
    idp.admin_confirm_sign_up(UserPoolId=pool["Id"], Username="alice")  # email stays unverified
    with pytest.raises(ClientError) as exc:
        idp.forgot_password(ClientId=client["ClientId"], Username="alice")
    assert error_of(exc) == ("InvalidParameterException", NO_CHANNEL)
    hidden = make_client(idp, pool["Id"], PreventUserExistenceErrors="ENABLED")
    faked = idp.forgot_password(ClientId=hidden["ClientId"], Username="alice")
    assert faked["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"
    assert messages(server, pool["Id"], kind="FORGOT_PASSWORD") == []


def test_unknown_user(idp, server, email_pool):
    pool, client = email_pool
    for call in (
        lambda c: idp.forgot_password(ClientId=c, Username="ghost"),
        lambda c: idp.confirm_forgot_password(ClientId=c, Username="ghost", ConfirmationCode="123456",
                                              Password=NEW_PASSWORD),
    ):
        with pytest.raises(ClientError) as exc:
            call(client["ClientId"])
        assert error_of(exc) == ("UserNotFoundException", "Username/client id combination not found.")
    hidden = make_client(idp, pool["Id"], PreventUserExistenceErrors="ENABLED")
    faked = idp.forgot_password(ClientId=hidden["ClientId"], Username="ghost@example.org")
    assert faked["CodeDeliveryDetails"] == {"Destination": "g***@e***", "DeliveryMedium": "EMAIL",
                                            "AttributeName": "email"}
    with pytest.raises(ClientError) as exc:
        idp.confirm_forgot_password(ClientId=hidden["ClientId"], Username="ghost", ConfirmationCode="123456",
                                    Password=NEW_PASSWORD)
    assert error_of(exc) == ("CodeMismatchException", "Invalid verification code provided, please try again.")
    assert messages(server, pool["Id"]) == []


def test_confirm_without_a_code_issued(idp, server, email_pool):
    pool, client = email_pool
    confirmed_user(idp, server, pool["Id"], client["ClientId"])
    with pytest.raises(ClientError) as exc:
        idp.confirm_forgot_password(ClientId=client["ClientId"], Username="alice", ConfirmationCode="123456",
                                    Password=NEW_PASSWORD)
    assert error_of(exc) == ("ExpiredCodeException", "Invalid code provided, please request a code again.")


def test_code_lives_one_hour(idp, server, email_pool):
    pool, client = email_pool
    confirmed_user(idp, server, pool["Id"], client["ClientId"])
    idp.forgot_password(ClientId=client["ClientId"], Username="alice")
    code = latest_code(server, pool["Id"], kind="FORGOT_PASSWORD")
    with MovedClock(server, 3601), pytest.raises(ClientError) as exc:
        idp.confirm_forgot_password(ClientId=client["ClientId"], Username="alice", ConfirmationCode=code,
                                    Password=NEW_PASSWORD)
    assert error_of(exc)[0] == "ExpiredCodeException"
    with MovedClock(server, 3500):
        idp.confirm_forgot_password(ClientId=client["ClientId"], Username="alice", ConfirmationCode=code,
                                    Password=NEW_PASSWORD)
    assert password_is(server, pool["Id"], "alice", NEW_PASSWORD)


def test_wrong_codes_then_limit(idp, server, email_pool):
    pool, client = email_pool
    confirmed_user(idp, server, pool["Id"], client["ClientId"])
    idp.forgot_password(ClientId=client["ClientId"], Username="alice")
    code = latest_code(server, pool["Id"], kind="FORGOT_PASSWORD")
    for _ in range(5):
        with pytest.raises(ClientError) as exc:
            idp.confirm_forgot_password(ClientId=client["ClientId"], Username="alice", ConfirmationCode="000000x",
                                        Password=NEW_PASSWORD)
        assert error_of(exc) == ("CodeMismatchException", "Invalid verification code provided, please try again.")
    with pytest.raises(ClientError) as exc:
        idp.confirm_forgot_password(ClientId=client["ClientId"], Username="alice", ConfirmationCode=code,
                                    Password=NEW_PASSWORD)
    assert error_of(exc) == ("LimitExceededException", "Attempt limit exceeded, please try after some time.")
    assert password_is(server, pool["Id"], "alice", PASSWORD)


def test_new_password_policy_keeps_the_code(idp, server, email_pool):
    pool, client = email_pool
    confirmed_user(idp, server, pool["Id"], client["ClientId"])
    idp.forgot_password(ClientId=client["ClientId"], Username="alice")
    code = latest_code(server, pool["Id"], kind="FORGOT_PASSWORD")
    with pytest.raises(ClientError) as exc:
        idp.confirm_forgot_password(ClientId=client["ClientId"], Username="alice", ConfirmationCode=code,
                                    Password="NoNumbers!")
    assert error_of(exc) == ("InvalidPasswordException",
                             "Password does not conform to policy: Password must have numeric characters")
    idp.confirm_forgot_password(ClientId=client["ClientId"], Username="alice", ConfirmationCode=code,
                                Password=NEW_PASSWORD)


def test_password_history(idp, server, make_pool):
    pool = make_pool(AutoVerifiedAttributes=["email"], Policies={"PasswordPolicy": {
        "MinimumLength": 8, "RequireNumbers": True, "PasswordHistorySize": 2}})
    client = make_client(idp, pool["Id"])
    confirmed_user(idp, server, pool["Id"], client["ClientId"])
    idp.forgot_password(ClientId=client["ClientId"], Username="alice")
    code = latest_code(server, pool["Id"], kind="FORGOT_PASSWORD")
    with pytest.raises(ClientError) as exc:
        idp.confirm_forgot_password(ClientId=client["ClientId"], Username="alice", ConfirmationCode=code,
                                    Password=PASSWORD)
    assert error_of(exc)[0] == "PasswordHistoryPolicyViolationException"
    idp.confirm_forgot_password(ClientId=client["ClientId"], Username="alice", ConfirmationCode=code,
                                Password=NEW_PASSWORD)
    idp.forgot_password(ClientId=client["ClientId"], Username="alice")
    with pytest.raises(ClientError) as exc:  # the one before is still remembered
        idp.confirm_forgot_password(ClientId=client["ClientId"], Username="alice", Password=PASSWORD,
                                    ConfirmationCode=latest_code(server, pool["Id"], kind="FORGOT_PASSWORD"))
    assert error_of(exc)[0] == "PasswordHistoryPolicyViolationException"


def test_sms_preferred_without_recovery_setting(idp, server, make_pool):
    pool = make_pool(AutoVerifiedAttributes=["phone_number"])
    client = make_client(idp, pool["Id"])
    attrs = [{"Name": "email", "Value": EMAIL}, {"Name": "phone_number", "Value": PHONE}]
    confirmed_user(idp, server, pool["Id"], client["ClientId"], UserAttributes=attrs)
    set_user(server, pool["Id"], "alice", attributes={**stored_user(server, pool["Id"], "alice").attributes,
                                                      "email_verified": "true"})
    sent = idp.forgot_password(ClientId=client["ClientId"], Username="alice")
    assert sent["CodeDeliveryDetails"] == {"Destination": "+*******0100", "DeliveryMedium": "SMS",
                                           "AttributeName": "phone_number"}
    assert messages(server, pool["Id"], kind="FORGOT_PASSWORD")[0]["destination"] == PHONE


@pytest.mark.parametrize("mechanisms,expected", [
    ([{"Name": "verified_email", "Priority": 1}, {"Name": "verified_phone_number", "Priority": 2}], "EMAIL"),
    ([{"Name": "verified_email", "Priority": 2}, {"Name": "verified_phone_number", "Priority": 1}], "SMS"),
    ([{"Name": "admin_only", "Priority": 1}], None),
])
def test_account_recovery_setting(idp, server, make_pool, mechanisms, expected):
    pool = make_pool(AutoVerifiedAttributes=["phone_number"],
                     AccountRecoverySetting={"RecoveryMechanisms": mechanisms})
    client = make_client(idp, pool["Id"])
    attrs = [{"Name": "email", "Value": EMAIL}, {"Name": "phone_number", "Value": PHONE}]
    confirmed_user(idp, server, pool["Id"], client["ClientId"], UserAttributes=attrs)
    set_user(server, pool["Id"], "alice", attributes={**stored_user(server, pool["Id"], "alice").attributes,
                                                      "email_verified": "true"})
    if expected is None:
        with pytest.raises(ClientError) as exc:
            idp.forgot_password(ClientId=client["ClientId"], Username="alice")
        assert error_of(exc)[0] == "InvalidParameterException"
        return
    sent = idp.forgot_password(ClientId=client["ClientId"], Username="alice")
    assert sent["CodeDeliveryDetails"]["DeliveryMedium"] == expected


def test_user_states(idp, server, email_pool):
    pool, client = email_pool
    confirmed_user(idp, server, pool["Id"], client["ClientId"])
    set_user(server, pool["Id"], "alice", status="FORCE_CHANGE_PASSWORD")
    with pytest.raises(ClientError) as exc:
        idp.forgot_password(ClientId=client["ClientId"], Username="alice")
    assert error_of(exc) == ("NotAuthorizedException", "User password cannot be reset in the current state.")
    set_user(server, pool["Id"], "alice", status="CONFIRMED", enabled=False)
    with pytest.raises(ClientError) as exc:
        idp.forgot_password(ClientId=client["ClientId"], Username="alice")
    assert error_of(exc) == ("NotAuthorizedException", "User is disabled.")
    set_user(server, pool["Id"], "alice", status="RESET_REQUIRED", enabled=True)
    idp.forgot_password(ClientId=client["ClientId"], Username="alice")
    idp.confirm_forgot_password(ClientId=client["ClientId"], Username="alice", Password=NEW_PASSWORD,
                                ConfirmationCode=latest_code(server, pool["Id"], kind="FORGOT_PASSWORD"))
    assert stored_user(server, pool["Id"], "alice").status == "CONFIRMED"
