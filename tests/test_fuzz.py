"""Bad input: a seeded run of bench/fuzz.py through the live server, and the bugs it found.

The run sends a few hundred requests generated from botocore's models (every cognito-idp,
cognito-identity and STS operation, mutated members, raw bodies and headers, OAuth and
Hosted UI forms, console pages) and asserts what the full bench asserts: no status ≥ 500
but the 501 of unimplemented operations, no HTML from an API or JSON endpoint, no
traceback, a healthy server afterwards. Each later test pins one bug the fuzzer found.
"""

from __future__ import annotations

import http.client
import importlib.util
import json
import sys
import uuid
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests

from tests.conftest import LiveServer

BENCH = Path(__file__).resolve().parents[1] / "bench"
IDP = "AWSCognitoIdentityProviderService"
JSON_TYPE = "application/x-amz-json-1.1"


def load_fuzz() -> ModuleType:
    """bench/fuzz.py (bench/ is scripts, not a package)."""
    if "cogito_bench_fuzz" in sys.modules:
        return sys.modules["cogito_bench_fuzz"]
    if str(BENCH) not in sys.path:
        sys.path.insert(0, str(BENCH))
    spec = importlib.util.spec_from_file_location("cogito_bench_fuzz", BENCH / "fuzz.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["cogito_bench_fuzz"] = module
    spec.loader.exec_module(module)
    return module


def call(server: LiveServer, op: str, body: Any, **headers: str) -> requests.Response:
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return requests.post(server.url + "/", data=data, timeout=30,
                         headers={"Content-Type": JSON_TYPE, "X-Amz-Target": f"{IDP}.{op}", **headers})


def _pools(idp: Any) -> set[str]:
    found, token = set(), None
    while True:
        page = idp.list_user_pools(MaxResults=60, **({"NextToken": token} if token else {}))
        found |= {p["Id"] for p in page["UserPools"]}
        token = page.get("NextToken")
        if not token:
            return found


def _identity_pools(identity: Any) -> set[str]:
    return {p["IdentityPoolId"] for p in identity.list_identity_pools(MaxResults=60)["IdentityPools"]}


def _remove_pool(idp: Any, pool_id: str) -> None:
    """Best effort: a fuzzed pool may have a domain or deletion protection."""
    try:
        described = idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]
        if described.get("Domain"):
            idp.delete_user_pool_domain(UserPoolId=pool_id, Domain=described["Domain"])
        idp.update_user_pool(UserPoolId=pool_id, DeletionProtection="INACTIVE")
        idp.delete_user_pool(UserPoolId=pool_id)
    except Exception:  # noqa: BLE001 - cleanup only
        pass


@pytest.mark.parametrize("seed", [7, 2024])
def test_a_seeded_fuzz_run_breaks_nothing(server: LiveServer, idp: Any, identity: Any, seed: int) -> None:
    fuzz = load_fuzz()
    pools_before, identity_pools_before = _pools(idp), _identity_pools(identity)
    try:
        report = fuzz.run(server.url, count=300, seed=seed, threads=4, round_size=300, oversize=False)
        assert report.total == 300
        assert report.problems == []
        # Every operation got a valid-looking call first; most answered, some are unimplemented.
        assert report.by_status[200] > 20
        assert set(report.by_status) - {200, 302, 303, 400, 401, 403, 404, 405, 413, 414, 501} == set()
        assert {"json", "query", "web"} <= set(report.by_surface)
        assert fuzz.healthy(server.url) is None
    finally:
        for pool_id in _pools(idp) - pools_before:
            _remove_pool(idp, pool_id)
        for pool_id in _identity_pools(identity) - identity_pools_before:
            identity.delete_identity_pool(IdentityPoolId=pool_id)


