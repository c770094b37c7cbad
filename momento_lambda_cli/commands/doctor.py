"""`momento-lambda doctor`: check a project, its build output and its deployed stack."""

from __future__ import annotations

from momento_lambda_cli.errors import UsageError


def doctor() -> None:
    """Check a project, its build output and its deployed stack."""
    raise UsageError("`momento-lambda doctor` is not implemented yet.", code="not-implemented")
