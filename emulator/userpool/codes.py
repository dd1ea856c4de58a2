"""One-time codes: issued, checked, spent; expired and over-guessed codes refused.

One live code per user and purpose (a new one replaces the old). Cognito's wording:
a wrong code is ``CodeMismatchException``, an old one ``ExpiredCodeException``, and too
many wrong guesses ``LimitExceededException``.
"""

from __future__ import annotations

import secrets

from sqlalchemy import select

from emulator.context import Context
from emulator.errors import CodeMismatchException, ExpiredCodeException, LimitExceededException
from emulator.userpool.directory_models import Code, User

SIGNUP_TTL = 24 * 3600
ATTRIBUTE_TTL = 24 * 3600
FORGOT_PASSWORD_TTL = 3600
MAX_ATTEMPTS = 5

MISMATCH = "Invalid verification code provided, please try again."
EXPIRED = "Invalid code provided, please request a code again."
TOO_MANY = "Attempt limit exceeded, please try after some time."


def new_code(ctx: Context, digits: int = 6) -> str:
    """A random code, or the fixed one when the emulator is told to use one (scripted demos)."""
    fixed = ctx.settings.extra.get("fixed_code")
    if fixed:
        return fixed
    return "".join(secrets.choice("0123456789") for _ in range(digits))


def issue(ctx: Context, user: User, purpose: str, ttl: int, digits: int = 6) -> str:
    """Store a fresh code for ``purpose``, replacing any earlier one, and return it."""
    existing = ctx.db.scalar(select(Code).where(Code.user_id == user.id, Code.purpose == purpose))
    code = new_code(ctx, digits)
    if existing is None:
        ctx.db.add(Code(user_id=user.id, purpose=purpose, code=code, created=ctx.now, expires=ctx.now + ttl, attempts=0))
    else:
        existing.code, existing.created, existing.expires, existing.attempts = code, ctx.now, ctx.now + ttl, 0
    ctx.db.flush()
    return code


def consume(ctx: Context, user: User, purpose: str, code: str, *, missing: type[Exception] = ExpiredCodeException) -> None:
    """Spend ``code`` or raise as Cognito does; a wrong guess counts against the code."""
    row = ctx.db.scalar(select(Code).where(Code.user_id == user.id, Code.purpose == purpose).with_for_update())
    if row is None:
        raise missing(EXPIRED if missing is ExpiredCodeException else MISMATCH)
    if row.attempts >= MAX_ATTEMPTS:
        raise LimitExceededException(TOO_MANY)
    if row.expires <= ctx.now:
        raise ExpiredCodeException(EXPIRED)
    if not secrets.compare_digest(row.code, code):
        row.attempts += 1
        raise CodeMismatchException(MISMATCH, keep_changes=True)
    ctx.db.delete(row)
    ctx.db.flush()


def discard(ctx: Context, user: User, purpose: str) -> None:
    """Forget any live code for ``purpose`` (e.g. after an administrator confirmed the user)."""
    row = ctx.db.scalar(select(Code).where(Code.user_id == user.id, Code.purpose == purpose))
    if row is not None:
        ctx.db.delete(row)
        ctx.db.flush()
