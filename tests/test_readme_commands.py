"""Every `momento-lambda` command line in the shell code blocks of README.md and the docs pages
(docs/**/*.md) runs and exits as they say: offline, or against moto and the local Momento server.
A line this test does not know fails the test, so the documentation cannot grow a command nobody
ran."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support import keys

REPO_ROOT = Path(__file__).resolve().parents[1]
README = REPO_ROOT / "README.md"
DOCUMENTS = [README, *sorted((REPO_ROOT / "docs").rglob("*.md"))]
ENDPOINT = "cell-4-us-west-2-1.prod.a.momentohq.com"


def readme_commands() -> list[str]:
    """The ``momento-lambda ...`` invocations in the sh / text code blocks of README.md and the
    docs pages, comments dropped, continuation lines joined, the part after a pipe or ``&&``
    only (``cd ~ && momento-lambda new demo`` is ``momento-lambda new demo``)."""
    found: list[str] = []
    for document in DOCUMENTS:
        text = document.read_text(encoding="utf-8")
        for lang, body in re.findall(r"```(\w*)\n(.*?)```", text, re.S):
            if lang not in {"sh", "bash", "shell", "text"}:
                continue
            for line in body.replace("\\\n", " ").splitlines():
                line = line.split(" #", 1)[0].strip()
                if line.startswith("#"):
                    continue
                for part in re.split(r"\s*(?:&&|\|)\s*", line):
                    words = [w for w in part.split() if not re.fullmatch(r"[A-Z_][A-Z0-9_]*=\S*", w)]
                    if words and words[0] == "momento-lambda":
                        found.append(" ".join(part.split()))
    return list(dict.fromkeys(found))


@dataclass(frozen=True)
class Case:
    exit_code: int
    setup: str = "empty"
    """``empty`` folder, ``project`` (a generated SAM project as the current folder, named
    demo), ``parent`` (the current folder holds ./demo)."""
    aws: bool = False
    stdin_key: bool = False
    env_key: bool = False
    why: str = ""
    processes: bool = False
    """Runs processes (``info`` asks sam, node, docker for their versions): the integration tier."""


CASES: dict[str, Case] = {
    "momento-lambda new orders-api": Case(0, why="off a terminal: no prompts, the defaults"),
    "momento-lambda new orders-api --no-input": Case(0),
    "momento-lambda new orders-api -f serverless -r nodejs22.x -a arm64 --no-input": Case(0),
    "momento-lambda new orders-api -f cdk -r nodejs22.x --no-input": Case(0),
    "momento-lambda new orders-api --secret-arn "
    "arn:aws:secretsmanager:us-east-1:123456789012:secret:momento/orders-api/api-key-AbC123": Case(0),
    "momento-lambda store-token": Case(0, "project", aws=True, env_key=True, why="MOMENTO_API_KEY set, as in CI"),
    f"momento-lambda store-token --from-stdin --endpoint {ENDPOINT}": Case(0, "project", aws=True, stdin_key=True),
    "MOMENTO_API_KEY=... momento-lambda store-token --region eu-west-1 --json": Case(
        0, "project", aws=True, env_key=True
    ),
    "momento-lambda store-token --kms-key-id alias/momento --tag team=payments --dry-run": Case(
        0, "project", aws=True, env_key=True
    ),
    "momento-lambda doctor": Case(1, "project", aws=True, why="nothing deployed to moto: deploy.stack fails"),
    "momento-lambda doctor ./demo --offline": Case(0, "parent"),
    "momento-lambda doctor --stack-name demo --function demo-HelloFunction --secret-id momento/demo/api-key": Case(
        1, "project", aws=True, why="no such stack, function or secret in moto"
    ),
    "momento-lambda doctor --only iam --skip iam.kms-decrypt --json": Case(
        0, "project", aws=True, why="the project's IAM passes; the role checks skip: nothing deployed"
    ),
    "momento-lambda update --check": Case(0, "project", why="made by this version: up to date"),
    "momento-lambda update --dry-run": Case(0, "project"),
    "momento-lambda update": Case(0, "project"),
    "momento-lambda update --conflict rej": Case(0, "project"),
    "momento-lambda update --answer architecture=arm64": Case(0, "project", why="re-rendered for arm64, no edits"),
    "momento-lambda new demo --no-input": Case(0, why="the quick start's render"),
    "momento-lambda doctor --offline": Case(
        0, "project", why="the quick start's offline check: a fresh project passes"
    ),
    "momento-lambda info": Case(0, processes=True),
    "momento-lambda info --json": Case(0, processes=True),
    "momento-lambda --version --verbose": Case(0, processes=True),
}

NOT_RUN: dict[str, str] = {
    "momento-lambda doctor --offline --synth": "runs a CDK app's own `cdk synth` (npm install first): "
    "tests/test_generated_cdk.py runs it on a generated app",
    "momento-lambda doctor --stack-name Prod-Api": "a synthesized CDK app with several stacks: "
    "tests/test_doctor_cdk.py::test_several_stacks_the_first_with_functions_or_the_one_named",
}


def test_every_readme_command_is_known():
    unknown = [c for c in readme_commands() if c not in CASES and c not in NOT_RUN]
    assert not unknown, f"README.md or docs/ have command lines this test does not run: {unknown}"
    stale = [c for c in CASES if c not in readme_commands()]
    assert not stale, f"no longer in README.md or docs/: {stale}"


def _argv(command: str) -> list[str]:
    words = shlex.split(command)
    while words and "=" in words[0] and not words[0].startswith("-"):
        words.pop(0)  # VAR=value prefixes: the test sets the environment itself
    assert words[0] == "momento-lambda"
    return words[1:]


@pytest.mark.parametrize(
    "command", [pytest.param(c, marks=[pytest.mark.integration] if CASES[c].processes else []) for c in sorted(CASES)]
)
def test_readme_command_exits_as_documented(command, request, run_cli, tmp_path, monkeypatch):
    case = CASES[command]
    monkeypatch.chdir(tmp_path)
    if case.setup in {"project", "parent"}:
        made = run_cli("new", "demo", "--no-input", "--region", "us-east-1")
        assert made.exit_code == 0, made.output
        if case.setup == "project":
            monkeypatch.chdir(tmp_path / "demo")
    stdin = None
    if case.aws:
        aws = request.getfixturevalue("aws")
        server = request.getfixturevalue("momento_server")
        monkeypatch.setenv("MOMENTO_LOCAL", server.endpoint)
        if "alias/momento" in command:
            kms = aws.client("kms")
            key_id = kms.create_key()["KeyMetadata"]["KeyId"]
            kms.create_alias(AliasName="alias/momento", TargetKeyId=key_id)
    if case.env_key:
        monkeypatch.setenv("MOMENTO_API_KEY", keys.legacy_key())
    if case.stdin_key:
        stdin = keys.v2_key() + "\n"
    result = run_cli(*_argv(command), stdin=stdin)
    assert result.exit_code == case.exit_code, f"{command}\n{result.output[-3000:]}"
    assert "Traceback" not in result.output and "This is a bug" not in result.output
