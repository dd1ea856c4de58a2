"""PreTokenGeneration V1_0, V2_0 and V3_0: the events and the claims and scopes they change."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.auth_helpers import PASSWORD, attrs_of, claims_of, error_of, make_client, make_user, password_auth
from tests.hostedui_support import OAuthPool
from tests.lambda_server import Triggers, lambda_host, triggers  # noqa: F401 - fixtures

ROLE = "arn:aws:iam::000000000000:role/admins"
OTHER_ROLE = "arn:aws:iam::000000000000:role/other"


def _config(arn: str, version: str) -> dict[str, Any]:
    return {"PreTokenGeneration": arn, "PreTokenGenerationConfig": {"LambdaVersion": version, "LambdaArn": arn}}


def _setup(triggers: Triggers, idp: Any, arn: str, version: str = "V1_0") -> tuple[str, dict[str, Any], str]:
    pool_id = triggers.pool(_config(arn, version))
    client = make_client(idp, pool_id)
    sub = attrs_of(make_user(idp, pool_id, attributes={"email": "alice@example.com", "name": "Alice"}))["sub"]
    idp.create_group(UserPoolId=pool_id, GroupName="admins", RoleArn=ROLE, Precedence=1)
    idp.admin_add_user_to_group(UserPoolId=pool_id, Username="alice", GroupName="admins")
    return pool_id, client, sub


def _tokens(idp: Any, client: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    result = password_auth(idp, client)["AuthenticationResult"]
    return result, claims_of(result["IdToken"]), claims_of(result["AccessToken"])


def test_v1_event_shape(triggers: Triggers, idp: Any) -> None:
    arn = triggers.echo("pretoken")
    pool_id, client, sub = _setup(triggers, idp, arn)
    idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="USER_PASSWORD_AUTH",
                      AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD}, ClientMetadata={"x": "y"})
    (event,) = triggers.events(arn)
    assert event["version"] == "1"
    assert event["triggerSource"] == "TokenGeneration_Authentication"
    assert event["userName"] == "alice" and event["userPoolId"] == pool_id
    assert event["callerContext"]["clientId"] == client["ClientId"]
    assert event["request"] == {
        "userAttributes": {"sub": sub, "email": "alice@example.com", "name": "Alice", "cognito:user_status": "CONFIRMED"},
        "groupConfiguration": {"groupsToOverride": ["admins"], "iamRolesToOverride": [ROLE], "preferredRole": ROLE},
    }  # no scopes in V1; no clientMetadata from InitiateAuth
    assert event["response"] == {"claimsOverrideDetails": None}


def test_v1_changes_the_id_token_and_groups_in_both(triggers: Triggers, idp: Any) -> None:
    def change(event: dict[str, Any]) -> None:
        event["response"]["claimsOverrideDetails"] = {
            "claimsToAddOrOverride": {"department": "eng", "name": "Alice A.", "level": 3, "sub": "forged",
                                      "cognito:username": "mallory", "secret": "shown"},
            "claimsToSuppress": ["email", "secret"],
            "groupOverrideDetails": {"groupsToOverride": ["readers", "writers"], "iamRolesToOverride": [OTHER_ROLE],
                                     "preferredRole": OTHER_ROLE},
        }

    _pool_id, client, sub = _setup(triggers, idp, triggers.echo("pretoken", change))
    _result, id_claims, access = _tokens(idp, client)
    assert id_claims["department"] == "eng" and id_claims["name"] == "Alice A."
    assert id_claims["level"] == "3"  # V1 claims are strings
    assert "email" not in id_claims and "secret" not in id_claims  # suppression wins over an override
    assert id_claims["sub"] == sub and id_claims["cognito:username"] == "alice"  # immutable
    assert id_claims["cognito:groups"] == ["readers", "writers"]
    assert id_claims["cognito:roles"] == [OTHER_ROLE] and id_claims["cognito:preferred_role"] == OTHER_ROLE
    assert access["cognito:groups"] == ["readers", "writers"]  # groups reach the access token too
    assert "department" not in access and access["scope"] == "aws.cognito.signin.user.admin"


def test_v1_object_claim_is_invalid(triggers: Triggers, idp: Any) -> None:
    def change(event: dict[str, Any]) -> None:
        event["response"]["claimsOverrideDetails"] = {"claimsToAddOrOverride": {"nested": {"a": 1}}}

    _pool_id, client, _sub = _setup(triggers, idp, triggers.echo("pretoken", change))
    with pytest.raises(ClientError) as exc:
        password_auth(idp, client)
    assert error_of(exc)[0] == "InvalidLambdaResponseException"


@pytest.mark.parametrize("version", ["V2_0", "V3_0"])
def test_v2_and_v3_change_both_tokens_and_scopes(triggers: Triggers, idp: Any, version: str) -> None:
    def change(event: dict[str, Any]) -> None:
        event["response"]["claimsAndScopeOverrideDetails"] = {
            "idTokenGeneration": {"claimsToAddOrOverride": {"tier": {"name": "gold", "since": 2020}},
                                  "claimsToSuppress": ["name"]},
            "accessTokenGeneration": {"claimsToAddOrOverride": {"tenant": "acme", "roles": ["a", "b"], "client_id": "x"},
                                      "claimsToSuppress": ["cognito:groups"],
                                      "scopesToAdd": ["https://api.example.com/read"],
                                      "scopesToSuppress": ["aws.cognito.signin.user.admin"]},
            "groupOverrideDetails": {"groupsToOverride": ["vip"]},
        }

    arn = triggers.echo("pretoken", change)
    _pool_id, client, _sub = _setup(triggers, idp, arn, version)
    _result, id_claims, access = _tokens(idp, client)
    (event,) = triggers.events(arn)
    assert event["version"] == version[1]
    assert event["request"]["scopes"] == ["aws.cognito.signin.user.admin"]
    assert event["response"] == {"claimsAndScopeOverrideDetails": None}
    assert id_claims["tier"] == {"name": "gold", "since": 2020} and "name" not in id_claims
    assert id_claims["cognito:groups"] == ["vip"]
    assert access["tenant"] == "acme" and access["roles"] == ["a", "b"]
    assert access["client_id"] == client["ClientId"]  # not modifiable
    assert "cognito:groups" not in access  # suppressed, after the group override
    assert access["scope"] == "https://api.example.com/read"


def test_legacy_arn_alone_means_v1(triggers: Triggers, idp: Any) -> None:
    arn = triggers.echo("pretoken", lambda e: e["response"].update(
        claimsOverrideDetails={"claimsToAddOrOverride": {"legacy": "yes"}}))
    pool_id = triggers.pool({"PreTokenGeneration": arn})
    client = make_client(idp, pool_id)
    make_user(idp, pool_id)
    _result, id_claims, _access = _tokens(idp, client)
    assert id_claims["legacy"] == "yes"
    assert triggers.events(arn)[0]["version"] == "1"


def test_sources_new_password_and_refresh(triggers: Triggers, idp: Any) -> None:
    counter = {"n": 0}

    def change(event: dict[str, Any]) -> None:
        counter["n"] += 1
        event["response"]["claimsOverrideDetails"] = {"claimsToAddOrOverride": {"issue": str(counter["n"])}}

    arn = triggers.echo("pretoken", change)
    pool_id = triggers.pool(_config(arn, "V1_0"))
    client = make_client(idp, pool_id)
    make_user(idp, pool_id, permanent=False)
    challenge = password_auth(idp, client)
    result = idp.respond_to_auth_challenge(
        ClientId=client["ClientId"], ChallengeName="NEW_PASSWORD_REQUIRED", Session=challenge["Session"],
        ChallengeResponses={"USERNAME": "alice", "NEW_PASSWORD": "N3w-Passw0rd!"})["AuthenticationResult"]
    assert claims_of(result["IdToken"])["issue"] == "1"
    refreshed = idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="REFRESH_TOKEN_AUTH",
                                  AuthParameters={"REFRESH_TOKEN": result["RefreshToken"]})["AuthenticationResult"]
    assert claims_of(refreshed["IdToken"])["issue"] == "2"
    again = idp.get_tokens_from_refresh_token(RefreshToken=result["RefreshToken"], ClientId=client["ClientId"],
                                              ClientMetadata={"via": "gtfrt"})["AuthenticationResult"]
    assert claims_of(again["IdToken"])["issue"] == "3"
    sources = [e["triggerSource"] for e in triggers.events(arn)]
    assert sources == ["TokenGeneration_NewPasswordChallenge", "TokenGeneration_RefreshTokens",
                       "TokenGeneration_RefreshTokens"]
    assert triggers.events(arn)[2]["request"]["clientMetadata"] == {"via": "gtfrt"}


def test_hosted_auth_source_and_oauth_scopes(triggers: Triggers, idp: Any, server: Any) -> None:
    def change(event: dict[str, Any]) -> None:
        event["response"]["claimsAndScopeOverrideDetails"] = {
            "idTokenGeneration": {"claimsToAddOrOverride": {"via": "hosted"}},
            "accessTokenGeneration": {"scopesToSuppress": ["phone"]},
        }

    arn = triggers.echo("pretoken", change)
    oauth = OAuthPool(idp, server, LambdaConfig=_config(arn, "V2_0"))
    try:
        oauth.user()
        client = oauth.client()
        tokens = oauth.code_tokens(client, scope="openid email phone")
    finally:
        oauth.delete()
    (event,) = triggers.events(arn)
    assert event["triggerSource"] == "TokenGeneration_HostedAuth"
    assert sorted(event["request"]["scopes"]) == ["email", "openid", "phone"]
    assert claims_of(tokens["id_token"])["via"] == "hosted"
    assert sorted(claims_of(tokens["access_token"])["scope"].split()) == ["email", "openid"]


def test_throw_refuses_the_tokens(triggers: Triggers, idp: Any) -> None:
    def broken(event: dict[str, Any], _context: Any) -> dict[str, Any]:
        raise KeyError("tenant")

    _pool_id, client, _sub = _setup(triggers, idp, triggers.function(broken))
    with pytest.raises(ClientError) as exc:
        password_auth(idp, client)
    assert error_of(exc) == ("UserLambdaValidationException", "PreTokenGeneration failed with error 'tenant'.")


def test_device_sign_in_source_and_new_device(triggers: Triggers, idp: Any, server: Any) -> None:
    from tests.mfa_support import SMS_FACTOR, last_code, respond
    from tests.test_devices import ALWAYS, PHONE, _device_auth, _device_sign_in, _new_device

    pre_token, post = triggers.echo("pretoken"), triggers.echo("postauth")
    pool_id = triggers.pool({"PreTokenGeneration": pre_token, "PostAuthentication": post}, DeviceConfiguration=ALWAYS)
    idp.set_user_pool_mfa_config(UserPoolId=pool_id, MfaConfiguration="ON", SmsMfaConfiguration=SMS_FACTOR)
    client = make_client(idp, pool_id)
    make_user(idp, pool_id, attributes={"phone_number": PHONE})
    first = password_auth(idp, client)
    result = respond(idp, client, "SMS_MFA", first["Session"],
                     SMS_MFA_CODE=last_code(server, pool_id, "alice"))["AuthenticationResult"]
    device = _new_device(idp, client, result)
    step = _device_sign_in(idp, client, pool_id, device)
    assert _device_auth(idp, client, device, step["Session"])["AuthenticationResult"]["AccessToken"]
    assert [e["triggerSource"] for e in triggers.events(pre_token)] == [
        "TokenGeneration_Authentication", "TokenGeneration_AuthenticateDevice"]
    assert [e["request"]["newDeviceUsed"] for e in triggers.events(post)] == [True, False]
