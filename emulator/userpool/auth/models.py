"""Tables of sign-in: refresh tokens (hashes only), revoked sign-in families, auth sessions."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from emulator.store.base import Base


class RefreshToken(Base):
    """One refresh token, known only by the SHA-256 of its text."""

    __tablename__ = "refresh_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    pool_id: Mapped[str] = mapped_column(ForeignKey("user_pools.id", ondelete="CASCADE"))
    client_id: Mapped[str] = mapped_column(String(128))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    origin_jti: Mapped[str] = mapped_column(String(64), index=True)
    auth_time: Mapped[int] = mapped_column(Integer)
    created: Mapped[float] = mapped_column(Float)
    expires: Mapped[float] = mapped_column(Float)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    device_key: Mapped[str | None] = mapped_column(String(64))
    # With rotation: when this token was exchanged for a new one (grace period counts from here).
    rotated_at: Mapped[float | None] = mapped_column(Float)


class RevokedOrigin(Base):
    """A revoked sign-in family: every token carrying this origin_jti is refused."""

    __tablename__ = "revoked_origins"

    origin_jti: Mapped[str] = mapped_column(String(64), primary_key=True)
    pool_id: Mapped[str] = mapped_column(ForeignKey("user_pools.id", ondelete="CASCADE"), index=True)
    revoked_at: Mapped[float] = mapped_column(Float)


class AuthSession(Base):
    """The server side of an opaque ``Session`` between challenge steps (single use)."""

    __tablename__ = "auth_sessions"

    session_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    pool_id: Mapped[str] = mapped_column(ForeignKey("user_pools.id", ondelete="CASCADE"), index=True)
    client_id: Mapped[str] = mapped_column(String(128))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    challenge: Mapped[str] = mapped_column(String(64))
    state: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created: Mapped[float] = mapped_column(Float)
    expires: Mapped[float] = mapped_column(Float)
    used: Mapped[bool] = mapped_column(Boolean, default=False)
