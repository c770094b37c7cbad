"""Write the secret's ARN where the project's framework reads it.

* SAM: ``parameter_overrides`` in ``samconfig.toml``, else ``samconfig.yaml`` /
  ``samconfig.yml`` (the file the SAM CLI reads; ``MomentoSecretArn``, and
  ``MomentoKmsKeyArn`` when the secret uses a customer-managed KMS key).
* Serverless Framework: ``params: default:`` in ``serverless.yml`` (``momentoSecretArn``,
  ``momentoKmsKeyArn``), or the params file it points at.
* The answers file ``.momento-lambda.json`` (``secret_name``, ``secret_arn``, ``kms_key_arn``).

Every file is read and parsed by :func:`inspect_project` before anything is sent to AWS, so
a broken file stops the command before the secret changes; :func:`plan_writes` computes the
new texts (only files whose text changes) as text edits that touch no other byte;
:func:`apply_writes` applies each edit again to the file as it is then (so a concurrent
writer's change is kept) and writes every file or none through the one
:class:`~momento_lambda_cli.project.changeset.Changeset` (through a symlink to its target inside
the project). Outside a project nothing is written.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from momento_lambda_cli import catalog, contract, frameworks, project
from momento_lambda_cli.errors import MomentoLambdaError
from momento_lambda_cli.project import answers as answers_file
from momento_lambda_cli.project import edit, files, yamltext
from momento_lambda_cli.project.changeset import ChangedMeanwhile, Changeset
from momento_lambda_cli.project.load import deploy_region, require_folder
from momento_lambda_cli.project.model import Setting
from momento_lambda_cli.secrets import samconfig, serverless_config

PLACEHOLDER_ARN = "arn:aws:secretsmanager:REGION:ACCOUNT:secret:NEW-SECRET"
"""Stands in for the ARN of a secret a dry run would create (never written)."""


@dataclass
class ProjectFiles:
    """The files store-token may write the ARN into, read and parsed before anything is sent to AWS."""

    directory: Path
    framework: str | None = None
    answers: dict[str, Any] | None = None
    samconfig_text: str | None = None
    samconfig_path: Path | None = None
    """``samconfig.toml`` (created on write when missing), else the ``samconfig.yaml`` / ``.yml`` there is."""
    serverless_path: Path | None = None
    serverless_text: str | None = None
    params_path: Path | None = None
    params_text: str | None = None
    region: Setting[str] | None = None
    """The region the project deploys to, by its deploy tool's rule."""
    notes: list[str] = field(default_factory=list)
    """Warnings about what cannot be wired automatically."""
    crlf: set[Path] = field(default_factory=set)
    """Files with Windows line ends (the edits keep every line's end as it is)."""
    cdk: Any = None
    """An AWS CDK app's cdk.json as read (:class:`~momento_lambda_cli.secrets.cdk_context.CdkTarget`)."""
    project_secret_name: str | None = None
    """The secret the project's own settings name (CDK: cdk.json context), when no answers file does."""
    project_cache_name: str | None = None

    @property
    def is_project(self) -> bool:
        return self.framework is not None or self.answers is not None

    @property
    def secret_name(self) -> str | None:
        value = (self.answers or {}).get("secret_name")
        return str(value) if value else self.project_secret_name

    @property
    def cache_name(self) -> str | None:
        value = (self.answers or {}).get("cache_name")
        return str(value) if value else self.project_cache_name


@dataclass(frozen=True)
class PlannedWrite:
    path: Path
    text: str
    """The new text, computed from :attr:`old`."""
    what: str
    """``samconfig.toml [default.deploy.parameters] parameter_overrides``..."""
    old: str | None = None
    """The text the plan was made from (``None``: the file does not exist yet)."""
    edit: Callable[[str | None], str] | None = None
    """The same edit as a function of the file's text, re-applied to the file as it is when written."""
    root: Path | None = None
    """The project folder: a symlinked file is written through only to a target inside it."""
    manual: str = ""
    """What to add by hand when the write fails (the exact line, and where)."""


