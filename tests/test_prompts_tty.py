"""Prompts on a real terminal (a pty via pexpect): wrong answers are asked again with the
reason, choices are numbered and case-insensitive, NAME is asked for, an empty hidden key is
asked again, Ctrl-C is "Aborted." with exit code 130."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from momento_lambda_cli import catalog

pytestmark = [
    pytest.mark.integration,  # the CLI in a pseudo-terminal (pexpect)
    pytest.mark.serial("a dialogue with a child on a pty: a loaded machine stalls it past its waits"),
]

pexpect = pytest.importorskip("pexpect")

REPO = Path(__file__).resolve().parents[1]
WAIT = 60  # generous: a loaded machine may take seconds to import; never a timing assertion


class Terminal:
    """A child process on a pseudo-terminal, driven with pexpect.

    The child is started by ``subprocess`` (vfork + exec: no fork handlers of the gRPC threads
    earlier tests leave in this process, which break a plain ``fork``), in its own session,
    with the pty's slave as stdin, stdout and stderr."""

    def __init__(self, args: list[str], cwd: Path, env: dict[str, str]) -> None:
        import pexpect.fdpexpect

        master, slave = os.openpty()
        import fcntl
        import struct
        import termios

        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        self.proc = subprocess.Popen(
            args, cwd=cwd, env=env, stdin=slave, stdout=slave, stderr=slave, start_new_session=True, close_fds=True
        )
        os.close(slave)
        self.child = pexpect.fdpexpect.fdspawn(master, encoding="utf-8", timeout=WAIT)

    def expect_exact(self, text: str) -> None:
        self.child.expect_exact(text)

    def expect(self, pattern: str) -> None:
        self.child.expect(pattern)

    def sendline(self, text: str) -> None:
        self.child.sendline(text)

    def interrupt(self) -> None:
        """Ctrl-C: SIGINT, as the terminal sends it to its foreground process."""
        self.proc.send_signal(signal.SIGINT)

    def finish(self) -> tuple[int, str]:
        with contextlib.suppress(OSError):  # EIO from the master once the child closed the slave
            self.child.expect(pexpect.EOF)
        output = self.child.before or ""
        code = self.proc.wait(timeout=WAIT)
        self.child.close()
        return code, output


def spawn(*args: str, cwd: Path) -> Terminal:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "MOMENTO_"))}
    env.update({"NO_COLOR": "1", "TERM": "dumb", "COLUMNS": "120", "PYTHONPATH": str(REPO)})
    return Terminal([sys.executable, "-m", "momento_lambda_cli", *args], cwd, env)


def finish(child: Terminal) -> tuple[int, str]:
    return child.finish()


def answers_of(project: Path) -> dict[str, object]:
    return dict(json.loads((project / ".momento-lambda.json").read_text()))


def test_name_is_asked_for_and_a_bad_answer_is_asked_again(tmp_path):
    child = spawn("new", cwd=tmp_path)
    child.expect_exact("Project name [momento-app]:")
    child.sendline("my app")
    child.expect_exact("cannot be a project name")
    child.expect_exact("Project name [momento-app]:")
    child.sendline("Ωmega")
    child.expect_exact("ASCII")
    child.expect_exact("Project name [momento-app]:")
    child.sendline("orders-api")
    child.expect_exact("Framework:")
    child.expect_exact("1) sam  (default)")
    child.expect_exact("2) serverless")
    child.expect_exact("3) cdk")
    child.expect_exact("Choose 1-3 or a name [1]:")
    child.sendline("SERVERLESS")
    child.expect_exact("Runtime:")
    child.expect(r"Choose 1-\d+ or a name \[\d+\]:")
    child.sendline("banana")
    child.expect_exact("'banana' is not one of the choices for runtime")
    child.expect(r"Choose 1-\d+ or a name \[\d+\]:")
    child.sendline("Python3.12")
    child.expect_exact("Pattern:")
    child.expect_exact("1) cache-aside  (default)")
    child.expect(r"Choose 1-\d+ or a name \[1\]:")
    child.sendline("rate-limit")
    child.expect_exact("Architecture:")
    child.expect_exact("Choose 1-2 or a name [1]:")
    child.sendline("2")
    child.expect_exact("Momento cache name [orders-api]:")
    child.sendline("my cache")
    child.expect_exact("is not a valid Momento cache name")
    child.expect_exact("Momento cache name [orders-api]:")
    child.sendline("orders")
    code, output = finish(child)
    assert code == 0, output
    answers = answers_of(tmp_path / "orders-api")
    assert answers["framework"] == "serverless"
    assert answers["runtime"] == "python3.12"
    assert answers["architecture"] == "arm64"
    assert answers["cache_name"] == "orders"
    assert answers["pattern"] == "rate-limit"


