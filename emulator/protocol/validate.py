"""Input validation against the service model, worded as AWS words it.

botocore's client-side validator only checks required members, types and minimums;
real Cognito also enforces maximums, enums and patterns. Every violation becomes one
phrase of ``N validation error(s) detected: Value '…' at '…' failed to satisfy
constraint: …`` (joined by ``; ``). Paths follow AWS: member names with a lowercase
first letter, dotted (``policies.passwordPolicy.minimumLength``), list elements as
``schema.1.member.name``. A list or map of scalars is judged as a whole, listing every
constraint of its element shape: ``Member must satisfy constraint: [...]``, ``Map keys
must satisfy constraint: [...]``, ``Map value must satisfy constraint: [...]``.

A value of the wrong JSON type (or one Java could not hold: a fraction or out-of-range
number for an integer, NaN, a string with NUL or an unpaired surrogate) is a
``SerializationException``: the request never reaches a handler or the store.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from emulator.errors import CognitoError, SerializationException

if TYPE_CHECKING:
    import regex

    from emulator.protocol.specs import ServiceSpec

MAX_DEPTH = 32
# Java's int and long: AWS deserializes into them, so larger numbers never parse.
_INT_RANGE = {"integer": (-(2**31), 2**31 - 1), "long": (-(2**63), 2**63 - 1)}
# What neither SQLite's UTF-8 nor PostgreSQL's text can hold.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_SCALARS = frozenset({"string", "integer", "long", "float", "double", "boolean", "timestamp", "blob"})


# Java's \w \d \s are ASCII-only while its \p{L} is Unicode; Python's regex engines do
# either everything ASCII or everything Unicode, so the shorthands are spelled out.
_JAVA_SHORTHANDS = {
    "w": ("[A-Za-z0-9_]", "A-Za-z0-9_"),
    "W": ("[^A-Za-z0-9_]", None),
    "d": ("[0-9]", "0-9"),
    "D": ("[^0-9]", None),
    "s": ("[ \\t\\n\\x0B\\f\\r]", " \\t\\n\\x0B\\f\\r"),
    "S": ("[^ \\t\\n\\x0B\\f\\r]", None),
}


def java_pattern(pattern: str) -> str:
    """``pattern`` with Java's ASCII meaning of \\w \\d \\s (and their negations) made explicit.

    A negated shorthand inside a class (``[\\S]``) keeps the engine's Unicode meaning; it
    differs from Java only for exotic spaces such as U+00A0.
    """
    out: list[str] = []
    in_class = False
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            nxt = pattern[i + 1]
            outside, inside = _JAVA_SHORTHANDS.get(nxt, (None, None))
            replacement = inside if in_class else outside
            out.append(replacement if replacement is not None else char + nxt)
            i += 2
            continue
        if char == "[":
            in_class = True
        elif char == "]":
            in_class = False
        out.append(char)
        i += 1
    return "".join(out)


@lru_cache(maxsize=2048)
def _pattern(pattern: str) -> "regex.Pattern[str] | None":
    """A model pattern compiled once, as Java reads it; an uncompilable one is not enforced.

    ``regex`` (for ``\\p{L}``) is imported on the first pattern, not at start-up.
    """
    import regex

    try:
        return regex.compile(java_pattern(pattern), regex.V0)
    except regex.error:
        return None


def _field(member: str) -> str:
    return member[:1].lower() + member[1:]


def _render(value: Any) -> str:
    """A value as Java's toString shows it in AWS messages."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list):
        return "[" + ", ".join(_render(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}={_render(v)}" for k, v in value.items()) + "}"
    return str(value)


def _constraints(shape: dict[str, Any]) -> list[str]:
    """Every constraint of a scalar shape, in AWS's order (used for lists and maps of scalars)."""
    kind = shape["type"]
    found: list[str] = []
    if kind in ("string", "blob"):
        if "max" in shape:
            found.append(f"Member must have length less than or equal to {shape['max']}")
        if "min" in shape:
            found.append(f"Member must have length greater than or equal to {shape['min']}")
    elif "max" in shape or "min" in shape:
        if "max" in shape:
            found.append(f"Member must have value less than or equal to {shape['max']}")
        if "min" in shape:
            found.append(f"Member must have value greater than or equal to {shape['min']}")
    if "pattern" in shape:
        found.append(f"Member must satisfy regular expression pattern: {shape['pattern']}")
    if "enum" in shape:
        found.append(f"Member must satisfy enum value set: [{', '.join(shape['enum'])}]")
    return found


