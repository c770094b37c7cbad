"""Catch a mistyped AWS region before any call (with AWS_ENDPOINT_URL set, nothing else would)."""

from __future__ import annotations

import difflib
import re
from functools import cache

from momento_lambda_cli.errors import UsageError

_REGION_SHAPE = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d{1,2}$")


@cache
def known_regions() -> frozenset[str]:
    """Every region botocore's bundled endpoint data knows for Secrets Manager (offline)."""
    import boto3

    session = boto3.session.Session()
    regions: set[str] = set()
    for partition in session.get_available_partitions():
        regions.update(session.get_available_regions("secretsmanager", partition_name=partition))
    return frozenset(regions)


def check_region(region: str) -> list[str]:
    """Raise :class:`UsageError` for a region name that cannot exist; warn about an unknown one.

    A well-formed name the installed botocore does not know (a new region, or a typo such
    as ``us-eats-1``) is only a warning with suggestions: AWS itself is the judge.
    """
    if region in known_regions():
        return []
    close = difflib.get_close_matches(region, sorted(known_regions()), n=3, cutoff=0.6)
    suggestion = f"Did you mean {' or '.join(close)}?" if close else "Region codes look like us-east-1 or eu-west-1."
    if _REGION_SHAPE.match(region):
        return [f"{region!r} is not a region this version of botocore knows. {suggestion}"]
    raise UsageError(
        f"{region!r} is not an AWS region.",
        f"{suggestion} (--region, AWS_REGION, or the project's region)",
        code="aws.unknown-region",
    )
