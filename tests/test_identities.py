"""Identities themselves: describe, list, delete, unlink; developer-authenticated identities."""

from __future__ import annotations

from typing import Any

import jwt
import requests

from tests.conftest import REGION, LiveServer
from tests.identity_support import (  # noqa: F401 - fixtures
    AUTH_ROLE,
    UserPoolApp,
    clock,
    error_of,
    new_identity_pool,
    userpool,
)

DEV = "login.example.app"
DEV_TOKEN = "cognito-identity.amazonaws.com"
LOGINS_DONT_MATCH = "Logins don't match. Please include at least one valid login for this identity or identity pool."


def test_describe_identity(identity: Any, userpool: UserPoolApp, clock: Any) -> None:
    clock.freeze()
    pool_id = new_identity_pool(identity, userpool)
    identity_id = identity.get_id(IdentityPoolId=pool_id, Logins={userpool.provider: userpool.id_token()})["IdentityId"]
    described = identity.describe_identity(IdentityId=identity_id)
    assert described["IdentityId"] == identity_id
    assert described["Logins"] == [userpool.provider]
    assert int(described["CreationDate"].timestamp()) == int(clock.now())
    assert described["LastModifiedDate"] >= described["CreationDate"]


def test_list_identities_pages_and_hides_disabled(identity: Any) -> None:
    pool_id = new_identity_pool(identity, SupportedLoginProviders={"graph.facebook.com": "app"})
    guests = [identity.get_id(IdentityPoolId=pool_id)["IdentityId"] for _ in range(2)]
    fb = identity.get_id(IdentityPoolId=pool_id, Logins={"graph.facebook.com": "fb-1"})["IdentityId"]
    seen: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"IdentityPoolId": pool_id, "MaxResults": 2}
    while True:
        page = identity.list_identities(**kwargs)
        assert page["IdentityPoolId"] == pool_id and len(page["Identities"]) <= 2
        seen.extend(page["Identities"])
        if "NextToken" not in page:
            break
        kwargs["NextToken"] = page["NextToken"]
    assert [i["IdentityId"] for i in seen] == [*guests, fb]
    assert seen[2]["Logins"] == ["graph.facebook.com"] and "Logins" not in seen[0]
    identity.unlink_identity(IdentityId=fb, Logins={"graph.facebook.com": "fb-1"},
                             LoginsToRemove=["graph.facebook.com"])
    shown = identity.list_identities(IdentityPoolId=pool_id, MaxResults=60, HideDisabled=True)["Identities"]
    assert [i["IdentityId"] for i in shown] == guests
    assert len(identity.list_identities(IdentityPoolId=pool_id, MaxResults=60)["Identities"]) == 3


def test_delete_identities(identity: Any) -> None:
    pool_id = new_identity_pool(identity)
    a, b = (identity.get_id(IdentityPoolId=pool_id)["IdentityId"] for _ in range(2))
    missing = f"{REGION}:00000000-0000-0000-0000-0000000000ff"
    result = identity.delete_identities(IdentityIdsToDelete=[a, missing])
    assert result["UnprocessedIdentityIds"] == []
    assert error_of(identity.describe_identity, IdentityId=a)[0] == "ResourceNotFoundException"
    assert identity.describe_identity(IdentityId=b)["IdentityId"] == b
    code, message = error_of(identity.delete_identities, IdentityIdsToDelete=[a] * 61)
    assert code == "ValidationException" and "identityIdsToDelete" in message


def test_unlink_identity(identity: Any, userpool: UserPoolApp) -> None:
    pool_id = new_identity_pool(identity, userpool, SupportedLoginProviders={"graph.facebook.com": "app"})
    token = userpool.id_token()
    both = {userpool.provider: token, "graph.facebook.com": "fb-7"}
    identity_id = identity.get_id(IdentityPoolId=pool_id, Logins=both)["IdentityId"]
    assert error_of(identity.unlink_identity, IdentityId=identity_id, Logins={"graph.facebook.com": "fb-someone"},
                    LoginsToRemove=["graph.facebook.com"]) == ("NotAuthorizedException", LOGINS_DONT_MATCH)
    assert error_of(identity.unlink_identity, IdentityId=identity_id, Logins={},
                    LoginsToRemove=["graph.facebook.com"])[0] == "NotAuthorizedException"
    identity.unlink_identity(IdentityId=identity_id, Logins={userpool.provider: token},
                             LoginsToRemove=["graph.facebook.com"])
    assert identity.describe_identity(IdentityId=identity_id)["Logins"] == [userpool.provider]
    fresh = identity.get_id(IdentityPoolId=pool_id, Logins={"graph.facebook.com": "fb-7"})["IdentityId"]
    assert fresh != identity_id  # an unlinked login is a new identity next time
    identity.unlink_identity(IdentityId=identity_id, Logins={userpool.provider: token},
                             LoginsToRemove=[userpool.provider])
    assert error_of(identity.get_credentials_for_identity, IdentityId=identity_id,
                    Logins={userpool.provider: token}) == ("NotAuthorizedException", LOGINS_DONT_MATCH)


