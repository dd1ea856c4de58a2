"""The issue's quick start, end to end through boto3."""

from __future__ import annotations

import re

import requests


def test_quick_start(idp, server):
    pool = idp.create_user_pool(PoolName="shop", Policies={"PasswordPolicy": {"MinimumLength": 10}})["UserPool"]
    assert re.fullmatch(r"eu-west-1_[0-9A-Za-z]{9}", pool["Id"])
    assert pool["Arn"] == f"arn:aws:cognito-idp:eu-west-1:000000000000:userpool/{pool['Id']}"
    assert pool["Policies"]["PasswordPolicy"]["MinimumLength"] == 10
    described = idp.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]
    assert described["Name"] == "shop"
    assert described["CreationDate"] == pool["CreationDate"]
    idp.delete_user_pool(UserPoolId=pool["Id"])


def test_health(server):
    body = requests.get(server.url + "/_cogito/health", timeout=5).json()
    assert body["status"] == "ok" and body["version"]
