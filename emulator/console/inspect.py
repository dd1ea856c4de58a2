"""What the token inspector shows about one token: claims, signing key, expiry, revocation.

Everything is read through the emulator's own functions: ``signing.verify_detailed`` says
which JWKS key signed a token, ``access.is_revoked`` whether Cognito would treat it as
revoked, ``access.authenticate`` what an access-token API (GetUser) would answer. The
signature check and the revocation check are deliberately shown apart: a revoked token
still verifies against the JWKS until it expires (reference §2).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from emulator.console.calls import Reader
from emulator.console.explain import explain
from emulator.errors import CognitoError
from emulator.jwks import signing
from emulator.userpool import directory
from emulator.userpool.auth import access, tokens
from emulator.userpool.auth.models import RefreshToken, RevokedOrigin
from emulator.userpool.directory_models import User
from emulator.userpool.models import UserPool

REFRESH_NOTE = ("A refresh token is opaque (an encrypted JWE): only Cognito can read it. Apps never decode it; "
                "they send it back to get new ID and access tokens.")


@dataclass
class FamilyMember:
    """One refresh token of a sign-in family."""

    client_id: str
    created: float
    expires: float
    revoked: bool
    rotated_at: float | None


@dataclass
class Inspected:
    """One token as the inspector shows it."""

    token: str
    kind: str = "unknown"  # id | access | refresh | unknown
    header: dict[str, Any] = field(default_factory=dict)
    claims: dict[str, Any] = field(default_factory=dict)
    pool_id: str | None = None
    signature_ok: bool = False
    signature_problem: str | None = None
    kid: str | None = None
    key_use: str | None = None
    exp: float | None = None
    now: float = 0.0
    revoked: bool | None = None
    revoked_reasons: list[str] = field(default_factory=list)
    user_state: str | None = None
    api_answer: str | None = None
    family: list[FamilyMember] = field(default_factory=list)
    origin_jti: str | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def expired(self) -> bool:
        return self.exp is not None and self.exp <= self.now

    @property
    def remaining(self) -> int:
        return max(0, int((self.exp or 0) - self.now))


def pool_id_of(iss: Any) -> str | None:
    """The pool an issuer names: its last path segment."""
    if not isinstance(iss, str) or "/" not in iss:
        return None
    return iss.rstrip("/").rsplit("/", 1)[1] or None


def _family(reader: Reader, origin_jti: str) -> list[FamilyMember]:
    rows = reader.db.scalars(select(RefreshToken).where(RefreshToken.origin_jti == origin_jti)
                             .order_by(RefreshToken.created))
    return [FamilyMember(r.client_id, r.created, r.expires, bool(r.revoked), r.rotated_at) for r in rows]


def _revocation(reader: Reader, result: Inspected, pool: UserPool) -> None:
    """Cognito's verdict (``access.is_revoked``) and the reasons behind it, in words."""
    claims = result.claims
    name = claims.get("username") if result.kind == "access" else claims.get("cognito:username")
    user = directory.find_user(reader.db, pool, str(name or ""), by_alias=False)
    if user is None or user.sub != claims.get("sub"):
        result.user_state = "The user no longer exists: Cognito's APIs refuse the token."
        result.revoked = True
        result.revoked_reasons.append("the user was deleted")
        return
    result.user_state = f"{user.username}: {user.status}, {'enabled' if user.enabled else 'disabled'}"
    ctx = reader.ctx("Inspect")
    result.revoked = access.is_revoked(ctx, user, claims)
    origin = claims.get("origin_jti")
    family = reader.db.get(RevokedOrigin, origin) if isinstance(origin, str) and origin else None
    cutoff = user.revoked_before
    # A global sign-out sets the user's cutoff and revokes each live family at that same instant.
    if cutoff and (int(claims.get("iat", 0)) < int(cutoff) or (family is not None and family.revoked_at == cutoff)):
        result.revoked_reasons.append("the user was signed out everywhere (GlobalSignOut, AdminUserGlobalSignOut "
                                      "or AdminDisableUser) after it was issued")
    elif family is not None:
        result.revoked_reasons.append("its sign-in family (origin_jti) was revoked by RevokeToken")
    if not user.enabled:
        result.revoked_reasons.append("the user is disabled")
        result.revoked = True
    if result.kind == "access":
        try:
            access.authenticate(ctx, result.token)
        except CognitoError as err:
            result.api_answer = f"{err.code}: {err.message}"
        else:
            result.api_answer = "accepted (GetUser and the other access-token APIs would serve this user)"


