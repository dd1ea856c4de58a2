"""``POST /oauth2/token``: the authorization_code, refresh_token and client_credentials grants.

Errors are JSON ``{"error": ...}``: ``invalid_request`` (not a form, a parameter missing
or repeated), ``unsupported_grant_type``, ``invalid_client`` (see client_auth),
``unauthorized_client`` (the client may not use the grant), ``invalid_grant`` (an
unknown, spent or expired code, a wrong redirect URI or PKCE verifier, a refused refresh
token) and ``invalid_scope``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Request, Response

from emulator.context import Context
from emulator.errors import CognitoError
from emulator.hostedui import client_auth, codes, issue, web
from emulator.hostedui import scopes as scope_rules
from emulator.hostedui.oauth_errors import OAuthError, json_response
from emulator.userpool.models import AppClient, UserPool

FLOW_OF_GRANT = {"authorization_code": "code", "client_credentials": "client_credentials"}
SINGLE = ("grant_type", "code", "redirect_uri", "code_verifier", "refresh_token", "scope", "client_id",
          "client_secret")


def _answer(result: dict[str, Any]) -> Response:
    body: dict[str, Any] = {"access_token": result["AccessToken"]}
    if "IdToken" in result:
        body["id_token"] = result["IdToken"]
    if "RefreshToken" in result:
        body["refresh_token"] = result["RefreshToken"]
    body["token_type"] = "Bearer"
    body["expires_in"] = result["ExpiresIn"]
    return json_response(body)


def _require(request: Request, name: str) -> str:
    value = request.form.get(name)
    if not value:
        raise OAuthError("invalid_request", f"{name} is missing")
    return value


def _check_flow(client: AppClient, grant: str) -> None:
    """The client must be an OAuth client allowing this grant's flow."""
    flow = FLOW_OF_GRANT.get(grant)
    if flow is None:
        return
    config = client.config
    if not config.get("AllowedOAuthFlowsUserPoolClient") or flow not in (config.get("AllowedOAuthFlows") or ()):
        raise OAuthError("unauthorized_client", f"client may not use {grant}")


def _authorization_code(ctx: Context, pool: UserPool, client: AppClient, request: Request) -> Response:
    code = _require(request, "code")
    redirect_uri = _require(request, "redirect_uri")
    row, user = codes.redeem(ctx, client, code, redirect_uri, request.form.get("code_verifier") or None)
    result = issue.user_tokens(ctx, pool, client, user, scopes=list(row.scopes), auth_time=row.auth_time,
                               nonce=row.nonce)
    return _answer(result)


def _refresh_token(ctx: Context, pool: UserPool, client: AppClient, request: Request) -> Response:
    text = _require(request, "refresh_token")
    try:
        result = issue.refreshed_tokens(ctx, pool, client, text)
    except CognitoError as err:
        raise OAuthError("invalid_grant", err.message) from None
    return _answer(result)


def _client_credentials(ctx: Context, pool: UserPool, client: AppClient, request: Request) -> Response:
    granted = scope_rules.for_client(ctx.db, client, request.form.get("scope"))
    if not granted:
        raise OAuthError("invalid_scope", "scope not allowed for this client")
    return _answer(issue.client_token(ctx, pool, client, granted))


GRANTS: dict[str, Callable[[Context, UserPool, AppClient, Request], Response]] = {
    "authorization_code": _authorization_code,
    "refresh_token": _refresh_token,
    "client_credentials": _client_credentials,
}


def token(request: Request) -> Response:
    """One token request, in one transaction (a redeemed code is spent only if tokens are issued)."""
    try:
        if request.mimetype != "application/x-www-form-urlencoded":
            raise OAuthError("invalid_request", "the body must be application/x-www-form-urlencoded")
        for name in SINGLE:
            if len(request.form.getlist(name)) > 1:
                raise OAuthError("invalid_request", f"{name} is repeated")
        grant = _require(request, "grant_type")
        handler = GRANTS.get(grant)
        if handler is None:
            raise OAuthError("unsupported_grant_type", grant)
        given = client_auth.credentials(request)

        def exchange(ctx: Context) -> Response:
            client, pool = client_auth.authenticate(ctx.db, given)
            ctx.region = pool.region
            _check_flow(client, grant)
            return handler(ctx, pool, client, request)

        return web.run(exchange, operation="OAuth2Token")
    except OAuthError as err:
        return err.response()
