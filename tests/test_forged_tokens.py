"""Forged tokens, refused by every place that checks tokens, each with its own error shape.

The genuine tokens come from a real sign-in. To tell "refused because of the forgery" from
"refused for some other reason", every forgery changes one thing, and the control row shows
the same claims re-signed with the pool's real key (read from the store, as an attacker could
not) pass everywhere. Forgeries:

- ``alg none`` (empty signature, or the original one kept), ``HS256`` keyed with the pool's
  public key (as PEM, as the JWK's JSON, as the modulus bytes): the algorithm confusions;
- a swapped signature (another genuine token's) and a tampered payload under the original one;
- another pool's key (its kid, or this pool's kid over the other key's signature);
- validly signed but expired, not yet valid (``nbf`` and ``iat`` an hour ahead), of the wrong
  ``token_use``, or for the wrong client.

The places: an access-token operation (GetUser), identity-pool Logins (GetId and
GetCredentialsForIdentity), STS AssumeRoleWithWebIdentity, /oauth2/userInfo, and the
authorizer (``tests/test_authorizer*.py`` covers its proxy; here its verifier).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from typing import Any, Callable

import pytest
import requests
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from sqlalchemy import text

from tests.auth_helpers import claims_of, header_of, make_client, make_user
from tests.conftest import REGION, LiveServer

ROLE = "arn:aws:iam::000000000000:role/Forged"
STS_NS = "https://sts.amazonaws.com/doc/2011-06-15/"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def compact(header: dict[str, Any], claims: dict[str, Any], sign: Callable[[bytes], bytes]) -> str:
    head = b64url(json.dumps(header, separators=(",", ":")).encode()) + "." + b64url(
        json.dumps(claims, separators=(",", ":")).encode())
    return head + "." + b64url(sign(head.encode()))


def rs256(private: rsa.RSAPrivateKey) -> Callable[[bytes], bytes]:
    return lambda data: private.sign(data, padding.PKCS1v15(), hashes.SHA256())


def hs256(secret: bytes) -> Callable[[bytes], bytes]:
    return lambda data: hmac.new(secret, data, hashlib.sha256).digest()


@dataclass
class PoolKeys:
    kid: dict[str, str]  # use -> kid
    private: dict[str, rsa.RSAPrivateKey]


def pool_keys(server: LiveServer, pool_id: str) -> PoolKeys:
    """The pool's signing keys as the store holds them (the test plays the key's owner)."""
    with server.state.store.engine.connect() as conn:
        rows = conn.execute(text("SELECT use, kid, private_pem FROM signing_keys WHERE pool_id = :p"),
                            {"p": pool_id}).all()
    return PoolKeys({r.use: r.kid for r in rows},
                    {r.use: serialization.load_pem_private_key(r.private_pem.encode(), None) for r in rows})


@dataclass
class World:
    server: LiveServer
    pool_id: str
    client_id: str
    other_client_id: str  # same pool, not configured in the identity pool
    keys: PoolKeys
    other_keys: PoolKeys  # another pool's
    access: str
    id: str
    other_access: str  # a second sign-in's tokens, for swapped signatures
    other_id: str
    identity_pool_id: str
    identity_id: str

    @property
    def login_key(self) -> str:
        return f"cognito-idp.{REGION}.amazonaws.com/{self.pool_id}"


@pytest.fixture(scope="module")
def world(server: LiveServer) -> World:
    idp, identity = server.client("cognito-idp"), server.client("cognito-identity")
    pool_id = idp.create_user_pool(PoolName="forged")["UserPool"]["Id"]
    other_pool = idp.create_user_pool(PoolName="forged-other")["UserPool"]["Id"]
    client, other = make_client(idp, pool_id), make_client(idp, pool_id)
    make_user(idp, pool_id, "victim", attributes={"email": "victim@example.com"})
    signed = idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="USER_PASSWORD_AUTH",
                               AuthParameters={"USERNAME": "victim", "PASSWORD": "Passw0rd!x"})["AuthenticationResult"]
    again = idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="USER_PASSWORD_AUTH",
                              AuthParameters={"USERNAME": "victim", "PASSWORD": "Passw0rd!x"})["AuthenticationResult"]
    make_user(idp, other_pool, "stranger")
    other_pool_client = make_client(idp, other_pool)
    idp.initiate_auth(ClientId=other_pool_client["ClientId"], AuthFlow="USER_PASSWORD_AUTH",
                      AuthParameters={"USERNAME": "stranger", "PASSWORD": "Passw0rd!x"})
    ipool = identity.create_identity_pool(
        IdentityPoolName="forged", AllowUnauthenticatedIdentities=False,
        CognitoIdentityProviders=[{"ProviderName": f"cognito-idp.{REGION}.amazonaws.com/{pool_id}",
                                   "ClientId": client["ClientId"]}])["IdentityPoolId"]
    identity.set_identity_pool_roles(IdentityPoolId=ipool, Roles={"authenticated": ROLE})
    provider = f"cognito-idp.{REGION}.amazonaws.com/{pool_id}"
    identity_id = identity.get_id(IdentityPoolId=ipool, Logins={provider: signed["IdToken"]})["IdentityId"]
    return World(server, pool_id, client["ClientId"], other["ClientId"], pool_keys(server, pool_id),
                 pool_keys(server, other_pool), signed["AccessToken"], signed["IdToken"], again["AccessToken"],
                 again["IdToken"], ipool, identity_id)


# -- forgeries: each takes the genuine token and its use and returns the forged token ------------


def resign(w: World, token: str, use: str, **changes: Any) -> str:
    """The token's claims with ``changes`` (None removes), signed with the pool's real key."""
    claims = {**claims_of(token), **changes}
    claims = {k: v for k, v in claims.items() if v is not None}
    return compact(header_of(token), claims, rs256(w.keys.private[use]))


def public_pem(w: World, use: str) -> bytes:
    return w.keys.private[use].public_key().public_bytes(serialization.Encoding.PEM,
                                                         serialization.PublicFormat.SubjectPublicKeyInfo)


def jwk_of(w: World, use: str) -> dict[str, str]:
    jwks = requests.get(f"{w.server.url}/{w.pool_id}/.well-known/jwks.json", timeout=30).json()
    return next(k for k in jwks["keys"] if k["kid"] == w.keys.kid[use])


def alg_none(w: World, token: str, use: str) -> str:
    return compact({**header_of(token), "alg": "none"}, claims_of(token), lambda _d: b"")


def alg_none_signature_kept(w: World, token: str, use: str) -> str:
    head, payload, signature = token.split(".")
    return b64url(json.dumps({**header_of(token), "alg": "none"}).encode()) + f".{payload}.{signature}"


def hs256_pem(w: World, token: str, use: str) -> str:
    return compact({**header_of(token), "alg": "HS256"}, claims_of(token), hs256(public_pem(w, use)))


def hs256_jwk(w: World, token: str, use: str) -> str:
    secret = json.dumps(jwk_of(w, use), separators=(",", ":"), sort_keys=True).encode()
    return compact({**header_of(token), "alg": "HS256"}, claims_of(token), hs256(secret))


def hs256_modulus(w: World, token: str, use: str) -> str:
    n = jwk_of(w, use)["n"]
    secret = base64.urlsafe_b64decode(n + "=" * (-len(n) % 4))
    return compact({**header_of(token), "alg": "HS256"}, claims_of(token), hs256(secret))


def swapped_signature(w: World, token: str, use: str) -> str:
    other = w.other_access if use == "access" else w.other_id
    return ".".join(token.split(".")[:2] + [other.split(".")[2]])


def tampered_payload(w: World, token: str, use: str) -> str:
    head, _payload, signature = token.split(".")
    claims = {**claims_of(token), "cognito:groups": ["admin"], "exp": claims_of(token)["exp"] + 86400}
    return f"{head}.{b64url(json.dumps(claims).encode())}.{signature}"


def other_pool_key(w: World, token: str, use: str) -> str:
    return compact({"kid": w.other_keys.kid[use], "alg": "RS256"}, claims_of(token), rs256(w.other_keys.private[use]))


def other_pool_key_own_kid(w: World, token: str, use: str) -> str:
    return compact(header_of(token), claims_of(token), rs256(w.other_keys.private[use]))


def expired(w: World, token: str, use: str) -> str:
    now = int(time.time())
    return resign(w, token, use, iat=now - 7200, exp=now - 3600, auth_time=now - 7200)


def not_yet_valid(w: World, token: str, use: str) -> str:
    now = int(time.time())
    return resign(w, token, use, nbf=now + 3600, iat=now + 3600, exp=now + 7200, auth_time=now + 3600)


def issued_in_the_future(w: World, token: str, use: str) -> str:
    now = int(time.time())
    return resign(w, token, use, iat=now + 3600, exp=now + 7200, auth_time=now + 3600)


def wrong_token_use(w: World, token: str, use: str) -> str:
    """The other kind of genuine token: an ID token where an access token goes, and the reverse."""
    return w.id if use == "access" else w.access


def wrong_token_use_claim(w: World, token: str, use: str) -> str:
    """token_use swapped but signed with this use's key."""
    return resign(w, token, use, token_use="id" if use == "access" else "access")


