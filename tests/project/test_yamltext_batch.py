"""YamlBatch: many edits planned on one parse give exactly the text that applying them one by
one (each re-parsing the text) gives, on real-world-shaped templates."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from momento_lambda_cli.errors import MomentoLambdaError
from momento_lambda_cli.project import yamltext
from momento_lambda_cli.project.edit import CannotEdit

SAM = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Description: >
  orders   # folded, with odd spacing

Globals:
  Function:
    Timeout: 3
    Environment:
      Variables:
        TABLE: !Ref Orders   # shared
Resources:
  GetFunction:
    Type: AWS::Serverless::Function # the reader
    Properties:
      CodeUri: get/
      Handler: app.handler
      Runtime: python3.12
      Policies:
        - DynamoDBReadPolicy:
            TableName: !Ref Orders
  PutFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: put/
      Handler: app.handler
      Runtime: python3.12
      Environment:
      Timeout: "5"
  Orders:
    Type: AWS::DynamoDB::Table
Outputs:
  Api:
    Value: !Sub "https://${ServerlessRestApi}.execute-api.${AWS::Region}.amazonaws.com/"
"""

SLS = """\
service: orders\r
provider:\r
  name: aws\r
  runtime: nodejs20.x\r
  iamRoleStatements:\r
    - Effect: Allow\r
      Action: dynamodb:GetItem\r
      Resource: '*'\r
functions:\r
  get:\r
    handler: src/get.handler\r
  put:\r
    handler: src/put.handler\r
    environment:\r
      TABLE: orders\r
"""

STATEMENT = ["Sid: MomentoApiKeyRead", "Effect: Allow", "Action: secretsmanager:GetSecretValue", "Resource: '*'"]

Edit = tuple[str, tuple[Any, ...], dict[str, Any]]

SAM_EDITS: list[Edit] = [
    ("set_block", (["Resources", "GetFunction", "Properties", "Environment", "Variables"], "A", "'1'"), {}),
    ("set_block", (["Resources", "GetFunction", "Properties", "Environment", "Variables"], "B", "!Ref B"), {}),
    ("set_block", (["Resources", "PutFunction", "Properties", "Environment", "Variables"], "A", "'1'"), {}),
    ("set_block", (["Resources", "PutFunction", "Properties", "Environment", "Variables"], "B", "two"), {}),
    ("append_item", (["Resources", "GetFunction", "Properties", "Policies"], STATEMENT), {}),
    (
        "set_block",
        (
            ["Resources", "PutFunction", "Properties"],
            "Policies",
            ["- " + STATEMENT[0], *["  " + s for s in STATEMENT[1:]]],
        ),
        {},
    ),
    ("replace_scalar", (["Resources", "PutFunction", "Properties", "Timeout"], "10"), {}),
    ("replace_scalar", (["Globals", "Function", "Timeout"], "10"), {}),
    ("set_block", (["Resources", "GetFunction", "Properties"], "Timeout", "10"), {}),
    ("set_block", (["Parameters", "MomentoSecretArn"], "Type", "String"), {"insert_before": ["Resources"]}),
    ("set_block", (["Parameters", "MomentoSecretArn"], "Default", "''"), {"insert_before": ["Resources"]}),
    ("set_block", (["Globals", "Function", "Environment", "Variables"], "CACHE", "orders"), {}),
    ("set_block", (["Globals", "Function"], "MemorySize", "256"), {}),
    ("set_block", (["Resources"], "MomentoPolicy", ["Type: AWS::IAM::Policy", "Properties:", "  Roles: []"]), {}),
    ("set_block", (["Outputs", "Api"], "Export", ["Name: orders-api"]), {}),
    ("set_block", (["Outputs"], "Cache", ["Value: orders"]), {}),
]

