"""`momento-lambda add` on an AWS CDK app, planned from its stack source (never by running it).

For each function construct :mod:`momento_lambda_cli.project.cdk_source` finds: the client
module next to its handler and the SDK where its dependencies live (as `add` does on SAM), then
in the stack (only when the construct has a recognised shape) the secret lookup from the app's
context (``momentoSecretArn`` / ``momentoSecretName``, as `new --framework cdk` stacks do), the
secret contract's environment merged into the construct's ``environment``, and
``secret.grantRead(fn)``: insertions only, every other byte kept. A construct of another shape
gets the exact lines to add printed instead, and its stack is not written.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from momento_lambda_cli import __version__, catalog, contract
from momento_lambda_cli.project import cdk_source, load_answers
from momento_lambda_cli.project.cdk_source import CdkFunction, Container, StackFile
from momento_lambda_cli.retrofit import client, jsontext
from momento_lambda_cli.retrofit.plan import (
    NODE_SDK,
    AddOptions,
    AddPlan,
    Placement,
    PlannedFiles,
    _answers,
    _requirement_line,
    _usage,
    add_names,
    import_line,
    project_name,
    stale_locks,
)
from momento_lambda_cli.retrofit.shapes import refuse

SECRET_ID = "MomentoSecret"
TS_SECRET = "momentoSecret"
PY_SECRET = "momento_secret"


@dataclass
class _FileEdits:
    stack: StackFile
    inserts: list[tuple[int, str]] = field(default_factory=list)
    declared: set[tuple[int, int]] = field(default_factory=set)
    imported: bool = False


def _settings(root: Path, options: AddOptions, framework: str) -> dict[str, Any]:
    existing = load_answers(root) or {}
    name = project_name(existing.get("project_name"), root.resolve().name)
    names = add_names(name, options, existing)
    return {
        "project_name": name,
        "framework": framework,
        "cache_name": names.cache_name,
        "secret_name": names.secret_name,
        "secret_arn": names.secret_arn,
        "default_ttl_seconds": names.default_ttl,
        "kms_key_arn": names.kms_key_arn,
        "region": existing.get("region") or None,
    }


def _quote(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


# --- the lines the stack gets ---------------------------------------------------------------------


def _secrets_module(stack: StackFile) -> str:
    if stack.language == cdk_source.PYTHON:
        return "aws_cdk"
    v1 = b"'@aws-cdk/" in stack.data or b'"@aws-cdk/' in stack.data
    return "@aws-cdk/aws-secretsmanager" if v1 else "aws-cdk-lib/aws-secretsmanager"


def import_lines(stack: StackFile) -> list[str]:
    if stack.secrets_alias is not None:
        return []
    if stack.language == cdk_source.PYTHON:
        return ["from aws_cdk import aws_secretsmanager as secretsmanager"]
    if stack.commonjs:
        return [f"const secretsmanager = require('{_secrets_module(stack)}');"]
    return [f"import * as secretsmanager from '{_secrets_module(stack)}';"]


def _secret_class(stack: StackFile) -> str:
    alias = stack.secrets_alias
    if alias is None:
        return "secretsmanager.Secret"
    return "Secret" if alias == "" else f"{alias}.Secret"


def declaration_lines(stack: StackFile, settings: dict[str, Any]) -> list[str]:
    arn = settings.get("secret_arn") or ""
    name = settings["secret_name"]
    secret = _secret_class(stack)
    if stack.language == cdk_source.PYTHON:
        return [
            "# Momento (momento-lambda add): the secret holding the API key, by its ARN (context momentoSecretArn)",
            "# or else by its name (momentoSecretName); the functions read exactly this secret.",
            f'momento_secret_arn = str(self.node.try_get_context("momentoSecretArn") or {json.dumps(arn)})',
            f'momento_secret_name = str(self.node.try_get_context("momentoSecretName") or {json.dumps(name)})',
            "if momento_secret_arn:",
            f'    {PY_SECRET} = {secret}.from_secret_complete_arn(self, "{SECRET_ID}", momento_secret_arn)',
            "else:",
            f'    {PY_SECRET} = {secret}.from_secret_name_v2(self, "{SECRET_ID}", momento_secret_name)',
        ]
    return [
        "// Momento (momento-lambda add): the secret holding the API key, by its ARN (context momentoSecretArn)",
        "// or else by its name (momentoSecretName); the functions read exactly this secret.",
        f"const momentoSecretArn = String(this.node.tryGetContext('momentoSecretArn') ?? {_quote(arn)});",
        f"const momentoSecretName = String(this.node.tryGetContext('momentoSecretName') ?? {_quote(name)});",
        f"const {TS_SECRET} = momentoSecretArn",
        f"  ? {secret}.fromSecretCompleteArn(this, '{SECRET_ID}', momentoSecretArn)",
        f"  : {secret}.fromSecretNameV2(this, '{SECRET_ID}', momentoSecretName);",
    ]


def environment_entries(stack: StackFile, settings: dict[str, Any], quote: str = '"') -> dict[str, str]:
    """Variable -> the entry's text (without a separator); Python keys in ``quote``."""
    cache, ttl = settings["cache_name"], settings["default_ttl_seconds"]
    if stack.language == cdk_source.PYTHON:
        q = quote
        return {
            contract.ENV_SECRET_ARN: f"{q}{contract.ENV_SECRET_ARN}{q}: momento_secret_arn or momento_secret_name",
            contract.ENV_CACHE_NAME: f"{q}{contract.ENV_CACHE_NAME}{q}: "
            f'str(self.node.try_get_context("momentoCacheName") or {json.dumps(cache)})',
            contract.ENV_DEFAULT_TTL: f"{q}{contract.ENV_DEFAULT_TTL}{q}: "
            f'str(self.node.try_get_context("momentoDefaultTtlSeconds") or {ttl})',
        }
    return {
        contract.ENV_SECRET_ARN: f"{contract.ENV_SECRET_ARN}: momentoSecretArn || momentoSecretName",
        contract.ENV_CACHE_NAME: f"{contract.ENV_CACHE_NAME}: String(this.node.tryGetContext('momentoCacheName') ?? "
        f"{_quote(cache)})",
        contract.ENV_DEFAULT_TTL: f"{contract.ENV_DEFAULT_TTL}: "
        f"String(this.node.tryGetContext('momentoDefaultTtlSeconds') ?? {ttl})",
    }


