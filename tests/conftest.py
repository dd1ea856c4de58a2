"""A live Cogito on a free port for the whole session; fresh pools per test.

Runs against SQLite always, and against PostgreSQL too when COGITO_TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from botocore.config import Config
from werkzeug.serving import make_server

from emulator.app import create_app, state_of
from emulator.server_state import ServerState
from emulator.settings import Settings

REGION = "eu-west-1"
BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("COGITO_TEST_DATABASE_URL") else [])


@dataclass
class LiveServer:
    url: str
    state: ServerState
    backend: str

    def client(self, service: str, region: str = REGION) -> Any:
        return boto3.client(
            service, endpoint_url=self.url, region_name=region, aws_access_key_id="test",
            aws_secret_access_key="test", config=Config(retries={"max_attempts": 1}),
        )


def _private_schema(base_url: str, request: pytest.FixtureRequest) -> str:
    """A schema of its own for this test session, so concurrent runs on one database don't collide."""
    from sqlalchemy import create_engine, text

    from emulator.store.engine import normalise_url

    schema = f"cogito_{uuid.uuid4().hex[:12]}"
    admin = create_engine(normalise_url(base_url))
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))

    def drop() -> None:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        admin.dispose()

    request.addfinalizer(drop)
    joiner = "&" if "?" in base_url else "?"
    return f"{base_url}{joiner}options=-csearch_path%3D{schema}"


@pytest.fixture(scope="session", params=BACKENDS)
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    if request.param == "sqlite":
        db_url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'cogito.db'}"
    else:
        db_url = _private_schema(os.environ["COGITO_TEST_DATABASE_URL"], request)
    app = create_app(Settings(db_url=db_url, region="us-east-1", log_level="warning"))
    state = state_of(app)
    state.store.reset()
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield LiveServer(f"http://127.0.0.1:{httpd.server_port}", state, request.param)
    httpd.shutdown()
    state.store.dispose()


@pytest.fixture(scope="session")
def idp(server: LiveServer) -> Any:
    """A boto3 cognito-idp client pointed at the live server (region eu-west-1)."""
    return server.client("cognito-idp")


@pytest.fixture(scope="session")
def identity(server: LiveServer) -> Any:
    return server.client("cognito-identity")


@pytest.fixture
def pool(idp: Any) -> Iterator[dict[str, Any]]:
    """A fresh user pool with default settings, deleted after the test."""
    created = idp.create_user_pool(PoolName=f"test-{uuid.uuid4().hex[:8]}")["UserPool"]
    yield created
    try:
        idp.delete_user_pool(UserPoolId=created["Id"])
    except idp.exceptions.ResourceNotFoundException:
        pass
