"""The code checks on projects shaped like the ones Momento users have: relevance (a Momento
check judges only functions whose code uses the SDK), the false alarms and misses of
reading code by brace matching and by fixed variable names, each as a small project."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.support.doctor import DoctorRun, run_doctor
from tests.support.projects import write_tree

SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/momento-AbCdEf"
OTHER = "arn:aws:secretsmanager:us-east-1:123456789012:secret:other-AbCdEf"
MOMENTO_IDS = [
    "project.timeout",
    "iam.secret-access",
    "iam.kms-decrypt",
    "project.build-method",
    "code.client-reuse",
    "code.lambda-config",
    "code.secret-timeouts",
    "code.awaited-calls",
]


def template(functions: str, *, parameters: str = "", layers: str = "") -> str:
    text = "AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\n"
    if parameters:
        text += "Parameters:\n" + textwrap.indent(textwrap.dedent(parameters), "  ")
    text += "Resources:\n" + textwrap.indent(textwrap.dedent(functions), "  ")
    if layers:
        text += textwrap.indent(textwrap.dedent(layers), "  ")
    return text


def function(
    key: str,
    handler: str,
    *,
    runtime: str = "python3.13",
    code: str = "src/",
    timeout: int = 10,
    env: str = "",
    resource: str = SECRET,
    extra: str = "",
) -> str:
    text = f"""\
{key}:
  Type: AWS::Serverless::Function
  Properties:
    CodeUri: {code}
    Handler: {handler}
    Runtime: {runtime}
    Timeout: {timeout}
    Policies:
      - Statement:
          - Effect: Allow
            Action: secretsmanager:GetSecretValue
            Resource: {resource}
"""
    if env:
        text += "    Environment:\n      Variables:\n" + textwrap.indent(
            textwrap.dedent(env).rstrip("\n") + "\n", "        "
        )
    return text + extra


def doctor(run_cli, root: Path, *ids: str) -> DoctorRun:
    return run_doctor(run_cli, str(root), "--offline", "--verbose", "--only", ",".join(ids or MOMENTO_IDS))


PY_SECRET_READ = """\
import os
import boto3
from botocore.config import Config

secrets = boto3.client("secretsmanager", config=Config(connect_timeout=1, read_timeout=1))
"""

PY_MOMENTO = """\
import os
from datetime import timedelta

import boto3
from botocore.config import Config
from momento import CacheClient, Configurations, CredentialProvider

secrets = boto3.client("secretsmanager", config=Config(connect_timeout=1, read_timeout=1))
_key = secrets.get_secret_value(SecretId=os.environ["SECRET_ID"])["SecretString"]
client = CacheClient(Configurations.Lambda.latest(), CredentialProvider.from_string(_key), timedelta(seconds=60))
"""

NODE_CACHE = """\
import {CacheClient, Configurations, CredentialProvider} from '@gomomento/sdk';
import {SecretsManagerClient, GetSecretValueCommand} from '@aws-sdk/client-secrets-manager';

const secrets = new SecretsManagerClient({requestHandler: {connectionTimeout: 1000, requestTimeout: 1000, throwOnRequestTimeout: true}});
const { MOMENTO_SECRET } = process.env;
let client;

export async function getCacheClient() {
  if (!client) {
    const out = await secrets.send(new GetSecretValueCommand({SecretId: MOMENTO_SECRET}));
    client = await CacheClient.create({
      configuration: Configurations.Lambda.latest(),
      credentialProvider: CredentialProvider.fromString({apiKey: out.SecretString}),
      defaultTtlSeconds: 60,
    });
  }
  return client;
}
"""


# --- relevance ---------------------------------------------------------------------------------


def test_a_project_without_momento_gets_no_momento_verdicts(run_cli, tmp_path):
    root = write_tree(
        tmp_path / "plain",
        {
            "template.yaml": template(
                function("Api", "app.handler", timeout=3, resource="'*'")
                + function("Web", "web.handler", runtime="nodejs22.x", timeout=3)
            ),
            "src/app.py": PY_SECRET_READ.replace(", config=Config(connect_timeout=1, read_timeout=1)", "")
            + "\n\ndef handler(event, context):\n    return secrets.get_secret_value(SecretId='x')\n",
            "src/web.mjs": "// el momento de la verdad\nexport const handler = async () => ({statusCode: 200});\n",
        },
    )
    run = doctor(run_cli, root)
    for check_id in MOMENTO_IDS:
        assert run.status(check_id) == "skip", (check_id, run.text(check_id))
    assert "No function uses the Momento SDK" in run.checks["project.timeout"]["message"]
    assert run.exit_code == 0


def test_only_the_functions_whose_code_uses_momento_are_judged(run_cli, tmp_path):
    root = write_tree(
        tmp_path / "mixed",
        {
            "template.yaml": template(
                function("Cached", "app.handler", env="SECRET_ID: " + SECRET)
                + function("Plain", "other.handler", timeout=3, resource=OTHER)
            ),
            "src/app.py": "from momento_client import client\n\n\ndef handler(event, context):\n    return 1\n",
            "src/momento_client.py": PY_MOMENTO,
            "src/other.py": "def handler(event, context):\n    return 2\n",
        },
    )
    run = doctor(run_cli, root)
    assert run.status("project.timeout") == "pass"
    assert run.status("iam.secret-access") == "pass", run.text("iam.secret-access")
    assert "Plain" not in run.text("iam.secret-access")
    assert run.status("code.client-reuse") == "pass"
    assert "src/momento_client.py" in run.text("code.client-reuse")


def test_code_in_a_sam_layer_is_scanned_and_a_module_scope_client_there_is_fine(run_cli, tmp_path):
    layer = """\
SharedLayer:
  Type: AWS::Serverless::LayerVersion
  Properties:
    ContentUri: layer/
    CompatibleRuntimes: [nodejs22.x]
