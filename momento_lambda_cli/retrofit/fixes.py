"""`momento-lambda doctor --fix`: byte-minimal edits for the problems doctor's checks find.

:data:`FIXERS` maps a check id to the function that plans its fix on a loaded project, through
the same editors `add` uses (``project.yamltext``, :mod:`.tomltext`, ``project.edit``) into one
:class:`~.plan.PlannedFiles`. A fixer changes nothing when there is nothing it can fix; a fix
that cannot be made safely is refused (the other fixes still apply). Checks whose fix is not
mechanical get the exact steps instead (:data:`STEPS`, else the check's own hint).

Some fixers detect their problem themselves (:data:`SELF_DETECTING`): they also run when their
check is not among doctor's checks. Planning reads only; :func:`apply_fixes` writes every file
or none.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from momento_lambda_cli import catalog, contract, iam_policy
from momento_lambda_cli.doctor.code_index import CodeIndex
from momento_lambda_cli.doctor.model import Check, FixRef, Outcome, Status
from momento_lambda_cli.doctor.resolution import project_kms_key, secret_ref
from momento_lambda_cli.errors import MomentoLambdaError
from momento_lambda_cli.frameworks import adapter_for
from momento_lambda_cli.project import ANSWERS_FILE, edit, esbuild, samconfigyaml, yamltext
from momento_lambda_cli.project import samconfig as samconfig_files
from momento_lambda_cli.project.changeset import Changeset
from momento_lambda_cli.project.model import Function, Project
from momento_lambda_cli.project.parse import read_head
from momento_lambda_cli.project.values import Unresolved
from momento_lambda_cli.retrofit import snippets, tomltext
from momento_lambda_cli.retrofit.plan import (
    FileChange,
    PlannedFiles,
    add_banner,
    raise_timeout,
    sls_python_build,
    yaml_edit,
)
from momento_lambda_cli.retrofit.shapes import mapping as _mapping
from momento_lambda_cli.retrofit.typescript import missing_banner
from momento_lambda_cli.secrets import samconfig

READ_ACTION = "secretsmanager:GetSecretValue"
DECRYPT_ACTION = "kms:Decrypt"
FIX_READ_SID = "ReadMomentoSecret"
"""The Sid of a read statement a fix adds where the file already has a ``ReadMomentoApiKey``."""
FIX_DECRYPT_SID = "DecryptMomentoSecret"

SECRETS_MANAGER_ACTIONS = {
    f"secretsmanager:{a}".lower()
    for a in [
        "BatchGetSecretValue",
        "CancelRotateSecret",
        "CreateSecret",
        "DeleteResourcePolicy",
        "DeleteSecret",
        "DescribeSecret",
        "GetRandomPassword",
        "GetResourcePolicy",
        "GetSecretValue",
        "ListSecretVersionIds",
        "ListSecrets",
        "PutResourcePolicy",
        "PutSecretValue",
        "RemoveRegionsFromReplication",
        "ReplicateSecretToRegions",
        "RestoreSecret",
        "RotateSecret",
        "StopReplicationToReplica",
        "TagResource",
        "UntagResource",
        "UpdateSecret",
        "UpdateSecretVersionStage",
        "ValidateResourcePolicy",
    ]
}
"""Real actions: never taken for a misspelling of GetSecretValue."""
KMS_ACTIONS = {
    f"kms:{a}".lower()
    for a in [
        "Decrypt",
        "Encrypt",
        "GenerateDataKey",
        "GenerateDataKeyPair",
        "GenerateDataKeyPairWithoutPlaintext",
        "GenerateDataKeyWithoutPlaintext",
        "GenerateMac",
        "GenerateRandom",
        "ReEncryptFrom",
        "ReEncryptTo",
        "DescribeKey",
        "Sign",
        "Verify",
        "VerifyMac",
        "GetPublicKey",
        "CreateGrant",
    ]
}
MISSPELLING_RATIO = 0.88
RUNTIME_MARGIN = timedelta(days=90)
"""A replacement runtime stays supported at least this long (project.runtime warns inside it)."""
TODAY = date.today


# --- results ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fix:
    """One check's fix: what it changes, in words."""

    check_id: str
    actions: list[str]


