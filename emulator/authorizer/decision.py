"""A request as an authorizer sees it, and the answer: let it through, or API Gateway's refusal.

The refusals are API Gateway's default gateway responses:
- 401 ``{"message":"Unauthorized"}``: no token, a bad one, or a Lambda that threw "Unauthorized";
- 403 ``{"message":"Forbidden"}``: an HTTP API JWT authorizer's valid token without the route's scopes;
- 403 ``{"Message":"User is not authorized to access this resource with an explicit deny"}`` and
  ``{"Message":"User is not authorized to access this resource"}``: a Lambda's policy denies
  explicitly, or allows nothing that matches (capital M, as API Gateway writes these two);
- 500 ``{"message":null}``: the Lambda failed or answered something that is not a policy
  (``x-amzn-ErrorType: AuthorizerConfigurationException``).

Every refusal also carries ``X-Cogito-Authorizer-Reason``, Cogito's own header saying which
check failed (API Gateway says nothing): a local debugging aid, not something to depend on.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

REASON_HEADER = "X-Cogito-Authorizer-Reason"


@dataclass(frozen=True)
class RequestInfo:
    """The parts of a request an authorizer reads (header names in lower case)."""

    method: str
    path: str
    raw_query: str
    headers: dict[str, str]
    source_ip: str = "127.0.0.1"

    @property
    def query(self) -> dict[str, list[str]]:
        return parse_qs(self.raw_query, keep_blank_values=True)

    @classmethod
    def from_environ(cls, environ: dict[str, Any]) -> RequestInfo:
        headers: dict[str, str] = {}
        for key, value in environ.items():
            if key.startswith("HTTP_"):
                headers[key[5:].replace("_", "-").lower()] = value
        for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            if environ.get(key):
                headers[key.replace("_", "-").lower()] = environ[key]
        path = environ.get("PATH_INFO", "") or "/"
        path = path.encode("latin-1").decode("utf-8", "replace")  # WSGI's str is latin-1 bytes
        return cls(environ.get("REQUEST_METHOD", "GET").upper(), path, environ.get("QUERY_STRING", ""),
                   headers, environ.get("REMOTE_ADDR", "127.0.0.1"))


@dataclass(frozen=True)
class Decision:
    """``status`` None lets the request through with ``authorizer`` (requestContext.authorizer)."""

    status: int | None = None
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()
    authorizer: dict[str, Any] = field(default_factory=dict)
    claims: dict[str, str] | None = None
    reason: str | None = None

    @property
    def allowed(self) -> bool:
        return self.status is None


def allow(authorizer: dict[str, Any], claims: dict[str, str] | None = None) -> Decision:
    return Decision(None, authorizer=authorizer, claims=claims)


def _refuse(status: int, body: Any, error_type: str, reason: str, *extra: tuple[str, str]) -> Decision:
    headers = (("Content-Type", "application/json"), ("x-amzn-ErrorType", error_type),
               (REASON_HEADER, reason), *extra)
    return Decision(status, json.dumps(body, separators=(",", ":")).encode(), headers, reason=reason)


def unauthorized(reason: str, *extra: tuple[str, str]) -> Decision:
    return _refuse(401, {"message": "Unauthorized"}, "UnauthorizedException", reason, *extra)


def forbidden(reason: str, *extra: tuple[str, str]) -> Decision:
    return _refuse(403, {"message": "Forbidden"}, "ForbiddenException", reason, *extra)


def explicit_deny() -> Decision:
    return _refuse(403, {"Message": "User is not authorized to access this resource with an explicit deny"},
                   "AccessDeniedException", "explicit_deny")


def implicit_deny() -> Decision:
    return _refuse(403, {"Message": "User is not authorized to access this resource"},
                   "AccessDeniedException", "implicit_deny")


def configuration_error(reason: str) -> Decision:
    return _refuse(500, {"message": None}, "AuthorizerConfigurationException", reason)
