"""Text edits of real-world-shaped serverless.yml, params files and samconfig.toml: the
difference between the old and the new text is exactly the intended lines, and the result
reads back (ruamel.yaml / tomlkit / the SAM CLI's own reader) as the intended values."""

from __future__ import annotations

import difflib
import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
import tomlkit
from ruamel.yaml import YAML

from momento_lambda_cli.errors import MomentoLambdaError
from momento_lambda_cli.project import edit
from tests.support.tools import require_tool

ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:momento/items/api-key-AbCdEf"
KMS = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
SLS_VALUES = {"momentoSecretArn": ARN, "momentoKmsKeyArn": KMS}
SAM_VALUES = {"MomentoSecretArn": ARN, "MomentoKmsKeyArn": KMS}


def changed_lines(old: str, new: str) -> tuple[list[str], list[str]]:
    """Removed and added lines (with their line ends) in difflib's view of old -> new."""
    removed, added = [], []
    for line in difflib.ndiff(old.splitlines(keepends=True), new.splitlines(keepends=True)):
        if line.startswith("- "):
            removed.append(line[2:])
        elif line.startswith("+ "):
            added.append(line[2:])
    return removed, added


# --- serverless.yml ---------------------------------------------------------------------

SLS_REAL = """\
# Welcome to Serverless!
#
# For full config options, check the docs:
#    docs.serverless.com

service: momento-items<sp>
# app and org for use with dashboard.serverless.com
frameworkVersion: '3'

custom:
  tableName: 'items-${sls:stage}'
  pythonRequirements:
    dockerizePip: non-linux   # grpcio needs Lambda's OS

provider:
  name: aws
  runtime: python3.12
  stage: ${opt:stage, 'dev'}
  region: ${opt:region, "us-east-1"}
  iam:
    role:
      statements:
        - Effect: Allow
          Action:
            - dynamodb:Query
            - secretsmanager:GetSecretValue
          Resource:
            - { "Fn::GetAtt": [ItemsTable, Arn] }
            - ${param:momentoSecretArn}
  environment:
    TABLE: ${self:custom.tableName}
    MOMENTO_SECRET_ARN: ${param:momentoSecretArn}

functions:
  getItem:
    handler: handler.get_item<sp>
    events:
      - httpApi:
          path: /items/{id}
          method: get

resources:
  Resources:
    ItemsTable:
      Type: AWS::DynamoDB::Table
      Properties:
        TableName: ${self:custom.tableName}
        BillingMode: PAY_PER_REQUEST
  Outputs:
      TableArn:
          Value: { Ref: ItemsTable }
          Export:
              Name: !Sub "${AWS::StackName}-table"
""".replace("<sp>", "   ")  # trailing spaces

SLS_PARAMS_BLOCK = """\
service: cache-demo
frameworkVersion: '3'

params:
  # values every stage gets unless it sets its own
  default:
    momentoCacheName: demo-cache   # the cache the function uses
    momentoSecretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:old'  # set by store-token

  # production overrides
  prod:
    momentoCacheName: demo-cache-prod

provider:
  name: aws
  environment:
    MOMENTO_SECRET_ARN: ${param:momentoSecretArn}
"""


@dataclass(frozen=True)
class YamlCase:
    name: str
    old: str
    path: tuple[str, ...]
    new: str
    """The exact expected text."""
    removed: tuple[str, ...]
    added: tuple[str, ...]
    top: bool = False


def _sls_block(eol: str = "\n", indent: str = "  ") -> list[str]:
    return [
        f"{indent}{indent}momentoSecretArn: {ARN}{eol}",
        f"{indent}{indent}momentoKmsKeyArn: {KMS}{eol}",
    ]


