"""USER_SRP_AUTH over the wire, with the client side written here from the reference (§3)
rather than imported from the emulator: padHex, k, x, u, S, the HKDF and the signature."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from datetime import datetime, timezone
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.auth_helpers import (  # noqa: F401 - fixtures
    OTHER_PASSWORD,
    PASSWORD,
    attrs_of,
    claims_of,
    clock,
    error_of,
    make_client,
    make_pool,
    make_user,
    secret_hash,
)

# --- The client's side of SRP-6a, from COGNITO.md §3 -----------------------------------------------

N = int(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD"
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F"
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510"
    "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7"
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C"
    "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF", 16)
G = 2

try:  # plain modular exponentiation, just faster (gmpy2 is a project dependency)
    from gmpy2 import mpz
    from gmpy2 import powmod as _gmp_powmod

    def modexp(base: int, exp: int, mod: int) -> int:
        return int(_gmp_powmod(mpz(base), mpz(exp), mpz(mod)))
except ImportError:  # pragma: no cover
    modexp = pow


def pad_hex(value: int) -> str:
    """Java BigInteger bytes: even length; a leading 00 when the first digit is 8-f."""
    text = format(value, "x")
    if len(text) % 2:
        return "0" + text
    return "00" + text if text[0] in "89abcdef" else text


def h_hex(hex_text: str) -> str:
    return hashlib.sha256(bytes.fromhex(hex_text)).hexdigest()


K_MULT = int(h_hex(pad_hex(N) + pad_hex(G)), 16)


def java_date(moment: datetime, *, zero_pad_day: bool = False, weekday: str | None = None) -> str:
    """``EEE MMM d HH:mm:ss 'UTC' yyyy`` in English."""
    day = f"{moment.day:02d}" if zero_pad_day else str(moment.day)
    return f"{weekday or moment.strftime('%a')} {moment.strftime('%b')} {day} {moment.strftime('%H:%M:%S')} UTC {moment.year}"


class SrpClient:
    """What amazon-cognito-identity-js / pycognito do, step by step."""

    def __init__(self, pool_id: str, password: str, a: int | None = None) -> None:
        self.pool_name = pool_id.split("_", 1)[1]
        self.password = password
        self.a = a if a is not None else int.from_bytes(secrets.token_bytes(128), "big")
        self.A = modexp(G, self.a, N)

    @property
    def srp_a(self) -> str:
        return format(self.A, "x")

    def x(self, salt_hex: str, user_id: str) -> int:
        inner = hashlib.sha256(f"{self.pool_name}{user_id}:{self.password}".encode()).hexdigest()
        return int(h_hex(pad_hex(int(salt_hex, 16)) + inner), 16)

    def key(self, salt_hex: str, b_hex: str, user_id: str) -> tuple[int, bytes]:
        b_pub = int(b_hex, 16)
        u = int(h_hex(pad_hex(self.A) + pad_hex(b_pub)), 16)
        x = self.x(salt_hex, user_id)
        s = modexp((b_pub - K_MULT * modexp(G, x, N)) % N, self.a + u * x, N)
        prk = hmac.new(bytes.fromhex(pad_hex(u)), bytes.fromhex(pad_hex(s)), hashlib.sha256).digest()
        return u, hmac.new(prk, b"Caldera Derived Key\x01", hashlib.sha256).digest()[:16]

    def signature(self, params: dict[str, str], timestamp: str) -> str:
        user_id = params["USER_ID_FOR_SRP"]
        _u, k = self.key(params["SALT"], params["SRP_B"], user_id)
        msg = (self.pool_name.encode() + user_id.encode() + base64.b64decode(params["SECRET_BLOCK"])
               + timestamp.encode())
        return base64.b64encode(hmac.new(k, msg, hashlib.sha256).digest()).decode()

    def responses(self, params: dict[str, str], timestamp: str | None = None) -> dict[str, str]:
        timestamp = timestamp or java_date(datetime.now(timezone.utc))
        return {
            "USERNAME": params["USER_ID_FOR_SRP"], "TIMESTAMP": timestamp,
            "PASSWORD_CLAIM_SECRET_BLOCK": params["SECRET_BLOCK"],
            "PASSWORD_CLAIM_SIGNATURE": self.signature(params, timestamp),
        }


def test_client_math_matches_the_reference_vector() -> None:
    """The client above reproduces the reference's published vector (so it can judge the server)."""
    assert format(K_MULT, "x") == "538282c4354742d7cbbde2359fcf67f9f5b3a6b08791e5011b43b8a5b66d9ee6"
    client = SrpClient("us-east-1_ABCdef123", "Passw0rd!", a=int("a1" * 32, 16))
    salt = "c3b1ea0b1e4d2f6a1c8e7d90f2b4a61"
    x = client.x(salt, "alice")
    assert format(x, "x") == "dec7123fa8dc2e92da5d42d2f6743aad1d833c03d91612c6c770dabfd29ed586"
    b = int("b2" * 32, 16)
    b_pub = (K_MULT * pow(G, x, N) + pow(G, b, N)) % N
    block = base64.b64encode(bytes(range(48))).decode()
    params = {"SALT": salt, "SRP_B": format(b_pub, "x"), "SECRET_BLOCK": block, "USER_ID_FOR_SRP": "alice"}
    u, k = client.key(salt, params["SRP_B"], "alice")
    assert format(u, "x") == "4c06332c77e66399bbe7be1edc5327f7fa16981ebd08539531e12f5bdce08079"
    assert k.hex() == "e3898fdfa4b7e364eb509ce05ea95f2a"
    assert client.signature(params, "Mon Jan 6 09:05:03 UTC 2025") == "H81ypq3brLUZpEH150BL3V1HufKMPg7ZBLFAVDgnMkg="


