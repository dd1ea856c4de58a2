"""SignUp, ConfirmSignUp, ResendConfirmationCode and AdminConfirmSignUp over the wire.

Codes are read from GET /_cogito/messages, never from a response; expiry is tested by
moving the live server's clock (and moving it back).
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from botocore.exceptions import ClientError

from emulator.userpool import directory
from emulator.userpool.directory_models import User
from emulator.userpool.models import UserPool

PASSWORD = "Passw0rd!"
EMAIL = "alice@example.com"
PHONE = "+15555550100"


# --- helpers shared with the recovery and secret-hash tests ---------------------------------

def error_of(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    err = exc.value.response["Error"]
    return err["Code"], err["Message"]


@pytest.fixture
def make_pool(idp: Any) -> Iterator[Callable[..., dict[str, Any]]]:
    """A factory of pools (CreateUserPool arguments), all deleted after the test."""
    made: list[str] = []

    def factory(**kwargs: Any) -> dict[str, Any]:
        pool = idp.create_user_pool(PoolName=f"signup-{uuid.uuid4().hex[:8]}", **kwargs)["UserPool"]
        made.append(pool["Id"])
        return pool

    yield factory
    for pool_id in made:
        try:
            idp.delete_user_pool(UserPoolId=pool_id)
        except ClientError:
            pass


def make_client(idp: Any, pool_id: str, **kwargs: Any) -> dict[str, Any]:
    return idp.create_user_pool_client(UserPoolId=pool_id, ClientName="app", **kwargs)["UserPoolClient"]


def messages(server: Any, pool_id: str, **filters: str) -> list[dict[str, Any]]:
    found = requests.get(f"{server.url}/_cogito/messages", params={"pool_id": pool_id, **filters}, timeout=10)
    assert found.status_code == 200
    return found.json()["messages"]


def latest_code(server: Any, pool_id: str, kind: str = "SIGNUP", username: str | None = None) -> str:
    found = messages(server, pool_id, kind=kind, **({"username": username} if username else {}))
    assert found, f"no {kind} message"
    return found[0]["code"]


def stored_user(server: Any, pool_id: str, username: str) -> User:
    """The user as stored (status, attributes, password) where no Admin read exists yet."""
    with server.state.store.transaction(write=False) as db:
        pool = db.get(UserPool, pool_id)
        user = directory.find_user(db, pool, username)
        assert user is not None
        db.expunge(user)
        return user


def password_is(server: Any, pool_id: str, username: str, password: str) -> bool:
    with server.state.store.transaction(write=False) as db:
        pool = db.get(UserPool, pool_id)
        user = directory.find_user(db, pool, username)
        return user is not None and directory.password_matches(user, pool, password)


def sign_up(idp: Any, client_id: str, username: str = "alice", **kwargs: Any) -> dict[str, Any]:
    attrs = kwargs.pop("UserAttributes", [{"Name": "email", "Value": EMAIL}])
    return idp.sign_up(ClientId=client_id, Username=username, Password=PASSWORD, UserAttributes=attrs, **kwargs)


class MovedClock:
    """Move the live server's clock forward for a block, then back."""

    def __init__(self, server: Any, seconds: float) -> None:
        self.clock, self.seconds = server.state.clock, seconds

    def __enter__(self) -> None:
        self.clock.advance(self.seconds)

    def __exit__(self, *_: object) -> None:
        self.clock.advance(-self.seconds)


