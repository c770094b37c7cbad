"""How the test matrix finds its Pythons (``tests/support/pythons.py``: ``pythonX.Y`` on PATH
that runs and reports that version, else pyenv's ``versions/X.Y.Z``), and what happens to a
missing one: ``require_python`` and nox (``noxfile.py``) report and skip it, and fail with
``CI=true``. Missing interpreters are made by emptying PATH and pointing pyenv at an empty
root; found ones are links to the real interpreters of this machine."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import pythons
from tests.support.tools import in_ci, require_python

pytestmark = pytest.mark.integration  # runs the Python interpreters it finds

REPO_ROOT = Path(__file__).resolve().parents[1]
OTHERS = [version for version in pythons.supported() if version != pythons.current()]


@pytest.fixture(scope="session")
def found() -> dict[str, Path | None]:
    """The real interpreters of the other supported versions, looked up before any test
    empties PATH."""
    return {version: pythons.find(version) for version in OTHERS}


@pytest.fixture
def other(found: dict[str, Path | None]) -> tuple[str, Path]:
    """A supported version other than the running one, and its real interpreter."""
    for version, interpreter in found.items():
        if interpreter is not None:
            return version, interpreter
    return OTHERS[0], require_python(OTHERS[0])  # skips, or fails in CI


@pytest.fixture
def machine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, found: dict[str, Path | None]
) -> Iterator[tuple[Path, Path]]:
    """A machine with no Python but this one: an empty ``bin`` as PATH and an empty pyenv
    root; returns both for the test to fill."""
    bin_dir, root, home = tmp_path / "bin", tmp_path / "pyenv", tmp_path / "home"
    for folder in (bin_dir, root / "versions", home):
        folder.mkdir(parents=True)
    monkeypatch.setenv("PATH", str(bin_dir))
    monkeypatch.setenv("PYENV_ROOT", str(root))
    monkeypatch.setenv("HOME", str(home))
    pythons.find.cache_clear()
    yield bin_dir, root
    pythons.find.cache_clear()


def pyenv_version(root: Path, name: str, version: str, interpreter: Path) -> Path:
    """``root/versions/<name>/bin/pythonX.Y``, a link to ``interpreter``."""
    executable = root / "versions" / name / "bin" / f"python{version}"
    executable.parent.mkdir(parents=True)
    executable.symlink_to(interpreter)
    return executable


def test_nothing_on_path_and_nothing_in_pyenv_is_missing(machine, other):
    version, _ = other
    assert pythons.find(version) is None


def test_a_python_on_path_that_reports_its_version_is_used(machine, other):
    version, interpreter = other
    bin_dir, root = machine
    pyenv_version(root, f"{version}.1", version, interpreter)
    (bin_dir / f"python{version}").symlink_to(interpreter)
    assert pythons.find(version) == bin_dir / f"python{version}"


@pytest.mark.parametrize("impostor", ["pyenv shim of an unselected version", "another Python"])
def test_a_python_on_path_that_does_not_report_its_version_is_passed_over_for_pyenv(machine, other, impostor):
    version, interpreter = other
    bin_dir, root = machine
    on_path = bin_dir / f"python{version}"
    if impostor == "another Python":
        on_path.symlink_to(sys.executable)
    else:  # what pyenv's shim prints and returns when no selected version has the command
        on_path.write_text(f'#!/bin/sh\necho "pyenv: python{version}: command not found" >&2\nexit 127\n')
        on_path.chmod(0o755)
    in_pyenv = pyenv_version(root, f"{version}.4", version, interpreter)
    assert pythons.find(version) == in_pyenv


def test_pyenv_gives_its_newest_patch_of_plain_cpython(machine, other):
    version, interpreter = other
    _, root = machine
    for name in (f"{version}.9", f"{version}-dev", f"{version}.11t", "venv-on-it"):
        pyenv_version(root, name, version, interpreter)
    newest = pyenv_version(root, f"{version}.10", version, interpreter)
    assert pythons.find(version) == newest


def test_pyenv_root_defaults_to_home_pyenv(machine, other, monkeypatch):
    version, interpreter = other
    monkeypatch.delenv("PYENV_ROOT")
    root = Path(os.environ["HOME"]) / ".pyenv"
    in_pyenv = pyenv_version(root, f"{version}.2", version, interpreter)
    assert pythons.find(version) == in_pyenv


def test_every_supported_version_pyenv_lists_is_found():
    """On this machine: each ``pyenv versions`` entry X.Y.Z of a supported version gives
    ``find("X.Y")`` an interpreter of that version."""
    pyenv = shutil.which("pyenv")
    if pyenv is None:
        pytest.skip("no pyenv on PATH")
    listed = subprocess.run([pyenv, "versions", "--bare"], capture_output=True, text=True, check=True).stdout.split()
    versions = {version for version in pythons.supported() for name in listed if re.fullmatch(rf"{version}\.\d+", name)}
    assert versions, listed
    for version in sorted(versions):
        found = pythons.find(version)
        assert found is not None, version
        reported = subprocess.run(
            [str(found), "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        assert reported.stdout.strip() == version


def isolated_env(machine: tuple[Path, Path], ci: bool) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "NOX")) and k != "CI"}
    if ci:
        env["CI"] = "true"
    return env


@pytest.mark.parametrize("ci", [False, True], ids=["local", "CI"])
def test_require_python_skips_a_missing_python_and_fails_in_ci(machine, tmp_path, ci):
    """A supported version fails in CI; one the tool does not claim (a newer Lambda runtime)
    skips everywhere."""
    missing, unclaimed = OTHERS[0], "3.99"
    (tmp_path / "test_needs.py").write_text(
        "from tests.support.tools import require_python\n\n\n"
        f"def test_supported():\n    require_python({missing!r})\n\n\n"
        f"def test_unclaimed():\n    require_python({unclaimed!r})\n"
    )
    env = {**isolated_env(machine, ci), "PYTHONPATH": str(REPO_ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-rs", "-q", str(tmp_path / "test_needs.py")],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    out = result.stdout
    assert f"python{missing} is not installed (pyenv install {missing}, or put python{missing} on PATH)" in out, out
    assert "python3.99 is not installed" in out, out
    if ci:
        assert result.returncode == 1 and "1 failed, 1 skipped" in out, out
    else:
        assert result.returncode == 0 and "2 skipped" in out, out


def nox_python() -> str:
    """A Python that has nox: this one, else the repository's ``.venv`` (a nox session's venv
    holds the ``test`` extra only)."""
    if importlib.util.find_spec("nox") is not None:
        return sys.executable
    venv_python = REPO_ROOT / ".venv" / "bin" / "python"
    if venv_python.is_file():
        return str(venv_python)
    if in_ci():
        pytest.fail("nox is not installed (pip install -e '.[dev]')")
    pytest.skip("nox is not installed (pip install -e '.[dev]')")


def nox_checkout(tmp_path: Path) -> Path:
    """The noxfile, what it imports and pyproject.toml, in a folder of their own (so the
    sessions' ``.nox/`` is not the repository's)."""
    checkout = tmp_path / "checkout"
    (checkout / "tests" / "support").mkdir(parents=True)
    for name in ("noxfile.py", "pyproject.toml", "tests/__init__.py", "tests/support/__init__.py"):
        shutil.copyfile(REPO_ROOT / name, checkout / name)
    shutil.copyfile(REPO_ROOT / "tests" / "support" / "pythons.py", checkout / "tests" / "support" / "pythons.py")
    return checkout


def nox(checkout: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    python = nox_python()
    return subprocess.run(
        [python, "-m", "nox", *args], cwd=checkout, env=env, capture_output=True, text=True, timeout=300, check=False
    )


def nox_version(python: str) -> str:
    return subprocess.run(
        [python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"], capture_output=True, text=True, check=True
    ).stdout.strip()


def test_nox_has_a_unit_session_per_supported_python_and_links_the_ones_found(machine, other, tmp_path):
    """The default sessions are every supported version but nox's own; an interpreter found in
    pyenv is linked as ``pythonX.Y`` into the PATH nox uses."""
    version, interpreter = other
    _, root = machine
    pyenv_version(root, f"{version}.3", version, interpreter)
    checkout = nox_checkout(tmp_path)
    result = nox(checkout, isolated_env(machine, ci=False), "--list")
    assert result.returncode == 0, result.stdout + result.stderr
    own = nox_version(nox_python())
    listed = {name: mark for mark, name in re.findall(r"^([*-]) (unit-3\.\d+) ", result.stdout, re.MULTILINE)}
    assert listed == {f"unit-{v}": "-" if v == own else "*" for v in pythons.supported()}, result.stdout
    link = checkout / ".nox" / "pythons" / f"python{version}"
    assert link.resolve() == interpreter.resolve()


@pytest.mark.parametrize("ci", [False, True], ids=["local", "CI"])
def test_nox_reports_and_skips_a_missing_python_and_fails_in_ci(machine, tmp_path, ci):
    checkout = nox_checkout(tmp_path)
    own = nox_version(nox_python())
    missing = [v for v in pythons.supported() if v != own]
    result = nox(checkout, isolated_env(machine, ci))
    log = result.stderr
    for version in missing:
        if ci:
            assert f"Session unit-{version} failed: Python interpreter {version} not found" in log, log
        else:
            assert f"Session unit-{version} skipped: Python interpreter {version} not found" in log, log
    assert result.returncode == (1 if ci else 0), log
    assert not (checkout / ".nox" / "pythons" / f"python{missing[0]}").exists()