YAML_CASES = [
    YamlCase(
        "no-params-block-comments-flow-refs-trailing-spaces",
        SLS_REAL,
        ("params", "default"),
        SLS_REAL.replace(
            "\nprovider:\n",
            f"\nparams:\n  default:\n    momentoSecretArn: {ARN}\n    momentoKmsKeyArn: {KMS}\n\nprovider:\n",
        ),
        (),
        ("params:\n", "  default:\n", *_sls_block(), "\n"),
    ),
    YamlCase(
        "replace-quoted-value-keep-comment-and-quotes",
        SLS_PARAMS_BLOCK,
        ("params", "default"),
        SLS_PARAMS_BLOCK.replace("'arn:aws:secretsmanager:us-east-1:123456789012:secret:old'", f"'{ARN}'").replace(
            "  # set by store-token\n",
            f"  # set by store-token\n    momentoKmsKeyArn: {KMS}\n",
        ),
        ("    momentoSecretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:old'  # set by store-token\n",),
        (f"    momentoSecretArn: '{ARN}'  # set by store-token\n", f"    momentoKmsKeyArn: {KMS}\n"),
    ),
    YamlCase(
        "crlf-everywhere-new-stage-in-existing-params",
        SLS_PARAMS_BLOCK.replace("\n", "\r\n"),
        ("params", "staging"),
        SLS_PARAMS_BLOCK.replace(
            "    momentoCacheName: demo-cache-prod\n",
            f"    momentoCacheName: demo-cache-prod\n  staging:\n    momentoSecretArn: {ARN}\n"
            f"    momentoKmsKeyArn: {KMS}\n",
        ).replace("\n", "\r\n"),
        (),
        ("  staging:\r\n", *_sls_block("\r\n")),
    ),
    YamlCase(
        "mixed-line-ends-new-lines-take-the-dominant-one",
        "service: mixed\r\nparams:\n  default:\n    momentoCacheName: c\r\n\nprovider:\n  name: aws\n",
        ("params", "default"),
        "service: mixed\r\nparams:\n  default:\n    momentoCacheName: c\r\n"
        f"    momentoSecretArn: {ARN}\n    momentoKmsKeyArn: {KMS}\n\nprovider:\n  name: aws\n",
        (),
        tuple(_sls_block()),
    ),
    YamlCase(
        "flow-mapping-params",
        "service: flowy\nparams: {default: {momentoCacheName: c}, prod: {momentoCacheName: p}}  # flow\nprovider: {name: aws}\n",
        ("params", "default"),
        f"service: flowy\nparams: {{default: {{momentoCacheName: c, momentoSecretArn: {ARN}, momentoKmsKeyArn: {KMS}}}, "
        "prod: {momentoCacheName: p}}  # flow\nprovider: {name: aws}\n",
        ("params: {default: {momentoCacheName: c}, prod: {momentoCacheName: p}}  # flow\n",),
        (
            f"params: {{default: {{momentoCacheName: c, momentoSecretArn: {ARN}, momentoKmsKeyArn: {KMS}}}, "
            "prod: {momentoCacheName: p}}  # flow\n",
        ),
    ),
    YamlCase(
        "bom-document-markers-anchors-merge-keys",
        "\ufeff---\n# shared settings\nx-common: &common\n  momentoCacheName: shared   \n\nparams:\n  default:\n"
        "    <<: *common\n    # more keys below\n  dev: &dev\n    <<: *common\n...\n",
        ("params", "default"),
        "\ufeff---\n# shared settings\nx-common: &common\n  momentoCacheName: shared   \n\nparams:\n  default:\n"
        f"    <<: *common\n    momentoSecretArn: {ARN}\n    momentoKmsKeyArn: {KMS}\n    # more keys below\n"
        "  dev: &dev\n    <<: *common\n...\n",
        (),
        tuple(_sls_block()),
    ),
    YamlCase(
        "four-space-indent-tabs-in-strings-no-final-newline",
        "service: tabby\n\nparams:\n    default:\n        note: \"a\\tb\tc\"\n        sep: '\t'\n\nprovider:\n"
        "    name: aws\n    stage: dev",
        ("params", "default"),
        "service: tabby\n\nparams:\n    default:\n        note: \"a\\tb\tc\"\n        sep: '\t'\n"
        f"        momentoSecretArn: {ARN}\n        momentoKmsKeyArn: {KMS}\n\nprovider:\n    name: aws\n    stage: dev",
        (),
        tuple(_sls_block(indent="    ")),
    ),
    YamlCase(
        "empty-params-key-gets-a-block",
        "service: empty\nparams:\nprovider:\n  name: aws\n",
        ("params", "default"),
        f"service: empty\nparams:\n  default:\n    momentoSecretArn: {ARN}\n    momentoKmsKeyArn: {KMS}\nprovider:\n  name: aws\n",
        (),
        ("  default:\n", *_sls_block()),
    ),
    YamlCase(
        "params-file-comment-lines-between-keys",
        "# stage params (serverless.yml: params: ${file(./params.yml)})\ndefault:\n  momentoCacheName: c  # cache\n"
        "\n# prod\nprod:\n  momentoCacheName: p\n",
        ("prod",),
        "# stage params (serverless.yml: params: ${file(./params.yml)})\ndefault:\n  momentoCacheName: c  # cache\n"
        f"\n# prod\nprod:\n  momentoCacheName: p\n  momentoSecretArn: {ARN}\n  momentoKmsKeyArn: {KMS}\n",
        (),
        (f"  momentoSecretArn: {ARN}\n", f"  momentoKmsKeyArn: {KMS}\n"),
        top=True,
    ),
    YamlCase(
        "params-file-empty",
        "",
        ("default",),
        f"default:\n  momentoSecretArn: {ARN}\n  momentoKmsKeyArn: {KMS}\n",
        (),
        ("default:\n", f"  momentoSecretArn: {ARN}\n", f"  momentoKmsKeyArn: {KMS}\n"),
        top=True,
    ),
]


