"""The commands to run after `new`, for the chosen framework."""

from __future__ import annotations

from dataclasses import dataclass

from momento_lambda_cli import catalog
from momento_lambda_cli.scaffold.answers import Answers


@dataclass(frozen=True)
class Step:
    command: str
    why: str


def next_steps(answers: Answers, project_dir_shown: str) -> list[Step]:
    steps = [Step(f"cd {project_dir_shown}", "the new project")]
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
