"""botocore's service models, read lazily as plain JSON.

botocore itself is not imported (its import costs ~0.13 s at start-up); we only read the
model files it ships. Each model is loaded once, on the first request for that service.
"""

from __future__ import annotations

import gzip
import json
import os
import threading
from dataclasses import dataclass
from importlib.util import find_spec
from typing import Any

# service name -> (X-Amz-Target prefix or None for query protocol, validation error code)
SERVICES: dict[str, tuple[str | None, str]] = {
    "cognito-idp": ("AWSCognitoIdentityProviderService", "InvalidParameterException"),
    "cognito-identity": ("AWSCognitoIdentityService", "ValidationException"),
    "sts": (None, "ValidationError"),
}
TARGET_PREFIXES: dict[str, str] = {prefix: svc for svc, (prefix, _) in SERVICES.items() if prefix}


@dataclass(frozen=True)
class ServiceSpec:
    """One service model: its operations and shapes, as the JSON has them."""

    name: str
    operations: dict[str, dict[str, Any]]
    shapes: dict[str, dict[str, Any]]

    def input_shape(self, operation: str) -> str | None:
        return self.operations[operation].get("input", {}).get("shape")

    def output_shape(self, operation: str) -> str | None:
        return self.operations[operation].get("output", {}).get("shape")

    def is_no_auth(self, operation: str) -> bool:
        op = self.operations[operation]
        return op.get("authtype") == "none" or op.get("auth") == ["smithy.api#noAuth"]


_lock = threading.Lock()
_loaded: dict[str, ServiceSpec] = {}


def _data_dir() -> str:
    spec = find_spec("botocore")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("botocore is not installed; Cogito reads its service models")
    return os.path.join(list(spec.submodule_search_locations)[0], "data")


def _read_model(service: str) -> dict[str, Any]:
    root = os.path.join(_data_dir(), service)
    version = sorted(os.listdir(root))[-1]
    path = os.path.join(root, version, "service-2.json")
    if os.path.exists(path + ".gz"):
        with gzip.open(path + ".gz") as fh:
            return json.load(fh)
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def get_spec(service: str) -> ServiceSpec:
    """The model of ``service`` ('cognito-idp', 'cognito-identity' or 'sts'), loaded once."""
    spec = _loaded.get(service)
    if spec is not None:
        return spec
    with _lock:
        if service not in _loaded:
            raw = _read_model(service)
            _loaded[service] = ServiceSpec(service, raw["operations"], raw["shapes"])
        return _loaded[service]
