"""Seed files: examples/cogito.yaml applied over POST /_cogito/seed, then used with boto3; a
second application changes nothing; updates, errors (all or nothing), triggers, JSON seeds,
and `cogito serve --seed` as a real process."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml
from botocore.exceptions import ClientError

from tests.auth_helpers import claims_of, error_of, secret_hash

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "cogito.yaml"
POOL = "eu-west-1_Example01"
WEB = "3example0web0client0000000"
BACKEND = "3example0backend0client000"
BACKEND_SECRET = "backendsecret0000000000000000000000000000000000000"
BILLING = "3example0billing0job000000"
IDENTITY_POOL = "eu-west-1:7f0c5bfa-0000-4000-8000-000000000001"
ALICE_SUB = "0a11ce00-0000-4000-8000-000000000001"


def post_seed(server: Any, body: str | dict[str, Any], content_type: str = "application/yaml") -> requests.Response:
    data = yaml.safe_dump(body) if isinstance(body, dict) else body
    return requests.post(f"{server.url}/_cogito/seed", data=data.encode(), headers={"Content-Type": content_type},
                         timeout=30)


def state_of(server: Any) -> dict[str, Any]:
    resp = requests.get(f"{server.url}/_cogito/state", timeout=30)
    assert resp.status_code == 200
    return resp.json()["tables"]


def delete_seeded(idp: Any, identity: Any, pools: list[str], identity_pools: list[str]) -> None:
    for pool_id in pools:
        try:
            idp.delete_user_pool(UserPoolId=pool_id)
        except ClientError:
            pass
    for pool_id in identity_pools:
        try:
            identity.delete_identity_pool(IdentityPoolId=pool_id)
        except ClientError:
            pass


@pytest.fixture
def example(server: Any, idp: Any, identity: Any) -> Iterator[dict[str, Any]]:
    """examples/cogito.yaml applied to the live server; its pools removed afterwards."""
    delete_seeded(idp, identity, [POOL], [IDENTITY_POOL])
    resp = post_seed(server, EXAMPLE.read_text())
    assert resp.status_code == 200, resp.text
    yield resp.json()
    delete_seeded(idp, identity, [POOL], [IDENTITY_POOL])


@pytest.fixture
def cleanup(idp: Any, identity: Any) -> Iterator[list[str]]:
    """Ids (user pools, or identity pools when they contain ':') a test seeded; deleted afterwards."""
    made: list[str] = []
    yield made
    delete_seeded(idp, identity, [p for p in made if ":" not in p], [p for p in made if ":" in p])


def _password_auth(idp: Any, username: str, password: str) -> dict[str, Any]:
    return idp.initiate_auth(ClientId=WEB, AuthFlow="USER_PASSWORD_AUTH",
                             AuthParameters={"USERNAME": username, "PASSWORD": password})


# --- the example ------------------------------------------------------------------------------

def test_example_seed_creates_what_it_declares(example: dict[str, Any], idp: Any, identity: Any) -> None:
    assert example["status"] == "seeded" and example["updated"] == []
    assert len(example["created"]) == 10
    pool = idp.describe_user_pool(UserPoolId=POOL)["UserPool"]
    assert pool["Name"] == "shop" and pool["UsernameAttributes"] == ["email"]
    assert pool["Policies"]["PasswordPolicy"]["MinimumLength"] == 10
    assert pool["Policies"]["PasswordPolicy"]["RequireSymbols"] is False
    assert "custom:tenant" in {a["Name"] for a in pool["SchemaAttributes"]}
    assert pool["EstimatedNumberOfUsers"] == 2
    web = idp.describe_user_pool_client(UserPoolId=POOL, ClientId=WEB)["UserPoolClient"]
    assert web["ClientName"] == "web" and "ClientSecret" not in web
    backend = idp.describe_user_pool_client(UserPoolId=POOL, ClientId=BACKEND)["UserPoolClient"]
    assert backend["ClientSecret"] == BACKEND_SECRET
    groups = {g["GroupName"]: g for g in idp.list_groups(UserPoolId=POOL)["Groups"]}
    assert groups["admins"]["Precedence"] == 1 and groups["admins"]["RoleArn"].endswith("role/shop-admin")
    members = idp.list_users_in_group(UserPoolId=POOL, GroupName="admins")["Users"]
    assert [u["Username"] for u in members] == [ALICE_SUB]
    described = identity.describe_identity_pool(IdentityPoolId=IDENTITY_POOL)
    assert described["AllowUnauthenticatedIdentities"] is True
    assert described["CognitoIdentityProviders"][0]["ClientId"] == WEB
    server = idp.describe_resource_server(UserPoolId=POOL, Identifier="orders")["ResourceServer"]
    assert [s["ScopeName"] for s in server["Scopes"]] == ["read", "write"]
    billing = idp.describe_user_pool_client(UserPoolId=POOL, ClientId=BILLING)["UserPoolClient"]
    assert billing["AllowedOAuthScopes"] == ["orders/read"] and billing["AllowedOAuthFlows"] == ["client_credentials"]
    roles = identity.get_identity_pool_roles(IdentityPoolId=IDENTITY_POOL)["Roles"]
    assert roles == {"authenticated": "arn:aws:iam::000000000000:role/shop-signed-in",
                     "unauthenticated": "arn:aws:iam::000000000000:role/shop-guest"}


def test_seeded_users_sign_in(example: dict[str, Any], idp: Any) -> None:
    tokens = _password_auth(idp, "alice@example.com", "Alice-Passw0rd")["AuthenticationResult"]
    claims = claims_of(tokens["IdToken"])
    assert claims["sub"] == ALICE_SUB and claims["email"] == "alice@example.com"
    assert claims["email_verified"] is True and claims["custom:tenant"] == "acme"
    assert claims["cognito:groups"] == ["admins"]
    assert claims["cognito:preferred_role"] == "arn:aws:iam::000000000000:role/shop-admin"
    bob = _password_auth(idp, "bob@example.com", "Bob-Temp-Passw0rd")
    assert bob["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    admin = idp.admin_initiate_auth(
        UserPoolId=POOL, ClientId=BACKEND, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "alice@example.com", "PASSWORD": "Alice-Passw0rd",
                        "SECRET_HASH": secret_hash(BACKEND_SECRET, "alice@example.com", BACKEND)})
    assert "AccessToken" in admin["AuthenticationResult"]


def test_passwords_are_kept_only_as_verifiers(example: dict[str, Any], server: Any) -> None:
    text = requests.get(f"{server.url}/_cogito/state", timeout=30).text
    assert "Alice-Passw0rd" not in text and "Bob-Temp-Passw0rd" not in text
    alice = next(u for u in json.loads(text)["tables"]["users"] if u["sub"] == ALICE_SUB)
    assert alice["password_salt"] and len(alice["password_verifier"]) > 200


def test_applying_twice_changes_nothing(example: dict[str, Any], server: Any) -> None:
    before = state_of(server)
    again = post_seed(server, EXAMPLE.read_text())
    assert again.status_code == 200 and again.json()["created"] == [] and again.json()["updated"] == []
    assert state_of(server) == before


def test_a_changed_seed_updates_in_place(example: dict[str, Any], server: Any, idp: Any) -> None:
    doc = yaml.safe_load(EXAMPLE.read_text())
    pool = doc["UserPools"][0]
    pool["Groups"][1]["Precedence"] = 5
    pool["Users"][0]["Password"] = "Alice-N3w-Passw0rd"
    pool["Users"][0]["Attributes"]["name"] = "Alice Liddell"
    pool["Users"].append({"Username": "carol@example.com", "Password": "Carol-Passw0rd"})
    resp = post_seed(server, doc)
    assert resp.status_code == 200, resp.text
    assert resp.json()["created"] == [f"User {POOL}/carol@example.com"]
    assert sorted(resp.json()["updated"]) == [f"Group {POOL}/customers", f"User {POOL}/alice@example.com"]
    assert idp.get_group(UserPoolId=POOL, GroupName="customers")["Group"]["Precedence"] == 5
    with pytest.raises(ClientError) as exc:
        _password_auth(idp, "alice@example.com", "Alice-Passw0rd")
    assert error_of(exc)[0] == "NotAuthorizedException"
    fresh = _password_auth(idp, "alice@example.com", "Alice-N3w-Passw0rd")["AuthenticationResult"]
    claims = claims_of(fresh["IdToken"])
    assert claims["name"] == "Alice Liddell" and claims["sub"] == ALICE_SUB  # the same user, updated
    assert _password_auth(idp, "carol@example.com", "Carol-Passw0rd")["AuthenticationResult"]


# --- errors: named, Cognito-worded, all or nothing ---------------------------------------------

def _pool(pool_id: str = "eu-west-1_SeedErr01", **extra: Any) -> dict[str, Any]:
    return {"Id": pool_id, "PoolName": "err", **extra}


@pytest.mark.parametrize(("doc", "message"), [
    ({"UserPool": []}, "seed: unknown member 'UserPool'"),
    ({"UserPools": [{"PoolName": "x"}]}, "UserPools[0]: every pool needs its Id"),
    ({"UserPools": [_pool(Colour="red")]}, "UserPools[0]: unknown member 'Colour'"),
    ({"UserPools": [_pool(PoolName="bad/name")]},
     "UserPools[0]: 1 validation error detected: Value 'bad/name' at 'poolName' failed to satisfy constraint: "
     "Member must satisfy regular expression pattern: [\\w\\s+=,.@-]+"),
    ({"UserPools": [_pool("not-a-pool-id")]}, "UserPools[0].Id: 1 validation error detected"),
    ({"UserPools": [_pool(Users=[{"Username": "u", "Password": "short"}])]},
     "UserPools[0].Users[0]: InvalidPasswordException: Password does not conform to policy: Password not long enough"),
    ({"UserPools": [_pool(Users=[{"Username": "u", "Attributes": {"shoe_size": "9"}}])]},
     "UserPools[0].Users[0]: InvalidParameterException: Attributes did not conform to the schema: "
     "Type for attribute {shoe_size} could not be determined"),
    ({"UserPools": [_pool(Users=[{"Username": "u", "Groups": ["nope"]}])]},
     "UserPools[0].Users[0].Groups: ResourceNotFoundException: Group not found."),
    ({"UserPools": [_pool(Users=[{"Username": "u", "Status": "ARCHIVED"}])]}, "UserPools[0].Users[0].Status"),
    ({"UserPools": [_pool(Triggers={"OnBirthday": "fn"})]}, "UserPools[0].Triggers: unknown trigger 'OnBirthday'"),
    ({"IdentityPools": [{"IdentityPoolName": "x"}]}, "IdentityPools[0]: every identity pool needs its IdentityPoolId"),
])
def test_bad_seeds_are_refused_with_the_entry_named(server: Any, idp: Any, doc: dict[str, Any], message: str) -> None:
    resp = post_seed(server, doc)
    assert resp.status_code == 400
    assert resp.json()["__type"] == "InvalidParameterException"
    assert resp.json()["message"].startswith(message), resp.json()["message"]
    with pytest.raises(ClientError):  # all or nothing: the pool was not left half-made
        idp.describe_user_pool(UserPoolId="eu-west-1_SeedErr01")


def test_an_error_anywhere_applies_nothing(server: Any, idp: Any, cleanup: list[str]) -> None:
    cleanup += ["eu-west-1_SeedGood1", "eu-west-1_SeedBad01"]
    bad_client = {"ClientName": "c", "ExplicitAuthFlows": ["ALLOW_MAGIC"]}
    doc = {"UserPools": [{"Id": "eu-west-1_SeedGood1", "PoolName": "good"},
                         {"Id": "eu-west-1_SeedBad01", "PoolName": "bad", "Clients": [bad_client]}]}
    resp = post_seed(server, doc)
    assert resp.status_code == 400 and resp.json()["message"].startswith("UserPools[1].Clients[0]: ")
    with pytest.raises(ClientError) as exc:
        idp.describe_user_pool(UserPoolId="eu-west-1_SeedGood1")
    assert error_of(exc)[0] == "ResourceNotFoundException"


def test_not_yaml_is_refused(server: Any) -> None:
    resp = post_seed(server, "UserPools: [unclosed")
    assert resp.status_code == 400 and "not valid YAML or JSON" in resp.json()["message"]


# --- triggers, JSON, clients without ids, resource servers -------------------------------------

def test_triggers_become_the_pools_lambda_config(server: Any, idp: Any, cleanup: list[str]) -> None:
    cleanup.append("eu-west-1_SeedTrig1")
    doc = {"UserPools": [{"Id": "eu-west-1_SeedTrig1", "PoolName": "trig",
                          "LambdaConfig": {"CustomMessage": "arn:aws:lambda:eu-west-1:000000000000:function:msgs"},
                          "Triggers": {"PreSignUp": "gatekeeper",
                                       "PostConfirmation": "arn:aws:lambda:eu-west-1:123456789012:function:welcome"}}]}
    assert post_seed(server, json.dumps(doc), "application/json").status_code == 200
    config = idp.describe_user_pool(UserPoolId="eu-west-1_SeedTrig1")["UserPool"]["LambdaConfig"]
    assert config == {"CustomMessage": "arn:aws:lambda:eu-west-1:000000000000:function:msgs",
                      "PreSignUp": "arn:aws:lambda:eu-west-1:000000000000:function:gatekeeper",
                      "PostConfirmation": "arn:aws:lambda:eu-west-1:123456789012:function:welcome"}
    listed = idp.list_user_pools(MaxResults=60)["UserPools"]
    assert next(p for p in listed if p["Id"] == "eu-west-1_SeedTrig1")["LambdaConfig"] == config


def test_a_client_without_an_id_is_found_again_by_name(server: Any, idp: Any, cleanup: list[str]) -> None:
    cleanup.append("eu-west-1_SeedName1")
    doc = {"UserPools": [{"Id": "eu-west-1_SeedName1", "PoolName": "p",
                          "Clients": [{"ClientName": "spa", "GenerateSecret": True}]}]}
    first = post_seed(server, doc).json()
    assert post_seed(server, doc).json() == {"status": "seeded", "created": [], "updated": []}
    clients = idp.list_user_pool_clients(UserPoolId="eu-west-1_SeedName1", MaxResults=10)["UserPoolClients"]
    assert len(clients) == 1 and first["created"][1] == f"UserPoolClient {clients[0]['ClientId']}"
    secret = idp.describe_user_pool_client(UserPoolId="eu-west-1_SeedName1",
                                           ClientId=clients[0]["ClientId"])["UserPoolClient"]["ClientSecret"]
    assert len(secret) == 51


def test_a_client_id_of_another_pool_is_refused(example: dict[str, Any], server: Any, cleanup: list[str]) -> None:
    cleanup.append("eu-west-1_SeedOthr1")
    doc = {"UserPools": [{"Id": "eu-west-1_SeedOthr1", "PoolName": "p",
                          "Clients": [{"ClientId": WEB, "ClientName": "web"}]}]}
    resp = post_seed(server, doc)
    assert resp.status_code == 400
    assert resp.json()["message"] == f"UserPools[0].Clients[0]: client {WEB} already belongs to pool {POOL}."


def test_resource_servers_follow_the_feature(server: Any, idp: Any, cleanup: list[str]) -> None:
    """Seeded through the resource-server handlers when they exist; a plain refusal until then."""
    from emulator.protocol import registry

    cleanup.append("eu-west-1_SeedRsrv1")
    doc = {"UserPools": [{"Id": "eu-west-1_SeedRsrv1", "PoolName": "p", "ResourceServers": [
        {"Identifier": "https://api.example.com", "Name": "api",
         "Scopes": [{"ScopeName": "read", "ScopeDescription": "Read things"}]}]}]}
    resp = post_seed(server, doc)
    if registry.lookup("cognito-idp", "CreateResourceServer") is None:
        assert resp.status_code == 400
        assert "does not implement resource servers yet" in resp.json()["message"]
        return
    assert resp.status_code == 200, resp.text
    found = idp.describe_resource_server(UserPoolId="eu-west-1_SeedRsrv1", Identifier="https://api.example.com")
    assert found["ResourceServer"]["Scopes"] == [{"ScopeName": "read", "ScopeDescription": "Read things"}]
    assert post_seed(server, doc).json()["updated"] == []


def test_a_fixed_sub_and_an_identity_pool_update(server: Any, idp: Any, identity: Any, cleanup: list[str]) -> None:
    cleanup += ["eu-west-1_SeedSub01", "eu-west-1:00000000-0000-4000-8000-00000000abcd"]
    sub = "5eed5eed-0000-4000-8000-000000000042"
    doc: dict[str, Any] = {
        "UserPools": [{"Id": "eu-west-1_SeedSub01", "PoolName": "p",
                       "Users": [{"Username": "plain", "Sub": sub, "Enabled": False}]}],
        "IdentityPools": [{"IdentityPoolId": "eu-west-1:00000000-0000-4000-8000-00000000abcd",
                           "IdentityPoolName": "ids"}],
    }
    assert post_seed(server, doc).status_code == 200
    user = idp.admin_get_user(UserPoolId="eu-west-1_SeedSub01", Username="plain")
    assert {a["Name"]: a["Value"] for a in user["UserAttributes"]}["sub"] == sub and user["Enabled"] is False
    assert idp.admin_get_user(UserPoolId="eu-west-1_SeedSub01", Username=sub)["Username"] == "plain"
    doc["IdentityPools"][0]["AllowUnauthenticatedIdentities"] = True
    resp = post_seed(server, doc).json()
    assert resp["updated"] == ["IdentityPool eu-west-1:00000000-0000-4000-8000-00000000abcd"]
    assert identity.describe_identity_pool(
        IdentityPoolId="eu-west-1:00000000-0000-4000-8000-00000000abcd")["AllowUnauthenticatedIdentities"] is True
    doc["UserPools"][0]["Users"][0]["Sub"] = "5eed5eed-0000-4000-8000-000000000043"
    refused = post_seed(server, doc)
    assert refused.status_code == 400 and "a sub cannot change" in refused.json()["message"]


# --- `cogito serve --seed` ---------------------------------------------------------------------

def test_serve_with_a_seed_file(tmp_path: Path) -> None:
    from tests.test_cli import Cli

    cli = Cli("--seed", str(EXAMPLE), "--db", f"sqlite:///{tmp_path / 'c.db'}")
    try:
        cli.wait_ready()
        idp = cli.idp()
        assert idp.describe_user_pool(UserPoolId=POOL)["UserPool"]["Name"] == "shop"
        result = idp.initiate_auth(ClientId=WEB, AuthFlow="USER_PASSWORD_AUTH",
                                   AuthParameters={"USERNAME": "alice@example.com", "PASSWORD": "Alice-Passw0rd"})
        assert claims_of(result["AuthenticationResult"]["IdToken"])["sub"] == ALICE_SUB
    finally:
        assert cli.stop() == 0
    assert any("seeded from" in line and "10 created" in line for line in cli.log), "".join(cli.log)


def test_serve_with_a_seed_in_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    """An in-memory database lives in the worker: the seed is applied there (COGITO_SEED this time)."""
    from tests.test_cli import Cli

    monkeypatch.setenv("COGITO_SEED", str(EXAMPLE))
    cli = Cli("--db", "sqlite://")
    try:
        cli.wait_ready()
        client = cli.idp().describe_user_pool_client(UserPoolId=POOL, ClientId=WEB)["UserPoolClient"]
        assert client["ClientName"] == "web"
    finally:
        cli.stop()


def test_serve_refuses_a_bad_seed_before_serving(tmp_path: Path) -> None:
    from tests.test_cli import ROOT as REPO, cogito_command

    bad = tmp_path / "bad.yaml"
    bad.write_text("UserPools:\n  - Id: eu-west-1_Bad00001\n    PoolName: p\n    Users: [{Username: u, Password: x}]\n")
    env = dict(os.environ, PYTHONPATH=str(REPO))
    done = subprocess.run([*cogito_command(), "serve", "--port", "1", "--seed", str(bad),
                           "--db", f"sqlite:///{tmp_path / 'c.db'}"],
                          capture_output=True, text=True, timeout=60, env=env, cwd=str(REPO))
    assert done.returncode == 2
    assert "cogito: seed " in done.stderr
    assert "UserPools[0].Users[0]: InvalidPasswordException: Password does not conform to policy" in done.stderr
