"""The Query protocol (STS): form in, XML out.

Only flat members are parsed for now; nested members (``PolicyArns.member.N.arn``) come
with the identity-pool work.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from emulator import errors
from emulator.protocol import registry, specs

if TYPE_CHECKING:
    from flask import Request, Response

    from emulator.server_state import ServerState

STS_NS = "https://sts.amazonaws.com/doc/2011-06-15/"


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


def dispatch_query(state: "ServerState", request: "Request") -> "Response":
    """Serve one Query-protocol call (``Action=...``)."""
    from flask import Response

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
        params = {k: v for k, v in form.items() if k not in ("Action", "Version")}
        from emulator.context import Context

        with state.store.transaction(write=not op.readonly) as db:
            ctx = Context(state.settings, db, "sts", action, state.settings.region, state.settings.account_id,
                          request_id, state.clock.now(), request.host_url.rstrip("/"))
            result = op.handler(ctx, params)
        body = (
            f'<{action}Response xmlns="{STS_NS}"><{action}Result>{_to_xml(result)}</{action}Result>'
            f"<ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata></{action}Response>"
        )
        return Response(body, status=200, content_type="text/xml", headers={"x-amzn-RequestId": request_id})
    except errors.CognitoError as err:
        return _xml_error(err, request_id)
    except Exception:  # noqa: BLE001
        import logging

        logging.getLogger("cogito.api").exception("internal error in sts")
        return _xml_error(errors.InternalErrorException("An internal error occurred."), request_id)
