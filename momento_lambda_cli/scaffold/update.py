"""`momento-lambda update`: carry a newer template into a generated project.

Three renderings meet per managed file: *base* (the project's recorded template version with
its recorded answers, from the shipped snapshot), *yours* (the file as it is now) and *new*
(the current template with the same answers, or with ``--answer`` changes). Where only one
side changed, that side wins; where both changed, ``git merge-file`` merges, and what it cannot
becomes conflict markers or a ``.rej`` file.

Managed files: every file the template renders (projects made by `new`), or the files `add`
recorded in the answers file's ``managed_files``. Nothing else is read or written.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from enum import Enum
from pathlib import Path
from typing import Any

from momento_lambda_cli import catalog
from momento_lambda_cli.errors import MomentoLambdaError
from momento_lambda_cli.project.answers import load_answers, refuse_unread, render_answers
from momento_lambda_cli.project.changeset import Changeset, unified_diff
from momento_lambda_cli.project.files import NotText, read_text, resolve_target
from momento_lambda_cli.project.load import require_folder
from momento_lambda_cli.retrofit import client
from momento_lambda_cli.scaffold import versions
from momento_lambda_cli.scaffold.merge import merge_texts
from momento_lambda_cli.scaffold.versions import (
    GENERATED_BY_KEY,
    MANAGED_FILES_KEY,
    TEMPLATE_VERSION_KEY,
    TemplateSource,
    recorded_version,
)

CONFLICT_MODES = ("inline", "rej")
REJ_SUFFIX = ".rej"


class Action(str, Enum):
    UNCHANGED = "unchanged"
    """Nothing to do (also: yours and the new template agree)."""
    KEPT = "kept"
    """You changed the file and the template did not: yours stays."""
    UPDATED = "updated"
    """The template changed the file and you did not: the new template's text."""
    MERGED = "merged"
    """Both changed it in different places: merged."""
    CONFLICT = "conflict"
    """Both changed the same lines: markers (inline) or yours plus a ``.rej`` file."""
    ADDED = "added"
    """A file the new template adds."""
    RESTORED = "restored"
    """You deleted it; ``--restore-deleted`` brings back the new template's text."""
    STAYS_DELETED = "stays-deleted"
    """You deleted it and the template changed it: it stays deleted (``--restore-deleted``)."""
    REMOVED = "removed"
    """The new template no longer has it and you had not changed it: deleted."""
    KEPT_REMOVED = "kept-removed"
    """The new template no longer has it but you changed it: kept, no longer managed."""


@dataclass(frozen=True)
class FileChange:
    path: str
    action: Action
    old: str | None
    """The file's text now (``None``: no file)."""
    new: str | None
    """The text after the update (``None``: no file)."""
    conflicts: int = 0
    """Conflicting regions."""
    rej: str | None = None
    """The ``.rej`` file's text (``--conflict rej``): the template's changes not applied."""
    rej_path: str | None = None
    """Where the ``.rej`` goes: ``FILE.rej``, or ``FILE.1.rej``... when that name is taken (a
    file of yours is never overwritten)."""

    @property
    def writes(self) -> bool:
        return self.old != self.new or self.rej is not None

    def diff(self) -> str:
        """Unified diff of the file (and of its ``.rej``): the one renderer."""
        text = unified_diff(self.path, self.old, self.new)
        if self.rej is not None:
            text += unified_diff(self.rej_path or self.path + REJ_SUFFIX, None, self.rej)
        return text

    def to_dict(self) -> dict[str, Any]:
        document: dict[str, Any] = {"path": self.path, "action": self.action.value}
        if self.action is Action.CONFLICT:
            document["conflicts"] = self.conflicts
            document["rej"] = (self.rej_path or self.path + REJ_SUFFIX) if self.rej is not None else None
        return document


