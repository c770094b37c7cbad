"""`momento-lambda new`: options, prompts, output, and every bad input refused cleanly."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from momento_lambda_cli import catalog
from momento_lambda_cli.commands import new as new_command
from momento_lambda_cli.scaffold import layout

SECRET_ARN = "arn:aws:secretsmanager:us-west-2:123456789012:secret:team/orders-key-Ab12Cd"


def snapshot(folder: Path) -> dict[str, tuple[int, int, bytes | None]]:
    """Every entry under ``folder`` with its mode, mtime and content (files)."""
    entries = {}
    for path in sorted(folder.rglob("*")):
        stat = path.lstat()
        content = path.read_bytes() if path.is_file() else None
        entries[path.relative_to(folder).as_posix()] = (stat.st_mode, stat.st_mtime_ns, content)
    return entries


def assert_one_line_error(result, *fragments: str) -> None:
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2, result.stderr
    assert lines[0].startswith("Error: ")
    assert lines[1].startswith("Hint: ")
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in lines[0]


def test_defaults_render_a_sam_python_project_and_print_the_tree_and_next_steps(run_cli, tmp_path):
    result = run_cli("new", "demo", "--no-input", "--output-dir", str(tmp_path))
    assert result.exit_code == 0, result.output
    project = tmp_path / "demo"
    answers = json.loads((project / ".momento-lambda.json").read_text())
    assert answers == {
        "_tool_version": answers["_tool_version"],
        "_template": {"version": answers["_tool_version"], "sha256": answers["_template"]["sha256"]},
        "project_name": "demo",
        "framework": "sam",
        "runtime": "python3.13",
        "architecture": "x86_64",
        "cache_name": "demo",
        "secret_name": "momento/demo/api-key",
        "secret_arn": None,
        "default_ttl_seconds": 60,
        "region": None,
        "kms_key_arn": None,
        "init_client": "eager",
        "language": "python",
        "snapstart": False,
        "pattern": "cache-aside",
    }
    out = result.stdout
    assert "Created" in out and "(sam, python3.13, x86_64)" in out
    for name in ("template.yaml", "samconfig.toml", "momento_client.py", "handler.py", "test_handler.py", "event.json"):
        assert name in out
    steps = out.split("Next steps:")[1]
    order = [
        steps.index(c)
        for c in (
            "momento-lambda doctor --offline",  # the first check needs no AWS account, key or Docker
            "momento-lambda store-token",
            "sam build",
            "sam deploy --guided",
            "momento-lambda doctor  ",
        )
    ]
    assert order == sorted(order)
    assert steps.strip().splitlines()[0].split()[0] == "cd", steps
    assert not list(tmp_path.glob(".demo.*")), "the staging folder is gone"


def test_serverless_next_steps(run_cli, tmp_path):
    result = run_cli(
        "new", "svc", "--no-input", "-f", "serverless", "-r", "nodejs24.x", "-a", "arm64", "-o", str(tmp_path)
    )
    assert result.exit_code == 0, result.output
    steps = result.stdout.split("Next steps:")[1]
    for command in ("npm install", "momento-lambda store-token", "serverless deploy", "momento-lambda doctor"):
        assert command in steps
    assert "sam " not in steps


def test_every_option_reaches_the_answers(run_cli, tmp_path):
    kms = "arn:aws:kms:us-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    result = run_cli(
        "new", "orders-api", "--no-input", "--framework", "serverless", "--runtime", "python3.12", "--arch", "arm64",
        "--cache-name", "orders", "--secret-arn", SECRET_ARN, "--default-ttl", "900", "--region", "us-west-2",
        "--kms-key-arn", kms, "--output-dir", str(tmp_path / "deep" / "er"),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    project = tmp_path / "deep" / "er" / "orders-api"
    answers = json.loads((project / ".momento-lambda.json").read_text())
    assert answers["cache_name"] == "orders"
    assert answers["secret_arn"] == SECRET_ARN
    assert answers["secret_name"] == "team/orders-key"  # taken from the ARN
    assert answers["default_ttl_seconds"] == 900
    assert answers["region"] == "us-west-2"
    assert answers["kms_key_arn"] == kms
    text = (project / "serverless.yml").read_text()
    assert f'momentoSecretArn: "{SECRET_ARN}"' in text
    assert "region: us-west-2" in text
    assert "store-token" in result.stdout  # still listed, as optional


def test_json_output_is_the_shared_envelope(run_cli, tmp_path):
    result = run_cli("new", "demo", "--json", "-o", str(tmp_path))
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["command"] == "new" and document["ok"] is True
    assert document["data"]["project_dir"] == str(tmp_path / "demo")
    assert "template.yaml" in document["data"]["files"]
    assert document["data"]["answers"]["runtime"] == "python3.13"
    assert document["data"]["next_steps"][-1] == "momento-lambda doctor"


def test_json_errors_are_an_envelope_too(run_cli, tmp_path):
    result = run_cli("new", "bad name", "--json", "-o", str(tmp_path))
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["ok"] is False and document["errors"][0]["code"] == "new.bad-name"


def test_without_a_tty_it_never_prompts(run_cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run_cli("new", "demo", stdin="serverless\n")
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "demo" / ".momento-lambda.json").read_text())["framework"] == "sam"
    assert "Framework" not in result.output


def test_on_a_tty_it_asks_only_for_what_was_not_given(run_cli, tmp_path, monkeypatch):
    monkeypatch.setattr(new_command, "_stdin_is_tty", lambda: True)
    result = run_cli(
        "new", "demo", "--runtime", "nodejs22.x", "-o", str(tmp_path),
        stdin="serverless\ntypescript\nrate-limit\narm64\nmy-cache\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    answers = json.loads((tmp_path / "demo" / ".momento-lambda.json").read_text())
    assert (answers["framework"], answers["runtime"], answers["architecture"], answers["cache_name"]) == (
        "serverless", "nodejs22.x", "arm64", "my-cache",
    )  # fmt: skip
    assert answers["language"] == "typescript"  # asked for a Node.js runtime
    assert answers["pattern"] == "rate-limit"
    assert "Framework" in result.stderr and "Architecture" in result.stderr and "Runtime" not in result.stderr


def test_on_a_tty_enter_keeps_the_defaults(run_cli, tmp_path, monkeypatch):
    monkeypatch.setattr(new_command, "_stdin_is_tty", lambda: True)
    result = run_cli("new", "demo", "-o", str(tmp_path), stdin="\n\n\n\n\n")
    assert result.exit_code == 0, result.output
    answers = json.loads((tmp_path / "demo" / ".momento-lambda.json").read_text())
    assert (answers["framework"], answers["runtime"], answers["architecture"], answers["cache_name"]) == (
        "sam", "python3.13", "x86_64", "demo",
    )  # fmt: skip
    assert answers["pattern"] == "cache-aside"


def test_on_a_tty_the_pattern_is_asked_only_among_those_the_runtime_has(run_cli, tmp_path, monkeypatch):
    """The pattern prompt offers the patterns with a handler in the runtime's language (by number
    or name), and is not shown when --pattern was given."""
    monkeypatch.setattr(new_command, "_stdin_is_tty", lambda: True)
    result = run_cli("new", "demo", "-r", "python3.12", "-f", "sam", "--arch", "arm64", "-o", str(tmp_path),
                     stdin="2\n\n")  # fmt: skip
    assert result.exit_code == 0, result.output
    offered = [p.name for p in catalog.patterns_for(catalog.PYTHON)]
    assert offered[:2] == ["cache-aside", "rate-limit"]
    assert "Pattern:" in result.stderr and all(f") {name}" in result.stderr for name in offered)
    assert json.loads((tmp_path / "demo" / ".momento-lambda.json").read_text())["pattern"] == "rate-limit"
    given = run_cli("new", "two", "-r", "python3.12", "-f", "sam", "--arch", "arm64", "--pattern", "rate-limit",
                    "-o", str(tmp_path), stdin="\n")  # fmt: skip
    assert given.exit_code == 0 and "Pattern" not in given.stderr


def test_no_input_on_a_tty_does_not_prompt(run_cli, tmp_path, monkeypatch):
    monkeypatch.setattr(new_command, "_stdin_is_tty", lambda: True)
    result = run_cli("new", "demo", "--no-input", "-o", str(tmp_path), stdin="serverless\n")
    assert result.exit_code == 0
    assert json.loads((tmp_path / "demo" / ".momento-lambda.json").read_text())["framework"] == "sam"


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("", "empty"),
        ("my project", "' '"),
        ("a/b", "'/'"),
        ("..", "start with a letter"),
        ("demo..x", "'.'"),
        ("-demo", "start with a letter"),
        ("1demo", "start with a letter"),
        ("démo", "'é'"),
        ("under_score", "'_'"),
        ("x" * 129, "129 characters"),
    ],
)
def test_bad_project_names_exit_1_and_write_nothing(run_cli, tmp_path, name, fragment):
    (tmp_path / "keep.txt").write_text("untouched")
    before = snapshot(tmp_path)
    result = run_cli("new", "--no-input", "--output-dir", str(tmp_path), "--", name)
    assert result.exit_code == 1
    assert_one_line_error(result, fragment)
    assert snapshot(tmp_path) == before


def test_a_128_character_name_is_fine(run_cli, tmp_path):
    name = "a" + "-b" * 63 + "c"
    assert len(name) == 128
    assert run_cli("new", name, "--no-input", "-o", str(tmp_path)).exit_code == 0


def test_an_existing_non_empty_folder_is_refused_and_left_untouched(run_cli, tmp_path):
    target = tmp_path / "demo"
    (target / "src").mkdir(parents=True)
    (target / "src" / "app.py").write_text("print('mine')\n")
    (target / "template.yaml").write_text("mine\n")
    before = snapshot(tmp_path)
    result = run_cli("new", "demo", "--no-input", "--output-dir", str(tmp_path))
    assert result.exit_code == 1
    assert_one_line_error(result, "already exists and is not empty")
    assert snapshot(tmp_path) == before


def test_an_existing_file_with_the_name_is_refused(run_cli, tmp_path):
    (tmp_path / "demo").write_text("a file")
    before = snapshot(tmp_path)
    result = run_cli("new", "demo", "--no-input", "--output-dir", str(tmp_path))
    assert result.exit_code == 1
    assert_one_line_error(result, "not a folder")
    assert snapshot(tmp_path) == before


def test_an_existing_empty_folder_is_used(run_cli, tmp_path):
    (tmp_path / "demo").mkdir()
    result = run_cli("new", "demo", "--no-input", "--output-dir", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "demo" / "template.yaml").is_file()


@pytest.mark.parametrize(
    "arn",
    [
        "not-an-arn",
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:nosuffix",
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:name-AbC",
        "arn:aws:secretsmanager:us-east-1:12345:secret:name-AbCdEf",
        "arn:aws:s3:::bucket",
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:bad name-AbCdEf",
    ],
)
def test_a_malformed_secret_arn_is_refused(run_cli, tmp_path, arn):
    before = snapshot(tmp_path)
    result = run_cli("new", "demo", "--no-input", "--secret-arn", arn, "--output-dir", str(tmp_path))
    assert result.exit_code == 1
    assert_one_line_error(result, "--secret-arn is not a Secrets Manager secret ARN")
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize(
    ("option", "value", "fragment"),
    [
        ("--kms-key-arn", "alias/foo", "not a KMS key ARN"),
        ("--cache-name", "has space", "not a valid Momento cache name"),
        ("--secret-name", "bad name!", "not a valid Secrets Manager secret name"),
    ],
)
def test_other_bad_values_are_refused(run_cli, tmp_path, option, value, fragment):
    before = snapshot(tmp_path)
    result = run_cli("new", "demo", "--no-input", option, value, "--output-dir", str(tmp_path))
    assert result.exit_code == 1
    assert_one_line_error(result, fragment)
    assert snapshot(tmp_path) == before


def test_bad_region_is_a_usage_error_like_in_every_command(run_cli, tmp_path):
    before = snapshot(tmp_path)
    result = run_cli("new", "demo", "--no-input", "--region", "mars-1", "--output-dir", str(tmp_path))
    assert result.exit_code == 2
    assert "Invalid value 'mars-1' for --region: must be an AWS region code such as us-east-1." in result.stderr
    assert snapshot(tmp_path) == before


def test_secret_name_must_match_the_arn(run_cli, tmp_path):
    result = run_cli(
        "new", "demo", "--no-input", "--secret-arn", SECRET_ARN, "--secret-name", "other", "-o", str(tmp_path)
    )
    assert result.exit_code == 1
    assert_one_line_error(result, "does not match")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--runtime", "nodejs20.x"),
        ("--runtime", "python3.10"),
        ("--arch", "mips"),
        ("--framework", "pulumi"),
        ("--default-ttl", "0"),
    ],
)
def test_unsupported_choices_are_usage_errors(run_cli, tmp_path, option, value):
    result = run_cli("new", "demo", "--no-input", option, value, "--output-dir", str(tmp_path))
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("exception", "exit_code"), [(RuntimeError("boom"), 1), (KeyboardInterrupt(), 130)])
def test_a_failure_while_rendering_leaves_nothing_behind(run_cli, tmp_path, monkeypatch, exception, exit_code):
    (tmp_path / "keep.txt").write_text("untouched")
    before = snapshot(tmp_path)
    seen = []

    def failing_prune(project_dir, answers):
        seen.append(sorted(p.name for p in project_dir.iterdir()))
        raise exception

    monkeypatch.setattr("momento_lambda_cli.scaffold.render.prune", failing_prune)
    result = run_cli("new", "demo", "--no-input", "--output-dir", str(tmp_path))
    assert result.exit_code == exit_code
    assert seen and "template.yaml" in seen[0], "the failure happened mid-render"
    assert snapshot(tmp_path) == before


def test_a_failure_into_a_new_output_dir_removes_it(run_cli, tmp_path, monkeypatch):
    monkeypatch.setattr(layout, "RULES", (("*", lambda a: 1 / 0),))
    result = run_cli("new", "demo", "--no-input", "--output-dir", str(tmp_path / "fresh"))
    assert result.exit_code == 1
    assert list(tmp_path.iterdir()) == []


def test_the_project_files_are_created_readable(run_cli, tmp_path):
    assert run_cli("new", "demo", "--no-input", "-o", str(tmp_path)).exit_code == 0
    for path in (tmp_path / "demo").rglob("*"):
        assert os.access(path, os.R_OK)
    assert (tmp_path / "demo").stat().st_mode & 0o755 == 0o755


def test_the_answers_file_gets_the_usual_mode(run_cli, tmp_path):
    assert run_cli("new", "demo", "--no-input", "-o", str(tmp_path)).exit_code == 0
    umask = os.umask(0)
    os.umask(umask)
    mode = (tmp_path / "demo" / ".momento-lambda.json").stat().st_mode & 0o777
    assert mode == 0o666 & ~umask


def test_a_long_serverless_name_warns_about_the_function_name_limit(run_cli, tmp_path):
    name = "a" * 57
    result = run_cli("new", name, "--no-input", "-f", "serverless", "-o", str(tmp_path))
    assert result.exit_code == 0
    assert "Warning:" in result.stderr and "65 characters" in result.stderr
    assert run_cli("new", "b" * 56, "--no-input", "-f", "serverless", "-o", str(tmp_path)).stderr == ""
    json_result = run_cli("new", "c" * 57, "--json", "-f", "serverless", "-o", str(tmp_path))
    (warning,) = json.loads(json_result.stdout)["warnings"]
    assert warning["code"] == "new.function-name-too-long"
    assert "65 characters" in warning["message"] and "functions.api.name" in warning["hint"]
    assert "65 characters; AWS allows 64): set functions.api.name" in result.stderr  # text: one line, as before


def test_a_secret_in_another_region_than_the_project_warns(run_cli, tmp_path):
    """Issue #23: `new --region X --secret-arn <ARN in Y>` wired a secret the function cannot read."""
    arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:momento/demo/api-key-AbCdEf"
    result = run_cli("new", "demo", "--no-input", "--region", "us-east-1", "--secret-arn", arn, "-o", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert "deploys to us-east-1 but --secret-arn is a secret in eu-west-1" in result.stderr
    other = run_cli(
        "new", "demo3", "--no-input", "--region", "us-east-1", "--secret-arn", arn, "--json", "-o", str(tmp_path)
    )
    (warning,) = json.loads(other.stdout)["warnings"]
    assert warning["code"] == "new.secret-region-mismatch"
    assert warning["hint"].startswith("Use a secret in us-east-1 (`momento-lambda store-token --region us-east-1`)")
    same = run_cli(
        "new", "demo2", "--no-input", "--region", "eu-west-1", "--secret-arn", arn, "--json", "-o", str(tmp_path)
    )
    assert json.loads(same.stdout)["warnings"] == []


@pytest.mark.parametrize(
    ("output_dir", "expected"),
    [
        ("./a/../a/sub dir", "cd 'a/sub dir/demo'"),
        ("./plain/./x", "cd plain/x/demo"),
        ("it's", "cd 'it'\"'\"'s/demo'"),
    ],
)
def test_new_o_prints_a_quoted_normalised_cd(run_cli, tmp_path, monkeypatch, output_dir, expected):
    import shlex

    monkeypatch.chdir(tmp_path)
    (tmp_path / output_dir).mkdir(parents=True, exist_ok=True)
    result = run_cli("new", "demo", "--no-input", "-o", output_dir, "--json")
    assert result.exit_code == 0, result.output
    cd = json.loads(result.stdout)["data"]["next_steps"][0]
    assert cd == expected
    assert (tmp_path / shlex.split(cd)[1] / ".momento-lambda.json").is_file()  # the shell reaches the project
    text = run_cli("new", "demo2", "--no-input", "-o", output_dir)
    assert f"  {expected.replace('/demo', '/demo2')}  " in text.stdout, text.stdout  # the text output says the same


def test_piped_new_output_is_not_cut_at_80_columns(run_cli, tmp_path, monkeypatch):
    monkeypatch.delenv("COLUMNS", raising=False)
    name = "a-project-name-long-enough-to-push-every-next-step-line-past-eighty-columns"
    result = run_cli("new", name, "--no-input", "-o", str(tmp_path))
    assert result.exit_code == 0, result.output
    line = next(line for line in result.stdout.splitlines() if "momento-lambda store-token" in line)
    assert len(line) > 120 and line.rstrip().endswith("its ARN into samconfig.toml"), line
