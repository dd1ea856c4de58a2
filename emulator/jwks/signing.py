"""RS256 tokens signed with a pool's own keys, and their verification.

``sign`` writes the header exactly as Cognito does, ``{"kid":…,"alg":"RS256"}`` in that
order and without ``typ``. ``verify`` checks the signature against *that pool's* keys only
and raises a precise ``TokenError``; what a valid signature does not settle (expiry,
token_use, issuer, audience) is the caller's, with the helpers below.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from sqlalchemy.orm import Session

from emulator.jwks import keys

ALGORITHM = "RS256"
_B64URL = re.compile(r"[A-Za-z0-9_-]*")


class TokenError(Exception):
    """A token Cogito will not accept; callers turn it into Cognito's wording."""


class MalformedToken(TokenError):
    """Not three base64url parts, or a header or payload that is not a JSON object."""


class UnsupportedAlgorithm(TokenError):
    """The header's alg is not RS256 ("none" and HS256 forgeries end here)."""


class UnknownKeyId(TokenError):
    """No kid, or a kid that is not one of this pool's keys."""


class BadSignature(TokenError):
    """The signature does not match the pool's key named by the kid."""


class TokenExpired(TokenError):
    """exp is not after now."""


class WrongTokenUse(TokenError):
    """token_use is not the one the caller needs (an ID token where an access token goes)."""


@dataclass(frozen=True)
class Verified:
    """A token whose signature is good: its claims, header, and which pool key signed it."""

    claims: dict[str, Any]
    header: dict[str, Any]
    kid: str
    key_use: str


def _b64url(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def _json(value: dict[str, Any]) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def sign(db: Session, pool_id: str, claims: dict[str, Any], use: str) -> str:
    """A compact RS256 JWT of ``claims`` signed with the pool's ``use`` ("id"|"access") key.

    Creates the pool's keys on first need, in ``db``'s transaction: call it from a write
    transaction.
    """
    return sign_with_key(keys.signing_key(db, pool_id, use), claims)


def sign_with_key(key: keys.PoolKey, claims: dict[str, Any]) -> str:
    """``sign`` with a key already in hand (minting both tokens of a sign-in reads the kids once)."""
    signing_input = _b64url(_json({"kid": key.kid, "alg": ALGORITHM})) + b"." + _b64url(_json(claims))
    signature = key.private_key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
    return (signing_input + b"." + _b64url(signature)).decode("ascii")


def _b64url_decode(part: str) -> bytes:
    """Strict base64url (no padding, no stray characters), as JWS compact form requires."""
    if not _B64URL.fullmatch(part):
        raise MalformedToken("a part is not base64url")
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _json_object(part: str, what: str) -> dict[str, Any]:
    try:
        value = json.loads(_b64url_decode(part))
    except (ValueError, binascii.Error, RecursionError):  # JSONDecodeError and bad UTF-8 are ValueErrors
        raise MalformedToken(f"the {what} is not base64url JSON") from None
    if not isinstance(value, dict):
        raise MalformedToken(f"the {what} is not a JSON object")
    return value


def _parts(token: str) -> list[str]:
    if not isinstance(token, str):
        raise MalformedToken("a JWT is a string")
    parts = token.split(".")
    if len(parts) != 3 or not parts[0] or not parts[1]:
        raise MalformedToken("a JWT has three dot-separated parts")
    return parts


def unverified_header(token: str) -> dict[str, Any]:
    """The header, unchecked; MalformedToken if it is not a JSON object."""
    return _json_object(_parts(token)[0], "header")


def unverified_claims(token: str) -> dict[str, Any]:
    """The payload without any check: only to find which pool a token claims to be from."""
    parts = _parts(token)
    _json_object(parts[0], "header")
    return _json_object(parts[1], "payload")


def verify_detailed(db: Session, pool_id: str, token: str) -> Verified:
    """Check format, algorithm, kid and signature against the pool's keys; the rest is yours."""
    header_part, payload_part, signature_part = _parts(token)
    header = _json_object(header_part, "header")
    alg = header.get("alg")
    if alg != ALGORITHM:
        raise UnsupportedAlgorithm(f"alg {alg!r} is not {ALGORITHM}")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise UnknownKeyId("the header has no kid")
    claims = _json_object(payload_part, "payload")
    signature = _b64url_decode(signature_part)
    key = keys.find_key(db, pool_id, kid)
    if key is None:
        raise UnknownKeyId(f"kid {kid} is not a key of {pool_id}")
    try:
        key.public_key.verify(
            signature, f"{header_part}.{payload_part}".encode("ascii"), padding.PKCS1v15(), hashes.SHA256()
        )
    except InvalidSignature:
        raise BadSignature("signature verification failed") from None
    return Verified(claims=claims, header=header, kid=kid, key_use=key.use)


def verify(db: Session, pool_id: str, token: str) -> dict[str, Any]:
    """The claims of a token signed by one of the pool's keys; raises a TokenError otherwise."""
    return verify_detailed(db, pool_id, token).claims


def check_not_expired(claims: dict[str, Any], now: float) -> None:
    """TokenExpired unless exp is a number after ``now`` (Cognito allows no leeway)."""
    exp = claims.get("exp")
    if isinstance(exp, bool) or not isinstance(exp, (int, float)) or exp <= now:
        raise TokenExpired("the token has expired")


def not_yet_valid(claims: dict[str, Any], now: float) -> bool:
    """Whether ``nbf`` or ``iat`` lies after ``now``: a token from the future is not valid yet.

    Cognito's own tokens carry no ``nbf`` and an ``iat`` that is never ahead of its clock, so
    only a forgery or a clock moved back (POST /_cogito/clock) meets this; RFC 7519 §4.1.5
    refuses the first, and PyJWT's "not yet valid (iat)" the second. No leeway, as for exp.
    """
    for name in ("nbf", "iat"):
        value = claims.get(name)
        if isinstance(value, (int, float)) and not isinstance(value, bool) and value > now:
            return True
    return False


def check_token_use(claims: dict[str, Any], expected: str) -> None:
    """WrongTokenUse unless token_use is ``expected`` ("id" or "access")."""
    if claims.get("token_use") != expected:
        raise WrongTokenUse(f"token_use is {claims.get('token_use')!r}, not {expected!r}")

