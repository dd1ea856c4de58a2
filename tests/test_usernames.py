"""Sign-in identifiers: e-mail/phone usernames, aliases (verified, unique, forced), and
case-insensitive usernames, through the admin operations."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.auth_helpers import make_pool  # noqa: F401 - fixture


def _error(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    err = exc.value.response["Error"]
    return err["Code"], err["Message"]


def _attrs(items: list[dict[str, str]]) -> dict[str, str]:
    return {a["Name"]: a["Value"] for a in items}


def _list(**values: str) -> list[dict[str, str]]:
    return [{"Name": k, "Value": v} for k, v in values.items()]



def _create(idp: Any, pool_id: str, username: str, **attrs: str) -> dict[str, Any]:
    return idp.admin_create_user(UserPoolId=pool_id, Username=username, UserAttributes=_list(**attrs),
                                 MessageAction="SUPPRESS", ForceAliasCreation=False)["User"]


def test_email_as_username(idp: Any, make_pool: Any) -> None:
    pool_id = make_pool(UsernameAttributes=["email"])
    user = _create(idp, pool_id, "Alice@Example.com", email_verified="true")
    attrs = _attrs(user["Attributes"])
    assert user["Username"] == attrs["sub"] and len(user["Username"]) == 36
    assert attrs["email"] == "Alice@Example.com"
    by_email = idp.admin_get_user(UserPoolId=pool_id, Username="Alice@Example.com")
    assert by_email["Username"] == user["Username"]
    assert idp.admin_get_user(UserPoolId=pool_id, Username=user["Username"])["Username"] == user["Username"]


def test_email_username_is_unique_even_unverified(idp: Any, make_pool: Any) -> None:
    pool_id = make_pool(UsernameAttributes=["email"])
    _create(idp, pool_id, "bob@example.com")
    with pytest.raises(ClientError) as exc:
        _create(idp, pool_id, "bob@example.com")
    assert _error(exc) == ("UsernameExistsException", "An account with the given email already exists.")


@pytest.mark.parametrize(("kinds", "username", "message"), [
    (["email"], "carol", "Username should be an email."),
    (["phone_number"], "carol@example.com", "Username should be a phone number."),
    (["email", "phone_number"], "carol", "Username should be either an email or a phone number."),
])
def test_username_attribute_shape(idp: Any, make_pool: Any, kinds: list[str], username: str, message: str) -> None:
    pool_id = make_pool(UsernameAttributes=kinds)
    with pytest.raises(ClientError) as exc:
        _create(idp, pool_id, username)
    assert _error(exc) == ("InvalidParameterException", message)


def test_phone_as_username(idp: Any, make_pool: Any) -> None:
    pool_id = make_pool(UsernameAttributes=["email", "phone_number"])
    user = _create(idp, pool_id, "+15555550123")
    assert _attrs(user["Attributes"])["phone_number"] == "+15555550123"
    assert idp.admin_get_user(UserPoolId=pool_id, Username="+15555550123")["Username"] == user["Username"]


def test_alias_pool_refuses_email_shaped_usernames(idp: Any, make_pool: Any) -> None:
    pool_id = make_pool(AliasAttributes=["email"])
    with pytest.raises(ClientError) as exc:
        _create(idp, pool_id, "dan@example.com")
    assert _error(exc) == ("InvalidParameterException",
                           "Username cannot be of email format, since user pool is configured for email alias.")


def test_alias_works_only_when_verified(idp: Any, make_pool: Any) -> None:
    pool_id = make_pool(AliasAttributes=["email", "phone_number"])
    _create(idp, pool_id, "erin", email="erin@example.com", email_verified="true", phone_number="+15555550140")
    assert idp.admin_get_user(UserPoolId=pool_id, Username="erin@example.com")["Username"] == "erin"
    with pytest.raises(ClientError) as exc:
        idp.admin_get_user(UserPoolId=pool_id, Username="+15555550140")
    assert _error(exc) == ("UserNotFoundException", "User does not exist.")
    idp.admin_update_user_attributes(UserPoolId=pool_id, Username="erin",
                                     UserAttributes=_list(phone_number_verified="true"))
    assert idp.admin_get_user(UserPoolId=pool_id, Username="+15555550140")["Username"] == "erin"


def test_verified_alias_clash_and_forced_move(idp: Any, make_pool: Any) -> None:
    pool_id = make_pool(AliasAttributes=["email"])
    _create(idp, pool_id, "first", email="same@example.com", email_verified="true")
    with pytest.raises(ClientError) as exc:
        _create(idp, pool_id, "second", email="same@example.com", email_verified="true")
    assert _error(exc) == ("AliasExistsException", "An account with the email already exists.")
    with pytest.raises(ClientError):
        idp.admin_get_user(UserPoolId=pool_id, Username="second")
    # An unverified copy of the address is no clash.
    _create(idp, pool_id, "third", email="same@example.com")
    idp.admin_create_user(UserPoolId=pool_id, Username="second", MessageAction="SUPPRESS", ForceAliasCreation=True,
                          UserAttributes=_list(email="same@example.com", email_verified="true"))
    assert idp.admin_get_user(UserPoolId=pool_id, Username="same@example.com")["Username"] == "second"
    first = _attrs(idp.admin_get_user(UserPoolId=pool_id, Username="first")["UserAttributes"])
    assert first["email"] == "same@example.com" and first["email_verified"] == "false"


def test_verifying_an_address_someone_holds_is_refused(idp: Any, make_pool: Any) -> None:
    pool_id = make_pool(AliasAttributes=["email"])
    _create(idp, pool_id, "holder", email="x@example.com", email_verified="true")
    _create(idp, pool_id, "other", email="x@example.com")
    with pytest.raises(ClientError) as exc:
        idp.admin_update_user_attributes(UserPoolId=pool_id, Username="other",
                                         UserAttributes=_list(email_verified="true"))
    assert _error(exc) == ("AliasExistsException", "An account with the email already exists.")
    assert _attrs(idp.admin_get_user(UserPoolId=pool_id, Username="other")["UserAttributes"]).get("email_verified") \
        != "true"


def test_changed_email_moves_the_alias(idp: Any, make_pool: Any) -> None:
    pool_id = make_pool(AliasAttributes=["email"])
    _create(idp, pool_id, "gwen", email="old@example.com", email_verified="true")
    idp.admin_update_user_attributes(UserPoolId=pool_id, Username="gwen",
                                     UserAttributes=_list(email="new@example.com", email_verified="true"))
    assert idp.admin_get_user(UserPoolId=pool_id, Username="new@example.com")["Username"] == "gwen"
    with pytest.raises(ClientError):
        idp.admin_get_user(UserPoolId=pool_id, Username="old@example.com")
    # The freed address can be someone else's verified alias now.
    _create(idp, pool_id, "hank", email="old@example.com", email_verified="true")
    assert idp.admin_get_user(UserPoolId=pool_id, Username="old@example.com")["Username"] == "hank"


def test_preferred_username_alias(idp: Any, make_pool: Any) -> None:
    pool_id = make_pool(AliasAttributes=["preferred_username"])
    _create(idp, pool_id, "ivan", preferred_username="ivan_the_great")
    assert idp.admin_get_user(UserPoolId=pool_id, Username="ivan_the_great")["Username"] == "ivan"
    with pytest.raises(ClientError) as exc:
        _create(idp, pool_id, "ivan2", preferred_username="ivan_the_great")
    assert _error(exc) == ("AliasExistsException", "An account with the preferred_username already exists.")


def test_deleting_a_user_frees_its_aliases(idp: Any, make_pool: Any) -> None:
    pool_id = make_pool(UsernameAttributes=["email"])
    _create(idp, pool_id, "jo@example.com")
    idp.admin_delete_user(UserPoolId=pool_id, Username="jo@example.com")
    user = _create(idp, pool_id, "jo@example.com")
    assert idp.admin_get_user(UserPoolId=pool_id, Username="jo@example.com")["Username"] == user["Username"]


def test_case_insensitive_usernames(idp: Any, make_pool: Any) -> None:
    pool_id = make_pool(UsernameConfiguration={"CaseSensitive": False}, AliasAttributes=["email"])
    user = _create(idp, pool_id, "Kate", email="Kate@Example.com", email_verified="true")
    assert user["Username"] == "Kate"
    assert idp.admin_get_user(UserPoolId=pool_id, Username="kATE")["Username"] == "Kate"
    assert idp.admin_get_user(UserPoolId=pool_id, Username="kate@example.COM")["Username"] == "Kate"
    with pytest.raises(ClientError) as exc:
        _create(idp, pool_id, "KATE")
    assert _error(exc) == ("UsernameExistsException", "User account already exists")


def test_case_sensitive_by_default(idp: Any, pool: dict[str, Any]) -> None:
    _create(idp, pool["Id"], "Liam")
    _create(idp, pool["Id"], "liam")
    assert idp.admin_get_user(UserPoolId=pool["Id"], Username="liam")["Username"] == "liam"
    with pytest.raises(ClientError) as exc:
        idp.admin_get_user(UserPoolId=pool["Id"], Username="LIAM")
    assert _error(exc)[0] == "UserNotFoundException"