def grant_line(stack: StackFile, variable: str) -> str:
    if stack.language == cdk_source.PYTHON:
        return f"{PY_SECRET}.grant_read({variable})"
    return f"{TS_SECRET}.grantRead({variable});"


def _new_variable(function: CdkFunction) -> str:
    words = [w for w in re.split(r"[^A-Za-z0-9]+", function.construct_id) if w]
    if function.source_language == cdk_source.PYTHON:
        return "momento_fn_" + "_".join(w.lower() for w in words) if words else "momento_fn"
    return "momentoFn" + "".join(w[:1].upper() + w[1:] for w in words)


# --- inserting into an object / call ------------------------------------------------------------


def _unit(data: bytes, container: Container, fallback: str) -> str:
    """The file's indentation step: from the entries' indentation to the closing brace's."""
    if (
        container.item_indent is not None
        and _close_starts_line(data, container)
        and container.item_indent.startswith(container.close_indent)
    ):
        unit = container.item_indent[len(container.close_indent) :]
        if unit:
            return unit
    return fallback


def _close_starts_line(data: bytes, container: Container) -> bool:
    line_start = data.rfind(b"\n", 0, container.close) + 1
    return not data[line_start : container.close].strip()


def _one_per_line(data: bytes, container: Container) -> bool:
    """Entries go on lines of their own: the container spans lines and its last entry starts one
    (or it is empty and its closing brace starts a line)."""
    if not container.multiline:
        return False
    if container.last_end is None:
        return _close_starts_line(data, container)
    return container.item_indent is not None


