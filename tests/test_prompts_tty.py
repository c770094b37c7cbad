"""Prompts on a real terminal (a pty via pexpect): wrong answers are asked again with the
reason, choices are numbered and case-insensitive, NAME is asked for, an empty hidden key is
asked again, Ctrl-C is "Aborted." with exit code 130."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

pexpect = pytest.importorskip("pexpect")

REPO = Path(__file__).resolve().parents[1]
WAIT = 60  # generous: a loaded machine may take seconds to import; never a timing assertion


def spawn(*args: str, cwd: Path) -> pexpect.spawn:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "MOMENTO_"))}
    env.update({"NO_COLOR": "1", "TERM": "dumb", "COLUMNS": "120", "PYTHONPATH": str(REPO)})
    child = pexpect.spawn(
        sys.executable, ["-m", "momento_lambda_cli", *args], cwd=str(cwd), env=env, encoding="utf-8", timeout=WAIT
    )
    child.setwinsize(40, 120)
    return child


def finish(child: pexpect.spawn) -> tuple[int, str]:
    child.expect(pexpect.EOF)
    child.close()
    output = child.before or ""
    return (child.exitstatus if child.exitstatus is not None else -(child.signalstatus or 0)), output


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
    child.expect_exact("Choose 1-2 or a name [1]:")
    child.sendline("SERVERLESS")
    child.expect_exact("Runtime:")
    child.expect(r"Choose 1-\d+ or a name \[\d+\]:")
    child.sendline("banana")
    child.expect_exact("'banana' is not one of the choices for runtime")
    child.expect(r"Choose 1-\d+ or a name \[\d+\]:")
    child.sendline("Python3.12")
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


def test_enter_takes_every_default(tmp_path):
    child = spawn("new", "demo", cwd=tmp_path)
    for prompt in ("Choose 1-2 or a name [1]:", "Choose 1-", "Choose 1-2 or a name [1]:", "Momento cache name [demo]:"):
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
    child.sendintr()
    code, output = finish(child)
    assert code == 130, output
    assert "Aborted." in output
    assert "Traceback" not in output


def test_ctrl_c_at_a_choice_is_aborted(tmp_path):
    child = spawn("new", "demo", cwd=tmp_path)
    child.expect_exact("Choose 1-2 or a name [1]:")
    child.sendintr()
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
    child.sendintr()
    code, output = finish(child)
    assert code == 130, output
    assert "Aborted." in output and "Traceback" not in output


def test_no_input_on_a_terminal_says_to_drop_it(tmp_path):
    child = spawn("store-token", "--dry-run", "--no-input", cwd=tmp_path)
    code, output = finish(child)
    assert code == 1, output
    assert "drop --no-input to be prompted" in output
    assert "run in a terminal" not in output
