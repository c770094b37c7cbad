"""Where the key comes from: stdin, an environment variable, a hidden prompt on a real
terminal (a pseudo-terminal), and never a command-line argument."""

from __future__ import annotations

import io
import json
import os
import pty
import select
import sys
import time

import pytest

from momento_lambda_cli import contract
from momento_lambda_cli.errors import MomentoLambdaError, UsageError
from momento_lambda_cli.secrets import key_source
from tests.support import keys


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_stdin_first_line_stripped():
    got = key_source.read_key(
        from_stdin=True, from_env=None, allow_prompt=False, stdin=io.StringIO("k3y-value\nrest\n")
    )
    assert (got.api_key, got.origin) == ("k3y-value", "stdin")
    assert "k3y-value" not in repr(got)


def test_stdin_on_a_terminal_uses_the_hidden_prompt():
    got = key_source.read_key(
        from_stdin=True, from_env=None, allow_prompt=False, stdin=_Tty(""), prompt=lambda: "typed-key\n"
    )
    assert (got.api_key, got.origin) == ("typed-key", "prompt")


def test_named_environment_variable():
    got = key_source.read_key(
        from_stdin=False, from_env="MY_KEY", allow_prompt=False, stdin=io.StringIO(), environ={"MY_KEY": " v "}
    )
    assert (got.api_key, got.origin) == ("v", "env:MY_KEY")


def test_named_environment_variable_missing():
    with pytest.raises(MomentoLambdaError) as caught:
        key_source.read_key(from_stdin=False, from_env="MY_KEY", allow_prompt=False, stdin=io.StringIO(), environ={})
    assert caught.value.code == "key.env-missing"
    assert "MY_KEY" in caught.value.message


def test_momento_api_key_is_the_default_source():
    got = key_source.read_key(
        from_stdin=False, from_env=None, allow_prompt=True, stdin=_Tty(""), environ={"MOMENTO_API_KEY": "from-env"}
    )
    assert got.origin == "env:MOMENTO_API_KEY"


def test_prompt_only_on_a_terminal_and_when_allowed():
    prompted = key_source.read_key(
        from_stdin=False, from_env=None, allow_prompt=True, stdin=_Tty(""), environ={}, prompt=lambda: "p"
    )
    assert prompted.origin == "prompt"
    for stdin, allowed in ((io.StringIO("ignored\n"), True), (_Tty(""), False)):
        with pytest.raises(MomentoLambdaError) as caught:
            key_source.read_key(
                from_stdin=False, from_env=None, allow_prompt=allowed, stdin=stdin, environ={}, prompt=lambda: "p"
            )
        assert caught.value.code == "key.missing"
        assert "--from-stdin" in (caught.value.hint or "")


def test_two_sources_is_a_usage_error():
    with pytest.raises(UsageError):
        key_source.read_key(from_stdin=True, from_env="X", allow_prompt=False, stdin=io.StringIO(), environ={})


# --- through the CLI --------------------------------------------------------------------


def _stored_key(aws) -> str:
    secret = aws.client("secretsmanager").get_secret_value(SecretId=contract.DEFAULT_SECRET_NAME)
    return str(json.loads(secret["SecretString"])[contract.API_KEY_FIELD])


def test_cli_from_env(run_cli, peers, monkeypatch):
    key = keys.legacy_key()
    monkeypatch.setenv("VAULT_MOMENTO_KEY", key)
    result = run_cli("store-token", "--from-env", "VAULT_MOMENTO_KEY")
    assert result.exit_code == 0, result.output
    assert "Verifying" not in result.output  # no spinner when stderr is not a terminal
    assert "from env:VAULT_MOMENTO_KEY" in result.stdout
    assert _stored_key(peers) == key


def test_cli_default_momento_api_key(run_cli, peers, monkeypatch):
    key = keys.legacy_key()
    monkeypatch.setenv("MOMENTO_API_KEY", key)
    assert run_cli("store-token").exit_code == 0
    assert _stored_key(peers) == key