SLS_EDITS: list[Edit] = [
    ("set_block", (["functions", "get", "environment"], "MOMENTO_SECRET_ARN", "${param:momentoSecretArn}"), {}),
    ("set_block", (["functions", "get", "environment"], "MOMENTO_CACHE_NAME", "orders"), {}),
    ("set_block", (["functions", "put", "environment"], "MOMENTO_SECRET_ARN", "${param:momentoSecretArn}"), {}),
    ("set_block", (["functions", "get"], "timeout", "10"), {}),
    ("append_item", (["provider", "iamRoleStatements"], STATEMENT), {}),
    ("append_item", (["provider", "iamRoleStatements"], ["Effect: Allow", "Action: kms:Decrypt", "Resource: '*'"]), {}),
    ("set_block", (["params", "default"], "momentoSecretArn", "''"), {"insert_before": ["provider"]}),
    ("set_block", (["custom", "esbuild"], "banner", ["js: x"]), {}),
]


def sequential(text: str, edits: list[Edit], source: str) -> str:
    for name, args, kwargs in edits:
        function: Callable[..., str] = getattr(yamltext, name)
        text = function(text, *args, source=source, **kwargs)
    return text


def batched(text: str, edits: list[Edit], source: str) -> str:
    batch = yamltext.YamlBatch(text, source)
    for name, args, kwargs in edits:
        getattr(batch, name)(*args, **kwargs)
    return batch.result()


def _prefixes(edits: list[Edit]) -> list[list[Edit]]:
    return [edits[:n] for n in range(1, len(edits) + 1)]


@pytest.mark.parametrize("edits", _prefixes(SAM_EDITS), ids=lambda e: f"{len(e)}-edits")
def test_sam_template_batch_equals_one_by_one(edits: list[Edit]) -> None:
    assert batched(SAM, edits, "template.yaml") == sequential(SAM, edits, "template.yaml")


@pytest.mark.parametrize("edits", [*_prefixes(SLS_EDITS), list(reversed(SLS_EDITS))], ids=lambda e: f"{len(e)}-edits")
def test_serverless_crlf_batch_equals_one_by_one(edits: list[Edit]) -> None:
    result = batched(SLS, edits, "serverless.yml")
    assert result == sequential(SLS, edits, "serverless.yml")
    assert result.count("\r\n") == result.count("\n")  # the file's line ends throughout


def test_reversed_sam_edits_equal_one_by_one_too() -> None:
    edits = list(reversed(SAM_EDITS))
    assert batched(SAM, edits, "template.yaml") == sequential(SAM, edits, "template.yaml")


INDENTLESS = """\
Resources:
  QueryFunction:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Policies:
      - S3CrudPolicy:
          BucketName: !Ref Bucket
      - Statement:
        - Sid: Glue
          Effect: Allow
          Action:
          - glue:GetTable
          Resource: [ !Sub 'arn:${AWS::Partition}:glue:*',
            !Sub 'arn:${AWS::Partition}:glue:*:table' ]
Outputs:
  Fn:
    Value: !Ref QueryFunction
"""


@pytest.mark.parametrize("grant_first", [False, True])
def test_an_item_appended_to_an_indentless_list_that_ends_the_mapping_stays_in_the_list(grant_first: bool) -> None:
    """The list's items start in its key's column, so text columns cannot say which insertion
    belongs inside: the list (deeper in the document) takes its item before the mapping's new key."""
    edits: list[Edit] = [
        ("set_block", (["Resources", "QueryFunction", "Properties", "Environment", "Variables"], "A", "'1'"), {}),
        ("append_item", (["Resources", "QueryFunction", "Properties", "Policies"], STATEMENT), {}),
    ]
    edits = list(reversed(edits)) if grant_first else edits
    assert batched(INDENTLESS, edits, "template.yaml") == sequential(INDENTLESS, edits, "template.yaml")


def test_an_empty_file_gets_merged_blocks() -> None:
    edits: list[Edit] = [
        ("set_block", (["Resources", "Fn", "Properties"], "Timeout", "10"), {}),
        ("set_block", (["Resources", "Fn", "Properties"], "MemorySize", "256"), {}),
    ]
    assert batched("", edits, "template.yaml") == sequential("", edits, "template.yaml")


