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

from sqlalchemy import bindparam, insert, select

from emulator.context import Context
from emulator.jwks import claims as claim_builders
from emulator.store.engine import after_commit
from emulator.store.prepared import Prepared
from emulator.userpool.auth.models import RefreshToken
from emulator.userpool.client_config import validity_seconds
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


# Built once: these run on every sign-in and refresh, straight on the connection (no
# entities to load, no unit of work to sort: store.prepared).
_GROUP_TABLE, _MEMBER_TABLE = Group.__table__, Membership.__table__
_GROUPS = Prepared(
    select(_GROUP_TABLE.c.name, _GROUP_TABLE.c.role_arn, _GROUP_TABLE.c.precedence)
    .join(_MEMBER_TABLE, _MEMBER_TABLE.c.group_id == _GROUP_TABLE.c.id)
    .where(_MEMBER_TABLE.c.user_id == bindparam("user_id"))
)
_REFRESH_COLUMNS = ("token_hash", "pool_id", "client_id", "user_id", "origin_jti", "auth_time", "created",
                    "expires", "revoked", "device_key", "rotated_at")
_INSERT_REFRESH = Prepared(insert(RefreshToken.__table__), keys=_REFRESH_COLUMNS)


def subject_of(ctx: Context, user: User) -> claim_builders.Subject:
    """The user's claims' sources: groups in token order (best precedence first, unranked last, then name)."""
    rows = _GROUPS.rows(ctx.db, {"user_id": user.id})  # (name, role_arn, precedence)
    rows.sort(key=lambda r: (r[2] is None, r[2] or 0, r[0]))
    groups = [claim_builders.GroupInfo(name, role_arn, precedence) for name, role_arn, precedence in rows]
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
    _INSERT_REFRESH.run(ctx.db, {
        "token_hash": token_hash(text), "pool_id": client.pool_id, "client_id": client.client_id,
        "user_id": user.id, "origin_jti": origin_jti, "auth_time": auth_time, "created": ctx.now,
        "expires": expires, "revoked": False, "device_key": device_key, "rotated_at": None,
    })
    return text


def mint(
    ctx: Context, pool: UserPool, client: AppClient, user: User, *, auth_time: int | None = None,
    origin_jti: str | None = None, with_refresh: bool = True, scopes: list[str] | None = None,
    with_id_token: bool = True, device_key: str | None = None, oauth: bool = False,
    id_extra: dict[str, Any] | None = None, overrides: Any = None, sign_after_commit: bool = False,
) -> dict[str, Any]:
    """The AuthenticationResult of a sign-in or refresh.

    ``overrides`` is a PreTokenGeneration answer (emulator.triggers.pre_token.Overrides).
    ``sign_after_commit``: the caller only returns the result, so the two RSA signatures
    (the costliest part of a sign-in, and free of the GIL) may be made once the request's
    transaction has committed (store.engine.after_commit), while the next request takes
    the write lock; the result is complete when the handler's transaction block ends.
    """
    from emulator.jwks import issuer, keys

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
    result: dict[str, Any] = {"AccessToken": "", "ExpiresIn": access_life, "TokenType": "Bearer"}
    to_sign = [("AccessToken", access_key, access)]
    if with_id_token:
        id_claims = claim_builders.id_token_claims(
            subject, issue, jti=str(uuid.uuid4()), exp=now + lives["IdToken"],
            readable=client.config.get("ReadAttributes") or None, extra=id_extra,
        )
        if overrides is not None:
            overrides.apply_id(id_claims)
        result["IdToken"] = ""
        to_sign.append(("IdToken", id_key, id_claims))

    def sign() -> None:
        from emulator.jwks import signing

        for name, key, claims in to_sign:
            result[name] = signing.sign_with_key(key, claims)

    if not (sign_after_commit and after_commit(ctx.db, sign)):
        sign()
    if with_refresh:
        result["RefreshToken"] = store_refresh(ctx, client, user, issue.origin_jti, issue.auth_time, device_key)
    return result
