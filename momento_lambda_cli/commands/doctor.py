"""`momento-lambda doctor`: check a project, its build output and its deployed stack."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from momento_lambda_cli import console, numbers
from momento_lambda_cli.commands import options
from momento_lambda_cli.doctor.runner import DEFAULT_TIMEOUT_SECONDS
from momento_lambda_cli.momento_key import EXPIRY_WARNING_DAYS
from momento_lambda_cli.project.cdk_synth import DEFAULT_TIMEOUT_SECONDS as SYNTH_TIMEOUT_SECONDS

if TYPE_CHECKING:
    from momento_lambda_cli.doctor.context import DoctorOptions
    from momento_lambda_cli.doctor.diagnose import Diagnosis
    from momento_lambda_cli.doctor.model import Check
    from momento_lambda_cli.retrofit.fixes import FixPlan

GROUPS = "project, build, deployment, momento, machine"
FORMATS = ("text", "json", "sarif", "junit")


def complete_check_ids(incomplete: str) -> list[str]:
    """Shell completion of ``--only`` / ``--skip``: check ids, their area prefixes, the groups and
    former ids that complete the last comma-separated word (the words before it are kept)."""
    from momento_lambda_cli.doctor import registry
    from momento_lambda_cli.doctor.model import Group

    done, _, word = incomplete.rpartition(",")
    checks = registry.all_checks()
    names = [c.id for c in checks]
    names += sorted({c.area for c in checks} | {g.value for g in Group}) + [a for c in checks for a in c.aliases]
    already = set(done.split(",")) if done else set()
    prefix = f"{done}," if done else ""
    return [prefix + name for name in dict.fromkeys(names) if name.startswith(word) and name not in already]


@contextlib.contextmanager
def _fewer_collections() -> Iterator[None]:
    """The checks build many small objects (a 200-function template is ~12,000 YAML nodes) and
    keep them until the run ends: with Python's default threshold the young generation is scanned
    every 700 allocations, about a tenth of a large run for nothing. Scanned less often meanwhile."""
    import gc

    threshold = gc.get_threshold()
    gc.set_threshold(50_000, *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)


def _format_choice(value: str | None) -> str | None:
    """``--format``'s value, one of :data:`FORMATS` (checked here: no click import for a Choice)."""
    if value is not None and value not in FORMATS:
        raise typer.BadParameter(f"{value!r} is not one of {', '.join(map(repr, FORMATS))}.")
    return value