def _insert_entries(data: bytes, container: Container, entries: list[str], eol: str) -> list[tuple[int, str]]:
    """Insertions putting ``entries`` (each one or more lines) at the end of ``container``."""
    if _one_per_line(data, container):
        indent = container.item_indent
        if indent is None:
            indent = container.close_indent + "  "
        if _close_starts_line(data, container):
            out: list[tuple[int, str]] = []
            if container.last_end is not None and not container.trailing_comma:
                out.append((container.last_end, ","))
            text = "".join("".join(indent + line + eol for line in (entry + ",").split("\n")) for entry in entries)
            out.append((data.rfind(b"\n", 0, container.close) + 1, text))
            return out
        # the closing brace follows the last entry on its line: the entries go on lines before it
        assert container.last_end is not None
        lines: list[str] = []
        for index, entry in enumerate(entries):
            parts = entry.split("\n")
            if index < len(entries) - 1:
                parts[-1] += ","
            lines += parts
        return [(container.last_end, "," + "".join(eol + indent + line for line in lines))]
    joined = ", ".join(e.replace("\n", " ") for e in entries)
    if container.last_end is None:
        pad = " " if container.close == container.open_end else ""
        return [(container.open_end, f" {joined}{pad}")]
    return [(container.last_end, f", {joined}")]


def _environment_block(stack: StackFile, entries: list[str], unit: str) -> str:
    body = "\n".join(unit + e + "," for e in entries)
    if stack.language == cdk_source.PYTHON:
        return "environment={\n" + body + "\n}"
    return "environment: {\n" + body + "\n}"


# --- planning -------------------------------------------------------------------------------------


def _unsupported(function: CdkFunction) -> str | None:
    """Why `add` cannot serve this function's runtime (``None``: it can, or the runtime is not known)."""
    if function.other_runtime:
        return f"runtime {function.other_runtime} (the client module is Python or Node.js)"
    if function.runtime is None or "." not in function.runtime:
        return None
    known = catalog.runtime(function.runtime)
    too_old = known is not None and (
        (known.language == catalog.PYTHON and known.version_tuple < catalog.MOMENTO_MIN_PYTHON)
        or (known.language == catalog.NODE and known.version_tuple < catalog.MOMENTO_MIN_NODE)
    )
    if known is None or too_old:
        return f"runtime {function.runtime} is not one the Momento client module supports: upgrade its runtime first"
    return None


def _choose(app: cdk_source.CdkApp, names: tuple[str, ...]) -> tuple[list[CdkFunction], dict[str, str]]:
    functions = app.functions
    if not functions:
        why = f": {app.problem}" if app.problem else ""
        raise refuse(
            f"No Lambda function construct found in the CDK app's source{why}.",
            "`add` reads TypeScript and Python stacks (lambda.Function, NodejsFunction, PythonFunction); add the "
            "client module, the SDK, the environment and secret.grantRead(fn) yourself (see `momento-lambda new -f cdk`).",
            "add.no-functions",
        )
    by_key = {f.key: f for f in functions}
    if names:
        unknown = [n for n in names if n not in by_key]
        if unknown:
            raise refuse(
                f"No function {', '.join(map(repr, unknown))} in the CDK app.",
                f"Functions (construct ids): {', '.join(by_key)}.",
                "add.unknown-function",
            )
        return [by_key[n] for n in dict.fromkeys(names)], {}
    skipped = {f.key: reason for f in functions if (reason := _unsupported(f)) is not None}
    chosen = [f for f in functions if f.key not in skipped]
    if not chosen:
        details = "; ".join(f"{k}: {v}" for k, v in skipped.items())
        raise refuse(f"No function Momento can be added to ({details}).", "See the reasons above.", "add.unsupported")
    return chosen, skipped


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def _package_folder(function: CdkFunction, root: Path) -> Path:
    """Where the function's npm dependencies live: NodejsFunction bundles with the app's
    package.json and lock file (its ``projectRoot``: the app folder); a plain asset folder ships
    its own node_modules."""
    if function.kind == "NodejsFunction" or function.code_dir is None:
        return root
    return function.code_dir


