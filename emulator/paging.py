"""Opaque pagination tokens: keyset paging by a sort key, encoded so clients can't read it."""

from __future__ import annotations

import base64
import json
from typing import Any

from emulator.errors import InvalidParameterException


def encode(key: Any) -> str:
    raw = json.dumps({"k": key}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(token: str | None) -> Any:
    """The key a token stands for (None for no token); a forged token is an IPE."""
    if not token:
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        return json.loads(raw)["k"]
    except (ValueError, KeyError, TypeError):
        raise InvalidParameterException("Invalid pagination token.") from None
