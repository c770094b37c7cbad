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
from momento_lambda_cli.errors import MomentoLambdaError, UsageError
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
CDK = catalog.CDK.name


def detect_framework(project_dir: Path) -> str | None:
    """``"sam"``, ``"serverless"``, ``"cdk"`` or ``None`` from the files present."""
    answers = load_answers(project_dir)
    if answers and answers.get("framework") in {SAM, SERVERLESS, CDK}:
        return str(answers["framework"])
    sam = [name for name in catalog.SAM.project_files if (project_dir / name).is_file()]
    serverless = any((project_dir / name).is_file() for name in catalog.SERVERLESS.project_files)
    if sam and serverless and not _sam_project(project_dir, sam):
        return SERVERLESS  # a Serverless service that keeps a plain CloudFormation template beside it
    if sam:
        return SAM
    if serverless:
        return SERVERLESS
    if any((project_dir / name).is_file() for name in catalog.CDK.project_files):
        return CDK
    return None


def refuse_cdk(project_dir: Path, command: str | None = None) -> None:
    """`new -f cdk` renders CDK apps; the other commands do not read them yet: a usage error
    (exit 2) rather than a SAM or Serverless reading of a folder that is neither."""
    try:
        framework = detect_framework(project_dir)
    except MomentoLambdaError:
        return  # a broken answers file: each command reports it its own way (doctor writes its bug report first)
    if framework != CDK:
        return
    what = f"`momento-lambda {command}` does" if command else "This command does"
    raise UsageError(
        f"{what} not support AWS CDK projects yet ({project_dir} holds "
        f"{catalog.CDK.template_file}): so far only `momento-lambda new --framework cdk` does.",
        "Check the stack with `npx cdk synth` and its tests (`npm test` / `pytest`); set the secret in "
        "cdk.json's context (momentoSecretArn / momentoSecretName) or with `npx cdk deploy -c momentoSecretName=...`.",
        code="project.cdk-not-supported",
    )


SAM_MARK = b"AWS::Serverless"
"""In a template: the SAM transform or a SAM resource type; a plain CloudFormation template has neither."""


def _sam_project(project_dir: Path, present: list[str]) -> bool:
    """Beside serverless.yml, the SAM files found make a SAM project only with a samconfig or a
    template that uses SAM (``Transform: AWS::Serverless-2016-10-31``, ``AWS::Serverless::*``)."""
    from momento_lambda_cli.project.parse import read_head

    if any(name in catalog.SAM.config_files for name in present):
        return True
    for name in present:
        head = read_head(project_dir / name, 1_000_000, root=project_dir)
        if head is not None and SAM_MARK in head:
            return True
    return False


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
