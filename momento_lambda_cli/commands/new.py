"""`momento-lambda new`: render a ready-to-deploy SAM, Serverless or CDK project."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from momento_lambda_cli import catalog, console
from momento_lambda_cli.commands import options
from momento_lambda_cli.commands.options import DefaultTtl
from momento_lambda_cli.errors import UsageError
from momento_lambda_cli.scaffold.answers import DEFAULT_INIT_CLIENT, INIT_CLIENT_MODES

if TYPE_CHECKING:
    from momento_lambda_cli.scaffold.answers import Answers
    from momento_lambda_cli.scaffold.next_steps import Step
    from momento_lambda_cli.scaffold.render import RenderResult

    FrameworkName = str
    RuntimeName = str
    ArchitectureName = str
    InitClientMode = str
    SourceLanguage = str
    PatternName = str
else:  # typer takes the choices (and --help shows them) from these types
    FrameworkName = Literal[catalog.FRAMEWORK_NAMES]
    RuntimeName = Literal[catalog.RUNTIME_NAMES]
    ArchitectureName = Literal[catalog.ARCHITECTURE_NAMES]
    InitClientMode = Literal[INIT_CLIENT_MODES]
    SourceLanguage = Literal[catalog.NODE_SOURCE_LANGUAGES]
    PatternName = Literal[catalog.PATTERN_NAMES]


def new(
    name: Annotated[
        str | None,
        typer.Argument(
            metavar="NAME",
            show_default=False,
            help="Project name: the folder, the stack / service name (ASCII letters, digits, hyphens). "
            "Asked for on a terminal when missing.",
        ),
    ] = None,
    framework: Annotated[
        FrameworkName | None,
        typer.Option(
            "--framework",
            "-f",
            case_sensitive=False,
            help=f"Deployment framework. [default: {catalog.DEFAULT_FRAMEWORK.name}]",
        ),
    ] = None,
    runtime: Annotated[
        RuntimeName | None,
        typer.Option(
            "--runtime", "-r", case_sensitive=False, help=f"Lambda runtime. [default: {catalog.DEFAULT_RUNTIME.name}]"
        ),
    ] = None,
    arch: Annotated[
        ArchitectureName | None,
        typer.Option(
            "--arch",
            "-a",
            case_sensitive=False,
            help=f"CPU architecture. [default: {catalog.DEFAULT_ARCHITECTURE.name}]",
        ),
    ] = None,
    language: Annotated[
        SourceLanguage | None,
        typer.Option(
            "--language",
            "-l",
            case_sensitive=False,
            help="Source language of a Node.js project (typescript: bundled with esbuild). "
            f"[default: {catalog.DEFAULT_NODE_SOURCE_LANGUAGE}; typescript with --framework cdk; python for the "
            "Python runtimes]",
        ),
    ] = None,
    cache_name: Annotated[str | None, typer.Option(metavar="CACHE", help="Momento cache name. [default: NAME]")] = None,
    secret_name: Annotated[
        str | None,
        typer.Option(metavar="SECRET", help="Secrets Manager secret for the API key. [default: momento/NAME/api-key]"),
    ] = None,
    secret_arn: Annotated[
        str | None,
        typer.Option(metavar="ARN", help="ARN of an existing secret holding the key (skips store-token's wiring)."),
    ] = None,
    default_ttl: DefaultTtl = 60,
    kms_key_arn: Annotated[
        str | None,
        typer.Option(metavar="ARN", help="Customer-managed KMS key of the secret (grants kms:Decrypt on it)."),
    ] = None,
    region: options.NewRegion = None,
    init_client: Annotated[
        InitClientMode,
        typer.Option(
            "--init-client",
            help="Read the secret and build the Momento client at import (eager, Lambda's INIT; "
            "falls back to the first request on error) or on the first request (lazy).",
        ),
    ] = DEFAULT_INIT_CLIENT,
    snapstart: Annotated[
        bool,
        typer.Option(
            "--snapstart",
            help="Turn on Lambda SnapStart: published versions behind the alias "
            f"'{catalog.SNAPSTART_ALIAS}'; the client drops its connection before the snapshot and "
            f"re-reads the secret after a restore. Only for {', '.join(catalog.SNAPSTART_RUNTIME_NAMES)}.",
        ),
    ] = False,
    pattern: Annotated[
        PatternName | None,
        typer.Option(
            "--pattern",
            "-p",
            case_sensitive=False,
            help="What the function does: "
            + "; ".join(
                f"{p.name}: {p.title}"
                + ("" if len(p.languages) > 1 else f" ({catalog.LANGUAGE_NAMES[p.languages[0]]} runtimes)")
                for p in catalog.PATTERNS
            )
            + f". Default: {catalog.DEFAULT_PATTERN.name} (asked on a terminal).",
        ),
    ] = None,
    output_dir: Annotated[
        Path, typer.Option("--output-dir", "-o", metavar="DIR", help="Where to create the project folder.")
    ] = Path("."),
    no_input: Annotated[bool, typer.Option("--no-input", help="Never prompt; use the defaults.")] = False,
    json_output: Annotated[bool, typer.Option("--json", help="Print one JSON document (implies --no-input).")] = False,
) -> None:
    """Create a new Lambda project that uses Momento (SAM, Serverless Framework or AWS CDK).

    On a terminal, asks for the project name, framework, runtime, language, pattern, architecture
    and cache name that were not given (a wrong answer is asked again, with the reason). Exit codes: 0 created, 1 bad input or the target folder exists, 2 usage error.
    """
    if json_output:
        console.mode.json_command = "new"
    from momento_lambda_cli.scaffold.answers import (
        build_answers,
        validate_cache_name,
        validate_project_name,
        validate_region,
        validate_snapstart,
        validate_snapstart_region,
        warnings_for,
    )
    from momento_lambda_cli.scaffold.next_steps import next_steps
    from momento_lambda_cli.scaffold.render import check_target, render_project

    interactive = not (no_input or json_output) and _stdin_is_tty()
    target_parent = output_dir.expanduser().absolute()
    if name is None:
        if not interactive:
            raise UsageError(
                "Missing argument NAME (the project name).",
                "E.g. `momento-lambda new orders-api`; on a terminal without --no-input it is asked for.",
                code="usage.missing",
            )
        from momento_lambda_cli import prompts

        def usable(answer: str) -> str:
            validate_project_name(answer)
            check_target(target_parent, answer)
            return answer

        name = prompts.ask_text("Project name", "momento-app", usable)
    else:
        validate_project_name(name)
        check_target(target_parent, name)
    if snapstart and runtime is not None:
        validate_snapstart(runtime)
    if snapstart and region is not None:
        validate_snapstart_region(validate_region(region))
    if interactive:
        from momento_lambda_cli import prompts

        framework = framework or prompts.ask_choice(
            "Framework", catalog.FRAMEWORK_NAMES, catalog.DEFAULT_FRAMEWORK.name
        )
        offered = catalog.SNAPSTART_RUNTIME_NAMES if snapstart else catalog.RUNTIME_NAMES
        default = catalog.DEFAULT_RUNTIME.name if catalog.DEFAULT_RUNTIME.name in offered else offered[-1]
        runtime = runtime or prompts.ask_choice("Runtime", offered, default)
        runtime_entry = catalog.runtime(runtime)
        languages = catalog.node_source_languages_for(framework)  # a CDK app: TypeScript, nothing to ask
        if (
            language is None
            and len(languages) > 1
            and runtime_entry is not None
            and runtime_entry.language == catalog.NODE
        ):
            language = prompts.ask_choice("Language", languages, languages[0])
        if pattern is None and runtime_entry is not None:
            choices = tuple(
                p.name for p in catalog.patterns_for(runtime_entry.language) if catalog.renders(framework, p.name)
            )
            if len(choices) > 1:
                pattern = prompts.ask_choice("Pattern", choices, catalog.DEFAULT_PATTERN.name)
        arch = arch or prompts.ask_choice("Architecture", catalog.ARCHITECTURE_NAMES, catalog.DEFAULT_ARCHITECTURE.name)
        if cache_name is None:
            cache_name = prompts.ask_text("Momento cache name", name, validate_cache_name)
    answers = build_answers(
        name,
        framework=framework or catalog.DEFAULT_FRAMEWORK.name,
        runtime=runtime or catalog.DEFAULT_RUNTIME.name,
        architecture=arch or catalog.DEFAULT_ARCHITECTURE.name,
        cache_name=cache_name,
        secret_name=secret_name,
        secret_arn=secret_arn,
        default_ttl_seconds=default_ttl,
        region=region,
        kms_key_arn=kms_key_arn,
        init_client=init_client,
        language=language,
        snapstart=snapstart,
        pattern=pattern or catalog.DEFAULT_PATTERN.name,
    )
    result = render_project(answers, output_dir)
    warnings = warnings_for(answers)
    shown = _shown_path(result.project_dir)
    steps = next_steps(answers, shown)
    if json_output:
        console.print_json(
            console.envelope(
                "new",
                ok=True,
                data={
                    "project_dir": str(result.project_dir),
                    "answers": answers.as_dict(),
                    "files": result.files,
                    "next_steps": [step.command for step in steps],
                },
                warnings=warnings,
            )
        )
        return
    _render(answers, result, steps)
    for warning in warnings:
        console.print_warning(warning)


def _stdin_is_tty() -> bool:
    return sys.stdin.isatty()


def _shown_path(project_dir: Path) -> str:
    """The project folder as the user reaches it from here: relative and normalised
    (``./x/../x/demo`` -> ``x/demo``), absolute when it is not below the current folder."""
    try:
        relative = os.path.relpath(project_dir)
    except ValueError:
        return str(project_dir)
    return relative if not relative.startswith("..") else str(project_dir)


def _render(answers: Answers, result: RenderResult, steps: list[Step]) -> None:
    from rich.markup import escape
    from rich.tree import Tree

    out = console.stdout()
    title = (
        f"[bold green]Created[/] {escape(_shown_path(result.project_dir))} "
        f"({answers.framework}, {answers.runtime}{', TypeScript' if answers.language == catalog.TYPESCRIPT else ''}, "
        f"{answers.architecture})"
    )
    tree = Tree(title, guide_style="dim")
    nodes: dict[str, Tree] = {"": tree}
    for relative in result.files:
        parts = relative.split("/")
        for depth in range(1, len(parts)):
            folder = "/".join(parts[:depth])
            if folder not in nodes:
                nodes[folder] = nodes["/".join(parts[: depth - 1])].add(f"[bold]{escape(parts[depth - 1])}/[/]")
        nodes["/".join(parts[:-1])].add(escape(parts[-1]))
    out.print(tree)
    out.print()
    out.print("[bold]Next steps:[/]")
    width = max(len(step.command) for step in steps)
    for step in steps:
        out.print(f"  {escape(step.command.ljust(width))}  [dim]# {escape(step.why)}[/]")
