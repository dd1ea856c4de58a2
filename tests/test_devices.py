"""Device tracking over the wire: NewDeviceMetadata, device_key in the access token, ConfirmDevice,
Get/List/Forget/UpdateDeviceStatus and the Admin twins, and DEVICE_SRP_AUTH /
DEVICE_PASSWORD_VERIFIER letting a remembered device skip MFA. The device's side of SRP is
computed here from the reference (§3): DeviceGroupKey for poolName, DeviceKey for the username."""

from __future__ import annotations

import base64
import re
import secrets
from datetime import datetime, timezone
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.auth_helpers import (  # noqa: F401 - fixtures
    PASSWORD,
    claims_of,
    error_of,
    make_client,
    make_pool,
    make_user,
    password_auth,
)
from tests.mfa_support import last_code, messages, mfa_pool, respond
from tests.test_signin_srp import G, N, SrpClient, java_date, modexp, pad_hex

PHONE = "+15555550100"
ALWAYS = {"ChallengeRequiredOnNewDevice": True, "DeviceOnlyRememberedOnUserPrompt": False}


class Device:
    """A device's secrets as amazon-cognito-identity-js keeps them, and its SRP side."""

    def __init__(self, metadata: dict[str, str]) -> None:
        self.key = metadata["DeviceKey"]
        self.group = metadata["DeviceGroupKey"]
        self.password = base64.b64encode(secrets.token_bytes(40)).decode()
        self.salt_hex = pad_hex(int.from_bytes(secrets.token_bytes(16), "big"))
        self.srp = SrpClient(f"x_{self.group}", self.password)

    def verifier_config(self) -> dict[str, str]:
        v = modexp(G, self.srp.x(self.salt_hex, self.key), N)
        return {"Salt": base64.b64encode(bytes.fromhex(self.salt_hex)).decode(),
                "PasswordVerifier": base64.b64encode(bytes.fromhex(pad_hex(v))).decode()}

    def answer(self, params: dict[str, str], *, tamper: bool = False) -> dict[str, str]:
        timestamp = java_date(datetime.now(timezone.utc))
        signature = self.srp.signature({**params, "USER_ID_FOR_SRP": self.key}, timestamp)
        if tamper:
            signature = base64.b64encode(b"\x00" * 32).decode()
        return {"USERNAME": params["USERNAME"], "DEVICE_KEY": self.key, "TIMESTAMP": timestamp,
                "PASSWORD_CLAIM_SECRET_BLOCK": params["SECRET_BLOCK"], "PASSWORD_CLAIM_SIGNATURE": signature}


def _new_device(idp: Any, client: dict[str, Any], result: dict[str, Any], name: str = "laptop") -> Device:
    device = Device(result["NewDeviceMetadata"])
    out = idp.confirm_device(AccessToken=result["AccessToken"], DeviceKey=device.key, DeviceName=name,
                             DeviceSecretVerifierConfig=device.verifier_config())
    device.confirmation = out  # type: ignore[attr-defined]
    return device


def _device_sign_in(idp: Any, client: dict[str, Any], pool_id: str, device: Device) -> dict[str, Any]:
    """USER_SRP_AUTH with DEVICE_KEY up to the step after PASSWORD_VERIFIER."""
    srp = SrpClient(pool_id, PASSWORD)
    start = idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="USER_SRP_AUTH",
                              AuthParameters={"USERNAME": "alice", "SRP_A": srp.srp_a, "DEVICE_KEY": device.key})
    answers = {**srp.responses(start["ChallengeParameters"]), "DEVICE_KEY": device.key}
    return idp.respond_to_auth_challenge(ClientId=client["ClientId"], ChallengeName="PASSWORD_VERIFIER",
                                         ChallengeResponses=answers)


def _device_auth(idp: Any, client: dict[str, Any], device: Device, session: str, **kw: bool) -> dict[str, Any]:
    srp_step = idp.respond_to_auth_challenge(
        ClientId=client["ClientId"], ChallengeName="DEVICE_SRP_AUTH", Session=session,
        ChallengeResponses={"USERNAME": "alice", "DEVICE_KEY": device.key, "SRP_A": device.srp.srp_a})
    assert srp_step["ChallengeName"] == "DEVICE_PASSWORD_VERIFIER" and srp_step["Session"]
    params = srp_step["ChallengeParameters"]
    assert params["DEVICE_KEY"] == device.key and params["SALT"] == format(int(device.salt_hex, 16), "x")
    return idp.respond_to_auth_challenge(ClientId=client["ClientId"], ChallengeName="DEVICE_PASSWORD_VERIFIER",
                                         Session=srp_step["Session"], ChallengeResponses=device.answer(params, **kw))


