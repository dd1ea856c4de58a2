"""Software tokens: RFC 6238 TOTP as Cognito uses it (SHA-1, 6 digits, 30-second steps).

Secrets are 32 random bytes in unpadded Base32 (52 characters, the length Cognito's
SecretCode has). A code is accepted for the current step and one step either side, so a
code typed just as it changes, or on a slightly wrong clock, still works.
"""

from __future__ import annotations

import base64
import secrets

from cryptography.hazmat.primitives.hashes import SHA1
from cryptography.hazmat.primitives.twofactor import InvalidToken
from cryptography.hazmat.primitives.twofactor.totp import TOTP

DIGITS = 6
STEP_SECONDS = 30
DRIFT_STEPS = 1


def new_secret() -> str:
    """A fresh shared secret, Base32 without padding."""
    return base64.b32encode(secrets.token_bytes(32)).decode().rstrip("=")


def _key(secret: str) -> bytes:
    text = secret.strip().replace(" ", "").upper()
    return base64.b32decode(text + "=" * (-len(text) % 8))


def _totp(secret: str) -> TOTP:
    # enforce_key_length=False: Cognito's secrets are 32 bytes, longer than SHA-1's 20.
    return TOTP(_key(secret), DIGITS, SHA1(), STEP_SECONDS, enforce_key_length=False)


def code_at(secret: str, moment: float) -> str:
    """The code an authenticator shows at ``moment`` (for the console and tools, not for checks)."""
    return _totp(secret).generate(int(moment)).decode()


def matches(secret: str, code: str, now: float) -> bool:
    """Whether ``code`` is right for ``now`` give or take one step."""
    if len(code) != DIGITS or not code.isdigit():
        return False
    totp = _totp(secret)
    for drift in range(-DRIFT_STEPS, DRIFT_STEPS + 1):
        try:
            totp.verify(code.encode(), int(now) + drift * STEP_SECONDS)
            return True
        except InvalidToken:
            continue
    return False
