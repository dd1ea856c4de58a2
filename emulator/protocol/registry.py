"""The operation table: ``@operation("cognito-idp", "CreateUserPool")`` registers a handler.

Handler modules are imported on demand, so start-up pays for none of them and a call pays
only for the module that serves it: the handler packages' sources are scanned once (as
text) for ``@operation("service", "Name")`` decorators, and the first call to an operation
imports just the module that declares it. Anything the scan cannot place (a dynamic
registration, an unimplemented operation) falls back to importing every handler module,
which is also what ``implemented()`` does.
"""

from __future__ import annotations

import importlib
import os
import re
import threading
from dataclasses import dataclass
from importlib.util import find_spec
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    from emulator.context import Context

Handler = Callable[["Context", dict[str, Any]], dict[str, Any]]

# Modules whose import registers each service's handlers; their packages are scanned.
HANDLER_MODULES: dict[str, tuple[str, ...]] = {
    "cognito-idp": ("emulator.userpool.handlers",),
    "cognito-identity": ("emulator.identitypool.handlers",),
    "sts": ("emulator.identitypool.handlers",),
}
_DECORATOR = re.compile(r'@operation\(\s*"(?P<service>[\w-]+)"\s*,\s*"(?P<name>\w+)"')


@dataclass(frozen=True)
class Operation:
    service: str
    name: str
    handler: Handler
    readonly: bool


_table: dict[tuple[str, str], Operation] = {}
_loaded: set[str] = set()  # services whose every handler module is imported
_index: dict[tuple[str, str], str] | None = None  # (service, name) -> declaring module
_imported_modules: set[str] = set()  # modules fully imported through lookup()
_lock = threading.RLock()


def operation(service: str, name: str, *, readonly: bool = False) -> Callable[[Handler], Handler]:
    """Register ``fn`` as the handler of ``service``'s operation ``name``.

    ``readonly`` operations open a plain read transaction; the rest take the write lock
    up front (SQLite ``BEGIN IMMEDIATE``) so concurrent writers queue instead of failing.
    """

    def register(fn: Handler) -> Handler:
        _table[(service, name)] = Operation(service, name, fn, readonly)
        return fn

    return register


def _package_dirs() -> dict[str, str]:
    """Directory -> dotted package, for every package holding a handler module."""
    dirs: dict[str, str] = {}
    for modules in HANDLER_MODULES.values():
        for module in modules:
            spec = find_spec(module)
            if spec is not None and spec.origin:
                dirs[os.path.dirname(spec.origin)] = module.rpartition(".")[0]
    return dirs


def scan() -> dict[tuple[str, str], str]:
    """Which module declares each operation, read from the sources without importing them.

    An operation declared in two modules is left out (the full import decides which wins).
    """
    found: dict[tuple[str, str], set[str]] = {}
    for directory, package in _package_dirs().items():
        for root, _dirs, files in os.walk(directory):
            rel = os.path.relpath(root, directory)
            dotted = package if rel == "." else f"{package}.{rel.replace(os.sep, '.')}"
            for filename in files:
                if not filename.endswith(".py"):
                    continue
                with open(os.path.join(root, filename), encoding="utf-8") as fh:
                    text = fh.read()
                if "@operation(" not in text:
                    continue
                module = f"{dotted}.{filename[:-3]}"
                for match in _DECORATOR.finditer(text):
                    found.setdefault((match["service"], match["name"]), set()).add(module)
    return {key: next(iter(mods)) for key, mods in found.items() if len(mods) == 1}


def _import(module: str) -> None:
    try:
        importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name != module:
            raise


def _load_all(service: str) -> None:
    if service in _loaded:
        return
    with _lock:
        if service in _loaded:
            return
        for module in HANDLER_MODULES.get(service, ()):
            _import(module)
        for (svc, _name), module in _module_index().items():
            if svc == service:
                _import(module)
        _loaded.add(service)


def _module_index() -> dict[tuple[str, str], str]:
    global _index
    if _index is None:
        with _lock:
            if _index is None:
                _index = scan()
    return _index


def lookup(service: str, name: str) -> Operation | None:
    """The registered operation, or None when Cogito does not implement it.

    A handler is returned only once its whole module has been imported (a thread that
    finds it registered mid-import of its module waits for the import to finish).
    """
    if service in _loaded:
        return _table.get((service, name))
    module = _module_index().get((service, name))
    if module is not None:
        if module not in _imported_modules:
            with _lock:
                _import(module)  # waits if another thread is importing it
                _imported_modules.add(module)
        found = _table.get((service, name))
        if found is not None:
            return found
    _load_all(service)
    return _table.get((service, name))


def implemented(service: str) -> list[str]:
    """Names of the operations of ``service`` that have handlers."""
    _load_all(service)
    return sorted(name for svc, name in _table if svc == service)