"""
    root = write_tree(
        tmp_path / "layered",
        {
            "template.yaml": template(
                function(
                    "Api",
                    "app.handler",
                    runtime="nodejs22.x",
                    env="MOMENTO_SECRET: " + SECRET,
                    extra="    Layers:\n      - !Ref SharedLayer\n",
                ),
                layers=layer,
            ),
            "src/app.mjs": "import {getCacheClient} from '/opt/nodejs/cache.mjs';\n"
            "export const handler = async () => { const c = await getCacheClient(); return c.get('c', 'k'); };\n",
            "layer/nodejs/cache.mjs": NODE_CACHE,
        },
    )
    run = doctor(run_cli, root)
    assert run.status("code.client-reuse") == "pass", run.text("code.client-reuse")
    assert "layer/nodejs/cache.mjs" in run.text("code.client-reuse")
    assert run.status("iam.secret-access") == "pass", run.text("iam.secret-access")
    assert run.status("code.secret-timeouts") == "pass"


# --- false failures ----------------------------------------------------------------------------


@pytest.mark.parametrize(("resource", "status"), [(SECRET, "pass"), (OTHER, "fail")])
def test_the_secret_is_the_one_the_code_reads_through_its_own_variable(run_cli, tmp_path, resource, status):
    root = write_tree(
        tmp_path / "own-var",
        {
            "template.yaml": template(
                function("Api", "app.handler", runtime="nodejs22.x", env="MOMENTO_SECRET: " + SECRET, resource=resource)
            ),
            "src/cache.mjs": NODE_CACHE,
            "src/app.mjs": "import {getCacheClient} from './cache.mjs';\n"
            "export const handler = async () => (await getCacheClient()).get('c', 'k');\n",
        },
    )
    run = doctor(run_cli, root, "iam.secret-access", "code.client-reuse")
    assert run.status("iam.secret-access") == status, run.text("iam.secret-access")
    assert "MOMENTO_SECRET_ARN" not in run.text("iam.secret-access")
    # getCacheClient() is a call of the accessor, not a construction
    assert run.status("code.client-reuse") == "pass", run.text("code.client-reuse")


def test_a_handler_file_that_is_no_functions_handler_is_not_blamed(run_cli, tmp_path):
    root = write_tree(
        tmp_path / "custom-resource",
        {
            "template.yaml": template(function("Api", "app.handler", runtime="nodejs22.x", env="MOMENTO_SECRET: x")),
            "src/app.mjs": "import {getCacheClient} from './cache.mjs';\n"
            "export const handler = async () => (await getCacheClient()).get('c', 'k');\n",
            "src/cache.mjs": NODE_CACHE,
            # a CDK custom resource in the same folder: not Api's code
            "src/custom-resource/index.js": "const {CacheClient} = require('@gomomento/sdk');\n"
            "exports.handler = async () => { const c = await CacheClient.create({}); await c.createCache('x'); };\n",
        },
    )
    run = doctor(run_cli, root, "code.client-reuse")
    assert run.status("code.client-reuse") == "pass", run.text("code.client-reuse")
    assert "custom-resource" not in run.text("code.client-reuse")


def test_a_vendored_momento_sdk_is_not_the_users_code(run_cli, tmp_path):
    root = write_tree(
        tmp_path / "vendored",
        {
            "template.yaml": template(function("Api", "app.handler", env="SECRET_ID: " + SECRET)),
            "src/app.py": PY_MOMENTO + "\n\ndef handler(event, context):\n    return client.get('c', 'k')\n",
            "src/momento/__init__.py": "from momento.cache_client import CacheClient\n",
            "src/momento/helpers.py": "from momento import CacheClient\n\n\ndef make():\n    return CacheClient(1, 2, 3)\n",
            "src/momento-1.29.1.dist-info/top_level.txt": "momento\n",
            "src/somepkg/__init__.py": "from momento import CacheClient\n\n\ndef build():\n    return CacheClient(1, 2, 3)\n",
            "src/somepkg-1.0.dist-info/top_level.txt": "somepkg\n",
        },
    )
    run = doctor(run_cli, root, "code.client-reuse")
    assert run.status("code.client-reuse") == "pass", run.text("code.client-reuse")
    assert "momento/" not in run.text("code.client-reuse")
    assert "somepkg" not in run.text("code.client-reuse")


def test_powertools_get_secret_is_a_secret_read(run_cli, tmp_path):
    app = """\
import os
from aws_lambda_powertools.utilities import parameters
from momento import CacheClient, Configurations, CredentialProvider

client = CacheClient(
    Configurations.Lambda.latest(),
    CredentialProvider.from_string(parameters.get_secret(os.environ["MOMENTO_TOKEN_SECRET"])),
    60,
)


def handler(event, context):
    return client.get("c", "k")
"""
    root = write_tree(
        tmp_path / "powertools",
        {
            "template.yaml": template(function("Api", "app.handler", env="MOMENTO_TOKEN_SECRET: " + SECRET)),
            "src/app.py": app,
        },
    )
    run = doctor(run_cli, root, "iam.secret-access", "code.secret-timeouts")
    assert run.status("iam.secret-access") == "pass", run.text("iam.secret-access")
    assert run.status("code.secret-timeouts") == "warn"
    assert "Powertools get_secret" in run.text("code.secret-timeouts")
    assert "SecretsProvider(boto_config" in run.checks["code.secret-timeouts"]["hint"]
    assert "SecretsManagerClient" not in run.checks["code.secret-timeouts"]["hint"]


def test_build_method_judges_only_python_functions_that_ship_momento(run_cli, tmp_path):
    serverless = """\
service: plain
plugins:
  - serverless-python-requirements
provider:
  name: aws
  runtime: python3.12
functions:
  hello:
    handler: handler.hello
