"""USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH and ADMIN_NO_SRP_AUTH: the password sent in clear.

Verified against the stored SRP verifier by recomputing x (no plaintext is kept). That
costs a 3072-bit modular exponentiation, so a password once proven right for a given
(salt, verifier) is remembered, in this process only, as a keyed digest: signing the same
user in again (what test suites do all day) skips the exponentiation but not the check;
so does the first sign-in after a password was set in this process, since setting it
computed the verifier (``remember``). A new password means a new salt and verifier, so
nothing stale can match.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from collections import OrderedDict
from typing import Any

from emulator.context import Context
from emulator.triggers import auth as auth_triggers
from emulator.userpool import directory
from emulator.userpool.auth import gate, outcome
from emulator.userpool.directory_models import User
from emulator.userpool.models import AppClient, UserPool

_PROVEN_SIZE = 4096
_PROCESS_KEY = secrets.token_bytes(32)  # the digests mean nothing outside this process
_proven: OrderedDict[bytes, None] = OrderedDict()
_lock = threading.Lock()


def _proof_key(pool: UserPool, user: User, password: str) -> bytes:
    parts = (pool.id, user.username, user.password_salt or "", user.password_verifier or "", password)
    return hmac.new(_PROCESS_KEY, "\x00".join(parts).encode(), hashlib.sha256).digest()


def remember(pool: UserPool, user: User, password: str) -> None:
    """Note ``password`` as proven for the salt and verifier just made from it (set_password).

    Setting a password computes its verifier: the user's first sign-in need not compute
    it again. The digest names that salt and verifier, so if the change is rolled back it
    can never match what the store holds.
    """
    _note(_proof_key(pool, user, password))


def _note(key: bytes) -> None:
    with _lock:
        _proven[key] = None
        _proven.move_to_end(key)
        while len(_proven) > _PROVEN_SIZE:
            _proven.popitem(last=False)


def password_ok(pool: UserPool, user: User, password: str) -> bool:
    """Whether ``password`` is the user's, remembering right answers (see the module docstring)."""
    if not user.password_salt or not user.password_verifier:
        return False
    key = _proof_key(pool, user, password)
    with _lock:
        if key in _proven:
            _proven.move_to_end(key)
            return True
    if not directory.password_matches(user, pool, password):
        return False
    _note(key)
    return True


def start(ctx: Context, pool: UserPool, client: AppClient, params: dict[str, Any]) -> dict[str, Any]:
    username, password = gate.require(params, "USERNAME", "PASSWORD")
    user = gate.find_user(ctx, pool, username)
    gate.check_secret(client, params.get("SECRET_HASH"), username, user)
    if user is None:  # a UserMigration trigger may bring the user in
        user = auth_triggers.user_migration(ctx, pool, client, username, password, auth_triggers.MIGRATE_AUTHENTICATION)
    if user is None:
        if gate.hides_existence(client):
            auth_triggers.pre_authentication(ctx, pool, client, None, username)
        raise gate.unknown_user_error(client)
    auth_triggers.pre_authentication(ctx, pool, client, user, username)
    gate.check_status_before_password(client, user)
    if not password_ok(pool, user, password):
        raise gate.wrong_password(user)
    gate.check_status_after_password(ctx, pool, user)
    return outcome.after_password(ctx, pool, client, user, params.get("DEVICE_KEY"))
