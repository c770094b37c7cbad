"""The commands to run after `new`, for the chosen framework."""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from momento_lambda_cli import catalog
from momento_lambda_cli.project.files import read_text
from momento_lambda_cli.scaffold.answers import Answers


@dataclass(frozen=True)
class Step:
    command: str
    why: str


def cdk_steps(answers: Answers, project_dir_shown: str) -> list[Step]:
    """A CDK app: the aws-cdk CLI and the app's libraries from the project, the secret by cdk.json
    context (`doctor` and `store-token` do not read CDK projects yet)."""
    steps = [Step(f"cd {shlex.quote(project_dir_shown)}", "the new project")]
    if answers.is_python:
        steps += [
            Step("python3 -m venv .venv && . .venv/bin/activate", "the CDK app's Python"),
            Step("pip install -r requirements-dev.txt", "aws-cdk-lib, the function's and the tests' libraries"),
            Step("npm install", "the aws-cdk CLI"),
            Step("pytest", "the function's and the stack's tests, offline"),
        ]
    else:
        steps += [
            Step("npm install", "aws-cdk, aws-cdk-lib, esbuild, TypeScript, @gomomento/sdk"),
            Step("npm test", "the function's and the stack's tests, offline"),
        ]
    where = "momentoSecretArn" if answers.secret_arn else "momentoSecretName"
    value = answers.secret_arn or answers.secret_name
    steps += [
        Step(
            "npx cdk synth",
            "offline: builds the function "
            + ("(pip for Lambda's platform, no Docker)" if answers.is_python else "(the project's esbuild, no Docker)"),
        ),
        Step("npx cdk bootstrap", "once per AWS account and region"),
        Step(
            f"npx cdk deploy -c {where}={shlex.quote(value)}",
            f"after storing the API key in {value}; or set {where} in cdk.json and run `npx cdk deploy`",
        ),
    ]
    return steps


def next_steps(answers: Answers, project_dir_shown: str) -> list[Step]:
    if answers.framework == catalog.CDK.name:
        return cdk_steps(answers, project_dir_shown)
    steps = [
        Step(f"cd {shlex.quote(project_dir_shown)}", "the new project"),
        Step("momento-lambda doctor --offline", "checks it now: no AWS account, key or Docker needed"),
    ]
    if answers.framework == "serverless":
        steps.append(Step("npm install", "serverless-python-requirements" if answers.is_python else "@gomomento/sdk"))
    if answers.secret_arn:
        steps.append(Step("momento-lambda store-token", "only if the secret does not hold the key yet"))
    else:
        where = (catalog.SAM if answers.framework == catalog.SAM.name else catalog.SERVERLESS).settings_file
        steps.append(
            Step("momento-lambda store-token", f"put the API key into {answers.secret_name}, its ARN into {where}")
        )
    if answers.framework == "sam":
        if answers.is_python:
            steps.append(Step("sam build", "builds in the Lambda image (use_container = true): needs Docker"))
        elif answers.language == catalog.TYPESCRIPT:
            # The SAM CLI's esbuild builder needs esbuild on PATH (it does not look in the
            # project's node_modules): `npm run build` runs `sam build` with node_modules/.bin on PATH.
            steps.append(Step("npm install", "esbuild, TypeScript, @gomomento/sdk"))
            steps.append(Step("npm run build", "sam build, with esbuild from node_modules/.bin"))
        else:
            steps.append(Step("sam build", "installs @gomomento/sdk into the build"))
        steps.append(Step("sam deploy --guided", "the first time; then `sam deploy`"))
    else:
        steps.append(
            Step(
                "serverless deploy",
                "needs Docker for dockerizePip (Serverless Framework v3/v4 or `npx osls deploy`)"
                if answers.is_python
                else "Serverless Framework v3/v4 or `npx osls deploy`",
            )
        )
    steps.append(Step("momento-lambda doctor", "checks the project, the build and the deployed stack"))
    return steps


def deploy_steps(framework: str | None, project_dir: Path, answers: dict[str, Any] | None) -> list[str]:
    """The commands that build and deploy an existing project (what `store-token` prints next).

    A SAM TypeScript project builds with esbuild from its own node_modules: ``npm install`` then
    ``npm run build`` (``sam build`` alone fails on a fresh clone), as `new` tells."""
    if framework == "serverless":
        return ["serverless deploy"]
    if framework != "sam":
        return []
    language = (answers or {}).get("language")
    if language == catalog.TYPESCRIPT or (language is None and _builds_with_npm(project_dir)):
        return ["npm install", "npm run build", "sam deploy"]
    return ["sam build", "sam deploy"]


def _builds_with_npm(project_dir: Path) -> bool:
    """A SAM project whose package.json ``build`` script runs ``sam build`` (esbuild from node_modules)."""
    try:
        text = read_text(project_dir / "package.json", project_dir, limit=1024 * 1024)
        document = json.loads(text) if text else None
    except Exception:  # an unreadable or broken package.json: the plain SAM steps
        return False
    scripts = document.get("scripts") if isinstance(document, dict) else None
    build = scripts.get("build") if isinstance(scripts, dict) else None
    return isinstance(build, str) and "sam build" in build
