"""The identity service's own OpenID tokens (GetOpenIdToken and the developer variant).

Real tokens look like ``{"kid":"eu-west-11","typ":"JWS","alg":"RS512"}`` over
``{sub, aud, amr, iss, identity-pool-arn, exp, iat}`` with ``iss`` always
``https://cognito-identity.amazonaws.com``. Cogito keeps one RSA key per region in the
store (made on first need, race-safe by primary key) and publishes them all at
``GET /_cogito/identity/.well-known/jwks_uri`` (also ``jwks.json``).
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from emulator.identitypool.models import IdentitySigningKey
from emulator.jwks.keys import new_private_pem, public_jwk

ISSUER = "https://cognito-identity.amazonaws.com"
ALGORITHM = "RS512"
POOL_ARN_CLAIM = "https://cognito-identity.amazonaws.com/identity-pool-arn"
TAGS_CLAIM = "https://aws.amazon.com/tags"
OPEN_ID_TOKEN_SECONDS = 600
DEVELOPER_TOKEN_SECONDS = 900


class IdentityTokenError(Exception):
    """An identity-service token that does not verify; ``expired`` says why."""

    def __init__(self, message: str, *, expired: bool = False, exp: Any = None) -> None:
        super().__init__(message)
        self.expired = expired
        self.exp = exp


@dataclass(frozen=True)
class _Key:
    kid: str
    private: rsa.RSAPrivateKey
    public: rsa.RSAPublicKey


_cache: dict[str, _Key] = {}
_lock = threading.Lock()


def _load(kid: str, pem: str) -> _Key:
    """A parsed key, cached by the digest of its PEM (a reset makes a new key, same kid)."""
    digest = hashlib.sha256(pem.encode()).hexdigest()
    with _lock:
        found = _cache.get(digest)
    if found is not None:
        return found
    private = serialization.load_pem_private_key(pem.encode(), password=None, unsafe_skip_rsa_key_validation=True)
    if not isinstance(private, rsa.RSAPrivateKey):
        raise ValueError("identity signing key is not RSA")
    key = _Key(kid, private, private.public_key())
    with _lock:
        if len(_cache) > 256:
            _cache.clear()
        _cache[digest] = key
    return key


def signing_key(db: Session, region: str) -> _Key:
    """The region's key, created on first need (call from a write transaction)."""
    row = db.get(IdentitySigningKey, region)
    if row is None:
        try:
            with db.begin_nested():
                db.add(IdentitySigningKey(region=region, kid=f"{region}1", private_pem=new_private_pem()))
        except IntegrityError:
            pass  # another request made it first
        row = db.get(IdentitySigningKey, region)
        if row is None:
            raise RuntimeError(f"no identity signing key for {region}")
    return _load(row.kid, row.private_pem)


def jwks(db: Session) -> dict[str, list[dict[str, str]]]:
    """Every region's public key, as a JWK Set (alg RS512)."""
    keys = []
    for row in db.scalars(select(IdentitySigningKey).order_by(IdentitySigningKey.region)):
        jwk = public_jwk(_load(row.kid, row.private_pem).public, row.kid)
        jwk["alg"] = ALGORITHM
        keys.append(jwk)
    return {"keys": keys}


def mint(db: Session, region: str, claims: dict[str, Any]) -> str:
    """An RS512 JWT with Cognito's header, signed by the region's key."""
    key = signing_key(db, region)
    return jwt.encode(claims, key.private, algorithm=ALGORITHM, headers={"kid": key.kid, "typ": "JWS"})


def token_claims(*, identity_id: str, pool_id: str, pool_arn: str, amr: list[str], now: float,
                 lifetime: int, principal_tags: dict[str, str] | None = None) -> dict[str, Any]:
    """The payload, in the order AWS writes it."""
    claims: dict[str, Any] = {"sub": identity_id, "aud": pool_id, "amr": amr, "iss": ISSUER, POOL_ARN_CLAIM: pool_arn}
    if principal_tags:
        claims[TAGS_CLAIM] = {"principal_tags": {k: [v] for k, v in principal_tags.items()}}
    claims["exp"] = int(now) + lifetime
    claims["iat"] = int(now)
    return claims


def verify(db: Session, token: str, now: float) -> dict[str, Any]:
    """The claims of a token Cogito's identity service signed; IdentityTokenError otherwise."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise IdentityTokenError("not a JWT") from None
    kid = header.get("kid")
    row = db.scalar(select(IdentitySigningKey).where(IdentitySigningKey.kid == kid)) if isinstance(kid, str) else None
    if row is None or header.get("alg") != ALGORITHM:
        raise IdentityTokenError("unknown key")
    key = _load(row.kid, row.private_pem)
    try:
        claims = jwt.decode(token, key.public, algorithms=[ALGORITHM],
                            options={"verify_exp": False, "verify_aud": False, "verify_iat": False,
                                     "verify_nbf": False})
    except jwt.PyJWTError:
        raise IdentityTokenError("bad signature") from None
    if claims.get("iss") != ISSUER:
        raise IdentityTokenError("wrong issuer")
    exp = claims.get("exp")
    if isinstance(exp, bool) or not isinstance(exp, (int, float)) or exp <= now:
        raise IdentityTokenError("expired", expired=True, exp=exp)
    return claims