def plan_add_cdk(root: Path, options: AddOptions, framework: str) -> AddPlan:
    """The edits that add Momento to the chosen function constructs of the CDK app in ``root``."""
    root = root.resolve()
    app = cdk_source.read_app(root)
    chosen, skipped = _choose(app, options.functions)
    settings = _settings(root, options, framework)
    files = PlannedFiles(root)
    notes: list[str] = []
    manual: list[tuple[str, list[str]]] = []
    usage: dict[str, list[str]] = {}
    imports: dict[str, str] = {}
    languages: dict[str, str] = {}
    managed: dict[str, dict[str, str]] = {}
    edits: dict[Path, _FileEdits] = {}
    stacks = {s.path: s for s in app.stacks}
    unrecognised: list[tuple[CdkFunction, str]] = []
    first: dict[tuple[Path, tuple[int, int]], int] = {}  # the secret lookup goes before a body's first construct
    for function in chosen:
        if function.block != (0, 0):
            at = (function.stack_file, function.block)
            first[at] = min(first.get(at, function.statement_start), function.statement_start)
    for function in chosen:
        stack = stacks[function.stack_file]
        where = f"{_relative(stack.path, root)} line {function.line} ({function.construct_id})"
        set_up = _set_up(stack, function)  # its environment has the contract and some secret's read is granted
        code_notes = _plan_code(root, function, files, notes, imports, usage, languages, managed)
        if code_notes and not set_up:  # (a set-up function whose code is not found: its code is taken as set up too)
            manual.append((f"{where}: {code_notes[0]}", code_notes[1:]))
        file_edits = edits.setdefault(stack.path, _FileEdits(stack))
        problem = function.problem or ("its environment is not an object literal" if function.env_unreadable else None)
        if set_up:
            continue
        if problem is None and foreign_secret(stack):
            problem = f"{_relative(stack.path, root)} already looks up a {SECRET_ID} of its own"
        if problem is not None:
            unrecognised.append((function, f"{where}: {problem}; add these lines yourself"))
            continue
        _plan_stack(function, file_edits, settings, first[function.stack_file, function.block])
        if settings.get("kms_key_arn"):
            notes.append(
                f"{where}: the secret's KMS key needs kms:Decrypt too: "
                + (
                    f"{function.variable or _new_variable(function)}.add_to_role_policy(iam.PolicyStatement("
                    f'actions=["kms:Decrypt"], resources=[{json.dumps(settings["kms_key_arn"])}]))'
                    if function.source_language == cdk_source.PYTHON
                    else f"{function.variable or _new_variable(function)}.addToRolePolicy(new iam.PolicyStatement("
                    f"{{ actions: ['kms:Decrypt'], resources: [{_quote(settings['kms_key_arn'])}] }}));"
                )
            )
    for function, title in unrecognised:
        file_edits = edits[function.stack_file]
        lines = _manual_lines(file_edits, function, settings)
        if lines:
            manual.append((title, lines))
    for path, file_edits in edits.items():
        if file_edits.inserts:
            after = _apply(file_edits.stack.data, file_edits.inserts)
            files.edit(path, _replacement(after))
    edited = {f.key for f, _ in unrecognised}  # (not edited: printed)
    _answers(root, files, settings, [f.key for f in chosen if f.key not in edited], managed)
    changes = files.changes()
    notes = list(dict.fromkeys(notes + stale_locks(root, changes)))
    plan = AddPlan(
        root=root,
        framework=framework,
        functions=[f.key for f in chosen if f.key not in edited],
        skipped=skipped,
        changes=changes,
        usage=usage,
        imports=imports,
        languages=languages,
        notes=notes,
        settings={k: v for k, v in settings.items() if k != "framework"},
    )
    plan.manual = manual
    return plan


def _replacement(after: str) -> Callable[[str | None], str]:
    return lambda _text: after


def _apply(data: bytes, inserts: list[tuple[int, str]]) -> str:
    ordered = sorted(enumerate(inserts), key=lambda item: (item[1][0], item[0]))
    out, at = [], 0
    for _, (offset, text) in ordered:
        out.append(data[at:offset])
        out.append(text.encode("utf-8"))
        at = offset
    out.append(data[at:])
    return b"".join(out).decode("utf-8")


def _manual_lines(file_edits: _FileEdits, function: CdkFunction, settings: dict[str, Any]) -> list[str]:
    """The lines an unrecognised construct needs (the secret lookup only when the file has none,
    nor gets one from this `add`)."""
    stack = file_edits.stack
    variable = function.variable or "fn"
    env = environment_entries(stack, settings)
    missing = [text for key, text in env.items() if key not in function.env_keys]
    lines: list[str] = []
    if SECRET_ID.encode() not in stack.data and not file_edits.declared:
        lines += [*import_lines(stack), *declaration_lines(stack, settings)]
    if missing:
        lines.append(
            "// in the function's environment:" if stack.language == cdk_source.TYPESCRIPT else "# in environment=:"
        )
        lines += [m + "," for m in missing]
    granted = _granted(stack, variable)
    if not granted:
        lines.append(grant_line(stack, variable))
    return lines if (missing or not granted) else []


