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


def option_parser(bound: Bound) -> Any:
    """A Typer option ``parser`` turning the command-line text into a number inside ``bound``,
    or refusing it as a usage error (exit 2) in the bound's own words: the same message from
    every command and every typer version (typer's own int/float parsing words its errors
    differently from one release to the next, and a range there lets NaN through)."""

    def parse(text: Any) -> Any:
        if text is None or (isinstance(text, int | float) and not isinstance(text, bool)):
            value = text
        else:
            raw = str(text).strip()
            try:
                value = int(raw) if bound.whole else float(raw)
            except ValueError:
                try:
                    value = float(raw)
                except ValueError:
                    import typer

                    raise typer.BadParameter(f"must be {bound.rule}, not {text!r}.") from None
        if value is None:
            return value
        problem = bound.problem(value)
        if problem:
            import typer

            raise typer.BadParameter(f"{problem}.")
        return value

    return parse
