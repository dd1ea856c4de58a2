"""Verify a Cognito token from a JWKS URL: the checks an authorizer makes, each with its own reason.

``verify_token`` checks, in this order: the token's shape, RS256, the ``kid`` against the key
set, the signature, ``exp`` (no leeway, as Cognito), ``nbf``/``iat`` when asked, ``iss``,
``token_use``, the audience (``aud`` of ID tokens, ``client_id`` of access tokens, as API
Gateway's JWT authorizer reads them) and the scopes (at least one of them in ``scope``). It
returns the claims, or raises ``TokenRejected`` whose ``reason`` says which check failed.

What it cannot check is revocation: a signed-out user's tokens verify until they expire, as
they do behind API Gateway (docs/authorizers.md). Ask Cognito (``GetUser``) when that matters.

Works against any JWKS URL: Cogito's ``{endpoint}/{poolId}/.well-known/jwks.json`` or
AWS's ``https://cognito-idp.{region}.amazonaws.com/{poolId}/.well-known/jwks.json``.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from emulator.authorizer.defaults import DEFAULT_ENDPOINT

ALGORITHM = "RS256"
JWKS_TTL = 7200.0  # API Gateway caches a JWKS for up to two hours
REFETCH_AFTER = 5.0  # an unknown kid refetches the set, at most this often
_B64URL = re.compile(r"[A-Za-z0-9_-]+")

# Every reason a token can be refused, in the order the checks run.
REASONS = (
    "missing", "malformed", "unsupported_algorithm", "unknown_kid", "bad_signature", "expired",
    "not_yet_valid", "wrong_issuer", "wrong_token_use", "wrong_audience", "insufficient_scope",
    "jwks_unavailable",
)


class TokenRejected(Exception):
    """A token an authorizer refuses: ``reason`` (one of REASONS) and a sentence saying why."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class Verdict:
    """``check_token``'s answer: the claims when the token passes, otherwise the reason."""

    claims: dict[str, Any] | None
    reason: str | None = None
    detail: str | None = None

    @property
    def ok(self) -> bool:
        return self.claims is not None


def jwks_url_for(user_pool_id: str, endpoint: str = DEFAULT_ENDPOINT) -> str:
    """Where a pool's key set is served: ``{endpoint}/{poolId}/.well-known/jwks.json``."""
    return f"{endpoint.rstrip('/')}/{user_pool_id}/.well-known/jwks.json"


def strip_bearer(value: str) -> str:
    """The token from an Authorization value, with or without ``Bearer `` (API Gateway takes both)."""
    value = value.strip()
    scheme, _, rest = value.partition(" ")
    return rest.strip() if scheme.lower() == "bearer" else value


def scopes_of(claims: dict[str, Any]) -> list[str]:
    """The scopes a token holds: ``scope`` (space-separated, Cognito's form) or ``scp``."""
    value = claims.get("scope")
    if value is None:
        value = claims.get("scp")
    if isinstance(value, str):
        return value.split()
    if isinstance(value, list):
        return [str(item) for item in value]
    return []


# --- key sets ------------------------------------------------------------------------------------

