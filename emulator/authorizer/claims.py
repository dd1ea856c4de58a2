"""Claims as API Gateway hands them to the backend: every value a string.

REST APIs (``requestContext.authorizer.claims``, Cognito authorizer): ``exp`` and ``iat`` become
Java dates (``Fri Jul 29 18:52:53 UTC 2016``), other numbers their digits (``auth_time``
stays ``"1469814773"``), booleans ``"true"``/``"false"``, arrays such as ``cognito:groups``
their items joined by commas (``"admin,users"``), as captures of real events show.

HTTP APIs (``requestContext.authorizer.jwt.claims``, JWT authorizer): numbers as digits
(``"exp": "1787996002"``), booleans ``"true"``, arrays in brackets separated by spaces
(``"[admin users]"``).

Nested objects (``identities`` of federated users) are rendered as compact JSON in both;
that detail is not documented by AWS.
"""

from __future__ import annotations

import json
import time
from typing import Any

_JAVA_DATE_CLAIMS = frozenset({"exp", "iat"})


def java_date(epoch: float) -> str:
    """``java.util.Date#toString`` in UTC: ``EEE MMM dd HH:mm:ss zzz yyyy``."""
    return time.strftime("%a %b %d %H:%M:%S UTC %Y", time.gmtime(epoch))


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def rest_claims(claims: dict[str, Any]) -> dict[str, str]:
    """``requestContext.authorizer.claims`` of a REST API's Cognito authorizer."""
    rendered: dict[str, str] = {}
    for name, value in claims.items():
        if name in _JAVA_DATE_CLAIMS and isinstance(value, (int, float)) and not isinstance(value, bool):
            rendered[name] = java_date(float(value))
        elif isinstance(value, list):
            rendered[name] = ",".join(_scalar(item) for item in value)
        else:
            rendered[name] = _scalar(value)
    return rendered


def http_api_claims(claims: dict[str, Any]) -> dict[str, str]:
    """``requestContext.authorizer.jwt.claims`` of an HTTP API's JWT authorizer."""
    rendered: dict[str, str] = {}
    for name, value in claims.items():
        if isinstance(value, list):
            rendered[name] = "[" + " ".join(_scalar(item) for item in value) + "]"
        else:
            rendered[name] = _scalar(value)
    return rendered
