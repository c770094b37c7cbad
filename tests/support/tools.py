"""Find the external tools the slow tests drive (installed by scripts/install-tools.sh).

Outside CI a missing tool skips the test with a hint; in CI (``CI=true``) it fails, so a
green CI always means the tool really ran.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.support import pythons

REPO_ROOT = Path(__file__).resolve().parents[2]
TOOLS_DIR = Path(os.environ.get("MOMENTO_LAMBDA_TOOLS", REPO_ROOT / ".tools"))

_KNOWN = {
    "sam": TOOLS_DIR / "sam" / "bin" / "sam",
    "osls": TOOLS_DIR / "node" / "node_modules" / ".bin" / "osls",
    "node-tools": TOOLS_DIR / "node" / "node_modules",
}


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require_python(version: str) -> Path:
    """The interpreter for Python ``version`` (``"3.12"``), or skip/fail.

    In CI a missing interpreter fails only for a version the tool supports (the classifiers
    of pyproject.toml); one the tool does not claim (a newer Lambda runtime) skips.
    """
    found = pythons.find(version)
    if found is not None:
        return found
    message = f"python{version} is not installed (pyenv install {version}, or put python{version} on PATH)"
    if in_ci() and version in pythons.supported():
        pytest.fail(message)
    pytest.skip(message)


def require_tool(name: str) -> Path:
    """The path of tool ``name`` (``sam``, ``osls``, ``node``, ``npm``...), or skip/fail."""
    known = _KNOWN.get(name)
    if known is not None and known.exists():
        return known
    found = shutil.which(name)
    if found:
        return Path(found)
    message = f"{name} is not installed: run scripts/install-tools.sh (scripts/test.sh does it)"
    if in_ci():
        pytest.fail(message)
    pytest.skip(message)
