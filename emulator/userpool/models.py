"""Tables of the user-pool half: pools and app clients.

A pool's and a client's settings are kept as the AWS-shaped document Describe returns
(``config``); the columns are what is looked up, listed or made unique.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from emulator.store.base import Base


class UserPool(Base):
    __tablename__ = "user_pools"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(12))
    region: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(128))
    created: Mapped[float] = mapped_column(Float)
    modified: Mapped[float] = mapped_column(Float)
    config: Mapped[dict[str, Any]] = mapped_column(JSON)
    tags: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)

    __table_args__ = (Index("ix_user_pools_owner", "account_id", "region", "created"),)


class AppClient(Base):
    __tablename__ = "app_clients"

    client_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    pool_id: Mapped[str] = mapped_column(ForeignKey("user_pools.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(128))
    secret: Mapped[str | None] = mapped_column(String(128))
    created: Mapped[float] = mapped_column(Float)
    modified: Mapped[float] = mapped_column(Float)
    config: Mapped[dict[str, Any]] = mapped_column(JSON)
