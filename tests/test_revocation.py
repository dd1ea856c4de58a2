"""Revocation over the wire: RevokeToken (one sign-in family), GlobalSignOut and
AdminUserGlobalSignOut (every session), and revoked tokens that still verify offline."""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid
from collections.abc import Iterator
from typing import Any

import jwt
import pytest
import requests
from botocore.exceptions import ClientError

PASSWORD = "Passw0rd!x"
FLOWS = ["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
REVOKED_ACCESS = ("NotAuthorizedException", "Access Token has been revoked")
REVOKED_REFRESH = ("NotAuthorizedException", "Refresh Token has been revoked")


def _error(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    err = exc.value.response["Error"]
    return err["Code"], err["Message"]


class Setup:
    """A pool with a user ``alice`` (and more on demand), clients made per test."""

    def __init__(self, idp: Any) -> None:
        self.idp = idp
        self.pool_id = idp.create_user_pool(PoolName=f"t-{uuid.uuid4().hex[:8]}")["UserPool"]["Id"]
        self.client_id = self.client()
        self.user("alice")

    def client(self, **kwargs: Any) -> str:
        kwargs.setdefault("ExplicitAuthFlows", FLOWS)
        return self.idp.create_user_pool_client(UserPoolId=self.pool_id, ClientName="app", **kwargs)[
            "UserPoolClient"]["ClientId"]

    def secret_client(self) -> tuple[str, str]:
        made = self.idp.create_user_pool_client(UserPoolId=self.pool_id, ClientName="srv", GenerateSecret=True,
                                                ExplicitAuthFlows=FLOWS)["UserPoolClient"]
        return made["ClientId"], made["ClientSecret"]

    def user(self, name: str) -> None:
        self.idp.admin_create_user(UserPoolId=self.pool_id, Username=name, MessageAction="SUPPRESS")
        self.idp.admin_set_user_password(UserPoolId=self.pool_id, Username=name, Password=PASSWORD, Permanent=True)

    def sign_in(self, client_id: str | None = None, username: str = "alice") -> dict[str, Any]:
        return self.idp.admin_initiate_auth(
            UserPoolId=self.pool_id, ClientId=client_id or self.client_id, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD},
        )["AuthenticationResult"]

    def refresh(self, refresh_token: str, client_id: str | None = None) -> dict[str, Any]:
        return self.idp.initiate_auth(ClientId=client_id or self.client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                                      AuthParameters={"REFRESH_TOKEN": refresh_token})["AuthenticationResult"]

    def works(self, access_token: str) -> bool:
        return self.idp.get_user(AccessToken=access_token)["Username"] != ""

    def access_refused(self, access_token: str) -> tuple[str, str]:
        with pytest.raises(ClientError) as exc:
            self.idp.get_user(AccessToken=access_token)
        return _error(exc)

    def refresh_refused(self, refresh_token: str, client_id: str | None = None) -> tuple[str, str]:
        """The refusal through both refresh paths, which must agree."""
        with pytest.raises(ClientError) as first:
            self.refresh(refresh_token, client_id)
        with pytest.raises(ClientError) as second:
            self.idp.get_tokens_from_refresh_token(RefreshToken=refresh_token, ClientId=client_id or self.client_id)
        assert _error(first) == _error(second)
        return _error(first)


@pytest.fixture
def setup(idp: Any) -> Iterator[Setup]:
    made = Setup(idp)
    yield made
    try:
        idp.delete_user_pool(UserPoolId=made.pool_id)
    except ClientError:
        pass


@pytest.fixture
def frozen(server: Any) -> Iterator[Any]:
    """The server clock stopped (restored afterwards): several steps within one instant."""
    clock = server.state.clock
    saved = (clock.frozen_at, clock.offset)
    clock.freeze()
    yield clock
    clock.frozen_at, clock.offset = saved


# --- RevokeToken ----------------------------------------------------------------------------

def test_revoke_token_kills_its_family_only(idp: Any, setup: Setup) -> None:
    a = setup.sign_in()
    b = setup.sign_in()
    a2 = setup.refresh(a["RefreshToken"])
    assert jwt.decode(a2["AccessToken"], options={"verify_signature": False})["origin_jti"] == \
        jwt.decode(a["AccessToken"], options={"verify_signature": False})["origin_jti"]
    assert idp.revoke_token(Token=a["RefreshToken"], ClientId=setup.client_id)["ResponseMetadata"][
        "HTTPStatusCode"] == 200
    assert setup.access_refused(a["AccessToken"]) == REVOKED_ACCESS
    assert setup.access_refused(a2["AccessToken"]) == REVOKED_ACCESS
    assert setup.refresh_refused(a["RefreshToken"]) == REVOKED_REFRESH
    # The other session of the same user is untouched.
    assert setup.works(b["AccessToken"])
    assert setup.works(setup.refresh(b["RefreshToken"])["AccessToken"])
    # Revoking again, or a token never issued, is still a success.
    idp.revoke_token(Token=a["RefreshToken"], ClientId=setup.client_id)
    idp.revoke_token(Token="not-a-refresh-token", ClientId=setup.client_id)
    idp.revoke_token(Token="a.b.c.d.e", ClientId=setup.client_id)


def test_revoke_token_with_rotation_revokes_every_refresh_token_of_the_family(idp: Any, setup: Setup) -> None:
    client_id = setup.client(RefreshTokenRotation={"Feature": "ENABLED", "RetryGracePeriodSeconds": 0})
    first = setup.sign_in(client_id)
    second = idp.get_tokens_from_refresh_token(RefreshToken=first["RefreshToken"], ClientId=client_id)[
        "AuthenticationResult"]
    assert second["RefreshToken"] != first["RefreshToken"]
    idp.revoke_token(Token=first["RefreshToken"], ClientId=client_id)
    assert setup.access_refused(second["AccessToken"]) == REVOKED_ACCESS
    with pytest.raises(ClientError) as exc:
        idp.get_tokens_from_refresh_token(RefreshToken=second["RefreshToken"], ClientId=client_id)
    assert _error(exc) == REVOKED_REFRESH


@pytest.mark.parametrize("kind", ["AccessToken", "IdToken"])
def test_revoke_token_takes_refresh_tokens_only(idp: Any, setup: Setup, kind: str) -> None:
    tokens = setup.sign_in()
    with pytest.raises(ClientError) as exc:
        idp.revoke_token(Token=tokens[kind], ClientId=setup.client_id)
    assert _error(exc)[0] == "UnsupportedTokenTypeException"
    assert setup.works(tokens["AccessToken"])


def test_revoke_token_checks_the_client_secret(idp: Any, setup: Setup) -> None:
    client_id, secret = setup.secret_client()
    tokens = idp.admin_initiate_auth(
        UserPoolId=setup.pool_id, ClientId=client_id, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD,
                        "SECRET_HASH": _secret_hash(secret, "alice", client_id)},
    )["AuthenticationResult"]
    with pytest.raises(ClientError) as exc:
        idp.revoke_token(Token=tokens["RefreshToken"], ClientId=client_id)
    assert _error(exc)[0] == "UnauthorizedException"
    with pytest.raises(ClientError) as exc:
        wrong = secret[:-1] + ("a" if secret[-1] != "a" else "b")
        idp.revoke_token(Token=tokens["RefreshToken"], ClientId=client_id, ClientSecret=wrong)
    assert _error(exc)[0] == "UnauthorizedException"
    assert setup.works(tokens["AccessToken"])
    idp.revoke_token(Token=tokens["RefreshToken"], ClientId=client_id, ClientSecret=secret)
    assert setup.access_refused(tokens["AccessToken"]) == REVOKED_ACCESS


