"""MFA at sign-in: which challenge follows a proven first factor, and the answers to them.

After the password (``outcome.after_password``): a remembered device may stand in for
MFA (``devices.skips_mfa``); otherwise, when MFA applies (pool ON, or OPTIONAL with a
factor on), the user gets the preferred factor's challenge, the only factor's, or
SELECT_MFA_TYPE to pick one; a required-MFA user with no usable factor gets MFA_SETUP.
Then device authentication (DEVICE_SRP_AUTH) for a remembered device, then the tokens.

SMS and e-mail codes (6 digits) live in the session, so they last as long as it does
(the client's AuthSessionValidity, 3–15 minutes). A wrong code is CodeMismatchException
and leaves the session usable for another try; an expired session is
NotAuthorizedException "Invalid session for the user, session is expired.".
"""

from __future__ import annotations

import hmac
import json
from typing import Any

from emulator.context import Context
from emulator.errors import (
    AliasExistsException,
    CodeMismatchException,
    InvalidParameterException,
    NotAuthorizedException,
    SoftwareTokenMFANotFoundException,
)
from emulator.userpool import codes, devices, directory, outbox, templates, usernames
from emulator.userpool.auth import device_srp, gate, outcome, sessions, totp
from emulator.userpool.auth import mfa_settings as settings
from emulator.userpool.auth.models import AuthSession
from emulator.userpool.directory_models import User
from emulator.userpool.models import AppClient, UserPool

SMS_MFA = settings.SMS
SOFTWARE_TOKEN_MFA = settings.TOTP
EMAIL_OTP = settings.EMAIL
SMS_OTP = "SMS_OTP"
SELECT_MFA_TYPE = "SELECT_MFA_TYPE"
MFA_SETUP = "MFA_SETUP"
CODE_MISMATCH = "Invalid code or auth state for the user."  # [O]
NO_TOTP = "Software Token MFA does not exist for the user."  # [O]
# [U] Cognito's default MFA texts as remembered from the console.
DEFAULT_MESSAGE = "Your authentication code is {####}. "
DEFAULT_SUBJECT = "Your authentication code"
MFA_CODE_DIGITS = 6
OTP_CODE_DIGITS = 8  # passwordless sign-in codes [O]
_CODE_FIELDS = {
    SMS_MFA: ("SMS_MFA_CODE",),
    EMAIL_OTP: ("EMAIL_OTP_CODE", "EMAIL_MFA_CODE"),
    SMS_OTP: ("SMS_OTP_CODE", "SMS_MFA_CODE"),
    SOFTWARE_TOKEN_MFA: ("SOFTWARE_TOKEN_MFA_CODE",),
}


# --- Choosing the next step ---------------------------------------------------------------------------


def after_first_factor(ctx: Context, pool: UserPool, client: AppClient, user: User,
                       device_key: str | None) -> dict[str, Any]:
    """The step after a proven password: MFA, device authentication, or the tokens."""
    device = devices.for_sign_in(ctx, user, device_key)
    if user.failed_attempts:
        user.failed_attempts = 0
    if not devices.skips_mfa(pool, device):
        step = start(ctx, pool, client, user, {"device_key": device_key} if device_key else {})
        if step is not None:
            return step
    return finish(ctx, pool, client, user, device_key)


def start(ctx: Context, pool: UserPool, client: AppClient, user: User, state: dict[str, Any]) -> dict[str, Any] | None:
    """The MFA challenge this user owes, or None when MFA does not apply."""
    if not settings.applies(pool, user):
        return None
    factors = settings.usable(pool, user)
    if not factors:
        session = sessions.start(ctx, client, user, MFA_SETUP, {**state, "stage": "setup"})
        return outcome.challenge(MFA_SETUP, session, {
            "MFAS_CAN_SETUP": json.dumps(settings.pool_factors(pool)), "USER_ID_FOR_SRP": user.username,
        })
    chosen = settings.preferred(user)
    if chosen not in factors:
        chosen = factors[0] if len(factors) == 1 else None
    if chosen is None:
        session = sessions.start(ctx, client, user, SELECT_MFA_TYPE, {**state, "choices": factors})
        return outcome.challenge(SELECT_MFA_TYPE, session, {
            "MFAS_CAN_CHOOSE": json.dumps(factors), "USER_ID_FOR_SRP": user.username,
        })
    return issue(ctx, pool, client, user, chosen, state)


def finish(ctx: Context, pool: UserPool, client: AppClient, user: User, device_key: str | None) -> dict[str, Any]:
    """Every factor passed: device authentication for a remembered device, else the tokens."""
    device = devices.for_sign_in(ctx, user, device_key)
    if devices.authenticates(device):
        return device_srp.challenge(ctx, client, user, device)
    return outcome.tokens_result(ctx, pool, client, user, device)


