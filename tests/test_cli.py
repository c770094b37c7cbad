"""The root CLI: help, version, error mapping, exit codes, colour handling, fast --help."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
import typer

from momento_lambda_cli import __version__, cli
from momento_lambda_cli.errors import MomentoLambdaError
from tests.conftest import run_cli_process


def test_help_lists_every_command(run_cli):
    result = run_cli("--help")
    assert result.exit_code == 0
    for command in ("new", "store-token", "doctor", "info"):
        assert command in result.stdout
    assert "--version" in result.stdout
    assert "--install-completion" in result.stdout  # Typer's shell completion


def test_no_arguments_shows_help(run_cli):
    result = run_cli()
    assert "Usage:" in result.stdout + result.stderr
    assert result.exit_code in (0, 2)


@pytest.mark.parametrize("flag", ["--version", "-V"])
def test_version(run_cli, flag):
    result = run_cli(flag)
    assert result.exit_code == 0
    assert result.stdout.strip() == f"momento-lambda {__version__}"


def test_unknown_command_is_a_usage_error(run_cli):
    result = run_cli("frobnicate")
    assert result.exit_code == 2
    assert "No such command" in result.stderr
    assert "Traceback" not in result.output


def test_unknown_option_is_a_usage_error(run_cli):
    result = run_cli("doctor", "--no-such-option")
    assert result.exit_code == 2
    assert "No such option" in result.stderr


@pytest.mark.integration
def test_python_dash_m_and_console_script_agree():
    by_module = run_cli_process("--version")
    assert by_module.exit_code == 0
    assert by_module.stdout.strip() == f"momento-lambda {__version__}"


@pytest.fixture
def scratch_command():
    """Register a throw-away command on the real app, remove it afterwards."""
    added: list[str] = []

    def add(name, func):
        cli.app.command(name)(cli._guarded(func))
        added.append(name)

    yield add
    cli.app.registered_commands[:] = [c for c in cli.app.registered_commands if c.name not in added]


def test_project_error_is_one_line_plus_hint_and_exit_1(run_cli, scratch_command):
    def fails() -> None:
        raise MomentoLambdaError("The folder demo already exists.", "Pick another name.")

    scratch_command("x-fails", fails)
    result = run_cli("x-fails")
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert lines == ["Error: The folder demo already exists.", "Hint: Pick another name."]


def test_unexpected_exception_is_short_without_debug(run_cli, scratch_command):
    def crashes() -> None:
        raise ZeroDivisionError("boom-detail")

    scratch_command("x-crashes", crashes)
    result = run_cli("x-crashes")
    assert result.exit_code == 1
    assert "Traceback" not in result.stderr
    assert "ZeroDivisionError" in result.stderr
    assert "boom-detail" not in result.stderr  # messages may carry data; only the type is shown
    assert "report it at" in result.stderr
    assert "--debug" in result.stderr


def test_unexpected_exception_shows_traceback_with_debug(run_cli, scratch_command):
    def crashes() -> None:
        raise ZeroDivisionError("boom-detail")

    scratch_command("x-crashes2", crashes)
    result = run_cli("--debug", "x-crashes2")
    assert result.exit_code == 1
    assert "Traceback (most recent call last)" in result.stderr
    assert "boom-detail" in result.stderr


def test_registered_secret_is_redacted_even_in_debug_tracebacks(run_cli, scratch_command):
    from momento_lambda_cli.redact import register_secret

    secret = "SECRETVALUE-0123456789abcdef"

    def leaks() -> None:
        register_secret(secret)
        raise ValueError(f"library put the key in a message: {secret}")

    scratch_command("x-leaks", leaks)
    result = run_cli("--debug", "x-leaks")
    assert result.exit_code == 1
    assert secret not in result.output
    assert secret[:8] not in result.output


def test_keyboard_interrupt_exits_130(run_cli, scratch_command):
    def interrupted() -> None:
        raise KeyboardInterrupt

    scratch_command("x-interrupted", interrupted)
    result = run_cli("x-interrupted")
    assert result.exit_code == 130
    assert "Aborted" in result.stderr


def test_json_mode_errors_are_an_envelope_on_stdout(run_cli, scratch_command):
    from momento_lambda_cli import console

    def fails_json() -> None:
        console.mode.json_command = "x-json"
        raise MomentoLambdaError("nope", "do this", code="demo.nope")

    scratch_command("x-json", fails_json)
    result = run_cli("x-json")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["ok"] is False
    assert document["command"] == "x-json"
    assert document["errors"] == [{"code": "demo.nope", "message": "nope", "hint": "do this"}]


def test_typer_exit_passes_through(run_cli, scratch_command):
    def exits() -> None:
        raise typer.Exit(3)

    scratch_command("x-exit", exits)
    assert run_cli("x-exit").exit_code == 3


_ERROR_APP = """
import sys
from momento_lambda_cli import cli
from momento_lambda_cli.errors import MomentoLambdaError
def fails() -> None:
    raise MomentoLambdaError("colour test", "hint text")
