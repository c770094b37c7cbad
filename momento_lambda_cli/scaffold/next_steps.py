"""The commands to run after `new`, for the chosen framework."""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from momento_lambda_cli import frameworks
from momento_lambda_cli.project.files import read_text
from momento_lambda_cli.scaffold.answers import Answers


@dataclass(frozen=True)
class Step:
    command: str
    why: str


def _unread_steps(answers: Answers, project_dir_shown: str) -> list[Step]:
    """A framework this tool does not fully read yet (CDK): its own setup and build steps (CDK's
    include `doctor --offline` after `cdk synth`), without `store-token` (the secret goes where its
    deploy tool reads it)."""
    adapter = frameworks.adapter(answers.framework)
    steps = [Step(f"cd {shlex.quote(project_dir_shown)}", "the new project")]
    steps += [Step(command, why) for command, why in adapter.new_setup_steps(answers)]
    if adapter.reads("store-token") and not answers.secret_arn:
        where = adapter.framework.settings_file
        steps.append(
            Step("momento-lambda store-token", f"put the API key into {answers.secret_name}, its ARN into {where}")
        )
    steps += [Step(command, why) for command, why in adapter.new_build_steps(answers)]
    return steps


def next_steps(answers: Answers, project_dir_shown: str) -> list[Step]:
    if not frameworks.adapter(answers.framework).reads_projects:
        return _unread_steps(answers, project_dir_shown)
    steps = [
        Step(f"cd {shlex.quote(project_dir_shown)}", "the new project"),
        Step("momento-lambda doctor --offline", "checks it now: no AWS account, key or Docker needed"),
    ]
    adapter = frameworks.adapter(answers.framework)
    steps += [Step(command, why) for command, why in adapter.new_setup_steps(answers)]
    if answers.secret_arn:
        steps.append(Step("momento-lambda store-token", "only if the secret does not hold the key yet"))
    else:
        where = adapter.framework.settings_file
        steps.append(
            Step("momento-lambda store-token", f"put the API key into {answers.secret_name}, its ARN into {where}")
        )
    steps += [Step(command, why) for command, why in adapter.new_build_steps(answers)]
    steps.append(Step("momento-lambda doctor", "checks the project, the build and the deployed stack"))
    return steps


def deploy_steps(framework: str | None, project_dir: Path, answers: dict[str, Any] | None) -> list[str]:
    """The commands that build and deploy an existing project (what `store-token` prints next)."""
    if framework is None:
        return []
    return frameworks.adapter(framework).deploy_steps(project_dir, answers)


def builds_with_npm(project_dir: Path) -> bool:
    """A SAM project whose package.json ``build`` script runs ``sam build`` (esbuild from node_modules)."""
    try:
        text = read_text(project_dir / "package.json", project_dir, limit=1024 * 1024)
        document = json.loads(text) if text else None
    except Exception:  # an unreadable or broken package.json: the plain SAM steps
        return False
    scripts = document.get("scripts") if isinstance(document, dict) else None
    build = scripts.get("build") if isinstance(scripts, dict) else None
    return isinstance(build, str) and "sam build" in build
