{%- set consumer = cookiecutter.pattern == "idempotent-consumer" -%}
{%- set topics = cookiecutter.pattern == "topics-publisher" -%}
{%- set write_through = cookiecutter.pattern == "write-through" -%}
{%- set module = {"rate-limit": "rate_limit", "idempotent-consumer": "idempotent_consumer", "topics-publisher": "publisher", "write-through": "write_through"}.get(cookiecutter.pattern, "handler") -%}
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
    secret_arn="", secret_name="momento/test/api-key", cache_name="test-cache", default_ttl_seconds=60{% if topics %},
    webhook_secret_name="momento/test/webhook"{% endif %}
)
SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:momento/test/api-key-AbC123"
KMS_KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
{%- if write_through %}
STREAM_READ = {"dynamodb:ListStreams", "dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"}
"""What the stream's event source mapping grants (AWSLambdaDynamoDBExecutionRole's DynamoDB actions)."""
{%- endif %}


def synth(settings: MomentoSettings = SETTINGS) -> Template:
    app = cdk.App(context={"aws:cdk:bundling-stacks": []})
    stack = MomentoStack(
        app, "Test", settings=settings, env=cdk.Environment(account="123456789012", region="us-east-1")
    )
    return Template.from_stack(stack)


def statements(template: Template{% if consumer or topics or write_through %}, role: str = "MomentoFunction"{% endif %}) -> list[dict]:
{%- if consumer or topics or write_through %}
    """The statements of the policy attached to the role of ``role`` (a function's logical id prefix){% if consumer %}, without the SQS poller's (the event source mapping's){% elif write_through %}, without the stream poller's{% endif %}."""
{%- endif %}
    found = []
    for policy in template.find_resources("AWS::IAM::Policy").values():
{%- if consumer or topics or write_through %}
        if not policy["Properties"]["Roles"][0]["Ref"].startswith(role):
            continue
{%- endif %}
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            action = statement["Action"]
{%- if consumer %}
            if isinstance(action, list) and all(a.startswith("sqs:") for a in action):
                continue
{%- elif write_through %}
            if set(action if isinstance(action, list) else [action]) <= STREAM_READ:
                continue
{%- endif %}
            found.append({**statement, "Action": sorted(action) if isinstance(action, list) else action})
    return found


