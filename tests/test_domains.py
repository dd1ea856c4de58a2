"""User pool domains over boto3: Create/Describe/Update/DeleteUserPoolDomain and how
DescribeUserPool and DeleteUserPool see them."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from botocore.exceptions import ClientError

CERT = "arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555"


def _error(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    err = exc.value.response["Error"]
    return err["Code"], err["Message"]


def _name() -> str:
    return f"my-app-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def domain(idp: Any, pool: dict[str, Any]) -> Any:
    """A prefix domain on the test's pool, removed before the pool is."""
    made: list[str] = []

    def create(name: str | None = None, **kwargs: Any) -> str:
        name = name or _name()
        idp.create_user_pool_domain(UserPoolId=pool["Id"], Domain=name, **kwargs)
        made.append(name)
        return name

    yield create
    for name in made:
        try:
            idp.delete_user_pool_domain(UserPoolId=pool["Id"], Domain=name)
        except ClientError:
            pass


def test_create_and_describe_a_prefix_domain(idp: Any, pool: dict[str, Any]) -> None:
    name = _name()
    created = idp.create_user_pool_domain(UserPoolId=pool["Id"], Domain=name)
    assert created["ManagedLoginVersion"] == 1 and "CloudFrontDomain" not in created
    described = idp.describe_user_pool_domain(Domain=name)["DomainDescription"]
    assert described["UserPoolId"] == pool["Id"] and described["Domain"] == name
    assert described["AWSAccountId"] == "000000000000" and described["Status"] == "ACTIVE"
    assert described["S3Bucket"] == "aws-cognito-prod-dub-assets"
    assert described["CloudFrontDistribution"].endswith(".cloudfront.net")
    assert len(described["Version"]) == 14 and described["CustomDomainConfig"] == {}
    assert described["ManagedLoginVersion"] == 1
    assert idp.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]["Domain"] == name
    idp.delete_user_pool_domain(UserPoolId=pool["Id"], Domain=name)
    assert "Domain" not in idp.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]
    assert idp.describe_user_pool_domain(Domain=name)["DomainDescription"] == {}


def test_unknown_domain_is_an_empty_description(idp: Any) -> None:
    assert idp.describe_user_pool_domain(Domain=_name())["DomainDescription"] == {}


def test_domain_names_are_unique(idp: Any, pool: dict[str, Any], domain: Any) -> None:
    name = domain()
    other = idp.create_user_pool(PoolName="other")["UserPool"]["Id"]
    try:
        with pytest.raises(ClientError) as exc:
            idp.create_user_pool_domain(UserPoolId=other, Domain=name)
        assert _error(exc) == ("InvalidParameterException", "Domain already associated with another user pool.")
    finally:
        idp.delete_user_pool(UserPoolId=other)


def test_one_prefix_domain_per_pool(idp: Any, pool: dict[str, Any], domain: Any) -> None:
    domain()
    with pytest.raises(ClientError) as exc:
        idp.create_user_pool_domain(UserPoolId=pool["Id"], Domain=_name())
    assert _error(exc)[0] == "InvalidParameterException"


@pytest.mark.parametrize("name", ["my-aws-login", "amazon-shop", "cognito-test"])
def test_reserved_words_are_refused(idp: Any, pool: dict[str, Any], name: str) -> None:
    with pytest.raises(ClientError) as exc:
        idp.create_user_pool_domain(UserPoolId=pool["Id"], Domain=name + uuid.uuid4().hex[:6])
    assert _error(exc)[0] == "InvalidParameterException"


def test_model_pattern_is_enforced(idp: Any, pool: dict[str, Any]) -> None:
    with pytest.raises(ClientError) as exc:
        idp.create_user_pool_domain(UserPoolId=pool["Id"], Domain="Has_Upper")
    assert _error(exc)[0] == "InvalidParameterException"


def test_update_managed_login_version(idp: Any, pool: dict[str, Any], domain: Any) -> None:
    name = domain(ManagedLoginVersion=2)
    assert idp.describe_user_pool_domain(Domain=name)["DomainDescription"]["ManagedLoginVersion"] == 2
    updated = idp.update_user_pool_domain(UserPoolId=pool["Id"], Domain=name, ManagedLoginVersion=1)
    assert updated["ManagedLoginVersion"] == 1
    assert idp.describe_user_pool_domain(Domain=name)["DomainDescription"]["ManagedLoginVersion"] == 1
    with pytest.raises(ClientError) as exc:
        idp.update_user_pool_domain(UserPoolId=pool["Id"], Domain=name, ManagedLoginVersion=3)
    assert _error(exc)[0] == "InvalidParameterException"