def test_judge_flags_what_the_goal_forbids() -> None:
    """The run's checker itself: a 500, HTML from the API, a traceback, a 501 of another kind."""
    fuzz = load_fuzz()
    from fuzz_cases import Case

    api = Case("valid", "cognito-idp:X", "json", "POST", "/")
    page = Case("web", "web:GET /login", "web", "GET", "/login", expect_json=False)
    not_implemented = json.dumps({"__type": "NotImplementedException", "message": "no"}).encode()
    assert fuzz.judge(api, 501, JSON_TYPE, not_implemented) is None
    assert fuzz.judge(api, 500, JSON_TYPE, b'{"__type":"InternalErrorException","message":""}')
    assert fuzz.judge(api, 501, "text/plain", b"Not Implemented")
    assert fuzz.judge(api, 400, "text/html", b"<html>oops</html>")
    assert fuzz.judge(api, 400, JSON_TYPE, b'{"message":"no type"}')
    assert fuzz.judge(api, 400, JSON_TYPE, b'{"__type":"X","message":"Traceback (most recent call last)"}')
    assert fuzz.judge(page, 200, "text/html", b"<!doctype html><html></html>") is None


# -- bugs the fuzzer found ------------------------------------------------------------------


def test_error_message_header_carries_no_control_characters(server: LiveServer) -> None:
    """A value echoed in a validation message went into x-amzn-ErrorMessage with its \\r or ESC:
    gunicorn refused the header (a 500 with no body) and werkzeug raised on \\r."""
    resp = call(server, "DescribeUserPoolDomain", {"Domain": "bad\r\n\x1b[31m\t\x7fdomain"})
    assert resp.status_code == 400
    assert resp.json()["__type"] == "InvalidParameterException"
    header = resp.headers["x-amzn-ErrorMessage"]
    assert "failed to satisfy constraint" in header
    assert not any(ord(c) < 32 or ord(c) == 127 for c in header)


def test_unknown_nested_members_are_neither_stored_nor_echoed(server: LiveServer, idp: Any, identity: Any) -> None:
    """Only top-level unknown members were dropped: nested ones were stored unvalidated (and
    echoed back), so a lone surrogate reached a pool's config and broke the console's page."""
    name = f"nested-{uuid.uuid4().hex[:6]}"
    body = {"PoolName": name, "Fuzz": 1, "IssuerConfiguration": {"": "\u202e\ud800"},
            "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": True, "Extra": "\ud800"}}
    created = call(server, "CreateUserPool", body)
    assert created.status_code == 200, created.text
    pool_id = created.json()["UserPool"]["Id"]
    try:
        described = idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]
        assert described["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
        assert "Extra" not in described["AdminCreateUserConfig"]
        assert "" not in (described.get("IssuerConfiguration") or {})
        page = requests.get(f"{server.url}/console/pools/{pool_id}", timeout=30)
        assert page.status_code == 200
    finally:
        idp.delete_user_pool(UserPoolId=pool_id)
    provider = {"ProviderName": f"cognito-idp.us-east-1.amazonaws.com/{pool_id}", "ClientId": "c1", "Extra": "x"}
    resp = requests.post(server.url + "/", timeout=30, data=json.dumps({
        "IdentityPoolName": "nested", "AllowUnauthenticatedIdentities": False, "CognitoIdentityProviders": [provider]}),
        headers={"Content-Type": JSON_TYPE, "X-Amz-Target": "AWSCognitoIdentityService.CreateIdentityPool"})
    assert resp.status_code == 200, resp.text
    try:
        assert resp.json()["CognitoIdentityProviders"] == [{k: v for k, v in provider.items() if k != "Extra"}
                                                           | {"ServerSideTokenCheck": False}]
    finally:
        identity.delete_identity_pool(IdentityPoolId=resp.json()["IdentityPoolId"])


def test_a_null_member_is_an_absent_one(server: LiveServer, idp: Any, pool: dict[str, Any]) -> None:
    """UpdateUserPool with "PoolName": null wrote NULL into a NOT NULL column (a 500)."""
    resp = call(server, "UpdateUserPool", {"UserPoolId": pool["Id"], "PoolName": None, "DeletionProtection": None})
    assert resp.status_code == 200, resp.text
    assert idp.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]["Name"] == pool["Name"]


