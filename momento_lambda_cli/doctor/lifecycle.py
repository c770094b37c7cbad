"""A Lambda runtime's place in AWS's deprecation policy on a given day.

Three dates per runtime (:data:`momento_lambda_cli.catalog.LIFECYCLES`): deprecated (no more security
patches), create blocked (no new functions: a new stage, stack or region fails to deploy)
and update blocked (no more code or configuration updates: every deploy fails).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from momento_lambda_cli import catalog

WARNING_DAYS = 90
"""How far ahead a coming date is a warning."""


def replacement(name: str, today: date) -> str | None:
    """The runtime to move ``name`` to, the one ``project.runtime`` advises and ``--fix`` writes:
    the oldest offered runtime of the same language still supported past the warning window
    (the smallest move: nodejs18.x goes to nodejs22.x, not to nodejs24.x and its new handler
    rules); ``None`` when there is none."""
    from datetime import timedelta

    current = catalog.runtime(name)
    if current is None:
        return None
    horizon = today + timedelta(days=WARNING_DAYS)
    later = [r for r in catalog.RUNTIMES if r.language == current.language and r.offered and r.deprecated > horizon]
    later.sort(key=lambda r: tuple(int(p) for p in r.version.split(".")))
    return later[0].name if later else None


@dataclass(frozen=True)
class Standing:
    level: str
    """``pass``, ``warn`` or ``fail``."""
    text: str
    """One line: what applies now and what comes next, with dates."""


def standing(name: str, today: date) -> Standing | None:
    """Where the runtime ``name`` stands on ``today``; ``None`` when its dates are not known."""
    dates = catalog.lifecycle(name)
    if dates is None:
        return None
    steps = [
        (day, what)
        for day, what in (
            (dates.deprecated, "deprecated (no security patches)"),
            (dates.create_blocked, "creating functions blocked (a new stage or stack fails to deploy)"),
            (dates.update_blocked, "updating functions blocked (every deploy fails)"),
        )
        if day is not None
    ]
    past = [(day, what) for day, what in steps if day <= today]
    coming = [(day, what) for day, what in steps if day > today]
    parts = [f"{what} since {day.isoformat()}" for day, what in past]
    parts += [f"{what.split(' (')[0]} from {day.isoformat()}" for day, what in coming]
    if past:
        return Standing("fail", f"{name}: " + "; ".join(parts))
    soon = coming[0][0]
    if (soon - today).days <= WARNING_DAYS:
        return Standing("warn", f"{name}: " + "; ".join(parts))
    return Standing("pass", f"{name} (supported until {dates.deprecated.isoformat()})")
