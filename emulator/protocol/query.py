"""The Query protocol (STS): form in, XML out.

Form keys follow the input shape: ``Name`` for scalars, ``Name.member.N`` for lists,
``Name.entry.N.key``/``.value`` for maps, ``Parent.Child`` inside structures (so
``PolicyArns.member.1.arn``). Values are converted to the model's types, then validated
like the JSON services; violations answer STS's ``ValidationError``. Results are written
as ``<{Action}Response><{Action}Result>…`` XML; errors as ``<ErrorResponse>``.

The caller's signature facts reach handlers as reserved params (never from the form):
``__authorization``, ``__security_token`` and ``__access_key`` (presigned URLs).
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from emulator import errors
from emulator.protocol import registry, specs
from emulator.protocol.validate import summary, validation_errors

if TYPE_CHECKING:
    from flask import Request, Response

    from emulator.server_state import ServerState

STS_NS = "https://sts.amazonaws.com/doc/2011-06-15/"
MAX_LIST = 1000
log = logging.getLogger("cogito.api")


def _xml_error(err: errors.CognitoError, request_id: str) -> "Response":
    from flask import Response

    kind = "Receiver" if err.status >= 500 else "Sender"
    body = (
        f'<ErrorResponse xmlns="{STS_NS}"><Error><Type>{kind}</Type><Code>{escape(err.code)}</Code>'
        f"<Message>{escape(err.message)}</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>"
    )
    return Response(body, status=err.status, content_type="text/xml", headers={"x-amzn-RequestId": request_id})


def _to_xml(value: Any) -> str:
    if isinstance(value, dict):
        return "".join(f"<{k}>{_to_xml(v)}</{k}>" for k, v in value.items() if v is not None)
    if isinstance(value, list):
        return "".join(f"<member>{_to_xml(v)}</member>" for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return escape(str(value))


def _scalar(kind: str, raw: str, key: str) -> Any:
    """A form value as the model's type; one that cannot be read is a ValidationError."""
    try:
        if kind in ("integer", "long"):
            return int(raw)
        if kind in ("float", "double"):
            return float(raw)
        if kind == "boolean":
            if raw.lower() not in ("true", "false"):
                raise ValueError(raw)
            return raw.lower() == "true"
        if kind == "timestamp":
            return datetime.fromisoformat(raw.replace("Z", "+00:00")).timestamp()
    except ValueError:
        raise errors.CognitoError(f"Invalid value '{raw}' for parameter {key}.", code="ValidationError") from None
    return raw


def parse_form(shapes: dict[str, Any], shape_name: str, form: Any, prefix: str = "") -> Any:
    """The params a form holds for ``shape_name`` under ``prefix`` (None when absent)."""
    shape = shapes[shape_name]
    kind = shape["type"]
    if kind == "structure":
        out = {}
        for name, member in shape.get("members", {}).items():
            value = parse_form(shapes, member["shape"], form, f"{prefix}.{name}" if prefix else name)
            if value is not None:
                out[name] = value
        return out if out or not prefix else None
    if kind == "list":
        base = prefix if shape.get("flattened") else f"{prefix}.member"
        items = []
        for i in range(1, MAX_LIST + 1):
            item = parse_form(shapes, shape["member"]["shape"], form, f"{base}.{i}")
            if item is None:
                break
            items.append(item)
        if not items:
            return [] if form.get(prefix) == "" else None
        return items
    if kind == "map":
        entries = {}
        for i in range(1, MAX_LIST + 1):
            key = form.get(f"{prefix}.entry.{i}.key")
            if key is None:
                break
            entries[key] = parse_form(shapes, shape["value"]["shape"], form, f"{prefix}.entry.{i}.value")
        return entries or None
    raw = form.get(prefix)
    return None if raw is None else _scalar(kind, raw, prefix)


def _signature_facts(request: "Request") -> dict[str, str]:
    facts = {"__authorization": request.headers.get("Authorization", "")}
    token = request.headers.get("X-Amz-Security-Token") or request.values.get("X-Amz-Security-Token")
    if token is not None:
        facts["__security_token"] = token
    credential = request.values.get("X-Amz-Credential")
    if credential:
        facts["__access_key"] = credential.split("/", 1)[0]
    return facts


def dispatch_query(state: "ServerState", request: "Request") -> "Response":
    """Serve one Query-protocol call (``Action=...``)."""
    from flask import Response

    from emulator.context import Context
    from emulator.jwks.issuer import base_url_of
    from emulator.protocol.json11 import region_of

    request_id = str(uuid.uuid4())
    try:
        form = request.form
        action = form.get("Action", "")
        spec = specs.get_spec("sts")
        if not action or action not in spec.operations:
            raise errors.CognitoError(f"Could not find operation {action or '(none)'}.", code="InvalidAction")
        op = registry.lookup("sts", action)
        if op is None:
            raise errors.NotImplementedOperation(f"Cogito does not implement sts {action} yet.")
        shape = spec.input_shape(action)
        params = parse_form(spec.shapes, shape, form) if shape else {}
        problems = validation_errors(spec, shape, params)
        if problems:
            raise errors.CognitoError(summary(problems), code=specs.SERVICES["sts"][1])
        params.update(_signature_facts(request))
        with state.store.transaction(write=not op.readonly) as db:
            ctx = Context(state.settings, db, "sts", action, region_of(request, {}, state.settings.region),
                          state.settings.account_id, request_id, state.clock.now(), base_url_of(request))
            result = op.handler(ctx, params)
        body = (
            f'<{action}Response xmlns="{STS_NS}"><{action}Result>{_to_xml(result)}</{action}Result>'
            f"<ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata></{action}Response>"
        )
        return Response(body, status=200, content_type="text/xml", headers={"x-amzn-RequestId": request_id})
    except errors.CognitoError as err:
        return _xml_error(err, request_id)
    except Exception:  # noqa: BLE001
        log.exception("internal error in sts")
        return _xml_error(errors.InternalErrorException("An internal error occurred."), request_id)
