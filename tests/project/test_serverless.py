"""load_serverless on hand-written Serverless projects, and against osls (`serverless print`)."""

from __future__ import annotations

import json
import os
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from momento_lambda_cli.errors import MomentoLambdaError
from momento_lambda_cli.project import load_project
from momento_lambda_cli.project.model import CodeKind, Function, Project
from momento_lambda_cli.project.serverless import layer_logical_id, load_serverless
from momento_lambda_cli.project.values import Unresolved
from tests.support.projects import write_tree
from tests.support.tools import require_tool


def load(tmp_path: Path, text: str, files: dict[str, str] | None = None, **kwargs: Any) -> Project:
    root = write_tree(tmp_path / "svc", {"serverless.yml": text, **(files or {})})
    kwargs.setdefault("environ", {})
    return load_serverless(root, **kwargs)


def fn(project: Project, key: str) -> Function:
    return next(f for f in project.functions if f.key == key)


GENERATED = """\
service: demo
frameworkVersion: '3'
provider:
  name: aws
  runtime: python3.13
  architecture: arm64
  stage: ${opt:stage, 'dev'}
  region: ${opt:region, env:AWS_REGION, 'us-east-1'}
  environment:
    MOMENTO_SECRET_ARN: ${param:momentoSecretArn}
    CACHE_NAME: ${self:custom.cacheName}
params:
  default:
    momentoSecretArn: arn:aws:secretsmanager:us-east-1:123456789012:secret:momento/demo-AbC
custom:
  cacheName: ${self:service}-cache
functions:
  hello:
    handler: src/app.handler
"""


# ----------------------------------------------------------------------------- settings


def test_generated_project_resolves_region_stage_and_stack(tmp_path):
    project = load(tmp_path, GENERATED, {"src/app.py": "def handler(e, c): pass\n"})
    assert (project.stage.value, project.stage.source) == ("dev", "serverless.yml provider.stage")
    assert (project.region.value, project.region.source) == ("us-east-1", "serverless.yml provider.region")
    assert (project.stack_name.value, project.stack_name.source) == (
        "demo-dev",
        "Serverless default (<service>-<stage>)",
    )
    assert project.service == "demo"
    assert project.framework == "serverless"
    hello = fn(project, "hello")
    assert hello.environment == {
        "MOMENTO_SECRET_ARN": "arn:aws:secretsmanager:us-east-1:123456789012:secret:momento/demo-AbC",
        "CACHE_NAME": "demo-cache",
    }
    assert hello.environment_source == {
        "MOMENTO_SECRET_ARN": "${param:momentoSecretArn}",
        "CACHE_NAME": "${self:custom.cacheName}",
    }
    assert hello.handler_file == (tmp_path / "svc/src/app.py").resolve()
    assert hello.code.kind is CodeKind.FOLDER and hello.code.path == (tmp_path / "svc/src").resolve()
    assert project.parameters == {
        "momentoSecretArn": "arn:aws:secretsmanager:us-east-1:123456789012:secret:momento/demo-AbC"
    }
    assert project.problems == []


def test_options_and_environment_choose_stage_and_region(tmp_path):
    project = load(tmp_path, GENERATED, stage="prod", region="eu-west-1")
    assert (project.stage.value, project.stage.source) == ("prod", "--stage")
    assert (project.region.value, project.region.source) == ("eu-west-1", "--region")
    assert project.stack_name.value == "demo-prod"
    assert fn(project, "hello").deployed_name == "demo-prod-hello"
    project = load(tmp_path, GENERATED, environ={"AWS_REGION": "ap-south-1"})
    assert project.region.value == "ap-south-1", "the file itself reads ${env:AWS_REGION}"


def test_aws_region_is_not_read_unless_the_file_says_so(tmp_path):
    text = "service: s\nprovider:\n  name: aws\n  runtime: python3.12\n"
    project = load(tmp_path, text, environ={"AWS_REGION": "eu-west-3"})
    assert (project.region.value, project.region.source) == ("us-east-1", "Serverless default")
    noted = load_project(tmp_path / "svc", environ={"AWS_REGION": "eu-west-3"}).region.note
    assert noted and "(AWS_REGION says eu-west-3)" in noted and "`serverless deploy` deploys there" in noted
    assert (project.stage.value, project.stage.source) == ("dev", "Serverless default")


