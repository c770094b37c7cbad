"""Deploy what a SAM/Serverless project would deploy, as PLAIN CloudFormation resources
on the moto server (moto drops SAM-transformed functions): an IAM role with an inline
policy, a Lambda function with ZipFile code. The secret is created through the Secrets
Manager API (moto does not support AWS::SecretsManager::Secret in stacks)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from momento_lambda_cli import contract

ZIP_CODE = "def lambda_handler(event, context):\n    return {'statusCode': 200}\n"


@dataclass
class Deployment:
    stack_name: str
    secret_arn: str
    function_name: str
    role_name: str
    kms_key_arn: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def zip_bytes() -> bytes:
    """A deployment package holding the stub handler."""
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("app.py", ZIP_CODE)
    return buffer.getvalue()


def create_secret(aws: Any, name: str, secret_string: str | None, kms_key_id: str | None = None) -> str:
    sm = aws.client("secretsmanager")
    kwargs: dict[str, Any] = {"Name": name}
    if secret_string is not None:
        kwargs["SecretString"] = secret_string
    if kms_key_id:
        kwargs["KmsKeyId"] = kms_key_id
    return str(sm.create_secret(**kwargs)["ARN"])


def stack_template(
    *,
    function_name: str,
    role_name: str,
    statements: list[dict[str, Any]],
    environment: dict[str, str],
    runtime: str = "python3.13",
    architecture: str = "x86_64",
    timeout: int = 10,
    memory: int = 256,
) -> str:
    template = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": {
            "HelloFunctionRole": {
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "RoleName": role_name,
                    "AssumeRolePolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Principal": {"Service": "lambda.amazonaws.com"},
                                "Action": "sts:AssumeRole",
                            }
                        ],
                    },
                    "Policies": [
                        {
                            "PolicyName": "HelloFunctionRolePolicy0",
                            "PolicyDocument": {"Version": "2012-10-17", "Statement": statements},
                        }
                    ],
                },
            },
            "HelloFunction": {
                "Type": "AWS::Lambda::Function",
                "Properties": {
                    "FunctionName": function_name,
                    "Runtime": runtime,
                    "Handler": "app.lambda_handler",
                    "Architectures": [architecture],
                    "Timeout": timeout,
                    "MemorySize": memory,
                    "Role": {"Fn::GetAtt": ["HelloFunctionRole", "Arn"]},
                    "Code": {"ZipFile": ZIP_CODE},
                    "Environment": {"Variables": environment},
                },
            },
        },
    }
    return json.dumps(template)


def deploy(
    aws: Any,
    *,
    stack_name: str = "demo",
    secret_string: str | None = None,
    secret_name: str = "momento/demo/api-key",  # noqa: S107
    kms: bool = False,
    grant_secret: bool = True,
    grant_kms: bool = True,
    statements: list[dict[str, Any]] | None = None,
    environment: dict[str, str] | None = None,
    runtime: str = "python3.13",
    architecture: str = "x86_64",
    timeout: int = 10,
    memory: int = 256,
    cache_name: str = "demo-cache",
) -> Deployment:
    """Create the secret (unless ``secret_string`` is None and ``secret_name`` empty) and the stack."""
    kms_key_arn = None
    if kms:
        kms_key_arn = str(aws.client("kms").create_key(Description="momento secret key")["KeyMetadata"]["Arn"])
    secret_arn = (
        create_secret(aws, secret_name, secret_string, kms_key_arn)
        if secret_name
        else (f"arn:aws:secretsmanager:us-east-1:{aws.account_id}:secret:missing-AbCdEf")
    )
    if statements is None:
        statements = []
        if grant_secret:
            statements.append({"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": secret_arn})
        if kms_key_arn and grant_kms:
            statements.append({"Effect": "Allow", "Action": "kms:Decrypt", "Resource": kms_key_arn})
        statements.append({"Effect": "Allow", "Action": "logs:CreateLogStream", "Resource": "*"})
    env = {
        contract.ENV_SECRET_ARN: secret_arn,
        contract.ENV_CACHE_NAME: cache_name,
        contract.ENV_DEFAULT_TTL: "60",
    }
    env.update(environment or {})
    function_name = f"{stack_name}-HelloFunction"
    role_name = f"{stack_name}-HelloFunctionRole"
    aws.client("cloudformation").create_stack(
        StackName=stack_name,
        TemplateBody=stack_template(
            function_name=function_name,
            role_name=role_name,
            statements=statements,
            environment=env,
            runtime=runtime,
            architecture=architecture,
            timeout=timeout,
            memory=memory,
        ),
        Capabilities=["CAPABILITY_NAMED_IAM"],
    )
    return Deployment(stack_name, secret_arn, function_name, role_name, kms_key_arn)


def enable_rotation(
    aws: Any,
    secret_arn: str,
    function_name: str = "momento-api-key-refresh",
    *,
    function_exists: bool = True,
    finished: bool = True,
    after_days: int = 30,
) -> str:
    """Turn on rotation of the secret with a rotation function; returns the function's ARN.

    moto cannot run a rotation Lambda (that needs Docker), so the state a real rotation
    leaves is built from Secrets Manager's own calls: one rotation without a function
    (RotationEnabled, LastRotatedDate, NextRotationDate), then the function is set (moto
    stages an AWSPENDING version before it finds the function missing). ``finished``
    removes that AWSPENDING label, as a rotation run that completed does; left in place it
    is a rotation that did not finish. ``function_exists`` creates the function.
    """
    import botocore.exceptions

    sm = aws.client("secretsmanager")
    sm.rotate_secret(SecretId=secret_arn, RotationRules={"AutomaticallyAfterDays": after_days}, RotateImmediately=False)
    function_arn = f"arn:aws:lambda:us-east-1:{aws.account_id}:function:{function_name}"
    try:
        sm.rotate_secret(SecretId=secret_arn, RotationLambdaARN=function_arn, RotateImmediately=False)
    except botocore.exceptions.ClientError as exc:
        assert exc.response["Error"]["Code"] == "ResourceNotFoundException", exc
    stages = sm.describe_secret(SecretId=secret_arn)["VersionIdsToStages"]
    if finished:
        for version, labels in stages.items():
            if "AWSPENDING" in labels and "AWSCURRENT" not in labels:
                sm.update_secret_version_stage(
                    SecretId=secret_arn, VersionStage="AWSPENDING", RemoveFromVersionId=version
                )
    if function_exists:
        role = aws.client("iam").create_role(
            RoleName=f"{function_name}-role",
            AssumeRolePolicyDocument=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "lambda.amazonaws.com"},
                            "Action": "sts:AssumeRole",
                        }
                    ],
                }
            ),
        )["Role"]["Arn"]
        aws.client("lambda").create_function(
            FunctionName=function_name,
            Runtime="nodejs22.x",
            Role=role,
            Handler="index.handler",
            Code={"ZipFile": zip_bytes()},
        )
    return function_arn
