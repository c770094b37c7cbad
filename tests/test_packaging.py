"""A normal (non-editable) install from a built wheel works and finds the templates."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from momento_lambda_cli import __version__
from momento_lambda_cli.scaffold.layout import project_files
from tests.support import pythons
from tests.support.generated import render

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def built_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(REPO_ROOT)],
        check=True,
        capture_output=True,
        text=True,
    )
    (wheel,) = out.glob("momento_lambda-*.whl")
    return wheel


@pytest.fixture(scope="session")
def installed_venv(built_wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    venv = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check", str(built_wheel)],
        check=True,
        capture_output=True,
        text=True,
    )
    return venv


@pytest.mark.slow
def test_wheel_ships_the_project_templates(built_wheel: Path):
    names = zipfile.ZipFile(built_wheel).namelist()
    shipped = [n for n in names if n.startswith("momento_lambda_cli/project_templates/")]
    source = [p for p in (REPO_ROOT / "project_templates").rglob("*") if p.is_file()]
    assert shipped, names
    assert len(shipped) == len(source)
    assert not any(n.startswith("tests/") for n in names)


@pytest.mark.slow
def test_installed_command_runs_and_finds_templates_outside_the_checkout(installed_venv: Path, tmp_path: Path):
    command = installed_venv / "bin" / "momento-lambda"
    version = subprocess.run([str(command), "--version"], capture_output=True, text=True, cwd=tmp_path, check=True)
    assert version.stdout.strip() == f"momento-lambda {__version__}"

    help_text = subprocess.run([str(command), "--help"], capture_output=True, text=True, cwd=tmp_path, check=True)
    for name in ("new", "store-token", "doctor"):
        assert name in help_text.stdout

    probe = subprocess.run(
        [
            str(installed_venv / "bin" / "python"),
            "-c",
            "from momento_lambda_cli.templates import templates_root; print(templates_root())",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=True,
    )
    root = Path(probe.stdout.strip())
    assert root.is_dir()
    assert str(root).startswith(str(installed_venv)), root  # the installed copy, not the checkout
    assert (root / "README.md").is_file()


@pytest.mark.slow
def test_python_dash_m_in_installed_venv(installed_venv: Path, tmp_path: Path):
    result = subprocess.run(
        [str(installed_venv / "bin" / "python"), "-m", "momento_lambda_cli", "--version"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=True,
    )
    assert result.stdout.strip() == f"momento-lambda {__version__}"


@pytest.mark.slow
def test_installed_wheel_renders_every_framework(installed_venv: Path, tmp_path: Path):
    command = installed_venv / "bin" / "momento-lambda"
    for framework, runtime in (("sam", "python3.13"), ("serverless", "nodejs24.x")):
        result = subprocess.run(
            [str(command), "new", f"from-wheel-{framework}", "--no-input", "-f", framework, "-r", runtime],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        project = tmp_path / f"from-wheel-{framework}"
        assert (project / ".momento-lambda.json").is_file()
        # pip byte-compiles the installed templates: none of that may reach the project, and
        # the installed copy renders exactly the files a source checkout renders.
        from_wheel = project_files(project)
        assert not [f for f in from_wheel if "__pycache__" in f or f.endswith(".pyc")], from_wheel
        from_source = render(tmp_path / "from-source", name=project.name, framework=framework, runtime=runtime)
        assert from_wheel == project_files(from_source)
        assert (project / ".gitignore").is_file()
        if framework == "sam":
            assert {"template.yaml", "samconfig.toml"} <= {p.name for p in project.iterdir()}
            assert (project / "src" / "momento_client.py").is_file()
        else:
            assert (project / "serverless.yml").is_file()
            assert (project / "src" / "momentoClient.mjs").is_file()
            assert (project / "tests" / "handler.test.mjs").is_file()


def test_the_classifiers_name_every_python_from_requires_python_on():
    """The test matrix (noxfile.py) runs the classifiers' versions: they start at
    requires-python and leave no version out."""
    text = (REPO_ROOT / "pyproject.toml").read_text()
    (minimum,) = re.findall(r'^requires-python = ">=(3\.\d+)"$', text, flags=re.MULTILINE)
    minors = [int(version.split(".")[1]) for version in pythons.supported()]
    assert pythons.supported()[0] == minimum
    assert minors == list(range(minors[0], minors[-1] + 1)), minors
    assert "Programming Language :: Python :: 3 :: Only" in text


@pytest.mark.slow
def test_wheel_ships_every_template_snapshot(built_wheel: Path):
    from momento_lambda_cli.scaffold import versions

    names = set(zipfile.ZipFile(built_wheel).namelist())
    for version in versions.snapshot_versions():
        assert f"momento_lambda_cli/scaffold/template_history/{version}{versions.SNAPSHOT_SUFFIX}" in names