def test_a_key_set_twice_keeps_the_first_and_one_value_replaced_twice_is_one_edit() -> None:
    batch = yamltext.YamlBatch(SAM, "template.yaml")
    for value in ("'1'", "'2'"):
        batch.set_block(["Resources", "GetFunction", "Properties", "Environment", "Variables"], "A", value)
        batch.replace_scalar(["Globals", "Function", "Timeout"], "10")
    result = batch.result()
    assert "A: '1'" in result and "A: '2'" not in result and "Timeout: 10" in result


def test_mentions_sees_the_text_and_the_planned_edits() -> None:
    batch = yamltext.YamlBatch(SLS, "serverless.yml")
    assert batch.mentions("dynamodb:GetItem") and not batch.mentions("MomentoApiKeyRead")
    batch.append_item(["provider", "iamRoleStatements"], STATEMENT)
    assert batch.mentions("MomentoApiKeyRead")
    batch = yamltext.YamlBatch(SLS, "serverless.yml")
    batch.set_block(["provider", "iam", "role"], "statements", ["- " + STATEMENT[0], *STATEMENT[1:]])
    assert batch.mentions("MomentoApiKeyRead")


def test_untouched_text_is_returned_as_is_and_refusals_are_the_one_by_one_refusals() -> None:
    assert yamltext.YamlBatch(SAM, "template.yaml").result() == SAM
    batch = yamltext.YamlBatch(SAM, "template.yaml")
    with pytest.raises(CannotEdit, match="is an intrinsic function"):
        batch.replace_scalar(["Globals", "Function", "Environment", "Variables", "TABLE"], "x")
    with pytest.raises(CannotEdit, match="is not a block mapping"):
        batch.set_block(["Description"], "x", "y")
    with pytest.raises(CannotEdit, match="is not a list"):
        batch.append_item(["Resources", "GetFunction", "Properties", "Runtime"], ["x"])


def test_a_result_that_would_not_parse_is_refused() -> None:
    batch = yamltext.YamlBatch(SAM, "template.yaml")
    batch.set_block(["Resources", "GetFunction", "Properties"], "Bad", "[unclosed")
    with pytest.raises(MomentoLambdaError, match="not valid YAML"):
        batch.result()


def test_a_whitespace_only_line_at_the_end_of_a_mapping_stays_where_it_was() -> None:
    """Keys added one by one put the second key after the user's whitespace-only line (the first
    insertion moved the mapping's end past it); planned together they all go before it, and the
    line stays right above the next top-level key (7 public templates have this shape)."""
    text = "Parameters:\n  Bus:\n    Type: String\n    \nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n"
    batch = yamltext.YamlBatch(text, "template.yaml")
    batch.set_block(["Parameters", "A"], "Type", "String")
    batch.set_block(["Parameters", "B"], "Type", "String")
    assert batch.result() == (
        "Parameters:\n  Bus:\n    Type: String\n  A:\n    Type: String\n  B:\n    Type: String\n    \nResources:\n"
        "  Fn:\n    Type: AWS::Serverless::Function\n"
    )


def test_a_template_that_repeats_a_key_is_refused_as_one_by_one_edits_refuse_it() -> None:
    """A repeated key (the SAM CLI keeps the last, Serverless refuses it) makes `add` refuse the
    file (project/parse.duplicate_problems says so); the batch's fast check must not let it through."""
    text = "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Name: a\n      Name: b\n"
    edits: list[Edit] = [("set_block", (["Resources", "Fn", "Properties"], "Timeout", "10"), {})]
    with pytest.raises(MomentoLambdaError, match="duplicate key") as batch_error:
        batched(text, edits, "template.yaml")
    with pytest.raises(MomentoLambdaError, match="duplicate key") as sequential_error:
        sequential(text, edits, "template.yaml")
    assert batch_error.value.message == sequential_error.value.message
