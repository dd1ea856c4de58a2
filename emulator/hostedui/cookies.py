"""The ``cognito`` session cookie (single sign-on, 1 hour) and the pages' CSRF token.

The cookie holds random text; the store keeps its SHA-256 per pool it signed in to, with
the user and the original sign-in time (``auth_time`` of every token minted through it).
``/logout`` forgets the pool's row. The forms carry an ``_csrf`` field that must equal the
``XSRF-TOKEN`` cookie, as the classic Hosted UI's forms do.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from flask import Request, Response
from sqlalchemy import delete, select

from emulator.context import Context
from emulator.hostedui.models import HostedSession
from emulator.userpool.directory_models import User

SESSION_COOKIE = "cognito"
SESSION_SECONDS = 3600
CSRF_COOKIE = "XSRF-TOKEN"
CSRF_FIELD = "_csrf"
SIGNED_IN_STATUSES = frozenset({"CONFIRMED", "EXTERNAL_PROVIDER"})


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _secure(request: Request) -> bool:
    return request.scheme == "https" or request.headers.get("X-Forwarded-Proto", "").startswith("https")


def signed_in(ctx: Context, pool_id: str, cookie: str | None) -> tuple[User, int] | None:
    """The user (and sign-in time) the cookie is signed in as in this pool, if still good."""
    if not cookie:
        return None
    row = ctx.db.get(HostedSession, (_hash(cookie), pool_id))
    if row is None or row.expires <= ctx.now:
        return None
    user = ctx.db.get(User, row.user_id)
    if user is None or not user.enabled or user.status not in SIGNED_IN_STATUSES:
        return None
    return user, row.auth_time


def sign_in(ctx: Context, pool_id: str, user: User, cookie: str | None) -> str:
    """Record a sign-in to the pool and return the cookie value (the browser's own, if any)."""
    value = cookie or secrets.token_urlsafe(32)
    key = (_hash(value), pool_id)
    row = ctx.db.get(HostedSession, key)
    if row is None:
        row = HostedSession(session_hash=key[0], pool_id=pool_id, user_id=user.id, auth_time=int(ctx.now),
                            created=ctx.now, expires=ctx.now + SESSION_SECONDS)
        ctx.db.add(row)
    else:
        row.user_id, row.auth_time, row.created = user.id, int(ctx.now), ctx.now
        row.expires = ctx.now + SESSION_SECONDS
    if secrets.randbelow(50) == 0:  # sweep stale rows now and then
        ctx.db.execute(delete(HostedSession).where(HostedSession.expires < ctx.now - SESSION_SECONDS))
    return value


def sign_out(ctx: Context, pool_id: str, cookie: str | None) -> bool:
    """Forget the cookie's sign-in to this pool; True while it is still signed in to another."""
    if not cookie:
        return False
    key = _hash(cookie)
    ctx.db.execute(delete(HostedSession).where(HostedSession.session_hash == key, HostedSession.pool_id == pool_id))
    remaining = select(HostedSession.pool_id).where(HostedSession.session_hash == key).limit(1)
    return ctx.db.scalar(remaining) is not None


def set_session(resp: Response, request: Request, value: str) -> None:
    resp.set_cookie(SESSION_COOKIE, value, max_age=SESSION_SECONDS, path="/", httponly=True, samesite="Lax",
                    secure=_secure(request))


def clear_session(resp: Response, request: Request) -> None:
    resp.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="Lax", secure=_secure(request))


def csrf_token(request: Request) -> tuple[str, bool]:
    """The browser's CSRF token, or a new one (True: it must be set on the response)."""
    current = request.cookies.get(CSRF_COOKIE)
    if current and 16 <= len(current) <= 128:
        return current, False
    return secrets.token_urlsafe(24), True


def set_csrf(resp: Response, request: Request, value: str) -> None:
    resp.set_cookie(CSRF_COOKIE, value, path="/", httponly=True, samesite="Lax", secure=_secure(request))


def csrf_ok(request: Request) -> bool:
    cookie = request.cookies.get(CSRF_COOKIE) or ""
    given = request.form.get(CSRF_FIELD) or ""
    # As bytes: compare_digest refuses str with non-ASCII characters (a TypeError, a 500).
    return bool(cookie) and hmac.compare_digest(cookie.encode("utf-8", "surrogatepass"),
                                                given.encode("utf-8", "surrogatepass"))
