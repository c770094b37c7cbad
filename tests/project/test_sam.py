"""The SAM half of the project model, on hand-written projects shaped like real ones."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from momento_lambda_cli.errors import MomentoLambdaError
from momento_lambda_cli.project import load_project
from momento_lambda_cli.project.model import CodeKind
from momento_lambda_cli.project.values import Unresolved
from tests.support.projects import write_tree

TEMPLATE = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Parameters:
  MomentoSecretArn:
    Type: String
  Stage:
    Type: String
    Default: dev
Globals:
  Function:
    Runtime: python3.12
    Timeout: 10
    MemorySize: 256
    Architectures: [arm64]
    Layers:
      - !Ref SharedLayer
    Environment:
      Variables:
        STAGE: !Ref Stage
        MOMENTO_CACHE_NAME: cache
Resources:
  SharedLayer:
    Type: AWS::Serverless::LayerVersion
    Properties:
      ContentUri: layers/shared/
      CompatibleRuntimes: [python3.12]
    Metadata:
      BuildMethod: python3.12
  GetItem:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions\\\\get-item
      Handler: app.handler
      Layers:
        - arn:aws:lambda:us-east-1:017000801446:layer:AWSLambdaPowertoolsPythonV3-python312-arm64:7
      Environment:
        Variables:
          MOMENTO_SECRET_ARN: !Ref MomentoSecretArn
  Zipped:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: dist/function.zip
      Handler: index.handler
      Runtime: nodejs22.x
      Timeout: !Ref NoSuchDefault
      MemorySize: 1536MB
  FromS3:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: {Bucket: my-bucket, Key: code.zip}
      Handler: app.handler
  Plain:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.13
      Handler: index.handler
      Role: !GetAtt PlainRole.Arn
      Code: {ZipFile: "def handler(e, c): return 1"}
  PlainRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {}
      Policies:
        - PolicyName: read
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: secretsmanager:GetSecretValue
                Resource: !Ref MomentoSecretArn
"""

SAMCONFIG = """\
version = 0.1
[default.global.parameters]
stack_name = "orders"
region = "eu-west-1"

[default.deploy.parameters]
parameter_overrides = "MomentoSecretArn=\\"arn:aws:secretsmanager:eu-west-1:123456789012:secret:default-AbCdEf\\" Stage=\\"prod stage\\""

[prod.deploy.parameters]
stack_name = "orders-prod"
region = "ap-south-1"
parameter_overrides = "ParameterKey=MomentoSecretArn,ParameterValue=arn:aws:secretsmanager:ap-south-1:123456789012:secret:prod-AbCdEf ParameterKey=Stage,ParameterValue=prod"
"""


@pytest.fixture
def project_dir(tmp_path: Path) -> Path:
    return write_tree(
        tmp_path,
        {
            "template.yaml": TEMPLATE,
            "samconfig.toml": SAMCONFIG,
            "functions/get-item/app.py": "from momento import CacheClient\n",
            "layers/shared/python/shared.py": "x = 1\n",
        },
    )


def test_samconfig_region_wins_over_the_environment_as_sam_deploy_does(project_dir):
    project = load_project(project_dir, environ={"AWS_REGION": "us-east-1"})
    assert project.region.value == "eu-west-1"
    assert project.region.source == "samconfig.toml [default.global.parameters] region"
    assert project.region.note and "(AWS_REGION says us-east-1)" in project.region.note
    assert load_project(project_dir, region="us-west-2", environ={}).region.value == "us-west-2"


def test_the_environment_region_applies_when_samconfig_has_none(tmp_path):
    write_tree(tmp_path, {"template.yaml": TEMPLATE, "samconfig.toml": "version = 0.1\n"})
    assert load_project(tmp_path, environ={"AWS_DEFAULT_REGION": "ca-central-1"}).region.value == "ca-central-1"
    region = load_project(tmp_path, environ={}).region
    assert region.value is None and region.source == "the AWS profile's region"


def test_config_env_selects_its_own_settings_and_long_form_overrides(project_dir):
    default = load_project(project_dir, environ={})
    prod = load_project(project_dir, stage="prod", environ={})
    assert default.stack_name.value == "orders" and prod.stack_name.value == "orders-prod"
    assert prod.region.value == "ap-south-1"  # [prod.deploy] region over [prod.global] (none) and default's
    assert default.parameters["MomentoSecretArn"].endswith("secret:default-AbCdEf")
    assert default.parameters["Stage"] == "prod stage"
    assert prod.parameters == {
        "MomentoSecretArn": "arn:aws:secretsmanager:ap-south-1:123456789012:secret:prod-AbCdEf",
        "Stage": "prod",
    }
    assert prod.functions[0].environment["MOMENTO_SECRET_ARN"].endswith("secret:prod-AbCdEf")


def test_an_unknown_config_env_is_a_problem_not_a_crash(project_dir):
    project = load_project(project_dir, stage="staging", environ={})
    assert any("no [staging] environment" in p for p in project.problems)
    assert project.stack_name.value is None