# --- Issuing a factor's challenge ---------------------------------------------------------------------------


def _message_text(pool: UserPool, medium: str) -> tuple[str, str | None]:
    mfa = pool.config.get("MfaSettings") or {}
    if medium == "SMS":
        text = ((mfa.get("SmsMfaConfiguration") or {}).get("SmsAuthenticationMessage")
                or pool.config.get("SmsAuthenticationMessage") or DEFAULT_MESSAGE)
        return text, None
    email = mfa.get("EmailMfaConfiguration") or {}
    return email.get("Message") or DEFAULT_MESSAGE, email.get("Subject") or DEFAULT_SUBJECT


def send_code(ctx: Context, pool: UserPool, user: User, factor: str, digits: int) -> tuple[str, dict[str, str]]:
    """Send a sign-in code for ``factor`` to the user's phone or e-mail; the code and the challenge parameters."""
    attribute = "email" if factor == EMAIL_OTP else "phone_number"
    medium = "EMAIL" if attribute == "email" else "SMS"
    destination = (user.attributes or {}).get(attribute, "")
    code = codes.new_code(ctx, digits)
    text, subject = _message_text(pool, medium)
    outbox.send(ctx, pool_id=pool.id, username=user.username, kind="MFA" if digits == MFA_CODE_DIGITS else "SIGN_IN",
                medium=medium, destination=destination, subject=subject, body=templates.fill(text, code), code=code)
    return code, {
        "CODE_DELIVERY_DELIVERY_MEDIUM": medium, "CODE_DELIVERY_DESTINATION": outbox.mask(medium, destination),
        "USER_ID_FOR_SRP": user.username,
    }


def issue(ctx: Context, pool: UserPool, client: AppClient, user: User, factor: str,
          state: dict[str, Any], *, digits: int = MFA_CODE_DIGITS) -> dict[str, Any]:
    """The challenge for one factor (a code is sent for SMS and e-mail), in a fresh session."""
    if factor == SOFTWARE_TOKEN_MFA:
        session = sessions.start(ctx, client, user, factor, dict(state))
        return outcome.challenge(factor, session, {"USER_ID_FOR_SRP": user.username})
    code, params = send_code(ctx, pool, user, EMAIL_OTP if factor == EMAIL_OTP else SMS_MFA, digits)
    session = sessions.start(ctx, client, user, factor, {**state, "code": code})
    return outcome.challenge(factor, session, params)


# --- Answers -----------------------------------------------------------------------------------------------


def session_user(ctx: Context, pool: UserPool, client: AppClient, responses: dict[str, Any],
                 session_text: str | None, challenge: str, *, mark_used: bool = True) -> tuple[AuthSession, User]:
    """The session and its user for an answer, with USERNAME and SECRET_HASH checked."""
    (username,) = gate.require(responses, "USERNAME")
    row = sessions.take(ctx, client, session_text, challenge, mark_used=mark_used)
    user = ctx.db.get(User, row.user_id) if row.user_id else None
    if user is None:
        raise NotAuthorizedException(sessions.INVALID)
    gate.check_secret(client, responses.get("SECRET_HASH"), username, user)
    if username != user.username and gate.find_user(ctx, pool, username) is not user:
        raise NotAuthorizedException(sessions.INVALID)
    if not user.enabled:
        raise NotAuthorizedException("User is disabled.")
    return row, user


def _given_code(responses: dict[str, Any], challenge: str) -> str:
    fields = _CODE_FIELDS[challenge]
    for name in fields:
        if responses.get(name):
            return str(responses[name])
    raise InvalidParameterException(f"Missing required parameter {fields[0]}")


def _mark_verified(ctx: Context, pool: UserPool, user: User, attribute: str) -> None:
    """AWS: "When a user completes their first MFA, Amazon Cognito marks their email address or
    phone number as verified." (Left unverified if another user holds it as a verified alias.)"""
    attrs = user.attributes or {}
    flag = f"{attribute}_verified"
    if not attrs.get(attribute) or attrs.get(flag) == "true":
        return
    previous = attrs.get(flag)
    directory.set_attributes(user, {flag: "true"})
    try:
        usernames.sync_aliases(ctx, pool, user)
    except AliasExistsException:
        directory.set_attributes(user, {flag: previous})


