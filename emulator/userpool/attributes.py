"""Attribute rules: which names a pool knows, which values it accepts, who may write them.

Two entry points: ``validate_new`` for a user being created (SignUp with a client,
AdminCreateUser without one) and ``validate_update`` for a change to an existing user.
Both return ``name -> value`` and raise Cognito's own errors and wording:

- creation: ``Attributes did not conform to the schema: ...`` (reference §5);
- update: ``user.<name>: Attribute does not exist in the schema.`` and
  ``user.<name>: Attribute cannot be updated. (changing an immutable attribute)``, as
  AWS answers UpdateUserAttributes (observed wording, with its trailing newline).
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select

from emulator.context import Context
from emulator.errors import InvalidParameterException, NotAuthorizedException
from emulator.userpool import codes, directory, outbox, templates, usernames
from emulator.userpool.directory_models import PendingAttribute, User
from emulator.userpool.models import AppClient, UserPool

SCHEMA_PREFIX = "Attributes did not conform to the schema: "
UNAUTHORIZED_WRITE = "A client attempted to write unauthorized attribute"
PHONE_FORMAT = "Invalid phone number format."
EMAIL_FORMAT = "Invalid email address format."

# E.164: a plus and up to 15 digits (Cognito is no stricter about country codes [U]).
_PHONE = re.compile(r"^\+[0-9]{4,15}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
VERIFIED_FLAGS = {"email_verified": "email", "phone_number_verified": "phone_number"}


def schema_of(pool: UserPool) -> dict[str, dict[str, Any]]:
    """The pool's schema attributes by their full name (``custom:x``, ``dev:custom:x``)."""
    return {a["Name"]: a for a in pool.config.get("SchemaAttributes") or []}


def as_dict(attrs: list[dict[str, str]] | None) -> dict[str, str]:
    """``[{"Name", "Value"}]`` to a dict; a repeated name keeps its last value."""
    result: dict[str, str] = {}
    for item in attrs or []:
        result[item["Name"]] = item.get("Value", "")
    return result


def _entry(schema: dict[str, dict[str, Any]], name: str, *, admin: bool) -> dict[str, Any] | None:
    """The schema entry ``name`` refers to; ``dev:`` attributes exist only for admin calls."""
    entry = schema.get(name)
    if entry is None:
        return None
    if name.startswith("dev:") and not admin:
        return None
    return entry


def value_problem(entry: dict[str, Any], value: str) -> str | None:
    """Why ``value`` does not fit ``entry`` (type, format, constraints), or None."""
    name = entry["Name"]
    kind = entry.get("AttributeDataType", "String")
    if kind == "Boolean":
        if value not in ("true", "false"):
            return f"{name}: Value must be either true or false"
        return None
    if kind == "Number":
        try:
            number = Decimal(value)
            if not number.is_finite():
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            return f"{name}: Number must be a valid number"
        limits = entry.get("NumberAttributeConstraints") or {}
        if limits.get("MinValue") not in (None, "") and number < Decimal(str(limits["MinValue"])):
            return f"{name}: Number must be no less than {limits['MinValue']}"
        if limits.get("MaxValue") not in (None, "") and number > Decimal(str(limits["MaxValue"])):
            return f"{name}: Number must be no greater than {limits['MaxValue']}"
        return None
    if kind == "DateTime":
        return None
    limits = entry.get("StringAttributeConstraints") or {}
    if limits.get("MinLength") not in (None, "") and len(value) < int(limits["MinLength"]):
        return f"{name}: String must be no shorter than {limits['MinLength']} characters"
    if limits.get("MaxLength") not in (None, "") and len(value) > int(limits["MaxLength"]):
        return f"{name}: String must be no longer than {limits['MaxLength']} characters"
    return None


def check_value(entry: dict[str, Any], value: str, prefix: str = SCHEMA_PREFIX) -> None:
    """Raise Cognito's error when ``value`` does not suit the attribute ``entry``."""
    name = entry["Name"]
    if name == "phone_number" and value and not _PHONE.match(value):
        raise InvalidParameterException(PHONE_FORMAT)
    if name == "email" and value and not _EMAIL.match(value):
        raise InvalidParameterException(EMAIL_FORMAT)
    if name == "birthdate" and value:
        if not _DATE.match(value) or not _real_date(value):
            raise InvalidParameterException(f"{prefix}birthdate: Value must be a date in the format YYYY-MM-DD")
    problem = value_problem(entry, value)
    if problem:
        raise InvalidParameterException(prefix + problem)