"""
    root = write_tree(
        tmp_path / "sls-plain",
        {"serverless.yml": serverless, "handler.py": "def hello(event, context):\n    return 1\n"},
    )
    run = doctor(run_cli, root, "project.build-method")
    assert run.status("project.build-method") == "skip"
    assert "grpcio" not in run.text("project.build-method")
    (root / "handler.py").write_text("import momento\n\n\ndef hello(event, context):\n    return 1\n")
    run = doctor(run_cli, root, "project.build-method")
    assert run.status("project.build-method") == "fail"
    assert "grpcio will not load" in run.text("project.build-method")


# --- misses ------------------------------------------------------------------------------------


@pytest.mark.parametrize("no_echo", [False, True])
def test_a_key_in_an_environment_variable_from_a_parameter_fails(run_cli, tmp_path, no_echo):
    parameters = "MomentoApiKey:\n  Type: String\n" + ("  NoEcho: true\n" if no_echo else "")
    app = """\
const {CacheClient, Configurations, CredentialProvider} = require('@gomomento/sdk');
let client;
exports.handler = async () => {
  client ??= await CacheClient.create({
    configuration: Configurations.Lambda.latest(),
    credentialProvider: CredentialProvider.fromEnvironmentVariable('MOMENTO_API_KEY'),
    defaultTtlSeconds: 60,
  });
  return client.get('c', 'k');
};
"""
    root = write_tree(
        tmp_path / "env-key",
        {
            "template.yaml": template(
                function("Api", "app.handler", runtime="nodejs22.x", env="MOMENTO_API_KEY: !Ref MomentoApiKey"),
                parameters=parameters,
            ),
            "src/app.js": app,
        },
    )
    run = doctor(run_cli, root, "secret.no-plaintext-key", "iam.secret-access", "code.client-reuse")
    assert run.status("secret.no-plaintext-key") == "fail"
    text = run.text("secret.no-plaintext-key")
    assert "Api: environment variable MOMENTO_API_KEY" in text
    assert "is set from parameter MomentoApiKey" in text
    assert ("no NoEcho" in text) is not no_echo
    # one finding per problem: the secret grant does not fail on top of it
    assert run.status("iam.secret-access") == "skip"
    assert run.status("code.client-reuse") == "pass", run.text("code.client-reuse")


def test_a_key_read_by_the_code_from_its_own_variable_fails(run_cli, tmp_path):
    app = """\
import os
from momento import CacheClient, Configurations, CredentialProvider

client = CacheClient(
    Configurations.Lambda.latest(), CredentialProvider.from_environment_variable("CACHE_TOKEN"), 60
)


def handler(event, context):
    return client.get("c", "k")
"""
    root = write_tree(
        tmp_path / "env-key-py",
        {
            "template.yaml": template(function("Api", "app.handler", env="CACHE_TOKEN: not-a-real-key")),
            "src/app.py": app,
        },
    )
    run = doctor(run_cli, root, "secret.no-plaintext-key")
    assert run.status("secret.no-plaintext-key") == "fail"
    assert "CACHE_TOKEN (read as the key with CredentialProvider.from_environment_variable)" in run.text(
        "secret.no-plaintext-key"
    )


def test_serverless_dotenv_plugin_injecting_the_key_fails(run_cli, tmp_path):
    serverless = """\
service: dotenv
plugins:
  - serverless-dotenv-plugin
provider:
  name: aws
  runtime: nodejs22.x
functions:
  hello:
    handler: handler.hello
"""
    root = write_tree(
        tmp_path / "sls-dotenv",
        {
            "serverless.yml": serverless,
            "handler.js": "const {CacheClient} = require('@gomomento/sdk');\nexports.hello = async () => 1;\n",
            ".env": "MOMENTO_API_KEY=placeholder-from-the-dashboard\n",
            ".env.example": "MOMENTO_API_KEY=xxx\n",
        },
    )
    run = doctor(run_cli, root, "secret.no-plaintext-key")
    assert run.status("secret.no-plaintext-key") == "fail"
    text = run.text("secret.no-plaintext-key")
    assert "serverless-dotenv-plugin puts MOMENTO_API_KEY from .env into every function's environment" in text
    assert ".env.example" not in text


def test_a_langchain_wrapper_built_in_the_handler_is_a_client_per_event(run_cli, tmp_path):
    app = """\
from langchain_community.chat_message_histories import MomentoChatMessageHistory


def handler(event, context):
    history = MomentoChatMessageHistory.from_client_params(event["session"], "chat", 3600)
    history.add_user_message(event["text"])
    return {"ok": True}
"""
    root = write_tree(
        tmp_path / "langchain",
        {"template.yaml": template(function("Chat", "app.handler", env="SECRET_ID: x")), "src/app.py": app},
    )
    run = doctor(run_cli, root, "code.client-reuse", "code.lambda-config")
    assert run.status("code.client-reuse") == "fail"
    assert "MomentoChatMessageHistory.from_client_params inside the handler `handler`" in run.text("code.client-reuse")
    assert run.status("code.lambda-config") == "warn"


@pytest.mark.parametrize(
    ("preset", "reason"), [("Laptop", "developer's machine"), ("InRegion", "long-running servers")]
)
def test_a_non_lambda_preset_warns_and_says_why(run_cli, tmp_path, preset, reason):
    app = PY_MOMENTO.replace("Configurations.Lambda.latest()", f"Configurations.{preset}.latest()")
    root = write_tree(
        tmp_path / preset,
        {
            "template.yaml": template(function("Api", "app.handler", env="SECRET_ID: " + SECRET)),
            "src/app.py": app + "\n\ndef handler(event, context):\n    return 1\n",
        },
    )
    run = doctor(run_cli, root, "code.lambda-config")
    assert run.status("code.lambda-config") == "warn"
    assert f"Configurations.{preset}, made for" in run.text("code.lambda-config")
    assert reason in run.text("code.lambda-config")
    assert "Configurations.Lambda.latest()" in run.checks["code.lambda-config"]["hint"]


@pytest.mark.parametrize(("runtime", "status"), [("nodejs24.x", "fail"), ("nodejs22.x", "warn")])
def test_a_dropped_momento_promise_in_a_node_handler(run_cli, tmp_path, runtime, status):
    app = """\
import {getCacheClient} from './cache.mjs';

