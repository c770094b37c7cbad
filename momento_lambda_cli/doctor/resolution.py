"""Which secret, cache and KMS key a project names, and which functions use Momento: plain
functions over the project model, shared by the checks and the doctor's context."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from momento_lambda_cli import contract
from momento_lambda_cli.project.model import Function, Project

if TYPE_CHECKING:
    from momento_lambda_cli.doctor.code_index import FunctionCode

SECRET_ENV_NAMES = (contract.ENV_SECRET_ARN, "MOMENTO_SECRET_NAME", "MOMENTO_SECRET_ID")
PSEUDO_PLACEHOLDERS = ("${AWS::Region}", "${AWS::AccountId}", "${AWS::Partition}", "${AWS::URLSuffix}")
"""Unresolved CloudFormation pseudo parameters (compared as wildcards)."""

SKIP_DIRS = {".git", ".aws-sam", ".serverless", "node_modules", ".venv", "venv", "__pycache__", ".pytest_cache", ".tox"}


def _text(value: object) -> str | None:
    """A usable string setting (not empty, not a placeholder)."""
    return value if isinstance(value, str) and value.strip() and "${" not in value else None


def secret_ref(function: Function, names: Sequence[str] = ()) -> str | None:
    """The secret a function reads, as its environment names it (may hold ``${...}`` placeholders):
    the variables in ``names`` (those its code reads the secret id from) first, then Momento's own."""
    for name in (*names, *SECRET_ENV_NAMES):
        value = function.environment.get(name)
        if isinstance(value, str) and value:
            return value
        if value is not None and str(value):
            return str(value)
    return None


def project_secret_id(project: Project, names: Sequence[str] = ()) -> str | None:
    """The secret the project names: its parameters, else its functions, else the answers file."""
    for name in (
        contract.SAM_PARAM_SECRET_ARN,
        contract.SLS_PARAM_SECRET_ARN,
        contract.SAM_PARAM_SECRET_NAME,
        contract.SLS_PARAM_SECRET_NAME,
    ):
        if found := _text(project.parameters.get(name)):
            return found
    for function in project.functions:
        if found := _text(secret_ref(function, names)):
            return found
    answers = project.answers or {}
    value = answers.get("secret_arn") or answers.get("secret_name")
    return str(value) if value else None


def project_cache_name(project: Project) -> str | None:
    for name in (contract.SAM_PARAM_CACHE_NAME, contract.SLS_PARAM_CACHE_NAME):
        if found := _text(project.parameters.get(name)):
            return found
    for function in project.functions:
        if found := _text(function.environment.get(contract.ENV_CACHE_NAME)):
            return found
    answer = (project.answers or {}).get("cache_name")
    return str(answer) if answer else None


def project_kms_key(project: Project) -> str | None:
    for name in (contract.SAM_PARAM_KMS_KEY_ARN, contract.SLS_PARAM_KMS_KEY_ARN):
        if found := _text(project.parameters.get(name)):
            return found.strip()
    answer = (project.answers or {}).get("kms_key_arn")
    return str(answer) if answer else None


def match_function(functions: list[Function], *, name: str, logical_id: str | None) -> Function | None:
    """The project function a deployed one was made from: by the stack's logical id (SAM:
    the same id; Serverless: ``<Key>LambdaFunction`` with the key's first letter upper-cased),
    by the name the project fixes, else the project's only function."""
    for function in functions:
        if logical_id and function.key == logical_id:
            return function
    for function in functions:
        if function.deployed_name and function.deployed_name == name:
            return function
    if logical_id:
        for function in functions:
            if (
                logical_id.lower()
                == f"{function.key}LambdaFunction".replace("-", "Dash").replace("_", "Underscore").lower()
            ):
                return function
    return functions[0] if len(functions) == 1 else None


def secret_env_names(codes: Sequence[FunctionCode]) -> list[str]:
    """The environment variables the functions' code passes to a secret read (``SECRET_ID``...)."""
    names: list[str] = []
    for code in codes:
        for facts in code.files:
            for read in facts.secret_reads:
                if read.env and read.env not in names:
                    names.append(read.env)
    return names