def _read(path: Path, found: ProjectFiles | None = None) -> str:
    """The file's exact text (line ends and BOM kept); files with Windows line ends are noted."""
    if found is not None:
        files.resolve_target(path, found.directory)  # a symlink out of the project stops us before AWS
    try:
        text = files.read_text(path, found.directory if found is not None else None)
    except files.NotText:
        raise MomentoLambdaError(
            f"{path.name} is not UTF-8 text (a binary file?); nothing was changed.",
            f"Restore {path.name} from version control, or move it away and run the command again.",
            code="project.not-text",
        ) from None
    except MomentoLambdaError as exc:
        raise MomentoLambdaError(f"{exc.message} Nothing was changed.", exc.hint, code=exc.code) from None
    if text is None:
        raise FileNotFoundError(path)
    if "\r\n" in text and found is not None:
        found.crlf.add(path)
    return text


def inspect_project(directory: Path, config_env: str = "default") -> ProjectFiles:
    """Read and parse the project's files (no writes); raises on a broken file."""
    require_folder(directory)
    project.refuse_unread(directory, "store-token")
    found = ProjectFiles(directory=directory, answers=project.load_answers(directory))
    found.framework = project.detect_framework(directory)
    if found.framework is not None:
        adapter = frameworks.adapter(found.framework)
        adapter.inspect_token_target(found, config_env)
        found.region = deploy_region(directory, stage=adapter.token_stage(config_env))
    return found


def inspect_sam(found: ProjectFiles, config_env: str) -> None:
    directory = found.directory
    path = directory / samconfig.SAMCONFIG
    yaml_path = next((directory / n for n in samconfig.SAMCONFIG_YAML if (directory / n).is_file()), None)
    if path.is_file():
        found.samconfig_path = path
        found.samconfig_text = _read(path, found)
        samconfig.parse(found.samconfig_text)  # fail early on a broken file
    elif yaml_path is not None:  # read by the SAM CLI only when there is no samconfig.toml
        found.samconfig_path = yaml_path
        found.samconfig_text = _read(yaml_path, found)
        yamltext.compose(found.samconfig_text, yaml_path.name)  # fail early on a broken file
    else:
        found.samconfig_path = path  # created on write
    template = next((directory / n for n in catalog.SAM.template_files if (directory / n).is_file()), None)
    if template is not None and contract.SAM_PARAM_SECRET_ARN not in _read(template, found):
        found.notes.append(
            f"{template.name} declares no {contract.SAM_PARAM_SECRET_ARN} parameter: the function will not get "
            f"the secret ARN until the template passes it as the {contract.ENV_SECRET_ARN} environment variable."
        )


def inspect_serverless(found: ProjectFiles) -> None:
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
    found: ProjectFiles,
    *,
    secret_name: str,
    secret_arn: str | None,
    kms_key_arn: str | None,
    config_env: str = "default",
    strict: bool = False,
) -> tuple[list[PlannedWrite], list[str]]:
    """The files whose text changes (with their new text), and warnings to show.

    ``strict``: a file whose shape the edit refuses is an error, not a warning (the check
    made before anything is sent to AWS)."""
    arn = secret_arn or PLACEHOLDER_ARN
    writes: list[PlannedWrite] = []
    warnings: list[str] = []
    if found.framework is not None:
        adapter = frameworks.adapter(found.framework)
        writes, warnings = adapter.plan_token_writes(found, arn, kms_key_arn, config_env, strict)
    root = found.directory
    if found.answers is not None:
        answers = {k: v for k, v in found.answers.items() if k != "_tool_version"}
        changes: dict[str, Any] = {"secret_name": secret_name, "secret_arn": arn}
        if kms_key_arn:
            changes["kms_key_arn"] = kms_key_arn
        if {**answers, **changes} != answers:
            path = found.directory / project.ANSWERS_FILE
            old_answers = files.read_text(path, found.directory)
            answers_edit = _answers_edit(changes)
            writes.append(
                PlannedWrite(
                    path,
                    answers_edit(old_answers),
                    f"{project.ANSWERS_FILE} secret_name, secret_arn" + (", kms_key_arn" if kms_key_arn else ""),
                    old=old_answers,
                    edit=answers_edit,
                    root=root,
                    manual=f"in {project.ANSWERS_FILE} set " + ", ".join(f'"{k}": "{v}"' for k, v in changes.items()),
                )
            )
    return writes, warnings


