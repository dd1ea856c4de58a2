"""DefineAuthChallenge, CreateAuthChallenge and VerifyAuthChallengeResponse (CUSTOM_AUTH).

The events carry the sign-in's ``session``: one ``{challengeName, challengeResult,
challengeMetadata}`` per step so far (``SRP_A`` and ``PASSWORD_VERIFIER`` for the
SRP-then-custom variant, ``CUSTOM_CHALLENGE`` for each answer). ``userNotFound`` is sent
when the client hides user existence. ClientMetadata reaches them only from
RespondToAuthChallenge (InitiateAuth does not pass it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from emulator.context import Context
from emulator.triggers import events
from emulator.userpool.directory_models import User
from emulator.userpool.models import AppClient, UserPool

DEFINE = "DefineAuthChallenge_Authentication"
CREATE = "CreateAuthChallenge_Authentication"
VERIFY = "VerifyAuthChallengeResponse_Authentication"


@dataclass(frozen=True)
class Decision:
    """DefineAuthChallenge's answer."""

    challenge: str | None
    issue_tokens: bool
    fail: bool


@dataclass(frozen=True)
class Created:
    """CreateAuthChallenge's answer."""

    public: dict[str, str]
    private: dict[str, str]
    metadata: str | None


def _request(ctx: Context, pool: UserPool, client: AppClient, user: User | None, flow: dict[str, Any],
             **extra: Any) -> dict[str, Any]:
    from emulator.userpool.client_config import prevent_user_existence_errors

    request: dict[str, Any] = {"userAttributes": events.user_attributes(pool, user), **extra}
    events.with_metadata(request, events.metadata_after_initiate(ctx))
    if prevent_user_existence_errors(client.config or {}) == "ENABLED":
        request["userNotFound"] = bool(flow.get("not_found"))
    return request


def define(ctx: Context, pool: UserPool, client: AppClient, user: User | None, flow: dict[str, Any]) -> Decision:
    request = _request(ctx, pool, client, user, flow, session=list(flow["history"]))
    response = events.run(ctx, pool, "DefineAuthChallenge", DEFINE, user_name=flow["username"],
                          client_id=client.client_id, request=request,
                          response={"challengeName": None, "issueTokens": None, "failAuthentication": None})
    return Decision(events.optional_text(response, "challengeName"), events.boolean(response, "issueTokens"),
                    events.boolean(response, "failAuthentication"))


def create(ctx: Context, pool: UserPool, client: AppClient, user: User | None, flow: dict[str, Any],
           challenge: str) -> Created:
    request = _request(ctx, pool, client, user, flow, challengeName=challenge, session=list(flow["history"]))
    response = events.run(ctx, pool, "CreateAuthChallenge", CREATE, user_name=flow["username"],
                          client_id=client.client_id, request=request,
                          response={"publicChallengeParameters": None, "privateChallengeParameters": None,
                                    "challengeMetadata": None})
    return Created(events.string_map(response.get("publicChallengeParameters")),
                   events.string_map(response.get("privateChallengeParameters")),
                   events.optional_text(response, "challengeMetadata"))


def verify(ctx: Context, pool: UserPool, client: AppClient, user: User | None, flow: dict[str, Any],
           private: dict[str, str], answer: str) -> bool:
    request = _request(ctx, pool, client, user, flow, privateChallengeParameters=dict(private), challengeAnswer=answer)
    response = events.run(ctx, pool, "VerifyAuthChallengeResponse", VERIFY, user_name=flow["username"],
                          client_id=client.client_id, request=request, response={"answerCorrect": None})
    return events.boolean(response, "answerCorrect")