@pytest.mark.parametrize("path", ["/_cogito/credentials/a%00b", "/x%00y/.well-known/jwks.json",
                                  "/x%00y/.well-known/openid-configuration", "/_cogito/messages?pool_id=%00",
                                  "/console/pools/a%00b", "/console/outbox?pool=%00", "/_cogito/state?x=%00"])
def test_a_nul_in_a_url_is_a_bad_request(server: LiveServer, path: str) -> None:
    """PostgreSQL cannot hold a NUL: looking one up was a 500 there."""
    resp = requests.get(server.url + path, timeout=30)
    assert resp.status_code == 400
    assert resp.json()["__type"] == "BadRequest"


def test_the_nul_guard_leaves_admin_bodies_to_their_handlers(server: LiveServer, idp: Any) -> None:
    """curl posts a state or seed file as a form: the guard must not parse (and so spend) that body."""
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    state = requests.post(server.url + "/_cogito/state", data=b'{"format": "not-cogito"}', headers=form, timeout=30)
    assert state.status_code == 400 and "Not a Cogito state document" in state.json()["message"]
    pool_id = f"eu-west-1_Guard{uuid.uuid4().hex[:6]}"
    seed = f"UserPools:\n  - {{Id: {pool_id}, PoolName: guarded}}\n"
    seeded = requests.post(server.url + "/_cogito/seed", data=seed.encode(), headers=form, timeout=30)
    assert seeded.status_code == 200, seeded.text
    assert seeded.json()["created"] == [f"UserPool {pool_id}"]
    idp.delete_user_pool(UserPoolId=pool_id)


def test_a_nul_in_basic_client_credentials_is_invalid_client(server: LiveServer) -> None:
    import base64

    basic = base64.b64encode(b"\x00:\x00").decode()
    resp = requests.post(server.url + "/oauth2/revoke", data={"token": "x"}, timeout=30,
                         headers={"Authorization": f"Basic {basic}"})
    assert resp.status_code == 401
    assert resp.json()["error"] == "invalid_client"


def test_a_non_ascii_csrf_field_is_refused_not_a_crash(server: LiveServer, idp: Any, pool: dict[str, Any]) -> None:
    """hmac.compare_digest raises TypeError for str with non-ASCII characters."""
    client = idp.create_user_pool_client(
        UserPoolId=pool["Id"], ClientName="web", AllowedOAuthFlowsUserPoolClient=True, AllowedOAuthFlows=["code"],
        AllowedOAuthScopes=["openid"], CallbackURLs=["http://localhost/cb"], SupportedIdentityProviders=["COGNITO"],
    )["UserPoolClient"]
    query = {"client_id": client["ClientId"], "redirect_uri": "http://localhost/cb", "response_type": "code"}
    resp = requests.post(server.url + "/login", params=query, timeout=30, allow_redirects=False,
                         data={"_csrf": "a" * 20 + "é", "username": "u", "password": "p"},
                         headers={"Cookie": "XSRF-TOKEN=" + "a" * 20})
    assert resp.status_code == 400
    assert "text/html" in resp.headers["Content-Type"]


def test_an_unread_body_does_not_break_the_next_call_on_the_connection(tmp_path: Path) -> None:
    """gunicorn drains at most 64 KiB of a body the app left unread (a 501 answered before
    reading it), then closes the connection it had just promised to keep alive."""
    from tests.test_cli import Cli

    cli = Cli("--db", f"sqlite:///{tmp_path / 'keepalive.db'}")
    try:
        cli.wait_ready()
        parts = urlsplit(cli.url)
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        big = json.dumps({"UserPoolId": "us-east-1_x", "ClientId": "a" * 1_000_000})
        for op, body in (("ListUserPoolClientSecrets", big), ("Nope", big), ("ListUserPools", '{"MaxResults": 1}')):
            conn.request("POST", "/", body=body, headers={"Content-Type": JSON_TYPE, "X-Amz-Target": f"{IDP}.{op}"})
            resp = conn.getresponse()
            resp.read()
            assert resp.status in (200, 400, 501)
            assert resp.getheader("Connection", "").lower() != "close"
        assert resp.status == 200  # the third call, on the same connection, was served
        conn.close()
    finally:
        cli.stop()
