"""Surgical text edits of project files: text in, text out, every byte that need not change kept.

* :func:`yaml_set` sets ``key: value`` pairs in a mapping at a path (``params`` -> ``<stage>``
  in a serverless.yml, ``<stage>`` in a params file). ruamel.yaml only locates the nodes
  (line / column marks); the edit replaces one scalar or inserts the needed lines, in the
  file's own indentation, block or flow style, quoting and line ends.
* :func:`samconfig_set_overrides` sets ``parameter_overrides`` entries in samconfig.toml:
  only the value's bytes change (or one line / one table is added).

Line ends are kept per line; inserted lines take the file's dominant line end (its first
line's on a tie); a UTF-8 byte order mark stays. Both editors check the result parses to
the intended values.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from momento_lambda_cli.errors import MomentoLambdaError, parser_problem

BOM = "\ufeff"
_YAML11_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"}
_OVERRIDE_VALUE = r"(\"(?:[^\"\\]|\\.)*\"|'[^']*'|[^\s\"']*)"


class CannotEdit(MomentoLambdaError):
    """The file's shape does not allow the edit (e.g. the target is an alias or a string)."""


# --- text with its line ends --------------------------------------------------------------


@dataclass(frozen=True)
class Splice:
    """Replace ``text[start:end]`` of the normalised text (``\\n`` line ends, no BOM)."""

    start: int
    end: int
    new: str


class Text:
    """A file's text seen with ``\\n`` line ends and no BOM (:attr:`norm`), edited by splices
    that are applied to the original text, so untouched bytes (and line ends) stay as they are."""

    def __init__(self, original: str) -> None:
        self.bom = original.startswith(BOM)
        self.original = original[1:] if self.bom else original
        norm: list[str] = []
        positions: list[int] = []
        i, n = 0, len(self.original)
        ends: Counter[str] = Counter()
        first_end: str | None = None
        while i < n:
            c = self.original[i]
            if c == "\r":
                end = "\r\n" if self.original.startswith("\r\n", i) else "\r"
                norm.append("\n")
                positions.append(i)
                i += len(end)
            elif c == "\n":
                end = "\n"
                norm.append("\n")
                positions.append(i)
                i += 1
            else:
                norm.append(c)
                positions.append(i)
                i += 1
                continue
            ends[end] += 1
            first_end = first_end or end
        positions.append(n)
        self.norm = "".join(norm)
        self._positions = positions
        top = ends.most_common()
        if not top:
            self.eol = "\n"
        elif len(top) > 1 and top[0][1] == top[1][1]:
            self.eol = first_end or "\n"
        else:
            self.eol = top[0][0]

    def apply(self, splices: Sequence[Splice]) -> str:
        out = self.original
        for splice in sorted(splices, key=lambda s: (s.start, s.end), reverse=True):
            start, end = self._positions[splice.start], self._positions[splice.end]
            out = out[:start] + splice.new.replace("\n", self.eol) + out[end:]
        return (BOM if self.bom else "") + out

    def line_start(self, line: int) -> int:
        """Index in :attr:`norm` where ``line`` (0-based) begins (``len(norm)`` past the end)."""
        index = 0
        for _ in range(line):
            found = self.norm.find("\n", index)
            if found < 0:
                return len(self.norm)
            index = found + 1
        return index

    def insert_lines(self, line: int, lines: Sequence[str]) -> Splice:
        """Insert whole ``lines`` before ``line`` (at the end when past the last line)."""
        at = self.line_start(line)
        body = "\n".join(lines)
        if at >= len(self.norm) and self.norm and not self.norm.endswith("\n"):
            return Splice(at, at, "\n" + body)  # the file keeps having no final line end
        return Splice(at, at, body + "\n")


# --- YAML --------------------------------------------------------------------------------


