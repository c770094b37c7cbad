"""Turn outcomes into grouped ✓ ! ✗ lines (rich markup) and the JSON data block."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from momento_lambda_cli.doctor.model import GROUP_TITLES, Check, Outcome, Status, Summary

if TYPE_CHECKING:
    from rich.console import Console

MARKS = {
    Status.PASS: ("✓", "green"),
    Status.WARN: ("!", "yellow"),
    Status.FAIL: ("✗", "red"),
    Status.ERROR: ("✗", "red"),
    Status.SKIP: ("-", "dim"),
}


def lines(outcomes: list[Outcome], *, verbose: bool = False) -> list[str]:
    """Rich-markup lines: a heading per group, one line per check, hints and details under problems."""
    from rich.markup import escape

    out: list[str] = []
    group = None
    skip_hints_shown: set[str] = set()
    for outcome in outcomes:
        check, result = outcome.check, outcome.result
        if check.group != group:
            if group is not None:
                out.append("")
            group = check.group
            out.append(f"[bold]{GROUP_TITLES[group]}[/]")
        mark, colour = MARKS[result.status]
        label = " error:" if result.status is Status.ERROR else ""
        title = escape(check.title)
        message = escape(result.message)
        if result.status is Status.PASS and not verbose:
            out.append(f"  [{colour}]{mark}[/] {title}")
        else:
            out.append(f"  [{colour}]{mark}[/] {title}:{label} {message} [dim]({check.id})[/]")
        show_details = result.status in {Status.WARN, Status.FAIL, Status.ERROR} or verbose
        if show_details:
            out.extend(f"      [dim]·[/] {escape(d)}" for d in result.details)
        if result.hint and result.status is Status.SKIP:
            if result.hint in skip_hints_shown:
                continue  # one reason for many skipped checks: say how to fix it once
            skip_hints_shown.add(result.hint)
        if result.hint and result.status is not Status.PASS:
            out.append(f"      [cyan]→[/] {escape(result.hint)}")
    return out


def summary_line(summary: Summary) -> str:
    parts = []
    if summary.warned:
        parts.append(f"{summary.warned} warning{'s' if summary.warned != 1 else ''}")
    if summary.failed:
        parts.append(f"{summary.failed} failed")
    if summary.errored:
        parts.append(f"{summary.errored} errored")
    if summary.skipped:
        parts.append(f"{summary.skipped} skipped")
    tail = f" ({', '.join(parts)})" if parts else ""
    colour = "green" if summary.ok() and not summary.warned else ("yellow" if summary.ok() else "red")
    return f"[bold {colour}]{summary.passed}/{summary.total} checks passed[/]{tail}"


def json_data(project_dir: str, framework: str | None, outcomes: list[Outcome]) -> dict[str, Any]:
    return {
        "project_dir": project_dir,
        "framework": framework,
        "summary": Summary.of(outcomes).to_dict(),
        "checks": [o.to_dict() for o in outcomes],
    }


def check_list(checks: list[Check]) -> list[dict[str, Any]]:
    return [{"id": c.id, "group": c.group.value, "title": c.title, "remote": c.remote} for c in checks]


@contextlib.contextmanager
def progress(console: Console, total: int, enabled: bool) -> Iterator[Callable[[Outcome], None]]:
    """A live "Running checks… n/total" line on ``console`` while checks run (when enabled)."""
    if not enabled:
        yield lambda _outcome: None
        return
    done = 0
    with console.status(f"Running {total} checks…") as status:

        def update(outcome: Outcome) -> None:
            nonlocal done
            done += 1
            status.update(f"Running checks… {done}/{total} done (last: {outcome.check.id})")

        yield update
