"""The unit tier (``pytest -m unit``) on every Python the tool supports.

``scripts/test.sh`` runs every tier on its own Python (``.venv``) and then, through ``nox``,
the unit tier on each other supported Python (the tier that holds every Python-sensitive
behaviour: tomllib or tomlkit, typing, ``ast``): the default sessions are ``unit-X.Y`` for
every supported version but the one nox runs on. The supported versions are the
classifiers of ``pyproject.toml``; interpreters are found on ``PATH`` or in pyenv
(``tests/support/pythons.py``), never downloaded. A missing interpreter is reported and its
session skipped; with ``CI=true`` nox fails instead. Each session keeps its venv in ``.nox/``
and reinstalls the package (editable, with the ``test`` extra) only when ``pyproject.toml``
changes.

    .venv/bin/nox                      # the default sessions
    .venv/bin/nox -s unit-3.12 -- -k doctor
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

import nox

sys.path.insert(0, str(Path(__file__).parent))
from tests.support import pythons

nox.needs_version = ">=2025.10.14"
nox.options.default_venv_backend = "venv"
nox.options.reuse_venv = "yes"
nox.options.download_python = "never"
nox.options.error_on_missing_interpreters = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

SUPPORTED = list(pythons.supported())
nox.options.sessions = [f"unit-{version}" for version in SUPPORTED if version != pythons.current()]

# `pythonX.Y` resolves to a working interpreter even where it is a pyenv shim of an unselected version.
_LINKS = pythons.link_dir(Path(__file__).parent / ".nox" / "pythons", tuple(SUPPORTED))
os.environ["PATH"] = f"{_LINKS}{os.pathsep}{os.environ.get('PATH', '')}"


def _install(session: nox.Session) -> None:
    """``pip install -e .[test]`` unless this venv already has it for the current pyproject.toml."""
    stamp = Path(session.virtualenv.location) / ".momento-lambda-install"
    digest = hashlib.sha256(Path("pyproject.toml").read_bytes()).hexdigest()
    if stamp.is_file() and stamp.read_text() == digest:
        return
    session.install("--disable-pip-version-check", "-e", ".[test]")
    stamp.write_text(digest)


@nox.session(python=SUPPORTED)
def unit(session: nox.Session) -> None:
    """The unit tier, on every core (arguments after ``--`` go to pytest)."""
    _install(session)
    session.run("python", "-m", "pytest", "-m", "unit", "-p", "no:cacheprovider", *session.posargs)