class KeySets:
    """JWKS documents by URL, fetched over HTTP and kept for JWKS_TTL; thread-safe."""

    def __init__(self, fetch: Callable[[str], dict[str, Any]] | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._fetch = fetch or _http_get_json
        self._clock = clock
        self._sets: dict[str, tuple[float, dict[str, dict[str, Any]]]] = {}
        self._lock = threading.Lock()

    def key(self, url: str, kid: str) -> dict[str, Any]:
        """The JWK with ``kid`` at ``url``; refetches once when the kid is unknown (keys rotate)."""
        keys, fetched_at = self._current(url)
        if kid not in keys and self._clock() - fetched_at >= REFETCH_AFTER:
            keys, _ = self._load(url)
        if kid not in keys:
            raise TokenRejected("unknown_kid", f"no key with kid {kid!r} in {url}")
        return keys[kid]

    def _current(self, url: str) -> tuple[dict[str, dict[str, Any]], float]:
        with self._lock:
            entry = self._sets.get(url)
        if entry is None or self._clock() - entry[0] >= JWKS_TTL:
            return self._load(url)
        return entry[1], entry[0]

    def _load(self, url: str) -> tuple[dict[str, dict[str, Any]], float]:
        try:
            document = self._fetch(url)
        except Exception as exc:  # noqa: BLE001 - whatever stops the fetch, the keys are unavailable
            raise TokenRejected("jwks_unavailable", f"could not fetch {url}: {exc}") from None
        keys = _usable_keys(document)
        now = self._clock()
        with self._lock:
            self._sets[url] = (now, keys)
        return keys, now

    def clear(self) -> None:
        with self._lock:
            self._sets.clear()


def _http_get_json(url: str) -> dict[str, Any]:
    import requests

    response = requests.get(url, timeout=5)
    if response.status_code != 200:
        raise ValueError(f"HTTP {response.status_code}")
    if not response.headers.get("Content-Type", "").startswith("application/json"):
        raise ValueError("the key set is not application/json")
    return response.json()


def _usable_keys(document: Any) -> dict[str, dict[str, Any]]:
    """kid -> JWK for the RSA signing keys of a JWK Set (others are ignored, as verifiers do)."""
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise TokenRejected("jwks_unavailable", "the key set has no 'keys' list")
    found: dict[str, dict[str, Any]] = {}
    for jwk in document["keys"]:
        if (isinstance(jwk, dict) and jwk.get("kty") == "RSA" and jwk.get("use", "sig") == "sig"
                and isinstance(jwk.get("kid"), str) and isinstance(jwk.get("n"), str)
                and isinstance(jwk.get("e"), str)):
            found[jwk["kid"]] = jwk
    return found


_default_sets = KeySets()


# --- the checks ----------------------------------------------------------------------------------

def _b64url(part: str) -> bytes:
    if not _B64URL.fullmatch(part):
        raise TokenRejected("malformed", "a part of the token is not base64url")
    try:
        return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
    except (binascii.Error, ValueError):
        raise TokenRejected("malformed", "a part of the token is not base64url") from None


def _json_part(part: str, what: str) -> dict[str, Any]:
    try:
        value = json.loads(_b64url(part))
    except (ValueError, RecursionError):
        raise TokenRejected("malformed", f"the {what} is not JSON") from None
    if not isinstance(value, dict):
        raise TokenRejected("malformed", f"the {what} is not a JSON object")
    return value


def _check_signature(jwk: dict[str, Any], header: dict[str, Any], signing_input: bytes, signature: bytes) -> None:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    if jwk.get("alg", header.get("alg")) != header.get("alg"):
        raise TokenRejected("unsupported_algorithm", "the token's alg differs from its key's alg")
    try:
        numbers = rsa.RSAPublicNumbers(int.from_bytes(_b64url(jwk["e"]), "big"), int.from_bytes(_b64url(jwk["n"]), "big"))
        public_key = numbers.public_key()
    except (TokenRejected, ValueError):
        raise TokenRejected("jwks_unavailable", f"key {jwk.get('kid')!r} is not a usable RSA key") from None
    try:
        public_key.verify(signature, signing_input, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        raise TokenRejected("bad_signature", "the signature does not match the key") from None


def _number(claims: dict[str, Any], name: str) -> float | None:
    value = claims.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TokenRejected("malformed", f"{name} is not a number")
    return float(value)


def verify_token(
    token: str | None,
    *,
    jwks_url: str | None = None,
    user_pool_id: str | None = None,
    cognito_endpoint: str = DEFAULT_ENDPOINT,
    issuer: str | Iterable[str] | None = None,
    token_use: str | None = None,
    client_ids: Iterable[str] | None = None,
    scopes: Iterable[str] | None = None,
    check_issued_at: bool = False,
    now: float | None = None,
    key_sets: KeySets | None = None,
) -> dict[str, Any]:
    """The token's claims if it passes every check asked for; TokenRejected(reason) otherwise.

    Keys come from ``jwks_url``, or from ``{cognito_endpoint}/{user_pool_id}/.well-known/jwks.json``.
    ``issuer``: the accepted ``iss`` value(s); when omitted and ``user_pool_id`` is given, any
    issuer Cogito or AWS writes for that pool is accepted. ``token_use``: "id" or "access".
    ``client_ids``: ``aud`` (or ``client_id`` when there is no ``aud``) must be one of them.
    ``scopes``: the token must hold at least one. A ``Bearer `` prefix is accepted.
    """
    if token is None or not strip_bearer(token):
        raise TokenRejected("missing", "no token")
    token = strip_bearer(token)
    parts = token.split(".")
    if len(parts) != 3:
        raise TokenRejected("malformed", "a JWT has three dot-separated parts")
    header = _json_part(parts[0], "header")
    claims = _json_part(parts[1], "payload")
    if header.get("alg") != ALGORITHM:
        raise TokenRejected("unsupported_algorithm", f"alg {header.get('alg')!r} is not {ALGORITHM}")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise TokenRejected("unknown_kid", "the header has no kid")
    signature = _b64url(parts[2])
    if jwks_url is None:
        if not user_pool_id:
            raise ValueError("give jwks_url or user_pool_id")
        jwks_url = jwks_url_for(user_pool_id, cognito_endpoint)
    jwk = (key_sets or _default_sets).key(jwks_url, kid)
    _check_signature(jwk, header, f"{parts[0]}.{parts[1]}".encode("ascii"), signature)
    _check_times(claims, time.time() if now is None else now, check_issued_at)
    _check_issuer(claims, issuer, user_pool_id)
    if token_use is not None and claims.get("token_use") != token_use:
        raise TokenRejected("wrong_token_use", f"token_use is {claims.get('token_use')!r}, not {token_use!r}")
    if client_ids is not None:
        _check_audience(claims, set(client_ids))
    if scopes is not None:
        wanted = list(scopes)
        if wanted and not set(wanted) & set(scopes_of(claims)):
            raise TokenRejected("insufficient_scope", f"the token holds none of the scopes {' '.join(wanted)}")
    return claims


def _check_times(claims: dict[str, Any], now: float, check_issued_at: bool) -> None:
    exp = _number(claims, "exp")
    if exp is None or exp <= now:
        raise TokenRejected("expired", "the token has expired" if exp is not None else "the token has no exp")
    nbf = _number(claims, "nbf")
    if nbf is not None and nbf > now:
        raise TokenRejected("not_yet_valid", "the token is not valid yet (nbf)")
    iat = _number(claims, "iat")
    if check_issued_at and iat is not None and iat > now:
        raise TokenRejected("not_yet_valid", "the token was issued in the future (iat)")


def _check_issuer(claims: dict[str, Any], issuer: str | Iterable[str] | None, user_pool_id: str | None) -> None:
    iss = claims.get("iss")
    if issuer is not None:
        accepted = {issuer} if isinstance(issuer, str) else set(issuer)
        if iss not in accepted:
            raise TokenRejected("wrong_issuer", f"iss {iss!r} is not {' or '.join(sorted(accepted))}")
    elif user_pool_id:
        from emulator.jwks.issuer import issuer_matches

        if not isinstance(iss, str) or not issuer_matches(iss, user_pool_id):
            raise TokenRejected("wrong_issuer", f"iss {iss!r} does not name the pool {user_pool_id}")


def _check_audience(claims: dict[str, Any], client_ids: set[str]) -> None:
    """``aud`` when present (ID tokens), else ``client_id`` (access tokens): API Gateway's rule."""
    aud = claims.get("aud")
    if aud is not None:
        values = aud if isinstance(aud, list) else [aud]
        if not any(isinstance(v, str) and v in client_ids for v in values):
            raise TokenRejected("wrong_audience", "the token does not have a valid audience")
        return
    if claims.get("client_id") not in client_ids:
        raise TokenRejected("wrong_audience", "the token does not have a valid audience")


def check_token(token: str | None, **options: Any) -> Verdict:
    """``verify_token`` without the exception: a Verdict with the claims or the reason."""
    try:
        return Verdict(verify_token(token, **options))
    except TokenRejected as rejected:
        return Verdict(None, rejected.reason, rejected.detail)
