"""SECRET_HASH: computed and checked as Cognito does, for every public operation of a client.

``SECRET_HASH = base64(HMAC_SHA256(key=client_secret, msg=username + client_id))``
(reference §4). Public operations (SignUp, ConfirmSignUp, ResendConfirmationCode,
ForgotPassword, ConfirmForgotPassword, and the sign-in flows) find their client by id
alone, then check the hash when the client has a secret.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable

from sqlalchemy.orm import Session

from emulator.errors import NotAuthorizedException, ResourceNotFoundException
from emulator.userpool.models import AppClient, UserPool


def compute(client_secret: str, username: str, client_id: str) -> str:
    """The SECRET_HASH a client with ``client_secret`` sends for ``username``."""
    digest = hmac.new(client_secret.encode(), (username + client_id).encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def missing_message(client_id: str) -> str:
    return f"Client {client_id} is configured for secret but secret was not received"


def mismatch_message(client_id: str) -> str:
    return f"Unable to verify secret hash for client {client_id}"


def check(client: AppClient, given: str | None, usernames: str | Iterable[str]) -> None:
    """Raise NotAuthorizedException unless ``given`` is the hash of one of ``usernames``.

    Several names are accepted where Cognito is lenient about which one the client hashed
    (the name it sent, or the internal username behind an alias). A client without a
    secret ignores whatever was sent [U].
    """
    if not client.secret:
        return
    if not given:
        raise NotAuthorizedException(missing_message(client.client_id))
    names = [usernames] if isinstance(usernames, str) else list(usernames)
    for name in dict.fromkeys(names):
        if name and hmac.compare_digest(compute(client.secret, name, client.client_id), given):
            return
    raise NotAuthorizedException(mismatch_message(client.client_id))


def public_client(db: Session, client_id: str) -> tuple[AppClient, UserPool]:
    """The client named by a public operation's ClientId, and its pool."""
    client = db.get(AppClient, client_id)
    pool = db.get(UserPool, client.pool_id) if client is not None else None
    if client is None or pool is None:
        raise ResourceNotFoundException(f"User pool client {client_id} does not exist.")
    return client, pool