def wrong_client(w: World, token: str, use: str) -> str:
    """Validly signed for a client that does not exist."""
    if use == "access":
        return resign(w, token, use, client_id="0000000000000000000000000a")
    return resign(w, token, use, aud="0000000000000000000000000a")


def unconfigured_client(w: World, token: str, use: str) -> str:
    """Validly signed for another client of the same pool, one the identity pool does not list."""
    if use == "access":
        return resign(w, token, use, client_id=w.other_client_id)
    return resign(w, token, use, aud=w.other_client_id)


def genuine_resigned(w: World, token: str, use: str) -> str:
    return resign(w, token, use)


# -- places: each returns what the caller sees, ("ok", ...) when the token is accepted -------------


Outcome = tuple[Any, ...]


def at_get_user(w: World, token: str) -> Outcome:
    try:
        w.server.client("cognito-idp").get_user(AccessToken=token)
    except ClientError as exc:
        return exc.response["ResponseMetadata"]["HTTPStatusCode"], exc.response["Error"]["Code"], \
            exc.response["Error"]["Message"]
    return ("ok",)


def _identity_call(call: Callable[[], Any]) -> Outcome:
    try:
        call()
    except ClientError as exc:
        return exc.response["ResponseMetadata"]["HTTPStatusCode"], exc.response["Error"]["Code"], \
            exc.response["Error"]["Message"]
    return ("ok",)


