"""Issue #22: a project folder is untrusted input. In-process (unit tier): no code runs from the
answers file, no resolved secret is printed, files are read only if regular and inside the
project, numbers are bounded, and every malformed field is an error naming the file and field."""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

import pytest

from momento_lambda_cli.errors import MomentoLambdaError
from momento_lambda_cli.project import files
from momento_lambda_cli.scaffold import answers as schema
from tests.support import generated, keys, projects
from tests.support.leaks import assert_no_leak, assert_no_piece

BUG = "This is a bug"


def _planted(marker: Path) -> str:
    """A Jinja expression that, evaluated outside a sandbox, creates ``marker``."""
    return "{{ cycler.__init__.__globals__.os.system('touch " + str(marker) + "') }}"


def _write_answers(project: Path, document: dict[str, object]) -> None:
    (project / ".momento-lambda.json").write_text(json.dumps(document, indent=2), encoding="utf-8")


# --- 1. rendering never evaluates user data -------------------------------------------------

EVERY_FIELD = sorted({*schema.ANSWER_FIELDS, *schema.template_only_variables()})


@pytest.mark.parametrize("command", [["update", "--check"], ["update", "--dry-run"]])
@pytest.mark.parametrize("field", EVERY_FIELD)
def test_an_expression_in_any_answer_or_template_variable_runs_nothing(run_cli, tmp_path, field, command):
    project = generated.render(tmp_path / "p")
    document = json.loads((project / ".momento-lambda.json").read_text(encoding="utf-8"))
    marker = tmp_path / "PWNED"
    document[field] = _planted(marker)
    _write_answers(project, document)

    result = run_cli(*command, str(project))

    assert not marker.exists(), "an answer ran code"
    assert result.exit_code == 1, result.output
    assert f".momento-lambda.json: {field}" in result.stderr, result.stderr
    assert "Hint:" in result.stderr
    assert BUG not in result.output


def test_the_template_renders_in_a_sandbox_even_when_validation_is_bypassed(tmp_path):
    from momento_lambda_cli.scaffold.answers import build_answers
    from momento_lambda_cli.scaffold.render import cookiecutter_files, template_dir

    marker = tmp_path / "PWNED"
    context = {**build_answers("demo").template_context(), "cache_name": _planted(marker)}
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(MomentoLambdaError) as caught:
        cookiecutter_files(template_dir(), context, out)
    assert caught.value.code == "render.unsafe"
    assert not marker.exists()


def test_add_renders_managed_files_in_the_sandbox(tmp_path):
    from jinja2.exceptions import SecurityError

    from momento_lambda_cli.retrofit.client import render_file

    marker = tmp_path / "PWNED"
    with pytest.raises(SecurityError):
        render_file({"x": "1"}, _planted(marker), "src/other.py")
    assert not marker.exists()


def test_new_and_the_answers_file_share_one_rule_per_field():
    for name, spec in schema.ANSWER_FIELDS.items():
        if spec.kind is str and not spec.optional and name not in {"project_name"}:
            with pytest.raises(MomentoLambdaError) as caught:
                schema.check_answer(name, "{{ 7 * 7 }}", "f.json")
            assert caught.value.message.startswith(f"f.json: {name}: ")


# --- 2. resolved values are never printed ---------------------------------------------------

SECRET_SLS = """\
service: leaky
provider:
  name: aws
  runtime: ${env:AWS_SECRET_ACCESS_KEY}
  region: us-east-1
  environment:
    DB_PASSWORD: ${file(./secrets.yml):password}
    OTHER: prefix-${env:AWS_SECRET_ACCESS_KEY}
functions:
  api:
    handler: handler.main
  other:
    handler: handler.main
    runtime: ${file(./secrets.yml):password}
"""


