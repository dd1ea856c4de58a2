"""Tables of the identity-pool half: pools, identities, their linked logins, vended keys.

An identity is ``{region}:{uuid}``. Each login (provider, subject) is linked to at most one
identity of a pool: that is a primary key, so two concurrent GetId calls for the same user
cannot create two identities. Subjects can be long (a developer user identifier is up to
1,024 characters, an unverifiable token up to 50,000), so the key holds their SHA-256.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

# The ID-token revocation tables must exist for ServerSideTokenCheck.
import emulator.userpool.auth.models  # noqa: F401
from emulator.store.base import Base


class IdentityPool(Base):
    __tablename__ = "identity_pools"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(15))
    region: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(128))
    created: Mapped[float] = mapped_column(Float)
    modified: Mapped[float] = mapped_column(Float)
    # The IdentityPool members DescribeIdentityPool echoes (minus id, name and tags).
    config: Mapped[dict[str, Any]] = mapped_column(JSON)
    tags: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    # SetIdentityPoolRoles: {"authenticated": arn, "unauthenticated": arn} and RoleMappings.
    roles: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    role_mappings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # SetPrincipalTagAttributeMap: provider name -> {"UseDefaults": bool, "PrincipalTags": {...}}.
    principal_tags: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    __table_args__ = (Index("ix_identity_pools_owner", "account_id", "region", "created"),)


class Identity(Base):
    __tablename__ = "identities"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    pool_id: Mapped[str] = mapped_column(ForeignKey("identity_pools.id", ondelete="CASCADE"))
    created: Mapped[float] = mapped_column(Float)
    modified: Mapped[float] = mapped_column(Float)
    # Once a login was linked the identity is authenticated for good; with every login
    # unlinked it is "disabled" (ListIdentities HideDisabled) and can no longer get credentials.
    authenticated: Mapped[bool] = mapped_column(default=False)

    __table_args__ = (Index("ix_identities_pool_created", "pool_id", "created", "id"),)


class IdentityLogin(Base):
    """One login linked to an identity: (provider, subject) is unique within a pool."""

    __tablename__ = "identity_logins"

    pool_id: Mapped[str] = mapped_column(ForeignKey("identity_pools.id", ondelete="CASCADE"), primary_key=True)
    provider: Mapped[str] = mapped_column(String(256), primary_key=True)
    subject_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    subject: Mapped[str] = mapped_column(Text)
    identity_id: Mapped[str] = mapped_column(ForeignKey("identities.id", ondelete="CASCADE"), index=True)
    created: Mapped[float] = mapped_column(Float)


class VendedCredential(Base):
    """Temporary keys handed out, kept so tests can ask whom a key was vended to.

    Not linked by foreign key: a record outlives the identity or pool it was vended for.
    """

    __tablename__ = "vended_credentials"

    access_key_id: Mapped[str] = mapped_column(String(20), primary_key=True)
    secret_key: Mapped[str] = mapped_column(String(40))
    session_token: Mapped[str] = mapped_column(Text)
    created: Mapped[float] = mapped_column(Float)
    expiration: Mapped[float] = mapped_column(Float)
    role_arn: Mapped[str] = mapped_column(String(2048))
    session_name: Mapped[str] = mapped_column(String(64))
    # "GetCredentialsForIdentity" or "AssumeRoleWithWebIdentity".
    source: Mapped[str] = mapped_column(String(32))
    identity_id: Mapped[str | None] = mapped_column(String(64), index=True)
    identity_pool_id: Mapped[str | None] = mapped_column(String(64))
    provider: Mapped[str | None] = mapped_column(String(2048))
    subject: Mapped[str | None] = mapped_column(String(2048))


class IdentitySigningKey(Base):
    """The identity service's RSA key for one region (GetOpenIdToken tokens)."""

    __tablename__ = "identity_signing_keys"

    region: Mapped[str] = mapped_column(String(32), primary_key=True)
    kid: Mapped[str] = mapped_column(String(64))
    private_pem: Mapped[str] = mapped_column(Text)
