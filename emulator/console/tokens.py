"""The token inspector: sign in as a user (or paste tokens) and read the ID and access tokens side by side.

Signing in runs the password flow itself (``auth/password_flow.start``, the code behind
InitiateAuth's USER_PASSWORD_AUTH and ADMIN_USER_PASSWORD_AUTH) with the admin flow's
input checks; the console computes SECRET_HASH for clients with a secret and does not
require the client to enable the admin flow. A user who must change password gets the
NEW_PASSWORD_REQUIRED challenge, answered through AdminRespondToAuthChallenge.
"""

from __future__ import annotations

from typing import Any

from flask import render_template, request
from sqlalchemy import select

from emulator.console import calls, console
from emulator.console.inspect import REFRESH_NOTE, Inspected, inspect, side_by_side
from emulator.context import Context
from emulator.errors import CognitoError
from emulator.userpool import secret_hash
from emulator.userpool.auth import password_flow
from emulator.userpool.lookup import get_client, get_pool
from emulator.userpool.models import AppClient, UserPool

NEW_PASSWORD = "NEW_PASSWORD_REQUIRED"


def _choices(reader: calls.Reader, pool_id: str | None) -> list[dict[str, Any]]:
    """App clients to sign in with, grouped by pool (only ``pool_id``'s when given)."""
    query = select(AppClient, UserPool).join(UserPool, UserPool.id == AppClient.pool_id)
    if pool_id:
        query = query.where(UserPool.id == pool_id)
    groups: dict[str, dict[str, Any]] = {}
    for client, pool in reader.db.execute(query.order_by(UserPool.region, UserPool.created, AppClient.created)):
        entry = groups.setdefault(pool.id, {"pool": pool, "clients": []})
        entry["clients"].append(client)
    return list(groups.values())


def _page(status: int = 200, **values: Any) -> tuple[str, int]:
    pool_id = request.values.get("pool") or None
    with calls.read() as reader:
        choices = _choices(reader, pool_id)
    values.setdefault("form", {})
    return render_template("console/tokens.html", choices=choices, pool_id=pool_id or "",
                           refresh_note=REFRESH_NOTE, **values), status


@console.get("/tokens")
def token_page() -> tuple[str, int]:
    return _page(form={"username": request.args.get("username", ""), "client": request.args.get("client", "")})


