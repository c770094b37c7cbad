"""Which secret, cache and KMS key a project names, and which functions use Momento: plain
functions over the project model, shared by the checks and the doctor's context."""

from __future__ import annotations

from pathlib import Path

from momento_lambda_cli import contract
from momento_lambda_cli.project.model import Function, Project

SECRET_ENV_NAMES = (contract.ENV_SECRET_ARN, "MOMENTO_SECRET_NAME", "MOMENTO_SECRET_ID")
PSEUDO_PLACEHOLDERS = ("${AWS::Region}", "${AWS::AccountId}", "${AWS::Partition}", "${AWS::URLSuffix}")
"""Unresolved CloudFormation pseudo parameters (compared as wildcards)."""

SKIP_DIRS = {".git", ".aws-sam", ".serverless", "node_modules", ".venv", "venv", "__pycache__", ".pytest_cache", ".tox"}
SOURCE_SUFFIXES = {".py", ".mjs", ".js", ".cjs", ".ts", ".mts"}
MAX_SOURCE_BYTES = 2_000_000


def _text(value: object) -> str | None:
    """A usable string setting (not empty, not a placeholder)."""
    return value if isinstance(value, str) and value.strip() and "${" not in value else None


def secret_ref(function: Function) -> str | None:
    """The secret a function reads, as its environment names it (may hold ``${...}`` placeholders)."""
    for name in SECRET_ENV_NAMES:
        value = function.environment.get(name)
        if isinstance(value, str) and value:
            return value
        if value is not None and str(value):
            return str(value)
    return None


def project_secret_id(project: Project) -> str | None:
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
        if found := _text(secret_ref(function)):
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


def uses_momento(function: Function) -> bool:
    """A MOMENTO_* variable in its environment, or ``momento`` in its code or its layers' code."""
    if any(str(k).startswith("MOMENTO_") for k in function.environment):
        return True
    return any(_mentions_momento(folder) for folder in function.code_dirs)


def momento_functions(functions: list[Function]) -> list[Function]:
    return [f for f in functions if uses_momento(f)]


def _mentions_momento(code_dir: Path) -> bool:
    for path in source_files(code_dir):
        try:
            with path.open("rb") as handle:
                text = handle.read(MAX_SOURCE_BYTES).decode("utf-8", "replace")
        except OSError:
            continue
        if "momento" in text.lower():
            return True
    return False


def source_files(code_dir: Path, max_depth: int = 3, limit: int = 2000) -> list[Path]:
    """A function's own source files (not dependencies, not tests' caches), a few levels deep;
    regular files only, at most ``limit``."""
    found: list[Path] = []

    def walk(folder: Path, depth: int) -> None:
        try:
            entries = sorted(folder.iterdir())
        except OSError:
            return
        for entry in entries:
            if len(found) >= limit:
                return
            if entry.is_symlink() and not entry.resolve().is_relative_to(code_dir.resolve()):
                continue
            if entry.is_dir():
                if depth < max_depth and entry.name not in SKIP_DIRS and not entry.name.endswith(".dist-info"):
                    walk(entry, depth + 1)
            elif entry.suffix in SOURCE_SUFFIXES and not entry.name.endswith(".d.ts") and entry.is_file():
                found.append(entry)

    walk(code_dir, 0)
    return found