@dataclass(frozen=True)
class UpdatePlan:
    project_dir: Path
    from_version: str
    to_version: str
    conflict_mode: str
    changes: list[FileChange]
    answers_change: FileChange
    base_matches_record: bool | None
    """Whether the base rendering has the hash recorded at generation (``None``: none recorded).
    A mismatch means the answers changed since (e.g. ``store-token``) or an unreleased build
    generated the project: merges may then show more conflicts."""
    answer_changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    base: BaseDetection | None = None
    """How the base version was found when the answers file records no template hash
    (``None``: the recorded hash named it)."""

    @property
    def conflicts(self) -> list[FileChange]:
        return [c for c in self.changes if c.action is Action.CONFLICT]

    @property
    def writes(self) -> list[FileChange]:
        return [c for c in [*self.changes, self.answers_change] if c.writes]

    def diff(self) -> str:
        return "".join(c.diff() for c in self.writes)

    def to_dict(self) -> dict[str, Any]:
        return {
            "project_dir": str(self.project_dir),
            "from_version": self.from_version,
            "to_version": self.to_version,
            "conflict_mode": self.conflict_mode,
            "files": [c.to_dict() for c in self.changes if c.action is not Action.UNCHANGED],
            "conflicts": [c.path for c in self.conflicts],
            "answers_changed": {k: {"from": a, "to": b} for k, (a, b) in self.answer_changes.items()},
            "base_matches_record": self.base_matches_record,
            "base": self.base.to_dict() if self.base is not None else None,
        }


@dataclass(frozen=True)
class BaseDetection:
    """The template version a project without a recorded hash was generated from, found by
    rendering every version this installation ships with the project's answers and counting
    the project's files that are exactly that rendering."""

    version: str
    matching: int
    """Files of that version's rendering the project holds unchanged."""
    files: int
    """Files that version renders for these answers."""
    recorded: str | None
    """The version the answers file names (``_tool_version``), if any."""

    @property
    def disagrees(self) -> bool:
        return self.recorded is not None and self.recorded != self.version

    def to_dict(self) -> dict[str, Any]:
        return {"version": self.version, "matching": self.matching, "files": self.files, "recorded": self.recorded}


# --- reading the project -----------------------------------------------------------------


def recorded_answers(project_dir: Path) -> dict[str, Any]:
    answers = load_answers(project_dir)
    if answers is None:
        raise MomentoLambdaError(
            f"{project_dir} has no {catalog.ANSWERS_FILE}: `update` only knows projects made by `momento-lambda new` "
            "or `add`.",
            f"Run it in the project's folder, or pass the folder. Without {catalog.ANSWERS_FILE}, generate a new "
            "project with `momento-lambda new` and compare by hand.",
            code="update.no-answers",
        )
    return answers


def refuse_newer(version: str, current: str) -> None:
    if versions.newer(version, current):
        raise MomentoLambdaError(
            f"The project was generated by momento-lambda {version}, newer than this one ({current}).",
            "Upgrade momento-lambda (`pip install -U momento-lambda`) and run `update` again.",
            code="update.newer-version",
        )


def dirty_files(project_dir: Path) -> list[str] | None:
    """Uncommitted changes (``git status --porcelain`` lines) under ``project_dir``; ``None``
    when the folder is not in a git work tree."""
    try:
        inside = subprocess.run(
            ["git", "-C", str(project_dir), "rev-parse", "--is-inside-work-tree"],
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
            stdin=subprocess.DEVNULL,
        )
    except FileNotFoundError:
        return None
    if inside.returncode != 0 or inside.stdout.strip() != "true":
        return None
    status = subprocess.run(
        ["git", "-C", str(project_dir), "status", "--porcelain", "--", "."],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    return [line for line in status.stdout.splitlines() if line.strip()]


def refuse_dirty(project_dir: Path) -> None:
    dirty = dirty_files(project_dir)
    if dirty:
        shown = ", ".join(line[3:] for line in dirty[:5]) + (f" and {len(dirty) - 5} more" if len(dirty) > 5 else "")
        raise MomentoLambdaError(
            f"The project has uncommitted changes ({shown}); `update` would mix its changes with yours.",
            "Commit or stash them first (then `git diff` shows exactly what `update` did), or pass --allow-dirty.",
            code="update.dirty",
        )


# --- answers -------------------------------------------------------------------------------


def parse_answer_overrides(items: list[str]) -> dict[str, Any]:
    """``KEY=VALUE`` items -> answers; validated later with every other answer."""
    from momento_lambda_cli.errors import UsageError
    from momento_lambda_cli.scaffold.answers import Answers

    known = {f.name: f for f in fields(Answers)}
    found: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or key not in known:
            raise UsageError(
                f"--answer {item!r}: expected KEY=VALUE with KEY one of {', '.join(known)}.",
                "E.g. --answer runtime=python3.13 --answer architecture=arm64.",
                code="update.bad-answer",
            )
        if key == "default_ttl_seconds":
            try:
                found[key] = int(value)
            except ValueError:
                raise UsageError(f"--answer {item!r}: the TTL is a whole number of seconds.") from None
        elif key == "snapstart":
            flag = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}.get(value.lower())
            if flag is None:
                raise UsageError(f"--answer {item!r}: snapstart is true or false.", code="update.bad-answer")
            found[key] = flag
        else:
            found[key] = value or None
    return found


