"""Each writer (`doctor --fix`, `add`, `update`) killed while it writes (integration tier: a
process per run, ~15 s per writer on a quiet machine). `store-token` writes through the same changeset (its apply is
covered in-process in tests/test_store_token_apply.py; here it would need the moto server).

The child runs the real command in-process with a 3 ms pause at each step of the changeset and
says "ready" when the first check passed; the parent then waits a random time and sends SIGINT
or SIGKILL. Every file must be wholly old or wholly new; after SIGINT the whole project is one
or the other and no temp file is left.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from momento_lambda_cli.project import changeset as cs
from tests.support import add_projects
from tests.support.doctor_projects import make_project
from tests.support.template_versions import commit_all, released_project

pytestmark = [pytest.mark.integration, pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")]

RUNS_PER_WRITER = int(os.environ.get("KILL_RUNS", "4"))
"""Kills per writer: 4 in every run (CI's budget); ``KILL_RUNS=50`` for the full check (issue #23)."""

CHILD = r"""
import sys, time
import momento_lambda_cli.project.changeset as cs
real = cs.Changeset.apply
def apply(self, *, hook=None):
    def pause(name, change):
        if name == "checked":
            print("ready", flush=True)
        time.sleep(0.003)
    return real(self, hook=pause)
cs.Changeset.apply = apply
if sys.argv[1] == "update":
    from momento_lambda_cli.scaffold import versions
    from tests.support.template_versions import next_template
    source = next_template()
    versions.live_source = lambda: source
from momento_lambda_cli.cli import main
code = main(sys.argv[1:])
print("done", flush=True)
sys.exit(code)
"""


def _files(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in root.rglob("*")
        if p.is_file() and ".git" not in p.relative_to(root).parts
    }


def _temps(root: Path) -> list[str]:
    return [p.name for p in root.rglob(f"*{cs.TEMP_SUFFIX}")]


def _doctor_fix(base: Path) -> tuple[Path, list[str]]:
    project = make_project(base)
    project.edit("template.yaml", "Timeout: 10", "Timeout: 3")
    project.edit("samconfig.toml", "use_container = true", "use_container = false")
    return project.root, ["doctor", str(project.root), "--offline", "--only", "project", "--fix"]


def _add(base: Path) -> tuple[Path, list[str]]:
    root = add_projects.make(base, "sam-hello-python")
    return root, ["add", str(root), "--no-input"]


def _update(base: Path) -> tuple[Path, list[str]]:
    root = released_project(base)
    commit_all(root)
    return root, ["update", str(root)]


WRITERS = {"doctor --fix": _doctor_fix, "add": _add, "update": _update}


def _run(args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
        env=env,
        cwd=Path(__file__).resolve().parents[1],
    )


@pytest.mark.parametrize("writer", sorted(WRITERS))
def test_a_writer_killed_while_writing_leaves_each_file_old_or_new(tmp_path: Path, writer: str) -> None:
    seed = int(os.environ.get("KILL_SEED", random.randrange(1 << 30)))
    rng = random.Random(seed)
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "HOME": str(tmp_path / "home")}
    template, args = WRITERS[writer](tmp_path / "template")
    old = _files(template)
    # the reference: the same writer, not killed
    reference = tmp_path / "reference"
    shutil.copytree(template, reference, symlinks=True)
    done = _run([a.replace(str(template), str(reference)) for a in args], env)
    out, _ = done.communicate(timeout=120)
    assert b"ready" in out, f"{writer} wrote nothing: {out!r}"
    new = _files(reference)
    assert new != old
    for run in range(RUNS_PER_WRITER):
        root = tmp_path / f"run{run}"
        shutil.copytree(template, root, symlinks=True)
        sig = signal.SIGINT if run % 2 == 0 else signal.SIGKILL
        child = _run([a.replace(str(template), str(root)) for a in args], env)
        assert child.stdout is not None
        line = child.stdout.readline()
        assert line == b"ready\n", line
        time.sleep(rng.uniform(0, 0.03))
        child.send_signal(sig)
        child.wait(timeout=60)
        child.stdout.close()
        files = _files(root)
        where = f"{writer}: seed {seed} run {run} {sig.name}"
        visible = {k: v for k, v in files.items() if not k.endswith(cs.TEMP_SUFFIX)}
        for name in {*old, *new}:
            assert visible.get(name) in {old.get(name), new.get(name)}, f"{name} neither old nor new ({where})"
        if sig == signal.SIGINT:
            assert visible in (old, new), f"a mix ({where})"
            assert _temps(root) == [], where