# --- Over the wire ------------------------------------------------------------------------------------

def _start(idp: Any, client: dict[str, Any], srp: SrpClient, username: str = "alice", **extra: str) -> dict[str, Any]:
    return idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="USER_SRP_AUTH",
                             AuthParameters={"USERNAME": username, "SRP_A": srp.srp_a, **extra})


def _respond(idp: Any, client: dict[str, Any], answers: dict[str, str]) -> dict[str, Any]:
    return idp.respond_to_auth_challenge(ClientId=client["ClientId"], ChallengeName="PASSWORD_VERIFIER",
                                         ChallengeResponses=answers)


def test_srp_sign_in(idp: Any, pool: dict[str, Any]) -> None:
    client = idp.create_user_pool_client(UserPoolId=pool["Id"], ClientName="default")["UserPoolClient"]
    make_user(idp, pool["Id"])
    srp = SrpClient(pool["Id"], PASSWORD)
    challenge = _start(idp, client, srp)
    assert challenge["ChallengeName"] == "PASSWORD_VERIFIER"
    assert "Session" not in challenge and "AuthenticationResult" not in challenge
    params = challenge["ChallengeParameters"]
    assert set(params) == {"SALT", "SRP_B", "SECRET_BLOCK", "USERNAME", "USER_ID_FOR_SRP"}
    assert params["USERNAME"] == params["USER_ID_FOR_SRP"] == "alice"
    assert re.fullmatch(r"[1-9a-f][0-9a-f]*", params["SALT"])  # hex, no extra leading zeros
    assert re.fullmatch(r"[0-9a-f]+", params["SRP_B"]) and int(params["SRP_B"], 16) % N != 0
    assert params["SECRET_BLOCK"].startswith("AgV4") and base64.b64decode(params["SECRET_BLOCK"])
    done = _respond(idp, client, srp.responses(params))
    assert done["ChallengeParameters"] == {}
    auth = done["AuthenticationResult"]
    assert {"AccessToken", "IdToken", "RefreshToken"} <= set(auth) and auth["TokenType"] == "Bearer"
    assert claims_of(auth["AccessToken"])["username"] == "alice"


def test_many_sign_ins_cover_the_padding_cases(idp: Any, pool: dict[str, Any]) -> None:
    """Random A, B, u and S: over many runs both padHex branches (odd length, high bit) occur."""
    client = make_client(idp, pool["Id"])
    make_user(idp, pool["Id"])
    seen: set[tuple[bool, bool]] = set()
    for _ in range(24):
        srp = SrpClient(pool["Id"], PASSWORD)
        params = _start(idp, client, srp)["ChallengeParameters"]
        u, _k = srp.key(params["SALT"], params["SRP_B"], "alice")
        seen.add((len(format(u, "x")) % 2 == 1, format(u, "x")[0] in "89abcdef"))
        assert "AuthenticationResult" in _respond(idp, client, srp.responses(params))
    assert len(seen) >= 2


def test_srp_wrong_password(idp: Any, pool: dict[str, Any]) -> None:
    client = make_client(idp, pool["Id"])
    make_user(idp, pool["Id"])
    srp = SrpClient(pool["Id"], "Not-the-passw0rd")
    params = _start(idp, client, srp)["ChallengeParameters"]
    with pytest.raises(ClientError) as exc:
        _respond(idp, client, srp.responses(params))
    assert error_of(exc) == ("NotAuthorizedException", "Incorrect username or password.")


