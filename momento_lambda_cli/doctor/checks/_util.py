"""Helpers shared by check modules."""

from __future__ import annotations

from momento_lambda_cli.doctor.resolution import PSEUDO_PLACEHOLDERS


def as_pattern(resource: str) -> str:
    """A template resource with pseudo-parameter placeholders turned into wildcards."""
    for placeholder in PSEUDO_PLACEHOLDERS:
        resource = resource.replace(placeholder, "*")
    return resource


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"