def plan_sam_writes(
    found: ProjectFiles, arn: str, kms_key_arn: str | None, config_env: str, strict: bool
) -> tuple[list[PlannedWrite], list[str]]:
    """SAM: ``parameter_overrides`` in the samconfig the SAM CLI reads."""
    writes: list[PlannedWrite] = []
    warnings: list[str] = []
    root = found.directory
    if found.samconfig_path is not None:
        name = found.samconfig_path.name
        values = {contract.SAM_PARAM_SECRET_ARN: arn}
        if kms_key_arn:
            values[contract.SAM_PARAM_KMS_KEY_ARN] = kms_key_arn
        table = (
            f"[{config_env}.deploy.parameters]" if name == samconfig.SAMCONFIG else f"{config_env}.deploy.parameters"
        )
        manual = f"in {name} {table}, add to parameter_overrides: " + " ".join(f'{k}="{v}"' for k, v in values.items())
        try:
            text, places, skipped = samconfig.update_text(found.samconfig_text, values, config_env, name)
        except edit.CannotEdit as exc:
            if strict or name == samconfig.SAMCONFIG:
                raise
            text, places, skipped = found.samconfig_text or "", [], []
            warnings.append(f"{exc.message} {manual[0].upper()}{manual[1:]}.")
        for place in skipped:
            warnings.append(
                f"{name} {place} takes parameter_overrides from a file: add "
                + " ".join(f"{k}={v}" for k, v in values.items())
                + " to that file yourself."
            )
        if text != found.samconfig_text:
            writes.append(
                PlannedWrite(
                    found.samconfig_path,
                    text,
                    f"{name} {', '.join(places)} parameter_overrides",
                    old=found.samconfig_text,
                    edit=_samconfig_edit(values, config_env, name),
                    root=root,
                    manual=manual,
                )
            )
    return writes, warnings


def plan_serverless_writes(
    found: ProjectFiles, arn: str, kms_key_arn: str | None, config_env: str, strict: bool
) -> tuple[list[PlannedWrite], list[str]]:
    """Serverless: ``params.<stage>`` in serverless.yml, or the params file it names."""
    writes: list[PlannedWrite] = []
    warnings: list[str] = []
    root = found.directory
    if found.serverless_path is not None and found.serverless_text is not None:
        values = {contract.SLS_PARAM_SECRET_ARN: arn}
        if kms_key_arn:
            values[contract.SLS_PARAM_KMS_KEY_ARN] = kms_key_arn
        top = found.params_path is not None
        if found.params_path is not None:
            target, old = found.params_path, found.params_text or ""
            where = f"{config_env}:"
        else:
            target, old = found.serverless_path, found.serverless_text
            where = f"params.{config_env}"
            for stage in serverless_config.overriding_stages(
                old, contract.SLS_PARAM_SECRET_ARN, target.name, config_env
            ):
                warnings.append(
                    f"{target.name} sets params.{stage}.{contract.SLS_PARAM_SECRET_ARN} itself; stage {stage} "
                    f"keeps that value instead of the one written to params.{config_env}."
                )
        serverless_edit = _serverless_edit(values, target.name, config_env, top)
        try:
            text = serverless_edit(old)
        except edit.CannotEdit as exc:
            if strict:
                raise
            warnings.append(f"{exc.message} Set {', '.join(f'{k}: {v}' for k, v in values.items())} yourself.")
        else:
            if text != old:
                writes.append(
                    PlannedWrite(
                        target,
                        text,
                        f"{target.name} {where}",
                        old=old if target.is_file() else None,
                        edit=serverless_edit,
                        root=root,
                        manual=f"in {target.name} under {where} add: "
                        + ", ".join(f"{k}: {v}" for k, v in values.items()),
                    )
                )
    return writes, warnings


