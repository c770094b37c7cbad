"""Options that more than one command takes, defined once (same parsing, same bounds, same
message and the same exit code in every command).

A bad value of any of these is a usage error (exit 2) raised while the command line is parsed,
worded by :func:`momento_lambda_cli.usage.translate`: ``Invalid value 'X' for --OPTION: must
be ...``. tests/test_shared_options.py runs each one through every command that takes it.
"""

from __future__ import annotations

from typing import Annotated

import typer

from momento_lambda_cli import contract, numbers, regions
from momento_lambda_cli.commands import REGION_HELP


def _region(value: str | None) -> str | None:
    if value is None:
        return None
    found = regions.problem(value)
    if found:
        raise typer.BadParameter(f"{found}.")
    return value


def _profile(value: str | None) -> str | None:
    if value is not None and (not value.strip() or any(c.isspace() or not c.isprintable() for c in value)):
        raise typer.BadParameter("must be the name of an AWS profile (see `aws configure list-profiles`).")
    return value


DefaultTtl = Annotated[
    int,
    typer.Option(
        "--default-ttl",
        parser=numbers.option_parser(numbers.TTL),
        metavar="SECONDS",
        help=f"Cache TTL in seconds (1 to {contract.MAX_TTL_SECONDS}, Momento's maximum).",
    ),
]
"""``--default-ttl`` of ``new`` and ``add``."""

Region = Annotated[
    str | None,
    typer.Option("--region", metavar="REGION", callback=_region, help=REGION_HELP),
]
"""``--region`` of ``store-token`` and ``doctor`` (the project's or the environment's region
by default)."""

NewRegion = Annotated[
    str | None,
    typer.Option("--region", metavar="REGION", callback=_region, help="AWS region written into the deploy settings."),
]
"""``--region`` of ``new``: the same check, its own help (it writes the region, it reads none)."""

Profile = Annotated[
    str | None,
    typer.Option("--profile", metavar="PROFILE", callback=_profile, help="AWS profile (default: AWS_PROFILE)."),
]
"""``--profile`` of ``store-token`` and ``doctor`` (a name that no AWS config file defines is
refused by :func:`momento_lambda_cli.aws.session`, the one place that opens a session)."""
