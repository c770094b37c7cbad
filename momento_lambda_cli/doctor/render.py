"""Turn outcomes into grouped ✓ ! ✗ lines (rich markup) and the JSON data block."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from momento_lambda_cli.doctor.model import GROUP_TITLES, NOT_AWS, Check, Outcome, Status, Summary

if TYPE_CHECKING:
    from rich.console import Console

MARKS = {
    Status.PASS: ("✓", "green"),
    Status.WARN: ("!", "yellow"),
    Status.FAIL: ("✗", "red"),
    Status.ERROR: ("✗", "red"),
    Status.SKIP: ("-", "dim"),
    Status.NOT_CHECKED: ("?", "magenta"),
}


_REPEATED = re.compile(r"\b([\w.\-]+) \(\1\)")
"""``x86_64 (x86_64)``: a value followed by itself in parentheses."""


def offline_skip(outcome: Outcome) -> bool:
    """A remote check skipped because of ``--offline`` (shown as one line for all of them)."""
    return outcome.check.remote and outcome.result.status is Status.SKIP and "--offline" in outcome.result.message


def not_aws_skip(outcome: Outcome) -> bool:
    """A check skipped because the project deploys to another cloud (one line for all of them)."""
    return outcome.result.status is Status.SKIP and outcome.result.message.startswith(NOT_AWS)


def not_aws_line(outcomes: Sequence[Outcome]) -> str | None:
    """``- 28 checks skipped: Not an AWS project (...)``, or ``None`` when none were."""
    from rich.markup import escape

    skipped = [o for o in outcomes if not_aws_skip(o)]
    if not skipped:
        return None
    plural = "s" if len(skipped) != 1 else ""
    return f"[dim]- {len(skipped)} check{plural} skipped: {escape(skipped[0].result.message)}[/]"


def tidy(message: str) -> str:
    """``message`` without a value repeated in parentheses."""
    return _REPEATED.sub(r"\1", message)


def merged(title: str, message: str) -> str | None:
    """One text for a message that repeats the title (``Configurations.Lambda used (src/x.py)``
    for that title and message), else ``None``."""
    head, text = title.strip().rstrip("."), message.strip().rstrip(".")
    if not text.casefold().startswith(head.casefold()):
        return None
    rest = text[len(head) :]
    if rest and not rest.startswith((" (", ":", ";", ",")):
        return None
    return head + rest


def offline_line(outcomes: Sequence[Outcome]) -> str | None:
    """``8 deployment and Momento checks skipped (--offline)``, or ``None`` when none were."""
    skipped = [o for o in outcomes if offline_skip(o)]
    if not skipped:
        return None
    groups = list(dict.fromkeys(GROUP_TITLES[o.check.group] for o in skipped))
    words = [g if g == "Momento" else g.lower() for g in groups]
    named = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
    plural = "s" if len(skipped) != 1 else ""
    return f"[dim]- {len(skipped)} {named} check{plural} skipped (--offline)[/]"


def lines(outcomes: list[Outcome], *, verbose: bool = False) -> list[str]:
    """Rich-markup lines: a heading per group, one line per check, hints and details under problems;
    the checks ``--offline`` skipped are one line at the end."""
    from rich.markup import escape

    out: list[str] = []
    group = None
    skip_hints_shown: set[str] = set()
    for outcome in outcomes:
        check, result = outcome.check, outcome.result
        if offline_skip(outcome) or not_aws_skip(outcome):
            continue
        if check.group != group:
            if group is not None:
                out.append("")
            group = check.group
            out.append(f"[bold]{GROUP_TITLES[group]}[/]")
        mark, colour = MARKS[result.status]
        label = {Status.ERROR: " error:", Status.NOT_CHECKED: " not checked:"}.get(result.status, "")
        title = escape(check.title)
        message = escape(tidy(result.message))
        both = None if label else merged(check.title, tidy(result.message))
        if result.status is Status.PASS and not verbose:
            out.append(f"  [{colour}]{mark}[/] {title}")
        elif both is not None:
            out.append(f"  [{colour}]{mark}[/] {escape(both)} [dim]({check.id})[/]")
        else:
            out.append(f"  [{colour}]{mark}[/] {title}:{label} {message} [dim]({check.id})[/]")
        show_details = result.status in {Status.WARN, Status.FAIL, Status.ERROR, Status.NOT_CHECKED} or verbose
        if show_details:
            out.extend(f"      [dim]·[/] {escape(d)}" for d in result.details)
        if result.hint and result.status in {Status.SKIP, Status.NOT_CHECKED}:
            if result.hint in skip_hints_shown:
                continue  # one reason for many skipped checks: say how to fix it once
            skip_hints_shown.add(result.hint)
        if result.hint and result.status is not Status.PASS:
            out.append(f"      [cyan]→[/] {escape(result.hint)}")
    other_cloud = not_aws_line(outcomes)
    if other_cloud:
        out.extend(["", other_cloud] if out else [other_cloud])
    offline = offline_line(outcomes)
    if offline:
        out.extend(["", offline] if out else [offline])
    return out


def summary_line(summary: Summary) -> str:
    parts = []
    if summary.warned:
        parts.append(f"{summary.warned} warning{'s' if summary.warned != 1 else ''}")
    if summary.failed:
        parts.append(f"{summary.failed} failed")
    if summary.errored:
        parts.append(f"{summary.errored} errored")
    if summary.not_checked:
        parts.append(f"{summary.not_checked} not checked")
    if summary.skipped:
        parts.append(f"{summary.skipped} skipped")
    tail = f" ({', '.join(parts)})" if parts else ""
    colour = (
        "green"
        if summary.ok() and not summary.warned
        else ("yellow" if summary.passed_checks() and not summary.not_checked else "red")
    )
    return f"[bold {colour}]{summary.passed}/{summary.total} checks passed[/]{tail}"


def not_checked_line(summary: Summary) -> str:
    """Why the exit code is 3 although nothing failed."""
    plural = "s" if summary.not_checked != 1 else ""
    return (
        f"[magenta]{summary.not_checked} check{plural} could not run (exit code 3): "
        "pass --offline to check only the project, or --skip them.[/]"
    )


def json_data(project_dir: str, framework: str | None, outcomes: list[Outcome]) -> dict[str, Any]:
    return {
        "project_dir": project_dir,
        "framework": framework,
        "summary": Summary.of(outcomes).to_dict(),
        "checks": [o.to_dict() for o in outcomes],
    }


def waiting_text(pending: Sequence[Check], total: int) -> str:
    """``Waiting for Stack deployed, Cache exists and 2 more… (4/8 done)``."""
    names = [c.title for c in pending[:2]]
    more = len(pending) - len(names)
    listed = ", ".join(names) + (f" and {more} more" if more else "")
    return f"Waiting for {listed}… ({total - len(pending)}/{total} done)"


@contextlib.contextmanager
def progress(console: Console, checks: Sequence[Check], enabled: bool) -> Iterator[Callable[[Outcome], None]]:
    """A live line on ``console`` naming the checks still running (when enabled)."""
    if not enabled:
        yield lambda _outcome: None
        return
    pending = list(checks)
    total = len(pending)
    with console.status(waiting_text(pending, total)) as status:

        def update(outcome: Outcome) -> None:
            if outcome.check in pending:
                pending.remove(outcome.check)
            if pending:
                status.update(waiting_text(pending, total))

        yield update
