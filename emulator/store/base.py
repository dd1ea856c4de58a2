"""The declarative base every table derives from."""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    """Base of Cogito's tables (SQLAlchemy 2.x typed models)."""
