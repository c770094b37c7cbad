"""Static checks over the project's files: framework, IAM grants, build method, code, secrets, runtime."""

from __future__ import annotations

import ast
import re
from datetime import date
from pathlib import Path

from momento_lambda_cli import catalog, contract, iam_policy
from momento_lambda_cli.doctor import code_scan, keyscan, lifecycle
from momento_lambda_cli.doctor.checks._util import as_pattern, plural
from momento_lambda_cli.doctor.context import DoctorContext
from momento_lambda_cli.doctor.model import Check, Group, Result
from momento_lambda_cli.doctor.project_walk import project_files
from momento_lambda_cli.doctor.resolution import momento_functions, project_kms_key, secret_ref, source_files
from momento_lambda_cli.errors import MomentoLambdaError
from momento_lambda_cli.project import SAM
from momento_lambda_cli.project.model import Function
from momento_lambda_cli.project.parse import read_head
from momento_lambda_cli.project.values import Unresolved

CLIENT_DEADLINE_SECONDS = 1.1
"""``Configurations.Lambda.latest()`` client deadline."""
SECRET_READ_SECONDS = 2.0
"""Secrets Manager read with 1 s connect + 1 s read timeouts."""
MIN_TIMEOUT_SECONDS = CLIENT_DEADLINE_SECONDS + SECRET_READ_SECONDS
COMFORTABLE_TIMEOUT_SECONDS = MIN_TIMEOUT_SECONDS + 2.0

MAX_FILE_SCANNED_BYTES = 2_000_000
"""The key scan reads at most this much of one file."""
MAX_SCANNED_BYTES = 64 * 1024 * 1024
"""The key scan reads at most this much in all."""
MAX_SOURCE_FILE_BYTES = 1_000_000
"""The code checks read at most this much of one source file."""

TODAY = date.today
"""Swappable for tests."""

NEWEST_PYTHON = catalog.newest(catalog.PYTHON).name
NEWEST_NODE = catalog.newest(catalog.NODE).name


def _functions_or_skip(ctx: DoctorContext) -> list[Function]:
    project = ctx.project_or_skip()
    if not project.functions:
        from momento_lambda_cli.doctor.model import SkipCheck

        raise SkipCheck(f"No Lambda functions in {project.config_path.name}.")
    return project.functions


def framework(ctx: DoctorContext) -> Result:
    try:
        project = ctx.project()
    except MomentoLambdaError as exc:
        return Result.fail(exc.message, exc.hint)
    name = catalog.SAM.display_name if project.framework == SAM else catalog.SERVERLESS.display_name
    files = [project.config_path.name, *(p.name for p in project.config_files if p != project.config_path)]
    runtimes = sorted({str(f.runtime or "?") for f in project.functions})
    message = f"{name} project ({', '.join(files)}), {plural(len(project.functions), 'function')}"
    if runtimes:
        message += f" ({', '.join(runtimes)})"
    settings = [
        f"{label} {setting.value} (from {setting.source})"
        for label, setting in (
            ("config env" if project.framework == SAM else "stage", project.stage),
            ("region", project.region),
            ("stack", project.stack_name),
        )
        if setting.value is not None
    ]
    notes = [s.note for s in (project.stage, project.region, project.stack_name) if s.note]
    oddities = list(project.problems) + [f"{f.key}: {problem}" for f in project.functions for problem in f.problems]
    if not project.functions:
        return Result.warn(message, "Add a function (AWS::Serverless::Function or functions:) that uses Momento.")
    if oddities:
        return Result.warn(
            f"{message}; some settings cannot be read",
            "Check these values: the deploy would fail or use something else.",
            oddities + notes,
        )
    return Result.ok(message, settings + notes)


SAMPLE_SUFFIX = "AbCdEf"
"""Secrets Manager appends six random characters to a secret's name in its ARN."""


def _secret_target(function: Function) -> tuple[str, bool] | None:
    """(what to evaluate the grant against, whether it is a bare secret name)."""
    ref = secret_ref(function)
    if ref is None:
        return None
    if ref.startswith("arn:") or "${" in ref:
        return ref, False
    return f"{ref}-{SAMPLE_SUFFIX}", True


def _name_part(resource: str) -> str:
    """``momento/demo/api-key-*`` from a secret ARN pattern (a function reads the secret by name)."""
    return resource.split(":secret:", 1)[1] if ":secret:" in resource else resource


