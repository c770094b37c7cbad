"""Load the project in a folder, whichever framework it uses."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from momento_lambda_cli.errors import MomentoLambdaError
from momento_lambda_cli.project.answers import SAM, SERVERLESS, detect_framework
from momento_lambda_cli.project.model import Project


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
    framework = detect_framework(root)
    if framework == SAM:
        from momento_lambda_cli.project.sam import load_sam

        return load_sam(root, config_env=stage, region=region, stack_name=stack_name, environ=environ)
    if framework == SERVERLESS:
        from momento_lambda_cli.project.serverless import load_serverless

        project = load_serverless(root, stage=stage, region=region, environ=environ)
        if stack_name:
            from momento_lambda_cli.project.model import Setting

            project.stack_name = Setting(stack_name, "--stack-name")
        return project
    raise MomentoLambdaError(
        f"No SAM or Serverless project in {root}.",
        "Run the command in the project folder (template.yaml + samconfig.toml, or serverless.yml), or pass its path.",
        code="project.not-found",
    )