@dataclass(frozen=True)
class ManualFix:
    """A problem the tool does not edit: the steps to fix it by hand."""

    check_id: str
    message: str
    steps: list[str]


@dataclass
class FixPlan:
    root: Path
    changes: list[FileChange]
    fixes: list[Fix]
    manual: list[ManualFix] = field(default_factory=list)
    refused: list[ManualFix] = field(default_factory=list)
    """Fixes that could not be made safely (why, and what to do instead)."""

    @property
    def changed(self) -> bool:
        return bool(self.changes)

    def diff(self) -> str:
        return "".join(c.diff() for c in self.changes)

    def to_dict(self) -> dict[str, Any]:
        return {
            "fixes": [{"check": f.check_id, "actions": f.actions} for f in self.fixes],
            "changed_files": [c.relative for c in self.changes],
            "manual": [{"check": m.check_id, "message": m.message, "steps": m.steps} for m in self.manual],
            "refused": [{"check": m.check_id, "message": m.message, "steps": m.steps} for m in self.refused],
        }


@dataclass
class FixContext:
    project: Project
    files: PlannedFiles
    outcome: Outcome | None
    """The check's outcome; ``None`` when the fixer runs on its own detection."""
    code: CodeIndex
    """The plan's source-file facts, shared by every fixer (each file is parsed once)."""
    refused: list[tuple[str, list[str]]] = field(default_factory=list)
    """Parts of the fix not made, why and what to do instead (the rest is still fixed)."""

    def momento_functions(self) -> list[Function]:
        """The functions whose code uses the Momento SDK, judged as doctor judges them."""
        return [f for f in self.project.functions if self.code.function(f).uses_momento]

    @property
    def source(self) -> str:
        return self.project.config_path.name

    @property
    def path(self) -> Path:
        return self.project.config_path

    def text(self) -> str:
        return self.files.text(self.path) or ""


Fixer = Callable[[FixContext], list[str]]


# --- helpers ----------------------------------------------------------------------------------


def _spec(project: Project, function: Function) -> dict[str, Any]:
    return adapter_for(project).function_spec(project, function)


def _walk(node: Any) -> Any:
    """Every node under ``node`` (mappings, sequences, scalars), depth first."""
    stack, seen = [node], set()
    while stack:
        current = stack.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        value = getattr(current, "value", None) or []
        if current.id == "mapping":
            for key, item in value:
                stack.extend([key, item])
        elif current.id == "sequence":
            stack.extend(value)


def _misspelt(value: str, wanted: str, known: set[str]) -> bool:
    lower, target = value.lower(), wanted.lower()
    if lower == target or lower in known or "*" in lower or lower.split(":")[0] != target.split(":")[0]:
        return False
    return difflib.SequenceMatcher(None, lower, target).ratio() >= MISSPELLING_RATIO


def _repair_actions(ctx: FixContext, wanted: str, sid: str, known: set[str]) -> list[str]:
    """Rewrite statements meant to grant ``wanted`` that grant something else: an action
    misspelling ``wanted``, or the one action of the statement named ``sid``."""
    text = ctx.text()
    root = yamltext.compose(text, ctx.source)
    replacements: list[tuple[Any, str]] = []
    actions: list[str] = []
    for node in _walk(root):
        if node.id != "mapping":
            continue
        pairs = {getattr(k, "value", None): v for k, v in node.value}
        action = pairs.get("Action")
        if action is None:
            continue
        scalars = [action] if action.id == "scalar" else [i for i in action.value if i.id == "scalar"]
        values = [str(s.value).lower() for s in scalars]
        if wanted.lower() in values or any(v in ("*", wanted.split(":")[0].lower() + ":*") for v in values):
            continue
        typos = [s for s in scalars if _misspelt(str(s.value), wanted, known)]
        sid_node = pairs.get("Sid")
        ours = sid_node is not None and getattr(sid_node, "value", None) == sid and action.id == "scalar"
        for scalar in typos or ([action] if ours else []):
            replacements.append((scalar, wanted))
            actions.append(f"line {scalar.start_mark.line + 1}: Action {scalar.value} -> {wanted}")
    if replacements:
        yaml_edit(ctx.files, ctx.path, lambda t: yamltext.replace_scalar_nodes(t, replacements, source=ctx.source))
    return [f"{ctx.source} {a}" for a in actions]


