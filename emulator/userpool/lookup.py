"""Finding pools and clients, with Cognito's not-found errors."""

from __future__ import annotations

from sqlalchemy.orm import Session

from emulator.errors import ResourceNotFoundException
from emulator.userpool.models import AppClient, UserPool


def get_pool(db: Session, pool_id: str) -> UserPool:
    pool = db.get(UserPool, pool_id)
    if pool is None:
        raise ResourceNotFoundException(f"User pool {pool_id} does not exist.")
    return pool


def get_client(db: Session, pool_id: str, client_id: str) -> AppClient:
    """A client of that pool; a client of another pool is not found either."""
    get_pool(db, pool_id)
    client = db.get(AppClient, client_id)
    if client is None or client.pool_id != pool_id:
        raise ResourceNotFoundException(f"User pool client {client_id} does not exist.")
    return client
