"""Password sign-in over the wire: USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH, ADMIN_NO_SRP_AUTH,
the gate's checks in Cognito's order, NEW_PASSWORD_REQUIRED and its sessions (reference §4)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.auth_helpers import (  # noqa: F401 - fixtures
    OTHER_PASSWORD,
    PASSWORD,
    attrs_of,
    claims_of,
    clock,
    error_of,
    make_client,
    make_pool,
    make_user,
    password_auth,
    secret_hash,
)

WRONG = ("NotAuthorizedException", "Incorrect username or password.")
NAME_REQUIRED = [{"Name": "name", "AttributeDataType": "String", "Required": True, "Mutable": True}]


def _admin_auth(idp: Any, pool_id: str, client: dict[str, Any], flow: str = "ADMIN_USER_PASSWORD_AUTH",
                username: str = "alice", password: str = PASSWORD) -> dict[str, Any]:
    return idp.admin_initiate_auth(UserPoolId=pool_id, ClientId=client["ClientId"], AuthFlow=flow,
                                   AuthParameters={"USERNAME": username, "PASSWORD": password})


def _assert_tokens(result: dict[str, Any], *, refresh: bool = True) -> dict[str, Any]:
    auth = result["AuthenticationResult"]
    assert result["ChallengeParameters"] == {}
    assert "ChallengeName" not in result and "Session" not in result
    assert auth["TokenType"] == "Bearer" and auth["ExpiresIn"] == 3600
    assert auth["AccessToken"].count(".") == 2 and auth["IdToken"].count(".") == 2
    assert ("RefreshToken" in auth) is refresh
    return auth


# --- The three password flows -------------------------------------------------------------------

def test_user_password_auth(idp: Any, pool: dict[str, Any]) -> None:
    client = make_client(idp, pool["Id"])
    make_user(idp, pool["Id"])
    auth = _assert_tokens(password_auth(idp, client))
    assert auth["RefreshToken"].count(".") == 4  # JWE-shaped, opaque
    claims = claims_of(auth["IdToken"])
    assert claims["cognito:username"] == "alice" and claims["aud"] == client["ClientId"]


@pytest.mark.parametrize("flow", ["ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"])
def test_admin_password_flows(idp: Any, pool: dict[str, Any], flow: str) -> None:
    client = make_client(idp, pool["Id"], flows=["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    make_user(idp, pool["Id"])
    auth = _assert_tokens(_admin_auth(idp, pool["Id"], client, flow))
    assert claims_of(auth["AccessToken"])["username"] == "alice"


def test_legacy_admin_no_srp_auth_flag(idp: Any, pool: dict[str, Any]) -> None:
    client = make_client(idp, pool["Id"], flows=["ADMIN_NO_SRP_AUTH"])
    make_user(idp, pool["Id"])
    _assert_tokens(_admin_auth(idp, pool["Id"], client, "ADMIN_NO_SRP_AUTH"))
    _assert_tokens(_admin_auth(idp, pool["Id"], client, "ADMIN_USER_PASSWORD_AUTH"))


@pytest.mark.parametrize("flow", ["ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"])
def test_admin_flows_refused_by_initiate_auth(idp: Any, pool: dict[str, Any], flow: str) -> None:
    client = make_client(idp, pool["Id"])
    make_user(idp, pool["Id"])
    with pytest.raises(ClientError) as exc:
        idp.initiate_auth(ClientId=client["ClientId"], AuthFlow=flow,
                          AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD})
    assert error_of(exc) == ("InvalidParameterException", "Initiate Auth method not supported.")


@pytest.mark.parametrize(("flows", "flow", "message"), [
    (None, "USER_PASSWORD_AUTH", "USER_PASSWORD_AUTH flow not enabled for this client"),
    (["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"], "USER_SRP_AUTH",
     "USER_SRP_AUTH is not enabled for the client."),
    (["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"], "CUSTOM_AUTH", "Auth flow not enabled for this client"),
])
def test_disabled_public_flows(idp: Any, pool: dict[str, Any], flows: list[str] | None, flow: str,
                               message: str) -> None:
    client = idp.create_user_pool_client(
        UserPoolId=pool["Id"], ClientName="c", **({"ExplicitAuthFlows": flows} if flows else {}),
    )["UserPoolClient"]
    make_user(idp, pool["Id"])
    params = {"USERNAME": "alice", "PASSWORD": PASSWORD, "SRP_A": "abcdef"}
    with pytest.raises(ClientError) as exc:
        idp.initiate_auth(ClientId=client["ClientId"], AuthFlow=flow, AuthParameters=params)
    assert error_of(exc) == ("InvalidParameterException", message)


def test_disabled_admin_flow(idp: Any, pool: dict[str, Any]) -> None:
    client = make_client(idp, pool["Id"], flows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    make_user(idp, pool["Id"])
    for flow in ("ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"):
        with pytest.raises(ClientError) as exc:
            _admin_auth(idp, pool["Id"], client, flow)
        assert error_of(exc) == ("InvalidParameterException", "Auth flow not enabled for this client")


def test_unknown_client(idp: Any, pool: dict[str, Any]) -> None:
    with pytest.raises(ClientError) as exc:
        idp.initiate_auth(ClientId="nosuchclient1234567890abcd", AuthFlow="USER_PASSWORD_AUTH",
                          AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD})
    assert error_of(exc) == ("ResourceNotFoundException", "User pool client nosuchclient1234567890abcd does not exist.")


@pytest.mark.parametrize(("params", "missing"), [
    ({"PASSWORD": PASSWORD}, "USERNAME"),
    ({"USERNAME": "alice"}, "PASSWORD"),
    ({}, "USERNAME"),
])
def test_missing_parameters(idp: Any, pool: dict[str, Any], params: dict[str, str], missing: str) -> None:
    client = make_client(idp, pool["Id"])
    make_user(idp, pool["Id"])
    with pytest.raises(ClientError) as exc:
        idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="USER_PASSWORD_AUTH", AuthParameters=params)
    assert error_of(exc) == ("InvalidParameterException", f"Missing required parameter {missing}")
    with pytest.raises(ClientError) as exc:
        idp.admin_initiate_auth(UserPoolId=pool["Id"], ClientId=client["ClientId"],
                                AuthFlow="ADMIN_USER_PASSWORD_AUTH", AuthParameters=params)
    assert error_of(exc) == ("InvalidParameterException", f"Missing required parameter {missing}")


# --- SECRET_HASH ----------------------------------------------------------------------------------

def test_secret_hash_required_and_checked(idp: Any, pool: dict[str, Any]) -> None:
    client = make_client(idp, pool["Id"], secret=True)
    cid, secret = client["ClientId"], client["ClientSecret"]
    make_user(idp, pool["Id"])
    with pytest.raises(ClientError) as exc:
        password_auth(idp, client)
    assert error_of(exc) == ("NotAuthorizedException", f"Client {cid} is configured for secret but secret was not received")
    with pytest.raises(ClientError) as exc:
        password_auth(idp, client, SECRET_HASH=secret_hash(secret, "bob", cid))
    assert error_of(exc) == ("NotAuthorizedException", f"Unable to verify secret hash for client {cid}")
    _assert_tokens(password_auth(idp, client, SECRET_HASH=secret_hash(secret, "alice", cid)))
    # The admin flow checks it too.
    with pytest.raises(ClientError) as exc:
        _admin_auth(idp, pool["Id"], client)
    assert error_of(exc)[1] == f"Client {cid} is configured for secret but secret was not received"


def test_secret_hash_checked_before_user_existence(idp: Any, pool: dict[str, Any]) -> None:
    client = make_client(idp, pool["Id"], secret=True)
    with pytest.raises(ClientError) as exc:
        password_auth(idp, client, username="nobody", SECRET_HASH=secret_hash("wrong", "nobody", client["ClientId"]))
    assert error_of(exc) == ("NotAuthorizedException", f"Unable to verify secret hash for client {client['ClientId']}")


def test_secret_hash_over_alias_or_internal_name(idp: Any, make_pool: Any) -> None:
    pool_id = make_pool(AliasAttributes=["email"])
    client = make_client(idp, pool_id, secret=True)
    cid, secret = client["ClientId"], client["ClientSecret"]
    make_user(idp, pool_id, attributes={"email": "alice@example.com", "email_verified": "true"})
    for name in ("alice@example.com", "alice"):
        _assert_tokens(password_auth(idp, client, username="alice@example.com",
                                     SECRET_HASH=secret_hash(secret, name, cid)))


# --- Who the user is and what state they are in ----------------------------------------------------

def test_unknown_user_legacy_and_hidden(idp: Any, pool: dict[str, Any]) -> None:
    legacy = make_client(idp, pool["Id"])
    hidden = make_client(idp, pool["Id"], PreventUserExistenceErrors="ENABLED")
    with pytest.raises(ClientError) as exc:
        password_auth(idp, legacy, username="nobody")
    assert error_of(exc) == ("UserNotFoundException", "User does not exist.")
    with pytest.raises(ClientError) as exc:
        password_auth(idp, hidden, username="nobody")
    assert error_of(exc) == WRONG
    with pytest.raises(ClientError) as exc:
        _admin_auth(idp, pool["Id"], hidden, username="nobody")
    assert error_of(exc) == WRONG


def test_wrong_password(idp: Any, pool: dict[str, Any]) -> None:
    client = make_client(idp, pool["Id"])
    make_user(idp, pool["Id"])
    with pytest.raises(ClientError) as exc:
        password_auth(idp, client, password="Wrong-passw0rd")
    assert error_of(exc) == WRONG
    with pytest.raises(ClientError) as exc:
        _admin_auth(idp, pool["Id"], client, password="Wrong-passw0rd")
    assert error_of(exc) == WRONG


def test_unconfirmed_even_with_wrong_password(idp: Any, pool: dict[str, Any]) -> None:
    client = make_client(idp, pool["Id"])
    idp.sign_up(ClientId=client["ClientId"], Username="carol", Password=PASSWORD)
    for password in (PASSWORD, "Wrong-passw0rd"):
        with pytest.raises(ClientError) as exc:
            password_auth(idp, client, username="carol", password=password)
        assert error_of(exc) == ("UserNotConfirmedException", "User is not confirmed.")
    idp.admin_confirm_sign_up(UserPoolId=pool["Id"], Username="carol")
    _assert_tokens(password_auth(idp, client, username="carol"))


def test_disabled_user(idp: Any, pool: dict[str, Any]) -> None:
    """Reported before the password is looked at (reference §4 order [U])."""
    client = make_client(idp, pool["Id"])
    make_user(idp, pool["Id"])
    idp.admin_disable_user(UserPoolId=pool["Id"], Username="alice")
    for password in (PASSWORD, "Wrong-passw0rd"):
        with pytest.raises(ClientError) as exc:
            password_auth(idp, client, password=password)
        assert error_of(exc) == ("NotAuthorizedException", "User is disabled.")
    idp.admin_enable_user(UserPoolId=pool["Id"], Username="alice")
    _assert_tokens(password_auth(idp, client))


def test_reset_required(idp: Any, pool: dict[str, Any]) -> None:
    client = make_client(idp, pool["Id"])
    make_user(idp, pool["Id"])
    idp.admin_reset_user_password(UserPoolId=pool["Id"], Username="alice")
    for password in (PASSWORD, "Wrong-passw0rd"):
        with pytest.raises(ClientError) as exc:
            password_auth(idp, client, password=password)
        assert error_of(exc) == ("PasswordResetRequiredException", "Password reset required for the user")


def test_reset_required_with_hidden_existence(idp: Any, pool: dict[str, Any]) -> None:
    """PreventUserExistenceErrors ENABLED: only a right password learns that a reset is needed."""
    client = make_client(idp, pool["Id"], PreventUserExistenceErrors="ENABLED")
    make_user(idp, pool["Id"])
    idp.admin_reset_user_password(UserPoolId=pool["Id"], Username="alice")
    with pytest.raises(ClientError) as exc:
        password_auth(idp, client, password="Wrong-passw0rd")
    assert error_of(exc) == WRONG
    with pytest.raises(ClientError) as exc:
        password_auth(idp, client)
    assert error_of(exc) == ("PasswordResetRequiredException", "Password reset required for the user")


# --- NEW_PASSWORD_REQUIRED -----------------------------------------------------------------------------

def _force_change(idp: Any, pool_id: str, client: dict[str, Any], **attrs: str) -> dict[str, Any]:
    make_user(idp, pool_id, permanent=False, attributes=attrs or None)
    result = password_auth(idp, client)
    assert result["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    assert "AuthenticationResult" not in result
    assert 20 <= len(result["Session"]) <= 2048
    return result


def test_new_password_required_parameters(idp: Any, make_pool: Any) -> None:
    pool_id = make_pool(Schema=NAME_REQUIRED)
    client = make_client(idp, pool_id)
    result = _force_change(idp, pool_id, client, email="alice@example.com", email_verified="true")
    params = result["ChallengeParameters"]
    assert params["USER_ID_FOR_SRP"] == "alice"
    assert json.loads(params["requiredAttributes"]) == ["userAttributes.name"]
    user_attrs = json.loads(params["userAttributes"])
    assert user_attrs["email"] == "alice@example.com" and user_attrs["email_verified"] == "true"
    assert "sub" not in user_attrs


def test_new_password_required_without_required_attributes(idp: Any, pool: dict[str, Any]) -> None:
    client = make_client(idp, pool["Id"])
    params = _force_change(idp, pool["Id"], client)["ChallengeParameters"]
    assert params["requiredAttributes"] == "[]"
    assert json.loads(params["userAttributes"]) == {}


def test_complete_new_password_with_attribute(idp: Any, make_pool: Any) -> None:
    pool_id = make_pool(Schema=NAME_REQUIRED)
    client = make_client(idp, pool_id)
    session = _force_change(idp, pool_id, client)["Session"]
    done = idp.respond_to_auth_challenge(
        ClientId=client["ClientId"], ChallengeName="NEW_PASSWORD_REQUIRED", Session=session,
        ChallengeResponses={"USERNAME": "alice", "NEW_PASSWORD": OTHER_PASSWORD, "userAttributes.name": "Alice A"},
    )
    auth = _assert_tokens(done)
    assert claims_of(auth["IdToken"])["name"] == "Alice A"
    user = idp.admin_get_user(UserPoolId=pool_id, Username="alice")
    assert user["UserStatus"] == "CONFIRMED" and attrs_of(user)["name"] == "Alice A"
    _assert_tokens(password_auth(idp, client, password=OTHER_PASSWORD))
    with pytest.raises(ClientError) as exc:
        password_auth(idp, client, password=PASSWORD)
    assert error_of(exc) == WRONG


def test_complete_new_password_sets_an_unset_immutable_attribute(idp: Any, make_pool: Any) -> None:
    """The answer completes an invited user's creation: an immutable attribute without a value is given once."""
    pool_id = make_pool(Schema=[{"Name": "name", "AttributeDataType": "String", "Required": True, "Mutable": False}])
    client = make_client(idp, pool_id)
    session = _force_change(idp, pool_id, client)["Session"]
    done = idp.respond_to_auth_challenge(
        ClientId=client["ClientId"], ChallengeName="NEW_PASSWORD_REQUIRED", Session=session,
        ChallengeResponses={"USERNAME": "alice", "NEW_PASSWORD": OTHER_PASSWORD, "userAttributes.name": "Fixed"},
    )
    assert claims_of(_assert_tokens(done)["IdToken"])["name"] == "Fixed"
    with pytest.raises(ClientError) as exc:
        idp.admin_update_user_attributes(UserPoolId=pool_id, Username="alice",
                                         UserAttributes=[{"Name": "name", "Value": "Changed"}])
    assert error_of(exc)[0] == "InvalidParameterException"


