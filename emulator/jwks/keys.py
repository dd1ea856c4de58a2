"""A pool's two RSA-2048 signing keys: made on first need, kept in the store, cached here.

AWS signs ID and access tokens with two different keys, both published in the pool's
JWKS. Keys are created lazily (the first JWKS fetch or the first token), not by
CreateUserPool, so creating a pool stays fast. They live in the database (private key
PEM) so every worker and replica signs and serves the same ones.

kid: the RFC 7638 JWK thumbprint (SHA-256 over ``{"e","kty","n"}``), written in standard
base64 with its padding. RFC 7638 itself leaves the text form to the user; the usual
base64url form is 43 characters, while every real Cognito kid is 44 characters ending in
"=", which is exactly a padded standard-base64 SHA-256. So the digest is RFC 7638's and
the spelling is AWS's; ``thumbprint_b64url`` gives the 43-character form if needed.

The cache is keyed by (pool id, kid). A kid is a digest of the public key, so a cached
entry can never stand for a different key; which kids a pool has *now* is always read
from the store, so a deleted, recreated or reset pool never signs or verifies with keys
it no longer owns.
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from emulator.jwks.models import SigningKey
from emulator.store.engine import memo
from emulator.store.prepared import Prepared

Use = Literal["id", "access"]
USES: tuple[Use, ...] = ("id", "access")
KEY_BITS = 2048
CACHE_SIZE = 4096


class PoolKeysUnavailable(LookupError):
    """The pool does not exist (or vanished while its keys were being made)."""


@dataclass(frozen=True)
class PoolKey:
    """One loaded key pair of a pool: parsed once, then reused on every token."""

    pool_id: str
    use: str
    kid: str
    private_key: rsa.RSAPrivateKey
    public_key: rsa.RSAPublicKey
    jwk: dict[str, str]


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _uint(value: int) -> bytes:
    return value.to_bytes(max(1, (value.bit_length() + 7) // 8), "big")


def _thumbprint_digest(public_key: rsa.RSAPublicKey) -> bytes:
    """RFC 7638: SHA-256 of the required members, sorted, no whitespace."""
    numbers = public_key.public_numbers()
    members = {"e": _b64url(_uint(numbers.e)), "kty": "RSA", "n": _b64url(_uint(numbers.n))}
    canonical = json.dumps(members, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("ascii")).digest()


def kid_of(public_key: rsa.RSAPublicKey) -> str:
    """The kid Cogito gives a key: RFC 7638 digest, AWS's 44-char padded base64 spelling."""
    return base64.b64encode(_thumbprint_digest(public_key)).decode("ascii")


def thumbprint_b64url(public_key: rsa.RSAPublicKey) -> str:
    """The RFC 7638 thumbprint in its usual base64url form (43 characters)."""
    return _b64url(_thumbprint_digest(public_key))


def public_jwk(public_key: rsa.RSAPublicKey, kid: str) -> dict[str, str]:
    """The six members AWS publishes (and aws-jwt-verify insists on)."""
    numbers = public_key.public_numbers()
    return {
        "alg": "RS256",
        "e": _b64url(_uint(numbers.e)),
        "kid": kid,
        "kty": "RSA",
        "n": _b64url(_uint(numbers.n)),
        "use": "sig",
    }


def new_private_pem() -> str:
    """A fresh RSA-2048 key as PKCS#8 PEM (about 60 ms: keep it out of hot paths)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode("ascii")


def _load(pool_id: str, use: str, pem: str, kid: str | None = None) -> PoolKey:
    """Parse a stored key; ``kid`` defaults to the key's own thumbprint."""
    # Our own keys from our own store: skipping the RSA consistency check turns a
    # ~40 ms load into well under a millisecond.
    private = serialization.load_pem_private_key(
        pem.encode("ascii"), password=None, unsafe_skip_rsa_key_validation=True
    )
    if not isinstance(private, rsa.RSAPrivateKey):
        raise ValueError(f"signing key {use} of {pool_id} is not an RSA key")
    public = private.public_key()
    kid = kid or kid_of(public)
    return PoolKey(pool_id, use, kid, private, public, public_jwk(public, kid))


