"""Values a project file may hold that the tool cannot (or must not) turn into a plain value.

:class:`Unresolved` stands for a setting whose value is only known at deploy time
(``${ssm:/path}``, ``${cf:stack.output}``, ``!ImportValue``...) or that has the wrong type
(``memorySize: 1536MB``). It keeps the expression as written, so a check can show it and a
string comparison still sees the ``${...}``; it is never a guess.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Unresolved:
    """A value the project does not fix: ``expression`` as written, ``reason`` why."""

    expression: str
    reason: str = "resolved at deploy time"

    def __str__(self) -> str:
        return self.expression

    def describe(self) -> str:
        return f"unresolved: {self.expression!r} ({self.reason})"


class Sourced(str):
    """A string the project does not hold itself: resolved from a source outside its literal
    text (``${env:...}``, ``${file(...)}``, ``${param:...}``), so secret by origin.

    It compares and hashes as its value (checks still work on it); :attr:`expression` is what
    output shows instead. Every one is also registered with :mod:`momento_lambda_cli.redact`,
    which replaces the value by the expression in everything the tool prints or writes."""

    expression: str

    def __new__(cls, value: str, expression: str) -> Sourced:
        made = super().__new__(cls, value)
        made.expression = expression
        return made

    def __repr__(self) -> str:
        return self.expression


def secret_by_origin(value: Any, expression: str) -> Any:
    """``value`` (a source's result) with every string in it marked :class:`Sourced` and
    registered with the redactor under ``expression``; numbers and booleans are registered
    as their text."""
    from momento_lambda_cli import redact

    if isinstance(value, Unresolved) or value is None:
        return value
    if isinstance(value, str):
        redact.register_sourced(value, expression)
        return value if isinstance(value, Sourced) else Sourced(value, expression)
    if isinstance(value, dict):
        return {k: secret_by_origin(v, child_expression(expression, k)) for k, v in value.items()}
    if isinstance(value, list):
        return [secret_by_origin(v, expression) for v in value]
    if isinstance(value, bool | int | float):
        redact.register_sourced(str(value), expression)
    return value


def child_expression(expression: str, key: object) -> str:
    """``${file(./x.yml)}`` + ``password`` -> ``${file(./x.yml):password}`` (``.`` after an address)."""
    if expression.startswith("${") and expression.endswith("}"):
        inner = expression[2:-1]
        tail = inner.rpartition(")")[2] if ")" in inner else inner
        return "${" + inner + ("." if ":" in tail else ":") + str(key) + "}"
    return f"{expression}.{key}"


def shown(value: Any) -> str:
    """How output names a value: a :class:`Sourced` one by its expression, never its value."""
    if isinstance(value, Sourced):
        return value.expression
    return str(value)


def is_unresolved(value: Any) -> bool:
    return isinstance(value, Unresolved)


def as_int(value: Any, default: int, what: str) -> int | Unresolved:
    """``value`` as an int (``"512"`` and ``512.0`` count), ``default`` when absent, else Unresolved."""
    if value is None:
        return default
    if isinstance(value, Unresolved):
        return value
    if isinstance(value, bool):
        return Unresolved(str(value), f"{what} is not a number")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return Unresolved(str(value), f"{what} is not a whole number")


def as_float(value: Any, default: float, what: str) -> float | Unresolved:
    """``value`` as a float (numbers and numeric strings), ``default`` when absent, else Unresolved."""
    if value is None:
        return default
    if isinstance(value, Unresolved):
        return value
    if isinstance(value, bool):
        return Unresolved(str(value), f"{what} is not a number")
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            pass
    return Unresolved(str(value), f"{what} is not a number")


def as_str(value: Any, what: str) -> str | Unresolved | None:
    """A plain string (numbers turned to text), ``None`` when absent, Unresolved for anything
    else (a mapping left by an intrinsic that could not be evaluated, a list...)."""
    if value is None or isinstance(value, Unresolved | str):
        return value
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return str(value)
    return Unresolved(_short(value), f"{what} is not a string")


def _short(value: Any, limit: int = 120) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def known(value: T | Unresolved | None) -> T | None:
    """``value`` unless it is Unresolved."""
    return None if isinstance(value, Unresolved) else value


def mapping(value: Any) -> dict[str, Any]:
    """``value`` when it is a mapping, else an empty one (a missing or odd section of a loaded document)."""
    return value if isinstance(value, dict) else {}