def check_code(ctx: Context, pool: UserPool, row: AuthSession, user: User, challenge: str,
               given: str) -> dict[str, Any]:
    """Spend the session if ``given`` is its right code (else CodeMismatchException, session kept).

    Returns the session's state. A code sent by message also proves the phone or e-mail.
    """
    state = dict(row.state or {})
    if challenge == SOFTWARE_TOKEN_MFA:
        secret = settings.totp_secret(user)
        if not secret:
            raise SoftwareTokenMFANotFoundException(NO_TOTP)
        right = totp.matches(secret, given, ctx.now)
    else:
        right = hmac.compare_digest(str(state.get("code", "")).encode(), given.encode())
    if not right:
        raise CodeMismatchException(CODE_MISMATCH)
    row.used = True
    if challenge != SOFTWARE_TOKEN_MFA:
        _mark_verified(ctx, pool, user, "email" if challenge == EMAIL_OTP else "phone_number")
    if state.get("enable"):  # e-mail MFA set up during MFA_SETUP
        data = settings.read(user)
        data["enabled"] = [*data.get("enabled", []), state["enable"]]
        settings.save(user, data)
    return state


def respond_code(ctx: Context, pool: UserPool, client: AppClient, responses: dict[str, Any],
                 session_text: str | None, challenge: str) -> dict[str, Any]:
    """SMS_MFA, EMAIL_OTP, SMS_OTP and SOFTWARE_TOKEN_MFA: check the code, then the next step."""
    row, user = session_user(ctx, pool, client, responses, session_text, challenge, mark_used=False)
    state = check_code(ctx, pool, row, user, challenge, _given_code(responses, challenge))
    return finish(ctx, pool, client, user, state.get("device_key"))


def respond_sms(ctx: Context, pool: UserPool, client: AppClient, responses: dict[str, Any],
                session_text: str | None) -> dict[str, Any]:
    return respond_code(ctx, pool, client, responses, session_text, SMS_MFA)


def respond_email(ctx: Context, pool: UserPool, client: AppClient, responses: dict[str, Any],
                  session_text: str | None) -> dict[str, Any]:
    return respond_code(ctx, pool, client, responses, session_text, EMAIL_OTP)


def respond_sms_otp(ctx: Context, pool: UserPool, client: AppClient, responses: dict[str, Any],
                    session_text: str | None) -> dict[str, Any]:
    return respond_code(ctx, pool, client, responses, session_text, SMS_OTP)


def respond_totp(ctx: Context, pool: UserPool, client: AppClient, responses: dict[str, Any],
                 session_text: str | None) -> dict[str, Any]:
    return respond_code(ctx, pool, client, responses, session_text, SOFTWARE_TOKEN_MFA)


def respond_select(ctx: Context, pool: UserPool, client: AppClient, responses: dict[str, Any],
                   session_text: str | None) -> dict[str, Any]:
    """SELECT_MFA_TYPE: ANSWER names one of MFAS_CAN_CHOOSE (EMAIL_MFA is taken for EMAIL_OTP)."""
    row, user = session_user(ctx, pool, client, responses, session_text, SELECT_MFA_TYPE, mark_used=False)
    (answer,) = gate.require(responses, "ANSWER")
    answer = EMAIL_OTP if answer == "EMAIL_MFA" else answer
    state = dict(row.state or {})
    if answer not in (state.get("choices") or []):
        raise InvalidParameterException(f"Invalid ANSWER: {answer} is not an MFA type the user can choose.")
    row.used = True
    return issue(ctx, pool, client, user, answer, {k: v for k, v in state.items() if k != "choices"})


def respond_setup(ctx: Context, pool: UserPool, client: AppClient, responses: dict[str, Any],
                  session_text: str | None) -> dict[str, Any]:
    """MFA_SETUP: with the Session VerifySoftwareToken returned, the sign-in completes.

    Amplify's e-mail set-up sends ``EMAIL`` with the MFA_SETUP session instead: the address
    becomes the user's e-mail and an EMAIL_OTP challenge proves it (then e-mail MFA is on).
    """
    row, user = session_user(ctx, pool, client, responses, session_text, MFA_SETUP)
    state = dict(row.state or {})
    carried = {"device_key": state["device_key"]} if state.get("device_key") else {}
    if state.get("stage") == "verified":
        return finish(ctx, pool, client, user, state.get("device_key"))
    email = responses.get("EMAIL")
    if email and EMAIL_OTP in settings.pool_factors(pool):
        from emulator.userpool import attributes

        attributes.validate_update(pool, user, [{"Name": "email", "Value": str(email)}], client=None)
        directory.set_attributes(user, {"email": str(email), "email_verified": "false"})
        user.modified = ctx.now
        usernames.sync_aliases(ctx, pool, user)
        return issue(ctx, pool, client, user, EMAIL_OTP, {**carried, "enable": EMAIL_OTP})
    raise SoftwareTokenMFANotFoundException("Software token MFA has not been verified for the user.")
