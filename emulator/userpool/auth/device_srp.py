"""DEVICE_SRP_AUTH and DEVICE_PASSWORD_VERIFIER: a remembered device proves itself (reference §3).

The same SRP-6a exchange as USER_SRP_AUTH, against the verifier ConfirmDevice stored:
the client signs with the DeviceGroupKey in place of poolName and the DeviceKey in place
of the username, with a random password only the device knows. Unlike USER_SRP_AUTH
both steps carry a Session; the SECRET_BLOCK is checked against the one handed out.
"""

from __future__ import annotations

import base64
import secrets
from typing import Any

from emulator.context import Context
from emulator.triggers.events import note_token_source
from emulator.triggers.pre_token import AUTHENTICATE_DEVICE
from emulator.errors import InvalidParameterException, NotAuthorizedException, ResourceNotFoundException
from emulator.userpool import devices, srp
from emulator.userpool.auth import gate, outcome, sessions, srp_flow
from emulator.userpool.device_models import Device
from emulator.userpool.directory_models import User
from emulator.userpool.models import AppClient, UserPool

DEVICE_SRP_AUTH = "DEVICE_SRP_AUTH"
DEVICE_PASSWORD_VERIFIER = "DEVICE_PASSWORD_VERIFIER"


def challenge(ctx: Context, client: AppClient, user: User, device: Device) -> dict[str, Any]:
    """Ask a remembered device to authenticate (the last step before the tokens)."""
    session = sessions.start(ctx, client, user, DEVICE_SRP_AUTH, {"device_key": device.device_key})
    return outcome.challenge(DEVICE_SRP_AUTH, session, {"USERNAME": user.username})


def _session_user(ctx: Context, pool: UserPool, client: AppClient, responses: dict[str, Any],
                  session_text: str | None, name: str) -> tuple[dict[str, Any], User, Device]:
    username, device_key = gate.require(responses, "USERNAME", "DEVICE_KEY")
    row = sessions.take(ctx, client, session_text, name)
    user = ctx.db.get(User, row.user_id) if row.user_id else None
    if user is None:
        raise NotAuthorizedException(sessions.INVALID)
    gate.check_secret(client, responses.get("SECRET_HASH"), username, user)
    if username != user.username and gate.find_user(ctx, pool, username) is not user:
        raise NotAuthorizedException(sessions.INVALID)
    state = dict(row.state or {})
    device = devices.for_sign_in(ctx, user, device_key)
    if device is None or device.device_key != state.get("device_key") or not device.verifier:
        raise ResourceNotFoundException(devices.NOT_FOUND)
    return state, user, device


def respond_auth(ctx: Context, pool: UserPool, client: AppClient, responses: dict[str, Any],
                 session_text: str | None) -> dict[str, Any]:
    """DEVICE_SRP_AUTH {USERNAME, DEVICE_KEY, SRP_A} → DEVICE_PASSWORD_VERIFIER {SALT, SRP_B, SECRET_BLOCK}."""
    (a_hex,) = gate.require(responses, "SRP_A")
    try:
        a_pub = int(a_hex, 16)
    except ValueError:
        raise InvalidParameterException("SRP_A must be a hexadecimal number.") from None
    if a_pub % srp.N == 0:
        raise InvalidParameterException("SRP_A cannot be zero modulo N.")
    _, user, device = _session_user(ctx, pool, client, responses, session_text, DEVICE_SRP_AUTH)
    v = int(device.verifier or "0", 16)
    b = int.from_bytes(secrets.token_bytes(32), "big")
    b_pub = srp.server_public(v, b)
    block = base64.b64encode(b"\x02\x05\x78" + secrets.token_bytes(480)).decode()
    session = sessions.start(ctx, client, user, DEVICE_PASSWORD_VERIFIER, {
        "b": format(b, "x"), "A": format(a_pub, "x"), "B": format(b_pub, "x"), "v": format(v, "x"),
        "device_key": device.device_key, "block": block,
    })
    return outcome.challenge(DEVICE_PASSWORD_VERIFIER, session, {
        "SALT": format(int(device.salt or "0", 16), "x"), "SRP_B": format(b_pub, "x"), "SECRET_BLOCK": block,
        "USERNAME": user.username, "DEVICE_KEY": device.device_key,
    })


def respond_verifier(ctx: Context, pool: UserPool, client: AppClient, responses: dict[str, Any],
                     session_text: str | None) -> dict[str, Any]:
    """DEVICE_PASSWORD_VERIFIER: the device's claim signature, then the tokens for that device."""
    block, signature, timestamp = gate.require(
        responses, "PASSWORD_CLAIM_SECRET_BLOCK", "PASSWORD_CLAIM_SIGNATURE", "TIMESTAMP")
    state, user, device = _session_user(ctx, pool, client, responses, session_text, DEVICE_PASSWORD_VERIFIER)
    moment = srp_flow.parse_timestamp(timestamp)
    if not user.enabled:
        raise NotAuthorizedException("User is disabled.")
    if (block != state.get("block") or moment is None
            or abs(moment.timestamp() - ctx.now) > srp_flow.MAX_SKEW_SECONDS
            or not srp.proof_ok(state, device.group_key, device.device_key, block, timestamp, signature)):
        raise NotAuthorizedException(gate.WRONG_CREDENTIALS)
    note_token_source(ctx, AUTHENTICATE_DEVICE)
    return outcome.tokens_result(ctx, pool, client, user, device)
