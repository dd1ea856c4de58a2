"""ListUsers over the wire: filters, paging, AttributesToGet, errors."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import LiveServer
from tests.test_groups import error, make_user, unchecked_client

PARSE_ERROR = ("InvalidParameterException", "Error while parsing filter.")


def usernames(idp: Any, pool_id: str, flt: str | None = None, **kwargs: Any) -> list[str]:
    """Every username ListUsers gives for ``flt``, following the tokens; checks there are no repeats."""
    params: dict[str, Any] = {"UserPoolId": pool_id, **kwargs}
    if flt is not None:
        params["Filter"] = flt
    seen: list[str] = []
    while True:
        page = idp.list_users(**params)
        seen += [u["Username"] for u in page["Users"]]
        if "PaginationToken" not in page:
            break
        params["PaginationToken"] = page["PaginationToken"]
    assert len(seen) == len(set(seen)), seen
    return seen


@pytest.fixture
def people(idp: Any, pool: dict[str, Any]) -> str:
    """A pool with five users of varied attributes; returns its id."""
    pid = pool["Id"]
    make_user(idp, pid, "alice", email="Alice@Example.com", given_name="Alice", family_name="Reddy",
              name="Alice Reddy", phone_number="+15555550100", preferred_username="ally")
    make_user(idp, pid, "Alfred", email="alfred@example.com", given_name="Alfred", family_name="Reddish")
    make_user(idp, pid, "bob", email="bob@other.org", given_name="Bob", name='Bob "the builder"')
    make_user(idp, pid, "carol", email="carol@example.com", phone_number="+15555550199")
    make_user(idp, pid, "dave")
    return pid


def test_unfiltered_lists_everyone_as_user_type(idp: Any, people: str) -> None:
    page = idp.list_users(UserPoolId=people)
    assert "PaginationToken" not in page
    assert sorted(u["Username"] for u in page["Users"]) == ["Alfred", "alice", "bob", "carol", "dave"]
    alice = next(u for u in page["Users"] if u["Username"] == "alice")
    attrs = {a["Name"]: a["Value"] for a in alice["Attributes"]}
    assert attrs["email"] == "Alice@Example.com" and "sub" in attrs
    assert alice["Enabled"] is True
    assert alice["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    assert "UserCreateDate" in alice and "UserLastModifiedDate" in alice


@pytest.mark.parametrize(
    ("flt", "expected"),
    [
        ('email = "alice@example.com"', ["alice"]),                 # case-insensitive value
        ('email = "ALFRED@EXAMPLE.COM"', ["Alfred"]),
        ('email ^= "al"', ["Alfred", "alice"]),
        ('email^="AL"', ["Alfred", "alice"]),
        ('email ^= "alice@example.co"', ["alice"]),
        ('email = "alice@example.co"', []),
        ('email ^= ""', ["Alfred", "alice", "bob", "carol"]),      # only users that have an email
        ('family_name ^= "Redd"', ["Alfred", "alice"]),
        ('family_name = "Reddy"', ["alice"]),
        ('given_name = "bob"', ["bob"]),
        ('name = "Bob \\"the builder\\""', ["bob"]),
        ('phone_number ^= "+1555555"', ["alice", "carol"]),
        ('phone_number = "+15555550199"', ["carol"]),
        ('preferred_username = "ally"', ["alice"]),
        ('username = "alice"', ["alice"]),
        ('username = "Alice"', []),                                  # username is case-sensitive
        ('username ^= "Al"', ["Alfred"]),
        ('username ^= "al"', ["alice"]),
        ('username = "ally"', []),                                   # an alias is not a username
        ('cognito:user_status = "FORCE_CHANGE_PASSWORD"', ["Alfred", "alice", "bob", "carol", "dave"]),
        ('cognito:user_status = "force_change_password"', ["Alfred", "alice", "bob", "carol", "dave"]),
        ('cognito:user_status ^= "force"', ["Alfred", "alice", "bob", "carol", "dave"]),
        ('cognito:user_status = "CONFIRMED"', []),
        ('status = "Enabled"', ["Alfred", "alice", "bob", "carol", "dave"]),
        ('status = "enabled"', []),                                  # status is case-sensitive
        ('status = "Disabled"', []),
    ],
)
def test_filters(idp: Any, people: str, flt: str, expected: list[str]) -> None:
    assert sorted(usernames(idp, people, flt)) == sorted(expected)


def test_sub_and_status_filters(idp: Any, people: str) -> None:
    alice = idp.admin_get_user(UserPoolId=people, Username="alice")
    sub = next(a["Value"] for a in alice["UserAttributes"] if a["Name"] == "sub")
    assert usernames(idp, people, f'sub = "{sub}"') == ["alice"]
    assert usernames(idp, people, f'sub = "{sub.upper()}"') == ["alice"]
    assert usernames(idp, people, f'sub ^= "{sub[:8]}"') == ["alice"]
    idp.admin_disable_user(UserPoolId=people, Username="bob")
    assert usernames(idp, people, 'status = "Disabled"') == ["bob"]
    assert usernames(idp, people, 'status ^= "Dis"') == ["bob"]
    assert sorted(usernames(idp, people, 'status = "Enabled"')) == ["Alfred", "alice", "carol", "dave"]
    page = idp.list_users(UserPoolId=people, Filter='username = "bob"')["Users"]
    assert page[0]["Enabled"] is False


def test_empty_filter_lists_everyone(idp: Any, people: str) -> None:
    assert len(usernames(idp, people, "")) == 5


def test_filters_do_not_cross_pools(idp: Any, people: str) -> None:
    other = idp.create_user_pool(PoolName="other-pool")["UserPool"]["Id"]
    try:
        make_user(idp, other, "alice", email="alice@example.com")
        assert usernames(idp, other, 'email ^= "a"') == ["alice"]
        assert usernames(idp, other) == ["alice"]
    finally:
        idp.delete_user_pool(UserPoolId=other)


@pytest.mark.parametrize(
    "flt",
    ["foo", 'email = alice', 'email == "a"', 'email = "a" and name = "b"', 'custom:tier = "gold"',
     'locale = "en"', 'email = "unterminated'],
)
def test_bad_filters(idp: Any, people: str, flt: str) -> None:
    assert error(lambda: idp.list_users(UserPoolId=people, Filter=flt)) == PARSE_ERROR


def test_filter_longer_than_256(idp: Any, people: str) -> None:
    flt = 'email = "' + "a" * 250 + '"'
    code, message = error(lambda: idp.list_users(UserPoolId=people, Filter=flt))
    assert code == "InvalidParameterException"
    assert "at 'filter' failed to satisfy constraint: Member must have length less than or equal to 256" in message


@pytest.mark.parametrize("flt", [None, 'email ^= ""', 'status = "Enabled"', 'cognito:user_status ^= "F"',
                                 'username ^= ""'])
def test_paging_covers_everyone_once(idp: Any, people: str, flt: str | None) -> None:
    everyone = usernames(idp, people, flt)
    for limit in (1, 2, 3):
        assert usernames(idp, people, flt, Limit=limit) == everyone


def test_page_sizes_and_last_token(idp: Any, people: str) -> None:
    page = idp.list_users(UserPoolId=people, Limit=2, Filter='email ^= ""')
    assert len(page["Users"]) == 2 and "PaginationToken" in page
    page = idp.list_users(UserPoolId=people, Limit=2, Filter='email ^= ""', PaginationToken=page["PaginationToken"])
    assert len(page["Users"]) == 2 and "PaginationToken" not in page  # exactly four users have an email


def test_default_limit_is_60(idp: Any, pool: dict[str, Any]) -> None:
    for i in range(61):
        make_user(idp, pool["Id"], f"user{i:02d}")
    page = idp.list_users(UserPoolId=pool["Id"])
    assert len(page["Users"]) == 60 and "PaginationToken" in page
    rest = idp.list_users(UserPoolId=pool["Id"], PaginationToken=page["PaginationToken"])
    assert len(rest["Users"]) == 1 and "PaginationToken" not in rest


def test_limits_and_tokens(idp: Any, people: str) -> None:
    assert idp.list_users(UserPoolId=people, Limit=0)["Users"] == []
    code, message = error(lambda: idp.list_users(UserPoolId=people, Limit=61))
    assert code == "InvalidParameterException" and "less than or equal to 60" in message
    for token in ("garbage!", "eyJrIjogMX0"):  # not base64 JSON; a token of the wrong shape
        assert error(lambda: idp.list_users(UserPoolId=people, PaginationToken=token))[0] == "InvalidParameterException"
    unfiltered = idp.list_users(UserPoolId=people, Limit=1)["PaginationToken"]
    code, _ = error(lambda: idp.list_users(UserPoolId=people, Filter='email ^= ""', PaginationToken=unfiltered))
    assert code == "InvalidParameterException"


def test_unknown_pool(idp: Any) -> None:
    assert error(lambda: idp.list_users(UserPoolId="eu-west-1_nothere"))[0] == "ResourceNotFoundException"


def test_attributes_to_get(idp: Any, people: str) -> None:
    users = idp.list_users(UserPoolId=people, AttributesToGet=["email", "given_name"])["Users"]
    alfred = next(u for u in users if u["Username"] == "Alfred")
    assert alfred["Attributes"] == [{"Name": "email", "Value": "alfred@example.com"},
                                    {"Name": "given_name", "Value": "Alfred"}]
    dave = next(u for u in users if u["Username"] == "dave")
    assert dave["Attributes"] == []  # searchable attributes may be missing


def test_attributes_to_get_unknown_or_missing(server: LiveServer, idp: Any, people: str) -> None:
    missing = ("InvalidParameterException", "One or more requested attributes do not exist.")
    assert error(lambda: idp.list_users(UserPoolId=people, AttributesToGet=["custom:nothing"])) == missing
    idp.add_custom_attributes(UserPoolId=people, CustomAttributes=[{"Name": "tier", "AttributeDataType": "String"}])
    idp.admin_update_user_attributes(UserPoolId=people, Username="alice",
                                     UserAttributes=[{"Name": "custom:tier", "Value": "gold"}])
    # Unsearchable attributes must be set on every listed user (developer guide).
    assert error(lambda: idp.list_users(UserPoolId=people, AttributesToGet=["custom:tier"])) == missing
    only_alice = idp.list_users(UserPoolId=people, Filter='username = "alice"', AttributesToGet=["custom:tier"])
    assert only_alice["Users"][0]["Attributes"] == [{"Name": "custom:tier", "Value": "gold"}]


def test_empty_attributes_to_get_lists_no_attributes(server: LiveServer, people: str) -> None:
    raw = unchecked_client(server)
    users = raw.list_users(UserPoolId=people, AttributesToGet=[])["Users"]
    assert len(users) == 5 and all(u["Attributes"] == [] for u in users)


def test_many_users_share_a_prefix(idp: Any, pool: dict[str, Any]) -> None:
    """Users whose keys tie (same e-mail) still page by id without repeats or gaps."""
    pid = pool["Id"]
    for i in range(7):
        make_user(idp, pid, f"twin{i}", email="same@example.com")
    make_user(idp, pid, "other", email="samf@example.com")
    assert sorted(usernames(idp, pid, 'email = "same@example.com"', Limit=2)) == [f"twin{i}" for i in range(7)]
    assert len(usernames(idp, pid, 'email ^= "sam"', Limit=3)) == 8


def test_status_filters_page_across_statuses(idp: Any, people: str) -> None:
    """Matches spread over several stored statuses still page in one order, without repeats."""
    for name in ("bob", "dave"):
        idp.admin_set_user_password(UserPoolId=people, Username=name, Password="Passw0rd!x", Permanent=True)
    idp.admin_disable_user(UserPoolId=people, Username="carol")
    idp.admin_disable_user(UserPoolId=people, Username="dave")
    assert sorted(usernames(idp, people, 'cognito:user_status = "Confirmed"')) == ["bob", "dave"]
    everyone = sorted(usernames(idp, people, 'cognito:user_status ^= ""'))
    assert everyone == ["Alfred", "alice", "bob", "carol", "dave"]
    for limit in (1, 2, 4):
        assert sorted(usernames(idp, people, 'cognito:user_status ^= ""', Limit=limit)) == everyone
        assert sorted(usernames(idp, people, 'status ^= ""', Limit=limit)) == everyone
    assert sorted(usernames(idp, people, 'status = "Disabled"', Limit=1)) == ["carol", "dave"]
