"""``GET /{poolId}/.well-known/jwks.json`` and ``/openid-configuration``.

The JWKS is read in a read transaction; only a pool's very first fetch writes (its two
keys, generated before the write lock is taken so the lock is held for an insert only).
An unknown pool answers 404 with a JSON message naming it.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, current_app, request

from emulator.jwks import issuer
from emulator.server_state import ServerState
from emulator.userpool.models import UserPool

well_known = Blueprint("cogito_well_known", __name__)


def _json(body: dict[str, Any], status: int = 200) -> Response:
    return Response(json.dumps(body, separators=(",", ":")), status=status, content_type="application/json")


def _not_found(pool_id: str) -> Response:
    # Real Cognito's body for an unknown pool is not documented; this keeps its API wording.
    return _json({"message": f"User pool {pool_id} does not exist."}, 404)


def _state() -> ServerState:
    return current_app.config["COGITO"]


@well_known.get("/<pool_id>/.well-known/jwks.json")
def jwks_json(pool_id: str) -> Response:
    """Both public keys of the pool (ID and access), made on the first fetch."""
    from emulator.jwks import keys  # cryptography loads on the first JWKS fetch, not at start-up

    store = _state().store
    with store.transaction(write=False) as db:
        if db.get(UserPool, pool_id) is None:
            return _not_found(pool_id)
        missing = keys.missing_uses(db, pool_id)
        if not missing:
            return _json(keys.jwks(db, pool_id))
    pems = {use: keys.new_private_pem() for use in missing}
    with store.transaction(write=True) as db:
        if db.get(UserPool, pool_id) is None:
            return _not_found(pool_id)
        try:
            keys.ensure_keys(db, pool_id, pems)
        except keys.PoolKeysUnavailable:
            return _not_found(pool_id)
        return _json(keys.jwks(db, pool_id))


def discovery_document(pool_id: str, iss: str, base: str) -> dict[str, Any]:
    """The OpenID discovery document; endpoints point at Cogito's own Hosted UI under ``base``."""
    return {
        "authorization_endpoint": f"{base}/oauth2/authorize",
        "end_session_endpoint": f"{base}/logout",
        "id_token_signing_alg_values_supported": ["RS256"],
        "issuer": iss,
        "jwks_uri": f"{base}/{pool_id}/.well-known/jwks.json",
        "response_types_supported": ["code", "token"],
        "revocation_endpoint": f"{base}/oauth2/revoke",
        "scopes_supported": ["openid", "email", "phone", "profile"],
        "subject_types_supported": ["public"],
        "token_endpoint": f"{base}/oauth2/token",
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "userinfo_endpoint": f"{base}/oauth2/userInfo",
    }


@well_known.get("/<pool_id>/.well-known/openid-configuration")
def openid_configuration(pool_id: str) -> Response:
    state = _state()
    with state.store.transaction(write=False) as db:
        if db.get(UserPool, pool_id) is None:
            return _not_found(pool_id)
    request_base = issuer.base_url_of(request)
    iss = issuer.issuer_from(state.settings, request_base, pool_id)
    return _json(discovery_document(pool_id, iss, issuer.base_for(state.settings, request_base)))