def _allowed(function: Function, action: str, resource: str) -> bool:
    statements = [s.with_resources(lambda r: r.replace("${AWS::", "*${AWS::")) for s in function.statements]
    return (
        iam_policy.evaluate(statements, action, resource).allowed
        or iam_policy.evaluate(function.statements, action, resource).allowed
    )


def _has_condition(project: Project, name: str) -> bool:
    return name in adapter_for(project).cfn_section(project, "Conditions")


def _sid(ctx: FixContext, preferred: str, fallback: str) -> str:
    return fallback if preferred in ctx.text() else preferred


def _grant(ctx: FixContext, function: Function, statements: list[list[str]], sid: str, prefix: str) -> None:
    """Add ``statements`` (lists of lines, the first without its dash) to the function's role."""
    adapter_for(ctx.project).plan_grant(ctx.project, function, ctx.files, ctx.source, statements, sid, prefix)


# --- iam.secret-access ------------------------------------------------------------------------


def _secret_statement(ctx: FixContext, function: Function, sid: str) -> list[str] | None:
    """The read statement for the secret the function's environment names, written the way
    that environment refers to it (``None``: a shape this fix does not know)."""
    name = next(
        (
            n
            for n in ("MOMENTO_SECRET_ARN", "MOMENTO_SECRET_NAME", "MOMENTO_SECRET_ID")
            if n in function.environment_source
        ),
        None,
    )
    if name is None:
        return None
    source = function.environment_source[name]
    resolved = function.environment.get(name)
    head = [f"Sid: {sid}", "Effect: Allow", f"Action: {READ_ACTION}"]
    generated = isinstance(source, dict) and "Fn::If" in source and snippets.CONDITION_ARN in json.dumps(source)
    return adapter_for(ctx.project).secret_statement(ctx, source, resolved, head, sid, generated)


def sam_secret_statement(
    ctx: FixContext, source: Any, resolved: Any, head: list[str], sid: str, generated: bool
) -> list[str] | None:
    """SAM: the generated template's statement, or one on the parameter / name the environment uses."""
    is_arn = isinstance(resolved, str) and resolved.startswith("arn:")
    if generated and _has_condition(ctx.project, snippets.CONDITION_ARN):
        statement = snippets.SAM_STATEMENTS[: snippets.SAM_STATEMENTS.index("- !If")]
        return [f"Sid: {sid}", *[line[2:] for line in statement[1:]]]
    if isinstance(source, dict) and isinstance(source.get("Ref"), str):
        ref = source["Ref"]
        if is_arn or isinstance(resolved, Unresolved):
            return [*head, f"Resource: !Ref {ref}"]
        return [*head, f'Resource: !Sub "{_arn_pattern("${" + ref + "}")}"']
    if isinstance(source, str) and "${" not in source:
        return [
            *head,
            f"Resource: {edit.yaml_scalar(source, chr(34))}" if is_arn else f'Resource: !Sub "{_arn_pattern(source)}"',
        ]
    return None


def sls_secret_statement(
    ctx: FixContext, source: Any, resolved: Any, head: list[str], sid: str, generated: bool
) -> list[str] | None:
    """Serverless: the generated service's statement, or one on the ARN / name the environment uses."""
    is_arn = isinstance(resolved, str) and resolved.startswith("arn:")
    if generated and _has_condition(ctx.project, snippets.CONDITION_ARN):
        return [f"Sid: {sid}", *snippets.sls_read_statement()[1:]]
    if isinstance(source, str):
        if is_arn:
            return [*head, f"Resource: {json.dumps(source)}"]
        if isinstance(resolved, str) and resolved:
            return [
                *head,
                "Resource:",
                "  Fn::Join:",
                '    - ":"',
                "    - - arn",
                "      - Ref: AWS::Partition",
                "      - secretsmanager",
                "      - Ref: AWS::Region",
                "      - Ref: AWS::AccountId",
                "      - secret",
                f"      - {json.dumps(source + '-??????')}",
            ]
    return None


