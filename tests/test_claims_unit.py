"""Claim builders: which token carries what (reference §2, §7)."""

from __future__ import annotations

from emulator.jwks.claims import GroupInfo, Issue, Subject, access_token_claims, group_claims, id_token_claims

ISSUE = Issue(issuer="http://127.0.0.1:9229/eu-west-1_abc", client_id="client1", auth_time=1000, iat=1000,
              origin_jti="o-1", event_id="e-1")
SUBJECT = Subject(
    username="alice", sub="11111111-2222-4333-8444-555555555555",
    attributes={"sub": "11111111-2222-4333-8444-555555555555", "email": "a@example.com", "email_verified": "true",
                "custom:tier": "5", "phone_number_verified": "false"},
    groups=[GroupInfo("admins", "arn:aws:iam::000000000000:role/a", 1), GroupInfo("users", None, None)],
)


def test_id_token_has_identity_and_no_scope():
    claims = id_token_claims(SUBJECT, ISSUE, jti="j1", exp=4600)
    assert claims["token_use"] == "id" and claims["aud"] == "client1"
    assert claims["email"] == "a@example.com"
    assert claims["email_verified"] is True and claims["phone_number_verified"] is False
    assert claims["custom:tier"] == "5"
    assert claims["cognito:username"] == "alice"
    assert claims["cognito:groups"] == ["admins", "users"]
    assert claims["cognito:preferred_role"] == "arn:aws:iam::000000000000:role/a"
    assert "scope" not in claims and "client_id" not in claims and "username" not in claims


def test_id_token_respects_read_attributes():
    claims = id_token_claims(SUBJECT, ISSUE, jti="j1", exp=4600, readable=["email"])
    assert "email" in claims and "custom:tier" not in claims and "email_verified" not in claims


def test_access_token_has_no_personal_data():
    claims = access_token_claims(SUBJECT, ISSUE, jti="j2", exp=4600)
    assert claims["token_use"] == "access"
    assert claims["client_id"] == "client1" and "aud" not in claims
    assert claims["scope"] == "aws.cognito.signin.user.admin"
    assert claims["username"] == "alice"
    assert "email" not in claims and "cognito:username" not in claims and "cognito:roles" not in claims
    assert claims["cognito:groups"] == ["admins", "users"]


def test_preferred_role_ties():
    same = [GroupInfo("a", "arn:r1", 1), GroupInfo("b", "arn:r1", 1)]
    assert group_claims(same)["cognito:preferred_role"] == "arn:r1"
    differ = [GroupInfo("a", "arn:r1", 1), GroupInfo("b", "arn:r2", 1)]
    assert "cognito:preferred_role" not in group_claims(differ)
    assert group_claims(differ)["cognito:roles"] == ["arn:r1", "arn:r2"]
    ranked = [GroupInfo("a", "arn:r1", None), GroupInfo("b", "arn:r2", 3)]
    assert group_claims(ranked)["cognito:preferred_role"] == "arn:r2"
    assert group_claims([]) == {}