def doctor(
    project_dir: Annotated[
        Path,
        typer.Argument(
            metavar="PROJECT_DIR", help="The project folder (template.yaml / samconfig.toml or serverless.yml)."
        ),
    ] = Path("."),
    stack_name: Annotated[
        str | None,
        typer.Option(
            "--stack-name",
            metavar="NAME",
            help="The deployed stack (default: samconfig stack_name / provider.stackName / service-stage).",
        ),
    ] = None,
    stage: Annotated[
        str | None,
        typer.Option(
            "--config-env",
            "--stage",
            metavar="NAME",
            help="SAM config env (default: default) / Serverless stage (default: provider.stage, else dev).",
        ),
    ] = None,
    function: Annotated[
        list[str] | None,
        typer.Option(
            "--function",
            metavar="NAME_OR_ARN",
            help="A deployed function name or ARN to check (repeatable; default: the stack's).",
        ),
    ] = None,
    secret_id: Annotated[
        str | None,
        typer.Option(
            "--secret-id",
            metavar="NAME_OR_ARN",
            help="The secret (default: the project's, else what the functions read).",
        ),
    ] = None,
    cache_name: Annotated[
        str | None,
        typer.Option(
            "--cache-name",
            metavar="NAME",
            help="The Momento cache to probe (default: the project's, else the functions').",
        ),
    ] = None,
    region: options.Region = None,
    profile: options.Profile = None,
    offline: Annotated[
        bool, typer.Option("--offline", help="Only project and build checks; no AWS or Momento calls.")
    ] = False,
    only: Annotated[
        list[str] | None,
        typer.Option(
            "--only",
            metavar="IDS",
            autocompletion=complete_check_ids,
            help=f"Run only these check ids, id prefixes (e.g. iam) or groups ({GROUPS}), comma-separated.",
        ),
    ] = None,
    skip: Annotated[
        list[str] | None,
        typer.Option(
            "--skip",
            metavar="IDS",
            autocompletion=complete_check_ids,
            help="Skip these check ids, id prefixes or groups, comma-separated.",
        ),
    ] = None,
    list_checks: Annotated[bool, typer.Option("--list-checks", help="List the check ids and exit.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show passing checks' details too.")] = False,
    strict: Annotated[bool, typer.Option("--strict", help="Warnings fail too (exit 1).")] = False,
    timeout: Annotated[
        float | None,
        typer.Option(
            "--timeout",
            parser=numbers.option_parser(numbers.TIMEOUT),
            metavar="SECONDS",
            show_default=False,
            help=f"Seconds each check may take before it counts as an error. [default: {DEFAULT_TIMEOUT_SECONDS:g}]",
        ),
    ] = None,
    expiry_warning_days: Annotated[
        int | None,
        typer.Option(
            "--expiry-warning-days",
            parser=numbers.option_parser(numbers.EXPIRY_WARNING_DAYS),
            metavar="DAYS",
            show_default=False,
            help=f"momento.key-expiry warns when the stored key expires within DAYS days. [default: {EXPIRY_WARNING_DAYS}]",
        ),
    ] = None,
    sequential: Annotated[
        bool, typer.Option("--sequential", hidden=True, help="Run checks one after another.")
    ] = False,
    json_output: Annotated[bool, typer.Option("--json", help="Print one JSON document (the shared envelope).")] = False,
    output_format: Annotated[
        str | None,
        typer.Option(
            "--format",
            metavar="FORMAT",
            callback=_format_choice,
            show_default=False,
            help="text (default), json (= --json), sarif (SARIF 2.1.0 for code scanning) or junit (JUnit XML).",
        ),
    ] = None,
    fix: Annotated[
        bool,
        typer.Option(
            "--fix",
            help="Apply the mechanical fixes for failed or warned checks, then check again (steps for the rest).",
        ),
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="With --fix: print the unified diff of the fixes; write nothing.")
    ] = False,
    synth: Annotated[
        bool,
        typer.Option(
            "--synth",
            help="AWS CDK apps: run the app's own `cdk synth` first (doctor otherwise runs no code of the app and "
            "reads cdk.out as it is).",
        ),
    ] = False,
    synth_timeout: Annotated[
        float | None,
        typer.Option(
            "--synth-timeout",
            parser=numbers.option_parser(numbers.TIMEOUT),
            metavar="SECONDS",
            show_default=False,
            help=f"With --synth: seconds `cdk synth` may take before it is stopped. [default: {SYNTH_TIMEOUT_SECONDS:g}]",
        ),
    ] = None,
    bug_report: Annotated[
        Path | None,
        typer.Option(
            "--bug-report",
            metavar="FILE",
            help="Also write a zip for an issue: the doctor JSON, `momento-lambda info` and the project's "
            "framework files, every key-shaped value masked.",
        ),
    ] = None,
) -> None:
    """Check a project, its build output and its deployed stack, and say how to fix what is wrong.

    Exit codes: 0 everything checked and nothing failed, 1 a check failed or errored (warnings
    too with --strict) or a project file is malformed (the answers file included), 2 usage error
    (e.g. an unknown check id), 3 nothing failed but some checks could not run (AWS or Momento
    unreachable, no credentials; --offline says not to check them). A project can keep its
    options (skip, only, strict, offline, timeout, expiry_warning_days) in .momento-lambda.json
    under "doctor"; a bad one there is exit 1.
    """
    if output_format == "json":
        json_output = True
    report = output_format if output_format in ("sarif", "junit") else None
    if json_output:
        console.mode.json_command = "doctor"
    from momento_lambda_cli import aws
    from momento_lambda_cli.doctor import registry, render
    from momento_lambda_cli.doctor.context import DoctorOptions
    from momento_lambda_cli.doctor.diagnose import diagnose
    from momento_lambda_cli.doctor.saved import SavedOptions, check_names
    from momento_lambda_cli.doctor.saved import load as load_saved
    from momento_lambda_cli.errors import MomentoLambdaError

    if list_checks:
        checks = registry.select(registry.all_checks(), only or (), skip or ())
        from momento_lambda_cli.doctor import catalogue

        if json_output:
            console.print_json(console.envelope("doctor", ok=True, data={"checks": catalogue.as_json(checks)}))
        else:
            out = console.stdout()
            for line in catalogue.list_lines(checks):
                out.print(line, markup=False)
        return

    project_path = project_dir.resolve()
    from momento_lambda_cli.project.answers import refuse_unread

    refuse_unread(project_path, "doctor --fix" if fix or dry_run else "doctor")
    if synth:
        _synthesize(project_path, synth_timeout)
    bad_answers: MomentoLambdaError | None = None
    try:
        saved = load_saved(project_path)  # a malformed answers file: Error: FILE: FIELD ..., exit 1
        check_names(saved, lambda only, skip: registry.select(registry.all_checks(), only, skip))
    except MomentoLambdaError as exc:
        if bug_report is None:
            raise
        saved, bad_answers = SavedOptions(), exc  # the report is written first, then the same error
    checks = registry.select(registry.all_checks(), only or saved.only, [*saved.skip, *(skip or ())])
    strict = strict or saved.strict
    offline = offline or saved.offline
    timeout = timeout if timeout is not None else (saved.timeout or SYNTH_TIMEOUT_SECONDS)
    if expiry_warning_days is None:
        expiry_warning_days = (
            saved.expiry_warning_days if saved.expiry_warning_days is not None else EXPIRY_WARNING_DAYS
        )
    options = DoctorOptions(
        project_dir=project_path,
        stack_name=stack_name,
        stage=stage.strip() if stage else None,
        functions=tuple(function or ()),
        secret_id=secret_id,
        cache_name=cache_name,
        aws=aws.AwsOptions(profile=profile, region=region),
        offline=offline,
        expiry_warning_days=expiry_warning_days,
    )
    err = console.stderr()
    live = not json_output and report is None and err.is_terminal
    with render.progress(err, checks, live) as on_done, _fewer_collections():
        diagnosis = diagnose(options, checks, timeout=timeout, concurrent=not sequential, on_done=on_done)
    if bug_report is not None and (diagnosis.fatal is not None or bad_answers is not None):
        _write_bug_report(bug_report, project_path, None, diagnosis.outcomes, ok=False)
    if diagnosis.fatal is not None:
        raise diagnosis.fatal  # one Error: / Hint: (the JSON envelope's error with --json), exit 1
    if bad_answers is not None:
        raise bad_answers
    if fix or dry_run:
        fix_project(
            options,
            checks,
            diagnosis,
            dry_run=dry_run,
            json_output=json_output,
            verbose=verbose,
            strict=strict,
            timeout=timeout,
            concurrent=not sequential,
        )
        return
    outcomes, summary, framework = diagnosis.outcomes, diagnosis.summary, diagnosis.framework

    if console.mode.debug:
        from momento_lambda_cli.redact import redact

        for outcome in outcomes:
            if outcome.traceback:
                what = "crashed" if outcome.result.message.startswith("The check crashed") else "failed"
                err.print(f"[{outcome.check.id}] {what}:", markup=False)
                err.print(redact(outcome.traceback), markup=False, highlight=False)

    if bug_report is not None:
        _write_bug_report(bug_report, project_path, framework, outcomes, ok=summary.ok(strict))
    if report is not None:
        _print_report(report, project_path, diagnosis, checks, strict=strict)
    elif json_output:
        data = render.json_data(str(project_path), framework, outcomes)
        console.print_json(console.envelope("doctor", ok=summary.ok(strict), data=data))
    else:
        from momento_lambda_cli.redact import redact

        out = console.stdout()
        for line in render.lines(outcomes, verbose=verbose):
            out.print(redact(line), emoji=False)
        out.print("")
        out.print(render.summary_line(summary))
        if strict and summary.warned and summary.passed_checks():
            out.print("[yellow]--strict: warnings count as failures.[/]")
        if summary.not_checked:
            out.print(render.not_checked_line(summary))
    if not summary.ok(strict):
        raise typer.Exit(summary.exit_code(strict))