def test_stack_name_from_provider(tmp_path):
    text = "service: s\nprovider:\n  name: aws\n  stackName: custom-${sls:stage}\n"
    project = load(tmp_path, text, stage="qa")
    assert (project.stack_name.value, project.stack_name.source) == ("custom-qa", "serverless.yml provider.stackName")


def test_unresolved_stage_makes_names_unresolved(tmp_path):
    text = "service: s\nprovider:\n  name: aws\n  stage: ${ssm:/stage}\nfunctions:\n  f:\n    handler: h.handler\n"
    project = load(tmp_path, text)
    assert isinstance(project.stage.value, Unresolved) and project.stage.known is None
    assert isinstance(project.stack_name.value, Unresolved)
    assert fn(project, "f").deployed_name is None


# ----------------------------------------------------------------------------- functions


def test_functions_inherit_provider_settings_and_defaults(tmp_path):
    text = """\
service: s
provider:
  name: aws
  runtime: nodejs20.x
  memorySize: 512
  timeout: 20
  architecture: arm64
functions:
  inherits:
    handler: index.handler
  overrides:
    handler: other.handler
    runtime: python3.12
    memorySize: 2048
    timeout: 3
    architecture: x86_64
    name: explicit-name
"""
    project = load(tmp_path, text, {"index.mjs": "export const handler = 1\n"})
    inherits, overrides = fn(project, "inherits"), fn(project, "overrides")
    assert (inherits.runtime, inherits.memory, inherits.timeout, inherits.architecture) == (
        "nodejs20.x",
        512,
        20.0,
        "arm64",
    )
    assert inherits.deployed_name == "s-dev-inherits"
    assert inherits.handler_file == (tmp_path / "svc/index.mjs").resolve()
    assert (overrides.runtime, overrides.memory, overrides.timeout, overrides.architecture) == (
        "python3.12",
        2048,
        3.0,
        "x86_64",
    )
    assert overrides.deployed_name == "explicit-name"
    assert overrides.handler_file is None
    project = load(tmp_path, "service: s\nprovider:\n  name: aws\nfunctions:\n  f:\n    handler: h.handler\n")
    f = fn(project, "f")
    assert (f.memory, f.timeout, f.architecture) == (1024, 6.0, "x86_64")
    assert isinstance(f.runtime, Unresolved)


def test_odd_values_become_problems_of_their_function(tmp_path):
    text = """\
service: s
provider:
  name: aws
  runtime: python3.12
functions:
  bad:
    handler: app.handler
    memorySize: 1536MB
    timeout: [1]
    layers: not-a-list
  fromssm:
    handler: app.handler
    memorySize: ${ssm:/mem}
  empty:
  good:
    handler: app.handler
"""
    project = load(tmp_path, text)
    bad = fn(project, "bad")
    assert isinstance(bad.memory, Unresolved) and bad.memory.expression == "1536MB"
    assert isinstance(bad.timeout, Unresolved)
    assert any("memorySize" in p for p in bad.problems)
    assert any("timeout" in p for p in bad.problems)
    assert any("layers" in p for p in bad.problems)
    fromssm = fn(project, "fromssm")
    assert isinstance(fromssm.memory, Unresolved) and fromssm.memory.expression == "${ssm:/mem}"
    assert fromssm.problems == [], "a deploy-time value is not an error"
    assert fn(project, "empty").problems
    assert fn(project, "good").problems == [] and fn(project, "good").memory == 1024


def test_non_aws_provider_and_string_environment(tmp_path):
    text = "service: s\nprovider:\n  name: azure\n  environment: FOO=bar\nfunctions:\n  f:\n    handler: h.handler\n    environment: X=1\n"
    project = load(tmp_path, text)
    assert project.provider == "azure" and not project.is_aws
    assert not any("azure" in p for p in project.problems), "another cloud is said by the doctor, once"
    assert any("provider.environment" in p for p in project.problems)
    f = fn(project, "f")
    assert f.environment == {}
    assert any("environment" in p for p in f.problems)


@pytest.mark.parametrize(
    "functions",
    ["functions:\n", "functions: {}\n", "functions: []\n", ""],
    ids=["null", "empty-map", "empty-list", "absent"],
)
def test_no_functions(tmp_path, functions):
    project = load(tmp_path, "service: s\nprovider:\n  name: aws\n" + functions)
    assert project.functions == []


