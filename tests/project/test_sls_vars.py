"""The Serverless variable resolver on small hand-written documents."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from momento_lambda_cli.project.parse import load_yaml
from momento_lambda_cli.project.sls_vars import (
    SlsVariables,
    VariableSyntaxError,
    parse_dotenv,
    parse_variables,
)
from momento_lambda_cli.project.values import Unresolved


def make(
    tmp_path: Path,
    text: str,
    *,
    files: dict[str, str] | None = None,
    options: dict[str, Any] | None = None,
    environ: dict[str, str] | None = None,
    **kwargs: Any,
) -> SlsVariables:
    root = tmp_path / "svc"
    root.mkdir(exist_ok=True)
    (root / "serverless.yml").write_text(text)
    for name, content in (files or {}).items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
    document = load_yaml(root / "serverless.yml")
    return SlsVariables(root, document, options=options or {}, environ=environ or {}, **kwargs)


def value(tmp_path: Path, expression: str, extra: str = "", **kwargs: Any) -> Any:
    text = f"service: demo\nprovider:\n  name: aws\nvalue: {expression}\n{extra}"
    return make(tmp_path, text, **kwargs).get("value")


# ----------------------------------------------------------------------------- sources


def test_opt_and_env_sources(tmp_path):
    assert value(tmp_path, "${opt:stage}", options={"stage": "prod"}) == "prod"
    assert value(tmp_path, "${opt:color}", options={"color": "red"}) == "red"
    assert value(tmp_path, "${env:TABLE}", environ={"TABLE": "t1"}) == "t1"
    assert value(tmp_path, "${env:EMPTY, 'x'}", environ={"EMPTY": ""}) == "", "an empty variable is a value"


def test_env_is_the_given_mapping_not_the_process(tmp_path, monkeypatch):
    monkeypatch.setenv("ONLY_IN_PROCESS", "leak")
    found = value(tmp_path, "${env:ONLY_IN_PROCESS}", environ={})
    assert isinstance(found, Unresolved)


def test_self_addresses_resolve_recursively(tmp_path):
    extra = "custom:\n  a: ${self:custom.b}\n  b: ${self:service}-${self:custom.c}\n  c: x\n"
    assert value(tmp_path, "${self:custom.a}", extra) == "demo-x"
    assert value(tmp_path, "${self:custom}", extra) == {"a": "demo-x", "b": "demo-x", "c": "x"}
    assert value(tmp_path, "${self:custom.list.1}", "custom:\n  list: [a, b]\n") == "b"


def test_sls_stage_and_aws_region_follow_serverless_rules(tmp_path):
    assert value(tmp_path, "${sls:stage}") == "dev"
    assert value(tmp_path, "${sls:stage}", options={"stage": "qa"}) == "qa"
    assert value(tmp_path, "${aws:region}") == "us-east-1"
    assert value(tmp_path, "${aws:region}", environ={"AWS_REGION": "eu-west-1"}) == "us-east-1"
    assert value(tmp_path, "${aws:region}", options={"region": "ap-south-1"}) == "ap-south-1"


def test_stage_and_region_from_provider_resolved(tmp_path):
    text = (
        "service: demo\nprovider:\n  name: aws\n  stage: ${opt:stage, env:STAGE, 'dev'}\n"
        '  region: ${opt:region, env:AWS_REGION, "us-west-2"}\n'
    )
    resolver = make(tmp_path, text, environ={"STAGE": "staging"})
    assert (resolver.stage.value, resolver.stage.origin) == ("staging", "provider")
    assert (resolver.region.value, resolver.region.origin) == ("us-west-2", "provider")
    resolver = make(tmp_path, text, options={"stage": "prod", "region": "eu-central-1"})
    assert (resolver.stage.value, resolver.stage.origin) == ("prod", "option")
    assert (resolver.region.value, resolver.region.origin) == ("eu-central-1", "option")
    resolver = make(tmp_path, "service: demo\nprovider:\n  name: aws\n")
    assert (resolver.stage.value, resolver.stage.origin) == ("dev", "default")
    assert (resolver.region.value, resolver.region.origin) == ("us-east-1", "default")


def test_invalid_stage_name_is_unresolved(tmp_path):
    resolver = make(tmp_path, "provider:\n  stage: 'my stage'\n")
    assert isinstance(resolver.stage.value, Unresolved)


def test_params_per_stage_then_default(tmp_path):
    extra = "params:\n  default:\n    a: base\n    b: ${sls:stage}-b\n  prod:\n    a: prod-a\n"
    assert value(tmp_path, "${param:a}", extra) == "base"
    assert value(tmp_path, "${param:b}", extra) == "dev-b"
    assert value(tmp_path, "${param:a}", extra, options={"stage": "prod"}) == "prod-a"
    assert value(tmp_path, "${param:a}", extra, options={"stage": "prod", "param": ["a=cli"]}) == "cli"
    assert value(tmp_path, "${param:zzz, 'fallback'}", extra) == "fallback"
    missing = value(tmp_path, "${param:zzz}", extra)
    assert isinstance(missing, Unresolved) and "Dashboard" in missing.reason
    resolver = make(tmp_path, "service: demo\n" + extra, options={"stage": "prod"})
    assert resolver.params() == {"a": "prod-a", "b": "prod-b"}


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("${strToBool(true)}", True),
        ("${strToBool(0)}", False),
        ("${strToBool(${env:FLAG})}", True),
        ("${strToBool('false')}", False),
    ],
)
def test_str_to_bool(tmp_path, expression, expected):
    assert value(tmp_path, expression, environ={"FLAG": "1"}) is expected


def test_str_to_bool_rejects_other_text(tmp_path):
    assert isinstance(value(tmp_path, "${strToBool(yes)}"), Unresolved)


# ----------------------------------------------------------------------------- fallbacks and literals


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("${opt:stage, 'prod'}", "prod"),
        ('${opt:stage, "prod"}', "prod"),
        ("${opt:stage, env:STAGE, 'dev'}", "from-env"),
        ("${opt:nothing, env:NOTHING, 'dev'}", "dev"),
        ("${self:custom.none, 512}", 512),
        ("${self:custom.none, 1.5}", 1.5),
        ("${self:custom.none, true}", True),
        ("${self:custom.none, false}", False),
        ("${self:custom.none, null}", None),
        ("${opt:stage, ${self:provider.name, 'dev'}}", "aws"),
        ("${opt:stage, ${env:NOTHING, 'nested'}}", "nested"),
        ("${self:custom.mem.${opt:size, 'small'}}", 128),
        ("${self:service}-${sls:stage}-table", "demo-dev-table"),
        ("arn:${AWS::Partition}:s3:::${self:service}", "arn:${AWS::Partition}:s3:::demo"),
        ("${Token}", "${Token}"),
        ("\\${self:service}", "${self:service}"),
        ("size-${self:custom.mem.small}", "size-128"),
        ("on-${strToBool(true)}", "on-true"),
        ("${self:custom.none, 0x10}", 16),
        ("${self:custom.list.length}", 2),
        ("list-${self:custom.list}", "list-a,b"),
        ("${self:custom.none, '${self:service}'}", "demo"),
        ("${self:custom.mem.small}}", "128}"),
        ("${ self:custom.mem.small }", "${ self:custom.mem.small }"),
    ],
)
def test_fallbacks_literals_and_embedding(tmp_path, expression, expected):
    extra = "custom:\n  mem:\n    small: 128\n  list: [a, b]\n"
    assert value(tmp_path, _quoted(expression), extra, environ={"STAGE": "from-env"}) == expected


def _quoted(expression: str) -> str:
    return '"' + expression.replace("\\", "\\\\").replace('"', '\\"') + '"'


def test_bare_word_fallback_is_a_syntax_error(tmp_path):
    found = value(tmp_path, _quoted("${opt:stage, dev}"))
    assert isinstance(found, Unresolved) and "syntax" in found.reason


def test_parser_rejects_broken_syntax():
    with pytest.raises(VariableSyntaxError):
        parse_variables("${opt:stage")
    with pytest.raises(VariableSyntaxError):
        parse_variables("${self:a,, 'x'}")
    with pytest.raises(VariableSyntaxError):
        parse_variables("${self:a, null, 'x'}")
    assert parse_variables("no variables") is None
    assert parse_variables("${AWS::Region}") is None


# ----------------------------------------------------------------------------- unresolved


@pytest.mark.parametrize(
    "expression",
    [
        "${ssm:/app/key}",
        "${ssm:/app/key, 'default'}",
        "${cf:other-stack.Output}",
        "${s3:bucket/key}",
        "${aws:accountId}",
        "${sls:instanceId}",
        "${self:custom.missing}",
        "${env:NOT_SET}",
        "${unknownsource:x}",
        "${file(./handler.js):value}",
    ],
)
def test_what_cannot_be_known_is_unresolved(tmp_path, expression):
    found = value(tmp_path, _quoted(expression))
    assert isinstance(found, Unresolved)
    assert found.expression == expression


def test_a_string_with_an_unresolvable_part_is_unresolved_whole(tmp_path):
    found = value(tmp_path, _quoted("arn:aws:iam::${aws:accountId}:role/${self:service}"))
    assert isinstance(found, Unresolved)
    assert found.expression == "arn:aws:iam::${aws:accountId}:role/${self:service}"
    assert "${aws:accountId}" in found.reason


def test_non_string_inside_a_string_is_unresolved(tmp_path):
    found = value(tmp_path, _quoted("x-${self:custom}"), "custom:\n  a: 1\n")
    assert isinstance(found, Unresolved)


def test_cycles_are_unresolved(tmp_path):
    resolver = make(tmp_path, "custom:\n  a: ${self:custom.b}\n  b: ${self:custom.a}\n  c: ${self:custom}\n")
    assert isinstance(resolver.get("custom.a"), Unresolved)
    assert isinstance(resolver.get("custom.c"), Unresolved)
    resolver = make(tmp_path, "provider:\n  stage: ${sls:stage}\n")
    assert isinstance(resolver.stage.value, Unresolved)


def test_work_is_bounded(tmp_path):
    # each level doubles the logical size: without memoization this is 2**40 lookups
    lines = ["custom:"]
    lines.append("  l0: x")
    for i in range(1, 41):
        lines.append(f"  l{i}: ${{self:custom.l{i - 1}}}${{self:custom.l{i - 1}}}")
    resolver = make(tmp_path, "\n".join(lines) + "\n", max_steps=20_000)
    found = resolver.get("custom.l40")
    assert isinstance(found, Unresolved)


def test_deep_self_chains_stop(tmp_path):
    lines = ["custom:"] + [f"  a{i}: ${{self:custom.a{i + 1}}}" for i in range(200)] + ["  a200: end"]
    resolver = make(tmp_path, "\n".join(lines) + "\n")
    assert resolver.get("custom.a199") == "end"
    assert isinstance(resolver.get("custom.a0"), Unresolved)


# ----------------------------------------------------------------------------- files


def test_file_includes(tmp_path):
    files = {
        "functions.yml": "hello:\n  handler: app.handler\n  environment:\n    S: ${sls:stage}\n",
        "config/custom.yml": "custom:\n  table: t-${sls:stage}\n",
        "config/prod.json": '{"memory": 2048, "nested": {"k": "v"}}',
        "notes.txt": "plain text",
    }
    text = (
        "service: demo\nprovider:\n  name: aws\n"
        "functions: ${file(./functions.yml)}\n"
        "custom: ${file(./config/custom.yml):custom}\n"
        "other:\n  mem: ${file(./config/${sls:stage}.json):memory}\n"
        "  nested: ${file(config/prod.json):nested.k}\n"
        "  text: ${file(./notes.txt)}\n"
        "  missing: ${file(./nope.yml), 'fallback'}\n"
    )
    resolver = make(tmp_path, text, files=files, options={"stage": "prod"})
    document = resolver.resolve_all()
    assert document["functions"] == {"hello": {"handler": "app.handler", "environment": {"S": "prod"}}}
    assert document["custom"] == {"table": "t-prod"}
    assert document["other"] == {"mem": 2048, "nested": "v", "text": "plain text", "missing": "fallback"}
    root = Path(os.path.realpath(tmp_path / "svc"))
    assert set(resolver.files_read) == {
        root / "functions.yml",
        root / "config/custom.yml",
        root / "config/prod.json",
        root / "notes.txt",
    }
    assert resolver.written(("functions", "hello", "environment")) == {"S": "${sls:stage}"}


def test_file_includes_stay_inside_the_service(tmp_path):
    outside = tmp_path / "secret.yml"
    outside.write_text("key: value\n")
    resolver = make(
        tmp_path,
        "a: ${file(../secret.yml):key}\nb: ${file(" + str(outside) + "):key}\nc: ${file(./link.yml):key}\n",
    )
    (tmp_path / "svc" / "link.yml").symlink_to(outside)
    for key in ("a", "b", "c"):
        found = resolver.get(key)
        assert isinstance(found, Unresolved) and "outside" in found.reason, key
    assert resolver.files_read == []


def test_file_include_limits(tmp_path):
    resolver = make(tmp_path, "a: ${file(./dir)}\nb: ${file(./big.yml)}\nc: ${file(./bad.yml)}\n")
    (tmp_path / "svc" / "dir").mkdir()
    (tmp_path / "svc" / "big.yml").write_text("x: " + "y" * (6 * 1024 * 1024) + "\n")
    (tmp_path / "svc" / "bad.yml").write_text("a: [unclosed\n")
    assert "regular file" in resolver.get("a").reason
    assert "MB" in resolver.get("b").reason
    assert isinstance(resolver.get("c"), Unresolved)
    assert resolver.problems


def test_include_cycle_is_bounded(tmp_path):
    files = {"a.yml": "x: ${file(./b.yml)}\n", "b.yml": "y: ${file(./a.yml)}\n"}
    resolver = make(tmp_path, "v: ${file(./a.yml)}\n", files=files)
    found = resolver.get("v")
    while isinstance(found, dict):
        (found,) = found.values()
    assert isinstance(found, Unresolved) and "includes itself" in found.reason


def test_branching_includes_are_cheap(tmp_path):
    files = {
        "a.yml": "x: ${file(./a.yml)}\ny: ${file(./a.yml):x}\nz: ['${file(./a.yml)}', '${file(./b.yml)}']\n",
        "b.yml": "w: ${file(./a.yml):z}\n",
    }
    resolver = make(tmp_path, "v: ${file(./a.yml)}\nw: ${file(./b.yml)}\n", files=files, max_steps=5_000)
    document = resolver.resolve_all()
    assert isinstance(document["v"]["x"], Unresolved)
    assert resolver._steps < 5_000


def test_cloudformation_tags_in_includes(tmp_path):
    files = {
        "res.yml": "Resources:\n  T:\n    Type: AWS::DynamoDB::Table\n    Properties:\n      TableName: !Sub '${AWS::StackName}-t'\n"
    }
    resolver = make(tmp_path, "resources: ${file(./res.yml)}\n", files=files)
    assert resolver.get("resources.Resources.T.Properties.TableName") == {"Fn::Sub": "${AWS::StackName}-t"}


def test_references_to_references_do_not_build_an_exponential_document(tmp_path):
    lines = ["custom:", "  l0: [x, y]"]
    lines += [f"  l{i}: ['${{self:custom.l{i - 1}}}', '${{self:custom.l{i - 1}}}']" for i in range(1, 60)]
    resolver = make(tmp_path, "\n".join(lines) + "\n", max_steps=50_000)
    resolver.resolve_all()
    assert isinstance(resolver.get("custom.l59"), Unresolved)


def test_dotenv_files_with_use_dotenv(tmp_path):
    files = {".env": "A=from-dotenv\nB=file\n", ".env.prod": "A=prod-dotenv\n"}
    text = "useDotenv: true\nprovider:\n  stage: ${opt:stage, 'dev'}\na: ${env:A}\nb: ${env:B, 'none'}\n"
    resolver = make(tmp_path, text, files=files, environ={"B": "process"})
    assert (resolver.get("a"), resolver.get("b")) == ("from-dotenv", "process")
    assert [p.name for p in resolver.files_read] == [".env"]
    resolver = make(tmp_path, text, files=files, options={"stage": "prod"})
    assert (resolver.get("a"), resolver.get("b")) == ("prod-dotenv", "none")
    resolver = make(tmp_path, text.replace("useDotenv: true", "useDotenv: false"), files=files)
    assert isinstance(resolver.get("a"), Unresolved) and resolver.files_read == []


def test_parse_dotenv():
    text = 'export A=1\nB = "two\\nlines"\nC=\'x # y\'\nD=plain # comment\n# E=no\nF="multi\nline"\n'
    assert parse_dotenv(text) == {"A": "1", "B": "two\nlines", "C": "x # y", "D": "plain", "F": "multi\nline"}
