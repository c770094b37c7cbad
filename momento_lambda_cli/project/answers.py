"""The answers file of a generated project, and which framework a folder holds.

`momento-lambda new` writes ``.momento-lambda.json`` (the tool version and the answers);
`store-token` adds the secret ARN to it; `doctor` reads it. Projects the tool did not
generate have no answers file: :func:`detect_framework` still recognises them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from momento_lambda_cli import __version__, catalog
from momento_lambda_cli.errors import MomentoLambdaError
from momento_lambda_cli.project.files import atomic_write_text, read_text

ANSWERS_FILE = catalog.ANSWERS_FILE
"""JSON object with ``_tool_version`` plus the answers: ``project_name``, ``framework``
(``sam`` / ``serverless``), ``runtime`` (e.g. ``python3.13``), ``architecture``
(``x86_64`` / ``arm64``), ``cache_name``, ``secret_name``, ``secret_arn`` (``null`` until
`store-token` runs), ``default_ttl_seconds``, ``region``, ``kms_key_arn`` (or ``null``) and
``init_client`` (``eager`` / ``lazy``) and ``snapstart`` (``true`` / ``false``), each absent in
files written before it existed."""
SAM = catalog.SAM.name
SERVERLESS = catalog.SERVERLESS.name


def detect_framework(project_dir: Path) -> str | None:
    """The framework's name (``"sam"``, ``"serverless"``) or ``None``: the answers file's, else
    the one whose files are present (:func:`momento_lambda_cli.frameworks.detect`)."""
    from momento_lambda_cli import frameworks

    answers = load_answers(project_dir)
    if answers and answers.get("framework") in frameworks.names():
        return str(answers["framework"])
    found = frameworks.detect(project_dir)
    return found.name if found is not None else None


def refuse_unread(project_dir: Path, command: str | None = None) -> None:
    """A usage error (exit 2) when ``project_dir`` is a project of a framework this tool renders but
    does not read yet (CDK: :meth:`~momento_lambda_cli.frameworks.base.FrameworkAdapter.refuse`),
    rather than another framework's reading of a folder that is not its project."""
    from momento_lambda_cli import frameworks

    try:
        framework = detect_framework(project_dir)
    except MomentoLambdaError:
        return  # a broken answers file: each command reports it its own way (doctor writes its bug report first)
    if framework is not None:
        frameworks.adapter(framework).refuse(project_dir, command)


def load_answers(project_dir: Path) -> dict[str, Any] | None:
    """The answers file's content, checked field by field against the answers schema
    (:func:`momento_lambda_cli.scaffold.answers.check_record`), or ``None`` when there is none."""
    from momento_lambda_cli.scaffold.answers import check_record

    path = project_dir / ANSWERS_FILE
    text = read_text(path, root=project_dir)
    if text is None:
        return None
    try:
        document = json.loads(text.removeprefix("\ufeff"), parse_constant=_no_constant)
    except (ValueError, RecursionError) as exc:
        where = f" (line {exc.lineno}, column {exc.colno})" if isinstance(exc, json.JSONDecodeError) else ""
        reason = str(exc) if isinstance(exc, _NotJson) else "not valid JSON"
        raise MomentoLambdaError(
            f"{path}: {reason}{where}.",
            f"Fix or delete {ANSWERS_FILE}; `momento-lambda new` writes it.",
            code="project.bad-answers",
        ) from None
    if not isinstance(document, dict):
        raise MomentoLambdaError(
            f"{path}: not a JSON object.",
            f"Fix or delete {ANSWERS_FILE}; `momento-lambda new` writes it.",
            code="project.bad-answers",
        )
    return check_record(document, str(path))


class _NotJson(ValueError):
    pass


def _no_constant(name: str) -> Any:
    raise _NotJson(f"{name} is not a JSON number")


def render_answers(answers: dict[str, Any], like: str | None = None) -> str:
    """The answers file's text, stamped with the tool version; with ``like`` (the current
    file's text) its line end (CRLF or LF) and byte order mark are kept."""
    document = {"_tool_version": __version__, **{k: v for k, v in answers.items() if k != "_tool_version"}}
    text = json.dumps(document, indent=2, sort_keys=True) + "\n"
    if like is not None and "\r\n" in like and like.count("\r\n") * 2 >= like.count("\n"):
        text = text.replace("\n", "\r\n")
    if like is not None and like.startswith("\ufeff"):
        text = "\ufeff" + text
    return text


def write_answers(project_dir: Path, answers: dict[str, Any]) -> Path:
    """Write the answers file atomically, stamping the tool version (the existing file's
    line ends are kept)."""
    path = project_dir / ANSWERS_FILE
    atomic_write_text(path, render_answers(answers, read_text(path, project_dir)), project_dir)
    return path