def test_tracked_sign_in_confirm_and_read_devices(idp: Any, make_pool: Any) -> None:
    pool_id = make_pool(DeviceConfiguration=ALWAYS)
    client = make_client(idp, pool_id)
    make_user(idp, pool_id)
    result = password_auth(idp, client)["AuthenticationResult"]
    meta = result["NewDeviceMetadata"]
    assert re.fullmatch(r"eu-west-1_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", meta["DeviceKey"])
    assert re.fullmatch(r"-[A-Za-z0-9]{8}", meta["DeviceGroupKey"])
    assert claims_of(result["AccessToken"])["device_key"] == meta["DeviceKey"]
    assert "device_key" not in claims_of(result["IdToken"])
    device = _new_device(idp, client, result)
    assert device.confirmation["UserConfirmationNecessary"] is False  # type: ignore[attr-defined]
    with pytest.raises(ClientError) as exc:
        idp.confirm_device(AccessToken=result["AccessToken"], DeviceKey=device.key,
                           DeviceSecretVerifierConfig=device.verifier_config())
    assert error_of(exc)[0] == "DeviceKeyExistsException"

    got = idp.get_device(AccessToken=result["AccessToken"], DeviceKey=device.key)["Device"]
    attrs = {a["Name"]: a["Value"] for a in got["DeviceAttributes"]}
    assert attrs["device_name"] == "laptop" and attrs["dev:device_remembered_status"] == "remembered"
    assert attrs["device_status"] == "valid"
    assert attrs["dev:device_arn"].endswith(f"owner/alice.{pool_id}/device/{device.key}")
    assert got["DeviceKey"] == device.key and got["DeviceCreateDate"] and got["DeviceLastAuthenticatedDate"]
    listed = idp.list_devices(AccessToken=result["AccessToken"])["Devices"]
    assert [d["DeviceKey"] for d in listed] == [device.key]
    assert [d["DeviceKey"] for d in idp.admin_list_devices(UserPoolId=pool_id, Username="alice")["Devices"]] == [
        device.key]
    # A refresh keeps the device in the new access token.
    refreshed = idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="REFRESH_TOKEN_AUTH",
                                  AuthParameters={"REFRESH_TOKEN": result["RefreshToken"], "DEVICE_KEY": device.key})
    assert claims_of(refreshed["AuthenticationResult"]["AccessToken"])["device_key"] == device.key
    assert "NewDeviceMetadata" not in refreshed["AuthenticationResult"]


def test_untracked_pool_hands_out_no_device(idp: Any, make_pool: Any) -> None:
    pool_id = make_pool()
    client = make_client(idp, pool_id)
    make_user(idp, pool_id)
    result = password_auth(idp, client)["AuthenticationResult"]
    assert "NewDeviceMetadata" not in result and "device_key" not in claims_of(result["AccessToken"])


def test_remembered_device_skips_mfa(server: Any, idp: Any, make_pool: Any) -> None:
    pool_id = mfa_pool(idp, make_pool, "ON", sms=True, devices=ALWAYS)
    client = make_client(idp, pool_id)
    make_user(idp, pool_id, attributes={"phone_number": PHONE})
    first = password_auth(idp, client)
    assert first["ChallengeName"] == "SMS_MFA"
    result = respond(idp, client, "SMS_MFA", first["Session"],
                     SMS_MFA_CODE=last_code(server, pool_id, "alice"))["AuthenticationResult"]
    device = _new_device(idp, client, result)
    sent_before = len(messages(server, pool_id, username="alice"))

    step = _device_sign_in(idp, client, pool_id, device)
    assert step["ChallengeName"] == "DEVICE_SRP_AUTH" and step["Session"]
    done = _device_auth(idp, client, device, step["Session"])["AuthenticationResult"]
    assert "NewDeviceMetadata" not in done
    assert claims_of(done["AccessToken"])["device_key"] == device.key
    assert len(messages(server, pool_id, username="alice")) == sent_before  # no SMS this time

    step = _device_sign_in(idp, client, pool_id, device)
    with pytest.raises(ClientError) as exc:
        _device_auth(idp, client, device, step["Session"], tamper=True)
    assert error_of(exc) == ("NotAuthorizedException", "Incorrect username or password.")
    # The password flow with the device key: also no MFA, device authentication instead.
    plain = password_auth(idp, client, DEVICE_KEY=device.key)
    assert plain["ChallengeName"] == "DEVICE_SRP_AUTH"


