"""SMS and e-mail MFA over the wire: who is challenged under OFF/ON/OPTIONAL, the codes in the
outbox (read back from /_cogito/messages), SELECT_MFA_TYPE, wrong and expired answers."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.auth_helpers import (  # noqa: F401 - fixtures
    attrs_of,
    clock,
    error_of,
    make_client,
    make_pool,
    make_user,
    password_auth,
)
from tests.mfa_support import enrol_totp, last_code, messages, mfa_pool, respond, signed_in, totp_code

PHONE = "+15555550100"
EMAIL = "alice@example.com"


def test_required_sms_for_a_user_with_a_phone(server: Any, idp: Any, make_pool: Any) -> None:
    pool_id = mfa_pool(idp, make_pool, "ON", sms=True)
    client = make_client(idp, pool_id)
    make_user(idp, pool_id, attributes={"phone_number": PHONE})
    challenge = password_auth(idp, client)
    assert challenge["ChallengeName"] == "SMS_MFA"
    params = challenge["ChallengeParameters"]
    assert params["CODE_DELIVERY_DELIVERY_MEDIUM"] == "SMS"
    assert params["CODE_DELIVERY_DESTINATION"] == "+*******0100"
    (sent,) = messages(server, pool_id, username="alice", kind="MFA")
    assert sent["medium"] == "SMS" and sent["destination"] == PHONE
    assert len(sent["code"]) == 6 and sent["code"].isdigit() and sent["body"] == f"Your code is {sent['code']}"
    with pytest.raises(ClientError) as exc:
        respond(idp, client, "SMS_MFA", challenge["Session"], SMS_MFA_CODE="not-it")
    assert error_of(exc) == ("CodeMismatchException", "Invalid code or auth state for the user.")
    done = respond(idp, client, "SMS_MFA", challenge["Session"], SMS_MFA_CODE=sent["code"])
    assert done["AuthenticationResult"]["IdToken"]
    # A first SMS MFA proves the number (AWS: it is then marked verified).
    user = idp.admin_get_user(UserPoolId=pool_id, Username="alice")
    assert attrs_of(user)["phone_number_verified"] == "true"


def test_expired_session(server: Any, idp: Any, make_pool: Any, clock: Any) -> None:
    pool_id = mfa_pool(idp, make_pool, "ON", sms=True)
    client = make_client(idp, pool_id, AuthSessionValidity=5)
    make_user(idp, pool_id, attributes={"phone_number": PHONE})
    challenge = password_auth(idp, client)
    code = last_code(server, pool_id, "alice")
    clock.advance(5 * 60 + 1)
    with pytest.raises(ClientError) as exc:
        respond(idp, client, "SMS_MFA", challenge["Session"], SMS_MFA_CODE=code)
    assert error_of(exc) == ("NotAuthorizedException", "Invalid session for the user, session is expired.")


def test_optional_pool_challenges_only_users_who_turned_mfa_on(server: Any, idp: Any, make_pool: Any) -> None:
    pool_id = mfa_pool(idp, make_pool, "OPTIONAL", sms=True)
    client = make_client(idp, pool_id)
    make_user(idp, pool_id, attributes={"phone_number": PHONE})
    signed_in(idp, client)  # a phone alone is not MFA in an optional pool
    with pytest.raises(ClientError) as exc:  # nothing to send an SMS to
        make_user(idp, pool_id, "bob")
        idp.admin_set_user_mfa_preference(UserPoolId=pool_id, Username="bob", SMSMfaSettings={"Enabled": True})
    assert error_of(exc) == ("InvalidParameterException",
                             "User does not have delivery config set to turn on SMS_MFA")
    idp.admin_set_user_mfa_preference(UserPoolId=pool_id, Username="alice",
                                      SMSMfaSettings={"Enabled": True, "PreferredMfa": True})
    view = idp.admin_get_user(UserPoolId=pool_id, Username="alice")
    assert view["UserMFASettingList"] == ["SMS_MFA"] and view["PreferredMfaSetting"] == "SMS_MFA"
    assert view["MFAOptions"] == [{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}]
    challenge = password_auth(idp, client)
    assert challenge["ChallengeName"] == "SMS_MFA"
    assert respond(idp, client, "SMS_MFA", challenge["Session"],
                   SMS_MFA_CODE=last_code(server, pool_id, "alice"))["AuthenticationResult"]


def test_mfa_off_ignores_user_settings(idp: Any, make_pool: Any) -> None:
    pool_id = mfa_pool(idp, make_pool, "OPTIONAL", sms=True)
    client = make_client(idp, pool_id)
    make_user(idp, pool_id, attributes={"phone_number": PHONE})
    idp.admin_set_user_mfa_preference(UserPoolId=pool_id, Username="alice", SMSMfaSettings={"Enabled": True})
    idp.set_user_pool_mfa_config(UserPoolId=pool_id, MfaConfiguration="OFF")
    signed_in(idp, client)


def test_legacy_set_user_settings(server: Any, idp: Any, make_pool: Any) -> None:
    pool_id = mfa_pool(idp, make_pool, "OPTIONAL", sms=True)
    client = make_client(idp, pool_id)
    make_user(idp, pool_id, attributes={"phone_number": PHONE})
    token = signed_in(idp, client)["AccessToken"]
    idp.set_user_settings(AccessToken=token, MFAOptions=[{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}])
    assert idp.get_user(AccessToken=token)["MFAOptions"] == [{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}]
    assert password_auth(idp, client)["ChallengeName"] == "SMS_MFA"
    idp.admin_set_user_settings(UserPoolId=pool_id, Username="alice", MFAOptions=[])
    assert "MFAOptions" not in idp.get_user(AccessToken=token)
    signed_in(idp, client)


def test_email_mfa(server: Any, idp: Any, make_pool: Any) -> None:
    pool_id = mfa_pool(idp, make_pool, "OPTIONAL", email=True)
    client = make_client(idp, pool_id)
    make_user(idp, pool_id, attributes={"email": EMAIL})
    idp.admin_set_user_mfa_preference(UserPoolId=pool_id, Username="alice", EmailMfaSettings={"Enabled": True})
    for field in ("EMAIL_OTP_CODE", "EMAIL_MFA_CODE"):  # the docs name both
        challenge = password_auth(idp, client)
        assert challenge["ChallengeName"] == "EMAIL_OTP"
        assert challenge["ChallengeParameters"]["CODE_DELIVERY_DELIVERY_MEDIUM"] == "EMAIL"
        assert challenge["ChallengeParameters"]["CODE_DELIVERY_DESTINATION"] == "a***@e***"
        sent = messages(server, pool_id, username="alice", kind="MFA")[0]
        assert sent["medium"] == "EMAIL" and sent["subject"] == "Sign-in code" and len(sent["code"]) == 6
        assert respond(idp, client, "EMAIL_OTP", challenge["Session"], **{field: sent["code"]})["AuthenticationResult"]


def test_select_mfa_type_without_a_preference(server: Any, idp: Any, make_pool: Any) -> None:
    pool_id = mfa_pool(idp, make_pool, "OPTIONAL", sms=True, totp=True)
    client = make_client(idp, pool_id)
    make_user(idp, pool_id, attributes={"phone_number": PHONE})
    token = signed_in(idp, client)["AccessToken"]
    secret = enrol_totp(idp, token, prefer=False)
    idp.set_user_mfa_preference(AccessToken=token, SMSMfaSettings={"Enabled": True},
                                SoftwareTokenMfaSettings={"Enabled": True})
    choice = password_auth(idp, client)
    assert choice["ChallengeName"] == "SELECT_MFA_TYPE"
    assert json.loads(choice["ChallengeParameters"]["MFAS_CAN_CHOOSE"]) == ["SMS_MFA", "SOFTWARE_TOKEN_MFA"]
    with pytest.raises(ClientError) as exc:
        respond(idp, client, "SELECT_MFA_TYPE", choice["Session"], ANSWER="EMAIL_OTP")
    assert error_of(exc)[0] == "InvalidParameterException"
    sms = respond(idp, client, "SELECT_MFA_TYPE", choice["Session"], ANSWER="SMS_MFA")
    assert sms["ChallengeName"] == "SMS_MFA" and sms["Session"] != choice["Session"]
    assert respond(idp, client, "SMS_MFA", sms["Session"],
                   SMS_MFA_CODE=last_code(server, pool_id, "alice"))["AuthenticationResult"]
    totp = respond(idp, client, "SELECT_MFA_TYPE", password_auth(idp, client)["Session"], ANSWER="SOFTWARE_TOKEN_MFA")
    assert totp["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    assert respond(idp, client, "SOFTWARE_TOKEN_MFA", totp["Session"],
                   SOFTWARE_TOKEN_MFA_CODE=totp_code(secret, time.time()))["AuthenticationResult"]
    # A preference ends the choosing.
    idp.set_user_mfa_preference(AccessToken=token, SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True})
    assert password_auth(idp, client)["ChallengeName"] == "SOFTWARE_TOKEN_MFA"


def test_required_pool_user_without_a_factor_gets_mfa_setup(idp: Any, make_pool: Any) -> None:
    pool_id = mfa_pool(idp, make_pool, "ON", sms=True, totp=True)
    client = make_client(idp, pool_id)
    make_user(idp, pool_id)
    setup = password_auth(idp, client)
    assert setup["ChallengeName"] == "MFA_SETUP"
    assert json.loads(setup["ChallengeParameters"]["MFAS_CAN_SETUP"]) == ["SMS_MFA", "SOFTWARE_TOKEN_MFA"]


def test_email_set_up_during_mfa_setup(server: Any, idp: Any, make_pool: Any) -> None:
    """Amplify's set-up of e-mail MFA: MFA_SETUP answered with EMAIL, then the EMAIL_OTP code."""
    pool_id = mfa_pool(idp, make_pool, "ON", email=True)
    client = make_client(idp, pool_id)
    make_user(idp, pool_id)
    setup = password_auth(idp, client)
    assert json.loads(setup["ChallengeParameters"]["MFAS_CAN_SETUP"]) == ["EMAIL_OTP"]
    otp = respond(idp, client, "MFA_SETUP", setup["Session"], EMAIL=EMAIL)
    assert otp["ChallengeName"] == "EMAIL_OTP"
    done = respond(idp, client, "EMAIL_OTP", otp["Session"], EMAIL_OTP_CODE=last_code(server, pool_id, "alice"))
    assert done["AuthenticationResult"]
    view = idp.admin_get_user(UserPoolId=pool_id, Username="alice")
    assert attrs_of(view)["email"] == EMAIL and attrs_of(view)["email_verified"] == "true"
    assert view["UserMFASettingList"] == ["EMAIL_OTP"]