def _validated(answers: Mapping[str, Any]) -> dict[str, Any]:
    """The answers through `new`'s validation (raises on a bad value); other keys kept."""
    from momento_lambda_cli.scaffold.answers import Answers, build_answers

    known = {f.name for f in fields(Answers)}
    kwargs = {k: v for k, v in answers.items() if k in known and k != "project_name"}
    if "project_name" not in answers:
        raise MomentoLambdaError(
            f"{catalog.ANSWERS_FILE} has no project_name.", "Add it (the project's name).", code="update.bad-answers"
        )
    try:
        built = build_answers(str(answers["project_name"]), **kwargs)
    except MomentoLambdaError as exc:
        raise MomentoLambdaError(
            f"{catalog.ANSWERS_FILE} (with any --answer): {exc.message}", exc.hint, code="update.bad-answers"
        ) from None
    return {**answers, **built.as_dict()}


def _render(source: TemplateSource, answers: Mapping[str, Any]) -> dict[str, str]:
    try:
        return versions.render(source, answers)
    except ValueError as exc:  # cookiecutter: a value no longer among a choice's values
        raise MomentoLambdaError(
            f"The template of momento-lambda {source.version} cannot render these answers: {exc}",
            "Pick a supported value with --answer KEY=VALUE (see `momento-lambda new --help`).",
            code="update.bad-answers",
        ) from None


# --- the plan ------------------------------------------------------------------------------


