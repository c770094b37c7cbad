"""`momento-lambda new`: render a ready-to-deploy SAM or Serverless project."""

from __future__ import annotations

from momento_lambda_cli.errors import UsageError


def new() -> None:
    """Create a new Lambda project that uses Momento (SAM or Serverless Framework)."""
    raise UsageError("`momento-lambda new` is not implemented yet.", code="not-implemented")