cli.app.command("x-colour")(cli._guarded(fails))
sys.exit(cli.main(["x-colour"]))
"""


def _run_error_app(env_overrides):
    import os

    env = {k: v for k, v in os.environ.items() if k not in {"NO_COLOR", "FORCE_COLOR"}}
    env.update(env_overrides)
    return subprocess.run([sys.executable, "-c", _ERROR_APP], capture_output=True, text=True, env=env, check=False)


# An SGR sequence that sets a foreground colour (NO_COLOR forbids colour, not bold or dim).
_COLOUR_SGR = re.compile(r"\x1b\[(?:\d+;)*(?:3[0-8]|9[0-7])(?:;\d+)*m")


@pytest.mark.integration
def test_colour_when_forced_and_none_with_no_color():
    coloured = _run_error_app({"FORCE_COLOR": "1"})
    assert coloured.returncode == 1
    assert _COLOUR_SGR.search(coloured.stderr)
    plain = _run_error_app({"FORCE_COLOR": "1", "NO_COLOR": "1"})
    assert plain.returncode == 1
    assert not _COLOUR_SGR.search(plain.stderr)
    assert "colour test" in plain.stderr


@pytest.mark.integration
def test_no_colour_when_not_a_terminal():
    result = _run_error_app({})
    assert "\x1b[" not in result.stderr


_IMPORT_PROBE = """
import sys
from momento_lambda_cli.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
heavy = sorted(m for m in ("boto3", "botocore", "momento", "cookiecutter", "grpc", "jinja2", "tree_sitter")
               if m in sys.modules)