def yaml_error(source: str, problem: str) -> MomentoLambdaError:
    """A YAML file the tool was about to edit does not parse (``problem`` quotes no values): a
    serverless.yml is ``project.bad-serverless-yml``; a SAM template or any other file is
    ``project.bad-config``, the code the project loader gives the same file."""
    serverless = Path(source).name.lower().startswith("serverless.")
    return MomentoLambdaError(
        f"{source} is not valid YAML ({problem}); nothing was changed.",
        f"Fix {source} and run the command again.",
        code="project.bad-serverless-yml" if serverless else "project.bad-config",
    )


def _compose(norm: str, source: str) -> Any:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    try:
        documents = list(YAML(typ="rt").compose_all(norm))
    except YAMLError as exc:
        raise yaml_error(source, parser_problem(exc)) from None
    return documents[0] if documents else None


def _load(text: str, source: str) -> Any:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    try:
        return next(iter(YAML(typ="rt").load_all(text)), None)
    except YAMLError as exc:
        raise yaml_error(source, parser_problem(exc)) from None


def yaml_scalar(value: str, style: str | None = None) -> str:
    """``value`` as a YAML scalar: in ``style`` (``'`` / ``"``) when given, else plain when
    YAML reads it back as the same string, else single-quoted (double-quoted for control
    characters)."""
    if style == '"' or any(ord(c) < 32 and c != "\t" for c in value):
        import json

        return json.dumps(value, ensure_ascii=False)
    if style != "'" and value and _plain_is_safe(value):
        return value
    return "'" + value.replace("'", "''") + "'"


def _plain_is_safe(value: str) -> bool:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    if value.lower() in _YAML11_WORDS:
        return False  # YAML 1.1 readers take these for booleans / null
    if value != value.strip() or "#" in value or ": " in value or value.endswith(":") or "\t" in value:
        return False
    if value[0] in "!&*{}[],|>'\"%@`?-:" and not re.match(r"^-?[A-Za-z0-9]", value):
        return False
    try:
        loaded = YAML(typ="safe", pure=True).load(f"k: {value}\n")
    except YAMLError:
        return False
    return isinstance(loaded, dict) and loaded.get("k") == value


def _mapping_pairs(node: Any) -> list[tuple[Any, Any]]:
    return [(k, v) for k, v in node.value if k.tag != "tag:yaml.org,2002:merge"]


def _find(node: Any, key: str) -> tuple[Any, Any] | None:
    for k, v in _mapping_pairs(node):
        if getattr(k, "value", None) == key and not isinstance(k.value, list):
            return k, v
    return None


def _last_index(node: Any, seen: set[int] | None = None) -> int:
    """Where the last byte of the node's content ends (scalar and flow ends are exact)."""
    from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode

    seen = seen if seen is not None else set()
    if id(node) in seen:
        return 0
    seen.add(id(node))
    if isinstance(node, ScalarNode) or getattr(node, "flow_style", False):
        end = int(node.end_mark.index)
        return end
    best = int(node.start_mark.index)
    if isinstance(node, MappingNode):
        for k, v in node.value:
            best = max(best, _last_index(k, seen), _last_index(v, seen))
    elif isinstance(node, SequenceNode):
        for item in node.value:
            best = max(best, _last_index(item, seen))
    return best


def _content_end(norm: str, node: Any) -> int:
    """Index just past the last non-break character of the node (block scalars end on a break)."""
    end = _last_index(node)
    while end > 0 and norm[end - 1] == "\n":
        end -= 1
    return end


def _indent_step(root: Any) -> int:
    """The file's indentation step: the most common column difference between a block
    mapping's keys and the keys of block mappings nested in it (2 when there are none)."""
    from ruamel.yaml.nodes import MappingNode

    steps: Counter[int] = Counter()

    def walk(node: Any, seen: set[int]) -> None:
        if id(node) in seen:
            return
        seen.add(id(node))
        if isinstance(node, MappingNode) and not node.flow_style:
            for k, v in node.value:
                if isinstance(v, MappingNode) and not v.flow_style and v.value:
                    step = v.value[0][0].start_mark.column - k.start_mark.column
                    if step > 0 and v.start_mark.line > k.start_mark.line:
                        steps[step] += 1
                walk(v, seen)
        elif isinstance(getattr(node, "value", None), list):
            for item in node.value:
                if not isinstance(item, tuple):
                    walk(item, seen)

    if root is not None:
        walk(root, set())
    return steps.most_common(1)[0][0] if steps else 2


