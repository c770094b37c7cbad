"""`momento-lambda store-token`: store the Momento API key in AWS Secrets Manager."""

from __future__ import annotations

from momento_lambda_cli.errors import UsageError


def store_token() -> None:
    """Store the Momento API key in AWS Secrets Manager and wire it into the project."""
    raise UsageError("`momento-lambda store-token` is not implemented yet.", code="not-implemented")