def _synthesize(project_path: Path, timeout: float | None) -> None:
    """``--synth``: the project's framework runs its own code generation (CDK: ``cdk synth``)."""
    from momento_lambda_cli import frameworks
    from momento_lambda_cli.errors import UsageError
    from momento_lambda_cli.project.answers import detect_framework
    from momento_lambda_cli.project.load import require_folder

    require_folder(project_path)
    framework = detect_framework(project_path)
    if framework is None:
        raise UsageError(f"--synth: no AWS CDK app (cdk.json) in {project_path}.", "Drop --synth.", code="usage")
    ran = frameworks.adapter(framework).synthesize(project_path, timeout or SYNTH_TIMEOUT_SECONDS)
    console.stderr().print(f"Ran `{ran}` in {project_path}.", markup=False, highlight=False)


def _print_report(kind: str, root: Path, diagnosis: Diagnosis, checks: list[Check], *, strict: bool) -> None:
    """``--format sarif|junit`` on stdout (key-shaped values masked, as everywhere)."""
    import json
    import sys

    from momento_lambda_cli.doctor import reports
    from momento_lambda_cli.redact import redact

    locator = reports.Locator(root, diagnosis.project)
    if kind == "sarif":
        text = json.dumps(reports.sarif(checks, diagnosis.outcomes, locator), indent=2) + "\n"
    else:
        text = reports.junit(diagnosis.outcomes, locator, strict=strict)
    sys.stdout.write(redact(text))
    sys.stdout.flush()