def _flow(values: Mapping[str, Any]) -> str:
    parts = []
    for key, value in values.items():
        inner = _flow(value) if isinstance(value, Mapping) else yaml_scalar(value)
        parts.append(f"{yaml_scalar(key)}: {inner}")
    return "{" + ", ".join(parts) + "}"


def _block(values: Mapping[str, Any], column: int, step: int) -> list[str]:
    lines = []
    for key, value in values.items():
        if isinstance(value, Mapping):
            lines.append(f"{' ' * column}{yaml_scalar(key)}:")
            lines.extend(_block(value, column + step, step))
        else:
            lines.append(f"{' ' * column}{yaml_scalar(key)}: {yaml_scalar(value)}")
    return lines


def _nest(path: Sequence[str], values: Mapping[str, str]) -> dict[str, Any]:
    nested: dict[str, Any] = dict(values)
    for key in reversed(path):
        nested = {key: nested}
    return nested


def _scalar_start(norm: str, node: Any) -> int:
    """Index of the scalar's own text (after any ``&anchor`` / ``!tag`` before it)."""
    i = int(node.start_mark.index)
    while i < len(norm) and norm[i] in "&!":
        while i < len(norm) and not norm[i].isspace():
            i += 1
        while i < len(norm) and norm[i] in " \t":
            i += 1
    return i


def _is_empty_null(node: Any) -> bool:
    return bool(node.tag == "tag:yaml.org,2002:null" and node.start_mark.index == node.end_mark.index)


def yaml_set(
    text: str,
    path: Sequence[str],
    values: Mapping[str, str],
    *,
    source: str,
    insert_before: Sequence[str] = (),
) -> str:
    """``text`` with ``values`` set in the mapping at ``path`` (created as needed).

    ``insert_before``: when ``path[0]`` is missing from the top-level mapping, its block goes
    before the first of these keys (with a blank line after it); otherwise at the end.
    Raises :class:`CannotEdit` when something on the path is not a mapping written in place
    (an alias, a string such as ``${file(...)}``), and MomentoLambdaError on invalid YAML.
    """
    from ruamel.yaml.nodes import MappingNode, ScalarNode

    doc = Text(text)
    norm = doc.norm
    root = _compose(norm, source)
    splices: list[Splice] = []
    step = _indent_step(root)
    if root is None or _is_empty_null(root):
        splices.append(doc.insert_lines(len(norm.split("\n")) + 1, _block(_nest(path, values), 0, step)))
        return _checked(doc, splices, path, values, source)
    if not isinstance(root, MappingNode):
        raise CannotEdit(f"{source} is not a YAML mapping; nothing was changed.", code="project.not-a-mapping")

    node = root
    where: list[str] = []
    for depth, key in enumerate(path):
        found = _find(node, key)
        if found is None:
            splices.append(
                _insert(doc, node, {key: _nest(path[depth + 1 :], values)}, step, insert_before if depth == 0 else ())
            )
            return _checked(doc, splices, path, values, source)
        key_node, value = found
        where.append(key)
        if value.start_mark.index < key_node.start_mark.index:
            raise CannotEdit(
                f"`{'.'.join(where)}` in {source} is an alias of a mapping defined elsewhere; nothing was changed.",
                f"Set {', '.join(values)} under {'.'.join(path)} yourself.",
                code="project.cannot-edit",
            )
        if isinstance(value, ScalarNode) and value.tag == "tag:yaml.org,2002:null":
            nested = _nest(path[depth + 1 :], values)
            if _is_empty_null(value):
                column = key_node.start_mark.column + step
                lines = _block(nested, column, step) if not node.flow_style else []
                if node.flow_style:
                    splices.append(Splice(value.start_mark.index, value.end_mark.index, " " + _flow(nested)))
                else:
                    line = key_node.start_mark.line + 1
                    splices.append(doc.insert_lines(line, lines))
            else:
                splices.append(Splice(value.start_mark.index, value.end_mark.index, _flow(nested)))
            return _checked(doc, splices, path, values, source)
        if not isinstance(value, MappingNode):
            raise CannotEdit(
                f"`{'.'.join(where)}` in {source} is not a mapping; nothing was changed.",
                f"Set {', '.join(values)} under {'.'.join(path)} yourself.",
                code="project.cannot-edit",
            )
        node = value

    missing: dict[str, str] = {}
    for key, new in values.items():
        found = _find(node, key)
        if found is None:
            missing[key] = new
            continue
        key_node, value = found
        if value.start_mark.index < key_node.start_mark.index or not isinstance(value, ScalarNode):
            raise CannotEdit(
                f"`{'.'.join([*path, key])}` in {source} is not a plain value; nothing was changed.",
                f"Set it to {new} yourself.",
                code="project.cannot-edit",
            )
        if value.value == new and value.tag == "tag:yaml.org,2002:str":
            continue
        if _is_empty_null(value):
            splices.append(Splice(value.start_mark.index, value.start_mark.index, " " + yaml_scalar(new)))
            continue
        start = _scalar_start(norm, value)
        end = _content_end(norm, value)
        style = value.style if value.style in ("'", '"') else None
        splices.append(Splice(start, end, yaml_scalar(new, style)))
    if missing:
        splices.append(_insert(doc, node, missing, step, ()))
    return _checked(doc, splices, path, values, source)


