"""USER_AUTH, choice-based sign-in: the user picks the first factor (reference §4), and GetUserAuthFactors.

``InitiateAuth USER_AUTH {USERNAME, PREFERRED_CHALLENGE?}`` needs ALLOW_USER_AUTH on the
client and offers what the pool's SignInPolicy.AllowedFirstAuthFactors allows and the
user can do: PASSWORD_SRP and PASSWORD with a password, EMAIL_OTP with an e-mail address,
SMS_OTP with a phone number (FORCE_CHANGE_PASSWORD users only the two password ones [O]).

- With an available PREFERRED_CHALLENGE that method starts at once: PASSWORD with the
  PASSWORD parameter signs in (then MFA as after any password), PASSWORD_SRP with SRP_A
  answers PASSWORD_VERIFIER, EMAIL_OTP / SMS_OTP send an 8-digit code [O] and answer that
  challenge with ``AvailableChallenges`` naming it [O].
- Otherwise SELECT_CHALLENGE lists ``AvailableChallenges``; the ANSWER may carry the
  method's own parameter (PASSWORD, SRP_A) to go on in one step.

A one-time code signs in by itself: no MFA follows it. WEB_AUTHN (passkeys) is not
emulated: it is never offered, and the WebAuthn operations are not implemented.
"""

from __future__ import annotations

from typing import Any

from emulator.context import Context
from emulator.triggers import auth as auth_triggers
from emulator.errors import FeatureUnavailableInTierException, InvalidParameterException, NotAuthorizedException
from emulator.protocol.registry import operation
from emulator.userpool import directory
from emulator.userpool.auth import access, gate, mfa, outcome, password_flow, sessions, srp_flow
from emulator.userpool.auth import mfa_settings as settings
from emulator.userpool.directory_models import User
from emulator.userpool.lookup import get_pool
from emulator.userpool.models import AppClient, UserPool

SELECT_CHALLENGE = "SELECT_CHALLENGE"
PASSWORD = "PASSWORD"
PASSWORD_SRP = "PASSWORD_SRP"
EMAIL_OTP = "EMAIL_OTP"
SMS_OTP = "SMS_OTP"
NOT_OFFERED = "{answer} is not an available challenge for the user."  # [U]


def allowed_factors(pool: UserPool) -> list[str]:
    return list((pool.config.get("Policies", {}).get("SignInPolicy") or {}).get("AllowedFirstAuthFactors")
                or [PASSWORD])


def available(pool: UserPool, user: User) -> list[str]:
    """The first factors this user may choose, in the order Cognito lists them."""
    allowed = allowed_factors(pool)
    attrs = user.attributes or {}
    result: list[str] = []
    if PASSWORD in allowed and user.password_verifier:
        result += [PASSWORD_SRP, PASSWORD]
    if user.status == "FORCE_CHANGE_PASSWORD":
        return result
    if EMAIL_OTP in allowed and attrs.get("email"):
        result.append(EMAIL_OTP)
    if SMS_OTP in allowed and attrs.get("phone_number"):
        result.append(SMS_OTP)
    return result


def start(ctx: Context, pool: UserPool, client: AppClient, params: dict[str, Any]) -> dict[str, Any]:
    """InitiateAuth USER_AUTH."""
    (username,) = gate.require(params, "USERNAME")
    if pool.config.get("UserPoolTier") == "LITE":
        raise FeatureUnavailableInTierException("Choice-based sign-in requires the ESSENTIALS or PLUS feature plan.")
    user = gate.find_user(ctx, pool, username)
    gate.check_secret(client, params.get("SECRET_HASH"), username, user)
    if user is None:
        raise gate.unknown_user_error(client)
    auth_triggers.pre_authentication(ctx, pool, client, user, username)
    gate.check_status_before_password(client, user)
    choices = available(pool, user)
    if not choices:
        raise NotAuthorizedException(gate.WRONG_CREDENTIALS)
    state = {"device_key": params["DEVICE_KEY"]} if params.get("DEVICE_KEY") else {}
    preferred = params.get("PREFERRED_CHALLENGE")
    if preferred in choices:
        return _begin(ctx, pool, client, user, preferred, params, state)
    session = sessions.start(ctx, client, user, SELECT_CHALLENGE, {**state, "choices": choices})
    result = outcome.challenge(SELECT_CHALLENGE, session, {})
    result["AvailableChallenges"] = choices
    return result


