"""Refreshing: REFRESH_TOKEN_AUTH / REFRESH_TOKEN and GetTokensFromRefreshToken.

New access and ID tokens in the same sign-in family (same ``origin_jti`` and
``auth_time``); a new refresh token only when the client has RefreshTokenRotation on.
Rotation goes through GetTokensFromRefreshToken only (AWS: "You can't authenticate with
REFRESH_TOKEN_AUTH in app clients with refresh token rotation enabled"); the replaced
token keeps working for RetryGracePeriodSeconds, and the replacement expires when the
original would have (the lifetime counts from the sign-in, not from each rotation).
"""

from __future__ import annotations

import hmac
from typing import Any

from emulator.context import Context
from emulator.errors import InvalidParameterException, NotAuthorizedException
from emulator.userpool import secret_hash
from emulator.userpool.auth import gate, tokens
from emulator.userpool.auth.models import RefreshToken, RevokedOrigin
from emulator.userpool.directory_models import User
from emulator.userpool.models import AppClient, UserPool

# Real responses carry the period on this one ("Invalid Refresh Token." in wire captures).
INVALID = "Invalid Refresh Token."
EXPIRED = "Refresh Token has expired"
REVOKED = "Refresh Token has been revoked"
ROTATING_CLIENT = ("Refresh token rotation is enabled for this client: refresh with GetTokensFromRefreshToken, "
                   "not REFRESH_TOKEN_AUTH.")


def find(ctx: Context, client: AppClient, text: str) -> RefreshToken | None:
    row = ctx.db.get(RefreshToken, tokens.token_hash(text), with_for_update=True)
    if row is None or row.client_id != client.client_id:
        return None
    return row


def rotates(client: AppClient) -> bool:
    return (client.config.get("RefreshTokenRotation") or {}).get("Feature") == "ENABLED"


def usable(ctx: Context, client: AppClient, text: str) -> tuple[RefreshToken, User]:
    """The token's row and user, or NotAuthorizedException as Cognito words it."""
    row = find(ctx, client, text)
    if row is None:
        raise NotAuthorizedException(INVALID)
    user = ctx.db.get(User, row.user_id)
    if user is None:
        raise NotAuthorizedException(INVALID)
    if not user.enabled:  # before revocation: AdminDisableUser also revokes the user's tokens
        raise NotAuthorizedException("User is disabled.")
    revoked = row.revoked or ctx.db.get(RevokedOrigin, row.origin_jti) is not None
    if revoked or (user.revoked_before is not None and row.created < user.revoked_before):
        raise NotAuthorizedException(REVOKED)
    if row.expires <= ctx.now:
        raise NotAuthorizedException(EXPIRED)
    if row.rotated_at is not None:
        grace = int((client.config.get("RefreshTokenRotation") or {}).get("RetryGracePeriodSeconds") or 0)
        # Without a grace period a replaced token is dead at once, whatever the clocks say: a
        # rotation that waited on this row's lock (PostgreSQL) may have started before it.
        if grace == 0 or ctx.now > row.rotated_at + grace:
            raise NotAuthorizedException(INVALID)
    return row, user


def _check_secret_hash(client: AppClient, given: str | None, user: User) -> None:
    """Over the internal username, or any name the user signs in with (pycognito hashes the one it was given)."""
    attrs = user.attributes or {}
    names = [user.username, user.sub, *(attrs.get(k, "") for k in ("email", "phone_number", "preferred_username"))]
    expected = (secret_hash.compute(client.secret or "", n, client.client_id) for n in names if n)
    if not any(hmac.compare_digest(e, given or "") for e in expected):
        raise NotAuthorizedException(f"SecretHash does not match for the client: {client.client_id}")


def exchange(ctx: Context, pool: UserPool, client: AppClient, row: RefreshToken, user: User) -> dict[str, Any]:
    """Fresh access and ID tokens for a checked refresh token (and a replacement when rotating).

    A family from an OAuth sign-in keeps its granted scopes (and ID-token rules) whichever
    endpoint refreshes it: /oauth2/token, REFRESH_TOKEN_AUTH or GetTokensFromRefreshToken.
    """
    from emulator.hostedui import issue as oauth
    from emulator.triggers import pre_token

    scopes = oauth.family_scopes(ctx, row.origin_jti)
    if scopes is not None:
        result = oauth.oauth_exchange(ctx, pool, client, row, user, scopes)
    else:
        overrides = pre_token.run(ctx, pool, client, user, pre_token.REFRESH_TOKENS)
        result = tokens.mint(ctx, pool, client, user, auth_time=row.auth_time, origin_jti=row.origin_jti,
                             with_refresh=False, device_key=row.device_key, overrides=overrides)
    if rotates(client):
        if row.rotated_at is None:
            row.rotated_at = ctx.now
        result["RefreshToken"] = tokens.store_refresh(ctx, client, user, row.origin_jti, row.auth_time,
                                                      row.device_key, expires=row.expires)
    return result


def start(ctx: Context, pool: UserPool, client: AppClient, params: dict[str, Any]) -> dict[str, Any]:
    """REFRESH_TOKEN_AUTH / REFRESH_TOKEN in (Admin)InitiateAuth."""
    (text,) = gate.require(params, "REFRESH_TOKEN")
    if rotates(client):
        raise InvalidParameterException(ROTATING_CLIENT)
    if client.secret and not params.get("SECRET_HASH"):
        raise NotAuthorizedException(secret_hash.missing_message(client.client_id))
    row, user = usable(ctx, client, text)
    if client.secret:
        _check_secret_hash(client, params.get("SECRET_HASH"), user)
    return {"ChallengeParameters": {}, "AuthenticationResult": exchange(ctx, pool, client, row, user)}


def get_tokens(ctx: Context, pool: UserPool, client: AppClient, params: dict[str, Any]) -> dict[str, Any]:
    """GetTokensFromRefreshToken: the client secret itself rather than a SECRET_HASH.

    A rotating client needs no ALLOW_REFRESH_TOKEN_AUTH (AWS asks to turn that flow off
    for rotation); otherwise the flag gates this operation as it gates REFRESH_TOKEN_AUTH.
    """
    from emulator.triggers.events import note_call

    note_call(ctx, client.client_id, params.get("ClientMetadata"))
    if not rotates(client):
        gate.check_flow_enabled(client, "REFRESH_TOKEN_AUTH")
    if client.secret:
        given = params.get("ClientSecret")
        if not given:
            raise NotAuthorizedException(secret_hash.missing_message(client.client_id))
        if not hmac.compare_digest(given, client.secret):
            raise NotAuthorizedException(f"Client secret does not match for the client: {client.client_id}")
    row, user = usable(ctx, client, params["RefreshToken"])
    return {"AuthenticationResult": exchange(ctx, pool, client, row, user)}


def refresh(ctx: Context, pool: UserPool, client: AppClient, text: str) -> dict[str, Any]:
    """The AuthenticationResult of a refresh (for callers that did their own gating, e.g. /oauth2/token)."""
    row, user = usable(ctx, client, text)
    return exchange(ctx, pool, client, row, user)