def _insert(doc: Text, mapping: Any, values: Mapping[str, Any], step: int, before: Sequence[str]) -> Splice:
    """Add ``values`` (maybe nested) to a mapping node, as the mapping is written."""
    norm = doc.norm
    if mapping.flow_style:
        close = int(mapping.end_mark.index) - 1
        at = close
        while at > 0 and norm[at - 1] in " \t\n":
            at -= 1
        body = _flow(values)[1:-1]
        if norm[at - 1] == "{":
            return Splice(at, at, body)
        if norm[at - 1] == ",":
            return Splice(at, at, " " + body)
        return Splice(at, at, ", " + body)
    pairs = mapping.value
    column = pairs[0][0].start_mark.column if pairs else 0
    return _insert_block_lines(doc, mapping, _block(values, column, step), before)


def _insert_block_lines(doc: Text, mapping: Any, lines: list[str], before: Sequence[str]) -> Splice:
    """Insert ``lines`` (already indented) into a block mapping: above the first key of ``before``
    that it has (and above that key's comment lines), else after its last entry."""
    norm = doc.norm
    for name in before:
        found = _find(mapping, name)
        if found is None:
            continue
        line = found[0].start_mark.line
        all_lines = norm.split("\n")
        while line > 0 and all_lines[line - 1].strip().startswith("#"):
            line -= 1  # a comment right above a key belongs to it
        return doc.insert_lines(line, [*lines, ""])
    end = _content_end(norm, mapping)
    return doc.insert_lines(norm.count("\n", 0, end) + 1, lines)


def _checked(doc: Text, splices: list[Splice], path: Sequence[str], values: Mapping[str, str], source: str) -> str:
    new = doc.apply(splices)
    loaded = _load(new, source)
    for key in path:
        loaded = loaded.get(key) if isinstance(loaded, Mapping) else None
    if not isinstance(loaded, Mapping) or any(loaded.get(k) != v for k, v in values.items()):
        raise CannotEdit(  # pragma: no cover - a file shape the editor does not know
            f"Could not set {', '.join(values)} under {'.'.join(path) or 'the top level'} in {source}; "
            "nothing was changed.",
            "Set the values yourself.",
            code="project.cannot-edit",
        )
    return new