@pytest.mark.integration  # the bug report runs the installed tools for their versions
def test_env_and_file_values_are_shown_as_their_expressions(run_cli, tmp_path, monkeypatch):
    aws_secret = f"wJalr{keys.MARKER}EXAMPLEKEYabc123"
    password = f"pw-{keys.MARKER}-hunter2"
    project = tmp_path / "leaky"
    project.mkdir()
    (project / "serverless.yml").write_text(SECRET_SLS, encoding="utf-8")
    (project / "secrets.yml").write_text(f"password: {password}\n", encoding="utf-8")
    (project / "handler.py").write_text("def main(event, context):\n    return 1\n", encoding="utf-8")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", aws_secret)
    report = tmp_path / "report.zip"

    text = run_cli("doctor", "--offline", "--verbose", str(project))
    as_json = run_cli("doctor", "--offline", "--json", "--bug-report", str(report), str(project))
    sarif = run_cli("doctor", "--offline", "--format", "sarif", str(project))
    junit = run_cli("doctor", "--offline", "--format", "junit", str(project))
    assert json.loads(sarif.stdout)["version"] == "2.1.0" and "<testsuite" in junit.stdout

    assert "${env:AWS_SECRET_ACCESS_KEY}" in text.stdout
    assert "${file(./secrets.yml):password}" in text.stdout
    assert "${env:AWS_SECRET_ACCESS_KEY}" in as_json.stdout
    json.loads(as_json.stdout)
    unpacked = tmp_path / "unpacked"
    with zipfile.ZipFile(report) as archive:
        archive.extractall(unpacked)
    assert_no_leak(text.output + as_json.output + sarif.output + junit.output, [aws_secret, password], unpacked)


def test_sls_vars_marks_values_by_origin(tmp_path):
    from momento_lambda_cli.project.sls_vars import SlsVariables
    from momento_lambda_cli.project.values import Sourced, shown

    (tmp_path / "c.yml").write_text("token: from-the-file\n", encoding="utf-8")
    document = {
        "params": {"default": {"literal": "from-params"}},
        "a": "${env:TOKEN}",
        "b": "${file(./c.yml):token}",
        "c": "${param:literal}",
        "d": "x-${env:TOKEN}",
        "e": "${self:c}",
        "f": "${param:cli}",
    }
    variables = SlsVariables(
        tmp_path, document, environ={"TOKEN": "from-the-env"}, options={"param": ["cli=from-the-cli"]}
    )
    assert isinstance(variables.get("a"), Sourced) and shown(variables.get("a")) == "${env:TOKEN}"
    assert shown(variables.get("b")) == "${file(./c.yml):token}"
    assert shown(variables.get("d")) == "x-${env:TOKEN}"
    assert shown(variables.get("f")) == "${param:cli}"
    assert not isinstance(variables.get("c"), Sourced)  # the project's own text
    assert not isinstance(variables.get("e"), Sourced)
    assert variables.get("a") == "from-the-env"  # checks still see the value


def test_a_structure_included_with_file_is_project_text_but_secret_fields_stay_secret(tmp_path):
    """`functions: ${file(functions.yml)}` is the project's own text split across files: its
    handlers and settings are plain values; a field named like a secret in an included mapping
    (`dbPassword`) stays secret by origin, and so does a value picked out of a file by address."""
    from momento_lambda_cli.project.sls_vars import SlsVariables
    from momento_lambda_cli.project.values import Sourced, shown

    (tmp_path / "functions.yml").write_text(
        "api:\n  handler: src/vpc-lambda.handler\n  environment:\n    SECRET_ARN: arn:aws:x\n", encoding="utf-8"
    )
    (tmp_path / "secrets.yml").write_text("dbPassword: hunter2-hunter2\ndbHost: db.internal\n", encoding="utf-8")
    document = {
        "functions": "${file(./functions.yml)}",
        "custom": "${file(./secrets.yml)}",
        "picked": "${file(./secrets.yml):dbHost}",
    }
    variables = SlsVariables(tmp_path, document, environ={}, options={})
    functions = variables.get("functions")
    assert functions["api"]["handler"] == "src/vpc-lambda.handler"
    assert not isinstance(functions["api"]["handler"], Sourced)
    assert not isinstance(functions["api"]["environment"]["SECRET_ARN"], Sourced)
    custom = variables.get("custom")
    assert isinstance(custom["dbPassword"], Sourced)
    assert shown(custom["dbPassword"]) == "${file(./secrets.yml):dbPassword}"
    assert not isinstance(custom["dbHost"], Sourced)
    assert isinstance(variables.get("picked"), Sourced)


