"""Insert raw YAML blocks into a file's text, keeping every other byte.

:func:`momento_lambda_cli.project.edit.yaml_set` writes plain string values; these helpers add
blocks written by the caller (CloudFormation short-form tags, lists, nested mappings): a key
with its block under a mapping (creating the mappings on the way), or an item at the end of a
block sequence. Blocks are given with two-space indentation relative to column 0; they are
moved to the column of their new siblings. The result must parse, or :class:`CannotEdit` is raised.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

from momento_lambda_cli.project.edit import (
    CannotEdit,
    Splice,
    Text,
    _compose,
    _content_end,
    _find,
    _insert_block_lines,
    _load,
)


def node_at(text: str, path: Sequence[str], source: str) -> Any:
    """The composed node at ``path`` (``None`` when a key on the way is missing)."""
    return _walk(_compose(Text(text).norm, source), path)


def _walk(node: Any, path: Sequence[str]) -> Any:
    for key in path:
        if node is None or getattr(node, "id", None) != "mapping":
            return None
        found = _find(node, key)
        node = found[1] if found else None
    return node


def _cannot(source: str, where: Sequence[str], what: str) -> CannotEdit:
    return CannotEdit(
        f"`{'.'.join(where)}` in {source} {what}; nothing was changed.",
        f"Make `{'.'.join(where)}` a block mapping written in {source}, or add the settings yourself.",
        code="project.cannot-edit",
    )


def _shift(lines: Sequence[str], column: int) -> list[str]:
    return [(" " * column + line) if line.strip() else line for line in lines]


def set_block(
    text: str,
    path: Sequence[str],
    key: str,
    block: str | Sequence[str],
    *,
    source: str,
    insert_before: Sequence[str] = (),
) -> str:
    """``text`` with ``key`` set to ``block`` in the mapping at ``path`` (mappings on the way
    are created). Nothing changes when ``key`` is already there. ``insert_before``: when
    ``path`` (or ``key``) is missing at the top level, the new block goes before the first of
    these top-level keys, else at the end of the file."""
    batch = YamlBatch(text, source)
    batch.set_block(path, key, block, insert_before=insert_before)
    return batch.result(thorough=True)


def _insert_into_mapping(doc: Text, mapping: Any, lines: list[str], before: Sequence[str]) -> Splice:
    column = mapping.value[0][0].start_mark.column if mapping.value else 0
    return _insert_block_lines(doc, mapping, _shift(lines, column), before)


def append_item(text: str, path: Sequence[str], item: Sequence[str], *, source: str) -> str:
    """``text`` with ``item`` (lines, the first without its ``- ``) appended to the block
    sequence at ``path``; a flow sequence of scalars takes a one-line scalar item."""
    doc = Text(text)
    return _checked(doc, [_append_splice(doc, node_at(text, path, source), path, item, source)], source)


def _append_splice(doc: Text, node: Any, path: Sequence[str], item: Sequence[str], source: str) -> Splice:
    norm = doc.norm
    if node is None or node.id != "sequence":
        raise _cannot(source, path, "is not a list")
    if node.flow_style:
        if len(item) != 1 or ":" in item[0]:
            raise _cannot(source, path, "is a flow-style list")
        close = int(node.end_mark.index) - 1
        at = close
        while at > 0 and norm[at - 1] in " \t\n":
            at -= 1
        sep = "" if norm[at - 1] == "[" else ", "
        return Splice(at, at, sep + item[0])
    if not node.value:
        raise _cannot(source, path, "is an empty list")
    first = node.value[0]
    line_start = norm.rfind("\n", 0, first.start_mark.index) + 1
    dash = norm.find("-", line_start, first.start_mark.index + 1)
    if dash < 0:  # pragma: no cover - a block sequence item always follows a dash
        raise _cannot(source, path, "is not a block list")
    column = dash - line_start
    gap = max(1, first.start_mark.column - column - 1) if first.start_mark.line == norm.count("\n", 0, dash) else 1
    lines = ["-" + " " * gap + item[0], *_shift(item[1:], gap + 1)]
    end = _content_end(norm, node)
    return doc.insert_lines(norm.count("\n", 0, end) + 1, _shift(lines, column))


def _checked(doc: Text, splices: list[Splice], source: str) -> str:
    new = doc.apply(splices)
    _load(new, source)
    return new


def replace_scalar(text: str, path: Sequence[str], raw: str, *, source: str) -> str:
    """``text`` with the plain scalar at ``path`` replaced by ``raw`` (written as is)."""
    doc = Text(text)
    return _checked(doc, [_replace_splice(doc, node_at(text, path, source), path, raw, source)], source)


def _replace_splice(doc: Text, node: Any, path: Sequence[str], raw: str, source: str) -> Splice:
    from momento_lambda_cli.project.edit import _scalar_start

    if node is None or node.id != "scalar":
        raise _cannot(source, path, "is not a plain value")
    problem = intrinsic(node)
    if problem:
        raise CannotEdit(
            f"`{'.'.join(path)}` in {source} is {problem}; a literal would replace it, so nothing was changed.",
            f"Change the value it refers to yourself (to {raw}).",
            code="project.intrinsic",
        )
    return Splice(_scalar_start(doc.norm, node), _content_end(doc.norm, node), styled(node, raw))


def intrinsic(node: Any) -> str | None:
    """What makes a value more than a literal (``!Ref FnTimeout``, ``${self:custom.t}``,
    ``{"Ref": ...}``), or ``None`` for a plain literal."""
    if node is None:
        return None
    if node.id != "scalar":
        return "a mapping or list (an intrinsic function?)"
    tag = str(node.tag or "")
    if tag.startswith("!"):
        return f"an intrinsic function ({tag} {node.value})"
    if "${" in str(node.value):
        return f"a variable ({node.value})"
    return None


def styled(node: Any, raw: str) -> str:
    """``raw`` in the quotes the replaced scalar was written in (a plain ``raw`` only)."""
    style = getattr(node, "style", None)
    if raw.startswith(("'", '"')):
        return raw
    if style == "'":
        return "'" + raw.replace("'", "''") + "'"
    if style == '"':
        return '"' + raw.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return raw


def compose(text: str, source: str) -> Any:
    """The composed root node of ``text`` (positions index its ``\\n``-normalised form)."""
    return _compose(Text(text).norm, source)


def replace_scalar_nodes(text: str, replacements: Sequence[tuple[Any, str]], *, source: str) -> str:
    """``text`` with each scalar node (of :func:`compose` on this ``text``) replaced by its raw text."""
    from momento_lambda_cli.project.edit import _scalar_start

    doc = Text(text)
    splices = [
        Splice(_scalar_start(doc.norm, node), _content_end(doc.norm, node), styled(node, raw))
        for node, raw in replacements
    ]
    return _checked(doc, splices, source) if splices else text


def remove_key(text: str, path: Sequence[str], key: str, *, source: str) -> str:
    """``text`` without ``key`` (its line and its value's lines) in the block mapping at
    ``path``; unchanged when it is not there. The comments around it stay."""
    node = node_at(text, path, source)
    if node is None or node.id != "mapping":
        return text
    found = _find(node, key)
    if found is None:
        return text
    if node.flow_style:
        raise _cannot(source, path, "is a flow-style mapping")
    if len(node.value) == 1:
        raise _cannot(source, [*path, key], "is the only entry of its mapping")
    doc = Text(text)
    norm = doc.norm
    key_node, value = found
    line_start = norm.rfind("\n", 0, key_node.start_mark.index) + 1
    if norm[line_start : key_node.start_mark.index].strip():
        raise _cannot(source, [*path, key], "shares its line with another entry")
    end_line = norm.count("\n", 0, _content_end(norm, value))
    return _checked(doc, [Splice(line_start, doc.line_start(end_line + 1), "")], source)


def wrap_in_list(text: str, path: Sequence[str], *, source: str) -> str:
    """``text`` with the single value at ``path`` (a block mapping, or a value on its key's
    line) made the one item of a block sequence, changing as few bytes as possible: a block
    mapping gets ``- `` in the two columns before its first key (its other lines stay); a value
    on the key's line moves to an item line under the key."""
    if not path:
        raise _cannot(source, ["(top level)"], "is not a key")
    parent = node_at(text, path[:-1], source)
    found = _find(parent, path[-1]) if parent is not None and parent.id == "mapping" else None
    if found is None:
        raise _cannot(source, path, "is missing")
    key_node, value = found
    doc = Text(text)
    norm = doc.norm
    key_column = key_node.start_mark.column
    if value.id == "sequence":
        return text
    if value.start_mark.index < key_node.start_mark.index:
        raise _cannot(source, path, "is an alias of a value defined elsewhere")
    if value.id == "mapping" and not value.flow_style:
        first = value.value[0][0]
        line_start = norm.rfind("\n", 0, first.start_mark.index) + 1
        column = first.start_mark.column
        dash = line_start + column - 2
        if column - 2 < key_column or norm[dash : line_start + column] != "  ":
            raise _cannot(source, path, "is a mapping too close to its key to become a list item")
        return _checked(doc, [Splice(dash, dash + 2, "- ")], source)
    if value.start_mark.line != key_node.start_mark.line or value.end_mark.line != value.start_mark.line:
        raise _cannot(source, path, "is a value that spans lines")
    end = _content_end(norm, value)
    item = norm[value.start_mark.index : end]
    before = value.start_mark.index
    while before > 0 and norm[before - 1] in " \t":
        before -= 1
    return _checked(doc, [Splice(before, end, "\n" + " " * (key_column + 2) + "- " + item)], source)


# --- many edits, one parse ---------------------------------------------------------------


class _Insertion:
    """Keys to add at one place of the original text, merged into one block (a second key
    under ``Environment.Variables`` joins the first one's new mapping)."""

    def __init__(self, seq: int, depth: int) -> None:
        self.seq = seq
        self.depth = depth
        """How deep in the document the node that receives the keys is (the root: 0)."""
        self.tree: dict[str, Any] = {}

    def add(self, keys: Sequence[str], block: str | Sequence[str], source: str) -> None:
        node = self.tree
        for depth, key in enumerate(keys[:-1]):
            child = node.setdefault(key, {})
            if not isinstance(child, dict):
                raise _cannot(source, keys[: depth + 1], "is not a block mapping")
            node = child
        node.setdefault(keys[-1], block if isinstance(block, str) else list(block))

    def lines(self) -> list[str]:
        return _tree_lines(self.tree)


def _tree_lines(tree: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    for key, value in tree.items():
        if isinstance(value, dict):
            lines.append(f"{key}:")
            lines.extend(_shift(_tree_lines(value), 2))
        elif isinstance(value, str):
            lines.append(f"{key}: {value}")
        else:
            lines.append(f"{key}:")
            lines.extend(_shift(value, 2))
    return lines


class YamlBatch:
    """Edits to one YAML text planned against one parse of it, applied and checked together.

    :func:`set_block`, :func:`append_item` and :func:`replace_scalar` each parse the text they
    edit, so `add` on a template of N functions parsed it about 4N times (100 functions: minutes).
    Here every edit is placed by the nodes of the text as it was; keys added at the same place
    are merged into one block, insertions at the same offset are ordered innermost first (a key
    added at the end of a nested mapping stays inside it), and the result is parsed once."""

    def __init__(self, text: str, source: str) -> None:
        self.source = source
        self.doc = Text(text)
        self.original = text
        self.root = _compose(self.doc.norm, source)
        self._insertions: dict[tuple[Any, ...], tuple[_Insertion, Any]] = {}
        self._splices: list[tuple[Splice, int, int]] = []
        """(splice, order planned, depth of the node it edits)."""
        self._seq = 0

    @property
    def changed(self) -> bool:
        return bool(self._insertions or self._splices)

    def _next(self) -> int:
        self._seq += 1
        return self._seq

    def node_at(self, path: Sequence[str]) -> Any:
        """The node at ``path`` in the text as it was (``None`` when a key is missing)."""
        return _walk(self.root, path)

    def _insertion(self, place: tuple[Any, ...], depth: int, splice_of: Any) -> _Insertion:
        if place not in self._insertions:
            self._insertions[place] = (_Insertion(self._next(), depth), splice_of)
        return self._insertions[place][0]

    def set_block(
        self, path: Sequence[str], key: str, block: str | Sequence[str], *, insert_before: Sequence[str] = ()
    ) -> None:
        """As :func:`set_block`: ``key`` set to ``block`` under ``path`` unless it is there."""
        full = [*path, key]
        doc, source = self.doc, self.source
        if self.root is None:
            end = doc.norm.count("\n") + 1
            self._insertion(("root",), 0, lambda lines: doc.insert_lines(end, lines)).add(full, block, source)
            return
        if self.root.id != "mapping" or self.root.flow_style:
            raise _cannot(source, ["(top level)"], "is not a block mapping")
        node = self.root
        for depth, name in enumerate(full):
            found = _find(node, name)
            if found is None:
                before = tuple(insert_before) if depth == 0 else ()
                self._insertion(
                    ("map", id(node), before),
                    depth,
                    lambda lines, mapping=node, before=before: _insert_into_mapping(doc, mapping, lines, before),
                ).add(full[depth:], block, source)
                return
            if depth == len(path):
                return  # the key is there
            key_node, value = found
            where = full[: depth + 1]
            if value.start_mark.index < key_node.start_mark.index:
                raise _cannot(source, where, "is an alias of a mapping defined elsewhere")
            if value.id == "scalar" and value.tag == "tag:yaml.org,2002:null" and value.value in ("", "~", "null"):
                if value.start_mark.index != value.end_mark.index:
                    raise _cannot(source, where, "is null")
                line, column = key_node.start_mark.line + 1, key_node.start_mark.column + 2
                self._insertion(
                    ("null", id(key_node)),
                    depth + 1,
                    lambda lines, line=line, column=column: doc.insert_lines(line, _shift(lines, column)),
                ).add(full[depth + 1 :], block, source)
                return
            if value.id != "mapping" or value.flow_style:
                raise _cannot(source, where, "is not a block mapping")
            node = value

    def mentions(self, needle: str) -> bool:
        """Whether the text, or an edit planned on it, holds ``needle``."""
        if needle in self.original or any(needle in s.new for s, _, _ in self._splices):
            return True
        return any(needle in "\n".join(insertion.lines()) for insertion, _ in self._insertions.values())

    def append_item(self, path: Sequence[str], item: Sequence[str]) -> None:
        """As :func:`append_item`, on the list as it was (items appended to one list keep their order)."""
        splice = _append_splice(self.doc, self.node_at(path), path, item, self.source)
        self._splices.append((splice, self._next(), len(path)))

    def replace_scalar(self, path: Sequence[str], raw: str) -> None:
        """As :func:`replace_scalar` (an intrinsic is refused the same way); replacing one value
        twice (a shared ``Globals`` timeout, once per function) is one edit."""
        splice = _replace_splice(self.doc, self.node_at(path), path, raw, self.source)
        if any((s.start, s.end) == (splice.start, splice.end) for s, _, _ in self._splices):
            return
        self._splices.append((splice, self._next(), len(path)))

    def result(self, *, thorough: bool = False) -> str:
        """The edited text, parsed once (raises when it would not parse): with libyaml's
        composer, or (``thorough``) the round-trip loader a one-edit caller always used."""
        if not self.changed:
            return self.original
        placed = [
            (splice_of(insertion.lines()), insertion.seq, insertion.depth)
            for insertion, splice_of in self._insertions.values()
        ]
        placed += self._splices
        at: dict[int, list[tuple[Splice, int, int]]] = {}
        replacements: list[Splice] = []
        for splice, seq, depth in placed:
            if splice.start == splice.end:
                at.setdefault(splice.start, []).append((splice, seq, depth))
            else:
                replacements.append(splice)
        merged = list(replacements)
        for start, group in at.items():
            # at one offset the deepest node's new lines come first: an item appended to a list
            # (indentless or not) or a key added to a nested mapping that ends there stays in it
            group.sort(key=lambda item: (-item[2], item[1]))
            merged.append(Splice(start, start, "".join(s.new for s, _, _ in group)))
        spans = sorted((s.start, s.end) for s in merged)
        for (_, end), (start, _) in itertools.pairwise(spans):
            if start < end:  # pragma: no cover - two edits of one value: a bug in the caller
                raise CannotEdit(
                    f"Two edits overlap in {self.source}; nothing was changed.", code="project.cannot-edit"
                )
        new = self.doc.apply(merged)
        if thorough:
            _load(new, self.source)
        else:
            _parses(new, self.source)
        return new


def _parses(text: str, source: str) -> None:
    """Raise unless ``text`` parses: libyaml's composer first (about 5x faster than the
    round-trip loader, no values built), the round-trip loader only when libyaml refuses
    (the two disagree on a few inputs; the round-trip loader is what reads the file back)."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    try:
        repeated = any(_repeats_a_key(node) for node in YAML(typ="safe", pure=False).compose_all(text))
    except YAMLError:
        repeated = True
    if repeated:  # the round-trip loader raises what it always did (a repeated key included)
        _load(text, source)


def _repeats_a_key(root: Any) -> bool:
    """Whether a mapping in the tree holds one scalar key twice (the round-trip loader refuses
    that, and so do `add` and `doctor --fix`: project/parse.duplicate_problems)."""
    stack, seen = [root], set()
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        if node.id == "mapping":
            keys = [k.value for k, _ in node.value if k.id == "scalar"]
            if len(keys) != len(set(keys)):
                return True
            stack.extend(item for pair in node.value for item in pair)
        elif node.id == "sequence":
            stack.extend(node.value)
    return False
