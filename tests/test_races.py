"""Races: one-time things used by several callers at once have exactly one winner.

Each race releases its callers together (a barrier) against the live server, on SQLite
(writers queue on the write lock) and on PostgreSQL (truly concurrent transactions, where
row locks and constraints must decide). Every race runs a few rounds.

Already covered elsewhere, not repeated here: concurrent AdminCreateUser of one username
(test_admin_users.py::test_concurrent_creates_of_one_username), one group
(test_groups.py::test_racing_creates_one_group), one membership
(test_groups.py::test_racing_adds_make_one_membership), first logins of one identity
(test_identity_credentials.py::test_concurrent_first_logins_reach_one_identity) and a pool's
first JWKS fetches (test_jwks.py::test_concurrent_first_fetches_agree).
"""

from __future__ import annotations

import uuid
from collections import Counter
from typing import Any

import pytest
import requests
from botocore.exceptions import ClientError

from tests.auth_helpers import claims_of, error_of, make_client, make_user, race
from tests.conftest import LiveServer
from tests.hostedui_support import CALLBACK, OAuthPool, basic, oauth, pkce_pair  # noqa: F401 - fixture

ROUNDS = 3
CALLERS = 4
PASSWORD = "Passw0rd!x"
INVALID_REFRESH = ("NotAuthorizedException", "Invalid Refresh Token.")
REVOKED_REFRESH = ("NotAuthorizedException", "Refresh Token has been revoked")
REVOKED_ACCESS = ("NotAuthorizedException", "Access Token has been revoked")



def outcome(result: Any) -> Any:
    if isinstance(result, ClientError):
        err = result.response["Error"]
        return err["Code"], err["Message"]
    if isinstance(result, Exception):
        raise result
    return "ok"


def clients(server: LiveServer, count: int = CALLERS) -> list[Any]:
    return [server.client("cognito-idp") for _ in range(count)]


def latest_code(server: LiveServer, pool_id: str, username: str, kind: str) -> str:
    found = requests.get(f"{server.url}/_cogito/messages", timeout=10,
                         params={"pool_id": pool_id, "username": username, "kind": kind}).json()["messages"]
    assert found, f"no {kind} message for {username}"
    return found[0]["code"]


# -- one code, used by several at once -------------------------------------------------------


def test_one_sign_up_code_confirms_once(server: LiveServer, idp: Any) -> None:
    pool_id = idp.create_user_pool(PoolName="race-signup", AutoVerifiedAttributes=["email"])["UserPool"]["Id"]
    client_id = make_client(idp, pool_id)["ClientId"]
    callers = clients(server)
    try:
        for round_ in range(ROUNDS):
            name = f"joiner{round_}"
            idp.sign_up(ClientId=client_id, Username=name, Password=PASSWORD,
                        UserAttributes=[{"Name": "email", "Value": f"{name}@example.com"}])
            code = latest_code(server, pool_id, name, "SIGNUP")
            results = [outcome(r) for r in race(CALLERS, lambda i: callers[i].confirm_sign_up(
                ClientId=client_id, Username=name, ConfirmationCode=code))]
            assert results.count("ok") == 1, results
            # The losers saw the user confirmed, or (PostgreSQL, waiting on the code's row lock) the code spent.
            assert set(results) - {"ok"} <= {
                ("NotAuthorizedException", "User cannot be confirmed. Current status is CONFIRMED"),
                ("CodeMismatchException", "Invalid verification code provided, please try again.")}, results
            user = idp.admin_get_user(UserPoolId=pool_id, Username=name)
            assert user["UserStatus"] == "CONFIRMED"
    finally:
        idp.delete_user_pool(UserPoolId=pool_id)


