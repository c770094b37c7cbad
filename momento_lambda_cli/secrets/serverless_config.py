"""Write Serverless Framework params into ``serverless.yml`` with a round-trip YAML edit.

The secret's ARN goes to ``params: <stage>: momentoSecretArn`` (stage ``default`` unless
told otherwise), read by the service as ``${param:momentoSecretArn}``. ruamel.yaml keeps
comments, key order and quoting; the indentation style is detected from the file (the
candidate that reproduces the unchanged file byte for byte wins). When ``params`` is
``${file(./params.yml)}``, that file is edited instead.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

from momento_lambda_cli.errors import MomentoLambdaError

SERVERLESS_FILES = ("serverless.yml", "serverless.yaml")
UNSUPPORTED_FILES = ("serverless.ts", "serverless.js", "serverless.json")
_FILE_REF = re.compile(r"^\$\{file\(([^)]+)\)\}$")
_INDENTS = ((2, 4, 2), (2, 2, 0), (4, 4, 2), (4, 6, 4), (4, 4, 0), (2, 4, 0), (3, 3, 0))


def _yaml(indent: tuple[int, int, int]) -> Any:
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096
    mapping, sequence, offset = indent
    yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
    return yaml


def _dump(yaml: Any, document: Any) -> str:
    out = io.StringIO()
    yaml.dump(document, out)
    return out.getvalue()


def load(text: str, source: str) -> tuple[Any, Any]:
    """``(yaml, document)``: the YAML instance whose style reproduces ``text``, and the document."""
    from ruamel.yaml.error import YAMLError

    chosen = None
    for indent in _INDENTS:
        yaml = _yaml(indent)
        try:
            document = yaml.load(text)
        except YAMLError as exc:
            problem = getattr(exc, "problem", None) or type(exc).__name__
            raise MomentoLambdaError(
                f"{source} is not valid YAML ({problem}); nothing was changed.",
                f"Fix {source} and run the command again.",
                code="project.bad-serverless-yml",
            ) from None
        if chosen is None:
            chosen = (yaml, document)
        if _dump(yaml, document) == text:
            return yaml, document
    assert chosen is not None
    return chosen


def params_file(document: Any, base: Path) -> Path | None:
    """The file ``params`` points at (``params: ${file(./params.yml)}``), if it does."""
    params = document.get("params") if hasattr(document, "get") else None
    if isinstance(params, str):
        match = _FILE_REF.match(params.strip())
        if match:
            return (base / match.group(1).strip().strip("'\"")).resolve()
    return None


def _new_block(values: dict[str, str]) -> Any:
    from ruamel.yaml.comments import CommentedMap
    from ruamel.yaml.error import CommentMark
    from ruamel.yaml.tokens import CommentToken

    inner = CommentedMap(values)
    last = list(values)[-1]
    inner.ca.items[last] = [None, None, CommentToken("\n\n", CommentMark(0), None), None]
    return inner


def update_text(text: str, values: dict[str, str], source: str, stage: str = "default", top: bool = False) -> str:
    """The new text with ``values`` under ``params: <stage>:`` (or ``<stage>:`` in a params file)."""
    from ruamel.yaml.comments import CommentedMap

    yaml, loaded = load(text, source)
    document: Any = loaded
    if document is None:
        document = CommentedMap()
    if not isinstance(document, dict):
        raise MomentoLambdaError(
            f"{source} is not a YAML mapping; nothing was changed.", code="project.bad-serverless-yml"
        )
    container: Any
    if top:
        container = document
    else:
        container = document.get("params")
        if container is None:
            container = CommentedMap()
            keys = list(document.keys())
            position = next((keys.index(k) for k in ("provider", "functions") if k in keys), len(keys))
            container[stage] = _new_block(values) if position < len(keys) else CommentedMap(values)
            commented: Any = document
            commented.insert(position, "params", container)
            return _dump(yaml, document)
        if not isinstance(container, dict):
            raise MomentoLambdaError(
                f"`params` in {source} is not a mapping; nothing was changed.",
                f"Add `{', '.join(values)}` under params.{stage} yourself.",
                code="project.bad-serverless-yml",
            )
    section = container.get(stage)
    if section is None:
        container[stage] = CommentedMap(values)
    elif isinstance(section, dict):
        for key, value in values.items():
            section[key] = value
    else:
        raise MomentoLambdaError(
            f"`params.{stage}` in {source} is not a mapping; nothing was changed.", code="project.bad-serverless-yml"
        )
    return _dump(yaml, document)


def region_of(text: str) -> str | None:
    try:
        _, document = load(text, "serverless.yml")
    except MomentoLambdaError:
        return None
    provider = document.get("provider") if isinstance(document, dict) else None
    region = provider.get("region") if isinstance(provider, dict) else None
    if isinstance(region, str) and region and "${" not in region:
        return region
    return None


def overriding_stages(text: str, key: str, source: str, stage: str = "default") -> list[str]:
    """Other stages under ``params`` that set ``key`` themselves (they win over ``default``)."""
    _, document = load(text, source)
    params = document.get("params") if isinstance(document, dict) else None
    if not isinstance(params, dict):
        return []
    return [
        str(name) for name, section in params.items() if name != stage and isinstance(section, dict) and key in section
    ]
