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
from tests.support.projects import write_tree

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
    found = lifecycle.standing(runtime, DAY)
    assert (found.level, found.text) == (level, text)


def test_a_coming_create_block_warns_before_the_deprecation_does():
    # nodejs22.x: deprecated 2027-04-30, create blocked 2027-06-01, update blocked 2027-07-01.
    found = lifecycle.standing("nodejs22.x", date(2027, 2, 15))
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
    # the runtime --fix writes: the oldest Python supported past the warning window (python3.11 ends 2027-06-30)
    assert "python3.9 to python3.11 (`doctor --fix` writes it)" in check["hint"]


def test_the_oldest_runtimes_are_known_with_their_amazon_linux():
    assert catalog.glibc_of("python3.7") == (2, 17)
    assert catalog.glibc_of("nodejs14.x") == (2, 26)


def _sam(tmp_path, functions: dict[str, str], files: dict[str, str] | None = None):
    resources = "".join(
        f"  {key}:\n    Type: AWS::Serverless::Function\n    Properties:\n"
        + "".join(f"      {line}\n" for line in props.strip().splitlines())
        for key, props in functions.items()
    )
    return write_tree(
        tmp_path / "app",
        {"template.yaml": f"Transform: AWS::Serverless-2016-10-31\nResources:\n{resources}", **(files or {})},
    )


def _runtime_check(run_cli, root, monkeypatch):
    monkeypatch.setattr(project_checks, "TODAY", lambda: DAY)
    return run_doctor(run_cli, str(root), "--offline", "--only", "project.runtime").checks["project.runtime"]


def test_a_container_image_function_has_no_runtime_to_judge(run_cli, tmp_path, monkeypatch):
    root = _sam(
        tmp_path,
        {"Api": "PackageType: Image\nImageUri: 123456789012.dkr.ecr.us-east-1.amazonaws.com/api:latest"},
    )
    check = _runtime_check(run_cli, root, monkeypatch)
    assert check["status"] == "pass", check
    assert check["details"] == ["Api: container image (no managed runtime: its base image decides)"]


def test_a_serverless_image_function_has_no_runtime_to_judge(run_cli, tmp_path, monkeypatch):
    root = write_tree(
        tmp_path / "sls",
        {
            "serverless.yml": "service: s\nprovider:\n  name: aws\n"
            "functions:\n  api:\n    image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/api@sha256:" + "a" * 64 + "\n"
        },
    )
    check = _runtime_check(run_cli, root, monkeypatch)
    assert check["status"] == "pass", check


@pytest.mark.parametrize(
    ("runtime", "text"),
    [
        ("nodejs12.x", "deprecated (no security patches) since 2023-03-31"),
        ("python2.7", "deprecated (no security patches) since 2021-07-15"),
        ("python3.6", "updating functions blocked (every deploy fails) since 2022-08-29"),
        ("nodejs8.10", "deprecated (no security patches) since 2020-03-06"),
        ("dotnetcore3.1", "deprecated (no security patches) since 2023-04-03"),
        ("go1.x", "deprecated (no security patches) since 2024-01-08"),
        ("ruby2.7", "deprecated (no security patches) since 2023-12-07"),
    ],
)
def test_every_runtime_cfn_lint_dates_is_judged_by_its_dates(run_cli, tmp_path, monkeypatch, runtime, text):
    root = _sam(tmp_path, {"Old": f"CodeUri: src/\nHandler: app.handler\nRuntime: {runtime}"})
    check = _runtime_check(run_cli, root, monkeypatch)
    assert check["status"] == "fail", check
    [detail] = check["details"]
    assert detail.startswith(f"Old: {runtime}: ") and text in detail, detail
    successor = catalog.lifecycle(runtime).successor
    assert check["hint"] == f"Move {runtime} to {successor}, then rebuild."


def test_other_languages_without_momento_get_no_momento_remark(run_cli, tmp_path, monkeypatch):
    root = _sam(
        tmp_path,
        {
            "Jvm": "CodeUri: jvm/\nHandler: a.B::handle\nRuntime: java21",
            "Net": "CodeUri: net/\nHandler: A::B::C\nRuntime: dotnet10",
            "Rust": "CodeUri: rust/\nHandler: bootstrap\nRuntime: provided.al2023",
        },
        {"jvm/A.java": "class A {}\n", "net/A.cs": "class A {}\n", "rust/main.rs": "fn main() {}\n"},
    )
    check = _runtime_check(run_cli, root, monkeypatch)
    assert check["status"] == "pass", check
    assert not any("Momento" in d for d in check["details"]), check["details"]


def test_the_hint_names_each_language_s_own_runtime(run_cli, tmp_path, monkeypatch):
    root = _sam(tmp_path, {"Py": "CodeUri: src/\nHandler: app.handler\nRuntime: python3.9"})
    check = _runtime_check(run_cli, root, monkeypatch)
    assert check["hint"] == "Move python3.9 to python3.11 (`doctor --fix` writes it), then rebuild."
    root = _sam(
        tmp_path / "two",
        {
            "Py": "CodeUri: src/\nHandler: app.handler\nRuntime: python3.9",
            "Js": "CodeUri: src/\nHandler: app.handler\nRuntime: nodejs18.x",
        },
    )
    check = _runtime_check(run_cli, root, monkeypatch)
    assert check["hint"] == (
        "Move nodejs18.x to nodejs22.x (`doctor --fix` writes it) and python3.9 to python3.11 "
        "(`doctor --fix` writes it), then rebuild."
    )


def test_a_name_that_is_no_lambda_runtime_warns(run_cli, tmp_path, monkeypatch):
    root = _sam(tmp_path, {"Odd": "CodeUri: src/\nHandler: bootstrap\nRuntime: rust"})
    check = _runtime_check(run_cli, root, monkeypatch)
    assert check["status"] == "warn", check
    assert check["details"] == ["Odd: rust is not a Lambda runtime this doctor knows"]
    assert check["hint"] == "Set Runtime to a runtime Lambda supports."


def test_a_momento_function_in_another_language_is_told_this_tool_has_no_sdk_support(run_cli, tmp_path, monkeypatch):
    root = _sam(
        tmp_path,
        {
            "Jvm": "CodeUri: target/app.jar\nHandler: a.B::handle\nRuntime: java21\n"
            "Environment:\n  Variables:\n    MOMENTO_API_KEY_SECRET: prod/momento"
        },
        {"target/app.jar": "PK"},
    )
    check = _runtime_check(run_cli, root, monkeypatch)
    assert check["status"] == "warn", check
    assert check["details"] == ["Jvm: java21 has no Momento SDK support in this tool (Python / Node.js)"]
