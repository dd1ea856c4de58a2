"""The store: an engine from a URL, the schema, and one transaction per request.

SQLite runs in WAL mode with ``synchronous=NORMAL``: a committed write survives the
process being killed (it is in the WAL, which the OS holds), and only an OS crash or
power cut can lose the last transactions. Write requests start with ``BEGIN IMMEDIATE``
so two writers queue on the lock instead of deadlocking on an upgrade.
"""

from __future__ import annotations

import importlib
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from emulator.store.base import Base

# Modules that define tables; imported before the schema is created.
MODEL_MODULES = (
    "emulator.userpool.models",
    "emulator.userpool.directory_models",
    "emulator.userpool.device_models",
    "emulator.userpool.auth.models",
    "emulator.identitypool.models",
    "emulator.jwks.models",
    "emulator.hostedui.models",
)

_immediate: ContextVar[bool] = ContextVar("cogito_sqlite_immediate", default=False)


def normalise_url(url: str) -> str:
    """Accept plain ``postgresql://`` and ``postgres://`` and pick the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _is_memory(url: str) -> bool:
    return url in ("sqlite://", "sqlite:///:memory:", "sqlite:///") or "mode=memory" in url


def _sqlite_engine(url: str) -> Engine:
    memory = _is_memory(url)
    if memory:
        engine = create_engine(
            "sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False}
        )
    else:
        path = url.split("///", 1)[1].split("?", 1)[0]
        directory = os.path.dirname(os.path.abspath(path))
        os.makedirs(directory, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        if not memory:
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if _immediate.get() else "BEGIN")

    return engine


class Store:
    """Engine, session factory and schema for one database URL."""

    def __init__(self, url: str) -> None:
        self.url = normalise_url(url)
        self.is_sqlite = self.url.startswith("sqlite")
        if self.is_sqlite:
            self.engine = _sqlite_engine(self.url)
        else:
            self.engine = create_engine(self.url, pool_size=10, max_overflow=20, pool_pre_ping=True)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False, autoflush=True)
        # A memory database is one shared connection: transactions must take turns.
        self._serial = threading.RLock() if self.is_sqlite and _is_memory(self.url) else None
        # A SQLite file has one writer at a time: this process's writers queue here, where a
        # waiting thread wakes as soon as the lock is free, rather than in SQLite's busy
        # handler, which sleeps 1, 2, 5, 10... ms between tries (other processes still meet it).
        self._writers = threading.RLock() if self.is_sqlite and self._serial is None else None
        self.create_schema()

    def create_schema(self) -> None:
        for module in MODEL_MODULES:
            importlib.import_module(module)
        Base.metadata.create_all(self.engine)

    @contextmanager
    def transaction(self, *, write: bool = True) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back if it raises."""
        token = _immediate.set(write)
        lock = self._serial if self._serial is not None else (self._writers if write else None)
        if lock is not None:
            lock.acquire()
        try:
            # Committed by hand (not ``session.begin()``) so that ``released`` may commit midway.
            with self._sessions() as session:
                session.info[_LOCK_KEY] = lock
                try:
                    yield session
                    session.commit()
                except BaseException:
                    session.rollback()
                    raise
        finally:
            if lock is not None:
                lock.release()
            _immediate.reset(token)

    def reset(self) -> None:
        """Empty every table (the schema stays)."""
        with self.transaction(write=True) as session:
            for table in reversed(Base.metadata.sorted_tables):
                session.execute(table.delete())

    def dispose(self) -> None:
        self.engine.dispose()


_LOCK_KEY = "cogito_lock"


@contextmanager
def released(session: Session) -> Iterator[None]:
    """Commit what ``session`` did so far and let other requests run until the block ends.

    A Lambda trigger may call Cogito back (PostConfirmation adding the user to a group):
    it must see the work done so far, and must not wait on this request's write lock.
    The transaction goes on after the block (objects are reloaded on next access).
    """
    lock = session.info.get(_LOCK_KEY)
    session.commit()
    if lock is not None:
        lock.release()
    try:
        yield
    finally:
        if lock is not None:
            lock.acquire()
        session.expire_all()
