{%- set rate_limit = cookiecutter.pattern == "rate-limit" -%}
{%- set consumer = cookiecutter.pattern == "idempotent-consumer" -%}
{%- set topics = cookiecutter.pattern == "topics-publisher" -%}
{%- set write_through = cookiecutter.pattern == "write-through" -%}
{%- set two_functions = topics or write_through -%}
{%- set arm = cookiecutter.architecture == "arm64" -%}
{#- One function: its handler module, the environment lines beyond the secret contract's (caller). -#}
{%- macro python_function(field, id, description, module, snapstart=False) -%}
        self.{{ field }} = lambda_.Function(
            self,
            "{{ id }}",
            description="{{ description }}",
            runtime=RUNTIME,
            architecture=ARCHITECTURE,
            handler="{{ module }}.lambda_handler",
            code={{ "code" if two_functions else "function_code(settings.bundling)" }},
            timeout=cdk.Duration.seconds(10),
            memory_size=512,
            environment={
                "MOMENTO_SECRET_ARN": settings.secret_arn or settings.secret_name,
                "MOMENTO_CACHE_NAME": settings.cache_name,
                "MOMENTO_DEFAULT_TTL_SECONDS": str(settings.default_ttl_seconds),
                # eager: read the secret and build the client during INIT (lazy: on the first request).
                "MOMENTO_INIT_CLIENT": "{{ cookiecutter.init_client }}",
{{- caller() }}
            },
{%- if snapstart %}
            # SnapStart: Lambda runs INIT once per published version and restores new execution
            # environments from its snapshot. Only published versions use it: the alias below
            # points at the version published on each deploy, and the {{ "queue's event source mapping" if consumer else "HTTP API" }} calls the alias.
            snap_start=lambda_.SnapStartConf.ON_PUBLISHED_VERSIONS,
{%- endif %}
        )
{%- endmacro -%}
{#- The read on exactly the Momento secret (and kms:Decrypt on its key) for one function. -#}
{%- macro grant_secret(field) %}
        self.secret.grant_read(self.{{ field }})
        if settings.kms_key_arn:
            self.{{ field }}.add_to_role_policy(
                iam.PolicyStatement(sid="DecryptMomentoApiKey", actions=["kms:Decrypt"], resources=[settings.kms_key_arn])
            )
{%- endmacro -%}
{%- if consumer -%}
"""The stack: one function that processes each message of an SQS queue once (claims in the
Momento cache), the queue with its dead-letter queue and partial batch responses, and the read
grant on exactly the secret holding the Momento API key."""
{%- elif topics -%}
"""The stack: a function that publishes events to a Momento topic behind the HTTP API
`POST /events`, a function behind a Function URL that receives the topic's signed webhook
deliveries, and the read grants on exactly the secrets each one needs."""
{%- elif write_through -%}
"""The stack: a DynamoDB table, a function that reads its items through the Momento cache behind
the HTTP API `GET /items/{id}`, a function on the table's stream that writes every change into
the cache, and the read grant on exactly the secret holding the Momento API key."""
{%- else -%}
"""The stack: one function that {% if rate_limit %}rate-limits an API with the Momento cache{% else %}reads through the Momento cache{% endif %}, the read grant on
exactly the secret holding the Momento API key, and the HTTP API `GET /items/{id}`."""
{%- endif %}

from __future__ import annotations
{% if topics %}
import re
{%- endif %}
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aws_cdk as cdk
{%- if not consumer %}
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_apigatewayv2_integrations as integrations
{%- endif %}
{%- if write_through %}
from aws_cdk import aws_dynamodb as dynamodb
{%- endif %}
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
{%- if consumer or write_through %}
from aws_cdk import aws_lambda_event_sources as eventsources
{%- endif %}
from aws_cdk import aws_secretsmanager as secretsmanager
{%- if consumer %}
from aws_cdk import aws_sqs as sqs
{%- endif %}
from constructs import Construct
from local_bundling import PipInstall

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SOURCE = PROJECT_ROOT / "src"
RUNTIME = lambda_.Runtime.PYTHON_{{ cookiecutter.runtime | replace("python", "") | replace(".", "_") }}
PYTHON_VERSION = "{{ cookiecutter.runtime | replace("python", "") }}"
ARCHITECTURE = lambda_.Architecture.{{ "ARM_64" if arm else "X86_64" }}
WHEEL_PLATFORM = "{{ "manylinux2014_aarch64" if arm else "manylinux2014_x86_64" }}"
BUNDLING_MODES = ("local", "docker")


@dataclass(frozen=True)
class MomentoSettings:
    secret_arn: str
    """ARN of the secret holding the Momento API key; empty: the secret is looked up by name."""
    secret_name: str
    """Name of that secret (used while secret_arn is empty)."""
    cache_name: str
    default_ttl_seconds: int
    kms_key_arn: str = ""
    """The customer-managed KMS key encrypting the secret; empty for the AWS-managed key."""
    region: str = ""
    bundling: str = "local"
    """How the dependencies are built: local (pip for Lambda's platform, no Docker) or docker."""
{%- if topics %}
    topic_name: str = "events"
    """The Momento topic the publishing function publishes to."""
    webhook_secret_name: str = "momento/{{ cookiecutter.project_name }}/webhook-signing-secret"
    """Name of the secret holding the Momento webhook's signing secret (only the webhook reads it)."""
{%- endif %}


def settings_from_context(scope: Construct) -> MomentoSettings:
    """The settings in the app's context (cdk.json "context", or `-c key=value`)."""

    def text(key: str) -> str:
        value = scope.node.try_get_context(key)
        return "" if value is None else str(value).strip()

    try:
        ttl = int(text("momentoDefaultTtlSeconds") or "{{ cookiecutter.default_ttl_seconds }}")
    except ValueError:
        ttl = 0
    if not 1 <= ttl <= 86400:
        raise ValueError("momentoDefaultTtlSeconds must be a whole number of seconds from 1 to 86400")
    settings = MomentoSettings(
        secret_arn=text("momentoSecretArn"),
        secret_name=text("momentoSecretName"),
        cache_name=text("momentoCacheName"),
        default_ttl_seconds=ttl,
        kms_key_arn=text("momentoKmsKeyArn"),
        region=text("region"),
        bundling=text("momentoBundling") or "local",
{%- if topics %}
        topic_name=text("momentoTopicName") or "events",
        webhook_secret_name=text("webhookSecretName") or "momento/{{ cookiecutter.project_name }}/webhook-signing-secret",
{%- endif %}
    )
    if not settings.secret_arn and not settings.secret_name:
        raise ValueError("Set momentoSecretArn or momentoSecretName in cdk.json (or -c momentoSecretName=...)")
    if not settings.cache_name:
        raise ValueError("Set momentoCacheName in cdk.json (or -c momentoCacheName=...)")
    if settings.bundling not in BUNDLING_MODES:
        raise ValueError(f"momentoBundling must be one of {', '.join(BUNDLING_MODES)}, not {settings.bundling!r}")
{%- if topics %}
    if not re.fullmatch(r"[a-zA-Z0-9_.-]{1,128}", settings.topic_name):
        raise ValueError(f"momentoTopicName must be 1 to 128 letters, digits, '_', '.' or '-', not {settings.topic_name!r}")
{%- endif %}
    return settings


def function_code(bundling: str) -> lambda_.Code:
    """src/ plus src/requirements.txt installed for Lambda: grpcio is compiled, so the wheels
    must be for the function's CPU and Python version, whatever machine runs the synth.

    local: pip on this machine downloads the manylinux wheels for Lambda's platform (no Docker;
    every dependency must have a binary wheel). docker: pip inside the SAM build image of the
    runtime and architecture (needs a running Docker engine)."""
    return lambda_.Code.from_asset(
        str(SOURCE),
        exclude=["__pycache__", "*.pyc"],
        bundling=cdk.BundlingOptions(
            image=RUNTIME.bundling_image,
            platform="{{ "linux/arm64" if arm else "linux/amd64" }}",
            command=[
                "bash",
                "-c",
                "pip install --no-cache-dir -r requirements.txt -t /asset-output && cp -au . /asset-output",
            ],
            local=PipInstall(SOURCE, PYTHON_VERSION, WHEEL_PLATFORM) if bundling == "local" else None,
        ),
    )


class MomentoStack(cdk.Stack):
    def __init__(self, scope: Construct, construct_id: str, *, settings: MomentoSettings, **kwargs: Any) -> None:
        super().__init__(scope, construct_id, **kwargs)

        # The secret: by its full ARN once `momento-lambda store-token` (or you) recorded it;
        # until then by name, which grants the name with any ARN suffix (secret:NAME-??????).
        if settings.secret_arn:
            self.secret = secretsmanager.Secret.from_secret_complete_arn(self, "MomentoSecret", settings.secret_arn)
        else:
            self.secret = secretsmanager.Secret.from_secret_name_v2(self, "MomentoSecret", settings.secret_name)

{% if write_through %}        # The items. Retained when the stack is deleted or the table replaced: it holds your data.
        self.table = dynamodb.Table(
            self,
            "ItemsTable",
            partition_key=dynamodb.Attribute(name="id", type=dynamodb.AttributeType.STRING),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            # The stream function writes the new image into the cache.
            stream=dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            encryption=dynamodb.TableEncryption.AWS_MANAGED,
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )

{% endif %}
{%- if two_functions %}        code = function_code(settings.bundling)  # one asset (the code and its dependencies) for both functions
{% endif %}        {% if rate_limit %}{% call python_function("function", "MomentoFunction", "A rate-limited API counting in Momento", "rate_limit", cookiecutter.snapstart) %}
                # Requests each client (x-api-key header, else source IP) may make per window; then 429.
                "RATE_LIMIT_MAX_REQUESTS": "10",
                "RATE_LIMIT_WINDOW_SECONDS": "60",
                # open: serve requests unlimited while Momento is unreachable; closed: answer 503.
                "RATE_LIMIT_FAIL": "open",
{%- endcall %}
{%- elif consumer %}{% call python_function("function", "MomentoFunction", "Processes each SQS message once (claims in Momento)", "idempotent_consumer", cookiecutter.snapstart) %}
                # The message id is the idempotency key; or a field of the JSON body (e.g. orderId, order.id).
                "IDEMPOTENCY_KEY_FIELD": "",
                # A claim outlives the queue's visibility timeout (60 s, 6 x the function's 10 s timeout).
                "IDEMPOTENCY_TTL_SECONDS": "90",
                # How long a processed message's key is kept: duplicates within it are acknowledged.
                "IDEMPOTENCY_DONE_TTL_SECONDS": "86400",
{%- endcall %}
{%- elif topics %}{% call python_function("function", "MomentoFunction", "Publishes events to a Momento topic", "publisher", cookiecutter.snapstart) %}
                "MOMENTO_TOPIC_NAME": settings.topic_name,
{%- endcall %}
{%- elif write_through %}{% call python_function("function", "MomentoFunction", "Reads items through Momento (write-through from the table's stream)", "write_through", cookiecutter.snapstart) %}
                "ITEMS_TABLE_NAME": self.table.table_name,
{%- endcall %}
{%- else %}{% call python_function("function", "MomentoFunction", "Cache-aside reads through Momento", "handler", cookiecutter.snapstart) %}{% endcall %}
{%- endif %}

        # GetSecretValue (and DescribeSecret) on exactly this secret, nothing else.
{{- grant_secret("function") }}
{%- if write_through %}
        # A miss reads the item (strongly consistent); nothing else on the table.
        self.function.add_to_role_policy(
            iam.PolicyStatement(sid="ReadItems", actions=["dynamodb:GetItem"], resources=[self.table.table_arn])
        )
{%- endif %}
{%- if cookiecutter.snapstart %}
        target: lambda_.IFunction = lambda_.Alias(
            self, "SnapStartAlias", alias_name="snapstart", version=self.function.current_version
        )
{%- else %}
        target: lambda_.IFunction = self.function
{%- endif %}
{%- if consumer %}

        # After 5 receives without success (failures, in-flight copies, Momento down) a message
        # moves to the dead-letter queue, which keeps it 14 days (the longest SQS keeps a message).
        self.dead_letter_queue = sqs.Queue(
            self,
            "MessageDeadLetterQueue",
            retention_period=cdk.Duration.days(14),
            encryption=sqs.QueueEncryption.SQS_MANAGED,
        )
        self.queue = sqs.Queue(
            self,
            "MessageQueue",
            # At least 6 x the function timeout (AWS's guidance for SQS event sources): a batch being
            # processed (and its retries inside the poller) never becomes visible to another consumer.
            visibility_timeout=cdk.Duration.seconds(60),
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            dead_letter_queue=sqs.DeadLetterQueue(queue=self.dead_letter_queue, max_receive_count=5),
        )
        # The event source mapping (it also grants the role the SQS poller's permissions on the
        # queue): batches of up to 10; only the messages in batchItemFailures return to the queue.
        target.add_event_source(eventsources.SqsEventSource(self.queue, batch_size=10, report_batch_item_failures=True))
{%- elif topics %}

        api = apigwv2.HttpApi(self, "HttpApi", description=construct_id + ": POST /events")
        api.add_routes(
            path="/events",
            methods=[apigwv2.HttpMethod.POST],
            integration=integrations.HttpLambdaIntegration("PublishEvent", target),
        )

        # Receives the topic's webhook deliveries at its Function URL: checks Momento's signature,
        # the delivery's age and (in Momento) that it is not a replay before handle_message runs.
        {% call python_function("webhook_function", "WebhookFunction", "Receives the Momento topic's signed webhook deliveries", "webhook") %}
                "MOMENTO_WEBHOOK_SECRET_NAME": settings.webhook_secret_name,
                # Deliveries published longer ago than this are refused (replays of old deliveries).
                "WEBHOOK_MAX_AGE_SECONDS": "60",
{%- endcall %}
{{- grant_secret("webhook_function") }}
        # The webhook's signing secret: only this function may read it (by name, any ARN suffix).
        self.webhook_secret = secretsmanager.Secret.from_secret_name_v2(
            self, "WebhookSecret", settings.webhook_secret_name
        )
        self.webhook_secret.grant_read(self.webhook_function)
        # Public, like every webhook endpoint: the signature is the authentication.
        webhook_url = self.webhook_function.add_function_url(auth_type=lambda_.FunctionUrlAuthType.NONE)
{%- else %}
{%- if write_through %}

        # Writes every change of the table into the cache: INSERT / MODIFY store the new image,
        # REMOVE a tombstone. It needs nothing on the table: the records carry the images.
        {% call python_function("stream_function", "StreamFunction", "Writes the items table's changes into Momento (write-through)", "write_through_stream") %}{% endcall %}
{{- grant_secret("stream_function") }}
        # The event source mapping (it also grants the role the stream's read permissions). A
        # failed record is reported (report_batch_item_failures) and the batch retried from it, at
        # most 5 times; bisect_batch_on_error splits a batch whose invocation itself fails.
        self.stream_function.add_event_source(
            eventsources.DynamoEventSource(
                self.table,
                starting_position=lambda_.StartingPosition.LATEST,
                batch_size=100,
                max_batching_window=cdk.Duration.seconds(0),
                retry_attempts=5,
                bisect_batch_on_error=True,
                report_batch_item_failures=True,
            )
        )
{%- endif %}

        api = apigwv2.HttpApi(self, "HttpApi", description=construct_id + ": GET /items/{id}")
        api.add_routes(
            path="/items/{id}",
            methods=[apigwv2.HttpMethod.GET],
            integration=integrations.HttpLambdaIntegration("GetItem", target),
        )
{%- endif %}

        cdk.CfnOutput(self, "MomentoFunctionArn", description="The function's ARN", value=self.function.function_arn)
{%- if cookiecutter.snapstart %}
        cdk.CfnOutput(
            self,
            "MomentoFunctionAliasArn",
            description="The alias of the latest published version (SnapStart applies to it, not to $LATEST)",
            value=target.function_arn,
        )
{%- endif %}
        if self.function.role is not None:
            cdk.CfnOutput(
                self, "MomentoFunctionRoleArn", description="The function's execution role", value=self.function.role.role_arn
            )
{%- if consumer %}
        cdk.CfnOutput(
            self,
            "MessageQueueUrl",
            description="Send messages here (aws sqs send-message --queue-url URL --message-body '{...}')",
            value=self.queue.queue_url,
        )
        cdk.CfnOutput(
            self, "MessageDeadLetterQueueUrl", description="Messages that failed 5 times", value=self.dead_letter_queue.queue_url
        )
{%- elif topics %}
        cdk.CfnOutput(self, "PublishUrl", description="POST a JSON event here to publish it", value=f"{api.api_endpoint}/events")
        cdk.CfnOutput(
            self, "WebhookUrl", description="The URL to give Momento's webhook for the topic", value=webhook_url.url
        )
{%- else %}
{%- if write_through %}
        cdk.CfnOutput(
            self,
            "StreamFunctionArn",
            description="The function that writes the table's changes into the cache",
            value=self.stream_function.function_arn,
        )
        cdk.CfnOutput(
            self,
            "ItemsTableName",
            description="The items table (aws dynamodb put-item --table-name NAME --item ...)",
            value=self.table.table_name,
        )
{%- endif %}
        cdk.CfnOutput(self, "ItemUrl", description="Try it with curl", value=f"{api.api_endpoint}/items/demo")
{%- endif %}
