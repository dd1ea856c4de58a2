"""Running a trigger's function and turning its failures into Cognito's errors.

Where a function ARN runs, first found wins:
1. a Python callable registered for the ARN in this process (the pytest plugin's
   ``cogito.register_trigger``), called as ``fn(event)`` in a thread;
2. a plain HTTP URL mapped to the ARN (or to its function name) in the settings
   (``--lambda-url ARN=URL`` / ``COGITO_LAMBDA_URLS``): the event is POSTed as JSON, the
   JSON reply is the returned event;
3. the AWS Lambda Invoke API at ``--lambda-endpoint`` / ``COGITO_LAMBDA_ENDPOINT``
   (``POST /2015-03-31/functions/{name}/invocations``, SigV4-signed with dummy
   credentials), so ``sam local start-lambda``, LocalStack or moto can host functions.

Failures, as Cognito words them (reference §10):
- the function threw (``X-Amz-Function-Error``, or a Python exception):
  ``UserLambdaValidationException`` ``<Trigger> failed with error <message>.``;
- it answered something that is not an event: ``InvalidLambdaResponseException``;
- it could not be run (no endpoint, unreachable, Lambda service error, 5 s timeout):
  ``UnexpectedLambdaException`` ``<Trigger> invocation failed due to error <why>.``

The call happens outside the request's database transaction (``store.engine.released``):
a function may call Cogito back and see what the request did so far.
"""

from __future__ import annotations

import copy
import json
import logging
import threading
from typing import Any
from urllib.parse import quote

from emulator.context import Context
from emulator.errors import InvalidLambdaResponseException, UnexpectedLambdaException, UserLambdaValidationException
from emulator.settings import Settings

log = logging.getLogger("cogito.triggers")

TIMEOUT = 5.0  # seconds: Cognito's limit for a synchronous trigger
TRIES = 3  # Lambda service errors (throttling, 5xx) and refused connections are retried
UNRECOGNIZABLE = "Unrecognizable lambda output"
SOCKET_TIMEOUT = "Socket timeout while invoking Lambda function"
_RETRIED_STATUS = frozenset({429, 500, 502, 503, 504})


def failed(trigger: str, message: str) -> UserLambdaValidationException:
    return UserLambdaValidationException(f"{trigger} failed with error {message}.")


def unexpected(trigger: str, why: str) -> UnexpectedLambdaException:
    return UnexpectedLambdaException(f"{trigger} invocation failed due to error {why}.")


def function_name(arn: str) -> tuple[str, str | None, str | None]:
    """(name, qualifier, region) of ``arn:aws:lambda:region:account:function:name[:qualifier]``;
    anything else is taken as a bare function name."""
    parts = arn.split(":")
    if len(parts) >= 7 and parts[0] == "arn" and parts[5] == "function":
        return parts[6], (parts[7] if len(parts) > 7 and parts[7] else None), parts[3] or None
    return arn, None, None


def call(ctx: Context, trigger: str, arn: str, event: dict[str, Any]) -> dict[str, Any]:
    """Run the function for ``event``; the event it returned, or Cognito's error."""
    from emulator.store.engine import released

    with released(ctx.db):
        returned = run(ctx.settings, trigger, arn, event)
    log.info("trigger %s (%s) ran %s", trigger, event.get("triggerSource"), arn)
    return returned


def call_async(ctx: Context, trigger: str, arn: str, event: dict[str, Any]) -> None:
    """An asynchronous trigger (custom senders): run now, but its failure changes nothing."""
    try:
        call(ctx, trigger, arn, event)
    except (UserLambdaValidationException, InvalidLambdaResponseException, UnexpectedLambdaException) as err:
        log.warning("asynchronous trigger %s (%s) failed: %s", trigger, arn, err.message)


def run(settings: Settings, trigger: str, arn: str, event: dict[str, Any]) -> dict[str, Any]:
    fn = _registered(arn)
    if fn is not None:
        return _call_python(trigger, fn, event)
    name, qualifier, region = function_name(arn)
    url = settings.lambda_urls.get(arn) or settings.lambda_urls.get(name)
    if url:
        return _post(trigger, url, event)
    if settings.lambda_endpoint:
        target = f"{settings.lambda_endpoint.rstrip('/')}/2015-03-31/functions/{quote(name, safe='')}/invocations"
        if qualifier:
            target += f"?Qualifier={quote(qualifier, safe='')}"
        return _post(trigger, target, event, signing_region=region or settings.region)
    raise unexpected(trigger, f"ResourceNotFoundException: Cogito has no Lambda endpoint for {arn} "
                              "(set --lambda-endpoint / COGITO_LAMBDA_ENDPOINT, or map it with --lambda-url)")


