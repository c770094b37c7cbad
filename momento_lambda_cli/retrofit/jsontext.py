"""Add a dependency to a package.json, keeping every other byte (indentation, key order, line ends)."""

from __future__ import annotations

import json
import re
from typing import Any

from momento_lambda_cli.errors import MomentoLambdaError
from momento_lambda_cli.project.edit import Splice, Text


def _bad(source: str, problem: str) -> MomentoLambdaError:
    return MomentoLambdaError(
        f"{source} is not valid JSON ({problem}); nothing was changed.",
        f"Fix {source} and run the command again.",
        code="project.bad-package-json",
    )


def _object_spans(norm: str) -> dict[str, tuple[int, int]]:
    """``{key: (open brace, close brace)}`` of the top-level object's members whose values are
    objects, plus ``""`` for the top-level object itself."""
    spans: dict[str, tuple[int, int]] = {}
    depth = 0
    i, n = 0, len(norm)
    last_key: str | None = None
    opened: list[tuple[int, str | None]] = []
    while i < n:
        c = norm[i]
        if c == '"':
            j = i + 1
            while norm[j] != '"':
                j += 2 if norm[j] == "\\" else 1
            token = str(json.loads(norm[i : j + 1]))
            k = j + 1
            while k < n and norm[k] in " \t\n":
                k += 1
            if depth == 1 and k < n and norm[k] == ":":
                last_key = token
            i = j + 1
            continue
        if c in "{[":
            opened.append((i, last_key if depth == 1 and c == "{" else ("" if depth == 0 else None)))
            depth += 1
        elif c in "}]":
            depth -= 1
            start, key = opened.pop()
            if key is not None:
                spans[key] = (start, i)
        elif c == "," and depth == 1:
            last_key = None
        i += 1
    return spans


def _indent_unit(norm: str) -> str:
    match = re.search(r"\n([ \t]+)\"", norm)
    return match.group(1) if match else "  "


PACKAGE_VERSION = "1.0.0"
"""The ``version`` a package.json `add` creates (or completes) gets."""


def package_name(folder_name: str) -> str:
    """A valid npm package name made from a folder's name (lower case, URL-safe, at most 214 characters)."""
    name = re.sub(r"[^a-z0-9._~-]+", "-", folder_name.lower()).lstrip("._-").strip("-")[:214]
    return name or "lambda-function"


def add_dependency(
    text: str | None, section: str, name: str, version: str, *, source: str, package: str = "lambda-function"
) -> str:
    """``text`` (``None``: no file yet, created with ``package`` as its name and a version, which
    ``npm pack`` needs) with ``name: version`` in ``section`` (``dependencies`` /
    ``devDependencies``); unchanged when the package is already listed in any dependency section."""
    if text is None:
        identity = {"name": package, "version": PACKAGE_VERSION, "private": True}
        return json.dumps({**identity, section: {name: version}}, indent=2) + "\n"
    doc, document = _object(text, source)
    norm = doc.norm
    for existing in ("dependencies", "devDependencies", "optionalDependencies", "peerDependencies"):
        listed = document.get(existing)
        if isinstance(listed, dict) and name in listed:
            return text
    spans = _object_spans(norm)
    unit = _indent_unit(norm)
    entry = f"{json.dumps(name)}: {json.dumps(version)}"
    if section in spans and isinstance(document.get(section), dict):
        start, end = spans[section]
        inner = norm[start + 1 : end]
        line_start = norm.rfind("\n", 0, start) + 1
        base = re.match(r"[ \t]*", norm[line_start:]).group(0)  # type: ignore[union-attr]
        if not inner.strip():
            splice = Splice(start + 1, end, f"\n{base}{unit}{entry}\n{base}")
        else:
            at = end
            while norm[at - 1] in " \t\n":
                at -= 1
            match = re.search(r"\n([ \t]*)\"", inner)
            separator = f",\n{match.group(1)}" if match else ", "
            splice = Splice(at, at, separator + entry)
    else:
        if section in document:
            raise _bad(source, f"{section} is not an object")
        start, end = spans[""]
        at = end
        while norm[at - 1] in " \t\n":
            at -= 1
        comma = "" if norm[at - 1] == "{" else ","
        splice = Splice(at, at, f"{comma}\n{unit}{json.dumps(section)}: {{\n{unit}{unit}{entry}\n{unit}}}")
    new = doc.apply([splice])
    try:
        loaded = json.loads(Text(new).norm)
    except ValueError as exc:  # pragma: no cover - a file shape the editor does not know
        raise _bad(source, type(exc).__name__) from None
    if loaded.get(section, {}).get(name) != version:  # pragma: no cover
        raise _bad(source, f"could not add {name}")
    return new


def _object(text: str, source: str) -> tuple[Text, dict[str, Any]]:
    """``text`` as edit positions and its JSON object; a file that is not one is refused."""
    doc = Text(text)
    try:
        document: Any = json.loads(doc.norm)
    except ValueError as exc:
        raise _bad(source, type(exc).__name__) from None
    if not isinstance(document, dict):
        raise _bad(source, "not an object")
    return doc, document


def ensure_identity(text: str | None, package: str, *, source: str) -> str | None:
    """``text`` with the ``name`` and ``version`` members ``npm pack`` (the SAM CLI's Node.js
    build) needs, each added at the start of the object when missing; every other byte kept."""
    if text is None:
        return None
    doc, document = _object(text, source)
    norm = doc.norm
    missing = [(k, v) for k, v in (("name", package), ("version", PACKAGE_VERSION)) if not document.get(k)]
    if not missing or any(k in document for k, _ in missing):
        return text  # present (or there but empty / not a string: the user's to fix, not to overwrite)
    start, end = _object_spans(norm)[""]
    entries = [f"{json.dumps(k)}: {json.dumps(v)}" for k, v in missing]
    after = norm[start + 1 : end]
    if not after.strip():
        splice = Splice(start + 1, end, "\n" + ",\n".join(_indent_unit(norm) + e for e in entries) + "\n")
    elif after.lstrip(" \t").startswith("\n"):
        match = re.match(r"\s*\n([ \t]*)", after)
        indent = match.group(1) if match else _indent_unit(norm)
        splice = Splice(start + 1, start + 1, "".join(f"\n{indent}{e}," for e in entries))
    else:  # one line: `{ "type": "module" }`
        pad = after[: len(after) - len(after.lstrip(" \t"))]
        splice = Splice(start + 1 + len(pad), start + 1 + len(pad), "".join(f"{e}, " for e in entries))
    new = doc.apply([splice])
    try:
        loaded = json.loads(Text(new).norm)
    except ValueError as exc:  # pragma: no cover - a file shape the editor does not know
        raise _bad(source, type(exc).__name__) from None
    if any(loaded.get(k) != v for k, v in missing):  # pragma: no cover
        raise _bad(source, "could not add its name and version")
    return new
