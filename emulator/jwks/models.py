"""The table of pool signing keys: one RSA key pair per pool and token use.

The primary key (pool, use) is what makes lazy creation race-safe: two workers creating
a pool's keys at once cannot both insert, the loser re-reads the winner's. Keys go with
their pool (ON DELETE CASCADE).
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from emulator.store.base import Base


class SigningKey(Base):
    __tablename__ = "signing_keys"

    pool_id: Mapped[str] = mapped_column(ForeignKey("user_pools.id", ondelete="CASCADE"), primary_key=True)
    # "id" or "access": AWS signs the two token kinds with different keys.
    use: Mapped[str] = mapped_column(String(8), primary_key=True)
    kid: Mapped[str] = mapped_column(String(64))
    # PKCS#8 PEM, unencrypted: an emulator's keys protect nothing real.
    private_pem: Mapped[str] = mapped_column(Text)