def secret_access(ctx: DoctorContext) -> Result:
    functions = momento_functions(_functions_or_skip(ctx))
    if not functions:
        return Result.skip("No function uses Momento (no MOMENTO_* environment variable, no momento import).")
    failures, warnings, passes = [], [], []
    for function in functions:
        found = _secret_target(function)
        if found is None:
            failures.append(f"{function.key}: no {contract.ENV_SECRET_ARN} in its environment")
            continue
        target, by_name = found
        shown = secret_ref(function)
        shape = (lambda r: _name_part(as_pattern(r))) if by_name else as_pattern
        statements = [s.with_resources(shape) for s in function.statements]
        evaluation = iam_policy.evaluate(statements, "secretsmanager:GetSecretValue", target)
        if not evaluation.allowed:
            if "${" in target and evaluation.decision is iam_policy.Decision.IMPLICIT_DENY and function.statements:
                failures.append(f"{function.key}: no statement grants secretsmanager:GetSecretValue on {shown}")
            elif evaluation.decision is iam_policy.Decision.CONDITIONAL:
                warnings.append(f"{function.key}: GetSecretValue is granted only under a Condition")
            else:
                reason = "an explicit Deny" if evaluation.decision is iam_policy.Decision.DENIED else "no Allow"
                failures.append(f"{function.key}: {reason} for secretsmanager:GetSecretValue on {shown}")
            continue
        broad = [
            why for s in evaluation.matched if (why := iam_policy.is_broad_grant(s, "secretsmanager:GetSecretValue"))
        ]
        if broad:
            warnings.append(f"{function.key}: over-broad grant ({'; '.join(sorted(set(broad)))})")
        else:
            passes.append(f"{function.key}: GetSecretValue on {shown}")
    hint = (
        "Grant exactly `secretsmanager:GetSecretValue` on the secret's ARN, e.g. in SAM Policies: "
        "`- Statement: [{Effect: Allow, Action: secretsmanager:GetSecretValue, Resource: !Ref MomentoSecretArn}]` "
        "(Serverless: provider.iam.role.statements with Resource: ${param:momentoSecretArn})."
    )
    if failures:
        return Result.fail(
            f"{plural(len(failures), 'function')} cannot read the Momento secret", hint, failures + warnings
        )
    if warnings:
        return Result.warn("The secret is readable, but the grant is broader than it needs to be", hint, warnings)
    return Result.ok(f"{plural(len(passes), 'function')} may read exactly the secret", passes)


def kms_decrypt(ctx: DoctorContext) -> Result:
    project = ctx.project_or_skip()
    key = project_kms_key(project)
    if not key:
        return Result.ok("No customer-managed KMS key configured (the secret uses aws/secretsmanager)")
    missing = []
    for function in momento_functions(project.functions):
        statements = [s.with_resources(as_pattern) for s in function.statements]
        if not iam_policy.evaluate(statements, "kms:Decrypt", key).allowed:
            missing.append(f"{function.key}: no kms:Decrypt on {key}")
    if missing:
        return Result.fail(
            "A KMS key is configured for the secret, but the functions may not decrypt with it",
            "Add `kms:Decrypt` on the key's ARN to each function's policy (SAM: KMSDecryptPolicy or a Statement).",
            missing,
        )
    return Result.ok(f"kms:Decrypt granted on {key}")


