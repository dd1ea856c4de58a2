"""``/oauth2/userInfo`` and ``POST /oauth2/revoke``.

userInfo (GET or POST, ``Authorization: Bearer``) accepts an access token that carries
``openid``: tokens of the API flows carry only the admin scope and are refused, as AWS
documents. Its errors are AWS's: 400 ``invalid_request`` for a request without a bearer
token, 401 ``invalid_token`` for every token it will not honour, both also in
``WWW-Authenticate``.

revoke takes a refresh token and revokes its whole sign-in family (the same function as
RevokeToken); 200 with an empty body, also for an unknown token.
"""

from __future__ import annotations

from typing import Any

from flask import Request, Response

from emulator.context import Context
from emulator.errors import CognitoError
from emulator.hostedui import client_auth, web
from emulator.hostedui.oauth_errors import OAuthError, json_response
from emulator.userpool.auth import access, tokens
from emulator.userpool.auth.models import RefreshToken
from emulator.userpool.auth.revocation import revoke_family
from emulator.userpool.models import AppClient

BAD_REQUEST = "Bad OAuth2 request at UserInfo Endpoint"
BAD_TOKEN = "Access token is expired, disabled, or deleted, or the user has globally signed out."
PROFILE_CLAIMS = ("name", "family_name", "given_name", "middle_name", "nickname", "preferred_username", "profile",
                  "picture", "website", "gender", "birthdate", "zoneinfo", "locale", "updated_at")
SCOPE_CLAIMS = {"email": ("email", "email_verified"), "phone": ("phone_number", "phone_number_verified")}


def _userinfo_error(status: int, error: str, description: str) -> Response:
    resp = json_response({"error": error, "error_description": description}, status)
    resp.headers["WWW-Authenticate"] = f'error="{error}", error_description="{description}"'
    return resp


def _readable(attrs: dict[str, str], client: AppClient | None) -> dict[str, str]:
    allowed = (client.config.get("ReadAttributes") or None) if client is not None else None
    return {k: v for k, v in attrs.items()
            if not k.startswith("dev:") and k != "identities" and (allowed is None or k in allowed or k == "sub")}


def userinfo_claims(attrs: dict[str, str], username: str, scopes: list[str],
                    client: AppClient | None) -> dict[str, Any]:
    """What userInfo shows for these scopes (AWS developer guide, "userInfo endpoint").

    ``openid`` alone: every attribute the client can read. With ``profile``, ``email`` or
    ``phone``: ``sub`` and ``username`` plus the claims of each (``profile`` brings the
    OIDC profile claims and custom attributes). Values stay strings (the verified flags
    too) [U: observed responses show "true"].
    """
    readable = _readable(attrs, client)
    narrowing = [s for s in ("profile", "email", "phone") if s in scopes]
    if not narrowing:
        claims = dict(readable)
    else:
        claims = {"sub": readable.get("sub", attrs.get("sub", ""))}
        if "profile" in narrowing:
            claims.update({k: v for k, v in readable.items() if k in PROFILE_CLAIMS or k.startswith("custom:")})
        for scope, names in SCOPE_CLAIMS.items():
            if scope in narrowing:
                claims.update({k: readable[k] for k in names if k in readable})
    claims["sub"] = attrs.get("sub", claims.get("sub", ""))
    claims["username"] = username
    return claims


def _issuer_storable(token: str) -> bool:
    """The unverified ``iss`` names the pool to look up: one with a NUL cannot be a pool id."""
    from emulator.jwks import signing

    try:
        iss = signing.unverified_claims(token).get("iss")
    except signing.TokenError:
        return True  # refused later, as any malformed token
    return not (isinstance(iss, str) and ("\x00" in iss or any(0xD800 <= ord(c) <= 0xDFFF for c in iss)))


def userinfo(request: Request) -> Response:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return _userinfo_error(400, "invalid_request", BAD_REQUEST)

    if not _issuer_storable(token):
        return _userinfo_error(401, "invalid_token", BAD_TOKEN)

    def read(ctx: Context) -> Response:
        caller = access.authenticate(ctx, token, scope="openid")
        client = ctx.db.get(AppClient, str(caller.claims.get("client_id", "")))
        if client is None or client.pool_id != caller.pool.id:  # as GetUser: no such client, no answer
            raise CognitoError(access.INVALID)
        scopes = str(caller.claims.get("scope", "")).split()
        return json_response(userinfo_claims(dict(caller.user.attributes or {}), caller.user.username, scopes,
                                             client))

    try:
        return web.run(read, operation="OAuth2UserInfo", write=False)
    except CognitoError:
        return _userinfo_error(401, "invalid_token", BAD_TOKEN)


def _looks_like_jwt(text: str) -> bool:
    """An ID or access token (three-part JWS) rather than a refresh token (five-part JWE)."""
    from emulator.jwks import signing

    try:
        signing.unverified_header(text)
    except signing.TokenError:
        return False
    return True


def revoke(request: Request) -> Response:
    try:
        if request.mimetype != "application/x-www-form-urlencoded":
            raise OAuthError("invalid_request", "the body must be application/x-www-form-urlencoded")
        token = request.form.get("token")
        if not token:
            raise OAuthError("invalid_request", "token is missing")
        given = client_auth.credentials(request)

        def revoke_in(ctx: Context) -> Response:
            client, pool = client_auth.authenticate(ctx.db, given)
            if not client.config.get("EnableTokenRevocation", True):
                raise OAuthError("invalid_request", "token revocation is off for this client")
            if _looks_like_jwt(token):
                raise OAuthError("unsupported_token_type", "only refresh tokens can be revoked")
            row = ctx.db.get(RefreshToken, tokens.token_hash(token))
            if row is not None and row.client_id == client.client_id:
                revoke_family(ctx, row.pool_id, row.origin_jti)
            return Response(b"", status=200)

        return web.run(revoke_in, operation="OAuth2Revoke")
    except OAuthError as err:
        return err.response()

