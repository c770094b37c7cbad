"""Bounds of every number a user gives the tool (an option or a field of a project file): one
rule and one message each, so that ``--timeout nan`` and ``"timeout": 1e999`` are refused alike.

NaN passes every ``<`` / ``>`` comparison as false, and infinity or a huge value overflows a
timer: a number is checked for being finite, of the right kind and inside its range.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from momento_lambda_cli import contract


@dataclass(frozen=True)
class Bound:
    unit: str
    minimum: float
    maximum: float
    whole: bool

    @property
    def rule(self) -> str:
        kind = "a whole number" if self.whole else "a number"
        return f"{kind} of {self.unit} from {self.minimum:g} to {self.maximum:g}"

    def problem(self, value: Any) -> str | None:
        """Why ``value`` is not such a number (``None``: it is)."""
        if isinstance(value, bool) or not isinstance(value, int | float):
            return f"must be {self.rule}"
        if isinstance(value, float) and not math.isfinite(value):
            return f"must be {self.rule}, not {value}"
        if self.whole and not isinstance(value, int):
            return f"must be {self.rule}, not {value:g}"
        if not self.minimum <= value <= self.maximum:
            return f"must be {self.rule}, not {value if isinstance(value, int) else format(value, 'g')}"
        return None


TIMEOUT = Bound("seconds", 0.01, 3600, whole=False)
"""A check's time bound (doctor ``--timeout``, ``"doctor": {"timeout": ...}``)."""
EXPIRY_WARNING_DAYS = Bound("days", 0, 3650, whole=True)
"""doctor ``--expiry-warning-days``, ``"doctor": {"expiry_warning_days": ...}``."""
TTL = Bound("seconds", 1, contract.MAX_TTL_SECONDS, whole=True)
"""The default TTL (``--default-ttl`` of new and add, ``default_ttl_seconds``)."""


def option_callback(bound: Bound) -> Any:
    """A Typer option callback refusing a value outside ``bound`` as a usage error (exit 2)."""

    def check(value: Any) -> Any:
        if value is None:
            return value
        problem = bound.problem(value)
        if problem:
            import typer

            raise typer.BadParameter(f"{problem}.")
        return value

    return check