def test_one_recovery_code_resets_once(server: LiveServer, idp: Any) -> None:
    """Each caller sets its own new password with the one code: exactly one password is in force."""
    pool_id = idp.create_user_pool(PoolName="race-forgot", AutoVerifiedAttributes=["email"])["UserPool"]["Id"]
    client = make_client(idp, pool_id)
    callers = clients(server)
    try:
        for round_ in range(ROUNDS):
            name = f"forgetful{round_}"
            make_user(idp, pool_id, name, attributes={"email": f"{name}@example.com", "email_verified": "true"})
            idp.forgot_password(ClientId=client["ClientId"], Username=name)
            code = latest_code(server, pool_id, name, "FORGOT_PASSWORD")
            passwords = [f"New-{i}-{uuid.uuid4().hex[:6]}!A" for i in range(CALLERS)]
            results = [outcome(r) for r in race(CALLERS, lambda i: callers[i].confirm_forgot_password(
                ClientId=client["ClientId"], Username=name, ConfirmationCode=code, Password=passwords[i]))]
            assert results.count("ok") == 1, results
            assert set(results) - {"ok"} <= {
                ("CodeMismatchException", "Invalid verification code provided, please try again."),
                ("ExpiredCodeException", "Invalid code provided, please request a code again.")}, results
            winner = passwords[results.index("ok")]
            for password in passwords:
                try:
                    idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="USER_PASSWORD_AUTH",
                                      AuthParameters={"USERNAME": name, "PASSWORD": password})
                    signed_in = True
                except ClientError:
                    signed_in = False
                assert signed_in == (password == winner)
    finally:
        idp.delete_user_pool(UserPoolId=pool_id)


def test_one_authorization_code_is_redeemed_once(oauth: OAuthPool) -> None:
    client = oauth.client()
    for _ in range(ROUNDS):
        verifier, challenge = pkce_pair()
        code = oauth.code(client, code_challenge=challenge, code_challenge_method="S256")
        data = {"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK,
                "code_verifier": verifier, "client_id": client["ClientId"]}
        answers = race(CALLERS, lambda _i: oauth.token(data))
        assert sorted(a.status_code for a in answers) == [200] + [400] * (CALLERS - 1)
        assert all(a.json() == {"error": "invalid_grant"} for a in answers if a.status_code == 400)


# -- one refresh token, rotated by several at once ----------------------------------------------


def _rotating_client(idp: Any, pool_id: str, grace: int) -> dict[str, Any]:
    return make_client(idp, pool_id, flows=["ALLOW_USER_PASSWORD_AUTH"],
                       RefreshTokenRotation={"Feature": "ENABLED", "RetryGracePeriodSeconds": grace})


def _sign_in(idp: Any, client: dict[str, Any], name: str) -> dict[str, Any]:
    return idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="USER_PASSWORD_AUTH",
                             AuthParameters={"USERNAME": name, "PASSWORD": PASSWORD})["AuthenticationResult"]


def test_rotation_without_grace_has_one_winner(server: LiveServer, idp: Any, pool: dict[str, Any]) -> None:
    """RetryGracePeriodSeconds 0: a replaced token is dead at once, so of simultaneous rotations
    of one token exactly one gets a new family member; the rest are told the token is invalid."""
    client = _rotating_client(idp, pool["Id"], 0)
    make_user(idp, pool["Id"], "rotor")
    callers = clients(server)
    for _ in range(ROUNDS):
        old = _sign_in(idp, client, "rotor")["RefreshToken"]
        answers = race(CALLERS, lambda i: callers[i].get_tokens_from_refresh_token(
            RefreshToken=old, ClientId=client["ClientId"])["AuthenticationResult"])
        results = [outcome(a) for a in answers]
        assert results.count("ok") == 1, results
        assert set(results) - {"ok"} == {INVALID_REFRESH}
        new = answers[results.index("ok")]["RefreshToken"]
        assert idp.get_tokens_from_refresh_token(RefreshToken=new, ClientId=client["ClientId"])
        with pytest.raises(ClientError) as exc:
            idp.get_tokens_from_refresh_token(RefreshToken=old, ClientId=client["ClientId"])
        assert error_of(exc) == INVALID_REFRESH


def test_rotation_within_the_grace_period_lets_every_retry_through(server: LiveServer, idp: Any,
                                                                   pool: dict[str, Any]) -> None:
    """With a grace period the replaced token keeps working for RetryGracePeriodSeconds (AWS:
    "the original refresh token ... can be used for this number of seconds"), so simultaneous
    rotations all succeed: each gets its own new token, all of the same sign-in family, and
    revoking the family kills every one of them."""
    client = _rotating_client(idp, pool["Id"], 30)
    make_user(idp, pool["Id"], "rotor")
    callers = clients(server)
    signed = _sign_in(idp, client, "rotor")
    family = claims_of(signed["AccessToken"])["origin_jti"]
    answers = race(CALLERS, lambda i: callers[i].get_tokens_from_refresh_token(
        RefreshToken=signed["RefreshToken"], ClientId=client["ClientId"])["AuthenticationResult"])
    assert [outcome(a) for a in answers] == ["ok"] * CALLERS
    news = {a["RefreshToken"] for a in answers}
    assert len(news) == CALLERS and signed["RefreshToken"] not in news
    assert {claims_of(a["AccessToken"])["origin_jti"] for a in answers} == {family}
    idp.revoke_token(Token=signed["RefreshToken"], ClientId=client["ClientId"])
    for answer in answers:
        with pytest.raises(ClientError) as exc:
            idp.get_tokens_from_refresh_token(RefreshToken=answer["RefreshToken"], ClientId=client["ClientId"])
        assert error_of(exc) == REVOKED_REFRESH
        with pytest.raises(ClientError) as exc:
            idp.get_user(AccessToken=answer["AccessToken"])
        assert error_of(exc) == REVOKED_ACCESS