def _registered(arn: str) -> Any:
    """The in-process callable for ``arn`` (pytest plugin), if that registry exists and has one."""
    try:
        from emulator.state import functions
    except ImportError:  # pragma: no cover - the plugin's registry ships with the package
        return None
    return functions.lookup(arn)


def _returned_event(trigger: str, value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InvalidLambdaResponseException(UNRECOGNIZABLE)
    return value


def _call_python(trigger: str, fn: Any, event: dict[str, Any]) -> dict[str, Any]:
    """``fn(event)`` in a thread, with the same time limit as a real function."""
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = fn(copy.deepcopy(event))
        except BaseException as exc:  # noqa: BLE001 - whatever the function raises is its error
            box["error"] = exc

    worker = threading.Thread(target=target, name=f"cogito-trigger-{trigger}", daemon=True)
    worker.start()
    worker.join(TIMEOUT)
    if worker.is_alive():
        raise unexpected(trigger, SOCKET_TIMEOUT)
    if "error" in box:
        raise failed(trigger, str(box["error"]))
    try:  # what a real function returns has been through JSON
        value = json.loads(json.dumps(box.get("value")))
    except (TypeError, ValueError):
        raise InvalidLambdaResponseException(UNRECOGNIZABLE) from None
    return _returned_event(trigger, value)


def _signed_headers(url: str, body: bytes, headers: dict[str, str], region: str) -> dict[str, str]:
    """SigV4 with dummy credentials: LocalStack and moto read region and account from it."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    request = AWSRequest(method="POST", url=url, data=body, headers=headers)
    SigV4Auth(Credentials("test", "test"), "lambda", region).add_auth(request)
    return dict(request.headers.items())


def _post(trigger: str, url: str, event: dict[str, Any], *, signing_region: str | None = None) -> dict[str, Any]:
    import requests

    body = json.dumps(event).encode()
    headers = {"Content-Type": "application/json"}
    if signing_region is not None:
        headers["X-Amz-Invocation-Type"] = "RequestResponse"
        headers = _signed_headers(url, body, headers, signing_region)
    why = "ServiceException"
    for _attempt in range(TRIES):
        try:
            response = requests.post(url, data=body, headers=headers, timeout=TIMEOUT)
        except requests.Timeout:
            raise unexpected(trigger, SOCKET_TIMEOUT) from None
        except requests.RequestException as exc:
            why = f"{type(exc).__name__} while invoking Lambda function at {url}"
            continue
        if response.headers.get("X-Amz-Function-Error"):
            raise failed(trigger, _error_message(response))
        if response.status_code in _RETRIED_STATUS and not _function_error_body(response):
            why = _service_error(response)
            continue
        return _answer(trigger, response)
    raise unexpected(trigger, why)


def _json(response: Any) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _function_error_body(response: Any) -> bool:
    """A plain URL's way to say the function threw: a non-2xx JSON reply with ``errorMessage``."""
    body = _json(response)
    return isinstance(body, dict) and "errorMessage" in body


def _error_message(response: Any) -> str:
    body = _json(response)
    if isinstance(body, dict) and body.get("errorMessage") is not None:
        return str(body["errorMessage"])
    return response.text or "Unhandled"


def _service_error(response: Any) -> str:
    """The Lambda service's error name (``x-amzn-ErrorType``, or the body's type)."""
    name = (response.headers.get("x-amzn-ErrorType") or "").split(":", 1)[0]
    body = _json(response)
    if not name and isinstance(body, dict):
        name = str(body.get("__type") or body.get("Type") or "").rsplit("#", 1)[-1]
    return name or f"HTTP {response.status_code}"


def _answer(trigger: str, response: Any) -> dict[str, Any]:
    if response.status_code >= 300:
        if _function_error_body(response):
            raise failed(trigger, _error_message(response))
        raise unexpected(trigger, _service_error(response))
    return _returned_event(trigger, _json(response))