@pytest.mark.parametrize("case", YAML_CASES, ids=[c.name for c in YAML_CASES])
def test_yaml_set_changes_exactly_the_intended_lines(case: YamlCase) -> None:
    new = edit.yaml_set(
        case.old, case.path, SLS_VALUES, source="serverless.yml", insert_before=("provider", "functions")
    )
    assert new == case.new
    removed, added = changed_lines(case.old, new)
    assert removed == list(case.removed)
    assert sorted(added) == sorted(case.added)
    document = next(iter(YAML(typ="rt").load_all(new.removeprefix("\ufeff"))))
    for key in case.path:
        document = document[key]
    for key, value in SLS_VALUES.items():
        assert document[key] == value
    assert edit.yaml_set(new, case.path, SLS_VALUES, source="serverless.yml") == new  # idempotent


def test_yaml_alias_target_is_not_edited_through_the_alias() -> None:
    text = "x: &base\n  a: 1\nparams:\n  default: *base\n"
    with pytest.raises(edit.CannotEdit) as caught:
        edit.yaml_set(text, ("params", "default"), SLS_VALUES, source="serverless.yml")
    assert caught.value.code == "project.cannot-edit"


def test_yaml_file_include_is_not_edited_in_place() -> None:
    with pytest.raises(edit.CannotEdit):
        edit.yaml_set("params: ${file(./params.yml)}\n", ("params", "default"), SLS_VALUES, source="serverless.yml")


@pytest.mark.parametrize(
    ("source", "code"),
    [
        ("serverless.yml", "project.bad-serverless-yml"),
        ("template.yaml", "project.bad-config"),
        ("infra/template.yml", "project.bad-config"),
    ],
)
def test_invalid_yaml_is_a_clear_error(source: str, code: str) -> None:
    """Field (add on a SAM template that does not parse): the refusal code names the kind of file
    (a template.yaml was refused as project.bad-serverless-yml)."""
    with pytest.raises(MomentoLambdaError) as caught:
        edit.yaml_set("a: [unclosed\n", ("params", "default"), SLS_VALUES, source=source)
    assert caught.value.code == code
    assert caught.value.message.startswith(f"{source} is not valid YAML")


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("arn:aws:x", "arn:aws:x"),
        ("yes", "'yes'"),
        ("123", "'123'"),
        ("a # b", "'a # b'"),
        ("it's: x", "'it''s: x'"),
        ("line\nbreak", '"line\\nbreak"'),
        ("", "''"),
        ("*star", "'*star'"),
    ],
)
def test_values_are_quoted_only_when_yaml_needs_it(value: str, written: str) -> None:
    assert edit.yaml_scalar(value) == written
    assert YAML(typ="safe", pure=True).load(f"k: {written}\n") == {"k": value}


# --- samconfig.toml ---------------------------------------------------------------------

SAM_GUIDED = """\
# More information about the configuration file can be found here:
# https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/serverless-sam-cli-config.html
version = 0.1

[default]
[default.global.parameters]
stack_name = "items"<sp>

[default.build.parameters]
cached = true
parallel = true

[default.deploy.parameters]
capabilities = "CAPABILITY_IAM"
confirm_changeset = true
resolve_s3 = true
region = "eu-west-1"
parameter_overrides = "Stage=\\"dev\\" MomentoCacheName=\\"items-cache\\""  # sam deploy --guided
image_repositories = []

[default.sync.parameters]
watch = true
""".replace("<sp>", "  ")  # trailing spaces


