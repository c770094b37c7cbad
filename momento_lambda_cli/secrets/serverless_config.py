"""Write Serverless Framework params into ``serverless.yml`` with a text edit.

The secret's ARN goes to ``params: <stage>: momentoSecretArn`` (stage ``default`` unless
told otherwise), read by the service as ``${param:momentoSecretArn}``. Only the added lines
(or the replaced value) differ. When ``params`` is ``${file(./params.yml)}``, that file is
edited instead. :func:`load` reads a file with the round-trip loader.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from momento_lambda_cli import catalog
from momento_lambda_cli.errors import parser_problem
from momento_lambda_cli.project import edit

SERVERLESS_FILES = catalog.SERVERLESS.template_files
UNSUPPORTED_FILES = catalog.SERVERLESS.unsupported_files
_FILE_REF = re.compile(r"^\$\{file\(([^)]+)\)\}$")


def load(text: str, source: str) -> tuple[Any, Any]:
    """``(yaml, document)``: the round-trip loader and the file's (first) document."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    yaml = YAML(typ="rt")
    try:
        document = next(iter(yaml.load_all(text)), None)
    except YAMLError as exc:
        raise edit.yaml_error(source, parser_problem(exc)) from None
    return yaml, document


def params_file(document: Any, base: Path) -> Path | None:
    """The file ``params`` points at (``params: ${file(./params.yml)}``), if it does."""
    params = document.get("params") if hasattr(document, "get") else None
    if isinstance(params, str):
        match = _FILE_REF.match(params.strip())
        if match:
            return (base / match.group(1).strip().strip("'\"")).resolve()
    return None


def update_text(text: str, values: dict[str, str], source: str, stage: str = "default", top: bool = False) -> str:
    """The new text with ``values`` under ``params: <stage>:`` (or ``<stage>:`` in a params file).

    A text edit (:func:`momento_lambda_cli.project.edit.yaml_set`): the values' lines are
    added or their scalars replaced, every other byte stays; a new ``params`` block goes
    before ``provider`` / ``functions``."""
    path = [stage] if top else ["params", stage]
    return edit.yaml_set(text, path, values, source=source, insert_before=("provider", "functions"))


def overriding_stages(text: str, key: str, source: str, stage: str = "default") -> list[str]:
    """Other stages under ``params`` that set ``key`` themselves (they win over ``default``)."""
    _, document = load(text, source)
    params = document.get("params") if isinstance(document, dict) else None
    if not isinstance(params, dict):
        return []
    return [
        str(name) for name, section in params.items() if name != stage and isinstance(section, dict) and key in section
    ]
