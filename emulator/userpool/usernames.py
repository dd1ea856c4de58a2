"""Sign-in identifiers: usernames, username attributes, aliases, and their uniqueness.

- ``UsernameAttributes`` pools (email / phone_number as username): the internal username
  is a fresh UUID equal to ``sub``; the e-mail or phone becomes an attribute and a sign-in
  alias, unique among all users whether verified or not.
- ``AliasAttributes`` pools: an e-mail or phone is an alias only once verified
  (preferred_username as soon as it is set), unique among the active aliases.
- Uniqueness is the database's: a concurrent duplicate surfaces as an IntegrityError
  inside a SAVEPOINT and is answered with the same error a sequential one gets.
"""

from __future__ import annotations

import re
import uuid

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from emulator.context import Context
from emulator.errors import AliasExistsException, InvalidParameterException, UsernameExistsException
from emulator.userpool import directory
from emulator.userpool.directory_models import Alias, User
from emulator.userpool.models import UserPool

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
_PHONE = re.compile(r"^\+[0-9]{4,15}$")

# How each operation words a taken username (reference §5).
EXISTS_WORDING = {"AdminCreateUser": "User account already exists", "SignUp": "User already exists"}


def looks_like_email(value: str) -> bool:
    return bool(_EMAIL.match(value))


def looks_like_phone(value: str) -> bool:
    return bool(_PHONE.match(value))


def username_attributes(pool: UserPool) -> list[str]:
    return list(pool.config.get("UsernameAttributes") or [])


def alias_attributes(pool: UserPool) -> list[str]:
    return list(pool.config.get("AliasAttributes") or [])


def username_kind(pool: UserPool, username: str) -> str:
    """In a UsernameAttributes pool, which attribute ``username`` is; refused if neither."""
    kinds = username_attributes(pool)
    if "email" in kinds and looks_like_email(username):
        return "email"
    if "phone_number" in kinds and looks_like_phone(username):
        return "phone_number"
    if kinds == ["email"]:
        raise InvalidParameterException("Username should be an email.")
    if kinds == ["phone_number"]:
        raise InvalidParameterException("Username should be a phone number.")
    raise InvalidParameterException("Username should be either an email or a phone number.")


def check_alias_pool_username(pool: UserPool, username: str) -> None:
    """An alias pool refuses usernames shaped like the aliases it signs in with."""
    kinds = alias_attributes(pool)
    if "email" in kinds and looks_like_email(username):
        raise InvalidParameterException(
            "Username cannot be of email format, since user pool is configured for email alias."
        )
    if "phone_number" in kinds and looks_like_phone(username):
        raise InvalidParameterException(
            "Username cannot be of phone number format, since user pool is configured for phone number alias."
        )


def _exists_message(operation: str) -> str:
    return EXISTS_WORDING.get(operation, "User already exists")


def create_user(
    ctx: Context, pool: UserPool, username: str, attributes: dict[str, str], *, status: str,
    password: str | None, force_alias: bool = False, operation: str = "AdminCreateUser",
) -> User:
    """Insert a user (attributes already validated), its sub, password secret and aliases.

    Raises UsernameExistsException (worded per ``operation``) when the username, or in a
    UsernameAttributes pool the e-mail/phone, is taken, including by a concurrent request.
    """
    attrs = dict(attributes)
    attrs.pop("sub", None)
    sub = str(uuid.uuid4())
    kind_of_username: str | None = None
    if username_attributes(pool):
        kind_of_username = username_kind(pool, username)
        attrs[kind_of_username] = username
        internal = sub
    else:
        check_alias_pool_username(pool, username)
        internal = username
    key = directory.username_key(pool, internal)
    if ctx.db.scalar(select(User.id).where(User.pool_id == pool.id, User.username_key == key)) is not None:
        raise UsernameExistsException(_exists_message(operation))
    user = User(
        pool_id=pool.id, username=internal, username_key=key, sub=sub, status=status, enabled=True,
        created=ctx.now, modified=ctx.now, attributes={}, password_history=[], mfa={}, failed_attempts=0,
    )
    directory.set_attributes(user, {"sub": sub, **attrs})
    if password is not None:
        directory.set_password(user, pool, password, ctx.now)
    try:
        with ctx.db.begin_nested():
            ctx.db.add(user)
            ctx.db.flush()
    except IntegrityError:
        raise UsernameExistsException(_exists_message(operation)) from None
    try:
        sync_aliases(ctx, pool, user, force=force_alias)
    except AliasExistsException:
        if kind_of_username is None:
            raise
        raise UsernameExistsException(f"An account with the given {kind_of_username} already exists.") from None
    return user


def wanted_aliases(pool: UserPool, user: User) -> dict[str, str]:
    """The aliases ``user`` should hold now: kind -> value."""
    attrs = user.attributes or {}
    wanted: dict[str, str] = {}
    for kind in username_attributes(pool):
        if attrs.get(kind):
            wanted[kind] = attrs[kind]
    for kind in alias_attributes(pool):
        value = attrs.get(kind)
        if not value:
            continue
        if kind == "preferred_username" or attrs.get(f"{kind}_verified") == "true":
            wanted[kind] = value
    return wanted


def sync_aliases(ctx: Context, pool: UserPool, user: User, *, force: bool = False) -> None:
    """(Re)compute ``user``'s alias rows after its attributes or verified flags changed.

    A value another user holds raises AliasExistsException, unless ``force`` moves it to
    ``user`` (the former holder loses it, and its ``<kind>_verified`` becomes false, as
    ForceAliasCreation is documented to do). UsernameAttributes values are never moved.
    """
    wanted = {k: directory.alias_key(pool, k, v) for k, v in wanted_aliases(pool, user).items()}
    current = list(ctx.db.scalars(select(Alias).where(Alias.pool_id == pool.id, Alias.user_id == user.id)))
    for row in current:
        if wanted.get(row.kind) != row.value_key:
            ctx.db.delete(row)
        else:
            wanted.pop(row.kind)
    ctx.db.flush()
    for kind, value_key in wanted.items():
        _claim(ctx, pool, user, kind, value_key, force=force and kind not in username_attributes(pool))


def _claim(ctx: Context, pool: UserPool, user: User, kind: str, value_key: str, *, force: bool) -> None:
    """Give ``user`` the alias (kind, value_key), moving it from another holder if forced."""
    holder = ctx.db.get(Alias, (pool.id, kind, value_key))
    if holder is not None and holder.user_id != user.id:
        if not force:
            raise AliasExistsException(f"An account with the {kind} already exists.")
        previous = ctx.db.get(User, holder.user_id)
        holder.user_id = user.id
        if previous is not None and kind in ("email", "phone_number"):
            directory.set_attributes(previous, {f"{kind}_verified": "false"})
            previous.modified = ctx.now
        ctx.db.flush()
        return
    if holder is not None:
        return
    try:
        with ctx.db.begin_nested():
            ctx.db.add(Alias(pool_id=pool.id, kind=kind, value_key=value_key, user_id=user.id))
            ctx.db.flush()
    except IntegrityError:
        raise AliasExistsException(f"An account with the {kind} already exists.") from None


def drop_aliases(ctx: Context, pool: UserPool, user: User) -> None:
    """Remove every alias row of ``user`` (before deleting it)."""
    for row in ctx.db.scalars(select(Alias).where(Alias.pool_id == pool.id, Alias.user_id == user.id)):
        ctx.db.delete(row)
    ctx.db.flush()
