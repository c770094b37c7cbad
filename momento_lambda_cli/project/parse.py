"""Parse the files projects keep their settings in: YAML with CloudFormation short tags
(``!Ref``, ``!Sub``, ``!GetAtt``, ``!If``... turned into their long forms) and TOML."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import Any

from momento_lambda_cli.errors import MomentoLambdaError, parser_problem
from momento_lambda_cli.project.files import open_project_file, read_bytes


def _yaml(pure: bool = False) -> Any:
    """A safe YAML loader with CloudFormation short tags; libyaml's C parser unless ``pure``."""
    from ruamel.yaml import YAML
    from ruamel.yaml.constructor import SafeConstructor
    from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode
    from ruamel.yaml.resolver import VersionedResolver

    class CfnConstructor(SafeConstructor):
        def check_mapping_key(self, node: Any, key_node: Any, mapping: Any, key: Any, value: Any) -> bool:
            """A repeated key: the last value wins, as the SAM CLI reads it (cfn-lint warns about it);
            recorded in ``self.duplicates`` (key, line) when the caller asked for them."""
            duplicates = getattr(self, "duplicates", None)
            if duplicates is not None and key in mapping:
                duplicates.append((str(key), key_node.start_mark.line + 1))
            return True

    def construct(loader: Any, suffix: str, node: Any) -> Any:
        if isinstance(node, ScalarNode):
            value: Any = loader.construct_scalar(node)
        elif isinstance(node, SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        elif isinstance(node, MappingNode):
            value = loader.construct_mapping(node, deep=True)
        else:  # pragma: no cover
            value = None
        return short_form(suffix, value)

    class FixedVersionResolver(VersionedResolver):
        """YAML 1.2 always: ruamel asks the scanner for a %YAML directive on every scalar,
        through two caught AttributeErrors, which costs more than the parse itself."""

        @property
        def processing_version(self) -> Any:
            return self._loader_version or (1, 2)

        def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
            """A plain scalar's tag, worked out once per distinct (value, implicit) in a document:
            a large template repeats the same words (``Type``, ``!Ref`` targets, runtimes) thousands
            of times, and each resolution tries the YAML 1.2 regular expressions in Python."""
            if kind is not ScalarNode or self.yaml_path_resolvers:
                return super().resolve(kind, value, implicit)
            memo: dict[Any, Any] = self.__dict__.setdefault("_scalar_tags", {})
            key = (value, implicit)
            found = memo.get(key)
            if found is None:
                found = memo[key] = super().resolve(kind, value, implicit)
            return found

    CfnConstructor.add_multi_constructor("!", construct)
    yaml = YAML(typ="safe", pure=pure)
    yaml.Constructor = CfnConstructor
    yaml.Resolver = FixedVersionResolver
    return yaml


def short_form(suffix: str, value: Any) -> Any:
    """The long form of a CloudFormation short tag (``!Ref x`` -> ``{"Ref": "x"}``, ``!GetAtt a.b``
    -> ``{"Fn::GetAtt": ["a", "b"]}``, ``!Sub s`` -> ``{"Fn::Sub": "s"}``)."""
    if suffix == "Ref":
        return {"Ref": value}
    if suffix == "Condition":
        return {"Condition": value}
    if suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {f"Fn::{suffix}": value}


STR_TAG = "tag:yaml.org,2002:str"
MAP_TAG = "tag:yaml.org,2002:map"
SEQ_TAG = "tag:yaml.org,2002:seq"


def _construct_tree(constructor: Any, root: Any, duplicates: list[tuple[str, int]]) -> Any:
    """The document of a composed YAML tree (no anchors, no merge keys), as ruamel's safe
    constructor would build it, about 3x faster on large templates: mappings, sequences and plain
    strings, and CloudFormation short tags (``!Ref``, ``!Sub``...) over them, are built here;
    every other scalar (int, bool, null, float, timestamp) and every other tagged node goes to
    ``constructor`` itself, so their meaning is unchanged. Repeated keys: the last wins, each
    recorded as (key, line)."""
    from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode

    def build(node: Any) -> Any:
        tag = node.ctag.trval
        if isinstance(tag, str) and tag.startswith("!") and not tag.startswith("!!") and len(tag) > 1:
            # a CloudFormation short tag (`!Ref`, `!Sub`, `!If [...]`): its value built here too
            if isinstance(node, ScalarNode):
                return short_form(tag[1:], node.value)
            if isinstance(node, SequenceNode):
                return short_form(tag[1:], [build(item) for item in node.value])
            return short_form(tag[1:], mapping(node))
        if isinstance(node, ScalarNode):
            return node.value if tag == STR_TAG else constructor.construct_object(node, deep=True)
        if tag not in (MAP_TAG, SEQ_TAG):
            return constructor.construct_object(node, deep=True)
        if isinstance(node, SequenceNode):
            return [build(item) for item in node.value]
        if isinstance(node, MappingNode):
            return mapping(node)
        raise TypeError(f"unexpected YAML node {type(node).__name__}")

    def mapping(node: Any) -> dict[Any, Any]:
        if isinstance(node, MappingNode):
            mapping: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                key = build(key_node)
                if key in mapping:
                    duplicates.append((str(key), key_node.start_mark.line + 1))
                mapping[key] = build(value_node)
            return mapping
        raise TypeError(f"unexpected YAML node {type(node).__name__}")

    return build(root)


MAX_FILE_BYTES = 8 * 1024 * 1024
"""Largest project file read (CloudFormation's own template limit is 1 MB; samconfig files are small)."""
MAX_YAML_NODES = 500_000
"""Largest YAML document, counted with aliases expanded (an alias bomb expands to billions)."""


def read_head(path: Path, limit: int, root: Path | None) -> bytes | None:
    """The first ``limit`` bytes of a regular file (following symlinks; with ``root``, only to
    files inside it), ``None`` for anything else: a device (``/dev/zero``), a FIFO, a folder, a
    symlink loop, a symlink out of ``root``, a missing or unreadable file. Opened by
    :func:`.files.open_project_file`.

    ``root`` has no default: a project file passes its project folder (the fence); only files
    that are not the project's (``/proc``, the machine's plugin cache) pass ``None``."""
    try:
        fd = open_project_file(path, root)
    except (MomentoLambdaError, ValueError):
        return None
    if fd is None:
        return None
    try:
        chunks: list[bytes] = []
        remaining = limit
        while remaining > 0:
            chunk = os.read(fd, min(remaining, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
        return b"".join(chunks)
    except OSError:
        return None
    finally:
        os.close(fd)


def read_text(path: Path, limit: int = MAX_FILE_BYTES, root: Path | None = None) -> str:
    """A regular file's text (UTF-8, a BOM dropped), at most ``limit`` bytes, read by
    :func:`.files.read_bytes` (with ``root``: inside it only); raises MomentoLambdaError."""
    data = read_bytes(path, root, limit)
    if data is None:
        raise MomentoLambdaError(
            f"{path}: no such file.", "Point the project at an existing file.", code="project.unreadable"
        )
    return data.decode("utf-8-sig", errors="replace")


def load_yaml(path: Path, root: Path | None = None, duplicates: list[tuple[str, int]] | None = None) -> Any:
    """Parse a YAML (or JSON) file accepting CloudFormation short tags; raises MomentoLambdaError.
    Repeated mapping keys (the last one wins) go to ``duplicates`` as (key, line) when given."""
    return loads_yaml(read_text(path, root=root), path.name, duplicates)


def duplicate_problems(name: str, duplicates: list[tuple[str, int]], reader: str) -> list[str]:
    """One project problem per repeated key: what the deploy tool does with it, and that the
    editors (`add`, `doctor --fix`) refuse the file."""
    return [
        f"{name} line {line}: key {key} appears again ({reader}; `add` and `doctor --fix` refuse the file, "
        "cfn-lint reports it)"
        for key, line in duplicates
    ]


MAX_FLOW_DEPTH = 200
"""Deepest ``[``/``{`` nesting parsed: libyaml takes seconds on thousands of levels (real templates use < 20)."""


def _flow_depth(text: str) -> int:
    """The deepest ``[``/``{`` nesting in ``text``, counted lexically (brackets in strings too:
    an over-estimate, used only as a limit)."""
    if text.count("[") + text.count("{") <= MAX_FLOW_DEPTH:
        return 0
    depth = deepest = 0
    for match in re.finditer(r"[\[\]{}]", text):
        if match.group(0) in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > MAX_FLOW_DEPTH:
                    break
        elif depth:
            depth -= 1
    return deepest


def loads_yaml(text: str, name: str, duplicates: list[tuple[str, int]] | None = None) -> Any:
    """Parse YAML text accepting CloudFormation short tags, with aliases and nesting bounded;
    raises MomentoLambdaError."""
    if _flow_depth(text) > MAX_FLOW_DEPTH:
        raise MomentoLambdaError(
            f"{name} nests [ ] / {{ }} more than {MAX_FLOW_DEPTH} levels deep; it was not parsed.",
            f"Flatten the nested lists and mappings in {name}.",
            code="project.bad-config",
        )
    try:
        try:
            yaml = _yaml()
            node = yaml.compose(text)
        except Exception:
            # libyaml is YAML 1.1: it refuses plain scalars with ':' in flow context
            # (`[{ Fn::Equals: [a, b] }]`), which YAML 1.2, js-yaml and CloudFormation accept.
            yaml = _yaml(pure=True)
            node = yaml.compose(text)
        if node is None:
            return None
        if "&" in text and _expanded_size(node) > MAX_YAML_NODES:  # no anchor, no alias
            raise MomentoLambdaError(
                f"{name} expands to more than {MAX_YAML_NODES:,} values through its aliases (an alias bomb?).",
                f"Remove the nested aliases from {name}.",
                code="project.bad-config",
            )
        if duplicates is not None:
            yaml.constructor.duplicates = duplicates
        if "&" not in text and "<<" not in text:  # a tree (no aliases, no merge keys): the fast path
            found: list[tuple[str, int]] = []
            try:
                document = _construct_tree(yaml.constructor, node, found)
            except Exception:  # noqa: S110 - the full constructor below says what is wrong
                pass
            else:
                if duplicates is not None:
                    duplicates.extend(found)
                return document
        return yaml.constructor.construct_document(node)
    except MomentoLambdaError:
        raise
    except Exception as exc:
        if "\t" in text and text.lstrip().startswith("{"):
            try:
                import json

                return json.loads(text)  # JSON with tab indents: not YAML, still a valid template
            except ValueError:
                pass
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
        problem = parser_problem(exc)
        raise MomentoLambdaError(
            f"{name} does not parse{where}: {problem}.",
            f"Fix the YAML syntax in {name}; `sam validate --lint` or `serverless print` shows the context.",
            code="project.bad-config",
        ) from None


def _expanded_size(root: Any) -> int:
    """How many nodes the document has once every alias is expanded (memoised, no recursion)."""
    from ruamel.yaml.nodes import MappingNode, SequenceNode

    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, ready = stack.pop()
        if id(node) in sizes:
            continue
        if not ready and id(node) in open_nodes:
            return MAX_YAML_NODES + 1  # an alias inside its own anchor: infinitely deep
        children: list[Any] = []
        if isinstance(node, MappingNode):
            for key, value in node.value:
                children.extend((key, value))
        elif isinstance(node, SequenceNode):
            children = list(node.value)
        if ready or not children:
            open_nodes.discard(id(node))
            sizes[id(node)] = 1 + sum(sizes.get(id(child), 1) for child in children)
            if sizes[id(node)] > MAX_YAML_NODES:
                return sizes[id(node)]
            continue
        open_nodes.add(id(node))
        stack.append((node, True))
        stack.extend((child, False) for child in children if id(child) not in sizes)
    return sizes[id(root)]


def load_toml(path: Path, root: Path | None = None) -> dict[str, Any]:
    """Parse a TOML file; raises MomentoLambdaError."""
    text = read_text(path, root=root)
    try:
        if sys.version_info >= (3, 11):
            import tomllib

            document: Any = tomllib.loads(text)
        else:  # pragma: no cover - Python 3.10
            import tomlkit

            document = tomlkit.parse(text).unwrap()
    except Exception as exc:
        raise MomentoLambdaError(
            f"{path.name} does not parse: {parser_problem(exc)}.",
            f"Fix the TOML syntax in {path.name}.",
            code="project.bad-config",
        ) from None
    return dict(document)