def build_method(ctx: DoctorContext) -> Result:
    project = ctx.project_or_skip()
    functions = _functions_or_skip(ctx)
    python = [f for f in functions if f.is_python]
    if not python:
        return Result.ok("Node.js only: @gomomento/sdk is pure JavaScript, any build machine works")
    arches = {str(f.architecture) for f in python}
    cpu = catalog.LAMBDA_CPU
    problems: list[str] = []
    if project.framework == SAM:
        platforms = project.build.makefile_platforms or []
        if project.build.use_container:
            how = "use_container = true in samconfig.toml"
        elif platforms:
            how = f"a Makefile installing with --platform {', '.join(sorted(set(platforms)))}"
            for arch in arches:
                if not any(p.endswith(cpu.get(arch, arch)) for p in platforms):
                    problems.append(
                        f"the Makefile builds for {', '.join(sorted(set(platforms)))}, the functions run on {arch}"
                    )
        else:
            # SAM's pip builder fetches manylinux wheels for the function's CPU when they exist,
            # but compiles source-only packages for the build machine.
            return Result.warn(
                "sam build runs without a container: packages without a manylinux wheel get compiled for this machine",
                "Set `use_container = true` under [default.build.parameters] in samconfig.toml "
                "(or `sam build --use-container`); build.binaries checks the result.",
            )
        image = str(project.build.build_image or "")
        if image:
            for arch in arches:
                if ("arm64" in image and arch == "x86_64") or ("x86_64" in image and arch == "arm64"):
                    problems.append(f"build_image {image} does not match architecture {arch}")
    else:
        dockerize = project.build.dockerize_pip
        extra = " ".join(project.build.pip_extra_args or [])
        platform_args = re.findall(r"--platform[ =](\S+)", extra)
        plugins = project.build.plugins or []
        if "serverless-python-requirements" not in plugins:
            return Result.fail(
                "serverless-python-requirements is not among the plugins: Python dependencies are not packaged",
                "Add `plugins: [serverless-python-requirements]` and custom.pythonRequirements.dockerizePip: true.",
            )
        if dockerize is True or str(dockerize).lower() in {"true", "non-linux"}:
            how = f"custom.pythonRequirements.dockerizePip: {str(dockerize).lower()}"
            image = str(project.build.docker_image or "")
            for arch in arches:
                if image and (("arm64" in image and arch == "x86_64") or ("x86_64" in image and arch == "arm64")):
                    problems.append(f"dockerImage {image} does not match architecture {arch}")
        elif platform_args:
            how = f"pipCmdExtraArgs --platform {', '.join(platform_args)}"
            for arch in arches:
                if not any(p.endswith(cpu.get(arch, arch)) for p in platform_args):
                    problems.append(f"pip builds for {', '.join(platform_args)}, the functions run on {arch}")
        else:
            return Result.fail(
                "Python dependencies are built on this machine: grpcio will not load on Lambda when built on macOS, Windows or a different CPU",
                "Set custom.pythonRequirements.dockerizePip: true in serverless.yml.",
            )
    answers_arch = (project.answers or {}).get("architecture")
    if answers_arch and answers_arch not in arches:
        problems.append(f".momento-lambda.json says {answers_arch}, the template says {', '.join(sorted(arches))}")
    if len(arches) > 1 and project.framework != SAM:
        problems.append(f"functions use different architectures ({', '.join(sorted(arches))})")
    if problems:
        return Result.fail(
            "The build targets a different CPU than the functions run on",
            "Make the architecture agree everywhere.",
            problems,
        )
    return Result.ok(f"Built for Lambda ({how}; {', '.join(sorted(arches))})")


# --- code -----------------------------------------------------------------------------------


def _source_text(path: Path) -> str:
    """The start of a source file (regular files only; empty for anything else)."""
    return (read_head(path, MAX_SOURCE_FILE_BYTES) or b"").decode("utf-8", "replace")


def _code_files(ctx: DoctorContext) -> list[tuple[Function, Path]]:
    files = []
    seen: set[Path] = set()
    for function in momento_functions(_functions_or_skip(ctx)):
        for code_dir in function.code_dirs:
            for path in source_files(code_dir):
                if path not in seen and "test" not in path.relative_to(code_dir).parts[0].lower():
                    seen.add(path)
                    files.append((function, path))
    return files


def _handler_name(function: Function) -> str:
    handler = function.handler if isinstance(function.handler, str) else "handler"
    return (handler or "handler").rsplit(".", 1)[-1]


def client_reuse(ctx: DoctorContext) -> Result:
    files = _code_files(ctx)
    problems: list[str] = []
    creators: list[str] = []
    for function, path in files:
        rel = path.relative_to(ctx.project_or_skip().root).as_posix()
        text = _source_text(path)
        if path.suffix == ".py":
            try:
                tree = ast.parse(text)
            except SyntaxError as exc:
                problems.append(f"{rel}: does not parse (line {exc.lineno})")
                continue
            created, found = code_scan.python_client_problems(tree, _handler_name(function))
        else:
            created, found = code_scan.node_client_problems(text, _handler_name(function))
        if created:
            creators.append(rel)
        problems.extend(f"{rel} {p}" for p in found)
    if problems:
        return Result.fail(
            "The Momento client is created per invocation: every call pays a new TLS connection (~100 ms)",
            "Create the client once at module scope (or in a get_momento_client() accessor that stores it in a "
            "module-level variable) and reuse it from the handler.",
            problems,
        )
    if not creators:
        return Result.warn(
            "No Momento CacheClient construction found in the functions' code",
            "Create the client with CacheClient(...) / CacheClient.create(...) at module scope.",
        )
    return Result.ok(f"Client created once per execution environment ({', '.join(creators)})")


