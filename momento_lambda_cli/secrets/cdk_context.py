"""`store-token` on an AWS CDK app: the secret's ARN goes into ``cdk.json``'s ``context``.

A `new --framework cdk` app reads ``momentoSecretArn`` (which wins over ``momentoSecretName``),
``momentoKmsKeyArn`` and ``region`` from its context (``infra/momentoStack.ts`` /
``infra/momento_stack.py``). The CDK CLI takes context from ``-c key=value`` first, then
``cdk.json``, then ``cdk.context.json``: ``cdk.json`` is the file a team commits, so the ARN is
written there, as a byte-minimal edit (:mod:`momento_lambda_cli.project.jsontext`).

``momentoSecretName`` is left as the user wrote it: while ``momentoSecretArn`` is set the stack
ignores it, and a name that differs from the stored secret's is reported, not rewritten.

An app whose code never reads ``momentoSecretArn`` (a CDK app this tool did not make) still
gets the context value, plus a warning with the exact lines to add to its stack: the stack's
code is never edited.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from momento_lambda_cli import catalog, contract
from momento_lambda_cli.errors import MomentoLambdaError, UsageError
from momento_lambda_cli.project import files, jsontext
from momento_lambda_cli.project.model import Setting, environment_region

if TYPE_CHECKING:
    from collections.abc import Mapping

    from momento_lambda_cli.secrets.wiring import PlannedWrite, ProjectFiles

CDK_JSON = catalog.CDK.template_file
CONTEXT = "context"
SOURCE_SUFFIXES = (".ts", ".mts", ".cts", ".js", ".mjs", ".cjs", ".py", ".java", ".cs", ".go")
SKIPPED_FOLDERS = frozenset({"node_modules", "cdk.out", ".git", ".venv", "venv", "__pycache__", ".aws-sam"})
MAX_SOURCES = 2000
"""Source files looked at for the context keys the app reads (a bigger tree: the rest is not read)."""
MAX_SOURCE_BYTES = 512 * 1024
MAX_CDK_JSON_BYTES = 1024 * 1024
"""A bigger cdk.json is refused (`cdk init`'s is ~5 kB; CloudFormation's own template limit is 1 MB)."""


@dataclass
class CdkTarget:
    """cdk.json as store-token read it, and which of our context keys the app's code reads."""

    path: Path
    text: str
    secret_name: str | None
    cache_name: str | None
    python: bool
    """The app command runs Python (the lines to add are shown in Python, else TypeScript)."""
    reads: set[str] = field(default_factory=set)


def _string(root: jsontext.Node, key: str) -> str | None:
    value = jsontext.get_string(root, [CONTEXT, key])
    return value.strip() or None if value is not None else None


def read_target(directory: Path, text: str) -> CdkTarget:
    """Parse cdk.json (raises on anything but plain JSON with an object ``context``) and look for
    the context keys in the app's code."""
    root = jsontext.parse(text, CDK_JSON)
    jsontext.set_strings(text, [CONTEXT], {contract.CDK_CONTEXT_SECRET_ARN: "arn"}, CDK_JSON)  # fails early
    app = jsontext.get_string(root, ["app"]) or ""
    return CdkTarget(
        path=directory / CDK_JSON,
        text=text,
        secret_name=_string(root, contract.CDK_CONTEXT_SECRET_NAME),
        cache_name=_string(root, "momentoCacheName"),
        python="python" in app,
        reads=_keys_read(directory, (contract.CDK_CONTEXT_SECRET_ARN, contract.CDK_CONTEXT_KMS_KEY_ARN)),
    )


def _keys_read(directory: Path, keys: tuple[str, ...]) -> set[str]:
    """Which of ``keys`` appear in the app's source files (quoted, as a context lookup names them)."""
    found: set[str] = set()
    seen = 0
    for folder, subfolders, names in os.walk(directory):
        subfolders[:] = sorted(d for d in subfolders if d not in SKIPPED_FOLDERS and not d.startswith("."))
        for name in sorted(names):
            if not name.endswith(SOURCE_SUFFIXES):
                continue
            seen += 1
            if seen > MAX_SOURCES:
                return found
            try:
                text = files.read_text(Path(folder) / name, directory, limit=MAX_SOURCE_BYTES) or ""
            except Exception:  # unreadable, too large, not text: not the stack
                text = ""
            found.update(k for k in keys if f"'{k}'" in text or f'"{k}"' in text or f"`{k}`" in text)
            if len(found) == len(keys):
                return found
    return found


def inspect(found: ProjectFiles, config_env: str) -> None:
    """store-token's reading of a CDK app (before anything is sent to AWS)."""
    from momento_lambda_cli.secrets.wiring import _read

    if config_env != "default":
        raise UsageError(
            f"--config-env / --stage {config_env}: an AWS CDK app has one context (cdk.json), not stages.",
            "Leave the option out; pass per-deploy values with `npx cdk deploy -c momentoSecretArn=...`.",
            code="usage.bad-config-env",
        )
    path = found.directory / CDK_JSON
    if not path.exists() and not path.is_symlink():
        raise MomentoLambdaError(
            f"{found.directory} is an AWS CDK project ({catalog.ANSWERS_FILE} says so) but has no {CDK_JSON}; "
            "nothing was stored or changed.",
            f"Restore {CDK_JSON} from version control (the CDK CLI reads the app and its context from it).",
            code="project.no-cdk-json",
        )
    files.read_bytes(path, found.directory, limit=MAX_CDK_JSON_BYTES)  # project.too-large before it is parsed
    target = read_target(found.directory, _read(path, found))
    found.cdk = target
    found.project_secret_name = target.secret_name
    found.project_cache_name = target.cache_name
    if contract.CDK_CONTEXT_SECRET_ARN not in target.reads:
        found.notes.append(missing_lines(target, contract.CDK_CONTEXT_SECRET_ARN))