def plan_update(
    project_dir: Path,
    *,
    overrides: Mapping[str, Any] | None = None,
    conflict: str = "inline",
    restore_deleted: bool = False,
    current: TemplateSource | None = None,
    history: Path = versions.HISTORY_DIR,
) -> UpdatePlan:
    """What `update` would do; reads only. ``current`` replaces the live templates (tests)."""
    project_dir = project_dir.expanduser().absolute()
    require_folder(project_dir)
    refuse_unread(project_dir, "update")
    answers = recorded_answers(project_dir)
    new_source = current if current is not None else versions.live_source()
    base: BaseDetection | None = None
    if answers.get(GENERATED_BY_KEY, "new") != "add" and not _has_hash(answers):
        base = detect_base(project_dir, answers, new_source, history)
        from_version = base.version
    else:
        from_version = recorded_version(answers)
    refuse_newer(from_version, new_source.version)
    labels = ("yours", f"template {from_version}", f"template {new_source.version}")
    changes: list[FileChange] = []
    new_record = dict(answers)
    base_matches: bool | None = None
    if answers.get(GENERATED_BY_KEY, "new") == "add":
        # Only the files `add` copied are managed, each rendered on its own as `add` wrote it
        # (the recorded runtime and framework are the user's project's, not a template's).
        new_answers = _validated({**answers, **overrides}) if overrides else dict(answers)
        managed = answers.get(MANAGED_FILES_KEY)
        entries = managed if isinstance(managed, dict) else {}
        new_managed: dict[str, Any] = {}
        for path, entry in sorted(entries.items()):
            template_file = entry.get("template_file") if isinstance(entry, dict) else None
            if not isinstance(template_file, str):
                continue
            entry_version = entry.get("template_version") or from_version
            refuse_newer(entry_version, new_source.version)
            entry_source = versions.source_for(entry_version, new_source, history)
            form = entry.get("form") if isinstance(entry.get("form"), str) else None
            change = _merge_one(
                project_dir,
                path,
                client.managed_text(entry_source.files, template_file, form),
                client.managed_text(new_source.files, template_file, form),
                labels,
                conflict,
                restore_deleted,
            )
            changes.append(change)
            new_managed[path] = {**entry, "template_version": new_source.version}
        new_record[MANAGED_FILES_KEY] = new_managed
    else:
        new_answers = _validated({**answers, **(overrides or {})})
        base_files = _render(versions.source_for(from_version, new_source, history), answers)
        new_files = _render(new_source, new_answers)
        record = answers.get(TEMPLATE_VERSION_KEY)
        if isinstance(record, dict) and isinstance(record.get("sha256"), str):
            base_matches = record["sha256"] == versions.content_hash(base_files)
        for path in sorted(set(base_files) | set(new_files)):
            changes.append(
                _merge_one(
                    project_dir, path, base_files.get(path), new_files.get(path), labels, conflict, restore_deleted
                )
            )
        new_record[TEMPLATE_VERSION_KEY] = versions.template_record(new_source, new_files)
    changed_answers = {
        k: (answers.get(k), v) for k, v in (overrides or {}).items() if answers.get(k) != new_answers.get(k)
    }
    new_record.update(overrides or {})
    answers_path = project_dir / catalog.ANSWERS_FILE
    answers_old = read_text(answers_path, project_dir)
    answers_new = render_answers(new_record, answers_old)
    # the stamp alone is no change: nothing else differs when the project is up to date
    if answers_old is not None and render_answers(answers, answers_old) == answers_new:
        answers_new = answers_old
    answers_action = Action.UPDATED if answers_new != answers_old else Action.UNCHANGED
    return UpdatePlan(
        project_dir=project_dir,
        from_version=from_version,
        to_version=new_source.version,
        conflict_mode=conflict,
        changes=changes,
        answers_change=FileChange(catalog.ANSWERS_FILE, answers_action, answers_old, answers_new),
        base_matches_record=base_matches,
        answer_changes=changed_answers,
        base=base,
    )


def _has_hash(answers: Mapping[str, Any]) -> bool:
    record = answers.get(TEMPLATE_VERSION_KEY)
    return isinstance(record, dict) and isinstance(record.get("sha256"), str)


def detect_base(
    project_dir: Path, answers: Mapping[str, Any], current: TemplateSource, history: Path = versions.HISTORY_DIR
) -> BaseDetection:
    """The shipped template version whose rendering for ``answers`` the project's files match
    best (ties: the version the answers file names, then the newest). Only a project with no
    recorded hash needs this (0.1.0 recorded none; a hand-written answers file neither)."""
    recorded = answers.get("_tool_version")
    recorded = recorded if isinstance(recorded, str) and recorded else None
    if recorded is not None:
        versions.parse_version(recorded)
        refuse_newer(recorded, current.version)
    candidates = [v for v in versions.snapshot_versions(history) if not versions.newer(v, current.version)]
    if current.version not in candidates:
        candidates.append(current.version)
    found: list[tuple[tuple[int, bool, tuple[int, int, int, str]], BaseDetection]] = []
    for version in candidates:
        try:
            files = _render(versions.source_for(version, current, history), answers)
        except MomentoLambdaError as exc:
            if exc.code != "update.bad-answers":
                raise
            continue  # that version had no such choice (CDK apps, from 0.3.0): it cannot be the base
        matching = sum(1 for path, text in files.items() if _same_text(_project_text(project_dir, path), text))
        detection = BaseDetection(version, matching, len(files), recorded)
        found.append(((matching, version == recorded, versions.parse_version(version)), detection))
    if not found:
        _render(current, answers)  # no version renders these answers: the current one says why
    best = max(found, key=lambda item: item[0])[1]
    if best.matching == 0:
        if recorded is not None:  # no evidence against what the file says
            named = [detection for _, detection in found if detection.version == recorded]
            return named[0] if named else BaseDetection(recorded, 0, 0, recorded)
        raise MomentoLambdaError(
            f"{catalog.ANSWERS_FILE} does not say which momento-lambda version generated the project, and none of "
            f"the template versions this installation has ({', '.join(candidates)}) renders a file the project holds "
            "unchanged.",
            f'Add "_tool_version": "X.Y.Z" (the version that generated it) to {catalog.ANSWERS_FILE}.',
            code="update.no-version",
        )
    return best