export const handler = async (event) => {
  const client = await getCacheClient();
  client.set('c', 'seen', event.id);
  await client.increment('c', 'count');
  return client.get('c', 'k');
};
"""
    root = write_tree(
        tmp_path / "dropped",
        {
            "template.yaml": template(function("Api", "app.handler", runtime=runtime, env="MOMENTO_SECRET: x")),
            "src/app.mjs": app,
            "src/cache.mjs": NODE_CACHE,
        },
    )
    run = doctor(run_cli, root, "code.awaited-calls")
    assert run.status("code.awaited-calls") == status
    assert run.checks["code.awaited-calls"]["details"] == ["src/app.mjs line 5: client.set(...) is not awaited"]
    (root / "src" / "app.mjs").write_text(app.replace("  client.set(", "  await client.set("))
    assert doctor(run_cli, root, "code.awaited-calls").status("code.awaited-calls") == "pass"


# --- a real parser, local imports ----------------------------------------------------------------


def test_strings_and_comments_do_not_hide_a_client_created_in_the_handler(run_cli, tmp_path):
    app = """\
import {CacheClient, Configurations} from '@gomomento/sdk';

export const handler = async (event) => {
  const brace = "}";  // a closing brace in a string
  // if (!client) reuse it -- not code
  const client = await CacheClient.create({configuration: Configurations.Lambda.latest(), defaultTtlSeconds: 60});
  return client.get('c', brace);
};
"""
    root = write_tree(
        tmp_path / "tricky",
        {
            "template.yaml": template(function("Api", "app.handler", runtime="nodejs22.x", env="MOMENTO_SECRET: x")),
            "src/app.mjs": app,
        },
    )
    run = doctor(run_cli, root, "code.client-reuse")
    assert run.status("code.client-reuse") == "fail"
    assert "src/app.mjs line 6: CacheClient.create inside the handler `handler`" in run.text("code.client-reuse")


def test_local_imports_are_followed_two_hops_into_typescript(run_cli, tmp_path):
    root = write_tree(
        tmp_path / "hops",
        {
            "template.yaml": template(
                function("Api", "app.handler", runtime="nodejs22.x", env="MOMENTO_SECRET: x")
                + "  Metadata:\n    BuildMethod: esbuild\n"
            ),
            "src/app.ts": "import {store} from './lib/store.js';\n"
            "export const handler = async (e: {id: string}) => store(e.id);\n",
            "src/lib/store.ts": "import {makeClient} from './client';\n"
            "export async function store(id: string) {\n  const c = await makeClient();\n  return c.set('c', id, '1');\n}\n",
            "src/lib/client.ts": "import {CacheClient, Configurations} from '@gomomento/sdk';\n"
            "export function makeClient() {\n"
            "  return CacheClient.create({configuration: Configurations.Lambda.latest(), defaultTtlSeconds: 60});\n}\n",
        },
    )
    run = doctor(run_cli, root, "code.client-reuse")
    assert run.status("code.client-reuse") == "fail", run.text("code.client-reuse")
    assert "src/lib/client.ts line 3: CacheClient.create in `makeClient()`, which runs on every call" in run.text(
        "code.client-reuse"
    )


@pytest.mark.integration
def test_tree_sitter_is_imported_only_for_node_code(tmp_path):
    root = write_tree(
        tmp_path / "py-only",
        {
            "template.yaml": template(function("Api", "app.handler", env="SECRET_ID: " + SECRET)),
            "src/app.py": PY_MOMENTO + "\n\ndef handler(event, context):\n    return 1\n",
        },
    )
    code = (
        "import sys\nfrom momento_lambda_cli.cli import main\n"
        f"main(['doctor', {str(root)!r}, '--offline', '--json'])\n"
        "print('TREE_SITTER=' + str('tree_sitter' in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout
    assert out.strip().splitlines()[-1] == "TREE_SITTER=False"


# --- classes from the field sweep of public Momento projects -------------------------------------

LAYER = """\
SharedLayer:
  Type: AWS::Serverless::LayerVersion
  Properties:
    ContentUri: layers/
    CompatibleRuntimes: [nodejs22.x]
"""

LAYER_CLIENT = """\
const {CacheClient, Configurations, CredentialProvider} = require('@gomomento/sdk');
const {SecretsManagerClient, GetSecretValueCommand} = require('@aws-sdk/client-secrets-manager');
const secrets = new SecretsManagerClient({requestHandler: {connectionTimeout: 1000, requestTimeout: 1000, throwOnRequestTimeout: true}});
let cached;

exports.getCacheClient = async () => {
  if (!cached) {
    const out = await secrets.send(new GetSecretValueCommand({SecretId: process.env.SECRET_ID}));
    const client = new CacheClient({
      configuration: Configurations.Laptop.v1(),
      credentialProvider: CredentialProvider.fromString({apiKey: out.SecretString}),
      defaultTtlSeconds: 60,
    });
    cached = client;
  }
  return cached;
};
exports.metrics = () => 1;
"""


def test_a_layer_client_kept_through_a_local_is_reused_and_its_preset_is_reported_on_the_layer(run_cli, tmp_path):
    layers = "    Layers:\n      - !Ref SharedLayer\n"
    root = write_tree(
        tmp_path / "layer-shared",
        {
            "template.yaml": template(
                function(
                    "Cached",
                    "index.handler",
                    runtime="nodejs22.x",
                    code="functions/cached/",
                    env="SECRET_ID: " + SECRET,
                    extra=layers,
                )
                # the layer is attached but never imported: no Momento code runs here
                + function(
                    "Plain", "index.handler", runtime="nodejs22.x", code="functions/plain/", timeout=3, extra=layers
                ),
                layers=LAYER,
            ),
            "functions/cached/index.js": "const shared = require('/opt/nodejs/index');\n"
            "exports.handler = async () => (await shared.getCacheClient()).get('c', 'k');\n",
            "functions/plain/index.js": "exports.handler = async (e) => e.a * e.b;\n",
            "layers/nodejs/index.js": LAYER_CLIENT,
        },
    )
    run = doctor(run_cli, root)
    assert run.status("code.client-reuse") == "pass", run.text("code.client-reuse")
    assert run.checks["code.lambda-config"]["details"] == [
        "layers/nodejs/index.js: Configurations.Laptop, made for a developer's machine "
        "(long deadlines, keepalive pings that fail while Lambda freezes the function)"
    ]
    for check_id in ("project.timeout", "iam.secret-access"):
        assert "Plain" not in run.text(check_id), check_id


def test_a_function_that_reads_no_secret_needs_only_the_client_deadline(run_cli, tmp_path):
    app = """\
