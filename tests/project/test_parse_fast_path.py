"""The YAML fast path (a tree without anchors or merge keys, built by a walk instead of ruamel's
constructor) gives the same document as the constructor: CloudFormation short tags over scalars,
sequences and mappings, nested tags, non-string scalars inside tags, and repeated keys."""

from __future__ import annotations

import pytest

from momento_lambda_cli.project import parse

DOCUMENTS = {
    "short-tags": """\
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Timeout: !If [IsProd, 30, 10]
      MemorySize: !FindInMap [Sizes, !Ref Stage, memory]
      Role: !GetAtt Role.Arn
      Layers:
        - !Sub "arn:aws:lambda:${AWS::Region}:123:layer:x:1"
        - !Sub
          - "arn:aws:lambda:${AWS::Region}:123:layer:${Name}:${Version}"
          - Name: !Ref LayerName
            Version: 2
      Environment:
        Variables:
          FLAG: !If [IsProd, true, ~]
          DATE: !Ref 2024-01-01
          EMPTY: !Ref
          SELECT: !Select [0, !GetAZs ""]
          JOINED: !Join ["", [a, !Ref B, 3.5]]
      Tags: !Condition IsProd
""",
    "repeated-keys": "A: 1\nB: !Ref X\nA: !Sub two\n",
}


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_the_fast_path_builds_what_the_constructor_builds(name):
    text = DOCUMENTS[name]
    fast_yaml = parse._yaml()
    fast = parse._construct_tree(fast_yaml.constructor, fast_yaml.compose(text), found := [])
    full_yaml = parse._yaml()
    full_yaml.constructor.duplicates = expected = []
    full = full_yaml.constructor.construct_document(full_yaml.compose(text))
    assert fast == full
    assert found == expected
    assert parse.loads_yaml(text, "template.yaml") == full
