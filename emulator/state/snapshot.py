"""Export and import the whole state, table by table, straight from the SQLAlchemy metadata.

Every table registered on ``Base.metadata`` is included, so a table added later travels
with no change here. The document holds rows as the database holds them: passwords only
ever as SRP salt + verifier (there is nothing else to export), refresh tokens as hashes,
pool signing keys as PEM (so tokens issued before an export still verify after an import).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Integer, Table, func, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError, StatementError
from sqlalchemy.orm import Session

from emulator import __version__
from emulator.store.base import Base
from emulator.store.engine import Store

FORMAT = "cogito-state"
FORMAT_VERSION = 1


class StateError(ValueError):
    """A state document that cannot be imported (said in a sentence a person can act on)."""


def tables() -> list[Table]:
    """Every table, parents before children (the order rows must be inserted in)."""
    return list(Base.metadata.sorted_tables)


def _row(table: Table, values: Any) -> dict[str, Any]:
    return {column.name: values[column.name] for column in table.columns}


def export_state(store: Store, *, now: float | None = None) -> dict[str, Any]:
    """The whole state as a JSON-able document."""
    doc: dict[str, Any] = {"format": FORMAT, "formatVersion": FORMAT_VERSION, "cogitoVersion": __version__}
    if now is not None:
        doc["exportedAt"] = now
    with store.transaction(write=False) as db:
        doc["tables"] = {
            table.name: [_row(table, row) for row in db.execute(select(table).order_by(*table.primary_key.columns))
                         .mappings()]
            for table in tables()
        }
    return doc


def _check(doc: Any) -> dict[str, list[dict[str, Any]]]:
    """The ``tables`` of a well-formed document; a clear StateError otherwise."""
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise StateError(f'Not a Cogito state document: expected "format": "{FORMAT}" (GET /_cogito/state makes one).')
    if doc.get("formatVersion") != FORMAT_VERSION:
        raise StateError(f"Unsupported formatVersion {doc.get('formatVersion')!r}: this Cogito reads {FORMAT_VERSION}.")
    given = doc.get("tables")
    if not isinstance(given, dict):
        raise StateError('"tables" must be an object of table name -> list of rows.')
    known = {table.name: table for table in tables()}
    for name, rows in given.items():
        table = known.get(name)
        if table is None:
            raise StateError(f"Unknown table {name!r}: this Cogito has {', '.join(sorted(known))}.")
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise StateError(f"Table {name!r} must be a list of objects.")
        columns = set(table.columns.keys())
        for row in rows:
            unknown = set(row) - columns
            if unknown:
                raise StateError(f"Table {name!r} has no column {sorted(unknown)[0]!r}.")
    return given


def _insert(db: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert rows; rows missing a column (an older export) get that column's default."""
    groups: dict[frozenset[str], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(frozenset(row), []).append(row)
    for batch in groups.values():
        db.execute(table.insert(), batch)


def _bump_sequences(db: Session) -> None:
    """PostgreSQL: move each serial id past the imported rows, so the next insert gets a fresh id."""
    if db.get_bind().dialect.name != "postgresql":
        return
    for table in tables():
        for column in table.primary_key.columns:
            single_int = isinstance(column.type, Integer) and len(table.primary_key.columns) == 1
            if column.autoincrement is True or (column.autoincrement == "auto" and single_int):
                highest = db.scalar(select(func.max(column)))
                sequence = db.scalar(text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": table.name, "c": column.name})
                if sequence:
                    db.execute(text("SELECT setval(:s, :v, :called)"),
                               {"s": sequence, "v": highest or 1, "called": highest is not None})


def import_state(store: Store, doc: Any) -> int:
    """Replace the whole state with ``doc`` (as export_state made it); returns the rows imported.

    All or nothing: one transaction empties every table and inserts the document's rows.
    """
    given = _check(doc)
    count = 0
    try:
        with store.transaction(write=True) as db:
            for table in reversed(tables()):
                db.execute(table.delete())
            for table in tables():
                rows = given.get(table.name) or []
                if rows:
                    _insert(db, table, rows)
                    count += len(rows)
            _bump_sequences(db)
    except IntegrityError as exc:
        raise StateError(f"The rows break a constraint: {_first_line(exc)}") from None
    except (StatementError, DBAPIError) as exc:
        raise StateError(f"A value does not fit its column: {_first_line(exc)}") from None
    return count


def _first_line(exc: Exception) -> str:
    text_ = str(getattr(exc, "orig", None) or exc)
    return text_.strip().splitlines()[0][:300] if text_.strip() else type(exc).__name__
