"""How the console reaches the emulator: the very handlers the wire calls, never copies of them.

``act`` runs an operation exactly as ``POST /`` would (the botocore model checks the
input first, then the handler runs in one transaction, committed even on a
``keep_changes`` failure), so a console action and an SDK call cannot disagree. ``read``
opens one read transaction with a Context built as json11 builds it, for pages that
show several things at once; ``query`` calls a read-only handler inside it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, request
from sqlalchemy.orm import Session

from emulator import errors
from emulator.context import Context
from emulator.jwks.issuer import base_url_of
from emulator.protocol import registry, specs
from emulator.protocol.json11 import invoke
from emulator.protocol.validate import summary, validation_errors
from emulator.server_state import ServerState

IDP = "cognito-idp"


def state() -> ServerState:
    return current_app.config["COGITO"]


def now() -> float:
    """The emulator's clock (frozen or shifted in tests), not the wall clock."""
    return state().clock.now()


def context(db: Session, operation: str, service: str = IDP) -> Context:
    """A handler Context for this console request, built as ``json11.invoke`` builds it."""
    st = state()
    return Context(
        settings=st.settings, db=db, service=service, operation=operation, region=st.settings.region,
        account_id=st.settings.account_id, request_id=str(uuid.uuid4()), now=st.clock.now(),
        base_url=base_url_of(request),
    )


def _operation(name: str, params: dict[str, Any], service: str = IDP) -> registry.Operation:
    """The registered operation, after the same model validation the wire applies."""
    spec = specs.get_spec(service)
    problems = validation_errors(spec, spec.input_shape(name), params)
    if problems:
        raise errors.CognitoError(summary(problems), code=specs.SERVICES[service][1])
    op = registry.lookup(service, name)
    if op is None:
        raise errors.NotImplementedOperation(f"Cogito does not implement {service} {name} yet.")
    return op


def act(name: str, params: dict[str, Any], service: str = IDP) -> dict[str, Any]:
    """Run one operation as ``POST /`` would, in its own transaction."""
    op = _operation(name, params, service)
    return invoke(state(), request, op, params, str(uuid.uuid4()))


def act_as(name: str, params: dict[str, Any], handler: registry.Handler) -> dict[str, Any]:
    """Run ``handler`` with the input checks and transaction of operation ``name``.

    For console calls that follow an operation's rules but not its every gate (signing in
    as a user whatever the client's ExplicitAuthFlows allow).
    """
    op = _operation(name, params)
    return invoke(state(), request, registry.Operation(op.service, op.name, handler, False), params,
                  str(uuid.uuid4()))


@dataclass
class Reader:
    """One read transaction and a Context bound to it."""

    db: Session

    def ctx(self, operation: str = "Console", service: str = IDP) -> Context:
        return context(self.db, operation, service)

    def query(self, name: str, params: dict[str, Any], service: str = IDP) -> dict[str, Any]:
        """A read-only operation's answer, inside this transaction."""
        op = _operation(name, params, service)
        return op.handler(self.ctx(name, service), params) or {}


@contextmanager
def read() -> Iterator[Reader]:
    with state().store.transaction(write=False) as db:
        yield Reader(db)


def error_text(err: errors.CognitoError) -> str:
    """What a person is shown: the AWS error name and message, as an SDK would report them."""
    return f"{err.code}: {err.message}"


def _origin_of(url: str) -> str | None:
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}".lower()


def same_origin() -> bool:
    """Whether a POST comes from a console page (CSRF guard for a local tool).

    Browsers send Origin (or at least Referer, and Sec-Fetch-Site) with every form POST, so a
    cross-site form is refused; scripts that send neither (curl, tests) are no CSRF vector.
    """
    if request.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
        return False
    mine = {f"{request.scheme}://{request.host}".lower(), base_url_of(request).lower()}
    origin = request.headers.get("Origin")
    if origin is not None:
        return origin.lower() in mine
    referer = request.headers.get("Referer")
    if referer is not None:
        return _origin_of(referer) in mine
    return True
