"""The standard attribute schema AWS gives every pool, and custom attributes on top.

Facts (AWS API reference CreateUserPool example, AWS CLI examples):
- twenty standard attributes, in this order, ``sub`` first; no ``identities``;
- constraint values are strings (``"MinLength": "0"``); Boolean attributes carry none;
- a custom attribute ``x`` is named ``custom:x``, or ``dev:custom:x`` when
  DeveloperOnlyAttribute is true; a Name given as ``custom:x`` becomes ``custom:custom:x``;
- only the constraints of the attribute's own type are kept;
- Required custom attributes are refused; a repeated name is refused.
"""

from __future__ import annotations

import copy
from decimal import Decimal, InvalidOperation
from typing import Any

from emulator.errors import InvalidParameterException, LimitExceededException

MAX_CUSTOM_ATTRIBUTES = 50
_TYPES = ("String", "Number", "DateTime", "Boolean")
_CONSTRAINTS = {"String": "StringAttributeConstraints", "Number": "NumberAttributeConstraints"}
_BOUNDS = {
    "StringAttributeConstraints": ("MinLength", "MaxLength"),
    "NumberAttributeConstraints": ("MinValue", "MaxValue"),
}


def _string(
    name: str, lo: str = "0", hi: str = "2048", *, mutable: bool = True, required: bool = False
) -> dict[str, Any]:
    return {
        "Name": name, "AttributeDataType": "String", "DeveloperOnlyAttribute": False, "Mutable": mutable,
        "Required": required, "StringAttributeConstraints": {"MinLength": lo, "MaxLength": hi},
    }


def _boolean(name: str) -> dict[str, Any]:
    return {"Name": name, "AttributeDataType": "Boolean", "DeveloperOnlyAttribute": False, "Mutable": True,
            "Required": False}


def standard_schema() -> list[dict[str, Any]]:
    """A fresh copy of the twenty standard attributes in the order Describe lists them."""
    attrs = [_string("sub", "1", "2048", mutable=False, required=True)]
    for name in ("name", "given_name", "family_name", "middle_name", "nickname", "preferred_username",
                 "profile", "picture", "website", "email"):
        attrs.append(_string(name))
    attrs.append(_boolean("email_verified"))
    attrs.append(_string("gender"))
    attrs.append(_string("birthdate", "10", "10"))
    for name in ("zoneinfo", "locale", "phone_number"):
        attrs.append(_string(name))
    attrs.append(_boolean("phone_number_verified"))
    attrs.append(_string("address"))
    attrs.append({"Name": "updated_at", "AttributeDataType": "Number", "DeveloperOnlyAttribute": False,
                  "Mutable": True, "Required": False, "NumberAttributeConstraints": {"MinValue": "0"}})
    return attrs


STANDARD_NAMES = frozenset(a["Name"] for a in standard_schema())


def _number(text: Any, what: str) -> Decimal:
    try:
        value = Decimal(str(text))
    except InvalidOperation:
        raise InvalidParameterException(f"{what} must be a number.") from None
    if not value.is_finite():
        raise InvalidParameterException(f"{what} must be a number.")
    return value


def _constraints(key: str, given: dict[str, Any] | None, name: str) -> dict[str, Any]:
    """The constraints as strings, with the minimum no larger than the maximum."""
    result = {k: str(v) for k, v in (given or {}).items() if v is not None}
    lo_key, hi_key = _BOUNDS[key]
    lo = _number(result[lo_key], f"{lo_key} of {name}") if lo_key in result else None
    hi = _number(result[hi_key], f"{hi_key} of {name}") if hi_key in result else None
    if key == "StringAttributeConstraints":
        for bound, label in ((lo, lo_key), (hi, hi_key)):
            if bound is not None and (bound < 0 or bound != bound.to_integral_value()):
                raise InvalidParameterException(f"{label} of {name} must be a non-negative integer.")
    if lo is not None and hi is not None and lo > hi:
        raise InvalidParameterException(f"{lo_key} of {name} must not be greater than {hi_key}.")
    return result


def _custom_entry(attr: dict[str, Any]) -> dict[str, Any]:
    """A custom attribute as Describe shows it (``custom:`` or ``dev:custom:`` prefix)."""
    if attr.get("Required"):
        raise InvalidParameterException("Required custom attributes are not supported currently.")
    dev_only = bool(attr.get("DeveloperOnlyAttribute", False))
    kind = attr.get("AttributeDataType") or "String"
    if kind not in _TYPES:  # the model's enum check runs first; kept as a guard
        raise InvalidParameterException(f"Invalid AttributeDataType {kind}.")
    full = ("dev:custom:" if dev_only else "custom:") + attr["Name"]
    entry: dict[str, Any] = {
        "Name": full,
        "AttributeDataType": kind,
        "DeveloperOnlyAttribute": dev_only,
        "Mutable": bool(attr.get("Mutable", True)),
        "Required": False,
    }
    key = _CONSTRAINTS.get(kind)
    if key:
        entry[key] = _constraints(key, attr.get(key), full)
    return entry


def _plain(name: str) -> str:
    """``dev:custom:x`` and ``custom:x`` name the same attribute slot."""
    return name.removeprefix("dev:")


def add_custom(schema: list[dict[str, Any]], attrs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``schema`` with custom attributes appended; repeated names and over-quota are refused."""
    result = copy.deepcopy(schema)
    names = {_plain(a["Name"]) for a in result}
    for attr in attrs:
        if not attr.get("Name"):
            raise InvalidParameterException("Custom attribute name is required.")
        entry = _custom_entry(attr)
        if _plain(entry["Name"]) in names:
            full = entry["Name"]
            raise InvalidParameterException(f"{full}: Existing attribute already has name {full}.")
        names.add(_plain(entry["Name"]))
        result.append(entry)
    if sum(1 for a in result if _plain(a["Name"]).startswith("custom:")) > MAX_CUSTOM_ATTRIBUTES:
        raise LimitExceededException(f"A user pool can have at most {MAX_CUSTOM_ATTRIBUTES} custom attributes.")
    return result


def _adjust_standard(std: dict[str, Any], attr: dict[str, Any]) -> None:
    """Apply a CreateUserPool Schema entry that names a standard attribute."""
    name = std["Name"]
    if ("AttributeDataType" in attr and attr["AttributeDataType"] != std["AttributeDataType"]) or attr.get(
        "DeveloperOnlyAttribute"
    ):
        raise InvalidParameterException(
            f"You can not change AttributeDataType or set developerOnlyAttribute for standard schema attribute {name}"
        )
    if name == "sub" and (attr.get("Mutable") is True or attr.get("Required") is False):
        raise InvalidParameterException("You can not change Mutable or Required for standard schema attribute sub")
    for key in ("Mutable", "Required"):
        if key in attr:
            std[key] = bool(attr[key])
    key = _CONSTRAINTS.get(std["AttributeDataType"])
    if key and attr.get(key):
        std[key] = _constraints(key, {**std[key], **attr[key]}, name)


def build_schema(requested: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """The pool schema for CreateUserPool's ``Schema``: standard ones adjusted, customs appended."""
    schema = standard_schema()
    by_name = {a["Name"]: a for a in schema}
    customs = []
    seen: set[str] = set()
    for attr in requested or []:
        name = attr.get("Name")
        if name in by_name:
            if name in seen:
                raise InvalidParameterException(f"{name}: Existing attribute already has name {name}.")
            seen.add(name)
            _adjust_standard(by_name[name], attr)
        else:
            customs.append(attr)
    return add_custom(schema, customs)
