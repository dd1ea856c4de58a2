"""The pytest plugin: installed through the pytest11 entry point, exercised with pytester (a pytest
run inside the test) and used directly by the tests at the end of this file."""

from __future__ import annotations

import os
import shutil
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import BACKENDS

pytest_plugins = ["pytester"]
ROOT = Path(__file__).resolve().parents[1]

SIGN_UP = '''
import pytest

def sign_up(cogito, username="alice"):
    idp = cogito.cognito_idp
    pool = idp.create_user_pool(PoolName="p", AutoVerifiedAttributes=["email"])["UserPool"]["Id"]
    client = idp.create_user_pool_client(UserPoolId=pool, ClientName="c",
                                         ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    client_id = client["UserPoolClient"]["ClientId"]
    idp.sign_up(ClientId=client_id, Username=username, Password="Passw0rd!x",
                UserAttributes=[{"Name": "email", "Value": username + "@example.com"}])
    return pool, client_id
'''


@pytest.fixture(autouse=True)
def _preload_emulator() -> None:
    """Import every table and handler module before an in-process pytester run.

    pytester forgets the modules a run imported; table modules imported again would
    redefine their tables on the shared SQLAlchemy metadata. Imported here first, they stay.
    """
    import importlib

    from emulator.protocol import registry
    from emulator.store.engine import MODEL_MODULES

    for module in (*MODEL_MODULES, "emulator.app", "emulator.seed", "emulator.state.snapshot",
                   "emulator.state.seed_parts", "emulator.state.seed_users", "emulator.state.functions"):
        importlib.import_module(module)
    for service in ("cognito-idp", "cognito-identity", "sts"):
        registry.implemented(service)


def test_the_plugin_is_installed_as_an_entry_point() -> None:
    found = [ep for ep in entry_points(group="pytest11") if ep.name == "cogito"]
    assert [ep.value for ep in found] == ["emulator.pytest_plugin"]


def test_fixture_clients_codes_and_isolation(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(SIGN_UP + '''
def test_first(cogito):
    pool, client_id = sign_up(cogito)
    code = cogito.last_code("alice")
    assert code and code.isdigit() and len(code) == 6
    assert cogito.last_code("alice@example.com") == code          # by destination too
    assert cogito.last_message("alice", kind="SIGNUP")["poolId"] == pool
    cogito.cognito_idp.confirm_sign_up(ClientId=client_id, Username="alice", ConfirmationCode=code)
    status = cogito.cognito_idp.admin_get_user(UserPoolId=pool, Username="alice")["UserStatus"]
    assert status == "CONFIRMED"
    assert cogito.last_code("nobody") is None
    assert cogito.url.startswith("http://127.0.0.1:")

def test_second_starts_empty(cogito):
    assert cogito.cognito_idp.list_user_pools(MaxResults=10)["UserPools"] == []
    assert cogito.messages() == []
    ids = cogito.cognito_identity.list_identity_pools(MaxResults=10)["IdentityPools"]
    assert ids == []
    assert cogito.client("sts").get_caller_identity()["Account"]
''')
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)


