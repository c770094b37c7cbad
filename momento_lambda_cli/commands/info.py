"""`momento-lambda info` (also `momento-lambda --version --verbose`): versions for a bug report."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer

from momento_lambda_cli import console


def info(
    json_output: Annotated[bool, typer.Option("--json", help="Print one JSON document (the shared envelope).")] = False,
) -> None:
    """Show the tool, Python, OS and library versions and the deploy tools on PATH (sam,
    serverless, osls, node, docker), for bug reports."""
    if json_output:
        console.mode.json_command = "info"
    from momento_lambda_cli.info import collect

    with probing(json_output) as progress:
        data = collect(progress)
    if json_output:
        console.print_json(console.envelope("info", ok=True, data=data))
        return
    for line in lines(data):
        console.stdout().print(line, markup=False, highlight=False)


@contextmanager
def probing(json_output: bool) -> Iterator[Callable[[list[str]], None] | None]:
    """A status line on a terminal's stderr naming the tools still being asked for their
    versions (a slow `serverless --version` can take seconds); nothing with ``--json`` or
    when stderr is not a terminal."""
    err = console.stderr()
    if json_output or not err.is_terminal:
        yield None
        return
    with err.status("Asking the deploy tools for their versions") as status:

        def update(waiting: list[str]) -> None:
            if waiting:
                status.update(f"Asking the deploy tools for their versions: {', '.join(waiting)}")

        yield update


def lines(data: dict[str, Any]) -> list[str]:
    """The plain-text report."""
    tool, python, system = data["tool"], data["python"], data["os"]
    out = [
        f"momento-lambda {tool['version']}  ({tool['path']})",
        f"Python         {python['version']} {python['implementation']}  ({python['executable']})",
        f"OS             {system['platform']} ({system['machine']})",
        "",
        "Libraries",
    ]
    width = max((len(n) for n in data["libraries"]), default=0)
    out += [f"  {name:<{width}}  {version or 'not installed'}" for name, version in data["libraries"].items()]
    out += ["", "Tools on PATH"]
    width = max((len(n) for n in data["tools"]), default=0)
    for name, found in data["tools"].items():
        if found.get("path") is None:
            out.append(f"  {name:<{width}}  not found")
            continue
        version = found.get("version") or "version unknown"
        problem = f"; {found['problem']}" if found.get("problem") else ""
        out.append(f"  {name:<{width}}  {version}  ({found['path']}{problem})")
    return out
