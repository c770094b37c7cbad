"""Static checks over the project's files: framework, IAM grants, build method, code, secrets, runtime."""

from __future__ import annotations

import functools
import math
import os
import re
import sys
from datetime import date
from pathlib import Path
from typing import Any

from momento_lambda_cli import catalog, contract, iam_policy
from momento_lambda_cli.doctor import keyscan, lifecycle
from momento_lambda_cli.doctor.checks._util import as_pattern, plural
from momento_lambda_cli.doctor.code_facts import Call
from momento_lambda_cli.doctor.code_index import FunctionCode
from momento_lambda_cli.doctor.context import DoctorContext, not_aws
from momento_lambda_cli.doctor.model import Check, FixRef, Group, Location, Result, SkipCheck, Status
from momento_lambda_cli.doctor.project_walk import project_files
from momento_lambda_cli.doctor.resolution import project_kms_key, secret_env_names, secret_ref
from momento_lambda_cli.errors import MomentoLambdaError
from momento_lambda_cli.frameworks import adapter_for
from momento_lambda_cli.project import esbuild
from momento_lambda_cli.project.model import Function, Project, Setting
from momento_lambda_cli.project.parse import read_head
from momento_lambda_cli.project.values import Sourced, Unresolved

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


def _unread_functions(project: Project) -> str | None:
    """Why the project's functions could not be read (Serverless ``functions: ${file(x.js):fn}``:
    JavaScript the Serverless Framework runs), or ``None``."""
    return adapter_for(project).unread_functions(project)


def _functions_or_skip(ctx: DoctorContext) -> list[Function]:
    project = ctx.project_or_skip()
    unread = _unread_functions(project)
    if unread is not None:
        raise SkipCheck(f"The functions could not be read ({unread}): see project.framework.")
    if not project.functions:
        raise SkipCheck(f"No Lambda functions in {project.config_path.name}.")
    return project.functions


_ORIGINS = (
    ("${env:", "the environment"),
    ("${file(", "a file"),
    ("${param:", "a --param option"),
)


def _setting_line(label: str, setting: Setting[str]) -> str:
    """``region eu-west-1 (from samconfig.toml ...)``; a value secret by origin (``${env:AWS_REGION}``)
    is named by its expression and where it came from, whatever its length, never by its value:
    ``region ${env:AWS_REGION} (from the environment, via serverless.yml provider.region)``."""
    value = setting.value
    if isinstance(value, Sourced):
        origins = [name for prefix, name in _ORIGINS if prefix in value.expression]
        origin = " and ".join(origins) or "outside the project's files"
        return f"{label} {value.expression} (from {origin}, via {setting.source})"
    return f"{label} {value} (from {setting.source})"


PARSE_HINT = (
    "Fix the syntax error, or finish the merge (keep one side between the <<<<<<< / ======= / "
    ">>>>>>> lines and delete the markers); the checks that read code cannot judge these files."
)


OUTSIDE_HINT = "doctor reads only files inside the project folder (a cloned project is untrusted input)."


def code_parses(ctx: DoctorContext) -> Result:
    """Every source file the functions run parses (Python: ast; JS/TS: tree-sitter's error nodes)
    and holds no merge-conflict markers; otherwise the code checks would judge nothing."""
    _functions_or_skip(ctx)
    newer = ctx.newer_python()
    unsure = [f for f in ctx.unparsed() if f.path in newer and not (f.error or "").startswith("holds merge conflict")]
    broken = [f for f in ctx.unparsed() if f not in unsure]
    if broken:
        where = [Location(_rel(ctx, f.path), f.error_line) for f in broken]
        details = [
            f"{w.file}" + (f":{w.line}" if w.line else "") + f": {f.error}" for w, f in zip(where, broken, strict=True)
        ]
        return Result.fail(
            f"{plural(len(broken), 'source file')} cannot be read as code", PARSE_HINT, details, locations=where
        )
    if unsure:
        runtime = newer[unsure[0].path]
        raise SkipCheck(
            f"{plural(len(unsure), 'source file')} of {runtime} functions do not parse with the Python running "
            f"doctor ({sys.version_info[0]}.{sys.version_info[1]}): perhaps newer syntax. "
            f"Run doctor with {runtime} to check them ({_rel(ctx, unsure[0].path)})."
        )
    outside = ctx.code_outside()
    if outside:
        # Not a finding about the project (`CodeUri: ../src` is a common layout), not a pass either.
        named = ", ".join(f"{key}: {os.path.relpath(path, ctx.project_or_skip().root)}" for key, path in outside[:3])
        raise SkipCheck(
            f"The code of {plural(len(outside), 'function')} is outside the project folder ({named}"
            f"{', ...' if len(outside) > 3 else ''}): {OUTSIDE_HINT}"
        )
    unread, other = ctx.code_unread()
    if unread:
        # Code doctor never read (`CodeUri: function.zip`, Serverless `package.artifact`) is not a pass.
        named = ", ".join(f"{key}: {why}" for key, why in unread[:3])
        raise SkipCheck(
            f"Could not tell: the source of {plural(len(unread), 'function')} was not read ({named}"
            f"{', ...' if len(unread) > 3 else ''}): doctor checks source files, not built archives or images."
        )
    if other and len(other) == len(ctx.project_or_skip().functions):
        kinds = ", ".join(sorted({what for _, what in other}))
        raise SkipCheck(
            f"No Python or Node.js function ({kinds}): doctor reads only Python and JavaScript / TypeScript source."
        )
    if other:
        kinds = ", ".join(sorted({what for _, what in other}))
        return Result.ok(
            "Every Python and Node.js function's source parses",
            [f"not read: {plural(len(other), 'function')} of other languages ({kinds})"],
        )
    return Result.ok("Every function's source parses")


def framework(ctx: DoctorContext) -> Result:
    try:
        project = ctx.project()
    except MomentoLambdaError as exc:
        return Result.fail(exc.message, exc.hint)
    adapter = adapter_for(project)
    name = adapter.framework.display_name
    files = [project.config_path.name, *(p.name for p in project.config_files if p != project.config_path)]
    runtimes = sorted({str(f.runtime or "?") for f in project.functions})
    message = f"{name} project ({', '.join(files)}), {plural(len(project.functions), 'function')}"
    if runtimes:
        message += f" ({', '.join(runtimes)})"
    settings = [
        _setting_line(label, setting)
        for label, setting in (
            (adapter.wording.stage, project.stage),
            ("region", project.region),
            ("stack", project.stack_name),
        )
        if setting.value is not None
    ]
    settings += [
        f"function {f.key}: construct {path}"
        for f in project.functions
        if (path := adapter.construct_path(project, f)) is not None
    ]
    notes = [s.note for s in (project.stage, project.region, project.stack_name) if s.note]
    if not project.is_aws:
        return Result.ok(f"{message}; {not_aws(project)}")
    oddities = list(project.problems) + [f"{f.key}: {problem}" for f in project.functions for problem in f.problems]
    unread = _unread_functions(project)
    if unread is not None:
        return Result.warn(
            f"{message.split(', 0 functions')[0]}; its functions could not be read: {unread}",
            "Write the functions in serverless.yml or a YAML / JSON file it includes with ${file()}; this "
            "doctor does not run the project's JavaScript. The checks that judge functions were skipped.",
            [o for o in oddities if not o.startswith("functions")] + notes,
        )
    if not project.functions:
        return Result.warn(message, f"Add {adapter.wording.function_where} that uses Momento.")
    if oddities:
        return Result.warn(
            f"{message}; some settings cannot be read",
            "Check these values: the deploy would fail or use something else.",
            oddities + notes,
        )
    return Result.ok(message, settings + notes)


