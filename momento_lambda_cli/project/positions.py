"""Source positions of a YAML / JSON project file: the line of each mapping key, by path
(``("Resources", "Api", "Properties", "Runtime")`` -> 14), like cfn-lint's marked nodes.

Read only when a report needs them (``doctor --format sarif|junit``): a plain doctor run does
not pay for a second pass over the template.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from momento_lambda_cli.project.parse import _yaml, read_text

MAX_DEPTH = 4
"""Key paths recorded this deep (``Resources.Fn.Properties.Runtime``, ``functions.fn.environment.X``)."""


def key_lines(path: Path, root: Path | None = None, max_depth: int = MAX_DEPTH) -> dict[tuple[str, ...], int]:
    """1-based line of each mapping key down to ``max_depth``; empty when the file does not compose."""
    from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode

    node: Any = None
    try:
        text = read_text(path, root=root)
    except Exception:
        return {}
    for pure in (False, True):  # libyaml first, as the loader does
        try:
            node = _yaml(pure).compose(text)
            break
        except Exception:  # noqa: S112 - the loader reports parse errors
            continue
    found: dict[tuple[str, ...], int] = {}
    stack: list[tuple[Any, tuple[str, ...]]] = [(node, ())]
    while stack:
        current, prefix = stack.pop()
        if len(prefix) >= max_depth:
            continue
        if isinstance(current, MappingNode):
            for key, value in current.value:
                if isinstance(key, ScalarNode):
                    where = (*prefix, str(key.value))
                    found.setdefault(where, key.start_mark.line + 1)
                    stack.append((value, where))
        elif isinstance(current, SequenceNode):
            for index, item in enumerate(current.value):
                stack.append((item, (*prefix, str(index))))
    return found