def test_enter_takes_every_default(tmp_path):
    child = spawn("new", "demo", cwd=tmp_path)
    prompts = (
        "Choose 1-3 or a name [1]:",
        "Choose 1-",
        "Choose 1-",
        "Choose 1-2 or a name [1]:",
        "Momento cache name [demo]:",
    )
    for prompt in prompts:  # framework, runtime, pattern, architecture, cache name
        child.expect_exact(prompt)
        child.sendline("")
    code, output = finish(child)
    assert code == 0, output
    answers = answers_of(tmp_path / "demo")
    assert (answers["framework"], answers["runtime"], answers["architecture"], answers["cache_name"]) == (
        "sam",
        "python3.13",
        "x86_64",
        "demo",
    )


def test_an_existing_folder_is_asked_again(tmp_path):
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "README.md").write_text("mine\n")
    child = spawn("new", cwd=tmp_path)
    child.expect_exact("Project name [momento-app]:")
    child.sendline("taken")
    child.expect_exact("Error:")
    child.expect_exact("Project name [momento-app]:")
    child.interrupt()
    code, output = finish(child)
    assert code == 130, output
    assert "Aborted." in output
    assert "Traceback" not in output


def test_a_cdk_project_with_a_node_runtime_is_not_asked_for_a_language(tmp_path):
    """A CDK app's Node.js code is TypeScript: after the runtime comes the architecture."""
    child = spawn("new", "demo", cwd=tmp_path)
    child.expect_exact("Choose 1-3 or a name [1]:")
    child.sendline("cdk")
    child.expect_exact("Runtime:")
    child.expect(r"Choose 1-\d+ or a name \[\d+\]:")
    child.sendline("nodejs22.x")
    child.expect_exact("Pattern:")  # the patterns a CDK app has a stack for and Node.js has handlers for
    offered = [p.name for p in catalog.patterns_for(catalog.NODE) if catalog.renders(catalog.CDK.name, p.name)]
    child.expect_exact(f"{len(offered)}) {offered[-1]}")
    child.expect_exact(f"Choose 1-{len(offered)} or a name [1]:")
    child.sendline("")
    child.expect_exact("Architecture:")
    child.sendline("")
    child.expect_exact("Momento cache name [demo]:")
    child.sendline("")
    code, output = finish(child)
    assert code == 0, output
    assert "Language" not in output
    answers = answers_of(tmp_path / "demo")
    assert (answers["framework"], answers["runtime"], answers["language"]) == ("cdk", "nodejs22.x", "typescript")


def test_ctrl_c_at_a_choice_is_aborted(tmp_path):
    child = spawn("new", "demo", cwd=tmp_path)
    child.expect_exact("Choose 1-3 or a name [1]:")
    child.interrupt()
    code, output = finish(child)
    assert code == 130, output
    assert "Aborted." in output and "Traceback" not in output
    assert not (tmp_path / "demo").exists()


def test_an_empty_key_is_asked_again_three_times(tmp_path):
    child = spawn("store-token", "--dry-run", "--region", "us-east-1", cwd=tmp_path)
    child.expect_exact("Momento API key (input hidden):")
    child.sendline("")
    child.expect_exact("Nothing was typed. Paste the Momento API key (input hidden, try 2 of 3):")
    child.sendline("")
    child.expect_exact("try 3 of 3")
    child.sendline("")
    code, output = finish(child)
    assert code == 1, output
    assert "No Momento API key was typed." in output
    assert "Traceback" not in output


def test_ctrl_c_at_the_key_prompt_is_aborted(tmp_path):
    child = spawn("store-token", "--dry-run", cwd=tmp_path)
    child.expect_exact("Momento API key (input hidden):")
    child.interrupt()
    code, output = finish(child)
    assert code == 130, output
    assert "Aborted." in output and "Traceback" not in output


def test_no_input_on_a_terminal_says_to_drop_it(tmp_path):
    child = spawn("store-token", "--dry-run", "--no-input", cwd=tmp_path)
    code, output = finish(child)
    assert code == 1, output
    assert "drop --no-input to be prompted" in output
    assert "run in a terminal" not in output