def test_srp_tampered_signature(idp: Any, pool: dict[str, Any]) -> None:
    client = make_client(idp, pool["Id"])
    make_user(idp, pool["Id"])
    srp = SrpClient(pool["Id"], PASSWORD)
    params = _start(idp, client, srp)["ChallengeParameters"]
    answers = srp.responses(params)
    answers["PASSWORD_CLAIM_SIGNATURE"] = base64.b64encode(b"\x00" * 32).decode()
    with pytest.raises(ClientError) as exc:
        _respond(idp, client, answers)
    assert error_of(exc) == ("NotAuthorizedException", "Incorrect username or password.")


def test_secret_block_is_single_use(idp: Any, pool: dict[str, Any]) -> None:
    client = make_client(idp, pool["Id"])
    make_user(idp, pool["Id"])
    srp = SrpClient(pool["Id"], PASSWORD)
    params = _start(idp, client, srp)["ChallengeParameters"]
    answers = srp.responses(params)
    _respond(idp, client, answers)
    with pytest.raises(ClientError) as exc:
        _respond(idp, client, answers)
    assert error_of(exc)[0] == "NotAuthorizedException"
    # A block Cogito never issued is refused too.
    answers["PASSWORD_CLAIM_SECRET_BLOCK"] = base64.b64encode(b"\x02\x05\x78" + b"\x01" * 60).decode()
    with pytest.raises(ClientError) as exc:
        _respond(idp, client, answers)
    assert error_of(exc)[0] == "NotAuthorizedException"


def test_timestamp_rules(idp: Any, pool: dict[str, Any], clock: Any) -> None:
    """The TIMESTAMP is signed as received; a zero-padded day or a wrong weekday is a bad proof."""
    moment = datetime(2025, 1, 6, 9, 5, 3, tzinfo=timezone.utc)  # a Monday, single-digit day
    clock.freeze(moment.timestamp())
    client = make_client(idp, pool["Id"])
    make_user(idp, pool["Id"])
    srp = SrpClient(pool["Id"], PASSWORD)

    def attempt(timestamp: str) -> Any:
        params = _start(idp, client, srp)["ChallengeParameters"]
        return _respond(idp, client, srp.responses(params, timestamp))

    with pytest.raises(ClientError) as exc:
        attempt("2025-01-06T09:05:03Z")
    assert error_of(exc) == ("InvalidParameterException",
                             "TIMESTAMP format should be EEE MMM d HH:mm:ss z yyyy in english.")
    for bad in (java_date(moment, zero_pad_day=True), java_date(moment, weekday="Tue"),
                java_date(datetime(2025, 1, 6, 10, 5, 3, tzinfo=timezone.utc))):  # an hour off
        with pytest.raises(ClientError) as exc:
            attempt(bad)
        assert error_of(exc) == ("NotAuthorizedException", "Incorrect username or password."), bad
    assert java_date(moment) == "Mon Jan 6 09:05:03 UTC 2025"
    assert "AuthenticationResult" in attempt(java_date(moment))


def test_srp_email_username_pool(idp: Any, make_pool: Any) -> None:
    pool_id = make_pool(UsernameAttributes=["email"])
    client = make_client(idp, pool_id)
    sub = attrs_of(make_user(idp, pool_id, "erin@example.com"))["sub"]
    srp = SrpClient(pool_id, PASSWORD)
    params = _start(idp, client, srp, "erin@example.com")["ChallengeParameters"]
    assert params["USERNAME"] == params["USER_ID_FOR_SRP"] == sub
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", sub)
    auth = _respond(idp, client, srp.responses(params))["AuthenticationResult"]
    assert claims_of(auth["IdToken"])["cognito:username"] == sub
    assert claims_of(auth["IdToken"])["email"] == "erin@example.com"


def test_srp_with_client_secret(idp: Any, pool: dict[str, Any]) -> None:
    client = make_client(idp, pool["Id"], secret=True)
    cid, secret = client["ClientId"], client["ClientSecret"]
    make_user(idp, pool["Id"])
    srp = SrpClient(pool["Id"], PASSWORD)
    with pytest.raises(ClientError) as exc:
        _start(idp, client, srp)
    assert error_of(exc) == ("NotAuthorizedException", f"Client {cid} is configured for secret but secret was not received")
    params = _start(idp, client, srp, SECRET_HASH=secret_hash(secret, "alice", cid))["ChallengeParameters"]
    answers = srp.responses(params)
    with pytest.raises(ClientError) as exc:  # the response needs it as well
        _respond(idp, client, answers)
    assert error_of(exc)[0] == "NotAuthorizedException"
    params = _start(idp, client, srp, SECRET_HASH=secret_hash(secret, "alice", cid))["ChallengeParameters"]
    answers = {**srp.responses(params), "SECRET_HASH": secret_hash(secret, params["USER_ID_FOR_SRP"], cid)}
    assert "AuthenticationResult" in _respond(idp, client, answers)


