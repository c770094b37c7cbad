"""Checks over the build output: compiled extensions built for Lambda, the SDK packaged."""

from __future__ import annotations

from momento_lambda_cli.doctor.build_output import Package, binary_problems, classify, wheel_problems
from momento_lambda_cli.doctor.checks._util import plural
from momento_lambda_cli.doctor.context import DoctorContext
from momento_lambda_cli.doctor.model import Check, Group, Result, SkipCheck
from momento_lambda_cli.project import SAM
from momento_lambda_cli.project.model import Function

NO_BUILD_HINT = {SAM: "Run `sam build` first.", "serverless": "Run `serverless package` first."}


def _packages(ctx: DoctorContext) -> list[tuple[Package, list[Function]]]:
    project = ctx.project_or_skip()
    packages = ctx.packages()
    if not packages:
        raise SkipCheck("No build output (.aws-sam/build or .serverless/*.zip).", NO_BUILD_HINT.get(project.framework))
    by_key = {f.key: f for f in project.functions}
    result = []
    for package in packages:
        functions = [by_key[k] for k in package.function_keys if k in by_key] or (
            [] if package.function_keys else list(project.functions)
        )
        if functions:
            result.append((package, functions))
    if not result:
        raise SkipCheck(
            "The build output does not belong to any function of the template.", NO_BUILD_HINT.get(project.framework)
        )
    return result


def binaries(ctx: DoctorContext) -> Result:
    problems: list[str] = []
    checked = 0
    for package, functions in _packages(ctx):
        targets = {(f.runtime_name, str(f.architecture)) for f in functions}
        for artifact in package.artifacts:
            for runtime, arch in sorted(targets):
                if artifact.name.endswith("/WHEEL"):
                    found = wheel_problems(artifact.name, artifact.head.decode("utf-8", "replace"), runtime, arch)
                else:
                    checked += 1
                    found = binary_problems(artifact.name, classify(artifact.name, artifact.head), runtime, arch)
                problems.extend(f"{package.label}: {p}" for p in found)
    problems = sorted(set(problems))
    if problems:
        return Result.fail(
            "The package holds binaries that cannot load on Lambda (the classic build-on-a-Mac failure)",
            "Rebuild for Lambda: `sam build --use-container` (samconfig use_container = true) or "
            "dockerizePip: true; or pip install --platform manylinux2014_<arch> --only-binary=:all: "
            "--python-version <X.Y>.",
            problems,
        )
    if checked == 0:
        return Result.ok("No compiled extensions in the package")
    return Result.ok(f"{plural(checked, 'compiled extension')} built for Linux, the right CPU and Python")


def sdk_packaged(ctx: DoctorContext) -> Result:
    missing, found = [], []
    packages = _packages(ctx)
    momento = {code.function.key for code in ctx.momento_code()}
    for package, all_functions in packages:
        functions = [f for f in all_functions if f.key in momento]
        names = package.names
        if any(f.is_python for f in functions):
            if any(n.startswith("momento/") for n in names):
                found.append(f"{package.label}: momento")
            else:
                missing.append(f"{package.label}: no momento/ package (add `momento` to requirements.txt)")
        if any(f.is_node for f in functions):
            if any("node_modules/@gomomento/sdk/" in n for n in names):
                found.append(f"{package.label}: @gomomento/sdk")
            else:
                missing.append(f"{package.label}: no node_modules/@gomomento/sdk (add it to package.json dependencies)")
    if missing:
        return Result.fail("The Momento SDK is not in the package: the function fails at import", None, missing)
    if not found:
        return Result.skip("No packaged function uses the Momento SDK.")
    return Result.ok("The Momento SDK is packaged", found)


CHECKS = [
    Check("build.binaries", Group.BUILD, "Compiled extensions built for Lambda", binaries),
    Check("build.sdk", Group.BUILD, "Momento SDK packaged", sdk_packaged),
]
