"""AWS JSON 1.1 over ``POST /``: route by X-Amz-Target, validate, call, serialize.

Everything a client can send ends as a 200 with the output shape or as a Cognito-shaped
error (``{"__type", "message"}`` plus the ``x-amzn-*`` headers); nothing else escapes.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from typing import TYPE_CHECKING, Any

from emulator import errors
from emulator.context import Context
from emulator.jwks.issuer import base_url_of
from emulator.protocol import registry, specs
from emulator.protocol.validate import summary, validation_errors

if TYPE_CHECKING:
    from flask import Request, Response

    from emulator.server_state import ServerState

log = logging.getLogger("cogito.api")

CONTENT_TYPE = "application/x-amz-json-1.1"
_CREDENTIAL_REGION = re.compile(r"Credential=[^/,\s]+/\d{8}/([a-z0-9-]+)/")
_ID_REGION = re.compile(r"^([a-z]{2}(?:-gov)?-[a-z]+-\d+)[_:]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


_CONTAINERS = (dict, list)


def _prune(value: Any) -> Any:
    """Drop absent (None) members: AWS never sends null.

    Only containers are walked into (a page of 60 users holds thousands of strings).
    """
    if isinstance(value, dict):
        return {k: _prune(v) if isinstance(v, _CONTAINERS) else v for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_prune(v) if isinstance(v, _CONTAINERS) else v for v in value]
    return value


def error_response(err: errors.CognitoError, request_id: str) -> "Response":
    from flask import Response

    body = json.dumps({"__type": err.code, "message": err.message})
    # A header value holds no control characters (gunicorn refuses \r, \t, ESC... as well as \n).
    safe_message = _CONTROL.sub(" ", err.message.encode("ascii", "replace").decode())[:1024]
    headers = {
        "x-amzn-RequestId": request_id,
        "x-amzn-ErrorType": f"{err.code}:",
        "x-amzn-ErrorMessage": safe_message,
    }
    return Response(body, status=err.status, headers=headers, content_type=CONTENT_TYPE)


def region_of(request: "Request", params: dict[str, Any], default: str) -> str:
    """SigV4 credential scope first, then the resource id's prefix, then the default."""
    match = _CREDENTIAL_REGION.search(request.headers.get("Authorization", ""))
    if match:
        return match.group(1)
    for key in ("UserPoolId", "IdentityPoolId", "IdentityId"):
        value = params.get(key)
        if isinstance(value, str):
            found = _ID_REGION.match(value)
            if found:
                return found.group(1)
    return default


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _read_body(request: "Request") -> bytes:
    """The raw body; one larger than the app's MAX_CONTENT_LENGTH is refused, not read."""
    from werkzeug.exceptions import RequestEntityTooLarge

    try:
        return request.get_data(cache=False)
    except RequestEntityTooLarge:
        raise errors.CognitoError("Request body is too large.", code="SerializationException", status=413) from None


def _parse_body(raw: bytes) -> dict[str, Any]:
    """An empty body is ``{}``; anything but a JSON object is a SerializationException."""
    if not raw.strip():
        return {}
    try:
        params = json.loads(raw, parse_constant=_no_constant)
    except (ValueError, RecursionError):  # JSONDecodeError, bad UTF-8, NaN/Infinity, nesting
        raise errors.SerializationException("Unable to parse the request body as JSON.") from None
    if not isinstance(params, dict):
        raise errors.SerializationException("Request body must be a JSON object.")
    return params


def _resolve(target: str) -> tuple[str, str, specs.ServiceSpec]:
    prefix, _, name = target.partition(".")
    service = specs.TARGET_PREFIXES.get(prefix)
    if service is None or not name:
        raise errors.UnknownOperationException(f"Unknown operation {target or '(no X-Amz-Target)'}.")
    spec = specs.get_spec(service)
    if name not in spec.operations:
        raise errors.UnknownOperationException(f"Unknown operation {name}.")
    return service, name, spec


