"""The store: an engine from a URL, the schema, and one transaction per request.

SQLite runs in WAL mode with ``synchronous=NORMAL``: a committed write survives the
process being killed (it is in the WAL, which the OS holds), and only an OS crash or
power cut can lose the last transactions. Write requests start with ``BEGIN IMMEDIATE``
so two writers queue on the lock instead of deadlocking on an upgrade.
"""

from __future__ import annotations

import fcntl
import importlib
import os
import threading
from collections.abc import Callable, Iterator
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
# PostgreSQL advisory lock key taken while the schema is created ("cogito" in ASCII).
_SCHEMA_LOCK_ID = 0x636F6769746F


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


def _lock_path(url: str) -> str:
    path = url.split("///", 1)[1].split("?", 1)[0]
    return os.path.abspath(path) + "-writer.lock"


class _WriterLock:
    """The write lock of a SQLite file: this process's threads queue on an RLock, processes
    sharing the file (``--workers N``) on ``flock(2)`` of a lock file beside it.

    SQLite lets one writer in at a time and makes the others retry in its busy handler,
    which sleeps 1, 2, 5, 10... ms between tries: with two workers writing, most of their
    time went to sleeping. Waiting on a kernel lock instead, the next writer starts as soon
    as the last one commits. SQLite's own locking still guards the data; this only orders
    the waiting. The lock goes with the process (the kernel drops it if it dies).
    """

    def __init__(self, path: str) -> None:
        self._threads = threading.RLock()
        self._path = path
        self._fd: int | None = None
        self._pid = 0
        self._depth = 0
        self._unusable = False

    def acquire(self) -> None:
        self._threads.acquire()
        self._depth += 1
        if self._depth == 1 and not self._unusable:
            try:
                fcntl.flock(self._file(), fcntl.LOCK_EX)
            except OSError:
                # No lock file (a read-only directory...): SQLite's busy handler still orders writers.
                self._unusable = True

    def release(self) -> None:
        self._depth -= 1
        if self._depth == 0 and self._fd is not None:
            try:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
            except OSError:
                pass
        self._threads.release()

    def _file(self) -> int:
        """This process's descriptor of the lock file (a forked child opens its own: a shared
        open file would share the lock)."""
        if self._fd is None or self._pid != os.getpid():
            self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            self._pid = os.getpid()
        return self._fd


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
        event.listen(self._sessions, "after_commit", _forget_memo)
        event.listen(self._sessions, "after_rollback", _forget_memo)
        # A memory database is one shared connection: transactions must take turns.
        self._serial = threading.RLock() if self.is_sqlite and _is_memory(self.url) else None
        # A SQLite file has one writer at a time: this process's writers queue here, where a
        # waiting thread wakes as soon as the lock is free, rather than in SQLite's busy
        # handler, which sleeps 1, 2, 5, 10... ms between tries (other processes still meet it).
        self._writers = _WriterLock(_lock_path(self.url)) if self.is_sqlite and self._serial is None else None
        self.create_schema()

    def create_schema(self) -> None:
        """Create missing tables; safe when several workers or replicas start at once.

        ``create_all`` looks before it creates, so two processes starting together on an
        empty database could both decide to create a table: the second one's worker died
        (PostgreSQL: duplicate key in pg_type). The look and the creation therefore run
        under one lock: SQLite's write lock (BEGIN IMMEDIATE), a PostgreSQL advisory lock.
        """
        for module in MODEL_MODULES:
            importlib.import_module(module)
        token = _immediate.set(True)
        try:
            with self.engine.begin() as conn:
                if not self.is_sqlite:
                    conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_SCHEMA_LOCK_ID})")
                Base.metadata.create_all(conn)
        finally:
            _immediate.reset(token)

    @contextmanager
    def transaction(self, *, write: bool = True) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back if it raises."""
        token = _immediate.set(write)
        lock = self._serial if self._serial is not None else (self._writers if write else None)
        later: list[Callable[[], None]] = []
        if lock is not None:
            lock.acquire()
        try:
            # Committed by hand (not ``session.begin()``) so that ``released`` may commit midway.
            with self._sessions() as session:
                session.info[_LOCK_KEY] = lock
                session.info[_LATER_KEY] = later
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
        for work in later:  # committed, and the write lock is free for the next request
            work()

    def reset(self) -> None:
        """Empty every table (the schema stays)."""
        with self.transaction(write=True) as session:
            for table in reversed(Base.metadata.sorted_tables):
                session.execute(table.delete())

    def dispose(self) -> None:
        self.engine.dispose()


_LOCK_KEY = "cogito_lock"
_MEMO_KEY = "cogito_memo"
_LATER_KEY = "cogito_after_commit"


def after_commit(session: Session, work: Callable[[], None]) -> bool:
    """Run ``work`` once the transaction of ``session`` (a ``Store.transaction``) has
    committed and given back its write lock, before the block's caller goes on; False,
    and nothing registered, for any other session.

    For work that needs nothing from the store but takes time, such as signing tokens:
    another request's transaction (SQLite takes one writer at a time) need not wait for it.
    Not run when the transaction rolls back.
    """
    later = session.info.get(_LATER_KEY)
    if later is None:
        return False
    later.append(work)
    return True


def memo(session: Session) -> dict[Any, Any]:
    """A dict living as long as the session's current transaction, for facts that cannot
    change under it (a pool's signing kids): read once per request instead of once per use.
    Emptied whenever the transaction commits or rolls back (``released`` included)."""
    found = session.info.get(_MEMO_KEY)
    if found is None:
        found = session.info[_MEMO_KEY] = {}
    return found


def _forget_memo(session: Session) -> None:
    session.info.pop(_MEMO_KEY, None)


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
