"""Passwords: the pool's policy, and the SRP salt + verifier that stand in for them.

No plaintext is kept. USER_PASSWORD_AUTH and friends verify by recomputing x from the
candidate password and comparing g^x with the stored verifier; USER_SRP_AUTH uses the
verifier directly. The username in x is the internal username (reference §3).
"""

from __future__ import annotations

import hmac
import secrets
import string
from typing import Any

from emulator.errors import InvalidParameterException, InvalidPasswordException
from emulator.userpool import srp

# Cognito's symbol set (reference §5): these and the space.
SYMBOLS = frozenset("^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- ")

# How each operation words a policy failure.
SIGN_UP_PHRASE = "Password did not conform with policy"
DEFAULT_PHRASE = "Password does not conform to policy"


def make_secret(pool_id: str, username: str, password: str) -> tuple[str, str]:
    """A fresh (salt_hex, verifier_hex) for ``password``."""
    salt = format(int.from_bytes(secrets.token_bytes(16), "big") or 1, "x")
    x = srp.private_x(salt, srp.pool_name(pool_id), username, password)
    return salt, format(srp.verifier(x), "x")


def matches(pool_id: str, username: str, password: str, salt: str | None, verifier: str | None) -> bool:
    """Whether ``password`` is the one behind (salt, verifier); constant-time comparison."""
    if not salt or not verifier:
        return False
    x = srp.private_x(salt, srp.pool_name(pool_id), username, password)
    return hmac.compare_digest(format(srp.verifier(x), "x"), verifier)


def check_shape(password: str) -> None:
    """Leading or trailing whitespace is refused before any policy check (observed on AWS)."""
    if password != password.strip() or len(password) < 1:
        raise InvalidParameterException(
            "1 validation error detected: Value at 'password' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: ^[\\S]+.*[\\S]+$"
        )


def policy_problem(policy: dict[str, Any], password: str) -> str | None:
    """The first reason ``password`` breaks ``policy`` (Cognito reports one), or None."""
    if len(password) < int(policy.get("MinimumLength", 8)):
        return "Password not long enough"
    if policy.get("RequireLowercase") and not any(c in string.ascii_lowercase for c in password):
        return "Password must have lowercase characters"
    if policy.get("RequireUppercase") and not any(c in string.ascii_uppercase for c in password):
        return "Password must have uppercase characters"
    if policy.get("RequireNumbers") and not any(c in string.digits for c in password):
        return "Password must have numeric characters"
    if policy.get("RequireSymbols") and not any(c in SYMBOLS for c in password):
        return "Password must have symbol characters"
    return None


def enforce_policy(pool_config: dict[str, Any], password: str, phrase: str = DEFAULT_PHRASE) -> None:
    """Raise InvalidPasswordException worded as ``phrase: reason`` when the policy is broken."""
    check_shape(password)
    policy = pool_config.get("Policies", {}).get("PasswordPolicy", {})
    problem = policy_problem(policy, password)
    if problem:
        raise InvalidPasswordException(f"{phrase}: {problem}")


def generate_temporary(pool_config: dict[str, Any]) -> str:
    """A temporary password that satisfies the pool's policy."""
    policy = pool_config.get("Policies", {}).get("PasswordPolicy", {})
    length = max(int(policy.get("MinimumLength", 8)), 12)
    pools = [string.ascii_lowercase, string.ascii_uppercase, string.digits, "^$*.!@#%&"]
    chars = [secrets.choice(p) for p in pools]
    alphabet = "".join(pools)
    chars += [secrets.choice(alphabet) for _ in range(length - len(chars))]
    secrets.SystemRandom().shuffle(chars)
    return "".join(chars)