def _real_date(value: str) -> bool:
    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def check_client_writes(client: AppClient | None, names: list[str]) -> None:
    """A client with a WriteAttributes list writes only those; without one, all but dev-only [U]."""
    if client is None:
        return
    allowed = client.config.get("WriteAttributes")
    for name in names:
        if name.startswith("dev:") or name == "sub":
            raise NotAuthorizedException(UNAUTHORIZED_WRITE)
        if allowed and name not in allowed:
            raise NotAuthorizedException(UNAUTHORIZED_WRITE)


def required_names(pool: UserPool) -> list[str]:
    """Attributes the schema marks Required (``sub`` aside: Cognito sets it)."""
    return [a["Name"] for a in pool.config.get("SchemaAttributes") or [] if a.get("Required") and a["Name"] != "sub"]


def validate_new(
    pool: UserPool, attrs: list[dict[str, str]], *, client: AppClient | None, require: bool | None = None
) -> dict[str, str]:
    """The attributes of a new user, checked against the pool's schema (no ``sub`` in the result).

    Required attributes are enforced for SignUp (a client) but not for AdminCreateUser:
    AWS lets an administrator create a user without them, to be supplied at the
    NEW_PASSWORD_REQUIRED challenge (AdminCreateUser's UserAttributes documentation).
    """
    values = as_dict(attrs)
    schema = schema_of(pool)
    admin = client is None
    for name, value in values.items():
        entry = _entry(schema, name, admin=admin)
        if entry is None:
            raise InvalidParameterException(f"{SCHEMA_PREFIX}Type for attribute {{{name}}} could not be determined")
        if name == "sub":
            raise InvalidParameterException(
                f"{SCHEMA_PREFIX}sub: Attribute cannot be updated. (changing an immutable attribute)"
            )
    check_client_writes(client, list(values))
    for name, value in values.items():
        check_value(schema[name], value)
    # In UsernameAttributes pools the username supplies the e-mail / phone.
    check_verified_flags(values, {**{k: "given" for k in pool.config.get("UsernameAttributes") or []}, **values})
    if require if require is not None else not admin:
        for name in required_names(pool):
            if not values.get(name):
                raise InvalidParameterException(f"{SCHEMA_PREFIX}{name}: The attribute is required")
    return values


def check_verified_flags(changes: dict[str, str], merged: dict[str, str]) -> None:
    """email_verified / phone_number_verified need the attribute they speak of."""
    if "email_verified" in changes and not merged.get("email"):
        raise InvalidParameterException("Email is required to verify/un-verify an email")
    if "phone_number_verified" in changes and not merged.get("phone_number"):
        raise InvalidParameterException("Phone Number is required to verify/un-verify a phone number")


def validate_update(
    pool: UserPool, user: User, attrs: list[dict[str, str]], *, client: AppClient | None,
    allow_unset_immutable: bool = False,
) -> dict[str, str]:
    """Changes to an existing user's attributes; immutable ones are refused even if never set.

    An empty value deletes the attribute (the AdminUpdateUserAttributes reference: "submit
    the attribute ... with a blank value"), so a required attribute cannot be emptied.
    ``allow_unset_immutable`` lets an immutable attribute without a value be given once
    (the NEW_PASSWORD_REQUIRED answer completes the creation of an invited user).
    """
    values = as_dict(attrs)
    schema = schema_of(pool)
    admin = client is None
    for name in values:
        entry = _entry(schema, name, admin=admin)
        if entry is None:
            raise InvalidParameterException(f"user.{name}: Attribute does not exist in the schema.\n")
        settable_once = allow_unset_immutable and name != "sub" and not (user.attributes or {}).get(name)
        if name == "sub" or (not entry.get("Mutable", True) and not settable_once):
            raise InvalidParameterException(
                f"user.{name}: Attribute cannot be updated. (changing an immutable attribute)\n"
            )
    check_client_writes(client, list(values))
    required = set(required_names(pool))
    for name, value in values.items():
        if value == "" and name in required:
            raise InvalidParameterException(f"{SCHEMA_PREFIX}{name}: The attribute is required")
        if value != "":
            check_value(schema[name], value)
    merged = {**(user.attributes or {}), **{k: v for k, v in values.items() if v != ""}}
    check_verified_flags({k: v for k, v in values.items() if v != ""}, merged)
    return values


def validate_delete(pool: UserPool, names: list[str], *, client: AppClient | None) -> list[str]:
    """Names an Admin/DeleteUserAttributes call may remove: known, mutable, not required."""
    schema = schema_of(pool)
    admin = client is None
    required = set(required_names(pool))
    for name in names:
        entry = _entry(schema, name, admin=admin)
        if entry is None:
            raise InvalidParameterException(f"user.{name}: Attribute does not exist in the schema.\n")
        if name == "sub" or not entry.get("Mutable", True):
            raise InvalidParameterException(
                f"user.{name}: Attribute cannot be updated. (changing an immutable attribute)\n"
            )
        if name in required:
            raise InvalidParameterException(f"{SCHEMA_PREFIX}{name}: The attribute is required")
    check_client_writes(client, names)
    return list(dict.fromkeys(names))


