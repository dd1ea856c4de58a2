"""The identity half's own endpoints: who owns a vended key, and the identity-service JWKS.

- ``GET /_cogito/credentials/{AccessKeyId}``: the identity, pool and role a key was vended
  for (GetCredentialsForIdentity or STS), its expiration; 404 JSON when unknown.
- ``GET /_cogito/identity/.well-known/jwks_uri`` (AWS's name; ``jwks.json`` also served):
  the public keys that sign GetOpenIdToken tokens, AWS's ``cognito-identity.amazonaws.com``
  JWKS. ``/_cogito/identity/.well-known/openid-configuration`` points at it.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, current_app, request

from emulator.identitypool.models import VendedCredential
from emulator.jwks.issuer import base_for, base_url_of
from emulator.server_state import ServerState

# The token and credential modules (PyJWT, key handling) load on the first call, not at start-up.
ISSUER = "https://cognito-identity.amazonaws.com"

identity_api = Blueprint("cogito_identity", __name__, url_prefix="/_cogito")


def _json(body: dict[str, Any], status: int = 200) -> Response:
    return Response(json.dumps(body, separators=(",", ":")), status=status, content_type="application/json")


def _state() -> ServerState:
    return current_app.config["COGITO"]


@identity_api.get("/credentials/<access_key_id>")
def credential_owner(access_key_id: str) -> Response:
    from emulator.identitypool import credentials

    state = _state()
    with state.store.transaction(write=False) as db:
        record = db.get(VendedCredential, access_key_id)
        if record is None:
            return _json({"message": f"No credentials with access key id {access_key_id} were vended."}, 404)
        return _json(credentials.describe(record, state.settings.account_id, state.clock.now()))


@identity_api.get("/identity/.well-known/jwks_uri")
@identity_api.get("/identity/.well-known/jwks.json")
def identity_jwks() -> Response:
    """Every region's key; the default region's is made on the first fetch if none exists."""
    from emulator.identitypool import openid

    state = _state()
    with state.store.transaction(write=False) as db:
        keys = openid.jwks(db)
    if not keys["keys"]:
        with state.store.transaction(write=True) as db:
            openid.signing_key(db, state.settings.region)
            keys = openid.jwks(db)
    return _json(keys)


@identity_api.get("/identity/.well-known/openid-configuration")
def identity_discovery() -> Response:
    base = base_for(_state().settings, base_url_of(request))
    return _json({
        "issuer": ISSUER,
        "jwks_uri": f"{base}/_cogito/identity/.well-known/jwks_uri",
        "response_types_supported": ["code", "id_token", "code id_token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS512"],
    })
