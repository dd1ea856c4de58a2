"""The token authorizers: a REST API's COGNITO_USER_POOLS authorizer and an HTTP API's JWT authorizer.

REST ``COGNITO_USER_POOLS`` (reference §13):
- no scopes on the method: the token is taken as an identity token: a valid ID token of the
  pool passes, an access token is refused (it has no ``aud``);
- scopes on the method: only an access token whose ``scope`` holds one of them passes; an ID
  token is refused;
- every refusal, including a valid access token without the method's scopes, is 401
  ``{"message":"Unauthorized"}`` (an AWS-validated test of this case got 401 as well);
- the backend gets ``requestContext.authorizer.claims``, every value a string.

HTTP API ``JWT``: signature, ``exp``, ``nbf``, ``iat``, ``iss`` against the configured issuer,
``aud`` (or ``client_id`` when there is no ``aud``) against the audience list, then the route's
scopes. A bad token is 401 with a ``www-authenticate`` header; a valid token without the
route's scopes is 403 ``{"message":"Forbidden"}``. The backend gets
``requestContext.authorizer.jwt`` ``{claims, scopes}``.

Neither checks revocation: a signed-out user's unexpired token passes, as on AWS.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from emulator.authorizer import decision
from emulator.authorizer.claims import http_api_claims, rest_claims
from emulator.authorizer.config import AuthorizerConfig
from emulator.authorizer.decision import Decision, RequestInfo
from emulator.authorizer.verify import KeySets, TokenRejected, scopes_of, strip_bearer, verify_token

# www-authenticate descriptions: AWS documents the audience one; the others are Cogito's wording.
_DESCRIPTIONS = {
    "wrong_audience": "the token does not have a valid audience",
    "expired": "the token has expired",
    "not_yet_valid": "the token is not valid yet",
    "wrong_issuer": "the token does not have a valid issuer",
    "bad_signature": "the token signature is invalid",
    "unknown_kid": "the token was not signed by a key of the issuer",
    "unsupported_algorithm": "the token algorithm is not supported",
    "malformed": "the token is malformed",
    "jwks_unavailable": "the issuer's keys could not be fetched",
}


class TokenAuthorizer:
    """Shared parts: the config, the key sets, the clock, the token's header."""

    def __init__(self, config: AuthorizerConfig, *, key_sets: KeySets | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.config = config
        self.key_sets = key_sets or KeySets()
        self.clock = clock
        self.source = config.sources()[0]

    def token_of(self, request: RequestInfo) -> str | None:
        value = self.source.read(request.headers, request.query)
        return strip_bearer(value) if value is not None else None


class RestCognitoAuthorizer(TokenAuthorizer):
    """A REST API's ``COGNITO_USER_POOLS`` authorizer with the method's OAuth scopes."""

    def authorize(self, request: RequestInfo) -> Decision:
        token = self.token_of(request)
        if not token:
            return decision.unauthorized("missing")
        config = self.config
        try:
            claims = verify_token(token, jwks_url=config.key_set_url(), user_pool_id=config.user_pool_id,
                                  issuer=config.issuers or None, now=self.clock(), key_sets=self.key_sets)
            if config.scopes:
                if claims.get("token_use") != "access":
                    raise TokenRejected("wrong_token_use", "the method has scopes: it wants an access token")
                if not set(config.scopes) & set(scopes_of(claims)):
                    raise TokenRejected("insufficient_scope", "the access token holds none of the method's scopes")
            elif claims.get("token_use") != "id" or "aud" not in claims:
                raise TokenRejected("wrong_token_use", "no scopes on the method: it wants an ID token (with aud)")
        except TokenRejected as rejected:
            if rejected.reason == "jwks_unavailable":
                return decision.configuration_error(rejected.reason)
            return decision.unauthorized(rejected.reason)
        rendered = rest_claims(claims)
        return decision.allow({"claims": rendered}, rendered)


class JwtAuthorizer(TokenAuthorizer):
    """An HTTP API's ``JWT`` authorizer: issuer, audience list, route scopes."""

    def _challenge(self, error: str, description: str) -> tuple[str, str]:
        scope = " ".join(self.config.scopes)
        return ("www-authenticate", f'Bearer scope="{scope}" error="{error}" error_description="{description}"')

    def authorize(self, request: RequestInfo) -> Decision:
        token = self.token_of(request)
        if not token:
            return decision.unauthorized("missing")
        config = self.config
        try:
            claims = verify_token(token, jwks_url=config.key_set_url(), user_pool_id=config.user_pool_id,
                                  issuer=config.issuers or None, client_ids=config.audiences,
                                  check_issued_at=True, now=self.clock(), key_sets=self.key_sets)
        except TokenRejected as rejected:
            if rejected.reason == "jwks_unavailable":
                return decision.configuration_error(rejected.reason)
            description = _DESCRIPTIONS.get(rejected.reason, "the token is invalid")
            return decision.unauthorized(rejected.reason, self._challenge("invalid_token", description))
        granted = scopes_of(claims)
        if config.scopes and not set(config.scopes) & set(granted):
            return decision.forbidden("insufficient_scope", self._challenge(
                "insufficient_scope", "the token does not have the required scopes"))
        rendered = http_api_claims(claims)
        return decision.allow({"jwt": {"claims": rendered, "scopes": granted if config.scopes else None}}, rendered)
