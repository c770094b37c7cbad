"""`momento-lambda update`: merge the current template into a generated project."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from momento_lambda_cli import console
from momento_lambda_cli.catalog import ANSWERS_FILE
from momento_lambda_cli.errors import ExitCode, Notice

if TYPE_CHECKING:
    from momento_lambda_cli.scaffold.update import CheckResult, UpdatePlan

    ConflictMode = str
else:
    ConflictMode = Literal["inline", "rej"]


def update(
    project_dir: Annotated[
        Path, typer.Argument(metavar="PROJECT_DIR", help="The generated project (holds .momento-lambda.json).")
    ] = Path("."),
    check: Annotated[
        bool,
        typer.Option("--check", help="Only say whether an update is available (exit 1 when one is); write nothing."),
    ] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the unified diff; write nothing.")] = False,
    answer: Annotated[
        list[str] | None,
        typer.Option(
            "--answer",
            metavar="KEY=VALUE",
            help="Change an answer and re-render with it (repeatable), e.g. runtime=python3.13.",
        ),
    ] = None,
    conflict: Annotated[
        ConflictMode,
        typer.Option(
            "--conflict",
            help="Where both you and the template changed the same lines: conflict markers in the file (inline) "
            "or your text kept plus a FILE.rej with the template's change (rej).",
        ),
    ] = "inline",
    restore_deleted: Annotated[
        bool, typer.Option("--restore-deleted", help="Bring back template files you deleted.")
    ] = False,
    allow_dirty: Annotated[
        bool, typer.Option("--allow-dirty", help="Run even when the project has uncommitted git changes.")
    ] = False,
    json_output: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
) -> None:
    """Merge the current project template into a project made by `new` (or `add`).

    Your edits stay where the template did not change; template changes apply where you did not
    edit; where both changed the same lines you get conflict markers (or .rej files).
    Exit codes: 0 updated or up to date, 1 conflicts / an update is available (--check) /
    refused, 2 usage error.
    """
    if json_output:
        console.mode.json_command = "update"
    from momento_lambda_cli.scaffold import update as core

    if check:
        if answer or dry_run:
            from momento_lambda_cli.errors import UsageError

            raise UsageError("--check takes no --answer or --dry-run.", "Run `update --check` on its own.")
        result = core.check_update(project_dir)
        if json_output:
            console.print_json(console.envelope("update", ok=True, data=result.to_dict()))
        else:
            _render_check(result)
        if result.failed:
            raise typer.Exit(ExitCode.FAILED)
        return

    overrides = core.parse_answer_overrides(answer or [])
    plan = core.plan_update(project_dir, overrides=overrides, conflict=conflict, restore_deleted=restore_deleted)
    backup = None
    if not dry_run and plan.writes:  # nothing to write (a second run): nothing to refuse or keep
        dirty = core.dirty_files(plan.project_dir)
        if dirty is None:  # not in git: no way back but a copy
            from datetime import datetime, timezone

            backup = core.write_backup(plan, datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ"))
        elif dirty and not allow_dirty:
            core.refuse_dirty(plan.project_dir)
    written = [] if dry_run else core.apply_update(plan)
    warnings = _warnings(plan)
    if backup is not None:
        warnings.append(
            Notice(
                f"{plan.project_dir} is not in git: the files as they were before this update are in {backup}.",
                code="update.backup-outside-git",
            )
        )
    if json_output:
        data = {**plan.to_dict(), "dry_run": dry_run, "written": written, "backup": str(backup) if backup else None}
        if dry_run:
            data["diff"] = plan.diff()
        console.print_json(console.envelope("update", ok=not plan.conflicts, data=data, warnings=warnings))
    else:
        if dry_run:
            console.SafeStream("stdout").write(plan.diff())  # a user's non-ASCII line on an ASCII terminal
        _render(plan, dry_run)
        for warning in warnings:
            console.print_warning(warning)
    if plan.conflicts:
        raise typer.Exit(ExitCode.FAILED)


def _warnings(plan: UpdatePlan) -> list[Notice]:
    from momento_lambda_cli.scaffold.update import Action

    found = []
    if plan.base_matches_record is False:
        found.append(
            Notice(
                f"Re-rendering template {plan.from_version} with the recorded answers does not give the files it "
                "generated (the answers changed since, e.g. by store-token, or an unreleased build generated the "
                "project): more lines may conflict.",
                code="update.base-differs",
            )
        )
    if plan.base is not None and plan.base.disagrees and plan.base.matching:
        found.append(
            Notice(
                f"{ANSWERS_FILE} says momento-lambda {plan.base.recorded} generated the project, but its files are "
                f"template {plan.base.version}'s ({plan.base.matching} of {plan.base.files} unchanged): merged from "
                f"{plan.base.version}.",
                code="update.base-from-files",
            )
        )
    stays = [c.path for c in plan.changes if c.action is Action.STAYS_DELETED]
    if stays:
        found.append(
            Notice(
                f"You deleted {', '.join(stays)}; the new template changed it.",
                "Pass --restore-deleted to bring it back.",
                code="update.stays-deleted",
            )
        )
    return found


def _render(plan: UpdatePlan, dry_run: bool) -> None:
    from rich.markup import escape

    from momento_lambda_cli.scaffold.update import Action

    out = console.stderr() if dry_run else console.stdout()
    styles = {
        Action.KEPT: "dim",
        Action.UPDATED: "green",
        Action.MERGED: "green",
        Action.ADDED: "green",
        Action.RESTORED: "green",
        Action.REMOVED: "yellow",
        Action.KEPT_REMOVED: "yellow",
        Action.STAYS_DELETED: "yellow",
        Action.CONFLICT: "bold red",
    }
    listed = [c for c in plan.changes if c.action is not Action.UNCHANGED]
    width = max((len(c.action.value) for c in listed), default=0)
    for change in listed:
        note = ""
        if change.action is Action.CONFLICT:
            where = (change.rej_path or f"{change.path}.rej") if change.rej is not None else "markers in the file"
            note = f" ({change.conflicts} conflicting region{'s' if change.conflicts != 1 else ''}: {where})"
        style = styles.get(change.action, "")
        out.print(f"  [{style}]{change.action.value.ljust(width)}[/]  {escape(change.path)}{escape(note)}")
    if plan.answer_changes:
        shown = ", ".join(f"{k}: {a} -> {b}" for k, (a, b) in plan.answer_changes.items())
        out.print(f"  answers: {escape(shown)}")
    if plan.base is not None and plan.base.matching:
        out.print(
            f"[dim]Base: template {plan.base.version}, found from the files ({plan.base.matching} of "
            f"{plan.base.files} unchanged; {ANSWERS_FILE} records no template hash).[/]"
        )
    verb = "Would update" if dry_run else "Updated"
    changed = [c for c in plan.changes if c.writes]
    if not changed and plan.from_version == plan.to_version and not plan.answer_changes:
        out.print(f"Up to date with template {plan.to_version}.")
    else:
        out.print(
            f"{verb} from template {plan.from_version} to {plan.to_version}: "
            f"{len(changed)} file{'s' if len(changed) != 1 else ''} changed, "
            f"{len(plan.conflicts)} conflict{'s' if len(plan.conflicts) != 1 else ''}."
        )
    if plan.conflicts:
        how = (
            "apply each FILE.rej by hand, then delete it"
            if plan.conflict_mode == "rej"
            else "edit the <<<<<<< / ======= / >>>>>>> regions"
        )
        console.stderr().print(
            f"[bold red]Conflicts[/] in {escape(', '.join(c.path for c in plan.conflicts))}: {escape(how)}."
        )


def _render_check(result: CheckResult) -> None:
    from rich.markup import escape

    out = console.stdout()
    if result.unresolved:
        console.stderr().print(
            f"[bold red]Unresolved conflicts[/] in {escape(', '.join(result.unresolved))}: edit the "
            "<<<<<<< / ======= / >>>>>>> regions (then commit)."
        )
    if not result.update_available:
        out.print(f"Up to date with template {result.current_version}.")
        return
    out.print(
        f"Template {result.current_version} is available (the project has {result.project_version}); "
        "`momento-lambda update` merges it."
    )
    for fix in result.fixes:
        out.print(f"  fix ({fix.version}): {escape(fix.summary)}")
    if result.files:
        out.print(f"  files it changes: {escape(', '.join(result.files))}")
