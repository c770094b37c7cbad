"""project.runtime against AWS's three lifecycle dates (deprecation, create block, update block),
on a fixed day: 2026-11-27."""

from __future__ import annotations

from datetime import date

import pytest

from momento_lambda_cli import catalog
from momento_lambda_cli.doctor import lifecycle
from momento_lambda_cli.doctor.checks import project as project_checks
from tests.support.doctor import run_doctor
from tests.support.doctor_projects import make_project

DAY = date(2026, 11, 27)


@pytest.mark.parametrize(
    ("runtime", "level", "text"),
    [
        (
            "python3.7",
            "fail",
            "python3.7: deprecated (no security patches) since 2023-12-04; creating functions blocked (a new stage "
            "or stack fails to deploy) since 2024-01-09; updating functions blocked from 2027-03-03",
        ),
        (
            "nodejs14.x",
            "fail",
            "nodejs14.x: deprecated (no security patches) since 2023-12-04; creating functions blocked (a new stage "
            "or stack fails to deploy) since 2024-01-09; updating functions blocked from 2027-03-03",
        ),
        (
            "python3.9",
            "fail",
            "python3.9: deprecated (no security patches) since 2025-12-15; creating functions blocked from "
            "2027-02-01; updating functions blocked from 2027-03-03",
        ),
        ("python3.13", "pass", "python3.13 (supported until 2029-06-30)"),
    ],
)
def test_standing_on_a_fixed_day(runtime, level, text):
    found = lifecycle.standing(catalog.runtime(runtime), DAY)
    assert (found.level, found.text) == (level, text)


def test_a_coming_create_block_warns_before_the_deprecation_does():
    # nodejs22.x: deprecated 2027-04-30, create blocked 2027-06-01, update blocked 2027-07-01.
    found = lifecycle.standing(catalog.runtime("nodejs22.x"), date(2027, 2, 15))
    assert found.level == "warn"
    assert found.text.startswith("nodejs22.x: deprecated from 2027-04-30; creating functions blocked from 2027-06-01")


def test_update_blocked_runtime_fails_naming_every_date(run_cli, tmp_path, monkeypatch):
    monkeypatch.setattr(project_checks, "TODAY", lambda: date(2027, 3, 10))
    project = make_project(tmp_path, runtime="python3.9")
    run = run_doctor(run_cli, str(project.root), "--offline", "--only", "project.runtime")
    check = run.checks["project.runtime"]
    assert check["status"] == "fail"
    assert check["details"] == [
        "HelloFunction: python3.9: deprecated (no security patches) since 2025-12-15; creating functions blocked "
        "(a new stage or stack fails to deploy) since 2027-02-01; updating functions blocked (every deploy fails) "
        "since 2027-03-03"
    ]
    assert "python3.14" in check["hint"]


def test_the_oldest_runtimes_are_known_with_their_amazon_linux():
    assert catalog.glibc_of("python3.7") == (2, 17)
    assert catalog.glibc_of("nodejs14.x") == (2, 26)