FILE_INCLUDED_SLS = """\
service: inc
provider:
  name: aws
  runtime: nodejs22.x
  region: us-east-1
custom: ${file(./secrets.yml)}
functions: ${file(functions.yml)}
resources:
  - ${file(resources.yml)}
"""
FILE_INCLUDED_FUNCTIONS = """\
VpcLambda:
  handler: src/vpc-lambda.handler
  environment:
    SECRET_ARN: momento/key
    DB_PASSWORD: ${self:custom.dbPassword}
"""
FILE_INCLUDED_CODE = """\
const { CacheClient, Configurations, CredentialProvider } = require('@gomomento/sdk');
const { SecretsManagerClient, GetSecretValueCommand } = require('@aws-sdk/client-secrets-manager');
const sm = new SecretsManagerClient({});
exports.handler = async () => {
  const out = await sm.send(new GetSecretValueCommand({ SecretId: process.env.SECRET_ARN }));
  console.log(out.SecretString);
  const client = await CacheClient.create({ configuration: Configurations.Lambda.latest(),
    credentialProvider: CredentialProvider.fromString(out.SecretString), defaultTtlSeconds: 60 });
  return client.get('c', 'k');
};
"""


def test_file_included_functions_print_their_paths_and_settings_in_words(run_cli, tmp_path):
    """Field (lambda-vpc-secrets-sls): with `functions: ${file(functions.yaml)}` the handler file was
    printed as `****-lambda.ts`, and a `default` in an included resource rewrote every "default" of
    the output into a ${file()} expression. The included structure is project text; a secret field
    in an included file still never prints."""
    root = projects.write_tree(
        tmp_path / "inc",
        {
            "serverless.yml": FILE_INCLUDED_SLS,
            "functions.yml": FILE_INCLUDED_FUNCTIONS,
            "resources.yml": "Resources:\n  Vpc:\n    Type: AWS::EC2::VPC\n    Properties:\n      InstanceTenancy: default\n",
            "secrets.yml": "dbPassword: hunter2-hunter2\n",
            "src/vpc-lambda.js": FILE_INCLUDED_CODE,
            "package.json": '{"dependencies": {"@gomomento/sdk": "1.118.0"}}',
        },
    )
    text = run_cli("doctor", "--offline", "--verbose", str(root))
    as_json = run_cli("doctor", "--offline", "--json", str(root))
    out = text.stdout + text.stderr
    assert "src/vpc-lambda.js line 6" in out, out
    assert "(from Serverless default (<service>-<stage>))" in out, out
    assert "InstanceTenancy" not in out + as_json.stdout
    assert_no_piece(text.output + as_json.output, ["hunter2-hunter2"])


SOURCED_SLS = """\
service: sourced
frameworkVersion: '3'
provider:
  name: aws
  runtime: python3.13
  region: ${env:DEPLOY_REGION}
  stage: ${env:DEPLOY_STAGE}
  environment:
    MOMENTO_CACHE_NAME: sourced-cache
    TOKEN: ${env:LONG_TOKEN}
    TINY: ${env:TINY_TOKEN}
    PASSWORD: ${file(./secrets.yml):password}
functions:
  api:
    handler: handler.main
"""
LONG_TOKEN = "Zq8vR2mXw4Lp9TtBn6Hc"
TINY_TOKEN = "x7q"
FILE_PASSWORD = "hunter2-Kd93LmQa"
REGION, STAGE = "eu-south-2", "qa7"
SOURCED = [LONG_TOKEN, TINY_TOKEN, FILE_PASSWORD, STAGE]


