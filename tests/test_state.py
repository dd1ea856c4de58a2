"""Whole-state export/import (GET/POST /_cogito/state), reset and moto's reset alias, and the
cognito-local importer. These tests empty their emulator, so each gets one of its own."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jwt
import pytest
import requests
from botocore.exceptions import ClientError

from emulator.pytest_plugin import CogitoServer
from tests.auth_helpers import claims_of, error_of, secret_hash
from tests.conftest import BACKENDS, _private_schema

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "cognito-local"
PASSWORD = "Passw0rd!x"


@pytest.fixture(params=BACKENDS)
def own(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[CogitoServer]:
    """A Cogito of its own (SQLite file or a private PostgreSQL schema): these tests reset it."""
    if request.param == "sqlite":
        db_url = f"sqlite:///{tmp_path / 'own.db'}"
    else:
        db_url = _private_schema(os.environ["COGITO_TEST_DATABASE_URL"], request)
    server = CogitoServer(db_url, "eu-west-1")
    yield server
    server.stop()


def _world(own: CogitoServer) -> dict[str, Any]:
    """A pool with a secret client, a user in a group who signed in, an identity pool with an identity."""
    idp, identity = own.client("cognito-idp"), own.client("cognito-identity")
    pool = idp.create_user_pool(PoolName="shop", UsernameAttributes=["email"])["UserPool"]["Id"]
    client = idp.create_user_pool_client(
        UserPoolId=pool, ClientName="web", GenerateSecret=True,
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])["UserPoolClient"]
    idp.admin_create_user(UserPoolId=pool, Username="ann@example.com", MessageAction="SUPPRESS",
                          UserAttributes=[{"Name": "email_verified", "Value": "true"}])
    idp.admin_set_user_password(UserPoolId=pool, Username="ann@example.com", Password=PASSWORD, Permanent=True)
    idp.create_group(UserPoolId=pool, GroupName="staff", Precedence=3)
    idp.admin_add_user_to_group(UserPoolId=pool, Username="ann@example.com", GroupName="staff")
    tokens = _sign_in(own, pool, client)
    ipool = identity.create_identity_pool(IdentityPoolName="ids", AllowUnauthenticatedIdentities=True)["IdentityPoolId"]
    identity_id = identity.get_id(IdentityPoolId=ipool)["IdentityId"]
    return {"pool": pool, "client": client, "tokens": tokens, "identity_pool": ipool, "identity_id": identity_id}


def _sign_in(own: CogitoServer, pool: str, client: dict[str, Any], password: str = PASSWORD,
             username: str = "ann@example.com") -> dict[str, Any]:
    return own.client("cognito-idp").initiate_auth(
        ClientId=client["ClientId"], AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": password,
                        "SECRET_HASH": secret_hash(client["ClientSecret"], username, client["ClientId"])},
    )["AuthenticationResult"]


def _export(own: CogitoServer) -> dict[str, Any]:
    resp = requests.get(f"{own.url}/_cogito/state", timeout=30)
    assert resp.status_code == 200 and resp.headers["Content-Type"] == "application/json"
    return resp.json()


def _import(own: CogitoServer, doc: Any) -> requests.Response:
    return requests.post(f"{own.url}/_cogito/state", data=json.dumps(doc), timeout=30)


def test_every_table_is_exported() -> None:
    """Export is driven by the SQLAlchemy metadata: a new table is in it with no further change."""
    from emulator.state import snapshot
    from emulator.store.base import Base
    from emulator.store.engine import Store

    store = Store("sqlite://")
    doc = snapshot.export_state(store)
    assert set(doc["tables"]) == set(Base.metadata.tables) and len(doc["tables"]) >= 15
    assert doc["format"] == "cogito-state" and doc["formatVersion"] == 1


def test_export_reset_import_round_trip(own: CogitoServer) -> None:
    world = _world(own)
    idp = own.client("cognito-idp")
    doc = _export(own)
    text = json.dumps(doc)
    assert PASSWORD not in text  # passwords only as SRP salt + verifier
    assert world["tokens"]["RefreshToken"] not in text  # refresh tokens only as hashes
    assert doc["tables"]["users"][0]["password_verifier"]

    assert requests.post(f"{own.url}/_cogito/reset", timeout=30).json() == {"status": "reset"}
    with pytest.raises(ClientError) as exc:
        idp.describe_user_pool(UserPoolId=world["pool"])
    assert error_of(exc)[0] == "ResourceNotFoundException"

    resp = _import(own, doc)
    assert resp.status_code == 200 and resp.json()["status"] == "imported"
    assert resp.json()["rows"] == sum(len(rows) for rows in doc["tables"].values())
    assert _export(own)["tables"] == doc["tables"]

    # The same ids, the old password, the same keys and the same sign-in families.
    client = idp.describe_user_pool_client(UserPoolId=world["pool"],
                                           ClientId=world["client"]["ClientId"])["UserPoolClient"]
    assert client["ClientSecret"] == world["client"]["ClientSecret"]
    fresh = _sign_in(own, world["pool"], client)
    old_claims, new_claims = claims_of(world["tokens"]["IdToken"]), claims_of(fresh["IdToken"])
    assert new_claims["sub"] == old_claims["sub"] and new_claims["cognito:groups"] == ["staff"]
    keys = requests.get(f"{own.url}/{world['pool']}/.well-known/jwks.json", timeout=30).json()["keys"]
    kid = jwt.get_unverified_header(world["tokens"]["IdToken"])["kid"]
    signer = jwt.PyJWK(next(k for k in keys if k["kid"] == kid))
    jwt.decode(world["tokens"]["IdToken"], signer.key, algorithms=["RS256"], audience=client["ClientId"],
               options={"verify_exp": False})
    assert idp.get_user(AccessToken=world["tokens"]["AccessToken"])["Username"] == old_claims["sub"]
    refreshed = idp.initiate_auth(
        ClientId=client["ClientId"], AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": world["tokens"]["RefreshToken"],
                        "SECRET_HASH": secret_hash(client["ClientSecret"], old_claims["sub"], client["ClientId"])})
    assert "IdToken" in refreshed["AuthenticationResult"]
    identity = own.client("cognito-identity")
    assert identity.describe_identity(IdentityId=world["identity_id"])["IdentityId"] == world["identity_id"]

    # New rows after an import get fresh ids (PostgreSQL's sequences were moved past the imported ones).
    idp.admin_create_user(UserPoolId=world["pool"], Username="bo@example.com", MessageAction="SUPPRESS")
    idp.create_group(UserPoolId=world["pool"], GroupName="other")
    idp.admin_add_user_to_group(UserPoolId=world["pool"], Username="bo@example.com", GroupName="other")
    assert [u["Username"] for u in idp.list_users_in_group(UserPoolId=world["pool"], GroupName="staff")["Users"]] \
        == [old_claims["sub"]]


def test_moto_reset_alias_empties_everything(own: CogitoServer) -> None:
    world = _world(own)
    resp = requests.post(f"{own.url}/moto-api/reset", timeout=30)
    assert resp.status_code == 200
    assert own.client("cognito-idp").list_user_pools(MaxResults=10)["UserPools"] == []
    with pytest.raises(ClientError):
        own.client("cognito-identity").describe_identity_pool(IdentityPoolId=world["identity_pool"])
    assert requests.get(f"{own.url}/moto-api/reset", timeout=30).status_code == 405


@pytest.mark.parametrize(("doc", "message"), [
    ("not json", "The body is not JSON"),
    ({"tables": {}}, "Not a Cogito state document"),
    ({"format": "cogito-state", "formatVersion": 99, "tables": {}}, "Unsupported formatVersion 99"),
    ({"format": "cogito-state", "formatVersion": 1, "tables": {"dragons": []}}, "Unknown table 'dragons'"),
    ({"format": "cogito-state", "formatVersion": 1, "tables": {"groups": [{"colour": "red"}]}},
     "Table 'groups' has no column 'colour'"),
    ({"format": "cogito-state", "formatVersion": 1, "tables": {"groups": "all"}}, "Table 'groups' must be a list"),
])
def test_bad_state_documents_are_refused(own: CogitoServer, doc: Any, message: str) -> None:
    own.client("cognito-idp").create_user_pool(PoolName="kept")
    body = doc if isinstance(doc, str) else json.dumps(doc)
    resp = requests.post(f"{own.url}/_cogito/state", data=body, timeout=30)
    assert resp.status_code == 400 and resp.json()["__type"] == "InvalidParameterException"
    assert resp.json()["message"].startswith(message), resp.json()["message"]
    assert len(own.client("cognito-idp").list_user_pools(MaxResults=10)["UserPools"]) == 1


def test_an_import_that_breaks_a_constraint_changes_nothing(own: CogitoServer) -> None:
    world = _world(own)
    doc = _export(own)
    doc["tables"]["groups"].append(dict(doc["tables"]["groups"][0]))  # the same id twice
    resp = _import(own, doc)
    assert resp.status_code == 400 and resp.json()["message"].startswith("The rows break a constraint")
    assert own.client("cognito-idp").describe_user_pool(UserPoolId=world["pool"])["UserPool"]["Name"] == "shop"


def test_deep_health_runs_a_real_create_user_pool(own: CogitoServer) -> None:
    resp = requests.get(f"{own.url}/_cogito/health?deep=1", timeout=30)
    assert resp.status_code == 200
    assert resp.json()["probe"] == {"CreateUserPool": 200, "DescribeUserPool": 200, "DeleteUserPool": 200}
    assert own.client("cognito-idp").list_user_pools(MaxResults=10)["UserPools"] == []  # cleaned up
    assert requests.get(f"{own.url}/_cogito/health", timeout=30).json()["status"] == "ok"


# --- cognito-local ------------------------------------------------------------------------------

def _run_import(*args: str) -> subprocess.CompletedProcess[str]:
    from tests.test_cli import cogito_command

    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([*cogito_command(), "import-cognito-local", *args], capture_output=True, text=True,
                          timeout=120, env=env, cwd=str(ROOT))


def test_import_a_cognito_local_folder(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'imported.db'}"
    seed_out = tmp_path / "cogito.yaml"
    done = _run_import(str(FIXTURE), "--db", db_url, "--write-seed", str(seed_out))
    assert done.returncode == 0, done.stderr
    assert "imported 2 user pool(s)" in done.stderr and "9 created" in done.stderr
    assert "note: local_5g0QwGmE/test-user: 1 refresh token(s) not carried over" in done.stderr
    assert "custom:legacy_id is not in the pool's schema" in done.stderr
    assert "client 7orphan0client0no0pool0000: its pool local_Gone0000 has no file" in done.stderr

    server = CogitoServer(db_url, "us-east-1")
    try:
        idp = server.client("cognito-idp")
        pool = idp.describe_user_pool(UserPoolId="local_5g0QwGmE")["UserPool"]
        assert pool["Name"] == "app-users" and pool["UsernameAttributes"] == ["email"]
        welcome = "arn:aws:lambda:us-east-1:000000000000:function:welcome-mailer"
        assert pool["LambdaConfig"] == {"PostConfirmation": welcome}
        assert pool["Policies"]["PasswordPolicy"]["TemporaryPasswordValidityDays"] == 7
        # cognito-local's plaintext password, now an SRP verifier; the sub is the one it had.
        tokens = idp.initiate_auth(ClientId="5ld4eb1rl3kd9nn2r1e6np7rqb", AuthFlow="USER_PASSWORD_AUTH",
                                   AuthParameters={"USERNAME": "test-user@example.com",
                                                   "PASSWORD": "test-Password!"})["AuthenticationResult"]
        claims = claims_of(tokens["IdToken"])
        assert claims["sub"] == "c443af37-2eab-4465-ac94-7ec8b814abad"
        assert claims["cognito:groups"] == ["editors"] and claims["custom:plan"] == "gold"
        newbie = idp.admin_get_user(UserPoolId="local_5g0QwGmE", Username="newbie@example.com")
        assert newbie["UserStatus"] == "UNCONFIRMED"
        shop = idp.describe_user_pool_client(UserPoolId="us-east-1_Sh0pP00l1",
                                             ClientId="2m8qv0c1h6o3vd3pe0ahi9v3lk")["UserPoolClient"]
        assert shop["ClientSecret"] == "1q2w3e4r5t6y7u8i9o0p1a2s3d4f5g6h7j8k9l0z1x2c3v4b5n6"
        assert idp.admin_get_user(UserPoolId="us-east-1_Sh0pP00l1", Username="dave")["Enabled"] is False
        lambda_config = idp.describe_user_pool(UserPoolId="us-east-1_Sh0pP00l1")["UserPool"]["LambdaConfig"]
        assert lambda_config["PreSignUp"].endswith("function:shop-pre-signup")
        carol = idp.admin_initiate_auth(
            UserPoolId="us-east-1_Sh0pP00l1", ClientId=shop["ClientId"], AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "carol", "PASSWORD": "Carol-Passw0rd",
                            "SECRET_HASH": secret_hash(shop["ClientSecret"], "carol", shop["ClientId"])})
        assert claims_of(carol["AuthenticationResult"]["IdToken"])["sub"] == "ca401000-1111-4222-8333-944455556666"
    finally:
        server.stop()

    # The written seed re-applies onto the imported state without changing anything.
    again = _run_import(str(FIXTURE / ".cognito" / "db"), "--db", db_url)
    assert again.returncode == 0 and "0 created, 0 updated" in again.stderr, again.stderr
    assert "Clients:" in seed_out.read_text() and "test-Password!" in seed_out.read_text()


def test_import_refuses_a_folder_without_cognito_local_data(tmp_path: Path) -> None:
    done = _run_import(str(tmp_path), "--db", f"sqlite:///{tmp_path / 'x.db'}")
    assert done.returncode == 2 and "no cognito-local data here" in done.stderr


def test_import_dry_run_writes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "untouched.db"
    done = _run_import(str(FIXTURE / ".cognito"), "--db", f"sqlite:///{target}", "--dry-run")
    assert done.returncode == 0 and "nothing written (dry run)" in done.stderr
    assert not target.exists()