def _arn_pattern(name: str) -> str:
    return "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:" + name + "-??????"


def _reads_secret(function: Function) -> bool:
    ref = secret_ref(function)
    if ref is None:
        return True  # nothing to grant against: not this fix's business
    if ref.startswith("arn:") or "${" in ref:
        return _allowed(function, READ_ACTION, ref)
    return _allowed(function, READ_ACTION, f"arn:aws:secretsmanager:*:*:secret:{ref}-AbCdEf")


def fix_secret_access(ctx: FixContext) -> list[str]:
    actions = _repair_actions(ctx, READ_ACTION, snippets.READ_SID, SECRETS_MANAGER_ACTIONS)
    if actions:
        return actions
    for function in ctx.momento_functions():
        if _reads_secret(function):
            continue
        sid = _sid(ctx, snippets.READ_SID, FIX_READ_SID)
        statement = _secret_statement(ctx, function, sid)
        if statement is None:
            continue
        before = ctx.text()
        _grant(ctx, function, [statement], sid, "MomentoSecretRead")
        if ctx.text() != before:
            actions.append(f"{function.key}: {READ_ACTION} on the secret its environment names")
    return actions


# --- iam.kms-decrypt --------------------------------------------------------------------------


def fix_kms_decrypt(ctx: FixContext) -> list[str]:
    actions = _repair_actions(ctx, DECRYPT_ACTION, snippets.DECRYPT_SID, KMS_ACTIONS)
    if actions:
        return actions
    project = ctx.project
    key = project_kms_key(project)
    if not key:
        return []
    sid = _sid(ctx, snippets.DECRYPT_SID, FIX_DECRYPT_SID)
    resource = adapter_for(project).kms_resource(project, key)
    statement = [f"Sid: {sid}", "Effect: Allow", f"Action: {DECRYPT_ACTION}", f"Resource: {resource}"]
    for function in ctx.momento_functions():
        if _allowed(function, DECRYPT_ACTION, key):
            continue
        before = ctx.text()
        _grant(ctx, function, [statement], sid, "MomentoKmsDecrypt")
        if ctx.text() != before:
            actions.append(f"{function.key}: {DECRYPT_ACTION} on {key}")
    return actions


# --- project.build-method ---------------------------------------------------------------------


def fix_build_method(ctx: FixContext) -> list[str]:
    project = ctx.project
    python = [f for f in project.functions if f.is_python]
    if not python:
        return _fix_answers_architecture(ctx, python)
    return adapter_for(project).fix_build_method(ctx)


def sam_fix_build_method(ctx: FixContext) -> list[str]:
    """SAM: ``use_container`` in the samconfig (unless a Makefile builds for Lambda already)."""
    project = ctx.project
    python = [f for f in project.functions if f.is_python]
    actions: list[str] = []
    if not project.build.use_container and not project.build.makefile_platforms:
        env = project.stage.value if isinstance(project.stage.value, str) else samconfig_files.DEFAULT_ENV
        found = samconfig_files.find(project.root)
        if found is not None and found.suffix != ".toml":
            before = ctx.files.text(found)
            ctx.files.edit(found, lambda t: samconfigyaml.set_use_container(t or "", env, source=found.name))
            if ctx.files.text(found) != before:
                actions.append(f"{found.name}: use_container: true under {env}.build.parameters")
            return actions
        config = project.root / samconfig.SAMCONFIG
        before = ctx.files.text(config)
        ctx.files.edit(
            config,
            lambda t: tomltext.set_value(
                t, (env, "build", "parameters"), "use_container", "true", source=samconfig.SAMCONFIG
            ),
        )
        if ctx.files.text(config) != before:
            actions.append(f"{samconfig.SAMCONFIG}: use_container = true under [{env}.build.parameters]")
    actions.extend(_fix_answers_architecture(ctx, python))
    return actions


