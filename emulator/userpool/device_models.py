"""The devices table: one row per device key a tracked sign-in handed out.

A device is born unconfirmed at sign-in (NewDeviceMetadata); ConfirmDevice stores its SRP
salt and verifier (computed by the client from DeviceGroupKey, DeviceKey and a random
password only the device knows) and its remembered status.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from emulator.store.base import Base


class Device(Base):
    __tablename__ = "devices"

    device_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    pool_id: Mapped[str] = mapped_column(ForeignKey("user_pools.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    group_key: Mapped[str] = mapped_column(String(32))
    name: Mapped[str | None] = mapped_column(String(1024))
    # SRP salt and verifier as hex (set by ConfirmDevice).
    salt: Mapped[str | None] = mapped_column(String(1024))
    verifier: Mapped[str | None] = mapped_column(Text)
    confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    # "remembered" | "not_remembered" once confirmed.
    remembered: Mapped[str | None] = mapped_column(String(16))
    last_ip: Mapped[str | None] = mapped_column(String(64))
    created: Mapped[float] = mapped_column(Float)
    modified: Mapped[float] = mapped_column(Float)
    last_authenticated: Mapped[float] = mapped_column(Float)

    __table_args__ = (Index("ix_devices_user_created", "user_id", "created", "device_key"),)
