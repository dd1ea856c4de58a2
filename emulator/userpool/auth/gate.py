"""The checks every sign-in passes through, in Cognito's order (reference §4).

Client → flow enabled → parameters → SECRET_HASH → user exists → user status →
credential → what a right password still cannot pass. Each
failure is Cognito's exception and wording; PreventUserExistenceErrors decides how an
unknown user is reported.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, select

from emulator.context import Context
from emulator.errors import (
    InvalidParameterException,
    NotAuthorizedException,
    PasswordResetRequiredException,
    UserNotConfirmedException,
    UserNotFoundException,
)
from emulator.userpool import directory, secret_hash
from emulator.userpool.client_config import auth_flows, prevent_user_existence_errors
from emulator.userpool.directory_models import User
from emulator.userpool.models import AppClient, UserPool

WRONG_CREDENTIALS = "Incorrect username or password."
RESET_REQUIRED = "Password reset required for the user"
ADMIN_ONLY_FLOWS = frozenset({"ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"})
PUBLIC_ONLY_FLOWS = frozenset({"USER_PASSWORD_AUTH"})

# AuthFlow -> (client flags that allow it, the error when none does)
_FLOW_SWITCHES: dict[str, tuple[frozenset[str], str]] = {
    "USER_PASSWORD_AUTH": (frozenset({"ALLOW_USER_PASSWORD_AUTH", "USER_PASSWORD_AUTH"}),
                           "USER_PASSWORD_AUTH flow not enabled for this client"),
    "USER_SRP_AUTH": (frozenset({"ALLOW_USER_SRP_AUTH", "ADMIN_NO_SRP_AUTH", "CUSTOM_AUTH_FLOW_ONLY",
                                 "USER_PASSWORD_AUTH"}), "USER_SRP_AUTH is not enabled for the client."),
    "ADMIN_USER_PASSWORD_AUTH": (frozenset({"ALLOW_ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"}),
                                 "Auth flow not enabled for this client"),
    "ADMIN_NO_SRP_AUTH": (frozenset({"ALLOW_ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"}),
                          "Auth flow not enabled for this client"),
    "REFRESH_TOKEN_AUTH": (frozenset({"ALLOW_REFRESH_TOKEN_AUTH", "ADMIN_NO_SRP_AUTH", "CUSTOM_AUTH_FLOW_ONLY",
                                      "USER_PASSWORD_AUTH"}), "Refresh Token auth flow not enabled for this client"),
    "CUSTOM_AUTH": (frozenset({"ALLOW_CUSTOM_AUTH", "CUSTOM_AUTH_FLOW_ONLY"}), "Auth flow not enabled for this client"),
    "USER_AUTH": (frozenset({"ALLOW_USER_AUTH"}), "Auth flow not enabled for this client"),
}
_FLOW_SWITCHES["REFRESH_TOKEN"] = _FLOW_SWITCHES["REFRESH_TOKEN_AUTH"]


def check_flow_allowed(flow: str, *, admin: bool) -> None:
    """Admin-only flows in InitiateAuth (and the reverse) are refused outright."""
    if (flow in ADMIN_ONLY_FLOWS and not admin) or (flow in PUBLIC_ONLY_FLOWS and admin):
        raise InvalidParameterException("Initiate Auth method not supported.")


def check_flow_enabled(client: AppClient, flow: str) -> None:
    allowed, message = _FLOW_SWITCHES[flow]
    if not allowed & set(auth_flows(client.config)):
        raise InvalidParameterException(message)


def require(params: dict[str, Any], *names: str) -> list[str]:
    """The named AuthParameters/ChallengeResponses, or IPE naming the first one missing."""
    values = []
    for name in names:
        value = params.get(name)
        if not value:
            raise InvalidParameterException(f"Missing required parameter {name}")
        values.append(value)
    return values


def hides_existence(client: AppClient) -> bool:
    return prevent_user_existence_errors(client.config) == "ENABLED"


def unknown_user_error(client: AppClient) -> Exception:
    """How an unknown user is reported: NAE when existence is hidden, else UNF."""
    if hides_existence(client):
        return NotAuthorizedException(WRONG_CREDENTIALS)
    return UserNotFoundException("User does not exist.")


# Built once: the by-username read runs on every sign-in.
_BY_USERNAME = select(User).where(User.pool_id == bindparam("pool_id"), User.username_key == bindparam("key"))


def find_user(ctx: Context, pool: UserPool, username: str) -> User | None:
    """directory.find_user's answer: by username, then (in alias pools) by a sign-in alias."""
    key = directory.username_key(pool, username)
    user = ctx.db.execute(_BY_USERNAME, {"pool_id": pool.id, "key": key}).scalar_one_or_none()
    if user is None and directory.sign_in_kinds(pool):
        user = directory.find_user(ctx.db, pool, username)
    return user


def check_secret(client: AppClient, given: str | None, username: str, user: User | None) -> None:
    """SECRET_HASH over the name the client sent, or the internal one behind it."""
    names = [username] + ([user.username] if user is not None else [])
    secret_hash.check(client, given, names)


def check_status_before_password(client: AppClient, user: User) -> None:
    """What is reported whatever the password (reference §4; only UNCONFIRMED is [O]).

    UNCONFIRMED, then disabled, then RESET_REQUIRED. With PreventUserExistenceErrors
    ENABLED a RESET_REQUIRED user (an imported one has no password at all) is told only
    that the credentials are wrong unless the password is right: ``check_status_after_password``.
    """
    if user.status == "UNCONFIRMED":
        raise UserNotConfirmedException("User is not confirmed.")
    if not user.enabled:
        raise NotAuthorizedException("User is disabled.")
    if user.status == "RESET_REQUIRED" and not hides_existence(client):
        raise PasswordResetRequiredException(RESET_REQUIRED)


def check_status_after_password(ctx: Context, pool: UserPool, user: User) -> None:
    """What a right password still cannot get past."""
    if user.status == "RESET_REQUIRED":
        raise PasswordResetRequiredException(RESET_REQUIRED)
    if user.status == "FORCE_CHANGE_PASSWORD" and temporary_password_expired(ctx, pool, user):
        raise NotAuthorizedException("Temporary password has expired and must be reset by an administrator.")


def temporary_password_expired(ctx: Context, pool: UserPool, user: User) -> bool:
    policy = pool.config.get("Policies", {}).get("PasswordPolicy", {})
    days = int(policy.get("TemporaryPasswordValidityDays") or
               pool.config.get("AdminCreateUserConfig", {}).get("UnusedAccountValidityDays") or 7)
    return user.password_set_at is not None and ctx.now > user.password_set_at + days * 86400


def wrong_password(user: User) -> NotAuthorizedException:
    """Count the failure (committed although the request fails) and refuse."""
    user.failed_attempts = (user.failed_attempts or 0) + 1
    return NotAuthorizedException(WRONG_CREDENTIALS, keep_changes=True)