def test_cli_stdin_beats_momento_api_key(run_cli, peers, monkeypatch):
    monkeypatch.setenv("MOMENTO_API_KEY", keys.legacy_key("env"))
    key = keys.legacy_key("stdin")
    assert run_cli("store-token", "--from-stdin", stdin=key + "\n").exit_code == 0
    assert _stored_key(peers) == key


def test_cli_no_source_and_no_terminal(run_cli, peers):
    result = run_cli("store-token", stdin="")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: No Momento API key was given.")
    assert peers.client("secretsmanager").list_secrets()["SecretList"] == []


def test_cli_both_sources_is_a_usage_error(run_cli, peers):
    assert run_cli("store-token", "--from-stdin", "--from-env", "X", stdin="k\n").exit_code == 2


def test_no_option_takes_the_key_itself():
    """Every option that takes a value is one of these (none of them is the key)."""
    import typer.main

    from momento_lambda_cli.cli import app

    command = typer.main.get_command(app).commands["store-token"]  # type: ignore[attr-defined]
    valued = sorted(opt for p in command.params if not p.is_flag and not p.count for opt in p.opts)
    assert valued == sorted(
        [
            "--from-env",
            "--endpoint",
            "--secret-name",
            "--project-dir",
            "--config-env",
            "--stage",
            "--kms-key-id",
            "--description",
            "--tag",
            "--region",
            "--profile",
            "--cache-name",
        ]
    )
    assert not any(arg for p in command.params for arg in p.opts if not arg.startswith("--"))  # no positionals


def _run_on_a_terminal(args: list[str], env: dict[str, str], answer: str, cwd: str) -> tuple[int, str]:
    """Run the CLI with a pseudo-terminal as its controlling terminal; type ``answer`` at the prompt."""
    pid, fd = pty.fork()
    if pid == 0:  # child
        os.chdir(cwd)
        os.execve(sys.executable, [sys.executable, "-m", "momento_lambda_cli", *args], env)  # noqa: S606
    output = b""
    sent = False
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            output += chunk
        if not sent and key_source.PROMPT.strip().encode() in output:
            os.write(fd, answer.encode() + b"\r")
            sent = True
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return os.waitstatus_to_exitcode(status), output.decode(errors="replace")


def test_hidden_prompt_on_a_real_terminal(peers, momento_server, tmp_path):
    key = keys.legacy_key()
    env = {**os.environ, **peers.env, "MOMENTO_LOCAL": momento_server.endpoint, "NO_COLOR": "1"}
    code, output = _run_on_a_terminal(["store-token"], env, key, str(tmp_path))
    assert code == 0, output
    assert key_source.PROMPT.strip() in output
    assert key not in output  # not echoed
    assert key[:8] not in output
    assert "Created secret momento/api-key" in output
    assert "Verifying the key with Momento" in output  # the spinner, on a terminal only
    assert _stored_key(peers) == key


def test_end_of_input_at_the_prompt_is_a_clear_error(peers, tmp_path):
    env = {**os.environ, **peers.env, "NO_COLOR": "1"}
    code, output = _run_on_a_terminal(["store-token"], env, "\x04", str(tmp_path))  # Ctrl-D
    assert code == 1
    assert "No Momento API key was typed" in output
    assert "Traceback" not in output


def test_no_input_never_prompts_even_on_a_terminal(peers, tmp_path):
    env = {**os.environ, **peers.env, "NO_COLOR": "1"}
    code, output = _run_on_a_terminal(["store-token", "--no-input"], env, "never-typed", str(tmp_path))
    assert code == 1
    assert key_source.PROMPT.strip() not in output
    assert "No Momento API key was given" in output


def test_json_on_a_terminal_has_no_spinner(peers, momento_server, tmp_path):
    key = keys.legacy_key()
    env = {**os.environ, **peers.env, "MOMENTO_LOCAL": momento_server.endpoint, "NO_COLOR": "1"}
    code, output = _run_on_a_terminal(["store-token", "--json"], env, key, str(tmp_path))
    assert code == 0, output
    assert '"ok": true' in output
    assert "Verifying" not in output
    assert key not in output
