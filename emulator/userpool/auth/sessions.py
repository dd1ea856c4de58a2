"""Opaque, single-use auth sessions between challenge steps, bound to user and client.

The client sees only random text; the store keeps its SHA-256 and the step's state.
Expiry is the client's AuthSessionValidity (3–15 minutes, default 3).
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from typing import Any

from sqlalchemy import delete

from emulator.context import Context
from emulator.errors import NotAuthorizedException
from emulator.userpool.auth.models import AuthSession
from emulator.userpool.directory_models import User
from emulator.userpool.models import AppClient

INVALID = "Invalid session for the user."
REUSED = "Invalid session for the user, session can only be used once."
EXPIRED = "Invalid session for the user, session is expired."


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def new_text(size: int = 700) -> str:
    """Random base64 text shaped like Cognito's (real sessions are long opaque blobs)."""
    return "AYABe" + base64.b64encode(secrets.token_bytes(size)).decode()


def validity_seconds(client: AppClient) -> int:
    return int(client.config.get("AuthSessionValidity", 3)) * 60


def start(ctx: Context, client: AppClient, user: User | None, challenge: str, state: dict[str, Any] | None = None,
          *, text: str | None = None) -> str:
    """Open a session for the next step and return the text the client carries."""
    text = text or new_text()
    ctx.db.add(AuthSession(
        session_hash=_hash(text), pool_id=client.pool_id, client_id=client.client_id,
        user_id=user.id if user else None, challenge=challenge, state=dict(state or {}),
        created=ctx.now, expires=ctx.now + validity_seconds(client), used=False,
    ))
    # Sweep this pool's stale sessions now and then, so the table stays small.
    if secrets.randbelow(50) == 0:
        ctx.db.execute(delete(AuthSession).where(AuthSession.pool_id == client.pool_id,
                                                 AuthSession.expires < ctx.now - 3600))
    return text


def take(ctx: Context, client: AppClient | None, text: str | None, challenge: str | None = None,
         *, mark_used: bool = True) -> AuthSession:
    """The session behind ``text``, marked used; refused as Cognito refuses it.

    ``mark_used=False`` reads it without spending it: a wrong MFA code may be retried
    with the same session (the caller marks it used once the answer is right).
    ``client`` None: the call names no client (AssociateSoftwareToken with a Session).
    """
    if not text:
        raise NotAuthorizedException(INVALID)
    row = ctx.db.get(AuthSession, _hash(text), with_for_update=True)
    if row is None or (client is not None and row.client_id != client.client_id):
        raise NotAuthorizedException(INVALID)
    if row.used:
        raise NotAuthorizedException(REUSED)
    if row.expires <= ctx.now:
        raise NotAuthorizedException(EXPIRED)
    if challenge is not None and row.challenge != challenge:
        raise NotAuthorizedException(INVALID)
    if mark_used:
        row.used = True
    return row
