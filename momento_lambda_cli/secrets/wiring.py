"""Write the secret's ARN where the project's framework reads it.

* SAM: ``parameter_overrides`` in ``samconfig.toml`` (``MomentoSecretArn``, and
  ``MomentoKmsKeyArn`` when the secret uses a customer-managed KMS key).
* Serverless Framework: ``params: default:`` in ``serverless.yml`` (``momentoSecretArn``,
  ``momentoKmsKeyArn``), or the params file it points at.
* The answers file ``.momento-lambda.json`` (``secret_name``, ``secret_arn``, ``kms_key_arn``).

Every file is read and parsed by :func:`inspect_project` before anything is sent to AWS, so
a broken file stops the command before the secret changes; :func:`plan_writes` computes the
new texts (only files whose text changes); :func:`apply_writes` replaces each file
atomically. Outside a project nothing is written.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from momento_lambda_cli import contract, project
from momento_lambda_cli.errors import UsageError
from momento_lambda_cli.project.load import deploy_region
from momento_lambda_cli.project.model import Setting
from momento_lambda_cli.secrets import samconfig, serverless_config

PLACEHOLDER_ARN = "arn:aws:secretsmanager:REGION:ACCOUNT:secret:NEW-SECRET"
"""Stands in for the ARN of a secret a dry run would create (never written)."""


@dataclass
class Project:
    directory: Path
    framework: str | None = None
    answers: dict[str, Any] | None = None
    samconfig_text: str | None = None
    samconfig_path: Path | None = None
    serverless_path: Path | None = None
    serverless_text: str | None = None
    params_path: Path | None = None
    params_text: str | None = None
    region: Setting[str] | None = None
    """The region the project deploys to, by its deploy tool's rule."""
    notes: list[str] = field(default_factory=list)
    """Warnings about what cannot be wired automatically."""
    crlf: set[Path] = field(default_factory=set)
    """Files with Windows line ends (kept on write)."""

    @property
    def is_project(self) -> bool:
        return self.framework is not None or self.answers is not None

    @property
    def secret_name(self) -> str | None:
        value = (self.answers or {}).get("secret_name")
        return str(value) if value else None

    @property
    def cache_name(self) -> str | None:
        value = (self.answers or {}).get("cache_name")
        return str(value) if value else None


@dataclass(frozen=True)
class PlannedWrite:
    path: Path
    text: str
    what: str
    """``samconfig.toml [default.deploy.parameters] parameter_overrides``..."""


def _read(path: Path, found: Project | None = None) -> str:
    """The file's text with ``\n`` line ends (CRLF files are remembered and written back as CRLF)."""
    with path.open(encoding="utf-8", newline="") as handle:
        raw = handle.read()
    if "\r\n" in raw and found is not None:
        found.crlf.add(path)
    return raw.replace("\r\n", "\n")


def _line_ends(found: Project, path: Path, text: str) -> str:
    return text.replace("\n", "\r\n") if path in found.crlf else text


def inspect_project(directory: Path, config_env: str = "default") -> Project:
    """Read and parse the project's files (no writes); raises on a broken file."""
    if not directory.is_dir():
        raise UsageError(f"--project-dir {directory} is not a folder.", code="usage.bad-project-dir")
    found = Project(directory=directory, answers=project.load_answers(directory))
    found.framework = project.detect_framework(directory)
    if found.framework == project.SAM:
        _inspect_sam(found, config_env)
    elif found.framework == project.SERVERLESS:
        _inspect_serverless(found)
    if found.framework is not None:
        # store-token writes params.default unless told a stage; the region is the default stage's.
        stage = None if found.framework == project.SERVERLESS and config_env == "default" else config_env
        found.region = deploy_region(directory, stage=stage)
    return found


def _inspect_sam(found: Project, config_env: str) -> None:
    directory = found.directory
    path = directory / samconfig.SAMCONFIG
    yaml_configs = [name for name in samconfig.SAMCONFIG_YAML if (directory / name).is_file()]
    if path.is_file():
        found.samconfig_path = path
        found.samconfig_text = _read(path, found)
        samconfig.parse(found.samconfig_text)  # fail early on a broken file
    elif yaml_configs:
        found.notes.append(
            f"{yaml_configs[0]} is not edited automatically: add {contract.SAM_PARAM_SECRET_ARN}=<the secret ARN> "
            f"to parameter_overrides under {config_env}.deploy.parameters."
        )
    else:
        found.samconfig_path = path  # created on write
    template = next((directory / n for n in ("template.yaml", "template.yml") if (directory / n).is_file()), None)
    if template is not None and contract.SAM_PARAM_SECRET_ARN not in _read(template):
        found.notes.append(
            f"{template.name} declares no {contract.SAM_PARAM_SECRET_ARN} parameter: the function will not get "
            f"the secret ARN until the template passes it as the {contract.ENV_SECRET_ARN} environment variable."
        )