# --- applying changes: verification codes, pending values, aliases -------------------------

def medium_of(name: str) -> str:
    return "EMAIL" if name == "email" else "SMS"


def send_attribute_code(ctx: Context, pool: UserPool, user: User, name: str, value: str) -> dict[str, str]:
    """Issue a ``VERIFY:<name>`` code, send it to ``value``; returns the CodeDeliveryDetails."""
    code = codes.issue(ctx, user, f"VERIFY:{name}", codes.ATTRIBUTE_TTL)
    medium = medium_of(name)
    message = templates.verification(pool, medium, code)
    outbox.send(ctx, pool_id=pool.id, username=user.username, kind="VERIFY_ATTRIBUTE", medium=medium,
                destination=value, subject=message.subject, body=message.body, code=code)
    return outbox.details(medium, name, value)


def pending_value(ctx: Context, user: User, name: str) -> str | None:
    """The new value of ``name`` waiting for verification, if any."""
    row = ctx.db.get(PendingAttribute, (user.id, name))
    return row.value if row is not None else None


def _set_pending(ctx: Context, user: User, name: str, value: str | None) -> None:
    row = ctx.db.get(PendingAttribute, (user.id, name))
    if value is None:
        if row is not None:
            ctx.db.delete(row)
    elif row is None:
        ctx.db.add(PendingAttribute(user_id=user.id, name=name, value=value, created=ctx.now))
    else:
        row.value, row.created = value, ctx.now
    ctx.db.flush()


def confirm_attribute(ctx: Context, pool: UserPool, user: User, name: str) -> None:
    """A verified code for ``name``: apply any pending value, mark it verified, refresh aliases."""
    pending = pending_value(ctx, user, name)
    changes: dict[str, str | None] = {f"{name}_verified": "true"}
    if pending is not None:
        changes[name] = pending
        _set_pending(ctx, user, name, None)
    directory.set_attributes(user, changes)
    user.modified = ctx.now
    usernames.sync_aliases(ctx, pool, user)


def apply_update(ctx: Context, pool: UserPool, user: User, values: dict[str, str]) -> list[dict[str, str]]:
    """Apply validated changes (``""`` deletes); returns the CodeDeliveryDetails of codes sent.

    A changed e-mail/phone becomes unverified and, when the pool auto-verifies it, gets a
    code, unless the same request marks it verified. With
    AttributesRequireVerificationBeforeUpdate the old value stays until the code is verified.
    """
    current = dict(user.attributes or {})
    settings = pool.config.get("UserAttributeUpdateSettings") or {}
    verify_first = set(settings.get("AttributesRequireVerificationBeforeUpdate") or [])
    auto = set(pool.config.get("AutoVerifiedAttributes") or [])
    changes: dict[str, str | None] = {}
    to_verify: list[tuple[str, str]] = []
    for name, value in values.items():
        if name in VERIFIED_FLAGS:
            changes[name] = value or None
            continue
        if value == "":
            changes[name] = None
            if name in VERIFIED_FLAGS.values():
                changes[f"{name}_verified"] = None
                _set_pending(ctx, user, name, None)
            continue
        if name not in VERIFIED_FLAGS.values() or value == current.get(name):
            changes[name] = value
            continue
        if values.get(f"{name}_verified") == "true":
            changes[name] = value
            _set_pending(ctx, user, name, None)
        elif name in verify_first and current.get(name):
            _set_pending(ctx, user, name, value)
            to_verify.append((name, value))
        else:
            changes[name] = value
            changes[f"{name}_verified"] = "false"
            _set_pending(ctx, user, name, None)
            if name in auto:
                to_verify.append((name, value))
    directory.set_attributes(user, changes)
    user.modified = ctx.now
    usernames.sync_aliases(ctx, pool, user)
    return [send_attribute_code(ctx, pool, user, name, value) for name, value in to_verify]


def apply_delete(ctx: Context, pool: UserPool, user: User, names: list[str]) -> None:
    """Remove attributes (validated by ``validate_delete``); an e-mail/phone takes its flag along."""
    changes: dict[str, str | None] = {}
    for name in names:
        changes[name] = None
        if name in VERIFIED_FLAGS.values():
            changes[f"{name}_verified"] = None
            _set_pending(ctx, user, name, None)
    directory.set_attributes(user, changes)
    user.modified = ctx.now
    usernames.sync_aliases(ctx, pool, user)


def pending_names(ctx: Context, user: User) -> list[str]:
    """Attributes with a value waiting for verification."""
    return list(ctx.db.scalars(select(PendingAttribute.name).where(PendingAttribute.user_id == user.id)))