def sls_fix_build_method(ctx: FixContext) -> list[str]:
    """Serverless: serverless-python-requirements with dockerizePip (unless pip builds for Lambda already)."""
    project = ctx.project
    python = [f for f in project.functions if f.is_python]
    actions: list[str] = []
    dockerize = project.build.dockerize_pip
    platform = re.search(r"--platform", " ".join(project.build.pip_extra_args or []))
    plugin = "serverless-python-requirements" in (project.build.plugins or [])
    if not plugin or not (platform or dockerize is True or str(dockerize).lower() in ("true", "non-linux")):
        manifest = project.root / "package.json"
        texts = (ctx.files.text(ctx.path), ctx.files.text(manifest))
        sls_python_build(project, ctx.files, ctx.source, [], repair=True)
        if ctx.files.text(ctx.path) != texts[0]:
            actions.append(f"{ctx.source}: serverless-python-requirements with dockerizePip: true")
        if ctx.files.text(manifest) != texts[1]:
            actions.append("package.json: serverless-python-requirements in devDependencies")
    actions.extend(_fix_answers_architecture(ctx, python))
    return actions


def _fix_answers_architecture(ctx: FixContext, python: list[Function]) -> list[str]:
    """The answers file's architecture follows the template's (when all functions agree)."""
    answers = ctx.project.answers or {}
    recorded = answers.get("architecture")
    arches = {
        str(f.architecture) for f in (python or ctx.project.functions) if not isinstance(f.architecture, Unresolved)
    }
    if not recorded or len(arches) != 1 or recorded in arches:
        return []
    (actual,) = arches
    path = ctx.project.root / ANSWERS_FILE

    def change(text: str | None) -> str:
        assert text is not None
        pattern = re.compile(r'("architecture"\s*:\s*)"' + re.escape(str(recorded)) + '"')
        new, count = pattern.subn(lambda m: m.group(1) + json.dumps(actual), text, count=1)
        if count != 1 or json.loads(new.lstrip("\ufeff")).get("architecture") != actual:
            raise MomentoLambdaError(
                f"Could not set the architecture in {ANSWERS_FILE}.",
                f'Set "architecture": "{actual}" in {ANSWERS_FILE} yourself.',
                code="fix.answers",
            )
        return new

    ctx.files.edit(path, change)
    return [f"{ANSWERS_FILE}: architecture {recorded} -> {actual} (what the template deploys)"]


# --- serverless-python-requirements options ---------------------------------------------------

REQUIREMENTS = ["custom", "pythonRequirements"]


def _set_requirements_option(ctx: FixContext, key: str, raw: str) -> None:
    text = ctx.text()
    if yamltext.node_at(text, [*REQUIREMENTS, key], ctx.source) is not None:
        yaml_edit(
            ctx.files, ctx.path, lambda t: yamltext.replace_scalar(t, [*REQUIREMENTS, key], raw, source=ctx.source)
        )
    else:
        yaml_edit(ctx.files, ctx.path, lambda t: yamltext.set_block(t, REQUIREMENTS, key, raw, source=ctx.source))


def _option(project: Project, key: str) -> Any:
    return _mapping(_mapping(project.document.get("custom")).get("pythonRequirements")).get(key)


def _true(value: Any) -> bool:
    return value is True or str(value).lower() == "true"


def fix_slim_strip(ctx: FixContext) -> list[str]:
    project = ctx.project
    if not adapter_for(project).has_plugins or not any(f.is_python for f in project.functions):
        return []
    strip = _option(project, "strip")
    if not _true(_option(project, "slim")) or strip is False or str(strip).lower() == "false":
        return []
    _set_requirements_option(ctx, "strip", "false")
    return [f"{ctx.source}: custom.pythonRequirements.strip: false (slim keeps grpcio's .so files intact)"]


def fix_static_cache(ctx: FixContext) -> list[str]:
    project = ctx.project
    python = {f.runtime_name for f in project.functions if f.is_python}
    if not adapter_for(project).has_plugins or not python:
        return []
    value = _option(project, "useStaticCache")
    if value is False or str(value).lower() == "false":
        return []
    if ctx.outcome is None and len(python) < 2:
        return []  # on its own detection: only where this project's runtimes would share one cache
    _set_requirements_option(ctx, "useStaticCache", "false")
    return [f"{ctx.source}: custom.pythonRequirements.useStaticCache: false (the cache ignores the Python version)"]


