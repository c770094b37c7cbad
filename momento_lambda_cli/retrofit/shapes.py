"""What every planner of `add` and `doctor --fix` shares: a loaded document's value read as a
mapping, and the refusal they raise (nothing is written when a plan is refused)."""

from __future__ import annotations

from momento_lambda_cli.errors import MomentoLambdaError
from momento_lambda_cli.project.values import mapping

__all__ = ["mapping", "refuse"]


def refuse(message: str, hint: str, code: str) -> MomentoLambdaError:
    return MomentoLambdaError(f"{message} Nothing was written.", hint, code=code)
