"""Claim builders for ID and access tokens: pure functions, exactly Cognito's claims (reference §2).

The ID token carries identity (attributes, ``cognito:username``, ``aud``); the access token
carries authorization (``scope``, ``client_id``, ``username``) and no personal data.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

BOOLEAN_ATTRIBUTES = frozenset({"email_verified", "phone_number_verified"})
NUMBER_ATTRIBUTES = frozenset({"updated_at"})
# Attributes never copied into the ID token as plain claims.
NOT_CLAIMS = frozenset({"sub", "identities"})
ADMIN_SCOPE = "aws.cognito.signin.user.admin"


@dataclass(frozen=True)
class GroupInfo:
    name: str
    role_arn: str | None
    precedence: int | None


@dataclass(frozen=True)
class Subject:
    """Who the tokens are for, as the claim builders need it."""

    username: str
    sub: str
    attributes: dict[str, str]
    groups: list[GroupInfo] = field(default_factory=list)


@dataclass(frozen=True)
class Issue:
    """One issuance: times and ids shared by the tokens minted together."""

    issuer: str
    client_id: str
    auth_time: int
    iat: int
    origin_jti: str
    event_id: str


def group_claims(groups: list[GroupInfo]) -> dict[str, Any]:
    """``cognito:groups``, ``cognito:roles`` and ``cognito:preferred_role`` (reference §7)."""
    if not groups:
        return {}
    claims: dict[str, Any] = {"cognito:groups": [g.name for g in groups]}
    roles = [g.role_arn for g in groups if g.role_arn]
    if roles:
        claims["cognito:roles"] = list(dict.fromkeys(roles))
        with_role = [g for g in groups if g.role_arn]
        ranked = [g for g in with_role if g.precedence is not None]
        if ranked:
            best = min(g.precedence for g in ranked)  # type: ignore[type-var]
            top = {g.role_arn for g in ranked if g.precedence == best}
        else:
            top = {g.role_arn for g in with_role}
        if len(top) == 1:
            claims["cognito:preferred_role"] = top.pop()
    return claims


def _claim_value(name: str, value: str) -> Any:
    if name in BOOLEAN_ATTRIBUTES:
        return value.lower() == "true"
    if name in NUMBER_ATTRIBUTES:
        try:
            return int(value)
        except ValueError:
            return value
    return value


def id_token_claims(subject: Subject, issue: Issue, *, jti: str, exp: int,
                    readable: list[str] | None = None, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """The ID token: identity, every readable attribute, groups and roles."""
    claims: dict[str, Any] = {"sub": subject.sub}
    claims.update(group_claims(subject.groups))
    for name, value in subject.attributes.items():
        if name in NOT_CLAIMS or name.startswith("dev:"):
            continue
        if readable is not None and name not in readable:
            continue
        claims[name] = _claim_value(name, value)
    if "identities" in subject.attributes:
        try:
            claims["identities"] = json.loads(subject.attributes["identities"])
        except ValueError:
            pass
    claims.update({
        "iss": issue.issuer,
        "cognito:username": subject.username,
        "origin_jti": issue.origin_jti,
        "aud": issue.client_id,
        "event_id": issue.event_id,
        "token_use": "id",
        "auth_time": issue.auth_time,
        "exp": exp,
        "iat": issue.iat,
        "jti": jti,
    })
    if extra:
        claims.update(extra)
    return claims


def access_token_claims(subject: Subject, issue: Issue, *, jti: str, exp: int, scopes: list[str] | None = None,
                        device_key: str | None = None, oauth: bool = False) -> dict[str, Any]:
    """The access token: who and what for, no personal data and no ``aud``."""
    claims: dict[str, Any] = {"sub": subject.sub}
    if subject.groups:
        claims["cognito:groups"] = [g.name for g in subject.groups]
    claims.update({
        "iss": issue.issuer,
        "client_id": issue.client_id,
        "origin_jti": issue.origin_jti,
        "event_id": issue.event_id,
        "token_use": "access",
        "scope": " ".join(scopes) if scopes is not None else ADMIN_SCOPE,
        "auth_time": issue.auth_time,
        "exp": exp,
        "iat": issue.iat,
        "jti": jti,
        "username": subject.username,
    })
    if device_key:
        claims["device_key"] = device_key
    if oauth:
        claims["version"] = 2
    return claims