# --- project.timeout / project.no-local-override / project.runtime ----------------------------


def fix_timeout(ctx: FixContext) -> list[str]:
    """Raise the timeouts of the functions the check reports (the Momento ones); the shared
    setting (``Globals.Function.Timeout`` / ``provider.timeout``) only when every function that
    inherits it is one of them, else each gets its own: nothing changes that is not reported."""
    project = ctx.project
    notes: list[str] = []
    targets = ctx.momento_functions() or project.functions
    key = adapter_for(project).timeout_key
    chosen = {f.key for f in targets}
    inheritors = {f.key for f in project.functions if key not in _spec(project, f)}
    shared = inheritors <= chosen
    for function in targets:
        raise_timeout(project, function, _spec(project, function), ctx.files, ctx.source, notes, shared=shared)
    return notes


def _environment_paths(project: Project, function: Function) -> list[list[str]]:
    return adapter_for(project).environment_paths(function.key)


def fix_local_override(ctx: FixContext) -> list[str]:
    actions: list[str] = []
    name = contract.ENV_LOCAL_OVERRIDE
    for function in ctx.project.functions:
        if not function.environment.get(name):
            continue
        for path in _environment_paths(ctx.project, function):
            before = ctx.text()
            yaml_edit(ctx.files, ctx.path, lambda t: yamltext.remove_key(t, path, name, source=ctx.source))  # noqa: B023
            if ctx.text() != before:
                actions.append(f"{ctx.source}: {name} removed from {'.'.join(path)}")
    return actions


def replacement_runtime(name: str) -> str | None:
    """The runtime ``project.runtime`` advises for ``name`` (``None``: none lasts)."""
    from momento_lambda_cli.doctor import lifecycle

    return lifecycle.replacement(name, TODAY())


AWS_SDK_V2 = re.compile(r"""(?:require\s*\(\s*|from\s+|import\s+)['"]aws-sdk(?:/[^'"]*)?['"]""")
"""A use of the AWS SDK for JavaScript v2 (``require('aws-sdk')``, ``import ... from 'aws-sdk/clients/s3'``)."""
NODE_WITHOUT_SDK_V2 = 18
"""From nodejs18.x on, Lambda's Node.js runtimes include only the AWS SDK v3."""


def _node_major(name: str) -> int | None:
    match = re.fullmatch(r"nodejs(\d+)\.x", name)
    return int(match.group(1)) if match else None


def _bundles_sdk_v2(ctx: FixContext, function: Function) -> bool:
    """The function's package.json (its code folder's, else the project's) depends on aws-sdk."""
    for folder in [function.code_dir, ctx.project.root]:
        if folder is None:
            continue
        manifest = folder / "package.json"
        try:
            document = json.loads(read_head(manifest, 1_000_000, ctx.project.root) or b"{}")
        except ValueError:
            continue
        if isinstance(document, dict) and "aws-sdk" in _mapping(document.get("dependencies")):
            return True
        if manifest.is_file():
            return False
    return False


def _uses_sdk_v2(ctx: FixContext, function: Function) -> str | None:
    """The first file (relative) of the function's code that uses the AWS SDK v2."""
    for facts in ctx.code.function(function).files:
        data = read_head(facts.path, 1_000_000, ctx.project.root)
        if data is not None and AWS_SDK_V2.search(data.decode("utf-8", "replace")):
            return (
                facts.path.relative_to(ctx.project.root).as_posix()
                if facts.path.is_relative_to(ctx.project.root)
                else facts.path.name
            )
    return None


