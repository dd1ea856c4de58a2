"""Passwords: inner spaces are allowed (space is one of Cognito's symbols), edge whitespace is not."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError


def test_inner_space_is_accepted_edges_are_not(idp, pool):
    idp.admin_create_user(UserPoolId=pool["Id"], Username="spacey", MessageAction="SUPPRESS")
    idp.admin_set_user_password(UserPoolId=pool["Id"], Username="spacey", Password="Correct Horse 9!", Permanent=True)
    with pytest.raises(ClientError) as err:
        idp.admin_set_user_password(UserPoolId=pool["Id"], Username="spacey", Password=" Leading9!x", Permanent=True)
    assert err.value.response["Error"]["Code"] == "InvalidParameterException"
    assert err.value.response["Error"]["Message"] == (
        "1 validation error detected: Value at 'password' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: ^[\\S]+.*[\\S]+$"
    )
