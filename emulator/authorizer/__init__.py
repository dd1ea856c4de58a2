"""API Gateway's authorizers, locally: token verification and a reverse proxy in front of your API.

- ``verify``: check a Cognito token against a JWKS URL (Cogito's or AWS's) and say precisely
  why it is refused;
- ``proxy``: a reverse proxy (or WSGI middleware) that authorizes every request as API Gateway
  would: REST ``COGNITO_USER_POOLS``, HTTP API ``JWT``, or a custom Lambda TOKEN/REQUEST
  authorizer with its IAM policy enforced;
- ``cogito authorizer ...`` runs the proxy from the command line (docs/authorizers.md).

The names below load on first use, so the CLI's parser stays light.
"""

from __future__ import annotations

from typing import Any

__all__ = ["AuthorizerConfig", "TokenRejected", "check_token", "verify_token"]


def __getattr__(name: str) -> Any:
    if name == "AuthorizerConfig":
        from emulator.authorizer.config import AuthorizerConfig

        return AuthorizerConfig
    if name in ("TokenRejected", "check_token", "verify_token"):
        from emulator.authorizer import verify

        return getattr(verify, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
