"""What follows a proven password: a next challenge, or the tokens.

FORCE_CHANGE_PASSWORD users get NEW_PASSWORD_REQUIRED (with ``userAttributes`` and
``requiredAttributes`` always present: amazon-cognito-identity-js parses both unguarded).
MFA challenges will hook in here.
"""

from __future__ import annotations

import json
from typing import Any

from emulator.context import Context
from emulator.userpool.attributes import required_names
from emulator.userpool.auth import sessions, tokens
from emulator.userpool.directory_models import User
from emulator.userpool.models import AppClient, UserPool

NEW_PASSWORD_REQUIRED = "NEW_PASSWORD_REQUIRED"


def challenge(name: str, session: str | None, parameters: dict[str, str]) -> dict[str, Any]:
    result: dict[str, Any] = {"ChallengeName": name, "ChallengeParameters": parameters}
    if session is not None:
        result["Session"] = session
    return result


def new_password_parameters(pool: UserPool, user: User) -> dict[str, str]:
    attrs = {k: v for k, v in (user.attributes or {}).items() if k != "sub" and not k.startswith("dev:")}
    missing = [f"userAttributes.{name}" for name in required_names(pool) if name not in attrs]
    return {
        "USER_ID_FOR_SRP": user.username,
        "requiredAttributes": json.dumps(missing),
        "userAttributes": json.dumps(attrs),
    }


def tokens_result(ctx: Context, pool: UserPool, client: AppClient, user: User) -> dict[str, Any]:
    """The final answer of a sign-in: fresh tokens in a new sign-in family."""
    if user.failed_attempts:  # only when set: an untouched user needs no flush
        user.failed_attempts = 0
    return {"ChallengeParameters": {}, "AuthenticationResult": tokens.mint(ctx, pool, client, user)}


def after_password(ctx: Context, pool: UserPool, client: AppClient, user: User) -> dict[str, Any]:
    """The password was right: the next challenge, or the tokens."""
    if user.status == "FORCE_CHANGE_PASSWORD":
        if user.failed_attempts:
            user.failed_attempts = 0
        session = sessions.start(ctx, client, user, NEW_PASSWORD_REQUIRED)
        params = new_password_parameters(pool, user)
        return challenge(NEW_PASSWORD_REQUIRED, session, params)
    return tokens_result(ctx, pool, client, user)
