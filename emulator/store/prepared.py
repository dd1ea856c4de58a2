"""Core statements compiled once and run straight on the session's DBAPI connection.

SQLAlchemy's per-execution work (cache-key lookup, execution context, result metadata)
costs about 30 us a statement, six times what SQLite takes to answer a primary-key read.
The handful of statements every sign-in and access-token call runs are compiled here once
per dialect, with SQLAlchemy's own bind and result processors kept (booleans, JSON), and
executed on the connection of the session's transaction: same SQL, same transaction,
same values back, without the middle layer. Everything else keeps using the ORM or Core.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session

Processor = Callable[[Any], Any] | None


@dataclass
class _Plan:
    sql: str
    positional: tuple[str, ...] | None  # bind names in order for qmark/format styles; None when named
    defaults: dict[str, Any]  # values compiled into the statement (literals)
    binds: tuple[tuple[str, Callable[[Any], Any]], ...]  # bind processors that do something
    types: tuple[Any, ...]  # the result columns' types, as the dialect implements them
    # Result processors: known after the first execution, as some depend on the driver's
    # type codes in cursor.description (PostgreSQL's numerics).
    results: tuple[Processor, ...] | None = None
    converts: bool = False  # whether any result processor does something


class Prepared:
    """One statement; ``rows``/``first``/``run`` execute it in a session's transaction.

    ``keys`` names the columns an INSERT or UPDATE sets (every execution must pass them all).
    """

    def __init__(self, statement: Any, *, keys: Sequence[str] | None = None) -> None:
        self.statement = statement
        self.keys = list(keys) if keys is not None else None
        self._plans: dict[tuple[str, str, str], _Plan] = {}
        self._lock = threading.Lock()

    def _plan(self, dialect: Dialect) -> _Plan:
        key = (dialect.name, dialect.driver, dialect.paramstyle)
        plan = self._plans.get(key)
        if plan is None:
            with self._lock:
                plan = self._plans.get(key) or self._compile(dialect)
                self._plans[key] = plan
        return plan

    def _compile(self, dialect: Dialect) -> _Plan:
        compiled = self.statement.compile(dialect=dialect, column_keys=self.keys)
        defaults = {name: bind.value for name, bind in compiled.binds.items()
                    if not bind.required and bind.callable is None and bind.value is not None}
        binds = []
        for name, bind in compiled.binds.items():
            processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if processor is not None:
                binds.append((name, processor))
        types = tuple(column.type.dialect_impl(dialect)
                      for column in compiled._result_columns)
        positional = tuple(compiled.positiontup) if compiled.positiontup is not None else None
        return _Plan(str(compiled), positional, defaults, tuple(binds), types)

    def _execute(self, session: Session, params: dict[str, Any]) -> Any:
        if session.autoflush:
            session.flush()  # as an ORM query would: pending changes are visible to the read
        connection = session.connection()  # the transaction's (begun on first use)
        plan = self._plan(connection.dialect)
        values = {**plan.defaults, **params} if plan.defaults else dict(params)
        for name, processor in plan.binds:
            if name in values:
                values[name] = processor(values[name])
        args: Any = tuple(values[name] for name in plan.positional) if plan.positional is not None else values
        cursor = connection.connection.dbapi_connection.cursor()
        cursor.execute(plan.sql, args)
        if plan.results is None and plan.types:
            codes = [entry[1] for entry in cursor.description or ()]
            results = tuple(t.result_processor(connection.dialect, code) for t, code in zip(plan.types, codes))
            plan.converts = any(results)
            plan.results = results
        return plan, cursor

    def rows(self, session: Session, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        """Every row, each value converted as SQLAlchemy would."""
        plan, cursor = self._execute(session, params)
        try:
            fetched = cursor.fetchall()
        finally:
            cursor.close()
        procs = plan.results
        if not plan.converts or procs is None:
            return [tuple(row) for row in fetched]
        return [tuple(p(v) if p is not None else v for p, v in zip(procs, row)) for row in fetched]

    def first(self, session: Session, params: dict[str, Any]) -> tuple[Any, ...] | None:
        """The first row (or None), converted as SQLAlchemy would."""
        plan, cursor = self._execute(session, params)
        try:
            row = cursor.fetchone()
        finally:
            cursor.close()
        if row is None:
            return None
        procs = plan.results
        if not plan.converts or procs is None:
            return tuple(row)
        return tuple(p(v) if p is not None else v for p, v in zip(procs, row))

    def run(self, session: Session, params: dict[str, Any]) -> int:
        """Execute an INSERT/UPDATE/DELETE; the number of rows it touched."""
        _plan, cursor = self._execute(session, params)
        try:
            return int(cursor.rowcount)
        finally:
            cursor.close()