def at_get_id(w: World, token: str) -> Outcome:
    identity = w.server.client("cognito-identity")
    return _identity_call(lambda: identity.get_id(IdentityPoolId=w.identity_pool_id, Logins={w.login_key: token}))


def at_get_credentials(w: World, token: str) -> Outcome:
    identity = w.server.client("cognito-identity")
    return _identity_call(lambda: identity.get_credentials_for_identity(IdentityId=w.identity_id,
                                                                        Logins={w.login_key: token}))


def at_sts(w: World, token: str) -> Outcome:
    resp = requests.post(w.server.url + "/", timeout=30, data={
        "Action": "AssumeRoleWithWebIdentity", "Version": "2011-06-15", "RoleArn": ROLE,
        "RoleSessionName": "forged", "WebIdentityToken": token})
    if resp.status_code == 200:
        return ("ok",)
    import xml.etree.ElementTree as ET

    error = ET.fromstring(resp.text).find(f"{{{STS_NS}}}Error")
    assert error is not None, resp.text
    return resp.status_code, error.findtext(f"{{{STS_NS}}}Code"), error.findtext(f"{{{STS_NS}}}Message")


def at_userinfo(w: World, token: str) -> Outcome:
    resp = requests.get(w.server.url + "/oauth2/userInfo", headers={"Authorization": f"Bearer {token}"}, timeout=30)
    if resp.status_code == 200:
        return ("ok",)
    return resp.status_code, resp.json()["error"], resp.headers.get("WWW-Authenticate", "")