# Where the service enforces a constraint other than the one its model publishes.
# Passwords: AWS answers "…Value at 'password' failed to satisfy constraint: Member must
# satisfy regular expression pattern: ^[\S]+.*[\S]+$" (observed), so inner spaces are
# allowed while the model's [\S]+ would refuse them.
ENFORCED_OVERRIDES: dict[str, dict[str, dict[str, Any]]] = {
    "cognito-idp": {"PasswordType": {"pattern": r"^[\S]+.*[\S]+$"}},
}


class _Checker:
    """One walk over a request: constraint failures collected in order, type errors raised."""

    def __init__(self, spec: "ServiceSpec") -> None:
        self.shapes = spec.shapes
        self.overrides = ENFORCED_OVERRIDES.get(spec.name, {})
        self.errors: list[str] = []
        self.unstorable: str | None = None

    def fail(self, path: str, value: Any, sensitive: bool, constraint: str) -> None:
        shown = "" if sensitive else f" '{_render(value)}'"
        self.errors.append(f"Value{shown} at '{path}' failed to satisfy constraint: {constraint}")

    def check(self, shape_name: str, value: Any, path: str, depth: int = 0) -> None:
        """Record every violation of ``value`` (at ``path``) against ``shape_name``."""
        if depth > MAX_DEPTH:
            raise SerializationException("Request nesting is too deep.")
        shape = self.shapes[shape_name]
        if shape_name in self.overrides:
            shape = {**shape, **self.overrides[shape_name]}
        kind = shape["type"]
        if kind in _SCALARS:
            for problem in self.scalar(shape, value, path):
                self.fail(path, value, bool(shape.get("sensitive")), problem)
        elif kind == "structure":
            self._structure(shape, value, path, depth)
        elif kind == "list":
            self._list(shape, value, path, depth)
        elif kind == "map":
            self._map(shape, value, path, depth)

    # -- scalars: type errors raise, constraint failures are returned ----------------

    def scalar(self, shape: dict[str, Any], value: Any, path: str) -> list[str]:
        """The constraints ``value`` breaks (a wrong type raises SerializationException)."""
        kind = shape["type"]
        if kind == "string":
            return self._string(shape, value, path)
        if kind in ("integer", "long", "float", "double"):
            return self._number(shape, value, path)
        if kind == "boolean":
            if not isinstance(value, bool):
                raise _wrong_type(path, "a boolean")
            return []
        if kind == "timestamp":
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                raise _wrong_type(path, "a timestamp (epoch seconds)")
            return []
        return self._blob(shape, value, path)

    def _string(self, shape: dict[str, Any], value: Any, path: str) -> list[str]:
        if not isinstance(value, str):
            raise _wrong_type(path, "a string")
        problems = self._length(shape, len(value))
        pattern = shape.get("pattern")
        if pattern is not None:
            compiled = _pattern(pattern)
            if compiled is not None and compiled.fullmatch(value) is None:
                problems.append(f"Member must satisfy regular expression pattern: {pattern}")
        enum = shape.get("enum")
        if enum is not None and value not in enum:
            problems.append(f"Member must satisfy enum value set: [{', '.join(enum)}]")
        if self.unstorable is None and _UNSTORABLE.search(value):
            self.unstorable = path
        return problems

    @staticmethod
    def _length(shape: dict[str, Any], size: int) -> list[str]:
        if "max" in shape and size > shape["max"]:
            return [f"Member must have length less than or equal to {shape['max']}"]
        if "min" in shape and size < shape["min"]:
            return [f"Member must have length greater than or equal to {shape['min']}"]
        return []

    @staticmethod
    def _number(shape: dict[str, Any], value: Any, path: str) -> list[str]:
        kind = shape["type"]
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise _wrong_type(path, "a number")
        if isinstance(value, float) and not math.isfinite(value):
            raise _wrong_type(path, "a finite number")
        if kind in _INT_RANGE:
            if isinstance(value, float) and not value.is_integer():
                raise _wrong_type(path, "an integer")
            low, high = _INT_RANGE[kind]
            if not low <= value <= high:
                raise SerializationException(f"Number at '{path}' is out of range for {kind}.")
        if "max" in shape and value > shape["max"]:
            return [f"Member must have value less than or equal to {shape['max']}"]
        if "min" in shape and value < shape["min"]:
            return [f"Member must have value greater than or equal to {shape['min']}"]
        return []

    def _blob(self, shape: dict[str, Any], value: Any, path: str) -> list[str]:
        if not isinstance(value, str):
            raise _wrong_type(path, "base64 text")
        try:
            raw = base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise SerializationException(f"Invalid base64 at '{path}'.") from None
        return self._length(shape, len(raw))

    # -- aggregates --------------------------------------------------------------------

    def _as_int(self, shape_name: str, item: Any) -> Any:
        """An integral float sent for an integer member, as the int a handler expects."""
        if isinstance(item, float) and self.shapes[shape_name]["type"] in _INT_RANGE:
            return int(item)
        return item

    def _structure(self, shape: dict[str, Any], value: Any, path: str, depth: int) -> None:
        if shape.get("document"):
            return  # a Document member holds any JSON value
        if not isinstance(value, dict):
            raise _wrong_type(path, "an object")
        required = set(shape.get("required", ()))
        for name, member in shape.get("members", {}).items():
            sub = f"{path}.{_field(name)}" if path else _field(name)
            item = value.get(name)
            if item is None:
                if name in required:
                    self.errors.append(f"Value null at '{sub}' failed to satisfy constraint: Member must not be null")
                continue
            self.check(member["shape"], item, sub, depth + 1)
            value[name] = self._as_int(member["shape"], item)

    def _list(self, shape: dict[str, Any], value: Any, path: str, depth: int) -> None:
        if not isinstance(value, list):
            raise _wrong_type(path, "a list")
        member_name = shape["member"]["shape"]
        member = self.shapes[member_name]
        for problem in self._length(shape, len(value)):
            self.fail(path, value, bool(shape.get("sensitive") or member.get("sensitive")), problem)
        broken = False
        for i, item in enumerate(value, start=1):
            if item is None:
                raise SerializationException(f"Null element at '{path}.{i}.member'.")
            if member["type"] in _SCALARS:
                broken = bool(self.scalar(member, item, f"{path}.{i}.member")) or broken
                value[i - 1] = self._as_int(member_name, item)
            else:
                self.check(member_name, item, f"{path}.{i}.member", depth + 1)
        if broken:
            every = ", ".join(_constraints(member))
            self.fail(path, value, bool(member.get("sensitive")), f"Member must satisfy constraint: [{every}]")

    def _map(self, shape: dict[str, Any], value: Any, path: str, depth: int) -> None:
        if not isinstance(value, dict):
            raise _wrong_type(path, "an object")
        key_shape = self.shapes[shape["key"]["shape"]]
        value_name = shape["value"]["shape"]
        value_shape = self.shapes[value_name]
        sensitive = bool(shape.get("sensitive") or value_shape.get("sensitive"))
        for problem in self._length(shape, len(value)):
            self.fail(path, value, sensitive, problem)
        bad_key = bad_value = False
        for key, item in value.items():
            bad_key = bool(self.scalar(key_shape, key, f"{path}.key")) or bad_key
            if item is None:
                raise SerializationException(f"Null value at '{path}.{key}'.")
            if value_shape["type"] in _SCALARS:
                bad_value = bool(self.scalar(value_shape, item, f"{path}.{key}")) or bad_value
                value[key] = self._as_int(value_name, item)
            else:
                self.check(value_name, item, f"{path}.{key}", depth + 1)
        if bad_key:
            every = ", ".join(_constraints(key_shape))
            self.fail(path, value, sensitive, f"Map keys must satisfy constraint: [{every}]")
        if bad_value:
            every = ", ".join(_constraints(value_shape))
            self.fail(path, value, sensitive, f"Map value must satisfy constraint: [{every}]")


def _wrong_type(path: str, expected: str) -> CognitoError:
    where = f" at '{path}'" if path else ""
    return SerializationException(f"Unexpected value type{where}: expected {expected}.")


def validation_errors(spec: "ServiceSpec", shape_name: str | None, params: Any) -> list[str]:
    """Every constraint ``params`` breaks, in AWS's words (empty when it is valid).

    Raises SerializationException for a value of the wrong type, and for a string the
    store cannot hold (NUL, unpaired surrogate) when nothing else is wrong with it.
    """
    if not isinstance(params, dict):
        raise SerializationException("Request body must be a JSON object.")
    if shape_name is None:
        return []
    checker = _Checker(spec)
    checker.check(shape_name, params, "")
    if not checker.errors and checker.unstorable is not None:
        raise SerializationException(
            f"Value at '{checker.unstorable}' holds a NUL character or an unpaired surrogate."
        )
    return checker.errors


def summary(errors: list[str]) -> str:
    """AWS's message for a list of violations."""
    count = len(errors)
    noun = "error" if count == 1 else "errors"
    return f"{count} validation {noun} detected: " + "; ".join(errors)