def fix_project(
    options: DoctorOptions,
    checks: list[Check],
    diagnosis: Diagnosis,
    *,
    dry_run: bool,
    json_output: bool,
    verbose: bool,
    strict: bool,
    timeout: float,
    concurrent: bool,
) -> None:
    """``doctor --fix``: plan the fixes for what the first run found, show them (the diff with
    --dry-run, which writes nothing), apply them all or none, check again; the exit code is the
    second run's."""
    from momento_lambda_cli.doctor import registry, render
    from momento_lambda_cli.doctor.diagnose import diagnose
    from momento_lambda_cli.errors import MomentoLambdaError
    from momento_lambda_cli.project import load_project
    from momento_lambda_cli.retrofit.fixes import apply_fixes, plan_fixes

    try:
        project = load_project(
            options.project_dir, stage=options.stage, region=options.aws.region, stack_name=options.stack_name
        )
    except MomentoLambdaError:
        project = None  # project.framework says why; every problem gets its steps
    plan = plan_fixes(project, diagnosis.outcomes, registry.all_checks(), root=options.project_dir)
    after = diagnosis
    if not dry_run and plan.changed:
        apply_fixes(plan)
        after = diagnose(options, checks, timeout=timeout, concurrent=concurrent)
    if json_output:
        data = render.json_data(str(options.project_dir), after.framework, after.outcomes)
        data["fix"] = {**plan.to_dict(), "dry_run": dry_run, "applied": plan.changed and not dry_run}
        if dry_run:
            data["fix"]["diff"] = plan.diff()
        console.print_json(console.envelope("doctor", ok=after.summary.ok(strict), data=data))
    else:
        from momento_lambda_cli.redact import redact

        out = console.stdout()
        for line in fix_lines(plan, dry_run=dry_run):
            out.print(redact(line), emoji=False, highlight=False)
        out.print("")
        if dry_run:
            out.print("[bold]Checks as they stand (nothing was written):[/]")
        elif plan.changed:
            out.print("[bold]Checks after the fixes:[/]")
        for line in render.lines(after.outcomes, verbose=verbose):
            out.print(redact(line), emoji=False)
        out.print("")
        out.print(render.summary_line(after.summary))
    if not after.summary.ok(strict):
        raise typer.Exit(after.summary.exit_code(strict))


def fix_lines(plan: FixPlan, *, dry_run: bool) -> list[str]:
    """The fixes (with --dry-run, the diff they would apply), refused fixes and manual steps, as rich markup."""
    from rich.markup import escape

    lines: list[str] = []
    if plan.fixes:
        lines.append("[bold]Fixes to apply (nothing written):[/]" if dry_run else "[bold]Fixed:[/]")
        for fix in plan.fixes:
            for action in fix.actions:
                lines.append(f"  [green]✓[/] {escape(action)} [dim]({fix.check_id})[/]")
    else:
        lines.append("[bold]Nothing to fix automatically.[/]")
    if dry_run and plan.changes:
        lines.append("")
        lines.extend(escape(line) for line in plan.diff().splitlines())
    for title, entries in (("Could not fix:", plan.refused), ("Fix by hand:", plan.manual)):
        if entries:
            lines.append("")
            lines.append(f"[bold]{title}[/]")
            for entry in entries:
                lines.append(f"  [yellow]![/] {escape(entry.message)} [dim]({entry.check_id})[/]")
                lines.extend(f"      [cyan]→[/] {escape(step)}" for step in entry.steps)
    return lines


def _write_bug_report(path: Path, project_path: Path, framework: str | None, outcomes: list[Any], *, ok: bool) -> None:
    from momento_lambda_cli import info
    from momento_lambda_cli.doctor import bug_report, render

    document = console.envelope("doctor", ok=ok, data=render.json_data(str(project_path), framework, outcomes))
    names = bug_report.write(path, document, info.collect(), project_path)
    files = len([n for n in names if n.startswith("project/")])
    console.stderr().print(
        f"Bug report written to {path} (doctor.json, info.json and {files} project file{'s' if files != 1 else ''}; "
        "keys masked). Look it over before you attach it.",
        markup=False,
        highlight=False,
    )