def _project_text(project_dir: Path, path: str) -> str | None:
    try:
        return _read_project_file(project_dir, path)
    except MomentoLambdaError:  # not text, or not a regular file: no evidence either way
        return None


def _same_text(ours: str | None, template: str) -> bool:
    return ours is not None and ours.replace("\r\n", "\n") == template


def _read_project_file(project_dir: Path, path: str) -> str | None:
    target = resolve_target(project_dir / path, project_dir)
    try:
        return read_text(target, project_dir)
    except NotText:
        raise MomentoLambdaError(
            f"{path} is not UTF-8 text; `update` merges text files only.",
            f"Convert {path} to UTF-8 (or move it aside) and run `update` again.",
            code="update.not-text",
        ) from None


def _merge_one(
    project_dir: Path,
    path: str,
    base: str | None,
    new: str | None,
    labels: tuple[str, str, str],
    conflict: str,
    restore_deleted: bool,
) -> FileChange:
    ours = _read_project_file(project_dir, path)
    if ours is not None and _crlf(ours):
        # a CRLF checkout (git autocrlf on Windows): the template's texts get the file's line
        # ends, so only real changes merge or conflict, and the result keeps CRLF throughout
        base, new = _as_crlf(base), _as_crlf(new)

    def change(action: Action, result: str | None, conflicts: int = 0, rej: str | None = None) -> FileChange:
        return FileChange(path, action, ours, result, conflicts, rej)

    if ours == new:
        return change(Action.UNCHANGED, ours)
    if ours is None:
        if base is None:
            return change(Action.ADDED, new)
        if restore_deleted and new is not None:
            return change(Action.RESTORED, new)
        return change(Action.UNCHANGED if base == new else Action.STAYS_DELETED, None)
    if new is None:
        return change(Action.REMOVED, None) if ours == base else change(Action.KEPT_REMOVED, ours)
    if base == new:
        return change(Action.KEPT, ours)
    if ours == base:
        return change(Action.UPDATED, new)
    merged = merge_texts(base or "", ours, new, labels=labels)
    if merged.conflicts == 0:
        return change(Action.MERGED, merged.text)
    if conflict == "inline":
        return change(Action.CONFLICT, merged.text, merged.conflicts)
    kept = merge_texts(base or "", ours, new, labels=labels, favor="ours").text
    wanted = merge_texts(base or "", ours, new, labels=labels, favor="theirs").text
    rej = unified_diff(path, kept, wanted)
    return FileChange(path, Action.CONFLICT, ours, kept, merged.conflicts, rej, _free_rej_name(project_dir, path))


def _crlf(text: str) -> bool:
    """Every line of ``text`` ends in CRLF (and there is at least one)."""
    return "\r\n" in text and text.count("\r\n") == text.count("\n")


def _as_crlf(text: str | None) -> str | None:
    return None if text is None else text.replace("\r\n", "\n").replace("\n", "\r\n")


def _free_rej_name(project_dir: Path, path: str) -> str:
    """``FILE.rej``, or the first free ``FILE.N.rej``: a file already there (yours, or the last
    run's you have not applied yet) is never overwritten."""
    candidate = path + REJ_SUFFIX
    number = 0
    while os.path.lexists(project_dir / candidate):
        number += 1
        candidate = f"{path}.{number}{REJ_SUFFIX}"
    return candidate


