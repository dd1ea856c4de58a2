"""Groups and memberships over the wire: CRUD, paging, precedence order, quotas, races."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Callable

import pytest
from sqlalchemy import func, select

from emulator.userpool import groups as groups_module
from emulator.userpool.directory_models import Group, Membership, User
from tests.auth_helpers import race
from tests.conftest import LiveServer

ROLE = "arn:aws:iam::123456789012:role/admins"
OTHER_ROLE = "arn:aws:iam::123456789012:role/readers"


def error(call: Callable[[], Any]) -> tuple[str, str]:
    """The (code, message) a call fails with."""
    from botocore.exceptions import ClientError

    with pytest.raises(ClientError) as info:
        call()
    err = info.value.response["Error"]
    return err["Code"], err["Message"]


def make_user(idp: Any, pool_id: str, username: str, **attrs: str) -> dict[str, Any]:
    return idp.admin_create_user(
        UserPoolId=pool_id, Username=username, MessageAction="SUPPRESS",
        UserAttributes=[{"Name": k, "Value": v} for k, v in attrs.items()],
    )["User"]


def unchecked_client(server: LiveServer) -> Any:
    """A boto3 client that sends what it is given (no client-side checks), as other SDKs may."""
    import boto3
    from botocore.config import Config

    return boto3.client(
        "cognito-idp", endpoint_url=server.url, region_name="eu-west-1", aws_access_key_id="test",
        aws_secret_access_key="test", config=Config(parameter_validation=False, retries={"max_attempts": 1}),
    )



# --- CRUD -------------------------------------------------------------------------------


def test_create_and_get_group(idp: Any, pool: dict[str, Any]) -> None:
    created = idp.create_group(
        UserPoolId=pool["Id"], GroupName="admins", Description="The admins", RoleArn=ROLE, Precedence=1,
    )["Group"]
    assert created["GroupName"] == "admins"
    assert created["UserPoolId"] == pool["Id"]
    assert created["Description"] == "The admins"
    assert created["RoleArn"] == ROLE
    assert created["Precedence"] == 1
    assert isinstance(created["CreationDate"], datetime)
    assert isinstance(created["LastModifiedDate"], datetime)
    fetched = idp.get_group(UserPoolId=pool["Id"], GroupName="admins")["Group"]
    assert fetched == created


def test_minimal_group_has_no_optional_members(idp: Any, pool: dict[str, Any]) -> None:
    group = idp.create_group(UserPoolId=pool["Id"], GroupName="plain")["Group"]
    assert "Description" not in group and "RoleArn" not in group and "Precedence" not in group


def test_duplicate_group(idp: Any, pool: dict[str, Any]) -> None:
    idp.create_group(UserPoolId=pool["Id"], GroupName="dup")
    code, message = error(lambda: idp.create_group(UserPoolId=pool["Id"], GroupName="dup"))
    assert (code, message) == ("GroupExistsException", "A group with the name dup already exists.")


def test_group_names_are_per_pool_and_case_sensitive(idp: Any, pool: dict[str, Any]) -> None:
    other = idp.create_user_pool(PoolName=f"other-{uuid.uuid4().hex[:6]}")["UserPool"]["Id"]
    try:
        idp.create_group(UserPoolId=pool["Id"], GroupName="same")
        idp.create_group(UserPoolId=other, GroupName="same")
        idp.create_group(UserPoolId=pool["Id"], GroupName="Same")
        names = [g["GroupName"] for g in idp.list_groups(UserPoolId=pool["Id"])["Groups"]]
        assert sorted(names) == ["Same", "same"]
    finally:
        idp.delete_user_pool(UserPoolId=other)


def test_unknown_pool_and_group(idp: Any, pool: dict[str, Any]) -> None:
    code, _ = error(lambda: idp.create_group(UserPoolId="eu-west-1_nope", GroupName="g"))
    assert code == "ResourceNotFoundException"
    for call in (
        lambda: idp.get_group(UserPoolId=pool["Id"], GroupName="ghost"),
        lambda: idp.update_group(UserPoolId=pool["Id"], GroupName="ghost", Precedence=1),
        lambda: idp.delete_group(UserPoolId=pool["Id"], GroupName="ghost"),
        lambda: idp.list_users_in_group(UserPoolId=pool["Id"], GroupName="ghost"),
    ):
        assert error(call) == ("ResourceNotFoundException", "Group not found.")


def test_update_changes_only_given_fields(idp: Any, pool: dict[str, Any]) -> None:
    idp.create_group(UserPoolId=pool["Id"], GroupName="g", Description="d", RoleArn=ROLE, Precedence=5)
    updated = idp.update_group(UserPoolId=pool["Id"], GroupName="g", Precedence=0)["Group"]
    assert (updated["Description"], updated["RoleArn"], updated["Precedence"]) == ("d", ROLE, 0)
    updated = idp.update_group(UserPoolId=pool["Id"], GroupName="g", RoleArn=OTHER_ROLE, Description="e")["Group"]
    assert (updated["Description"], updated["RoleArn"], updated["Precedence"]) == ("e", OTHER_ROLE, 0)
    assert idp.get_group(UserPoolId=pool["Id"], GroupName="g")["Group"] == updated


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"Precedence": -1},
         "at 'precedence' failed to satisfy constraint: Member must have value greater than or equal to 0"),
        ({"RoleArn": "not-an-arn-but-long-enough"}, "at 'roleArn' failed to satisfy constraint"),
        ({"GroupName": "has space"}, "at 'groupName' failed to satisfy constraint"),
    ],
)
def test_invalid_group_input(
    server: LiveServer, pool: dict[str, Any], kwargs: dict[str, Any], fragment: str,
) -> None:
    raw = unchecked_client(server)
    params = {"UserPoolId": pool["Id"], "GroupName": "g", **kwargs}
    code, message = error(lambda: raw.create_group(**params))
    assert code == "InvalidParameterException"
    assert fragment in message


def test_precedence_range(idp: Any, pool: dict[str, Any]) -> None:
    """The maximum is 2^31-1 (API reference); one more is not a 32-bit integer and never reaches the store."""
    group = idp.create_group(UserPoolId=pool["Id"], GroupName="last", Precedence=2**31 - 1)["Group"]
    assert group["Precedence"] == 2**31 - 1
    code, _ = error(lambda: idp.create_group(UserPoolId=pool["Id"], GroupName="over", Precedence=2**31))
    assert code == "SerializationException"


def test_delete_group_removes_memberships(idp: Any, pool: dict[str, Any]) -> None:
    make_user(idp, pool["Id"], "alice")
    idp.create_group(UserPoolId=pool["Id"], GroupName="g")
    idp.admin_add_user_to_group(UserPoolId=pool["Id"], Username="alice", GroupName="g")
    idp.delete_group(UserPoolId=pool["Id"], GroupName="g")
    assert error(lambda: idp.get_group(UserPoolId=pool["Id"], GroupName="g"))[0] == "ResourceNotFoundException"
    assert idp.admin_list_groups_for_user(UserPoolId=pool["Id"], Username="alice")["Groups"] == []
    idp.create_group(UserPoolId=pool["Id"], GroupName="g")
    assert idp.list_users_in_group(UserPoolId=pool["Id"], GroupName="g")["Users"] == []


# --- ListGroups ---------------------------------------------------------------------------


def test_list_groups_pages_without_repeats(idp: Any, pool: dict[str, Any]) -> None:
    names = [f"group-{i:02d}" for i in (5, 3, 9, 1, 7, 2, 8)]
    for name in names:
        idp.create_group(UserPoolId=pool["Id"], GroupName=name)
    seen: list[str] = []
    sizes: list[int] = []
    kwargs: dict[str, Any] = {"UserPoolId": pool["Id"], "Limit": 3}
    while True:
        page = idp.list_groups(**kwargs)
        sizes.append(len(page["Groups"]))
        seen += [g["GroupName"] for g in page["Groups"]]
        if "NextToken" not in page:
            break
        kwargs["NextToken"] = page["NextToken"]
    assert sizes == [3, 3, 1]
    assert seen == sorted(names)


def test_list_groups_limits_and_tokens(idp: Any, pool: dict[str, Any]) -> None:
    idp.create_group(UserPoolId=pool["Id"], GroupName="a")
    assert idp.list_groups(UserPoolId=pool["Id"], Limit=0)["Groups"] == []
    assert [g["GroupName"] for g in idp.list_groups(UserPoolId=pool["Id"])["Groups"]] == ["a"]
    code, message = error(lambda: idp.list_groups(UserPoolId=pool["Id"], Limit=61))
    assert code == "InvalidParameterException" and "less than or equal to 60" in message
    code, _ = error(lambda: idp.list_groups(UserPoolId=pool["Id"], NextToken="garbage!"))
    assert code == "InvalidParameterException"


def test_groups_per_pool_quota(idp: Any, pool: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    """The 10,000 quota, lowered in the in-process server so the test stays fast."""
    monkeypatch.setattr(groups_module, "MAX_GROUPS_PER_POOL", 3)
    for name in ("a", "b", "c"):
        idp.create_group(UserPoolId=pool["Id"], GroupName=name)
    code, _ = error(lambda: idp.create_group(UserPoolId=pool["Id"], GroupName="d"))
    assert code == "LimitExceededException"
    idp.delete_group(UserPoolId=pool["Id"], GroupName="a")
    idp.create_group(UserPoolId=pool["Id"], GroupName="d")


def test_quota_values() -> None:
    assert groups_module.MAX_GROUPS_PER_POOL == 10_000
    assert groups_module.MAX_GROUPS_PER_USER == 100


# --- memberships ----------------------------------------------------------------------------


def test_add_is_idempotent_and_remove_works(idp: Any, pool: dict[str, Any]) -> None:
    make_user(idp, pool["Id"], "bob")
    idp.create_group(UserPoolId=pool["Id"], GroupName="g")
    for _ in range(2):
        idp.admin_add_user_to_group(UserPoolId=pool["Id"], Username="bob", GroupName="g")
    users = idp.list_users_in_group(UserPoolId=pool["Id"], GroupName="g")["Users"]
    assert [u["Username"] for u in users] == ["bob"]
    idp.admin_remove_user_from_group(UserPoolId=pool["Id"], Username="bob", GroupName="g")
    assert idp.list_users_in_group(UserPoolId=pool["Id"], GroupName="g")["Users"] == []
    idp.admin_remove_user_from_group(UserPoolId=pool["Id"], Username="bob", GroupName="g")


def test_membership_errors(idp: Any, pool: dict[str, Any]) -> None:
    make_user(idp, pool["Id"], "carol")
    idp.create_group(UserPoolId=pool["Id"], GroupName="g")
    not_found = ("UserNotFoundException", "User does not exist.")
    no_group = ("ResourceNotFoundException", "Group not found.")
    pid = pool["Id"]
    assert error(lambda: idp.admin_add_user_to_group(UserPoolId=pid, Username="nobody", GroupName="g")) == not_found
    assert error(lambda: idp.admin_add_user_to_group(UserPoolId=pid, Username="carol", GroupName="x")) == no_group
    assert error(
        lambda: idp.admin_remove_user_from_group(UserPoolId=pid, Username="nobody", GroupName="g")
    ) == not_found
    assert error(lambda: idp.admin_remove_user_from_group(UserPoolId=pid, Username="carol", GroupName="x")) == no_group
    assert error(lambda: idp.admin_list_groups_for_user(UserPoolId=pid, Username="nobody")) == not_found


def test_groups_for_user_in_precedence_order(idp: Any, pool: dict[str, Any], server: LiveServer) -> None:
    pid = pool["Id"]
    make_user(idp, pid, "dave")
    spec = [("zeta", 2), ("alpha", None), ("beta", 0), ("gamma", 2), ("delta", None), ("eps", 10)]
    for name, precedence in spec:
        kwargs = {} if precedence is None else {"Precedence": precedence}
        idp.create_group(UserPoolId=pid, GroupName=name, **kwargs)
        idp.admin_add_user_to_group(UserPoolId=pid, Username="dave", GroupName=name)
    expected = ["beta", "gamma", "zeta", "eps", "alpha", "delta"]
    listed = idp.admin_list_groups_for_user(UserPoolId=pid, Username="dave")["Groups"]
    assert [g["GroupName"] for g in listed] == expected
    seen: list[str] = []
    kwargs2: dict[str, Any] = {"UserPoolId": pid, "Username": "dave", "Limit": 4}
    while True:
        page = idp.admin_list_groups_for_user(**kwargs2)
        seen += [g["GroupName"] for g in page["Groups"]]
        if "NextToken" not in page:
            break
        kwargs2["NextToken"] = page["NextToken"]
    assert seen == expected
    with server.state.store.transaction(write=False) as db:
        user = db.scalar(select(User).where(User.pool_id == pid, User.username == "dave"))
        assert [g.name for g in groups_module.groups_for_user(db, user)] == expected


def test_list_users_in_group_pages(idp: Any, pool: dict[str, Any]) -> None:
    pid = pool["Id"]
    idp.create_group(UserPoolId=pid, GroupName="team")
    names = [f"member{i}" for i in range(5)]
    for name in names:
        make_user(idp, pid, name, email=f"{name}@example.com")
        idp.admin_add_user_to_group(UserPoolId=pid, Username=name, GroupName="team")
    make_user(idp, pid, "outsider")
    seen: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"UserPoolId": pid, "GroupName": "team", "Limit": 2}
    while True:
        page = idp.list_users_in_group(**kwargs)
        assert len(page["Users"]) <= 2
        seen += page["Users"]
        if "NextToken" not in page:
            break
        kwargs["NextToken"] = page["NextToken"]
    assert [u["Username"] for u in seen] == names
    first = seen[0]
    assert {"Name": "email", "Value": "member0@example.com"} in first["Attributes"]
    assert first["Enabled"] is True and "UserStatus" in first and "UserCreateDate" in first


def test_groups_per_user_quota(idp: Any, pool: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(groups_module, "MAX_GROUPS_PER_USER", 3)
    pid = pool["Id"]
    make_user(idp, pid, "erin")
    for name in ("a", "b", "c", "d"):
        idp.create_group(UserPoolId=pid, GroupName=name)
    for name in ("a", "b", "c"):
        idp.admin_add_user_to_group(UserPoolId=pid, Username="erin", GroupName=name)
    idp.admin_add_user_to_group(UserPoolId=pid, Username="erin", GroupName="c")  # already in: still fine
    code, _ = error(lambda: idp.admin_add_user_to_group(UserPoolId=pid, Username="erin", GroupName="d"))
    assert code == "LimitExceededException"


# --- races ------------------------------------------------------------------------------------


def test_racing_creates_one_group(server: LiveServer, pool: dict[str, Any]) -> None:
    clients = [server.client("cognito-idp") for _ in range(8)]
    results = race(8, lambda i: clients[i].create_group(UserPoolId=pool["Id"], GroupName="contested"))
    wins = [r for r in results if isinstance(r, dict)]
    losses = [r for r in results if not isinstance(r, dict)]
    assert len(wins) == 1
    assert all(getattr(r, "response", {}).get("Error", {}).get("Code") == "GroupExistsException" for r in losses)
    assert len(clients[0].list_groups(UserPoolId=pool["Id"])["Groups"]) == 1


def test_racing_adds_make_one_membership(server: LiveServer, idp: Any, pool: dict[str, Any]) -> None:
    pid = pool["Id"]
    make_user(idp, pid, "frank")
    idp.create_group(UserPoolId=pid, GroupName="g")
    clients = [server.client("cognito-idp") for _ in range(8)]
    results = race(8, lambda i: clients[i].admin_add_user_to_group(UserPoolId=pid, Username="frank", GroupName="g"))
    assert all(isinstance(r, dict) for r in results), results
    with server.state.store.transaction(write=False) as db:
        group_id = db.scalar(select(Group.id).where(Group.pool_id == pid, Group.name == "g"))
        rows = db.scalar(select(func.count()).select_from(Membership).where(Membership.group_id == group_id))
    assert rows == 1
    assert len(idp.list_users_in_group(UserPoolId=pid, GroupName="g")["Users"]) == 1
