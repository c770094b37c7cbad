"""A generated project on disk: its answers file and its framework.

`momento-lambda new` writes ``.momento-lambda.json`` (the tool version and the answers);
`store-token` adds the secret ARN to it; `doctor` reads it. Projects the tool did not
generate have no answers file: :func:`detect_framework` still recognises them.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from momento_lambda_cli import __version__
from momento_lambda_cli.errors import MomentoLambdaError

ANSWERS_FILE = ".momento-lambda.json"
"""JSON object with ``_tool_version`` plus the answers: ``project_name``, ``framework``
(``sam`` / ``serverless``), ``runtime`` (e.g. ``python3.13``), ``architecture``
(``x86_64`` / ``arm64``), ``cache_name``, ``secret_name``, ``secret_arn`` (``null`` until
`store-token` runs), ``default_ttl_seconds``, ``region`` and ``kms_key_arn`` (or ``null``)."""
SAM = "sam"
SERVERLESS = "serverless"


def detect_framework(project_dir: Path) -> str | None:
    """``"sam"``, ``"serverless"`` or ``None`` from the files present."""
    answers = load_answers(project_dir)
    if answers and answers.get("framework") in {SAM, SERVERLESS}:
        return str(answers["framework"])
    if any((project_dir / name).is_file() for name in ("template.yaml", "template.yml", "samconfig.toml")):
        return SAM
    if any((project_dir / name).is_file() for name in ("serverless.yml", "serverless.yaml")):
        return SERVERLESS
    return None


def load_answers(project_dir: Path) -> dict[str, Any] | None:
    """The answers file's content, or ``None`` when there is none."""
    path = project_dir / ANSWERS_FILE
    if not path.is_file():
        return None
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise MomentoLambdaError(
            f"{path} is not valid JSON ({type(exc).__name__}).",
            f"Fix or delete {ANSWERS_FILE}; `momento-lambda new` writes it.",
            code="project.bad-answers",
        ) from None
    if not isinstance(document, dict):
        raise MomentoLambdaError(f"{path} is not a JSON object.", code="project.bad-answers")
    return document


def write_answers(project_dir: Path, answers: dict[str, Any]) -> Path:
    """Write the answers file atomically, stamping the tool version."""
    document = {"_tool_version": __version__, **{k: v for k, v in answers.items() if k != "_tool_version"}}
    path = project_dir / ANSWERS_FILE
    atomic_write_text(path, json.dumps(document, indent=2, sort_keys=True) + "\n")
    return path


def atomic_write_text(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` in one step (a temp file in the same folder, then rename)."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.chmod(tmp, path.stat().st_mode & 0o777 if path.exists() else _default_file_mode())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _default_file_mode() -> int:
    """The mode a plain ``open(path, "w")`` would give a new file (0o666 less the umask)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask
