"""Attribute rules: schema names, value formats, custom constraints, immutability, required
attributes, client write permissions, and what changing an e-mail does (codes, pending values)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import requests
from botocore.exceptions import ClientError

from emulator.context import Context
from emulator.errors import InvalidParameterException, NotAuthorizedException
from emulator.userpool import attributes, schema
from emulator.userpool.directory import find_user
from emulator.userpool.lookup import get_pool
from emulator.userpool.models import AppClient, UserPool
from tests.auth_helpers import make_pool  # noqa: F401 - fixture

CUSTOM = [
    {"Name": "age", "AttributeDataType": "Number", "NumberAttributeConstraints": {"MinValue": "0", "MaxValue": "150"}},
    {"Name": "code", "AttributeDataType": "String", "StringAttributeConstraints": {"MinLength": "2", "MaxLength": "4"}},
    {"Name": "fixed", "AttributeDataType": "String", "Mutable": False},
    {"Name": "secret", "AttributeDataType": "String", "DeveloperOnlyAttribute": True},
]


def _error(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    err = exc.value.response["Error"]
    return err["Code"], err["Message"]


def _attrs(items: list[dict[str, str]]) -> dict[str, str]:
    return {a["Name"]: a["Value"] for a in items}


def _list(**values: str) -> list[dict[str, str]]:
    return [{"Name": k.replace("__", ":"), "Value": v} for k, v in values.items()]



@pytest.fixture
def custom_pool(make_pool: Any) -> str:
    return make_pool(Schema=CUSTOM, AutoVerifiedAttributes=["email"])


def _create_error(idp: Any, pool_id: str, attrs: list[dict[str, str]]) -> tuple[str, str]:
    with pytest.raises(ClientError) as exc:
        idp.admin_create_user(UserPoolId=pool_id, Username=f"u{uuid.uuid4().hex[:6]}", UserAttributes=attrs,
                              MessageAction="SUPPRESS")
    return _error(exc)


SCHEMA = "Attributes did not conform to the schema: "


@pytest.mark.parametrize(("attrs", "expected"), [
    (_list(custom__nope="x"), SCHEMA + "Type for attribute {custom:nope} could not be determined"),
    (_list(favourite_colour="x"), SCHEMA + "Type for attribute {favourite_colour} could not be determined"),
    (_list(phone_number="5555550100"), "Invalid phone number format."),
    (_list(phone_number="+1 555 555 0100"), "Invalid phone number format."),
    (_list(email="not-an-email"), "Invalid email address format."),
    (_list(email="a@b.c", email_verified="yes"), SCHEMA + "email_verified: Value must be either true or false"),
    (_list(email_verified="true"), "Email is required to verify/un-verify an email"),
    (_list(phone_number_verified="true"), "Phone Number is required to verify/un-verify a phone number"),
    (_list(birthdate="01/02/1990"), SCHEMA + "birthdate: Value must be a date in the format YYYY-MM-DD"),
    (_list(birthdate="1990-02-30"), SCHEMA + "birthdate: Value must be a date in the format YYYY-MM-DD"),
    (_list(custom__age="old"), SCHEMA + "custom:age: Number must be a valid number"),
    (_list(custom__age="151"), SCHEMA + "custom:age: Number must be no greater than 150"),
    (_list(custom__age="-1"), SCHEMA + "custom:age: Number must be no less than 0"),
    (_list(custom__code="x"), SCHEMA + "custom:code: String must be no shorter than 2 characters"),
    (_list(custom__code="toolong"), SCHEMA + "custom:code: String must be no longer than 4 characters"),
    (_list(updated_at="-5"), SCHEMA + "updated_at: Number must be no less than 0"),
    (_list(sub="0b5e1d1a-0000-4000-8000-000000000000"),
     SCHEMA + "sub: Attribute cannot be updated. (changing an immutable attribute)"),
])
def test_bad_values_on_create(idp: Any, custom_pool: str, attrs: list[dict[str, str]], expected: str) -> None:
    assert _create_error(idp, custom_pool, attrs) == ("InvalidParameterException", expected)


def test_good_values_are_kept(idp: Any, custom_pool: str) -> None:
    attrs = _list(email="a@example.com", email_verified="true", phone_number="+445555550100", birthdate="1990-02-28",
                  custom__age="42.5", custom__code="ab", custom__fixed="set-once", dev__custom__secret="s3",
                  updated_at="1700000000", name="Ann")
    user = idp.admin_create_user(UserPoolId=custom_pool, Username="ann", UserAttributes=attrs,
                                 MessageAction="SUPPRESS")["User"]
    got = _attrs(user["Attributes"])
    assert got.pop("sub")
    assert got == {a["Name"]: a["Value"] for a in attrs}


def test_admin_create_does_not_enforce_required_attributes(idp: Any, make_pool: Any) -> None:
    """AWS: required attributes may be supplied later by the user (NEW_PASSWORD_REQUIRED)."""
    pool_id = make_pool(Schema=[{"Name": "email", "AttributeDataType": "String", "Required": True}])
    user = idp.admin_create_user(UserPoolId=pool_id, Username="norequired", MessageAction="SUPPRESS")["User"]
    assert "email" not in _attrs(user["Attributes"])


def test_update_refuses_unknown_and_immutable(idp: Any, custom_pool: str) -> None:
    idp.admin_create_user(UserPoolId=custom_pool, Username="bea", MessageAction="SUPPRESS")
    cases = [
        (_list(custom__nope="1"), "user.custom:nope: Attribute does not exist in the schema."),
        (_list(custom__fixed="late"), "user.custom:fixed: Attribute cannot be updated. (changing an immutable attribute)"),
        (_list(sub="x"), "user.sub: Attribute cannot be updated. (changing an immutable attribute)"),
    ]
    for attrs, expected in cases:
        with pytest.raises(ClientError) as exc:
            idp.admin_update_user_attributes(UserPoolId=custom_pool, Username="bea", UserAttributes=attrs)
        code, message = _error(exc)
        assert code == "InvalidParameterException" and message.strip() == expected
    with pytest.raises(ClientError) as exc:
        idp.admin_update_user_attributes(UserPoolId=custom_pool, Username="bea", UserAttributes=_list(custom__age="x"))
    assert _error(exc) == ("InvalidParameterException", SCHEMA + "custom:age: Number must be a valid number")


def test_update_sets_and_blank_deletes(idp: Any, custom_pool: str) -> None:
    idp.admin_create_user(UserPoolId=custom_pool, Username="cy", MessageAction="SUPPRESS",
                          UserAttributes=_list(name="Cy", custom__code="abc"))
    idp.admin_update_user_attributes(UserPoolId=custom_pool, Username="cy",
                                     UserAttributes=_list(name="", given_name="C", custom__code="xyz"))
    got = _attrs(idp.admin_get_user(UserPoolId=custom_pool, Username="cy")["UserAttributes"])
    assert "name" not in got and got["given_name"] == "C" and got["custom:code"] == "xyz"


def test_required_attributes_cannot_be_removed(idp: Any, make_pool: Any) -> None:
    pool_id = make_pool(Schema=[{"Name": "email", "AttributeDataType": "String", "Required": True}])
    idp.admin_create_user(UserPoolId=pool_id, Username="dee", MessageAction="SUPPRESS",
                          UserAttributes=_list(email="dee@example.com"))
    with pytest.raises(ClientError) as exc:
        idp.admin_delete_user_attributes(UserPoolId=pool_id, Username="dee", UserAttributeNames=["email"])
    assert _error(exc) == ("InvalidParameterException", SCHEMA + "email: The attribute is required")
    with pytest.raises(ClientError) as exc:
        idp.admin_update_user_attributes(UserPoolId=pool_id, Username="dee", UserAttributes=_list(email=""))
    assert _error(exc) == ("InvalidParameterException", SCHEMA + "email: The attribute is required")


def test_delete_attributes(idp: Any, custom_pool: str) -> None:
    idp.admin_create_user(UserPoolId=custom_pool, Username="eve", MessageAction="SUPPRESS",
                          UserAttributes=_list(email="eve@example.com", email_verified="true", nickname="E"))
    idp.admin_delete_user_attributes(UserPoolId=custom_pool, Username="eve", UserAttributeNames=["email", "nickname"])
    got = _attrs(idp.admin_get_user(UserPoolId=custom_pool, Username="eve")["UserAttributes"])
    assert set(got) == {"sub"}
    with pytest.raises(ClientError) as exc:
        idp.admin_delete_user_attributes(UserPoolId=custom_pool, Username="eve", UserAttributeNames=["custom:nope"])
    assert _error(exc)[0] == "InvalidParameterException"


def _messages(server: Any, pool_id: str) -> list[dict[str, Any]]:
    return requests.get(f"{server.url}/_cogito/messages", params={"pool_id": pool_id}, timeout=10).json()["messages"]


def test_changing_an_email_unverifies_it_and_sends_a_code(idp: Any, custom_pool: str, server: Any) -> None:
    idp.admin_create_user(UserPoolId=custom_pool, Username="fay", MessageAction="SUPPRESS",
                          UserAttributes=_list(email="fay@example.com", email_verified="true"))
    idp.admin_update_user_attributes(UserPoolId=custom_pool, Username="fay", UserAttributes=_list(email="fay@new.example"))
    got = _attrs(idp.admin_get_user(UserPoolId=custom_pool, Username="fay")["UserAttributes"])
    assert got["email"] == "fay@new.example" and got["email_verified"] == "false"
    [message] = _messages(server, custom_pool)
    assert message["kind"] == "VERIFY_ATTRIBUTE" and message["destination"] == "fay@new.example"
    assert message["body"] == f"Your verification code is {message['code']}. "


def test_admin_can_mark_the_new_email_verified(idp: Any, custom_pool: str, server: Any) -> None:
    idp.admin_create_user(UserPoolId=custom_pool, Username="gil", MessageAction="SUPPRESS",
                          UserAttributes=_list(email="gil@example.com"))
    idp.admin_update_user_attributes(UserPoolId=custom_pool, Username="gil",
                                     UserAttributes=_list(email="gil@new.example", email_verified="true"))
    got = _attrs(idp.admin_get_user(UserPoolId=custom_pool, Username="gil")["UserAttributes"])
    assert got["email"] == "gil@new.example" and got["email_verified"] == "true"
    assert _messages(server, custom_pool) == []


def test_without_auto_verification_no_code_is_sent(idp: Any, pool: dict[str, Any], server: Any) -> None:
    idp.admin_create_user(UserPoolId=pool["Id"], Username="hub", MessageAction="SUPPRESS",
                          UserAttributes=_list(phone_number="+15555550111", phone_number_verified="true"))
    idp.admin_update_user_attributes(UserPoolId=pool["Id"], Username="hub",
                                     UserAttributes=_list(phone_number="+15555550112"))
    got = _attrs(idp.admin_get_user(UserPoolId=pool["Id"], Username="hub")["UserAttributes"])
    assert got["phone_number"] == "+15555550112" and got["phone_number_verified"] == "false"
    assert _messages(server, pool["Id"]) == []


def test_verification_before_update_keeps_the_old_value(idp: Any, make_pool: Any, server: Any) -> None:
    pool_id = make_pool(AutoVerifiedAttributes=["email"], AliasAttributes=["email"],
                        UserAttributeUpdateSettings={"AttributesRequireVerificationBeforeUpdate": ["email"]})
    idp.admin_create_user(UserPoolId=pool_id, Username="ida", MessageAction="SUPPRESS",
                          UserAttributes=_list(email="ida@example.com", email_verified="true"))
    idp.admin_update_user_attributes(UserPoolId=pool_id, Username="ida", UserAttributes=_list(email="ida@new.example"))
    got = _attrs(idp.admin_get_user(UserPoolId=pool_id, Username="ida")["UserAttributes"])
    assert got["email"] == "ida@example.com" and got["email_verified"] == "true"
    assert idp.admin_get_user(UserPoolId=pool_id, Username="ida@example.com")["Username"] == "ida"
    [message] = _messages(server, pool_id)
    assert message["destination"] == "ida@new.example" and message["kind"] == "VERIFY_ATTRIBUTE"

    # What VerifyUserAttribute does with a good code: the new value replaces the old one.
    with server.state.store.transaction() as db:
        ctx = Context(settings=server.state.settings, db=db, service="cognito-idp", operation="VerifyUserAttribute",
                      region="eu-west-1", account_id="000000000000", request_id="t", now=server.state.clock.now(),
                      base_url=server.url)
        pool = get_pool(db, pool_id)
        user = find_user(db, pool, "ida")
        assert user is not None and attributes.pending_value(ctx, user, "email") == "ida@new.example"
        attributes.confirm_attribute(ctx, pool, user, "email")
    got = _attrs(idp.admin_get_user(UserPoolId=pool_id, Username="ida")["UserAttributes"])
    assert got["email"] == "ida@new.example" and got["email_verified"] == "true"
    assert idp.admin_get_user(UserPoolId=pool_id, Username="ida@new.example")["Username"] == "ida"
    with pytest.raises(ClientError):
        idp.admin_get_user(UserPoolId=pool_id, Username="ida@example.com")


# --- the SignUp side (a client is given): pure checks on in-memory pools and clients ---------

def _pool(**config: Any) -> UserPool:
    return UserPool(id="eu-west-1_unit", config={"SchemaAttributes": schema.build_schema(config.pop("Schema", None)),
                                                 **config})


def test_sign_up_enforces_required_attributes() -> None:
    pool = _pool(Schema=[{"Name": "email", "AttributeDataType": "String", "Required": True}])
    client = AppClient(client_id="c", config={})
    with pytest.raises(InvalidParameterException) as exc:
        attributes.validate_new(pool, _list(name="x"), client=client)
    assert exc.value.message == SCHEMA + "email: The attribute is required"
    assert attributes.validate_new(pool, _list(email="a@b.example"), client=client) == {"email": "a@b.example"}


def test_client_write_attributes() -> None:
    pool = _pool(Schema=CUSTOM)
    limited = AppClient(client_id="c", config={"WriteAttributes": ["email", "custom:age"]})
    assert attributes.validate_new(pool, _list(email="a@b.example", custom__age="3"), client=limited)
    for attrs in (_list(name="x"), _list(dev__custom__secret="x")):
        with pytest.raises((NotAuthorizedException, InvalidParameterException)) as exc:
            attributes.validate_new(pool, attrs, client=limited)
        assert "unauthorized attribute" in exc.value.message or "could not be determined" in exc.value.message
    with pytest.raises(NotAuthorizedException) as exc:
        attributes.validate_new(pool, _list(name="x"), client=limited)
    assert exc.value.message == "A client attempted to write unauthorized attribute"
    unlimited = AppClient(client_id="d", config={})
    assert attributes.validate_new(pool, _list(name="x", custom__code="ab"), client=unlimited)


def test_unset_immutable_attribute_can_be_given_once_when_allowed() -> None:
    """NEW_PASSWORD_REQUIRED may supply an immutable attribute the invited user lacks."""
    from emulator.userpool.directory_models import User

    pool = _pool(Schema=CUSTOM)
    user = User(attributes={"sub": "s"})
    assert attributes.validate_update(pool, user, _list(custom__fixed="v"), client=None,
                                      allow_unset_immutable=True) == {"custom:fixed": "v"}
    with pytest.raises(InvalidParameterException):
        attributes.validate_update(pool, user, _list(custom__fixed="v"), client=None)
    user.attributes = {"sub": "s", "custom:fixed": "old"}
    with pytest.raises(InvalidParameterException):
        attributes.validate_update(pool, user, _list(custom__fixed="v"), client=None, allow_unset_immutable=True)
