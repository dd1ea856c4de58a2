"""Python callables standing in for Lambda functions, in-process (the pytest plugin registers them).

``register(arn, fn)`` maps a function ARN to a callable taking Cognito's trigger event (a
dict) and returning the event with its ``response`` filled in, as a Lambda handler does.
The trigger invoker (``emulator.triggers.invoke``) looks a function up here (``lookup``)
before a mapped URL or the Lambda Invoke API. Which triggers are invoked, and so whether a
registered function is called, is the trigger work's to say (docs/pytest.md keeps count).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

Function = Callable[[dict[str, Any]], dict[str, Any]]

_functions: dict[str, Function] = {}
_lock = threading.Lock()


def register(arn: str, fn: Function) -> None:
    if not callable(fn):
        raise TypeError("a trigger must be callable: fn(event) -> event")
    with _lock:
        _functions[arn] = fn


def unregister(arn: str) -> None:
    with _lock:
        _functions.pop(arn, None)


def lookup(arn: str) -> Function | None:
    """The callable registered for ``arn``, if any."""
    with _lock:
        return _functions.get(arn)


def registered() -> dict[str, Function]:
    with _lock:
        return dict(_functions)


def clear() -> None:
    with _lock:
        _functions.clear()