# -- RevokeToken and a refresh at once ---------------------------------------------------------


@pytest.mark.parametrize("rotation", [False, True])
def test_revoke_and_refresh_at_once_leave_the_family_revoked(server: LiveServer, idp: Any, pool: dict[str, Any],
                                                             rotation: bool) -> None:
    """Whichever lands first, afterwards the family is revoked: the refresh token and any
    tokens the refresh got (access, ID, a rotated refresh token) are refused."""
    if rotation:
        client = _rotating_client(idp, pool["Id"], 0)
    else:
        client = make_client(idp, pool["Id"])
    make_user(idp, pool["Id"], "quitter")
    revoker, refresher = server.client("cognito-idp"), server.client("cognito-idp")
    winners: Counter[str] = Counter()
    for _ in range(ROUNDS * 2):
        signed = _sign_in(idp, client, "quitter")
        token = signed["RefreshToken"]

        def act(i: int) -> Any:
            if i == 0:
                return revoker.revoke_token(Token=token, ClientId=client["ClientId"])
            if rotation:
                return refresher.get_tokens_from_refresh_token(RefreshToken=token, ClientId=client["ClientId"])
            return refresher.initiate_auth(ClientId=client["ClientId"], AuthFlow="REFRESH_TOKEN_AUTH",
                                           AuthParameters={"REFRESH_TOKEN": token})

        revoked, refreshed = race(2, act)
        assert outcome(revoked) == "ok"
        if isinstance(refreshed, ClientError):
            assert outcome(refreshed) == REVOKED_REFRESH
            winners["revoke first"] += 1
        else:
            winners["refresh first"] += 1
            result = refreshed["AuthenticationResult"]
            assert ("RefreshToken" in result) == rotation
            with pytest.raises(ClientError) as exc:
                idp.get_user(AccessToken=result["AccessToken"])
            assert error_of(exc) == REVOKED_ACCESS
            if rotation:
                with pytest.raises(ClientError) as exc:
                    idp.get_tokens_from_refresh_token(RefreshToken=result["RefreshToken"], ClientId=client["ClientId"])
                assert error_of(exc) == REVOKED_REFRESH
        with pytest.raises(ClientError) as exc:
            if rotation:
                idp.get_tokens_from_refresh_token(RefreshToken=token, ClientId=client["ClientId"])
            else:
                idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="REFRESH_TOKEN_AUTH",
                                  AuthParameters={"REFRESH_TOKEN": token})
        assert error_of(exc) == REVOKED_REFRESH
        with pytest.raises(ClientError) as exc:
            idp.get_user(AccessToken=signed["AccessToken"])
        assert error_of(exc) == REVOKED_ACCESS
    assert sum(winners.values()) == ROUNDS * 2
    print(f"revoke vs refresh ({'rotation' if rotation else 'no rotation'}, {server.backend}): {dict(winners)}")


# -- one name, signed up by several at once ------------------------------------------------------


def test_concurrent_sign_ups_of_one_username(server: LiveServer, idp: Any, pool: dict[str, Any]) -> None:
    """SignUp's path to the users table (not AdminCreateUser's): one account, the rest told it exists."""
    client_id = make_client(idp, pool["Id"])["ClientId"]
    callers = clients(server)
    for round_ in range(ROUNDS):
        name = f"twin{round_}"
        results = [outcome(r) for r in race(CALLERS, lambda i: callers[i].sign_up(
            ClientId=client_id, Username=name, Password=PASSWORD))]
        assert results.count("ok") == 1, results
        assert set(results) - {"ok"} == {("UsernameExistsException", "User already exists")}
        listed = idp.list_users(UserPoolId=pool["Id"], Filter=f'username = "{name}"')["Users"]
        assert len(listed) == 1
