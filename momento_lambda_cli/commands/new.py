"""`momento-lambda new`: render a ready-to-deploy SAM or Serverless project."""

from __future__ import annotations

import os
import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from momento_lambda_cli import console

if TYPE_CHECKING:
    from momento_lambda_cli.scaffold.answers import Answers
    from momento_lambda_cli.scaffold.next_steps import Step
    from momento_lambda_cli.scaffold.render import RenderResult


class Framework(str, Enum):
    sam = "sam"
    serverless = "serverless"


class Runtime(str, Enum):
    python311 = "python3.11"
    python312 = "python3.12"
    python313 = "python3.13"
    python314 = "python3.14"
    nodejs22 = "nodejs22.x"
    nodejs24 = "nodejs24.x"


class Architecture(str, Enum):
    x86_64 = "x86_64"
    arm64 = "arm64"


def new(
    name: Annotated[
        str,
        typer.Argument(
            metavar="NAME", help="Project name: the folder, the stack / service name (letters, digits, hyphens)."
        ),
    ],
    framework: Annotated[
        Framework | None, typer.Option("--framework", "-f", help="Deployment framework. [default: sam]")
    ] = None,
    runtime: Annotated[
        Runtime | None, typer.Option("--runtime", "-r", help="Lambda runtime. [default: python3.13]")
    ] = None,
    arch: Annotated[
        Architecture | None, typer.Option("--arch", "-a", help="CPU architecture. [default: x86_64]")
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
    from momento_lambda_cli.scaffold.answers import (
        DEFAULT_ARCHITECTURE,
        DEFAULT_FRAMEWORK,
        DEFAULT_RUNTIME,
        build_answers,
        validate_project_name,
        warnings_for,
    )
    from momento_lambda_cli.scaffold.next_steps import next_steps
    from momento_lambda_cli.scaffold.render import check_target, render_project

    validate_project_name(name)
    check_target(output_dir.expanduser().absolute(), name)
    interactive = not (no_input or json_output) and _stdin_is_tty()
    chosen_framework = framework.value if framework else None
    chosen_runtime = runtime.value if runtime else None
    chosen_arch = arch.value if arch else None
    if interactive:
        chosen_framework = chosen_framework or _ask("Framework", [f.value for f in Framework], DEFAULT_FRAMEWORK)
        chosen_runtime = chosen_runtime or _ask("Runtime", [r.value for r in Runtime], DEFAULT_RUNTIME)
        chosen_arch = chosen_arch or _ask("Architecture", [a.value for a in Architecture], DEFAULT_ARCHITECTURE)
        if cache_name is None:
            cache_name = _ask_text("Momento cache name", default=name)
    answers = build_answers(
        name,
        framework=chosen_framework or DEFAULT_FRAMEWORK,
        runtime=chosen_runtime or DEFAULT_RUNTIME,
        architecture=chosen_arch or DEFAULT_ARCHITECTURE,
        cache_name=cache_name,
        secret_name=secret_name,
        secret_arn=secret_arn,
        default_ttl_seconds=default_ttl,
        region=region,
        kms_key_arn=kms_key_arn,
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


def _ask(label: str, choices: list[str], default: str) -> str:
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
