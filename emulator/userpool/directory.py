"""The user directory's shared core: finding users, their attributes, their passwords.

Every user-facing module (admin life cycle, sign-up, lists, groups, sign-in) goes
through these few functions so that case rules, aliases and the searchable columns
behave the same everywhere.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from emulator.errors import UserNotFoundException
from emulator.userpool import passwords
from emulator.userpool.directory_models import SEARCH_COLUMNS, Alias, User
from emulator.userpool.models import UserPool

ALIAS_KINDS = ("email", "phone_number", "preferred_username")


def case_sensitive(pool: UserPool) -> bool:
    """UsernameConfiguration.CaseSensitive; true when the pool was created without it (API default)."""
    return bool((pool.config.get("UsernameConfiguration") or {}).get("CaseSensitive", True))


def username_key(pool: UserPool, username: str) -> str:
    return username if case_sensitive(pool) else username.lower()


def alias_key(pool: UserPool, kind: str, value: str) -> str:
    """Aliases compare as usernames do: case-insensitively when the pool is."""
    return value if case_sensitive(pool) else value.lower()


def sign_in_kinds(pool: UserPool) -> list[str]:
    """The attributes that can stand for the username at sign-in (alias or username attributes)."""
    return list(pool.config.get("UsernameAttributes") or pool.config.get("AliasAttributes") or [])


def find_user(db: Session, pool: UserPool, username: str, *, by_alias: bool = True) -> User | None:
    """The user named ``username``: by username first, then by a sign-in alias."""
    user = db.scalar(select(User).where(User.pool_id == pool.id, User.username_key == username_key(pool, username)))
    if user is not None or not by_alias:
        return user
    for kind in sign_in_kinds(pool):
        alias = db.get(Alias, (pool.id, kind, alias_key(pool, kind, username)))
        if alias is not None:
            return db.get(User, alias.user_id)
    return None


def require_user(db: Session, pool: UserPool, username: str, *, by_alias: bool = True) -> User:
    user = find_user(db, pool, username, by_alias=by_alias)
    if user is None:
        raise UserNotFoundException("User does not exist.")
    return user


def require_target(db: Session, pool: UserPool, username: str) -> User:
    """The user an Admin* call names: username, sign-in alias, or sub (AWS documents all three)."""
    user = find_user(db, pool, username)
    if user is None:
        user = db.scalar(select(User).where(User.pool_id == pool.id, User.sub == username.lower()))
    if user is None:
        raise UserNotFoundException("User does not exist.")
    return user


def set_attributes(user: User, changes: dict[str, str | None]) -> None:
    """Apply attribute changes (None deletes) and keep the searchable columns in step."""
    attrs = dict(user.attributes or {})
    for name, value in changes.items():
        if value is None:
            attrs.pop(name, None)
        else:
            attrs[name] = value
    user.attributes = attrs
    for column in SEARCH_COLUMNS:
        setattr(user, column, attrs.get(column))


def attribute_list(user: User, names: list[str] | None = None) -> list[dict[str, str]]:
    """Attributes as AWS lists them: ``[{"Name", "Value"}]``, optionally only ``names``."""
    attrs = user.attributes or {}
    keys = attrs.keys() if names is None else [n for n in names if n in attrs]
    return [{"Name": k, "Value": attrs[k]} for k in keys]


def set_password(user: User, pool: UserPool, password: str, now: float) -> None:
    """Store the salt and verifier for ``password``; keep history for PasswordHistorySize."""
    size = int(pool.config.get("Policies", {}).get("PasswordPolicy", {}).get("PasswordHistorySize", 0) or 0)
    if size and user.password_salt and user.password_verifier:
        history = [[user.password_salt, user.password_verifier], *(user.password_history or [])]
        user.password_history = history[: size - 1] if size > 1 else []
    user.password_salt, user.password_verifier = passwords.make_secret(pool.id, user.username, password)
    user.password_set_at = now
    from emulator.userpool.auth import password_flow

    password_flow.remember(pool, user, password)  # the first sign-in need not recompute the verifier


def password_matches(user: User, pool: UserPool, password: str) -> bool:
    return passwords.matches(pool.id, user.username, password, user.password_salt, user.password_verifier)


def used_before(user: User, pool: UserPool, password: str) -> bool:
    """Whether ``password`` is the current one or in the kept history (PasswordHistorySize)."""
    pairs: list[Any] = [[user.password_salt, user.password_verifier], *(user.password_history or [])]
    return any(passwords.matches(pool.id, user.username, password, s, v) for s, v in pairs)


def user_type(user: User, names: list[str] | None = None) -> dict[str, Any]:
    """The UserType document (ListUsers, AdminCreateUser, ListUsersInGroup)."""
    return {
        "Username": user.username,
        "Attributes": attribute_list(user, names),
        "UserCreateDate": user.created,
        "UserLastModifiedDate": user.modified,
        "Enabled": user.enabled,
        "UserStatus": user.status,
    }