print("HEAVY=" + ",".join(heavy))
"""


@pytest.mark.integration
@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["--version"],
        ["new", "--help"],
        ["store-token", "--help"],
        ["doctor", "--help"],
        ["info", "--help"],
    ],
)
def test_help_does_not_import_heavy_libraries(args):
    proc = subprocess.run([sys.executable, "-c", _IMPORT_PROBE, *args], capture_output=True, text=True, check=False)
    marker = [line for line in proc.stdout.splitlines() if line.startswith("HEAVY=")]
    assert marker == ["HEAVY="], proc.stdout + proc.stderr


_COMMAND_PROBE = """
import sys
from momento_lambda_cli.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
loaded = sorted(
    m
    for m in sys.modules
    if (m.startswith("momento_lambda_cli.commands.") and m != "momento_lambda_cli.commands.options")
    or m in ("click", "cookiecutter")
)  # commands.options: the options several commands share (#26), not a command
print("LOADED=" + ",".join(loaded))
"""


@pytest.mark.integration
def test_a_command_imports_only_its_own_module(tmp_path):
    """#24 speed: `doctor` builds only its own command (not `add`, `new`, `store-token`, `update`,
    nor click for a Choice); `--help` still lists every command."""
    args = ["doctor", "--offline", "--only", "project.framework", str(tmp_path)]
    proc = subprocess.run([sys.executable, "-c", _COMMAND_PROBE, *args], capture_output=True, text=True, check=False)
    marker = [line for line in proc.stdout.splitlines() if line.startswith("LOADED=")]
    assert marker == ["LOADED=momento_lambda_cli.commands.doctor"], proc.stdout + proc.stderr
    help_text = subprocess.run(
        [sys.executable, "-m", "momento_lambda_cli", "--help"], capture_output=True, text=True, check=False
    ).stdout
    for name in ("new", "store-token", "doctor", "add", "update", "info"):
        assert f"  {name} " in help_text, help_text


def test_ctrl_d_or_ctrl_c_at_a_prompt_is_an_abort_not_a_crash(run_cli, scratch_command):
    def asks() -> None:
        typer.prompt("Cache name")  # end of input here is what Ctrl-D / Ctrl-C give a prompt

    scratch_command("x-asks", asks)
    result = run_cli("x-asks", stdin="")
    assert result.exit_code == 130
    assert "Aborted." in result.stderr
    assert "Unexpected" not in result.stderr


def test_root_help_lists_the_commands_without_importing_them():
    """``--help`` builds the group from ``COMMAND_SUMMARIES``: each is its command's docstring
    summary, so the listing equals the one built from the imported commands."""
    import importlib
    import inspect

    for name, (module, attribute) in cli.COMMANDS.items():
        doc = inspect.getdoc(getattr(importlib.import_module(module), attribute)) or ""
        assert cli.COMMAND_SUMMARIES[name] == doc.split("\n\n")[0].replace("\n", " "), name
    assert list(cli.COMMAND_SUMMARIES) == list(cli.COMMANDS)


@pytest.mark.integration
def test_root_help_imports_no_command_module():
    probe = (
        "import sys\nfrom momento_lambda_cli import cli\n"
        "try:\n    cli.main(['--help'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith('momento_lambda_cli.commands.') or m == 'pydantic'))"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip().splitlines()[-1] == "[]", result.stdout


@pytest.mark.integration
def test_root_help_is_the_same_lazy_or_with_every_command_imported():
    lazy = run_cli_process("--help")
    probe = "from momento_lambda_cli import cli\ncli.full_app()\nraise SystemExit(cli.main(['--help']))"
    full = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=False)
    assert lazy.exit_code == full.returncode == 0
    assert lazy.stdout == full.stdout


@pytest.mark.parametrize(
    ("shell", "marker"),
    [
        ("zsh", "#compdef momento-lambda"),
        ("fish", "complete --command momento-lambda"),
        ("bash", "_momento_lambda_completion()"),
        ("powershell", "Register-ArgumentCompleter"),
    ],
)
def test_show_completion_prints_the_named_shell_s_script(run_cli, shell, marker):
    for args in (["--show-completion", shell], [f"--show-completion={shell}"]):
        result = run_cli(*args)
        assert result.exit_code == 0, result.output
        assert marker in result.stdout, result.stdout[:200]
        assert "_MOMENTO_LAMBDA_COMPLETE" in result.stdout


def test_show_completion_refuses_an_unknown_shell(run_cli):
    result = run_cli("--show-completion", "tcsh")
    assert result.exit_code == 2
    assert "accepted: bash, zsh, fish, powershell, pwsh" in result.stderr


def test_doctor_only_and_skip_complete_check_ids():
    from momento_lambda_cli.commands.doctor import complete_check_ids
    from momento_lambda_cli.doctor import registry

    iam = [c.id for c in registry.all_checks() if c.area == "iam"]
    assert complete_check_ids("iam.") == iam
    assert "project" in complete_check_ids("proj") and "project.framework" in complete_check_ids("proj")
    after_comma = complete_check_ids("code.parses,iam.k")
    assert after_comma == ["code.parses,iam.kms-decrypt"]
    assert "code.parses,code.parses" not in complete_check_ids("code.parses,code.")


@pytest.mark.integration
def test_doctor_only_completion_is_wired_to_the_shell():
    import os

    env = {
        **os.environ,
        "_MOMENTO_LAMBDA_COMPLETE": "complete_bash",
        "COMP_WORDS": "momento-lambda doctor --skip iam.",
        "COMP_CWORD": "3",
    }
    result = subprocess.run(
        [sys.executable, "-m", "momento_lambda_cli"], env=env, capture_output=True, text=True, check=False
    )
    assert "iam.secret-access" in result.stdout.split(), result.stdout + result.stderr