def _set_up(stack: StackFile, function: CdkFunction) -> bool:
    """The construct has the contract's environment and a read grant already."""
    keys = {contract.ENV_SECRET_ARN, contract.ENV_CACHE_NAME}
    if not keys <= function.env_keys or function.variable is None:
        return False
    call = ".grant_read(" if stack.language == cdk_source.PYTHON else ".grantRead("
    return (call + function.variable + ")").encode() in stack.data


def _granted(stack: StackFile, variable: str) -> bool:
    """The file already has `add`'s grant to ``variable``."""
    return grant_line(stack, variable).rstrip(";").encode() in stack.data


def foreign_secret(stack: StackFile) -> bool:
    """The file looks up a ``MomentoSecret`` construct that is not `add`'s variable (a stack written
    by hand or by `new`): `add` does not guess which variable holds it."""
    ours = f"{PY_SECRET} = " if stack.language == cdk_source.PYTHON else f"const {TS_SECRET} = "
    return (f"'{SECRET_ID}'".encode() in stack.data or f'"{SECRET_ID}"'.encode() in stack.data) and (
        ours.encode() not in stack.data
    )


def _plan_stack(function: CdkFunction, file_edits: _FileEdits, settings: dict[str, Any], first: int) -> None:
    stack, data, eol = file_edits.stack, file_edits.stack.data, file_edits.stack.eol
    indent = function.statement_indent
    variable = function.variable
    if variable is None:
        variable = _new_variable(function)
        assert function.assign_at is not None
        prefix = f"{variable} = " if stack.language == cdk_source.PYTHON else f"const {variable} = "
        file_edits.inserts.append((function.assign_at, prefix))
    looked_up = SECRET_ID.encode() in data[function.block[0] : function.block[1]]  # by an earlier `add`
    if not looked_up and function.block not in file_edits.declared:
        file_edits.declared.add(function.block)
        if not file_edits.imported:
            file_edits.imported = True
            lines = import_lines(stack)
            if lines:
                file_edits.inserts.append((stack.import_end, "".join(line + eol for line in lines)))
        start = data.rfind(b"\n", 0, first) + 1
        block = "".join(indent + line + eol for line in declaration_lines(stack, settings))
        file_edits.inserts.append((start, block))
    env = environment_entries(stack, settings, function.quote)
    missing = [text for key, text in env.items() if key not in function.env_keys]
    if missing and function.env is not None:
        file_edits.inserts += _insert_entries(data, function.env, missing, eol)
    elif missing and function.props is not None:
        props = function.props
        unit = _unit(data, props, "    " if stack.language == cdk_source.PYTHON else "  ")
        if _one_per_line(data, props) and props.item_indent is not None:
            entry = _environment_block(stack, missing, unit)
        else:
            key = "environment=" if stack.language == cdk_source.PYTHON else "environment: "
            entry = key + "{ " + ", ".join(missing) + " }"
        file_edits.inserts += _insert_entries(data, props, [entry], eol)
    if not _granted(stack, variable):
        grant = grant_line(stack, variable)
        end = function.statement_line_end
        lead = "" if end == 0 or data[end - 1 : end] == b"\n" else eol
        file_edits.inserts.append((end, lead + indent + grant + eol))


