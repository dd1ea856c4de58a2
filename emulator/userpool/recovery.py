"""Forgotten passwords: ForgotPassword sends a 1-hour code, ConfirmForgotPassword spends it.

The code goes to a verified email or phone, chosen by the pool's AccountRecoverySetting
(lowest Priority first) or, without one, Cognito's legacy rule: SMS before email. With
PreventUserExistenceErrors ENABLED an unknown or disabled user, or one without a verified
channel, gets a plausible CodeDeliveryDetails and nothing is sent; ConfirmForgotPassword
answers CodeMismatchException for them (reference §4).
"""

from __future__ import annotations

from typing import Any

from emulator.context import Context
from emulator.errors import (
    CodeMismatchException,
    InvalidParameterException,
    NotAuthorizedException,
    PasswordHistoryPolicyViolationException,
    UserNotFoundException,
)
from emulator.protocol.registry import operation
from emulator.triggers import auth as auth_triggers
from emulator.triggers import signup as signup_triggers
from emulator.triggers.events import note_call
from emulator.userpool import codes, directory, outbox, passwords
from emulator.userpool.directory_models import User
from emulator.userpool.models import UserPool
from emulator.userpool.signup import NOT_FOUND, auto_verified, deliver, existence_hidden, find_for_client

Params = dict[str, Any]
PURPOSE = "FORGOT_PASSWORD"

NO_CHANNEL = "Cannot reset password for the user as there is no registered/verified email or phone_number"
CANNOT_RESET = "User password cannot be reset in the current state."
DISABLED = "User is disabled."
# [U] AWS's exact text for a reused password was not found; the exception name is AWS's.
HISTORY = "The password you entered has been used recently. Choose a different password."


def _verified(user: User, attribute: str) -> bool:
    attrs = user.attributes or {}
    return bool(attrs.get(attribute)) and attrs.get(f"{attribute}_verified") == "true"


def recovery_target(pool: UserPool, user: User) -> tuple[str, str] | None:
    """(medium, attribute) a reset code goes to, or None when the user has no usable channel.

    ``admin_only`` forbids self-service recovery. Not modelled: a phone that is also the
    user's SMS MFA factor does not qualify under AccountRecoverySetting.
    """
    mechanisms = (pool.config.get("AccountRecoverySetting") or {}).get("RecoveryMechanisms")
    if mechanisms:
        for mechanism in sorted(mechanisms, key=lambda m: int(m.get("Priority", 1))):
            name = mechanism.get("Name")
            if name == "admin_only":
                return None
            if name == "verified_email" and _verified(user, "email"):
                return "EMAIL", "email"
            if name == "verified_phone_number" and _verified(user, "phone_number"):
                return "SMS", "phone_number"
        return None
    if _verified(user, "phone_number"):
        return "SMS", "phone_number"
    if _verified(user, "email"):
        return "EMAIL", "email"
    return None


def _fake(pool: UserPool, user: User | None, username: str) -> dict[str, Any]:
    """What an ENABLED client answers when nothing is sent."""
    attrs = (user.attributes or {}) if user is not None else {}
    if attrs.get("email"):
        return {"CodeDeliveryDetails": outbox.details("EMAIL", "email", attrs["email"])}
    return {"CodeDeliveryDetails": outbox.fake_details(username, auto_verified(pool))}


@operation("cognito-idp", "ForgotPassword")
def forgot_password(ctx: Context, params: Params) -> dict[str, Any]:
    client, pool, user = find_for_client(ctx, params)
    hidden = existence_hidden(client)
    note_call(ctx, client.client_id, params.get("ClientMetadata"))
    if user is None:  # a UserMigration trigger may bring the user in
        user = auth_triggers.user_migration(ctx, pool, client, params["Username"], None,
                                            auth_triggers.MIGRATE_FORGOT_PASSWORD)
    if user is None:
        if hidden:
            return _fake(pool, None, params["Username"])
        raise UserNotFoundException(NOT_FOUND)
    if not user.enabled:
        if hidden:
            return _fake(pool, user, params["Username"])
        raise NotAuthorizedException(DISABLED)
    if user.status == "FORCE_CHANGE_PASSWORD":
        raise NotAuthorizedException(CANNOT_RESET)
    target = recovery_target(pool, user)
    if target is None:
        if hidden:
            return _fake(pool, user, params["Username"])
        raise InvalidParameterException(NO_CHANNEL)
    medium, attribute = target
    details = deliver(
        ctx, pool, user, kind="FORGOT_PASSWORD", purpose=PURPOSE, ttl=codes.FORGOT_PASSWORD_TTL,
        medium=medium, attribute=attribute,
    )
    return {"CodeDeliveryDetails": details}


def _history_size(pool: UserPool) -> int:
    return int((pool.config.get("Policies") or {}).get("PasswordPolicy", {}).get("PasswordHistorySize") or 0)


@operation("cognito-idp", "ConfirmForgotPassword")
def confirm_forgot_password(ctx: Context, params: Params) -> dict[str, Any]:
    """Set the new password with the code; RESET_REQUIRED users become CONFIRMED."""
    client, pool, user = find_for_client(ctx, params)
    hidden = existence_hidden(client)
    if user is None:
        if hidden:
            raise CodeMismatchException(codes.MISMATCH)
        raise UserNotFoundException(NOT_FOUND)
    if not user.enabled:
        if hidden:
            raise CodeMismatchException(codes.MISMATCH)
        raise NotAuthorizedException(DISABLED)
    password = params["Password"]
    passwords.enforce_policy(pool.config, password, passwords.DEFAULT_PHRASE)
    codes.consume(ctx, user, PURPOSE, params["ConfirmationCode"])
    if _history_size(pool) and directory.used_before(user, pool, password):
        raise PasswordHistoryPolicyViolationException(HISTORY)
    directory.set_password(user, pool, password, ctx.now)
    if user.status == "RESET_REQUIRED":
        user.status = "CONFIRMED"
    user.failed_attempts = 0
    user.modified = ctx.now
    signup_triggers.post_confirmation(ctx, pool, user, signup_triggers.CONFIRM_FORGOT_PASSWORD,
                                      client_id=client.client_id, client_metadata=params.get("ClientMetadata"))
    return {}
