"""Checking a ``Logins`` map: which provider, which subject, which claims (reference §9).

User pools are verified in full: the key must name a user pool the identity pool lists
(written ``cognito-idp.{region}.amazonaws.com/{poolId}`` or as Cogito's own issuer minus
its scheme, ``localhost:9229/{poolId}``, which is what Amplify sends); the token must be
an ID token whose ``iss`` names that pool, signed by its key, unexpired, whose ``aud`` is
a ClientId configured for it, and with ServerSideTokenCheck, not revoked and its user not
deleted. ``cognito-identity.amazonaws.com`` takes a token of Cogito's identity service
(developer-authenticated identities) for this identity pool.

Providers Cogito cannot verify (Google, Facebook, Amazon, Apple, Twitter, OpenID Connect
and SAML providers the pool lists) are accepted by a documented rule: a JWT value is read
without checking its signature, refused if its ``exp`` has passed, and its ``sub`` is the
subject; any other value is itself the subject. So the same provider and subject always
reach the same identity, and a test can log in as "user-1" at graph.facebook.com.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from emulator.context import Context
from emulator.errors import NotAuthorizedException
from emulator.identitypool import openid
from emulator.identitypool.models import IdentityPool

DEVELOPER_TOKEN_PROVIDER = "cognito-identity.amazonaws.com"
NOT_SUPPORTED = "Token is not from a supported provider of this identity pool."
NOT_OIDC = "Invalid login token. Not a valid OpenId Connect identity token."
ISSUER_MISMATCH = "Invalid login token. Issuer doesn't match providerName"
COGNITO_TOKEN = "Invalid login token. Can't pass in a Cognito token."
UNVERIFIED = "Invalid login token. Couldn't verify signed token."
# Not documented by AWS: the wording when ServerSideTokenCheck refuses a token.
REVOKED = "Invalid login token. Token has been revoked."
USER_GONE = "Invalid login token. User does not exist."
_POOL_ID = re.compile(r"[\w-]+_[0-9a-zA-Z]+")


@dataclass(frozen=True)
class Login:
    """One verified login."""

    provider: str  # the name it is linked under (as the identity pool configures it)
    subject: str
    claims: dict[str, Any] = field(default_factory=dict)
    amr: tuple[str, ...] = ()  # what it adds to an OpenID token's amr after "authenticated"
    user_pool: tuple[str, str] | None = None  # (user pool id, client id) for role mappings
    identity_id: str | None = None  # a developer token names its identity directly


def subject_hash(subject: str) -> str:
    return hashlib.sha256(subject.encode("utf-8")).hexdigest()


def user_pool_of(provider_name: str) -> str | None:
    """The user pool a provider name (or its ``:clientId`` mapping key) names, if any."""
    head, sep, last = provider_name.rstrip("/").rpartition("/")
    if not sep or not head:
        return None
    last = last.split(":", 1)[0]
    return last if _POOL_ID.fullmatch(last) else None


def expired_message(now: float, exp: Any) -> str:
    return f"Invalid login token. Token expired: {int(now)} >= {exp}"


def _user_pool_login(ctx: Context, key: str, pool_id: str, token: str, entries: list[dict[str, Any]]) -> Login:
    from emulator.jwks import issuer, signing

    try:
        unverified = signing.unverified_claims(token)
    except signing.TokenError:
        raise NotAuthorizedException(NOT_OIDC) from None
    if not issuer.issuer_matches(str(unverified.get("iss", "")), pool_id):
        raise NotAuthorizedException(ISSUER_MISMATCH)
    try:
        verified = signing.verify_detailed(ctx.db, pool_id, token)
    except signing.TokenError:
        raise NotAuthorizedException(UNVERIFIED) from None
    claims = verified.claims
    if claims.get("token_use") != "id" or verified.key_use != "id":
        raise NotAuthorizedException(COGNITO_TOKEN)
    exp = claims.get("exp")
    if isinstance(exp, bool) or not isinstance(exp, (int, float)) or exp <= ctx.now:
        raise NotAuthorizedException(expired_message(ctx.now, exp))
    if signing.not_yet_valid(claims, ctx.now):  # nbf/iat ahead: AWS's wording for it is not documented
        raise NotAuthorizedException(UNVERIFIED)
    entry = next((e for e in entries if e.get("ClientId") and e["ClientId"] == claims.get("aud")), None)
    if entry is None:
        raise NotAuthorizedException(NOT_SUPPORTED)
    sub = str(claims.get("sub", ""))
    if entry.get("ServerSideTokenCheck"):
        _check_server_side(ctx, pool_id, sub, claims)
    provider = entry["ProviderName"]
    return Login(provider, sub, claims, (provider, f"{provider}:CognitoSignIn:{sub}"), (pool_id, entry["ClientId"]))


def _check_server_side(ctx: Context, pool_id: str, sub: str, claims: dict[str, Any]) -> None:
    """Refuse a token of a deleted user, a revoked sign-in, or one issued before a global sign-out."""
    from emulator.userpool.auth.models import RevokedOrigin
    from emulator.userpool.directory_models import User

    user = ctx.db.scalar(select(User).where(User.pool_id == pool_id, User.sub == sub))
    if user is None:
        raise NotAuthorizedException(USER_GONE)
    origin = claims.get("origin_jti")
    if isinstance(origin, str) and ctx.db.get(RevokedOrigin, origin) is not None:
        raise NotAuthorizedException(REVOKED)
    iat = claims.get("iat")
    if user.revoked_before and isinstance(iat, (int, float)) and iat < int(user.revoked_before):
        raise NotAuthorizedException(REVOKED)


def _developer_token_login(ctx: Context, pool: IdentityPool, token: str) -> Login:
    try:
        claims = openid.verify(ctx.db, token, ctx.now)
    except openid.IdentityTokenError as exc:
        if exc.expired:
            raise NotAuthorizedException(expired_message(ctx.now, exc.exp)) from None
        raise NotAuthorizedException(UNVERIFIED if token.count(".") == 2 else NOT_OIDC) from None
    amr = claims.get("amr") if isinstance(claims.get("amr"), list) else []
    if claims.get("aud") != pool.id or "authenticated" not in amr:
        raise NotAuthorizedException(NOT_SUPPORTED)
    sub = str(claims.get("sub", ""))
    return Login(DEVELOPER_TOKEN_PROVIDER, sub, claims, tuple(str(a) for a in amr[1:]), identity_id=sub)


def _unverifiable_login(ctx: Context, provider: str, value: str) -> Login:
    """The documented rule for providers Cogito cannot check (see the module docstring)."""
    claims: dict[str, Any] = {}
    subject = value
    if value.count(".") == 2:
        from emulator.jwks import signing

        try:
            claims = signing.unverified_claims(value)
        except signing.TokenError:
            claims = {}
        exp = claims.get("exp")
        if isinstance(exp, (int, float)) and not isinstance(exp, bool) and exp <= ctx.now:
            raise NotAuthorizedException(expired_message(ctx.now, exp))
        if isinstance(claims.get("sub"), str) and claims["sub"]:
            subject = claims["sub"]
    return Login(provider, subject, claims, (provider, f"{provider}:{subject}"))


def oidc_provider_names(pool: IdentityPool) -> set[str]:
    """Login keys of the pool's OpenID Connect providers (the ARN's part after ``oidc-provider/``)."""
    names = set()
    for arn in pool.config.get("OpenIdConnectProviderARNs") or []:
        _, sep, name = arn.partition(":oidc-provider/")
        if sep:
            names.add(name)
    return names


def user_pool_entries(pool: IdentityPool, user_pool_id: str) -> list[dict[str, Any]]:
    return [e for e in pool.config.get("CognitoIdentityProviders") or []
            if user_pool_of(e.get("ProviderName", "")) == user_pool_id]


def verify_login(ctx: Context, pool: IdentityPool, key: str, value: str) -> Login:
    """One entry of a Logins map, or NotAuthorizedException."""
    if key == DEVELOPER_TOKEN_PROVIDER:
        return _developer_token_login(ctx, pool, value)
    config = pool.config
    if key in (config.get("SupportedLoginProviders") or {}) or key in oidc_provider_names(pool) \
            or key in (config.get("SamlProviderARNs") or []):
        return _unverifiable_login(ctx, key, value)
    user_pool_id = user_pool_of(key)
    entries = user_pool_entries(pool, user_pool_id) if user_pool_id else []
    if not entries:
        raise NotAuthorizedException(NOT_SUPPORTED)
    return _user_pool_login(ctx, key, user_pool_id or "", value, entries)


def verify_logins(ctx: Context, pool: IdentityPool, logins: dict[str, str]) -> list[Login]:
    return [verify_login(ctx, pool, key, value) for key, value in logins.items()]


def canonical_provider(pool: IdentityPool, name: str) -> str:
    """A provider name as logins are linked under it (a user pool in any spelling -> the configured one)."""
    user_pool_id = user_pool_of(name)
    if user_pool_id:
        entries = user_pool_entries(pool, user_pool_id)
        if entries:
            return entries[0]["ProviderName"]
    return name


def mapping_for(pool: IdentityPool, login: Login) -> dict[str, Any] | None:
    """The RoleMapping that applies to a login, if the pool has one."""
    mappings = pool.role_mappings or {}
    if login.user_pool is not None:
        for key, mapping in mappings.items():
            head, sep, client = key.rpartition(":")
            if sep and client == login.user_pool[1] and user_pool_of(head) == login.user_pool[0]:
                return mapping
        return None
    return mappings.get(login.provider)