def _plan_code(
    root: Path,
    function: CdkFunction,
    files: PlannedFiles,
    notes: list[str],
    imports: dict[str, str],
    usage: dict[str, list[str]],
    languages: dict[str, str],
    managed: dict[str, dict[str, str]],
) -> list[str]:
    """The client module and the SDK dependency; the manual steps (a title, then lines) when the
    function's code folder is not known."""
    handler = function.handler_file
    python = function.language == catalog.PYTHON
    if function.language is None:
        return [
            "its runtime and code were not found from the stack source; copy the client module and add the SDK yourself",
            f"copy {client.MODULES[catalog.PYTHON].template_path} (Python) or {client.MODULES[client.TYPESCRIPT].template_path}"
            " (Node.js) of a `momento-lambda new` project next to the handler",
            f"add momento to its requirements.txt (Python) or {NODE_SDK} to its package.json (Node.js)",
        ]
    if handler is None or not handler.is_file() or function.code_dir is None or not cdk_source._inside(handler, root):
        module = client.MODULES[catalog.PYTHON if python else client.TYPESCRIPT]
        sdk = "momento" if python else NODE_SDK
        return [
            "its handler file was not found from the stack source; copy the client module and add the SDK yourself",
            f"copy {module.template_path} of a `momento-lambda new` project next to the handler",
            f"add {sdk} to the function's {'requirements.txt' if python else 'package.json'}",
        ]
    if python:
        language: client.ModuleLanguage = catalog.PYTHON
    elif handler.suffix in (".ts", ".mts"):
        language = client.TYPESCRIPT
    else:
        language = catalog.NODE
    module = client.MODULES[language]
    form = client.COMMONJS if language == client.TYPESCRIPT and function.bundled and not function.esm else None
    target = handler.parent / module.file_name
    existing = files.text(target)
    text = client.render_module(module, form)
    if existing in (None, text):
        entry = {"template_file": module.template_path, "template_version": __version__}
        if form is not None:
            entry["form"] = form
        managed[_relative(target, root)] = entry
    if existing is None:
        files.create(target, text)
    elif existing != text:
        notes.append(f"{_relative(target, root)} exists and differs from the tool's: kept as is")
    place = Placement(handler.parent, function.code_dir if python else None)
    imports[function.key] = import_line(language, place, handler, root)
    usage.setdefault(language, _usage(language, imports[function.key]))
    languages[function.key] = language
    where = f"{function.construct_id} ({_relative(function.stack_file, root)} line {function.line})"
    if python:
        requirements = function.code_dir / "requirements.txt"
        files.edit(requirements, _requirement_line(f"momento=={client.pinned('momento_python_version')}"))
        if not function.bundled:
            notes.append(
                f"{where}: Code.fromAsset zips {_relative(function.code_dir, root)} as it is: install "
                f"{_relative(requirements, root)} into the asset for Lambda's platform (bundling with pip --platform "
                "manylinux2014_<arch> --only-binary=:all:, or PythonFunction), as `momento-lambda new -f cdk` does"
            )
        return []
    folder = _package_folder(function, root)
    manifest = folder / "package.json"
    source = _relative(manifest, root)
    package = jsontext.package_name(folder.resolve().name)
    version = "^" + client.pinned("momento_node_version")
    files.edit(
        manifest,
        lambda t: jsontext.add_dependency(t, "dependencies", NODE_SDK, version, source=source, package=package),
    )
    listed = re.findall(r"(?:externalModules|external_modules)\s*[:=]\s*\[([^\]]*)\]", function.props_text)
    if language == client.TYPESCRIPT:
        # NodejsFunction leaves @aws-sdk/* to the runtime unless its own externalModules says otherwise:
        # then esbuild bundles the secrets client, a production dependency
        bundles_sdk = function.kind == "NodejsFunction" and bool(listed) and not any("@aws-sdk" in f for f in listed)
        section = "dependencies" if bundles_sdk else "devDependencies"
        secrets = "^" + client.pinned("aws_sdk_node_version")
        files.edit(
            manifest,
            lambda t: jsontext.add_dependency(
                t, section, "@aws-sdk/client-secrets-manager", secrets, source=source, package=package
            ),
        )
    if function.kind == "NodejsFunction":
        if any(NODE_SDK in found for found in listed):
            notes.append(f"{where}: remove {NODE_SDK} from bundling.externalModules (esbuild must bundle it)")
        if function.esm and "createRequire" not in function.props_text:
            notes.append(
                f"{where}: an ES module bundle needs require() for {NODE_SDK}'s CommonJS dependencies: add bundling.banner "
                "\"import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);\""
            )
    elif not function.bundled:
        notes.append(
            f"{where}: Code.fromAsset ships {_relative(function.code_dir, root)} as it is: run `npm install` in it "
            f"before `cdk deploy` so its node_modules holds {NODE_SDK} (or use NodejsFunction, which bundles it)"
        )
    return []