# --- samconfig.toml parameter_overrides ------------------------------------------------


def set_override(overrides: str, key: str, value: str) -> str:
    """``overrides`` with ``key`` set to ``value``, keeping every other token as written.

    A new key is added in the form the string already uses: SAM reads either
    ``ParameterKey=K,ParameterValue=V`` tokens or ``K=V`` tokens in one string, not a mix.
    """
    short = re.compile(rf"(?:(?<=\s)|^){re.escape(key)}={_OVERRIDE_VALUE}")
    long = re.compile(rf"(ParameterKey={re.escape(key)},ParameterValue=){_OVERRIDE_VALUE}")
    match = long.search(overrides)
    if match:
        return overrides[: match.start(2)] + _quoted_like(match.group(2), value) + overrides[match.end(2) :]
    match = short.search(overrides)
    if match:
        return overrides[: match.start(1)] + _quoted_like(match.group(1), value) + overrides[match.end(1) :]
    quote = '"' if '="' in overrides or not overrides.strip() else ""
    if "ParameterKey=" in overrides:
        token = f"ParameterKey={key},ParameterValue={quote}{value}{quote}"
    else:
        token = f"{key}={quote}{value}{quote}"
    stripped = overrides.rstrip()
    return f"{stripped} {token}" if stripped else token


def _quoted_like(old: str, value: str) -> str:
    if old.startswith('"'):
        return f'"{value}"'
    if old.startswith("'"):
        return f"'{value}'"
    return value


def get_override(overrides: Any, key: str) -> str | None:
    """The value ``sam deploy`` would give ``key`` from a ``parameter_overrides`` string or list
    (``None`` if absent; ``file://`` references are not followed)."""
    from momento_lambda_cli.project.samconfig import parse_overrides

    items = list(overrides) if isinstance(overrides, list) else [overrides]
    found: str | None = None
    for item in items:
        if isinstance(item, str) and item.strip().startswith("file://"):
            continue
        try:
            parsed = parse_overrides(item, Path("."), root=Path("."), seen=set(), files=[])
        except ValueError:
            continue
        found = parsed.get(key, found)
    return found


def toml_error(source: str, problem: str) -> MomentoLambdaError:
    """A TOML file the tool was about to edit does not parse (``problem`` quotes no values)."""
    return MomentoLambdaError(
        f"{source} is not valid TOML ({problem}); nothing was changed.",
        f"Fix {source} (or move it away) and run the command again.",
        code="project.bad-samconfig",
    )


def _toml_string(value: str, literal: bool) -> str:
    if literal and "'" not in value and "\n" not in value:
        return f"'{value}'"
    out = []
    for c in value:
        if c in '"\\':
            out.append("\\" + c)
        elif ord(c) < 32 or ord(c) == 127:
            out.append({"\n": "\\n", "\t": "\\t", "\r": "\\r"}.get(c, f"\\u{ord(c):04x}"))
        else:
            out.append(c)
    return '"' + "".join(out) + '"'


@dataclass(frozen=True)
class TomlEntry:
    """A TOML statement: a table header (``value_start == -1``) or ``key = value``."""

    path: tuple[str, ...]
    start: int
    value_start: int
    value_end: int


def _toml_key(norm: str, i: int, stop: str) -> tuple[tuple[str, ...], int]:
    import json

    parts: list[str] = []
    while True:
        while norm[i] in " \t":
            i += 1
        if norm[i] in "\"'":
            end = _toml_value_end(norm, i)
            quoted = norm[i:end]
            parts.append(quoted[1:-1] if quoted[0] == "'" else str(json.loads(quoted)))
            i = end
        else:
            match = re.compile(r"[A-Za-z0-9_-]+").match(norm, i)
            if match is None:
                raise ValueError("bad key")
            parts.append(match.group(0))
            i = match.end()
        while norm[i] in " \t":
            i += 1
        if norm[i] == ".":
            i += 1
            continue
        if not norm.startswith(stop, i):
            raise ValueError("bad key")
        return tuple(parts), i + len(stop)


