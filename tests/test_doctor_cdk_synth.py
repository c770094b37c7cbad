"""`doctor --synth` failure classes and its time limit, with a stand-in for the app's own CLI
(`node_modules/.bin/cdk`, a shell script that prints what the real CLI prints in each failure
class of the field corpus, /work/field/cdk/README.md): one line naming the class and a hint,
exit 1, never the CLI's output (an app may print its environment). The real `cdk synth` runs
in tests/test_generated_cdk.py."""

from __future__ import annotations

import time

import pytest

from tests.test_doctor_cdk import make_app

pytestmark = pytest.mark.integration

SECRET_VALUE = "do-not-print-this-value-0123456789"


def stand_in(root, script: str) -> None:
    cli = root / "node_modules" / ".bin" / "cdk"
    cli.parent.mkdir(parents=True)
    cli.write_text('#!/bin/sh\necho "app env: $SYNTH_TEST_SECRET"\n' + script)
    cli.chmod(0o755)


@pytest.mark.parametrize(
    ("printed", "expected"),
    [
        (
            "This CDK CLI is not compatible with the CDK library used by your application (Cloud assembly schema "
            "version mismatch: Maximum schema version supported is 36.0.0, but found 55.0.0)",
            "older than its aws-cdk-lib",
        ),
        (
            "ERROR Need to perform AWS calls for account 123456789012, but no credentials have been configured",
            "needs AWS credentials",
        ),
        ("Cannot connect to the Docker daemon at unix:///var/run/docker.sock", "needs Docker"),
        ("Error: Cannot find module 'aws-cdk-lib'", "dependencies are not installed"),
        ("TypeError: something else", "its output is not shown here"),
    ],
)
def test_each_failure_class_is_one_line_without_the_apps_output(run_cli, tmp_path, monkeypatch, printed, expected):
    monkeypatch.setenv("SYNTH_TEST_SECRET", SECRET_VALUE)
    root = make_app(tmp_path / "app")
    stand_in(root, f"echo '{printed}' >&2\nexit 1\n")
    result = run_cli("doctor", str(root), "--offline", "--synth")
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("Error: `cdk synth` failed in") and expected in result.stderr, result.stderr
    assert SECRET_VALUE not in result.output and "Traceback" not in result.output


def test_a_synth_past_its_time_limit_is_stopped(run_cli, tmp_path):
    root = make_app(tmp_path / "app")
    stand_in(root, "sleep 30 &\nsleep 30\n")
    start = time.monotonic()
    result = run_cli("doctor", str(root), "--offline", "--synth", "--synth-timeout", "1")
    assert time.monotonic() - start < 10
    assert result.exit_code == 1 and "did not finish within 1 s" in result.stderr, result.stderr


def test_a_synth_that_succeeds_is_named_and_the_fresh_assembly_read(run_cli, tmp_path):
    root = make_app(tmp_path / "app")
    stand_in(root, "touch cdk.out/manifest.json\n")
    (root / "infra" / "app.py").write_text("# changed after the last synth\n")
    result = run_cli("doctor", str(root), "--offline", "--synth")
    assert result.exit_code == 0, result.output
    assert "Ran `cdk synth --quiet --no-notices`" in result.stderr and SECRET_VALUE not in result.output
