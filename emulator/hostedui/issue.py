"""Tokens of the OAuth flows: user tokens (code, implicit, refresh) and client tokens
(client_credentials).

User tokens come from ``auth.tokens.mint`` with the granted scopes and ``version: 2``;
the ID token (only with ``openid``) is minted here, beside the access token, so that it
can carry ``at_hash`` (OIDC Core §3.1.3.6: the left half of SHA-256 of the access
token, base64url) and the authorize request's ``nonce``. The scopes of each OAuth sign-in
family are kept so that its refreshes grant the same ones.
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from typing import Any

from emulator.context import Context
from emulator.hostedui.models import OAuthFamily
from emulator.jwks import claims as claim_builders
from emulator.triggers import pre_token
from emulator.userpool.auth import refresh as refresh_rules
from emulator.userpool.auth import tokens
from emulator.userpool.client_config import validity_seconds
from emulator.userpool.directory_models import User
from emulator.userpool.models import AppClient, UserPool

OPENID = "openid"


def at_hash(access_token: str) -> str:
    digest = hashlib.sha256(access_token.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest[: len(digest) // 2]).decode().rstrip("=")


def _id_token(ctx: Context, pool: UserPool, client: AppClient, user: User, access_token: str,
              extra: dict[str, Any], overrides: Any = None) -> str:
    """An ID token in the access token's family (same origin_jti, event_id, auth_time, iat)."""
    from emulator.jwks import signing

    access = signing.unverified_claims(access_token)
    issue = claim_builders.Issue(
        issuer=access["iss"], client_id=client.client_id, auth_time=int(access["auth_time"]),
        iat=int(access["iat"]), origin_jti=access["origin_jti"], event_id=access["event_id"],
    )
    claims = claim_builders.id_token_claims(
        tokens.subject_of(ctx, user), issue, jti=str(uuid.uuid4()),
        exp=issue.iat + validity_seconds(client.config)["IdToken"],
        readable=client.config.get("ReadAttributes") or None, extra=extra or None,
    )
    if overrides is not None:  # PreTokenGeneration's answer for this issuance
        overrides.apply_id(claims)
    return signing.sign(ctx.db, pool.id, claims, "id")


def user_tokens(ctx: Context, pool: UserPool, client: AppClient, user: User, *, scopes: list[str],
                auth_time: int, nonce: str | None = None, with_refresh: bool = True) -> dict[str, Any]:
    """A new OAuth sign-in family: access (+ ID with openid) (+ refresh), as an AuthenticationResult."""
    overrides = pre_token.run(ctx, pool, client, user, pre_token.HOSTED_AUTH, list(scopes))
    result = tokens.mint(ctx, pool, client, user, auth_time=auth_time, with_refresh=with_refresh,
                         scopes=list(scopes), with_id_token=False, oauth=True, overrides=overrides)
    if OPENID in scopes:
        extra: dict[str, Any] = {"at_hash": at_hash(result["AccessToken"])}
        if nonce is not None:
            extra["nonce"] = nonce
        result["IdToken"] = _id_token(ctx, pool, client, user, result["AccessToken"], extra, overrides)
    if with_refresh:
        from emulator.jwks import signing

        origin = signing.unverified_claims(result["AccessToken"])["origin_jti"]
        ctx.db.add(OAuthFamily(origin_jti=origin, pool_id=pool.id, scopes=list(scopes), created=ctx.now))
    return result


def family_scopes(ctx: Context, origin_jti: str) -> list[str] | None:
    """The scopes an OAuth sign-in family was granted; None for a family from the API flows."""
    family = ctx.db.get(OAuthFamily, origin_jti)
    return list(family.scopes) if family is not None else None


def oauth_exchange(ctx: Context, pool: UserPool, client: AppClient, row: Any, user: Any,
                   scopes: list[str]) -> dict[str, Any]:
    """Access (and, with openid, ID) tokens for a refresh of an OAuth family: its scopes again."""
    overrides = pre_token.run(ctx, pool, client, user, pre_token.REFRESH_TOKENS, scopes)
    result = tokens.mint(ctx, pool, client, user, auth_time=row.auth_time, origin_jti=row.origin_jti,
                         with_refresh=False, scopes=scopes, with_id_token=False,
                         device_key=row.device_key, oauth=True, overrides=overrides)
    if OPENID in scopes:
        result["IdToken"] = _id_token(ctx, pool, client, user, result["AccessToken"], {}, overrides)
    return result


def refreshed_tokens(ctx: Context, pool: UserPool, client: AppClient, text: str) -> dict[str, Any]:
    """The refresh_token grant: the same exchange as the API's refresh (family scopes kept).

    Refused tokens raise NotAuthorizedException (the caller's invalid_grant).
    """
    row, user = refresh_rules.usable(ctx, client, text)
    return refresh_rules.exchange(ctx, pool, client, row, user)


def client_token(ctx: Context, pool: UserPool, client: AppClient, scopes: list[str]) -> dict[str, Any]:
    """A client_credentials access token: the client is its own subject; no username."""
    from emulator.jwks import issuer, signing

    now = int(ctx.now)
    life = validity_seconds(client.config)["AccessToken"]
    claims = {
        "sub": client.client_id,
        "token_use": "access",
        "scope": " ".join(scopes),
        "auth_time": now,
        "iss": issuer.issuer_for(ctx, pool.id),
        "exp": now + life,
        "iat": now,
        "version": 2,
        "jti": str(uuid.uuid4()),
        "client_id": client.client_id,
    }
    return {"AccessToken": signing.sign(ctx.db, pool.id, claims, "access"), "ExpiresIn": life, "TokenType": "Bearer"}
