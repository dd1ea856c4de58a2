"""Resource servers over boto3, and their scopes in app clients."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

SCOPES = [{"ScopeName": "read", "ScopeDescription": "Read orders"},
          {"ScopeName": "write", "ScopeDescription": "Write orders"}]


def _error(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    err = exc.value.response["Error"]
    return err["Code"], err["Message"]


def test_create_describe_update_delete(idp: Any, pool: dict[str, Any]) -> None:
    created = idp.create_resource_server(UserPoolId=pool["Id"], Identifier="https://orders.example.com",
                                         Name="Orders", Scopes=SCOPES)["ResourceServer"]
    assert created == {"UserPoolId": pool["Id"], "Identifier": "https://orders.example.com", "Name": "Orders",
                       "Scopes": SCOPES}
    described = idp.describe_resource_server(UserPoolId=pool["Id"], Identifier="https://orders.example.com")
    assert described["ResourceServer"] == created
    updated = idp.update_resource_server(UserPoolId=pool["Id"], Identifier="https://orders.example.com",
                                         Name="Orders v2", Scopes=SCOPES[:1])["ResourceServer"]
    assert updated["Name"] == "Orders v2" and updated["Scopes"] == SCOPES[:1]
    # Scopes left out of an update become none.
    bare = idp.update_resource_server(UserPoolId=pool["Id"], Identifier="https://orders.example.com",
                                      Name="Orders v3")["ResourceServer"]
    assert bare["Scopes"] == []
    idp.delete_resource_server(UserPoolId=pool["Id"], Identifier="https://orders.example.com")
    with pytest.raises(ClientError) as exc:
        idp.describe_resource_server(UserPoolId=pool["Id"], Identifier="https://orders.example.com")
    assert _error(exc)[0] == "ResourceNotFoundException"


def test_without_scopes(idp: Any, pool: dict[str, Any]) -> None:
    created = idp.create_resource_server(UserPoolId=pool["Id"], Identifier="bare", Name="Bare")["ResourceServer"]
    assert created["Scopes"] == []


def test_identifier_is_unique_per_pool(idp: Any, pool: dict[str, Any]) -> None:
    idp.create_resource_server(UserPoolId=pool["Id"], Identifier="orders", Name="Orders")
    with pytest.raises(ClientError) as exc:
        idp.create_resource_server(UserPoolId=pool["Id"], Identifier="orders", Name="Again")
    assert _error(exc)[0] == "InvalidParameterException"
    other = idp.create_user_pool(PoolName="other")["UserPool"]["Id"]
    try:
        idp.create_resource_server(UserPoolId=other, Identifier="orders", Name="Orders")
    finally:
        idp.delete_user_pool(UserPoolId=other)


def test_duplicate_scope_names_are_refused(idp: Any, pool: dict[str, Any]) -> None:
    with pytest.raises(ClientError) as exc:
        idp.create_resource_server(UserPoolId=pool["Id"], Identifier="orders", Name="Orders",
                                   Scopes=[SCOPES[0], SCOPES[0]])
    assert _error(exc)[0] == "InvalidParameterException"


def test_model_limits(idp: Any, pool: dict[str, Any]) -> None:
    too_many = [{"ScopeName": f"s{i}", "ScopeDescription": "d"} for i in range(101)]
    with pytest.raises(ClientError) as exc:
        idp.create_resource_server(UserPoolId=pool["Id"], Identifier="orders", Name="Orders", Scopes=too_many)
    assert _error(exc)[0] == "InvalidParameterException"
    with pytest.raises(ClientError) as exc:
        idp.create_resource_server(UserPoolId=pool["Id"], Identifier="orders", Name="Orders",
                                   Scopes=[{"ScopeName": "a/b", "ScopeDescription": "slash"}])
    assert _error(exc)[0] == "InvalidParameterException"
    hundred = [{"ScopeName": f"s{i}", "ScopeDescription": "d"} for i in range(100)]
    made = idp.create_resource_server(UserPoolId=pool["Id"], Identifier="big", Name="Big", Scopes=hundred)
    assert len(made["ResourceServer"]["Scopes"]) == 100


def test_at_most_25_per_pool_and_paged_listing(idp: Any, pool: dict[str, Any]) -> None:
    for i in range(25):
        idp.create_resource_server(UserPoolId=pool["Id"], Identifier=f"rs-{i:02d}", Name=f"RS {i}")
    with pytest.raises(ClientError) as exc:
        idp.create_resource_server(UserPoolId=pool["Id"], Identifier="rs-25", Name="One too many")
    assert _error(exc)[0] == "LimitExceededException"
    seen: list[str] = []
    kwargs: dict[str, Any] = {"UserPoolId": pool["Id"], "MaxResults": 10}
    pages = 0
    while True:
        page = idp.list_resource_servers(**kwargs)
        pages += 1
        seen += [rs["Identifier"] for rs in page["ResourceServers"]]
        if "NextToken" not in page:
            break
        kwargs["NextToken"] = page["NextToken"]
    assert pages == 3 and seen == [f"rs-{i:02d}" for i in range(25)]
    assert len(idp.list_resource_servers(UserPoolId=pool["Id"])["ResourceServers"]) == 25


def test_unknown_pool_and_bad_token(idp: Any, pool: dict[str, Any]) -> None:
    with pytest.raises(ClientError) as exc:
        idp.list_resource_servers(UserPoolId="eu-west-1_nothere00", MaxResults=5)
    assert _error(exc)[0] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as exc:
        idp.list_resource_servers(UserPoolId=pool["Id"], MaxResults=5, NextToken="garbage")
    assert _error(exc)[0] == "InvalidParameterException"
    with pytest.raises(ClientError) as exc:
        idp.update_resource_server(UserPoolId=pool["Id"], Identifier="missing", Name="x")
    assert _error(exc)[0] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as exc:
        idp.delete_resource_server(UserPoolId=pool["Id"], Identifier="missing")
    assert _error(exc)[0] == "ResourceNotFoundException"


def test_app_clients_may_allow_defined_custom_scopes_only(idp: Any, pool: dict[str, Any]) -> None:
    def client(scopes: list[str]) -> dict[str, Any]:
        return idp.create_user_pool_client(
            UserPoolId=pool["Id"], ClientName="m2m", GenerateSecret=True, AllowedOAuthFlowsUserPoolClient=True,
            AllowedOAuthFlows=["client_credentials"], AllowedOAuthScopes=scopes)["UserPoolClient"]

    with pytest.raises(ClientError) as exc:
        client(["orders/read"])
    assert _error(exc) == ("ScopeDoesNotExistException", "Invalid scope requested: orders/read")
    idp.create_resource_server(UserPoolId=pool["Id"], Identifier="orders", Name="Orders", Scopes=SCOPES)
    made = client(["orders/read", "orders/write"])
    assert made["AllowedOAuthScopes"] == ["orders/read", "orders/write"]
    with pytest.raises(ClientError) as exc:
        client(["orders/delete"])
    assert _error(exc)[0] == "ScopeDoesNotExistException"
    # Deleting the server leaves the client as it is (AWS does not cascade).
    idp.delete_resource_server(UserPoolId=pool["Id"], Identifier="orders")
    described = idp.describe_user_pool_client(UserPoolId=pool["Id"], ClientId=made["ClientId"])
    assert described["UserPoolClient"]["AllowedOAuthScopes"] == ["orders/read", "orders/write"]


def test_deleting_the_pool_removes_its_servers(idp: Any) -> None:
    pool_id = idp.create_user_pool(PoolName="gone")["UserPool"]["Id"]
    idp.create_resource_server(UserPoolId=pool_id, Identifier="orders", Name="Orders", Scopes=SCOPES)
    idp.delete_user_pool(UserPoolId=pool_id)
    with pytest.raises(ClientError) as exc:
        idp.describe_resource_server(UserPoolId=pool_id, Identifier="orders")
    assert _error(exc)[0] == "ResourceNotFoundException"
