"""Refreshing: REFRESH_TOKEN_AUTH / REFRESH_TOKEN and GetTokensFromRefreshToken.

New access and ID tokens in the same sign-in family (same ``origin_jti`` and
``auth_time``); a new refresh token only when the client has RefreshTokenRotation on, in
which case the old one keeps working for RetryGracePeriodSeconds.
"""

from __future__ import annotations

from typing import Any

from emulator.context import Context
from emulator.errors import NotAuthorizedException
from emulator.userpool.auth import tokens
from emulator.userpool.auth.models import RefreshToken, RevokedOrigin
from emulator.userpool.directory_models import User
from emulator.userpool.models import AppClient, UserPool

INVALID = "Invalid Refresh Token"
EXPIRED = "Refresh Token has expired"
REVOKED = "Refresh Token has been revoked"


def find(ctx: Context, client: AppClient, text: str) -> RefreshToken | None:
    row = ctx.db.get(RefreshToken, tokens.token_hash(text), with_for_update=True)
    if row is None or row.client_id != client.client_id:
        return None
    return row


def usable(ctx: Context, client: AppClient, text: str) -> tuple[RefreshToken, User]:
    """The token's row and user, or NotAuthorizedException as Cognito words it."""
    row = find(ctx, client, text)
    if row is None:
        raise NotAuthorizedException(INVALID)
    user = ctx.db.get(User, row.user_id)
    if user is None:
        raise NotAuthorizedException(INVALID)
    revoked = row.revoked or ctx.db.get(RevokedOrigin, row.origin_jti) is not None
    if revoked or (user.revoked_before is not None and row.created < user.revoked_before):
        raise NotAuthorizedException(REVOKED)
    if row.expires <= ctx.now:
        raise NotAuthorizedException(EXPIRED)
    rotation = client.config.get("RefreshTokenRotation") or {}
    if row.rotated_at is not None and ctx.now > row.rotated_at + int(rotation.get("RetryGracePeriodSeconds", 0)):
        raise NotAuthorizedException(REVOKED)
    if not user.enabled:
        raise NotAuthorizedException("User is disabled.")
    return row, user


def rotates(client: AppClient) -> bool:
    return (client.config.get("RefreshTokenRotation") or {}).get("Feature") == "ENABLED"


def refresh(ctx: Context, pool: UserPool, client: AppClient, text: str) -> dict[str, Any]:
    """The AuthenticationResult of a refresh."""
    row, user = usable(ctx, client, text)
    rotate = rotates(client)
    result = tokens.mint(ctx, pool, client, user, auth_time=row.auth_time, origin_jti=row.origin_jti,
                         with_refresh=False, device_key=row.device_key)
    if rotate:
        if row.rotated_at is None:
            row.rotated_at = ctx.now
        result["RefreshToken"] = tokens.store_refresh(ctx, client, user, row.origin_jti, row.auth_time, row.device_key)
    return result
