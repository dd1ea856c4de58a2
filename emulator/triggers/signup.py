"""PreSignUp and PostConfirmation.

PreSignUp runs before the user is created (SignUp: ``PreSignUp_SignUp``, AdminCreateUser:
``PreSignUp_AdminCreateUser``); a throw refuses the sign-up and creates nothing. Its
``autoConfirmUser`` / ``autoVerifyEmail`` / ``autoVerifyPhone`` take effect on SignUp only:
AdminCreateUser's users are confirmed by their first sign-in.

PostConfirmation runs after ConfirmSignUp and AdminConfirmSignUp
(``PostConfirmation_ConfirmSignUp``), ConfirmForgotPassword
(``PostConfirmation_ConfirmForgotPassword``) and a SignUp that PreSignUp auto-confirmed. It
runs after the confirmation is saved, so the function may call Cogito back (add the user to
a group); a failure is reported to the caller, and the confirmation stays.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from emulator.context import Context
from emulator.errors import InvalidLambdaResponseException
from emulator.triggers import events
from emulator.userpool.directory_models import User
from emulator.userpool.models import UserPool

SIGN_UP = "PreSignUp_SignUp"
ADMIN_CREATE_USER = "PreSignUp_AdminCreateUser"
CONFIRM_SIGN_UP = "PostConfirmation_ConfirmSignUp"
CONFIRM_FORGOT_PASSWORD = "PostConfirmation_ConfirmForgotPassword"


@dataclass(frozen=True)
class SignUpDecision:
    """What PreSignUp answered (all False without a trigger)."""

    confirm: bool = False
    verify_email: bool = False
    verify_phone: bool = False

    def verified_flags(self) -> dict[str, str]:
        flags = {}
        if self.verify_email:
            flags["email_verified"] = "true"
        if self.verify_phone:
            flags["phone_number_verified"] = "true"
        return flags


def attribute_map(items: list[dict[str, Any]] | None) -> dict[str, str] | None:
    """ValidationData / UserAttributes as a map (None when not given)."""
    if not items:
        return None
    return {str(item.get("Name")): str(item.get("Value") or "") for item in items}


def pre_sign_up(ctx: Context, pool: UserPool, trigger_source: str, username: str, attributes: dict[str, str], *,
                client_id: str | None, validation_data: dict[str, str] | None,
                client_metadata: dict[str, str] | None) -> SignUpDecision:
    if events.function_arn(pool, "PreSignUp") is None:
        return SignUpDecision()
    request = events.with_metadata({"userAttributes": dict(attributes), "validationData": validation_data}, client_metadata)
    response = events.run(
        ctx, pool, "PreSignUp", trigger_source, user_name=username, client_id=client_id, request=request,
        response={"autoConfirmUser": False, "autoVerifyEmail": False, "autoVerifyPhone": False},
    )
    decision = SignUpDecision(
        events.boolean(response, "autoConfirmUser"), events.boolean(response, "autoVerifyEmail"),
        events.boolean(response, "autoVerifyPhone"),
    )
    if trigger_source == ADMIN_CREATE_USER:
        return SignUpDecision()
    # [U] wording: AWS documents only that sign-up fails without the attribute.
    if decision.verify_email and not attributes.get("email"):
        raise InvalidLambdaResponseException("autoVerifyEmail is true but the user has no email attribute.")
    if decision.verify_phone and not attributes.get("phone_number"):
        raise InvalidLambdaResponseException("autoVerifyPhone is true but the user has no phone_number attribute.")
    return decision


def post_confirmation(ctx: Context, pool: UserPool, user: User, trigger_source: str, *, client_id: str | None,
                      client_metadata: dict[str, str] | None) -> None:
    if events.function_arn(pool, "PostConfirmation") is None:
        return
    request = events.with_metadata({"userAttributes": events.user_attributes(pool, user)}, client_metadata)
    events.run(ctx, pool, "PostConfirmation", trigger_source, user_name=user.username, client_id=client_id,
               request=request, response={})


def sign_up_attributes(pool: UserPool, username: str, values: dict[str, str]) -> dict[str, str]:
    """The attributes PreSignUp sees: the given ones, and the e-mail/phone a UsernameAttributes pool signs in with."""
    from emulator.userpool import usernames

    attrs = dict(values)
    if usernames.username_attributes(pool):
        attrs[usernames.username_kind(pool, username)] = username
    return attrs
