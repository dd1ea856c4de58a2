"""What every trigger event shares, which function a pool names, and what the API call gave.

Common parameters (AWS: "User pool Lambda trigger common parameters"):
``{version, triggerSource, region, userPoolId, userName, callerContext{awsSdkVersion,
clientId}, request, response}``. Cognito puts the response skeleton in the event (its
members null or false) and the function returns the whole event.

``note_call`` records, per request, the app client and the ``ClientMetadata`` of the API
call, so that triggers fired deep inside (a message, a token) can report them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from emulator.context import Context
from emulator.errors import InvalidLambdaResponseException
from emulator.triggers import invoke
from emulator.userpool.directory_models import User
from emulator.userpool.models import UserPool

# Admin operations name no app client (observed in real events).
NO_CLIENT = "CLIENT_ID_NOT_APPLICABLE"
# [U] What Cognito puts when the caller's SDK cannot be told from the request.
SDK_VERSION = "aws-sdk-unknown-unknown"
# ClientMetadata of these operations reaches only PreSignUp, PreAuthentication and UserMigration.
INITIATE_OPERATIONS = frozenset({"InitiateAuth", "AdminInitiateAuth"})
_VERSIONED = frozenset({"CustomEmailSender", "CustomSMSSender"})
_CALL_KEY = "_cogito_trigger_call"


@dataclass(frozen=True)
class Call:
    """The API call behind this request, as triggers report it."""

    client_id: str | None = None
    client_metadata: dict[str, str] | None = None


def note_call(ctx: Context, client_id: str | None, client_metadata: dict[str, str] | None = None) -> None:
    vars(ctx)[_CALL_KEY] = Call(client_id, dict(client_metadata) if client_metadata else None)


def call_of(ctx: Context) -> Call:
    found = vars(ctx).get(_CALL_KEY)
    return found if isinstance(found, Call) else Call()


def metadata_after_initiate(ctx: Context) -> dict[str, str] | None:
    """ClientMetadata for triggers that InitiateAuth does not pass it to (PostAuthentication, tokens, challenges)."""
    return None if ctx.operation in INITIATE_OPERATIONS else call_of(ctx).client_metadata


def lambda_config(pool: UserPool) -> dict[str, Any]:
    config = pool.config.get("LambdaConfig")
    return config if isinstance(config, dict) else {}


def function_arn(pool: UserPool, trigger: str) -> str | None:
    """The ARN the pool runs for ``trigger``, or None when it has none."""
    config = lambda_config(pool)
    if not config:
        return None
    if trigger == "PreTokenGeneration":
        versioned = config.get("PreTokenGenerationConfig") or {}
        value = versioned.get("LambdaArn") or config.get("PreTokenGeneration")
    elif trigger in _VERSIONED:
        value = (config.get(trigger) or {}).get("LambdaArn")
    else:
        value = config.get(trigger)
    return value if isinstance(value, str) and value else None


def region_of(pool: UserPool) -> str:
    return pool.id.split("_", 1)[0]


def user_attributes(pool: UserPool, user: User | None) -> dict[str, str]:
    """``request.userAttributes`` of an existing user: its attributes (strings, ``sub``
    included), ``cognito:user_status``, and ``cognito:<kind>_alias`` for held aliases."""
    if user is None:
        return {}
    from emulator.userpool import usernames

    attrs = {k: v for k, v in (user.attributes or {}).items() if not k.startswith("dev:")}
    attrs["cognito:user_status"] = user.status
    aliases = usernames.alias_attributes(pool)
    if aliases:
        for kind, value in usernames.wanted_aliases(pool, user).items():
            if kind in aliases:
                attrs[f"cognito:{kind}_alias"] = value
    return attrs


def event(pool: UserPool, trigger_source: str, user_name: str | None, client_id: str | None,
          request: dict[str, Any], response: dict[str, Any], version: str = "1") -> dict[str, Any]:
    return {
        "version": version,
        "triggerSource": trigger_source,
        "region": region_of(pool),
        "userPoolId": pool.id,
        "userName": user_name,
        "callerContext": {"awsSdkVersion": SDK_VERSION, "clientId": client_id or NO_CLIENT},
        "request": request,
        "response": response,
    }


def run(ctx: Context, pool: UserPool, trigger: str, trigger_source: str, *, user_name: str | None,
        request: dict[str, Any], response: dict[str, Any], client_id: str | None = None,
        version: str = "1") -> dict[str, Any]:
    """Invoke the pool's ``trigger`` function; the ``response`` part of the event it returned."""
    arn = function_arn(pool, trigger)
    if arn is None:  # pragma: no cover - callers check first
        return {}
    sent = event(pool, trigger_source, user_name, client_id, request, response, version)
    returned = invoke.call(ctx, trigger, arn, sent)
    answer = returned.get("response")
    if answer is None:
        return {}
    if not isinstance(answer, dict):
        raise InvalidLambdaResponseException(invoke.UNRECOGNIZABLE)
    return answer


def with_metadata(request: dict[str, Any], metadata: dict[str, str] | None) -> dict[str, Any]:
    if metadata:
        request["clientMetadata"] = dict(metadata)
    return request


# --- reading a response as Cognito's Java side would -------------------------------------

def boolean(response: dict[str, Any], name: str) -> bool:
    """A Boolean member: JSON true/false, null, or the strings "true"/"false" (Jackson coerces them)."""
    value = response.get(name)
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise InvalidLambdaResponseException(invoke.UNRECOGNIZABLE)


def text(value: Any) -> str:
    """A String member: scalars become their JSON text; objects and lists are refused."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    raise InvalidLambdaResponseException(invoke.UNRECOGNIZABLE)


def optional_text(response: dict[str, Any], name: str) -> str | None:
    value = response.get(name)
    return None if value is None else text(value)


def string_map(value: Any) -> dict[str, str]:
    """A map of strings (null is empty)."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InvalidLambdaResponseException(invoke.UNRECOGNIZABLE)
    return {str(k): text(v) for k, v in value.items() if v is not None}


def string_list(value: Any) -> list[str] | None:
    """A list of strings; None when the member is null or absent."""
    if value is None:
        return None
    if not isinstance(value, list):
        raise InvalidLambdaResponseException(invoke.UNRECOGNIZABLE)
    return [text(v) for v in value]



_SOURCE_KEY = "_cogito_token_source"


def note_token_source(ctx: Context, trigger_source: str) -> None:
    """The PreTokenGeneration source of the tokens this request mints (default: Authentication)."""
    vars(ctx)[_SOURCE_KEY] = trigger_source


def token_source(ctx: Context) -> str:
    return str(vars(ctx).get(_SOURCE_KEY) or "TokenGeneration_Authentication")