const {CacheClient, Configurations, CredentialProvider} = require('@gomomento/sdk');
const client = new CacheClient({
  configuration: Configurations.Lambda.latest(),
  credentialProvider: CredentialProvider.fromEnvironmentVariable({environmentVariableName: 'AUTH_TOKEN'}),
  defaultTtlSeconds: 60,
});
exports.handler = async () => client.get('c', 'k');
"""
    root = write_tree(
        tmp_path / "no-secret",
        {"template.yaml": template(function("Api", "app.handler", runtime="nodejs22.x", timeout=2)), "src/app.js": app},
    )
    run = doctor(run_cli, root, "project.timeout", "iam.secret-access")
    assert run.status("project.timeout") == "warn"
    assert "Api: Timeout 2 s (needs 1.1 s: the client deadline)" in run.text("project.timeout")
    assert run.status("iam.secret-access") == "skip"


def test_a_dynamic_reference_granted_as_written_passes(run_cli, tmp_path):
    reference = "'{{resolve:ssm:/shared/secret-id}}'"
    root = write_tree(
        tmp_path / "dynamic-ref",
        {
            "template.yaml": template(
                function(
                    "Api", "app.handler", runtime="nodejs22.x", env="MOMENTO_SECRET: " + reference, resource=reference
                )
            ),
            "src/cache.mjs": NODE_CACHE,
            "src/app.mjs": "import {getCacheClient} from './cache.mjs';\n"
            "export const handler = async () => (await getCacheClient()).get('c', 'k');\n",
        },
    )
    run = doctor(run_cli, root, "iam.secret-access")
    assert run.status("iam.secret-access") == "pass", run.text("iam.secret-access")


def test_a_secret_id_constant_in_code_and_sdk_v2_timeouts(run_cli, tmp_path):
    client = """\
const AWS = require('aws-sdk');
const {SimpleCacheClient} = require('@gomomento/sdk');

SECRET_NAME = 'prod/momento';
let client = null;

const getMomentoClient = async () => {
  if (client) return client;
  const sm = new AWS.SecretsManager({httpOptions: {connectTimeout: 1000, timeout: 1000}});
  const out = await sm.getSecretValue({SecretId: SECRET_NAME}).promise();
  client = new SimpleCacheClient(out.SecretString, 60);
  return client;
};
module.exports = {getMomentoClient};
"""
    serverless = """\
service: tutorial
provider:
  name: aws
  runtime: nodejs22.x
  iam:
    role:
      statements:
        - Effect: Allow
          Action: secretsmanager:GetSecretValue
          Resource: arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/momento-*
functions:
  createUser:
    handler: src/handlers/createUser.handler
"""
    root = write_tree(
        tmp_path / "sls-constant",
        {
            "serverless.yml": serverless,
            "src/clients/momento.js": client,
            "src/handlers/createUser.js": "const {getMomentoClient} = require('../clients/momento');\n"
            "exports.handler = async () => (await getMomentoClient()).get('c', 'k');\n",
        },
    )
    run = doctor(run_cli, root, "iam.secret-access", "code.client-reuse", "code.secret-timeouts")
    assert run.status("iam.secret-access") == "pass", run.text("iam.secret-access")
    assert "createUser: GetSecretValue on prod/momento" in run.text("iam.secret-access")
    assert run.status("code.client-reuse") == "pass", run.text("code.client-reuse")
    assert run.status("code.secret-timeouts") == "pass", run.text("code.secret-timeouts")


def test_a_prebuilt_zip_is_not_read_and_says_so(run_cli, tmp_path):
    root = write_tree(
        tmp_path / "zip",
        {
            "template.yaml": template(
                function("Api", "index.handler", runtime="nodejs22.x", code="function.zip", env="MOMENTO_CACHE_NAME: c")
            ),
            "function.zip": "not really a zip",
        },
    )
    run = doctor(run_cli, root, "code.client-reuse", "iam.secret-access")
    assert run.status("code.client-reuse") == "skip"
    assert "Api: its code is function.zip (zip), not read" in run.text("code.client-reuse")
    assert run.status("iam.secret-access") == "skip"


def test_a_build_of_a_function_without_momento_is_not_asked_for_the_sdk(run_cli, tmp_path):
    root = write_tree(
        tmp_path / "built-plain",
        {
            "template.yaml": template(function("Counter", "app.handler")),
            "src/app.py": "def handler(event, context):\n    return 1\n",
            ".aws-sam/build/Counter/app.py": "def handler(event, context):\n    return 1\n",
        },
    )
    run = doctor(run_cli, root, "build.sdk")
    assert run.status("build.sdk") == "skip", run.text("build.sdk")
    (root / "src" / "app.py").write_text("import momento\n\n\ndef handler(event, context):\n    return 1\n")
    run = doctor(run_cli, root, "build.sdk")
    assert run.status("build.sdk") == "fail"
    assert ".aws-sam/build/Counter: no momento/ package" in run.text("build.sdk")


LAYER_JWT_AND_METRICS = """\
const {CacheClient, Configurations, CredentialProvider} = require('@gomomento/sdk');
const {SecretsManagerClient, GetSecretValueCommand} = require('@aws-sdk/client-secrets-manager');
const secrets = new SecretsManagerClient({requestHandler: {connectionTimeout: 1000, requestTimeout: 1000, throwOnRequestTimeout: true}});
let cachedSecrets;
let client;

