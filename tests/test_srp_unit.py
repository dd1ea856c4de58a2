"""SRP arithmetic against the reference test vector (COGNITO.md §3), computed independently."""

from __future__ import annotations

import base64

from emulator.userpool import srp

POOL = "us-east-1_ABCdef123"
SALT = "c3b1ea0b1e4d2f6a1c8e7d90f2b4a61"
SECRET_BLOCK = base64.b64encode(bytes(range(0x30))).decode()
TIMESTAMP = "Mon Jan 6 09:05:03 UTC 2025"


def test_k_multiplier():
    assert format(srp.K_MULTIPLIER, "x") == "538282c4354742d7cbbde2359fcf67f9f5b3a6b08791e5011b43b8a5b66d9ee6"


def test_pad_hex_rules():
    assert srp.pad_hex(0xABC) == "0abc"
    assert srp.pad_hex(0x8F) == "008f"
    assert srp.pad_hex(0x7F) == "7f"


def test_reference_vector():
    pool = srp.pool_name(POOL)
    x = srp.private_x(SALT, pool, "alice", "Passw0rd!")
    assert format(x, "x") == "dec7123fa8dc2e92da5d42d2f6743aad1d833c03d91612c6c770dabfd29ed586"
    a = int("a1" * 32, 16)
    b = int("b2" * 32, 16)
    v = srp.verifier(x)
    a_pub = srp.verifier(a)
    b_pub = srp.server_public(v, b)
    u = srp.scrambler(a_pub, b_pub)
    assert format(u, "x") == "4c06332c77e66399bbe7be1edc5327f7fa16981ebd08539531e12f5bdce08079"
    s_server = srp.server_secret(a_pub, v, u, b)
    assert s_server == srp.client_secret(b_pub, x, a, u)
    key = srp.session_key(u, s_server)
    assert key.hex() == "e3898fdfa4b7e364eb509ce05ea95f2a"
    sig = srp.claim_signature(key, pool, "alice", SECRET_BLOCK, TIMESTAMP)
    assert sig == "H81ypq3brLUZpEH150BL3V1HufKMPg7ZBLFAVDgnMkg="


def test_wrong_password_changes_signature():
    pool = srp.pool_name(POOL)
    x_right = srp.private_x(SALT, pool, "alice", "Passw0rd!")
    x_wrong = srp.private_x(SALT, pool, "alice", "Passw0rd?")
    a, b = int("a1" * 32, 16), int("b2" * 32, 16)
    v = srp.verifier(x_right)
    a_pub, b_pub = srp.verifier(a), srp.server_public(v, b)
    u = srp.scrambler(a_pub, b_pub)
    server_key = srp.session_key(u, srp.server_secret(a_pub, v, u, b))
    client_key = srp.session_key(u, srp.client_secret(b_pub, x_wrong, a, u))
    assert server_key != client_key
