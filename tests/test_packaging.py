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


# --- the package's metadata, from a wheel and an sdist built in-process by the build backend ---


def _build(kind: str, out: Path) -> Path:
    from hatchling.builders.sdist import SdistBuilder
    from hatchling.builders.wheel import WheelBuilder

    builder = {"wheel": WheelBuilder, "sdist": SdistBuilder}[kind](str(REPO_ROOT))
    (built,) = list(builder.build(directory=str(out), versions=["standard"]))
    return Path(built)


@pytest.fixture(scope="module")
def wheel_metadata(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[str], str]:
    wheel = _build("wheel", tmp_path_factory.mktemp("wheel"))
    archive = zipfile.ZipFile(wheel)
    names = archive.namelist()
    (metadata_name,) = [n for n in names if n.endswith(".dist-info/METADATA")]
    return names, archive.read(metadata_name).decode()


def test_wheel_carries_the_license_text(wheel_metadata):
    names, metadata = wheel_metadata
    licenses = [n for n in names if n.endswith(".dist-info/licenses/LICENSE")]
    assert licenses, names
    text = (REPO_ROOT / "LICENSE").read_text()
    assert "Apache License" in text and "Version 2.0, January 2004" in text
    assert "END OF TERMS AND CONDITIONS" in text and "APPENDIX: How to apply the Apache License" in text
    assert "License-Expression: Apache-2.0" in metadata
    assert "License-File: LICENSE" in metadata


def test_wheel_names_the_project_urls(wheel_metadata):
    _, metadata = wheel_metadata
    urls = dict(
        line.removeprefix("Project-URL: ").split(", ", 1)
        for line in metadata.splitlines()
        if line.startswith("Project-URL: ")
    )
    assert set(urls) == {"Homepage", "Documentation", "Source", "Issues", "Changelog"}, urls
    assert all(u.startswith("https://") for u in urls.values()), urls


def test_the_crash_message_links_the_issues_url_of_the_metadata(monkeypatch):
    """One place for the URLs: the code reads ``Issues`` from the installed package's metadata."""
    from importlib import metadata

    import momento_lambda_cli

    real = metadata.metadata

    class Fake(dict):
        def get_all(self, key):
            return (
                ["Homepage, https://example.test/home", "Issues, https://example.test/bugs"]
                if key == "Project-URL"
                else []
            )

    monkeypatch.setattr(metadata, "metadata", lambda name: Fake() if name == "momento-lambda" else real(name))
    assert momento_lambda_cli.issues_url() == "https://example.test/bugs"
    assert momento_lambda_cli.project_url("homepage") == "https://example.test/home"
    text = (REPO_ROOT / "pyproject.toml").read_text()
    (declared,) = re.findall(r'^Issues = "(.+)"$', text, flags=re.MULTILINE)
    assert momento_lambda_cli._FALLBACK_URLS["Issues"] == declared  # the uninstalled fallback agrees


def test_wheel_classifiers_and_no_typer_cap(wheel_metadata):
    _, metadata = wheel_metadata
    classifiers = [
        line.removeprefix("Classifier: ") for line in metadata.splitlines() if line.startswith("Classifier: ")
    ]
    assert any(c.startswith("Development Status :: ") for c in classifiers), classifiers
    assert any(c.startswith("Operating System :: ") for c in classifiers), classifiers
    (typer,) = [line for line in metadata.splitlines() if line.startswith("Requires-Dist: typer")]
    assert "<" not in typer, typer  # lazy imports keep start-up fast, not a cap that fights users' environments


def test_wheel_ships_templates_and_no_tests(wheel_metadata):
    names, _ = wheel_metadata
    assert any(n.startswith("momento_lambda_cli/project_templates/") for n in names)
    assert not [n for n in names if n.startswith(("tests/", "docs/", "benchmarks/")) or "__pycache__" in n]


def test_sdist_carries_tests_and_fixtures_but_no_stray_files(tmp_path: Path):
    import tarfile

    sdist = _build("sdist", tmp_path)
    with tarfile.open(sdist) as archive:
        names = [n.split("/", 1)[1] for n in archive.getnames() if "/" in n]
    for needed in ("LICENSE", "README.md", "CHANGELOG.md", "pyproject.toml", "mkdocs.yml", "tests/conftest.py"):
        assert needed in names, needed
    assert any(n.startswith("tests/fixtures/") for n in names)
    assert "docs/checks.md" in names
    assert any(n.startswith("project_templates/") for n in names)
    stray = [
        n
        for n in names
        if n.startswith((".venv", ".tools", ".nox", "build/", "dist/", "site/", "demo/", ".git/"))
        or "__pycache__" in n
        or n.endswith((".pyc", ".pyo"))
    ]
    assert not stray, stray