exports.metrics = {add: (name) => name};
exports.getSecret = async (key) => {
  cachedSecrets ??= JSON.parse((await secrets.send(new GetSecretValueCommand({SecretId: process.env.SECRET_ID}))).SecretString);
  return cachedSecrets[key];
};
function build(apiKey) {
  return new CacheClient({
    configuration: Configurations.Lambda.latest(),
    credentialProvider: CredentialProvider.fromString({apiKey}),
    defaultTtlSeconds: 60,
  });
}
exports.getCacheClient = async () => {
  client ??= build(await exports.getSecret('momento'));
  return client;
};
"""

LAYER_ESM = """\
import {CacheClient, Configurations, CredentialProvider} from '@gomomento/sdk';
let client;
export const metrics = {add: (name) => name};
const build = () => new CacheClient({
  configuration: Configurations.Lambda.latest(),
  credentialProvider: CredentialProvider.fromEnvironmentVariable('MOMENTO_API_KEY'),
  defaultTtlSeconds: 60,
});
export async function getCacheClient() {
  client ??= build();
  return client;
}
"""


@pytest.mark.parametrize(
    ("layer_file", "layer_code", "uses"),
    [
        (
            "layers/nodejs/index.js",
            LAYER_JWT_AND_METRICS,
            {
                "Metrics": "const shared = require('/opt/nodejs/index');\n"
                "exports.handler = async () => shared.metrics.add('calls');\n",
                "Jwt": "const {getSecret} = require('/opt/nodejs/index');\n"
                "exports.handler = async () => ({signature: await getSecret('signature')});\n",
                "Cached": "const shared = require('/opt/nodejs/index');\n"
                "exports.handler = async () => (await shared.getCacheClient()).get('c', 'k');\n",
            },
        ),
        (
            "layers/nodejs/index.mjs",
            LAYER_ESM,
            {
                "Metrics": "import {metrics} from '/opt/nodejs/index.mjs';\n"
                "export const handler = async () => metrics.add('calls');\n",
                "Jwt": "import * as shared from '/opt/nodejs/index.mjs';\n"
                "export const handler = async () => shared.metrics.add('jwt');\n",
                "Cached": "import * as shared from '/opt/nodejs/index.mjs';\n"
                "export const handler = async () => (await shared.getCacheClient()).get('c', 'k');\n",
            },
        ),
    ],
)
def test_a_shared_layer_imported_for_something_else_is_not_momento_use(run_cli, tmp_path, layer_file, layer_code, uses):
    layers = "    Layers:\n      - !Ref SharedLayer\n"
    suffix = layer_file.rsplit(".", 1)[1]
    functions = "".join(
        function(
            key,
            "index.handler",
            runtime="nodejs22.x",
            code=f"functions/{key.lower()}/",
            timeout=3,
            env="SECRET_ID: " + SECRET,
            extra=layers,
        )
        for key in uses
    )
    files = {f"functions/{key.lower()}/index.{suffix}": text for key, text in uses.items()}
    root = write_tree(
        tmp_path / f"layer-{suffix}",
        {"template.yaml": template(functions, layers=LAYER), layer_file: layer_code, **files},
    )
    run = doctor(run_cli, root, "project.timeout")
    text = run.text("project.timeout")
    assert "Cached: Timeout 3 s" in text, text
    assert "Metrics" not in text and "Jwt" not in text, text


# --- #25: a Node.js requestTimeout that only warns ---------------------------------------------

NODE_REQUEST_TIMEOUT = """\
import {CacheClient, Configurations, CredentialProvider} from '@gomomento/sdk';
import {SecretsManagerClient, GetSecretValueCommand} from '@aws-sdk/client-secrets-manager';

const secrets = new SecretsManagerClient({requestHandler: {connectionTimeout: 1000, requestTimeout: 1000%s}});
let client;

