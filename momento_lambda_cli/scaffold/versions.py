"""Template versions: the live templates, the snapshots of released ones, and rendering either
one into file contents (what `update` merges).

A snapshot (``template_history/<version>.json.gz``) holds one released version's whole
cookiecutter template (every file's text) and its *keep table*: for each file that is not
kept in every project, the choice combinations (framework, runtime, architecture...) in
which :mod:`.layout`'s rules remove it. Old projects are then re-rendered exactly as that
version rendered them, with no network and no old code: the rules travel as data.

The live templates (``project_templates/``) are the current version. A test keeps the
snapshot of the current version equal to them; ``scripts/snapshot_templates.py`` writes it.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from functools import cache
from pathlib import Path
from typing import Any

from momento_lambda_cli import __version__, catalog
from momento_lambda_cli.errors import MomentoLambdaError

HISTORY_DIR = Path(__file__).resolve().parent / "template_history"
SNAPSHOT_FORMAT = 1
SNAPSHOT_SUFFIX = ".json.gz"
TEMPLATE_VERSION_KEY = "_template"
"""Answers-file key: ``{"version": ..., "sha256": ...}``: the template version a project's
files were rendered from and the hash of that rendering (:func:`content_hash`)."""
MANAGED_FILES_KEY = "managed_files"
"""Answers-file key written by `add`: ``{project path: {"template_file": path in the rendered
template, "template_version": version}}``, the files `add` copied from the template."""
GENERATED_BY_KEY = "generated_by"
"""Answers-file key: ``"new"`` (or absent: every file the template renders is managed) or
``"add"`` (only :data:`MANAGED_FILES_KEY` is)."""
NOT_ANSWERS = frozenset({TEMPLATE_VERSION_KEY, MANAGED_FILES_KEY, GENERATED_BY_KEY})

_JUNK = {"__pycache__", ".pytest_cache", "node_modules", ".DS_Store"}
_VERSION = re.compile(r"(\d+)\.(\d+)\.(\d+)(.*)")


def parse_version(text: str) -> tuple[int, int, int, str]:
    """``"1.2.3"`` -> ``(1, 2, 3, "")``; a suffix (``rc1``) sorts after the release only
    lexically, which is enough for the versions this tool publishes."""
    match = _VERSION.fullmatch(text.strip())
    if match is None:
        raise MomentoLambdaError(
            f"{text!r} is not a momento-lambda version.",
            "The answers file records the version as MAJOR.MINOR.PATCH.",
            code="update.bad-version",
        )
    return int(match.group(1)), int(match.group(2)), int(match.group(3)), match.group(4)


@dataclass(frozen=True)
class TemplateSource:
    """One version of the project template: its files and its keep table."""

    version: str
    files: Mapping[str, str]
    """Template-relative path (``cookiecutter.json``, ``{{cookiecutter.project_name}}/...``) -> text."""
    keep: Mapping[str, Any]
    """``{"choices": [variable, ...], "drop": {project path: [[value, ...], ...]}}``."""

    @property
    def sha256(self) -> str:
        return content_hash(self.files)

    def to_json(self) -> str:
        document = {"format": SNAPSHOT_FORMAT, "version": self.version, "keep": self.keep, "files": self.files}
        return json.dumps(document, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def content_hash(files: Mapping[str, str]) -> str:
    """SHA-256 over the sorted (path, text) pairs."""
    import hashlib

    digest = hashlib.sha256()
    for path in sorted(files):
        for part in (path, files[path]):
            data = part.encode("utf-8")
            digest.update(len(data).to_bytes(8, "big"))
            digest.update(data)
    return digest.hexdigest()


def read_tree(root: Path) -> dict[str, str]:
    """Every file under ``root`` (relative path -> text), skipping caches."""
    found = {}
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if any(part in _JUNK for part in relative.parts) or not path.is_file():
            continue
        found[relative.as_posix()] = path.read_text(encoding="utf-8")
    return found


def choice_variables(files: Mapping[str, str]) -> dict[str, list[Any]]:
    """The cookiecutter variables with a fixed list of values (the first is the default)."""
    context = json.loads(files["cookiecutter.json"])
    return {k: list(v) for k, v in context.items() if isinstance(v, list) and not k.startswith("_")}


def keep_table(files: Mapping[str, str]) -> dict[str, Any]:
    """Which files :mod:`.layout`'s current rules drop, for every combination of choices."""
    from momento_lambda_cli.scaffold.answers import Answers, build_answers
    from momento_lambda_cli.scaffold.layout import keeps

    choices = choice_variables(files)
    known = {f.name for f in fields(Answers)}
    names = list(choices)
    prefix = "{{cookiecutter.project_name}}/"
    inner = sorted(path[len(prefix) :] for path in files if path.startswith(prefix))
    drop: dict[str, list[list[Any]]] = {}
    for combo in itertools.product(*(choices[n] for n in names)):
        kwargs = {n: v for n, v in zip(names, combo, strict=True) if n in known}
        try:
            answers = build_answers("snapshot", **kwargs)
        except MomentoLambdaError:  # a combination `new` refuses is never rendered
            continue
        for path in inner:
            if not keeps(path, answers):
                drop.setdefault(path, []).append(list(combo))
    return {"choices": names, "drop": drop}


def live_source() -> TemplateSource:
    """The templates this installation renders (the current version)."""
    from momento_lambda_cli.scaffold.render import template_dir

    return source_from_dir(template_dir(), __version__)


