"""Plumbing of the Hosted UI routes: one transaction per step, a Context like the API's,
calls into the API's own handlers, redirects with parameters.

The pages and endpoints act like a client of the user-pool API: they validate what they
pass to a handler against the service model, exactly as ``POST /`` would, so a page can
never feed a handler something the API itself would have refused.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlencode

from flask import Response, current_app, request

from emulator.context import Context
from emulator.errors import CognitoError, InvalidParameterException
from emulator.jwks.issuer import base_url_of, region_of_pool
from emulator.server_state import ServerState

T = TypeVar("T")


def state() -> ServerState:
    return current_app.config["COGITO"]


def make_context(db: Any, operation: str, pool_id: str | None = None) -> Context:
    """A Context for this HTTP request (region from the pool id when one is known)."""
    settings = state().settings
    return Context(
        settings=settings, db=db, service="cognito-idp", operation=operation,
        region=region_of_pool(pool_id, settings.region) if pool_id else settings.region,
        account_id=settings.account_id, request_id=str(uuid.uuid4()), now=state().clock.now(),
        base_url=base_url_of(request),
    )


def run(fn: Callable[[Context], T], *, operation: str, pool_id: str | None = None, write: bool = True) -> T:
    """``fn`` in one transaction. A CognitoError rolls it back and is re-raised, except
    that one marked ``keep_changes`` (a wrong password still counts) commits first."""
    failure: CognitoError | None = None
    with state().store.transaction(write=write) as db:
        ctx = make_context(db, operation, pool_id)
        try:
            return fn(ctx)
        except CognitoError as err:
            if not err.keep_changes:
                raise
            failure = err
    raise failure


def call_api(ctx: Context, name: str, params: dict[str, Any]) -> dict[str, Any]:
    """Run a cognito-idp handler as ``POST /`` would: model validation first."""
    from emulator.protocol import registry, specs
    from emulator.protocol.validate import summary, validation_errors

    spec = specs.get_spec("cognito-idp")
    problems = validation_errors(spec, spec.input_shape(name), params)
    if problems:
        raise InvalidParameterException(summary(problems))
    op = registry.lookup("cognito-idp", name)
    if op is None:  # pragma: no cover - every operation the pages use is implemented
        raise InvalidParameterException(f"Cogito does not implement {name}.")
    return op.handler(ctx, params) or {}


def with_params(url: str, params: dict[str, str | None], *, fragment: bool = False) -> str:
    """``url`` with ``params`` (None values left out) added to its query, or as its fragment."""
    encoded = urlencode({k: v for k, v in params.items() if v is not None})
    if fragment:
        return f"{url}#{encoded}"
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}{encoded}" if encoded else url


def redirect(url: str) -> Response:
    """A 302 to ``url`` (given verbatim: app schemes such as ``myapp://`` must survive)."""
    resp = Response(status=302)
    resp.headers["Location"] = url
    resp.headers["Cache-Control"] = "no-store"
    return resp


def query_string() -> str:
    """This request's query, exactly as the browser sent it (carried from page to page)."""
    return request.query_string.decode("utf-8", "replace")