def test_complete_new_password_missing_required_attribute(idp: Any, make_pool: Any) -> None:
    pool_id = make_pool(Schema=NAME_REQUIRED)
    client = make_client(idp, pool_id)
    session = _force_change(idp, pool_id, client)["Session"]
    with pytest.raises(ClientError) as exc:
        idp.respond_to_auth_challenge(
            ClientId=client["ClientId"], ChallengeName="NEW_PASSWORD_REQUIRED", Session=session,
            ChallengeResponses={"USERNAME": "alice", "NEW_PASSWORD": OTHER_PASSWORD},
        )
    assert error_of(exc) == ("InvalidParameterException", "Invalid attributes given, name is missing")
    assert idp.admin_get_user(UserPoolId=pool_id, Username="alice")["UserStatus"] == "FORCE_CHANGE_PASSWORD"


def test_complete_new_password_admin(idp: Any, pool: dict[str, Any]) -> None:
    client = make_client(idp, pool["Id"])
    make_user(idp, pool["Id"], permanent=False)
    result = _admin_auth(idp, pool["Id"], client)
    assert result["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    done = idp.admin_respond_to_auth_challenge(
        UserPoolId=pool["Id"], ClientId=client["ClientId"], ChallengeName="NEW_PASSWORD_REQUIRED",
        Session=result["Session"], ChallengeResponses={"USERNAME": "alice", "NEW_PASSWORD": OTHER_PASSWORD},
    )
    _assert_tokens(done)


