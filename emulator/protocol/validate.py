"""Input validation against the service model, worded as AWS words it.

botocore's client-side validator only checks required members, types and minimums;
real Cognito also enforces maximums, enums and patterns. Every violation becomes one
phrase of ``N validation error(s) detected: Value '…' at '…' failed to satisfy
constraint: …``; a value of the wrong JSON type is a ``SerializationException``.
"""

from __future__ import annotations

import base64
import binascii
from functools import lru_cache
from typing import Any

import regex

from emulator.errors import CognitoError, SerializationException
from emulator.protocol.specs import ServiceSpec

MAX_DEPTH = 32


@lru_cache(maxsize=2048)
def _pattern(pattern: str) -> "regex.Pattern[str] | None":
    """Model patterns compiled once with Java's ASCII \\w \\s \\d; an uncompilable one is not enforced."""
    try:
        return regex.compile(pattern, regex.V0 | regex.ASCII)
    except regex.error:
        return None


def _field(member: str) -> str:
    return member[:1].lower() + member[1:]


def _render(value: Any) -> str:
    """A value as Java's toString shows it in AWS messages."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_render(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}={_render(v)}" for k, v in value.items()) + "}"
    return str(value)


class _Checker:
    def __init__(self, spec: ServiceSpec) -> None:
        self.shapes = spec.shapes
        self.errors: list[str] = []

    def fail(self, path: str, value: Any, sensitive: bool, constraint: str) -> None:
        shown = "" if sensitive else f" '{_render(value)}'"
        self.errors.append(f"Value{shown} at '{path}' failed to satisfy constraint: {constraint}")

    def check(self, shape_name: str, value: Any, path: str, depth: int = 0) -> None:
        if depth > MAX_DEPTH:
            raise SerializationException("Request nesting is too deep.")
        shape = self.shapes[shape_name]
        kind = shape["type"]
        method = getattr(self, "_" + kind, None)
        if method is not None:
            method(shape, value, path, depth)

    @staticmethod
    def _wrong_type(path: str, expected: str) -> CognitoError:
        where = f" at '{path}'" if path else ""
        return SerializationException(f"Unexpected value type{where}: expected {expected}.")

    def _structure(self, shape: dict[str, Any], value: Any, path: str, depth: int) -> None:
        if not isinstance(value, dict):
            raise self._wrong_type(path, "an object")
        members: dict[str, Any] = shape.get("members", {})
        required = set(shape.get("required", ()))
        for name, member in members.items():
            sub = f"{path}.{_field(name)}" if path else _field(name)
            item = value.get(name)
            if item is None:
                if name in required:
                    self.errors.append(f"Value null at '{sub}' failed to satisfy constraint: Member must not be null")
                continue
            self.check(member["shape"], item, sub, depth + 1)

    def _list(self, shape: dict[str, Any], value: Any, path: str, depth: int) -> None:
        if not isinstance(value, list):
            raise self._wrong_type(path, "a list")
        self._length(shape, value, len(value), path, False)
        member = shape["member"]["shape"]
        for i, item in enumerate(value, start=1):
            if item is None:
                raise SerializationException(f"Null element at '{path}.{i}.member'.")
            self.check(member, item, f"{path}.{i}.member", depth + 1)

    def _map(self, shape: dict[str, Any], value: Any, path: str, depth: int) -> None:
        if not isinstance(value, dict):
            raise self._wrong_type(path, "an object")
        self._length(shape, value, len(value), path, False)
        for key, item in value.items():
            self.check(shape["key"]["shape"], key, f"{path}.key", depth + 1)
            if item is None:
                raise SerializationException(f"Null value at '{path}.{key}'.")
            self.check(shape["value"]["shape"], item, f"{path}.{key}", depth + 1)

    def _length(self, shape: dict[str, Any], value: Any, size: int, path: str, sensitive: bool) -> None:
        if "max" in shape and size > shape["max"]:
            self.fail(path, value, sensitive, f"Member must have length less than or equal to {shape['max']}")
        if "min" in shape and size < shape["min"]:
            self.fail(path, value, sensitive, f"Member must have length greater than or equal to {shape['min']}")

    def _string(self, shape: dict[str, Any], value: Any, path: str, depth: int) -> None:
        if not isinstance(value, str):
            raise self._wrong_type(path, "a string")
        sensitive = bool(shape.get("sensitive"))
        pattern = shape.get("pattern")
        if pattern is not None:
            compiled = _pattern(pattern)
            if compiled is not None and compiled.fullmatch(value) is None:
                self.fail(path, value, sensitive, f"Member must satisfy regular expression pattern: {pattern}")
        self._length(shape, value, len(value), path, sensitive)
        enum = shape.get("enum")
        if enum is not None and value not in enum:
            self.fail(path, value, sensitive, f"Member must satisfy enum value set: [{', '.join(enum)}]")

    def _integer(self, shape: dict[str, Any], value: Any, path: str, depth: int) -> None:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value):
            raise self._wrong_type(path, "an integer")
        if "max" in shape and value > shape["max"]:
            self.fail(path, value, False, f"Member must have value less than or equal to {shape['max']}")
        if "min" in shape and value < shape["min"]:
            self.fail(path, value, False, f"Member must have value greater than or equal to {shape['min']}")

    _long = _integer

    def _boolean(self, shape: dict[str, Any], value: Any, path: str, depth: int) -> None:
        if not isinstance(value, bool):
            raise self._wrong_type(path, "a boolean")

    def _timestamp(self, shape: dict[str, Any], value: Any, path: str, depth: int) -> None:
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise self._wrong_type(path, "a timestamp")

    def _blob(self, shape: dict[str, Any], value: Any, path: str, depth: int) -> None:
        if not isinstance(value, str):
            raise self._wrong_type(path, "base64 text")
        try:
            raw = base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise SerializationException(f"Invalid base64 at '{path}'.") from None
        self._length(shape, value, len(raw), path, bool(shape.get("sensitive")))


def validation_errors(spec: ServiceSpec, shape_name: str | None, params: Any) -> list[str]:
    """Every constraint ``params`` breaks, in AWS's words (empty when it is valid)."""
    if not isinstance(params, dict):
        raise SerializationException("Request body must be a JSON object.")
    if shape_name is None:
        return []
    checker = _Checker(spec)
    checker.check(shape_name, params, "")
    return checker.errors


def summary(errors: list[str]) -> str:
    """AWS's message for a list of violations."""
    count = len(errors)
    noun = "error" if count == 1 else "errors"
    return f"{count} validation {noun} detected: " + "; ".join(errors)
