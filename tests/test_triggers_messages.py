"""CustomMessage and the custom sender triggers: what they receive and what the outbox records."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from botocore.exceptions import ClientError

from tests.auth_helpers import PASSWORD, error_of, make_client, make_user, password_auth
from tests.lambda_server import Triggers, lambda_host, triggers  # noqa: F401 - fixtures


def _messages(server: Any, pool_id: str, username: str) -> list[dict[str, Any]]:
    found = requests.get(f"{server.url}/_cogito/messages", params={"pool_id": pool_id, "username": username},
                         timeout=10)
    return found.json()["messages"]


def _custom(event: dict[str, Any]) -> None:
    request = event["request"]
    code = request["codeParameter"]
    who = f" {request['usernameParameter']}" if request["usernameParameter"] else ""
    event["response"]["emailMessage"] = f"[{event['triggerSource']}]{who} code {code}"
    event["response"]["emailSubject"] = f"Subject for {event['triggerSource']}"
    event["response"]["smsMessage"] = f"SMS {event['triggerSource']} {code}"


def _sign_up(idp: Any, client_id: str, username: str = "carol", **extra: Any) -> None:
    idp.sign_up(ClientId=client_id, Username=username, Password=PASSWORD,
                UserAttributes=[{"Name": "email", "Value": f"{username}@example.com"}], **extra)


def test_sign_up_and_resend(triggers: Triggers, idp: Any, server: Any) -> None:
    arn = triggers.echo("custommessage", _custom)
    pool_id = triggers.pool({"CustomMessage": arn}, AutoVerifiedAttributes=["email"])
    client_id = make_client(idp, pool_id)["ClientId"]
    _sign_up(idp, client_id, ClientMetadata={"lang": "fr"})
    idp.resend_confirmation_code(ClientId=client_id, Username="carol")
    resent, first = _messages(server, pool_id, "carol")
    assert first["body"] == f"[CustomMessage_SignUp] code {first['code']}"
    assert first["subject"] == "Subject for CustomMessage_SignUp"
    assert resent["body"] == f"[CustomMessage_ResendCode] code {resent['code']}"
    event, resend_event = triggers.events(arn)
    assert event["version"] == "1" and event["triggerSource"] == "CustomMessage_SignUp"
    assert event["callerContext"]["clientId"] == client_id
    assert event["userName"] == "carol"
    assert event["request"]["codeParameter"] == "{####}"
    assert event["request"]["linkParameter"] == "{##Click Here##}"
    assert event["request"]["usernameParameter"] is None
    assert event["request"]["userAttributes"]["cognito:user_status"] == "UNCONFIRMED"
    assert event["request"]["userAttributes"]["email"] == "carol@example.com"
    assert event["request"]["clientMetadata"] == {"lang": "fr"}
    assert event["response"] == {"smsMessage": None, "emailMessage": None, "emailSubject": None}
    assert resend_event["triggerSource"] == "CustomMessage_ResendCode"


def test_forgot_password_and_sms(triggers: Triggers, idp: Any, server: Any) -> None:
    arn = triggers.echo("custommessage", _custom)
    pool_id = triggers.pool({"CustomMessage": arn})
    client = make_client(idp, pool_id)
    make_user(idp, pool_id, attributes={"phone_number": "+15555550100", "phone_number_verified": "true"})
    idp.forgot_password(ClientId=client["ClientId"], Username="alice")
    (message,) = _messages(server, pool_id, "alice")
    assert message["medium"] == "SMS"
    assert message["body"] == f"SMS CustomMessage_ForgotPassword {message['code']}"
    assert triggers.events(arn)[0]["triggerSource"] == "CustomMessage_ForgotPassword"


def test_admin_create_user_needs_both_placeholders(triggers: Triggers, idp: Any, server: Any) -> None:
    arn = triggers.echo("custommessage", _custom)
    pool_id = triggers.pool({"CustomMessage": arn})
    idp.admin_create_user(UserPoolId=pool_id, Username="dave", TemporaryPassword=PASSWORD,
                          UserAttributes=[{"Name": "email", "Value": "dave@example.com"}],
                          DesiredDeliveryMediums=["EMAIL"])
    (message,) = _messages(server, pool_id, "dave")
    assert message["body"] == f"[CustomMessage_AdminCreateUser] dave code {PASSWORD}"
    (event,) = triggers.events(arn)
    assert event["request"]["usernameParameter"] == "{username}"
    assert event["callerContext"]["clientId"] == "CLIENT_ID_NOT_APPLICABLE"

    def no_username(event: dict[str, Any]) -> None:
        event["response"]["emailMessage"] = "Only the code {####}"

    other = triggers.pool({"CustomMessage": triggers.echo("custommessage", no_username)})
    idp.admin_create_user(UserPoolId=other, Username="erin", TemporaryPassword=PASSWORD,
                          UserAttributes=[{"Name": "email", "Value": "erin@example.com"}],
                          DesiredDeliveryMediums=["EMAIL"])
    (default,) = _messages(server, other, "erin")
    assert default["body"] == f"Your username is erin and temporary password is {PASSWORD}."


def test_message_without_the_code_keeps_the_default(triggers: Triggers, idp: Any, server: Any) -> None:
    def no_code(event: dict[str, Any]) -> None:
        event["response"]["emailMessage"] = "Welcome aboard!"

    pool_id = triggers.pool({"CustomMessage": triggers.echo("custommessage", no_code)},
                            AutoVerifiedAttributes=["email"])
    _sign_up(idp, make_client(idp, pool_id)["ClientId"])
    (message,) = _messages(server, pool_id, "carol")
    assert message["body"] == f"Your verification code is {message['code']}. "


def test_attribute_sources(triggers: Triggers, idp: Any, server: Any) -> None:
    arn = triggers.echo("custommessage", _custom)
    pool_id = triggers.pool({"CustomMessage": arn}, AutoVerifiedAttributes=["email"])
    client = make_client(idp, pool_id)
    make_user(idp, pool_id, attributes={"email": "alice@example.com", "email_verified": "true"})
    idp.admin_update_user_attributes(UserPoolId=pool_id, Username="alice",
                                     UserAttributes=[{"Name": "email", "Value": "new@example.com"}])
    token = password_auth(idp, client)["AuthenticationResult"]["AccessToken"]
    idp.get_user_attribute_verification_code(AccessToken=token, AttributeName="email")
    verify, update = _messages(server, pool_id, "alice")
    assert update["body"].startswith("[CustomMessage_UpdateUserAttribute]")
    assert verify["body"].startswith("[CustomMessage_VerifyUserAttribute]")
    assert [e["triggerSource"] for e in triggers.events(arn)] == [
        "CustomMessage_UpdateUserAttribute", "CustomMessage_VerifyUserAttribute"]


def test_custom_message_throw(triggers: Triggers, idp: Any) -> None:
    def broken(event: dict[str, Any], _context: Any) -> dict[str, Any]:
        raise RuntimeError("template missing")

    pool_id = triggers.pool({"CustomMessage": triggers.function(broken)}, AutoVerifiedAttributes=["email"])
    with pytest.raises(ClientError) as exc:
        _sign_up(idp, make_client(idp, pool_id)["ClientId"])
    assert error_of(exc) == ("UserLambdaValidationException", "CustomMessage failed with error template missing.")


def test_custom_email_sender(triggers: Triggers, idp: Any, server: Any) -> None:
    arn = triggers.echo("emailsender")
    custom = triggers.echo("custommessage", _custom)
    pool_id = triggers.pool({"CustomEmailSender": {"LambdaVersion": "V1_0", "LambdaArn": arn},
                             "CustomMessage": custom,
                             "KMSKeyID": "arn:aws:kms:eu-west-1:000000000000:key/1234abcd-12ab-34cd-56ef-1234567890ab"},
                            AutoVerifiedAttributes=["email"])
    client_id = make_client(idp, pool_id)["ClientId"]
    _sign_up(idp, client_id, ClientMetadata={"k": "v"})
    (message,) = _messages(server, pool_id, "carol")
    (event,) = triggers.events(arn)
    assert event["version"] == "1" and event["triggerSource"] == "CustomEmailSender_SignUp"
    assert event["request"]["type"] == "customEmailSenderRequestV1"
    assert event["request"]["code"] == message["code"]  # in plain text: Cogito has no KMS
    assert event["request"]["userAttributes"]["email"] == "carol@example.com"
    assert event["request"]["clientMetadata"] == {"k": "v"}
    assert triggers.events(custom) == []  # the sender replaces Cognito's own message


def test_custom_sms_sender_failure_changes_nothing(triggers: Triggers, idp: Any, server: Any) -> None:
    def broken(event: dict[str, Any], _context: Any) -> dict[str, Any]:
        raise RuntimeError("SMS provider down")

    arn = triggers.function(broken, "smssender")
    pool_id = triggers.pool({"CustomSMSSender": {"LambdaVersion": "V1_0", "LambdaArn": arn},
                             "KMSKeyID": "arn:aws:kms:eu-west-1:000000000000:key/1234abcd-12ab-34cd-56ef-1234567890ab"})
    client = make_client(idp, pool_id)
    make_user(idp, pool_id, attributes={"phone_number": "+15555550100", "phone_number_verified": "true"})
    details = idp.forgot_password(ClientId=client["ClientId"], Username="alice")["CodeDeliveryDetails"]
    assert details["DeliveryMedium"] == "SMS"
    (event,) = triggers.events(arn)
    assert event["triggerSource"] == "CustomSMSSender_ForgotPassword"
    assert event["request"]["type"] == "customSMSSenderRequestV1"
    assert event["request"]["code"] == _messages(server, pool_id, "alice")[0]["code"]


def test_mfa_code_is_an_authentication_message(triggers: Triggers, idp: Any, server: Any) -> None:
    from tests.mfa_support import SMS_FACTOR

    custom, post = triggers.echo("custommessage", _custom), triggers.echo("postauth")
    pool_id = triggers.pool({"CustomMessage": custom, "PostAuthentication": post})
    idp.set_user_pool_mfa_config(UserPoolId=pool_id, MfaConfiguration="ON", SmsMfaConfiguration=SMS_FACTOR)
    client = make_client(idp, pool_id)
    make_user(idp, pool_id, attributes={"phone_number": "+15555550100"})
    challenge = password_auth(idp, client)
    assert challenge["ChallengeName"] == "SMS_MFA" and triggers.events(post) == []
    (sent,) = _messages(server, pool_id, "alice")
    assert sent["body"] == f"SMS CustomMessage_Authentication {sent['code']}"
    (event,) = triggers.events(custom)
    assert event["triggerSource"] == "CustomMessage_Authentication"
    assert "clientMetadata" not in event["request"]
    idp.respond_to_auth_challenge(ClientId=client["ClientId"], ChallengeName="SMS_MFA", Session=challenge["Session"],
                                  ChallengeResponses={"USERNAME": "alice", "SMS_MFA_CODE": sent["code"]})
    assert [e["triggerSource"] for e in triggers.events(post)] == ["PostAuthentication_Authentication"]
