"""Cognito's SRP-6a arithmetic (reference §3): SHA-256, the 3072-bit group, Java-style hex padding.

Pure functions, no state. gmpy2 does the modular exponentiation when installed (8x faster
than ``pow`` here); the results are identical.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

try:
    from gmpy2 import mpz, powmod

    def _powmod(base: int, exp: int, mod: int) -> int:
        return int(powmod(mpz(base), mpz(exp), mpz(mod)))
except ImportError:  # pragma: no cover - gmpy2 is a dependency; kept for portability
    def _powmod(base: int, exp: int, mod: int) -> int:
        return pow(base, exp, mod)

N_HEX = (
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD"
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F"
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510"
    "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7"
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C"
    "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF"
)
N = int(N_HEX, 16)
G = 2
INFO = b"Caldera Derived Key"


def pad_hex(value: int) -> str:
    """Hex as Java's BigInteger bytes: even length, and a leading 00 when the top bit is set."""
    text = format(value, "x")
    if len(text) % 2:
        return "0" + text
    if text[0] in "89abcdef":
        return "00" + text
    return text


def hash_hex(hex_text: str) -> str:
    """SHA-256 of the bytes a hex string stands for, as 64 hex digits."""
    return hashlib.sha256(bytes.fromhex(hex_text)).hexdigest()


K_MULTIPLIER = int(hash_hex(pad_hex(N) + pad_hex(G)), 16)


def pool_name(user_pool_id: str) -> str:
    """The part of the pool id after the underscore: SRP's poolName."""
    return user_pool_id.split("_", 1)[1]


def private_x(salt_hex: str, pool: str, username: str, password: str) -> int:
    """x = H(padHex(salt) ‖ sha256hex(poolName ‖ username ‖ ":" ‖ password))."""
    inner = hashlib.sha256(f"{pool}{username}:{password}".encode()).hexdigest()
    return int(hash_hex(pad_hex(int(salt_hex, 16)) + inner), 16)


def verifier(x: int) -> int:
    return _powmod(G, x, N)


def server_public(v: int, b: int) -> int:
    """B = (k·v + g^b) mod N."""
    return (K_MULTIPLIER * v + _powmod(G, b, N)) % N


def scrambler(a_pub: int, b_pub: int) -> int:
    """u = H(padHex(A) ‖ padHex(B))."""
    return int(hash_hex(pad_hex(a_pub) + pad_hex(b_pub)), 16)


def server_secret(a_pub: int, v: int, u: int, b: int) -> int:
    """S = (A·v^u)^b mod N."""
    return _powmod(a_pub * _powmod(v, u, N) % N, b, N)


def client_secret(b_pub: int, x: int, a: int, u: int) -> int:
    """S = (B − k·g^x)^(a + u·x) mod N (the client's side, for tests and tools)."""
    base = (b_pub - K_MULTIPLIER * _powmod(G, x, N)) % N
    return _powmod(base, a + u * x, N)


def session_key(u: int, s: int) -> bytes:
    """The 16-byte key: HKDF-style HMAC with padHex(u) as salt, padHex(S) as input."""
    prk = hmac.new(bytes.fromhex(pad_hex(u)), bytes.fromhex(pad_hex(s)), hashlib.sha256).digest()
    return hmac.new(prk, INFO + b"\x01", hashlib.sha256).digest()[:16]


def claim_signature(key: bytes, pool: str, username: str, secret_block_b64: str, timestamp: str) -> str:
    """PASSWORD_CLAIM_SIGNATURE = b64(HMAC(K, poolName ‖ username ‖ secretBlock ‖ timestamp))."""
    msg = pool.encode() + username.encode() + base64.b64decode(secret_block_b64) + timestamp.encode()
    return base64.b64encode(hmac.new(key, msg, hashlib.sha256).digest()).decode()


def proof_ok(state: dict[str, str], realm: str, identity: str, secret_block_b64: str, timestamp: str,
             signature: str) -> bool:
    """Whether ``signature`` proves the password behind ``state`` (hex A, B, b, v of one exchange).

    ``realm``/``identity`` are poolName/username for users and DeviceGroupKey/DeviceKey for
    devices. Any malformed input is simply a failed proof.
    """
    a_pub, b_pub = int(state["A"], 16), int(state["B"], 16)
    u = scrambler(a_pub, b_pub)
    if u == 0:
        return False
    key = session_key(u, server_secret(a_pub, int(state["v"], 16), u, int(state["b"], 16)))
    try:
        expected = claim_signature(key, realm, identity, secret_block_b64, timestamp)
    except ValueError:
        return False
    return hmac.compare_digest(expected.encode(), signature.encode())  # bytes: non-ASCII text must not raise
