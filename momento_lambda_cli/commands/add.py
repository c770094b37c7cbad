"""`momento-lambda add`: bring Momento into functions of an existing SAM, Serverless or AWS CDK project."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from momento_lambda_cli import catalog, console
from momento_lambda_cli.commands.options import DefaultTtl


def add(
    project_dir: Annotated[
        Path,
        typer.Argument(metavar="PROJECT_DIR", help="The project folder (template.yaml, serverless.yml or cdk.json)."),
    ] = Path("."),
    function: Annotated[
        list[str] | None,
        typer.Option(
            "--function",
            metavar="NAME",
            help="A function to add Momento to (repeatable; default: every Python / Node.js function).",
        ),
    ] = None,
    cache_name: Annotated[str | None, typer.Option(metavar="CACHE", help="Momento cache name.")] = None,
    secret_name: Annotated[
        str | None, typer.Option(metavar="SECRET", help="Secrets Manager secret for the API key.")
    ] = None,
    secret_arn: Annotated[str | None, typer.Option(metavar="ARN", help="ARN of the secret holding the key.")] = None,
    default_ttl: DefaultTtl = 60,
    kms_key_arn: Annotated[
        str | None, typer.Option(metavar="ARN", help="Customer-managed KMS key of the secret (grants kms:Decrypt).")
    ] = None,
    stage: Annotated[
        str | None,
        typer.Option("--config-env", "--stage", metavar="NAME", help="SAM config env / Serverless stage to read."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the diff and the files it would create; write nothing.")
    ] = False,
    no_input: Annotated[bool, typer.Option("--no-input", help="Never prompt (no function picker).")] = False,
    json_output: Annotated[bool, typer.Option("--json", help="Print one JSON document (implies --no-input).")] = False,
) -> None:
    """Add Momento to functions of an existing project: client module, dependency, environment,
    IAM grant on the secret, build settings. Never edits handler code.

    Exit codes: 0 added (or nothing to do), 1 refused (nothing written), 2 usage error.
    """
    if json_output:
        console.mode.json_command = "add"
    import dataclasses

    from momento_lambda_cli.project import load_project, refuse_unread
    from momento_lambda_cli.retrofit.plan import AddOptions, apply_plan, plan_add, source_adapter, supported_reason

    root = project_dir.resolve()
    options = AddOptions(
        functions=tuple(function or ()),
        cache_name=cache_name,
        secret_name=secret_name,
        secret_arn=secret_arn,
        default_ttl=default_ttl,
        kms_key_arn=kms_key_arn,
    )
    from_source = source_adapter(root)
    if from_source is not None:  # a CDK app: planned from its stacks' source
        plan = from_source.plan_add_source(root, options)
    else:
        refuse_unread(root, "add")
        project = load_project(root, stage=stage.strip() if stage else None)
        if (
            not options.functions
            and not (no_input or json_output)
            and sys.stdin.isatty()
            and len(project.functions) > 1
        ):
            options = dataclasses.replace(options, functions=_pick(project.functions, supported_reason))
        plan = plan_add(project, options)
    written = [] if dry_run else apply_plan(plan)
    if json_output:
        data = {**plan.to_dict(), "dry_run": dry_run, "written": written}
        if dry_run:
            data["diff"] = plan.diff()
        console.print_json(console.envelope("add", ok=True, data=data))
        return
    out = console.stdout()
    if dry_run:
        diff = plan.diff()
        if diff:
            out.print(diff, markup=False, highlight=False, end="")
        for change in plan.changes:
            if change.created:
                out.print(f"would create {change.relative}", markup=False)
        if not plan.changes:
            out.print("Nothing to change: Momento is already added.", markup=False)
        if from_source is not None:  # what `add` leaves to the user, before anything is written
            for note in plan.notes:
                out.print(f"Note: {note}", markup=False)
            _print_manual(out, plan.manual)
        return
    if not written:
        out.print(f"Nothing to change: {', '.join(plan.functions)} already set up for Momento.", markup=False)
    else:
        added = ", ".join(plan.functions) or "the project (the function edits to make by hand are below)"
        out.print(f"Added Momento to {added}:", markup=False)
        for change in plan.changes:
            out.print(f"  {'created' if change.created else 'changed'} {change.relative}", markup=False)
    for key, reason in plan.skipped.items():
        out.print(f"Skipped {key}: {reason}", markup=False)
    for note in plan.notes:
        out.print(f"Note: {note}", markup=False)
    _print_manual(out, plan.manual)
    for language, lines in plan.usage.items():
        out.print(
            f"\nUse the client in your {catalog.SOURCE_LANGUAGE_NAMES.get(language, 'Node.js')} handler:", markup=False
        )
        own = {key: line for key, line in plan.imports.items() if plan.languages.get(key) == language}
        if len(set(own.values())) > 1:  # the import differs per handler: one line each, then the calls
            for key, line in own.items():
                comment = "#" if language == catalog.PYTHON else "//"
                out.print(f"  {line}  {comment} {key}", markup=False, highlight=False)
            lines = lines[1:]
        for line in lines:
            out.print(f"  {line}", markup=False, highlight=False)
    out.print(
        "\nNext: momento-lambda store-token, then build and deploy; momento-lambda doctor checks it.", markup=False
    )


def _print_manual(out, manual: list[tuple[str, list[str]]]) -> None:  # type: ignore[no-untyped-def]
    """The edits `add` leaves to the user: where and why, then the exact lines."""
    for where, lines in manual:
        out.print(f"\n{where}:", markup=False)
        for line in lines:
            out.print(f"  {line}" if line else "", markup=False, highlight=False)


def _pick(functions: list, reason_of) -> tuple[str, ...]:  # type: ignore[type-arg,no-untyped-def]
    """A terminal picker: numbered functions, Enter for every supported one."""
    err = console.stderr()
    supported = [f for f in functions if reason_of(f) is None]
    for index, f in enumerate(functions, 1):
        reason = reason_of(f)
        err.print(
            f"  {index}. {f.key} ({f.runtime_name or '?'})" + (f" - cannot: {reason}" if reason else ""), markup=False
        )
    answer = typer.prompt(
        "Functions to add Momento to (numbers, comma-separated)", default="all", show_default=True
    ).strip()
    if answer.lower() in ("", "all"):
        return tuple(f.key for f in supported)
    picked = []
    for part in answer.replace(" ", ",").split(","):
        if part.strip().isdigit() and 1 <= int(part) <= len(functions):
            picked.append(functions[int(part) - 1].key)
        elif part.strip():
            picked.append(part.strip())
    return tuple(picked)
