"""The sign-in tables: AuthFlow → how it starts, ChallengeName → how it is answered.

A flow or challenge not in the tables is one Cogito does not implement yet: it answers
InvalidParameterException naming it rather than pretending.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from emulator.context import Context
from emulator.errors import InvalidParameterException
from emulator.triggers.events import note_call
from emulator.userpool.auth import custom_auth
from emulator.userpool.auth import device_srp, gate, mfa, new_password, password_flow, refresh, srp_flow, user_auth
from emulator.userpool.models import AppClient, UserPool

Start = Callable[[Context, UserPool, AppClient, dict[str, Any]], dict[str, Any]]
Respond = Callable[[Context, UserPool, AppClient, dict[str, Any], "str | None"], dict[str, Any]]


START: dict[str, Start] = {
    "USER_PASSWORD_AUTH": password_flow.start,
    "ADMIN_USER_PASSWORD_AUTH": password_flow.start,
    "ADMIN_NO_SRP_AUTH": password_flow.start,
    "USER_SRP_AUTH": srp_flow.start,
    "REFRESH_TOKEN_AUTH": refresh.start,
    "REFRESH_TOKEN": refresh.start,
    "USER_AUTH": user_auth.start,
    "CUSTOM_AUTH": custom_auth.start,
}

RESPOND: dict[str, Respond] = {
    "PASSWORD_VERIFIER": srp_flow.respond,
    "NEW_PASSWORD_REQUIRED": new_password.respond,
    "SMS_MFA": mfa.respond_sms,
    "EMAIL_OTP": mfa.respond_email,
    "SMS_OTP": mfa.respond_sms_otp,
    "SOFTWARE_TOKEN_MFA": mfa.respond_totp,
    "SELECT_MFA_TYPE": mfa.respond_select,
    "MFA_SETUP": mfa.respond_setup,
    "DEVICE_SRP_AUTH": device_srp.respond_auth,
    "DEVICE_PASSWORD_VERIFIER": device_srp.respond_verifier,
    "SELECT_CHALLENGE": user_auth.respond_select,
    "PASSWORD": user_auth.respond_password,
    "PASSWORD_SRP": user_auth.respond_password_srp,
    "CUSTOM_CHALLENGE": custom_auth.respond,
}


def initiate(ctx: Context, pool: UserPool, client: AppClient, params: dict[str, Any], *, admin: bool) -> dict[str, Any]:
    flow = params["AuthFlow"]
    gate.check_flow_allowed(flow, admin=admin)
    gate.check_flow_enabled(client, flow)
    starter = START.get(flow)
    if starter is None:
        raise InvalidParameterException(f"Cogito does not implement the {flow} flow yet.")
    note_call(ctx, client.client_id, params.get("ClientMetadata"))
    return starter(ctx, pool, client, dict(params.get("AuthParameters") or {}))


def respond(ctx: Context, pool: UserPool, client: AppClient, params: dict[str, Any]) -> dict[str, Any]:
    name = params["ChallengeName"]
    responder = RESPOND.get(name)
    if responder is None:
        raise InvalidParameterException(f"Cogito does not implement the {name} challenge yet.")
    note_call(ctx, client.client_id, params.get("ClientMetadata"))
    return responder(ctx, pool, client, dict(params.get("ChallengeResponses") or {}), params.get("Session"))
