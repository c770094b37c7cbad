"""What every planner of `add` and `doctor --fix` shares: a loaded document's value read as a
mapping, and the refusal they raise (nothing is written when a plan is refused)."""

from __future__ import annotations

from typing import Any

from momento_lambda_cli.errors import MomentoLambdaError


def mapping(value: Any) -> dict[str, Any]:
    """``value`` when it is a mapping, else an empty one (a missing or odd section)."""
    return value if isinstance(value, dict) else {}


def refuse(message: str, hint: str, code: str) -> MomentoLambdaError:
    return MomentoLambdaError(f"{message} Nothing was written.", hint, code=code)