@pytest.mark.parametrize(
    "functions",
    [
        "functions: just-a-string\n",
        "functions: 42\n",
        "functions: ${file(./missing.yml)}\n",
        "functions: [1, {a: {handler: a.h}}]\n",
    ],
)
def test_odd_functions_sections_are_project_problems(tmp_path, functions):
    project = load(tmp_path, "service: s\nprovider:\n  name: aws\n" + functions)
    assert project.problems
    assert [f.key for f in project.functions] in ([], ["a"])


def test_odd_types_anywhere_never_raise(tmp_path):
    text = """\
service: [1, 2]
provider: 42
package: nope
custom: []
plugins: 7
layers: x
resources: 5
functions:
  f:
    handler: {a: 1}
    environment: [1]
    role: 12
    iamRoleStatements: nope
"""
    project = load(tmp_path, text)
    assert project.problems
    assert fn(project, "f").problems


def test_functions_as_a_list_and_from_an_include(tmp_path):
    text = "service: s\nprovider:\n  name: aws\n  runtime: python3.12\nfunctions:\n  - a:\n      handler: a.handler\n  - b:\n      handler: b.handler\n"
    assert [f.key for f in load(tmp_path, text).functions] == ["a", "b"]
    files = {
        "functions.yml": "hello:\n  handler: app.handler\n  environment:\n    TABLE: ${self:custom.table}\n",
        "custom.yml": "custom:\n  table: t-${sls:stage}\n",
    }
    text = "service: s\nprovider:\n  name: aws\n  runtime: python3.12\nfunctions: ${file(./functions.yml)}\ncustom: ${file(./custom.yml):custom}\n"
    project = load(tmp_path, text, files)
    hello = fn(project, "hello")
    assert hello.environment == {"TABLE": "t-dev"}
    assert hello.environment_source == {"TABLE": "${self:custom.table}"}
    svc = Path(os.path.realpath(tmp_path / "svc"))
    assert project.config_files == [tmp_path / "svc/serverless.yml", svc / "functions.yml", svc / "custom.yml"]


def test_environment_values_are_strings_or_unresolved(tmp_path):
    text = """\
service: s
provider:
  name: aws
  environment:
    NUM: 5
    FLAG: true
    REF: {Ref: MyTable}
    JOINED: {'Fn::Join': ['-', [a, b]]}
    SECRET: ${ssm:/secret}
functions:
  f:
    handler: h.handler
    environment:
      NUM: 6
"""
    env = fn(load(tmp_path, text), "f").environment
    assert env["NUM"] == "6" and env["FLAG"] == "true" and env["JOINED"] == "a-b"
    assert isinstance(env["REF"], Unresolved) and isinstance(env["SECRET"], Unresolved)


# ----------------------------------------------------------------------------- IAM


def test_iam_statements_from_every_place(tmp_path):
    text = """\
service: s
plugins:
  - serverless-iam-roles-per-function
provider:
  name: aws
  iam:
    role:
      statements:
        - Effect: Allow
          Action: secretsmanager:GetSecretValue
          Resource: ${param:arn}
      managedPolicies:
        - arn:aws:iam::aws:policy/ReadOnlyAccess
params:
  default:
    arn: arn:aws:secretsmanager:us-east-1:1:secret:x
functions:
  default:
    handler: h.handler
  ownrole:
    handler: h.handler
    role: CustomRole
  getatt:
    handler: h.handler
    role: {'Fn::GetAtt': [CustomRole, Arn]}
  perfunction:
    handler: h.handler
    iamRoleStatements:
      - Effect: Allow
        Action: dynamodb:GetItem
        Resource: '*'
  inherit:
    handler: h.handler
    iamRoleStatementsInherit: true
    iamRoleStatements:
      - Effect: Allow
        Action: s3:GetObject
        Resource: '*'
resources:
  Resources:
    Extra:
      Type: AWS::IAM::Policy
      Properties:
        Roles: [{Ref: IamRoleLambdaExecution}]
        PolicyDocument:
          Statement:
            - Effect: Allow
              Action: sqs:SendMessage
              Resource: '*'
    CustomRole:
      Type: AWS::IAM::Role
      Properties:
        ManagedPolicyArns:
          - arn:aws:iam::aws:policy/AWSLambdaBasicExecutionRole
        Policies:
          - PolicyName: p
            PolicyDocument:
              Statement:
                Effect: Allow
                Action: kms:Decrypt
                Resource: '*'
"""
    project = load(tmp_path, text)

    def actions(key: str) -> list[str]:
        return [a for s in fn(project, key).statements for a in s.actions]

    assert actions("default") == ["secretsmanager:GetSecretValue", "sqs:SendMessage"]
    assert fn(project, "default").statements[0].resources == ("arn:aws:secretsmanager:us-east-1:1:secret:x",)
    assert fn(project, "default").managed_policies == ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
    assert actions("ownrole") == ["kms:Decrypt"] == actions("getatt")
    assert fn(project, "ownrole").managed_policies == ["arn:aws:iam::aws:policy/AWSLambdaBasicExecutionRole"]
    assert actions("perfunction") == ["dynamodb:GetItem"]
    assert actions("inherit") == ["secretsmanager:GetSecretValue", "sqs:SendMessage", "s3:GetObject"]