def _inspect_serverless(found: Project) -> None:
    directory = found.directory
    path = next((directory / n for n in serverless_config.SERVERLESS_FILES if (directory / n).is_file()), None)
    if path is None:
        other = next((n for n in serverless_config.UNSUPPORTED_FILES if (directory / n).is_file()), None)
        if other:
            found.notes.append(
                f"{other} is not edited automatically: set params.default.{contract.SLS_PARAM_SECRET_ARN} "
                "to the secret ARN yourself."
            )
        return
    found.serverless_path = path
    found.serverless_text = _read(path, found)
    _, document = serverless_config.load(found.serverless_text, path.name)
    params_path = serverless_config.params_file(document, directory)
    if params_path is not None:
        found.params_path = params_path
        found.params_text = _read(params_path, found) if params_path.is_file() else ""
        serverless_config.load(found.params_text, params_path.name)
    if f"param:{contract.SLS_PARAM_SECRET_ARN}" not in found.serverless_text:
        found.notes.append(
            f"{path.name} does not use ${{param:{contract.SLS_PARAM_SECRET_ARN}}}: the function will not get the "
            f"secret ARN until it is passed as the {contract.ENV_SECRET_ARN} environment variable."
        )


def plan_writes(
    found: Project,
    *,
    secret_name: str,
    secret_arn: str | None,
    kms_key_arn: str | None,
    config_env: str = "default",
) -> tuple[list[PlannedWrite], list[str]]:
    """The files whose text changes (with their new text), and warnings to show."""
    arn = secret_arn or PLACEHOLDER_ARN
    writes: list[PlannedWrite] = []
    warnings: list[str] = []
    if found.samconfig_path is not None:
        values = {contract.SAM_PARAM_SECRET_ARN: arn}
        if kms_key_arn:
            values[contract.SAM_PARAM_KMS_KEY_ARN] = kms_key_arn
        text, places, skipped = samconfig.update_text(found.samconfig_text, values, config_env)
        for place in skipped:
            warnings.append(
                f"{samconfig.SAMCONFIG} {place} takes parameter_overrides from a file: add "
                + " ".join(f"{k}={v}" for k, v in values.items())
                + " to that file yourself."
            )
        if text != found.samconfig_text:
            writes.append(
                PlannedWrite(
                    found.samconfig_path,
                    _line_ends(found, found.samconfig_path, text),
                    f"{samconfig.SAMCONFIG} {', '.join(places)} parameter_overrides",
                )
            )
    if found.serverless_path is not None and found.serverless_text is not None:
        values = {contract.SLS_PARAM_SECRET_ARN: arn}
        if kms_key_arn:
            values[contract.SLS_PARAM_KMS_KEY_ARN] = kms_key_arn
        if found.params_path is not None:
            target, old = found.params_path, found.params_text or ""
            text = serverless_config.update_text(old, values, target.name, config_env, top=True)
            where = f"{config_env}:"
        else:
            target, old = found.serverless_path, found.serverless_text
            text = serverless_config.update_text(old, values, target.name, config_env)
            where = f"params.{config_env}"
            for stage in serverless_config.overriding_stages(
                old, contract.SLS_PARAM_SECRET_ARN, target.name, config_env
            ):
                warnings.append(
                    f"{target.name} sets params.{stage}.{contract.SLS_PARAM_SECRET_ARN} itself; stage {stage} "
                    f"keeps that value instead of the one written to params.{config_env}."
                )
        if text != old:
            writes.append(PlannedWrite(target, _line_ends(found, target, text), f"{target.name} {where}"))
    if found.answers is not None:
        answers = {k: v for k, v in found.answers.items() if k != "_tool_version"}
        updated = {**answers, "secret_name": secret_name, "secret_arn": arn}
        if kms_key_arn:
            updated["kms_key_arn"] = kms_key_arn
        if updated != answers:
            writes.append(
                PlannedWrite(
                    found.directory / project.ANSWERS_FILE,
                    json.dumps(updated, sort_keys=True),
                    f"{project.ANSWERS_FILE} secret_name, secret_arn" + (", kms_key_arn" if kms_key_arn else ""),
                )
            )
    return writes, warnings


def apply_writes(writes: list[PlannedWrite]) -> None:
    """Write every planned file atomically (the answers file through :func:`project.write_answers`)."""
    for write in writes:
        if write.path.name == project.ANSWERS_FILE:
            project.write_answers(write.path.parent, json.loads(write.text))
        else:
            project.atomic_write_text(write.path, write.text)