def fix_runtime(ctx: FixContext) -> list[str]:
    """Move each function past its runtime's deprecation to the runtime the check advised; a
    Node.js function whose code uses the AWS SDK v2 without bundling it is not moved to nodejs18.x+
    (those runtimes do not include it), nor is a shared setting it inherits."""
    project = ctx.project
    horizon = TODAY() + RUNTIME_MARGIN
    actions: list[str] = []
    adapter = adapter_for(project)
    key = adapter.runtime_key
    inherited = adapter.inherited_path()
    shared = [*inherited, key] if inherited is not None else None
    moves: dict[str, tuple[str, str]] = {}
    stuck: set[str] = set()
    for function in project.functions:
        current = catalog.runtime(function.runtime_name)
        if current is None or current.deprecated > horizon:
            continue
        new = replacement_runtime(current.name)
        if new is None:
            continue
        old_major, new_major = _node_major(current.name), _node_major(new)
        if old_major is not None and new_major is not None and old_major < NODE_WITHOUT_SDK_V2 <= new_major:
            user = _uses_sdk_v2(ctx, function)
            if user is not None and not _bundles_sdk_v2(ctx, function):
                stuck.add(function.key)
                ctx.refused.append(
                    (
                        f"{function.key}: not moved from {current.name} to {new}: {user} uses the AWS SDK v2 "
                        f"(aws-sdk), which nodejs{NODE_WITHOUT_SDK_V2}.x and later do not include",
                        [
                            "Move the code to the AWS SDK v3 (@aws-sdk/client-*), or add aws-sdk to the "
                            "function's package.json dependencies so it is bundled; then run --fix again.",
                        ],
                    )
                )
                continue
        moves[function.key] = (current.name, new)
    inherit = {f.key for f in project.functions if key not in _spec(project, f)}
    for function in project.functions:
        if function.key not in moves:
            continue
        old, new = moves[function.key]
        own = [*adapter.function_path(function.key), key]
        text = ctx.text()
        for path in (own, shared):
            if path is None:
                continue
            node = yamltext.node_at(text, path, ctx.source)
            if node is None:
                continue
            if path is shared and inherit & stuck:
                ctx.refused.append(
                    (
                        f"{function.key}: {'.'.join(shared)} not moved: {', '.join(sorted(inherit & stuck))} "
                        "inherits it and cannot move",
                        [f"Give {function.key} its own {key}: {new}, or move the AWS SDK v2 code first."],
                    )
                )
                break
            if node.id == "scalar" and node.value == old:
                yaml_edit(ctx.files, ctx.path, lambda t: yamltext.replace_scalar(t, path, new, source=ctx.source))  # noqa: B023
                rebuild = " (rebuild: compiled wheels are per Python version)" if function.is_python else ""
                actions.append(f"{ctx.source} {'.'.join(path)}: {old} -> {new}{rebuild}")
            break
    return actions


# --- the secret named when its ARN is known ---------------------------------------------------


def fix_secret_by_name(ctx: FixContext) -> list[str]:
    """The secret's ARN (from the answers file) into the project's ARN parameter while the
    functions read the secret by name."""
    project = ctx.project
    arn = (project.answers or {}).get("secret_arn")
    if not isinstance(arn, str) or not arn.startswith("arn:"):
        return []
    by_name = [
        f
        for f in ctx.momento_functions()
        if isinstance(secret_ref(f), str)
        and not str(secret_ref(f)).startswith("arn:")
        and "${" not in str(secret_ref(f))
    ]
    if not by_name:
        return []
    return adapter_for(project).fix_secret_arn(ctx, arn)


def sam_fix_secret_arn(ctx: FixContext, arn: str) -> list[str]:
    """SAM: the parameter override in samconfig.toml."""
    project = ctx.project
    if contract.SAM_PARAM_SECRET_ARN not in _mapping(project.document.get("Parameters")):
        return []
    env = project.stage.value if isinstance(project.stage.value, str) else samconfig_files.DEFAULT_ENV
    config = project.root / samconfig.SAMCONFIG
    ctx.files.edit(
        config,
        lambda t: edit.samconfig_set_overrides(t, {contract.SAM_PARAM_SECRET_ARN: arn}, env, samconfig.SAMCONFIG)[0],
    )
    return [f"{samconfig.SAMCONFIG}: {contract.SAM_PARAM_SECRET_ARN}={arn} in [{env}.deploy.parameters]"]