def _inspect_refresh(reader: Reader, result: Inspected) -> Inspected:
    result.kind = "refresh"
    row = reader.db.get(RefreshToken, tokens.token_hash(result.token))
    if row is None:
        result.problems.append("Cogito does not know this refresh token (another emulator, or reset since).")
        return result
    result.pool_id = row.pool_id
    result.origin_jti = row.origin_jti
    result.exp = row.expires
    user = reader.db.get(User, row.user_id)
    gone = reader.db.get(RevokedOrigin, row.origin_jti) is not None
    signed_out = user is not None and user.revoked_before is not None and row.created < user.revoked_before
    result.revoked = bool(row.revoked or gone or signed_out)
    if row.revoked or gone:
        result.revoked_reasons.append("its sign-in family was revoked")
    if signed_out:
        result.revoked_reasons.append("the user was signed out everywhere after it was issued")
    if user is not None:
        result.user_state = f"{user.username}: {user.status}, {'enabled' if user.enabled else 'disabled'}"
    result.family = _family(reader, row.origin_jti)
    return result


def inspect(reader: Reader, token: str, now: float) -> Inspected:
    """Everything the inspector says about ``token`` (never raises for bad input)."""
    token = token.strip()
    result = Inspected(token=token, now=now)
    if len(token.split(".")) == 5:
        return _inspect_refresh(reader, result)
    try:
        result.header = signing.unverified_header(token)
        result.claims = signing.unverified_claims(token)
    except signing.TokenError as err:
        result.problems.append(f"Not a JWT: {err}.")
        return result
    use = result.claims.get("token_use")
    result.kind = use if use in ("id", "access") else "unknown"
    exp = result.claims.get("exp")
    result.exp = float(exp) if isinstance(exp, (int, float)) and not isinstance(exp, bool) else None
    origin = result.claims.get("origin_jti")
    result.origin_jti = origin if isinstance(origin, str) else None
    result.pool_id = pool_id_of(result.claims.get("iss"))
    pool = reader.db.get(UserPool, result.pool_id) if result.pool_id else None
    if pool is None:
        result.problems.append(f"No user pool {result.pool_id or '(no iss)'} in this Cogito: it cannot check "
                               "the signature.")
        return result
    try:
        verified = signing.verify_detailed(reader.db, pool.id, token)
    except signing.TokenError as err:
        result.signature_problem = str(err)
    else:
        result.signature_ok = True
        result.kid, result.key_use = verified.kid, verified.key_use
    if result.signature_ok and result.kind in ("id", "access"):
        _revocation(reader, result, pool)
    if result.origin_jti:
        result.family = _family(reader, result.origin_jti)
    return result


@dataclass
class ClaimRow:
    """One line of the side-by-side table."""

    name: str
    id_value: Any
    access_value: Any
    in_id: bool
    in_access: bool
    text: str
    carried_by: str


def side_by_side(id_claims: dict[str, Any] | None, access_claims: dict[str, Any] | None) -> list[ClaimRow]:
    """Every claim of either token, in the ID token's order then the access token's."""
    id_claims, access_claims = id_claims or {}, access_claims or {}
    names = list(dict.fromkeys([*id_claims, *access_claims]))
    rows = []
    for name in names:
        info = explain(name)
        rows.append(ClaimRow(name, id_claims.get(name), access_claims.get(name), name in id_claims,
                             name in access_claims, info.text, info.carried_by))
    return rows
