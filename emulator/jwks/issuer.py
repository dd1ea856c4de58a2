"""The issuer (``iss``) of a pool's tokens, and which issuers Cogito accepts back.

Clients pin the issuer in different ways (reference §2, §14): pycognito pointed at an
endpoint E requires ``iss == E/{poolId}`` exactly, aws-jwt-verify's Cognito verifier wants
the AWS form. So by default the issuer is the base URL the client itself used (behind a
proxy: X-Forwarded-Proto/Host), ``COGITO_ISSUER_BASE`` pins one base for everyone (e.g. a
docker-compose service name), and ``COGITO_ISSUER_STYLE=aws`` issues the AWS form.

Tokens coming back may carry any of those forms (a token minted via ``localhost`` and
presented via ``127.0.0.1``); the signature already proves Cogito minted it for the pool,
so ``issuer_matches`` accepts every form that names the pool.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from flask import Request

    from emulator.context import Context
    from emulator.settings import Settings

_REGION = re.compile(r"^([a-z]{2}(?:-gov)?-[a-z]+-\d+)_")
_HAS_PORT = re.compile(r":\d+$")
_HOST = re.compile(r"^[A-Za-z0-9.\-]+(?::\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](?::\d{1,5})?$")


def region_of_pool(pool_id: str, default: str = "us-east-1") -> str:
    """The region a pool id names (``eu-west-1_abc`` -> ``eu-west-1``)."""
    match = _REGION.match(pool_id)
    return match.group(1) if match else default


def aws_issuer(pool_id: str, region: str | None = None) -> str:
    """The issuer real Cognito writes."""
    return f"https://cognito-idp.{region or region_of_pool(pool_id)}.amazonaws.com/{pool_id}"


def aws_issuer_new(pool_id: str, region: str | None = None) -> str:
    """The newer AWS issuer host that aws-jwt-verify also accepts."""
    return f"https://issuer.cognito-idp.{region or region_of_pool(pool_id)}.amazonaws.com/{pool_id}"


def _first(value: str | None) -> str:
    return (value or "").split(",", 1)[0].strip()


def base_url_of(request: "Request") -> str:
    """``scheme://host[:port]`` as the client reached us, trusting X-Forwarded-Proto/Host/Port.

    Ill-formed forwarded values are ignored rather than echoed into tokens.
    """
    scheme = request.scheme
    host = request.host
    proto = _first(request.headers.get("X-Forwarded-Proto")).lower()
    if proto in ("http", "https"):
        scheme = proto
    forwarded_host = _first(request.headers.get("X-Forwarded-Host"))
    if forwarded_host and _HOST.match(forwarded_host):
        host = forwarded_host
        port = _first(request.headers.get("X-Forwarded-Port"))
        default = (scheme, port) in (("http", "80"), ("https", "443"))
        if port.isdigit() and not default and not _HAS_PORT.search(host):
            host = f"{host}:{port}"
    return f"{scheme}://{host}"


def base_for(settings: "Settings", request_base: str) -> str:
    """Where clients reach Cogito: the pinned base if set, else the request's."""
    return (settings.issuer_base or request_base).rstrip("/")


def issuer_from(settings: "Settings", request_base: str, pool_id: str) -> str:
    """The issuer of the pool's tokens for a request that came in at ``request_base``."""
    if settings.issuer_style.lower() == "aws":
        return aws_issuer(pool_id, region_of_pool(pool_id, settings.region))
    return f"{base_for(settings, request_base)}/{pool_id}"


def issuer_for(ctx: "Context", pool_id: str) -> str:
    """The issuer for tokens minted in this request (``ctx.base_url`` is the caller's base)."""
    return issuer_from(ctx.settings, ctx.base_url, pool_id)


def accepted_issuers(pool_id: str, settings: "Settings | None" = None, request_base: str | None = None) -> set[str]:
    """The exact issuer strings Cogito could have written for this pool."""
    region = region_of_pool(pool_id, settings.region if settings else "us-east-1")
    accepted = {aws_issuer(pool_id, region), aws_issuer_new(pool_id, region)}
    if settings is not None and settings.issuer_base:
        accepted.add(f"{settings.issuer_base.rstrip('/')}/{pool_id}")
    if request_base:
        accepted.add(f"{request_base.rstrip('/')}/{pool_id}")
    return accepted


def issuer_matches(iss: str, pool_id: str) -> bool:
    """Whether a token's iss names this pool in any form Cogito issues.

    The AWS forms, or any http(s) base URL (whatever host the client reached Cogito at,
    possibly under a path prefix) followed by ``/{poolId}``.
    """
    if not isinstance(iss, str) or not pool_id:
        return False
    if iss in accepted_issuers(pool_id):
        return True
    parts = urlsplit(iss)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        return False
    if parts.hostname is None or parts.hostname.endswith(".amazonaws.com"):
        return False  # an AWS host must be exactly one of the AWS forms (right region)
    return parts.path.endswith("/" + pool_id)