SAMPLE_SUFFIX = "AbCdEf"
"""Secrets Manager appends six random characters to a secret's name in its ARN."""


def _momento_code(ctx: DoctorContext) -> list[FunctionCode]:
    """The functions whose code uses Momento; SkipCheck (once, with the reason) when none does."""
    _functions_or_skip(ctx)
    codes = ctx.momento_code()
    if not codes:
        raise ctx.no_momento()
    return codes


def _secret_target(ref: str) -> tuple[str, bool]:
    """(what to evaluate the grant against, whether it is a bare secret name). ARNs, ``${...}``
    placeholders and ``{{resolve:...}}`` dynamic references are compared as written."""
    if ref.startswith("arn:") or "${" in ref or "{{resolve:" in ref:
        return ref, False
    return f"{ref}-{SAMPLE_SUFFIX}", True


def _prefix_wildcard(resource: str) -> bool:
    """``secret:${SecretId}*`` / ``secret:prod/momento*``: a name followed by ``*`` grants every
    secret whose name begins with it (``prod/momento-staging``), not exactly the secret;
    ``NAME-??????`` (the random suffix) and a full ARN are exact."""
    if ":secret:" in resource:
        name = resource.split(":secret:", 1)[1]
    elif resource.startswith("arn:"):
        return False
    else:
        name = resource  # already the name part (the function reads the secret by name)
    if not name.endswith("*"):
        return False
    stem = name.rstrip("*")
    # `NAME-*` (AWS's documented name grant) is left alone: it still matches `NAME-staging-...`,
    # but it is common and deliberate; a bare `NAME*` also matches `NAMEstaging`, `NAME2`...
    return bool(stem) and not stem.endswith(("?", "-", "*", "/"))


def _name_part(resource: str) -> str:
    """``momento/demo/api-key-*`` from a secret ARN pattern (a function reads the secret by name)."""
    return resource.split(":secret:", 1)[1] if ":secret:" in resource else resource


def _env_key_vars(code: FunctionCode) -> list[str]:
    names = [name for facts in code.files for _line, name, _how in facts.env_keys]
    return list(dict.fromkeys(names))


def secret_access(ctx: DoctorContext) -> Result:
    codes = _momento_code(ctx)
    failures, warnings, passes, elsewhere = [], [], [], []
    for code in codes:
        function = code.function
        names = secret_env_names([code])
        shown = secret_ref(function, names)
        if shown is None:
            literal = next((r.literal for f in code.files for r in f.secret_reads if r.literal), None)
            if literal:
                shown = literal
            elif names:
                warnings.append(
                    f"{function.key}: its code reads the secret named by {names[0]}, which its environment does not "
                    "set (the read fails if that code runs)"
                )
                continue
            elif code.readable and not any(f.secret_reads for f in code.files):
                keys = _env_key_vars(code)
                elsewhere.append(f"{function.key} (key from {keys[0]})" if keys else function.key)
                continue
            elif not code.readable:
                elsewhere.append(f"{function.key}: {code.unread}")
                continue
            else:
                warnings.append(
                    f"{function.key}: its code reads a secret, but neither its environment "
                    f"({contract.ENV_SECRET_ARN} or the variable the code reads) nor the code names which"
                )
                continue
        target, by_name = _secret_target(shown)
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
        prefixed = sorted({r for s in evaluation.matched for r in s.resources if _prefix_wildcard(r)})
        if broad:
            warnings.append(f"{function.key}: over-broad grant ({'; '.join(sorted(set(broad)))})")
        elif prefixed:
            warnings.append(
                f"{function.key}: over-broad grant (Resource {prefixed[0]} also matches every secret whose name "
                "begins with that name; Secrets Manager's own suffix is -?????? (six characters))"
            )
        else:
            passes.append(f"{function.key}: GetSecretValue on {shown}")
    hint = adapter_for(ctx.project_or_skip()).wording.grant_hint
    if failures:
        return Result.fail(
            f"{plural(len(failures), 'function')} cannot read the Momento secret", hint, failures + warnings
        )
    if warnings:
        message = (
            "The secret is readable, but the grant is broader than it needs to be (not exactly the secret)"
            if all("over-broad" in w for w in warnings)
            else "A function may not be able to read the Momento secret"
        )
        return Result.warn(message, hint, warnings)
    if not passes:
        return Result.skip(
            f"No Momento function reads a secret from Secrets Manager ({', '.join(elsewhere)}; see secret.no-plaintext-key)."
        )
    return Result.ok(f"{plural(len(passes), 'function')} may read exactly the secret", passes)


def kms_decrypt(ctx: DoctorContext) -> Result:
    project = ctx.project_or_skip()
    key = project_kms_key(project)
    if not key:
        return Result.skip("No customer-managed KMS key is configured for the secret: no kms:Decrypt grant is needed.")
    codes = _momento_code(ctx)
    missing = []
    for code in codes:
        statements = [s.with_resources(as_pattern) for s in code.function.statements]
        if not iam_policy.evaluate(statements, "kms:Decrypt", key).allowed:
            missing.append(f"{code.function.key}: no kms:Decrypt on {key}")
    if missing:
        hint = adapter_for(project).wording.kms_grant_hint
        return Result.fail(
            "A KMS key is configured for the secret, but the functions may not decrypt with it", hint, missing
        )
    return Result.ok(f"kms:Decrypt granted on {key}")


def build_method(ctx: DoctorContext) -> Result:
    project = ctx.project_or_skip()
    codes = _momento_code(ctx)
    python = [c.function for c in codes if c.function.is_python]
    if not python:
        return Result.skip(
            "No Python function uses Momento: @gomomento/sdk is pure JavaScript, any build machine works."
        )
    arches = {str(f.architecture) for f in python}
    problems: list[str] = []
    how, early = adapter_for(project).python_build_check(project, arches, problems)
    if early is not None:
        return early
    answers_arch = (project.answers or {}).get("architecture")
    if answers_arch and answers_arch not in arches:
        problems.append(f".momento-lambda.json says {answers_arch}, the template says {', '.join(sorted(arches))}")
    if len(arches) > 1 and adapter_for(project).shares_one_python_build:
        problems.append(f"functions use different architectures ({', '.join(sorted(arches))})")
    if problems:
        return Result.fail(
            "The build targets a different CPU than the functions run on",
            "Make the architecture agree everywhere.",
            problems,
        )
    return Result.ok(f"Built for Lambda ({how}; {', '.join(sorted(arches))})")


def sam_python_build(project: Project, arches: set[str], problems: list[str]) -> tuple[str, Result | None]:
    """SAM: a container build, or a Makefile installing for Lambda's platform."""
    cpu = catalog.LAMBDA_CPU
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
        return "", Result.warn(
            "sam build runs without a container: packages without a manylinux wheel get compiled for this machine",
            "Set `use_container = true` under [default.build.parameters] in samconfig.toml "
            "(or `sam build --use-container`); build.binaries checks the result.",
        )
    image = str(project.build.build_image or "")
    if image:
        for arch in arches:
            if ("arm64" in image and arch == "x86_64") or ("x86_64" in image and arch == "arm64"):
                problems.append(f"build_image {image} does not match architecture {arch}")
    return how, None


