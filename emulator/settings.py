"""One frozen settings object, built from CLI arguments and COGITO_* environment variables."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field, replace

DEFAULT_DB_URL = "sqlite:///.cogito/cogito.db"


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 9229
    db_url: str = DEFAULT_DB_URL
    region: str = "us-east-1"
    account_id: str = "000000000000"
    workers: int = 1
    threads: int = 8
    log_level: str = "info"
    # Token issuer: None = the base URL the client reached us at; a URL pins it.
    issuer_base: str | None = None
    # "request" (issuer_base or the request's base URL) or "aws" (cognito-idp.{region}.amazonaws.com).
    issuer_style: str = "request"
    # POST /_cogito/clock may freeze and move time (tests); off by default.
    clock_control: bool = False
    # A seed file (YAML or JSON) applied at start-up: pools, clients, users... (docs/seed.md).
    seed: str | None = None
    # Lambda triggers: the Lambda Invoke API endpoint (SAM local, LocalStack, moto), and
    # function ARN (or name) -> plain HTTP URL that takes the event and answers it.
    lambda_endpoint: str | None = None
    lambda_urls: dict[str, str] = field(default_factory=dict)
    extra: dict[str, str] = field(default_factory=dict)

    def with_overrides(self, **changes: object) -> "Settings":
        """A copy with the non-None values of ``changes`` applied."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    def with_fixed_code(self, code: str | None) -> "Settings":
        """A copy whose every one-time code is ``code`` (scripted demos); unchanged when None."""
        return replace(self, extra={**self.extra, "fixed_code": code}) if code else self


def _flag(value: str | None) -> bool | None:
    """A boolean environment variable: 1/true/yes/on or 0/false/no/off; None when unset."""
    if value is None or not value.strip():
        return None
    return value.strip().lower() in ("1", "true", "yes", "on")


def from_env(env: dict[str, str] | None = None) -> Settings:
    """Settings from COGITO_* variables; anything unset keeps its default."""
    env = dict(os.environ if env is None else env)
    base = Settings().with_fixed_code(env.get("COGITO_FIXED_CODE"))
    return base.with_overrides(
        host=env.get("COGITO_HOST"),
        port=int(env["COGITO_PORT"]) if env.get("COGITO_PORT") else None,
        db_url=env.get("COGITO_DB") or env.get("COGITO_DATABASE_URL"),
        region=env.get("COGITO_REGION"),
        account_id=env.get("COGITO_ACCOUNT_ID"),
        workers=int(env["COGITO_WORKERS"]) if env.get("COGITO_WORKERS") else None,
        threads=int(env["COGITO_THREADS"]) if env.get("COGITO_THREADS") else None,
        log_level=env.get("COGITO_LOG_LEVEL"),
        issuer_base=env.get("COGITO_ISSUER_BASE") or None,
        issuer_style=(env.get("COGITO_ISSUER_STYLE") or "").lower() or None,
        seed=env.get("COGITO_SEED") or None,
        clock_control=_flag(env.get("COGITO_CLOCK_CONTROL")),
        lambda_endpoint=env.get("COGITO_LAMBDA_ENDPOINT") or None,
        lambda_urls=lambda_urls(env.get("COGITO_LAMBDA_URLS")),
    )


def lambda_urls(text: str | None) -> dict[str, str] | None:
    """COGITO_LAMBDA_URLS: a JSON object of function ARN (or name) -> URL; ValueError when it is not one."""
    if not text or not text.strip():
        return None
    value = json.loads(text)
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise ValueError("COGITO_LAMBDA_URLS must be a JSON object of function ARN -> URL")
    return value