def test_globals_layers_and_every_code_location(project_dir):
    project = load_project(project_dir, environ={})
    functions = {f.key: f for f in project.functions}
    get_item = functions["GetItem"]
    assert get_item.code.kind is CodeKind.FOLDER
    assert get_item.code.path == (project_dir / "functions/get-item").resolve()
    assert get_item.handler_file == (project_dir / "functions/get-item/app.py").resolve()
    assert (get_item.runtime, get_item.architecture, get_item.timeout, get_item.memory) == (
        "python3.12",
        "arm64",
        10.0,
        256,
    )
    assert get_item.environment == {
        "STAGE": "prod stage",
        "MOMENTO_CACHE_NAME": "cache",
        "MOMENTO_SECRET_ARN": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:default-AbCdEf",
    }
    assert [layer.key for layer in get_item.layers] == ["SharedLayer"]  # from Globals, appended
    assert get_item.layer_refs and get_item.layer_refs[0].startswith("arn:aws:lambda:")
    assert (project_dir / "layers/shared").resolve() in get_item.code_dirs
    assert [layer.build_method for layer in project.layers] == ["python3.12"]

    zipped = functions["Zipped"]
    assert zipped.code.kind is CodeKind.ZIP
    assert isinstance(zipped.timeout, Unresolved) and zipped.timeout.expression == "${NoSuchDefault}"
    assert isinstance(zipped.memory, Unresolved) and zipped.memory.expression == "1536MB"
    assert len(zipped.problems) == 2
    assert functions["FromS3"].code.kind is CodeKind.S3
    plain = functions["Plain"]
    assert plain.code.kind is CodeKind.INLINE
    assert plain.architecture == "x86_64" and plain.timeout == 3.0 and plain.memory == 128
    assert [s.actions for s in plain.statements] == [("secretsmanager:GetSecretValue",)]


def test_samconfig_yaml_is_read_when_there_is_no_toml(tmp_path):
    write_tree(
        tmp_path,
        {
            "template.yaml": TEMPLATE,
            "samconfig.yaml": textwrap.dedent(
                """\
                version: 0.1
                default:
                  deploy:
                    parameters:
                      stack_name: yaml-stack
                      region: us-west-1
                      parameter_overrides:
                        MomentoSecretArn: arn:aws:secretsmanager:us-west-1:1:secret:y-AbCdEf
                        Stage: [a, b]
                """
            ),
        },
    )
    project = load_project(tmp_path, environ={})
    assert (project.stack_name.value, project.region.value) == ("yaml-stack", "us-west-1")
    assert project.parameters["Stage"] == "a,b"


def test_file_references_in_parameter_overrides_stay_inside_the_project(tmp_path):
    write_tree(
        tmp_path,
        {
            "template.yaml": TEMPLATE,
            "params/prod.yaml": "MomentoSecretArn: arn:from-file\n$include: file://more.toml\n",
            "params/more.toml": 'Stage = "from-toml"\n',
            "samconfig.toml": 'version = 0.1\n[default.deploy.parameters]\nparameter_overrides = "file://params/prod.yaml"\n',
        },
    )
    project = load_project(tmp_path, environ={})
    assert project.parameters["MomentoSecretArn"] == "arn:from-file"
    assert project.parameters["Stage"] == "from-toml"
    assert (tmp_path / "params/prod.yaml").resolve() in project.config_files
    (tmp_path / "samconfig.toml").write_text(
        'version = 0.1\n[default.deploy.parameters]\nparameter_overrides = "file:///etc/passwd"\n'
    )
    project = load_project(tmp_path, environ={})
    assert any("outside the project" in p for p in project.problems)


def test_json_template_with_tab_indents_parses(tmp_path):
    document = {
        "Resources": {
            "Fn": {"Type": "AWS::Serverless::Function", "Properties": {"Runtime": "python3.13", "Handler": "a.b"}}
        }
    }
    (tmp_path / "template.json").write_text(json.dumps(document, indent="\t"))
    (tmp_path / "samconfig.toml").write_text("version = 0.1\n")
    assert [f.key for f in load_project(tmp_path, environ={}).functions] == ["Fn"]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Resources: [1, 2]\n", "project.bad-template"),
        (
            "a: &a [x, x, x, x, x, x, x, x]\n"
            + "".join(
                f"{n}: &{n} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
                for p, n in zip("abcdefgh", "bcdefghi", strict=True)
            ),
            "project.bad-config",
        ),
        ("Resources:\n  A: !Ref\n    - [unclosed\n", "project.bad-config"),
    ],
)
def test_templates_that_cannot_be_read_raise_one_clear_error(tmp_path, text, code):
    (tmp_path / "template.yaml").write_text(text)
    with pytest.raises(MomentoLambdaError) as caught:
        load_project(tmp_path, environ={})
    assert caught.value.code == code


def test_odd_values_in_one_function_do_not_hide_the_others(tmp_path):
    write_tree(
        tmp_path,
        {
            "template.yaml": textwrap.dedent(
                """\
                Resources:
                  Odd:
                    Type: AWS::Serverless::Function
                    Properties:
                      Runtime: [python3.13]
                      Architectures: arm64
                      Environment: {Variables: [1, 2]}
                      Policies: 7
                      Layers: {Ref: X}
                  Good:
                    Type: AWS::Serverless::Function
                    Properties: {Runtime: python3.13, Handler: a.b, CodeUri: missing/}
                """
            )
        },
    )
    project = load_project(tmp_path, environ={})
    odd, good = project.functions
    assert isinstance(odd.runtime, Unresolved) and isinstance(odd.architecture, Unresolved)
    assert odd.problems
    assert good.code.kind is CodeKind.MISSING and good.problems == ["code location 'missing/' does not exist"]


def test_flow_mappings_with_colons_in_keys_parse_as_cloudformation_reads_them(tmp_path):
    write_tree(
        tmp_path,
        {
            "template.yaml": textwrap.dedent(
                """\
                Parameters:
                  Key: {Type: String, Default: ""}
                Conditions:
                  HasKey: {Fn::Not: [{ Fn::Equals: [!Ref Key, ""] }]}
                Resources:
                  Fn:
                    Type: AWS::Serverless::Function
                    Properties: {Runtime: python3.13, Handler: a.b, Environment: {Variables: {K: !If [HasKey, yes, no]}}}
                """
            )
        },
    )
    assert load_project(tmp_path, environ={}).functions[0].environment == {"K": "no"}