def invoke(
    state: "ServerState", request: "Request", op: registry.Operation, params: dict[str, Any], request_id: str
) -> dict[str, Any]:
    """Run a validated call in one transaction: committed on success, rolled back on error.

    A CognitoError raised with ``keep_changes`` (a wrong code still counts as an attempt)
    is raised only after the transaction commits. A row this call updates that a concurrent
    call deleted first (PostgreSQL: AdminDeleteUser committing during AdminEnableUser) makes
    the update match nothing, and a row it inserts may lose its parent the same way
    (DeleteIdentityPool during GetCredentialsForIdentity): the call runs again on the new
    state, which answers as Cognito would (UserNotFoundException...), instead of failing.
    """
    from sqlalchemy.exc import IntegrityError
    from sqlalchemy.orm.exc import StaleDataError

    for attempt in range(3):
        try:
            return _invoke_once(state, request, op, params, request_id)
        except (StaleDataError, IntegrityError):
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _invoke_once(
    state: "ServerState", request: "Request", op: registry.Operation, params: dict[str, Any], request_id: str
) -> dict[str, Any]:
    with state.store.transaction(write=not op.readonly) as db:
        ctx = Context(
            settings=state.settings,
            db=db,
            service=op.service,
            operation=op.name,
            region=region_of(request, params, state.settings.region),
            account_id=state.settings.account_id,
            request_id=request_id,
            now=state.clock.now(),
            base_url=base_url_of(request),
        )
        try:
            result = op.handler(ctx, params)
        except errors.CognitoError as err:
            if not err.keep_changes:
                raise
            failure: errors.CognitoError | None = err
        else:
            failure = None
    if failure is not None:
        raise failure  # committed above: the attempt counts
    return result or {}


def dispatch(state: "ServerState", request: "Request") -> "Response":
    """Serve one JSON 1.1 call."""
    from flask import Response

    request_id = str(uuid.uuid4())
    started = time.perf_counter()
    target = request.headers.get("X-Amz-Target", "")
    outcome = "ok"
    params: dict[str, Any] = {}
    try:
        service, name, spec = _resolve(target)
        op = registry.lookup(service, name)
        if op is None:
            raise errors.NotImplementedOperation(f"Cogito does not implement {service} {name} yet.")
        params = _parse_body(_read_body(request))
        shape_name = spec.input_shape(name)
        problems = validation_errors(spec, shape_name, params)
        if problems:
            code = specs.SERVICES[service][1]
            raise errors.CognitoError(summary(problems), code=code)
        # Unknown members are ignored, as AWS does; handlers only ever see modelled ones.
        params = _modelled(spec.shapes, shape_name, params) if shape_name else {}
        result = invoke(state, request, op, params, request_id)
        body = json.dumps(_prune(result or {}), separators=(",", ":"))
        return Response(body, status=200, content_type=CONTENT_TYPE, headers={"x-amzn-RequestId": request_id})
    except errors.CognitoError as err:
        outcome = err.code
        return error_response(err, request_id)
    except Exception:  # noqa: BLE001 - the wire must never show a traceback
        log.exception("internal error in %s", target)
        outcome = "InternalErrorException"
        return error_response(errors.InternalErrorException("An internal error occurred."), request_id)
    finally:
        log.info("op=%s pool=%s user=%s outcome=%s ms=%.1f", target.partition(".")[2] or "-",
                 *_who(params), outcome, (time.perf_counter() - started) * 1000)


def _modelled(shapes: dict[str, Any], shape_name: str, value: Any) -> Any:
    """``value`` without members its shape does not model (or that are null), at every depth.

    They are not validated, so one left in (``IssuerConfiguration: {"x": "\\ud800"}``) would be
    stored and echoed back, and could hold what the store cannot.
    """
    shape = shapes[shape_name]
    kind = shape.get("type")
    if kind == "structure" and isinstance(value, dict) and not shape.get("document"):
        members = shape.get("members", {})
        return {k: _modelled(shapes, members[k]["shape"], v) for k, v in value.items()
                if k in members and v is not None}  # a null member is an absent one
    if kind == "list" and isinstance(value, list):
        return [_modelled(shapes, shape["member"]["shape"], v) for v in value]
    if kind == "map" and isinstance(value, dict):
        return {k: _modelled(shapes, shape["value"]["shape"], v) for k, v in value.items()}
    return value


def _logged(value: Any) -> str:
    """A log field: as is when plain, JSON-quoted when it has spaces or quotes, "-" when absent."""
    if not isinstance(value, str) or not value:
        return "-"
    return value if re.fullmatch(r"[^\s\"=]{1,256}", value) else json.dumps(value[:256])


def _who(params: dict[str, Any]) -> tuple[str, str]:
    """(pool, user) a call names, for its log line: UserPoolId/IdentityPoolId, Username or USERNAME."""
    pool = params.get("UserPoolId") or params.get("IdentityPoolId")
    user = params.get("Username")
    for key in ("AuthParameters", "ChallengeResponses"):
        given = params.get(key)
        if user is None and isinstance(given, dict):
            user = given.get("USERNAME")
    return _logged(pool), _logged(user)
