"""SECRET_HASH: the reference value, the checker, and every public operation over the wire."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from emulator.errors import NotAuthorizedException
from emulator.userpool import secret_hash
from emulator.userpool.models import AppClient
from tests.test_signup import (  # noqa: F401 - fixtures
    EMAIL,
    PASSWORD,
    error_of,
    latest_code,
    make_client,
    make_pool,
    stored_user,
)

REF_SECRET = "1example23456789secretabcdefghijklmno"
REF_CLIENT = "1example23456789"
REF_HASH = "6gdnx7nQyBMqqSU680ybZCRSoDKoIRZHBgLcbkPi220="


def test_reference_value():
    assert secret_hash.compute(REF_SECRET, "alice", REF_CLIENT) == REF_HASH
    assert secret_hash.compute(REF_SECRET, "alicE", REF_CLIENT) != REF_HASH


def test_check_unit():
    client = AppClient(client_id=REF_CLIENT, secret=REF_SECRET)
    secret_hash.check(client, REF_HASH, "alice")
    secret_hash.check(client, REF_HASH, ["0b7c-uuid", "alice"])  # any of the names may match
    with pytest.raises(NotAuthorizedException) as exc:
        secret_hash.check(client, None, "alice")
    assert exc.value.message == f"Client {REF_CLIENT} is configured for secret but secret was not received"
    with pytest.raises(NotAuthorizedException) as exc:
        secret_hash.check(client, REF_HASH, "bob")
    assert exc.value.message == f"Unable to verify secret hash for client {REF_CLIENT}"
    secret_hash.check(AppClient(client_id="x", secret=None), "anything", "alice")  # no secret: not checked


@pytest.fixture
def secret_client(idp: Any, make_pool: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    pool = make_pool(AutoVerifiedAttributes=["email"])
    return pool, make_client(idp, pool["Id"], GenerateSecret=True)


def _hash(client: dict[str, Any], username: str) -> str:
    return secret_hash.compute(client["ClientSecret"], username, client["ClientId"])


CALLS = {
    "SignUp": lambda idp, c, extra: idp.sign_up(ClientId=c, Username="bob", Password=PASSWORD, **extra),
    "ConfirmSignUp": lambda idp, c, extra: idp.confirm_sign_up(ClientId=c, Username="bob",
                                                               ConfirmationCode="123456", **extra),
    "ResendConfirmationCode": lambda idp, c, extra: idp.resend_confirmation_code(ClientId=c, Username="bob",
                                                                                 **extra),
    "ForgotPassword": lambda idp, c, extra: idp.forgot_password(ClientId=c, Username="bob", **extra),
    "ConfirmForgotPassword": lambda idp, c, extra: idp.confirm_forgot_password(
        ClientId=c, Username="bob", ConfirmationCode="123456", Password=PASSWORD, **extra),
}


@pytest.mark.parametrize("operation", list(CALLS))
def test_every_public_operation_checks_the_hash(idp, secret_client, operation):
    _pool, client = secret_client
    call = CALLS[operation]
    with pytest.raises(ClientError) as exc:
        call(idp, client["ClientId"], {})
    assert error_of(exc) == ("NotAuthorizedException",
                             f"Client {client['ClientId']} is configured for secret but secret was not received")
    with pytest.raises(ClientError) as exc:
        call(idp, client["ClientId"], {"SecretHash": _hash(client, "alice")})
    assert error_of(exc) == ("NotAuthorizedException", f"Unable to verify secret hash for client {client['ClientId']}")


def test_flow_with_a_secret(idp, server, secret_client):
    pool, client = secret_client
    cid = client["ClientId"]
    idp.sign_up(ClientId=cid, Username="bob", Password=PASSWORD, SecretHash=_hash(client, "bob"),
                UserAttributes=[{"Name": "email", "Value": EMAIL}])
    idp.resend_confirmation_code(ClientId=cid, Username="bob", SecretHash=_hash(client, "bob"))
    idp.confirm_sign_up(ClientId=cid, Username="bob", SecretHash=_hash(client, "bob"),
                        ConfirmationCode=latest_code(server, pool["Id"]))
    idp.forgot_password(ClientId=cid, Username="bob", SecretHash=_hash(client, "bob"))
    idp.confirm_forgot_password(ClientId=cid, Username="bob", SecretHash=_hash(client, "bob"), Password="Other-pa55",
                                ConfirmationCode=latest_code(server, pool["Id"], kind="FORGOT_PASSWORD"))


def test_secret_hash_is_checked_before_the_user(idp, secret_client):
    """An unknown user with a bad hash hears about the hash, not the user."""
    _pool, client = secret_client
    with pytest.raises(ClientError) as exc:
        idp.forgot_password(ClientId=client["ClientId"], Username="ghost", SecretHash=_hash(client, "nobody"))
    assert error_of(exc)[0] == "NotAuthorizedException"
    with pytest.raises(ClientError) as exc:
        idp.forgot_password(ClientId=client["ClientId"], Username="ghost", SecretHash=_hash(client, "ghost"))
    assert error_of(exc)[0] == "UserNotFoundException"


def test_email_pool_accepts_the_name_sent_or_the_internal_one(idp, server, make_pool):
    pool = make_pool(AutoVerifiedAttributes=["email"], UsernameAttributes=["email"])
    client = make_client(idp, pool["Id"], GenerateSecret=True)
    sub = idp.sign_up(ClientId=client["ClientId"], Username=EMAIL, Password=PASSWORD,
                      SecretHash=_hash(client, EMAIL))["UserSub"]
    idp.resend_confirmation_code(ClientId=client["ClientId"], Username=EMAIL, SecretHash=_hash(client, sub))
    idp.confirm_sign_up(ClientId=client["ClientId"], Username=EMAIL, SecretHash=_hash(client, EMAIL),
                        ConfirmationCode=latest_code(server, pool["Id"]))
    assert stored_user(server, pool["Id"], EMAIL).status == "CONFIRMED"