@dataclass(frozen=True)
class TomlCase:
    name: str
    old: str | None
    env: str
    new: str
    removed: tuple[str, ...]
    added: tuple[str, ...]
    places: tuple[str, ...]
    skipped: tuple[str, ...] = ()


_GUIDED_NEW = (
    f'"Stage=\\"dev\\" MomentoCacheName=\\"items-cache\\" MomentoSecretArn=\\"{ARN}\\" MomentoKmsKeyArn=\\"{KMS}\\""'
)
_DEPLOY = ("[default.deploy.parameters]",)

TOML_CASES = [
    TomlCase(
        "guided-crlf",
        SAM_GUIDED.replace("\n", "\r\n"),
        "default",
        SAM_GUIDED.replace('"Stage=\\"dev\\" MomentoCacheName=\\"items-cache\\""', _GUIDED_NEW).replace("\n", "\r\n"),
        ('parameter_overrides = "Stage=\\"dev\\" MomentoCacheName=\\"items-cache\\""  # sam deploy --guided\r\n',),
        (f"parameter_overrides = {_GUIDED_NEW}  # sam deploy --guided\r\n",),
        _DEPLOY,
    ),
    TomlCase(
        "bom-multiline-array-with-comments",
        '\ufeffversion = 0.1\n[default.deploy.parameters]\nparameter_overrides = [\n  "Stage=dev",   # the stage\n'
        '  "MomentoSecretArn=old",\n]\nregion = "us-east-1"\n',
        "default",
        '\ufeffversion = 0.1\n[default.deploy.parameters]\nparameter_overrides = [\n  "Stage=dev",   # the stage\n'
        f'  "MomentoSecretArn={ARN}",\n  "MomentoKmsKeyArn={KMS}",\n]\nregion = "us-east-1"\n',
        ('  "MomentoSecretArn=old",\n',),
        (f'  "MomentoSecretArn={ARN}",\n', f'  "MomentoKmsKeyArn={KMS}",\n'),
        _DEPLOY,
    ),
    TomlCase(
        "parameterkey-form-and-sync-list-literal-string",
        "version = 0.1\n[default.deploy.parameters]\nparameter_overrides = 'ParameterKey=Stage,ParameterValue=dev'\n"
        '\n[default.sync.parameters]\nparameter_overrides = ["Stage=dev"]\n',
        "default",
        "version = 0.1\n[default.deploy.parameters]\nparameter_overrides = 'ParameterKey=Stage,ParameterValue=dev "
        f"ParameterKey=MomentoSecretArn,ParameterValue={ARN} ParameterKey=MomentoKmsKeyArn,ParameterValue={KMS}'\n"
        f'\n[default.sync.parameters]\nparameter_overrides = ["Stage=dev", "MomentoSecretArn={ARN}", "MomentoKmsKeyArn={KMS}"]\n',
        (
            "parameter_overrides = 'ParameterKey=Stage,ParameterValue=dev'\n",
            'parameter_overrides = ["Stage=dev"]\n',
        ),
        (
            "parameter_overrides = 'ParameterKey=Stage,ParameterValue=dev "
            f"ParameterKey=MomentoSecretArn,ParameterValue={ARN} ParameterKey=MomentoKmsKeyArn,ParameterValue={KMS}'\n",
            f'parameter_overrides = ["Stage=dev", "MomentoSecretArn={ARN}", "MomentoKmsKeyArn={KMS}"]\n',
        ),
        ("[default.deploy.parameters]", "[default.sync.parameters]"),
    ),
    TomlCase(
        "new-env-table-appended-no-final-newline",
        SAM_GUIDED.rstrip("\n"),
        "prod",
        SAM_GUIDED
        + f'\n[prod.deploy.parameters]\nparameter_overrides = "MomentoSecretArn=\\"{ARN}\\" MomentoKmsKeyArn=\\"{KMS}\\""',
        ("watch = true",),
        (
            "watch = true\n",
            "\n",
            "[prod.deploy.parameters]\n",
            f'parameter_overrides = "MomentoSecretArn=\\"{ARN}\\" MomentoKmsKeyArn=\\"{KMS}\\""',
        ),
        ("[prod.deploy.parameters]",),
    ),
    TomlCase(
        "deploy-table-without-overrides-gets-one-line",
        '# mine\nversion = 0.1\n\n[default.deploy.parameters]\nstack_name = "x"  # why\n\n# sync next\n'
        "[default.sync.parameters]\nwatch = true\n",
        "default",
        '# mine\nversion = 0.1\n\n[default.deploy.parameters]\nstack_name = "x"  # why\n'
        f'parameter_overrides = "MomentoSecretArn=\\"{ARN}\\" MomentoKmsKeyArn=\\"{KMS}\\""\n'
        "\n# sync next\n[default.sync.parameters]\nwatch = true\n",
        (),
        (f'parameter_overrides = "MomentoSecretArn=\\"{ARN}\\" MomentoKmsKeyArn=\\"{KMS}\\""\n',),
        _DEPLOY,
    ),
    TomlCase(
        "file-reference-left-alone",
        'version = 0.1\n[default.deploy.parameters]\nparameter_overrides = "file://params.json"\n',
        "default",
        'version = 0.1\n[default.deploy.parameters]\nparameter_overrides = "file://params.json"\n',
        (),
        (),
        (),
        _DEPLOY,
    ),
]


