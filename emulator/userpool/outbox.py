"""Everything Cognito would e-mail or text is recorded here, logged, and readable by tests.

Read it back with ``GET /_cogito/messages?pool_id=&username=&kind=`` (newest first).
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from emulator.context import Context
from emulator.userpool.directory_models import Message

log = logging.getLogger("cogito.outbox")


def mask(medium: str, destination: str) -> str:
    """CodeDeliveryDetails.Destination as Cognito masks it: ``j***@e***`` or ``+*******0100``."""
    if medium == "EMAIL" and "@" in destination:
        local, _, domain = destination.partition("@")
        return f"{local[:1]}***@{domain[:1]}***"
    return "+" + "*" * max(len(destination) - 5, 0) + destination[-4:]


def details(medium: str, attribute: str, destination: str) -> dict[str, str]:
    """CodeDeliveryDetails for a message sent to ``destination`` (masked)."""
    return {"Destination": mask(medium, destination), "DeliveryMedium": medium, "AttributeName": attribute}


def fake_details(username: str, auto_verified: list[str] | None = None) -> dict[str, str]:
    """Plausible CodeDeliveryDetails for a user who does not exist (PreventUserExistenceErrors).

    Stable for a given name, so repeating the request gives the same answer; nothing is sent.
    """
    digest = hashlib.sha256(username.encode()).hexdigest()
    if "@" in username:
        return details("EMAIL", "email", username)
    if username.startswith("+") and username[1:].isdigit():
        return details("SMS", "phone_number", username)
    if auto_verified and "phone_number" in auto_verified and "email" not in auto_verified:
        digits = "".join(str(int(c, 16) % 10) for c in digest[:10])
        return details("SMS", "phone_number", "+1" + digits)
    letter = "abcdefghijklmnopqrstuvwxyz"[int(digest[:2], 16) % 26]
    return details("EMAIL", "email", f"{username[:1] or letter}@{letter}")


def send(
    ctx: Context, *, pool_id: str, username: str, kind: str, medium: str, destination: str | None,
    body: str, subject: str | None = None, code: str | None = None,
) -> Message:
    """Record one message (and log it on one line), after the pool's CustomMessage or custom
    sender trigger had its say (emulator.triggers.messages)."""
    from emulator.triggers import messages

    body, subject = messages.customize(ctx, pool_id=pool_id, username=username, kind=kind, medium=medium,
                                       body=body, subject=subject, code=code)
    message = Message(
        pool_id=pool_id, username=username, kind=kind, medium=medium, destination=destination,
        subject=subject, body=body, code=code, created=ctx.now,
    )
    ctx.db.add(message)
    log.info("message %s %s to %s (%s/%s)%s", kind, medium, destination, pool_id, username,
             f" code={code}" if code else "")
    return message


def as_json(message: Message) -> dict[str, Any]:
    return {
        "id": message.id, "poolId": message.pool_id, "username": message.username, "kind": message.kind,
        "medium": message.medium, "destination": message.destination, "subject": message.subject,
        "body": message.body, "code": message.code, "created": message.created,
    }


def query(db: Session, *, pool_id: str | None = None, username: str | None = None, kind: str | None = None,
          limit: int = 100) -> list[Message]:
    """Messages matching the filters, newest first."""
    stmt = select(Message)
    if pool_id:
        stmt = stmt.where(Message.pool_id == pool_id)
    if username:
        stmt = stmt.where(Message.username == username)
    if kind:
        stmt = stmt.where(Message.kind == kind)
    return list(db.scalars(stmt.order_by(Message.id.desc()).limit(limit)))
