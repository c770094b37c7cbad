"""The one rule for the shape of an AWS region code, shared by every command's ``--region``,
the answers file and the region a project or the environment names (standard library only:
the option is checked while the command line is parsed, before boto3 is imported)."""

from __future__ import annotations

import re

SHAPE = re.compile(r"[a-z]{2}(?:-[a-z]+)+-\d{1,2}")
"""``us-east-1``, ``eu-central-2``, ``us-gov-west-1``, ``ap-southeast-10``."""

RULE = "an AWS region code such as us-east-1"


def problem(region: str) -> str | None:
    """Why ``region`` cannot be a region code (``None``: it has the shape of one)."""
    return None if SHAPE.fullmatch(region) else f"must be {RULE}"
