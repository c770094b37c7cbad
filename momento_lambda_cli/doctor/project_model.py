"""Read a SAM or Serverless project into one neutral model the checks share.

Works on any project, generated or not: the YAML loader accepts CloudFormation short
tags (``!Ref``, ``!Sub``, ``!GetAtt``, ``!If``...), SAM parameters are resolved from
``samconfig.toml`` ``parameter_overrides`` and their defaults, Serverless variables
(``${param:...}``, ``${self:...}``, ``${sls:stage}``, ``${opt:..., default}``) from
``params`` and the file itself. Whatever cannot be resolved stays a ``${Name}``
placeholder so that comparisons still work symbolically.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from momento_lambda_cli import contract, iam_policy
from momento_lambda_cli.errors import MomentoLambdaError
from momento_lambda_cli.project import SAM, SERVERLESS, detect_framework

PSEUDO_PLACEHOLDERS = ("${AWS::Region}", "${AWS::AccountId}", "${AWS::Partition}", "${AWS::URLSuffix}")
"""Unresolved CloudFormation pseudo parameters (compared as wildcards)."""


@dataclass
class FunctionSpec:
    """One Lambda function as the project describes it."""

    key: str
    """Logical id (SAM) or function key (Serverless)."""
    runtime: str | None
    architecture: str
    timeout: float
    memory: int
    handler: str | None
    code_dir: Path | None
    environment: dict[str, Any]
    statements: list[iam_policy.Statement] = field(default_factory=list)
    managed_policies: list[str] = field(default_factory=list)
    deployed_name: str | None = None
    """The function name when the project fixes it (Serverless: service-stage-key)."""
    environment_source: dict[str, Any] = field(default_factory=dict)
    """The environment before resolution (to tell references from literal values)."""

    @property
    def is_python(self) -> bool:
        return bool(self.runtime and self.runtime.startswith("python"))

    @property
    def is_node(self) -> bool:
        return bool(self.runtime and self.runtime.startswith("nodejs"))

    @property
    def secret_ref(self) -> str | None:
        for name in (contract.ENV_SECRET_ARN, "MOMENTO_SECRET_NAME", "MOMENTO_SECRET_ID"):
            value = self.environment.get(name)
            if isinstance(value, str) and value:
                return value
        return None

    @property
    def uses_momento(self) -> bool:
        return any(str(k).startswith("MOMENTO_") for k in self.environment) or _code_mentions_momento(self.code_dir)


@dataclass
class ProjectModel:
    framework: str
    root: Path
    template_path: Path
    template: dict[str, Any]
    functions: list[FunctionSpec]
    parameters: dict[str, Any]
    """Resolved parameter values (SAM Parameters or Serverless params)."""
    build: dict[str, Any]
    """Build settings: use_container, dockerize_pip, docker_image, pip_extra_args, makefile_platforms."""
    stack_name: str | None
    region: str | None
    answers: dict[str, Any] | None
    config_files: list[Path]
    """samconfig.toml and friends (scanned for keys)."""

    @property
    def kms_key_ref(self) -> str | None:
        for name in (contract.SAM_PARAM_KMS_KEY_ARN, contract.SLS_PARAM_KMS_KEY_ARN):
            value = self.parameters.get(name)
            if isinstance(value, str) and value.strip() and not value.startswith("${"):
                return value.strip()
        answer = (self.answers or {}).get("kms_key_arn")
        return str(answer) if answer else None

    @property
    def cache_name(self) -> str | None:
        for name in (contract.SAM_PARAM_CACHE_NAME, contract.SLS_PARAM_CACHE_NAME):
            value = self.parameters.get(name)
            if isinstance(value, str) and value and "${" not in value:
                return value
        for function in self.functions:
            value = function.environment.get(contract.ENV_CACHE_NAME)
            if isinstance(value, str) and value and "${" not in value:
                return value
        answer = (self.answers or {}).get("cache_name")
        return str(answer) if answer else None

    @property
    def secret_id(self) -> str | None:
        for name in (
            contract.SAM_PARAM_SECRET_ARN,
            contract.SLS_PARAM_SECRET_ARN,
            contract.SAM_PARAM_SECRET_NAME,
            contract.SLS_PARAM_SECRET_NAME,
        ):
            value = self.parameters.get(name)
            if isinstance(value, str) and value and "${" not in value:
                return value
        for function in self.functions:
            ref = function.secret_ref
            if ref and "${" not in ref:
                return ref
        answers = self.answers or {}
        value = answers.get("secret_arn") or answers.get("secret_name")
        return str(value) if value else None


# --- loading ------------------------------------------------------------------------------


def load_project(root: Path, *, config_env: str = "default") -> ProjectModel:
    """The project in ``root``; raises :class:`MomentoLambdaError` when there is none or it does not parse."""
    framework = detect_framework(root)
    if framework == SAM:
        from momento_lambda_cli.doctor.sam_project import load_sam

        return load_sam(root, config_env)
    if framework == SERVERLESS:
        from momento_lambda_cli.doctor.sls_project import load_serverless

        return load_serverless(root)
    raise MomentoLambdaError(
        f"No SAM or Serverless project in {root}.",
        "Run doctor in the project folder (with template.yaml + samconfig.toml, or serverless.yml), "
        "or pass its path: `momento-lambda doctor PATH`.",
        code="doctor.no-project",
    )


def _code_mentions_momento(code_dir: Path | None) -> bool:
    if code_dir is None or not code_dir.is_dir():
        return False
    for path in source_files(code_dir):
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        if "momento" in text.lower():
            return True
    return False


SKIP_DIRS = {".git", ".aws-sam", ".serverless", "node_modules", ".venv", "venv", "__pycache__", ".pytest_cache", ".tox"}
SOURCE_SUFFIXES = {".py", ".mjs", ".js", ".cjs", ".ts", ".mts"}


def source_files(code_dir: Path, max_depth: int = 3) -> list[Path]:
    """The function's own source files (not dependencies), a few levels deep."""
    found: list[Path] = []

    def walk(folder: Path, depth: int) -> None:
        try:
            entries = sorted(folder.iterdir())
        except OSError:
            return
        for entry in entries:
            if entry.is_dir():
                if depth < max_depth and entry.name not in SKIP_DIRS and not entry.name.endswith(".dist-info"):
                    walk(entry, depth + 1)
            elif entry.suffix in SOURCE_SUFFIXES and not entry.name.endswith(".d.ts"):
                found.append(entry)

    walk(code_dir, 0)
    return found