def _toml_value_end(norm: str, i: int) -> int:
    """Index just past the TOML value starting at ``i``."""
    for quote in ('"""', "'''"):
        if norm.startswith(quote, i):
            j = i + 3
            while True:
                if quote == '"""' and norm[j] == "\\":
                    j += 2
                    continue
                if norm.startswith(quote, j):
                    end = j + 3
                    while end < len(norm) and norm[end] == quote[0] and end - j < 5:
                        end += 1
                    return end
                j += 1
    if norm[i] == '"':
        j = i + 1
        while norm[j] != '"':
            j += 2 if norm[j] == "\\" else 1
        return j + 1
    if norm[i] == "'":
        return norm.index("'", i + 1) + 1
    if norm[i] in "[{":
        depth, j = 0, i
        while True:
            c = norm[j]
            if c in "\"'":
                j = _toml_value_end(norm, j)
                continue
            if c == "#":
                j = norm.index("\n", j) if "\n" in norm[j:] else len(norm)
                continue
            if c in "[{":
                depth += 1
            elif c in "]}":
                depth -= 1
                if depth == 0:
                    return j + 1
            j += 1
    match = re.compile(r"[^\n#]*").match(norm, i)
    assert match is not None
    return i + len(match.group(0).rstrip())


def _toml_entries(norm: str) -> Iterator[TomlEntry]:
    table: tuple[str, ...] = ()
    i, n = 0, len(norm)
    while i < n:
        c = norm[i]
        if c in " \t\n":
            i += 1
        elif c == "#":
            i = norm.find("\n", i)
            i = n if i < 0 else i
        elif c == "[":
            array = norm.startswith("[[", i)
            table, end = _toml_key(norm, i + (2 if array else 1), "]]" if array else "]")
            yield TomlEntry(table, i, -1, end)
            i = end
        else:
            key, after = _toml_key(norm, i, "=")
            while norm[after] in " \t":
                after += 1
            end = _toml_value_end(norm, after)
            yield TomlEntry(table + key, i, after, end)
            i = end


def _set_in_value(value_text: str, values: Mapping[str, str]) -> str | None:
    """The new TOML text of a ``parameter_overrides`` value (``None``: a ``file://`` reference)."""
    import tomlkit

    item: Any = tomlkit.parse(f"x = {value_text}")["x"]
    if isinstance(item, dict):
        for key, value in values.items():
            item[key] = value
        return str(item.as_string())  # type: ignore[attr-defined]  # a tomlkit InlineTable
    if isinstance(item, list):
        for key, value in values.items():
            hits = [i for i, entry in enumerate(item) if _has_key(entry, key)]
            for index in hits:
                entry = item[index]
                if isinstance(entry, dict):
                    entry[key] = value
                else:
                    item[index] = set_override(str(entry), key, value)
            if not hits:
                item.append(f"{key}={value}")
        return str(item.as_string())  # type: ignore[attr-defined]  # a tomlkit Array
    text = str(item)
    if text.strip().startswith("file://"):
        return None
    for key, value in values.items():
        text = set_override(text, key, value)
    return _toml_string(text, literal=value_text.startswith("'"))


def _has_key(entry: Any, key: str) -> bool:
    if isinstance(entry, dict):
        return key in entry
    return get_override(str(entry), key) is not None


NEW_SAMCONFIG = "version = 0.1\n"


def toml_insert(doc: Text, entries: Sequence[TomlEntry], table: Sequence[str], line: str) -> Splice:
    """The splice adding ``line`` (``key = value``) to ``[table]``: after the table's last
    entry, else right under its header, else a new ``[table]`` block at the end of the file."""
    norm, table = doc.norm, tuple(table)
    in_table = [
        e for e in entries if e.path[: len(table)] == table and e.value_start >= 0 and len(e.path) == len(table) + 1
    ]
    header = next((e for e in entries if e.value_start < 0 and e.path == table), None)
    if in_table:
        return doc.insert_lines(norm.count("\n", 0, max(e.value_end for e in in_table)) + 1, [line])
    if header is not None:
        return doc.insert_lines(norm.count("\n", 0, header.value_end) + 1, [line])
    block = [f"[{'.'.join(table)}]", line]
    if norm.strip() and not norm.endswith("\n\n"):
        block.insert(0, "")
    return doc.insert_lines(norm.count("\n") + 1, block)