PLACES: dict[str, tuple[str, Callable[[World, str], Outcome]]] = {
    "GetUser": ("access", at_get_user),
    "GetId": ("id", at_get_id),
    "GetCredentialsForIdentity": ("id", at_get_credentials),
    "AssumeRoleWithWebIdentity": ("id", at_sts),
    "userInfo": ("access", at_userinfo),
}
FORGERIES = [alg_none, alg_none_signature_kept, hs256_pem, hs256_jwk, hs256_modulus, swapped_signature,
             tampered_payload, other_pool_key, other_pool_key_own_kid, expired, not_yet_valid, issued_in_the_future,
             wrong_token_use, wrong_token_use_claim, wrong_client, unconfigured_client]


def base_token(w: World, place: str) -> str:
    use = PLACES[place][0]
    if place == "userInfo":  # userInfo wants the openid scope, which API sign-ins do not carry
        return resign(w, w.access, "access", scope="openid email aws.cognito.signin.user.admin")
    return w.access if use == "access" else w.id


AUTHORIZER_BODY = '{"message":"Unauthorized"}'


def authorizer_place(mode: str) -> Callable[[World, str], Outcome]:
    """The authorizer's WSGI middleware in front of an app that answers 200 (REST: ID tokens,
    any client of the pool; JWT: access tokens whose client_id is in the audience list)."""

    def check(w: World, token: str) -> Outcome:
        from werkzeug.test import Client

        from emulator.authorizer import AuthorizerConfig
        from emulator.authorizer.proxy import AuthorizerMiddleware

        config = AuthorizerConfig(mode=mode, user_pool_id=w.pool_id, cognito_endpoint=w.server.url,
                                  audiences=(w.client_id,) if mode == "jwt" else ())

        def backend(environ: Any, start_response: Any) -> list[bytes]:
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [b"through"]

        resp = Client(AuthorizerMiddleware(backend, config)).get("/", headers={"Authorization": f"Bearer {token}"})
        if resp.status_code == 200:
            return ("ok",)
        return resp.status_code, resp.get_data(as_text=True)

    return check


try:
    import emulator.authorizer  # noqa: F401 - the authorizer is another part of issue 8's work
except ImportError:  # pragma: no cover - before it lands
    pass
else:
    PLACES["authorizer REST"] = ("id", authorizer_place("rest"))
    PLACES["authorizer JWT"] = ("access", authorizer_place("jwt"))

ACCESS_INVALID = (400, "NotAuthorizedException", "Invalid Access Token")
LOGIN_UNVERIFIED = (400, "NotAuthorizedException", "Invalid login token. Couldn't verify signed token.")
LOGIN_COGNITO_TOKEN = (400, "NotAuthorizedException", "Invalid login token. Can't pass in a Cognito token.")
LOGIN_NOT_SUPPORTED = (400, "NotAuthorizedException", "Token is not from a supported provider of this identity pool.")
STS_INVALID = (400, "InvalidIdentityToken", "The web identity token that was passed could not be validated by "
               "AWS. Get a new identity token from the identity provider and then retry the request.")
STS_EXPIRED = (400, "ExpiredTokenException", "The web identity token that was passed is expired or is not valid. "
               "Get a new identity token from the identity provider and then retry the request.")
