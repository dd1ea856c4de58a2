"""USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH and ADMIN_NO_SRP_AUTH: the password sent in clear.

Verified against the stored SRP verifier by recomputing x (no plaintext is kept).
"""

from __future__ import annotations

from typing import Any

from emulator.context import Context
from emulator.userpool import directory
from emulator.userpool.auth import gate, outcome
from emulator.userpool.models import AppClient, UserPool


def start(ctx: Context, pool: UserPool, client: AppClient, params: dict[str, Any]) -> dict[str, Any]:
    username, password = gate.require(params, "USERNAME", "PASSWORD")
    user = gate.find_user(ctx, pool, username)
    gate.check_secret(client, params.get("SECRET_HASH"), username, user)
    if user is None:
        raise gate.unknown_user_error(client)
    gate.check_status_before_password(client, user)
    if not directory.password_matches(user, pool, password):
        raise gate.wrong_password(user)
    gate.check_status_after_password(ctx, pool, user)
    return outcome.after_password(ctx, pool, client, user)