def test_wrong_username_or_missing_code(server: Any, idp: Any, make_pool: Any) -> None:
    pool_id = mfa_pool(idp, make_pool, "ON", sms=True)
    client = make_client(idp, pool_id)
    make_user(idp, pool_id, attributes={"phone_number": PHONE})
    make_user(idp, pool_id, "bob", attributes={"phone_number": "+15555550101"})
    challenge = password_auth(idp, client)
    code = last_code(server, pool_id, "alice")
    with pytest.raises(ClientError) as exc:
        idp.respond_to_auth_challenge(ClientId=client["ClientId"], ChallengeName="SMS_MFA",
                                      Session=challenge["Session"],
                                      ChallengeResponses={"USERNAME": "bob", "SMS_MFA_CODE": code})
    assert error_of(exc)[0] == "NotAuthorizedException"
    with pytest.raises(ClientError) as exc:
        respond(idp, client, "SMS_MFA", challenge["Session"])
    assert error_of(exc) == ("InvalidParameterException", "Missing required parameter SMS_MFA_CODE")
    with pytest.raises(ClientError) as exc:  # not ASCII: simply wrong
        respond(idp, client, "SMS_MFA", challenge["Session"], SMS_MFA_CODE="\u0661\u0662\u0663\u0664\u0665\u0666")
    assert error_of(exc)[0] == "CodeMismatchException"
    assert respond(idp, client, "SMS_MFA", challenge["Session"], SMS_MFA_CODE=code)["AuthenticationResult"]
