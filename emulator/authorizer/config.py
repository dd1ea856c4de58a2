"""What an authorizer is configured with: mode, pool, scopes, identity sources, Lambda function.

Modes, as API Gateway names them:
- ``rest``: a REST API's ``COGNITO_USER_POOLS`` authorizer (method scopes optional);
- ``jwt``: an HTTP API's ``JWT`` authorizer (issuer, audience list, route scopes);
- ``lambda-token`` / ``lambda-request``: a REST API's Lambda authorizer of type TOKEN or REQUEST.

Identity sources are header names (``Authorization``) or API Gateway's mapping expressions
(``method.request.header.X``, ``method.request.querystring.q``, ``$request.header.X``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from emulator.authorizer.defaults import DEFAULT_API_ID, DEFAULT_ENDPOINT, DEFAULT_STAGE, DEFAULT_TTL, MAX_TTL, MODES
from emulator.authorizer.verify import jwks_url_for

_REGION = re.compile(r"^([a-z]{2}(?:-gov)?-[a-z]+-\d+)_")
_SOURCE = re.compile(r"^(?:method\.request|\$request)\.(header|querystring)\.(.+)$")


@dataclass(frozen=True)
class IdentitySource:
    """Where a request carries its identity: a header or a query-string parameter."""

    where: str  # "header" or "querystring"
    name: str

    @classmethod
    def parse(cls, text: str) -> IdentitySource:
        text = text.strip()
        match = _SOURCE.match(text)
        if match:
            return cls(match.group(1), match.group(2))
        if not text or any(c in text for c in " :/\t"):
            raise ValueError(f"identity source {text!r}: use a header name or method.request.header.NAME")
        return cls("header", text)

    def read(self, headers: dict[str, str], query: dict[str, list[str]]) -> str | None:
        """The value in a request (headers keyed in lower case), or None when absent or empty."""
        if self.where == "header":
            value = headers.get(self.name.lower())
        else:
            values = query.get(self.name) or []
            value = values[-1] if values else None
        return value if value and value.strip() else None


@dataclass(frozen=True)
class AuthorizerConfig:
    """One authorizer in front of one upstream (see the module docstring for the modes)."""

    mode: str = "rest"
    user_pool_id: str | None = None
    cognito_endpoint: str = DEFAULT_ENDPOINT
    jwks_url: str | None = None
    scopes: tuple[str, ...] = ()
    identity_sources: tuple[str, ...] = ("Authorization",)
    issuers: tuple[str, ...] = ()
    audiences: tuple[str, ...] = ()
    function: str | Callable[[dict[str, Any], Any], Any] | None = None
    ttl: int = DEFAULT_TTL
    region: str | None = None
    account_id: str = "000000000000"
    api_id: str = DEFAULT_API_ID
    stage: str = DEFAULT_STAGE
    lambda_endpoint: str | None = None
    lambda_urls: dict[str, str] = field(default_factory=dict)
    # CORS preflights reach the upstream unauthorized, as an API's OPTIONS method with
    # authorization NONE does; False authorizes them like any other method.
    open_options: bool = True

    def problems(self) -> list[str]:
        """What is wrong with this configuration, said before serving (empty when fine)."""
        found: list[str] = []
        if self.mode not in MODES:
            found.append(f"unknown mode {self.mode!r}: use one of {', '.join(MODES)}")
        if self.mode == "rest" and not self.user_pool_id:
            found.append("--user-pool-id is required for a Cognito authorizer")
        if self.mode == "jwt":
            if not self.user_pool_id and not self.issuers:
                found.append("a JWT authorizer needs --issuer (or --user-pool-id)")
            if not self.audiences:
                found.append("a JWT authorizer needs at least one --audience (an app client id)")
        if self.mode.startswith("lambda") and not self.function:
            found.append("a Lambda authorizer needs --function ARN")
        if not 0 <= self.ttl <= MAX_TTL:
            found.append(f"--ttl must be between 0 and {MAX_TTL} seconds")
        try:
            sources = self.sources()
        except ValueError as exc:
            found.append(str(exc))
        else:
            if self.mode != "lambda-request" and (len(sources) != 1 or sources[0].where != "header"):
                found.append("this authorizer reads its token from exactly one header")
            if self.mode == "lambda-request" and not sources and self.ttl > 0:
                found.append("a REQUEST authorizer with caching (--ttl > 0) needs an identity source")
        if not self.cognito_endpoint.startswith(("http://", "https://")):
            found.append(f"--cognito-endpoint {self.cognito_endpoint!r} must start with http:// or https://")
        return found

    def sources(self) -> list[IdentitySource]:
        return [IdentitySource.parse(text) for text in self.identity_sources]

    def key_set_url(self) -> str:
        """The JWKS the Cognito and JWT modes verify against."""
        if self.jwks_url:
            return self.jwks_url
        if self.user_pool_id:
            return jwks_url_for(self.user_pool_id, self.cognito_endpoint)
        return self.issuers[0].rstrip("/") + "/.well-known/jwks.json"

    def region_name(self) -> str:
        """The region in method ARNs: given, or read from the pool id, or us-east-1."""
        if self.region:
            return self.region
        match = _REGION.match(self.user_pool_id or "")
        return match.group(1) if match else "us-east-1"
