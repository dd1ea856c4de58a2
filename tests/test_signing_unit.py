"""Keys, signing and issuers without a server: a private in-memory store per test."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterator
import jwt
import pytest
from flask import Flask

from emulator.cli import _parser, settings_from_args
from emulator.jwks import issuer, keys, signing
from emulator.jwks.models import SigningKey
from emulator.settings import Settings, from_env
from emulator.store.engine import Store
from emulator.userpool.models import UserPool

POOL = "eu-west-1_Unit00001"


def _add_pool(store: Store, pool_id: str) -> None:
    with store.transaction() as db:
        db.add(UserPool(id=pool_id, account_id="000000000000", region=pool_id.split("_")[0], name="unit",
                        created=0.0, modified=0.0, config={}, tags={}))


@pytest.fixture
def store() -> Iterator[Store]:
    s = Store("sqlite://")
    _add_pool(s, POOL)
    yield s
    s.dispose()


def test_kid_is_the_rfc7638_digest_in_aws_spelling(store: Store) -> None:
    with store.transaction() as db:
        key = keys.signing_key(db, POOL, "id")
    # RFC 7638 §3: the required members in lexicographic order, no whitespace.
    canonical = '{"e":"%s","kty":"RSA","n":"%s"}' % (key.jwk["e"], key.jwk["n"])
    digest = hashlib.sha256(canonical.encode()).digest()
    assert key.kid == base64.b64encode(digest).decode()
    assert len(key.kid) == 44 and key.kid.endswith("=")
    assert keys.thumbprint_b64url(key.public_key) == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    assert jwt.PyJWK(key.jwk).key.public_numbers() == key.public_key.public_numbers()
    assert key.public_key.key_size == 2048


def test_keys_are_lazy_and_two_distinct(store: Store) -> None:
    with store.transaction() as db:
        assert keys.missing_uses(db, POOL) == ["id", "access"]
        id_key = keys.signing_key(db, POOL, "id")
        access_key = keys.signing_key(db, POOL, "access")
    assert id_key.kid != access_key.kid
    with store.transaction(write=False) as db:
        assert keys.missing_uses(db, POOL) == []
        assert [k.kid for k in keys.pool_keys(db, POOL)] == [id_key.kid, access_key.kid]


def test_header_is_exactly_kid_then_alg(store: Store) -> None:
    with store.transaction() as db:
        token = signing.sign(db, POOL, {"sub": "s", "token_use": "id"}, "id")
    header_part = token.split(".")[0]
    raw = base64.urlsafe_b64decode(header_part + "=" * (-len(header_part) % 4)).decode()
    assert list(json.loads(raw)) == ["kid", "alg"] and json.loads(raw)["alg"] == "RS256"
    assert raw == json.dumps(json.loads(raw), separators=(",", ":"))
    assert token.startswith("eyJraWQiOi")  # how every real Cognito token starts


def test_sign_rejects_an_unknown_use(store: Store) -> None:
    with store.transaction() as db, pytest.raises(ValueError):
        signing.sign(db, POOL, {}, "refresh")


def test_sign_for_a_missing_pool_raises(store: Store) -> None:
    with store.transaction() as db, pytest.raises(keys.PoolKeysUnavailable):
        signing.sign(db, "eu-west-1_Missing00", {}, "id")


def test_reset_and_recreated_pool_does_not_reuse_cached_keys(store: Store) -> None:
    with store.transaction() as db:
        old = signing.sign(db, POOL, {"n": 1}, "access")
        old_kid = keys.signing_key(db, POOL, "access").kid
    store.reset()  # what /_cogito/reset does; the in-process cache still holds the old keys
    _add_pool(store, POOL)
    with store.transaction() as db:
        new = signing.sign(db, POOL, {"n": 2}, "access")
        assert keys.signing_key(db, POOL, "access").kid != old_kid
        assert signing.verify(db, POOL, new) == {"n": 2}
        with pytest.raises(signing.UnknownKeyId):
            signing.verify(db, POOL, old)


def test_deleted_pool_takes_its_keys(store: Store) -> None:
    with store.transaction() as db:
        token = signing.sign(db, POOL, {"n": 1}, "id")
    with store.transaction() as db:
        db.delete(db.get(UserPool, POOL))
    with store.transaction(write=False) as db:
        assert db.query(SigningKey).filter_by(pool_id=POOL).count() == 0
        with pytest.raises(signing.UnknownKeyId):
            signing.verify(db, POOL, token)


def test_verification_survives_a_cache_clear(store: Store) -> None:
    with store.transaction() as db:
        token = signing.sign(db, POOL, {"n": 1}, "id")
    keys.clear_cache()
    with store.transaction(write=False) as db:
        verified = signing.verify_detailed(db, POOL, token)
    assert verified.claims == {"n": 1} and verified.key_use == "id"


def test_helpers_for_expiry_and_token_use() -> None:
    signing.check_not_expired({"exp": 101}, 100.0)
    for claims in ({"exp": 100}, {"exp": 99}, {}, {"exp": "200"}, {"exp": True}):
        with pytest.raises(signing.TokenExpired):
            signing.check_not_expired(claims, 100.0)
    signing.check_token_use({"token_use": "access"}, "access")
    with pytest.raises(signing.WrongTokenUse):
        signing.check_token_use({"token_use": "id"}, "access")


def test_unverified_claims_and_malformed_tokens() -> None:
    token = "eyJraWQiOiJrIiwiYWxnIjoiUlMyNTYifQ." + base64.urlsafe_b64encode(b'{"iss":"x"}').decode().rstrip("=") + ".c2ln"
    assert signing.unverified_claims(token) == {"iss": "x"}
    for bad in ("", "abc", "a.b", "a.b.c.d", "!!!.e30.sig", "e30.!!!.sig", "W10.e30.sig"):
        with pytest.raises(signing.MalformedToken):
            signing.unverified_claims(bad)


# --- issuer ---------------------------------------------------------------------------

def test_issuer_default_pinned_and_aws() -> None:
    base = "http://127.0.0.1:9229"
    assert issuer.issuer_from(Settings(), base, POOL) == f"{base}/{POOL}"
    pinned = Settings(issuer_base="http://cognito:9229/")
    assert issuer.issuer_from(pinned, base, POOL) == f"http://cognito:9229/{POOL}"
    aws = Settings(issuer_style="aws", issuer_base="http://cognito:9229")
    assert issuer.issuer_from(aws, base, POOL) == f"https://cognito-idp.eu-west-1.amazonaws.com/{POOL}"
    assert issuer.issuer_from(Settings(issuer_style="aws"), base, "us-gov-west-1_X") == (
        "https://cognito-idp.us-gov-west-1.amazonaws.com/us-gov-west-1_X"
    )


def test_accepted_issuers_cover_every_form() -> None:
    accepted = issuer.accepted_issuers(POOL, Settings(issuer_base="http://cognito:9229"), "http://localhost:9229")
    assert accepted == {
        f"https://cognito-idp.eu-west-1.amazonaws.com/{POOL}",
        f"https://issuer.cognito-idp.eu-west-1.amazonaws.com/{POOL}",
        f"http://cognito:9229/{POOL}",
        f"http://localhost:9229/{POOL}",
    }


@pytest.mark.parametrize("iss", [
    f"http://localhost:9229/{POOL}",
    f"http://127.0.0.1:9229/{POOL}",
    f"https://auth.example.com/prefix/{POOL}",
    f"https://cognito-idp.eu-west-1.amazonaws.com/{POOL}",
    f"https://issuer.cognito-idp.eu-west-1.amazonaws.com/{POOL}",
])
def test_issuer_matches_forms_naming_the_pool(iss: str) -> None:
    assert issuer.issuer_matches(iss, POOL)


@pytest.mark.parametrize("iss", [
    "http://localhost:9229/eu-west-1_Other0001",
    f"http://localhost:9229/{POOL}x",
    f"http://localhost:9229/x{POOL}",
    f"http://localhost:9229/{POOL}/",
    f"http://localhost:9229/{POOL}?a=b",
    f"ftp://localhost/{POOL}",
    f"localhost:9229/{POOL}",
    f"https://cognito-idp.us-east-1.amazonaws.com/{POOL}",
    f"https://evil.amazonaws.com/{POOL}",
    "",
])
def test_issuer_matches_refuses_others(iss: str) -> None:
    assert not issuer.issuer_matches(iss, POOL)


def test_base_url_honours_forwarded_headers() -> None:
    app = Flask("t")
    cases = [
        ({}, "http://127.0.0.1:9229"),
        ({"X-Forwarded-Proto": "https", "X-Forwarded-Host": "auth.example.com"}, "https://auth.example.com"),
        ({"X-Forwarded-Proto": "https, http", "X-Forwarded-Host": "a.example, b"}, "https://a.example"),
        ({"X-Forwarded-Host": "proxy", "X-Forwarded-Port": "8443"}, "http://proxy:8443"),
        ({"X-Forwarded-Host": "proxy:81", "X-Forwarded-Port": "8443"}, "http://proxy:81"),
        ({"X-Forwarded-Proto": "https", "X-Forwarded-Host": "p", "X-Forwarded-Port": "443"}, "https://p"),
        ({"X-Forwarded-Proto": "gopher", "X-Forwarded-Host": "bad host/<x>"}, "http://127.0.0.1:9229"),
    ]
    for headers, expected in cases:
        with app.test_request_context("/", base_url="http://127.0.0.1:9229", headers=headers):
            from flask import request

            assert issuer.base_url_of(request) == expected, headers


def test_issuer_settings_from_env_and_cli() -> None:
    env = from_env({"COGITO_ISSUER_BASE": "http://cognito:9229", "COGITO_ISSUER_STYLE": "AWS"})
    assert (env.issuer_base, env.issuer_style) == ("http://cognito:9229", "aws")
    assert (from_env({}).issuer_base, from_env({}).issuer_style) == (None, "request")
    args = _parser().parse_args(["serve", "--issuer-base", "http://x:1", "--issuer-style", "aws"])
    settings = settings_from_args(args)
    assert (settings.issuer_base, settings.issuer_style) == ("http://x:1", "aws")
