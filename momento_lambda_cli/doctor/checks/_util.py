"""Helpers shared by check modules."""

from __future__ import annotations

from momento_lambda_cli.doctor.project_model import PSEUDO_PLACEHOLDERS, FunctionSpec


def momento_functions(functions: list[FunctionSpec]) -> list[FunctionSpec]:
    """The functions that use Momento (a MOMENTO_* variable, or momento in their code)."""
    return [f for f in functions if f.uses_momento]


def as_pattern(resource: str) -> str:
    """A template resource with pseudo-parameter placeholders turned into wildcards."""
    for placeholder in PSEUDO_PLACEHOLDERS:
        resource = resource.replace(placeholder, "*")
    return resource


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"