@pytest.fixture
def sourced_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A Serverless project whose region, stage and environment come from ${env:} and ${file()}."""
    project = tmp_path / "sourced"
    project.mkdir()
    (project / "serverless.yml").write_text(SOURCED_SLS, encoding="utf-8")
    (project / "secrets.yml").write_text(f"password: {FILE_PASSWORD}\n", encoding="utf-8")
    (project / "handler.py").write_text("import momento\n\ndef main(event, context):\n    return 1\n", encoding="utf-8")
    for name, value in {
        "DEPLOY_REGION": REGION,
        "DEPLOY_STAGE": STAGE,
        "LONG_TOKEN": LONG_TOKEN,
        "TINY_TOKEN": TINY_TOKEN,
    }.items():
        monkeypatch.setenv(name, value)
    return project


def _crashing_check(ctx: object) -> object:
    """A check that crashes with every resolved value in its message (and in its locals)."""
    project = ctx.project()  # type: ignore[attr-defined]
    env = project.functions[0].environment
    token, tiny, password = env["TOKEN"], env["TINY"], env["PASSWORD"]
    stage = project.stage.value
    raise RuntimeError(f"cannot use {token}, {tiny}, {password} on stage {stage} (name={tiny}); {token}{password}")


@pytest.mark.integration  # the bug report runs the installed tools for their versions
@pytest.mark.parametrize("json_output", [False, True], ids=["text", "json"])
def test_debug_tracebacks_never_show_a_value_from_env_or_file(
    run_cli, sourced_project, monkeypatch, tmp_path, json_output
):
    """--debug prints the traceback of a crashing check, and of a crash in the command itself:
    neither shows a value resolved from ${env:} / ${file()}, nor any 8-character piece of one,
    nor a short one (3 characters) as a word; the expressions stand in their place."""
    from momento_lambda_cli.doctor import registry, render
    from momento_lambda_cli.doctor.model import Check, Group

    real = registry.all_checks
    crash = Check("project.crash-test", Group.PROJECT, "Crashes with resolved values", _crashing_check)  # type: ignore[arg-type]
    monkeypatch.setattr(registry, "all_checks", lambda: [*real(), crash])
    flags = ["--json"] if json_output else ["--verbose"]
    report = tmp_path / "report.zip"

    in_check = run_cli("--debug", "doctor", "--offline", *flags, "--bug-report", str(report), str(sourced_project))

    def command_crash(*args: object, **kwargs: object) -> object:
        raise RuntimeError(f"render failed for {LONG_TOKEN} / {FILE_PASSWORD} / {TINY_TOKEN}")

    monkeypatch.setattr(render, "json_data" if json_output else "lines", command_crash)
    in_command = run_cli("--debug", "doctor", "--offline", *flags, str(sourced_project))

    assert "[project.crash-test] crashed:" in in_check.stderr, in_check.stderr
    assert "Traceback (most recent call last)" in in_check.stderr
    assert "${env:LONG_TOKEN}" in in_check.stderr and "${file(./secrets.yml):password}" in in_check.stderr
    assert "${env:TINY_TOKEN}" in in_check.stderr
    assert "Traceback (most recent call last)" in in_command.stderr, in_command.output
    assert "${env:LONG_TOKEN}" in in_command.stderr and "${env:TINY_TOKEN}" in in_command.stderr
    unpacked = tmp_path / "unpacked"
    with zipfile.ZipFile(report) as archive:
        archive.extractall(unpacked)
    bundle = "".join(p.read_text(encoding="utf-8", errors="replace") for p in unpacked.rglob("*") if p.is_file())
    everything = in_check.output + in_command.output + bundle
    assert_no_piece(everything, SOURCED)


def test_region_and_stage_from_the_environment_read_as_expressions_with_their_origin(run_cli, sourced_project):
    """A value from ${env:} stays secret by origin, but the settings lines stay readable: the
    expression, where it came from and through which setting, for any length (a 3-character stage)."""
    result = run_cli("doctor", "--offline", "--verbose", str(sourced_project))
    as_json = run_cli("doctor", "--offline", "--json", str(sourced_project))

    out = result.stdout
    assert "stage ${env:DEPLOY_STAGE} (from the environment, via serverless.yml provider.stage)" in out, out
    assert "region ${env:DEPLOY_REGION} (from the environment, via serverless.yml provider.region)" in out
    assert "stack sourced-${env:DEPLOY_STAGE} (from the environment" in out
    json.loads(as_json.stdout)
    assert "${env:DEPLOY_REGION} (from the environment" in as_json.stdout
    assert_no_piece(result.output + as_json.output, SOURCED)


def test_a_region_from_the_environment_is_not_rewritten_inside_arns(monkeypatch):
    """A region name is a public identifier: ${env:AWS_REGION} = us-east-1 stays secret by origin
    (the settings lines name it by expression) but is not rewritten into every ARN the tool prints."""
    from momento_lambda_cli import redact
    from momento_lambda_cli.project.values import Sourced, secret_by_origin

    monkeypatch.setattr(redact, "_sourced", {})
    region = secret_by_origin("us-east-1", "${env:AWS_REGION}")
    arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:momento/demo/api-key-AbCdEf"

    assert isinstance(region, Sourced) and region.expression == "${env:AWS_REGION}"
    assert redact.redact(f'{{"secret_arn": "{arn}"}}') == f'{{"secret_arn": "{arn}"}}'


def test_short_values_from_env_and_file_are_masked_in_any_text(tmp_path, monkeypatch):
    """The redactor's last line of defence masks a sourced value of 3 to 7 characters where it
    stands as a word (a 3-character secret never prints), 8 and more everywhere."""
    from momento_lambda_cli import redact
    from momento_lambda_cli.project.values import secret_by_origin

    monkeypatch.setattr(redact, "_sourced", {})
    secret_by_origin("x7q", "${env:TINY}")
    secret_by_origin("abcd123", "${file(./s.yml):pin}")
    secret_by_origin("Zq8vR2mXw4Lp", "${env:LONG}")

    text = redact.redact("tiny=x7q pin 'abcd123' long Zq8vR2mXw4Lp and Zq8vR2mX... x7qz stays")

    assert "tiny=${env:TINY}" in text and "'${file(./s.yml):pin}'" in text
    assert "long ${env:LONG}" in text and "x7qz stays" in text
    assert_no_piece(text.replace("x7qz", ""), ["x7q", "abcd123", "Zq8vR2mXw4Lp"])


# --- 3. files are read only if regular and inside the project -------------------------------


def test_the_reader_refuses_fifos_loops_symlinks_out_and_huge_files(tmp_path):
    root = tmp_path / "p"
    root.mkdir()
    os.mkfifo(root / "fifo.yml")
    os.symlink(root / "loop-b", root / "loop-a")
    os.symlink(root / "loop-a", root / "loop-b")
    outside = tmp_path / "credentials"
    outside.write_text("secret\n", encoding="utf-8")
    os.symlink(outside, root / "out.json")
    (root / "big.json").write_bytes(b" " * 2048)
    (root / "latin1.json").write_bytes(b'{"x": "caf\xe9"}')

    cases = {
        "fifo.yml": "FIFO",
        "loop-a": "symlink loop",
        "out.json": "outside the project",
    }
    for name, words in cases.items():
        with pytest.raises(MomentoLambdaError) as caught:
            files.read_text(root / name, root)
        assert words in caught.value.message and name in caught.value.message
    with pytest.raises(MomentoLambdaError, match="larger than"):
        files.read_bytes(root / "big.json", root, limit=1024)
    with pytest.raises(files.NotText, match="0xe9"):
        files.read_text(root / "latin1.json", root)
    assert files.read_text(root / "missing.json", root) is None


def _link_out(project: Path, outside: Path, name: str, text: str | bytes | None = None) -> None:
    """Replace (or create) ``project/name`` with a symlink to a copy of it under ``outside``."""
    path = project / name
    copy = outside / project.name / name
    copy.parent.mkdir(parents=True, exist_ok=True)
    if text is None:
        copy.write_bytes(path.read_bytes())
    elif isinstance(text, bytes):
        copy.write_bytes(text)
    else:
        copy.write_text(text, encoding="utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    os.symlink(copy, path)


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The real paths every ``os.open`` / ``open`` of this process opens while the test runs."""
    import builtins
    import io

    seen: list[str] = []
    real_os_open, real_io_open = os.open, io.open

    def note(target: object) -> None:
        if isinstance(target, str | bytes | os.PathLike):
            seen.append(os.path.realpath(os.fsdecode(target)))

    def spy_os_open(path: object, *args: object, **kwargs: object) -> int:
        note(path)
        return real_os_open(path, *args, **kwargs)  # type: ignore[arg-type]

    def spy_io_open(file: object, *args: object, **kwargs: object) -> object:
        note(file)
        return real_io_open(file, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(os, "open", spy_os_open)
    monkeypatch.setattr(io, "open", spy_io_open)
    monkeypatch.setattr(builtins, "open", spy_io_open)
    return seen


ELF_HEAD = b"\x7fELF\x02\x01\x01" + b"\x00" * 9 + b"\x03\x00\x3e\x00" + b"\x00" * 200
MOMENTO_KEY_TEXT = f"MOMENTO_API_KEY={keys.legacy_key(tag='outside')}\n"


@pytest.mark.parametrize(
    "command",
    [
        ["doctor", "--offline"],
        ["doctor", "--offline", "--json", "--verbose"],
        ["doctor", "--offline", "--fix", "--dry-run"],
        ["add", "--dry-run", "--no-input"],
        ["update", "--check"],
    ],
)
@pytest.mark.parametrize("framework", ["sam", "serverless"])
def test_no_command_reads_a_file_through_a_symlink_out_of_the_project(tmp_path, run_cli, opened, command, framework):
    """Every project file a command reads (the doctor's code index, key scan, .gitignore, build
    output, requirements, package.json, .env...) goes through the one reader fenced to the project:
    a symlink out of the project is never opened, whatever reads it."""
    outside = tmp_path / "outside"
    if framework == "sam":
        project = generated.render(tmp_path / "p", "fenced")
        for name in ("src/handler.py", "src/requirements.txt", ".gitignore"):
            _link_out(project, outside, name)
        _link_out(project, outside, "src/extra.py", "import momento\nclient = momento.CacheClient(None, None, None)\n")
        _link_out(project, outside, "requirements.txt", "momento==1.0.0\n")
        _link_out(project, outside, ".aws-sam/build/Function/grpc/_cython.cpython-313-x86_64-linux-gnu.so", ELF_HEAD)
        _link_out(project, outside, ".aws-sam/build/Function/momento-1.0.0.dist-info/WHEEL", "Tag: py3-none-any\n")
    else:
        project = generated.render(tmp_path / "p", "fenced", framework="serverless", runtime="nodejs22.x")
        for name in ("src/handler.mjs", "package.json", ".gitignore"):
            _link_out(project, outside, name)
        _link_out(project, outside, "src/extra.mjs", "import { CacheClient } from '@gomomento/sdk';\n")
        _link_out(project, outside, "package-lock.json", '{"packages": {}}')
        _link_out(project, outside, "node_modules/@gomomento/sdk/package.json", '{"version": "1.0.0"}')
        _link_out(project, outside, "tsconfig.json", "{}")
        _link_out(project, outside, ".serverless/fenced.zip", b"PK\x05\x06" + b"\x00" * 18)
    _link_out(project, outside, ".env", MOMENTO_KEY_TEXT)
    _link_out(project, outside, ".env.dev", MOMENTO_KEY_TEXT)
    _link_out(project, outside, "notes.txt", MOMENTO_KEY_TEXT)
    opened.clear()

    result = run_cli(*command, str(project))

    assert BUG not in result.output, result.output
    prefix = os.path.realpath(outside) + os.sep
    leaked = sorted({path for path in opened if path.startswith(prefix)})
    assert not leaked, f"{command} opened files outside the project: {leaked}"
    assert_no_leak(result.output, [])


def test_store_token_reads_no_template_through_a_symlink_out_of_the_project(tmp_path, opened):
    """store-token inspects the project (samconfig, template, serverless.yml) before any AWS call,
    through the one reader: a template.yaml symlinked out of the project stops it, unread."""
    from momento_lambda_cli.secrets.wiring import inspect_project

    project = projects.sam_project(tmp_path, "linked")
    _link_out(project, tmp_path / "outside", "template.yaml")
    opened.clear()

    with pytest.raises(MomentoLambdaError, match="outside the project"):
        inspect_project(project)

    outside = os.path.realpath(tmp_path / "outside") + os.sep
    assert not [path for path in opened if path.startswith(outside)]


@pytest.mark.integration  # the bug report runs the installed tools for their versions
def test_the_bug_report_skips_symlinks_and_fifos_and_lists_them(run_cli, tmp_path):
    credentials = tmp_path / "home" / ".aws" / "credentials"
    credentials.parent.mkdir(parents=True)
    aws_secret = f"aws_secret_access_key = {keys.MARKER}fromhome123"
    credentials.write_text(f"[default]\n{aws_secret}\n", encoding="utf-8")
    project = projects.serverless_project(tmp_path, "linked")
    dotenv = f"PASSWORD={keys.MARKER}dotenv456"
    (project / ".env").write_text(dotenv + "\n", encoding="utf-8")
    os.symlink(credentials, project / "package.json")
    os.symlink(project / ".env", project / "requirements.txt")
    os.mkfifo(project / "pyproject.toml")
    report = tmp_path / "r.zip"

    result = run_cli("doctor", "--offline", "--bug-report", str(report), str(project))

    assert BUG not in result.output
    with zipfile.ZipFile(report) as archive:
        names = archive.namelist()
        skipped = archive.read("project/SKIPPED.txt").decode()
        everything = "".join(archive.read(n).decode("utf-8", "replace") for n in names)
    assert "project/serverless.yml" in names
    for name in ("package.json", "requirements.txt", "pyproject.toml"):
        assert f"project/{name}" not in names
        assert name in skipped
    assert_no_leak(everything + result.output, [aws_secret, dotenv])


# --- 4. numbers are numbers -----------------------------------------------------------------


@pytest.mark.parametrize("value", ["nan", "inf", "-1", "1e300", "0"])
def test_doctor_timeout_refuses_nan_infinity_and_absurd_values(run_cli, tmp_path, value):
    result = run_cli("doctor", "--offline", "--timeout", value, str(tmp_path))
    assert result.exit_code == 2, result.output
    assert "--timeout" in result.stderr and "from 0.01 to 3600" in result.stderr
    assert BUG not in result.output


ANSWERS_COMMANDS = [
    ["doctor", "--offline"],
    ["doctor", "--offline", "--json"],
    ["doctor", "--offline", "--only", "project.template-version"],
    ["update", "--check"],
    ["add", "--dry-run", "--no-input"],
]


@pytest.mark.parametrize("command", ANSWERS_COMMANDS, ids=lambda c: "-".join(c))
@pytest.mark.parametrize(
    ("field", "raw", "named"),
    [
        ("doctor", '{"timeout": 1e999}', "doctor.timeout"),
        ("doctor", '{"timeout": -5}', "doctor.timeout"),
        ("doctor", '{"timeout": "30"}', "doctor.timeout"),
        ("doctor", '{"expiry_warning_days": 1e999}', "doctor.expiry_warning_days"),
        ("doctor", '{"expiry_warning_days": 1.5}', "doctor.expiry_warning_days"),
        ("doctor", '{"strict": "yes"}', "doctor.strict"),
        ("doctor", '{"skip": [3]}', "doctor.skip"),
        ("doctor", '{"colour": true}', "doctor:"),
        ("doctor", "[]", "doctor:"),
        ("default_ttl_seconds", "1e999", "default_ttl_seconds"),
        ("default_ttl_seconds", "60.5", "default_ttl_seconds"),
        ("default_ttl_seconds", "-1", "default_ttl_seconds"),
        ("default_ttl_seconds", "NaN", "NaN"),
    ],
)
def test_numbers_in_the_answers_file_are_bounded(run_cli, tmp_path, field, raw, named, command):
    """One schema for the whole answers file, the doctor section included: every command that
    reads it refuses a bad field with ``Error: FILE: FIELD ...`` + ``Hint:``, exit 1 (never a
    usage error, never ignored, never only a warning)."""
    project = projects.sam_project(tmp_path, "nums")
    path = project / ".momento-lambda.json"
    document = json.loads(path.read_text(encoding="utf-8"))
    document[field] = "@@"
    path.write_text(json.dumps(document).replace('"@@"', raw), encoding="utf-8")

    result = run_cli(*command, str(project))

    assert result.exit_code == 1, result.output
    assert BUG not in result.output
    errors = result.stdout if "--json" in command else result.stderr
    assert f".momento-lambda.json: {named}" in errors or (named == "NaN" and "NaN" in errors), errors
    if "--json" in command:
        assert json.loads(result.stdout)["ok"] is False
    else:
        assert "Error:" in result.stderr and "Hint:" in result.stderr, result.stderr


@pytest.mark.integration  # the bug report runs the installed tools for their versions
def test_a_malformed_answers_file_still_gets_its_bug_report(run_cli, tmp_path):
    """With --bug-report, the report is written (the checks ran with no saved options), then the
    same Error: FILE: FIELD line, exit 1."""
    project = projects.sam_project(tmp_path, "reported")
    path = project / ".momento-lambda.json"
    document = json.loads(path.read_text(encoding="utf-8"))
    document["doctor"] = {"timeout": -5}
    path.write_text(json.dumps(document), encoding="utf-8")
    report = tmp_path / "r.zip"

    result = run_cli("doctor", "--offline", "--bug-report", str(report), str(project))

    assert result.exit_code == 1, result.output
    assert ".momento-lambda.json: doctor.timeout: must be" in result.stderr
    with zipfile.ZipFile(report) as archive:
        assert "doctor.json" in archive.namelist()


def test_an_unknown_check_id_saved_in_the_answers_file_is_a_file_error(run_cli, tmp_path):
    project = projects.sam_project(tmp_path, "ids")
    path = project / ".momento-lambda.json"
    document = json.loads(path.read_text(encoding="utf-8"))
    document["doctor"] = {"skip": ["no-such-check"]}
    path.write_text(json.dumps(document), encoding="utf-8")

    result = run_cli("doctor", "--offline", str(project))

    assert result.exit_code == 1, result.output
    assert ".momento-lambda.json: doctor.skip: Unknown check id: no-such-check" in result.stderr
    assert "Hint:" in result.stderr


# --- 5. errors, not bugs --------------------------------------------------------------------

MALFORMED = {
    "wrong-type": ("runtime", 313),
    "null-required": ("cache_name", None),
    "bool-as-int": ("default_ttl_seconds", True),
    "bad-choice": ("framework", "pulumi"),
    "managed-files-list": ("managed_files", ["src/momento_client.py"]),
    "managed-files-entry": ("managed_files", {"src/x.py": "template"}),
    "managed-files-escape": ("managed_files", {"../../etc/x": {"template_file": "src/momento_client.py"}}),
    "template-record": ("_template", "0.3.0"),
    "generated-by": ("generated_by", 7),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
@pytest.mark.parametrize(
    "command", [["update", "--check"], ["update", "--dry-run"], ["add", "--dry-run", "--no-input"]]
)
def test_a_malformed_answers_field_is_an_error_naming_it(run_cli, tmp_path, case, command):
    project = projects.sam_project(tmp_path, "bad")
    field, value = MALFORMED[case]
    document = json.loads((project / ".momento-lambda.json").read_text(encoding="utf-8"))
    document[field] = value
    _write_answers(project, document)

    result = run_cli(*command, str(project))

    assert result.exit_code == 1, result.output
    assert f".momento-lambda.json: {field}" in result.stderr, result.stderr
    assert "Hint:" in result.stderr
    assert BUG not in result.output and "Reinstall" not in result.output


@pytest.mark.parametrize("damage", ["latin1", "loop", "not-an-object"])
def test_an_unreadable_answers_file_is_an_error_naming_it(run_cli, tmp_path, damage):
    project = projects.sam_project(tmp_path, "broken")
    path = project / ".momento-lambda.json"
    if damage == "latin1":
        path.write_bytes(path.read_bytes().replace(b'"bad"', b'"b\xe9d"').replace(b'"broken"', b'"br\xf6ken"'))
    elif damage == "loop":
        path.unlink()
        os.symlink(path, path)
    else:
        path.write_text("[1, 2]", encoding="utf-8")

    result = run_cli("update", "--check", str(project))

    assert result.exit_code == 1, result.output
    assert ".momento-lambda.json" in result.stderr and "Hint:" in result.stderr
    assert BUG not in result.output
