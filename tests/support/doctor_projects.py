"""Realistic SAM and Serverless projects for the doctor tests, written the way `sam init` /
`serverless create` plus the Momento rules would write them.

The fixture API is :func:`make_project` (``kind`` = ``"sam"`` / ``"serverless"``, language,
runtime, architecture...) returning a :class:`ProjectFixture`; tests break the files on purpose
with :meth:`ProjectFixture.edit`. When generated projects exist, ``make_project`` can render them
with `momento-lambda new` instead, and every test keeps working.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path

SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:momento/demo/api-key-AbCdEf"
CACHE_NAME = "demo-cache"

PY_CLIENT = '''\
"""The Momento client: created once per execution environment, reused by every invocation."""

import json
import os
from datetime import timedelta

import boto3
from botocore.config import Config
from momento import CacheClient, Configurations, CredentialProvider

_client = None


def _read_secret():
    secrets = boto3.client(
        "secretsmanager",
        config=Config(connect_timeout=1, read_timeout=1, retries={"max_attempts": 2}),
    )
    value = secrets.get_secret_value(SecretId=os.environ["MOMENTO_SECRET_ARN"])["SecretString"]
    document = json.loads(value)
    return document["MOMENTO_API_KEY"], document.get("MOMENTO_ENDPOINT")


def get_momento_client():
    global _client
    if _client is None:
        key, endpoint = _read_secret()
        provider = CredentialProvider.from_api_key_v2(key, endpoint)
        _client = CacheClient(
            Configurations.Lambda.latest(),
            provider,
            timedelta(seconds=int(os.environ.get("MOMENTO_DEFAULT_TTL_SECONDS", "60"))),
        )
    return _client
'''

PY_APP = """\
import json
import os

from momento_client import get_momento_client

CACHE_NAME = os.environ["MOMENTO_CACHE_NAME"]


def lambda_handler(event, context):
    client = get_momento_client()
    client.set(CACHE_NAME, "greeting", "hello")
    response = client.get(CACHE_NAME, "greeting")
    return {"statusCode": 200, "body": json.dumps({"value": str(response)})}
"""

PY_APP_CLIENT_IN_HANDLER = """\
import os
from datetime import timedelta

from momento import CacheClient, Configurations, CredentialProvider


def lambda_handler(event, context):
    client = CacheClient(
        Configurations.Laptop.latest(),
        CredentialProvider.from_environment_variable("MOMENTO_API_KEY"),
        timedelta(seconds=60),
    )
    return {"statusCode": 200, "body": str(client.get(os.environ["MOMENTO_CACHE_NAME"], "k"))}
"""

NODE_CLIENT = """\
import {CacheClient, Configurations, CredentialProvider} from '@gomomento/sdk';
import {SecretsManagerClient, GetSecretValueCommand} from '@aws-sdk/client-secrets-manager';

const secrets = new SecretsManagerClient({
  requestHandler: {connectionTimeout: 1000, requestTimeout: 1000, throwOnRequestTimeout: true},
  maxAttempts: 2,
});

let clientPromise;

async function createClient() {
  const out = await secrets.send(new GetSecretValueCommand({SecretId: process.env.MOMENTO_SECRET_ARN}));
  const doc = JSON.parse(out.SecretString);
  return CacheClient.create({
    configuration: Configurations.Lambda.latest(),
    credentialProvider: CredentialProvider.fromApiKeyV2({apiKey: doc.MOMENTO_API_KEY, endpoint: doc.MOMENTO_ENDPOINT}),
    defaultTtlSeconds: Number(process.env.MOMENTO_DEFAULT_TTL_SECONDS ?? 60),
  });
}

export function getMomentoClient() {
  clientPromise ??= createClient();
  return clientPromise;
}
"""

NODE_APP = """\
import {getMomentoClient} from './momentoClient.mjs';

const CACHE_NAME = process.env.MOMENTO_CACHE_NAME;

export const handler = async (event) => {
  const client = await getMomentoClient();
  await client.set(CACHE_NAME, 'greeting', 'hello');
  const value = await client.get(CACHE_NAME, 'greeting');
  return {statusCode: 200, body: JSON.stringify({value: value.toString()})};
};
"""

NODE_APP_CLIENT_IN_HANDLER = """\
import {CacheClient, Configurations, CredentialProvider} from '@gomomento/sdk';

