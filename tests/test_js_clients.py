"""amazon-cognito-identity-js against the live server: SRP sign-in (the SDK's own padHex, HKDF
and timestamp), session refresh, NEW_PASSWORD_REQUIRED parsing, and a wrong password.

The SDK is installed once per machine into .cache/js (gitignored) at a pinned version; the
tests skip only when node or npm is missing.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest

from tests.auth_helpers import OTHER_PASSWORD, PASSWORD, attrs_of, make_client, make_pool, make_user  # noqa: F401

ACIJ_VERSION = "6.3.21"
ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".cache" / "js"
SCRIPT = Path(__file__).resolve().parent / "js" / "signin.js"


def _installed_version() -> str | None:
    manifest = CACHE / "node_modules" / "amazon-cognito-identity-js" / "package.json"
    try:
        return json.loads(manifest.read_text())["version"]
    except (OSError, ValueError, KeyError):
        return None


@pytest.fixture(scope="session")
def node_modules() -> Path:
    """The pinned SDK's node_modules, installed on first use (atomically, so parallel runs agree)."""
    if not shutil.which("node") or not shutil.which("npm"):
        pytest.skip("node and npm are needed for the amazon-cognito-identity-js tests")
    if _installed_version() != ACIJ_VERSION:
        CACHE.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix="js-", dir=CACHE.parent))
        subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", "--no-save", "--prefix", str(staging),
             f"amazon-cognito-identity-js@{ACIJ_VERSION}"],
            check=True, capture_output=True, timeout=600,
        )
        if CACHE.exists():
            shutil.rmtree(CACHE, ignore_errors=True)
        staging.rename(CACHE)
    return CACHE / "node_modules"


def _run(node_modules: Path, **config: Any) -> dict[str, Any]:
    env = {**os.environ, "NODE_PATH": str(node_modules)}
    done = subprocess.run(["node", str(SCRIPT), json.dumps(config)], capture_output=True, text=True,
                          timeout=60, env=env)
    assert done.returncode == 0, done.stderr + done.stdout
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_srp_sign_in_and_refresh(server: Any, idp: Any, pool: dict[str, Any], node_modules: Path) -> None:
    client = idp.create_user_pool_client(UserPoolId=pool["Id"], ClientName="web")["UserPoolClient"]  # AWS defaults
    make_user(idp, pool["Id"], attributes={"email": "alice@example.com", "email_verified": "true",
                                           "name": "Alice"})
    out = _run(node_modules, endpoint=server.url, poolId=pool["Id"], clientId=client["ClientId"],
               username="alice", password=PASSWORD)
    assert "error" not in out, out
    signed = out["signedIn"]
    assert signed["valid"] and signed["hasRefresh"]
    assert signed["id"]["cognito:username"] == "alice" and signed["id"]["aud"] == client["ClientId"]
    assert signed["id"]["email_verified"] is True and signed["id"]["name"] == "Alice"
    assert signed["access"]["username"] == "alice" and signed["access"]["client_id"] == client["ClientId"]
    assert signed["access"]["scope"] == "aws.cognito.signin.user.admin" and "origin_jti" in signed["access"]
    refreshed = out["refreshed"]
    assert refreshed["valid"]
    assert refreshed["access"]["origin_jti"] == signed["access"]["origin_jti"]
    assert refreshed["access"]["jti"] != signed["access"]["jti"]
    assert refreshed["id"]["auth_time"] == signed["id"]["auth_time"]


def test_many_sign_ins_cover_the_padding_cases(server: Any, idp: Any, pool: dict[str, Any],
                                               node_modules: Path) -> None:
    """Random A, B, u and S hit leading-zero and high-bit cases the padding rules exist for."""
    client = make_client(idp, pool["Id"])
    make_user(idp, pool["Id"])
    for _ in range(3):
        out = _run(node_modules, endpoint=server.url, poolId=pool["Id"], clientId=client["ClientId"],
                   username="alice", password=PASSWORD)
        assert "error" not in out and out["refreshed"]["valid"], out


def test_wrong_password(server: Any, idp: Any, pool: dict[str, Any], node_modules: Path) -> None:
    client = make_client(idp, pool["Id"])
    make_user(idp, pool["Id"])
    out = _run(node_modules, endpoint=server.url, poolId=pool["Id"], clientId=client["ClientId"],
               username="alice", password="Not-the-passw0rd")
    assert out["error"]["code"] == "NotAuthorizedException"
    assert out["error"]["message"] == "Incorrect username or password."


def test_new_password_required(server: Any, idp: Any, make_pool: Any, node_modules: Path) -> None:
    pool_id = make_pool(Schema=[{"Name": "name", "AttributeDataType": "String", "Required": True, "Mutable": True}])
    client = make_client(idp, pool_id)
    make_user(idp, pool_id, permanent=False, attributes={"email": "alice@example.com"})
    out = _run(node_modules, endpoint=server.url, poolId=pool_id, clientId=client["ClientId"], username="alice",
               password=PASSWORD, newPassword=OTHER_PASSWORD, newAttributes={"name": "Alice"})
    assert "error" not in out, out
    (challenge,) = out["challenges"]
    assert challenge["userAttributes"]["email"] == "alice@example.com"
    assert challenge["requiredAttributes"] == ["name"]  # the SDK strips "userAttributes."
    assert out["signedIn"]["id"]["name"] == "Alice" and out["refreshed"]["valid"]


def test_email_username_pool(server: Any, idp: Any, make_pool: Any, node_modules: Path) -> None:
    pool_id = make_pool(UsernameAttributes=["email"])
    client = make_client(idp, pool_id)
    sub = attrs_of(make_user(idp, pool_id, "hana@example.com"))["sub"]
    out = _run(node_modules, endpoint=server.url, poolId=pool_id, clientId=client["ClientId"],
               username="hana@example.com", password=PASSWORD)
    assert "error" not in out, out
    assert out["username"] == sub  # the SDK adopts USER_ID_FOR_SRP
    assert out["signedIn"]["id"]["email"] == "hana@example.com" and out["refreshed"]["valid"]