def test_unknown_or_forgotten_device_is_resource_not_found(idp: Any, make_pool: Any) -> None:
    pool_id = make_pool(DeviceConfiguration=ALWAYS)
    client = make_client(idp, pool_id)
    make_user(idp, pool_id)
    result = password_auth(idp, client)["AuthenticationResult"]
    device = _new_device(idp, client, result)
    for key in ("eu-west-1_00000000-0000-0000-0000-000000000000", device.key):
        if key == device.key:
            idp.forget_device(AccessToken=result["AccessToken"], DeviceKey=key)
        with pytest.raises(ClientError) as exc:
            password_auth(idp, client, DEVICE_KEY=key)
        assert error_of(exc) == ("ResourceNotFoundException", "Device does not exist.")
        srp = SrpClient(pool_id, PASSWORD)
        start = idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="USER_SRP_AUTH",
                                  AuthParameters={"USERNAME": "alice", "SRP_A": srp.srp_a, "DEVICE_KEY": key})
        with pytest.raises(ClientError) as exc:
            idp.respond_to_auth_challenge(ClientId=client["ClientId"], ChallengeName="PASSWORD_VERIFIER",
                                          ChallengeResponses={**srp.responses(start["ChallengeParameters"]),
                                                              "DEVICE_KEY": key})
        assert error_of(exc)[0] == "ResourceNotFoundException" and "device" in error_of(exc)[1].lower()
    # Forgetting the device ended the refresh tokens it was issued with.
    with pytest.raises(ClientError) as exc:
        idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="REFRESH_TOKEN_AUTH",
                          AuthParameters={"REFRESH_TOKEN": result["RefreshToken"]})
    assert error_of(exc) == ("NotAuthorizedException", "Refresh Token has been revoked")
    with pytest.raises(ClientError) as exc:
        idp.admin_get_device(UserPoolId=pool_id, Username="alice", DeviceKey=device.key)
    assert error_of(exc) == ("ResourceNotFoundException", "Device does not exist.")


def test_remembered_only_on_user_prompt(server: Any, idp: Any, make_pool: Any) -> None:
    pool_id = mfa_pool(idp, make_pool, "ON", sms=True,
                       devices={"ChallengeRequiredOnNewDevice": True, "DeviceOnlyRememberedOnUserPrompt": True})
    client = make_client(idp, pool_id)
    make_user(idp, pool_id, attributes={"phone_number": PHONE})
    first = password_auth(idp, client)
    result = respond(idp, client, "SMS_MFA", first["Session"],
                     SMS_MFA_CODE=last_code(server, pool_id, "alice"))["AuthenticationResult"]
    device = _new_device(idp, client, result)
    assert device.confirmation["UserConfirmationNecessary"] is True  # type: ignore[attr-defined]
    token = result["AccessToken"]
    # Not remembered yet: the user's own calls do not see it, the administrator does.
    assert idp.list_devices(AccessToken=token)["Devices"] == []
    with pytest.raises(ClientError) as exc:
        idp.get_device(AccessToken=token, DeviceKey=device.key)
    assert error_of(exc)[0] == "ResourceNotFoundException"
    admin = idp.admin_get_device(UserPoolId=pool_id, Username="alice", DeviceKey=device.key)["Device"]
    assert {"Name": "dev:device_remembered_status", "Value": "not_remembered"} in admin["DeviceAttributes"]
    # A device that is not remembered does not stand in for MFA.
    assert _device_sign_in(idp, client, pool_id, device)["ChallengeName"] == "SMS_MFA"

    idp.update_device_status(AccessToken=token, DeviceKey=device.key, DeviceRememberedStatus="remembered")
    assert [d["DeviceKey"] for d in idp.list_devices(AccessToken=token)["Devices"]] == [device.key]
    assert _device_sign_in(idp, client, pool_id, device)["ChallengeName"] == "DEVICE_SRP_AUTH"
    idp.admin_update_device_status(UserPoolId=pool_id, Username="alice", DeviceKey=device.key,
                                   DeviceRememberedStatus="not_remembered")
    assert _device_sign_in(idp, client, pool_id, device)["ChallengeName"] == "SMS_MFA"