def _secret_hash(secret: str, username: str, client_id: str) -> str:
    digest = hmac.new(secret.encode(), (username + client_id).encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def test_revoke_token_needs_revocation_enabled(idp: Any, setup: Setup) -> None:
    client_id = setup.client(EnableTokenRevocation=False)
    tokens = setup.sign_in(client_id)
    with pytest.raises(ClientError) as exc:
        idp.revoke_token(Token=tokens["RefreshToken"], ClientId=client_id)
    assert _error(exc)[0] == "UnsupportedOperationException"
    assert setup.works(tokens["AccessToken"])
    assert setup.works(setup.refresh(tokens["RefreshToken"], client_id)["AccessToken"])


def test_revoke_token_of_an_unknown_client(idp: Any, setup: Setup) -> None:
    tokens = setup.sign_in()
    with pytest.raises(ClientError) as exc:
        idp.revoke_token(Token=tokens["RefreshToken"], ClientId="nosuchclient0000000000000a")
    assert _error(exc)[0] == "UnauthorizedException"
    assert setup.works(tokens["AccessToken"])


def test_revoke_token_through_another_client_revokes_nothing(idp: Any, setup: Setup) -> None:
    other = setup.client()
    tokens = setup.sign_in()
    idp.revoke_token(Token=tokens["RefreshToken"], ClientId=other)
    assert setup.works(tokens["AccessToken"])
    assert setup.works(setup.refresh(tokens["RefreshToken"])["AccessToken"])


# --- GlobalSignOut / AdminUserGlobalSignOut -------------------------------------------------

def test_global_sign_out_revokes_every_session_of_the_user(idp: Any, setup: Setup, server: Any) -> None:
    web = setup.sign_in()
    mobile_client = setup.client()
    mobile = setup.sign_in(mobile_client)
    refreshed = setup.refresh(web["RefreshToken"])
    setup.user("bob")
    bob = setup.sign_in(username="bob")
    server.state.clock.advance(5)
    try:
        idp.global_sign_out(AccessToken=mobile["AccessToken"])
        for token in (web["AccessToken"], mobile["AccessToken"], refreshed["AccessToken"]):
            assert setup.access_refused(token) == REVOKED_ACCESS
        assert setup.refresh_refused(web["RefreshToken"]) == REVOKED_REFRESH
        assert setup.refresh_refused(mobile["RefreshToken"], mobile_client) == REVOKED_REFRESH
        with pytest.raises(ClientError) as exc:
            idp.global_sign_out(AccessToken=web["AccessToken"])
        assert _error(exc) == REVOKED_ACCESS
        # Another user keeps their session; alice can sign in again at once.
        assert setup.works(bob["AccessToken"])
        again = setup.sign_in()
        assert setup.works(again["AccessToken"])
        assert setup.works(setup.refresh(again["RefreshToken"])["AccessToken"])
    finally:
        server.state.clock.advance(-5)


def test_sign_in_in_the_same_instant_as_the_sign_out_works(idp: Any, setup: Setup, frozen: Any) -> None:
    """iat is whole seconds: the rule must not hinge on which side of a second things fall."""
    before = setup.sign_in()
    idp.admin_user_global_sign_out(UserPoolId=setup.pool_id, Username="alice")
    after = setup.sign_in()
    assert setup.access_refused(before["AccessToken"]) == REVOKED_ACCESS
    assert setup.refresh_refused(before["RefreshToken"]) == REVOKED_REFRESH
    assert setup.works(after["AccessToken"])
    assert setup.works(setup.refresh(after["RefreshToken"])["AccessToken"])
    frozen.advance(0.6)  # same second or the next, the answers stay the same
    assert setup.access_refused(before["AccessToken"]) == REVOKED_ACCESS
    assert setup.works(after["AccessToken"])


def test_admin_user_global_sign_out(idp: Any, setup: Setup) -> None:
    tokens = setup.sign_in()
    assert idp.admin_user_global_sign_out(UserPoolId=setup.pool_id, Username="alice")["ResponseMetadata"][
        "HTTPStatusCode"] == 200
    assert setup.access_refused(tokens["AccessToken"]) == REVOKED_ACCESS
    assert setup.refresh_refused(tokens["RefreshToken"]) == REVOKED_REFRESH
    # A user with no sessions at all, twice: still fine.
    setup.user("carol")
    idp.admin_user_global_sign_out(UserPoolId=setup.pool_id, Username="carol")
    idp.admin_user_global_sign_out(UserPoolId=setup.pool_id, Username="carol")
    with pytest.raises(ClientError) as exc:
        idp.admin_user_global_sign_out(UserPoolId=setup.pool_id, Username="nobody")
    assert _error(exc) == ("UserNotFoundException", "User does not exist.")
    missing = setup.pool_id.split("_")[0] + "_doesNotExist"
    with pytest.raises(ClientError) as exc:
        idp.admin_user_global_sign_out(UserPoolId=missing, Username="alice")
    assert _error(exc)[0] == "ResourceNotFoundException"


def test_admin_sign_out_by_sub(idp: Any, setup: Setup) -> None:
    tokens = setup.sign_in()
    sub = jwt.decode(tokens["AccessToken"], options={"verify_signature": False})["sub"]
    idp.admin_user_global_sign_out(UserPoolId=setup.pool_id, Username=sub)
    assert setup.access_refused(tokens["AccessToken"]) == REVOKED_ACCESS


# --- revoked tokens still verify offline ----------------------------------------------------

def test_revoked_tokens_still_verify_against_the_jwks(idp: Any, setup: Setup, server: Any) -> None:
    tokens = setup.sign_in()
    idp.revoke_token(Token=tokens["RefreshToken"], ClientId=setup.client_id)
    assert setup.access_refused(tokens["AccessToken"]) == REVOKED_ACCESS

    response = requests.get(f"{server.url}/{setup.pool_id}/.well-known/jwks.json", timeout=10)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("application/json")
    keys = jwt.PyJWKSet.from_dict(response.json())
    issuer = f"{server.url}/{setup.pool_id}"

    def key_for(token: str) -> Any:
        kid = jwt.get_unverified_header(token)["kid"]
        return next(k for k in keys.keys if k.key_id == kid).key

    access = jwt.decode(tokens["AccessToken"], key_for(tokens["AccessToken"]), algorithms=["RS256"], issuer=issuer,
                        options={"require": ["exp", "iat"], "verify_aud": False})
    identity = jwt.decode(tokens["IdToken"], key_for(tokens["IdToken"]), algorithms=["RS256"], issuer=issuer,
                          audience=setup.client_id, options={"require": ["exp", "iat"]})
    assert access["token_use"] == "access" and identity["token_use"] == "id"
    assert access["origin_jti"] == identity["origin_jti"]
    # The ID token is no way into the access-token operations either.
    with pytest.raises(ClientError) as exc:
        idp.get_user(AccessToken=tokens["IdToken"])
    assert _error(exc) == ("NotAuthorizedException", "Invalid Access Token")