@pytest.mark.parametrize("case", TOML_CASES, ids=[c.name for c in TOML_CASES])
def test_samconfig_changes_exactly_the_intended_lines(case: TomlCase, tmp_path: Path) -> None:
    new, places, skipped = edit.samconfig_set_overrides(case.old, SAM_VALUES, case.env)
    assert new == case.new
    assert (tuple(places), tuple(skipped)) == (case.places, case.skipped)
    removed, added = changed_lines(case.old or "", new)
    assert removed == list(case.removed)
    assert sorted(added) == sorted(case.added)
    document = tomlkit.parse(new.removeprefix("\ufeff")).unwrap()
    for place in places:
        command = place.split(".")[1]
        overrides = document[case.env][command]["parameters"]["parameter_overrides"]
        for key, value in SAM_VALUES.items():
            assert edit.get_override(overrides, key) == value
    assert edit.samconfig_set_overrides(new, SAM_VALUES, case.env)[0] == new  # idempotent


def test_new_samconfig() -> None:
    new, places, _ = edit.samconfig_set_overrides(None, {"MomentoSecretArn": ARN})
    assert (
        new == f'version = 0.1\n\n[default.deploy.parameters]\nparameter_overrides = "MomentoSecretArn=\\"{ARN}\\""\n'
    )
    assert places == ["[default.deploy.parameters]"]


def test_invalid_toml_is_a_clear_error() -> None:
    with pytest.raises(MomentoLambdaError) as caught:
        edit.samconfig_set_overrides("[default\n", SAM_VALUES)
    assert caught.value.code == "project.bad-samconfig"


_SAM_READER = """
import json, sys
from samcli.cli.types import CfnParameterOverridesType
from samcli.lib.config.samconfig import SamConfig
config = SamConfig(config_dir=sys.argv[1], filename="samconfig.toml")
result = {}
for command in ("deploy", "sync"):
    raw = config.get_all([command], "parameters", sys.argv[2]).get("parameter_overrides")
    if raw is not None:
        result[command] = CfnParameterOverridesType().convert(raw if isinstance(raw, list) else [raw], None, None)
print(json.dumps(result))
"""


_SAM_READABLE = [c for c in TOML_CASES if c.places and not (c.old or "").startswith("\ufeff")]
"""The SAM CLI cannot read a samconfig.toml with a byte order mark at all (before or after the edit)."""


@pytest.mark.slow
@pytest.mark.parametrize("case", _SAM_READABLE, ids=[c.name for c in _SAM_READABLE])
def test_the_sam_cli_reads_what_was_written(case: TomlCase, tmp_path: Path) -> None:
    python = require_tool("sam").parent / "python"
    new, places, _ = edit.samconfig_set_overrides(case.old, SAM_VALUES, case.env)
    (tmp_path / "samconfig.toml").write_bytes(new.encode())
    proc = subprocess.run(
        [str(python), "-c", _SAM_READER, str(tmp_path), case.env], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    parsed = json.loads(proc.stdout)
    assert {place.split(".")[1] for place in places} <= set(parsed)
    for overrides in parsed.values():
        assert {k: overrides[k] for k in SAM_VALUES} == SAM_VALUES