export const handler = async () => {
  const out = await secrets.send(new GetSecretValueCommand({SecretId: process.env.MOMENTO_SECRET}));
  client ??= await CacheClient.create({configuration: Configurations.Lambda.latest(),
    credentialProvider: CredentialProvider.fromString({apiKey: out.SecretString}), defaultTtlSeconds: 60});
  return client.get('c', 'k');
};
"""


@pytest.mark.parametrize(
    ("extra", "status"),
    [
        pytest.param("", "warn", id="requestTimeout-alone-only-logs"),
        pytest.param(", throwOnRequestTimeout: false", "warn", id="throwOnRequestTimeout-false"),
        pytest.param(", throwOnRequestTimeout: true", "pass", id="throwOnRequestTimeout-true"),
        pytest.param(", socketTimeout: 1000", "pass", id="socketTimeout"),
    ],
)
def test_a_node_request_timeout_without_throw_is_no_timeout(run_cli, tmp_path, extra, status):
    root = write_tree(
        tmp_path / "p",
        {
            "template.yaml": template(
                function("Api", "app.handler", runtime="nodejs22.x", env="MOMENTO_SECRET: " + SECRET)
            ),
            "src/app.mjs": NODE_REQUEST_TIMEOUT % extra,
        },
    )
    run = doctor(run_cli, root, "code.secret-timeouts")
    assert run.status("code.secret-timeouts") == status, run.text("code.secret-timeouts")
    if status == "warn":
        assert "src/app.mjs line 4" in run.text("code.secret-timeouts")
        assert "throwOnRequestTimeout" in run.text("code.secret-timeouts")


def _lock(version: str) -> str:
    return (
        '{"name": "p", "lockfileVersion": 3, "packages": {"": {}, '
        f'"node_modules/@smithy/node-http-handler": {{"version": "{version}"}}}}}}'
    )


@pytest.mark.parametrize(
    ("files", "status"),
    [
        pytest.param({"src/package-lock.json": _lock("2.1.0")}, "pass", id="locked-2.1-rejects"),
        pytest.param({"src/package-lock.json": _lock("4.3.2")}, "pass", id="locked-4.3-rejects"),
        pytest.param({"src/package-lock.json": _lock("4.4.0")}, "warn", id="locked-4.4-only-logs"),
        pytest.param({"package-lock.json": _lock("3.0.0")}, "pass", id="locked-at-the-root"),
        pytest.param(
            {"package-lock.json": _lock("3.0.0"), "src/package-lock.json": _lock("4.14.1")},
            "warn",
            id="the-function-folder-wins",
        ),
        pytest.param(
            {"src/node_modules/@smithy/node-http-handler/package.json": '{"version": "2.5.0"}'},
            "pass",
            id="installed-2.5",
        ),
    ],
)
def test_a_request_timeout_on_a_locked_handler_older_than_4_4_rejects(run_cli, tmp_path, files, status):
    """Field (f16): before @smithy/node-http-handler 4.4.0 `requestTimeout` was the socket's idle
    timeout, which rejects; only 4.4.0 and later merely log. A lock or install of an older handler
    is not warned about; no lock (the next install takes the newest) still is."""
    root = write_tree(
        tmp_path / "p",
        {
            "template.yaml": template(
                function("Api", "app.handler", runtime="nodejs22.x", env="MOMENTO_SECRET: " + SECRET)
            ),
            "src/app.mjs": NODE_REQUEST_TIMEOUT % "",
            **files,
        },
    )
    run = doctor(run_cli, root, "code.secret-timeouts")
    assert run.status("code.secret-timeouts") == status, run.text("code.secret-timeouts")
    if status == "pass":
        assert "@smithy/node-http-handler" in run.text("code.secret-timeouts")
    else:
        assert "4.4.0 and later" in run.text("code.secret-timeouts")


# --- #24 misses: a `secret:${SecretId}*` grant is not "exactly the secret" -------------------


@pytest.mark.parametrize(
    ("resource", "status"),
    [
        pytest.param(
            '!Sub "arn:aws:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:${SecretId}*"', "warn", id="name-star"
        ),
        pytest.param(
            '!Sub "arn:aws:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:${SecretId}-??????"',
            "pass",
            id="name-six-suffix",
        ),
    ],
)
def test_a_name_prefix_wildcard_grant_is_over_broad(run_cli, tmp_path, resource, status):
    root = write_tree(
        tmp_path / "p",
        {
            "template.yaml": template(
                function("Api", "app.handler", env="SECRET_ID: !Ref SecretId", resource=resource),
                parameters="SecretId:\n  Type: String\n  Default: prod/momento\n",
            ),
            "src/app.py": PY_MOMENTO + "\n\ndef handler(event, context):\n    return client.get('c', 'k')\n",
        },
    )
    run = doctor(run_cli, root, "iam.secret-access")
    assert run.status("iam.secret-access") == status, run.text("iam.secret-access")
    if status == "warn":
        assert "exactly" not in run.checks["iam.secret-access"]["message"].replace("not exactly", "")
        assert "prod/momento*" in run.text("iam.secret-access")


def test_a_topic_client_without_a_configuration_is_reported_not_skipped(run_cli, tmp_path):
    src = (
        "import {TopicClient, CredentialProvider} from '@gomomento/sdk';\n"
        "const topics = new TopicClient({credentialProvider: CredentialProvider.fromEnvironmentVariable('K')});\n"
        "export const handler = async () => { await topics.publish('c', 't', 'hello'); };\n"
    )
    root = write_tree(
        tmp_path / "p",
        {"template.yaml": template(function("Api", "app.handler", runtime="nodejs22.x")), "src/app.mjs": src},
    )
    run = doctor(run_cli, root, "code.lambda-config")
    assert run.status("code.lambda-config") == "warn", run.text("code.lambda-config")
    assert "src/app.mjs line 2: new TopicClient without a configuration" in run.text("code.lambda-config")


# --- #24 misses: the key as a template parameter without NoEcho ------------------------------


@pytest.mark.parametrize(
    ("parameter", "status"),
    [
        pytest.param("MomentoApiKey:\n  Type: String\n", "fail", id="named-no-noecho"),
        pytest.param("MomentoApiKey:\n  Type: String\n  NoEcho: true\n", "pass", id="noecho"),
        pytest.param("MomentoSecretArn:\n  Type: String\n", "pass", id="an-arn-is-not-the-key"),
    ],
)
def test_a_key_parameter_without_noecho_fails(run_cli, tmp_path, parameter, status):
    root = write_tree(
        tmp_path / "p",
        {
            "template.yaml": template(function("Api", "app.handler", env="SECRET_ID: " + SECRET), parameters=parameter),
            "src/app.py": PY_MOMENTO + "\n\ndef handler(event, context):\n    return client.get('c', 'k')\n",
        },
    )
    run = doctor(run_cli, root, "secret.no-plaintext-key")
    assert run.status("secret.no-plaintext-key") == status, run.text("secret.no-plaintext-key")
    if status == "fail":
        assert "parameter MomentoApiKey carries the Momento key without NoEcho: true" in run.text(
            "secret.no-plaintext-key"
        )


def _secret(logical_id: str, parameter: str, name: str = "") -> str:
    named = f"    Name: {name}\n" if name else ""
    return (
        f"{logical_id}:\n  Type: AWS::SecretsManager::Secret\n  Properties:\n{named}"
        f"    SecretString: !Ref {parameter}\n"
    )


@pytest.mark.parametrize(
    ("parameter", "resources", "env", "status"),
    [
        pytest.param(
            "ApiKeyRequired:\n  Type: String\n  AllowedValues: ['true', 'false']\n", "", "", "pass", id="a-switch"
        ),
        pytest.param("ApiKeyCount:\n  Type: Number\n", "", "", "pass", id="a-number"),
        pytest.param("DbPassword:\n  Type: String\n", _secret("DbSecret", "DbPassword"), "", "pass", id="db-secret"),
        pytest.param(
            "Value:\n  Type: String\n", _secret("Keys", "Value", "momento/api-key"), "", "fail", id="momento-named"
        ),
        pytest.param(
            "Value:\n  Type: String\n",
            _secret("Store", "Value"),
            "\n    SECRET_ID: !Ref Store",
            "fail",
            id="read-by-code",
        ),
    ],
)
def test_only_parameters_that_can_carry_the_momento_key_need_noecho(
    run_cli, tmp_path, parameter, resources, env, status
):
    """Field (f18): an API Gateway `ApiKeyRequired: true/false` switch and a database password put
    into a database secret are not the Momento key; a parameter put into the secret the Momento
    code reads (named for Momento, or referenced by the variable the code reads) is."""
    fn = function("Api", "app.handler", env="SECRET_ID: " + SECRET if not env else env.strip().replace("\n    ", ""))
    root = write_tree(
        tmp_path / "p",
        {
            "template.yaml": template(fn + resources, parameters=parameter),
            "src/app.py": PY_MOMENTO + "\n\ndef handler(event, context):\n    return client.get('c', 'k')\n",
        },
    )
    run = doctor(run_cli, root, "secret.no-plaintext-key")
    assert run.status("secret.no-plaintext-key") == status, run.text("secret.no-plaintext-key")


# --- #24 misses: duplicate YAML keys are not "template parses" ------------------------------


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        pytest.param(
            {
                "template.yaml": template(function("Api", "app.handler")).replace(
                    "      Runtime: python3.13\n", "      Runtime: python3.13\n      Runtime: python3.12\n"
                ),
            },
            "template.yaml line 10: key Runtime appears again (the SAM CLI keeps the last one",
            id="sam",
        ),
        pytest.param(
            {
                "serverless.yml": "service: s\nprovider:\n  name: aws\n  runtime: python3.13\n  runtime: python3.12\n"
                "functions:\n  api:\n    handler: app.handler\n",
            },
            "serverless.yml line 5: key runtime appears again (the Serverless Framework refuses",
            id="serverless",
        ),
    ],
)
def test_duplicate_keys_warn_where_add_would_refuse(run_cli, tmp_path, files, expected):
    root = write_tree(tmp_path / "p", {**files, "src/app.py": "def handler(e, c):\n    return 1\n", "app.py": ""})
    run = doctor(run_cli, root, "project.framework")
    assert run.status("project.framework") == "warn", run.text("project.framework")
    assert expected in run.text("project.framework")


# --- #24 misses: the key logged to CloudWatch; the key read from a variable nobody sets -----

NODE_LOGS_KEY = """\
import {CacheClient, Configurations, CredentialProvider} from '@gomomento/sdk';
import {SecretsManagerClient, GetSecretValueCommand} from '@aws-sdk/client-secrets-manager';

