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
        steps.append(
            Step("sam build", "builds in the Lambda image (use_container = true): needs Docker")
            if answers.is_python
            else Step("sam build", "installs @gomomento/sdk into the build")
        )
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
