"""GET /_cogito/messages: what Cognito would have sent, filtered, newest first."""

from __future__ import annotations

import requests

from tests.test_signup import (  # noqa: F401 - fixtures
    PASSWORD,
    make_client,
    make_pool,
    messages,
)


def _seed(idp, server, make_pool):
    """Two pools: alice (sign-up, resend, forgot) and bob in one, carol in the other."""
    first = make_pool(AutoVerifiedAttributes=["email"])
    second = make_pool(AutoVerifiedAttributes=["email"])
    c1, c2 = make_client(idp, first["Id"]), make_client(idp, second["Id"])
    for client, name in ((c1, "alice"), (c1, "bob"), (c2, "carol")):
        idp.sign_up(ClientId=client["ClientId"], Username=name, Password=PASSWORD,
                    UserAttributes=[{"Name": "email", "Value": f"{name}@example.com"}])
    idp.resend_confirmation_code(ClientId=c1["ClientId"], Username="alice")
    code = messages(server, first["Id"], username="alice")[0]["code"]
    idp.confirm_sign_up(ClientId=c1["ClientId"], Username="alice", ConfirmationCode=code)
    idp.forgot_password(ClientId=c1["ClientId"], Username="alice")
    return first, second


def test_filters_and_order(idp, server, make_pool):
    first, second = _seed(idp, server, make_pool)
    alice = messages(server, first["Id"], username="alice")
    assert [m["kind"] for m in alice] == ["FORGOT_PASSWORD", "SIGNUP", "SIGNUP"]
    assert [m["id"] for m in alice] == sorted((m["id"] for m in alice), reverse=True)
    assert all(m["poolId"] == first["Id"] and m["destination"] == "alice@example.com" for m in alice)
    assert all(m["code"] and m["code"] in m["body"] for m in alice)
    assert alice[0]["created"] >= alice[-1]["created"]
    assert {m["username"] for m in messages(server, first["Id"], kind="SIGNUP")} == {"alice", "bob"}
    assert [m["username"] for m in messages(server, second["Id"])] == ["carol"]
    assert messages(server, first["Id"], kind="INVITATION") == []


def test_limit_and_bad_limit(idp, server, make_pool):
    first, _ = _seed(idp, server, make_pool)
    url = f"{server.url}/_cogito/messages"
    one = requests.get(url, params={"pool_id": first["Id"], "limit": "1"}, timeout=10).json()["messages"]
    assert len(one) == 1 and one[0]["kind"] == "FORGOT_PASSWORD"
    bad = requests.get(url, params={"pool_id": first["Id"], "limit": "lots"}, timeout=10)
    assert bad.status_code == 200 and len(bad.json()["messages"]) == 4


def test_unfiltered_lists_across_pools(idp, server, make_pool):
    first, second = _seed(idp, server, make_pool)
    everything = requests.get(f"{server.url}/_cogito/messages", params={"limit": "1000"}, timeout=10).json()
    pools = {m["poolId"] for m in everything["messages"]}
    assert {first["Id"], second["Id"]} <= pools
