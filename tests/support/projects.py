"""Small realistic projects on disk for `store-token` tests (the doctor tests build theirs with
:mod:`tests.support.doctor_projects`, which adds code, IAM and build settings).

The files have the shapes the real tools write: ``samconfig.toml`` as ``sam init`` /
``sam deploy --guided`` leave it (comments, several sections, a ``parameter_overrides``
with other keys to keep), ``serverless.yml`` with comments and a ``params: default:``
block (or without one), and the answers file through :func:`project.write_answers`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from momento_lambda_cli import project

SAMCONFIG_TOML = """\
# More information about the configuration file can be found here:
# https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/serverless-sam-cli-config.html
version = 0.1

[default.global.parameters]
stack_name = "{name}"

[default.build.parameters]
cached = true
parallel = true
use_container = true  # grpcio must be built for Lambda's OS and CPU

[default.validate.parameters]
lint = true

[default.deploy.parameters]
capabilities = "CAPABILITY_IAM"
confirm_changeset = true
resolve_s3 = true
s3_prefix = "{name}"
region = "{region}"
parameter_overrides = "MomentoCacheName=\\"{name}-cache\\" MomentoDefaultTtlSeconds=\\"60\\""  # set by sam deploy --guided
image_repositories = []

[default.package.parameters]
resolve_s3 = true

[default.sync.parameters]
watch = true

[default.local_start_api.parameters]
warm_containers = "EAGER"

[default.local_start_lambda.parameters]
warm_containers = "EAGER"
"""

TEMPLATE_YAML = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Description: {name} - a Lambda function that uses the Momento cache

Parameters:
  MomentoSecretArn:
    Type: String
    Description: ARN of the Secrets Manager secret holding the Momento API key
  MomentoCacheName:
    Type: String
    Default: {name}-cache
  MomentoDefaultTtlSeconds:
    Type: Number
    Default: 60

Resources:
  HelloFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: hello/
      Handler: app.handler
      Runtime: python3.13
      Environment:
        Variables:
          MOMENTO_SECRET_ARN: !Ref MomentoSecretArn
          MOMENTO_CACHE_NAME: !Ref MomentoCacheName
      Policies:
        - Statement:
            - Effect: Allow
              Action: secretsmanager:GetSecretValue
              Resource: !Ref MomentoSecretArn
"""

SERVERLESS_YML = """\
# Welcome to Serverless! Docs: https://www.serverless.com/framework/docs
service: {name}
frameworkVersion: '3'

params:
  default:
    momentoCacheName: {name}-cache   # the cache the function uses
    momentoDefaultTtlSeconds: 60
  prod:
    momentoCacheName: {name}-cache-prod

provider:
  name: aws
  runtime: python3.13
  architecture: arm64
  region: {region}
  environment:
    MOMENTO_SECRET_ARN: ${{param:momentoSecretArn}}
    MOMENTO_CACHE_NAME: ${{param:momentoCacheName}}
  iam:
    role:
      statements:
        - Effect: Allow
          Action:
            - secretsmanager:GetSecretValue
          Resource: ${{param:momentoSecretArn}}

functions:
  hello:
    handler: handler.hello   # entry point
    events:
      - httpApi:
          path: /
          method: get

plugins:
  - serverless-python-requirements

custom:
  pythonRequirements:
    dockerizePip: true

resources:
  Outputs:
    FunctionRole:
      Value: !GetAtt IamRoleLambdaExecution.Arn
"""


def _answers(name: str, framework: str, region: str, **overrides: Any) -> dict[str, Any]:
    answers: dict[str, Any] = {
        "project_name": name,
        "framework": framework,
        "runtime": "python3.13",
        "architecture": "x86_64" if framework == project.SAM else "arm64",
        "cache_name": f"{name}-cache",
        "secret_name": f"momento/{name}/api-key",
        "secret_arn": None,
        "default_ttl_seconds": 60,
        "region": region,
        "kms_key_arn": None,
    }
    answers.update(overrides)
    return answers


def sam_project(
    root: Path,
    name: str = "demo",
    *,
    region: str = "us-east-1",
    answers: bool = True,
    samconfig: str | None = None,
    **answer_overrides: Any,
) -> Path:
    """A SAM project: template.yaml, samconfig.toml (``sam init`` shape) and the answers file."""
    directory = root / name
    directory.mkdir(parents=True)
    (directory / "template.yaml").write_text(TEMPLATE_YAML.format(name=name), encoding="utf-8")
    text = samconfig if samconfig is not None else SAMCONFIG_TOML.format(name=name, region=region)
    (directory / "samconfig.toml").write_text(text, encoding="utf-8")
    if answers:
        project.write_answers(directory, _answers(name, project.SAM, region, **answer_overrides))
    return directory


def serverless_project(
    root: Path,
    name: str = "demo",
    *,
    region: str = "us-east-1",
    params_block: bool = True,
    answers: bool = True,
    **answer_overrides: Any,
) -> Path:
    """A Serverless Framework project: serverless.yml (with or without ``params:``) and the answers file."""
    directory = root / name
    directory.mkdir(parents=True)
    text = SERVERLESS_YML.format(name=name, region=region)
    if not params_block:
        start = text.index("params:")
        end = text.index("provider:")
        text = text[:start] + text[end:]
        text = text.replace("${param:momentoCacheName}", f"{name}-cache")  # no params: a literal
    (directory / "serverless.yml").write_text(text, encoding="utf-8")
    if answers:
        project.write_answers(directory, _answers(name, project.SERVERLESS, region, **answer_overrides))
    return directory


def snapshot(directory: Path) -> dict[str, bytes]:
    """Every file under ``directory`` with its bytes (to prove nothing changed)."""
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def write_tree(root: Path, files: dict[str, str]) -> Path:
    """Write ``{relative path: text}`` under ``root`` (folders created); ``root`` back."""
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root