def test_new_password_policy_violation(idp: Any, pool: dict[str, Any]) -> None:
    client = make_client(idp, pool["Id"])
    session = _force_change(idp, pool["Id"], client)["Session"]
    with pytest.raises(ClientError) as exc:
        idp.respond_to_auth_challenge(
            ClientId=client["ClientId"], ChallengeName="NEW_PASSWORD_REQUIRED", Session=session,
            ChallengeResponses={"USERNAME": "alice", "NEW_PASSWORD": "short"},
        )
    assert error_of(exc) == ("InvalidPasswordException", "Password does not conform to policy: Password not long enough")
    assert idp.admin_get_user(UserPoolId=pool["Id"], Username="alice")["UserStatus"] == "FORCE_CHANGE_PASSWORD"


def test_new_password_missing_new_password(idp: Any, pool: dict[str, Any]) -> None:
    client = make_client(idp, pool["Id"])
    session = _force_change(idp, pool["Id"], client)["Session"]
    with pytest.raises(ClientError) as exc:
        idp.respond_to_auth_challenge(ClientId=client["ClientId"], ChallengeName="NEW_PASSWORD_REQUIRED",
                                      Session=session, ChallengeResponses={"USERNAME": "alice"})
    assert error_of(exc) == ("InvalidParameterException", "Missing required parameter NEW_PASSWORD")


