"""The sign-in tables: AuthFlow → how it starts, ChallengeName → how it is answered.

A flow or challenge not in the tables is one Cogito does not implement yet: it answers
InvalidParameterException naming it rather than pretending.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Any

from emulator.context import Context
from emulator.errors import InvalidParameterException, NotAuthorizedException
from emulator.userpool import secret_hash
from emulator.userpool.auth import gate, new_password, password_flow, refresh, srp_flow
from emulator.userpool.models import AppClient, UserPool

Start = Callable[[Context, UserPool, AppClient, dict[str, Any]], dict[str, Any]]
Respond = Callable[[Context, UserPool, AppClient, dict[str, Any], "str | None"], dict[str, Any]]


def _refresh_start(ctx: Context, pool: UserPool, client: AppClient, params: dict[str, Any]) -> dict[str, Any]:
    (text,) = gate.require(params, "REFRESH_TOKEN")
    row, user = refresh.usable(ctx, client, text)
    if client.secret:
        given = params.get("SECRET_HASH")
        if not given:
            raise NotAuthorizedException(secret_hash.missing_message(client.client_id))
        names = [user.username, user.sub, *(user.attributes or {}).get("email", "").split(),
                 *(user.attributes or {}).get("phone_number", "").split(),
                 *(user.attributes or {}).get("preferred_username", "").split()]
        if not any(hmac.compare_digest(secret_hash.compute(client.secret, n, client.client_id), given) for n in names):
            raise NotAuthorizedException(f"SecretHash does not match for the client: {client.client_id}")
    return {"ChallengeParameters": {}, "AuthenticationResult": refresh.refresh(ctx, pool, client, text)}


START: dict[str, Start] = {
    "USER_PASSWORD_AUTH": password_flow.start,
    "ADMIN_USER_PASSWORD_AUTH": password_flow.start,
    "ADMIN_NO_SRP_AUTH": password_flow.start,
    "USER_SRP_AUTH": srp_flow.start,
    "REFRESH_TOKEN_AUTH": _refresh_start,
    "REFRESH_TOKEN": _refresh_start,
}

RESPOND: dict[str, Respond] = {
    "PASSWORD_VERIFIER": srp_flow.respond,
    "NEW_PASSWORD_REQUIRED": new_password.respond,
}


def initiate(ctx: Context, pool: UserPool, client: AppClient, params: dict[str, Any], *, admin: bool) -> dict[str, Any]:
    flow = params["AuthFlow"]
    gate.check_flow_allowed(flow, admin=admin)
    gate.check_flow_enabled(client, flow)
    starter = START.get(flow)
    if starter is None:
        raise InvalidParameterException(f"Cogito does not implement the {flow} flow yet.")
    return starter(ctx, pool, client, dict(params.get("AuthParameters") or {}))


def respond(ctx: Context, pool: UserPool, client: AppClient, params: dict[str, Any]) -> dict[str, Any]:
    name = params["ChallengeName"]
    responder = RESPOND.get(name)
    if responder is None:
        raise InvalidParameterException(f"Cogito does not implement the {name} challenge yet.")
    return responder(ctx, pool, client, dict(params.get("ChallengeResponses") or {}), params.get("Session"))
