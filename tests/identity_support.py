"""Shared set-up for the identity-pool and STS tests: user pools with signed-in users."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.conftest import REGION, LiveServer

PASSWORD = "Passw0rd!Long"
AUTH_ROLE = "arn:aws:iam::000000000000:role/CognitoAuth"
UNAUTH_ROLE = "arn:aws:iam::000000000000:role/CognitoUnauth"


@dataclass
class UserPoolApp:
    """A user pool and an app client that allows admin password sign-in."""

    idp: Any
    pool_id: str
    client_id: str

    @property
    def provider(self) -> str:
        return f"cognito-idp.{REGION}.amazonaws.com/{self.pool_id}"

    def add_client(self) -> str:
        return self.idp.create_user_pool_client(
            UserPoolId=self.pool_id, ClientName=f"c{uuid.uuid4().hex[:6]}",
            ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        )["UserPoolClient"]["ClientId"]

    def sign_in(self, username: str | None = None, client_id: str | None = None,
                create: bool = True) -> dict[str, str]:
        """A real sign-in (AdminInitiateAuth); returns the AuthenticationResult."""
        username = username or f"user{uuid.uuid4().hex[:8]}"
        if create:
            self.idp.admin_create_user(UserPoolId=self.pool_id, Username=username, MessageAction="SUPPRESS")
            self.idp.admin_set_user_password(UserPoolId=self.pool_id, Username=username, Password=PASSWORD,
                                             Permanent=True)
        result = self.idp.admin_initiate_auth(
            UserPoolId=self.pool_id, ClientId=client_id or self.client_id, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD},
        )["AuthenticationResult"]
        return {**result, "Username": username}

    def id_token(self, username: str | None = None, client_id: str | None = None) -> str:
        return self.sign_in(username, client_id)["IdToken"]


def make_user_pool_app(idp: Any) -> UserPoolApp:
    pool_id = idp.create_user_pool(PoolName=f"ip-{uuid.uuid4().hex[:8]}")["UserPool"]["Id"]
    app = UserPoolApp(idp, pool_id, "")
    app.client_id = app.add_client()
    return app


@pytest.fixture
def userpool(idp: Any) -> Iterator[UserPoolApp]:
    app = make_user_pool_app(idp)
    yield app
    idp.delete_user_pool(UserPoolId=app.pool_id)


@pytest.fixture
def clock(server: LiveServer) -> Iterator[Any]:
    """The server's clock, put back to wall time after the test."""
    yield server.state.clock
    server.state.clock.reset()


def new_identity_pool(identity: Any, app: UserPoolApp | None = None, *, unauth: bool = True,
                      roles: bool = True, **extra: Any) -> str:
    """An identity pool trusting ``app``'s client, with both default roles unless told otherwise."""
    kwargs: dict[str, Any] = {"IdentityPoolName": f"ip{uuid.uuid4().hex[:8]}",
                              "AllowUnauthenticatedIdentities": unauth, **extra}
    if app is not None and "CognitoIdentityProviders" not in extra:
        kwargs["CognitoIdentityProviders"] = [{"ProviderName": app.provider, "ClientId": app.client_id}]
    pool_id = identity.create_identity_pool(**kwargs)["IdentityPoolId"]
    if roles:
        identity.set_identity_pool_roles(IdentityPoolId=pool_id,
                                         Roles={"authenticated": AUTH_ROLE, "unauthenticated": UNAUTH_ROLE})
    return pool_id


def error_of(call: Any, **kwargs: Any) -> tuple[str, str]:
    """(code, message) of a call that must fail."""
    from botocore.exceptions import ClientError

    with pytest.raises(ClientError) as info:
        call(**kwargs)
    error = info.value.response["Error"]
    return error["Code"], error.get("Message", "")