def lambda_configuration(ctx: DoctorContext) -> Result:
    files = _code_files(ctx)
    users, others = [], []
    for _function, path in files:
        text = _source_text(path)
        if not (code_scan.NODE_CREATE.search(text) or re.search(r"CacheClient\s*\(|CacheClient\.create", text)):
            continue
        rel = path.relative_to(ctx.project_or_skip().root).as_posix()
        if "Configurations.Lambda" in text:
            users.append(rel)
        else:
            found = re.findall(r"Configurations\.(\w+)", text)
            others.append(f"{rel}: uses {', '.join(sorted(set(found))) or 'no Configurations preset'}")
    if others:
        return Result.warn(
            "The Momento client is not configured for Lambda",
            "Use Configurations.Lambda.latest(): short deadlines, no keepalive pings while the function is frozen.",
            others,
        )
    if not users:
        return Result.skip("No Momento CacheClient construction found.")
    return Result.ok(f"Configurations.Lambda used ({', '.join(users)})")


def secret_timeouts(ctx: DoctorContext) -> Result:
    files = _code_files(ctx)
    problems, good = [], []
    for _function, path in files:
        text = _source_text(path)
        rel = path.relative_to(ctx.project_or_skip().root).as_posix()
        if path.suffix == ".py":
            if not re.search(r"client\(\s*['\"]secretsmanager['\"]", text):
                continue
            if re.search(r"connect_timeout\s*=", text) and re.search(r"read_timeout\s*=", text):
                good.append(rel)
            else:
                problems.append(f"{rel}: Secrets Manager client without connect_timeout/read_timeout (default 60 s)")
        else:
            if "SecretsManagerClient" not in text:
                continue
            if re.search(r"(connectionTimeout|requestTimeout|socketTimeout)\s*:", text):
                good.append(rel)
            else:
                problems.append(f"{rel}: SecretsManagerClient without a requestHandler timeout")
    if problems:
        return Result.warn(
            "The secret is read without short timeouts: a network hiccup can eat the whole function timeout",
            "Python: boto3.client('secretsmanager', config=Config(connect_timeout=1, read_timeout=1, "
            "retries={'max_attempts': 2})); Node.js: new SecretsManagerClient({requestHandler: "
            "{connectionTimeout: 1000, requestTimeout: 1000}}).",
            problems,
        )
    if not good:
        return Result.warn(
            "No Secrets Manager read found in the functions' code",
            f"Read the key from the secret named by {contract.ENV_SECRET_ARN} (once, at cold start).",
        )
    return Result.ok(f"Secret read with short timeouts ({', '.join(good)})")


# --- secrets in files -----------------------------------------------------------------------


def no_key_in_files(ctx: DoctorContext) -> Result:
    project = ctx.project_or_skip()
    findings: list[str] = []
    for function in project.functions:
        for name, value in function.environment.items():
            if isinstance(value, str):
                kinds = keyscan.find_keys(value)
                if kinds:
                    findings.append(f"{function.key}: environment variable {name} holds a Momento {kinds[0]}")
                elif name in {contract.API_KEY_FIELD, contract.LEGACY_TOKEN_FIELD} and value and "${" not in value:
                    findings.append(f"{function.key}: environment variable {name} holds a literal value")
    for name, value in project.parameters.items():
        if isinstance(value, str) and keyscan.find_keys(value):
            findings.append(f"parameter {name} holds a Momento key")
    budget = MAX_SCANNED_BYTES
    for path in project_files(project.root):
        data = read_head(path, min(MAX_FILE_SCANNED_BYTES, budget))
        if not data:
            continue
        budget -= len(data)
        if budget <= 0:
            break
        text = data.decode("utf-8", errors="ignore")
        kinds = keyscan.find_keys(text)
        if kinds:
            findings.append(f"{path.relative_to(project.root).as_posix()}: contains a Momento {kinds[0]}")
    if findings:
        return Result.fail(
            "A Momento API key is in the project (it would be committed, deployed or logged)",
            "Remove it, revoke it in the Momento console, and store a new one with `momento-lambda store-token` "
            "(it goes to Secrets Manager; functions get only the secret's ARN).",
            sorted(set(findings)),
        )
    return Result.ok("No Momento key in environment variables, parameters or project files")


