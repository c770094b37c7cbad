"""Released versions of momento-lambda, rendered by their own code from this repository's history.

A template snapshot (``scaffold/template_history/<version>.json.gz``) must be what that release
rendered, or `update` merges from the wrong base. The only witness is the released code
itself: :func:`render_release` extracts the release commit's package and templates with
``git archive`` and runs its own ``new`` (in one child process, the current environment's
libraries) for each combination of choices.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tarfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

from momento_lambda_cli import catalog
from momento_lambda_cli.scaffold import versions

REPO = Path(__file__).resolve().parents[2]

RELEASES: Mapping[str, str] = {
    "0.1.0": "72f777268196b8a17801c10b205483bde44db592",  # end of round one, the last 0.1.0 commit
    "0.2.0": "4ff6311002f63b3f886f3ba13a6813be046d2831",  # end of round two, before 3440bfc began 0.3.0
}
"""Each released version -> the commit it was released from (the last commit of that version)."""

TEMPLATE = "project_templates/momento-lambda"

_OPTION_OF = {"framework": "-f", "runtime": "-r", "architecture": "-a", "init_client": "--init-client"}
"""The `new` option that sets each choice variable of the released templates."""

_DRIVER = """
import json, sys
from typer.testing import CliRunner
from momento_lambda_cli.cli import app

runner = CliRunner()
for name, args in json.loads(sys.argv[1]):
    result = runner.invoke(app, ["new", name, "--no-input", "-o", sys.argv[2], *args])
    if result.exit_code != 0:
        sys.exit(f"new {name} {args}: exit {result.exit_code}\\n{result.output}\\n{result.exception!r}")
"""


def history_available(version: str) -> bool:
    """Whether this checkout holds the release commit (an sdist or shallow clone does not)."""
    if not (REPO / ".git").exists():
        return False
    probe = subprocess.run(
        ["git", "-C", str(REPO), "cat-file", "-e", f"{RELEASES[version]}^{{commit}}"],
        capture_output=True,
        check=False,
    )
    return probe.returncode == 0


def extract(version: str, dest: Path) -> Path:
    """The release's package and templates, as they were at its commit, under ``dest``."""
    archive = subprocess.run(
        [
            "git",
            "-C",
            str(REPO),
            "archive",
            "--format=tar",
            RELEASES[version],
            "momento_lambda_cli",
            "project_templates",
        ],
        capture_output=True,
        check=True,
    ).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(dest, filter="data")
    return dest


@dataclass(frozen=True)
class Rendering:
    combo: tuple[Any, ...]
    """The choice values, in the order of the template's choice variables."""
    answers: dict[str, Any]
    """The answers file the release wrote."""
    files: dict[str, str]
    """Every other file it wrote (project path -> text)."""


def combinations(template_files: Mapping[str, str]) -> tuple[list[str], list[tuple[Any, ...]]]:
    """The template's choice variables and every combination of their values."""
    import itertools

    choices = versions.choice_variables(template_files)
    names = list(choices)
    return names, list(itertools.product(*(choices[n] for n in names)))


def render_release(
    code: Path, names: Sequence[str], combos: Sequence[tuple[Any, ...]], out: Path, extra: Sequence[str] = ()
) -> list[Rendering]:
    """Run the released ``new`` (package under ``code``) once per combination, with ``extra``
    options too; the projects land under ``out``."""
    jobs = []
    for index, combo in enumerate(combos):
        args = [arg for name, value in zip(names, combo, strict=True) for arg in (_OPTION_OF[name], str(value))]
        jobs.append((f"p{index}", [*args, *extra]))
    out.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [sys.executable, "-c", _DRIVER, json.dumps(jobs), str(out)],
        cwd=code,
        env={"PYTHONPATH": str(code), "PATH": "/usr/bin:/bin", "NO_COLOR": "1", "HOME": str(out)},
        check=True,
        timeout=600,
    )
    renderings = []
    for (name, _args), combo in zip(jobs, combos, strict=True):
        files = versions.read_tree(out / name)
        answers = json.loads(files.pop(catalog.ANSWERS_FILE))
        renderings.append(Rendering(combo=combo, answers=answers, files=files))
    return renderings


def release_source(version: str, scratch: Path) -> tuple[versions.TemplateSource, list[Rendering]]:
    """What release ``version`` is, as a snapshot: its template files, and the keep table its own
    code decides (for each combination, the template files it did not write); with the
    renderings it was built from."""
    code = extract(version, scratch / "code")
    template_files = versions.read_tree(code / TEMPLATE)
    names, combos = combinations(template_files)
    renderings = render_release(code, names, combos, scratch / "out")
    prefix = "{{cookiecutter.project_name}}/"
    inner = sorted(path[len(prefix) :] for path in template_files if path.startswith(prefix))
    drop: dict[str, list[list[Any]]] = {}
    for rendering in renderings:
        for path in inner:
            if path not in rendering.files:
                drop.setdefault(path, []).append(list(rendering.combo))
    source = versions.TemplateSource(version=version, files=template_files, keep={"choices": names, "drop": drop})
    return source, renderings
