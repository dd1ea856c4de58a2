"""pycognito, pointed at the live server as its documentation says (reference §14): SRP sign-in,
its own token verification (issuer == endpoint/poolId, JWKS fetched from there), renewal,
a client with a secret, the new-password challenge and a wrong password."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError
from pycognito import Cognito
from pycognito.exceptions import ForceChangePasswordException

from tests.auth_helpers import (  # noqa: F401 - fixtures
    OTHER_PASSWORD,
    PASSWORD,
    attrs_of,
    error_of,
    make_client,
    make_pool,
    make_user,
)


def _cognito(server: Any, pool_id: str, client: dict[str, Any], username: str, **kwargs: Any) -> Cognito:
    return Cognito(pool_id, client["ClientId"], username=username, boto3_client_kwargs={
        "endpoint_url": server.url, "aws_access_key_id": "test", "aws_secret_access_key": "test",
    }, **kwargs)


def test_srp_authenticate_verify_and_renew(server: Any, idp: Any, pool: dict[str, Any]) -> None:
    client = make_client(idp, pool["Id"])
    make_user(idp, pool["Id"], attributes={"email": "alice@example.com", "email_verified": "true"})
    user = _cognito(server, pool["Id"], client, "alice")
    user.authenticate(PASSWORD)  # SRP, then pycognito verifies both tokens itself
    assert user.token_type == "Bearer" and user.refresh_token
    user.verify_tokens()
    assert user.id_claims["cognito:username"] == "alice" and user.id_claims["email_verified"] is True
    assert user.id_claims["iss"] == f"{server.url}/{pool['Id']}"
    assert user.access_claims["client_id"] == client["ClientId"] and "aud" not in user.access_claims
    assert user.check_token(renew=False) is False  # not expired
    before_access, before_id, refresh = user.access_token, user.id_token, user.refresh_token
    user.renew_access_token()
    assert user.access_token != before_access and user.id_token != before_id
    assert user.refresh_token == refresh  # no rotation: the refresh token stays
    user.verify_tokens()
    assert user.access_claims["origin_jti"] == user.id_claims["origin_jti"]


def test_client_with_secret(server: Any, idp: Any, pool: dict[str, Any]) -> None:
    client = make_client(idp, pool["Id"], secret=True)
    make_user(idp, pool["Id"])
    user = _cognito(server, pool["Id"], client, "alice", client_secret=client["ClientSecret"])
    user.authenticate(PASSWORD)
    user.verify_tokens()
    user.renew_access_token()
    user.verify_tokens()
    admin = _cognito(server, pool["Id"], client, "alice", client_secret=client["ClientSecret"])
    admin.admin_authenticate(PASSWORD)  # ADMIN_NO_SRP_AUTH
    assert admin.access_claims["username"] == "alice"
    # Without the secret, the client is refused.
    with pytest.raises(ClientError) as exc:
        _cognito(server, pool["Id"], client, "alice").authenticate(PASSWORD)
    assert error_of(exc)[0] == "NotAuthorizedException"


def test_wrong_password(server: Any, idp: Any, pool: dict[str, Any]) -> None:
    client = make_client(idp, pool["Id"])
    make_user(idp, pool["Id"])
    with pytest.raises(ClientError) as exc:
        _cognito(server, pool["Id"], client, "alice").authenticate("Not-the-passw0rd")
    assert error_of(exc) == ("NotAuthorizedException", "Incorrect username or password.")


def test_email_username_pool(server: Any, idp: Any, make_pool: Any) -> None:
    pool_id = make_pool(UsernameAttributes=["email"])
    client = make_client(idp, pool_id, secret=True)
    sub = attrs_of(make_user(idp, pool_id, "gus@example.com"))["sub"]
    user = _cognito(server, pool_id, client, "gus@example.com", client_secret=client["ClientSecret"])
    user.authenticate(PASSWORD)
    assert user.id_claims["cognito:username"] == sub and user.id_claims["email"] == "gus@example.com"
    user.renew_access_token()  # SECRET_HASH over the e-mail pycognito was given
    assert user.access_claims["username"] == sub


def test_new_password_challenge(server: Any, idp: Any, pool: dict[str, Any]) -> None:
    client = make_client(idp, pool["Id"])
    make_user(idp, pool["Id"], permanent=False)
    user = _cognito(server, pool["Id"], client, "alice")
    with pytest.raises(ForceChangePasswordException):
        user.authenticate(PASSWORD)
    user.new_password_challenge(PASSWORD, OTHER_PASSWORD)
    user.verify_tokens()
    fresh = _cognito(server, pool["Id"], client, "alice")
    fresh.authenticate(OTHER_PASSWORD)
    assert fresh.id_claims["cognito:username"] == "alice"
