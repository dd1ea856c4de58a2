"""An authorize request, as ``/oauth2/authorize`` and every page after it carry it.

Checked in this order (RFC 6749 §4.1.2.1, reference §8): the client and the redirect
URI first, whose errors cannot go to the redirect URI and so send the browser to the
error page (``/error?error=redirect_mismatch`` as AWS does); then everything else, whose
errors go to the redirect URI with ``error``, ``error_description`` and the ``state``
(in the fragment for ``response_type=token``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from sqlalchemy.orm import Session

from emulator.hostedui import scopes as scope_rules
from emulator.hostedui import web
from emulator.userpool.models import AppClient, UserPool

RESPONSE_TYPES = {"code": "code", "token": "implicit"}  # response_type -> AllowedOAuthFlows value
PKCE_METHODS = ("S256", "plain")


class AuthError(Exception):
    """An authorize error: sent to ``redirect_uri`` when there is a good one, else to /error."""

    def __init__(self, error: str, description: str | None = None, *, redirect_uri: str | None = None,
                 state: str | None = None, fragment: bool = False, client_id: str | None = None) -> None:
        super().__init__(error)
        self.error = error
        self.description = description
        self.redirect_uri = redirect_uri
        self.state = state
        self.fragment = fragment
        self.client_id = client_id

    def location(self) -> str:
        if self.redirect_uri is None:
            query = {"error": self.error, "client_id": self.client_id}
            return "/error?" + urlencode({k: v for k, v in query.items() if v})
        return web.with_params(self.redirect_uri, {
            "error": self.error, "error_description": self.description, "state": self.state,
        }, fragment=self.fragment)


@dataclass(frozen=True)
class AuthRequest:
    """A checked authorize request; ``query`` is its original query string."""

    pool_id: str
    client_id: str
    client_name: str
    redirect_uri: str
    response_type: str
    scopes: list[str]
    state: str | None = None
    nonce: str | None = None
    challenge: str | None = None
    challenge_method: str | None = None
    query: str = ""
    self_signup: bool = True

    @property
    def implicit(self) -> bool:
        return self.response_type == "token"


def _single(args: Any, name: str) -> str | None:
    """A parameter given once; repeated ones are ``invalid_request`` (RFC 6749 §3.1)."""
    values = args.getlist(name)
    if len(values) > 1:
        raise ValueError(name)
    return values[0] if values else None


def client_and_redirect(db: Session, args: Any) -> tuple[AppClient, UserPool, str]:
    """The client and the exact redirect URI, or an AuthError for the error page."""
    client_id = args.get("client_id") or ""
    client = db.get(AppClient, client_id) if client_id else None
    pool = db.get(UserPool, client.pool_id) if client is not None else None
    if client is None or pool is None:
        raise AuthError("invalid_request", "Invalid client id.", client_id=client_id or None)
    redirect_uri = args.get("redirect_uri") or client.config.get("DefaultRedirectURI")
    if not redirect_uri or redirect_uri not in (client.config.get("CallbackURLs") or ()):
        raise AuthError("redirect_mismatch", client_id=client.client_id)
    return client, pool, redirect_uri


def parse(db: Session, args: Any, query: str) -> AuthRequest:
    """The authorize request in ``args``, or the AuthError to answer with."""
    client, pool, redirect_uri = client_and_redirect(db, args)
    state = args.get("state")
    response_type = args.get("response_type")

    def fail(error: str, description: str) -> AuthError:
        return AuthError(error, description, redirect_uri=redirect_uri, state=state,
                         fragment=response_type == "token")

    try:
        for name in ("response_type", "scope", "state", "nonce", "code_challenge", "code_challenge_method"):
            _single(args, name)
    except ValueError as repeated:
        raise fail("invalid_request", f"{repeated} is repeated") from None
    if not response_type:
        raise fail("invalid_request", "response_type is missing")
    if response_type not in RESPONSE_TYPES:
        raise fail("unsupported_response_type", f"response_type {response_type} is not supported")
    config = client.config
    if not config.get("AllowedOAuthFlowsUserPoolClient") or \
            RESPONSE_TYPES[response_type] not in (config.get("AllowedOAuthFlows") or ()):
        raise fail("unauthorized_client", "Client is not allowed this response_type")
    if "COGNITO" not in (config.get("SupportedIdentityProviders") or ()):
        raise fail("unauthorized_client", "Client does not support the Cognito user pool as an identity provider")
    provider = args.get("identity_provider")
    if (provider and provider != "COGNITO") or args.get("idp_identifier"):
        raise fail("invalid_request", "Identity provider is not supported for this client")  # no federation yet
    granted = scope_rules.for_user(db, client, args.get("scope"))
    if not granted:
        raise fail("invalid_scope", "Invalid scope requested")
    challenge = method = None
    if response_type == "code":
        challenge = args.get("code_challenge") or None
        method = args.get("code_challenge_method") or None
        if method and not challenge:
            raise fail("invalid_request", "code_challenge is missing")
        if challenge:
            method = method or "plain"  # RFC 7636 §4.3
            if method not in PKCE_METHODS:
                raise fail("invalid_request", "code_challenge_method must be S256 or plain")
    self_signup = not (pool.config.get("AdminCreateUserConfig") or {}).get("AllowAdminCreateUserOnly")
    return AuthRequest(
        pool_id=pool.id, client_id=client.client_id, client_name=client.name, redirect_uri=redirect_uri,
        response_type=response_type, scopes=granted, state=state, nonce=args.get("nonce") or None,
        challenge=challenge, challenge_method=method, query=query, self_signup=self_signup,
    )
