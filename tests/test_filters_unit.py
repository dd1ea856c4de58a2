"""The ListUsers filter grammar, as a pure function (no server)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from emulator.errors import InvalidParameterException
from emulator.userpool.filters import PARSE_ERROR, SEARCHABLE, UserFilter, parse, quote

NAMES = sorted(SEARCHABLE)
spaces = st.text(alphabet=" \t", max_size=3)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('email = "a@example.com"', UserFilter("email", "a@example.com", False)),
        ('email="a@example.com"', UserFilter("email", "a@example.com", False)),
        ('given_name ^= "Jon"', UserFilter("given_name", "Jon", True)),
        ('given_name^="Jon"', UserFilter("given_name", "Jon", True)),
        ('  family_name = "Reddy"  ', UserFilter("family_name", "Reddy", False)),
        ('cognito:user_status = "FORCE_CHANGE_PASSWORD"',
         UserFilter("cognito:user_status", "FORCE_CHANGE_PASSWORD", False)),
        ('status = "Disabled"', UserFilter("status", "Disabled", False)),
        ('name = "say \\"hi\\""', UserFilter("name", 'say "hi"', False)),
        ('name = "back\\\\slash"', UserFilter("name", "back\\slash", False)),
        ('name = "keep \\n as is"', UserFilter("name", "keep \\n as is", False)),
        ('sub = ""', UserFilter("sub", "", False)),
        ('username ^= "a=b ^= c"', UserFilter("username", "a=b ^= c", True)),
    ],
)
def test_valid_filters(text: str, expected: UserFilter) -> None:
    assert parse(text) == expected


@pytest.mark.parametrize("text", [None, "", "   ", "\t"])
def test_blank_filter_means_everyone(text: str | None) -> None:
    assert parse(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "foo",                                   # the real report that gave the message
        'email = a@example.com',                 # value not quoted
        "email = 'a@example.com'",               # single quotes
        'email == "a"',
        'email != "a"',
        'email ~= "a"',
        'email "a"',
        '= "a"',
        'email = "a',                            # unterminated
        'email = "a\\"',                         # the only quote is escaped
        'email = "a" and name = "b"',            # one attribute only
        'email = "a" "b"',
        'email = "a"x',
        'custom:tier = "gold"',                  # custom attributes are not searchable
        'locale = "en"',                         # standard but not searchable
        'Email = "a"',                           # attribute names are case-sensitive
        'email_verified = "true"',
    ],
)
def test_invalid_filters(text: str) -> None:
    with pytest.raises(InvalidParameterException) as info:
        parse(text)
    assert info.value.message == PARSE_ERROR


@given(
    name=st.sampled_from(NAMES), value=st.text(max_size=40), prefix=st.booleans(),
    a=spaces, b=spaces, c=spaces, d=spaces,
)
def test_round_trip(name: str, value: str, prefix: bool, a: str, b: str, c: str, d: str) -> None:
    op = "^=" if prefix else "="
    assert parse(f"{a}{name}{b}{op}{c}{quote(value)}{d}") == UserFilter(name, value, prefix)


@given(st.text(max_size=80))
def test_any_text_parses_or_fails_cleanly(text: str) -> None:
    """Whatever a client sends, the parser answers a filter, nothing, or the Cognito error."""
    try:
        result = parse(text)
    except InvalidParameterException as err:
        assert err.message == PARSE_ERROR
    else:
        assert result is None or result.attribute in SEARCHABLE


@given(name=st.text(alphabet="abcdefghijklmnopqrstuvwxyz_:", min_size=1, max_size=20))
def test_only_listed_attributes_are_searchable(name: str) -> None:
    text = f'{name} = "x"'
    if name in SEARCHABLE:
        assert parse(text) == UserFilter(name, "x", False)
    else:
        with pytest.raises(InvalidParameterException):
            parse(text)


def test_matching_rules() -> None:
    assert parse('email = "A@Example.com"').matches("a@example.COM")  # type: ignore[union-attr]
    assert not parse('username = "Alice"').matches("alice")  # type: ignore[union-attr]
    assert parse('username ^= "Al"').matches("Alice")  # type: ignore[union-attr]
    assert not parse('status = "enabled"').matches("Enabled")  # type: ignore[union-attr]
    assert parse('cognito:user_status ^= "conf"').matches("CONFIRMED")  # type: ignore[union-attr]
    assert not parse('email ^= ""').matches(None)  # type: ignore[union-attr]
    assert parse('email ^= ""').matches("x@y.z")  # type: ignore[union-attr]
