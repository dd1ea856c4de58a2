"""The hottest reads of sign-in and of the access-token operations, one query each.

Loading a pool and an app client through the ORM costs about 0.1 ms apiece, twenty
times what the database takes to answer (store.prepared runs these reads directly). Sign-in, refresh and every access-token call
only *read* their pool's and client's settings, so here they get both (and the pool's
two signing kids, remembered for the transaction by jwks.keys) from one row, as
snapshots: ``UserPool`` and ``AppClient`` instances built from the row and not attached
to the session. Nothing may change a snapshot (there is nothing to save it); code that
changes a pool or a client loads it with lookup.get_pool/get_client as before.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from emulator.jwks import keys
from emulator.jwks.models import SigningKey
from emulator.store.prepared import Prepared
from emulator.userpool.models import AppClient, UserPool

_POOLS = UserPool.__table__
_CLIENTS = AppClient.__table__
_KEYS = SigningKey.__table__
_POOL_COLUMNS = [column.key for column in _POOLS.columns]
_CLIENT_COLUMNS = [column.key for column in _CLIENTS.columns]


def _kid(use: str) -> Any:
    return (select(_KEYS.c.kid).where(_KEYS.c.pool_id == _POOLS.c.id, _KEYS.c.use == use)
            .scalar_subquery().label(f"kid_{use}"))


_POOL_PART = [*_POOLS.columns, _kid("id"), _kid("access")]

# A client (by id) with its pool and the pool's kids.
_CLIENT_AND_POOL = Prepared(
    select(*_CLIENTS.columns, *_POOL_PART)
    .select_from(_CLIENTS.join(_POOLS, _POOLS.c.id == _CLIENTS.c.pool_id))
    .where(_CLIENTS.c.client_id == bindparam("client_id"))
)

# A pool (by id) with its kids, and the client a token names if it exists (of any pool:
# the caller judges). The outer join keeps the pool's row when there is no such client.
_POOL_AND_CLIENT = Prepared(
    select(*_CLIENTS.columns, *_POOL_PART)
    .select_from(_POOLS.outerjoin(_CLIENTS, _CLIENTS.c.client_id == bindparam("client_id")))
    .where(_POOLS.c.id == bindparam("pool_id"))
)

_CLIENT_END = len(_CLIENT_COLUMNS)
_POOL_END = _CLIENT_END + len(_POOL_COLUMNS)


def _pool(db: Session, row: Any) -> UserPool:
    pool = UserPool(**dict(zip(_POOL_COLUMNS, row[_CLIENT_END:_POOL_END])))
    keys.remember_kids(db, pool.id, {"id": row[_POOL_END], "access": row[_POOL_END + 1]})
    return pool


def _client(row: Any) -> AppClient | None:
    if row[0] is None:
        return None
    return AppClient(**dict(zip(_CLIENT_COLUMNS, row[:_CLIENT_END])))


def client_and_pool(db: Session, client_id: str) -> tuple[AppClient, UserPool] | None:
    """The app client and its pool (snapshots), or None when no such client exists."""
    row = _CLIENT_AND_POOL.first(db, {"client_id": client_id})
    if row is None:
        return None
    client = _client(row)
    assert client is not None  # an inner join: the client is there
    return client, _pool(db, row)


def pool_and_client(db: Session, pool_id: str, client_id: str) -> tuple[UserPool, AppClient | None] | None:
    """The pool (snapshot) and the client named ``client_id`` if it exists; None without the pool."""
    row = _POOL_AND_CLIENT.first(db, {"pool_id": pool_id, "client_id": client_id})
    if row is None:
        return None
    return _pool(db, row), _client(row)