def test_legacy_iam_role_statements(tmp_path):
    text = "service: s\nprovider:\n  name: aws\n  iamRoleStatements:\n    - Effect: Allow\n      Action: ['a:B']\n      Resource: '*'\nfunctions:\n  f:\n    handler: h.handler\n    iamRoleStatements:\n      - Effect: Allow\n        Action: c:D\n        Resource: '*'\n"
    f = fn(load(tmp_path, text), "f")
    assert [a for s in f.statements for a in s.actions] == ["a:B"], "iamRoleStatements per function need the plugin"


# ----------------------------------------------------------------------------- layers, code, build


def test_layers_and_code_locations(tmp_path):
    text = """\
service: s
provider:
  name: aws
  runtime: python3.12
  layers:
    - arn:aws:lambda:us-east-1:123:layer:shared:1
layers:
  shared-lib:
    path: layers/shared
    compatibleRuntimes: [python3.12]
functions:
  usesLayer:
    handler: src/app.handler
    layers:
      - {Ref: SharedDashlibLambdaLayer}
      - arn:aws:lambda:us-east-1:123:layer:other:2
  providerLayers:
    handler: src/app.handler
  zipped:
    handler: app.handler
    package:
      artifact: build/f.zip
  image:
    image: 123.dkr.ecr.us-east-1.amazonaws.com/repo:latest
  nofolder:
    handler: nowhere/app.handler
  pkg:
    handler: pkg.mod.handler
"""
    files = {"layers/shared/python/x.py": "", "src/app.py": "", "build/f.zip": "zip", "pkg/mod.py": ""}
    project = load(tmp_path, text, files)
    assert layer_logical_id("shared-lib") == "SharedDashlibLambdaLayer"
    assert [layer.key for layer in project.layers] == ["shared-lib"]
    layer = project.layers[0]
    assert layer.code_dir == (tmp_path / "svc/layers/shared").resolve() and layer.runtimes == ["python3.12"]
    uses = fn(project, "usesLayer")
    assert uses.layers == [layer] and uses.layer_refs == ["arn:aws:lambda:us-east-1:123:layer:other:2"]
    assert uses.code_dirs == [(tmp_path / "svc/src").resolve(), layer.code_dir]
    assert fn(project, "providerLayers").layer_refs == ["arn:aws:lambda:us-east-1:123:layer:shared:1"]
    zipped = fn(project, "zipped")
    assert zipped.code.kind is CodeKind.ZIP and zipped.code.path == (tmp_path / "svc/build/f.zip").resolve()
    image = fn(project, "image")
    assert image.code.kind is CodeKind.IMAGE and image.package_type == "Image" and image.problems == []
    assert fn(project, "nofolder").code.kind is CodeKind.MISSING
    assert fn(project, "pkg").handler_file == (tmp_path / "svc/pkg/mod.py").resolve()


