"""Authorization codes: single use, 5 minutes, bound to the client, the redirect URI, the
PKCE challenge, the granted scopes and the nonce of their authorize request.

A code looks like Cognito's (a UUID) and is stored only as its SHA-256.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid

from sqlalchemy import delete

from emulator.context import Context
from emulator.hostedui.authrequest import AuthRequest
from emulator.hostedui.models import AuthorizationCode
from emulator.hostedui.oauth_errors import OAuthError
from emulator.userpool.directory_models import User
from emulator.userpool.models import AppClient

LIFETIME = 300


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def issue(ctx: Context, req: AuthRequest, user: User, auth_time: int) -> str:
    code = str(uuid.uuid4())
    ctx.db.add(AuthorizationCode(
        code_hash=_hash(code), pool_id=req.pool_id, client_id=req.client_id, user_id=user.id,
        redirect_uri=req.redirect_uri, scopes=list(req.scopes), nonce=req.nonce, challenge=req.challenge,
        challenge_method=req.challenge_method, auth_time=auth_time, created=ctx.now,
        expires=ctx.now + LIFETIME, used=False,
    ))
    # Spent and expired codes are of no further use: sweep this pool's.
    ctx.db.execute(delete(AuthorizationCode).where(AuthorizationCode.pool_id == req.pool_id,
                                                   AuthorizationCode.expires < ctx.now - LIFETIME))
    return code


def pkce_matches(method: str | None, challenge: str, verifier: str) -> bool:
    """RFC 7636 §4.6: S256 compares BASE64URL(SHA256(verifier)); plain compares verbatim."""
    if method == "S256":
        digest = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
        computed = base64.urlsafe_b64encode(digest).decode().rstrip("=")
        return hmac.compare_digest(computed, challenge)
    return hmac.compare_digest(verifier.encode(), challenge.encode())


def redeem(ctx: Context, client: AppClient, code: str, redirect_uri: str, verifier: str | None) -> tuple[
        AuthorizationCode, User]:
    """Spend ``code`` for ``client``, or raise invalid_grant (invalid_request without a verifier)."""
    row = ctx.db.get(AuthorizationCode, _hash(code), with_for_update=True)
    if row is None or row.client_id != client.client_id:
        raise OAuthError("invalid_grant", "unknown code")
    if row.used:
        raise OAuthError("invalid_grant", "code already used")
    if row.expires <= ctx.now:
        raise OAuthError("invalid_grant", "code expired")
    if row.redirect_uri != redirect_uri:
        raise OAuthError("invalid_grant", "redirect_uri differs from the authorize request's")
    if row.challenge:
        if not verifier:
            raise OAuthError("invalid_request", "code_verifier is missing")
        if not pkce_matches(row.challenge_method, row.challenge, verifier):
            raise OAuthError("invalid_grant", "code_verifier does not match the code_challenge")
    row.used = True
    user = ctx.db.get(User, row.user_id)
    if user is None or not user.enabled:
        raise OAuthError("invalid_grant", "user no longer exists or is disabled")
    return row, user
