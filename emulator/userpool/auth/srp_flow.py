"""USER_SRP_AUTH and its PASSWORD_VERIFIER challenge: Cognito's SRP-6a exchange (reference §3).

InitiateAuth answers SALT, SRP_B and an opaque SECRET_BLOCK (no Session: the server's
state is keyed by the secret block). The client proves the password with an HMAC over
poolName, the internal username, the secret block and its TIMESTAMP, computed with the
shared key only it and the server can derive.
"""

from __future__ import annotations

import base64
import hmac
import re
import secrets
from datetime import datetime, timezone
from typing import Any

from emulator.context import Context
from emulator.errors import InvalidParameterException, NotAuthorizedException
from emulator.userpool import srp
from emulator.userpool.auth import gate, outcome, sessions
from emulator.userpool.directory_models import User
from emulator.userpool.models import AppClient, UserPool

PASSWORD_VERIFIER = "PASSWORD_VERIFIER"
TIMESTAMP_FORMAT_ERROR = "TIMESTAMP format should be EEE MMM d HH:mm:ss z yyyy in english."
MAX_SKEW_SECONDS = 15 * 60
_TIMESTAMP = re.compile(
    r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
    r"(\d{1,2}) (\d{2}):(\d{2}):(\d{2}) UTC (\d{4})"
)
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def parse_timestamp(text: str) -> datetime | None:
    """The instant of a TIMESTAMP; None when it is well-formed but not what Java would print.

    Raises IPE when it cannot be parsed at all.
    """
    match = _TIMESTAMP.fullmatch(text)
    if match is None:
        raise InvalidParameterException(TIMESTAMP_FORMAT_ERROR)
    weekday, month, day, hh, mm, ss, year = match.groups()
    try:
        moment = datetime(int(year), _MONTHS.index(month) + 1, int(day), int(hh), int(mm), int(ss), tzinfo=timezone.utc)
    except ValueError:
        raise InvalidParameterException(TIMESTAMP_FORMAT_ERROR) from None
    if day.startswith("0") or _DAYS[moment.weekday()] != weekday:
        return None  # "Sep 05" or a wrong weekday: a bad proof, not a bad format
    return moment


def _decoy(pool: UserPool, username: str) -> dict[str, str]:
    """Stable salt and a UUID-looking id for unknown users when existence is hidden."""
    digest = hmac.new(pool.id.encode(), username.encode(), "sha256").hexdigest()
    uid = f"{digest[:8]}-{digest[8:12]}-4{digest[13:16]}-a{digest[17:20]}-{digest[20:32]}"
    return {"salt": format(int(digest[32:64], 16), "x"), "username": uid}


def client_public(a_hex: str) -> int:
    """SRP_A as an integer, refused as Cognito refuses it."""
    try:
        a_pub = int(a_hex, 16)
    except ValueError:
        raise InvalidParameterException("SRP_A must be a hexadecimal number.") from None
    if a_pub % srp.N == 0:
        raise InvalidParameterException("SRP_A cannot be zero modulo N.")
    return a_pub


def start(ctx: Context, pool: UserPool, client: AppClient, params: dict[str, Any]) -> dict[str, Any]:
    username, a_hex = gate.require(params, "USERNAME", "SRP_A")
    a_pub = client_public(a_hex)
    user = gate.find_user(ctx, pool, username)
    gate.check_secret(client, params.get("SECRET_HASH"), username, user)
    if user is None and not gate.hides_existence(client):
        raise gate.unknown_user_error(client)
    from emulator.triggers import auth as auth_triggers

    if ctx.operation in ("InitiateAuth", "AdminInitiateAuth"):  # not USER_AUTH's later PASSWORD_SRP step
        auth_triggers.pre_authentication(ctx, pool, client, user, username)
    return verifier_challenge(ctx, pool, client, user, username, a_pub)


def verifier_challenge(ctx: Context, pool: UserPool, client: AppClient, user: User | None, username: str,
                       a_pub: int, custom_auth: dict[str, Any] | None = None) -> dict[str, Any]:
    """PASSWORD_VERIFIER's parameters, the server's state kept under the SECRET_BLOCK.

    ``custom_auth`` is the CUSTOM_AUTH sign-in this proof belongs to (SRP then custom
    challenges): the proof then goes back to DefineAuthChallenge, and the answer carries
    a Session (the secret block itself) as that flow's steps do.
    """
    if user is not None and user.password_verifier:
        salt, internal, v = user.password_salt or "", user.username, int(user.password_verifier, 16)
    else:
        decoy = _decoy(pool, username)
        salt, internal, v = decoy["salt"], (user.username if user else decoy["username"]), srp.verifier(2)
    b = int.from_bytes(secrets.token_bytes(32), "big")
    b_pub = srp.server_public(v, b)
    secret_block = base64.b64encode(b"\x02\x05\x78" + secrets.token_bytes(480)).decode()
    state: dict[str, Any] = {
        "b": format(b, "x"), "A": format(a_pub, "x"), "B": format(b_pub, "x"), "v": format(v, "x"),
        "username": internal,
    }
    if custom_auth is not None:
        state["custom_auth"] = custom_auth
    sessions.start(ctx, client, user, PASSWORD_VERIFIER, state, text=secret_block)
    return outcome.challenge(PASSWORD_VERIFIER, secret_block if custom_auth is not None else None, {
        "SALT": salt, "SRP_B": format(b_pub, "x"), "SECRET_BLOCK": secret_block,
        "USERNAME": internal, "USER_ID_FOR_SRP": internal,
    })


def respond(ctx: Context, pool: UserPool, client: AppClient, responses: dict[str, Any],
            session_text: str | None) -> dict[str, Any]:
    """Check PASSWORD_CLAIM_SIGNATURE; then the same status rules as a password sign-in."""
    username, block, signature, timestamp = gate.require(
        responses, "USERNAME", "PASSWORD_CLAIM_SECRET_BLOCK", "PASSWORD_CLAIM_SIGNATURE", "TIMESTAMP"
    )
    state_row = sessions.take(ctx, client, block, PASSWORD_VERIFIER)
    state = state_row.state
    user = ctx.db.get(User, state_row.user_id) if state_row.user_id else None
    gate.check_secret(client, responses.get("SECRET_HASH"), username, user)
    if user is None:
        raise NotAuthorizedException(gate.WRONG_CREDENTIALS)
    if username not in (user.username, state["username"]) and gate.find_user(ctx, pool, username) is not user:
        raise NotAuthorizedException(gate.WRONG_CREDENTIALS)
    moment = parse_timestamp(timestamp)
    gate.check_status_before_password(client, user)
    if moment is None or abs(moment.timestamp() - ctx.now) > MAX_SKEW_SECONDS or not srp.proof_ok(
        state, srp.pool_name(pool.id), state["username"], block, timestamp, signature
    ):
        raise gate.wrong_password(user)
    gate.check_status_after_password(ctx, pool, user)
    if state.get("custom_auth") is not None:
        from emulator.userpool.auth import custom_auth

        return custom_auth.after_password_verifier(ctx, pool, client, user, state["custom_auth"])
    return outcome.after_password(ctx, pool, client, user, responses.get("DEVICE_KEY"))
