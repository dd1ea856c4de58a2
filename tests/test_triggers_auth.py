"""PreAuthentication, PostAuthentication and UserMigration over the wire."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.auth_helpers import PASSWORD, attrs_of, error_of, make_client, make_user, password_auth
from tests.lambda_server import Triggers, lambda_host, triggers  # noqa: F401 - fixtures
from tests.test_signin_srp import SrpClient


def _throws(message: str) -> Any:
    def handler(event: dict[str, Any], _context: Any) -> dict[str, Any]:
        raise RuntimeError(message)
    return handler


# --- PreAuthentication ---------------------------------------------------------------------------

def test_pre_authentication_event_shape(triggers: Triggers, idp: Any) -> None:
    arn = triggers.echo("preauth")
    pool_id = triggers.pool({"PreAuthentication": arn})
    client = make_client(idp, pool_id)
    sub = attrs_of(make_user(idp, pool_id, attributes={"email": "alice@example.com"}))["sub"]
    idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="USER_PASSWORD_AUTH",
                      AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD}, ClientMetadata={"app": "web"})
    (event,) = triggers.events(arn)
    assert event["triggerSource"] == "PreAuthentication_Authentication"
    assert event["userName"] == "alice"
    assert event["callerContext"]["clientId"] == client["ClientId"]
    assert event["request"] == {
        "userAttributes": {"sub": sub, "email": "alice@example.com", "cognito:user_status": "CONFIRMED"},
        "validationData": {"app": "web"}, "clientMetadata": {"app": "web"},
    }
    assert event["response"] == {}


def test_pre_authentication_refusal_comes_before_the_password(triggers: Triggers, idp: Any) -> None:
    pool_id = triggers.pool({"PreAuthentication": triggers.function(_throws("Account locked"))})
    client = make_client(idp, pool_id)
    make_user(idp, pool_id)
    for password in (PASSWORD, "Wrong-Passw0rd!"):
        with pytest.raises(ClientError) as exc:
            password_auth(idp, client, password=password)
        assert error_of(exc) == ("UserLambdaValidationException", "PreAuthentication failed with error Account locked.")


def test_pre_authentication_on_srp_sign_in(triggers: Triggers, idp: Any) -> None:
    arn = triggers.echo("preauth")
    pool_id = triggers.pool({"PreAuthentication": arn})
    client = make_client(idp, pool_id)
    make_user(idp, pool_id)
    srp = SrpClient(pool_id, PASSWORD)
    idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="USER_SRP_AUTH",
                      AuthParameters={"USERNAME": "alice", "SRP_A": srp.srp_a})
    assert [e["triggerSource"] for e in triggers.events(arn)] == ["PreAuthentication_Authentication"]


def test_pre_authentication_user_not_found_when_existence_is_hidden(triggers: Triggers, idp: Any) -> None:
    arn = triggers.echo("preauth")
    pool_id = triggers.pool({"PreAuthentication": arn})
    client = make_client(idp, pool_id, PreventUserExistenceErrors="ENABLED")
    make_user(idp, pool_id)
    password_auth(idp, client)
    with pytest.raises(ClientError) as exc:
        password_auth(idp, client, "nobody")
    assert error_of(exc) == ("NotAuthorizedException", "Incorrect username or password.")
    known, unknown = triggers.events(arn)
    assert known["request"]["userNotFound"] is False
    assert unknown["request"]["userNotFound"] is True
    assert unknown["userName"] == "nobody" and unknown["request"]["userAttributes"] == {}


# --- PostAuthentication --------------------------------------------------------------------------

def test_post_authentication_event_and_not_on_refresh(triggers: Triggers, idp: Any) -> None:
    arn = triggers.echo("postauth")
    pool_id = triggers.pool({"PostAuthentication": arn})
    client = make_client(idp, pool_id)
    make_user(idp, pool_id)
    tokens = idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="USER_PASSWORD_AUTH",
                               AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD},
                               ClientMetadata={"not": "passed"})["AuthenticationResult"]
    (event,) = triggers.events(arn)
    assert event["triggerSource"] == "PostAuthentication_Authentication"
    assert event["request"]["newDeviceUsed"] is False
    assert event["request"]["userAttributes"]["cognito:user_status"] == "CONFIRMED"
    assert "clientMetadata" not in event["request"]  # InitiateAuth does not pass it to PostAuthentication
    idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="REFRESH_TOKEN_AUTH",
                      AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]})
    assert len(triggers.events(arn)) == 1


def test_post_authentication_throw_refuses_the_sign_in(triggers: Triggers, idp: Any) -> None:
    pool_id = triggers.pool({"PostAuthentication": triggers.function(_throws("Not today"))})
    client = make_client(idp, pool_id)
    make_user(idp, pool_id)
    with pytest.raises(ClientError) as exc:
        password_auth(idp, client)
    assert error_of(exc) == ("UserLambdaValidationException", "PostAuthentication failed with error Not today.")


def test_post_authentication_after_new_password_gets_client_metadata(triggers: Triggers, idp: Any) -> None:
    arn = triggers.echo("postauth")
    pool_id = triggers.pool({"PostAuthentication": arn})
    client = make_client(idp, pool_id)
    make_user(idp, pool_id, permanent=False)
    challenge = password_auth(idp, client)
    assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED" and triggers.events(arn) == []
    idp.respond_to_auth_challenge(
        ClientId=client["ClientId"], ChallengeName="NEW_PASSWORD_REQUIRED", Session=challenge["Session"],
        ChallengeResponses={"USERNAME": "alice", "NEW_PASSWORD": "N3w-Passw0rd!"}, ClientMetadata={"step": "2"})
    (event,) = triggers.events(arn)
    assert event["request"]["clientMetadata"] == {"step": "2"}


# --- UserMigration -------------------------------------------------------------------------------

def _migrate(status: str | None = None, **attributes: str) -> Any:
    def handler(event: dict[str, Any], _context: Any) -> dict[str, Any]:
        if event["triggerSource"] == "UserMigration_Authentication" and event["request"]["password"] != "Legacy-Pass1!":
            raise ValueError("Bad password")
        event["response"]["userAttributes"] = {"email": "old@example.com", "email_verified": "true", **attributes}
        if status:
            event["response"]["finalUserStatus"] = status
        event["response"]["messageAction"] = "SUPPRESS"
        return event
    return handler


def test_user_migration_on_sign_in(triggers: Triggers, idp: Any) -> None:
    arn = triggers.function(_migrate(name="Old Timer"))
    pool_id = triggers.pool({"UserMigration": arn})
    client = make_client(idp, pool_id)
    result = idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="USER_PASSWORD_AUTH",
                               AuthParameters={"USERNAME": "olduser", "PASSWORD": "Legacy-Pass1!"},
                               ClientMetadata={"source": "legacy"})
    assert result["AuthenticationResult"]["AccessToken"]
    (event,) = triggers.events(arn)
    assert event["triggerSource"] == "UserMigration_Authentication"
    assert event["userName"] == "olduser"
    assert event["request"] == {"password": "Legacy-Pass1!", "validationData": {"source": "legacy"},
                                "clientMetadata": {"source": "legacy"}}
    assert set(event["response"]) == {"userAttributes", "forceAliasCreation", "enableSMSMFA", "finalUserStatus",
                                      "messageAction", "desiredDeliveryMediums"}
    user = idp.admin_get_user(UserPoolId=pool_id, Username="olduser")
    assert user["UserStatus"] == "CONFIRMED"
    assert attrs_of(user)["name"] == "Old Timer" and attrs_of(user)["email_verified"] == "true"
    # The password came along: the next sign-in needs no migration.
    password_auth(idp, client, "olduser", "Legacy-Pass1!")
    assert len(triggers.events(arn)) == 1


def test_user_migration_refusal_and_missing_user(triggers: Triggers, idp: Any) -> None:
    pool_id = triggers.pool({"UserMigration": triggers.function(_migrate())})
    client = make_client(idp, pool_id)
    with pytest.raises(ClientError) as exc:
        password_auth(idp, client, "olduser", "wrong-password")
    assert error_of(exc) == ("UserLambdaValidationException", "UserMigration failed with error Bad password.")
    with pytest.raises(ClientError) as missing:
        idp.admin_get_user(UserPoolId=pool_id, Username="olduser")
    assert error_of(missing)[0] == "UserNotFoundException"


def test_user_migration_without_attributes_is_no_user(triggers: Triggers, idp: Any) -> None:
    pool_id = triggers.pool({"UserMigration": triggers.echo("migrate")})
    client = make_client(idp, pool_id)
    with pytest.raises(ClientError) as exc:
        password_auth(idp, client, "olduser", "Legacy-Pass1!")
    assert error_of(exc) == ("UserNotFoundException", f"Exception migrating user in app client {client['ClientId']}")


def test_user_migration_reset_required(triggers: Triggers, idp: Any) -> None:
    pool_id = triggers.pool({"UserMigration": triggers.function(_migrate("RESET_REQUIRED"))})
    client = make_client(idp, pool_id)
    with pytest.raises(ClientError) as exc:
        password_auth(idp, client, "olduser", "Legacy-Pass1!")
    assert error_of(exc) == ("PasswordResetRequiredException", "Password reset required for the user")
    assert idp.admin_get_user(UserPoolId=pool_id, Username="olduser")["UserStatus"] == "RESET_REQUIRED"


def test_user_migration_bad_status_is_invalid(triggers: Triggers, idp: Any) -> None:
    pool_id = triggers.pool({"UserMigration": triggers.function(_migrate("ARCHIVED"))})
    with pytest.raises(ClientError) as exc:
        password_auth(idp, make_client(idp, pool_id), "olduser", "Legacy-Pass1!")
    assert error_of(exc)[0] == "InvalidLambdaResponseException"


def test_user_migration_on_forgot_password(triggers: Triggers, idp: Any, server: Any) -> None:
    arn = triggers.function(_migrate())
    pool_id = triggers.pool({"UserMigration": arn})
    client = make_client(idp, pool_id)
    details = idp.forgot_password(ClientId=client["ClientId"], Username="olduser",
                                  ClientMetadata={"from": "forgot"})["CodeDeliveryDetails"]
    assert details["DeliveryMedium"] == "EMAIL"
    (event,) = triggers.events(arn)
    assert event["triggerSource"] == "UserMigration_ForgotPassword"
    assert event["request"] == {"clientMetadata": {"from": "forgot"}}  # no password in this flow
    assert idp.admin_get_user(UserPoolId=pool_id, Username="olduser")["UserStatus"] == "RESET_REQUIRED"


def test_hosted_ui_sign_in_runs_the_triggers(triggers: Triggers, idp: Any, server: Any) -> None:
    from tests.hostedui_support import OAuthPool

    pre, post, migrate = triggers.echo("preauth"), triggers.echo("postauth"), triggers.function(_migrate())
    oauth = OAuthPool(idp, server, LambdaConfig={"PreAuthentication": pre, "PostAuthentication": post,
                                                 "UserMigration": migrate})
    try:
        client = oauth.client()
        answer = oauth.sign_in(client, "olduser", "Legacy-Pass1!")
        assert answer.status_code == 302 and "code=" in answer.headers["Location"]
    finally:
        oauth.delete()
    assert [e["triggerSource"] for e in triggers.events(migrate)] == ["UserMigration_Authentication"]
    assert [e["triggerSource"] for e in triggers.events(pre)] == ["PreAuthentication_Authentication"]
    assert [e["userName"] for e in triggers.events(post)] == ["olduser"]


def test_pre_authentication_once_for_user_auth(triggers: Triggers, idp: Any) -> None:
    arn = triggers.echo("preauth")
    pool_id = triggers.pool({"PreAuthentication": arn},
                            Policies={"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP"]}},
                            UserPoolTier="ESSENTIALS")
    client = make_client(idp, pool_id, flows=["ALLOW_USER_AUTH", "ALLOW_USER_SRP_AUTH"])
    make_user(idp, pool_id)
    srp = SrpClient(pool_id, PASSWORD)
    first = idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="USER_AUTH",
                              AuthParameters={"USERNAME": "alice", "PREFERRED_CHALLENGE": "PASSWORD_SRP",
                                              "SRP_A": srp.srp_a})
    assert first["ChallengeName"] == "PASSWORD_VERIFIER"
    assert [e["triggerSource"] for e in triggers.events(arn)] == ["PreAuthentication_Authentication"]
