"""The README's quick start, run literally as a new user would: the install block (the plain
venv route, put on PATH) in a fresh HOME, then the quick start's render-and-check block, then
the first offline command of the next steps `new` printed, as printed (#26: they used to fail
with `momento-lambda: command not found`, and the demo landed inside the clone)."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
README = REPO_ROOT / "README.md"
NEEDS_AWS = ("momento-lambda store-token", "sam ", "serverless ", "npm ", "npx ")
"""Next steps that need an AWS account, the key, Docker or Node.js: the test stops before them."""


def _blocks(section: str) -> list[str]:
    text = README.read_text(encoding="utf-8")
    body = text.split(f"## {section}\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.*?)\n```", body, flags=re.S)


def _script(block: str) -> str:
    lines = [line.split("  #", 1)[0].rstrip() for line in block.splitlines()]
    return "set -euo pipefail\n" + "\n".join(line for line in lines if line and not line.startswith("#")) + "\n"


def _bash(script: str, home: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {
        "HOME": str(home),
        "PATH": os.environ["PATH"],
        "LANG": "C.UTF-8",
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        **{k: v for k, v in os.environ.items() if k.startswith(("PIP_", "PYENV"))},
    }
    return subprocess.run(
        ["bash", "-c", script], cwd=cwd, env=env, capture_output=True, text=True, timeout=900, check=False
    )


def test_the_readme_names_the_tool_installers_and_a_venv_route():
    install = _blocks("Install")
    assert "pipx install ." in install[0] and "uv tool install ." in install[0]
    venv = install[1]
    assert "python3 -m venv" in venv and "pip install ." in venv and 'export PATH="' in venv
    quick = _blocks("Quick start")[0]
    assert quick.startswith("cd ~ && momento-lambda new demo --no-input"), "the demo is rendered outside the clone"


def _install_venv_route(home: Path, tmp_path: Path) -> str:
    """The README's plain-venv install; returns the line that puts it on PATH."""
    install = _blocks("Install")[1]
    path_line = next(line for line in install.splitlines() if line.startswith("export PATH="))
    installed = _bash(_script(install.replace(path_line, "")), home, REPO_ROOT)  # `pip install .` in the clone
    assert installed.returncode == 0, installed.stdout[-3000:] + installed.stderr[-3000:]
    return path_line


def _install_pipx_route(home: Path, tmp_path: Path) -> str:
    """The README's `pipx install .`, with a pipx the user already has (bootstrapped here into
    its own venv outside HOME when none is on PATH); returns the line `pipx ensurepath` amounts to."""
    import shutil
    import sys

    pipx = shutil.which("pipx")
    if pipx is None:
        tool = tmp_path / "pipx-venv"
        subprocess.run([sys.executable, "-m", "venv", str(tool)], check=True, capture_output=True)
        bootstrap = subprocess.run(
            [str(tool / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check", "pipx"],
            capture_output=True,
            text=True,
            check=False,
        )
        if bootstrap.returncode != 0:
            pytest.skip(f"pipx could not be installed from the package index: {bootstrap.stderr[-500:]}")
        pipx = str(tool / "bin" / "pipx")
    first = _blocks("Install")[0].splitlines()[0].split("#", 1)[0].strip()
    assert first == "pipx install ."
    installed = _bash(f'set -euo pipefail\nexport PATH="{Path(pipx).parent}:$PATH"\n{first}\n', home, REPO_ROOT)
    assert installed.returncode == 0, installed.stdout[-3000:] + installed.stderr[-3000:]
    assert (home / ".local" / "bin" / "momento-lambda").exists()
    return 'export PATH="$HOME/.local/bin:$PATH"'


@pytest.mark.slow
@pytest.mark.parametrize("route", ["venv", "pipx"])
def test_the_quick_start_runs_as_printed_in_a_fresh_home(tmp_path: Path, route: str):
    home = tmp_path / "home"
    home.mkdir()
    quick = _blocks("Quick start")[0]
    path_line = (_install_venv_route if route == "venv" else _install_pipx_route)(home, tmp_path)

    started = _bash(_script(path_line + "\n" + quick), home, REPO_ROOT)
    assert started.returncode == 0, started.stdout[-3000:] + started.stderr[-3000:]
    project = home / "demo"
    assert (project / ".momento-lambda.json").is_file()
    assert not (REPO_ROOT / "demo").exists()

    # The next steps `new` printed, run as printed: `cd` into the project, then the first
    # command that needs no AWS account, key or Docker.
    steps = started.stdout.split("Next steps:", 1)[1].split("\n\n", 1)[0]
    commands = [line.split("  #", 1)[0].strip() for line in steps.strip().splitlines()]
    assert commands[0] == "cd demo", commands
    offline = next(c for c in commands[1:] if not c.startswith(NEEDS_AWS))
    assert offline == "momento-lambda doctor --offline", commands
    ran = _bash(_script(f"{path_line}\ncd ~\n{commands[0]}\n{offline}"), home, REPO_ROOT)
    assert ran.returncode == 0, ran.stdout[-3000:] + ran.stderr[-3000:]
    assert "checks passed" in ran.stdout