@pytest.mark.parametrize(
    "plugins",
    ["plugins:\n  - serverless-python-requirements\n", "plugins:\n  modules:\n    - serverless-python-requirements\n"],
)
def test_build_settings(tmp_path, plugins):
    text = (
        """\
service: s
provider:
  name: aws
package:
  individually: true
custom:
  pythonRequirements:
    dockerizePip: non-linux
    dockerImage: public.ecr.aws/sam/build-python3.12
    pipCmdExtraArgs: ['--platform', 'manylinux2014_aarch64']
    useStaticCache: false
"""
        + plugins
    )
    build = load(tmp_path, text).build
    assert build.dockerize_pip == "non-linux"
    assert build.docker_image == "public.ecr.aws/sam/build-python3.12"
    assert build.pip_extra_args == ["--platform", "manylinux2014_aarch64"]
    assert build.use_static_cache is False
    assert build.plugins == ["serverless-python-requirements"]
    assert build.package_individually is True


def test_answers_are_loaded(tmp_path):
    project = load(tmp_path, GENERATED, {".momento-lambda.json": '{"framework": "serverless", "secret_arn": null}'})
    assert project.answers == {"framework": "serverless", "secret_arn": None}


# ----------------------------------------------------------------------------- files that cannot be read


@pytest.mark.parametrize("name", ["serverless.ts", "serverless.js", "serverless.json"])
def test_non_yaml_configurations_are_refused_clearly(tmp_path, name):
    write_tree(tmp_path, {name: "module.exports = {}\n"})
    with pytest.raises(MomentoLambdaError) as caught:
        load_serverless(tmp_path, environ={})
    assert name in caught.value.message and caught.value.hint


def test_serverless_yaml_extension(tmp_path):
    write_tree(tmp_path, {"serverless.yaml": "service: y\nprovider:\n  name: aws\n"})
    assert load_serverless(tmp_path, environ={}).config_path == tmp_path / "serverless.yaml"


@pytest.mark.parametrize("text", ["service: [unclosed\n", "- a list\n", "just text\n"])
def test_unparsable_or_non_mapping_file_raises_bad_config(tmp_path, text):
    with pytest.raises(MomentoLambdaError) as caught:
        load(tmp_path, text)
    assert caught.value.code == "project.bad-config"
    assert "\n" not in caught.value.message


# ----------------------------------------------------------------------------- against osls

OSLS_SERVICES: dict[str, dict[str, str]] = {
    "generated": {"serverless.yml": GENERATED.replace("frameworkVersion: '3'", "frameworkVersion: '>=3'")},
    "includes": {
        "serverless.yml": """\
service: inc
provider:
  name: aws
  runtime: python3.12
  stage: ${opt:stage, env:STAGE, 'dev'}
  region: ${file(./config/${sls:stage}.json):region, 'us-west-2'}
  memorySize: ${self:custom.memory.${sls:stage}, 256}
  environment:
    STAGE_TABLE: ${self:service}-${sls:stage}-table
    FROM_JSON: ${file(./config/shared.json):nested.value}
custom: ${file(./custom.yml):custom}
functions: ${file(./functions.yml)}
""",
        "custom.yml": "custom:\n  memory:\n    prod: 2048\n  timeout: 25\n",
        "config/prod.json": '{"region": "eu-central-1"}',
        "config/shared.json": '{"nested": {"value": 42}}',
        "functions.yml": """\
api:
  handler: src/api.handler
  timeout: ${self:custom.timeout}
  environment:
    LEVEL: ${env:LOG_LEVEL, 'info'}
worker:
  handler: src/worker.main
  runtime: python3.13
  memorySize: 640
""",
    },
    "quotes": {
        "serverless.yml": """\
service: quotes
provider:
  name: aws
  runtime: nodejs20.x
  stage: ${opt:stage, "prod"}
  region: ${opt:region, 'ap-south-1'}
  timeout: ${env:TIMEOUT, 12}
  environment:
    FLAG: ${strToBool(${env:FEATURE, 'false'})}
    NUMBER: ${self:custom.none, 3}
    BOOL: ${self:custom.none, true}
    MULTI: ${env:FIRST, env:SECOND, 'third'}
    EMBEDDED: pre-${self:custom.word}-post
    REGION: ${aws:region}
    CHAIN: ${self:custom.chain1}
    STAGE_OF_PROVIDER: ${self:provider.stage}
custom:
  word: middle
  chain1: ${self:custom.chain2}
  chain2: end-${sls:stage}-${self:custom.absent, 'x'}
functions:
  - one:
      handler: one.handler
      memorySize: "768"
  - two:
      handler: lib/two.handler
      architecture: arm64
""",
    },
    "params": {
        "serverless.yml": """\
service: withparams
provider:
  name: aws
  runtime: python3.12
  stage: ${opt:stage, 'dev'}
  environment:
    TABLE: ${param:table}
    DOMAIN: ${param:domain, 'example.com'}
params:
  default:
    table: base-table
  prod:
    table: prod-table
    domain: prod.example.com
functions:
  f:
    handler: app.handler
    name: ${self:service}-${sls:stage}-custom
""",
    },
    "stackname": {
        "serverless.yml": """\
service: objservice
provider:
  name: aws
  runtime: python3.12
  stackName: stack-${sls:stage}
  region: ${env:DEPLOY_REGION, 'us-east-2'}
functions:
  f:
    handler: app.handler
    timeout: 30
""",
    },
    "dotenv": {
        "serverless.yml": """\
service: dotenvsvc
useDotenv: true
provider:
  name: aws
  runtime: python3.12
  stage: ${opt:stage, 'dev'}
  environment:
    FROM_DOTENV: ${env:DOTENV_VALUE}
    BOTH: ${env:BOTH, 'none'}
    QUOTED: ${env:QUOTED}
functions:
  f:
    handler: app.handler
""",
        ".env": '# defaults\nDOTENV_VALUE=base\nBOTH=from-file\nexport QUOTED="a b"\n',
        ".env.prod": "DOTENV_VALUE=prod-value\nQUOTED='single # not a comment'\n",
    },
}

