"""Choice-based sign-in (USER_AUTH) over the wire: SELECT_CHALLENGE and AvailableChallenges,
PREFERRED_CHALLENGE (PASSWORD, PASSWORD_SRP, EMAIL_OTP, SMS_OTP), 8-digit one-time codes read
from /_cogito/messages, MFA after a password, and GetUserAuthFactors."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.auth_helpers import (  # noqa: F401 - fixtures
    PASSWORD,
    attrs_of,
    claims_of,
    error_of,
    make_client,
    make_pool,
    make_user,
)
from tests.mfa_support import last_code, messages, mfa_pool, respond

ALL_FACTORS = ["PASSWORD", "EMAIL_OTP", "SMS_OTP"]
USER_AUTH_FLOWS = ["ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
ATTRS = {"email": "alice@example.com", "phone_number": "+15555550100"}


def _setup(idp: Any, make_pool: Any, factors: list[str] | None = None, **pool_args: Any) -> tuple[str, dict[str, Any]]:
    pool_id = make_pool(Policies={"SignInPolicy": {"AllowedFirstAuthFactors": factors or ALL_FACTORS}}, **pool_args)
    return pool_id, make_client(idp, pool_id, flows=USER_AUTH_FLOWS)


def _start(idp: Any, client: dict[str, Any], **params: str) -> dict[str, Any]:
    return idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="USER_AUTH",
                             AuthParameters={"USERNAME": "alice", **params})


def test_needs_allow_user_auth(idp: Any, make_pool: Any) -> None:
    pool_id = make_pool()
    client = make_client(idp, pool_id)  # password flows only
    make_user(idp, pool_id)
    with pytest.raises(ClientError) as exc:
        _start(idp, client)
    assert error_of(exc) == ("InvalidParameterException", "Auth flow not enabled for this client")


def test_select_challenge_lists_what_the_user_can_do(idp: Any, make_pool: Any) -> None:
    pool_id, client = _setup(idp, make_pool)
    make_user(idp, pool_id, attributes=ATTRS)
    make_user(idp, pool_id, "bob")
    out = _start(idp, client)
    assert out["ChallengeName"] == "SELECT_CHALLENGE" and out["Session"]
    assert out["AvailableChallenges"] == ["PASSWORD_SRP", "PASSWORD", "EMAIL_OTP", "SMS_OTP"]
    assert _start(idp, client, USERNAME="bob")["AvailableChallenges"] == ["PASSWORD_SRP", "PASSWORD"]
    with pytest.raises(ClientError) as exc:
        respond(idp, client, "SELECT_CHALLENGE", out["Session"], ANSWER="WEB_AUTHN")
    assert error_of(exc)[0] == "InvalidParameterException"
    done = respond(idp, client, "SELECT_CHALLENGE", out["Session"], ANSWER="PASSWORD", PASSWORD=PASSWORD)
    assert claims_of(done["AuthenticationResult"]["AccessToken"])["username"] == "alice"


def test_pool_policy_limits_the_choice(idp: Any, make_pool: Any) -> None:
    pool_id, client = _setup(idp, make_pool, ["PASSWORD", "EMAIL_OTP"])
    make_user(idp, pool_id, attributes=ATTRS)
    assert _start(idp, client)["AvailableChallenges"] == ["PASSWORD_SRP", "PASSWORD", "EMAIL_OTP"]


def test_preferred_email_otp(server: Any, idp: Any, make_pool: Any) -> None:
    pool_id, client = _setup(idp, make_pool)
    make_user(idp, pool_id, attributes=ATTRS)
    out = _start(idp, client, PREFERRED_CHALLENGE="EMAIL_OTP")
    assert out["ChallengeName"] == "EMAIL_OTP" and out["AvailableChallenges"] == ["EMAIL_OTP"]
    assert out["ChallengeParameters"]["CODE_DELIVERY_DELIVERY_MEDIUM"] == "EMAIL"
    sent = messages(server, pool_id, username="alice")[0]
    assert sent["medium"] == "EMAIL" and sent["destination"] == ATTRS["email"]
    assert len(sent["code"]) == 8 and sent["code"].isdigit()
    with pytest.raises(ClientError) as exc:
        respond(idp, client, "EMAIL_OTP", out["Session"], EMAIL_OTP_CODE="00000000" if sent["code"] != "00000000"
                else "11111111")
    assert error_of(exc)[0] == "CodeMismatchException"
    done = respond(idp, client, "EMAIL_OTP", out["Session"], EMAIL_OTP_CODE=sent["code"])
    assert done["AuthenticationResult"]["RefreshToken"]


def test_preferred_sms_otp_after_a_selection(server: Any, idp: Any, make_pool: Any) -> None:
    pool_id, client = _setup(idp, make_pool)
    make_user(idp, pool_id, attributes=ATTRS)
    select = _start(idp, client)
    otp = respond(idp, client, "SELECT_CHALLENGE", select["Session"], ANSWER="SMS_OTP")
    assert otp["ChallengeName"] == "SMS_OTP"
    assert otp["ChallengeParameters"]["CODE_DELIVERY_DESTINATION"] == "+*******0100"
    code = last_code(server, pool_id, "alice", kind="SIGN_IN")
    assert len(code) == 8
    done = respond(idp, client, "SMS_OTP", otp["Session"], SMS_OTP_CODE=code)
    assert done["AuthenticationResult"]["AccessToken"]
    assert attrs_of(idp.admin_get_user(UserPoolId=pool_id, Username="alice"))["phone_number_verified"] == "true"


def test_preferred_password_and_password_srp(idp: Any, make_pool: Any) -> None:
    from tests.test_signin_srp import SrpClient

    pool_id, client = _setup(idp, make_pool)
    make_user(idp, pool_id, attributes=ATTRS)
    assert _start(idp, client, PREFERRED_CHALLENGE="PASSWORD", PASSWORD=PASSWORD)["AuthenticationResult"]
    with pytest.raises(ClientError) as exc:
        _start(idp, client, PREFERRED_CHALLENGE="PASSWORD", PASSWORD="Wrong-passw0rd")
    assert error_of(exc) == ("NotAuthorizedException", "Incorrect username or password.")
    # Without the password at hand, the PASSWORD challenge asks for it.
    asked = _start(idp, client, PREFERRED_CHALLENGE="PASSWORD")
    assert asked["ChallengeName"] == "PASSWORD"
    assert respond(idp, client, "PASSWORD", asked["Session"], PASSWORD=PASSWORD)["AuthenticationResult"]

    srp = SrpClient(pool_id, PASSWORD)
    verifier = _start(idp, client, PREFERRED_CHALLENGE="PASSWORD_SRP", SRP_A=srp.srp_a)
    assert verifier["ChallengeName"] == "PASSWORD_VERIFIER"
    done = idp.respond_to_auth_challenge(ClientId=client["ClientId"], ChallengeName="PASSWORD_VERIFIER",
                                         ChallengeResponses=srp.responses(verifier["ChallengeParameters"]))
    assert done["AuthenticationResult"]


def test_force_change_password_users_get_only_passwords(idp: Any, make_pool: Any) -> None:
    pool_id, client = _setup(idp, make_pool)
    make_user(idp, pool_id, permanent=False, attributes=ATTRS)
    out = _start(idp, client, PREFERRED_CHALLENGE="EMAIL_OTP")  # not on offer: back to the choice
    assert out["ChallengeName"] == "SELECT_CHALLENGE"
    assert out["AvailableChallenges"] == ["PASSWORD_SRP", "PASSWORD"]
    nxt = respond(idp, client, "SELECT_CHALLENGE", out["Session"], ANSWER="PASSWORD", PASSWORD=PASSWORD)
    assert nxt["ChallengeName"] == "NEW_PASSWORD_REQUIRED"


def test_a_password_still_meets_mfa_but_a_code_does_not(server: Any, idp: Any, make_pool: Any) -> None:
    pool_id = mfa_pool(idp, make_pool, "OPTIONAL", sms=True,
                       Policies={"SignInPolicy": {"AllowedFirstAuthFactors": ALL_FACTORS}})
    client = make_client(idp, pool_id, flows=USER_AUTH_FLOWS)
    make_user(idp, pool_id, attributes=ATTRS)
    idp.admin_set_user_mfa_preference(UserPoolId=pool_id, Username="alice", SMSMfaSettings={"Enabled": True})
    assert _start(idp, client, PREFERRED_CHALLENGE="PASSWORD", PASSWORD=PASSWORD)["ChallengeName"] == "SMS_MFA"
    otp = _start(idp, client, PREFERRED_CHALLENGE="EMAIL_OTP")
    done = respond(idp, client, "EMAIL_OTP", otp["Session"], EMAIL_OTP_CODE=last_code(server, pool_id, "alice"))
    assert done["AuthenticationResult"]


def test_unknown_user(idp: Any, make_pool: Any) -> None:
    pool_id, client = _setup(idp, make_pool)
    with pytest.raises(ClientError) as exc:
        _start(idp, client, USERNAME="nobody")
    assert error_of(exc) == ("UserNotFoundException", "User does not exist.")


def test_get_user_auth_factors(idp: Any, make_pool: Any) -> None:
    pool_id, client = _setup(idp, make_pool)
    make_user(idp, pool_id, attributes=ATTRS)
    signed = _start(idp, client, PREFERRED_CHALLENGE="PASSWORD", PASSWORD=PASSWORD)
    token = signed["AuthenticationResult"]["AccessToken"]
    out = idp.get_user_auth_factors(AccessToken=token)
    assert out["Username"] == "alice"
    assert out["ConfiguredUserAuthFactors"] == ["PASSWORD", "EMAIL_OTP", "SMS_OTP"]
    assert "UserMFASettingList" not in out
    with pytest.raises(ClientError) as exc:
        idp.get_user_auth_factors(AccessToken="not-a-token")
    assert error_of(exc) == ("NotAuthorizedException", "Invalid Access Token")
