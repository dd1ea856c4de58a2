"""The HTTP API JWT authorizer through the proxy, case by case: issuer, audience list (``aud`` of ID
tokens, ``client_id`` of access tokens), route scopes, token state."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.authorizer_support import World, call, claims_of, forwarded, proxy, upstream, world  # noqa: F401

AUDIENCE_TEXT = 'error="invalid_token" error_description="the token does not have a valid audience"'

# (route scopes?, token kind, token state) -> (status, Cogito's reason or None when allowed).
# The audience list holds the user app client and the orders/read machine client (not orders/write).
# Scoped rows use the route scope "orders/read".
TABLE = [
    (False, "id", "valid", 200, None),  # aud = the app client
    (False, "id", "expired", 401, "expired"),
    (False, "id", "tampered", 401, "bad_signature"),
    (False, "id", "foreign", 401, "unknown_kid"),
    (False, "id", "revoked", 200, None),
    (False, "access", "valid", 200, None),  # client_id = the app client
    (False, "access", "expired", 401, "expired"),
    (False, "access", "tampered", 401, "bad_signature"),
    (False, "access", "foreign", 401, "unknown_kid"),
    (False, "access", "revoked", 200, None),
    (False, "m2m_read", "valid", 200, None),
    (False, "m2m_read", "expired", 401, "expired"),
    (False, "m2m_read", "tampered", 401, "bad_signature"),
    (False, "m2m_read", "foreign", 401, "unknown_kid"),
    (False, "m2m_write", "valid", 401, "wrong_audience"),  # its client is not in the audience
    (False, "m2m_write", "expired", 401, "expired"),
    (False, "m2m_write", "tampered", 401, "bad_signature"),
    (False, "m2m_write", "foreign", 401, "unknown_kid"),
    (False, "user_scoped", "valid", 200, None),
    (False, "user_scoped", "expired", 401, "expired"),
    (False, "user_scoped", "tampered", 401, "bad_signature"),
    (False, "user_scoped", "foreign", 401, "unknown_kid"),
    (False, "user_scoped", "revoked", 200, None),
    (True, "id", "valid", 403, "insufficient_scope"),  # an ID token has no scope
    (True, "id", "expired", 401, "expired"),
    (True, "id", "tampered", 401, "bad_signature"),
    (True, "id", "foreign", 401, "unknown_kid"),
    (True, "id", "revoked", 403, "insufficient_scope"),
    (True, "access", "valid", 403, "insufficient_scope"),
    (True, "access", "expired", 401, "expired"),
    (True, "access", "tampered", 401, "bad_signature"),
    (True, "access", "foreign", 401, "unknown_kid"),
    (True, "access", "revoked", 403, "insufficient_scope"),
    (True, "m2m_read", "valid", 200, None),
    (True, "m2m_read", "expired", 401, "expired"),
    (True, "m2m_read", "tampered", 401, "bad_signature"),
    (True, "m2m_read", "foreign", 401, "unknown_kid"),
    (True, "m2m_write", "valid", 401, "wrong_audience"),  # audience is checked before scopes
    (True, "m2m_write", "expired", 401, "expired"),
    (True, "m2m_write", "tampered", 401, "bad_signature"),
    (True, "m2m_write", "foreign", 401, "unknown_kid"),
    (True, "user_scoped", "valid", 200, None),
    (True, "user_scoped", "expired", 401, "expired"),
    (True, "user_scoped", "tampered", 401, "bad_signature"),
    (True, "user_scoped", "foreign", 401, "unknown_kid"),
    (True, "user_scoped", "revoked", 200, None),
]


def _gateway(world: World, proxy: Any, **options: Any) -> Any:
    options.setdefault("audiences", (world.app["ClientId"], world.m2m_read["ClientId"]))
    return proxy(mode="jwt", user_pool_id=world.pool_id, **options)


@pytest.mark.parametrize(("scoped", "kind", "state", "status", "reason"), TABLE,
                         ids=[f"{'scoped' if s else 'noscope'}-{k}-{st}" for s, k, st, _, _ in TABLE])
def test_jwt_table(world: World, proxy: Any, scoped: bool, kind: str, state: str, status: int,
                   reason: str | None) -> None:
    gateway = _gateway(world, proxy, scopes=("orders/read",) if scoped else ())
    token = world.token(kind, state)
    answer = call(gateway, "Bearer " + token)
    assert answer.status_code == status, answer.text
    if status == 200:
        seen = forwarded(answer)
        context = json.loads(seen["headers"]["x-cogito-authorizer"])
        assert context["jwt"]["claims"]["sub"] == claims_of(token)["sub"]
        assert context["jwt"]["scopes"] == (claims_of(token)["scope"].split() if scoped else None)
        return
    assert answer.headers["X-Cogito-Authorizer-Reason"] == reason
    challenge = answer.headers["www-authenticate"]
    if status == 403:
        assert answer.json() == {"message": "Forbidden"}
        assert challenge.startswith('Bearer scope="orders/read" error="insufficient_scope"')
    else:
        assert answer.json() == {"message": "Unauthorized"}
        assert 'error="invalid_token"' in challenge
        if reason == "wrong_audience":
            assert AUDIENCE_TEXT in challenge


def test_the_table_covers_every_kind_and_state() -> None:
    from tests.authorizer_support import KINDS, STATES

    for scoped in (False, True):
        rows = {(k, s) for sc, k, s, _, _ in TABLE if sc == scoped}
        assert rows == {(k, s) for k in KINDS for s in STATES if not (k.startswith("m2m") and s == "revoked")}


def test_claims_are_strings_with_arrays_in_brackets(world: World, proxy: Any) -> None:
    gateway = _gateway(world, proxy)
    token = world.token("access", "valid")
    raw = claims_of(token)
    claims = json.loads(forwarded(call(gateway, token))["headers"]["x-cogito-authorizer-claims"])
    assert claims["exp"] == str(raw["exp"]) and claims["iat"] == str(raw["iat"])  # digits, not dates
    assert claims["client_id"] == world.app["ClientId"] and claims["token_use"] == "access"
    assert all(isinstance(v, str) for v in claims.values())


def test_issuer_must_match_when_configured(world: World, proxy: Any, server: Any) -> None:
    token = world.token("id", "valid")
    exact = _gateway(world, proxy, issuers=(f"{server.url}/{world.pool_id}",))
    assert call(exact, token).status_code == 200
    aws_form = _gateway(world, proxy, issuers=(f"https://cognito-idp.eu-west-1.amazonaws.com/{world.pool_id}",),
                        jwks_url=f"{server.url}/{world.pool_id}/.well-known/jwks.json")
    refused = call(aws_form, token)
    assert refused.status_code == 401 and refused.headers["X-Cogito-Authorizer-Reason"] == "wrong_issuer"


def test_issuer_alone_locates_the_keys(world: World, proxy: Any, server: Any) -> None:
    """Without a pool id, the JWKS is {issuer}/.well-known/jwks.json, as for any OIDC issuer."""
    gateway = proxy(mode="jwt", issuers=(f"{server.url}/{world.pool_id}",), audiences=(world.app["ClientId"],))
    assert call(gateway, world.token("id", "valid")).status_code == 200
    assert call(gateway, world.token("id", "foreign")).status_code == 401


def test_missing_token_has_no_challenge_details(world: World, proxy: Any) -> None:
    answer = call(_gateway(world, proxy), None)
    assert answer.status_code == 401 and answer.json() == {"message": "Unauthorized"}
    assert answer.headers["X-Cogito-Authorizer-Reason"] == "missing"


def test_configuration_is_checked(world: World, proxy: Any) -> None:
    with pytest.raises(ValueError, match="--audience"):
        proxy(mode="jwt", user_pool_id=world.pool_id)
    with pytest.raises(ValueError, match="--issuer"):
        proxy(mode="jwt", audiences=("x",))
