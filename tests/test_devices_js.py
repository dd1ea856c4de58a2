"""amazon-cognito-identity-js remembering a device: its own ConfirmDevice after a TOTP sign-in, then
a second sign-in that sends DEVICE_KEY and completes DEVICE_SRP_AUTH / DEVICE_PASSWORD_VERIFIER
with the SDK's own SRP code, skipping MFA. Skips when node or npm is missing (see test_js_clients)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

from tests.auth_helpers import PASSWORD, make_client, make_pool, make_user  # noqa: F401 - fixtures
from tests.mfa_support import enrol_totp, mfa_pool, signed_in
from tests.test_js_clients import node_modules  # noqa: F401 - fixture

SCRIPT = Path(__file__).resolve().parent / "js" / "device.js"


def test_sdk_remembers_the_device_and_skips_mfa(server: Any, idp: Any, make_pool: Any,
                                                 node_modules: Path) -> None:  # noqa: F811
    pool_id = mfa_pool(idp, make_pool, "OPTIONAL", totp=True,
                       devices={"ChallengeRequiredOnNewDevice": True, "DeviceOnlyRememberedOnUserPrompt": False})
    client = make_client(idp, pool_id)
    make_user(idp, pool_id)
    secret = enrol_totp(idp, signed_in(idp, client)["AccessToken"])
    config = {"endpoint": server.url, "poolId": pool_id, "clientId": client["ClientId"], "username": "alice",
              "password": PASSWORD, "secret": secret}
    done = subprocess.run(["node", str(SCRIPT), json.dumps(config)], capture_output=True, text=True, timeout=90,
                          env={**os.environ, "NODE_PATH": str(node_modules)})
    assert done.returncode == 0, done.stderr + done.stdout
    out = json.loads(done.stdout.strip().splitlines()[-1])
    first, second = out["rounds"]
    assert "error" not in first and "error" not in second, out
    assert first["sentDeviceKey"] is None and first["challenges"] == ["SOFTWARE_TOKEN_MFA"]
    key = first["deviceKeyClaim"]
    assert key and first["cachedDeviceKey"] == key  # confirmed by the SDK, kept for next time
    assert second["sentDeviceKey"] == key and second["challenges"] == []
    assert second["deviceKeyClaim"] == key
    device = idp.admin_get_device(UserPoolId=pool_id, Username="alice", DeviceKey=key)["Device"]
    assert {"Name": "dev:device_remembered_status", "Value": "remembered"} in device["DeviceAttributes"]