@pytest.fixture
def email_pool(make_pool: Callable[..., dict[str, Any]], idp: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """A pool auto-verifying email, and a client without a secret."""
    pool = make_pool(AutoVerifiedAttributes=["email"])
    return pool, make_client(idp, pool["Id"])


# --- SignUp -----------------------------------------------------------------------------------

def test_sign_up_without_auto_verification_sends_nothing(idp, server, make_pool):
    pool = make_pool()
    client = make_client(idp, pool["Id"])
    result = sign_up(idp, client["ClientId"])
    assert result["UserConfirmed"] is False
    assert uuid.UUID(result["UserSub"])
    assert "CodeDeliveryDetails" not in result
    assert messages(server, pool["Id"]) == []
    user = stored_user(server, pool["Id"], "alice")
    assert user.status == "UNCONFIRMED" and user.sub == result["UserSub"]
    assert user.attributes["email"] == EMAIL and "email_verified" not in user.attributes
    assert password_is(server, pool["Id"], "alice", PASSWORD)


def test_sign_up_emails_a_code_that_confirms_and_verifies(idp, server, email_pool):
    pool, client = email_pool
    result = sign_up(idp, client["ClientId"], ClientMetadata={"k": "v"},
                     ValidationData=[{"Name": "captcha", "Value": "ok"}])
    assert result["CodeDeliveryDetails"] == {"Destination": "a***@e***", "DeliveryMedium": "EMAIL",
                                             "AttributeName": "email"}
    [message] = messages(server, pool["Id"], username="alice")
    assert (message["kind"], message["medium"], message["destination"]) == ("SIGNUP", "EMAIL", EMAIL)
    assert re.fullmatch(r"[0-9]{6}", message["code"])
    assert message["subject"] == "Your verification code"
    assert message["body"] == f"Your verification code is {message['code']}. "
    assert message["code"] not in json.dumps(result)
    assert idp.confirm_sign_up(ClientId=client["ClientId"], Username="alice",
                               ConfirmationCode=message["code"])["ResponseMetadata"]["HTTPStatusCode"] == 200
    user = stored_user(server, pool["Id"], "alice")
    assert user.status == "CONFIRMED"
    assert user.attributes["email_verified"] == "true"


def test_phone_is_verified_when_both_are_auto_verified(idp, server, make_pool):
    pool = make_pool(AutoVerifiedAttributes=["email", "phone_number"])
    client = make_client(idp, pool["Id"])
    both = [{"Name": "email", "Value": EMAIL}, {"Name": "phone_number", "Value": PHONE}]
    result = sign_up(idp, client["ClientId"], UserAttributes=both)
    assert result["CodeDeliveryDetails"] == {"Destination": "+*******0100", "DeliveryMedium": "SMS",
                                             "AttributeName": "phone_number"}
    [message] = messages(server, pool["Id"])
    assert (message["medium"], message["destination"], message["subject"]) == ("SMS", PHONE, None)
    idp.confirm_sign_up(ClientId=client["ClientId"], Username="alice", ConfirmationCode=message["code"])
    attrs = stored_user(server, pool["Id"], "alice").attributes
    assert attrs["phone_number_verified"] == "true" and "email_verified" not in attrs
    # A user with only an email still gets an email.
    only_email = sign_up(idp, client["ClientId"], "bob", UserAttributes=[{"Name": "email", "Value": "b@x.org"}])
    assert only_email["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"


def test_pool_templates_shape_the_messages(idp, server, make_pool):
    pool = make_pool(
        AutoVerifiedAttributes=["email"],
        VerificationMessageTemplate={"EmailMessage": "Welcome! Code: {####}", "EmailSubject": "Hello there",
                                     "SmsMessage": "SMS code {####}"},
    )
    client = make_client(idp, pool["Id"])
    sign_up(idp, client["ClientId"])
    [message] = messages(server, pool["Id"])
    assert message["subject"] == "Hello there"
    assert message["body"] == f"Welcome! Code: {message['code']}"


def test_legacy_sms_verification_message(idp, server, make_pool):
    pool = make_pool(AutoVerifiedAttributes=["phone_number"], SmsVerificationMessage="Your code: {####}")
    client = make_client(idp, pool["Id"])
    sign_up(idp, client["ClientId"], UserAttributes=[{"Name": "phone_number", "Value": PHONE}])
    [message] = messages(server, pool["Id"])
    assert message["body"] == f"Your code: {message['code']}"


def test_link_emails_carry_a_confirmation_link(idp, server, make_pool):
    pool = make_pool(
        AutoVerifiedAttributes=["email"],
        VerificationMessageTemplate={"DefaultEmailOption": "CONFIRM_WITH_LINK",
                                     "EmailMessageByLink": "Please {##confirm here##}.",
                                     "EmailSubjectByLink": "Confirm your account"},
    )
    client = make_client(idp, pool["Id"])
    sign_up(idp, client["ClientId"])
    [message] = messages(server, pool["Id"])
    assert message["subject"] == "Confirm your account"
    link = re.search(r'href="([^"]+)"', message["body"]).group(1)
    assert link.startswith(server.url + "/confirmUser?")
    assert f"client_id={client['ClientId']}" in link and "user_name=alice" in link
    assert f"confirmation_code={message['code']}" in link
    assert ">confirm here</a>" in message["body"]


def test_sign_up_errors(idp, make_pool):
    pool = make_pool(AdminCreateUserConfig={"AllowAdminCreateUserOnly": True})
    client = make_client(idp, pool["Id"])
    with pytest.raises(ClientError) as exc:
        sign_up(idp, client["ClientId"])
    assert error_of(exc) == ("NotAuthorizedException", "SignUp is not permitted for this user pool")
    with pytest.raises(ClientError) as exc:
        sign_up(idp, "nosuchclient123")
    assert error_of(exc) == ("ResourceNotFoundException", "User pool client nosuchclient123 does not exist.")


@pytest.mark.parametrize("password,reason", [
    ("Sh0rt!", "Password not long enough"),
    ("passw0rd!", "Password must have uppercase characters"),
    ("Password!", "Password must have numeric characters"),
])
def test_sign_up_password_policy(idp, email_pool, password, reason):
    _pool, client = email_pool
    with pytest.raises(ClientError) as exc:
        idp.sign_up(ClientId=client["ClientId"], Username="alice", Password=password)
    assert error_of(exc) == ("InvalidPasswordException", f"Password did not conform with policy: {reason}")


def test_sign_up_without_password_needs_passwordless(idp, email_pool):
    _pool, client = email_pool
    with pytest.raises(ClientError) as exc:
        idp.sign_up(ClientId=client["ClientId"], Username="alice")
    code, message = error_of(exc)
    assert code == "InvalidParameterException" and "password" in message


def test_sign_up_taken_username_and_bad_attributes(idp, email_pool):
    _pool, client = email_pool
    sign_up(idp, client["ClientId"])
    with pytest.raises(ClientError) as exc:
        sign_up(idp, client["ClientId"])
    assert error_of(exc) == ("UsernameExistsException", "User already exists")
    with pytest.raises(ClientError) as exc:
        sign_up(idp, client["ClientId"], "bob", UserAttributes=[{"Name": "custom:nope", "Value": "x"}])
    assert error_of(exc)[0] == "InvalidParameterException"


# --- ConfirmSignUp -------------------------------------------------------------------------

def test_confirm_sign_up_wrong_code_keeps_user_unconfirmed(idp, server, email_pool):
    pool, client = email_pool
    sign_up(idp, client["ClientId"])
    with pytest.raises(ClientError) as exc:
        idp.confirm_sign_up(ClientId=client["ClientId"], Username="alice", ConfirmationCode="000000x")
    assert error_of(exc) == ("CodeMismatchException", "Invalid verification code provided, please try again.")
    assert stored_user(server, pool["Id"], "alice").status == "UNCONFIRMED"


def test_confirm_sign_up_expired_code(idp, server, email_pool):
    pool, client = email_pool
    sign_up(idp, client["ClientId"])
    code = latest_code(server, pool["Id"])
    with MovedClock(server, 24 * 3600 + 1), pytest.raises(ClientError) as exc:
        idp.confirm_sign_up(ClientId=client["ClientId"], Username="alice", ConfirmationCode=code)
    assert error_of(exc) == ("ExpiredCodeException", "Invalid code provided, please request a code again.")
    with MovedClock(server, 24 * 3600 - 60):
        idp.confirm_sign_up(ClientId=client["ClientId"], Username="alice", ConfirmationCode=code)
    assert stored_user(server, pool["Id"], "alice").status == "CONFIRMED"


def test_confirm_sign_up_attempt_limit(idp, server, email_pool):
    pool, client = email_pool
    sign_up(idp, client["ClientId"])
    code = latest_code(server, pool["Id"])
    for _ in range(5):
        with pytest.raises(ClientError) as exc:
            idp.confirm_sign_up(ClientId=client["ClientId"], Username="alice", ConfirmationCode="999999x")
        assert error_of(exc)[0] == "CodeMismatchException"
    with pytest.raises(ClientError) as exc:
        idp.confirm_sign_up(ClientId=client["ClientId"], Username="alice", ConfirmationCode=code)
    assert error_of(exc) == ("LimitExceededException", "Attempt limit exceeded, please try after some time.")
    # A new code starts a fresh count.
    idp.resend_confirmation_code(ClientId=client["ClientId"], Username="alice")
    idp.confirm_sign_up(ClientId=client["ClientId"], Username="alice",
                        ConfirmationCode=latest_code(server, pool["Id"]))


def test_confirm_sign_up_twice(idp, server, email_pool):
    pool, client = email_pool
    sign_up(idp, client["ClientId"])
    code = latest_code(server, pool["Id"])
    idp.confirm_sign_up(ClientId=client["ClientId"], Username="alice", ConfirmationCode=code)
    with pytest.raises(ClientError) as exc:
        idp.confirm_sign_up(ClientId=client["ClientId"], Username="alice", ConfirmationCode=code)
    assert error_of(exc) == ("NotAuthorizedException", "User cannot be confirmed. Current status is CONFIRMED")


def test_confirm_sign_up_alias_clash_and_force(idp, server, make_pool):
    pool = make_pool(AutoVerifiedAttributes=["email"], AliasAttributes=["email"])
    client = make_client(idp, pool["Id"])
    sign_up(idp, client["ClientId"], "first")
    idp.confirm_sign_up(ClientId=client["ClientId"], Username="first", ConfirmationCode=latest_code(server, pool["Id"]))
    sign_up(idp, client["ClientId"], "second")
    code = latest_code(server, pool["Id"], username="second")
    with pytest.raises(ClientError) as exc:
        idp.confirm_sign_up(ClientId=client["ClientId"], Username="second", ConfirmationCode=code)
    assert error_of(exc) == ("AliasExistsException", "An account with the email already exists.")
    assert stored_user(server, pool["Id"], "second").status == "UNCONFIRMED"
    idp.confirm_sign_up(ClientId=client["ClientId"], Username="second", ConfirmationCode=code,
                        ForceAliasCreation=True)
    assert stored_user(server, pool["Id"], EMAIL).username == "second"  # the alias moved
    assert stored_user(server, pool["Id"], "first").attributes["email_verified"] == "false"


def test_email_username_pool(idp, server, make_pool):
    pool = make_pool(AutoVerifiedAttributes=["email"], UsernameAttributes=["email"])
    client = make_client(idp, pool["Id"])
    result = idp.sign_up(ClientId=client["ClientId"], Username=EMAIL, Password=PASSWORD)
    assert result["CodeDeliveryDetails"]["Destination"] == "a***@e***"
    [message] = messages(server, pool["Id"])
    assert message["username"] == result["UserSub"]  # the internal username is the sub
    idp.confirm_sign_up(ClientId=client["ClientId"], Username=EMAIL, ConfirmationCode=message["code"])
    user = stored_user(server, pool["Id"], EMAIL)
    assert (user.status, user.attributes["email_verified"]) == ("CONFIRMED", "true")


# --- ResendConfirmationCode ------------------------------------------------------------------

def test_resend_replaces_the_code(idp, server, email_pool):
    pool, client = email_pool
    sign_up(idp, client["ClientId"])
    first = latest_code(server, pool["Id"])
    server.state.settings.extra["fixed_code"] = "0" + first[1:] if first[0] != "0" else "1" + first[1:]
    try:
        resent = idp.resend_confirmation_code(ClientId=client["ClientId"], Username="alice")
    finally:
        server.state.settings.extra.pop("fixed_code", None)
    assert resent["CodeDeliveryDetails"] == {"Destination": "a***@e***", "DeliveryMedium": "EMAIL",
                                             "AttributeName": "email"}
    found = messages(server, pool["Id"], kind="SIGNUP")
    assert len(found) == 2 and found[0]["id"] > found[1]["id"]  # newest first
    second = found[0]["code"]
    assert second != first
    with pytest.raises(ClientError) as exc:
        idp.confirm_sign_up(ClientId=client["ClientId"], Username="alice", ConfirmationCode=first)
    assert error_of(exc)[0] == "CodeMismatchException"
    idp.confirm_sign_up(ClientId=client["ClientId"], Username="alice", ConfirmationCode=second)
    with pytest.raises(ClientError) as exc:
        idp.resend_confirmation_code(ClientId=client["ClientId"], Username="alice")
    assert error_of(exc) == ("InvalidParameterException", "User is already confirmed.")


def test_resend_without_auto_verification(idp, make_pool):
    pool = make_pool()
    client = make_client(idp, pool["Id"])
    sign_up(idp, client["ClientId"])
    with pytest.raises(ClientError) as exc:
        idp.resend_confirmation_code(ClientId=client["ClientId"], Username="alice")
    assert error_of(exc) == ("InvalidParameterException", "Cannot resend codes. Auto verification not turned on.")


def test_fixed_code_setting(idp, server, email_pool):
    pool, client = email_pool
    server.state.settings.extra["fixed_code"] = "424242"
    try:
        sign_up(idp, client["ClientId"])
    finally:
        server.state.settings.extra.pop("fixed_code", None)
    assert latest_code(server, pool["Id"]) == "424242"
    idp.confirm_sign_up(ClientId=client["ClientId"], Username="alice", ConfirmationCode="424242")


def test_fixed_code_from_env_and_cli():
    from emulator.cli import _parser, settings_from_args
    from emulator.settings import from_env

    assert from_env({"COGITO_FIXED_CODE": "123456"}).extra["fixed_code"] == "123456"
    assert "fixed_code" not in from_env({}).extra
    args = _parser().parse_args(["serve", "--fixed-code", "654321"])
    assert settings_from_args(args).extra["fixed_code"] == "654321"


# --- unknown users and PreventUserExistenceErrors ----------------------------------------------

def test_unknown_user_legacy(idp, email_pool):
    _pool, client = email_pool
    with pytest.raises(ClientError) as exc:
        idp.confirm_sign_up(ClientId=client["ClientId"], Username="ghost", ConfirmationCode="123456")
    assert error_of(exc) == ("UserNotFoundException", "Username/client id combination not found.")
    with pytest.raises(ClientError) as exc:
        idp.resend_confirmation_code(ClientId=client["ClientId"], Username="ghost")
    assert error_of(exc) == ("UserNotFoundException", "Username/client id combination not found.")


def test_unknown_user_existence_hidden(idp, server, email_pool):
    pool, _ = email_pool
    client = make_client(idp, pool["Id"], PreventUserExistenceErrors="ENABLED")
    with pytest.raises(ClientError) as exc:
        idp.confirm_sign_up(ClientId=client["ClientId"], Username="ghost", ConfirmationCode="123456")
    assert error_of(exc) == ("CodeMismatchException", "Invalid verification code provided, please try again.")
    faked = idp.resend_confirmation_code(ClientId=client["ClientId"], Username="ghost@example.com")
    assert faked["CodeDeliveryDetails"] == {"Destination": "g***@e***", "DeliveryMedium": "EMAIL",
                                            "AttributeName": "email"}
    again = idp.resend_confirmation_code(ClientId=client["ClientId"], Username="ghost")
    assert again["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"
    assert messages(server, pool["Id"]) == []


# --- AdminConfirmSignUp ----------------------------------------------------------------------

def test_admin_confirm_sign_up(idp, server, email_pool):
    pool, client = email_pool
    sign_up(idp, client["ClientId"])
    code = latest_code(server, pool["Id"])
    idp.admin_confirm_sign_up(UserPoolId=pool["Id"], Username="alice")
    user = stored_user(server, pool["Id"], "alice")
    assert user.status == "CONFIRMED"
    assert "email_verified" not in user.attributes  # unlike ConfirmSignUp
    with pytest.raises(ClientError) as exc:
        idp.admin_confirm_sign_up(UserPoolId=pool["Id"], Username="alice")
    assert error_of(exc) == ("NotAuthorizedException", "User cannot be confirmed. Current status is CONFIRMED")
    with pytest.raises(ClientError) as exc:
        idp.confirm_sign_up(ClientId=client["ClientId"], Username="alice", ConfirmationCode=code)
    assert error_of(exc)[0] == "NotAuthorizedException"
    with pytest.raises(ClientError) as exc:
        idp.admin_confirm_sign_up(UserPoolId=pool["Id"], Username="ghost")
    assert error_of(exc) == ("UserNotFoundException", "User does not exist.")
    with pytest.raises(ClientError) as exc:
        idp.admin_confirm_sign_up(UserPoolId="eu-west-1_nosuchpoo", Username="alice")
    assert error_of(exc)[0] == "ResourceNotFoundException"


def test_unsigned_request_as_browser_sdks_send_it(server, idp, email_pool):
    """Amplify and amazon-cognito-identity-js call the public operations without SigV4."""
    pool, client = email_pool
    body = {"ClientId": client["ClientId"], "Username": "carol", "Password": PASSWORD,
            "UserAttributes": [{"Name": "email", "Value": "carol@example.com"}]}
    answer = requests.post(server.url + "/", data=json.dumps(body), timeout=10, headers={
        "X-Amz-Target": "AWSCognitoIdentityProviderService.SignUp", "Content-Type": "application/x-amz-json-1.1"})
    assert answer.status_code == 200
    assert answer.json()["CodeDeliveryDetails"]["Destination"] == "c***@e***"
    assert answer.json()["UserConfirmed"] is False
    missing = requests.post(server.url + "/", data=json.dumps({**body, "ClientId": "unknownclient"}), timeout=10,
                            headers={"X-Amz-Target": "AWSCognitoIdentityProviderService.SignUp",
                                     "Content-Type": "application/x-amz-json-1.1"})
    assert missing.status_code == 400
    assert missing.json() == {"__type": "ResourceNotFoundException",
                              "message": "User pool client unknownclient does not exist."}