export const handler = async (event) => {
  const client = await CacheClient.create({
    configuration: Configurations.Laptop.v1(),
    credentialProvider: CredentialProvider.fromEnvironmentVariable('MOMENTO_API_KEY'),
    defaultTtlSeconds: 60,
  });
  const value = await client.get(process.env.MOMENTO_CACHE_NAME, 'greeting');
  return {statusCode: 200, body: value.toString()};
};
"""


def sam_template(runtime: str, architecture: str, handler: str, kms: bool = True) -> str:
    return textwrap.dedent(
        f"""\
        AWSTemplateFormatVersion: '2010-09-09'
        Transform: AWS::Serverless-2016-10-31
        Description: demo - a Lambda function using the Momento cache

        Parameters:
          MomentoSecretArn:
            Type: String
            Description: ARN of the Secrets Manager secret holding the Momento API key
          MomentoSecretName:
            Type: String
            Default: momento/demo/api-key
          MomentoCacheName:
            Type: String
            Default: {CACHE_NAME}
          MomentoDefaultTtlSeconds:
            Type: Number
            Default: 60
          MomentoKmsKeyArn:
            Type: String
            Default: ''
            Description: Customer-managed KMS key of the secret (empty for aws/secretsmanager)

        Conditions:
          HasKmsKey: !Not [!Equals [!Ref MomentoKmsKeyArn, '']]

        Globals:
          Function:
            Timeout: 10
            MemorySize: 256
            Runtime: {runtime}
            Architectures:
              - {architecture}

        Resources:
          HelloFunction:
            Type: AWS::Serverless::Function
            Properties:
              CodeUri: hello/
              Handler: {handler}
              Environment:
                Variables:
                  MOMENTO_SECRET_ARN: !Ref MomentoSecretArn
                  MOMENTO_CACHE_NAME: !Ref MomentoCacheName
                  MOMENTO_DEFAULT_TTL_SECONDS: !Ref MomentoDefaultTtlSeconds
              Policies:
                - Statement:
                    - Sid: ReadMomentoApiKey
                      Effect: Allow
                      Action: secretsmanager:GetSecretValue
                      Resource: !Ref MomentoSecretArn
                    - !If
                      - HasKmsKey
                      - Sid: DecryptMomentoApiKey
                        Effect: Allow
                        Action: kms:Decrypt
                        Resource: !Ref MomentoKmsKeyArn
                      - !Ref AWS::NoValue
              Events:
                Hello:
                  Type: Api
                  Properties:
                    Path: /hello
                    Method: get

        Outputs:
          HelloFunctionArn:
            Value: !GetAtt HelloFunction.Arn
          HelloApi:
            Value: !Sub "https://${{ServerlessRestApi}}.execute-api.${{AWS::Region}}.amazonaws.com/Prod/hello/"
        """
    )


def samconfig(secret_arn: str | None, use_container: bool = True, kms_key_arn: str | None = None) -> str:
    overrides = []
    if secret_arn:
        overrides.append(f"MomentoSecretArn={secret_arn}")
    overrides.append(f"MomentoCacheName={CACHE_NAME}")
    if kms_key_arn:
        overrides.append(f"MomentoKmsKeyArn={kms_key_arn}")
    return textwrap.dedent(
        f"""\
        # More information about the configuration file can be found here:
        # https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/serverless-sam-cli-config.html
        version = 0.1

        [default.global.parameters]
        stack_name = "demo"

        [default.build.parameters]
        cached = true
        parallel = true
        use_container = {"true" if use_container else "false"}

        [default.validate.parameters]
        lint = true

        [default.deploy.parameters]
        capabilities = "CAPABILITY_IAM"
        confirm_changeset = true
        resolve_s3 = true
        region = "us-east-1"
        parameter_overrides = "{" ".join(overrides)}"

        [default.package.parameters]
        resolve_s3 = true

        [default.sync.parameters]
        watch = true

        [default.local_start_api.parameters]
        warm_containers = "EAGER"
        """
    )


def serverless_yml(runtime: str, architecture: str, handler: str, secret_arn: str | None) -> str:
    python = runtime.startswith("python")
    plugins = "plugins:\n  - serverless-python-requirements\n\n" if python else ""
    custom = (
        textwrap.dedent(
            """\
            custom:
              pythonRequirements:
                dockerizePip: true
                slim: true

            """
        )
        if python
        else ""
    )
    return (
        textwrap.dedent(
            f"""\
            service: demo

            params:
              default:
                momentoSecretArn: {secret_arn or "''"}
                momentoCacheName: {CACHE_NAME}
                momentoDefaultTtlSeconds: 60

            provider:
              name: aws
              runtime: {runtime}
              architecture: {architecture}
              region: us-east-1
              stage: ${{opt:stage, 'dev'}}
              timeout: 10
              memorySize: 256
              environment:
                MOMENTO_SECRET_ARN: ${{param:momentoSecretArn}}
                MOMENTO_CACHE_NAME: ${{param:momentoCacheName}}
                MOMENTO_DEFAULT_TTL_SECONDS: ${{param:momentoDefaultTtlSeconds}}
              iam:
                role:
                  statements:
                    - Effect: Allow
                      Action:
                        - secretsmanager:GetSecretValue
                      Resource: ${{param:momentoSecretArn}}

            functions:
              hello:
                handler: {handler}
                events:
                  - httpApi:
                      path: /hello
                      method: get

            """
        )
        + plugins
        + custom
    )


@dataclass
class ProjectFixture:
    root: Path
    kind: str
    language: str
    runtime: str
    architecture: str

    @property
    def code_dir(self) -> Path:
        return self.root / "hello" if self.kind == "sam" else self.root

    @property
    def template(self) -> Path:
        return self.root / ("template.yaml" if self.kind == "sam" else "serverless.yml")

    @property
    def handler_file(self) -> Path:
        return self.code_dir / ("app.py" if self.language == "python" else "app.mjs")

    def edit(self, relative: str, old: str, new: str) -> None:
        """Replace ``old`` with ``new`` in a project file (fails loudly when ``old`` is absent)."""
        path = self.root / relative
        text = path.read_text()
        assert old in text, f"{old!r} not in {relative}"
        path.write_text(text.replace(old, new))

    def write(self, relative: str, text: str) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return path


def make_project(
    base: Path,
    kind: str = "sam",
    *,
    language: str = "python",
    runtime: str | None = None,
    architecture: str = "x86_64",
    secret_arn: str | None = SECRET_ARN,
    use_container: bool = True,
    kms_key_arn: str | None = None,
    name: str = "demo",
) -> ProjectFixture:
    """Write a SAM (``kind="sam"``) or Serverless project into ``base/name``."""
    runtime = runtime or ("python3.13" if language == "python" else "nodejs22.x")
    root = base / name
    root.mkdir(parents=True)
    project = ProjectFixture(root, kind, language, runtime, architecture)
    code = project.code_dir
    code.mkdir(parents=True, exist_ok=True)
    if language == "python":
        handler = "app.lambda_handler"
        (code / "momento_client.py").write_text(PY_CLIENT)
        (code / "app.py").write_text(PY_APP)
        (code / "requirements.txt").write_text("momento>=1.29,<2\nboto3\n")
    else:
        handler = "app.handler"
        (code / "momentoClient.mjs").write_text(NODE_CLIENT)
        (code / "app.mjs").write_text(NODE_APP)
        (code / "package.json").write_text(
            '{"name": "hello", "type": "module", "dependencies": {"@gomomento/sdk": "^1.118.0", '
            '"@aws-sdk/client-secrets-manager": "^3.700.0"}}\n'
        )
    if kind == "sam":
        (root / "template.yaml").write_text(sam_template(runtime, architecture, handler))
        (root / "samconfig.toml").write_text(samconfig(secret_arn, use_container, kms_key_arn))
    else:
        (root / "serverless.yml").write_text(serverless_yml(runtime, architecture, handler, secret_arn))
    (root / ".gitignore").write_text(".aws-sam/\n.serverless/\nnode_modules/\n__pycache__/\n")
    return project
