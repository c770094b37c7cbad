"""Issue #22, as an attacker tries it with the CLI as a real process (integration tier): a FIFO
where a project file is expected hangs no command, and a hostile answers file runs nothing."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.hostile.harness import run
from tests.support import generated, keys

pytestmark = pytest.mark.integration

BOUND_SECONDS = 20.0
"""Far below the harness's hard kill (60 s); each command refuses a FIFO in about a second."""

COMMANDS = {
    "update-check": ["update", "--check"],
    "update-dry-run": ["update", "--dry-run"],
    "update": ["update", "--allow-dirty"],
    "add": ["add", "--no-input"],
    "doctor-fix": ["doctor", "--fix", "--offline"],
    "store-token": [
        "store-token",
        "--from-env",
        "MK",
        "--endpoint",
        "cell-test.example.momentohq.com",
        "--no-verify",
        "--no-input",
        "--dry-run",
    ],
}
FIFO_CASES = [(".momento-lambda.json", command) for command in sorted(COMMANDS)] + [
    ("samconfig.toml", "add"),
    ("samconfig.toml", "store-token"),
    ("samconfig.toml", "doctor-fix"),
    ("src/momento_client.py", "update-check"),
    ("src/momento_client.py", "update"),
    ("src/momento_client.py", "add"),
]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generated.render(tmp_path_factory.mktemp("fifo-base"), "fifo")


@pytest.mark.parametrize(("file", "command"), FIFO_CASES, ids=[f"{f}-{c}" for f, c in FIFO_CASES])
def test_a_fifo_where_a_project_file_is_expected_hangs_nothing(rendered, tmp_path, file, command):
    project = tmp_path / "fifo"
    shutil.copytree(rendered, project)
    (project / file).unlink()
    os.mkfifo(project / file)
    env = {"MK": keys.v2_key(), "AWS_ENDPOINT_URL": "http://127.0.0.1:9", "AWS_REGION": "us-east-1"}
    env |= {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_EC2_METADATA_DISABLED": "true"}

    result = run(*COMMANDS[command], env=env, cwd=project)

    assert result.seconds < BOUND_SECONDS, f"{command} waited on the FIFO ({result.seconds:.1f} s)"
    assert "This is a bug" not in result.output
    if file == ".momento-lambda.json" or command in ("add", "update", "update-check"):
        assert result.exit_code == 1, result.output
        assert "FIFO" in result.stderr and file.rsplit("/", 1)[-1] in result.stderr, result.stderr
    else:  # doctor reports it among its findings; store-token finds no samconfig to wire
        assert result.exit_code in (0, 1), result.output


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_a_hostile_answers_file_runs_no_command_in_ci(rendered, tmp_path):
    """The attack of the issue, end to end: a pull request's answers file with a template variable
    that `new` never validates, checked by `update --check` and `update --dry-run` in CI."""
    project = tmp_path / "fifo"
    shutil.copytree(rendered, project)
    marker = tmp_path / "PWNED"
    path = project / ".momento-lambda.json"
    document = json.loads(path.read_text(encoding="utf-8"))
    document["momento_python_version"] = "{{ cycler.__init__.__globals__.os.system('touch " + str(marker) + "') }}"
    path.write_text(json.dumps(document), encoding="utf-8")
    subprocess.run(["git", "init", "-q", str(project)], check=True)

    for command in (["update", "--check"], ["update", "--dry-run"]):
        result = run(*command, cwd=project)
        assert result.exit_code == 1, result.output
        assert "momento_python_version" in result.stderr
    assert not marker.exists()