def test_srp_force_change_password(idp: Any, pool: dict[str, Any]) -> None:
    client = make_client(idp, pool["Id"])
    make_user(idp, pool["Id"], permanent=False)
    srp = SrpClient(pool["Id"], PASSWORD)
    params = _start(idp, client, srp)["ChallengeParameters"]
    challenge = _respond(idp, client, srp.responses(params))
    assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED" and challenge["Session"]
    assert challenge["ChallengeParameters"]["USER_ID_FOR_SRP"] == "alice"
    assert {"userAttributes", "requiredAttributes"} <= set(challenge["ChallengeParameters"])
    done = idp.respond_to_auth_challenge(
        ClientId=client["ClientId"], ChallengeName="NEW_PASSWORD_REQUIRED", Session=challenge["Session"],
        ChallengeResponses={"USERNAME": "alice", "NEW_PASSWORD": OTHER_PASSWORD},
    )
    assert "AccessToken" in done["AuthenticationResult"]
    srp = SrpClient(pool["Id"], OTHER_PASSWORD)
    params = _start(idp, client, srp)["ChallengeParameters"]
    assert "AuthenticationResult" in _respond(idp, client, srp.responses(params))


def test_srp_unconfirmed_and_disabled(idp: Any, pool: dict[str, Any]) -> None:
    client = make_client(idp, pool["Id"])
    idp.sign_up(ClientId=client["ClientId"], Username="carol", Password=PASSWORD)
    srp = SrpClient(pool["Id"], PASSWORD)
    params = _start(idp, client, srp, "carol")["ChallengeParameters"]
    with pytest.raises(ClientError) as exc:
        _respond(idp, client, srp.responses(params))
    assert error_of(exc) == ("UserNotConfirmedException", "User is not confirmed.")
    make_user(idp, pool["Id"])
    idp.admin_disable_user(UserPoolId=pool["Id"], Username="alice")
    params = _start(idp, client, srp)["ChallengeParameters"]
    with pytest.raises(ClientError) as exc:
        _respond(idp, client, srp.responses(params))
    assert error_of(exc) == ("NotAuthorizedException", "User is disabled.")


def test_srp_unknown_user(idp: Any, pool: dict[str, Any]) -> None:
    legacy = make_client(idp, pool["Id"])
    hidden = make_client(idp, pool["Id"], PreventUserExistenceErrors="ENABLED")
    srp = SrpClient(pool["Id"], PASSWORD)
    with pytest.raises(ClientError) as exc:
        _start(idp, legacy, srp, "nobody")
    assert error_of(exc) == ("UserNotFoundException", "User does not exist.")
    first = _start(idp, hidden, srp, "nobody")["ChallengeParameters"]
    second = _start(idp, hidden, srp, "nobody")["ChallengeParameters"]
    assert first["SALT"] == second["SALT"] and first["USER_ID_FOR_SRP"] == second["USER_ID_FOR_SRP"]
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", first["USER_ID_FOR_SRP"])
    with pytest.raises(ClientError) as exc:
        _respond(idp, hidden, srp.responses(first))
    assert error_of(exc) == ("NotAuthorizedException", "Incorrect username or password.")


def test_srp_a_checks(idp: Any, pool: dict[str, Any]) -> None:
    client = make_client(idp, pool["Id"])
    make_user(idp, pool["Id"])
    for bad in (format(N, "x"), "0", "not-hex"):
        with pytest.raises(ClientError) as exc:
            idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="USER_SRP_AUTH",
                              AuthParameters={"USERNAME": "alice", "SRP_A": bad})
        assert error_of(exc)[0] == "InvalidParameterException"
    with pytest.raises(ClientError) as exc:
        idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="USER_SRP_AUTH", AuthParameters={"USERNAME": "alice"})
    assert error_of(exc) == ("InvalidParameterException", "Missing required parameter SRP_A")


def test_admin_initiate_srp(idp: Any, pool: dict[str, Any]) -> None:
    client = make_client(idp, pool["Id"])
    make_user(idp, pool["Id"])
    srp = SrpClient(pool["Id"], PASSWORD)
    params = idp.admin_initiate_auth(UserPoolId=pool["Id"], ClientId=client["ClientId"], AuthFlow="USER_SRP_AUTH",
                                     AuthParameters={"USERNAME": "alice", "SRP_A": srp.srp_a})["ChallengeParameters"]
    done = idp.admin_respond_to_auth_challenge(UserPoolId=pool["Id"], ClientId=client["ClientId"],
                                               ChallengeName="PASSWORD_VERIFIER",
                                               ChallengeResponses=srp.responses(params))
    assert "IdToken" in done["AuthenticationResult"]
