"""The Python interpreters on this machine: which versions the tool supports, where each one is.

Stdlib only: ``noxfile.py`` imports it too. The supported versions are the
``Programming Language :: Python :: 3.X`` classifiers of ``pyproject.toml``. An interpreter
is ``pythonX.Y`` on ``PATH`` when it runs and reports that version (a pyenv shim for a
version that is not selected does not), else pyenv's ``$PYENV_ROOT/versions/X.Y.*``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
_CLASSIFIER = re.compile(r'"Programming Language :: Python :: (3\.\d+)"')


def supported() -> tuple[str, ...]:
    """The Python versions the tool claims, oldest first (``("3.10", "3.11", ...)``)."""
    versions = _CLASSIFIER.findall((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return tuple(sorted(set(versions), key=lambda v: tuple(map(int, v.split(".")))))


def current() -> str:
    """The ``X.Y`` of the interpreter running this code."""
    return f"{sys.version_info[0]}.{sys.version_info[1]}"


def _reports(executable: str | Path, version: str) -> bool:
    try:
        result = subprocess.run(
            [str(executable), "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except OSError:
        return False
    return result.returncode == 0 and result.stdout.strip() == version


def _pyenv_root() -> Path | None:
    if os.environ.get("PYENV_ROOT"):
        return Path(os.environ["PYENV_ROOT"])
    pyenv = shutil.which("pyenv")
    if pyenv is not None:
        result = subprocess.run([pyenv, "root"], capture_output=True, text=True, timeout=30, check=False)
        if result.returncode == 0 and result.stdout.strip():
            return Path(result.stdout.strip())
    default = Path.home() / ".pyenv"
    return default if default.is_dir() else None


@cache
def find(version: str) -> Path | None:
    """The real ``pythonX.Y`` executable for ``version`` (``"3.12"``), or ``None``."""
    if current() == version:
        return Path(sys.executable)
    on_path = shutil.which(f"python{version}")
    if on_path is not None and _reports(on_path, version):
        return Path(on_path)
    root = _pyenv_root()
    if root is not None:
        for candidate in _pyenv_candidates(root, version):
            if _reports(candidate, version):
                return candidate
    return None


def _pyenv_candidates(root: Path, version: str) -> list[Path]:
    """pyenv's ``versions/X.Y.Z/bin/pythonX.Y`` for ``version``, newest patch first (3.12.10
    before 3.12.9). Other names (``3.12-dev``, ``3.13.0t``, virtualenvs) are not that CPython."""
    found = []
    for candidate in (root / "versions").glob(f"{version}.*/bin/python{version}"):
        match = re.fullmatch(rf"{re.escape(version)}\.(\d+)", candidate.parents[1].name)
        if match is not None:
            found.append((int(match.group(1)), candidate))
    return [candidate for _, candidate in sorted(found, key=lambda item: item[0], reverse=True)]


def link_dir(directory: Path, versions: tuple[str, ...]) -> Path:
    """Fill ``directory`` with ``pythonX.Y`` links to the interpreters found for ``versions``
    (only those), for a ``PATH`` on which each found version runs under its own name."""
    directory.mkdir(parents=True, exist_ok=True)
    for version in versions:
        link = directory / f"python{version}"
        found = find(version)
        if link.is_symlink() or link.exists():
            link.unlink()
        if found is not None:
            link.symlink_to(found)
    return directory
