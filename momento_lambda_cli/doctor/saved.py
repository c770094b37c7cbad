"""`doctor` options a project keeps in its answers file, so CI does not repeat them.

``.momento-lambda.json`` may hold a ``"doctor"`` object::

    "doctor": {"skip": ["build"], "only": [], "strict": true, "offline": false,
               "timeout": 30, "expiry_warning_days": 14}

Every field is optional. The command line wins: ``--only`` replaces the saved ``only``,
``--skip`` adds to the saved ``skip``, ``--strict`` / ``--offline`` turn those on, and
``--timeout`` / ``--expiry-warning-days`` replace the saved numbers.

The object is checked with the rest of the answers file, by the one schema every command uses
(:func:`momento_lambda_cli.scaffold.answers.check_doctor_options`): a malformed field is
``Error: FILE: doctor.FIELD: ...`` with a hint, exit 1, as in every other command.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from momento_lambda_cli.errors import MomentoLambdaError, UsageError
from momento_lambda_cli.scaffold.answers import DOCTOR_FIELD


@dataclass(frozen=True)
class SavedOptions:
    only: tuple[str, ...] = ()
    skip: tuple[str, ...] = ()
    strict: bool = False
    offline: bool = False
    timeout: float | None = None
    expiry_warning_days: int | None = None
    source: str = ""
    """The answers file they came from (for errors naming it)."""


def _names(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    return tuple(v for v in value if isinstance(v, str)) if isinstance(value, list) else ()


def load(project_dir: Path) -> SavedOptions:
    """The saved options of the project at ``project_dir`` (none when it has no answers file).

    Raises :class:`MomentoLambdaError` (exit 1) when the answers file cannot be read or any of
    its fields is malformed: the doctor section and the answers alike."""
    from momento_lambda_cli.project.answers import ANSWERS_FILE, load_answers

    answers = load_answers(project_dir)  # checked by the schema; raises Error: FILE: FIELD ...
    saved = (answers or {}).get(DOCTOR_FIELD)
    if not isinstance(saved, dict):
        return SavedOptions()
    timeout = saved.get("timeout")
    days = saved.get("expiry_warning_days")
    return SavedOptions(
        only=_names(saved.get("only", [])),
        skip=_names(saved.get("skip", [])),
        strict=saved.get("strict") is True,
        offline=saved.get("offline") is True,
        timeout=float(timeout) if isinstance(timeout, int | float) else None,
        expiry_warning_days=days if isinstance(days, int) else None,
        source=str(project_dir / ANSWERS_FILE),
    )


def check_names(saved: SavedOptions, select: Callable[[tuple[str, ...], tuple[str, ...]], object]) -> None:
    """Each saved ``only`` / ``skip`` names a check, an id prefix or a group: ``select(only, skip)``
    (the registry's selection) raising a usage error becomes ``Error: FILE: doctor.FIELD: ...``
    (exit 1): it is the file that is wrong, not the command line."""
    for field, names in (("only", saved.only), ("skip", saved.skip)):
        if not names:
            continue
        try:
            select(names, ()) if field == "only" else select((), names)
        except UsageError as exc:
            raise MomentoLambdaError(
                f"{saved.source}: {DOCTOR_FIELD}.{field}: {exc.message}", exc.hint, code="answers.bad-field"
            ) from None
