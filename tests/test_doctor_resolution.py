"""The doctor's resolution rules as plain functions: which secret, cache and KMS key a project
names, which deployed function is which project function, which functions use Momento."""

from __future__ import annotations

from pathlib import Path

from momento_lambda_cli.doctor import resolution
from momento_lambda_cli.project.model import BuildSettings, CodeKind, CodeLocation, Function, Layer, Project, Setting
from momento_lambda_cli.project.values import Unresolved


def function(
    key: str, *, env: dict[str, object] | None = None, name: str | None = None, code: Path | None = None
) -> Function:
    return Function(
        key=key,
        runtime="python3.13",
        architecture="x86_64",
        timeout=10.0,
        memory=256,
        handler="app.handler",
        code=CodeLocation(CodeKind.FOLDER, code) if code else CodeLocation(CodeKind.S3, None, "s3://b/k"),
        environment=dict(env or {}),
        deployed_name=name,
    )


def project(functions: list[Function], parameters: dict[str, object] | None = None, answers=None) -> Project:
    return Project(
        framework="sam",
        root=Path("/nowhere"),
        config_path=Path("/nowhere/template.yaml"),
        document={},
        functions=functions,
        layers=[],
        parameters=dict(parameters or {}),
        build=BuildSettings(),
        stage=Setting("default", "test"),
        region=Setting("us-east-1", "test"),
        stack_name=Setting("demo", "test"),
        answers=answers,
    )


def test_the_secret_comes_from_parameters_then_functions_then_answers():
    arn = "arn:aws:secretsmanager:us-east-1:1:secret:a-AbCdEf"
    fn = function("A", env={"MOMENTO_SECRET_ARN": "momento/by-env"})
    assert resolution.project_secret_id(project([fn], {"MomentoSecretArn": arn})) == arn
    assert resolution.project_secret_id(project([fn], {"MomentoSecretArn": ""})) == "momento/by-env"
    placeholder = function("B", env={"MOMENTO_SECRET_ARN": "${MomentoSecretArn}"})
    assert (
        resolution.project_secret_id(project([placeholder], answers={"secret_name": "from/answers"})) == "from/answers"
    )
    unresolved = function("C", env={"MOMENTO_SECRET_ARN": Unresolved("${ssm:/secret}")})
    assert resolution.project_secret_id(project([unresolved])) is None
    assert resolution.secret_ref(unresolved) == "${ssm:/secret}"


def test_cache_and_kms_key():
    fn = function("A", env={"MOMENTO_CACHE_NAME": "from-env"})
    assert resolution.project_cache_name(project([fn], {"MomentoCacheName": "from-param"})) == "from-param"
    assert resolution.project_cache_name(project([fn])) == "from-env"
    assert resolution.project_kms_key(project([fn], {"momentoKmsKeyArn": " arn:aws:kms:k "})) == "arn:aws:kms:k"
    assert resolution.project_kms_key(project([fn], {"MomentoKmsKeyArn": ""})) is None


def test_deployed_functions_match_by_logical_id_name_or_serverless_naming():
    sam = function("GetItem")
    named = function("Other", name="fixed-name")
    sls = function("get-item_v2")
    functions = [sam, named, sls]
    assert resolution.match_function(functions, name="stack-GetItem-AB12", logical_id="GetItem") is sam
    assert resolution.match_function(functions, name="fixed-name", logical_id=None) is named
    assert (
        resolution.match_function(functions, name="svc-dev-get", logical_id="GetDashitemUnderscorev2LambdaFunction")
        is sls
    )
    assert resolution.match_function(functions, name="unknown", logical_id="Nope") is None
    assert resolution.match_function([sam], name="unknown", logical_id=None) is sam


def test_momento_use_counts_layers(tmp_path):
    own, layer_dir = tmp_path / "fn", tmp_path / "layer"
    own.mkdir()
    (own / "app.py").write_text("def handler(e, c):\n    return 1\n")
    (layer_dir / "python").mkdir(parents=True)
    (layer_dir / "python" / "client.py").write_text("from momento import CacheClient\n")
    from momento_lambda_cli.doctor.code_index import CodeIndex

    fn = function("A", code=own)
    assert not CodeIndex(tmp_path).function(fn).uses_momento
    fn.layers.append(Layer("Shared", CodeLocation(CodeKind.FOLDER, layer_dir)))
    assert CodeIndex(tmp_path).function(fn).uses_momento
    assert CodeIndex(tmp_path).function(function("B", env={"MOMENTO_CACHE_NAME": "c"})).uses_momento