# Not compared: a nested variable as a fallback source (`${opt:stage, ${self:x, 'dev'}}`),
# which Serverless v3 / osls rejects as a syntax error and v4 accepts (test_sls_vars covers it).
OSLS_CASES: list[tuple[str, dict[str, str], dict[str, str]]] = [
    ("generated", {}, {}),
    ("generated", {"stage": "prod", "region": "eu-west-1"}, {}),
    ("generated", {}, {"AWS_REGION": "ap-northeast-1"}),
    ("includes", {}, {}),
    ("includes", {"stage": "prod"}, {"LOG_LEVEL": "debug"}),
    ("includes", {}, {"STAGE": "prod"}),
    ("quotes", {}, {}),
    ("quotes", {"stage": "dev", "region": "us-west-1"}, {"TIMEOUT": "40", "FEATURE": "1", "SECOND": "two"}),
    ("params", {}, {}),
    ("params", {"stage": "prod"}, {}),
    ("dotenv", {}, {}),
    ("dotenv", {"stage": "prod"}, {"BOTH": "from-env"}),
    ("stackname", {}, {}),
    ("stackname", {"stage": "qa"}, {"DEPLOY_REGION": "sa-east-1"}),
]


def _osls_print(osls: Path, root: Path, options: dict[str, str], environ: dict[str, str]) -> dict[str, Any]:
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(root.parent / "home"),
        "AWS_ACCESS_KEY_ID": "x",
        "AWS_SECRET_ACCESS_KEY": "x",
        "AWS_EC2_METADATA_DISABLED": "true",
        "SLS_TELEMETRY_DISABLED": "1",
        "SLS_NOTIFICATIONS_MODE": "off",
        **environ,
    }
    argv = [str(osls), "print", "--format", "json"]
    for name, value in options.items():
        argv += [f"--{name}", value]
    proc = subprocess.run(argv, cwd=root, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return dict(json.loads(proc.stdout[proc.stdout.index("{") :]))


def _expected(printed: dict[str, Any], options: dict[str, str]) -> dict[str, Any]:
    """What Serverless deploys: its provider getStage() / getRegion() give the options first
    (`print` shows provider.stage as written, or its default)."""
    provider = printed["provider"]
    stage = options.get("stage") or provider["stage"]
    service = printed["service"]
    functions = {}
    for key, spec in (printed.get("functions") or {}).items():
        functions[key] = {
            "runtime": spec.get("runtime", provider.get("runtime")),
            "memory": spec.get("memorySize", provider.get("memorySize", 1024)),
            "timeout": spec.get("timeout", provider.get("timeout", 6)),
            "handler": spec.get("handler"),
            "environment": {**(provider.get("environment") or {}), **(spec.get("environment") or {})},
            "name": spec.get("name"),
        }
    return {
        "service": service["name"] if isinstance(service, dict) else service,
        "stage": stage,
        "region": options.get("region") or provider["region"],
        "stack_name": provider.get("stackName") or f"{service}-{stage}",
        "functions": functions,
    }


def _ours(project: Project) -> dict[str, Any]:
    return {
        "service": project.service,
        "stage": project.stage.value,
        "region": project.region.value,
        "stack_name": project.stack_name.value,
        "functions": {
            f.key: {
                "runtime": f.runtime,
                "memory": f.memory,
                "timeout": f.timeout,
                "handler": f.handler,
                "environment": f.environment,
                "name": f.deployed_name,
            }
            for f in project.functions
        },
    }


@pytest.mark.slow
def test_resolution_matches_osls_print(tmp_path):
    osls = require_tool("osls")
    roots = {}
    for name, files in OSLS_SERVICES.items():
        roots[name] = write_tree(tmp_path / name, files)
    (tmp_path / "home").mkdir()

    def run(case: tuple[str, dict[str, str], dict[str, str]]) -> dict[str, Any]:
        name, options, environ = case
        return _osls_print(osls, roots[name], options, environ)

    with ThreadPoolExecutor(max_workers=4) as pool:
        printed = list(pool.map(run, OSLS_CASES))
    for (name, options, environ), output in zip(OSLS_CASES, printed, strict=True):
        project = load_serverless(
            roots[name], stage=options.get("stage"), region=options.get("region"), environ=environ
        )
        assert _ours(project) == _expected(output, options), (name, options, environ)
        assert project.problems == [], (name, project.problems)


def test_unresolved_policy_resources_keep_their_expression(tmp_path):
    text = """\
service: s
provider:
  name: aws
  iam:
    role:
      statements:
        - Effect: Allow
          Action: secretsmanager:GetSecretValue
          Resource:
            - ${ssm:/secret-arn}
            - arn:aws:secretsmanager:us-east-1:1:secret:fixed
functions:
  f:
    handler: h.handler
"""
    (statement,) = fn(load(tmp_path, text), "f").statements
    assert statement.resources == ("${ssm:/secret-arn}", "arn:aws:secretsmanager:us-east-1:1:secret:fixed")


_ATOMS = [None, 1, 1.5, True, "x", "", "${ssm:/a}", "${self:custom}", "${self:}", "${opt:stage}", "${file(./f.yml)}"]
_ATOMS += [
    "${file(./f.yml):a}",
    "${env:X}",
    "${aws:region}",
    "a.handler",
    "src/x.handler",
    "1536MB",
    "${bad",
    "${param:p}",
]
_ATOMS += ["arn:aws:lambda:us-east-1:1:layer:x:1", "${self:functions}", "${self:provider}"]
_KEYS = ["name", "runtime", "handler", "memorySize", "timeout", "architecture", "environment", "layers", "role"]
_KEYS += ["iam", "statements", "iamRoleStatements", "package", "artifact", "individually", "image", "path", "Ref"]
_KEYS += ["Fn::GetAtt", "Resources", "Type", "Properties", "Roles", "PolicyDocument", "Statement", "Effect"]
_KEYS += ["Action", "Resource", "stage", "region", "stackName", "modules", "pythonRequirements", "default", "dev", "a"]
_TOP = [
    "service",
    "provider",
    "functions",
    "layers",
    "resources",
    "custom",
    "plugins",
    "package",
    "params",
    "useDotenv",
]


def test_random_documents_never_raise(tmp_path):
    """Odd types in every place the loader reads: findings, never exceptions (seeded)."""
    import random

    rnd = random.Random(8)

    def value(depth: int) -> Any:
        roll = rnd.random()
        if depth > 4 or roll < 0.45:
            return rnd.choice(_ATOMS)
        if roll < 0.75:
            return {rnd.choice(_KEYS): value(depth + 1) for _ in range(rnd.randint(0, 4))}
        return [value(depth + 1) for _ in range(rnd.randint(0, 3))]

    for index in range(150):
        document = {key: value(0) for key in _TOP if rnd.random() < 0.8}
        if rnd.random() < 0.5:
            document["functions"] = {"f": {key: value(2) for key in _KEYS[:11] if rnd.random() < 0.5}}
        root = write_tree(
            tmp_path / str(index),
            {"serverless.yml": json.dumps(document), "f.yml": json.dumps({"a": value(1), "b": value(1)})},
        )
        load_serverless(root, environ={"X": "1"}, stage=rnd.choice([None, "prod"]))
