"""Software-token MFA over the wire: AssociateSoftwareToken, VerifySoftwareToken, preferences, the
SOFTWARE_TOKEN_MFA challenge and MFA_SETUP. Codes are computed here from the shared secret (RFC 6238)."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.auth_helpers import (  # noqa: F401 - fixtures
    PASSWORD,
    clock,
    error_of,
    make_client,
    make_pool,
    make_user,
    password_auth,
)
from tests.mfa_support import enrol_totp, mfa_pool, respond, signed_in, totp_code


def _totp_pool(idp: Any, make_pool: Any, mode: str = "OPTIONAL") -> tuple[str, dict[str, Any]]:
    pool_id = mfa_pool(idp, make_pool, mode, totp=True)
    return pool_id, make_client(idp, pool_id)


def test_associate_verify_prefer_then_sign_in_with_a_code(idp: Any, make_pool: Any) -> None:
    pool_id, client = _totp_pool(idp, make_pool)
    make_user(idp, pool_id)
    token = signed_in(idp, client)["AccessToken"]
    secret = idp.associate_software_token(AccessToken=token)["SecretCode"]
    assert re.fullmatch(r"[A-Z2-7]{52}", secret)
    with pytest.raises(ClientError) as exc:
        idp.verify_software_token(AccessToken=token, UserCode="000000" if totp_code(secret, time.time()) != "000000"
                                  else "111111")
    assert error_of(exc) == ("EnableSoftwareTokenMFAException", "Code mismatch and fail enable Software Token MFA")
    out = idp.verify_software_token(AccessToken=token, UserCode=totp_code(secret, time.time()),
                                    FriendlyDeviceName="phone")
    assert out["Status"] == "SUCCESS" and "Session" not in out
    # Registered, not yet on: an optional pool still signs in without a code.
    assert "UserMFASettingList" not in idp.get_user(AccessToken=token)
    signed_in(idp, client)
    idp.set_user_mfa_preference(AccessToken=token, SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True})
    user = idp.get_user(AccessToken=token)
    assert user["UserMFASettingList"] == ["SOFTWARE_TOKEN_MFA"] and user["PreferredMfaSetting"] == "SOFTWARE_TOKEN_MFA"
    admin_view = idp.admin_get_user(UserPoolId=pool_id, Username="alice")
    assert admin_view["UserMFASettingList"] == ["SOFTWARE_TOKEN_MFA"]

    challenge = password_auth(idp, client)
    assert challenge["ChallengeName"] == "SOFTWARE_TOKEN_MFA" and challenge["Session"]
    assert "AuthenticationResult" not in challenge
    wrong = "123456" if totp_code(secret, time.time()) != "123456" else "654321"
    with pytest.raises(ClientError) as exc:
        respond(idp, client, "SOFTWARE_TOKEN_MFA", challenge["Session"], SOFTWARE_TOKEN_MFA_CODE=wrong)
    assert error_of(exc) == ("CodeMismatchException", "Invalid code or auth state for the user.")
    # The same session takes another try.
    done = respond(idp, client, "SOFTWARE_TOKEN_MFA", challenge["Session"],
                   SOFTWARE_TOKEN_MFA_CODE=totp_code(secret, time.time()))
    assert done["AuthenticationResult"]["AccessToken"]
    with pytest.raises(ClientError) as exc:
        respond(idp, client, "SOFTWARE_TOKEN_MFA", challenge["Session"],
                SOFTWARE_TOKEN_MFA_CODE=totp_code(secret, time.time()))
    assert error_of(exc) == ("NotAuthorizedException", "Invalid session for the user, session can only be used once.")


def test_one_step_of_drift_either_way_and_no_more(idp: Any, make_pool: Any, clock: Any) -> None:
    pool_id, client = _totp_pool(idp, make_pool)
    make_user(idp, pool_id)
    secret = enrol_totp(idp, signed_in(idp, client)["AccessToken"])
    now = clock.now()
    for moment, accepted in ((now - 30, True), (now + 30, True), (now - 90, False), (now + 90, False)):
        code = totp_code(secret, moment)
        if code == totp_code(secret, now):
            continue  # the same code as now's (1 in a million): nothing to learn
        session = password_auth(idp, client)["Session"]
        if accepted:
            assert respond(idp, client, "SOFTWARE_TOKEN_MFA", session, SOFTWARE_TOKEN_MFA_CODE=code)[
                "AuthenticationResult"]
        else:
            with pytest.raises(ClientError) as exc:
                respond(idp, client, "SOFTWARE_TOKEN_MFA", session, SOFTWARE_TOKEN_MFA_CODE=code)
            assert error_of(exc)[0] == "CodeMismatchException"


def test_preference_before_verification_and_pool_without_totp(idp: Any, make_pool: Any) -> None:
    pool_id, client = _totp_pool(idp, make_pool)
    make_user(idp, pool_id)
    token = signed_in(idp, client)["AccessToken"]
    with pytest.raises(ClientError) as exc:
        idp.set_user_mfa_preference(AccessToken=token, SoftwareTokenMfaSettings={"Enabled": True})
    assert error_of(exc) == ("InvalidParameterException",
                             "User does not have delivery config set to turn on SOFTWARE_TOKEN_MFA")
    with pytest.raises(ClientError) as exc:
        idp.verify_software_token(AccessToken=token, UserCode="123456")
    assert error_of(exc)[0] == "SoftwareTokenMFANotFoundException"

    plain = make_pool()
    plain_client = make_client(idp, plain)
    make_user(idp, plain)
    with pytest.raises(ClientError) as exc:
        idp.associate_software_token(AccessToken=signed_in(idp, plain_client)["AccessToken"])
    assert error_of(exc) == ("SoftwareTokenMFANotFoundException",
                             "Software Token MFA has not been enabled by the userPool.")
    with pytest.raises(ClientError) as exc:
        idp.associate_software_token()
    assert error_of(exc)[0] == "InvalidParameterException"


def test_turning_the_token_off_again(idp: Any, make_pool: Any) -> None:
    pool_id, client = _totp_pool(idp, make_pool)
    make_user(idp, pool_id)
    enrol_totp(idp, signed_in(idp, client)["AccessToken"])
    assert password_auth(idp, client)["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    idp.admin_set_user_mfa_preference(UserPoolId=pool_id, Username="alice",
                                      SoftwareTokenMfaSettings={"Enabled": False, "PreferredMfa": False})
    assert "UserMFASettingList" not in idp.admin_get_user(UserPoolId=pool_id, Username="alice")
    signed_in(idp, client)


def test_mfa_setup_with_the_session_then_totp_at_the_next_sign_in(idp: Any, make_pool: Any) -> None:
    pool_id, client = _totp_pool(idp, make_pool, "ON")
    make_user(idp, pool_id)
    setup = password_auth(idp, client)
    assert setup["ChallengeName"] == "MFA_SETUP"
    assert setup["ChallengeParameters"]["MFAS_CAN_SETUP"] == '["SOFTWARE_TOKEN_MFA"]'
    associated = idp.associate_software_token(Session=setup["Session"])
    assert associated["Session"] and associated["Session"] != setup["Session"]
    secret = associated["SecretCode"]
    with pytest.raises(ClientError) as exc:  # the challenge session was spent by AssociateSoftwareToken
        idp.associate_software_token(Session=setup["Session"])
    assert error_of(exc)[0] == "NotAuthorizedException"
    with pytest.raises(ClientError) as exc:
        respond(idp, client, "MFA_SETUP", associated["Session"])  # not verified yet
    assert error_of(exc)[0] == "SoftwareTokenMFANotFoundException"

    associated = idp.associate_software_token(Session=password_auth(idp, client)["Session"])
    secret = associated["SecretCode"]
    verified = idp.verify_software_token(Session=associated["Session"], UserCode=totp_code(secret, time.time()))
    assert verified["Status"] == "SUCCESS" and verified["Session"]
    done = respond(idp, client, "MFA_SETUP", verified["Session"])
    assert done["AuthenticationResult"]["RefreshToken"]
    assert idp.admin_get_user(UserPoolId=pool_id, Username="alice")["UserMFASettingList"] == ["SOFTWARE_TOKEN_MFA"]

    again = password_auth(idp, client)
    assert again["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    assert respond(idp, client, "SOFTWARE_TOKEN_MFA", again["Session"],
                   SOFTWARE_TOKEN_MFA_CODE=totp_code(secret, time.time()))["AuthenticationResult"]


def test_new_password_then_mfa_setup(idp: Any, make_pool: Any) -> None:
    """The new password is the first factor: a pool that requires MFA asks for it next."""
    pool_id, client = _totp_pool(idp, make_pool, "ON")
    make_user(idp, pool_id, permanent=False)
    first = password_auth(idp, client)
    assert first["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    nxt = respond(idp, client, "NEW_PASSWORD_REQUIRED", first["Session"], NEW_PASSWORD="Brand-new-Passw0rd")
    assert nxt["ChallengeName"] == "MFA_SETUP" and nxt["Session"]


def test_srp_sign_in_is_challenged_too(idp: Any, make_pool: Any) -> None:
    from tests.test_signin_srp import SrpClient

    pool_id, client = _totp_pool(idp, make_pool)
    make_user(idp, pool_id)
    secret = enrol_totp(idp, signed_in(idp, client)["AccessToken"])
    srp = SrpClient(pool_id, PASSWORD)
    start = idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="USER_SRP_AUTH",
                              AuthParameters={"USERNAME": "alice", "SRP_A": srp.srp_a})
    verified = idp.respond_to_auth_challenge(ClientId=client["ClientId"], ChallengeName="PASSWORD_VERIFIER",
                                             ChallengeResponses=srp.responses(start["ChallengeParameters"]))
    assert verified["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    assert respond(idp, client, "SOFTWARE_TOKEN_MFA", verified["Session"],
                   SOFTWARE_TOKEN_MFA_CODE=totp_code(secret, time.time()))["AuthenticationResult"]


def test_admin_delete_software_token(idp: Any, make_pool: Any) -> None:
    """A lost phone: the administrator removes the token; sign-in needs no code, a new token can be set up."""
    pool_id, client = _totp_pool(idp, make_pool)
    make_user(idp, pool_id)
    token = signed_in(idp, client)["AccessToken"]
    enrol_totp(idp, token)
    assert password_auth(idp, client)["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    idp.admin_delete_software_token(UserPoolId=pool_id, Username="alice")
    assert "UserMFASettingList" not in idp.admin_get_user_auth_factors(UserPoolId=pool_id, Username="alice")
    fresh = signed_in(idp, client)["AccessToken"]
    with pytest.raises(ClientError) as exc:
        idp.set_user_mfa_preference(AccessToken=fresh, SoftwareTokenMfaSettings={"Enabled": True})
    assert error_of(exc)[0] == "InvalidParameterException"
    enrol_totp(idp, fresh)
    factors = idp.admin_get_user_auth_factors(UserPoolId=pool_id, Username="alice")
    assert factors["UserMFASettingList"] == ["SOFTWARE_TOKEN_MFA"]
    assert factors["PreferredMfaSetting"] == "SOFTWARE_TOKEN_MFA" and factors["ConfiguredUserAuthFactors"] == ["PASSWORD"]
    with pytest.raises(ClientError) as exc:
        idp.admin_delete_software_token(UserPoolId=pool_id, Username="nobody")
    assert error_of(exc) == ("UserNotFoundException", "User does not exist.")
