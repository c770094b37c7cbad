"""Load the project in a folder, whichever framework it uses."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from momento_lambda_cli.errors import MomentoLambdaError
from momento_lambda_cli.project.answers import detect_framework
from momento_lambda_cli.project.model import ENV_REGION_VARS, Project, Setting, environment_region


def load_project(
    root: Path,
    *,
    stage: str | None = None,
    region: str | None = None,
    stack_name: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> Project:
    """The project in ``root`` as its deploy tool would deploy it.

    ``stage`` is the SAM config env (``--config-env``) or the Serverless stage (``--stage``);
    ``region`` and ``stack_name`` are the user's ``--region`` / ``--stack-name`` (they win, as
    they do for the deploy tools). Raises MomentoLambdaError when there is no project or its
    main file does not parse; every other oddity is a ``problems`` entry.
    """
    from momento_lambda_cli.project import handlers

    with handlers.memo():
        return _load(root, stage=stage, region=region, stack_name=stack_name, environ=environ)


def _load(
    root: Path,
    *,
    stage: str | None,
    region: str | None,
    stack_name: str | None,
    environ: Mapping[str, str] | None,
) -> Project:
    from momento_lambda_cli import frameworks

    environ = os.environ if environ is None else environ
    framework = detect_framework(root)
    if framework is None:
        require_folder(root)
        raise MomentoLambdaError(
            f"No SAM or Serverless project in {root}.",
            "Run the command in the project folder (template.yaml + samconfig.toml, or serverless.yml), "
            "or pass its path.",
            code="project.not-found",
        )
    project = frameworks.adapter(framework).load(
        root, stage=stage, region=region, stack_name=stack_name, environ=environ
    )
    project.region = with_environment_note(project.region, framework, environ)
    return project


def deploy_region(
    root: Path, *, stage: str | None = None, region: str | None = None, environ: Mapping[str, str] | None = None
) -> Setting[str] | None:
    """The region the project's deploy tool deploys to, reading only what that needs (samconfig
    for SAM, so a folder with samconfig.toml and no template still answers); ``None`` without a project."""
    from momento_lambda_cli import frameworks

    environ = os.environ if environ is None else environ
    framework = detect_framework(root)
    if framework is None:
        return None
    setting = frameworks.adapter(framework).deploy_region(root, stage=stage, region=region, environ=environ)
    return with_environment_note(setting, framework, environ)


def with_environment_note(setting: Setting[str], framework: str, environ: Mapping[str, str]) -> Setting[str]:
    """``setting`` with a note when the environment names another region that the deploy tool ignores."""
    from momento_lambda_cli import frameworks

    named = environment_region(environ)
    if setting.note or named is None or setting.source in ("--region", *ENV_REGION_VARS):
        return setting
    if setting.value is None or named.value == setting.value:
        return setting
    tool = frameworks.adapter(framework).deploy_tool
    note = (
        f"Using the project's region {setting.value} ({named.source} says {named.value}): "
        f"`{tool}` deploys there; pass --region to choose"
    )
    return Setting(setting.value, setting.source, note)


def require_folder(root: Path) -> None:
    """The one check of a project folder given on the command line (doctor, add, update,
    store-token --project-dir): the same message and exit code (1) from every command."""
    if not root.is_dir():
        raise MomentoLambdaError(
            f"No folder {root}." if not root.exists() else f"{root} is not a folder.",
            "Pass the project folder's path, or run the command inside the project folder.",
            code="project.not-found",
        )