def test_developer_identity_enhanced_flow(server: LiveServer, identity: Any, clock: Any) -> None:
    clock.freeze()
    pool_id = new_identity_pool(identity, DeveloperProviderName=DEV, unauth=False)
    first = identity.get_open_id_token_for_developer_identity(IdentityPoolId=pool_id, Logins={DEV: "user-1"})
    again = identity.get_open_id_token_for_developer_identity(IdentityPoolId=pool_id, Logins={DEV: "user-1"},
                                                               TokenDuration=120)
    assert first["IdentityId"] == again["IdentityId"]
    claims = jwt.decode(first["Token"], options={"verify_signature": False})
    assert claims["sub"] == first["IdentityId"] and claims["aud"] == pool_id
    assert claims["amr"] == ["authenticated", DEV, f"{DEV}:{pool_id}:user-1"]
    assert claims["exp"] - claims["iat"] == 900
    short = jwt.decode(again["Token"], options={"verify_signature": False})
    assert short["exp"] - short["iat"] == 120
    result = identity.get_credentials_for_identity(IdentityId=first["IdentityId"], Logins={DEV_TOKEN: first["Token"]})
    assert result["IdentityId"] == first["IdentityId"]
    resp = requests.get(f"{server.url}/_cogito/credentials/{result['Credentials']['AccessKeyId']}").json()
    assert resp["RoleArn"] == AUTH_ROLE
    assert identity.describe_identity(IdentityId=first["IdentityId"])["Logins"] == [DEV]
    clock.advance(121)
    code, message = error_of(identity.get_credentials_for_identity, IdentityId=again["IdentityId"],
                             Logins={DEV_TOKEN: again["Token"]})
    assert code == "NotAuthorizedException" and message.startswith("Invalid login token. Token expired:")


def test_developer_tokens_are_bound_to_their_pool(identity: Any) -> None:
    pool_a = new_identity_pool(identity, DeveloperProviderName=DEV)
    pool_b = new_identity_pool(identity, DeveloperProviderName=DEV + ".b")
    token_a = identity.get_open_id_token_for_developer_identity(IdentityPoolId=pool_a, Logins={DEV: "u"})["Token"]
    guest_b = identity.get_id(IdentityPoolId=pool_b)["IdentityId"]
    assert error_of(identity.get_credentials_for_identity, IdentityId=guest_b, Logins={DEV_TOKEN: token_a}) == (
        "NotAuthorizedException", "Token is not from a supported provider of this identity pool.")
    assert error_of(identity.get_open_id_token_for_developer_identity, IdentityPoolId=pool_b,
                    Logins={DEV: "u"}) == ("NotAuthorizedException",
                                           "Token is not from a supported provider of this identity pool.")


def test_lookup_developer_identity(identity: Any) -> None:
    pool_id = new_identity_pool(identity, DeveloperProviderName=DEV)
    identity_id = identity.get_open_id_token_for_developer_identity(IdentityPoolId=pool_id,
                                                                     Logins={DEV: "alice"})["IdentityId"]
    identity.get_open_id_token_for_developer_identity(IdentityPoolId=pool_id, IdentityId=identity_id,
                                                      Logins={DEV: "alice-alt"})
    by_user = identity.lookup_developer_identity(IdentityPoolId=pool_id, DeveloperUserIdentifier="alice")
    assert by_user["IdentityId"] == identity_id
    assert sorted(by_user["DeveloperUserIdentifierList"]) == ["alice", "alice-alt"]
    by_id = identity.lookup_developer_identity(IdentityPoolId=pool_id, IdentityId=identity_id, MaxResults=1)
    assert len(by_id["DeveloperUserIdentifierList"]) == 1 and "NextToken" in by_id
    rest = identity.lookup_developer_identity(IdentityPoolId=pool_id, IdentityId=identity_id, MaxResults=1,
                                              NextToken=by_id["NextToken"])
    assert sorted(by_id["DeveloperUserIdentifierList"] + rest["DeveloperUserIdentifierList"]) == [
        "alice", "alice-alt"]
    assert error_of(identity.lookup_developer_identity, IdentityPoolId=pool_id,
                    DeveloperUserIdentifier="nobody")[0] == "ResourceNotFoundException"
    assert error_of(identity.lookup_developer_identity, IdentityPoolId=pool_id)[0] == "InvalidParameterException"


