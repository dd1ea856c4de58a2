"""Shared pieces of the sign-in tests: pools, clients and users made over the wire, a stoppable
clock, SECRET_HASH, unverified claim reading.

Only boto3 and the emulator's HTTP surface are used here (plus the in-process clock the
live-server fixture exposes), never the emulator's own sign-in code.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

PASSWORD = "Passw0rd!x"
OTHER_PASSWORD = "Other-Passw0rd!"
ALL_PASSWORD_FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH",
                      "ALLOW_REFRESH_TOKEN_AUTH"]


def error_of(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    err = exc.value.response["Error"]
    return err["Code"], err["Message"]


def secret_hash(secret: str, username: str, client_id: str) -> str:
    """SECRET_HASH as the reference defines it (§4), computed here independently."""
    digest = hmac.new(secret.encode(), (username + client_id).encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def claims_of(token: str) -> dict[str, Any]:
    """A JWT's payload without verifying it (verification has its own tests)."""
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def header_of(token: str) -> dict[str, Any]:
    part = token.split(".")[0]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


@pytest.fixture
def clock(server: Any) -> Iterator[Any]:
    """The live server's clock, frozen at the current instant and released after the test."""
    c = server.state.clock
    c.freeze()
    yield c
    c.reset()


@pytest.fixture
def make_pool(idp: Any) -> Iterator[Any]:
    """Create pools with given settings; all deleted afterwards."""
    created: list[str] = []

    def make(**kwargs: Any) -> str:
        pool_id = idp.create_user_pool(PoolName=f"t-{uuid.uuid4().hex[:8]}", **kwargs)["UserPool"]["Id"]
        created.append(pool_id)
        return pool_id

    yield make
    for pool_id in created:
        try:
            idp.delete_user_pool(UserPoolId=pool_id)
        except ClientError:
            pass


def make_client(idp: Any, pool_id: str, *, flows: list[str] | None = None, secret: bool = False,
                **kwargs: Any) -> dict[str, Any]:
    """An app client (by default allowing every password flow, SRP and refresh)."""
    return idp.create_user_pool_client(
        UserPoolId=pool_id, ClientName="c", GenerateSecret=secret,
        ExplicitAuthFlows=ALL_PASSWORD_FLOWS if flows is None else flows, **kwargs,
    )["UserPoolClient"]


def make_user(idp: Any, pool_id: str, username: str = "alice", password: str = PASSWORD, *,
              permanent: bool = True, attributes: dict[str, str] | None = None) -> dict[str, Any]:
    """A user made by AdminCreateUser; CONFIRMED with ``password`` unless ``permanent`` is false."""
    attrs = [{"Name": k, "Value": v} for k, v in (attributes or {}).items()]
    user = idp.admin_create_user(UserPoolId=pool_id, Username=username, MessageAction="SUPPRESS",
                                 TemporaryPassword=password, UserAttributes=attrs)["User"]
    if permanent:
        idp.admin_set_user_password(UserPoolId=pool_id, Username=username, Password=password, Permanent=True)
    return user


def attrs_of(user: dict[str, Any]) -> dict[str, str]:
    return {a["Name"]: a["Value"] for a in user.get("Attributes") or user.get("UserAttributes") or []}


def password_auth(idp: Any, client: dict[str, Any], username: str = "alice", password: str = PASSWORD,
                  **extra: str) -> dict[str, Any]:
    return idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="USER_PASSWORD_AUTH",
                             AuthParameters={"USERNAME": username, "PASSWORD": password, **extra})


def race(count: int, action: Callable[[int], Any]) -> list[Any]:
    """``action(i)`` in ``count`` threads released together: each result, or the exception raised."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = action(i)
        except Exception as exc:  # noqa: BLE001 - collected for the assertions
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results
