"""Identifiers in Cognito's formats."""

from __future__ import annotations

import secrets
import string

_ALNUM = string.ascii_letters + string.digits
_LOWER_ALNUM = string.ascii_lowercase + string.digits


def _pick(alphabet: str, size: int) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(size))


def user_pool_id(region: str) -> str:
    """``eu-west-1_sWRV0kAgS``: region, underscore, 9 letters and digits."""
    return f"{region}_{_pick(_ALNUM, 9)}"


def client_id() -> str:
    """26 lowercase letters and digits."""
    return _pick(_LOWER_ALNUM, 26)


def client_secret() -> str:
    """51 lowercase letters and digits, as real secrets look."""
    return _pick(_LOWER_ALNUM, 51)
