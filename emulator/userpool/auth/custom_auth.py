"""CUSTOM_AUTH: the DefineAuthChallenge / CreateAuthChallenge / VerifyAuthChallengeResponse loop.

InitiateAuth ``CUSTOM_AUTH {USERNAME[, SRP_A, CHALLENGE_NAME: "SRP_A"]}`` asks
DefineAuthChallenge what comes first. Its answer decides every step:
- ``failAuthentication``: NotAuthorizedException ``Incorrect username or password.``;
- ``issueTokens``: the sign-in completes (PostAuthentication, PreTokenGeneration, tokens);
- ``challengeName: CUSTOM_CHALLENGE``: CreateAuthChallenge makes it; the client gets its
  ``publicChallengeParameters`` (plus ``USERNAME``) and a Session, and answers
  ``ANSWER``, which VerifyAuthChallengeResponse judges; then DefineAuthChallenge again;
- ``challengeName: PASSWORD_VERIFIER`` (SRP then custom): the client sent ``SRP_A``
  with ``CHALLENGE_NAME: SRP_A``; it proves the password as in USER_SRP_AUTH, and the
  proof goes back to DefineAuthChallenge.

Each step's Session is single-use and carries the history DefineAuthChallenge sees
(``request.session``). Without a DefineAuthChallenge trigger: InvalidParameterException
``Custom auth lambda trigger is not configured for the user pool.`` An unknown user is
reported as in the password flows, except that a client hiding user existence runs the
loop with ``userNotFound`` and can only ever fail.
"""

from __future__ import annotations

from typing import Any

from emulator.context import Context
from emulator.errors import (
    InvalidLambdaResponseException,
    InvalidParameterException,
    NotAuthorizedException,
    PasswordResetRequiredException,
)
from emulator.triggers import auth as auth_triggers
from emulator.triggers import challenges, events, invoke
from emulator.userpool.auth import gate, outcome, sessions, srp_flow
from emulator.userpool.directory_models import User
from emulator.userpool.models import AppClient, UserPool

CUSTOM_CHALLENGE = "CUSTOM_CHALLENGE"
PASSWORD_VERIFIER = "PASSWORD_VERIFIER"
SRP_A = "SRP_A"
NOT_CONFIGURED = "Custom auth lambda trigger is not configured for the user pool."


def _require_trigger(pool: UserPool, trigger: str) -> None:
    if events.function_arn(pool, trigger) is None:
        raise InvalidParameterException(NOT_CONFIGURED)


def start(ctx: Context, pool: UserPool, client: AppClient, params: dict[str, Any]) -> dict[str, Any]:
    (username,) = gate.require(params, "USERNAME")
    _require_trigger(pool, "DefineAuthChallenge")
    a_pub = None
    if params.get("CHALLENGE_NAME") == SRP_A:
        (a_hex,) = gate.require(params, "SRP_A")
        a_pub = srp_flow.client_public(a_hex)
    user = gate.find_user(ctx, pool, username)
    gate.check_secret(client, params.get("SECRET_HASH"), username, user)
    if user is None and not gate.hides_existence(client):
        raise gate.unknown_user_error(client)
    if user is not None:
        gate.check_status_before_password(client, user)
    auth_triggers.pre_authentication(ctx, pool, client, user, username)
    flow: dict[str, Any] = {
        "username": user.username if user is not None else username,
        "not_found": user is None,
        "history": [{"challengeName": SRP_A, "challengeResult": True, "challengeMetadata": None}] if a_pub else [],
        "srp_a": format(a_pub, "x") if a_pub else None,
    }
    return _next(ctx, pool, client, user, flow)


def respond(ctx: Context, pool: UserPool, client: AppClient, responses: dict[str, Any],
            session_text: str | None) -> dict[str, Any]:
    """CUSTOM_CHALLENGE ``{USERNAME, ANSWER}``: VerifyAuthChallengeResponse, then DefineAuthChallenge."""
    username, answer = gate.require(responses, "USERNAME", "ANSWER")
    row = sessions.take(ctx, client, session_text, CUSTOM_CHALLENGE)
    state = dict(row.state or {})
    user = ctx.db.get(User, row.user_id) if row.user_id else None
    gate.check_secret(client, responses.get("SECRET_HASH"), username, user)
    if username != state.get("username") and (user is None or gate.find_user(ctx, pool, username) is not user):
        raise NotAuthorizedException(sessions.INVALID)
    _require_trigger(pool, "VerifyAuthChallengeResponse")
    flow = {key: state[key] for key in ("username", "not_found", "history", "srp_a")}
    correct = challenges.verify(ctx, pool, client, user, flow, state.get("private") or {}, answer)
    flow["history"] = [*flow["history"], {"challengeName": CUSTOM_CHALLENGE, "challengeResult": correct,
                                          "challengeMetadata": state.get("metadata")}]
    return _next(ctx, pool, client, user, flow)


def after_password_verifier(ctx: Context, pool: UserPool, client: AppClient, user: User,
                            flow: dict[str, Any]) -> dict[str, Any]:
    """The SRP proof of a CUSTOM_AUTH sign-in was right: back to DefineAuthChallenge."""
    step = {"challengeName": PASSWORD_VERIFIER, "challengeResult": True, "challengeMetadata": None}
    return _next(ctx, pool, client, user, {**flow, "history": [*flow["history"], step], "srp_a": None})


def _next(ctx: Context, pool: UserPool, client: AppClient, user: User | None, flow: dict[str, Any]) -> dict[str, Any]:
    """Ask DefineAuthChallenge and do what it says."""
    decision = challenges.define(ctx, pool, client, user, flow)
    if decision.fail:
        raise NotAuthorizedException(gate.WRONG_CREDENTIALS)
    if decision.issue_tokens:
        if user is None or flow["not_found"]:
            raise NotAuthorizedException(gate.WRONG_CREDENTIALS)
        if user.status == "RESET_REQUIRED":
            raise PasswordResetRequiredException(gate.RESET_REQUIRED)
        return outcome.tokens_result(ctx, pool, client, user)
    if decision.challenge == CUSTOM_CHALLENGE:
        _require_trigger(pool, "CreateAuthChallenge")
        created = challenges.create(ctx, pool, client, user, flow, CUSTOM_CHALLENGE)
        state = {**flow, "private": created.private, "metadata": created.metadata}
        session = sessions.start(ctx, client, user, CUSTOM_CHALLENGE, state)
        return outcome.challenge(CUSTOM_CHALLENGE, session, {**created.public, "USERNAME": flow["username"]})
    if decision.challenge == PASSWORD_VERIFIER:
        if not flow.get("srp_a"):
            raise InvalidParameterException("Missing required parameter SRP_A")
        return srp_flow.verifier_challenge(ctx, pool, client, user, flow["username"], int(flow["srp_a"], 16),
                                           custom_auth=flow)
    raise InvalidLambdaResponseException(invoke.UNRECOGNIZABLE)
