"""The well-known endpoints over HTTP, and signing/verification against the live server's store."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from typing import Any

import jwt
import pytest
import requests
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

from emulator.jwks import issuer, keys, signing
from emulator.jwks.models import SigningKey

SIX = {"alg", "e", "kid", "kty", "n", "use"}


def _jwks_url(server: Any, pool_id: str) -> str:
    return f"{server.url}/{pool_id}/.well-known/jwks.json"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _sign(server: Any, pool_id: str, claims: dict[str, Any], use: str = "access") -> str:
    with server.state.store.transaction() as db:
        return signing.sign(db, pool_id, claims, use)


def _verify(server: Any, pool_id: str, token: str) -> dict[str, Any]:
    with server.state.store.transaction(write=False) as db:
        return signing.verify(db, pool_id, token)


def _key(server: Any, pool_id: str, use: str) -> keys.PoolKey:
    with server.state.store.transaction() as db:
        return keys.signing_key(db, pool_id, use)


def _key_rows(server: Any, pool_id: str) -> int:
    with server.state.store.transaction(write=False) as db:
        return db.query(SigningKey).filter_by(pool_id=pool_id).count()


def test_jwks_serves_two_keys_as_aws_does(server: Any, pool: dict[str, Any]) -> None:
    assert _key_rows(server, pool["Id"]) == 0  # CreateUserPool makes no keys
    resp = requests.get(_jwks_url(server, pool["Id"]), timeout=10)
    assert resp.status_code == 200
    assert resp.headers["Content-Type"].startswith("application/json")
    assert resp.headers["Access-Control-Allow-Origin"] == "*"
    body = resp.json()
    assert list(body) == ["keys"] and len(body["keys"]) == 2
    for jwk in body["keys"]:
        assert set(jwk) == SIX
        assert (jwk["alg"], jwk["e"], jwk["kty"], jwk["use"]) == ("RS256", "AQAB", "RSA", "sig")
        modulus = base64.urlsafe_b64decode(jwk["n"] + "=" * (-len(jwk["n"]) % 4))
        assert len(modulus) * 8 == 2048 and modulus[0] & 0x80
        canonical = json.dumps({"e": jwk["e"], "kty": "RSA", "n": jwk["n"]}, separators=(",", ":"))
        assert jwk["kid"] == base64.b64encode(hashlib.sha256(canonical.encode()).digest()).decode()
        assert len(jwk["kid"]) == 44 and jwk["kid"].endswith("=")
    assert body["keys"][0]["kid"] != body["keys"][1]["kid"]
    assert _key_rows(server, pool["Id"]) == 2


def test_jwks_is_stable_across_requests_and_cache_clears(server: Any, pool: dict[str, Any]) -> None:
    first = requests.get(_jwks_url(server, pool["Id"]), timeout=10).json()
    assert requests.get(_jwks_url(server, pool["Id"]), timeout=10).json() == first
    keys.clear_cache()
    assert requests.get(_jwks_url(server, pool["Id"]), timeout=10).json() == first


def test_concurrent_first_fetches_agree(server: Any, pool: dict[str, Any]) -> None:
    results: list[Any] = []

    def fetch() -> None:
        results.append(requests.get(_jwks_url(server, pool["Id"]), timeout=30).json())

    threads = [threading.Thread(target=fetch) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 4 and all(r == results[0] for r in results)
    assert _key_rows(server, pool["Id"]) == 2


def test_a_creator_that_loses_the_race_reads_the_winners_keys(
    server: Any, pool: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    winner = requests.get(_jwks_url(server, pool["Id"]), timeout=10).json()
    real = keys._current_kids
    stale = {"left": 1}

    def stale_once(db: Any, pool_id: str) -> dict[str, str]:
        if pool_id == pool["Id"] and stale["left"]:
            stale["left"] -= 1
            return {}  # as if the keys were not there yet when this creator looked
        return real(db, pool_id)

    monkeypatch.setattr(keys, "_current_kids", stale_once)
    with server.state.store.transaction() as db:
        kids = keys.ensure_keys(db, pool["Id"])
        assert db.query(SigningKey).filter_by(pool_id=pool["Id"]).count() == 2  # transaction still usable
    assert stale["left"] == 0  # the conflicting insert really happened
    assert sorted(kids.values()) == sorted(k["kid"] for k in winner["keys"])


def test_token_verifies_with_pyjwt_against_the_served_jwks(server: Any, pool: dict[str, Any]) -> None:
    iss = f"{server.url}/{pool['Id']}"
    id_token = _sign(server, pool["Id"], {"sub": "u1", "aud": "client1", "iss": iss, "token_use": "id",
                                           "exp": 4_000_000_000, "iat": 1}, "id")
    access_token = _sign(server, pool["Id"], {"sub": "u1", "client_id": "client1", "iss": iss,
                                               "token_use": "access", "exp": 4_000_000_000, "iat": 1})
    client = jwt.PyJWKClient(_jwks_url(server, pool["Id"]), cache_keys=False)
    claims = jwt.decode(id_token, client.get_signing_key_from_jwt(id_token).key, algorithms=["RS256"],
                        audience="client1", issuer=iss)
    assert claims["token_use"] == "id"
    claims = jwt.decode(access_token, client.get_signing_key_from_jwt(access_token).key, algorithms=["RS256"],
                        issuer=iss)
    assert claims["client_id"] == "client1"
    id_kid = jwt.get_unverified_header(id_token)["kid"]
    access_kid = jwt.get_unverified_header(access_token)["kid"]
    assert id_kid != access_kid
    assert jwt.get_unverified_header(id_token) == {"kid": id_kid, "alg": "RS256"}  # no typ
    assert {k["kid"] for k in requests.get(_jwks_url(server, pool["Id"]), timeout=10).json()["keys"]} == {
        id_kid, access_kid}


def test_pycognito_accepts_our_tokens_and_issuer(server: Any, pool: dict[str, Any]) -> None:
    from pycognito import Cognito

    iss = issuer.issuer_from(server.state.settings, server.url, pool["Id"])
    assert iss == f"{server.url}/{pool['Id']}"
    common = {"sub": "u1", "iss": iss, "exp": 4_000_000_000, "iat": 1, "cognito:username": "alice"}
    id_token = _sign(server, pool["Id"], {**common, "aud": "client1", "token_use": "id"}, "id")
    access_token = _sign(server, pool["Id"], {**common, "client_id": "client1", "token_use": "access"})
    cog = Cognito(pool["Id"], "client1", id_token=id_token, access_token=access_token,
                  boto3_client_kwargs={"endpoint_url": server.url, "aws_access_key_id": "t",
                                       "aws_secret_access_key": "t"})
    cog.verify_tokens()  # fetches our JWKS and requires iss == endpoint/poolId
    assert cog.id_claims["cognito:username"] == "alice"


def test_verify_returns_claims_and_key_use(server: Any, pool: dict[str, Any]) -> None:
    token = _sign(server, pool["Id"], {"sub": "s", "n": 1}, "id")
    assert _verify(server, pool["Id"], token) == {"sub": "s", "n": 1}
    with server.state.store.transaction(write=False) as db:
        assert signing.verify_detailed(db, pool["Id"], token).key_use == "id"


def test_forgeries_are_refused(server: Any, pool: dict[str, Any], idp: Any) -> None:
    pid = pool["Id"]
    good = _sign(server, pid, {"sub": "s", "token_use": "access"})
    header_b64, payload_b64, signature_b64 = good.split(".")
    key = _key(server, pid, "access")

    def forged(header: dict[str, Any], payload_b64: str, signature: bytes) -> str:
        return f"{_b64url(json.dumps(header).encode())}.{payload_b64}.{_b64url(signature)}"

    # alg none, with and without a signature.
    for sig in (b"", base64.urlsafe_b64decode(signature_b64 + "==")):
        with pytest.raises(signing.UnsupportedAlgorithm):
            _verify(server, pid, forged({"kid": key.kid, "alg": "none"}, payload_b64, sig))
    # HS256 keyed with the public key (the classic algorithm confusion).
    public_pem = key.public_key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    head = _b64url(json.dumps({"kid": key.kid, "alg": "HS256"}).encode())
    mac = hmac.new(public_pem, f"{head}.{payload_b64}".encode(), hashlib.sha256).digest()
    with pytest.raises(signing.UnsupportedAlgorithm):
        _verify(server, pid, f"{head}.{payload_b64}.{_b64url(mac)}")
    # A changed payload under the original signature; a signature swapped from another token.
    evil = _b64url(json.dumps({"sub": "admin", "token_use": "access"}).encode())
    with pytest.raises(signing.BadSignature):
        _verify(server, pid, f"{header_b64}.{evil}.{signature_b64}")
    other = _sign(server, pid, {"sub": "t", "token_use": "access"})
    with pytest.raises(signing.BadSignature):
        _verify(server, pid, f"{header_b64}.{payload_b64}.{other.split('.')[2]}")
    # The pool's ID key named in an access token signed by the access key: kid and key disagree.
    id_kid = _key(server, pid, "id").kid
    with pytest.raises(signing.BadSignature):
        _verify(server, pid, forged({"kid": id_kid, "alg": "RS256"}, payload_b64,
                                    base64.urlsafe_b64decode(signature_b64 + "==")))
    # Another pool's key: its own kid is unknown here, and ours with its signature is bad.
    other_pool = idp.create_user_pool(PoolName="jwks-other")["UserPool"]["Id"]
    try:
        foreign = _sign(server, other_pool, {"sub": "s", "token_use": "access"})
        with pytest.raises(signing.UnknownKeyId):
            _verify(server, pid, foreign)
        foreign_key = _key(server, other_pool, "access")
        head = _b64url(json.dumps({"kid": key.kid, "alg": "RS256"}).encode())
        sig = foreign_key.private_key.sign(f"{head}.{payload_b64}".encode(), padding.PKCS1v15(), hashes.SHA256())
        with pytest.raises(signing.BadSignature):
            _verify(server, pid, f"{head}.{payload_b64}.{_b64url(sig)}")
    finally:
        idp.delete_user_pool(UserPoolId=other_pool)
    # No kid, or garbage.
    with pytest.raises(signing.UnknownKeyId):
        _verify(server, pid, forged({"alg": "RS256"}, payload_b64, base64.urlsafe_b64decode(signature_b64 + "==")))
    for garbage in ("", "x", "a.b", "a.b.c", f"{header_b64}.{payload_b64}", f"{header_b64}.!!.{signature_b64}"):
        with pytest.raises(signing.MalformedToken):
            _verify(server, pid, garbage)


def test_deleting_the_pool_removes_its_keys(server: Any, idp: Any) -> None:
    pid = idp.create_user_pool(PoolName="jwks-delete")["UserPool"]["Id"]
    assert requests.get(_jwks_url(server, pid), timeout=10).status_code == 200
    token = _sign(server, pid, {"sub": "s"})
    idp.delete_user_pool(UserPoolId=pid)
    assert _key_rows(server, pid) == 0
    with pytest.raises(signing.UnknownKeyId):
        _verify(server, pid, token)
    assert requests.get(_jwks_url(server, pid), timeout=10).status_code == 404


@pytest.mark.parametrize("suffix", ["jwks.json", "openid-configuration"])
def test_unknown_pool_is_a_json_404(server: Any, suffix: str) -> None:
    for pid in ("eu-west-1_NoSuchPl0", "not-a-pool-id"):
        resp = requests.get(f"{server.url}/{pid}/.well-known/{suffix}", timeout=10)
        assert resp.status_code == 404
        assert resp.headers["Content-Type"].startswith("application/json")
        assert resp.json() == {"message": f"User pool {pid} does not exist."}


def test_discovery_document(server: Any, pool: dict[str, Any]) -> None:
    pid = pool["Id"]
    resp = requests.get(f"{server.url}/{pid}/.well-known/openid-configuration", timeout=10)
    assert resp.status_code == 200 and resp.headers["Content-Type"].startswith("application/json")
    assert resp.headers["Access-Control-Allow-Origin"] == "*"
    doc = resp.json()
    base = server.url
    assert doc == {
        "authorization_endpoint": f"{base}/oauth2/authorize",
        "end_session_endpoint": f"{base}/logout",
        "id_token_signing_alg_values_supported": ["RS256"],
        "issuer": f"{base}/{pid}",
        "jwks_uri": f"{base}/{pid}/.well-known/jwks.json",
        "response_types_supported": ["code", "token"],
        "revocation_endpoint": f"{base}/oauth2/revoke",
        "scopes_supported": ["openid", "email", "phone", "profile"],
        "subject_types_supported": ["public"],
        "token_endpoint": f"{base}/oauth2/token",
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "userinfo_endpoint": f"{base}/oauth2/userInfo",
    }
    jwks = requests.get(doc["jwks_uri"], timeout=10)
    assert jwks.status_code == 200 and len(jwks.json()["keys"]) == 2


def test_discovery_behind_a_proxy_names_the_public_url(server: Any, pool: dict[str, Any]) -> None:
    pid = pool["Id"]
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "auth.example.com"}
    doc = requests.get(f"{server.url}/{pid}/.well-known/openid-configuration", headers=headers, timeout=10).json()
    assert doc["issuer"] == f"https://auth.example.com/{pid}"
    assert doc["token_endpoint"] == "https://auth.example.com/oauth2/token"


def test_issuer_for_a_handler_context(server: Any, pool: dict[str, Any]) -> None:
    """issuer_for(ctx, pool) builds on ctx.base_url, the URL the caller used."""
    from emulator.context import Context

    settings = server.state.settings
    ctx = Context(settings=settings, db=None, service="cognito-idp", operation="X",  # type: ignore[arg-type]
                  region="eu-west-1", account_id="0", request_id="r", now=0.0, base_url=server.url)
    assert issuer.issuer_for(ctx, pool["Id"]) == f"{server.url}/{pool['Id']}"
    assert issuer.issuer_matches(issuer.issuer_for(ctx, pool["Id"]), pool["Id"])
