"""Tables of the OAuth 2.0 side of a pool: domains, resource servers, authorization codes,
Hosted UI sign-in sessions, and the scopes granted to each OAuth sign-in family.

Everything goes with its pool (ON DELETE CASCADE); codes and sessions also go with
their user. Codes and session cookies are stored only as SHA-256 hashes.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from emulator.store.base import Base


class PoolDomain(Base):
    """A prefix domain (``{prefix}.auth.{region}.amazoncognito.com``) or a custom domain.

    Names are unique (a DB constraint): a prefix within its Region (``region_key`` is the
    Region), a custom domain everywhere (``region_key`` is ``*``). A pool holds at most
    one domain of each kind.
    """

    __tablename__ = "user_pool_domains"

    region_key: Mapped[str] = mapped_column(String(32), primary_key=True)
    domain: Mapped[str] = mapped_column(String(255), primary_key=True)
    pool_id: Mapped[str] = mapped_column(ForeignKey("user_pools.id", ondelete="CASCADE"), index=True)
    custom: Mapped[bool] = mapped_column(Boolean)
    account_id: Mapped[str] = mapped_column(String(12))
    # CustomDomainConfig as given (custom domains only), Routing as given.
    custom_config: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    routing: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    managed_login_version: Mapped[int] = mapped_column(Integer)
    cloudfront: Mapped[str] = mapped_column(String(255))
    version: Mapped[str] = mapped_column(String(20))
    created: Mapped[float] = mapped_column(Float)

    __table_args__ = (UniqueConstraint("pool_id", "custom", name="uq_user_pool_domains_kind"),)


class ResourceServer(Base):
    """An OAuth resource server: its scopes become ``{identifier}/{scope}`` in access tokens."""

    __tablename__ = "resource_servers"

    pool_id: Mapped[str] = mapped_column(ForeignKey("user_pools.id", ondelete="CASCADE"), primary_key=True)
    identifier: Mapped[str] = mapped_column(String(256), primary_key=True)
    name: Mapped[str] = mapped_column(String(256))
    # [{"ScopeName", "ScopeDescription"}] as given.
    scopes: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    created: Mapped[float] = mapped_column(Float)


class AuthorizationCode(Base):
    """A single-use authorization code, bound to what the authorize request asked for."""

    __tablename__ = "oauth_codes"

    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    pool_id: Mapped[str] = mapped_column(ForeignKey("user_pools.id", ondelete="CASCADE"), index=True)
    client_id: Mapped[str] = mapped_column(String(128))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    redirect_uri: Mapped[str] = mapped_column(Text)
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    nonce: Mapped[str | None] = mapped_column(Text)
    challenge: Mapped[str | None] = mapped_column(Text)
    challenge_method: Mapped[str | None] = mapped_column(String(8))
    auth_time: Mapped[int] = mapped_column(Integer)
    created: Mapped[float] = mapped_column(Float)
    expires: Mapped[float] = mapped_column(Float)
    used: Mapped[bool] = mapped_column(Boolean, default=False)


class HostedSession(Base):
    """The server side of the ``cognito`` cookie: one browser signed in to one pool.

    One cookie value may be signed in to several pools (Cogito serves every pool's pages
    from one host, where AWS gives each pool its own domain), hence the pair as key.
    """

    __tablename__ = "hosted_ui_sessions"

    session_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    pool_id: Mapped[str] = mapped_column(ForeignKey("user_pools.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    auth_time: Mapped[int] = mapped_column(Integer)
    created: Mapped[float] = mapped_column(Float)
    expires: Mapped[float] = mapped_column(Float)


class OAuthFamily(Base):
    """The scopes granted to one OAuth sign-in (origin_jti), kept for its refreshes."""

    __tablename__ = "oauth_families"

    origin_jti: Mapped[str] = mapped_column(String(64), primary_key=True)
    pool_id: Mapped[str] = mapped_column(ForeignKey("user_pools.id", ondelete="CASCADE"), index=True)
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    created: Mapped[float] = mapped_column(Float)
