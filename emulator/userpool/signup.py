"""Public sign-up: SignUp, ConfirmSignUp, ResendConfirmationCode, and AdminConfirmSignUp.

A signed-up user is UNCONFIRMED. When the pool auto-verifies email or phone, a 6-digit
code (24 h) goes to that attribute through the outbox and the masked destination comes
back as CodeDeliveryDetails; confirming with it marks the attribute verified. With both
auto-verified, Cognito verifies only the phone number (AWS CDK's AutoVerifiedAttrs note).
Codes never appear in a response: read them from ``GET /_cogito/messages``.
"""

from __future__ import annotations

from typing import Any

from emulator.context import Context
from emulator.errors import (
    CodeMismatchException,
    InvalidParameterException,
    NotAuthorizedException,
    UserNotFoundException,
)
from emulator.protocol.registry import operation
from emulator.triggers import signup as signup_triggers
from emulator.triggers.events import note_call
from emulator.userpool import attributes, codes, directory, outbox, passwords, secret_hash, templates, usernames
from emulator.userpool.client_config import auth_flows, prevent_user_existence_errors
from emulator.userpool.directory_models import User
from emulator.userpool.lookup import get_pool
from emulator.userpool.models import AppClient, UserPool

Params = dict[str, Any]

# Wording of the public operations (reference §4, §5; observed on AWS).
NOT_FOUND = "Username/client id combination not found."
SIGNUP_DISABLED = "SignUp is not permitted for this user pool"
ALREADY_CONFIRMED = "User is already confirmed."
NO_AUTO_VERIFICATION = "Cannot resend codes. Auto verification not turned on."
# [U] A SignUp without Password where passwordless sign-in is unavailable; worded as the
# model validation that required Password before passwordless existed.
PASSWORD_REQUIRED = (
    "1 validation error detected: Value null at 'password' failed to satisfy constraint: Member must not be null"
)
PASSWORDLESS_FACTORS = frozenset({"EMAIL_OTP", "SMS_OTP", "WEB_AUTHN"})
SIGNUP_PURPOSE = "SIGNUP"


def cannot_confirm(status: str) -> NotAuthorizedException:
    return NotAuthorizedException(f"User cannot be confirmed. Current status is {status}")


def existence_hidden(client: AppClient) -> bool:
    """PreventUserExistenceErrors ENABLED: unknown users get plausible answers, not UserNotFound."""
    return prevent_user_existence_errors(client.config or {}) == "ENABLED"


def auto_verified(pool: UserPool) -> list[str]:
    return list(pool.config.get("AutoVerifiedAttributes") or [])


def signup_target(pool: UserPool, user: User) -> tuple[str, str] | None:
    """(medium, attribute) a sign-up code goes to: the phone if auto-verified and present, else the email."""
    auto = auto_verified(pool)
    attrs = user.attributes or {}
    if "phone_number" in auto and attrs.get("phone_number"):
        return "SMS", "phone_number"
    if "email" in auto and attrs.get("email"):
        return "EMAIL", "email"
    return None


def deliver(
    ctx: Context, pool: UserPool, user: User, *, kind: str, purpose: str, ttl: int, medium: str,
    attribute: str, client_id: str | None = None,
) -> dict[str, str]:
    """Issue a code, record the message in the outbox, and return CodeDeliveryDetails.

    ``client_id`` is given where Cognito may send a confirmation link instead of a code.
    """
    code = codes.issue(ctx, user, purpose, ttl)
    destination = (user.attributes or {})[attribute]
    link = None
    if client_id is not None and medium == "EMAIL":
        link = templates.confirm_link(ctx.base_url, client_id, user.username, code)
    message = templates.verification(pool, medium, code, link=link)
    outbox.send(
        ctx, pool_id=pool.id, username=user.username, kind=kind, medium=medium, destination=destination,
        body=message.body, subject=message.subject, code=code,
    )
    return outbox.details(medium, attribute, destination)


def passwordless_allowed(pool: UserPool, client: AppClient) -> bool:
    """A user may sign up without a password when the pool and client offer passwordless sign-in."""
    factors = set((pool.config.get("Policies") or {}).get("SignInPolicy", {}).get("AllowedFirstAuthFactors") or [])
    return bool(factors & PASSWORDLESS_FACTORS) and "ALLOW_USER_AUTH" in auth_flows(client.config or {})


def find_for_client(ctx: Context, params: Params) -> tuple[AppClient, UserPool, User | None]:
    """Client, pool and (maybe) user of a public call, with SECRET_HASH checked in between.

    Order as Cognito answers: unknown client, then the secret hash, then the user.
    """
    client, pool = secret_hash.public_client(ctx.db, params["ClientId"])
    username = params["Username"]
    user = directory.find_user(ctx.db, pool, username)
    secret_hash.check(client, params.get("SecretHash"), [username, user.username if user else username])
    return client, pool, user


