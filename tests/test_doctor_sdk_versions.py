"""project.sdk-versions: exact pins in requirements files and the versions in the build output
against the verified floors (momento 1.8.0 and @gomomento/sdk 1.31.0 for Configurations.Lambda;
grpcio 1.75.1 for python3.14)."""

from __future__ import annotations

import pytest

from tests.support.doctor import run_doctor
from tests.support.doctor_projects import make_project

ID = "project.sdk-versions"


@pytest.mark.parametrize(
    ("requirements", "status"),
    [("momento==1.7.0\nboto3\n", "fail"), ("momento==1.29.1\n", "pass"), ("momento>=1.29,<2\n", "skip")],
)
def test_pinned_momento_below_the_lambda_configuration_fails(run_cli, tmp_path, requirements, status):
    project = make_project(tmp_path)
    project.write("hello/requirements.txt", requirements)
    check = run_doctor(run_cli, str(project.root), "--offline", "--only", ID).checks[ID]
    assert check["status"] == status, check
    if status == "fail":
        assert check["details"] == [
            "HelloFunction: momento 1.7.0 (requirements.txt) is older than 1.8.0: "
            "Configurations.Lambda first ships in momento 1.8.0"
        ]


@pytest.mark.parametrize(("version", "status"), [("1.74.0", "fail"), ("1.75.1", "pass")])
def test_python314_needs_a_grpcio_with_cp314_wheels(run_cli, tmp_path, version, status):
    project = make_project(tmp_path, runtime="python3.14")
    info = project.root / ".aws-sam" / "build" / "HelloFunction" / f"grpcio-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "WHEEL").write_text("Wheel-Version: 1.0\nRoot-Is-Purelib: false\nTag: cp314-cp314-linux_x86_64\n")
    check = run_doctor(run_cli, str(project.root), "--offline", "--only", ID).checks[ID]
    assert check["status"] == status, check
    if status == "fail":
        [detail] = check["details"]
        assert detail.startswith("HelloFunction: grpcio 1.74.0 (.aws-sam/build/HelloFunction) is older than 1.75.1")


def test_grpcio_floor_applies_only_to_python314(run_cli, tmp_path):
    project = make_project(tmp_path, runtime="python3.13")
    project.write("hello/requirements.txt", "momento==1.29.1\ngrpcio==1.70.0\n")
    assert run_doctor(run_cli, str(project.root), "--offline", "--only", ID).status(ID) == "pass"


@pytest.mark.parametrize(
    ("files", "status", "where"),
    [
        ({"hello/package.json": '{"dependencies": {"@gomomento/sdk": "1.28.0"}}'}, "fail", "package.json"),
        # a range is no version: nothing compared, so no pass (skip with the reason)
        ({"hello/package.json": '{"dependencies": {"@gomomento/sdk": "^1.20.0"}}'}, "skip", None),
        (
            {
                "hello/package.json": '{"dependencies": {"@gomomento/sdk": "^1.20.0"}}',
                "hello/package-lock.json": '{"lockfileVersion": 3, "packages": {"node_modules/@gomomento/sdk": '
                '{"version": "1.30.2"}}}',
            },
            "fail",
            "package-lock.json",
        ),
        (
            {
                "hello/package-lock.json": '{"packages": {"node_modules/@gomomento/sdk": {"version": "1.30.2"}}}',
                "hello/node_modules/@gomomento/sdk/package.json": '{"name": "@gomomento/sdk", "version": "1.118.1"}',
            },
            "pass",
            None,
        ),
    ],
    ids=["exact-pin", "range", "lockfile", "installed-wins"],
)
def test_node_sdk_below_the_lambda_configuration_fails(run_cli, tmp_path, files, status, where):
    project = make_project(tmp_path, language="node")
    for name, text in files.items():
        project.write(name, text)
    check = run_doctor(run_cli, str(project.root), "--offline", "--only", ID).checks[ID]
    assert check["status"] == status, check
    if status == "fail":
        [detail] = check["details"]
        assert detail.startswith("HelloFunction: @gomomento/sdk 1.") and f"({where}) is older than 1.31.0" in detail


def test_a_project_without_momento_is_skipped_with_the_reason(run_cli, tmp_path):
    root = tmp_path / "plain"
    (root / "src").mkdir(parents=True)
    (root / "template.yaml").write_text(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Counter:\n    Type: AWS::Serverless::Function\n"
        "    Properties:\n      CodeUri: src/\n      Handler: app.handler\n      Runtime: python3.13\n"
    )
    (root / "src" / "app.py").write_text("def handler(event, context):\n    return 1\n")
    (root / "src" / "requirements.txt").write_text("requests==2.0.0\n")
    check = run_doctor(run_cli, str(root), "--offline", "--only", ID).checks[ID]
    assert check["status"] == "skip", check
    assert check["message"].startswith("No function uses the Momento SDK")