class _Cache:
    """A small thread-safe LRU of loaded keys by (pool id, kid)."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[tuple[str, str], PoolKey] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, pool_id: str, kid: str) -> PoolKey | None:
        with self._lock:
            item = self._items.get((pool_id, kid))
            if item is not None:
                self._items.move_to_end((pool_id, kid))
            return item

    def put(self, key: PoolKey) -> None:
        with self._lock:
            self._items[(key.pool_id, key.kid)] = key
            self._items.move_to_end((key.pool_id, key.kid))
            while len(self._items) > self._size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


_cache = _Cache(CACHE_SIZE)


def clear_cache() -> None:
    """Forget every loaded key (they are re-read from the store on next use)."""
    _cache.clear()


# Built once: this read runs on every sign and verify (store.prepared: no ORM on the way).
_TABLE = SigningKey.__table__
_KIDS = Prepared(select(_TABLE.c.use, _TABLE.c.kid).where(_TABLE.c.pool_id == bindparam("pool_id")))


def _current_kids(db: Session, pool_id: str) -> dict[str, str]:
    """use -> kid of the keys the pool has now: one small primary-key range read.

    A pool's complete pair never changes once made (only deleting the pool removes it),
    so it is remembered for the rest of the transaction (store.engine.memo); an
    incomplete set is read again each time.
    """
    remembered = memo(db).get(("kids", pool_id))
    if remembered is not None:
        return dict(remembered)
    kids = {use: kid for use, kid in _KIDS.rows(db, {"pool_id": pool_id})}
    remember_kids(db, pool_id, kids)
    return kids


def remember_kids(db: Session, pool_id: str, kids: Mapping[str, str | None]) -> None:
    """Note a pool's kids read elsewhere (with the pool's row) for this transaction; only a complete pair."""
    if all(kids.get(use) for use in USES):
        memo(db)[("kids", pool_id)] = {use: kids[use] for use in USES}


def _loaded(db: Session, pool_id: str, use: str, kid: str) -> PoolKey:
    key = _cache.get(pool_id, kid)
    if key is None:
        row = db.get(SigningKey, (pool_id, use))
        if row is None or row.kid != kid:  # replaced between two reads of this request
            raise PoolKeysUnavailable(pool_id)
        key = _load(pool_id, use, row.private_pem, kid)
        _cache.put(key)
    return key


def ensure_keys(db: Session, pool_id: str, pems: dict[str, str] | None = None) -> dict[str, str]:
    """Create the pool's missing keys in ``db``'s transaction; use -> kid of both.

    Race-safe: the inserts run in a savepoint, and if another transaction made the keys
    first (primary-key conflict) the savepoint is undone and the winner's keys are read.
    ``pems`` lets a caller generate keys before taking a write lock. On SQLite call this
    inside a write transaction (a read transaction cannot always be upgraded).
    """
    kids = _current_kids(db, pool_id)
    missing = [use for use in USES if use not in kids]
    if not missing:
        return kids
    fresh: list[tuple[PoolKey, str]] = []
    for use in missing:
        pem = (pems or {}).get(use) or new_private_pem()
        fresh.append((_load(pool_id, use, pem), pem))
    db.flush()  # the caller's pending writes fail (or not) on their own, outside our savepoint
    try:
        with db.begin_nested():
            for key, pem in fresh:
                db.add(SigningKey(pool_id=pool_id, use=key.use, kid=key.kid, private_pem=pem))
    except IntegrityError:
        # Lost a race (or the pool is gone: the foreign key refused the row).
        pass
    else:
        for key, _pem in fresh:
            _cache.put(key)
    kids = _current_kids(db, pool_id)
    if any(use not in kids for use in USES):
        raise PoolKeysUnavailable(pool_id)
    return kids


def missing_uses(db: Session, pool_id: str) -> list[str]:
    """Which of the pool's keys do not exist yet (empty once both are made)."""
    kids = _current_kids(db, pool_id)
    return [use for use in USES if use not in kids]


def signing_key(db: Session, pool_id: str, use: str) -> PoolKey:
    """The key that signs the pool's ``use`` tokens, creating both keys on first need."""
    if use not in USES:
        raise ValueError(f"token use must be 'id' or 'access', not {use!r}")
    kids = _current_kids(db, pool_id)
    if use not in kids:
        kids = ensure_keys(db, pool_id)
    return _loaded(db, pool_id, use, kids[use])


def find_key(db: Session, pool_id: str, kid: str) -> PoolKey | None:
    """The pool's key with that kid, or None: never creates keys, never looks at other pools."""
    for use, current in _current_kids(db, pool_id).items():
        if current == kid:
            try:
                return _loaded(db, pool_id, use, kid)
            except PoolKeysUnavailable:
                return None
    return None


def pool_keys(db: Session, pool_id: str) -> list[PoolKey]:
    """Both keys of the pool (ID key first), creating them on first need."""
    kids = ensure_keys(db, pool_id)
    return [_loaded(db, pool_id, use, kids[use]) for use in USES]


def jwks(db: Session, pool_id: str) -> dict[str, list[dict[str, str]]]:
    """The pool's public JWK Set as AWS serves it."""
    return {"keys": [dict(key.jwk) for key in pool_keys(db, pool_id)]}
