"""CDK assertions on the stack: the function's runtime, architecture and environment, and the
read grant on exactly the Momento secret. Offline and quick: bundling is skipped
(aws:cdk:bundling-stacks), so no pip runs here; `npx cdk synth` builds the dependencies.

    pip install -r requirements-dev.txt && pytest
"""

from __future__ import annotations

import json
from dataclasses import replace

import aws_cdk as cdk
from aws_cdk.assertions import Match, Template
from momento_stack import MomentoSettings, MomentoStack

SETTINGS = MomentoSettings(
    secret_arn="", secret_name="momento/test/api-key", cache_name="test-cache", default_ttl_seconds=60
)
SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:momento/test/api-key-AbC123"
KMS_KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def synth(settings: MomentoSettings = SETTINGS) -> Template:
    app = cdk.App(context={"aws:cdk:bundling-stacks": []})
    stack = MomentoStack(
        app, "Test", settings=settings, env=cdk.Environment(account="123456789012", region="us-east-1")
    )
    return Template.from_stack(stack)


def statements(template: Template) -> list[dict]:
    found = []
    for policy in template.find_resources("AWS::IAM::Policy").values():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            action = statement["Action"]
            found.append({**statement, "Action": sorted(action) if isinstance(action, list) else action})
    return found


def test_the_function_runs_on_its_runtime_and_architecture_with_the_secret_contract_in_its_environment():
    template = synth()
    template.resource_count_is("AWS::Lambda::Function", 1)
    template.has_resource_properties(
        "AWS::Lambda::Function",
        {
            "Runtime": "{{ cookiecutter.runtime }}",
            "Architectures": ["{{ cookiecutter.architecture }}"],
            "Handler": "{% if cookiecutter.pattern == "rate-limit" %}rate_limit{% else %}handler{% endif %}.lambda_handler",
            "Timeout": 10,
            "MemorySize": 512,
            "Environment": {
                "Variables": Match.object_like(
                    {
                        "MOMENTO_SECRET_ARN": "momento/test/api-key",
                        "MOMENTO_CACHE_NAME": "test-cache",
                        "MOMENTO_DEFAULT_TTL_SECONDS": "60",
                        "MOMENTO_INIT_CLIENT": "{{ cookiecutter.init_client }}",
                    }
                )
            },
        },
    )
    (function,) = template.find_resources("AWS::Lambda::Function").values()
    assert "MOMENTO_API_KEY" not in json.dumps(function["Properties"]["Environment"]), "never the key itself"


def test_by_name_the_role_may_read_exactly_the_secret_name_with_any_suffix():
    (granted,) = statements(synth())
    assert granted["Action"] == ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"]
    assert json.dumps(granted["Resource"]).endswith(':secret:momento/test/api-key-??????"]]}')


def test_by_arn_the_role_may_read_exactly_that_arn_and_a_kms_key_adds_decrypt_on_that_key():
    template = synth(replace(SETTINGS, secret_arn=SECRET_ARN, kms_key_arn=KMS_KEY_ARN))
    assert [(s["Action"], s["Resource"]) for s in statements(template)] == [
        (["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"], SECRET_ARN),
        ("kms:Decrypt", KMS_KEY_ARN),
    ]
    environment = {"Variables": Match.object_like({"MOMENTO_SECRET_ARN": SECRET_ARN})}
    template.has_resource_properties("AWS::Lambda::Function", {"Environment": environment})


def test_the_http_api_routes_get_items_id_to_the_function():
    template = synth()
    template.resource_count_is("AWS::ApiGatewayV2::Api", 1)
    template.has_resource_properties("AWS::ApiGatewayV2::Route", {"RouteKey": "GET /items/{id}"})
{%- if cookiecutter.snapstart %}


def test_snapstart_applies_to_published_versions_behind_the_alias_the_api_calls():
    template = synth()
    template.has_resource_properties("AWS::Lambda::Function", {"SnapStart": {"ApplyOn": "PublishedVersions"}})
    template.has_resource_properties("AWS::Lambda::Alias", {"Name": "snapstart"})
    (permission,) = template.find_resources("AWS::Lambda::Permission").values()
    (alias_id,) = template.find_resources("AWS::Lambda::Alias")
    assert permission["Properties"]["FunctionName"] == {"Ref": alias_id}
{%- endif %}
