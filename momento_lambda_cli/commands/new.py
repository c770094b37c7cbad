"""`momento-lambda new`: render a ready-to-deploy SAM or Serverless project."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from momento_lambda_cli import catalog, console
from momento_lambda_cli.scaffold.answers import DEFAULT_INIT_CLIENT, INIT_CLIENT_MODES

if TYPE_CHECKING:
    from momento_lambda_cli.scaffold.answers import Answers
    from momento_lambda_cli.scaffold.next_steps import Step
    from momento_lambda_cli.scaffold.render import RenderResult

    FrameworkName = str
    RuntimeName = str
    ArchitectureName = str
    InitClientMode = str
else:  # typer takes the choices (and --help shows them) from these types
    FrameworkName = Literal[catalog.FRAMEWORK_NAMES]
    RuntimeName = Literal[catalog.RUNTIME_NAMES]
    ArchitectureName = Literal[catalog.ARCHITECTURE_NAMES]
    InitClientMode = Literal[INIT_CLIENT_MODES]


def new(
    name: Annotated[
        str,
        typer.Argument(
            metavar="NAME", help="Project name: the folder, the stack / service name (letters, digits, hyphens)."
        ),
    ],
    framework: Annotated[
        FrameworkName | None,
        typer.Option("--framework", "-f", help=f"Deployment framework. [default: {catalog.DEFAULT_FRAMEWORK.name}]"),
    ] = None,
    runtime: Annotated[
        RuntimeName | None,
        typer.Option("--runtime", "-r", help=f"Lambda runtime. [default: {catalog.DEFAULT_RUNTIME.name}]"),
    ] = None,
    arch: Annotated[
        ArchitectureName | None,
        typer.Option("--arch", "-a", help=f"CPU architecture. [default: {catalog.DEFAULT_ARCHITECTURE.name}]"),
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
    default_ttl: Annotated[
        int, typer.Option("--default-ttl", min=1, metavar="SECONDS", help="Cache TTL in seconds.")
    ] = 60,
    kms_key_arn: Annotated[
        str | None,
        typer.Option(metavar="ARN", help="Customer-managed KMS key of the secret (grants kms:Decrypt on it)."),
    ] = None,
    region: Annotated[
        str | None, typer.Option(metavar="REGION", help="AWS region written into the deploy settings.")
    ] = None,
    init_client: Annotated[
        InitClientMode,
        typer.Option(
            "--init-client",
            help="Read the secret and build the Momento client at import (eager, Lambda's INIT; "
            "falls back to the first request on error) or on the first request (lazy).",
        ),
    ] = DEFAULT_INIT_CLIENT,
    output_dir: Annotated[
        Path, typer.Option("--output-dir", "-o", metavar="DIR", help="Where to create the project folder.")
    ] = Path("."),
    no_input: Annotated[bool, typer.Option("--no-input", help="Never prompt; use the defaults.")] = False,
    json_output: Annotated[bool, typer.Option("--json", help="Print one JSON document (implies --no-input).")] = False,
) -> None:
    """Create a new Lambda project that uses Momento (SAM or Serverless Framework).

    On a terminal, asks for the framework, runtime, architecture and cache name that were not
    given. Exit codes: 0 created, 1 bad input or the target folder exists, 2 usage error.
    """
    if json_output:
        console.mode.json_command = "new"
    from momento_lambda_cli.scaffold.answers import build_answers, validate_project_name, warnings_for
    from momento_lambda_cli.scaffold.next_steps import next_steps
    from momento_lambda_cli.scaffold.render import check_target, render_project

    validate_project_name(name)
    check_target(output_dir.expanduser().absolute(), name)
    interactive = not (no_input or json_output) and _stdin_is_tty()
    if interactive:
        framework = framework or _ask("Framework", catalog.FRAMEWORK_NAMES, catalog.DEFAULT_FRAMEWORK.name)
        runtime = runtime or _ask("Runtime", catalog.RUNTIME_NAMES, catalog.DEFAULT_RUNTIME.name)
        arch = arch or _ask("Architecture", catalog.ARCHITECTURE_NAMES, catalog.DEFAULT_ARCHITECTURE.name)
        if cache_name is None:
            cache_name = _ask_text("Momento cache name", default=name)
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


def _ask(label: str, choices: tuple[str, ...], default: str) -> str:
    import click

    value = click.prompt(label, default=default, type=click.Choice(choices), show_choices=True, err=True)
    return str(value)


def _ask_text(label: str, default: str) -> str:
    import click

    return str(click.prompt(label, default=default, err=True))


def _shown_path(project_dir: Path) -> str:
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
        f"({answers.framework}, {answers.runtime}, {answers.architecture})"
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