def _samconfig_edit(values: dict[str, str], config_env: str, name: str) -> Callable[[str | None], str]:
    def apply(current: str | None) -> str:
        return samconfig.update_text(current, values, config_env, name)[0]

    return apply


def _serverless_edit(values: dict[str, str], source: str, stage: str, top: bool) -> Callable[[str | None], str]:
    def apply(current: str | None) -> str:
        return serverless_config.update_text(current or "", values, source, stage, top=top)

    return apply


def _answers_edit(changes: dict[str, Any]) -> Callable[[str | None], str]:
    def apply(current: str | None) -> str:
        document = json.loads(current.removeprefix("\ufeff")) if current else {}
        if not isinstance(document, dict):
            document = {}
        return answers_file.render_answers({**document, **changes}, like=current)

    return apply


def changeset(writes: list[PlannedWrite], root: Path) -> tuple[Changeset, list[str]]:
    """The writes as the one changeset, each edit applied to the file as it is now (so a change
    saved since :func:`inspect_project` read it, e.g. while the secret was stored, is kept);
    and a warning for each such file."""
    changes = Changeset(root, "store-token", code="store-token.changed-meanwhile")
    warnings: list[str] = []
    for write in writes:
        try:
            relative = write.path.relative_to(root).as_posix()
        except ValueError:
            relative = write.path.name
        if write.edit is None:
            changes.add(write.path, files.read_text(write.path, write.root), write.text, relative)
            continue
        current = files.read_text(files.resolve_target(write.path, write.root), write.root)
        changes.add(write.path, current, write.edit(current), relative)
        if current != write.old:
            warnings.append(
                f"{write.path.name} changed while this command ran; the edit was applied to its new content."
            )
    return changes, warnings


def apply_writes(writes: list[PlannedWrite], attempts: int = 3) -> list[str]:
    """Write every planned file or none (the one changeset, under the project lock); a file
    saved between reading and writing gets the edit again, up to ``attempts`` times. Returns
    warnings for files that changed since they were first read."""
    if not writes:
        return []
    root = writes[0].root or writes[0].path.parent
    for attempt in range(attempts):
        changes, warnings = changeset(writes, root)
        try:
            changes.apply()
        except ChangedMeanwhile:
            if attempt == attempts - 1:
                raise
            continue
        return warnings
    return []  # pragma: no cover (the loop returns or raises)


def preflight(found: ProjectFiles, config_env: str = "default") -> None:
    """Everything :func:`apply_writes` will need, checked before anything is sent to AWS:
    every edit applies (with a stand-in ARN) and every target is a writable file (or can be
    created in a writable folder). Raises MomentoLambdaError ("nothing was stored")."""
    try:
        writes, _ = plan_writes(
            found,
            secret_name=found.secret_name or contract.DEFAULT_SECRET_NAME,
            secret_arn=PLACEHOLDER_ARN,
            kms_key_arn=None,
            config_env=config_env,
            strict=True,
        )
    except edit.CannotEdit as exc:
        if exc.code != "project.not-a-mapping":
            return  # reported as a warning with the line to add, after the secret is stored
        raise MomentoLambdaError(
            exc.message.replace("nothing was changed", "nothing was stored or changed"),
            "Make it a mapping of stages (default: ...), or point params at a YAML mapping file.",
            code=exc.code,
        ) from None
    for write in writes:
        target = files.resolve_target(write.path, write.root)
        folder = target.parent
        problem = None
        if target.is_dir():
            problem = f"{target.name} is a folder, not a file"
        elif not folder.is_dir():
            problem = f"its folder {folder} does not exist"
        elif not os.access(folder, os.W_OK | os.X_OK):
            problem = f"its folder {folder} is not writable"
        elif target.exists() and not os.access(target, os.R_OK):
            problem = f"{target.name} is not readable"
        if problem:
            raise MomentoLambdaError(
                f"Cannot write {write.path.name} ({problem}); nothing was stored or changed.",
                "Fix that and run the command again, or use --dry-run to see what would be written.",
                code="project.not-writable",
            )
