{%- set rate_limit = cookiecutter.pattern == "rate-limit" -%}
{%- set arm = cookiecutter.architecture == "arm64" -%}
"""The stack: one function that {% if rate_limit %}rate-limits an API with the Momento cache{% else %}reads through the Momento cache{% endif %}, the read grant on
exactly the secret holding the Momento API key, and the HTTP API `GET /items/{id}`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_apigatewayv2_integrations as integrations
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_secretsmanager as secretsmanager
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
    )
    if not settings.secret_arn and not settings.secret_name:
        raise ValueError("Set momentoSecretArn or momentoSecretName in cdk.json (or -c momentoSecretName=...)")
    if not settings.cache_name:
        raise ValueError("Set momentoCacheName in cdk.json (or -c momentoCacheName=...)")
    if settings.bundling not in BUNDLING_MODES:
        raise ValueError(f"momentoBundling must be one of {', '.join(BUNDLING_MODES)}, not {settings.bundling!r}")
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

        self.function = lambda_.Function(
            self,
            "MomentoFunction",
            description="{% if rate_limit %}A rate-limited API counting in Momento{% else %}Cache-aside reads through Momento{% endif %}",
            runtime=RUNTIME,
            architecture=ARCHITECTURE,
            handler="{% if rate_limit %}rate_limit{% else %}handler{% endif %}.lambda_handler",
            code=function_code(settings.bundling),
            timeout=cdk.Duration.seconds(10),
            memory_size=512,
            environment={
                "MOMENTO_SECRET_ARN": settings.secret_arn or settings.secret_name,
                "MOMENTO_CACHE_NAME": settings.cache_name,
                "MOMENTO_DEFAULT_TTL_SECONDS": str(settings.default_ttl_seconds),
                # eager: read the secret and build the client during INIT (lazy: on the first request).
                "MOMENTO_INIT_CLIENT": "{{ cookiecutter.init_client }}",
{%- if rate_limit %}
                # Requests each client (x-api-key header, else source IP) may make per window; then 429.
                "RATE_LIMIT_MAX_REQUESTS": "10",
                "RATE_LIMIT_WINDOW_SECONDS": "60",
                # open: serve requests unlimited while Momento is unreachable; closed: answer 503.
                "RATE_LIMIT_FAIL": "open",
{%- endif %}
            },
{%- if cookiecutter.snapstart %}
            # SnapStart: Lambda runs INIT once per published version and restores new execution
            # environments from its snapshot. Only published versions use it: the alias below
            # points at the version published on each deploy, and the HTTP API calls the alias.
            snap_start=lambda_.SnapStartConf.ON_PUBLISHED_VERSIONS,
{%- endif %}
        )

        # GetSecretValue (and DescribeSecret) on exactly this secret, nothing else.
        self.secret.grant_read(self.function)
        if settings.kms_key_arn:
            self.function.add_to_role_policy(
                iam.PolicyStatement(sid="DecryptMomentoApiKey", actions=["kms:Decrypt"], resources=[settings.kms_key_arn])
            )
{%- if cookiecutter.snapstart %}
        target: lambda_.IFunction = lambda_.Alias(
            self, "SnapStartAlias", alias_name="snapstart", version=self.function.current_version
        )
{%- else %}
        target: lambda_.IFunction = self.function
{%- endif %}

        api = apigwv2.HttpApi(self, "HttpApi", description=construct_id + ": GET /items/{id}")
        api.add_routes(
            path="/items/{id}",
            methods=[apigwv2.HttpMethod.GET],
            integration=integrations.HttpLambdaIntegration("GetItem", target),
        )

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
        cdk.CfnOutput(self, "ItemUrl", description="Try it with curl", value=f"{api.api_endpoint}/items/demo")
