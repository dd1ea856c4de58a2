"""User pool operations over the wire: defaults, round-trips, schema, deletion protection,
listing, tags, MFA configuration and quotas, checked against what real Cognito answers."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from botocore.exceptions import ClientError

from emulator.userpool.models import UserPool

STANDARD = [
    "sub", "name", "given_name", "family_name", "middle_name", "nickname", "preferred_username", "profile",
    "picture", "website", "email", "email_verified", "gender", "birthdate", "zoneinfo", "locale",
    "phone_number", "phone_number_verified", "address", "updated_at",
]
SMS = {"SnsCallerArn": "arn:aws:iam::123456789012:role/service-role/cognito-sms", "ExternalId": "ext-1"}


def _name() -> str:
    return f"pool-{uuid.uuid4().hex[:8]}"


def _error(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    err = exc.value.response["Error"]
    return err["Code"], err["Message"]


def _create(idp: Any, **kwargs: Any) -> dict[str, Any]:
    return idp.create_user_pool(PoolName=kwargs.pop("PoolName", _name()), **kwargs)["UserPool"]


def _describe(idp: Any, pool_id: str) -> dict[str, Any]:
    return idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]


def _attrs(pool: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {a["Name"]: a for a in pool["SchemaAttributes"]}


@pytest.fixture
def cleanup(idp: Any):
    """Pools a test creates itself, deleted afterwards (protection switched off first)."""
    made: list[tuple[Any, str]] = []
    yield made
    for client, pool_id in made:
        try:
            client.update_user_pool(UserPoolId=pool_id, DeletionProtection="INACTIVE")
            client.delete_user_pool(UserPoolId=pool_id)
        except ClientError:
            pass


# --- defaults -------------------------------------------------------------------------

def test_minimal_pool_gets_aws_defaults(idp, pool, server):
    assert pool["Policies"]["PasswordPolicy"] == {
        "MinimumLength": 8, "RequireUppercase": True, "RequireLowercase": True, "RequireNumbers": True,
        "RequireSymbols": True, "TemporaryPasswordValidityDays": 7,
    }
    assert pool["Policies"]["SignInPolicy"] == {"AllowedFirstAuthFactors": ["PASSWORD"]}
    assert pool["DeletionProtection"] == "INACTIVE"
    assert pool["LambdaConfig"] == {}
    assert pool["MfaConfiguration"] == "OFF"
    assert pool["EmailConfiguration"] == {"EmailSendingAccount": "COGNITO_DEFAULT"}
    assert pool["AdminCreateUserConfig"] == {"AllowAdminCreateUserOnly": False, "UnusedAccountValidityDays": 7}
    assert pool["VerificationMessageTemplate"] == {"DefaultEmailOption": "CONFIRM_WITH_CODE"}
    assert pool["UserAttributeUpdateSettings"] == {"AttributesRequireVerificationBeforeUpdate": []}
    assert pool["UserPoolTier"] == "ESSENTIALS"
    assert pool["EstimatedNumberOfUsers"] == 0
    for absent in ("AccountRecoverySetting", "UsernameConfiguration", "UserPoolAddOns", "UsernameAttributes",
                   "AliasAttributes", "AutoVerifiedAttributes", "SmsConfiguration", "DeviceConfiguration",
                   "MfaSettings", "TemporaryPasswordValidityDaysSet"):
        assert absent not in pool
    assert pool["Arn"] == f"arn:aws:cognito-idp:eu-west-1:{server.state.settings.account_id}:userpool/{pool['Id']}"
    described = _describe(idp, pool["Id"])
    assert described["UserPoolTags"] == {}
    assert described["CreationDate"] == pool["CreationDate"] == described["LastModifiedDate"]
    assert {k: v for k, v in described.items() if k != "UserPoolTags"} == pool


def test_standard_schema_is_the_twenty_aws_attributes(pool):
    assert [a["Name"] for a in pool["SchemaAttributes"]] == STANDARD
    attrs = _attrs(pool)
    assert attrs["sub"] == {
        "Name": "sub", "AttributeDataType": "String", "DeveloperOnlyAttribute": False, "Mutable": False,
        "Required": True, "StringAttributeConstraints": {"MinLength": "1", "MaxLength": "2048"},
    }
    assert attrs["birthdate"]["StringAttributeConstraints"] == {"MinLength": "10", "MaxLength": "10"}
    assert attrs["updated_at"]["NumberAttributeConstraints"] == {"MinValue": "0"}
    assert attrs["email_verified"] == {"Name": "email_verified", "AttributeDataType": "Boolean",
                                       "DeveloperOnlyAttribute": False, "Mutable": True, "Required": False}
    for name in ("name", "email", "address", "phone_number"):
        assert attrs[name]["StringAttributeConstraints"] == {"MinLength": "0", "MaxLength": "2048"}
        assert attrs[name]["Mutable"] is True and attrs[name]["Required"] is False
    assert "identities" not in attrs


def test_partial_password_policy_leaves_other_flags_false(idp, cleanup):
    created = _create(idp, Policies={"PasswordPolicy": {"MinimumLength": 12, "RequireNumbers": True,
                                                        "TemporaryPasswordValidityDays": 0}})
    cleanup.append((idp, created["Id"]))
    assert created["Policies"]["PasswordPolicy"] == {
        "MinimumLength": 12, "RequireUppercase": False, "RequireLowercase": False, "RequireNumbers": True,
        "RequireSymbols": False, "TemporaryPasswordValidityDays": 7,
    }


def test_temporary_password_days_and_the_legacy_unused_account_days(idp, cleanup):
    with pytest.raises(ClientError) as exc:
        _create(idp, Policies={"PasswordPolicy": {"MinimumLength": 8, "TemporaryPasswordValidityDays": 3}},
                AdminCreateUserConfig={"UnusedAccountValidityDays": 3})
    assert _error(exc) == (
        "InvalidParameterException",
        "Please use TemporaryPasswordValidityDays in PasswordPolicy instead of UnusedAccountValidityDays",
    )
    modern = _create(idp, Policies={"PasswordPolicy": {"MinimumLength": 8, "TemporaryPasswordValidityDays": 3}})
    cleanup.append((idp, modern["Id"]))
    assert modern["AdminCreateUserConfig"]["UnusedAccountValidityDays"] == 3
    legacy = _create(idp, AdminCreateUserConfig={"UnusedAccountValidityDays": 5})
    cleanup.append((idp, legacy["Id"]))
    assert legacy["AdminCreateUserConfig"]["UnusedAccountValidityDays"] == 5
    assert legacy["Policies"]["PasswordPolicy"]["TemporaryPasswordValidityDays"] == 5
    # Once TemporaryPasswordValidityDays is in use, the legacy field is refused on later updates too.
    with pytest.raises(ClientError) as exc:
        idp.update_user_pool(UserPoolId=modern["Id"], AdminCreateUserConfig={"UnusedAccountValidityDays": 4})
    assert _error(exc)[0] == "InvalidParameterException"
    idp.update_user_pool(UserPoolId=legacy["Id"], AdminCreateUserConfig={"UnusedAccountValidityDays": 9})
    assert _describe(idp, legacy["Id"])["Policies"]["PasswordPolicy"]["TemporaryPasswordValidityDays"] == 9


# --- round trips ----------------------------------------------------------------------

FULL = {
    "Policies": {
        "PasswordPolicy": {"MinimumLength": 10, "RequireUppercase": True, "RequireLowercase": False,
                           "RequireNumbers": True, "RequireSymbols": False, "PasswordHistorySize": 5,
                           "TemporaryPasswordValidityDays": 3},
        "SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP"]},
    },
    "DeletionProtection": "ACTIVE",
    "LambdaConfig": {"PreSignUp": "arn:aws:lambda:eu-west-1:123456789012:function:pre",
                     "PreTokenGenerationConfig": {"LambdaVersion": "V2_0",
                                                  "LambdaArn": "arn:aws:lambda:eu-west-1:123456789012:function:tok"}},
    "AutoVerifiedAttributes": ["email"],
    "UsernameAttributes": ["email"],
    "VerificationMessageTemplate": {"DefaultEmailOption": "CONFIRM_WITH_LINK",
                                    "EmailMessageByLink": "Click {##here##}", "EmailSubjectByLink": "Verify",
                                    "SmsMessage": "Code {####}"},
    "SmsAuthenticationMessage": "Your code {####}",
    "UserAttributeUpdateSettings": {"AttributesRequireVerificationBeforeUpdate": ["email"]},
    "DeviceConfiguration": {"ChallengeRequiredOnNewDevice": True, "DeviceOnlyRememberedOnUserPrompt": False},
    "EmailConfiguration": {"EmailSendingAccount": "DEVELOPER", "From": "Shop <no-reply@example.com>",
                           "SourceArn": "arn:aws:ses:eu-west-1:123456789012:identity/example.com",
                           "ReplyToEmailAddress": "help@example.com"},
    "SmsConfiguration": SMS,
    "UserPoolTags": {"team": "auth"},
    "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": True,
                              "InviteMessageTemplate": {"EmailMessage": "Hi {username}, {####}",
                                                        "EmailSubject": "Welcome",
                                                        "SMSMessage": "Hi {username} {####}"}},
    "UsernameConfiguration": {"CaseSensitive": False},
    "AccountRecoverySetting": {"RecoveryMechanisms": [{"Name": "verified_email", "Priority": 1}]},
    "UserPoolTier": "PLUS",
    "UserPoolAddOns": {"AdvancedSecurityMode": "AUDIT"},
    "MfaConfiguration": "OPTIONAL",
}


def test_every_setting_round_trips_through_create_and_describe(idp, cleanup):
    created = _create(idp, **FULL)
    cleanup.append((idp, created["Id"]))
    described = _describe(idp, created["Id"])
    for key in ("DeletionProtection", "LambdaConfig", "AutoVerifiedAttributes", "UsernameAttributes",
                "SmsAuthenticationMessage", "UserAttributeUpdateSettings", "DeviceConfiguration",
                "EmailConfiguration", "UserPoolTags", "UsernameConfiguration", "AccountRecoverySetting",
                "UserPoolTier", "UserPoolAddOns", "MfaConfiguration"):
        assert described[key] == FULL[key], key
    assert described["Policies"] == FULL["Policies"]
    assert described["VerificationMessageTemplate"] == FULL["VerificationMessageTemplate"]
    assert described["SmsConfiguration"] == {**SMS, "SnsRegion": "eu-west-1"}
    assert described["AdminCreateUserConfig"] == {**FULL["AdminCreateUserConfig"], "UnusedAccountValidityDays": 3}
    assert created == {k: v for k, v in described.items()}


def test_update_sets_what_it_names_and_resets_what_it_omits(idp, cleanup):
    created = _create(idp, **FULL, Schema=[{"Name": "tier", "AttributeDataType": "String"}])
    cleanup.append((idp, created["Id"]))
    idp.update_user_pool(
        UserPoolId=created["Id"], PoolName="renamed", AutoVerifiedAttributes=["email"],
        Policies={"PasswordPolicy": {"MinimumLength": 6}},
        LambdaConfig={"PostConfirmation": "arn:aws:lambda:eu-west-1:123456789012:function:post"},
        DeletionProtection="ACTIVE",
    )
    after = _describe(idp, created["Id"])
    assert after["Name"] == "renamed"
    assert after["Policies"] == {
        "PasswordPolicy": {"MinimumLength": 6, "RequireUppercase": False, "RequireLowercase": False,
                           "RequireNumbers": False, "RequireSymbols": False, "TemporaryPasswordValidityDays": 7},
        "SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD"]},
    }
    assert after["LambdaConfig"] == {"PostConfirmation": "arn:aws:lambda:eu-west-1:123456789012:function:post"}
    # Omitted settings are back to their defaults ...
    assert after["MfaConfiguration"] == "OFF"
    assert after["EmailConfiguration"] == {"EmailSendingAccount": "COGNITO_DEFAULT"}
    assert after["AdminCreateUserConfig"] == {"AllowAdminCreateUserOnly": False, "UnusedAccountValidityDays": 7}
    assert after["VerificationMessageTemplate"] == {"DefaultEmailOption": "CONFIRM_WITH_CODE"}
    assert after["UserPoolTier"] == "ESSENTIALS"
    for gone in ("SmsConfiguration", "SmsAuthenticationMessage", "DeviceConfiguration", "AccountRecoverySetting",
                 "UserPoolAddOns"):
        assert gone not in after, gone
    # ... while the schema, the sign-in shape, UserAttributeUpdateSettings and tags stay.
    assert after["SchemaAttributes"] == created["SchemaAttributes"]
    assert "custom:tier" in _attrs(after)
    assert after["UsernameAttributes"] == ["email"]
    assert after["UsernameConfiguration"] == {"CaseSensitive": False}
    assert after["UserAttributeUpdateSettings"] == {"AttributesRequireVerificationBeforeUpdate": ["email"]}
    assert after["UserPoolTags"] == {"team": "auth"}
    assert after["CreationDate"] == created["CreationDate"]
    assert after["LastModifiedDate"] >= created["LastModifiedDate"]
    assert _mfa(idp, created["Id"]) == {"MfaConfiguration": "OFF"}


def test_update_keeps_attribute_update_settings_so_it_must_still_be_auto_verified(idp, cleanup):
    created = _create(idp, AutoVerifiedAttributes=["email"],
                      UserAttributeUpdateSettings={"AttributesRequireVerificationBeforeUpdate": ["email"]})
    cleanup.append((idp, created["Id"]))
    with pytest.raises(ClientError) as exc:
        idp.update_user_pool(UserPoolId=created["Id"], DeletionProtection="INACTIVE")
    assert _error(exc) == (
        "InvalidParameterException",
        "All attributes in AttributesRequireVerificationBeforeUpdate must exist in AutoVerifiedAttributes",
    )
    idp.update_user_pool(UserPoolId=created["Id"], UserAttributeUpdateSettings={
        "AttributesRequireVerificationBeforeUpdate": []})
    assert _describe(idp, created["Id"])["UserAttributeUpdateSettings"] == {
        "AttributesRequireVerificationBeforeUpdate": []}


def test_username_and_alias_attributes_exclude_each_other(idp):
    with pytest.raises(ClientError) as exc:
        _create(idp, UsernameAttributes=["email"], AliasAttributes=["preferred_username"])
    assert _error(exc) == ("InvalidParameterException",
                           "Only one of the aliasAttributes or usernameAttributes can be set in a User Pool.")


def test_threat_protection_needs_the_plus_tier(idp, cleanup):
    with pytest.raises(ClientError) as exc:
        _create(idp, UserPoolAddOns={"AdvancedSecurityMode": "ENFORCED"})
    assert _error(exc)[0] == "FeatureUnavailableInTierException"
    plus = _create(idp, UserPoolTier="PLUS", UserPoolAddOns={"AdvancedSecurityMode": "ENFORCED"})
    cleanup.append((idp, plus["Id"]))
    assert plus["UserPoolAddOns"] == {"AdvancedSecurityMode": "ENFORCED"}


# --- schema ---------------------------------------------------------------------------

def test_schema_custom_attributes_and_standard_adjustments(idp, cleanup):
    created = _create(idp, Schema=[
        {"Name": "email", "AttributeDataType": "String", "Required": True, "Mutable": True,
         "StringAttributeConstraints": {"MinLength": "5", "MaxLength": "100"}},
        {"Name": "plan", "AttributeDataType": "String", "Mutable": False,
         "StringAttributeConstraints": {"MinLength": "1", "MaxLength": "20"}},
        {"Name": "age", "AttributeDataType": "Number", "Mutable": True,
         "NumberAttributeConstraints": {"MinValue": "0", "MaxValue": "150"},
         "StringAttributeConstraints": {"MinLength": "1", "MaxLength": "3"}},
        {"Name": "vip", "AttributeDataType": "Boolean"},
        {"Name": "joined", "AttributeDataType": "DateTime"},
        {"Name": "mydev", "AttributeDataType": "Number", "DeveloperOnlyAttribute": True,
         "NumberAttributeConstraints": {"MinValue": "1", "MaxValue": "99"}},
    ])
    cleanup.append((idp, created["Id"]))
    names = [a["Name"] for a in created["SchemaAttributes"]]
    assert names == STANDARD + ["custom:plan", "custom:age", "custom:vip", "custom:joined", "dev:custom:mydev"]
    attrs = _attrs(created)
    assert attrs["email"]["Required"] is True
    assert attrs["email"]["StringAttributeConstraints"] == {"MinLength": "5", "MaxLength": "100"}
    assert attrs["custom:plan"] == {"Name": "custom:plan", "AttributeDataType": "String",
                                    "DeveloperOnlyAttribute": False, "Mutable": False, "Required": False,
                                    "StringAttributeConstraints": {"MinLength": "1", "MaxLength": "20"}}
    assert attrs["custom:age"]["NumberAttributeConstraints"] == {"MinValue": "0", "MaxValue": "150"}
    assert "StringAttributeConstraints" not in attrs["custom:age"]
    assert "StringAttributeConstraints" not in attrs["custom:vip"]
    assert attrs["dev:custom:mydev"]["DeveloperOnlyAttribute"] is True
    assert _describe(idp, created["Id"])["SchemaAttributes"] == created["SchemaAttributes"]


@pytest.mark.parametrize(("schema", "code", "message"), [
    ([{"Name": "plan", "AttributeDataType": "String", "Required": True}], "InvalidParameterException",
     "Required custom attributes are not supported currently."),
    ([{"Name": "plan", "AttributeDataType": "String"}, {"Name": "plan", "AttributeDataType": "Number"}],
     "InvalidParameterException", "custom:plan: Existing attribute already has name custom:plan."),
    ([{"Name": "email", "AttributeDataType": "Number"}], "InvalidParameterException",
     "You can not change AttributeDataType or set developerOnlyAttribute for standard schema attribute email"),
    ([{"Name": "size", "AttributeDataType": "String",
       "StringAttributeConstraints": {"MinLength": "9", "MaxLength": "3"}}], "InvalidParameterException", None),
    ([{"Name": "n", "AttributeDataType": "Number", "NumberAttributeConstraints": {"MinValue": "ten"}}],
     "InvalidParameterException", None),
    ([{"Name": "x" * 21, "AttributeDataType": "String"}], "InvalidParameterException", None),
])
def test_schema_errors(idp, schema, code, message):
    with pytest.raises(ClientError) as exc:
        _create(idp, Schema=schema)
    got_code, got_message = _error(exc)
    assert got_code == code
    if message is not None:
        assert got_message == message


def test_add_custom_attributes(idp, pool):
    idp.add_custom_attributes(UserPoolId=pool["Id"], CustomAttributes=[
        {"Name": "team", "AttributeDataType": "String", "Mutable": True},
        {"Name": "sub", "AttributeDataType": "String"},
        {"Name": "custom:odd", "AttributeDataType": "String"},
    ])
    names = [a["Name"] for a in _describe(idp, pool["Id"])["SchemaAttributes"]]
    assert names[-3:] == ["custom:team", "custom:sub", "custom:custom:odd"]
    with pytest.raises(ClientError) as exc:
        idp.add_custom_attributes(UserPoolId=pool["Id"], CustomAttributes=[
            {"Name": "team", "AttributeDataType": "Number"}])
    assert _error(exc) == ("InvalidParameterException", "custom:team: Existing attribute already has name custom:team.")
    with pytest.raises(ClientError) as exc:
        idp.add_custom_attributes(UserPoolId=pool["Id"], CustomAttributes=[
            {"Name": "must", "AttributeDataType": "String", "Required": True}])
    assert _error(exc) == ("InvalidParameterException", "Required custom attributes are not supported currently.")
    with pytest.raises(ClientError) as exc:
        idp.add_custom_attributes(UserPoolId="eu-west-1_nothere00", CustomAttributes=[
            {"Name": "x", "AttributeDataType": "String"}])
    assert _error(exc) == ("ResourceNotFoundException", "User pool eu-west-1_nothere00 does not exist.")


def test_at_most_fifty_custom_attributes(idp, pool):
    batch = [{"Name": f"a{i}", "AttributeDataType": "String"} for i in range(25)]
    idp.add_custom_attributes(UserPoolId=pool["Id"], CustomAttributes=batch)
    idp.add_custom_attributes(UserPoolId=pool["Id"], CustomAttributes=[
        {"Name": f"b{i}", "AttributeDataType": "String"} for i in range(25)])
    with pytest.raises(ClientError) as exc:
        idp.add_custom_attributes(UserPoolId=pool["Id"], CustomAttributes=[
            {"Name": "c", "AttributeDataType": "String"}])
    assert _error(exc)[0] == "LimitExceededException"
    assert len(_describe(idp, pool["Id"])["SchemaAttributes"]) == len(STANDARD) + 50


# --- deletion, not found --------------------------------------------------------------

def test_deletion_protection(idp):
    created = _create(idp, DeletionProtection="ACTIVE")
    with pytest.raises(ClientError) as exc:
        idp.delete_user_pool(UserPoolId=created["Id"])
    assert _error(exc) == ("InvalidParameterException",
                           "The user pool cannot be deleted because deletion protection is activated. "
                           "Deletion protection must be inactivated first.")
    idp.update_user_pool(UserPoolId=created["Id"], DeletionProtection="INACTIVE")
    idp.delete_user_pool(UserPoolId=created["Id"])
    with pytest.raises(ClientError) as exc:
        _describe(idp, created["Id"])
    assert _error(exc) == ("ResourceNotFoundException", f"User pool {created['Id']} does not exist.")


@pytest.mark.parametrize("call", [
    lambda idp, pid: idp.describe_user_pool(UserPoolId=pid),
    lambda idp, pid: idp.update_user_pool(UserPoolId=pid),
    lambda idp, pid: idp.delete_user_pool(UserPoolId=pid),
    lambda idp, pid: idp.get_user_pool_mfa_config(UserPoolId=pid),
    lambda idp, pid: idp.set_user_pool_mfa_config(UserPoolId=pid, MfaConfiguration="OFF"),
])
def test_unknown_pool_is_resource_not_found(idp, call):
    with pytest.raises(ClientError) as exc:
        call(idp, "eu-west-1_AbCdEfGh1")
    assert _error(exc) == ("ResourceNotFoundException", "User pool eu-west-1_AbCdEfGh1 does not exist.")
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


# --- listing --------------------------------------------------------------------------

def test_list_user_pools_pages_without_repeats_in_the_callers_region(server, cleanup):
    sydney = server.client("cognito-idp", region="ap-southeast-2")
    oregon = server.client("cognito-idp", region="us-west-2")
    mine = []
    for _ in range(7):
        created = _create(sydney)
        cleanup.append((sydney, created["Id"]))
        mine.append(created["Id"])
    elsewhere = _create(oregon)
    cleanup.append((oregon, elsewhere["Id"]))
    assert elsewhere["Id"].startswith("us-west-2_")
    seen: list[str] = []
    pages = 0
    kwargs: dict[str, Any] = {"MaxResults": 3}
    while True:
        page = sydney.list_user_pools(**kwargs)
        pages += 1
        assert len(page["UserPools"]) <= 3
        for item in page["UserPools"]:
            assert set(item) == {"Id", "Name", "LambdaConfig", "LastModifiedDate", "CreationDate"}
        seen += [p["Id"] for p in page["UserPools"]]
        if "NextToken" not in page:
            break
        kwargs["NextToken"] = page["NextToken"]
    assert pages == 3
    assert len(seen) == len(set(seen))
    assert sorted(seen) == sorted(mine)
    assert elsewhere["Id"] not in seen
    assert elsewhere["Id"] in [p["Id"] for p in oregon.list_user_pools(MaxResults=60)["UserPools"]]
    paginated = [p["Id"] for page in sydney.get_paginator("list_user_pools").paginate(
        MaxResults=2) for p in page["UserPools"]]
    assert sorted(paginated) == sorted(mine)


def test_list_user_pools_refuses_a_forged_token(idp):
    with pytest.raises(ClientError) as exc:
        idp.list_user_pools(MaxResults=5, NextToken="bm90LWEta2V5")
    assert _error(exc)[0] == "InvalidParameterException"


def test_pool_quota_is_a_limit_exceeded(server, cleanup):
    """1,000 pools per account and Region: seed 1,000 rows, then one more CreateUserPool fails."""
    region = "me-south-1"
    account = server.state.settings.account_id
    with server.state.store.transaction() as db:
        db.add_all(UserPool(id=f"{region}_q{i:08d}", account_id=account, region=region, name=f"q{i}",
                            created=0.0, modified=0.0, config={}, tags={}) for i in range(1000))
    client = server.client("cognito-idp", region=region)
    try:
        with pytest.raises(ClientError) as exc:
            _create(client)
        assert _error(exc)[0] == "LimitExceededException"
        other = _create(server.client("cognito-idp", region="eu-north-1"))
        cleanup.append((server.client("cognito-idp", region="eu-north-1"), other["Id"]))
    finally:
        with server.state.store.transaction() as db:
            db.query(UserPool).filter(UserPool.region == region).delete()


# --- tags -----------------------------------------------------------------------------

def test_tags_on_create_update_and_the_tag_operations(idp, cleanup):
    created = _create(idp, UserPoolTags={"env": "dev", "team": "auth"})
    cleanup.append((idp, created["Id"]))
    arn = created["Arn"]
    assert created["UserPoolTags"] == {"env": "dev", "team": "auth"}
    assert idp.list_tags_for_resource(ResourceArn=arn)["Tags"] == {"env": "dev", "team": "auth"}
    idp.tag_resource(ResourceArn=arn, Tags={"env": "prod", "cost": "42"})
    idp.untag_resource(ResourceArn=arn, TagKeys=["team", "never-set"])
    assert idp.list_tags_for_resource(ResourceArn=arn)["Tags"] == {"env": "prod", "cost": "42"}
    assert _describe(idp, created["Id"])["UserPoolTags"] == {"env": "prod", "cost": "42"}
    idp.update_user_pool(UserPoolId=created["Id"], UserPoolTags={"only": "this"})
    assert idp.list_tags_for_resource(ResourceArn=arn)["Tags"] == {"only": "this"}
    with pytest.raises(ClientError) as exc:
        idp.tag_resource(ResourceArn=arn, Tags={f"k{i}": "v" for i in range(50)})
    assert _error(exc)[0] == "InvalidParameterException"


@pytest.mark.parametrize("arn", [
    "arn:aws:cognito-idp:eu-west-1:000000000000:userpool",
    "arn:aws:cognito-identity:eu-west-1:000000000000:identitypool/eu-west-1:abc",
    "arn:aws:cognito-idp:eu-west-1:000000000000:user/eu-west-1_abc",
])
def test_tags_refuse_arns_that_are_not_user_pools(idp, arn):
    with pytest.raises(ClientError) as exc:
        idp.list_tags_for_resource(ResourceArn=arn)
    assert _error(exc)[0] == "InvalidParameterException"


def test_tags_on_a_pool_that_does_not_exist(idp, pool, server):
    account = server.state.settings.account_id
    missing = f"arn:aws:cognito-idp:eu-west-1:{account}:userpool/eu-west-1_Missing12"
    wrong_region = pool["Arn"].replace(":eu-west-1:", ":us-east-2:")
    wrong_account = pool["Arn"].replace(f":{account}:", ":999999999999:")
    for arn, pool_id in ((missing, "eu-west-1_Missing12"), (wrong_region, pool["Id"]), (wrong_account, pool["Id"])):
        with pytest.raises(ClientError) as exc:
            idp.tag_resource(ResourceArn=arn, Tags={"a": "b"})
        assert _error(exc) == ("ResourceNotFoundException", f"User pool {pool_id} does not exist.")
    assert idp.list_tags_for_resource(ResourceArn=pool["Arn"])["Tags"] == {}


# --- MFA configuration ----------------------------------------------------------------

def _mfa(idp: Any, pool_id: str) -> dict[str, Any]:
    got = idp.get_user_pool_mfa_config(UserPoolId=pool_id)
    got.pop("ResponseMetadata")
    return got


def test_mfa_config_is_stored_echoed_and_seen_by_describe(idp, pool):
    assert _mfa(idp, pool["Id"]) == {"MfaConfiguration": "OFF"}
    answer = idp.set_user_pool_mfa_config(
        UserPoolId=pool["Id"], MfaConfiguration="OPTIONAL",
        SoftwareTokenMfaConfiguration={"Enabled": True},
        SmsMfaConfiguration={"SmsAuthenticationMessage": "Code {####}", "SmsConfiguration": SMS},
        EmailMfaConfiguration={"Message": "Your code {####}", "Subject": "Sign-in code"},
        WebAuthnConfiguration={"RelyingPartyId": "auth.example.com", "UserVerification": "required"},
    )
    answer.pop("ResponseMetadata")
    expected = {
        "MfaConfiguration": "OPTIONAL",
        "SoftwareTokenMfaConfiguration": {"Enabled": True},
        "SmsMfaConfiguration": {"SmsAuthenticationMessage": "Code {####}",
                                "SmsConfiguration": {**SMS, "SnsRegion": "eu-west-1"}},
        "EmailMfaConfiguration": {"Message": "Your code {####}", "Subject": "Sign-in code"},
        "WebAuthnConfiguration": {"RelyingPartyId": "auth.example.com", "UserVerification": "required"},
    }
    assert answer == expected
    assert _mfa(idp, pool["Id"]) == expected
    described = _describe(idp, pool["Id"])
    assert described["MfaConfiguration"] == "OPTIONAL"
    assert described["SmsConfiguration"] == {**SMS, "SnsRegion": "eu-west-1"}
    # A later call replaces the factors; passkey settings stay when not given.
    idp.set_user_pool_mfa_config(UserPoolId=pool["Id"], MfaConfiguration="ON",
                                 SoftwareTokenMfaConfiguration={"Enabled": True})
    assert _mfa(idp, pool["Id"]) == {"MfaConfiguration": "ON", "SoftwareTokenMfaConfiguration": {"Enabled": True},
                                     "WebAuthnConfiguration": expected["WebAuthnConfiguration"]}
    assert _describe(idp, pool["Id"])["MfaConfiguration"] == "ON"


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"MfaConfiguration": "ON"},
     "Invalid MFA configuration given, can't disable all MFAs with a required or optional configuration."),
    ({"MfaConfiguration": "OPTIONAL", "SoftwareTokenMfaConfiguration": {"Enabled": False}},
     "Invalid MFA configuration given, can't disable all MFAs with a required or optional configuration."),
    ({"MfaConfiguration": "OFF", "SoftwareTokenMfaConfiguration": {"Enabled": True}},
     "Invalid MFA configuration given, can't turn off MFA and configure an MFA together."),
    ({"MfaConfiguration": "OFF", "EmailMfaConfiguration": {"Message": "Code {####}"}},
     "Invalid MFA configuration given, can't turn off MFA and configure an MFA together."),
])
def test_set_mfa_config_refuses_inconsistent_settings(idp, pool, kwargs, message):
    with pytest.raises(ClientError) as exc:
        idp.set_user_pool_mfa_config(UserPoolId=pool["Id"], **kwargs)
    assert _error(exc) == ("InvalidParameterException", message)
    assert _mfa(idp, pool["Id"]) == {"MfaConfiguration": "OFF"}


def test_mfa_off_with_passkeys_only_is_accepted(idp, pool):
    idp.set_user_pool_mfa_config(UserPoolId=pool["Id"], MfaConfiguration="OFF",
                                 WebAuthnConfiguration={"RelyingPartyId": "example.com"})
    assert _mfa(idp, pool["Id"]) == {"MfaConfiguration": "OFF",
                                     "WebAuthnConfiguration": {"RelyingPartyId": "example.com"}}


def test_email_mfa_needs_essentials_or_plus(idp, cleanup):
    lite = _create(idp, UserPoolTier="LITE")
    cleanup.append((idp, lite["Id"]))
    with pytest.raises(ClientError) as exc:
        idp.set_user_pool_mfa_config(UserPoolId=lite["Id"], MfaConfiguration="OPTIONAL",
                                     EmailMfaConfiguration={"Message": "Code {####}"})
    assert _error(exc)[0] == "FeatureUnavailableInTierException"


def test_create_with_mfa_needs_an_sms_configuration(idp, cleanup):
    with pytest.raises(ClientError) as exc:
        _create(idp, MfaConfiguration="ON")
    assert _error(exc) == ("InvalidParameterException",
                           "SMS configuration and Auto verification for phone_number are required when MFA is "
                           "required/optional")
    created = _create(idp, MfaConfiguration="ON", SmsConfiguration=SMS, SmsAuthenticationMessage="Code {####}")
    cleanup.append((idp, created["Id"]))
    assert created["MfaConfiguration"] == "ON"
    assert _mfa(idp, created["Id"]) == {
        "MfaConfiguration": "ON",
        "SmsMfaConfiguration": {"SmsAuthenticationMessage": "Code {####}",
                                "SmsConfiguration": {**SMS, "SnsRegion": "eu-west-1"}},
    }
