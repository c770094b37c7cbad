"""Byte-minimal edits of a JSON file (``cdk.json``): set string members of an object, every
other byte kept (indentation, key order, escapes, line ends, byte order mark, final newline).

Python's :mod:`json` cannot round-trip a file (it rewrites spacing, escapes and number
spellings), and no maintained library on PyPI edits JSON in place, so this module has a small
strict tokenizer: :func:`parse` reads RFC 8259 JSON into nodes that carry their character spans
and refuses what the edit could not place safely (comments, trailing commas, ``NaN``, duplicate
keys, a top level that is not an object, nesting deeper than :data:`MAX_DEPTH`).
:func:`set_strings` then replaces a member's value span, or inserts a member after the object's
last one with that member's indentation and separator (or, in an empty or missing object, with
the file's indentation unit).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from json import decoder
from typing import Any, cast

from momento_lambda_cli.project.edit import CannotEdit

MAX_DEPTH = 64
"""Deeper nesting is refused (no cdk.json needs it; it bounds the parser's recursion)."""

_WS = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")
_LITERALS = {"true": True, "false": False, "null": None}


@dataclass
class Node:
    start: int
    end: int
    value: Any = None
    """The scalar's value (strings, numbers, true / false / null); ``None`` for containers."""
    kind: str = "scalar"
    """``object``, ``array`` or ``scalar``."""
    members: list[Member] = field(default_factory=list)
    items: list[Node] = field(default_factory=list)

    def get(self, key: str) -> Member | None:
        return next((m for m in self.members if m.key == key), None)


@dataclass
class Member:
    key: str
    key_start: int
    key_end: int
    value: Node


class BadJson(CannotEdit):
    """The file is not JSON the edit can work on; nothing was changed."""


def _error(name: str, text: str, at: int, why: str) -> BadJson:
    line = text.count("\n", 0, at) + 1
    column = at - (text.rfind("\n", 0, at) + 1) + 1
    return BadJson(
        f"{name}: {why} (line {line}, column {column}); nothing was changed.",
        f"Make {name} plain JSON (no comments or trailing commas), or set the value by hand.",
        code="project.bad-json",
    )


class _Parser:
    def __init__(self, text: str, name: str) -> None:
        self.text = text
        self.name = name

    def fail(self, at: int, why: str) -> BadJson:
        if self.text.startswith(("//", "/*"), at):
            why = "a comment (JSON has none)"
        return _error(self.name, self.text, at, why)

    def skip(self, at: int) -> int:
        match = _WS.match(self.text, at)
        return match.end() if match else at

    def value(self, at: int, depth: int) -> Node:
        text = self.text
        if depth > MAX_DEPTH:
            raise self.fail(at, f"nested deeper than {MAX_DEPTH} levels")
        if at >= len(text):
            raise self.fail(at, "unexpected end of the file")
        char = text[at]
        if char == "{":
            return self.object(at, depth)
        if char == "[":
            return self.array(at, depth)
        if char == '"':
            string, end = self.string(at)
            return Node(at, end, string)
        match = _NUMBER.match(text, at)
        if match and match.end() > at:
            number = match.group()
            return Node(at, match.end(), float(number) if any(c in number for c in ".eE") else int(number))
        for literal, constant in _LITERALS.items():
            if text.startswith(literal, at):
                return Node(at, at + len(literal), constant)
        raise self.fail(at, f"unexpected {text[at]!r}")

    def string(self, at: int) -> tuple[str, int]:
        try:
            scan = decoder.scanstring  # type: ignore[attr-defined]  # the stdlib's (C) string scanner
            return cast("tuple[str, int]", scan(self.text, at + 1, True))
        except json.JSONDecodeError as exc:
            raise self.fail(exc.pos, exc.msg.lower()) from None

    def object(self, at: int, depth: int) -> Node:
        node = Node(at, at, kind="object")
        position = self.skip(at + 1)
        if self.text.startswith("}", position):
            node.end = position + 1
            return node
        seen: set[str] = set()
        while True:
            if not self.text.startswith('"', position):
                why = "a trailing comma" if self.text.startswith("}", position) else "expected a quoted key"
                raise self.fail(position, why)
            key, after = self.string(position)
            if key in seen:
                raise self.fail(position, f"the key {json.dumps(key)} appears twice in one object")
            seen.add(key)
            colon = self.skip(after)
            if not self.text.startswith(":", colon):
                raise self.fail(colon, "expected ':'")
            value = self.value(self.skip(colon + 1), depth + 1)
            node.members.append(Member(key, position, after, value))
            position = self.skip(value.end)
            if self.text.startswith("}", position):
                node.end = position + 1
                return node
            if not self.text.startswith(",", position):
                raise self.fail(position, "expected ',' or '}'")
            position = self.skip(position + 1)

    def array(self, at: int, depth: int) -> Node:
        node = Node(at, at, kind="array")
        position = self.skip(at + 1)
        if self.text.startswith("]", position):
            node.end = position + 1
            return node
        while True:
            if self.text.startswith("]", position):
                raise self.fail(position, "a trailing comma")
            item = self.value(position, depth + 1)
            node.items.append(item)
            position = self.skip(item.end)
            if self.text.startswith("]", position):
                node.end = position + 1
                return node
            if not self.text.startswith(",", position):
                raise self.fail(position, "expected ',' or ']'")
            position = self.skip(position + 1)


def parse(text: str, name: str) -> Node:
    """The document's top-level object (a leading byte order mark is skipped); raises
    :class:`BadJson` for anything but one plain JSON object."""
    parser = _Parser(text, name)
    start = parser.skip(1 if text.startswith("\ufeff") else 0)
    if not text.startswith("{", start):
        if start >= len(text):
            raise parser.fail(start, "the file is empty")
        raise parser.fail(start, "the top level is not a JSON object")
    root = parser.value(start, 1)
    rest = parser.skip(root.end)
    if rest != len(text):
        raise parser.fail(rest, "text after the JSON object")
    return root


def _line_start(text: str, at: int) -> int:
    return text.rfind("\n", 0, at) + 1


def _indent_of(text: str, at: int) -> str | None:
    """The whitespace before ``at`` when it starts its line, else ``None``."""
    start = _line_start(text, at)
    before = text[start:at]
    return before if not before.strip() else None


def _unit(text: str, root: Node) -> str:
    """The file's indentation step: its top-level members' indentation (two spaces by default)."""
    for member in root.members:
        indent = _indent_of(text, member.key_start)
        if indent:
            return indent
    return "  "


def _newline(text: str) -> str:
    return "\r\n" if "\r\n" in text and text.count("\r\n") * 2 >= text.count("\n") else "\n"


def _render(value: str | Mapping[str, str], indent: str | None, unit: str, newline: str, colon: str) -> str:
    """A value's text; an object on its own lines below ``indent`` (``None``: on one line)."""
    if isinstance(value, str):
        return json.dumps(value)
    if indent is None:
        return "{" + ", ".join(f"{json.dumps(k)}{colon}{json.dumps(v)}" for k, v in value.items()) + "}"
    inner = indent + unit
    lines = [f"{inner}{json.dumps(k)}{colon}{json.dumps(v)}" for k, v in value.items()]
    return "{" + newline + ("," + newline).join(lines) + newline + indent + "}"


def _insert(
    text: str, node: Node, key: str, value: str | Mapping[str, str], unit: str, newline: str
) -> tuple[int, int, str]:
    """The splice that adds ``key`` as the last member of the object ``node``."""
    if node.members:
        last = node.members[-1]
        colon = text[last.key_end : last.value.start]
        if "\n" in colon or "\r" in colon:
            colon = ": "
        indent = _indent_of(text, last.key_start)
        if indent is None:  # members on one line: stay on it
            piece = f", {json.dumps(key)}{colon}{_render(value, None, unit, newline, colon)}"
        else:
            piece = f",{newline}{indent}{json.dumps(key)}{colon}{_render(value, indent, unit, newline, colon)}"
        return last.value.end, last.value.end, piece
    line = text[_line_start(text, node.start) : node.start]
    own = line[: len(line) - len(line.lstrip(" \t"))]
    inner = own + unit
    body = f"{json.dumps(key)}: {_render(value, inner, unit, newline, ': ')}"
    return node.start, node.end, "{" + newline + inner + body + newline + own + "}"


def set_strings(text: str, path: Sequence[str], values: Mapping[str, str], name: str) -> str:
    """``text`` with each of ``values`` set as a string member of the object at ``path`` (keys
    from the top; a missing object is added). Members already holding that string are left as
    they are; nothing else changes. Raises :class:`BadJson` / :class:`CannotEdit`."""
    root = parse(text, name)
    unit = _unit(text, root)
    newline = _newline(text)
    node = root
    for depth, key in enumerate(path):
        member = node.get(key)
        if member is None:
            start, end, piece = _insert(text, node, key, dict(values), unit, newline)
            return text[:start] + piece + text[end:]
        if member.value.kind != "object":
            where = ".".join(path[: depth + 1])
            raise CannotEdit(
                f"{name}: {where} is not a JSON object; nothing was changed.",
                f"Make {where} an object of key: value settings, or set the values by hand.",
                code="project.not-a-mapping",
            )
        node = member.value
    splices: list[tuple[int, int, str]] = []
    missing: dict[str, str] = {}
    for key, value in values.items():
        member = node.get(key)
        if member is None:
            missing[key] = value
        elif member.value.value != value or member.value.kind != "scalar":
            splices.append((member.value.start, member.value.end, json.dumps(value)))
    for start, end, piece in sorted(splices, reverse=True):
        text = text[:start] + piece + text[end:]
    if splices:
        root = parse(text, name)
    for key, value in missing.items():
        node = root
        for part in path:  # the spans moved: find the object again
            found = node.get(part)
            assert found is not None
            node = found.value
        start, end, piece = _insert(text, node, key, value, unit, newline)
        text = text[:start] + piece + text[end:]
        root = parse(text, name)
    return text


def get_string(root: Node, path: Sequence[str]) -> str | None:
    """The string at ``path`` (keys from the top), or ``None``."""
    node: Node | None = root
    for key in path:
        member = node.get(key) if node is not None and node.kind == "object" else None
        node = member.value if member is not None else None
    return node.value if node is not None and isinstance(node.value, str) else None
