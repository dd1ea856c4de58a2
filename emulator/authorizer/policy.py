"""A Lambda authorizer's answer: its shape checked, and its IAM policy enforced on a method ARN.

The method ARN of a request is ``arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{METHOD}/{path}``
(the path without its leading slash). A policy statement applies when its ``Action`` matches
``execute-api:Invoke`` and one of its ``Resource`` ARNs matches the method ARN, with IAM's
wildcards: ``*`` any run of characters and ``?`` exactly one, within each colon-separated part
of the ARN (the last part, the resource, may hold slashes). Evaluation is IAM's: an explicit
``Deny`` wins, then any ``Allow``; nothing matching is an implicit deny.

A cached answer is evaluated again for each request's own method ARN, which is why a policy
that names only the first request's method refuses the next route (docs/authorizers.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import unquote

ACTION = "execute-api:Invoke"
ALLOW = "allow"
EXPLICIT_DENY = "explicit_deny"
IMPLICIT_DENY = "implicit_deny"


class InvalidAuthorizerResponse(ValueError):
    """The function's answer is not an authorizer output; API Gateway answers 500."""


@dataclass(frozen=True)
class AuthorizerOutput:
    """What a Lambda authorizer returned, checked."""

    principal_id: str | None
    statements: tuple[dict[str, Any], ...]
    context: dict[str, Any]


def method_arn(region: str, account_id: str, api_id: str, stage: str, method: str, path: str) -> str:
    """``arn:aws:execute-api:{region}:{account}:{api}/{stage}/{METHOD}/{path}`` for a request."""
    resource = unquote(path).lstrip("/")
    return f"arn:aws:execute-api:{region}:{account_id}:{api_id}/{stage}/{method.upper()}/{resource}"


def _as_list(value: Any, what: str) -> list[Any]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return value
    raise InvalidAuthorizerResponse(f"{what} must be a string or a list of strings")


def parse_output(value: Any) -> AuthorizerOutput:
    """Check the function's answer: a ``policyDocument`` with statements, and a flat ``context``."""
    if not isinstance(value, dict):
        raise InvalidAuthorizerResponse("the authorizer did not return an object")
    document = value.get("policyDocument")
    if not isinstance(document, dict):
        raise InvalidAuthorizerResponse("the authorizer's answer has no policyDocument")
    raw = document.get("Statement")
    statements = [raw] if isinstance(raw, dict) else raw
    if not isinstance(statements, list) or not statements:
        raise InvalidAuthorizerResponse("the policyDocument has no Statement")
    for statement in statements:
        if not isinstance(statement, dict) or str(statement.get("Effect", "")).lower() not in ("allow", "deny"):
            raise InvalidAuthorizerResponse("each Statement needs an Effect of Allow or Deny")
        _as_list(statement.get("Action"), "Action")
        _as_list(statement.get("Resource"), "Resource")
    context = value.get("context") or {}
    if not isinstance(context, dict):
        raise InvalidAuthorizerResponse("context must be an object")
    for key, item in context.items():
        if item is not None and not isinstance(item, (str, int, float, bool)):
            # API Gateway takes only strings, numbers and booleans as context values.
            raise InvalidAuthorizerResponse(f"context value {key!r} is not a string, number or boolean")
    principal = value.get("principalId")
    if principal is not None and not isinstance(principal, (str, int, float)):
        raise InvalidAuthorizerResponse("principalId must be a string")
    return AuthorizerOutput(None if principal is None else str(principal), tuple(statements), dict(context))


@lru_cache(maxsize=1024)
def _glob(pattern: str) -> re.Pattern[str]:
    """IAM's wildcards: ``*`` any characters, ``?`` one character; everything else literal."""
    body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(body, re.DOTALL)


def arn_matches(pattern: str, arn: str) -> bool:
    """Whether a Resource ARN (with wildcards) names ``arn``, part by colon-separated part."""
    if pattern == "*":
        return True
    wanted = pattern.split(":", 5)
    actual = arn.split(":", 5)
    if len(wanted) != 6 or len(actual) != 6:
        return False
    return all(_glob(w).fullmatch(a) is not None for w, a in zip(wanted, actual))


def _action_matches(pattern: str) -> bool:
    return pattern == "*" or _glob(pattern.lower()).fullmatch(ACTION.lower()) is not None


def _applies(statement: dict[str, Any], arn: str) -> bool:
    actions = _as_list(statement.get("Action"), "Action")
    resources = _as_list(statement.get("Resource"), "Resource")
    return any(_action_matches(a) for a in actions) and any(arn_matches(r, arn) for r in resources)


def evaluate(output: AuthorizerOutput, arn: str) -> str:
    """ALLOW, EXPLICIT_DENY or IMPLICIT_DENY for a request's method ARN."""
    applying = [s for s in output.statements if _applies(s, arn)]
    if any(str(s["Effect"]).lower() == "deny" for s in applying):
        return EXPLICIT_DENY
    if any(str(s["Effect"]).lower() == "allow" for s in applying):
        return ALLOW
    return IMPLICIT_DENY