def missing_lines(target: CdkTarget, key: str) -> str:
    """The warning for an app whose code does not read ``key``: the exact lines to add to its stack."""
    if target.python:
        if key == contract.CDK_CONTEXT_SECRET_ARN:
            lines = [
                "from aws_cdk import aws_secretsmanager as secretsmanager",
                'secret = secretsmanager.Secret.from_secret_complete_arn(self, "MomentoSecret", '
                f'self.node.get_context("{key}"))',
                "secret.grant_read(fn)",
                f'fn.add_environment("{contract.ENV_SECRET_ARN}", secret.secret_arn)',
            ]
        else:
            lines = [
                "from aws_cdk import aws_iam as iam",
                'fn.add_to_role_policy(iam.PolicyStatement(actions=["kms:Decrypt"], '
                f'resources=[self.node.get_context("{key}")]))',
            ]
        language = "Python"
    else:
        if key == contract.CDK_CONTEXT_SECRET_ARN:
            lines = [
                "import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';",
                "const secret = secretsmanager.Secret.fromSecretCompleteArn(this, 'MomentoSecret', "
                f"this.node.getContext('{key}'));",
                "secret.grantRead(fn);",
                f"fn.addEnvironment('{contract.ENV_SECRET_ARN}', secret.secretArn);",
            ]
        else:
            lines = [
                "import * as iam from 'aws-cdk-lib/aws-iam';",
                "fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['kms:Decrypt'], "
                f"resources: [this.node.getContext('{key}')] }}));",
            ]
        language = "TypeScript"
    what = "the secret ARN" if key == contract.CDK_CONTEXT_SECRET_ARN else "kms:Decrypt on the secret's key"
    return (
        f"The app's code does not read the context key {key} ({CDK_JSON} gets it, but the function will not "
        f"get {what}). Add to the stack ({language}; fn is the function; this tool does not edit code):"
        + "".join(f"\n    {line}" for line in lines)
    )


def _name_in(arn: str) -> str | None:
    """The secret's name in its ARN (``...:secret:NAME-AbCdEf``), or ``None``."""
    _, found, rest = arn.partition(":secret:")
    name, dash, suffix = rest.rpartition("-")
    return name if found and dash and len(suffix) == 6 else None


def plan(found: ProjectFiles, arn: str, kms_key_arn: str | None) -> tuple[list[PlannedWrite], list[str]]:
    """The cdk.json write (``context.momentoSecretArn``, and ``momentoKmsKeyArn`` with a KMS key),
    and warnings."""
    from momento_lambda_cli.secrets.wiring import PlannedWrite

    target = found.cdk
    if not isinstance(target, CdkTarget):
        return [], []
    values = {contract.CDK_CONTEXT_SECRET_ARN: arn}
    warnings: list[str] = []
    if kms_key_arn:
        values[contract.CDK_CONTEXT_KMS_KEY_ARN] = kms_key_arn
        if contract.CDK_CONTEXT_KMS_KEY_ARN not in target.reads:
            warnings.append(missing_lines(target, contract.CDK_CONTEXT_KMS_KEY_ARN))
    secret_name = _name_in(arn)
    if target.secret_name and secret_name and target.secret_name not in (secret_name, arn):
        warnings.append(
            f"{CDK_JSON} context.{contract.CDK_CONTEXT_SECRET_NAME} is {target.secret_name!r}, but the key was stored "
            f"in {secret_name!r}: the stack reads {contract.CDK_CONTEXT_SECRET_ARN} (that secret) and ignores the "
            f"name while the ARN is set; change or remove {contract.CDK_CONTEXT_SECRET_NAME} so they agree."
        )

    def edit(current: str | None) -> str:
        return jsontext.set_strings(current or "", [CONTEXT], values, CDK_JSON)

    text = edit(target.text)
    if text == target.text:
        return [], warnings
    keys = ", ".join(f"context.{k}" for k in values)
    return [
        PlannedWrite(
            target.path,
            text,
            f"{CDK_JSON} {keys}",
            old=target.text,
            edit=edit,
            root=found.directory,
            manual=f'in {CDK_JSON} under "{CONTEXT}" set ' + ", ".join(f'"{k}": "{v}"' for k, v in values.items()),
        )
    ], warnings


def region(root: Path, flag: str | None, environ: Mapping[str, str]) -> Setting[str]:
    """The region a `new --framework cdk` app deploys to: ``--region``, cdk.json
    ``context.region`` (the app passes it as the stack's env), else the CLI's (the environment,
    then the profile)."""
    if flag:
        return Setting(flag, "--region")
    try:
        text = files.read_text(root / CDK_JSON, root)
        configured = _string(jsontext.parse(text, CDK_JSON), contract.CDK_CONTEXT_REGION) if text else None
    except Exception:  # a broken cdk.json: store-token reports it; the region falls back
        configured = None
    if configured:
        return Setting(configured, f"{CDK_JSON} context.{contract.CDK_CONTEXT_REGION}")
    return environment_region(environ) or Setting(
        None, "the AWS profile's region", "no region in the project or the environment"
    )
