"""Tables of the user directory: users, aliases, groups, memberships, codes, the outbox.

Uniqueness is a database constraint (username per pool, alias per pool, group name per
pool, one membership per user and group), so concurrent requests cannot both win.
Passwords are never stored: only the SRP salt and verifier (``v = g^x mod N``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from emulator.store.base import Base

# Standard attributes ListUsers can filter on, kept as indexed columns beside the JSON.
SEARCH_COLUMNS = ("email", "phone_number", "name", "given_name", "family_name", "preferred_username")


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    pool_id: Mapped[str] = mapped_column(ForeignKey("user_pools.id", ondelete="CASCADE"))
    username: Mapped[str] = mapped_column(String(128))
    # The username as compared: lower-cased in case-insensitive pools.
    username_key: Mapped[str] = mapped_column(String(128))
    sub: Mapped[str] = mapped_column(String(36))
    status: Mapped[str] = mapped_column(String(32))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created: Mapped[float] = mapped_column(Float)
    modified: Mapped[float] = mapped_column(Float)
    # Every attribute (sub included) as AWS lists them: name -> string value.
    attributes: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    email: Mapped[str | None] = mapped_column(String(2048))
    phone_number: Mapped[str | None] = mapped_column(String(2048))
    name: Mapped[str | None] = mapped_column(String(2048))
    given_name: Mapped[str | None] = mapped_column(String(2048))
    family_name: Mapped[str | None] = mapped_column(String(2048))
    preferred_username: Mapped[str | None] = mapped_column(String(2048))
    # SRP salt (hex, no extra leading zeros) and verifier (hex); None for passwordless users.
    password_salt: Mapped[str | None] = mapped_column(String(64))
    password_verifier: Mapped[str | None] = mapped_column(Text)
    password_set_at: Mapped[float | None] = mapped_column(Float)
    # Earlier [salt, verifier] pairs for PasswordHistorySize.
    password_history: Mapped[list[Any]] = mapped_column(JSON, default=list)
    # MFA preferences and secrets, device settings: filled in by the MFA work.
    mfa: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Tokens issued before this instant are revoked (GlobalSignOut).
    revoked_before: Mapped[float | None] = mapped_column(Float)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (
        UniqueConstraint("pool_id", "username_key", name="uq_users_username"),
        UniqueConstraint("pool_id", "sub", name="uq_users_sub"),
        Index("ix_users_pool_status", "pool_id", "status"),
        *(Index(f"ix_users_pool_{col}", "pool_id", col) for col in SEARCH_COLUMNS),
    )


def search_key(column: Any, dialect: str) -> Any:
    """The expression ListUsers filters and orders ``column`` by (see ``search_indexes``).

    Case-insensitive attributes compare as ``lower(column)``. On PostgreSQL the key is
    compared in the "C" collation, so a prefix is a contiguous range of the B-tree index
    whatever the database's own collation; SQLite's default (BINARY) already is.
    """
    key = column if column.key in ("username", "status", "enabled") else func.lower(column)
    return key.collate("C") if dialect == "postgresql" and column.key != "enabled" else key


def search_indexes() -> None:
    """One index per searchable key: ``(pool_id, key, id)``, so a filtered page is a range scan."""
    columns = [User.username, User.sub, User.status, User.enabled, *(getattr(User, c) for c in SEARCH_COLUMNS)]
    for column in columns:
        for dialect in ("sqlite", "postgresql"):
            name = f"ix_users_search_{column.key}" + ("_pg" if dialect == "postgresql" else "")
            Index(name, User.pool_id, search_key(column, dialect), User.id).ddl_if(dialect=dialect)


search_indexes()


class Alias(Base):
    """A value that signs a user in besides the username (verified alias, or email/phone username)."""

    __tablename__ = "user_aliases"

    pool_id: Mapped[str] = mapped_column(ForeignKey("user_pools.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)  # email | phone_number | preferred_username
    value_key: Mapped[str] = mapped_column(String(2048), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)


class Group(Base):
    __tablename__ = "groups"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    pool_id: Mapped[str] = mapped_column(ForeignKey("user_pools.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(128))
    description: Mapped[str | None] = mapped_column(String(2048))
    role_arn: Mapped[str | None] = mapped_column(String(2048))
    precedence: Mapped[int | None] = mapped_column(Integer)
    created: Mapped[float] = mapped_column(Float)
    modified: Mapped[float] = mapped_column(Float)

    __table_args__ = (UniqueConstraint("pool_id", "name", name="uq_groups_name"),)


class Membership(Base):
    __tablename__ = "memberships"

    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)


class Code(Base):
    """A live one-time code (sign-up, forgotten password, attribute verification, ...)."""

    __tablename__ = "codes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    purpose: Mapped[str] = mapped_column(String(64))  # SIGNUP | FORGOT_PASSWORD | VERIFY:email | ...
    code: Mapped[str] = mapped_column(String(64))
    created: Mapped[float] = mapped_column(Float)
    expires: Mapped[float] = mapped_column(Float)
    attempts: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (UniqueConstraint("user_id", "purpose", name="uq_codes_purpose"),)


class Message(Base):
    """Everything Cognito would have e-mailed or texted: the outbox."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    pool_id: Mapped[str] = mapped_column(String(64), index=True)
    username: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(32))  # SIGNUP | INVITATION | FORGOT_PASSWORD | VERIFY_ATTRIBUTE | MFA | ...
    medium: Mapped[str] = mapped_column(String(8))  # EMAIL | SMS
    destination: Mapped[str | None] = mapped_column(String(2048))
    subject: Mapped[str | None] = mapped_column(String(2048))
    body: Mapped[str] = mapped_column(Text)
    code: Mapped[str | None] = mapped_column(String(64))
    created: Mapped[float] = mapped_column(Float)


class PendingAttribute(Base):
    """A new e-mail or phone waiting for its code (AttributesRequireVerificationBeforeUpdate).

    The user keeps signing in and receiving messages with the old value until the code
    for the new one is verified; then the new value replaces it.
    """

    __tablename__ = "pending_attributes"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[str] = mapped_column(String(2048))
    created: Mapped[float] = mapped_column(Float)
