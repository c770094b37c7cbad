"""build.glibc: the glibc each library in the build output needs, read from its ELF symbol
versions (real libraries compiled here), against the runtime's Amazon Linux; and the
wheel-tag findings of build.binaries, one per wheel."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from momento_lambda_cli.doctor import build_output
from momento_lambda_cli.doctor.build_output import find_packages
from tests.support.doctor import run_doctor
from tests.support.doctor_projects import make_project
from tests.support.elf_libs import local_wheel, shared_library

pytestmark = pytest.mark.integration  # builds ELF fixtures with the C compiler

IDS = "build.binaries,build.glibc"


def sam_build_folder(project) -> Path:
    folder = project.root / ".aws-sam" / "build" / "HelloFunction"
    (folder / "momento").mkdir(parents=True)
    (folder / "momento" / "__init__.py").write_text("")
    (folder / "app.py").write_text(project.handler_file.read_text())
    return folder


@pytest.mark.parametrize(
    ("runtime", "needs", "status"),
    [
        ("python3.11", (2, 14), "pass"),
        ("python3.11", (2, 34), "fail"),  # Amazon Linux 2 has glibc 2.26
        ("python3.12", (2, 34), "pass"),  # Amazon Linux 2023 has 2.34
        ("python3.13", (2, 36), "fail"),
    ],
)
def test_vendored_library_without_any_tag_is_judged_by_its_symbol_versions(run_cli, tmp_path, runtime, needs, status):
    project = make_project(tmp_path, runtime=runtime)
    folder = sam_build_folder(project)
    shared_library(folder / "vendor", needs, "libfast.so")
    run = run_doctor(run_cli, str(project.root), "--offline", "--only", IDS)
    assert run.status("build.glibc") == status, run.text("build.glibc")
    assert run.status("build.binaries") == "pass", run.text("build.binaries")
    check = run.checks["build.glibc"]
    if status == "fail":
        os_name = "Amazon Linux 2" if runtime == "python3.11" else "Amazon Linux 2023"
        have = "2.26" if runtime == "python3.11" else "2.34"
        assert check["details"] == [
            f".aws-sam/build/HelloFunction: vendor/libfast.so needs glibc {needs[0]}.{needs[1]} "
            f"(GLIBC_{needs[0]}.{needs[1]} in vendor/libfast.so); HelloFunction runs on {runtime} ({os_name}, glibc {have})"
        ]
        assert "sam build --use-container" in check["hint"]
        assert "dockerizePip" not in check["hint"]
        assert "python3.13" in check["hint"] and "nodejs" not in check["hint"], "a Python function's own runtimes"
        assert run.exit_code == 1
    else:
        assert check["message"] == f"1 library needs at most glibc {needs[0]}.{needs[1]}; the runtimes have it"


def test_locally_built_linux_wheel_is_one_finding_named_by_its_distribution(run_cli, tmp_path):
    project = make_project(tmp_path, runtime="python3.13")
    folder = sam_build_folder(project)
    local_wheel(
        folder,
        "fastthing",
        "1.0",
        "fastthing/_speed.cpython-313-x86_64-linux-gnu.so",
        (2, 36),
        "cp313-cp313-linux_x86_64",
    )
    shared_library(folder / "fastthing" / "libs", (2, 14), "libhelper.so")
    (folder / "fastthing-1.0.dist-info" / "RECORD").write_text(
        (folder / "fastthing-1.0.dist-info" / "RECORD").read_text() + "fastthing/libs/libhelper.so,,1\n"
    )
    run = run_doctor(run_cli, str(project.root), "--offline", "--only", IDS)
    assert run.status("build.glibc") == "fail"
    assert run.checks["build.glibc"]["details"] == [
        ".aws-sam/build/HelloFunction: fastthing 1.0 needs glibc 2.36 "
        "(GLIBC_2.36 in fastthing/_speed.cpython-313-x86_64-linux-gnu.so); "
        "HelloFunction runs on python3.13 (Amazon Linux 2023, glibc 2.34)"
    ]
    # The right CPU and Python: the linux_x86_64 tag alone is no finding of build.binaries.
    assert run.status("build.binaries") == "pass", run.text("build.binaries")


def test_serverless_zip_libraries_are_read_and_the_hint_names_serverless(run_cli, tmp_path):
    project = make_project(tmp_path, "serverless", runtime="python3.11")
    staging = tmp_path / "staging"
    local_wheel(staging, "fastthing", "1.0", "fastthing/_speed.abi3.so", (2, 34), "cp311-abi3-linux_x86_64")
    (project.root / ".serverless").mkdir()
    with zipfile.ZipFile(project.root / ".serverless" / "demo.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(staging.rglob("*")):
            if path.is_file():
                zf.write(path, path.relative_to(staging).as_posix())
        zf.writestr("momento/__init__.py", "")
    run = run_doctor(run_cli, str(project.root), "--offline", "--only", IDS)
    assert run.status("build.glibc") == "fail"
    assert run.checks["build.glibc"]["details"] == [
        ".serverless/demo.zip: fastthing 1.0 needs glibc 2.34 (GLIBC_2.34 in fastthing/_speed.abi3.so); "
        "hello runs on python3.11 (Amazon Linux 2, glibc 2.26)"
    ]
    hint = run.checks["build.glibc"]["hint"]
    assert "dockerizePip: true" in hint
    assert "sam build" not in hint


def test_zip_member_over_the_size_limit_is_not_decompressed(tmp_path, monkeypatch):
    library = shared_library(tmp_path / "lib", (2, 36))
    archive = tmp_path / ".serverless" / "demo.zip"
    archive.parent.mkdir()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(library, "libdemo.so")
    [package] = find_packages(tmp_path, ["demo"])
    assert package.artifacts[0].glibc is not None
    monkeypatch.setattr(build_output, "MAX_ELF_BYTES", library.stat().st_size - 1)
    [package] = find_packages(tmp_path, ["demo"])
    assert package.artifacts[0].glibc is None
    assert package.artifacts[0].head.startswith(b"\x7fELF")


def test_truncated_library_names_no_glibc(tmp_path):
    library = shared_library(tmp_path / "build" / ".aws-sam" / "build" / "Fn", (2, 36))
    library.write_bytes(library.read_bytes()[:200])
    [package] = find_packages(tmp_path / "build", ["Fn"])
    assert package.artifacts[0].glibc is None


def test_wheel_tag_floor_counts_when_the_wheel_has_no_readable_library(run_cli, tmp_path):
    project = make_project(tmp_path, runtime="python3.11")
    folder = sam_build_folder(project)
    info = folder / "fastthing-1.0.dist-info"
    info.mkdir()
    (info / "WHEEL").write_text("Wheel-Version: 1.0\nTag: cp311-abi3-manylinux_2_28_x86_64\n")
    run = run_doctor(run_cli, str(project.root), "--offline", "--only", IDS)
    assert run.status("build.glibc") == "fail"
    assert run.checks["build.glibc"]["details"] == [
        ".aws-sam/build/HelloFunction: fastthing 1.0 needs glibc 2.28 (its wheel tag manylinux_2_28); "
        "HelloFunction runs on python3.11 (Amazon Linux 2, glibc 2.26)"
    ]


def test_two_tag_aliases_of_one_wheel_are_one_finding(run_cli, tmp_path):
    project = make_project(tmp_path, runtime="python3.13", architecture="x86_64")
    folder = sam_build_folder(project)
    info = folder / "fastthing-1.0.dist-info"
    info.mkdir()
    (info / "WHEEL").write_text(
        "Wheel-Version: 1.0\nTag: cp313-cp313-manylinux_2_17_aarch64\nTag: cp313-cp313-manylinux2014_aarch64\n"
    )
    run = run_doctor(run_cli, str(project.root), "--offline", "--only", IDS)
    assert run.status("build.binaries") == "fail"
    assert run.checks["build.binaries"]["details"] == [
        ".aws-sam/build/HelloFunction: fastthing: wheel tagged manylinux_2_17_aarch64.manylinux2014_aarch64, "
        "the function runs on x86_64"
    ]
