"""Temporary AWS credentials: well-formed, fake, and recorded with whom they were vended to.

``ASIA`` + 16 uppercase letters and digits (20 characters, as STS session keys look), a
40-character secret, an opaque base64 session token. Every key is kept in the store so
``GET /_cogito/credentials/{AccessKeyId}`` and STS GetCallerIdentity can name its owner.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import string
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from emulator.context import Context
from emulator.identitypool.models import VendedCredential

_UPPER_ALNUM = string.ascii_uppercase + string.digits
_SECRET_ALPHABET = string.ascii_letters + string.digits + "/+"
DEFAULT_SECONDS = 3600
COGNITO_SESSION_NAME = "CognitoIdentityCredentials"


def _pick(alphabet: str, size: int) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(size))


def access_key_id() -> str:
    return "ASIA" + _pick(_UPPER_ALNUM, 16)


def secret_key() -> str:
    return _pick(_SECRET_ALPHABET, 40)


def session_token() -> str:
    # Real ones are ~800-1,200 base64 characters of opaque, versioned binary.
    return base64.b64encode(b"\x21\x0a\x09origin_ec" + secrets.token_bytes(600)).decode("ascii")


def role_name(role_arn: str) -> str:
    """``arn:aws:iam::1:role/path/Name`` -> ``Name``."""
    return role_arn.rsplit("/", 1)[-1]


def role_account(role_arn: str, default: str) -> str:
    parts = role_arn.split(":")
    return parts[4] if len(parts) > 5 and parts[4].isdigit() else default


def role_id(role_arn: str) -> str:
    """A stable ``AROA…`` unique id for a role ARN (21 characters, like IAM's)."""
    digest = hashlib.sha256(role_arn.encode()).digest()
    return "AROA" + "".join(_UPPER_ALNUM[b % len(_UPPER_ALNUM)] for b in digest[:17])


def assumed_role_arn(role_arn: str, session_name: str, account: str) -> str:
    return f"arn:aws:sts::{role_account(role_arn, account)}:assumed-role/{role_name(role_arn)}/{session_name}"


def iso8601(epoch: float) -> str:
    """STS's XML timestamp form: ``2026-01-01T12:00:00Z``."""
    return datetime.fromtimestamp(int(epoch), tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Issued:
    access_key_id: str
    secret_key: str
    session_token: str
    expiration: float


def issue(ctx: Context, role_arn: str, *, source: str, session_name: str = COGNITO_SESSION_NAME,
          seconds: int = DEFAULT_SECONDS, identity_id: str | None = None, identity_pool_id: str | None = None,
          provider: str | None = None, subject: str | None = None) -> Issued:
    """Mint a key set and record it in this request's transaction."""
    issued = Issued(access_key_id(), secret_key(), session_token(), float(int(ctx.now) + seconds))
    ctx.db.add(VendedCredential(
        access_key_id=issued.access_key_id, secret_key=issued.secret_key, session_token=issued.session_token,
        created=ctx.now, expiration=issued.expiration, role_arn=role_arn, session_name=session_name,
        source=source, identity_id=identity_id, identity_pool_id=identity_pool_id,
        provider=provider[:2048] if provider else None, subject=subject[:2048] if subject else None,
    ))
    return issued


def describe(record: VendedCredential, account: str, now: float) -> dict[str, Any]:
    """What ``GET /_cogito/credentials/{AccessKeyId}`` answers."""
    return {
        "AccessKeyId": record.access_key_id,
        "IdentityId": record.identity_id,
        "IdentityPoolId": record.identity_pool_id,
        "RoleArn": record.role_arn,
        "AssumedRoleArn": assumed_role_arn(record.role_arn, record.session_name, account),
        "RoleSessionName": record.session_name,
        "Source": record.source,
        "Provider": record.provider,
        "Subject": record.subject,
        "Expiration": record.expiration,
        "Expired": record.expiration <= now,
    }