def sls_fix_secret_arn(ctx: FixContext, arn: str) -> list[str]:
    """Serverless: ``params.default`` in serverless.yml."""
    project = ctx.project
    if contract.SLS_PARAM_SECRET_ARN not in project.parameters:
        return []
    yaml_edit(
        ctx.files,
        ctx.path,
        lambda t: edit.yaml_set(t, ["params", "default"], {contract.SLS_PARAM_SECRET_ARN: arn}, source=ctx.source),
    )
    return [f"{ctx.source}: params.default.{contract.SLS_PARAM_SECRET_ARN}: {arn}"]


# --- project.esm-require ----------------------------------------------------------------------


def fix_esm_require(ctx: FixContext) -> list[str]:
    """The createRequire banner for each Momento function bundled as an ES module without one."""
    actions: list[str] = []
    for function in ctx.momento_functions():
        if not function.is_node:
            continue
        bundle = missing_banner(function, esbuild.bundle(ctx.project, function))  # raises on another banner
        if bundle is not None:
            add_banner(ctx.project, ctx.files, bundle)
            action = f"{ctx.source}: {bundle.where}: the createRequire banner"
            if action not in actions:
                actions.append(action)
    return actions


# --- planning and writing ---------------------------------------------------------------------
# Which fix belongs to which check, and the steps to fix it by hand, are part of each check's
# definition (``Check.fixes`` / ``Check.steps`` in ``doctor/checks/``): nothing here is keyed by id.


def _steps(outcome: Outcome) -> list[str]:
    steps = list(outcome.check.steps)
    if not steps and outcome.result.hint:
        steps = [outcome.result.hint]
    return steps


def plan_fixes(
    project: Project | None,
    outcomes: Sequence[Outcome],
    checks: Sequence[Check] | None = None,
    *,
    root: Path | None = None,
) -> FixPlan:
    """The fixes for the outcomes that warned or failed, plus the fixes declared ``always``
    (they detect on their own) of ``checks`` (default: the outcomes' checks); nothing is
    written. Without a project (it does not load) every problem gets its steps."""
    base = project.root if project is not None else root
    assert base is not None, "plan_fixes needs a project or a root"
    files = PlannedFiles(base)
    code = CodeIndex(base)
    plan = FixPlan(base, [], [])
    problems = [o for o in outcomes if o.result.status in (Status.WARN, Status.FAIL)]
    todo: list[tuple[Check, Outcome | None, tuple[FixRef, ...]]] = [(o.check, o, o.check.fixes) for o in problems]
    if project is not None:
        done = {o.check.id for o in problems}
        for check in checks if checks is not None else [o.check for o in outcomes]:
            always = tuple(f for f in check.fixes if f.always)
            if always and check.id not in done:
                todo.append((check, None, always))
    for check, outcome, refs in todo:
        actions: list[str] = []
        refused = False
        for ref in refs if project is not None else ():
            saved = dict(files.current)
            context = FixContext(project, files, outcome, code)  # type: ignore[arg-type]
            try:
                actions += ref.load()(context)
                plan.refused.extend(ManualFix(check.id, why, steps) for why, steps in context.refused)
                refused = refused or bool(context.refused)
            except MomentoLambdaError as exc:
                files.current = saved
                plan.refused.append(ManualFix(check.id, exc.message, [exc.hint] if exc.hint else []))
                refused = True
        if actions:
            plan.fixes.append(Fix(check.id, actions))
        elif outcome is not None and not refused:
            plan.manual.append(ManualFix(check.id, outcome.result.message, _steps(outcome)))
    plan.changes = files.changes()
    return plan


def changeset(plan: FixPlan) -> Changeset:
    """The plan's edits as the one changeset every writer applies."""
    changes = Changeset(plan.root, "doctor --fix", code="fix.changed-meanwhile")
    for change in plan.changes:
        changes.add(change.path, change.before, change.after, change.relative)
    return changes


def apply_fixes(plan: FixPlan) -> list[str]:
    """Write every changed file, or none (:class:`~momento_lambda_cli.project.changeset.Changeset`:
    each target inside the project and unchanged since planning, renamed all at once, rolled
    back on a failure or a signal). Returns the relative paths written."""
    return changeset(plan).apply()