STS_AUDIENCE = (400, "InvalidIdentityToken", "Incorrect token audience")
USERINFO_INVALID = (401, "invalid_token", 'error="invalid_token", error_description="Access token is expired, '
                    'disabled, or deleted, or the user has globally signed out."')
UNAUTHORIZED = (401, AUTHORIZER_BODY)
LOGIN_EXPIRED = "expired login"  # the message carries the instants: checked by prefix
OK = ("ok",)

# What each place answers; a place's default first, then its exceptions by forgery.
EXPECTED: dict[str, dict[str, Any]] = {
    "GetUser": {"*": ACCESS_INVALID, "expired": (400, "NotAuthorizedException", "Access Token has expired"),
                "unconfigured_client": OK},  # any client of the pool may call GetUser
    "GetId": {"*": LOGIN_UNVERIFIED, "expired": LOGIN_EXPIRED, "wrong_token_use": LOGIN_COGNITO_TOKEN,
              "wrong_token_use_claim": LOGIN_COGNITO_TOKEN, "wrong_client": LOGIN_NOT_SUPPORTED,
              "unconfigured_client": LOGIN_NOT_SUPPORTED},
    "AssumeRoleWithWebIdentity": {"*": STS_INVALID, "expired": STS_EXPIRED, "wrong_token_use": STS_AUDIENCE,
                                  "wrong_token_use_claim": STS_AUDIENCE, "wrong_client": STS_AUDIENCE,
                                  "unconfigured_client": OK},  # any client of the pool (no IAM audience list)
    "userInfo": {"*": USERINFO_INVALID, "unconfigured_client": OK},
    # Offline verifiers, as API Gateway's: signature, exp/nbf, issuer; no revocation or client lookups.
    "authorizer REST": {"*": UNAUTHORIZED, "issued_in_the_future": OK,  # REST checks nbf, not iat
                        "wrong_client": OK, "unconfigured_client": OK},  # any aud signed by the pool
    # An HTTP API's JWT authorizer reads aud (ID tokens) or client_id (access tokens) against its
    # audience list and never token_use: an ID token for a listed client passes (reference §13).
    "authorizer JWT": {"*": UNAUTHORIZED, "wrong_token_use": OK, "wrong_token_use_claim": OK},
}
EXPECTED["GetCredentialsForIdentity"] = EXPECTED["GetId"]


def expected(place: str, forgery: str) -> Any:
    table = EXPECTED[place]
    return table.get(forgery, table["*"])


@pytest.mark.parametrize("place", list(PLACES))
def test_genuine_tokens_pass(world: World, place: str) -> None:
    """The control: the genuine token, and its claims re-signed with the real key, are accepted."""
    use, check = PLACES[place]
    base = base_token(world, place)
    assert check(world, base) == OK
    assert check(world, genuine_resigned(world, base, use)) == OK


@pytest.mark.parametrize("forge", FORGERIES, ids=[f.__name__ for f in FORGERIES])
@pytest.mark.parametrize("place", list(PLACES))
def test_forged_tokens_are_refused(world: World, place: str, forge: Callable[[World, str, str], str]) -> None:
    use, check = PLACES[place]
    outcome = check(world, forge(world, base_token(world, place), use))
    want = expected(place, forge.__name__)
    if want == LOGIN_EXPIRED:
        assert outcome[:2] == (400, "NotAuthorizedException")
        assert outcome[2].startswith("Invalid login token. Token expired: ")
    else:
        assert outcome == want


def test_nothing_was_vended_or_linked_for_a_forgery(world: World) -> None:
    """The refusals left no trace: the identity has the one login of the genuine sign-in."""
    identity = world.server.client("cognito-identity")
    described = identity.describe_identity(IdentityId=world.identity_id)
    assert described["Logins"] == [world.login_key]
    listed = identity.list_identities(IdentityPoolId=world.identity_pool_id, MaxResults=60)["Identities"]
    assert [i["IdentityId"] for i in listed] == [world.identity_id]