def sls_python_build(project: Project, arches: set[str], problems: list[str]) -> tuple[str, Result | None]:
    """Serverless: serverless-python-requirements in Docker, or pip told Lambda's platform."""
    cpu = catalog.LAMBDA_CPU
    dockerize = project.build.dockerize_pip
    extra = " ".join(project.build.pip_extra_args or [])
    platform_args = re.findall(r"--platform[ =](\S+)", extra)
    plugins = project.build.plugins or []
    if "serverless-python-requirements" not in plugins:
        return "", Result.fail(
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
        return "", Result.fail(
            "Python dependencies are built on this machine: grpcio will not load on Lambda when built on macOS, Windows or a different CPU",
            "Set custom.pythonRequirements.dockerizePip: true in serverless.yml.",
        )
    return how, None


# --- code -----------------------------------------------------------------------------------

PY_REUSE_HINT = (
    "Python: create the client once, at module scope or in a get_momento_client() accessor that keeps it "
    "in a module-level variable (`global _client`), and call that from the handler."
)
NODE_REUSE_HINT = (
    "Node.js: create the client once, outside the handler (`let client; function getClient() "
    "{ client ??= CacheClient.create({...}); return client; }`), and await it in the handler."
)
PRESET_REASONS = {
    "Laptop": "made for a developer's machine (long deadlines, keepalive pings that fail while Lambda freezes the function)",
    "InRegion": "made for long-running servers in AWS (keepalive pings that fail while Lambda freezes the function)",
    "Browser": "made for browsers",
    "Mobile": "made for mobile apps",
}


def _rel(ctx: DoctorContext, path: Path) -> str:
    """``path`` as shown: relative to the project folder when inside it."""
    return _relative(path, ctx.project_or_skip().root)


@functools.lru_cache(maxsize=4096)
def _relative(path: Path, root: Path) -> str:
    resolved = root.resolve()
    return path.relative_to(resolved).as_posix() if path.is_relative_to(resolved) else path.as_posix()


def _hint_for(lines: list[str], python: str, node: str) -> str:
    """The hints for the languages of the files ``lines`` (``path line N: ...``) name."""
    languages = {"python" if line.split(" ", 1)[0].rstrip(":").endswith(".py") else "node" for line in lines}
    return " ".join(h for lang, h in (("python", python), ("node", node)) if lang in languages)


def client_reuse(ctx: DoctorContext) -> Result:
    codes = _momento_code(ctx)
    problems: dict[str, str] = {}
    creators: list[str] = []
    unreadable: list[str] = []
    for code in codes:
        once = {c.name for f in code.files for c in f.calls if c.kept}
        per_call: dict[str, Call] = {}
        for facts in code.files:
            for call in facts.calls:
                if not call.kept and call.function is not None:
                    per_call.setdefault(call.name, call)
        for facts in code.files:
            rel = _rel(ctx, facts.path)
            if facts.error:
                unreadable.append(f"{rel}: {facts.error}")
            for creation in facts.creations:
                creators.append(rel)
                if creation.kept or creation.function is None:
                    continue
                where = f"{rel} line {creation.line}"
                if facts is code.handler and creation.function == code.handler_name:
                    problems[where] = f"{where}: {creation.what} inside the handler `{code.handler_name}`"
                elif creation.function in once:
                    continue
                elif (caller := per_call.get(creation.function)) is not None:
                    problems[where] = (
                        f"{where}: {creation.what} in `{creation.function}()`, which runs on every call "
                        f"(called from `{caller.function}` line {caller.line}) and does not keep it"
                    )
    if problems:
        return Result.fail(
            "The Momento client is created per invocation: every call pays a new TLS connection (~100 ms)",
            _hint_for(list(problems.values()), PY_REUSE_HINT, NODE_REUSE_HINT),
            sorted(problems.values()),
        )
    if not creators:
        unread = [f"{c.function.key}: {c.unread}" for c in codes if c.unread]
        if unread:
            return Result.skip(f"No Momento client construction found ({'; '.join(unread)}).")
        names = ", ".join(c.function.key for c in codes)
        return Result.skip(f"No Momento client construction in the code of {names} (it may come from a package).")
    return Result.ok(
        f"Client created once per execution environment ({', '.join(sorted(set(creators)))})", sorted(unreadable)
    )


def lambda_configuration(ctx: DoctorContext) -> Result:
    """Presets are judged where they are written (a layer's ``Configurations.Laptop`` is reported
    on the layer, not on every handler that calls it); a Node.js construction without any
    ``configuration`` is reported where it is."""
    codes = _momento_code(ctx)
    users: set[str] = set()
    others: dict[str, str] = {}
    builders: set[str] = set()
    for code in codes:
        if not any(f.creations for f in code.files):
            continue
        builders.update(_rel(ctx, f.path) for f in code.files if f.creations)
        for facts in code.files:
            rel = _rel(ctx, facts.path)
            presets = {p for _line, p in facts.presets}
            if "Lambda" in presets:
                users.add(rel)
            for preset in sorted(presets - {"Lambda"}):
                reason = PRESET_REASONS.get(preset, "not the Lambda preset")
                others[f"{rel}:{preset}"] = f"{rel}: Configurations.{preset}, {reason}"
            for line in facts.unconfigured:
                what = next((c.what for c in facts.creations if c.line == line), "new CacheClient")
                default = (
                    "Configurations.Laptop" if "CacheClient" in what else "its default preset, not one made for Lambda"
                )
                others[f"{rel}:{line}"] = (
                    f"{rel} line {line}: {what} without a configuration (the SDK then uses {default})"
                )
            wrappers = [c for c in facts.creations if c.what.endswith("from_client_params")]
            if wrappers and not presets:
                others[f"{rel}:wrapper"] = f"{rel}: {wrappers[0].what} without a configuration (Laptop by default)"
    if others:
        return Result.warn(
            "The Momento client is not configured for Lambda",
            "Use Configurations.Lambda.latest(), the preset for Lambda: short deadlines and no keepalive pings "
            "while the function is frozen.",
            sorted(others.values()),
        )
    if not users and builders:
        return Result.skip(
            f"The Momento clients built in {', '.join(sorted(builders))} name no Configurations preset this "
            "check can read (the configuration may come from another module or package)."
        )
    if not users:
        return Result.skip("No Momento client construction found in the functions' code.")
    return Result.ok(f"Every Momento client uses the Lambda preset ({', '.join(sorted(users))})")


PY_TIMEOUT_HINT = (
    "Python: boto3.client('secretsmanager', config=Config(connect_timeout=1, read_timeout=1, "
    "retries={'total_max_attempts': 2})) (Powertools: SecretsProvider(boto_config=Config(...)))."
)
NODE_TIMEOUT_HINT = (
    "Node.js: new SecretsManagerClient({requestHandler: {connectionTimeout: 1000, requestTimeout: 1000, "
    "throwOnRequestTimeout: true}, maxAttempts: 2}) (Powertools: new SecretsProvider({awsSdkV3Client: that client}))."
)


def _older_request_handler(ctx: DoctorContext, function: Function, cache: dict[Path, str | None]) -> str | None:
    """``"@smithy/node-http-handler 2.1.0 (package-lock.json)"`` when the function's folders (its
    own first, then the project's) install or lock a handler older than 4.4.0, whose
    ``requestTimeout`` still rejects; else ``None`` (not known: the next install takes the newest)."""
    from momento_lambda_cli.doctor import js_facts
    from momento_lambda_cli.doctor.checks.sdk import _npm_versions
    from momento_lambda_cli.doctor.sdk_versions import parse_version

    root = ctx.project_or_skip().root
    for folder in [*function.code_dirs, root]:
        if folder not in cache:
            found = _npm_versions(folder, [js_facts.WARN_ONLY_HANDLER], root).get(js_facts.WARN_ONLY_HANDLER)
            cache[folder] = None
            if found is not None:
                version, where = found
                parsed = parse_version(version)
                older = parsed is not None and parsed < js_facts.WARN_ONLY_SINCE
                cache[folder] = f"{js_facts.WARN_ONLY_HANDLER} {version} ({where})" if older else ""
        if cache[folder] is not None:
            return cache[folder] or None  # the nearest folder that names a version decides
    return None


def secret_timeouts(ctx: DoctorContext) -> Result:
    codes = _momento_code(ctx)
    problems: dict[str, str] = {}
    good: set[str] = set()
    handlers: dict[Path, str | None] = {}
    for code in codes:
        for facts in code.files:
            rel = _rel(ctx, facts.path)
            for client in facts.secrets_clients:
                older = (
                    _older_request_handler(ctx, code.function, handlers)
                    if client.problem is not None and "throwOnRequestTimeout" in client.problem
                    else None
                )
                if client.timeouts or older is not None:
                    good.add(rel if older is None else f"{rel} with {older}")
                elif client.problem is not None:
                    problems[rel + str(client.line)] = f"{rel} line {client.line}: {client.how}: {client.problem}"
                elif client.how.startswith("Powertools"):
                    problems[rel + str(client.line)] = (
                        f"{rel} line {client.line}: {client.how} with Powertools' default client "
                        "(no connect/read timeouts: the AWS SDK default is 60 s or more)"
                    )
                else:
                    what = "connect_timeout/read_timeout" if facts.language == "python" else "a requestHandler timeout"
                    problems[rel + str(client.line)] = (
                        f"{rel} line {client.line}: {client.how} without {what} (the SDK default is 60 s or more)"
                    )
    if problems:
        return Result.warn(
            "The secret is read without short timeouts: a network hiccup can eat the whole function timeout",
            _hint_for(list(problems.values()), PY_TIMEOUT_HINT, NODE_TIMEOUT_HINT),
            sorted(problems.values()),
        )
    if not good:
        return Result.skip("No Secrets Manager client in the Momento functions' code (the key comes from elsewhere).")
    return Result.ok(f"Secrets Manager clients set their own connect and read timeouts ({', '.join(sorted(good))})")


def awaited_calls(ctx: DoctorContext) -> Result:
    codes = [c for c in _momento_code(ctx) if c.function.is_node]
    if not codes:
        return Result.skip("No Node.js function uses Momento.")
    if not any(code.files for code in codes):
        unread = sorted({f"{code.function.key}: {code.unread or 'no source file found'}" for code in codes})
        return Result.skip(
            "No Node.js function's code was read: nothing to judge ("
            + "; ".join(unread[:3])
            + (f"; {len(unread) - 3} more" if len(unread) > 3 else "")
            + ")"
        )
    dropped: dict[str, str] = {}
    newest = False
    for code in codes:
        for facts in code.files:
            rel = _rel(ctx, facts.path)
            for line, call in facts.unawaited:
                dropped[f"{rel}:{line}"] = f"{rel} line {line}: {call}(...) is not awaited"
                newest = newest or code.function.runtime_name >= "nodejs24.x"
    if not dropped:
        return Result.ok("Every Momento call in the handlers' code is awaited or returned")
    message = "A Momento call's promise is dropped: the function can return (and freeze) before it is sent"
    hint = "Await every Momento call (`await client.set(...)`), or collect the promises and `await Promise.all(...)`."
    if newest:
        return Result.fail(message + " (nodejs24.x no longer waits for the event loop)", hint, sorted(dropped.values()))
    return Result.warn(message, hint, sorted(dropped.values()))


def esm_require(ctx: DoctorContext) -> Result:
    """A Node.js function that uses Momento and is bundled by esbuild as an ES module needs a
    banner that defines ``require``: the SDK's CommonJS dependencies call it, and an ES module
    bundle fails to load without it ('Dynamic require of "process" is not supported')."""
    codes = [c for c in _momento_code(ctx) if c.function.is_node]
    project = ctx.project_or_skip()
    bundles = [(c.function, esbuild.bundle(project, c.function)) for c in codes]
    esm = [(f, b) for f, b in bundles if b is not None and b.esm]
    if not esm:
        return Result.skip("No Node.js function that uses Momento is bundled by esbuild as an ES module.")
    missing = [f"{f.key}: no banner defines require ({b.where})" for f, b in esm if not b.defines_require]
    if missing:
        return Result.fail(
            "An ES module bundle has no `require`: @gomomento/sdk fails to load on Lambda "
            "('Dynamic require of \"process\" is not supported')",
            f'Add the banner `js: {esbuild.BANNER}` (SAM: `Banner: ["js=..."]` under BuildProperties; '
            "serverless-esbuild: `banner.js` under custom.esbuild), or run `momento-lambda doctor --fix`.",
            missing,
        )
    return Result.ok("ES module bundles define require for the SDK", [f"{f.key}: banner at {b.where}" for f, b in esm])


# --- secrets in files -----------------------------------------------------------------------


def no_key_in_files(ctx: DoctorContext) -> Result:
    project = ctx.project_or_skip()
    findings: list[str] = []
    index = ctx.code()
    key_vars = {contract.API_KEY_FIELD, contract.LEGACY_TOKEN_FIELD}
    read_keys: set[str] = set()
    unset: list[str] = []
    logged: set[str] = set()
    for function in project.functions:
        code = index.function(function)
        read_as_key = {name: how for facts in code.files for _line, name, how in facts.env_keys}
        for name, value in function.environment.items():
            kinds = keyscan.find_keys(value) if isinstance(value, str) else []
            if kinds:
                findings.append(f"{function.key}: environment variable {name} holds a Momento {kinds[0]}")
            elif (name in key_vars or name in read_as_key) and str(value):
                findings.append(f"{function.key}: {_key_variable(project, function, name, read_as_key.get(name))}")
        for name, how in read_as_key.items():
            if name not in function.environment and code.readable:
                unset.append(
                    f"{function.key}: its code reads the key from {name} ({how}), which {project.config_path.name} "
                    "never sets: set by hand in the console (the key in plain text in the function's "
                    "configuration), or the function fails"
                )
        # A log call or a parameter is the *Momento* key only in code that uses Momento (elsewhere
        # `print(secret)` is some other secret: not this tool's finding).
        for facts in code.files if code.uses_momento else ():
            for line, call in facts.key_logs:
                logged.add(
                    f"{_relative(facts.path, project.root)} line {line}: {call} writes the Momento key (or the "
                    "secret) to CloudWatch Logs"
                )
        read_keys.update(read_as_key)
    findings.extend(sorted(logged))
    if "serverless-dotenv-plugin" in (project.build.plugins or []):
        for env_file, name in sorted(_dotenv_keys(project.root, key_vars | read_keys)):
            findings.append(f"serverless-dotenv-plugin puts {name} from {env_file} into every function's environment")
    for name, value in project.parameters.items():
        if isinstance(value, str) and keyscan.find_keys(value):
            findings.append(f"parameter {name} holds a Momento key")
    if ctx.momento_code():
        findings.extend(_echoed_key_parameters(project, set(secret_env_names(ctx.momento_code()))))
    budget = MAX_SCANNED_BYTES
    listed = project_files(project.root)
    ignored: list[tuple[str, bool]] = []
    if "serverless-dotenv-plugin" not in (project.build.plugins or []):
        ignored = _ignored_env_keys(project, set(listed), key_vars | read_keys)
    for path in listed:
        data = read_head(path, min(MAX_FILE_SCANNED_BYTES, budget), project.root)
        if not data:
            continue
        budget -= len(data)
        if budget <= 0:
            break
        text = data.decode("utf-8", errors="ignore")
        kinds = keyscan.find_keys(text)
        if kinds:
            findings.append(f"{path.relative_to(project.root).as_posix()}: contains a Momento {kinds[0]}")
    hint = (
        "Remove it, revoke it in the Momento console, and store a new one with `momento-lambda store-token` "
        "(it goes to Secrets Manager; functions get only the secret's ARN)."
    )
    if findings:
        return Result.fail(
            "A Momento API key is in the project (it would be committed, deployed or logged)",
            hint,
            sorted(set(findings)) + [line for line, _ in ignored],
        )
    if unset:
        return Result.warn(
            "A function reads the Momento key from an environment variable its template never sets",
            "Read the key from Secrets Manager (`momento-lambda add` wires it; `store-token` stores the key), "
            "or set the variable from a NoEcho parameter or a secret reference in the template.",
            sorted(unset) + [line for line, _ in ignored],
        )
    if ignored:
        packaged = any(p for _, p in ignored)
        return Result.warn(
            "A git-ignored file holds a Momento API key: not committed"
            + (", but it goes into a deployment package" if packaged else ", not packaged"),
            "Keep the key out of the folders the deploy tool packages (or exclude the file), and let functions "
            "read it from Secrets Manager (`momento-lambda store-token`)."
            if packaged
            else None,
            [line for line, _ in ignored],
        )
    return Result.ok("No Momento key in environment variables, parameters or project files")


KEY_PARAMETER = re.compile(r"(?i)momento.*(key|token)|(api|auth)_?(key|token)")
"""A template parameter named for the Momento key (``MomentoApiKey``, ``MomentoAuthToken``, ``ApiKey``)."""
NOT_A_KEY_PARAMETER = re.compile(
    r"(?i)(arn|name|id|secret|ssm|path|param(eter)?|required|enabled|disabled|flag|type|source|length|count)$"
)
"""...unless it names an identifier or a switch (``MomentoSecretArn``, ``ApiKeyRequired``)."""
SWITCH_VALUES = {"true", "false", "yes", "no", "enabled", "disabled", "on", "off"}


def _is_switch(spec: dict[str, Any]) -> bool:
    """A parameter that can only be a number or a yes / no choice cannot carry a key."""
    allowed = spec.get("AllowedValues")
    if isinstance(allowed, list) and allowed and all(str(v).lower() in SWITCH_VALUES for v in allowed):
        return True
    return str(spec.get("Type", "")).strip() == "Number"


def _momento_secrets(resources: dict[str, Any], functions: list[Function], secret_vars: set[str]) -> set[str]:
    """Logical ids of the secrets that hold the Momento key: named for Momento (logical id or
    ``Name``), or referenced from a function's variable named for Momento or that the Momento
    code reads its secret from (``MOMENTO_SECRET_ARN: !Ref Secret``, ``secret_vars``)."""
    found = set()
    for logical_id, resource in resources.items():
        if not isinstance(resource, dict) or resource.get("Type") != "AWS::SecretsManager::Secret":
            continue
        properties = resource.get("Properties")
        name = properties.get("Name") if isinstance(properties, dict) else None
        if "momento" in f"{logical_id} {name if isinstance(name, str) else ''}".lower():
            found.add(logical_id)
    for function in functions:
        for var, value in function.environment_source.items():
            ref = value.get("Ref") if isinstance(value, dict) else None
            if isinstance(ref, str) and ref in resources and ("MOMENTO" in str(var).upper() or var in secret_vars):
                found.add(ref)
    return found


def _echoed_key_parameters(project: Project, secret_vars: set[str]) -> list[str]:
    """SAM / CloudFormation parameters that carry the key (named for it, or put into a secret's
    ``SecretString`` or a key variable) without ``NoEcho: true``: CloudFormation shows their
    value in the console, ``describe-stacks`` and change sets."""
    if not adapter_for(project).template_is_cloudformation:
        return []
    parameters = project.document.get("Parameters")
    if not isinstance(parameters, dict):
        return []
    resources = project.document.get("Resources")
    resources = resources if isinstance(resources, dict) else {}
    momento_secrets = _momento_secrets(resources, project.functions, secret_vars)
    feeds_key: set[str] = set()
    for logical_id, resource in resources.items():
        properties = resource.get("Properties") if isinstance(resource, dict) else None
        if not isinstance(properties, dict):
            continue
        secret = properties.get("SecretString")
        # a parameter put into some other secret (a database password) is not the Momento key
        if isinstance(secret, dict) and isinstance(secret.get("Ref"), str) and logical_id in momento_secrets:
            feeds_key.add(secret["Ref"])
        environment = properties.get("Environment")
        variables = environment.get("Variables") if isinstance(environment, dict) else None
        for var, value in (variables or {}).items() if isinstance(variables, dict) else ():
            key_var = var in {contract.API_KEY_FIELD, contract.LEGACY_TOKEN_FIELD}
            if key_var and isinstance(value, dict) and isinstance(value.get("Ref"), str):
                feeds_key.add(value["Ref"])
    found = []
    for name, spec in parameters.items():
        if not isinstance(spec, dict) or str(spec.get("NoEcho", "")).lower() == "true" or _is_switch(spec):
            continue
        named = bool(KEY_PARAMETER.search(str(name))) and not NOT_A_KEY_PARAMETER.search(str(name))
        if named or name in feeds_key:
            found.append(
                f"{project.config_path.name}: parameter {name} carries the Momento key without NoEcho: true "
                "(CloudFormation shows its value in the console and describe-stacks)"
            )
    return found


ENV_FILE_EXAMPLES = (".example", ".sample", ".template", ".dist")


def _ignored_env_keys(project: Project, listed: set[Path], names: set[str]) -> list[tuple[str, bool]]:
    """(line, packaged) per git-ignored ``.env`` / ``.env.<x>`` file (project root and the
    functions' code folders) that holds a Momento key: whether the deploy tool packages it."""
    folders = list(dict.fromkeys([project.root, *(d for f in project.functions for d in f.code_dirs)]))
    found: list[tuple[str, bool]] = []
    seen: set[Path] = set()
    for folder in folders:
        try:
            candidates = sorted(
                p
                for p in folder.iterdir()
                if (p.name == ".env" or p.name.startswith(".env.")) and not p.name.endswith(ENV_FILE_EXAMPLES)
            )
        except OSError:
            continue
        for path in candidates:
            if path in seen or path in listed or not path.is_file():
                continue
            seen.add(path)
            text = (read_head(path, 256 * 1024, project.root) or b"").decode("utf-8", "replace")
            if not (keyscan.find_keys(text) or _dotenv_names(text, names)):
                continue
            shown = path.relative_to(project.root).as_posix() if path.is_relative_to(project.root) else str(path)
            packaged, why = _packaged(project, path)
            found.append((f"{shown}: holds a Momento key; git ignores it (not committed); {why}", packaged))
    return found


def _dotenv_names(text: str, names: set[str]) -> set[str]:
    """The variables of ``names`` a dotenv text gives a value."""
    found = set()
    for line in text.splitlines():
        variable, _, value = line.removeprefix("export ").partition("=")
        if variable.strip() in names and value.strip():
            found.add(variable.strip())
    return found


def _packaged(project: Project, path: Path) -> tuple[bool, str]:
    """Whether the deploy tool puts ``path`` (a .env file) into a deployment package, and why."""
    return adapter_for(project).packages_file(project, path)


def sam_packaged(project: Project, path: Path) -> tuple[bool, str]:
    """SAM packages each function's CodeUri."""
    owners = [
        f for f in project.functions if any(d == path.parent or path.parent.is_relative_to(d) for d in f.code_dirs)
    ]
    if not owners:
        return False, "no function's CodeUri holds it, so SAM does not package it"
    keys = ", ".join(sorted(f.key for f in owners))
    if path.name == ".env" and all(f.is_python and not f.build_method for f in owners):
        return False, (
            f"it is in the CodeUri of {keys}: `sam build` leaves .env out (the Python builder excludes it), "
            "but a deploy without `sam build` zips the folder as it is"
        )
    return True, f"it is in the CodeUri of {keys}, so SAM packages it with that code"


def sls_packaged(project: Project, path: Path) -> tuple[bool, str]:
    """The Serverless Framework packages the service folder, less its patterns."""
    if project.document.get("useDotenv") is True:
        return False, "useDotenv: true, so the Serverless Framework leaves .env* files out of the package"
    if _excluded_by_patterns(project, path):
        return False, "package.patterns leaves it out of the package"
    return True, (
        "the Serverless Framework packages it: only .git, .gitignore, .serverless and the config file are left out "
        "by default (.env* too with useDotenv: true), or what package.patterns excludes with `!`"
    )


def _excluded_by_patterns(project: Project, path: Path) -> bool:
    """``package.patterns`` (or the older ``package.exclude``) of the service leaves ``path`` out."""
    from pathspec import GitIgnoreSpec

    package = project.document.get("package")
    if not isinstance(package, dict):
        return False
    patterns = [str(p)[1:] for p in package.get("patterns") or [] if str(p).startswith("!")]
    patterns += [str(p) for p in package.get("exclude") or []]
    if not patterns:
        return False
    try:
        return bool(GitIgnoreSpec.from_lines(patterns).match_file(path.relative_to(project.root).as_posix()))
    except Exception:
        return False


def _key_variable(project: Project, function: Function, name: str, read_by: str | None) -> str:
    """Why an environment variable that holds the key is a finding (where its value comes from)."""
    source = function.environment_source.get(name)
    ref = source.get("Ref") if isinstance(source, dict) else None
    why = f"environment variable {name}" + (f" (read as the key with {read_by})" if read_by else "")
    if isinstance(ref, str):
        declared = (project.document.get("Parameters") or {}).get(ref)
        no_echo = isinstance(declared, dict) and str(declared.get("NoEcho")).lower() == "true"
        where = f"is set from parameter {ref}" + ("" if no_echo else " (no NoEcho: CloudFormation shows the value)")
        return f"{why} {where}; the key is readable in the function's configuration"
    if isinstance(source, str) and "${" in source:
        return f"{why} is set from `{source}`; the key is readable in the function's configuration"
    return f"{why} holds the key in the function's configuration"


def _dotenv_keys(root: Path, names: set[str]) -> set[tuple[str, str]]:
    """(file, variable) for the key variables a ``.env`` / ``.env.<stage>`` file next to
    serverless.yml defines (examples and templates left out)."""
    found: set[tuple[str, str]] = set()
    try:
        candidates = [
            p
            for p in root.iterdir()
            if (p.name == ".env" or p.name.startswith(".env."))
            and not p.name.endswith((".example", ".sample", ".template", ".dist"))
        ]
    except OSError:
        return found
    for path in candidates:
        data = read_head(path, 256 * 1024, root) or b""
        for line in data.decode("utf-8", "replace").splitlines():
            variable = line.removeprefix("export ").partition("=")[0].strip()
            if variable in names and line.partition("=")[2].strip():
                found.add((path.name, variable))
    return found


def no_local_override(ctx: DoctorContext) -> Result:
    project = ctx.project_or_skip()
    found = [
        f"{f.key}: {contract.ENV_LOCAL_OVERRIDE}={f.environment[contract.ENV_LOCAL_OVERRIDE]}"
        for f in project.functions
        if f.environment.get(contract.ENV_LOCAL_OVERRIDE)
    ]
    if found:
        local = adapter_for(project).wording.local_invoke
        return Result.fail(
            f"{contract.ENV_LOCAL_OVERRIDE} is set in the template: deployed functions would talk to a local server",
            f"Remove {contract.ENV_LOCAL_OVERRIDE} from the template's environment; set it only in local runs ({local}).",
            found,
        )
    return Result.ok(f"{contract.ENV_LOCAL_OVERRIDE} is not set for deploys")


def runtime(ctx: DoctorContext) -> Result:
    functions = _functions_or_skip(ctx)
    momento = {code.function.key for code in ctx.momento_code()}
    today = TODAY()
    failures: list[str] = []
    warnings: list[str] = []
    passes: list[str] = []
    moves: dict[str, str] = {}
    """Runtime that needs attention -> the runtime to move to."""
    for function in functions:
        if isinstance(function.runtime, Unresolved):
            warnings.append(f"{function.key}: runtime {function.runtime.describe()}")
            continue
        name = function.runtime or ""
        if not name:
            if function.is_image:
                passes.append(f"{function.key}: container image (no managed runtime: its base image decides)")
            else:
                failures.append(f"{function.key}: no Runtime")
            continue
        found = lifecycle.standing(name, today)
        if found is None:
            warnings.append(f"{function.key}: {name} is not a Lambda runtime this doctor knows")
        else:
            {"fail": failures, "warn": warnings, "pass": passes}[found.level].append(f"{function.key}: {found.text}")
            if found.level != "pass":
                fixable = lifecycle.replacement(name, today)
                fixes = adapter_for(ctx.project_or_skip()).reads("doctor --fix")
                moves[name] = (
                    (fixable + (" (`doctor --fix` writes it)" if fixes else "")) if fixable else _successor(name)
                )
        if function.key in momento and not (function.is_python or function.is_node):
            warnings.append(f"{function.key}: {name} has no Momento SDK support in this tool (Python / Node.js)")
    hint = None
    if moves:
        targets = [f"{old} to {new}" for old, new in sorted(moves.items()) if new]
        hint = f"Move {_and(targets)}, then rebuild." if targets else "Move to a supported runtime, then rebuild."
    elif warnings:
        setting = adapter_for(ctx.project_or_skip()).wording.runtime_setting
        hint = f"Set {setting} to a runtime Lambda supports."
    if failures:
        return Result.fail("A function uses a deprecated runtime", hint, failures + warnings)
    if warnings:
        return Result.warn("A runtime needs attention", hint, warnings)
    return Result.ok("Supported runtimes", passes)


def _successor(name: str) -> str:
    """cfn-lint's successor (the newest of its language), when no runtime of the language lasts
    (see :func:`lifecycle.replacement`, which the check and ``--fix`` share)."""
    dates = catalog.lifecycle(name)
    return dates.successor or "" if dates else ""


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def timeout(ctx: DoctorContext) -> Result:
    codes = _momento_code(ctx)
    index = ctx.code()
    functions = [c.function for c in codes]
    failures, warnings = [], []
    comfortable = CLIENT_DEADLINE_SECONDS + 2.0
    for code in codes:
        function = code.function
        secret = index.reads_secret(code)
        minimum = CLIENT_DEADLINE_SECONDS + (SECRET_READ_SECONDS if secret else 0.0)
        comfortable = max(comfortable, minimum + 2.0)
        needs = f"needs {minimum:g} s: the client deadline" + (" and the secret read" if secret else "")
        if not code.readable and not secret:
            needs += f"; {code.unread}, and nothing in the template shows a secret read"
        if isinstance(function.timeout, Unresolved):
            warnings.append(f"{function.key}: Timeout {function.timeout.describe()}")
        elif function.timeout < minimum:
            failures.append(f"{function.key}: Timeout {function.timeout:g} s ({needs})")
        elif function.timeout < minimum + 2.0:
            warnings.append(f"{function.key}: Timeout {function.timeout:g} s ({needs})")
    need = (
        f"the Momento client deadline ({CLIENT_DEADLINE_SECONDS:g} s), plus the secret read "
        f"({SECRET_READ_SECONDS:g} s) on a cold start when the function reads one"
    )
    # Lambda timeouts are whole seconds: advise one that can be written
    fixes = "; `doctor --fix` writes 10" if adapter_for(ctx.project_or_skip()).reads("doctor --fix") else ""
    hint = f"Set the function Timeout to at least {math.ceil(comfortable)} s (e.g. 10{fixes})."
    if failures:
        return Result.fail("A function's timeout is shorter than a Momento call needs", hint, failures + warnings)
    if warnings:
        return Result.warn("A function's timeout leaves little room for a Momento call", hint, warnings)
    return Result.ok(
        f"Timeouts leave room for {need}",
        [f"{f.key}: {f.timeout} s" for f in functions],
    )


SNAPSTART_HOOKS_HINT = (
    "Register SnapStart runtime hooks with snapshot_restore_py (pip install snapshot-restore-py): "
    "register_before_snapshot(f) where f closes the Momento client (client.__exit__(None, None, None)) and "
    "drops it, register_after_restore(g) where g re-reads the secret and builds a new client "
    "(as src/momento_client.py of `momento-lambda new --snapstart` does)."
)


def snapstart_hooks(ctx: DoctorContext) -> Result:
    """A SnapStart function that uses Momento must drop its connection before the snapshot and
    rebuild it (with a fresh read of the secret) after each restore; and the project's region
    must have SnapStart (a warning: the deploy fails there)."""
    snapped = [f for f in _functions_or_skip(ctx) if f.snapstart]
    if not snapped:
        return Result.skip("No function has SnapStart on (SnapStart.ApplyOn: PublishedVersions / snapStart: true).")
    result = _snapstart_hooks(ctx, snapped)
    region = ctx.project_or_skip().region
    if region.known is None or region.known in catalog.SNAPSTART_REGIONS:
        return result
    problem = (
        f"Region {region.known} (from {region.source}) has no Lambda SnapStart: deploying "
        f"{', '.join(f.key for f in snapped)} there fails"
    )
    hint = "Deploy to a region with SnapStart (e.g. us-east-1, eu-west-1), or turn SnapStart off."
    if result.status is Status.FAIL:
        return Result.fail(result.message, f"{result.hint} {hint}", [*result.details, problem])
    return Result.warn(f"{problem}.", hint, result.details)


def _snapstart_hooks(ctx: DoctorContext, snapped: list[Function]) -> Result:
    codes = {code.function.key: code for code in ctx.momento_code()}
    users = [f for f in snapped if f.key in codes]
    if not users:
        return Result.skip(f"No SnapStart function uses Momento ({', '.join(f.key for f in snapped)}).")
    no_snapstart: list[str] = []
    missing: list[str] = []
    passes: list[str] = []
    notes: list[str] = []
    minimum = "python" + ".".join(map(str, catalog.SNAPSTART_MIN_PYTHON))
    for function in users:
        code = codes[function.key]
        known = catalog.runtime(function.runtime_name)
        if known is not None and not known.snapstart:
            no_snapstart.append(f"{function.key}: {known.name} has no SnapStart (Python: {minimum} and later)")
            continue
        if not function.is_python:
            notes.append(f"{function.key}: runtime {function.runtime or '?'} (only Python code is read here)")
            continue
        if code.unread:
            notes.append(f"{function.key}: {code.unread}")
            continue
        hooks = set().union(*(f.snapstart_hooks for f in code.files))
        absent = [hook for hook in ("before_snapshot", "after_restore") if hook not in hooks]
        if absent:
            names = " and ".join(f"register_{hook}" for hook in absent)
            missing.append(
                f"{function.key}: SnapStart is on but its code calls no {names}: every environment restored "
                "from the snapshot inherits the Momento connection of the snapshot, dead"
            )
        else:
            passes.append(f"{function.key}: before-snapshot and after-restore hooks registered")
    if no_snapstart or missing:
        hints = []
        if no_snapstart:
            hints.append(f"Set the runtime to {catalog.SNAPSTART_RUNTIME_NAMES[-1]} (or turn SnapStart off).")
        if missing:
            hints.append(SNAPSTART_HOOKS_HINT)
        return Result.fail(
            "A SnapStart function that uses Momento is not ready for snapshots", " ".join(hints), no_snapstart + missing
        )
    if passes:
        return Result.ok(f"SnapStart hooks registered ({', '.join(sorted(f.key for f in users))})", passes + notes)
    return Result.skip(f"The code of the SnapStart functions was not read ({'; '.join(notes)}).")


CHECKS = [
    Check(
        "project.framework",
        Group.PROJECT,
        "Framework detected, template parses",
        framework,
        reads="the project folder: template.yaml / samconfig.toml or serverless.yml",
        fails_when="no SAM / Serverless project, or the template does not parse",
        why="every other check reads the project model; a template that does not parse is deployed by nobody",
    ),
    Check(
        "code.parses",
        Group.PROJECT,
        "Source files parse, no conflict markers",
        code_parses,
        reads="each function's own code (handler file and the local files it imports), parsed (Python with ast, JS/TS with tree-sitter)",
        fails_when="a source file a function runs does not parse (Python `ast`, JavaScript / TypeScript tree-sitter error nodes) or holds merge-conflict markers (`<<<<<<<` / `>>>>>>>`, as `update` leaves them); names file and line",
        why='code that does not parse cannot be judged: without this check the code checks would conclude "no Momento here" and pass',
        steps=(
            "Fix the syntax error at the line named.",
            "Finish the merge: keep one side between the <<<<<<< / ======= / >>>>>>> lines and delete the markers.",
        ),
    ),
    Check(
        "project.runtime",
        Group.PROJECT,
        "Runtime supported",
        runtime,
        reads="the template (SAM template / serverless.yml and its includes) and cfn-lint's runtime lifecycle data",
        fails_when="a runtime is past any of AWS's three lifecycle dates: deprecated, creating functions blocked, updating functions blocked (each named with its date, for every runtime in cfn-lint's lifecycle data, any language); warns 90 days before the next one; a container-image function has no managed runtime and passes",
        why="a deprecated runtime stops receiving patches, then blocks creating and updating functions",
        fixes=(FixRef("fix_runtime"),),
    ),
    Check(
        "project.timeout",
        Group.PROJECT,
        "Function timeout",
        timeout,
        reads="the template (SAM template / serverless.yml and its includes) and each function's own code (handler file and the local files it imports)",
        fails_when="a Momento function's timeout is below the client deadline (1.1 s), plus the secret read (2 s) when its code reads a secret; warns within 2 s of that",
        why="a timeout below the Momento deadline plus the secret read kills cold starts before the first cache call",
        fixes=(FixRef("fix_timeout"),),
    ),
    Check(
        "iam.secret-access",
        Group.PROJECT,
        "Functions may read the secret",
        secret_access,
        reads="the template (SAM template / serverless.yml and its includes) (policies, roles) and the secret the code reads",
        fails_when="a Momento function is not granted `secretsmanager:GetSecretValue` on the secret it reads; warns on `*` resources or actions",
        why="without GetSecretValue on the secret the function cannot get its Momento key",
        fixes=(
            FixRef("fix_secret_access"),
            FixRef("fix_secret_by_name", always=True),
        ),
    ),
    Check(
        "iam.kms-decrypt",
        Group.PROJECT,
        "kms:Decrypt for a customer-managed key",
        kms_decrypt,
        reads="the template (SAM template / serverless.yml and its includes) and the secret's KMS key",
        fails_when="a customer-managed KMS key is configured without `kms:Decrypt` (skips when there is no such key)",
        why="a secret encrypted with a customer-managed key cannot be read without kms:Decrypt on that key",
        fixes=(FixRef("fix_kms_decrypt"),),
    ),
    Check(
        "project.build-method",
        Group.PROJECT,
        "Dependencies built for Lambda",
        build_method,
        reads="samconfig.toml / serverless.yml build settings, Makefiles, the answers file",
        fails_when="Serverless packages Python dependencies on the build machine (no `dockerizePip`, no `--platform` in `pipCmdExtraArgs`), or the build (Makefile `--platform`, build image, answers file) targets another CPU; warns when `sam build` runs without a container",
        why="grpcio is a compiled wheel: built on the wrong OS or CPU it fails to import on Lambda",
        fixes=(FixRef("fix_build_method"),),
    ),
    Check(
        "code.client-reuse",
        Group.PROJECT,
        "Client created once, reused",
        client_reuse,
        reads="each function's own code (handler file and the local files it imports)",
        fails_when="a Momento client (`CacheClient`, `TopicClient`, `AuthClient`, LangChain's `Momento*.from_client_params`...) is created inside the handler, or in a helper that runs on every call and does not keep it",
        why="a client per invocation pays a new TLS connection (~100 ms) on every call",
        steps=(
            "Move the CacheClient construction out of the handler into a module-level accessor, e.g. `_client = None` and `def get_client(): global _client; _client = _client or CacheClient(...); return _client`.",
            "Call the accessor from the handler instead of constructing a client there.",
            "Or generate the client module with `momento-lambda add` and use its get_client() / getMomentoClient().",
        ),
    ),
    Check(
        "code.lambda-config",
        Group.PROJECT,
        "Configurations.Lambda used",
        lambda_configuration,
        reads="each function's own code (handler file and the local files it imports)",
        fails_when="warns when a client's preset is not `Configurations.Lambda` (Laptop, InRegion: says why) or a Node.js client has no configuration",
        why="other presets keep keepalive pings and long deadlines that fail while Lambda freezes the function",
        steps=("Build the client with Configurations.Lambda.latest() (Python and Node.js).",),
    ),
    Check(
        "code.secret-timeouts",
        Group.PROJECT,
        "Secret read with short timeouts",
        secret_timeouts,
        reads="each function's own code (handler file and the local files it imports)",
        fails_when="warns when Secrets Manager is read without short connect/read timeouts (boto3, AWS SDK v2/v3, Powertools `get_secret` / `getSecret`)",
        why="a Secrets Manager read without short timeouts can hang a cold start until the function times out",
        steps=(
            "Python: boto3.client('secretsmanager', config=Config(connect_timeout=1, read_timeout=1, retries={'total_max_attempts': 2})).",
            "Node.js: new SecretsManagerClient({requestHandler: {connectionTimeout: 1000, requestTimeout: 1000, throwOnRequestTimeout: true}}).",
        ),
    ),
    Check(
        "code.awaited-calls",
        Group.PROJECT,
        "Momento calls awaited (Node.js)",
        awaited_calls,
        reads="each function's own code (handler file and the local files it imports) (Node.js)",
        fails_when="a Momento call's promise is dropped in Node.js code (fails on nodejs24.x, which no longer waits for the event loop; warns otherwise)",
        why="a dropped promise is never sent on nodejs24.x, which no longer waits for the event loop",
    ),
    Check(
        "project.esm-require",
        Group.PROJECT,
        "ES module bundles can load the SDK (Node.js)",
        esm_require,
        reads="the template (SAM template / serverless.yml and its includes) (esbuild settings) and package.json",
        fails_when='a Node.js function that uses Momento is bundled by esbuild as an ES module (SAM `Format: esm`, serverless-esbuild `format: esm`) without a banner that defines `require`: @gomomento/sdk\'s CommonJS dependencies would fail to load on Lambda (`Dynamic require of "process" is not supported`); `--fix` writes the `createRequire` banner',
        why="@gomomento/sdk's CommonJS dependencies fail to load from an ES module bundle without require",
        fixes=(FixRef("fix_esm_require"),),
    ),
    Check(
        "code.snapstart-hooks",
        Group.PROJECT,
        "SnapStart hooks drop and rebuild the client",
        snapstart_hooks,
        reads="the template (SAM template / serverless.yml and its includes) (SnapStart settings) and each function's own code (handler file and the local files it imports)",
        fails_when="a function with SnapStart on (SAM / CloudFormation `SnapStart.ApplyOn: PublishedVersions`, Serverless `snapStart: true`) whose code uses Momento does not register both `snapshot_restore_py` hooks (`register_before_snapshot`, `register_after_restore`, called or as decorators), or its runtime has no SnapStart (Node.js, Python before 3.12); warns when the project's region has no SnapStart; skips, with the reason, without SnapStart or Momento",
        why="a client restored from a snapshot holds dead connections",
    ),
    Check(
        "secret.no-plaintext-key",
        Group.PROJECT,
        "No Momento key in the project",
        no_key_in_files,
        reads="the template, samconfig, .env files and every project file git would keep",
        fails_when="something shaped like a Momento key is in an environment variable, a parameter, samconfig.toml, serverless.yml or any project file (the value is never printed); or the key is deployed in an environment variable (`MOMENTO_API_KEY: !Ref Param`, a variable the code reads with `CredentialProvider.fromEnvironmentVariable`, serverless-dotenv-plugin's `.env`); a key in a git-ignored `.env` warns, saying whether SAM or the Serverless Framework packages that file",
        why="a key in a file or an environment variable is readable by anyone who can read the repository or the function's configuration",
        steps=(
            "Revoke the key in the Momento console (it is in the project, so treat it as leaked).",
            "Delete it from the files and environment variables listed above (and from the git history if committed).",
            "Store a new key with `momento-lambda store-token`: it goes to Secrets Manager; functions get only the secret's ARN.",
        ),
        aliases=("secrets.no-plaintext-key",),
    ),
    Check(
        "project.no-local-override",
        Group.PROJECT,
        "MOMENTO_LOCAL not set for deploys",
        no_local_override,
        reads="the template (SAM template / serverless.yml and its includes) (function environments)",
        fails_when="`MOMENTO_LOCAL` is set in the template's environment",
        why="MOMENTO_LOCAL in a deployed function sends its traffic to a local server that is not there",
        fixes=(FixRef("fix_local_override"),),
    ),
]
