"""yamltext.wrap_in_list: one value under a key becomes the only item of a block sequence with
the fewest changed bytes (a block mapping: `- ` in the two columns before its first key; a
value on its key's line: moved to an item line), CRLF and comments kept, the result parses to
the same value in a list; shapes it cannot change safely raise CannotEdit."""

from __future__ import annotations

import pytest
from ruamel.yaml import YAML

from momento_lambda_cli.project import yamltext
from momento_lambda_cli.project.edit import CannotEdit

PATH = ["Resources", "F", "Properties", "Policies"]
HEAD = "Resources:\n  F:\n    Properties:\n"


def _value(text: str):
    document = YAML(typ="safe").load(text.replace("!Ref ", ""))
    return document["Resources"]["F"]["Properties"]["Policies"]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "      Policies:\n        S3ReadPolicy:\n          BucketName: b  # the bucket\n      Timeout: 3\n",
            "      Policies:\n      - S3ReadPolicy:\n          BucketName: b  # the bucket\n      Timeout: 3\n",
        ),
        (
            "      Policies:\n          Statement:\n            - Effect: Allow\n",
            "      Policies:\n        - Statement:\n            - Effect: Allow\n",
        ),
        (
            "      Policies: AWSLambdaBasicExecutionRole  # managed\n      Timeout: 3\n",
            "      Policies:\n        - AWSLambdaBasicExecutionRole  # managed\n      Timeout: 3\n",
        ),
        ("      Policies: !Ref PolicyArn\n", "      Policies:\n        - !Ref PolicyArn\n"),
        (
            "      Policies: {S3ReadPolicy: {BucketName: b}}\n",
            "      Policies:\n        - {S3ReadPolicy: {BucketName: b}}\n",
        ),
        ("      Policies:\n        - A\n", "      Policies:\n        - A\n"),  # a list already
    ],
    ids=["policy-template", "document-indented", "managed-name", "tagged", "flow-mapping", "list"],
)
def test_a_single_value_becomes_the_first_item(body, expected):
    text = HEAD + body
    out = yamltext.wrap_in_list(text, PATH, source="template.yaml")
    assert out == HEAD + expected
    value = _value(text)
    assert _value(out) == (value if isinstance(value, list) else [value])


def test_crlf_is_kept():
    text = (HEAD + "      Policies: AWSLambdaBasicExecutionRole\n      Timeout: 3\n").replace("\n", "\r\n")
    out = yamltext.wrap_in_list(text, PATH, source="template.yaml")
    assert out == (HEAD + "      Policies:\n        - AWSLambdaBasicExecutionRole\n      Timeout: 3\n").replace(
        "\n", "\r\n"
    )


@pytest.mark.parametrize(
    "body",
    [
        "      Policies:\n       S3ReadPolicy:\n         BucketName: b\n",  # one column under its key: no room for `- `
        "      Policies: >\n        folded\n        text\n",
    ],
)
def test_shapes_it_cannot_change_safely_raise(body):
    with pytest.raises(CannotEdit):
        yamltext.wrap_in_list(HEAD + body, PATH, source="template.yaml")