def samconfig_set_overrides(
    text: str | None, values: Mapping[str, str], env: str = "default", source: str = "samconfig.toml"
) -> tuple[str, list[str], list[str]]:
    """``values`` set in ``parameter_overrides`` of every ``[<env>.<command>.parameters]``
    table that has one, else in ``[<env>.deploy.parameters]`` (created when missing).

    Returns the new text, the tables changed (``[default.deploy.parameters]``...) and the
    tables left alone because their ``parameter_overrides`` is a ``file://`` reference. A new
    file (``text`` None) gets ``version = 0.1`` and the table.
    """
    source_text = NEW_SAMCONFIG if text is None else text
    doc = Text(source_text)
    norm = doc.norm
    _toml_loads(norm, source)
    try:
        entries = list(_toml_entries(norm))
    except (ValueError, IndexError) as exc:
        raise toml_error(source, parser_problem(exc)) from None
    splices: list[Splice] = []
    places: list[str] = []
    skipped: list[str] = []
    for entry in entries:
        path = entry.path
        if (
            entry.value_start < 0
            or len(path) != 4
            or path[0] != env
            or path[2:] != ("parameters", "parameter_overrides")
        ):
            continue
        where = f"[{env}.{path[1]}.parameters]"
        new = _set_in_value(norm[entry.value_start : entry.value_end], values)
        if new is None:
            skipped.append(where)
            continue
        places.append(where)
        if new != norm[entry.value_start : entry.value_end]:
            splices.append(Splice(entry.value_start, entry.value_end, new))
    if not places and not skipped:
        overrides = ""
        for key, value in values.items():
            overrides = set_override(overrides, key, value)
        line = f"parameter_overrides = {_toml_string(overrides, literal=False)}"
        splices.append(toml_insert(doc, entries, (env, "deploy", "parameters"), line))
        places.append(f"[{env}.deploy.parameters]")
    if not any(e.path == ("version",) and e.value_start >= 0 for e in entries):
        first = next((e for e in entries), None)
        at = norm.count("\n", 0, first.start) if first is not None else norm.count("\n") + 1
        splices.append(doc.insert_lines(at, ["version = 0.1", ""] if first is not None else ["version = 0.1"]))
    new_text = doc.apply(splices)
    _check_overrides(new_text, values, env, places, source)
    return new_text, places, skipped


def _toml_loads(text: str, source: str) -> dict[str, Any]:
    """The TOML document as plain data (tomllib where available, else tomlkit)."""
    try:
        if sys.version_info >= (3, 11):
            import tomllib

            return tomllib.loads(text)
        import tomlkit  # pragma: no cover - Python 3.10

        return dict(tomlkit.parse(text).unwrap())  # pragma: no cover
    except Exception as exc:
        raise toml_error(source, parser_problem(exc)) from None


def _check_overrides(text: str, values: Mapping[str, str], env: str, places: list[str], source: str) -> None:
    document = _toml_loads(text.removeprefix(BOM), source)
    for place in places:
        command = place[len(env) + 2 : -len(".parameters]")]
        overrides = document.get(env, {}).get(command, {}).get("parameters", {}).get("parameter_overrides")
        for key, value in values.items():
            got = overrides.get(key) if isinstance(overrides, dict) else get_override(overrides, key)
            if got != value:  # pragma: no cover - a file shape the editor does not know
                raise CannotEdit(
                    f"Could not set {key} in {source} {place}; nothing was changed.", code="project.cannot-edit"
                )