def test_developer_user_already_registered(identity: Any) -> None:
    pool_id = new_identity_pool(identity, DeveloperProviderName=DEV)
    alice = identity.get_open_id_token_for_developer_identity(IdentityPoolId=pool_id, Logins={DEV: "a"})
    bob = identity.get_open_id_token_for_developer_identity(IdentityPoolId=pool_id, Logins={DEV: "b"})
    code, _ = error_of(identity.get_open_id_token_for_developer_identity, IdentityPoolId=pool_id,
                       IdentityId=bob["IdentityId"], Logins={DEV: "a"})
    assert code == "DeveloperUserAlreadyRegisteredException"
    assert identity.lookup_developer_identity(IdentityPoolId=pool_id,
                                              DeveloperUserIdentifier="a")["IdentityId"] == alice["IdentityId"]


def test_merge_developer_identities(identity: Any) -> None:
    pool_id = new_identity_pool(identity, DeveloperProviderName=DEV)
    dest = identity.get_open_id_token_for_developer_identity(IdentityPoolId=pool_id, Logins={DEV: "d"})["IdentityId"]
    src = identity.get_open_id_token_for_developer_identity(IdentityPoolId=pool_id, Logins={DEV: "s"})["IdentityId"]
    merged = identity.merge_developer_identities(IdentityPoolId=pool_id, DeveloperProviderName=DEV,
                                                 SourceUserIdentifier="s", DestinationUserIdentifier="d")
    assert merged["IdentityId"] == dest
    assert identity.lookup_developer_identity(IdentityPoolId=pool_id, DeveloperUserIdentifier="s")["IdentityId"] == dest
    assert error_of(identity.describe_identity, IdentityId=src)[0] == "ResourceNotFoundException"
    assert error_of(identity.merge_developer_identities, IdentityPoolId=pool_id, DeveloperProviderName=DEV,
                    SourceUserIdentifier="ghost", DestinationUserIdentifier="d")[0] == "ResourceNotFoundException"
    assert error_of(identity.merge_developer_identities, IdentityPoolId=pool_id, DeveloperProviderName="other.dev",
                    SourceUserIdentifier="s", DestinationUserIdentifier="d")[0] == "InvalidParameterException"


def test_unlink_developer_identity(identity: Any) -> None:
    pool_id = new_identity_pool(identity, DeveloperProviderName=DEV)
    identity_id = identity.get_open_id_token_for_developer_identity(IdentityPoolId=pool_id,
                                                                     Logins={DEV: "u1"})["IdentityId"]
    assert error_of(identity.unlink_developer_identity, IdentityId=identity_id, IdentityPoolId=pool_id,
                    DeveloperProviderName=DEV, DeveloperUserIdentifier="u2")[0] == "ResourceNotFoundException"
    identity.unlink_developer_identity(IdentityId=identity_id, IdentityPoolId=pool_id, DeveloperProviderName=DEV,
                                       DeveloperUserIdentifier="u1")
    assert error_of(identity.lookup_developer_identity, IdentityPoolId=pool_id,
                    DeveloperUserIdentifier="u1")[0] == "ResourceNotFoundException"
    again = identity.get_open_id_token_for_developer_identity(IdentityPoolId=pool_id, Logins={DEV: "u1"})
    assert again["IdentityId"] != identity_id
    hidden = identity.list_identities(IdentityPoolId=pool_id, MaxResults=60, HideDisabled=True)["Identities"]
    assert [i["IdentityId"] for i in hidden] == [again["IdentityId"]]