const sm = new SecretsManagerClient({requestHandler: {connectionTimeout: 1000, socketTimeout: 1000}});
let client;
export const handler = async () => {
  const out = await sm.send(new GetSecretValueCommand({SecretId: process.env.MOMENTO_SECRET}));
  const { MOMENTO_API_KEY } = JSON.parse(out.SecretString);
  console.log('missing apiKey?');
  console.log('using key', MOMENTO_API_KEY);
  client ??= await CacheClient.create({configuration: Configurations.Lambda.latest(),
    credentialProvider: CredentialProvider.fromString({apiKey: MOMENTO_API_KEY}), defaultTtlSeconds: 60});
  return client.get('c', 'k');
};
"""


def test_the_key_written_to_cloudwatch_by_console_log_fails(run_cli, tmp_path):
    root = write_tree(
        tmp_path / "p",
        {
            "template.yaml": template(
                function("Api", "app.handler", runtime="nodejs22.x", env="MOMENTO_SECRET: " + SECRET)
            ),
            "src/app.mjs": NODE_LOGS_KEY,
        },
    )
    run = doctor(run_cli, root, "secret.no-plaintext-key")
    assert run.status("secret.no-plaintext-key") == "fail", run.text("secret.no-plaintext-key")
    text = run.text("secret.no-plaintext-key")
    assert "src/app.mjs line 10: console.log('using key', MOMENTO_API_KEY) writes the Momento key" in text
    assert "line 9" not in text  # a word inside a message is not the key


def test_the_key_read_from_a_variable_the_template_never_sets_warns(run_cli, tmp_path):
    source = (
        "from datetime import timedelta\n\nfrom momento import CacheClient, Configurations, CredentialProvider\n\n"
        "client = CacheClient(Configurations.Lambda.latest(), "
        "CredentialProvider.from_environment_variable('MOMENTO_API_KEY'), timedelta(seconds=60))\n\n\n"
        "def handler(event, context):\n    return client.get('c', 'k')\n"
    )
    root = write_tree(tmp_path / "p", {"template.yaml": template(function("Api", "app.handler")), "src/app.py": source})
    run = doctor(run_cli, root, "secret.no-plaintext-key")
    assert run.status("secret.no-plaintext-key") == "warn", run.text("secret.no-plaintext-key")
    assert "reads the key from MOMENTO_API_KEY" in run.text("secret.no-plaintext-key")
    assert "never sets" in run.text("secret.no-plaintext-key")


@pytest.mark.parametrize(
    ("kept", "status"),
    [("_topics, _built_for = TopicClient(config, provider), provider", "pass"),
     ("[_topics, _built_for] = [TopicClient(config, provider), provider]", "pass"),
     ("local, _built_for = TopicClient(config, provider), provider", "fail")],
)  # fmt: skip
def test_a_client_kept_by_a_tuple_assignment_to_a_global_is_reused(run_cli, tmp_path, kept, status):
    """`_topics, _built_for = TopicClient(...), provider` in a function that declares both global
    keeps the client (the generated topics-publisher's shape); into a local it does not."""
    app = f"""\
from momento import TopicClient

_topics = None
_built_for = None


def topic_client(config, provider):
    global _topics, _built_for
    if _topics is None:
        {kept}
    return _topics


def handler(event, context):
    return topic_client(1, 2).publish("c", "t", "x")
"""
    root = write_tree(
        tmp_path / "tuple", {"template.yaml": template(function("Api", "app.handler", env="SECRET_ID: " + SECRET)),
                             "src/app.py": app}
    )  # fmt: skip
    run = doctor(run_cli, root, "code.client-reuse")
    assert run.status("code.client-reuse") == status, run.text("code.client-reuse")
