"""Which OAuth scopes a request gets (reference §8).

Authorize: the requested scopes the client allows, unknown ones dropped; ``email``,
``phone`` and ``profile`` only alongside ``openid``; no ``scope`` at all means every
scope the client allows. client_credentials: custom scopes only, each one allowed, and
all of the client's when none is asked for. A custom scope counts only while a resource
server still defines it.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from emulator.userpool.client_config import STANDARD_SCOPES
from emulator.userpool.models import AppClient
from emulator.userpool.resource_servers import defined_scopes

OPENID = "openid"
NEEDS_OPENID = frozenset({"email", "phone", "profile"})


def requested(text: str | None) -> list[str]:
    """The space-separated scope parameter as a list without repeats."""
    return list(dict.fromkeys((text or "").split()))


def allowed(db: Session, client: AppClient) -> list[str]:
    """The client's AllowedOAuthScopes that still exist."""
    scopes = list(client.config.get("AllowedOAuthScopes") or [])
    custom = [s for s in scopes if s not in STANDARD_SCOPES]
    existing = defined_scopes(db, client.pool_id) if custom else frozenset()
    return [s for s in scopes if s in STANDARD_SCOPES or s in existing]


def for_user(db: Session, client: AppClient, text: str | None) -> list[str]:
    """The scopes an authorize request gets; empty means ``invalid_scope``."""
    permitted = allowed(db, client)
    wanted = requested(text) or permitted
    granted = [s for s in wanted if s in permitted]
    if OPENID not in granted:
        granted = [s for s in granted if s not in NEEDS_OPENID]
    return granted


def for_client(db: Session, client: AppClient, text: str | None) -> list[str]:
    """The scopes a client_credentials grant gets; empty means ``invalid_scope``.

    Every scope asked for must be one of the client's custom scopes [U: AWS answers
    invalid_scope rather than silently narrowing].
    """
    permitted = [s for s in allowed(db, client) if s not in STANDARD_SCOPES]
    wanted = requested(text)
    if not wanted:
        return permitted
    if any(s not in permitted for s in wanted):
        return []
    return wanted