def source_from_dir(template: Path, version: str) -> TemplateSource:
    files = read_tree(template)
    return TemplateSource(version=version, files=files, keep=keep_table(files))


def snapshot_path(version: str, history: Path = HISTORY_DIR) -> Path:
    return history / f"{version}{SNAPSHOT_SUFFIX}"


def snapshot_versions(history: Path = HISTORY_DIR) -> list[str]:
    """The versions with a snapshot, oldest first."""
    found = [p.name[: -len(SNAPSHOT_SUFFIX)] for p in history.glob(f"*{SNAPSHOT_SUFFIX}")]
    return sorted(found, key=parse_version)


@cache
def _load_snapshot(path: Path) -> TemplateSource:
    import gzip

    document = json.loads(gzip.decompress(path.read_bytes()).decode("utf-8"))
    if document.get("format") != SNAPSHOT_FORMAT:
        raise MomentoLambdaError(
            f"{path.name} is a template snapshot of an unknown format.",
            "Reinstall momento-lambda.",
            code="update.bad-snapshot",
        )
    return TemplateSource(version=document["version"], files=document["files"], keep=document["keep"])


def source_for(version: str, current: TemplateSource | None = None, history: Path = HISTORY_DIR) -> TemplateSource:
    """The template of ``version``: ``current`` (default: the live one) when the versions match,
    else the shipped snapshot; raises when this installation has neither."""
    current_version = current.version if current is not None else __version__
    if version == current_version:
        return current if current is not None else live_source()
    path = snapshot_path(version, history)
    if not path.is_file():
        shipped = ", ".join(snapshot_versions(history)) or "none"
        raise MomentoLambdaError(
            f"This installation has no copy of the template of momento-lambda {version} (it has: {shipped}).",
            "Upgrade momento-lambda (`pip install -U momento-lambda`); if it still lacks the version, "
            "re-generate the project with `momento-lambda new` and merge by hand.",
            code="update.unknown-version",
        )
    return _load_snapshot(path)


def load_snapshot(version: str, history: Path = HISTORY_DIR) -> TemplateSource:
    """The shipped snapshot of ``version`` (read once per process)."""
    return _load_snapshot(snapshot_path(version, history))


def write_snapshot(source: TemplateSource, history: Path = HISTORY_DIR) -> Path:
    """Write ``source`` as its version's snapshot (byte-for-byte reproducible: gzip mtime 0)."""
    path = snapshot_path(source.version, history)
    path.parent.mkdir(parents=True, exist_ok=True)
    import gzip

    path.write_bytes(gzip.compress(source.to_json().encode("utf-8"), compresslevel=9, mtime=0))
    return path


def context_from_answers(answers: Mapping[str, Any]) -> dict[str, Any]:
    """Cookiecutter variables from an answers record: ``None`` -> ``""``, numbers -> text.

    Only the answers themselves (:data:`~.answers.ANSWER_FIELDS`) are passed: the template's
    own variables (pinned SDK versions...) and anything else in the file are never rendered."""
    from momento_lambda_cli.scaffold.answers import ANSWER_FIELDS

    context: dict[str, Any] = {}
    for key, value in answers.items():
        if key not in ANSWER_FIELDS:
            continue
        if value is None:
            context[key] = ""
        elif isinstance(value, bool | str):
            context[key] = value
        elif isinstance(value, int | float):
            context[key] = str(value)
    return context


def render(source: TemplateSource, answers: Mapping[str, Any]) -> dict[str, str]:
    """The files ``source`` renders for ``answers`` (project path -> text), pruned by its keep
    table; the answers file is not part of it."""
    from momento_lambda_cli.scaffold.render import cookiecutter_files

    context = context_from_answers(answers)
    import shutil
    import tempfile

    with tempfile.TemporaryDirectory(prefix="momento-lambda-template-") as scratch:
        template = Path(scratch) / "template"
        for relative, text in source.files.items():
            target = template / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8", newline="")
        out = Path(scratch) / "out"
        out.mkdir()
        rendered = Path(cookiecutter_files(template, context, out))
        files = read_tree(rendered)
        shutil.rmtree(out, ignore_errors=True)
    choices = choice_variables(source.files)
    values = [context.get(name) or choices[name][0] for name in source.keep.get("choices", [])]
    drop = source.keep.get("drop", {})
    return {
        path: text for path, text in files.items() if path != catalog.ANSWERS_FILE and values not in drop.get(path, [])
    }


def template_record(source: TemplateSource, files: Mapping[str, str]) -> dict[str, str]:
    """What the answers file records about a rendering (:data:`TEMPLATE_VERSION_KEY`)."""
    return {"version": source.version, "sha256": content_hash(files)}


def newer(version: str, than: str) -> bool:
    return parse_version(version) > parse_version(than)


def versions_between(after: str, up_to: str, versions: Iterable[str]) -> list[str]:
    return [v for v in versions if parse_version(after) < parse_version(v) <= parse_version(up_to)]


def recorded_version(answers: Mapping[str, Any]) -> str:
    """The template version the project's files came from."""
    record = answers.get(TEMPLATE_VERSION_KEY)
    version = record.get("version") if isinstance(record, dict) else answers.get("_tool_version")
    if not isinstance(version, str) or not version:
        raise MomentoLambdaError(
            f"{catalog.ANSWERS_FILE} does not say which momento-lambda version generated the project.",
            f'Add "_tool_version": "X.Y.Z" (the version that generated it) to {catalog.ANSWERS_FILE}.',
            code="update.no-version",
        )
    parse_version(version)
    return version
