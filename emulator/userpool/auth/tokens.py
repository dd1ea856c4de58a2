"""Minting the three tokens of a sign-in, and the refresh-token store.

ID and access tokens are RS256 JWTs signed with the pool's own keys (emulator.jwks);
the refresh token is opaque, JWE-shaped like Cognito's, and stored only as a SHA-256.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import uuid
from typing import Any

from sqlalchemy import bindparam, select

from emulator.context import Context
from emulator.jwks import claims as claim_builders
from emulator.userpool.client_config import validity_seconds
from emulator.userpool.auth.models import RefreshToken
from emulator.userpool.directory_models import Group, Membership, User
from emulator.userpool.models import AppClient, UserPool

_JWE_HEADER = base64.urlsafe_b64encode(
    json.dumps({"cty": "JWT", "enc": "A256GCM", "alg": "RSA-OAEP"}, separators=(",", ":")).encode()
).decode().rstrip("=")


def _b64(size: int) -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(size)).decode().rstrip("=")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_refresh_text() -> str:
    """Five base64url parts, like the JWE Cognito hands out; clients treat it as opaque."""
    return ".".join((_JWE_HEADER, _b64(256), _b64(12), _b64(400), _b64(16)))


# Built once: this read runs on every sign-in and refresh (columns only, no entities to load).
_GROUPS = (
    select(Group.name, Group.role_arn, Group.precedence)
    .join(Membership, Membership.group_id == Group.id)
    .where(Membership.user_id == bindparam("user_id"))
)


def subject_of(ctx: Context, user: User) -> claim_builders.Subject:
    """The user's claims' sources: groups in token order (best precedence first, unranked last, then name)."""
    rows = ctx.db.execute(_GROUPS, {"user_id": user.id}).all()
    rows.sort(key=lambda r: (r.precedence is None, r.precedence or 0, r.name))
    groups = [claim_builders.GroupInfo(r.name, r.role_arn, r.precedence) for r in rows]
    return claim_builders.Subject(user.username, user.sub, dict(user.attributes or {}), groups)


def store_refresh(ctx: Context, client: AppClient, user: User, origin_jti: str, auth_time: int,
                  device_key: str | None = None, *, expires: float | None = None) -> str:
    """A new refresh token in the ``origin_jti`` family; returns its text (kept only as a hash).

    ``expires`` defaults to the client's refresh validity from now; a rotated token passes
    its predecessor's.
    """
    text = new_refresh_text()
    if expires is None:
        expires = ctx.now + validity_seconds(client.config)["RefreshToken"]
    ctx.db.add(RefreshToken(
        token_hash=token_hash(text), pool_id=client.pool_id, client_id=client.client_id, user_id=user.id,
        origin_jti=origin_jti, auth_time=auth_time, created=ctx.now, expires=expires, revoked=False,
        device_key=device_key,
    ))
    return text


def mint(
    ctx: Context, pool: UserPool, client: AppClient, user: User, *, auth_time: int | None = None,
    origin_jti: str | None = None, with_refresh: bool = True, scopes: list[str] | None = None,
    with_id_token: bool = True, device_key: str | None = None, oauth: bool = False,
    id_extra: dict[str, Any] | None = None, overrides: Any = None,
) -> dict[str, Any]:
    """The AuthenticationResult of a sign-in or refresh.

    ``overrides`` is a PreTokenGeneration answer (emulator.triggers.pre_token.Overrides).
    """
    from emulator.jwks import issuer, keys, signing

    now = int(ctx.now)
    id_key, access_key = keys.pool_keys(ctx.db, pool.id)  # both kids in one read (made on first need)
    issue = claim_builders.Issue(
        issuer=issuer.issuer_for(ctx, pool.id), client_id=client.client_id,
        auth_time=auth_time if auth_time is not None else now, iat=now,
        origin_jti=origin_jti or str(uuid.uuid4()), event_id=str(uuid.uuid4()),
    )
    subject = subject_of(ctx, user)
    lives = validity_seconds(client.config)
    access_life = lives["AccessToken"]
    access = claim_builders.access_token_claims(
        subject, issue, jti=str(uuid.uuid4()), exp=now + access_life, scopes=scopes, device_key=device_key, oauth=oauth,
    )
    if overrides is not None:
        overrides.apply_access(access)
    result: dict[str, Any] = {
        "AccessToken": signing.sign_with_key(access_key, access),
        "ExpiresIn": access_life,
        "TokenType": "Bearer",
    }
    if with_id_token:
        id_claims = claim_builders.id_token_claims(
            subject, issue, jti=str(uuid.uuid4()), exp=now + lives["IdToken"],
            readable=client.config.get("ReadAttributes") or None, extra=id_extra,
        )
        if overrides is not None:
            overrides.apply_id(id_claims)
        result["IdToken"] = signing.sign_with_key(id_key, id_claims)
    if with_refresh:
        result["RefreshToken"] = store_refresh(ctx, client, user, issue.origin_jti, issue.auth_time, device_key)
    return result