def test_the_function_runs_on_its_runtime_and_architecture_with_the_secret_contract_in_its_environment():
    template = synth()
    template.resource_count_is("AWS::Lambda::Function", {{ 2 if topics or write_through else 1 }})
    template.has_resource_properties(
        "AWS::Lambda::Function",
        {
            "Runtime": "{{ cookiecutter.runtime }}",
            "Architectures": ["{{ cookiecutter.architecture }}"],
            "Handler": "{{ module }}.lambda_handler",
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
{%- if topics or write_through %}
    for function in template.find_resources("AWS::Lambda::Function").values():
        assert "MOMENTO_API_KEY" not in json.dumps(function["Properties"]["Environment"]), "never the key itself"
{%- else %}
    (function,) = template.find_resources("AWS::Lambda::Function").values()
    assert "MOMENTO_API_KEY" not in json.dumps(function["Properties"]["Environment"]), "never the key itself"
{%- endif %}


def test_by_name_the_role_may_read_exactly_the_secret_name_with_any_suffix():
    (granted,{% if write_through %} _read_items{% endif %}) = statements(synth())
    assert granted["Action"] == ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"]
    assert json.dumps(granted["Resource"]).endswith(':secret:momento/test/api-key-??????"]]}')


def test_by_arn_the_role_may_read_exactly_that_arn_and_a_kms_key_adds_decrypt_on_that_key():
    template = synth(replace(SETTINGS, secret_arn=SECRET_ARN, kms_key_arn=KMS_KEY_ARN))
    assert [(s["Action"], s["Resource"]) for s in statements(template)] == [
        (["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"], SECRET_ARN),
        ("kms:Decrypt", KMS_KEY_ARN),
{%- if write_through %}
        ("dynamodb:GetItem", {"Fn::GetAtt": [next(iter(template.find_resources("AWS::DynamoDB::Table"))), "Arn"]}),
{%- endif %}
    ]
{%- if topics or write_through %}
    other = "{{ "WebhookFunction" if topics else "StreamFunction" }}"  # the other function reads the same secret, the same way
    assert [(s["Action"], s["Resource"]) for s in statements(template, other)][:2] == [
        (["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"], SECRET_ARN),
        ("kms:Decrypt", KMS_KEY_ARN),
    ]
{%- endif %}
    environment = {"Variables": Match.object_like({"MOMENTO_SECRET_ARN": SECRET_ARN})}
    template.has_resource_properties("AWS::Lambda::Function", {"Environment": environment})


{% if consumer -%}
def test_the_queue_feeds_the_function_in_batches_with_partial_failures_and_a_dead_letter_queue():
    template = synth()
    template.resource_count_is("AWS::ApiGatewayV2::Api", 0)
    template.resource_count_is("AWS::SQS::Queue", 2)
    queues = template.find_resources("AWS::SQS::Queue")
    (queue_id,) = [k for k, q in queues.items() if "RedrivePolicy" in q["Properties"]]
    (dlq_id,) = [k for k in queues if k != queue_id]
    queue, dlq = queues[queue_id]["Properties"], queues[dlq_id]["Properties"]
    assert queue["VisibilityTimeout"] >= 6 * 10  # AWS's guidance: 6 x the function's timeout
    assert queue["RedrivePolicy"] == {"deadLetterTargetArn": {"Fn::GetAtt": [dlq_id, "Arn"]}, "maxReceiveCount": 5}
    assert queue["SqsManagedSseEnabled"] is True and dlq["SqsManagedSseEnabled"] is True
    assert dlq["MessageRetentionPeriod"] == 1209600
    (mapping,) = template.find_resources("AWS::Lambda::EventSourceMapping").values()
    assert mapping["Properties"]["EventSourceArn"] == {"Fn::GetAtt": [queue_id, "Arn"]}
    assert mapping["Properties"]["BatchSize"] == 10
    assert mapping["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    variables = template.find_resources("AWS::Lambda::Function")
    (function,) = variables.values()
    environment = function["Properties"]["Environment"]["Variables"]
    assert int(environment["IDEMPOTENCY_TTL_SECONDS"]) > queue["VisibilityTimeout"]  # a claim outlives it


def test_the_sqs_permissions_are_on_the_queue_only():
    template = synth()
    queues = template.find_resources("AWS::SQS::Queue")
    (queue_id,) = [k for k, q in queues.items() if "RedrivePolicy" in q["Properties"]]
    for policy in template.find_resources("AWS::IAM::Policy").values():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            if any(a.startswith("sqs:") for a in actions):
                assert statement["Resource"] == {"Fn::GetAtt": [queue_id, "Arn"]}
{%- elif topics -%}
def test_the_http_api_routes_post_events_to_the_publisher():
    template = synth()
    template.resource_count_is("AWS::ApiGatewayV2::Api", 1)
    template.has_resource_properties("AWS::ApiGatewayV2::Route", {"RouteKey": "POST /events"})
    template.has_resource_properties(
        "AWS::Lambda::Function",
        {"Handler": "publisher.lambda_handler", "Environment": {"Variables": Match.object_like({"MOMENTO_TOPIC_NAME": "events"})}},
    )


def test_the_webhook_is_public_behind_its_function_url_and_alone_reads_the_signing_secret():
    template = synth()
    template.has_resource_properties("AWS::Lambda::Url", {"AuthType": "NONE"})
    variables = {"MOMENTO_WEBHOOK_SECRET_NAME": "momento/test/webhook", "WEBHOOK_MAX_AGE_SECONDS": "60"}
    template.has_resource_properties(
        "AWS::Lambda::Function",
        {"Handler": "webhook.lambda_handler", "Environment": {"Variables": Match.object_like(variables)}},
    )
    webhook = statements(template, "WebhookFunction")
    assert [s["Action"] for s in webhook] == [["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"]] * 2
    assert json.dumps(webhook[0]["Resource"]).endswith(':secret:momento/test/api-key-??????"]]}')
    assert json.dumps(webhook[1]["Resource"]).endswith(':secret:momento/test/webhook-??????"]]}')
    assert "webhook" not in json.dumps(statements(template, "MomentoFunction")), "the publisher never reads it"
{%- elif write_through -%}
def test_the_table_is_on_demand_with_a_new_and_old_images_stream_pitr_sse_and_retained():
    template = synth()
    (table,) = template.find_resources("AWS::DynamoDB::Table").values()
    assert table["DeletionPolicy"] == "Retain" and table["UpdateReplacePolicy"] == "Retain"
    properties = table["Properties"]
    assert properties["BillingMode"] == "PAY_PER_REQUEST"
    assert properties["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}]
    assert properties["StreamSpecification"] == {"StreamViewType": "NEW_AND_OLD_IMAGES"}
    assert properties["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert properties["SSESpecification"] == {"SSEEnabled": True}


def test_the_reader_may_get_items_only_and_the_http_api_routes_get_items_id_to_it():
    template = synth()
    (table_id,) = template.find_resources("AWS::DynamoDB::Table")
    reader = [s for s in statements(template, "MomentoFunction") if s.get("Sid") == "ReadItems"]
    assert reader == [
        {"Sid": "ReadItems", "Action": "dynamodb:GetItem", "Effect": "Allow", "Resource": {"Fn::GetAtt": [table_id, "Arn"]}}
    ]
    template.has_resource_properties(
        "AWS::Lambda::Function",
        {"Handler": "write_through.lambda_handler", "Environment": {"Variables": Match.object_like({"ITEMS_TABLE_NAME": {"Ref": table_id}})}},
    )
    template.has_resource_properties("AWS::ApiGatewayV2::Route", {"RouteKey": "GET /items/{id}"})


def test_the_stream_function_reads_the_stream_with_retries_bisection_and_partial_failures():
    template = synth()
    (table_id,) = template.find_resources("AWS::DynamoDB::Table")
    (mapping,) = template.find_resources("AWS::Lambda::EventSourceMapping").values()
    properties = mapping["Properties"]
    assert properties["EventSourceArn"] == {"Fn::GetAtt": [table_id, "StreamArn"]}
    assert properties["FunctionName"]["Ref"].startswith("StreamFunction")
    assert properties["StartingPosition"] == "LATEST" and properties["BatchSize"] == 100
    assert properties["MaximumRetryAttempts"] == 5 and properties["BisectBatchOnFunctionError"] is True
    assert properties["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert properties.get("MaximumBatchingWindowInSeconds", 0) == 0
    # Its role has the secret and the stream, nothing on the table itself.
    (secret,) = statements(template, "StreamFunction")
    assert secret["Action"] == ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"]
    for policy in template.find_resources("AWS::IAM::Policy").values():
        if policy["Properties"]["Roles"][0]["Ref"].startswith("StreamFunction"):
            text = json.dumps(policy["Properties"]["PolicyDocument"])
            assert "dynamodb:GetItem" not in text and "dynamodb:PutItem" not in text
            for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
                if statement["Action"] != "dynamodb:ListStreams" and "dynamodb:GetRecords" in statement["Action"]:
                    assert statement["Resource"] == {"Fn::GetAtt": [table_id, "StreamArn"]}
{%- else -%}
def test_the_http_api_routes_get_items_id_to_the_function():
    template = synth()
    template.resource_count_is("AWS::ApiGatewayV2::Api", 1)
    template.has_resource_properties("AWS::ApiGatewayV2::Route", {"RouteKey": "GET /items/{id}"})
{%- endif %}
{%- if cookiecutter.snapstart %}


def test_snapstart_applies_to_published_versions_behind_the_alias_the_api_calls():
    template = synth()
    template.has_resource_properties("AWS::Lambda::Function", {"SnapStart": {"ApplyOn": "PublishedVersions"}})
    template.has_resource_properties("AWS::Lambda::Alias", {"Name": "snapstart"})
{%- if consumer %}
    (alias_id,) = template.find_resources("AWS::Lambda::Alias")
    (mapping,) = template.find_resources("AWS::Lambda::EventSourceMapping").values()
    assert alias_id in json.dumps(mapping["Properties"]["FunctionName"]), "the queue invokes the alias"
{%- elif topics %}
    permissions = template.find_resources("AWS::Lambda::Permission").values()
    (permission,) = [p for p in permissions if p["Properties"]["Principal"] == "apigateway.amazonaws.com"]
    (alias_id,) = template.find_resources("AWS::Lambda::Alias")
    assert permission["Properties"]["FunctionName"] == {"Ref": alias_id}
{%- else %}
    (permission,) = template.find_resources("AWS::Lambda::Permission").values()
    (alias_id,) = template.find_resources("AWS::Lambda::Alias")
    assert permission["Properties"]["FunctionName"] == {"Ref": alias_id}
{%- endif %}
{%- endif %}
