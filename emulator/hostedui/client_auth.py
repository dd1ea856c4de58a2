"""Who is calling the token and revoke endpoints: client authentication (RFC 6749 §2.3.1).

``Authorization: Basic base64(client_id:client_secret)`` (client_secret_basic) or the
``client_id``/``client_secret`` form fields (client_secret_post); a public client sends
its ``client_id`` alone. Every failure is ``invalid_client``: 401 with a
``WWW-Authenticate`` challenge when the client tried Basic, 400 otherwise.
"""

from __future__ import annotations

import base64
import binascii
import hmac
from dataclasses import dataclass
from urllib.parse import unquote

from flask import Request
from sqlalchemy.orm import Session

from emulator.hostedui.oauth_errors import OAuthError
from emulator.userpool.models import AppClient, UserPool


@dataclass(frozen=True)
class Credentials:
    client_id: str | None
    secret: str | None
    basic: bool


def credentials(request: Request) -> Credentials:
    """What the request presents; a malformed Basic header is invalid_client at once."""
    header = request.headers.get("Authorization", "")
    form_id = request.form.get("client_id") or None
    form_secret = request.form.get("client_secret") or None
    if header[:6].lower() == "basic ":
        try:
            decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise OAuthError("invalid_client", "malformed Basic credentials", basic=True) from None
        if ":" not in decoded:
            raise OAuthError("invalid_client", "malformed Basic credentials", basic=True)
        basic_id, basic_secret = (unquote(part) for part in decoded.split(":", 1))
        if "\x00" in basic_id + basic_secret:  # no client has one; PostgreSQL could not even look it up
            raise OAuthError("invalid_client", "malformed Basic credentials", basic=True)
        if form_id and form_id != basic_id:
            raise OAuthError("invalid_client", "client_id differs from the Basic credentials", basic=True)
        return Credentials(basic_id, basic_secret or None, True)
    return Credentials(form_id, form_secret, False)


def authenticate(db: Session, given: Credentials) -> tuple[AppClient, UserPool]:
    """The client, its secret checked; public clients must not send one [U]."""
    client = db.get(AppClient, given.client_id) if given.client_id else None
    pool = db.get(UserPool, client.pool_id) if client is not None else None
    if client is None or pool is None:
        raise OAuthError("invalid_client", "unknown client", basic=given.basic)
    if client.secret:
        if not given.secret:
            raise OAuthError("invalid_client", "client secret missing", basic=given.basic)
        if not hmac.compare_digest(given.secret.encode(), client.secret.encode()):
            raise OAuthError("invalid_client", "client secret does not match", basic=given.basic)
    elif given.secret:
        raise OAuthError("invalid_client", "a public client has no secret", basic=given.basic)
    return client, pool
