"""What follows a proven password: a next challenge, or the tokens.

FORCE_CHANGE_PASSWORD users get NEW_PASSWORD_REQUIRED (with ``userAttributes`` and
``requiredAttributes`` always present: amazon-cognito-identity-js parses both unguarded).
MFA, device authentication and new devices hook in through auth.mfa and userpool.devices.
"""

from __future__ import annotations

import json
from typing import Any

from emulator.context import Context
from emulator.userpool.attributes import required_names
from emulator.userpool.auth import sessions, tokens
from emulator.userpool.device_models import Device
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


def tokens_result(ctx: Context, pool: UserPool, client: AppClient, user: User,
                  device: Device | None = None) -> dict[str, Any]:
    """The final answer of a sign-in: fresh tokens in a new sign-in family.

    With device tracking on, the tokens carry the sign-in's device key; a sign-in that
    named no device gets a new one in NewDeviceMetadata (emulator.userpool.devices).
    """
    from emulator.userpool import devices

    if user.failed_attempts:  # only when set: an untouched user needs no flush
        user.failed_attempts = 0
    device_key, new_device = devices.signed_in(ctx, pool, user, device)
    overrides = _triggers_before_tokens(ctx, pool, client, user, new_device is not None)
    # Signed once the transaction commits: every caller returns this result as it is.
    result = tokens.mint(ctx, pool, client, user, device_key=device_key, overrides=overrides, sign_after_commit=True)
    if new_device is not None:
        result["NewDeviceMetadata"] = new_device
    return {"ChallengeParameters": {}, "AuthenticationResult": result}


def after_password(ctx: Context, pool: UserPool, client: AppClient, user: User,
                   device_key: str | None = None) -> dict[str, Any]:
    """The password was right: a new password, MFA, device authentication, or the tokens.

    ``device_key`` is the DEVICE_KEY the client sent (auth.mfa.after_first_factor).
    """
    from emulator.userpool.auth import mfa

    if user.status == "FORCE_CHANGE_PASSWORD":
        if user.failed_attempts:
            user.failed_attempts = 0
        state = {"device_key": device_key} if device_key else None
        session = sessions.start(ctx, client, user, NEW_PASSWORD_REQUIRED, state)
        params = new_password_parameters(pool, user)
        return challenge(NEW_PASSWORD_REQUIRED, session, params)
    return mfa.after_first_factor(ctx, pool, client, user, device_key)


def _triggers_before_tokens(ctx: Context, pool: UserPool, client: AppClient, user: User, new_device: bool) -> Any:
    """PostAuthentication (may refuse the sign-in), then PreTokenGeneration's overrides (emulator.triggers)."""
    from emulator.triggers import auth as auth_triggers
    from emulator.triggers import events, pre_token

    auth_triggers.post_authentication(ctx, pool, client, user, new_device_used=new_device)
    return pre_token.run(ctx, pool, client, user, events.token_source(ctx))