def changeset(plan: UpdatePlan) -> Changeset:
    """The plan as the one changeset every writer applies (a ``.rej`` is a file created)."""
    changes = Changeset(plan.project_dir, "update", code="update.changed-meanwhile")
    for change in plan.writes:
        changes.add(plan.project_dir / change.path, change.old, change.new, change.path)
        if change.rej is not None:
            rej = change.rej_path or change.path + REJ_SUFFIX
            changes.add(plan.project_dir / rej, None, change.rej, rej)
    return changes


def backup_root() -> Path:
    """Where `update` keeps the old files of a project outside git (never inside the project,
    where a build could package them)."""
    return Path.home() / ".momento-lambda" / "backups"


def write_backup(plan: UpdatePlan, stamp: str) -> Path | None:
    """Copy every file the plan changes or removes, as it is now, to a new folder under
    :func:`backup_root`; ``None`` when no existing file changes. Raises (nothing written to
    the project) when the copy fails."""
    changed = [c for c in plan.writes if c.old is not None and c.old != c.new]
    if not changed:
        return None
    folder = backup_root() / f"{plan.project_dir.name}-{stamp}"
    try:
        for change in changed:
            target = folder / change.path
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "w", encoding="utf-8", newline="") as handle:
                handle.write(change.old or "")
    except OSError as exc:
        raise MomentoLambdaError(
            f"Could not keep a backup in {folder} ({exc.strerror or type(exc).__name__}); nothing was changed.",
            "The project is not in git: `update` keeps a copy of each file it changes. Put the project under git "
            "(git init && git add -A && git commit), or free that folder, and run `update` again.",
            code="update.backup-failed",
        ) from None
    return folder


def apply_update(plan: UpdatePlan) -> list[str]:
    """Write the plan, every file or none; returns the paths written or removed (project-relative)."""
    return changeset(plan).apply()


# --- check ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckResult:
    project_version: str
    current_version: str
    update_available: bool
    files: list[str]
    """Managed files the update would change."""
    fixes: list[Any]
    unresolved: list[str] = field(default_factory=list)
    """Managed files that still hold conflict markers (a merge not finished)."""

    @property
    def failed(self) -> bool:
        """``--check`` exits 1: an update is available, or a conflict is not resolved."""
        return self.update_available or bool(self.unresolved)

    def to_dict(self) -> dict[str, Any]:
        return {
            "project_version": self.project_version,
            "current_version": self.current_version,
            "update_available": self.update_available,
            "files": self.files,
            "fixes": [fix.to_dict() for fix in self.fixes],
            "unresolved_conflicts": self.unresolved,
        }


_MARKERS = re.compile(r"^<{7} .*?^={7}\r?$.*?^>{7} ", re.MULTILINE | re.DOTALL)


def has_conflict_markers(text: str) -> bool:
    """``<<<<<<< ...`` / ``=======`` / ``>>>>>>> ...`` lines in that order (what a merge leaves)."""
    return _MARKERS.search(text) is not None


def check_update(
    project_dir: Path, *, current: TemplateSource | None = None, history: Path = versions.HISTORY_DIR
) -> CheckResult:
    """Whether the current template would change the project (nothing is written)."""
    from momento_lambda_cli.scaffold.template_fixes import fixes_for

    plan = plan_update(project_dir, current=current, history=history)
    answers = recorded_answers(plan.project_dir)
    touched = [c.path for c in plan.changes if c.writes]
    available = bool(touched) or versions.newer(plan.to_version, plan.from_version)
    return CheckResult(
        project_version=plan.from_version,
        current_version=plan.to_version,
        update_available=available,
        files=touched,
        fixes=fixes_for(answers, plan.from_version, plan.to_version),
        unresolved=[c.path for c in plan.changes if c.old is not None and has_conflict_markers(c.old)],
    )
