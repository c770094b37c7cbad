"""``Fn::FindInMap`` in the CloudFormation resolver: the entry its keys name; with the top-level
key unknown (``Ref AWS::Region`` and no region set, as in CDK's ``LatestNodeRuntimeMap``), the value
every entry agrees on, and an honest placeholder when they differ."""

from __future__ import annotations

from typing import Any

from momento_lambda_cli.project.cfn import CfnResolver

FIND = {"Fn::FindInMap": ["LatestNodeRuntimeMap", {"Ref": "AWS::Region"}, "value"]}


def resolver(entries: dict[str, str], region: str | None) -> CfnResolver:
    mappings: dict[str, Any] = {"LatestNodeRuntimeMap": {k: {"value": v} for k, v in entries.items()}}
    return CfnResolver({"Mappings": mappings, "Resources": {}}, {}, region)


def test_the_regions_entry_when_the_region_is_known():
    r = resolver({"us-east-1": "nodejs22.x", "cn-north-1": "nodejs18.x"}, "cn-north-1")
    assert r.resolve(FIND) == "nodejs18.x"


def test_the_agreed_value_when_the_region_is_not_known():
    assert resolver({"us-east-1": "nodejs22.x", "eu-west-1": "nodejs22.x"}, None).resolve(FIND) == "nodejs22.x"


def test_a_placeholder_when_entries_differ_or_the_key_is_missing():
    assert (
        resolver({"us-east-1": "nodejs22.x", "cn-north-1": "nodejs18.x"}, None).resolve(FIND).startswith("${FindInMap")
    )
    assert resolver({"us-east-1": "nodejs22.x"}, "eu-west-1").resolve(FIND).startswith("${FindInMap")
    assert resolver({}, None).resolve({"Fn::FindInMap": ["Nope", "a", "b"]}).startswith("${FindInMap")