def _sign_in(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    """ADMIN_USER_PASSWORD_AUTH without the client's flow switch (see the module docstring)."""
    pool = get_pool(ctx.db, params["UserPoolId"])
    client = get_client(ctx.db, pool.id, params["ClientId"])
    auth = dict(params["AuthParameters"])
    if client.secret:
        auth["SECRET_HASH"] = secret_hash.compute(client.secret, auth["USERNAME"], client.client_id)
    return password_flow.start(ctx, pool, client, auth)


def _client(client_id: str) -> AppClient | None:
    with calls.read() as reader:
        return reader.db.get(AppClient, client_id) if client_id else None


def _show(found: list[Inspected], status: int = 200, **values: Any) -> tuple[str, int]:
    """Render the inspector with the tokens sorted into their columns."""
    by_kind: dict[str, Inspected] = {}
    others = []
    for item in found:
        if item.kind in ("id", "access", "refresh") and item.kind not in by_kind:
            by_kind[item.kind] = item
        else:
            others.append(item)
    id_token, access_token = by_kind.get("id"), by_kind.get("access")
    rows = side_by_side(id_token.claims if id_token else None, access_token.claims if access_token else None)
    same_family = bool(id_token and access_token and id_token.origin_jti
                       and id_token.origin_jti == access_token.origin_jti)
    return _page(status, id_token=id_token, access_token=access_token, refresh=by_kind.get("refresh"),
                 others=others, rows=rows, same_family=same_family, inspected=True, **values)


def _inspect_all(texts: list[str]) -> list[Inspected]:
    now = calls.now()
    with calls.read() as reader:
        return [inspect(reader, text, now) for text in texts if text.strip()]


def _tokens_of(result: dict[str, Any]) -> list[str]:
    auth = result.get("AuthenticationResult") or {}
    return [auth[k] for k in ("IdToken", "AccessToken", "RefreshToken") if auth.get(k)]


@console.post("/tokens/sign-in")
def sign_in() -> tuple[str, int]:
    form = {k: v for k, v in request.form.items() if k != "password"}
    client = _client(request.form.get("client", ""))
    if client is None:
        return _page(400, form=form, error="Pick an app client: the tokens are issued to one.")
    username = request.form.get("username", "")
    params = {"UserPoolId": client.pool_id, "ClientId": client.client_id, "AuthFlow": "ADMIN_USER_PASSWORD_AUTH",
              "AuthParameters": {"USERNAME": username, "PASSWORD": request.form.get("password", "")}}
    try:
        result = calls.act_as("AdminInitiateAuth", params, _sign_in)
    except CognitoError as err:
        return _page(400, form=form, error=calls.error_text(err))
    if result.get("ChallengeName"):
        return _challenge(result, client, form)
    return _show(_inspect_all(_tokens_of(result)), form=form, client_id=client.client_id,
                 notice=f"Signed in as {username} with app client {client.name}.")


def _challenge(result: dict[str, Any], client: AppClient, form: dict[str, str]) -> tuple[str, int]:
    name = result["ChallengeName"]
    if name != NEW_PASSWORD:
        return _page(200, form=form, error=f"The password is right, but the user must now answer the {name} "
                                           "challenge, which the console cannot answer: use the API.")
    params = result.get("ChallengeParameters") or {}
    return _page(200, form=form, challenge={
        "session": result.get("Session", ""), "client": client.client_id,
        "username": params.get("USER_ID_FOR_SRP", form.get("username", "")),
        "required": params.get("requiredAttributes", "[]"),
    })


@console.post("/tokens/new-password")
def new_password() -> tuple[str, int]:
    """Answer NEW_PASSWORD_REQUIRED: the user's first password replaces the temporary one."""
    client = _client(request.form.get("client", ""))
    username = request.form.get("username", "")
    form = {"client": request.form.get("client", ""), "username": username}
    if client is None:
        return _page(400, form=form, error="Pick an app client: the tokens are issued to one.")
    responses = {"USERNAME": username, "NEW_PASSWORD": request.form.get("new_password", "")}
    if client.secret:
        responses["SECRET_HASH"] = secret_hash.compute(client.secret, username, client.client_id)
    params = {"UserPoolId": client.pool_id, "ClientId": client.client_id, "ChallengeName": NEW_PASSWORD,
              "ChallengeResponses": responses, "Session": request.form.get("session", "")}
    try:
        result = calls.act("AdminRespondToAuthChallenge", params)
    except CognitoError as err:
        return _page(400, form=form, error=calls.error_text(err), challenge={
            "session": request.form.get("session", ""), "client": client.client_id, "username": username,
            "required": "[]"})
    return _show(_inspect_all(_tokens_of(result)), form=form, client_id=client.client_id,
                 notice=f"New password set: {username} is now CONFIRMED and signed in.")


@console.post("/tokens/inspect")
def inspect_pasted() -> tuple[str, int]:
    texts = request.form.get("tokens", "").split()
    if not texts:
        return _page(400, error="Paste an ID, access or refresh token (several, separated by spaces or lines).")
    return _show(_inspect_all(texts))


@console.post("/tokens/revoke")
def revoke() -> tuple[str, int]:
    """RevokeToken on the refresh token shown, then the same tokens again: revoked, yet still verifying."""
    texts = request.form.get("tokens", "").split()
    refresh = request.form.get("refresh_token", "")
    client = _client(request.form.get("client", ""))
    if client is None or not refresh:
        return _show(_inspect_all(texts), 400, error="Revoking needs the refresh token and its app client.")
    params: dict[str, Any] = {"Token": refresh, "ClientId": client.client_id}
    if client.secret:
        params["ClientSecret"] = client.secret
    try:
        calls.act("RevokeToken", params)
    except CognitoError as err:
        return _show(_inspect_all(texts), 400, client_id=client.client_id, error=calls.error_text(err))
    return _show(_inspect_all(texts), client_id=client.client_id,
                 notice="RevokeToken: the refresh token and every ID and access token of its sign-in family "
                        "are revoked. Their signatures still verify against the JWKS until they expire.")