def _begin(ctx: Context, pool: UserPool, client: AppClient, user: User, method: str, given: dict[str, Any],
           state: dict[str, Any]) -> dict[str, Any]:
    """Start ``method``; with its parameter at hand (PASSWORD, SRP_A) go straight on."""
    if method == PASSWORD and given.get("PASSWORD"):
        return _password(ctx, pool, client, user, str(given["PASSWORD"]), state.get("device_key"))
    if method == PASSWORD_SRP and given.get("SRP_A"):
        return srp_flow.start(ctx, pool, client, {
            "USERNAME": given.get("USERNAME") or user.username, "SRP_A": given["SRP_A"],
            "SECRET_HASH": given.get("SECRET_HASH"),
        })
    if method in (PASSWORD, PASSWORD_SRP):
        session = sessions.start(ctx, client, user, method, state)
        return outcome.challenge(method, session, {})
    factor = mfa.EMAIL_OTP if method == EMAIL_OTP else mfa.SMS_OTP
    result = mfa.issue(ctx, pool, client, user, factor, state, digits=mfa.OTP_CODE_DIGITS)
    result["AvailableChallenges"] = [method]
    return result


def _password(ctx: Context, pool: UserPool, client: AppClient, user: User, password: str,
              device_key: str | None) -> dict[str, Any]:
    """The password checks of a password sign-in, then MFA and the rest."""
    gate.check_status_before_password(client, user)
    if not password_flow.password_ok(pool, user, password):
        raise gate.wrong_password(user)
    gate.check_status_after_password(ctx, pool, user)
    return outcome.after_password(ctx, pool, client, user, device_key)


def respond_select(ctx: Context, pool: UserPool, client: AppClient, responses: dict[str, Any],
                   session_text: str | None) -> dict[str, Any]:
    """SELECT_CHALLENGE {USERNAME, ANSWER[, PASSWORD | SRP_A]}."""
    row, user = mfa.session_user(ctx, pool, client, responses, session_text, SELECT_CHALLENGE, mark_used=False)
    (answer,) = gate.require(responses, "ANSWER")
    state = dict(row.state or {})
    if answer not in (state.get("choices") or []):
        raise InvalidParameterException(NOT_OFFERED.format(answer=answer))
    row.used = True
    carried = {k: v for k, v in state.items() if k != "choices"}
    return _begin(ctx, pool, client, user, answer, responses, carried)


def respond_password(ctx: Context, pool: UserPool, client: AppClient, responses: dict[str, Any],
                     session_text: str | None) -> dict[str, Any]:
    """PASSWORD {USERNAME, PASSWORD} after USER_AUTH offered it."""
    row, user = mfa.session_user(ctx, pool, client, responses, session_text, PASSWORD)
    (password,) = gate.require(responses, "PASSWORD")
    return _password(ctx, pool, client, user, password, (row.state or {}).get("device_key"))


def respond_password_srp(ctx: Context, pool: UserPool, client: AppClient, responses: dict[str, Any],
                         session_text: str | None) -> dict[str, Any]:
    """PASSWORD_SRP {USERNAME, SRP_A}: the SRP exchange goes on as USER_SRP_AUTH's."""
    _, user = mfa.session_user(ctx, pool, client, responses, session_text, PASSWORD_SRP)
    (a_hex,) = gate.require(responses, "SRP_A")
    return srp_flow.start(ctx, pool, client, {
        "USERNAME": responses["USERNAME"], "SRP_A": a_hex, "SECRET_HASH": responses.get("SECRET_HASH"),
    })


def auth_factors(pool: UserPool, user: User) -> dict[str, Any]:
    """GetUserAuthFactors' answer: the MFA settings and the first factors USER_AUTH would offer."""
    result: dict[str, Any] = {"Username": user.username,
                              "ConfiguredUserAuthFactors": [f for f in available(pool, user) if f != PASSWORD_SRP]}
    if settings.enabled(user):
        result["UserMFASettingList"] = settings.enabled(user)
    if settings.preferred(user):
        result["PreferredMfaSetting"] = settings.preferred(user)
    return result


@operation("cognito-idp", "GetUserAuthFactors", readonly=True)
def get_user_auth_factors(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    caller = access.authenticate(ctx, params["AccessToken"])
    return auth_factors(caller.pool, caller.user)


@operation("cognito-idp", "AdminGetUserAuthFactors", readonly=True)
def admin_get_user_auth_factors(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    pool = get_pool(ctx.db, params["UserPoolId"])
    return auth_factors(pool, directory.require_target(ctx.db, pool, params["Username"]))