def test_without_mfa_suppression_the_device_authenticates_after_mfa(server: Any, idp: Any, make_pool: Any) -> None:
    pool_id = mfa_pool(idp, make_pool, "ON", sms=True,
                       devices={"ChallengeRequiredOnNewDevice": False, "DeviceOnlyRememberedOnUserPrompt": False})
    client = make_client(idp, pool_id)
    make_user(idp, pool_id, attributes={"phone_number": PHONE})
    first = password_auth(idp, client)
    result = respond(idp, client, "SMS_MFA", first["Session"],
                     SMS_MFA_CODE=last_code(server, pool_id, "alice"))["AuthenticationResult"]
    device = _new_device(idp, client, result)
    mfa = _device_sign_in(idp, client, pool_id, device)
    assert mfa["ChallengeName"] == "SMS_MFA"
    step = respond(idp, client, "SMS_MFA", mfa["Session"], SMS_MFA_CODE=last_code(server, pool_id, "alice"),
                   DEVICE_KEY=device.key)
    assert step["ChallengeName"] == "DEVICE_SRP_AUTH"
    assert _device_auth(idp, client, device, step["Session"])["AuthenticationResult"]


def test_admin_forget_and_paging(idp: Any, make_pool: Any) -> None:
    pool_id = make_pool(DeviceConfiguration=ALWAYS)
    client = make_client(idp, pool_id)
    make_user(idp, pool_id)
    keys = []
    for _ in range(3):
        result = password_auth(idp, client)["AuthenticationResult"]
        keys.append(_new_device(idp, client, result).key)
    groups = {d["DeviceAttributes"][0]["Value"] for d in
              idp.admin_list_devices(UserPoolId=pool_id, Username="alice")["Devices"]}
    assert groups == {"valid"}
    page = idp.admin_list_devices(UserPoolId=pool_id, Username="alice", Limit=2)
    assert len(page["Devices"]) == 2 and page["PaginationToken"]
    rest = idp.admin_list_devices(UserPoolId=pool_id, Username="alice", Limit=2,
                                  PaginationToken=page["PaginationToken"])
    assert "PaginationToken" not in rest
    assert sorted(d["DeviceKey"] for d in page["Devices"] + rest["Devices"]) == sorted(keys)
    idp.admin_forget_device(UserPoolId=pool_id, Username="alice", DeviceKey=keys[0])
    left = idp.admin_list_devices(UserPoolId=pool_id, Username="alice")["Devices"]
    assert sorted(d["DeviceKey"] for d in left) == sorted(keys[1:])
    with pytest.raises(ClientError) as exc:
        idp.admin_update_device_status(UserPoolId=pool_id, Username="alice", DeviceKey=keys[0],
                                       DeviceRememberedStatus="remembered")
    assert error_of(exc) == ("ResourceNotFoundException", "Device does not exist.")


def test_non_ascii_signatures_are_wrong_not_errors(server: Any, idp: Any, make_pool: Any) -> None:
    pool_id = make_pool(DeviceConfiguration=ALWAYS)
    client = make_client(idp, pool_id)
    make_user(idp, pool_id)
    device = _new_device(idp, client, password_auth(idp, client)["AuthenticationResult"])
    srp = SrpClient(pool_id, PASSWORD)
    start = idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="USER_SRP_AUTH",
                              AuthParameters={"USERNAME": "alice", "SRP_A": srp.srp_a})
    answers = {**srp.responses(start["ChallengeParameters"]), "PASSWORD_CLAIM_SIGNATURE": "é" * 44}
    with pytest.raises(ClientError) as exc:
        idp.respond_to_auth_challenge(ClientId=client["ClientId"], ChallengeName="PASSWORD_VERIFIER",
                                      ChallengeResponses=answers)
    assert error_of(exc) == ("NotAuthorizedException", "Incorrect username or password.")
    step = _device_sign_in(idp, client, pool_id, device)
    srp_step = idp.respond_to_auth_challenge(
        ClientId=client["ClientId"], ChallengeName="DEVICE_SRP_AUTH", Session=step["Session"],
        ChallengeResponses={"USERNAME": "alice", "DEVICE_KEY": device.key, "SRP_A": device.srp.srp_a})
    answers = {**device.answer(srp_step["ChallengeParameters"]), "PASSWORD_CLAIM_SIGNATURE": "é" * 44}
    with pytest.raises(ClientError) as exc:
        idp.respond_to_auth_challenge(ClientId=client["ClientId"], ChallengeName="DEVICE_PASSWORD_VERIFIER",
                                      Session=srp_step["Session"], ChallengeResponses=answers)
    assert error_of(exc) == ("NotAuthorizedException", "Incorrect username or password.")
