"""serverless.slim-strip, serverless.static-cache and machine.container on real project folders,
a real serverless-python-requirements cache layout, real sockets and a real binfmt_misc layout."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from momento_lambda_cli.doctor.checks import packaging
from tests.support.doctor import run_doctor
from tests.support.doctor_projects import make_project

PLUGIN_BLOCK = "custom:\n  pythonRequirements:\n    dockerizePip: true\n    slim: true\n"


def serverless(tmp_path: Path, options: str, **kwargs):
    project = make_project(tmp_path, "serverless", **kwargs)
    project.edit("serverless.yml", PLUGIN_BLOCK, "custom:\n  pythonRequirements:\n" + options)
    return project


@pytest.mark.parametrize(
    ("options", "status"),
    [
        ("    dockerizePip: true\n    slim: true\n", "fail"),
        ("    dockerizePip: true\n    slim: 'true'\n    strip: false\n", "pass"),
        ("    dockerizePip: true\n", "pass"),
    ],
)
def test_slim_without_strip_false_breaks_grpc(run_cli, tmp_path, options, status):
    project = serverless(tmp_path, options)
    run = run_doctor(run_cli, str(project.root), "--offline", "--only", "serverless.slim-strip")
    assert run.status("serverless.slim-strip") == status, run.text("serverless.slim-strip")
    if status == "fail":
        check = run.checks["serverless.slim-strip"]
        assert check["details"] == ["requirements.txt: momento"]
        assert "strip: false" in check["hint"]
        assert "sam" not in check["hint"].lower()


def test_slim_checks_skip_sam_and_node_projects_with_the_reason(run_cli, tmp_path):
    sam = make_project(tmp_path)
    run = run_doctor(run_cli, str(sam.root), "--offline", "--only", "serverless.slim-strip,serverless.static-cache")
    assert run.status("serverless.slim-strip") == "skip"
    assert "Not a Serverless project" in run.checks["serverless.slim-strip"]["message"]
    node = make_project(tmp_path, "serverless", language="node", name="node")
    run = run_doctor(run_cli, str(node.root), "--offline", "--only", "serverless.static-cache")
    assert run.checks["serverless.static-cache"] == {**run.checks["serverless.static-cache"], "status": "skip"}
    assert run.checks["serverless.static-cache"]["message"] == "No Python function."


def fill_cache(root: Path, requirements: str, arch: str, python: str) -> Path:
    """A cache folder as the plugin leaves it: <sha256>_<arch>_slspyc with requirements.txt and the install."""
    entry = root / f"{abs(hash((requirements, python))):x}_{arch}_slspyc"
    so = entry / "grpc" / "_cython" / f"cygrpc.cpython-{python.replace('.', '')}-x86_64-linux-gnu.so"
    so.parent.mkdir(parents=True)
    so.write_bytes(b"\x7fELF")
    (entry / "requirements.txt").write_text(requirements)
    (entry / ".completed_requirements").write_text("")
    return entry


def test_static_cache_filled_for_another_python_fails(run_cli, tmp_path):
    project = serverless(tmp_path, "    dockerizePip: true\n", runtime="python3.13")
    cache = Path(os.environ["XDG_CACHE_HOME"]) / "serverless-python-requirements"
    # The plugin's copy: comments dropped, lines sorted.
    entry = fill_cache(cache, "boto3\nmomento>=1.29,<2\n", "x86_64", "3.11")
    run = run_doctor(run_cli, str(project.root), "--offline", "--only", "serverless.static-cache")
    check = run.checks["serverless.static-cache"]
    assert check["status"] == "fail", check
    assert check["details"] == [
        f"{entry}: this service's requirements, built for Python 3.11; the next package reuses it for python3.13"
    ]
    assert "useStaticCache: false" in check["hint"]


def test_static_cache_with_several_pythons_on_the_machine_warns(run_cli, tmp_path):
    project = serverless(tmp_path, "    dockerizePip: true\n", runtime="python3.13")
    cache = Path(os.environ["XDG_CACHE_HOME"]) / "serverless-python-requirements"
    fill_cache(cache, "requests\n", "x86_64", "3.11")
    fill_cache(cache, "momento\n", "x86_64", "3.13")
    run = run_doctor(run_cli, str(project.root), "--offline", "--only", "serverless.static-cache")
    check = run.checks["serverless.static-cache"]
    assert check["status"] == "warn", check
    assert "builds for Python 3.11, 3.13" in check["message"]
    assert "(the plugin's default)" in check["message"]


@pytest.mark.parametrize(
    ("options", "status"), [("    useStaticCache: false\n", "pass"), ("    dockerizePip: true\n", "pass")]
)
def test_static_cache_passes_when_off_or_when_nothing_else_is_cached(run_cli, tmp_path, options, status):
    project = serverless(tmp_path, options)
    run = run_doctor(run_cli, str(project.root), "--offline", "--only", "serverless.static-cache")
    assert run.status("serverless.static-cache") == status, run.text("serverless.static-cache")


def test_function_on_another_architecture_than_the_provider_fails(run_cli, tmp_path):
    project = serverless(tmp_path, "    dockerizePip: true\n")
    project.edit(
        "serverless.yml",
        "    handler: app.lambda_handler\n",
        "    handler: app.lambda_handler\n    architecture: arm64\n",
    )
    run = run_doctor(run_cli, str(project.root), "--offline", "--only", "serverless.static-cache")
    check = run.checks["serverless.static-cache"]
    assert check["status"] == "fail", check
    assert check["details"] == ["hello: runs on arm64, the cache is filled for provider.architecture x86_64"]


# --- machine.container (was build.container) ------------------------------------------------------------------------


@pytest.fixture
def docker_socket(tmp_path_factory, monkeypatch):
    """A real listening unix socket as DOCKER_HOST (the check only connects)."""
    path = tmp_path_factory.mktemp("docker") / "docker.sock"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    server.listen(4)
    monkeypatch.setenv("DOCKER_HOST", f"unix://{path}")
    yield path
    server.close()


@pytest.fixture
def binfmt(tmp_path_factory, monkeypatch):
    """A binfmt_misc folder as Linux lays it out (status, register, one file per interpreter)."""
    folder = tmp_path_factory.mktemp("binfmt_misc")
    (folder / "status").write_text("enabled\n")
    (folder / "register").write_text("")
    monkeypatch.setattr(packaging, "BINFMT", folder)
    return folder


OTHER = {"x86_64": "arm64", "aarch64": "x86_64"}[packaging.machine_cpu()]
OTHER_CPU = {"arm64": "aarch64", "x86_64": "x86_64"}[OTHER]
SAME = {"x86_64": "x86_64", "aarch64": "arm64"}[packaging.machine_cpu()]


def test_cross_architecture_container_build_without_emulation_warns_and_never_fails(
    run_cli, tmp_path, docker_socket, binfmt
):
    project = make_project(tmp_path, architecture=OTHER)
    run = run_doctor(run_cli, str(project.root), "--offline", "--only", "machine.container")
    check = run.checks["machine.container"]
    assert check["status"] == "warn", check  # a fact about this machine, not the project (#24)
    assert check["group"] == "machine"
    assert run.exit_code == 0
    assert check["details"] == [
        f"HelloFunction: {OTHER} ({OTHER_CPU}) built on this {packaging.machine_cpu()} machine, and no "
        f"qemu-{OTHER_CPU} is registered in {binfmt}: the build image cannot run (exec format error)"
    ]
    assert "sam build --no-use-container" in check["hint"] and "dockerizePip" not in check["hint"]
    (binfmt / f"qemu-{OTHER_CPU}").write_text(f"enabled\ninterpreter /usr/bin/qemu-{OTHER_CPU}-static\n")
    run = run_doctor(run_cli, str(project.root), "--offline", "--only", "machine.container")
    assert run.status("machine.container") == "pass", run.text("machine.container")


def test_the_former_id_still_selects_it(run_cli, tmp_path, docker_socket, binfmt):
    project = make_project(tmp_path, architecture=SAME)
    run = run_doctor(run_cli, str(project.root), "--offline", "--only", "build.container")
    assert list(run.checks) == ["machine.container"]


def test_disabled_emulation_does_not_count(run_cli, tmp_path, docker_socket, binfmt):
    (binfmt / f"qemu-{OTHER_CPU}").write_text(f"disabled\ninterpreter /usr/bin/qemu-{OTHER_CPU}-static\n")
    project = make_project(tmp_path, "serverless", architecture=OTHER)
    run = run_doctor(run_cli, str(project.root), "--offline", "--only", "machine.container")
    assert run.status("machine.container") == "warn"
    assert "dockerizePip" in run.checks["machine.container"]["hint"]


def test_docker_not_reachable_warns(run_cli, tmp_path, monkeypatch, binfmt):
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path / 'absent.sock'}")
    project = make_project(tmp_path, architecture=SAME)
    run = run_doctor(run_cli, str(project.root), "--offline", "--only", "machine.container")
    check = run.checks["machine.container"]
    assert check["status"] == "warn", check
    assert check["details"][0].startswith(f"no Docker engine answers at unix://{tmp_path / 'absent.sock'}")
    assert run.exit_code == 0


def test_same_architecture_with_docker_passes(run_cli, tmp_path, docker_socket, binfmt):
    project = make_project(tmp_path, architecture=SAME)
    run = run_doctor(run_cli, str(project.root), "--offline", "--only", "machine.container")
    assert run.status("machine.container") == "pass", run.text("machine.container")


def test_no_container_build_or_node_is_skipped(run_cli, tmp_path):
    project = make_project(tmp_path, use_container=False)
    run = run_doctor(run_cli, str(project.root), "--offline", "--only", "machine.container")
    assert run.status("machine.container") == "skip"
    assert run.checks["machine.container"]["message"] == "The project does not build in a container."
    node = make_project(tmp_path, language="node", name="node")
    run = run_doctor(run_cli, str(node.root), "--offline", "--only", "machine.container")
    assert run.status("machine.container") == "skip"
