"""GET/POST /_cogito/clock: reading the emulator's time, and (with clock control on) freezing and
moving it so expiry is testable without sleeping."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
import requests
from botocore.config import Config
from botocore.exceptions import ClientError
from werkzeug.serving import make_server

from emulator.app import create_app
from emulator.cli import _parser, settings_from_args
from emulator.settings import Settings, from_env
from tests.auth_helpers import OTHER_PASSWORD, error_of, make_client, make_user, password_auth


@pytest.fixture(scope="module")
def controlled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A second in-process Cogito with clock control on."""
    app = create_app(Settings(db_url=f"sqlite:///{tmp_path_factory.mktemp('clock') / 'c.db'}",
                              clock_control=True, log_level="warning"))
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    app.config["COGITO"].store.dispose()


@pytest.fixture
def clock_url(controlled: str) -> Iterator[str]:
    url = f"{controlled}/_cogito/clock"
    yield url
    requests.post(url, json={"reset": True}, timeout=10)


def test_read_the_clock(server: Any) -> None:
    before = time.time()
    body = requests.get(f"{server.url}/_cogito/clock", timeout=10).json()
    assert set(body) == {"now", "frozen", "offset"}
    assert body["frozen"] is False and before - 1 <= body["now"] <= time.time() + 1 and abs(body["offset"]) < 1


def test_moving_time_needs_clock_control(server: Any) -> None:
    resp = requests.post(f"{server.url}/_cogito/clock", json={"advance": 60}, timeout=10)
    assert resp.status_code == 404 and resp.headers["Content-Type"].startswith("application/json")
    assert "--clock-control" in resp.json()["message"]
    assert requests.get(f"{server.url}/_cogito/clock", timeout=10).json()["frozen"] is False


def test_freeze_advance_and_release(clock_url: str) -> None:
    frozen = requests.post(clock_url, json={"freeze": True, "at": 1_700_000_000}, timeout=10).json()
    assert frozen["frozen"] is True and frozen["now"] == 1_700_000_000
    assert requests.get(clock_url, timeout=10).json()["now"] == 1_700_000_000  # it does not run
    moved = requests.post(clock_url, json={"advance": 90.5}, timeout=10).json()
    assert moved["now"] == 1_700_000_090.5
    running = requests.post(clock_url, json={"freeze": False}, timeout=10).json()
    assert running["frozen"] is False and running["now"] >= 1_700_000_090.5
    assert 1_700_000_090 <= requests.get(clock_url, timeout=10).json()["now"] < 1_700_000_100
    # Jumping while running keeps it running from there; advancing shifts the offset.
    jumped = requests.post(clock_url, json={"at": 2_000_000_000, "advance": 10}, timeout=10).json()
    assert jumped["frozen"] is False and 2_000_000_010 <= jumped["now"] < 2_000_000_020
    reset = requests.post(clock_url, json={"reset": True}, timeout=10).json()
    assert reset["frozen"] is False and abs(reset["now"] - time.time()) < 2 and abs(reset["offset"]) < 1


@pytest.mark.parametrize("body", [[], {"freeze": "yes"}, {"advance": "60"}, {"advance": True}, {"at": -5},
                                  {"jump": 3}])
def test_bad_commands(clock_url: str, body: Any) -> None:
    resp = requests.post(clock_url, json=body, timeout=10)
    assert resp.status_code == 400 and resp.json()["__type"] == "InvalidParameterException"
    assert requests.get(clock_url, timeout=10).json()["frozen"] is False


def test_moving_time_expires_a_session(controlled: str, clock_url: str) -> None:
    idp = boto3.client("cognito-idp", endpoint_url=controlled, region_name="eu-west-1", aws_access_key_id="t",
                       aws_secret_access_key="t", config=Config(retries={"max_attempts": 1}))
    pool_id = idp.create_user_pool(PoolName="clock")["UserPool"]["Id"]
    client = make_client(idp, pool_id)
    make_user(idp, pool_id, permanent=False)
    session = password_auth(idp, client)["Session"]
    requests.post(clock_url, json={"advance": 3 * 60 + 1}, timeout=10).raise_for_status()
    with pytest.raises(ClientError) as exc:
        idp.respond_to_auth_challenge(ClientId=client["ClientId"], ChallengeName="NEW_PASSWORD_REQUIRED",
                                      Session=session,
                                      ChallengeResponses={"USERNAME": "alice", "NEW_PASSWORD": OTHER_PASSWORD})
    assert error_of(exc) == ("NotAuthorizedException", "Invalid session for the user, session is expired.")


def test_clock_control_setting() -> None:
    assert Settings().clock_control is False
    assert from_env({"COGITO_CLOCK_CONTROL": "1"}).clock_control is True
    assert from_env({"COGITO_CLOCK_CONTROL": "true"}).clock_control is True
    assert from_env({"COGITO_CLOCK_CONTROL": "0"}).clock_control is False
    assert settings_from_args(_parser().parse_args(["serve", "--clock-control"])).clock_control is True
    assert settings_from_args(_parser().parse_args(["serve"])).clock_control is False
