"""`doctor` options a project keeps in its answers file, so CI does not repeat them.

``.momento-lambda.json`` may hold a ``"doctor"`` object::

    "doctor": {"skip": ["build"], "only": [], "strict": true, "offline": false,
               "timeout": 30, "expiry_warning_days": 14}

Every field is optional. The command line wins: ``--only`` replaces the saved ``only``,
``--skip`` adds to the saved ``skip``, ``--strict`` / ``--offline`` turn those on, and
``--timeout`` / ``--expiry-warning-days`` replace the saved numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from momento_lambda_cli import catalog, numbers
from momento_lambda_cli.errors import UsageError

FIELD = "doctor"
KNOWN = ("only", "skip", "strict", "offline", "timeout", "expiry_warning_days")


@dataclass(frozen=True)
class SavedOptions:
    only: tuple[str, ...] = ()
    skip: tuple[str, ...] = ()
    strict: bool = False
    offline: bool = False
    timeout: float | None = None
    expiry_warning_days: int | None = None


def _bad(what: str) -> UsageError:
    return UsageError(
        f"{catalog.ANSWERS_FILE}: doctor.{what}.",
        f'E.g. "doctor": {{"skip": ["build"], "strict": true, "timeout": 30}}; fields: {", ".join(KNOWN)}.',
        code="doctor.bad-saved-options",
    )


def _names(value: Any, field: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _bad(f"{field} must be a list of check ids, id prefixes or groups")
    return tuple(value)


def load(project_dir: Path) -> SavedOptions:
    """The saved options of the project at ``project_dir`` (none when it has no answers file)."""
    from momento_lambda_cli.project.answers import load_answers

    try:
        answers = load_answers(project_dir)
    except Exception:  # an unreadable answers file is reported by the checks themselves
        return SavedOptions()
    saved = (answers or {}).get(FIELD)
    if saved is None:
        return SavedOptions()
    if not isinstance(saved, dict):
        raise _bad("must be a JSON object")
    unknown = sorted(set(saved) - set(KNOWN))
    if unknown:
        raise _bad(f"{unknown[0]} is not a doctor option")
    for flag in ("strict", "offline"):
        if flag in saved and not isinstance(saved[flag], bool):
            raise _bad(f"{flag} must be true or false")
    timeout = saved.get("timeout")
    problem = numbers.TIMEOUT.problem(timeout) if timeout is not None else None
    if problem:
        raise _bad(f"timeout {problem}")
    days = saved.get("expiry_warning_days")
    problem = numbers.EXPIRY_WARNING_DAYS.problem(days) if days is not None else None
    if problem:
        raise _bad(f"expiry_warning_days {problem}")
    return SavedOptions(
        only=_names(saved.get("only", []), "only"),
        skip=_names(saved.get("skip", []), "skip"),
        strict=bool(saved.get("strict", False)),
        offline=bool(saved.get("offline", False)),
        timeout=float(timeout) if timeout is not None else None,
        expiry_warning_days=days,
    )
