"""The standard attribute schema AWS gives every pool, and custom attributes on top.

Constraint values are strings in AWS's output ("MinLength": "0"), so they are here too.
"""

from __future__ import annotations

import copy
from typing import Any

from emulator.errors import InvalidParameterException, LimitExceededException

_STRING_ATTRS = (
    "name", "given_name", "family_name", "middle_name", "nickname", "preferred_username", "profile",
    "picture", "website", "email", "gender", "zoneinfo", "locale", "phone_number", "address",
)
MAX_CUSTOM_ATTRIBUTES = 50


def _string(name: str, lo: str = "0", hi: str = "2048", *, mutable: bool = True, required: bool = False) -> dict[str, Any]:
    return {
        "Name": name, "AttributeDataType": "String", "DeveloperOnlyAttribute": False, "Mutable": mutable,
        "Required": required, "StringAttributeConstraints": {"MinLength": lo, "MaxLength": hi},
    }


def _boolean(name: str) -> dict[str, Any]:
    return {"Name": name, "AttributeDataType": "Boolean", "DeveloperOnlyAttribute": False, "Mutable": True,
            "Required": False}


def standard_schema() -> list[dict[str, Any]]:
    """A fresh copy of the standard attributes, in a stable order with ``sub`` first."""
    attrs = [_string("sub", "1", "2048", mutable=False, required=True)]
    for name in _STRING_ATTRS:
        attrs.append(_string(name))
        if name in ("email", "phone_number"):
            attrs.append(_boolean(f"{name}_verified"))
    attrs.append(_string("birthdate", "10", "10"))
    attrs.append({"Name": "updated_at", "AttributeDataType": "Number", "DeveloperOnlyAttribute": False,
                  "Mutable": True, "Required": False, "NumberAttributeConstraints": {"MinValue": "0"}})
    attrs.append({"Name": "identities", "AttributeDataType": "String", "DeveloperOnlyAttribute": False,
                  "Mutable": True, "Required": False, "StringAttributeConstraints": {}})
    return attrs


STANDARD_NAMES = frozenset(a["Name"] for a in standard_schema())


def _custom_entry(attr: dict[str, Any]) -> dict[str, Any]:
    """A custom attribute as Describe shows it (``custom:`` or ``dev:custom:`` prefix)."""
    if attr.get("Required"):
        raise InvalidParameterException("Required custom attributes are not supported currently.")
    dev_only = bool(attr.get("DeveloperOnlyAttribute", False))
    kind = attr.get("AttributeDataType", "String")
    entry: dict[str, Any] = {
        "Name": ("dev:custom:" if dev_only else "custom:") + attr["Name"],
        "AttributeDataType": kind,
        "DeveloperOnlyAttribute": dev_only,
        "Mutable": bool(attr.get("Mutable", True)),
        "Required": False,
    }
    if kind == "String":
        entry["StringAttributeConstraints"] = dict(attr.get("StringAttributeConstraints") or {})
    elif kind == "Number":
        entry["NumberAttributeConstraints"] = dict(attr.get("NumberAttributeConstraints") or {})
    return entry


def add_custom(schema: list[dict[str, Any]], attrs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``schema`` with custom attributes appended; duplicates and over-quota are refused."""
    result = copy.deepcopy(schema)
    names = {a["Name"].removeprefix("dev:") for a in result}
    for attr in attrs:
        if "Name" not in attr:
            raise InvalidParameterException("Custom attribute names must be specified.")
        entry = _custom_entry(attr)
        plain = entry["Name"].removeprefix("dev:")
        if plain in names:
            raise InvalidParameterException(f"Existing attribute already has name {plain}.")
        names.add(plain)
        result.append(entry)
    if sum(1 for a in result if "custom:" in a["Name"]) > MAX_CUSTOM_ATTRIBUTES:
        raise LimitExceededException(f"You can have at most {MAX_CUSTOM_ATTRIBUTES} custom attributes.")
    return result


def build_schema(requested: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """The pool schema for CreateUserPool's ``Schema``: standard ones adjusted, customs added."""
    schema = standard_schema()
    by_name = {a["Name"]: a for a in schema}
    customs = []
    for attr in requested or []:
        name = attr.get("Name")
        if name in by_name:
            std = by_name[name]
            if "AttributeDataType" in attr and attr["AttributeDataType"] != std["AttributeDataType"]:
                raise InvalidParameterException(
                    f"You can not change AttributeDataType or set developerOnlyAttribute for standard schema attribute {name}"
                )
            if name == "sub" and (attr.get("Mutable") or attr.get("Required") is False):
                raise InvalidParameterException("You can not change Mutable or Required for sub.")
            for key in ("Mutable", "Required"):
                if key in attr:
                    std[key] = bool(attr[key])
            for key in ("StringAttributeConstraints", "NumberAttributeConstraints"):
                if key in attr and key in std:
                    std[key] = {**std[key], **attr[key]}
        else:
            customs.append(attr)
    return add_custom(schema, customs)
