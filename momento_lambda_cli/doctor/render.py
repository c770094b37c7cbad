"""Turn outcomes into grouped ✓ ! ✗ lines (rich markup) and the JSON data block."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from momento_lambda_cli.doctor.model import GROUP_TITLES, NOT_AWS, Check, Group, Outcome, Status, Summary

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


PROBLEMS = (Status.WARN, Status.FAIL, Status.ERROR)


def _check_lines(outcome: Outcome, *, verbose: bool, hints_shown: set[str]) -> list[str]:
    """One check: its mark, title and message; details and hint under a problem (a hint once)."""
    from rich.markup import escape

    check, result = outcome.check, outcome.result
    mark, colour = MARKS[result.status]
    label = {Status.ERROR: " error:", Status.NOT_CHECKED: " not checked:"}.get(result.status, "")
    message = escape(tidy(result.message))
    both = None if label else merged(check.title, tidy(result.message))
    if result.status is Status.PASS and not verbose:
        out = [f"  [{colour}]{mark}[/] {escape(check.title)}"]
    elif both is not None:
        out = [f"  [{colour}]{mark}[/] {escape(both)} [dim]({check.id})[/]"]
    else:
        out = [f"  [{colour}]{mark}[/] {escape(check.title)}:{label} {message} [dim]({check.id})[/]"]
    if result.status in PROBLEMS or result.status is Status.NOT_CHECKED or verbose:
        out.extend(f"      [dim]·[/] {escape(d)}" for d in result.details)
    if result.hint and result.status is not Status.PASS and result.hint not in hints_shown:
        hints_shown.add(result.hint)
        out.append(f"      [cyan]→[/] {escape(result.hint)}")
    return out


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _names(titles: Sequence[str]) -> str:
    words = [t if t == "Momento" else t.lower() for t in titles]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def lines(outcomes: list[Outcome], *, verbose: bool = False) -> list[str]:
    """Rich-markup lines, short unless ``verbose`` (then :func:`detailed_lines`): one line per
    category when all is well; each problem once, with its details and hint; checks that could
    not run folded into one line per reason (and its hint once); skipped checks folded into one
    line per reason at the end (``-v`` shows every check)."""
    if verbose:
        return detailed_lines(outcomes, verbose=True)
    from rich.markup import escape

    out: list[str] = []
    groups: dict[Group, list[Outcome]] = {}
    for outcome in outcomes:
        groups.setdefault(outcome.check.group, []).append(outcome)
    folded_nc: dict[tuple[str, str | None], list[Outcome]] = {}
    folded_skip: dict[tuple[str, str | None], list[Outcome]] = {}
    hints_shown: set[str] = set()
    for group, members in groups.items():
        title = GROUP_TITLES[group]
        problems = [o for o in members if o.result.status in PROBLEMS]
        passed = sum(o.result.status is Status.PASS for o in members)
        skipped = [o for o in members if o.result.status is Status.SKIP and not offline_skip(o) and not not_aws_skip(o)]
        for o in members:
            if o.result.status is Status.NOT_CHECKED:
                folded_nc.setdefault((o.result.message, o.result.hint), []).append(o)
        for o in skipped:
            folded_skip.setdefault((o.result.message, o.result.hint), []).append(o)
        tail = f" [dim]({len(skipped)} skipped)[/]" if skipped else ""
        if problems:
            if out and out[-1] != "":
                out.append("")
            out.append(f"[bold]{title}[/]")
            for outcome in problems:
                out.extend(_check_lines(outcome, verbose=False, hints_shown=hints_shown))
            if passed:
                out.append(f"  [green]✓[/] {_plural(passed, 'other check')} passed{tail}")
            out.append("")
        elif passed:
            out.append(f"[green]✓[/] [bold]{title}[/]: {_plural(passed, 'check')} passed{tail}")
        elif skipped and len(skipped) == len(members):
            out.append(f"[dim]- {title}: {_plural(len(skipped), 'check')} skipped[/]")
    if folded_nc:
        if out and out[-1] != "":
            out.append("")
        for (message, hint), items in folded_nc.items():
            where = _names(list(dict.fromkeys(GROUP_TITLES[o.check.group] for o in items)))
            ids = f" [dim]({items[0].check.id})[/]" if len(items) == 1 else ""
            out.append(
                f"[magenta]?[/] {_plural(len(items), where + ' check')} not checked: {escape(tidy(message))}{ids}"
            )
            details = list(dict.fromkeys(d for o in items for d in o.result.details))
            out.extend(f"      [dim]·[/] {escape(d)}" for d in details)
            if hint and hint not in hints_shown:
                hints_shown.add(hint)
                out.append(f"      [cyan]→[/] {escape(hint)}")
    if folded_skip:
        if out and out[-1] != "":
            out.append("")
        for (message, hint), items in folded_skip.items():
            named = f" ({', '.join(o.check.id for o in items)})" if len(items) <= 2 else ""
            line = f"[dim]- {_plural(len(items), 'check')} skipped: {escape(tidy(message))}{escape(named)}[/]"
            if hint and hint not in hints_shown:
                hints_shown.add(hint)
                line += f" [cyan]→[/] {escape(hint)}"
            out.append(line)
    for extra in (not_aws_line(outcomes), offline_line(outcomes)):
        if extra:
            if out and out[-1] != "" and not out[-1].startswith("[dim]-"):
                out.append("")
            out.append(extra)
    while out and out[-1] == "":
        out.pop()
    return out


def detailed_lines(outcomes: list[Outcome], *, verbose: bool = False) -> list[str]:
    """Rich-markup lines (``--verbose``): a heading per group, one line per check, hints and details
    under problems; the checks ``--offline`` skipped are one line at the end."""
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