def no_local_override(ctx: DoctorContext) -> Result:
    project = ctx.project_or_skip()
    found = [
        f"{f.key}: {contract.ENV_LOCAL_OVERRIDE}={f.environment[contract.ENV_LOCAL_OVERRIDE]}"
        for f in project.functions
        if f.environment.get(contract.ENV_LOCAL_OVERRIDE)
    ]
    if found:
        return Result.fail(
            f"{contract.ENV_LOCAL_OVERRIDE} is set in the template: deployed functions would talk to a local server",
            f"Remove {contract.ENV_LOCAL_OVERRIDE} from the template's environment; set it only in local runs "
            "(sam local invoke --env-vars, serverless invoke local -e).",
            found,
        )
    return Result.ok(f"{contract.ENV_LOCAL_OVERRIDE} is not set for deploys")


def runtime(ctx: DoctorContext) -> Result:
    functions = _functions_or_skip(ctx)
    today = TODAY()
    failures: list[str] = []
    warnings: list[str] = []
    passes: list[str] = []
    for function in functions:
        if isinstance(function.runtime, Unresolved):
            warnings.append(f"{function.key}: runtime {function.runtime.describe()}")
            continue
        name = function.runtime or ""
        known = catalog.runtime(name)
        if not name:
            failures.append(f"{function.key}: no Runtime")
        elif known is None:
            if name.startswith(("python", "nodejs")):
                warnings.append(f"{function.key}: {name} is not a runtime this doctor knows")
            else:
                warnings.append(f"{function.key}: {name} has no Momento SDK support in this tool (Python / Node.js)")
        else:
            found = lifecycle.standing(known, today)
            {"fail": failures, "warn": warnings, "pass": passes}[found.level].append(f"{function.key}: {found.text}")
    hint = f"Move to a supported runtime ({NEWEST_PYTHON} or {NEWEST_NODE}) and rebuild."
    if failures:
        return Result.fail("A function uses a deprecated runtime", hint, failures + warnings)
    if warnings:
        return Result.warn("A runtime needs attention", hint, warnings)
    return Result.ok("Supported runtimes", passes)


def timeout(ctx: DoctorContext) -> Result:
    functions = momento_functions(_functions_or_skip(ctx)) or _functions_or_skip(ctx)
    failures, warnings = [], []
    for function in functions:
        if isinstance(function.timeout, Unresolved):
            warnings.append(f"{function.key}: Timeout {function.timeout.describe()}")
        elif function.timeout < MIN_TIMEOUT_SECONDS:
            failures.append(f"{function.key}: Timeout {function.timeout:g} s")
        elif function.timeout < COMFORTABLE_TIMEOUT_SECONDS:
            warnings.append(f"{function.key}: Timeout {function.timeout:g} s")
    need = f"the client deadline ({CLIENT_DEADLINE_SECONDS:g} s) plus the secret read ({SECRET_READ_SECONDS:g} s)"
    hint = f"Set the function Timeout to at least {COMFORTABLE_TIMEOUT_SECONDS:g} s (e.g. 10)."
    if failures:
        return Result.fail(f"A function's timeout is shorter than {need}", hint, failures + warnings)
    if warnings:
        return Result.warn(f"A function's timeout leaves little room above {need}", hint, warnings)
    return Result.ok(
        f"Timeouts leave room for {need}",
        [f"{f.key}: {f.timeout} s" for f in functions],
    )


CHECKS = [
    Check("project.framework", Group.PROJECT, "Framework detected, template parses", framework),
    Check("project.runtime", Group.PROJECT, "Runtime supported", runtime),
    Check("project.timeout", Group.PROJECT, "Function timeout", timeout),
    Check("iam.secret-access", Group.PROJECT, "Functions may read the secret", secret_access),
    Check("iam.kms-decrypt", Group.PROJECT, "kms:Decrypt for a customer-managed key", kms_decrypt),
    Check("project.build-method", Group.PROJECT, "Dependencies built for Lambda", build_method),
    Check("code.client-reuse", Group.PROJECT, "Client created once, reused", client_reuse),
    Check("code.lambda-config", Group.PROJECT, "Configurations.Lambda used", lambda_configuration),
    Check("code.secret-timeouts", Group.PROJECT, "Secret read with short timeouts", secret_timeouts),
    Check("secrets.no-plaintext-key", Group.PROJECT, "No Momento key in the project", no_key_in_files),
    Check("project.no-local-override", Group.PROJECT, "MOMENTO_LOCAL not set for deploys", no_local_override),
]
