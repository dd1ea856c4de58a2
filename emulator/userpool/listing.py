"""ListUsers: filtered, keyset-paged, from the indexed search columns.

Each filter becomes a condition on one search key (``directory_models.search_key``) and
the page is ordered by ``(key, id)``, the index's own order, so a page costs one index
range scan whatever the pool's size. A prefix match is a range (``key >= p AND key < p
+ U+10FFFF``), never ``LIKE``, so the B-tree index serves it on SQLite and PostgreSQL.

The pagination token holds the last row's ``(key, id)``: no user repeats across pages.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, literal, select
from sqlalchemy.orm import Session, load_only

from emulator import paging
from emulator.context import Context
from emulator.errors import InvalidParameterException
from emulator.protocol.registry import operation
from emulator.userpool import directory, filters
from emulator.userpool.attributes import schema_of
from emulator.userpool.directory_models import User, search_key
from emulator.userpool.lookup import get_pool
from emulator.userpool.models import UserPool

DEFAULT_LIMIT = 60
# Every user status a pool can hold (reference §5); cognito:user_status matches among these.
STATUSES = (
    "UNCONFIRMED", "CONFIRMED", "ARCHIVED", "COMPROMISED", "UNKNOWN", "RESET_REQUIRED",
    "FORCE_CHANGE_PASSWORD", "EXTERNAL_PROVIDER",
)
ENABLED_NAMES = (("Enabled", True), ("Disabled", False))
# Above every character a value can hold: p <= s < p + TOP exactly when s starts with p.
TOP = "\U0010ffff"
MISSING_ATTRIBUTES = "One or more requested attributes do not exist."
# Searchable attributes may be absent from a user and still be requested (developer guide).
SEARCHABLE_NAMES = frozenset(filters.SEARCHABLE) - {"username", "status", "cognito:user_status"}
# What a UserType shows (directory.user_type) and paging needs: the password verifier,
# its history and the MFA document stay unread (a page of 60 users costs a third less).
_LISTED = load_only(User.id, User.pool_id, User.username, User.username_key, User.status, User.enabled,
                    User.created, User.modified, User.attributes)


def _dialect(db: Session) -> str:
    return db.get_bind().dialect.name


def _column(attribute: str) -> Any:
    if attribute == "cognito:user_status":
        return User.status
    if attribute == "status":
        return User.enabled
    return getattr(User, attribute)


def _pinned_values(flt: filters.UserFilter) -> list[Any]:
    """For the two status filters, the stored values that match (a few constants), in order."""
    if flt.attribute == "cognito:user_status":
        want = flt.value.upper()
        return sorted(s for s in STATUSES if (s.startswith(want) if flt.prefix else s == want))
    return sorted(flag for label, flag in ENABLED_NAMES if flt.matches(label))


def _valid_mark(after: Any, flt: filters.UserFilter) -> tuple[Any, int]:
    """The ``(key, id)`` a filtered token holds; a token of another shape is refused."""
    kind = bool if flt.attribute == "status" else str
    if not (isinstance(after, list) and len(after) == 2 and isinstance(after[0], kind)
            and isinstance(after[1], int) and not isinstance(after[1], bool)):
        raise InvalidParameterException("Invalid pagination token.")
    return after[0], after[1]


def _filtered_rows(db: Session, pool: UserPool, flt: filters.UserFilter, limit: int, after: Any) -> list[Any]:
    """Up to ``limit`` ``(user, key)`` rows after the token's mark, in ``(key, id)`` order.

    Each query is one range of the ``(pool_id, key, id)`` index: a pinned key is read in
    id order, a prefix from the mark onwards. Row-value comparisons are avoided on
    purpose: SQLite then falls back to sorting the whole match.
    """
    key = search_key(_column(flt.attribute), _dialect(db))
    base = select(User, key).options(_LISTED).where(User.pool_id == pool.id)
    mark = None if after is None else _valid_mark(after, flt)
    rows: list[Any] = []

    def fetch(query: Any, *order: Any) -> None:
        if len(rows) < limit:
            rows.extend(db.execute(query.order_by(*order).limit(limit - len(rows))).all())

    if flt.attribute in ("status", "cognito:user_status"):
        for value in _pinned_values(flt):
            if mark is None or value > mark[0]:
                fetch(base.where(key == value), User.id)
            elif value == mark[0]:
                fetch(base.where(key == value, User.id > mark[1]), User.id)
        return rows
    value: Any = literal(flt.value) if flt.case_sensitive else func.lower(literal(flt.value))
    if not flt.prefix:
        fetch(base.where(key == value, User.id > (mark[1] if mark else 0)), User.id)
        return rows
    low, high = key >= value, key < value + TOP
    if mark is None:
        fetch(base.where(low, high), key, User.id)
    else:
        # Only one bound per query, so the planner cannot pick the weaker one.
        fetch(base.where(key == literal(mark[0]), User.id > mark[1]), User.id)
        fetch(base.where(key > literal(mark[0]), high), key, User.id)
    return rows


def user_page(
    db: Session, pool: UserPool, flt: filters.UserFilter | None, limit: int, token: str | None,
) -> tuple[list[User], str | None]:
    """One page of ``pool``'s users matching ``flt`` and the token for the next (None at the end)."""
    after = paging.decode(token)
    if flt is None:
        # Unfiltered: by username_key, unique in the pool (the uq_users_username index).
        if after is not None and not isinstance(after, str):
            raise InvalidParameterException("Invalid pagination token.")
        query = select(User).options(_LISTED).where(User.pool_id == pool.id)
        if after is not None:
            query = query.where(User.username_key > after)
        users = list(db.scalars(query.order_by(User.username_key).limit(limit + 1))) if limit > 0 else []
        page = users[:limit]
        return page, (paging.encode(page[-1].username_key) if len(users) > limit else None)
    rows = _filtered_rows(db, pool, flt, limit + 1, after) if limit > 0 else []
    page = [row[0] for row in rows[:limit]]
    if len(rows) <= limit:
        return page, None
    # The key comes back from the database, so the token holds exactly what it compares.
    last_user, last_key = rows[limit - 1]
    return page, paging.encode([last_key, last_user.id])


def _check_attribute_names(pool: UserPool, names: list[str]) -> None:
    known = schema_of(pool)
    if any(name not in known for name in names):
        raise InvalidParameterException(MISSING_ATTRIBUTES)


def _check_present(users: list[User], names: list[str]) -> None:
    """A requested unsearchable attribute must be set on every listed user (developer guide)."""
    strict = [n for n in names if n not in SEARCHABLE_NAMES]
    for user in users:
        attrs = user.attributes or {}
        if any(name not in attrs for name in strict):
            raise InvalidParameterException(MISSING_ATTRIBUTES)


@operation("cognito-idp", "ListUsers", readonly=True)
def list_users(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    pool = get_pool(ctx.db, params["UserPoolId"])
    flt = filters.parse(params.get("Filter"))
    names: list[str] | None = params.get("AttributesToGet")
    if names:
        _check_attribute_names(pool, names)
    limit = params.get("Limit")
    page, token = user_page(ctx.db, pool, flt, DEFAULT_LIMIT if limit is None else limit, params.get("PaginationToken"))
    if names:
        _check_present(page, names)
    result: dict[str, Any] = {"Users": [directory.user_type(u, names) for u in page]}
    if token is not None:
        result["PaginationToken"] = token
    return result
