"""Set one key of a samconfig.toml table, keeping every other byte."""

from __future__ import annotations

from collections.abc import Sequence

from momento_lambda_cli.errors import parser_problem
from momento_lambda_cli.project.edit import (
    NEW_SAMCONFIG,
    Splice,
    Text,
    _toml_entries,
    _toml_loads,
    toml_error,
    toml_insert,
)


def set_value(text: str | None, table: Sequence[str], key: str, raw: str, *, source: str) -> str:
    """``text`` (``None``: a new file) with ``key = raw`` in ``[table]`` (the table is added at
    the end when missing); an existing ``key`` keeps its value when it already equals ``raw``'s
    value, else only the value's bytes change."""
    doc = Text(NEW_SAMCONFIG if text is None else text)
    norm = doc.norm
    wanted = _toml_loads(f"x = {raw}", source)["x"]
    _toml_loads(norm, source)
    try:
        entries = list(_toml_entries(norm))
    except (ValueError, IndexError) as exc:
        raise toml_error(source, parser_problem(exc)) from None
    path = (*table, key)
    splices: list[Splice] = []
    found = next((e for e in entries if e.path == path and e.value_start >= 0), None)
    if found is not None:
        current = _toml_loads(f"x = {norm[found.value_start : found.value_end]}", source)["x"]
        if current == wanted:
            return NEW_SAMCONFIG if text is None else text
        splices.append(Splice(found.value_start, found.value_end, raw))
    else:
        splices.append(toml_insert(doc, entries, table, f"{key} = {raw}"))
    new = doc.apply(splices)
    document = _toml_loads(new.removeprefix("\ufeff"), source)
    for part in path:
        document = document.get(part, {}) if isinstance(document, dict) else {}
    if document != wanted:  # pragma: no cover - a file shape the editor does not know
        raise toml_error(source, f"could not set {key}")
    return new