def test_the_clock_can_be_frozen_and_moved(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(SIGN_UP + '''
import time
from botocore.exceptions import ClientError

def test_tokens_expire(cogito):
    pool, client_id = sign_up(cogito)
    cogito.cognito_idp.admin_confirm_sign_up(UserPoolId=pool, Username="alice")
    frozen = cogito.freeze(1_700_000_000)
    assert frozen == 1_700_000_000 == cogito.now()
    auth = cogito.cognito_idp.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "alice", "PASSWORD": "Passw0rd!x"})["AuthenticationResult"]
    access = auth["AccessToken"]
    assert cogito.cognito_idp.get_user(AccessToken=access)["Username"] == "alice"
    assert cogito.advance(3601) == 1_700_003_601
    with pytest.raises(ClientError) as exc:
        cogito.cognito_idp.get_user(AccessToken=access)
    assert exc.value.response["Error"]["Code"] == "NotAuthorizedException"

def test_clock_is_back_to_wall_time(cogito):
    assert abs(cogito.now() - time.time()) < 60
''')
    pytester.runpytest_inprocess("-p", "no:cacheprovider").assert_outcomes(passed=2)


def test_reset_scope_module_in_ini_and_marker(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\ncogito_reset = module\n")
    pytester.makepyfile(test_one='''
import pytest

def test_make(cogito):
    cogito.cognito_idp.create_user_pool(PoolName="kept")

def test_still_there(cogito):
    assert [p["Name"] for p in cogito.cognito_idp.list_user_pools(MaxResults=10)["UserPools"]] == ["kept"]

@pytest.mark.cogito(reset="function")
def test_marker_resets(cogito):
    assert cogito.cognito_idp.list_user_pools(MaxResults=10)["UserPools"] == []
''', test_two='''
def test_new_module_new_state(cogito):
    assert cogito.cognito_idp.list_user_pools(MaxResults=10)["UserPools"] == []
''')
    pytester.runpytest_inprocess("-p", "no:cacheprovider").assert_outcomes(passed=4)


def test_bad_reset_scope_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile('''
import pytest

@pytest.mark.cogito(reset="hourly")
def test_x(cogito):
    pass
''')
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*cogito reset scope 'hourly': use one of function, module, session*"])


def test_seed_from_ini_and_marker(pytester: pytest.Pytester) -> None:
    shutil.copy(ROOT / "examples" / "cogito.yaml", pytester.path / "cogito.yaml")
    (pytester.path / "extra.yaml").write_text(
        "UserPools:\n  - Id: eu-west-1_Example01\n    PoolName: shop\n    UsernameAttributes: [email]\n"
        "    AutoVerifiedAttributes: [email]\n"
        "    Policies: {PasswordPolicy: {MinimumLength: 10, RequireUppercase: true, RequireLowercase: true,"
        " RequireNumbers: true, RequireSymbols: false}}\n"
        "    Schema: [{Name: tenant, AttributeDataType: String, Mutable: true}]\n"
        "    Groups: [{GroupName: extra}]\n")
    pytester.makeini("[pytest]\ncogito_seed = cogito.yaml\n")
    pytester.makepyfile('''
import pytest

def test_seeded(cogito):
    idp = cogito.cognito_idp
    auth = idp.initiate_auth(ClientId="3example0web0client0000000", AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "alice@example.com", "PASSWORD": "Alice-Passw0rd"})
    assert "IdToken" in auth["AuthenticationResult"]
    idp.delete_group(UserPoolId="eu-west-1_Example01", GroupName="customers")

def test_seeded_again_after_reset(cogito):
    groups = cogito.cognito_idp.list_groups(UserPoolId="eu-west-1_Example01")["Groups"]
    assert sorted(g["GroupName"] for g in groups) == ["admins", "customers"]

@pytest.mark.cogito(seed="extra.yaml")
def test_marker_seed_on_top(cogito):
    groups = cogito.cognito_idp.list_groups(UserPoolId="eu-west-1_Example01")["Groups"]
    assert sorted(g["GroupName"] for g in groups) == ["admins", "customers", "extra"]
''')
    pytester.runpytest_inprocess("-p", "no:cacheprovider").assert_outcomes(passed=3)


def test_register_trigger_stores_the_mapping(pytester: pytest.Pytester) -> None:
    pytester.makepyfile('''
import pytest
from emulator.state import functions

seen = []

def gatekeeper(event):
    seen.append(event)
    event["response"]["autoConfirmUser"] = True
    return event

def test_register(cogito):
    pool = cogito.cognito_idp.create_user_pool(PoolName="p")["UserPool"]["Id"]
    arn = cogito.register_trigger(pool, "PreSignUp", gatekeeper)
    assert arn == f"arn:aws:lambda:us-east-1:000000000000:function:pytest-{pool}-PreSignUp"
    config = cogito.cognito_idp.describe_user_pool(UserPoolId=pool)["UserPool"]["LambdaConfig"]
    assert config == {"PreSignUp": arn}
    assert functions.lookup(arn) is gatekeeper
    with pytest.raises(ValueError):
        cogito.register_trigger(pool, "OnBirthday", gatekeeper)
    with pytest.raises(LookupError):
        cogito.register_trigger("us-east-1_nothere", "PreSignUp", gatekeeper)

def test_unregistered_after_the_test(cogito):
    assert functions.registered() == {}
''')
    pytester.runpytest_inprocess("-p", "no:cacheprovider").assert_outcomes(passed=2)


def test_state_helpers_and_region_option(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\ncogito_region = ap-southeast-2\n")
    pytester.makepyfile('''
def test_export_import(cogito):
    idp = cogito.cognito_idp
    pool = idp.create_user_pool(PoolName="p")["UserPool"]["Id"]
    assert pool.startswith("ap-southeast-2_")
    doc = cogito.export_state()
    cogito.reset()
    assert idp.list_user_pools(MaxResults=10)["UserPools"] == []
    assert cogito.import_state(doc) >= 1
    assert idp.describe_user_pool(UserPoolId=pool)["UserPool"]["Name"] == "p"
    report = cogito.seed({"UserPools": [{"Id": "ap-southeast-2_Seeded001", "PoolName": "s"}]})
    assert report.created == ["UserPool ap-southeast-2_Seeded001"]
''')
    pytester.runpytest_inprocess("-p", "no:cacheprovider").assert_outcomes(passed=1)


@pytest.mark.skipif("postgresql" not in BACKENDS, reason="COGITO_TEST_DATABASE_URL is not set")
def test_the_plugin_on_postgresql(pytester: pytest.Pytester, request: pytest.FixtureRequest) -> None:
    from tests.conftest import _private_schema

    url = _private_schema(os.environ["COGITO_TEST_DATABASE_URL"], request)
    pytester.makeini(f"[pytest]\ncogito_db = {url}\n")
    pytester.makepyfile(SIGN_UP + '''
def test_on_postgres(cogito):
    assert cogito.state.store.url.startswith("postgresql")
    sign_up(cogito)
    assert cogito.last_code("alice")

def test_reset_on_postgres(cogito):
    assert cogito.cognito_idp.list_user_pools(MaxResults=10)["UserPools"] == []
''')
    pytester.runpytest_inprocess("-p", "no:cacheprovider").assert_outcomes(passed=2)


# --- the plugin used directly by this suite ----------------------------------------------------

def test_direct_use_admin_flow(cogito: Any) -> None:
    idp = cogito.cognito_idp
    pool = idp.create_user_pool(PoolName="direct")["UserPool"]["Id"]
    idp.admin_create_user(UserPoolId=pool, Username="zed", DesiredDeliveryMediums=["EMAIL"],
                          UserAttributes=[{"Name": "email", "Value": "zed@example.com"}])
    temporary = cogito.last_code("zed", pool_id=pool, kind="INVITATION")
    assert temporary and "temporary password" in cogito.last_message("zed@example.com")["body"]
    with pytest.raises(ClientError):
        idp.describe_user_pool(UserPoolId="us-east-1_missing01")


def test_direct_use_is_isolated(cogito: Any) -> None:
    assert cogito.cognito_idp.list_user_pools(MaxResults=10)["UserPools"] == []
