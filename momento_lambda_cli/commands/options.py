"""Options that more than one command takes, defined once (same parsing, same bounds, same
message in every command)."""

from __future__ import annotations

from typing import Annotated

import typer

from momento_lambda_cli import contract, numbers

DefaultTtl = Annotated[
    int,
    typer.Option(
        "--default-ttl",
        min=int(numbers.TTL.minimum),
        max=int(numbers.TTL.maximum),
        metavar="SECONDS",
        help=f"Cache TTL in seconds (1 to {contract.MAX_TTL_SECONDS}, Momento's maximum).",
    ),
]
"""``--default-ttl`` of ``new`` and ``add``."""
