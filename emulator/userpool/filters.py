"""The ListUsers ``Filter`` grammar: ``attribute = "value"`` or ``attribute ^= "value"``.

A pure parser (no database): it turns the string into a :class:`UserFilter` or raises
``InvalidParameterException``. Facts (ListUsers API reference and real error reports):
- one attribute only, from a fixed list of standard attributes; custom attributes are
  not searchable;
- ``=`` is an exact match, ``^=`` a prefix ("starts with") match;
- the value is in double quotes; a quote inside it is escaped with a backslash;
- spaces around the operator are optional; an empty filter lists every user;
- a malformed filter fails with ``Error while parsing filter.`` (the message real Cognito
  sends). What it sends for a well-formed filter on an unsearchable attribute is not
  documented; Cogito sends the same message.
"""

from __future__ import annotations

from dataclasses import dataclass

from emulator.errors import InvalidParameterException

PARSE_ERROR = "Error while parsing filter."

# Attribute name -> whether its value compares case-sensitively. The API reference marks
# "username" and "status" case-sensitive and "cognito:user_status" case-insensitive; it
# says nothing of the others. They compare case-insensitively here: the developer guide
# is quoted as saying searches are case-insensitive, and a lookup by a lower-cased e-mail
# is reported to find a mixed-case one on AWS (unconfirmed first-hand).
SEARCHABLE: dict[str, bool] = {
    "username": True,
    "email": False,
    "phone_number": False,
    "name": False,
    "given_name": False,
    "family_name": False,
    "preferred_username": False,
    "sub": False,
    "cognito:user_status": False,
    "status": True,
}

_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_:-.")
_SPACE = " \t\r\n"


@dataclass(frozen=True)
class UserFilter:
    """One parsed filter: ``attribute`` matched exactly, or by prefix when ``prefix``."""

    attribute: str
    value: str
    prefix: bool

    @property
    def case_sensitive(self) -> bool:
        return SEARCHABLE[self.attribute]

    def matches(self, actual: str | None) -> bool:
        """Whether a stored value satisfies the filter (the rule the database query implements)."""
        if actual is None:
            return False
        want, have = self.value, actual
        if not self.case_sensitive:
            want, have = want.lower(), have.lower()
        return have.startswith(want) if self.prefix else have == want


def _fail() -> InvalidParameterException:
    return InvalidParameterException(PARSE_ERROR)


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in _SPACE:
        pos += 1
    return pos


def _read_value(text: str, pos: int) -> tuple[str, int]:
    """The quoted value starting at ``text[pos] == '"'``; returns it unescaped and the index after it."""
    if pos >= len(text) or text[pos] != '"':
        raise _fail()
    pos += 1
    out: list[str] = []
    while pos < len(text):
        char = text[pos]
        if char == "\\" and pos + 1 < len(text) and text[pos + 1] in '"\\':
            out.append(text[pos + 1])
            pos += 2
            continue
        if char == '"':
            return "".join(out), pos + 1
        out.append(char)
        pos += 1
    raise _fail()  # no closing quote


def parse(text: str | None) -> UserFilter | None:
    """The filter ``text`` stands for; None when it is absent or blank (list everyone)."""
    if text is None or not text.strip(_SPACE):
        return None
    pos = _skip_space(text, 0)
    start = pos
    while pos < len(text) and text[pos] in _NAME_CHARS:
        pos += 1
    name = text[start:pos]
    if not name:
        raise _fail()
    pos = _skip_space(text, pos)
    if text.startswith("^=", pos):
        prefix, pos = True, pos + 2
    elif text.startswith("=", pos):
        prefix, pos = False, pos + 1
    else:
        raise _fail()
    value, pos = _read_value(text, _skip_space(text, pos))
    if _skip_space(text, pos) != len(text):
        raise _fail()  # anything after the value: a second condition, a stray quote, ...
    if name not in SEARCHABLE:
        raise _fail()
    return UserFilter(name, value, prefix)


def quote(value: str) -> str:
    """``value`` as a filter literal (the inverse of the parser's unescaping)."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