@operation("cognito-idp", "SignUp")
def sign_up(ctx: Context, params: Params) -> dict[str, Any]:
    """Register an UNCONFIRMED user; ValidationData and ClientMetadata are for triggers (accepted)."""
    client, pool = secret_hash.public_client(ctx.db, params["ClientId"])
    username = params["Username"]
    secret_hash.check(client, params.get("SecretHash"), username)
    if (pool.config.get("AdminCreateUserConfig") or {}).get("AllowAdminCreateUserOnly"):
        raise NotAuthorizedException(SIGNUP_DISABLED)
    password = params.get("Password")
    if password is None and not passwordless_allowed(pool, client):
        raise InvalidParameterException(PASSWORD_REQUIRED)
    values = attributes.validate_new(pool, params.get("UserAttributes") or [], client=client)
    if password is not None:
        passwords.enforce_policy(pool.config, password, passwords.SIGN_UP_PHRASE)
    note_call(ctx, client.client_id, params.get("ClientMetadata"))
    decision = signup_triggers.pre_sign_up(
        ctx, pool, signup_triggers.SIGN_UP, username, signup_triggers.sign_up_attributes(pool, username, values),
        client_id=client.client_id, validation_data=signup_triggers.attribute_map(params.get("ValidationData")),
        client_metadata=params.get("ClientMetadata"),
    )
    user = usernames.create_user(
        ctx, pool, username, {**values, **decision.verified_flags()},
        status="CONFIRMED" if decision.confirm else "UNCONFIRMED", password=password, operation="SignUp",
    )
    result: dict[str, Any] = {"UserConfirmed": decision.confirm, "UserSub": user.sub}
    if decision.confirm:  # auto-confirmed by PreSignUp: no code, and PostConfirmation runs now
        signup_triggers.post_confirmation(ctx, pool, user, signup_triggers.CONFIRM_SIGN_UP,
                                          client_id=client.client_id, client_metadata=params.get("ClientMetadata"))
        return result
    target = signup_target(pool, user)
    if target is not None:
        medium, attribute = target
        result["CodeDeliveryDetails"] = deliver(
            ctx, pool, user, kind="SIGNUP", purpose=SIGNUP_PURPOSE, ttl=codes.SIGNUP_TTL, medium=medium,
            attribute=attribute, client_id=client.client_id,
        )
    return result


@operation("cognito-idp", "ConfirmSignUp")
def confirm_sign_up(ctx: Context, params: Params) -> dict[str, Any]:
    """UNCONFIRMED -> CONFIRMED with the code; the attribute it went to becomes verified."""
    client, pool, user = find_for_client(ctx, params)
    if user is None:
        if existence_hidden(client):
            raise CodeMismatchException(codes.MISMATCH)
        raise UserNotFoundException(NOT_FOUND)
    if user.status != "UNCONFIRMED":
        raise cannot_confirm(user.status)
    codes.consume(ctx, user, SIGNUP_PURPOSE, params["ConfirmationCode"], missing=CodeMismatchException)
    confirm(ctx, user)
    target = signup_target(pool, user)
    if target is not None:
        directory.set_attributes(user, {f"{target[1]}_verified": "true"})
        usernames.sync_aliases(ctx, pool, user, force=bool(params.get("ForceAliasCreation")))
    signup_triggers.post_confirmation(ctx, pool, user, signup_triggers.CONFIRM_SIGN_UP, client_id=client.client_id,
                                      client_metadata=params.get("ClientMetadata"))
    return {}


def confirm(ctx: Context, user: User) -> None:
    user.status = "CONFIRMED"
    user.modified = ctx.now
    codes.discard(ctx, user, SIGNUP_PURPOSE)


@operation("cognito-idp", "ResendConfirmationCode")
def resend_confirmation_code(ctx: Context, params: Params) -> dict[str, Any]:
    """A fresh sign-up code replaces the old one."""
    client, pool, user = find_for_client(ctx, params)
    note_call(ctx, client.client_id, params.get("ClientMetadata"))
    if user is None:
        if existence_hidden(client):
            return {"CodeDeliveryDetails": outbox.fake_details(params["Username"], auto_verified(pool))}
        raise UserNotFoundException(NOT_FOUND)
    if user.status != "UNCONFIRMED":
        raise InvalidParameterException(ALREADY_CONFIRMED)
    target = signup_target(pool, user)
    if target is None:
        # [U] also when the pool auto-verifies an attribute this user lacks.
        raise InvalidParameterException(NO_AUTO_VERIFICATION)
    medium, attribute = target
    details = deliver(
        ctx, pool, user, kind="SIGNUP", purpose=SIGNUP_PURPOSE, ttl=codes.SIGNUP_TTL, medium=medium,
        attribute=attribute, client_id=client.client_id,
    )
    return {"CodeDeliveryDetails": details}


@operation("cognito-idp", "AdminConfirmSignUp")
def admin_confirm_sign_up(ctx: Context, params: Params) -> dict[str, Any]:
    """Confirm without a code; unlike ConfirmSignUp it verifies no attribute (AWS behaviour)."""
    pool = get_pool(ctx.db, params["UserPoolId"])
    user = directory.require_user(ctx.db, pool, params["Username"])
    if user.status != "UNCONFIRMED":
        raise cannot_confirm(user.status)
    confirm(ctx, user)
    signup_triggers.post_confirmation(ctx, pool, user, signup_triggers.CONFIRM_SIGN_UP, client_id=None,
                                      client_metadata=params.get("ClientMetadata"))
    return {}