def test_session_is_single_use(idp: Any, pool: dict[str, Any]) -> None:
    client = make_client(idp, pool["Id"])
    session = _force_change(idp, pool["Id"], client)["Session"]
    answer = {"USERNAME": "alice", "NEW_PASSWORD": OTHER_PASSWORD}
    idp.respond_to_auth_challenge(ClientId=client["ClientId"], ChallengeName="NEW_PASSWORD_REQUIRED",
                                  Session=session, ChallengeResponses=answer)
    with pytest.raises(ClientError) as exc:
        idp.respond_to_auth_challenge(ClientId=client["ClientId"], ChallengeName="NEW_PASSWORD_REQUIRED",
                                      Session=session, ChallengeResponses=answer)
    assert error_of(exc) == ("NotAuthorizedException", "Invalid session for the user, session can only be used once.")


def test_session_unknown_or_other_client(idp: Any, pool: dict[str, Any]) -> None:
    client = make_client(idp, pool["Id"])
    other = make_client(idp, pool["Id"])
    session = _force_change(idp, pool["Id"], client)["Session"]
    answer = {"USERNAME": "alice", "NEW_PASSWORD": OTHER_PASSWORD}
    for cid, text in ((client["ClientId"], "x" * 40), (other["ClientId"], session)):
        with pytest.raises(ClientError) as exc:
            idp.respond_to_auth_challenge(ClientId=cid, ChallengeName="NEW_PASSWORD_REQUIRED",
                                          Session=text, ChallengeResponses=answer)
        assert error_of(exc) == ("NotAuthorizedException", "Invalid session for the user.")


