"""The runner: concurrency, timeouts, crashing checks, fixed order; the lazy shared context."""

from __future__ import annotations

import threading
import time

import pytest

from momento_lambda_cli.doctor import registry, runner
from momento_lambda_cli.doctor.context import DoctorContext, DoctorOptions
from momento_lambda_cli.doctor.model import Check, Group, Result, SkipCheck, Status
from momento_lambda_cli.errors import MomentoLambdaError
from tests.support.doctor import run_doctor
from tests.support.doctor_projects import make_project


def check(check_id, run, group=Group.PROJECT):
    return Check(check_id, group, check_id.title(), run)


def test_all_checks_start_at_once():
    barrier = threading.Barrier(3, timeout=5)

    def waits(_ctx):
        barrier.wait()  # raises BrokenBarrierError unless all three run at the same time
        return Result.ok("met")

    outcomes = runner.run_checks([check(f"c.{i}", waits) for i in range(3)], object(), timeout=10)
    assert [o.result.status for o in outcomes] == [Status.PASS] * 3


def test_sequential_mode_runs_one_at_a_time():
    running = []
    overlap = []

    def work(_ctx):
        running.append(1)
        overlap.append(len(running))
        time.sleep(0.01)
        running.pop()
        return Result.ok("done")

    runner.run_checks([check(f"c.{i}", work) for i in range(4)], object(), concurrent=False)
    assert max(overlap) == 1


def test_results_keep_the_given_order_whatever_finishes_first():
    def slow(_ctx):
        time.sleep(0.2)
        return Result.ok("slow")

    def fast(_ctx):
        return Result.warn("fast", "hint")

    outcomes = runner.run_checks([check("a.slow", slow), check("b.fast", fast)], object())
    assert [o.check.id for o in outcomes] == ["a.slow", "b.fast"]
    assert [o.result.status for o in outcomes] == [Status.PASS, Status.WARN]


def test_a_crashing_check_becomes_one_error_line_the_others_still_run():
    def crashes(_ctx):
        raise KeyError("Resources")

    outcomes = runner.run_checks([check("a.crash", crashes), check("b.fine", lambda _c: Result.ok("fine"))], object())
    crashed, fine = outcomes
    assert crashed.result.status is Status.ERROR
    assert crashed.result.message.startswith("The check crashed: KeyError at test_doctor_runner.py:")
    assert "\n" not in crashed.result.message
    assert "Traceback" in (crashed.traceback or "")
    assert fine.result.status is Status.PASS


def test_a_hanging_check_times_out_and_does_not_hold_the_others():
    release = threading.Event()

    def hangs(_ctx):
        release.wait(30)
        return Result.ok("too late")

    try:
        outcomes = runner.run_checks(
            [check("a.hang", hangs), check("b.fine", lambda _c: Result.ok("ok"))], object(), timeout=0.3
        )
        outcomes_seq = runner.run_checks([check("a.hang", hangs)], object(), timeout=0.2, concurrent=False)
    finally:
        release.set()
    assert outcomes[0].result.status is Status.ERROR
    assert "did not finish within 0.3 s" in outcomes[0].result.message
    assert "--only a.hang" in (outcomes[0].result.hint or "")
    assert outcomes[1].result.status is Status.PASS
    assert outcomes_seq[0].result.status is Status.ERROR


def test_skip_and_project_errors_become_results():
    def skips(_ctx):
        raise SkipCheck("No stack name.", "Pass --stack-name.")

    def denied(_ctx):
        raise MomentoLambdaError("AWS denied iam:GetRole.", "Grant it.", code="aws.access-denied")

    def fails(_ctx):
        raise MomentoLambdaError("Broken thing.", "Fix it.", code="x.y")

    outcomes = runner.run_checks([check("a", skips), check("b", denied), check("c", fails)], object())
    assert [(o.result.status, o.result.message) for o in outcomes] == [
        (Status.SKIP, "No stack name."),
        (Status.NOT_CHECKED, "Could not check: AWS denied iam:GetRole."),
        (Status.ERROR, "Broken thing."),
    ]


def test_context_loads_each_thing_once_even_when_asked_concurrently(tmp_path):
    ctx = DoctorContext(DoctorOptions(project_dir=tmp_path))
    calls = []
    barrier = threading.Barrier(5, timeout=5)

    def loader():
        calls.append(1)
        time.sleep(0.05)
        return "value"

    def ask(_ctx):
        barrier.wait()
        return Result.ok(ctx.once("thing", loader))

    outcomes = runner.run_checks([check(f"c.{i}", ask) for i in range(5)], object())
    assert {o.result.message for o in outcomes} == {"value"}
    assert len(calls) == 1


def test_context_hands_the_same_error_to_every_caller(tmp_path):
    ctx = DoctorContext(DoctorOptions(project_dir=tmp_path))
    calls = []

    def loader():
        calls.append(1)
        raise SkipCheck("nope")

    for _ in range(3):
        with pytest.raises(SkipCheck):
            ctx.once("x", loader)
    assert len(calls) == 1


# --- through the CLI ------------------------------------------------------------------------


@pytest.fixture
def extra_checks(monkeypatch):
    """Replace the registry with the real project checks plus the given ones."""

    def install(*checks):
        real = registry.all_checks
        monkeypatch.setattr(registry, "all_checks", lambda: [*real()[:1], *checks])

    return install


def test_cli_crashing_check_is_an_error_without_traceback_exit_1(run_cli, tmp_path, extra_checks):
    project = make_project(tmp_path)

    def crashes(_ctx):
        return {}["boom"]

    extra_checks(check("test.crash", crashes))
    result = run_cli("doctor", str(project.root), "--offline")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "The check crashed: KeyError" in result.stdout
    assert "1/2 checks passed (1 errored)" in result.stdout

    debug = run_cli("--debug", "doctor", str(project.root), "--offline")
    assert "Traceback (most recent call last)" in debug.stderr
    assert "[test.crash] crashed:" in debug.stderr


def test_cli_hanging_check_times_out_with_configurable_timeout(run_cli, tmp_path, extra_checks):
    project = make_project(tmp_path)
    release = threading.Event()
    extra_checks(check("test.hang", lambda _c: Result.ok(str(release.wait(30)))))
    try:
        run = run_doctor(run_cli, str(project.root), "--offline", "--timeout", "0.5")
    finally:
        release.set()
    assert run.exit_code == 1
    assert run.status("test.hang") == "error"
    assert "did not finish within 0.5 s" in run.checks["test.hang"]["message"]
    assert run.status("project.framework") == "pass"