def test_update_or_delete_someone_elses_domain(idp: Any, pool: dict[str, Any], domain: Any) -> None:
    name = domain()
    other = idp.create_user_pool(PoolName="other")["UserPool"]["Id"]
    try:
        for call in (lambda: idp.update_user_pool_domain(UserPoolId=other, Domain=name, ManagedLoginVersion=2),
                     lambda: idp.delete_user_pool_domain(UserPoolId=other, Domain=name),
                     lambda: idp.delete_user_pool_domain(UserPoolId=pool["Id"], Domain=_name())):
            with pytest.raises(ClientError) as exc:
                call()
            assert _error(exc) == ("InvalidParameterException", "No such domain or user pool exists.")
    finally:
        idp.delete_user_pool(UserPoolId=other)
    assert idp.describe_user_pool_domain(Domain=name)["DomainDescription"]["UserPoolId"] == pool["Id"]


def test_unknown_pool(idp: Any) -> None:
    with pytest.raises(ClientError) as exc:
        idp.create_user_pool_domain(UserPoolId="eu-west-1_nothere00", Domain=_name())
    assert _error(exc)[0] == "ResourceNotFoundException"


def test_pool_with_a_domain_cannot_be_deleted(idp: Any) -> None:
    pool_id = idp.create_user_pool(PoolName="with-domain")["UserPool"]["Id"]
    name = _name()
    idp.create_user_pool_domain(UserPoolId=pool_id, Domain=name)
    with pytest.raises(ClientError) as exc:
        idp.delete_user_pool(UserPoolId=pool_id)
    assert _error(exc) == ("InvalidParameterException",
                           "User pool cannot be deleted. It has a domain configured that should be deleted first.")
    idp.delete_user_pool_domain(UserPoolId=pool_id, Domain=name)
    idp.delete_user_pool(UserPoolId=pool_id)
    # The name is free again.
    again = idp.create_user_pool(PoolName="next")["UserPool"]["Id"]
    idp.create_user_pool_domain(UserPoolId=again, Domain=name)
    idp.delete_user_pool_domain(UserPoolId=again, Domain=name)
    idp.delete_user_pool(UserPoolId=again)


def test_update_user_pool_keeps_the_domain(idp: Any, pool: dict[str, Any], domain: Any) -> None:
    name = domain()
    idp.update_user_pool(UserPoolId=pool["Id"], AutoVerifiedAttributes=["email"])
    assert idp.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]["Domain"] == name


def test_custom_domain_beside_the_prefix_domain(idp: Any, pool: dict[str, Any], domain: Any) -> None:
    """The model's Domain pattern has no dot, so a custom name here is a dot-less host."""
    prefix = domain()
    custom = f"login{uuid.uuid4().hex[:6]}"
    created = idp.create_user_pool_domain(UserPoolId=pool["Id"], Domain=custom,
                                          CustomDomainConfig={"CertificateArn": CERT})
    try:
        assert created["CloudFrontDomain"].endswith(".cloudfront.net")
        described = idp.describe_user_pool_domain(Domain=custom)["DomainDescription"]
        assert described["CustomDomainConfig"] == {"CertificateArn": CERT}
        assert described["CloudFrontDistribution"] == created["CloudFrontDomain"]
        shown = idp.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]
        assert shown["Domain"] == prefix and shown["CustomDomain"] == custom
        new_cert = CERT.replace("5555", "6666")
        idp.update_user_pool_domain(UserPoolId=pool["Id"], Domain=custom,
                                    CustomDomainConfig={"CertificateArn": new_cert})
        assert idp.describe_user_pool_domain(Domain=custom)["DomainDescription"]["CustomDomainConfig"] == {
            "CertificateArn": new_cert}
    finally:
        idp.delete_user_pool_domain(UserPoolId=pool["Id"], Domain=custom)
    assert "CustomDomain" not in idp.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]


def test_certificate_is_for_custom_domains_only(idp: Any, pool: dict[str, Any], domain: Any) -> None:
    name = domain()
    with pytest.raises(ClientError) as exc:
        idp.update_user_pool_domain(UserPoolId=pool["Id"], Domain=name, CustomDomainConfig={"CertificateArn": CERT})
    assert _error(exc)[0] == "InvalidParameterException"


def test_managed_login_needs_a_feature_plan(idp: Any) -> None:
    pool_id = idp.create_user_pool(PoolName="lite", UserPoolTier="LITE")["UserPool"]["Id"]
    try:
        with pytest.raises(ClientError) as exc:
            idp.create_user_pool_domain(UserPoolId=pool_id, Domain=_name(), ManagedLoginVersion=2)
        assert _error(exc)[0] == "FeatureUnavailableInTierException"
    finally:
        idp.delete_user_pool(UserPoolId=pool_id)