def test_session_expires_after_auth_session_validity(idp: Any, pool: dict[str, Any], clock: Any) -> None:
    client = make_client(idp, pool["Id"], AuthSessionValidity=5)
    answer = {"USERNAME": "alice", "NEW_PASSWORD": OTHER_PASSWORD}
    session = _force_change(idp, pool["Id"], client)["Session"]
    clock.advance(5 * 60 + 1)
    with pytest.raises(ClientError) as exc:
        idp.respond_to_auth_challenge(ClientId=client["ClientId"], ChallengeName="NEW_PASSWORD_REQUIRED",
                                      Session=session, ChallengeResponses=answer)
    assert error_of(exc) == ("NotAuthorizedException", "Invalid session for the user, session is expired.")
    # Within the validity the session works.
    session = password_auth(idp, client)["Session"]
    clock.advance(5 * 60 - 1)
    _assert_tokens(idp.respond_to_auth_challenge(ClientId=client["ClientId"], ChallengeName="NEW_PASSWORD_REQUIRED",
                                                 Session=session, ChallengeResponses=answer))


def test_temporary_password_expiry(idp: Any, make_pool: Any, clock: Any) -> None:
    pool_id = make_pool(Policies={"PasswordPolicy": {"MinimumLength": 8, "TemporaryPasswordValidityDays": 2}})
    client = make_client(idp, pool_id)
    make_user(idp, pool_id, permanent=False)
    clock.advance(2 * 86400 - 60)
    assert password_auth(idp, client)["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    clock.advance(120)
    with pytest.raises(ClientError) as exc:
        password_auth(idp, client)
    assert error_of(exc) == ("NotAuthorizedException",
                             "Temporary password has expired and must be reset by an administrator.")
    # A wrong password is still just a wrong password.
    with pytest.raises(ClientError) as exc:
        password_auth(idp, client, password="Wrong-passw0rd")
    assert error_of(exc) == WRONG
    # An administrator's new temporary password starts a new validity period.
    idp.admin_set_user_password(UserPoolId=pool_id, Username="alice", Password=OTHER_PASSWORD, Permanent=False)
    assert password_auth(idp, client, password=OTHER_PASSWORD)["ChallengeName"] == "NEW_PASSWORD_REQUIRED"


# --- Sign-in identifiers ------------------------------------------------------------------------------

def test_sign_in_by_verified_alias(idp: Any, make_pool: Any) -> None:
    pool_id = make_pool(AliasAttributes=["email", "preferred_username"])
    client = make_client(idp, pool_id)
    make_user(idp, pool_id, attributes={"email": "alice@example.com", "email_verified": "true",
                                        "preferred_username": "ally"})
    make_user(idp, pool_id, "bob", attributes={"email": "bob@example.com"})  # not verified: no alias
    for name in ("alice@example.com", "ally", "alice"):
        auth = _assert_tokens(password_auth(idp, client, username=name))
        assert claims_of(auth["IdToken"])["cognito:username"] == "alice"
        assert claims_of(auth["AccessToken"])["username"] == "alice"
    with pytest.raises(ClientError) as exc:
        password_auth(idp, client, username="bob@example.com")
    assert error_of(exc) == ("UserNotFoundException", "User does not exist.")


def test_sign_in_with_email_username(idp: Any, make_pool: Any) -> None:
    pool_id = make_pool(UsernameAttributes=["email"])
    client = make_client(idp, pool_id)
    created = make_user(idp, pool_id, "dana@example.com")
    sub = attrs_of(created)["sub"]
    assert created["Username"] == sub
    auth = _assert_tokens(password_auth(idp, client, username="dana@example.com"))
    id_claims, access = claims_of(auth["IdToken"]), claims_of(auth["AccessToken"])
    assert id_claims["cognito:username"] == sub and access["username"] == sub and id_claims["sub"] == sub
    assert id_claims["email"] == "dana@example.com"
    # The internal name works too.
    _assert_tokens(password_auth(idp, client, username=sub))
