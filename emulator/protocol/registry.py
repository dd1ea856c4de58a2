"""The operation table: ``@operation("cognito-idp", "CreateUserPool")`` registers a handler.

Handler modules are imported on the first request for their service, so start-up pays
for none of them.
"""

from __future__ import annotations

import importlib
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    from emulator.context import Context

Handler = Callable[["Context", dict[str, Any]], dict[str, Any]]

# Modules whose import registers each service's handlers.
HANDLER_MODULES: dict[str, tuple[str, ...]] = {
    "cognito-idp": ("emulator.userpool.handlers",),
    "cognito-identity": ("emulator.identitypool.handlers",),
    "sts": ("emulator.identitypool.handlers",),
}


@dataclass(frozen=True)
class Operation:
    service: str
    name: str
    handler: Handler
    readonly: bool


_table: dict[tuple[str, str], Operation] = {}
_imported: set[str] = set()
_lock = threading.Lock()


def operation(service: str, name: str, *, readonly: bool = False) -> Callable[[Handler], Handler]:
    """Register ``fn`` as the handler of ``service``'s operation ``name``.

    ``readonly`` operations open a plain read transaction; the rest take the write lock
    up front (SQLite ``BEGIN IMMEDIATE``) so concurrent writers queue instead of failing.
    """

    def register(fn: Handler) -> Handler:
        _table[(service, name)] = Operation(service, name, fn, readonly)
        return fn

    return register


def _load(service: str) -> None:
    if service in _imported:
        return
    with _lock:
        if service in _imported:
            return
        for module in HANDLER_MODULES.get(service, ()):
            try:
                importlib.import_module(module)
            except ModuleNotFoundError as exc:
                if exc.name != module:
                    raise
        _imported.add(service)


def lookup(service: str, name: str) -> Operation | None:
    """The registered operation, or None when Cogito does not implement it."""
    _load(service)
    return _table.get((service, name))


def implemented(service: str) -> list[str]:
    """Names of the operations of ``service`` that have handlers."""
    _load(service)
    return sorted(name for svc, name in _table if svc == service)
