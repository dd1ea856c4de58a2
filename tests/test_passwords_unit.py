"""Password policy wording and the salt/verifier check."""

from __future__ import annotations

import pytest

from emulator.errors import InvalidParameterException, InvalidPasswordException
from emulator.userpool import passwords

STRICT = {"Policies": {"PasswordPolicy": {"MinimumLength": 8, "RequireUppercase": True, "RequireLowercase": True,
                                          "RequireNumbers": True, "RequireSymbols": True}}}


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("Ab1!", "Password not long enough"),
        ("ABCDEFG1!", "Password must have lowercase characters"),
        ("abcdefg1!", "Password must have uppercase characters"),
        ("Abcdefgh!", "Password must have numeric characters"),
        ("Abcdefgh1", "Password must have symbol characters"),
    ],
)
def test_policy_reasons(password, reason):
    with pytest.raises(InvalidPasswordException) as err:
        passwords.enforce_policy(STRICT, password, passwords.SIGN_UP_PHRASE)
    assert err.value.message == f"Password did not conform with policy: {reason}"


def test_whitespace_edges_are_a_validation_error():
    with pytest.raises(InvalidParameterException):
        passwords.enforce_policy(STRICT, " Abcdef1! ")


def test_generated_temporary_passwords_meet_policy():
    for _ in range(50):
        passwords.enforce_policy(STRICT, passwords.generate_temporary(STRICT))


def test_verifier_matches_only_the_password():
    salt, verifier = passwords.make_secret("eu-west-1_abcdefghi", "alice", "Passw0rd!")
    assert not salt.startswith("0")
    assert passwords.matches("eu-west-1_abcdefghi", "alice", "Passw0rd!", salt, verifier)
    assert not passwords.matches("eu-west-1_abcdefghi", "alice", "Passw0rd?", salt, verifier)
    assert not passwords.matches("eu-west-1_abcdefghi", "bob", "Passw0rd!", salt, verifier)
