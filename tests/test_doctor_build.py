"""Build output checks over folders holding REAL grpcio extensions (downloaded wheels for
Linux x86_64, Linux aarch64, macOS and musl), laid out as `sam build` / `serverless package` do."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from momento_lambda_cli.doctor.build_output import classify
from tests.support.doctor import run_doctor
from tests.support.doctor_projects import make_project
from tests.support.wheels import grpcio_wheel, install_into

BUILD_IDS = "build.binaries,build.sdk"


def sam_build(project, wheel_kind: str | None, *, momento: bool = True, wheel_tag: str | None = None) -> Path:
    folder = project.root / ".aws-sam" / "build" / "HelloFunction"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "app.py").write_text(project.handler_file.read_text())
    if momento:
        (folder / "momento").mkdir()
        (folder / "momento" / "__init__.py").write_text("")
    if wheel_kind:
        return install_into(folder, grpcio_wheel(wheel_kind), wheel_tag=wheel_tag)
    return folder


slow = pytest.mark.slow


def test_node_sdk_in_a_built_layer_is_packaged(run_cli, tmp_path):
    """SAM builds a layer into .aws-sam/build/<Layer>: a function whose own package lacks
    @gomomento/sdk gets it from a layer it names (nodejs/node_modules under /opt)."""
    project = make_project(tmp_path, language="node")
    project.edit(
        "template.yaml", "      CodeUri: hello/\n", "      CodeUri: hello/\n      Layers:\n        - !Ref SdkLayer\n"
    )
    project.edit(
        "template.yaml",
        "Resources:\n",
        "Resources:\n  SdkLayer:\n    Type: AWS::Serverless::LayerVersion\n    Properties:\n      ContentUri: layer/\n",
    )
    (project.root / "layer").mkdir()
    folder = project.root / ".aws-sam" / "build" / "HelloFunction"
    folder.mkdir(parents=True)
    (folder / "app.mjs").write_text(project.handler_file.read_text())
    sdk = project.root / ".aws-sam" / "build" / "SdkLayer" / "nodejs" / "node_modules" / "@gomomento" / "sdk"
    sdk.mkdir(parents=True)
    (sdk / "package.json").write_text('{"name": "@gomomento/sdk", "version": "1.118.0"}')
    run = run_doctor(run_cli, str(project.root), "--offline", "--only", "build.sdk")
    assert run.status("build.sdk") == "pass", run.text("build.sdk")
    assert "@gomomento/sdk in the layer .aws-sam/build/SdkLayer" in run.text("build.sdk")


@slow
@pytest.mark.parametrize(
    ("kind", "fmt", "cpu"), [("x86_64", "elf", "x86_64"), ("aarch64", "elf", "aarch64"), ("macos", "mach-o", None)]
)
def test_real_extensions_are_classified(kind, fmt, cpu):
    name, data = grpcio_wheel(kind).extension()
    info = classify(name, data[:64])
    assert (info.format, info.cpu, info.python) == (fmt, cpu, (3, 11))


@slow
@pytest.mark.parametrize(("architecture", "wheel"), [("x86_64", "x86_64"), ("arm64", "aarch64")])
def test_linux_extensions_for_the_right_cpu_pass(run_cli, tmp_path, architecture, wheel):
    project = make_project(tmp_path, runtime="python3.11", architecture=architecture)
    sam_build(project, wheel)
    run = run_doctor(run_cli, str(project.root), "--offline", "--only", BUILD_IDS)
    assert run.status("build.binaries") == "pass", run.text("build.binaries")
    assert run.checks["build.binaries"]["message"] == "1 compiled extension built for Linux, the right CPU and Python"
    assert run.status("build.sdk") == "pass"
    assert run.exit_code == 0


@slow
def test_aarch64_extension_on_an_x86_64_function_fails_naming_the_file(run_cli, tmp_path):
    project = make_project(tmp_path, runtime="python3.11", architecture="x86_64")
    sam_build(project, "aarch64")
    run = run_doctor(run_cli, str(project.root), "--offline", "--only", BUILD_IDS)
    assert run.status("build.binaries") == "fail"
    message = run.checks["build.binaries"]["message"]
    assert message == "The package holds binaries that cannot load on Lambda (built for another CPU)"
    assert (
        ".aws-sam/build/HelloFunction: grpc/_cython/cygrpc.cpython-311-aarch64-linux-gnu.so: built for aarch64, "
        "the function runs on x86_64 (x86_64)" in run.text("build.binaries")
    )
    # The wheel's tags say the same as its library: one finding for the wheel.
    assert len(run.checks["build.binaries"]["details"]) == 1, run.text("build.binaries")
    assert run.exit_code == 1


@slow
def test_macos_extension_fails_the_classic_build_on_a_mac(run_cli, tmp_path):
    project = make_project(tmp_path, runtime="python3.11")
    sam_build(project, "macos")
    run = run_doctor(run_cli, str(project.root), "--offline", "--only", BUILD_IDS)
    assert run.status("build.binaries") == "fail"
    assert run.checks["build.binaries"]["message"].endswith("(built on macOS)")
    text = run.text("build.binaries")
    assert "grpc/_cython/cygrpc.cpython-311-darwin.so: a macOS (Mach-O) binary; Lambda needs Linux x86_64" in text
    assert "wheel tagged" not in text
    assert "sam build --use-container" in run.checks["build.binaries"]["hint"]


@slow
def test_windows_extension_fails(run_cli, tmp_path):
    project = make_project(tmp_path, runtime="python3.11")
    sam_build(project, "windows")
    run = run_doctor(run_cli, str(project.root), "--offline", "--only", BUILD_IDS)
    assert run.status("build.binaries") == "fail"
    text = run.text("build.binaries")
    assert "grpc/_cython/cygrpc.cp311-win_amd64.pyd: a Windows binary; Lambda needs Linux x86_64" in text
    assert "wheel tagged" not in text


@slow
def test_musl_extension_fails(run_cli, tmp_path):
    project = make_project(tmp_path, runtime="python3.11")
    sam_build(project, "musl")
    run = run_doctor(run_cli, str(project.root), "--offline", "--only", BUILD_IDS)
    assert run.status("build.binaries") == "fail"
    assert "built for musl libc" in run.text("build.binaries")


@slow
def test_extension_for_another_python_fails(run_cli, tmp_path):
    project = make_project(tmp_path, runtime="python3.13")
    sam_build(project, "x86_64")
    run = run_doctor(run_cli, str(project.root), "--offline", "--only", BUILD_IDS)
    assert run.status("build.binaries") == "fail"
    text = run.text("build.binaries")
    assert "cygrpc.cpython-311-x86_64-linux-gnu.so: built for Python 3.11, the runtime is python3.13" in text
    assert "wheel for cp311" not in text


@slow
def test_the_libraries_symbol_versions_outrank_the_manylinux_tag(run_cli, tmp_path):
    # A manylinux_2_28 tag claims glibc 2.28 (too new for python3.11's Amazon Linux 2, glibc 2.26),
    # but grpcio's real library imports nothing newer than GLIBC_2.17: it loads, and build.glibc says so.
    project = make_project(tmp_path, runtime="python3.11")
    sam_build(project, "x86_64", wheel_tag="cp311-cp311-manylinux_2_28_x86_64")
    run = run_doctor(run_cli, str(project.root), "--offline", "--only", "build.binaries,build.glibc")
    assert run.status("build.binaries") == "pass", run.text("build.binaries")
    assert run.status("build.glibc") == "pass", run.text("build.glibc")
    [detail] = run.checks["build.glibc"]["details"]
    assert detail.startswith("grpcio ")
    assert ": glibc 2.17 (GLIBC_2.17 in grpc/_cython/cygrpc.cpython-311-x86_64-linux-gnu.so)" in detail


@slow
def test_serverless_zip_is_read_without_extracting(run_cli, tmp_path):
    project = make_project(tmp_path, "serverless", runtime="python3.11")
    staging = tmp_path / "staging"
    staging.mkdir()
    install_into(staging, grpcio_wheel("macos"))
    (project.root / ".serverless").mkdir()
    with zipfile.ZipFile(project.root / ".serverless" / "demo.zip", "w") as zf:
        for path in sorted(staging.rglob("*")):
            if path.is_file():
                zf.write(path, path.relative_to(staging).as_posix())
        zf.writestr("app.py", "")
    run = run_doctor(run_cli, str(project.root), "--offline", "--only", BUILD_IDS)
    assert run.status("build.binaries") == "fail"
    assert ".serverless/demo.zip: grpc/_cython/cygrpc.cpython-311-darwin.so: a macOS (Mach-O) binary" in run.text(
        "build.binaries"
    )
    assert run.status("build.sdk") == "fail"
    assert ".serverless/demo.zip: no momento/ package" in run.text("build.sdk")


# --- fast: no wheels needed ------------------------------------------------------------------


def test_no_build_output_is_skipped_with_the_command_to_run(run_cli, tmp_path):
    project = make_project(tmp_path)
    run = run_doctor(run_cli, str(project.root), "--offline", "--only", BUILD_IDS)
    assert run.status("build.binaries") == "skip"
    assert run.checks["build.binaries"]["hint"] == "Run `sam build` first."


def test_python_package_without_the_sdk_fails(run_cli, tmp_path):
    project = make_project(tmp_path)
    sam_build(project, None, momento=False)
    run = run_doctor(run_cli, str(project.root), "--offline", "--only", BUILD_IDS)
    assert run.status("build.sdk") == "fail"
    assert "no momento/ package (add `momento` to requirements.txt)" in run.text("build.sdk")
    assert run.checks["build.binaries"]["message"] == "No compiled extensions in the package"


@pytest.mark.parametrize("with_sdk", [True, False])
def test_node_package_needs_gomomento_sdk(run_cli, tmp_path, with_sdk):
    project = make_project(tmp_path, language="node")
    folder = project.root / ".aws-sam" / "build" / "HelloFunction"
    folder.mkdir(parents=True)
    (folder / "app.mjs").write_text(project.handler_file.read_text())
    if with_sdk:
        sdk = folder / "node_modules" / "@gomomento" / "sdk"
        sdk.mkdir(parents=True)
        (sdk / "package.json").write_text('{"name": "@gomomento/sdk", "version": "1.118.0"}')
    run = run_doctor(run_cli, str(project.root), "--offline", "--only", "build.sdk")
    assert run.status("build.sdk") == ("pass" if with_sdk else "fail")


@slow
def test_a_real_sam_build_passes_and_fails_once_the_architecture_changes(run_cli, tmp_path):
    """`sam build` (no container; Python 3.11 is on PATH) fetches grpcio for arm64; switching the
    template to x86_64 without rebuilding is caught, naming the aarch64 extension."""
    import os
    import subprocess

    from tests.support.tools import require_tool

    sam = require_tool("sam")
    project = make_project(tmp_path, runtime="python3.11", architecture="arm64", use_container=False)
    env = {**os.environ, "AWS_REGION": "us-east-1", "SAM_CLI_TELEMETRY": "0"}
    subprocess.run([str(sam), "build"], cwd=project.root, env=env, capture_output=True, check=True, timeout=600)
    run = run_doctor(run_cli, str(project.root), "--offline", "--only", BUILD_IDS)
    assert run.status("build.binaries") == "pass", run.text("build.binaries")
    assert run.status("build.sdk") == "pass"
    project.edit("template.yaml", "      - arm64", "      - x86_64")
    run = run_doctor(run_cli, str(project.root), "--offline", "--only", BUILD_IDS)
    assert run.status("build.binaries") == "fail"
    assert "grpc/_cython/cygrpc.cpython-311-aarch64-linux-gnu.so: built for aarch64" in run.text("build.binaries")
