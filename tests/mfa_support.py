"""Shared pieces of the MFA, USER_AUTH and device tests, written from the RFCs and the reference
rather than imported from the emulator: TOTP codes (RFC 6238 over RFC 4226), codes read from
GET /_cogito/messages, pools with MFA factors and device tracking made over the wire."""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct
import uuid
from typing import Any

import requests

from tests.auth_helpers import PASSWORD, make_client, password_auth

SNS_ROLE = "arn:aws:iam::123456789012:role/cognito-sns"
SMS_FACTOR = {"SmsConfiguration": {"SnsCallerArn": SNS_ROLE, "ExternalId": "x"},
              "SmsAuthenticationMessage": "Your code is {####}"}
EMAIL_FACTOR = {"Message": "Your sign-in code is {####}", "Subject": "Sign-in code"}


def totp_code(secret: str, moment: float, step: int = 30, digits: int = 6) -> str:
    """RFC 6238 (HMAC-SHA1, dynamic truncation) for the Base32 ``secret`` at ``moment``."""
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    mac = hmac.new(key, struct.pack(">Q", int(moment) // step), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    number = struct.unpack(">I", mac[offset:offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**digits).zfill(digits)


def messages(server: Any, pool_id: str, **filters: str) -> list[dict[str, Any]]:
    found = requests.get(f"{server.url}/_cogito/messages", params={"pool_id": pool_id, **filters}, timeout=10)
    found.raise_for_status()
    return found.json()["messages"]


def last_code(server: Any, pool_id: str, username: str, **filters: str) -> str:
    """The code in the newest message to ``username``."""
    found = [m for m in messages(server, pool_id, username=username, **filters) if m["code"]]
    assert found, f"no message with a code for {username}"
    return str(found[0]["code"])


def mfa_pool(idp: Any, make_pool: Any, mode: str = "OPTIONAL", *, sms: bool = False, totp: bool = False,
             email: bool = False, devices: dict[str, bool] | None = None, **pool_args: Any) -> str:
    """A pool (made with MFA OFF) then SetUserPoolMfaConfig with the factors asked for."""
    if devices is not None:
        pool_args["DeviceConfiguration"] = devices
    pool_id = make_pool(**pool_args)
    if mode != "OFF":
        config: dict[str, Any] = {"UserPoolId": pool_id, "MfaConfiguration": mode}
        if sms:
            config["SmsMfaConfiguration"] = SMS_FACTOR
        if totp:
            config["SoftwareTokenMfaConfiguration"] = {"Enabled": True}
        if email:
            config["EmailMfaConfiguration"] = EMAIL_FACTOR
        idp.set_user_pool_mfa_config(**config)
    return pool_id


def signed_in(idp: Any, client: dict[str, Any], username: str = "alice", password: str = PASSWORD) -> dict[str, Any]:
    """AuthenticationResult of a password sign-in expected to need no challenge."""
    out = password_auth(idp, client, username, password)
    assert "AuthenticationResult" in out, out.get("ChallengeName")
    return out["AuthenticationResult"]


def enrol_totp(idp: Any, access_token: str, *, prefer: bool = True) -> str:
    """Associate and verify a software token with the access token; turn it on. Returns the secret."""
    import time

    secret = idp.associate_software_token(AccessToken=access_token)["SecretCode"]
    assert idp.verify_software_token(AccessToken=access_token, UserCode=totp_code(secret, time.time()))[
        "Status"] == "SUCCESS"
    if prefer:
        idp.set_user_mfa_preference(AccessToken=access_token,
                                    SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True})
    return secret


def respond(idp: Any, client: dict[str, Any], name: str, session: str | None, **answers: str) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"ClientId": client["ClientId"], "ChallengeName": name,
                              "ChallengeResponses": {"USERNAME": "alice", **answers}}
    if session is not None:
        kwargs["Session"] = session
    return idp.respond_to_auth_challenge(**kwargs)


def unique(prefix: str = "u") -> str:
    return f"{prefix}{uuid.uuid4().hex[:8]}"


__all__ = ["EMAIL_FACTOR", "SMS_FACTOR", "enrol_totp", "last_code", "make_client", "messages", "mfa_pool",
           "respond", "signed_in", "totp_code", "unique"]
