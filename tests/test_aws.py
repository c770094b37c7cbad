"""The AWS session/client factory, against the moto server (real boto3 over HTTP)."""

from __future__ import annotations

import botocore.exceptions
import pytest

from momento_lambda_cli import aws as factory
from momento_lambda_cli.errors import MomentoLambdaError


def make(service, **options):
    return factory.make_client(factory.AwsOptions(**options), service)


def test_client_reaches_moto_through_aws_endpoint_url(aws):
    identity = make("sts").get_caller_identity()
    assert identity["Account"] == aws.account_id


def test_region_flag_beats_environment(aws, monkeypatch):
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-south-1")
    assert make("sts", region="us-west-2").meta.region_name == "us-west-2"
    assert make("sts").meta.region_name == "eu-west-1"
    monkeypatch.delenv("AWS_REGION")
    assert make("sts").meta.region_name == "ap-south-1"


def test_profile_from_flag_and_aws_profile(aws, monkeypatch, tmp_path):
    config = tmp_path / "config"
    config.write_text("[profile team]\nregion = eu-central-1\n[profile other]\nregion = sa-east-1\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.delenv("AWS_REGION")
    assert make("sts", profile="team").meta.region_name == "eu-central-1"
    monkeypatch.setenv("AWS_PROFILE", "other")
    assert make("sts").meta.region_name == "sa-east-1"
    # An explicit region still wins over the profile's.
    assert make("sts", profile="team", region="us-east-2").meta.region_name == "us-east-2"


def test_unknown_profile_is_a_clear_error(aws):
    with pytest.raises(MomentoLambdaError) as caught:
        factory.make_session(factory.AwsOptions(profile="does-not-exist"))
    assert "does-not-exist" in caught.value.message
    assert caught.value.code == "aws.profile-not-found"
    assert caught.value.hint


def test_no_region_is_a_clear_error():
    with pytest.raises(MomentoLambdaError) as caught:
        make("sts")
    assert caught.value.code == "aws.no-region"


def test_explicit_endpoint_url_beats_environment(aws, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    assert make("sts", endpoint_url=aws.url).get_caller_identity()["Account"] == aws.account_id


def test_client_config_uses_standard_retries_and_short_timeouts(aws):
    config = make("secretsmanager").meta.config
    assert config.retries == {"mode": "standard", "total_max_attempts": factory.MAX_ATTEMPTS}
    assert config.connect_timeout == factory.CONNECT_TIMEOUT_SECONDS
    assert config.read_timeout == factory.READ_TIMEOUT_SECONDS
    assert "momento-lambda/" in config.user_agent_extra


def test_missing_credentials_translate_to_one_line(monkeypatch, aws):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name)
    client = make("sts")
    with pytest.raises(botocore.exceptions.NoCredentialsError) as caught:
        client.get_caller_identity()
    error = factory.translate_error(caught.value, action="sts:GetCallerIdentity")
    assert error.code == "aws.no-credentials"
    assert "aws configure" in (error.hint or "")


def test_client_error_translates_with_action_and_resource(aws):
    client = make("secretsmanager")
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        client.describe_secret(SecretId="momento/missing")
    error = factory.translate_error(caught.value, action="secretsmanager:DescribeSecret", resource="momento/missing")
    assert error.code == "aws.ResourceNotFoundException"
    assert "secretsmanager:DescribeSecret on momento/missing" in error.message


def test_unreachable_endpoint_translates(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    client = factory.make_client(
        factory.AwsOptions(region="us-east-1"), "sts", retries={"mode": "standard", "total_max_attempts": 1}
    )
    with pytest.raises(botocore.exceptions.EndpointConnectionError) as caught:
        client.get_caller_identity()
    error = factory.translate_error(caught.value, action="sts:GetCallerIdentity")
    assert error.code == "aws.unreachable"


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("AccessDeniedException", "aws.access-denied"),
        ("ThrottlingException", "aws.throttled"),
        ("ExpiredTokenException", "aws.expired-token"),
        ("UnrecognizedClientException", "aws.invalid-credentials"),
    ],
)
def test_error_code_mapping(code, expected):
    exc = botocore.exceptions.ClientError({"Error": {"Code": code, "Message": "m"}}, "Op")
    error = factory.translate_error(exc, action="secretsmanager:PutSecretValue", resource="momento/x")
    assert error.code == expected
    assert error.hint


def test_a_response_that_is_not_aws_is_said_in_words_never_as_bytes():
    from botocore.parsers import ResponseParserError

    raw = ResponseParserError("Unable to parse response (syntax error), invalid XML received:\nb'<html>proxy</html>'")
    error = factory.translate_error(raw, action="cloudformation:DescribeStacks", resource="demo")
    assert error.code == "aws.unreachable"  # a wrong endpoint: not checked, not a verdict
    assert "b'" not in error.message and "not an AWS response" in error.message


def test_an_aws_error_names_the_action_and_the_http_status():
    response = {
        "Error": {"Code": "ValidationError", "Message": "bad\n  b'x' thing"},
        "ResponseMetadata": {"HTTPStatusCode": 400},
    }
    error = factory.translate_error(
        botocore.exceptions.ClientError(response, "DescribeStacks"), action="cloudformation:DescribeStacks"
    )
    assert error.message.startswith("cloudformation:DescribeStacks failed with ValidationError (HTTP 400): bad")
    assert "b'x'" not in error.message and "\n" not in error.message
