"""PreSignUp and PostConfirmation over the wire: the events Cogito sends and their effects."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.auth_helpers import PASSWORD, attrs_of, error_of, make_client, password_auth
from tests.lambda_server import Triggers, lambda_host, triggers  # noqa: F401 - fixtures



def _sign_up(idp: Any, client_id: str, username: str = "carol", **extra: Any) -> dict[str, Any]:
    return idp.sign_up(ClientId=client_id, Username=username, Password=PASSWORD,
                       UserAttributes=[{"Name": "email", "Value": f"{username}@example.com"}], **extra)


def _code(server: Any, pool_id: str, username: str) -> str:
    import requests

    found = requests.get(f"{server.url}/_cogito/messages", params={"pool_id": pool_id, "username": username}).json()
    return next(m["code"] for m in found["messages"] if m["code"])


def test_pre_sign_up_event_shape(triggers: Triggers, idp: Any) -> None:
    arn = triggers.echo("presignup")
    pool_id = triggers.pool({"PreSignUp": arn}, AutoVerifiedAttributes=["email"])
    client_id = make_client(idp, pool_id)["ClientId"]
    _sign_up(idp, client_id, ValidationData=[{"Name": "invite", "Value": "abc"}], ClientMetadata={"src": "test"})
    (event,) = triggers.events(arn)
    assert event["version"] == "1"
    assert event["triggerSource"] == "PreSignUp_SignUp"
    assert event["region"] == "eu-west-1" and event["userPoolId"] == pool_id
    assert event["userName"] == "carol"
    assert event["callerContext"] == {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": client_id}
    assert event["request"] == {"userAttributes": {"email": "carol@example.com"}, "validationData": {"invite": "abc"},
                                "clientMetadata": {"src": "test"}}
    assert event["response"] == {"autoConfirmUser": False, "autoVerifyEmail": False, "autoVerifyPhone": False}


def test_pre_sign_up_auto_confirm_and_verify(triggers: Triggers, idp: Any, server: Any) -> None:
    def confirm(event: dict[str, Any]) -> None:
        event["response"].update(autoConfirmUser=True, autoVerifyEmail=True)

    post = triggers.echo("postconfirm")
    pool_id = triggers.pool({"PreSignUp": triggers.echo("presignup", confirm), "PostConfirmation": post},
                            AutoVerifiedAttributes=["email"])
    client = make_client(idp, pool_id)
    result = _sign_up(idp, client["ClientId"])
    assert result["UserConfirmed"] is True
    assert "CodeDeliveryDetails" not in result
    user = idp.admin_get_user(UserPoolId=pool_id, Username="carol")
    assert user["UserStatus"] == "CONFIRMED"
    assert attrs_of(user)["email_verified"] == "true"
    assert password_auth(idp, client, "carol")["AuthenticationResult"]["AccessToken"]
    # An auto-confirmed sign-up reaches PostConfirmation at once.
    (event,) = triggers.events(post)
    assert event["triggerSource"] == "PostConfirmation_ConfirmSignUp"
    assert event["request"]["userAttributes"]["cognito:user_status"] == "CONFIRMED"


def test_pre_sign_up_without_flags_leaves_the_user_unconfirmed(triggers: Triggers, idp: Any) -> None:
    pool_id = triggers.pool({"PreSignUp": triggers.echo()}, AutoVerifiedAttributes=["email"])
    result = _sign_up(idp, make_client(idp, pool_id)["ClientId"])
    assert result["UserConfirmed"] is False
    assert result["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"
    assert idp.admin_get_user(UserPoolId=pool_id, Username="carol")["UserStatus"] == "UNCONFIRMED"


def test_pre_sign_up_throw_refuses_and_creates_nothing(triggers: Triggers, idp: Any) -> None:
    def refuse(event: dict[str, Any], _context: Any) -> dict[str, Any]:
        raise ValueError("Invite only")

    pool_id = triggers.pool({"PreSignUp": triggers.function(refuse)})
    with pytest.raises(ClientError) as exc:
        _sign_up(idp, make_client(idp, pool_id)["ClientId"])
    assert error_of(exc) == ("UserLambdaValidationException", "PreSignUp failed with error Invite only.")
    with pytest.raises(ClientError) as missing:
        idp.admin_get_user(UserPoolId=pool_id, Username="carol")
    assert error_of(missing)[0] == "UserNotFoundException"


def test_pre_sign_up_auto_verify_without_email_is_refused(triggers: Triggers, idp: Any) -> None:
    def verify_phone(event: dict[str, Any]) -> None:
        event["response"]["autoVerifyPhone"] = True

    pool_id = triggers.pool({"PreSignUp": triggers.echo("presignup", verify_phone)})
    with pytest.raises(ClientError) as exc:
        _sign_up(idp, make_client(idp, pool_id)["ClientId"])
    assert error_of(exc)[0] == "InvalidLambdaResponseException"


def test_pre_sign_up_admin_create_user(triggers: Triggers, idp: Any) -> None:
    def confirm(event: dict[str, Any]) -> None:
        event["response"]["autoConfirmUser"] = True

    arn = triggers.echo("presignup", confirm)
    pool_id = triggers.pool({"PreSignUp": arn})
    created = idp.admin_create_user(UserPoolId=pool_id, Username="dave", MessageAction="SUPPRESS",
                                    UserAttributes=[{"Name": "name", "Value": "Dave"}],
                                    ValidationData=[{"Name": "k", "Value": "v"}], ClientMetadata={"m": "1"})
    (event,) = triggers.events(arn)
    assert event["triggerSource"] == "PreSignUp_AdminCreateUser"
    assert event["callerContext"]["clientId"] == "CLIENT_ID_NOT_APPLICABLE"
    assert event["request"] == {"userAttributes": {"name": "Dave"}, "validationData": {"k": "v"},
                                "clientMetadata": {"m": "1"}}
    # AdminCreateUser's users stay FORCE_CHANGE_PASSWORD whatever PreSignUp answers.
    assert created["User"]["UserStatus"] == "FORCE_CHANGE_PASSWORD"


def test_pre_sign_up_email_username_pool_sees_the_email(triggers: Triggers, idp: Any) -> None:
    arn = triggers.echo()
    pool_id = triggers.pool({"PreSignUp": arn}, UsernameAttributes=["email"])
    idp.sign_up(ClientId=make_client(idp, pool_id)["ClientId"], Username="erin@example.com", Password=PASSWORD)
    assert triggers.events(arn)[0]["request"]["userAttributes"] == {"email": "erin@example.com"}


def test_post_confirmation_after_confirm_sign_up(triggers: Triggers, idp: Any, server: Any) -> None:
    post = triggers.echo("postconfirm")
    pool_id = triggers.pool({"PostConfirmation": post}, AutoVerifiedAttributes=["email"])
    client_id = make_client(idp, pool_id)["ClientId"]
    sub = _sign_up(idp, client_id)["UserSub"]
    assert triggers.events(post) == []
    idp.confirm_sign_up(ClientId=client_id, Username="carol", ConfirmationCode=_code(server, pool_id, "carol"),
                        ClientMetadata={"from": "confirm"})
    (event,) = triggers.events(post)
    assert event["triggerSource"] == "PostConfirmation_ConfirmSignUp"
    assert event["userName"] == "carol"
    assert event["callerContext"]["clientId"] == client_id
    assert event["request"]["userAttributes"] == {"sub": sub, "email": "carol@example.com", "email_verified": "true",
                                                  "cognito:user_status": "CONFIRMED"}
    assert event["request"]["clientMetadata"] == {"from": "confirm"}
    assert event["response"] == {}


def test_post_confirmation_admin_confirm_and_forgot_password(triggers: Triggers, idp: Any, server: Any) -> None:
    post = triggers.echo("postconfirm")
    pool_id = triggers.pool({"PostConfirmation": post}, AutoVerifiedAttributes=["email"])
    client_id = make_client(idp, pool_id)["ClientId"]
    _sign_up(idp, client_id)
    idp.admin_confirm_sign_up(UserPoolId=pool_id, Username="carol")
    idp.admin_update_user_attributes(UserPoolId=pool_id, Username="carol",
                                     UserAttributes=[{"Name": "email_verified", "Value": "true"}])
    idp.forgot_password(ClientId=client_id, Username="carol")
    idp.confirm_forgot_password(ClientId=client_id, Username="carol", Password="N3w-Passw0rd!",
                                ConfirmationCode=_code(server, pool_id, "carol"))
    first, second = triggers.events(post)
    assert first["triggerSource"] == "PostConfirmation_ConfirmSignUp"
    assert first["callerContext"]["clientId"] == "CLIENT_ID_NOT_APPLICABLE"
    assert second["triggerSource"] == "PostConfirmation_ConfirmForgotPassword"
    assert second["callerContext"]["clientId"] == client_id


def test_post_confirmation_may_call_cogito_back(triggers: Triggers, idp: Any, server: Any) -> None:
    """The canonical use: add the confirmed user to a group from inside the trigger."""
    callback = server.client("cognito-idp")

    def add_to_group(event: dict[str, Any], _context: Any) -> dict[str, Any]:
        callback.admin_add_user_to_group(UserPoolId=event["userPoolId"], Username=event["userName"],
                                         GroupName="members")
        return event

    pool_id = triggers.pool({"PostConfirmation": triggers.function(add_to_group)}, AutoVerifiedAttributes=["email"])
    idp.create_group(UserPoolId=pool_id, GroupName="members")
    client_id = make_client(idp, pool_id)["ClientId"]
    _sign_up(idp, client_id)
    idp.confirm_sign_up(ClientId=client_id, Username="carol", ConfirmationCode=_code(server, pool_id, "carol"))
    groups = idp.admin_list_groups_for_user(UserPoolId=pool_id, Username="carol")["Groups"]
    assert [g["GroupName"] for g in groups] == ["members"]


def test_post_confirmation_failure_is_reported_and_the_user_stays_confirmed(triggers: Triggers, idp: Any,
                                                                            server: Any) -> None:
    def broken(event: dict[str, Any], _context: Any) -> dict[str, Any]:
        raise RuntimeError("database down")

    pool_id = triggers.pool({"PostConfirmation": triggers.function(broken)}, AutoVerifiedAttributes=["email"])
    client_id = make_client(idp, pool_id)["ClientId"]
    _sign_up(idp, client_id)
    with pytest.raises(ClientError) as exc:
        idp.confirm_sign_up(ClientId=client_id, Username="carol", ConfirmationCode=_code(server, pool_id, "carol"))
    assert error_of(exc) == ("UserLambdaValidationException", "PostConfirmation failed with error database down.")
    assert idp.admin_get_user(UserPoolId=pool_id, Username="carol")["UserStatus"] == "CONFIRMED"
