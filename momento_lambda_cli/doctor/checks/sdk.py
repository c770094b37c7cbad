"""project.sdk-versions: packaged or pinned versions below :data:`~momento_lambda_cli.doctor.sdk_versions.MINIMUMS`.

Versions come from the build output (``<name>-<version>.dist-info``) when there is one, else
from exact pins (``name==X``) in the functions' requirements files."""

from __future__ import annotations

import re
from pathlib import Path

from momento_lambda_cli.doctor.build_output import dist_label
from momento_lambda_cli.doctor.context import DoctorContext
from momento_lambda_cli.doctor.model import NO_MOMENTO, Check, Group, Result, SkipCheck
from momento_lambda_cli.doctor.sdk_versions import MINIMUMS, Minimum, parse_version
from momento_lambda_cli.errors import MomentoLambdaError
from momento_lambda_cli.project.model import Function
from momento_lambda_cli.project.parse import read_head

MAX_REQUIREMENTS_BYTES = 256 * 1024


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pinned(folder: Path) -> dict[str, tuple[str, str]]:
    """Exact pins in ``requirements*.txt`` of ``folder``: name -> (version, file)."""
    pins: dict[str, tuple[str, str]] = {}
    for path in sorted(folder.glob("requirements*.txt")):
        data = read_head(path, MAX_REQUIREMENTS_BYTES)
        for line in (data or b"").decode("utf-8", "replace").splitlines():
            match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*===?\s*([0-9][\w.]*)", line)
            if match:
                pins[_normal(match.group(1))] = (match.group(2), path.name)
    return pins


def _applies(minimum: Minimum, function: Function) -> bool:
    if minimum.registry == "pypi" and not function.is_python:
        return False
    return not minimum.runtimes or function.runtime_name in minimum.runtimes


def sdk_versions(ctx: DoctorContext) -> Result:
    project = ctx.project_or_skip()
    momento = ctx.momento_code()
    if not momento:
        raise SkipCheck(NO_MOMENTO)
    functions = [code.function for code in momento if code.function.is_python]
    if not functions:
        raise SkipCheck("No Python function (no npm floor is known for @gomomento/sdk).")
    try:
        packages = ctx.packages()
    except (SkipCheck, MomentoLambdaError):
        packages = []
    built: dict[str, dict[str, tuple[str, str]]] = {}
    for package in packages:
        versions: dict[str, tuple[str, str]] = {}
        for artifact in package.artifacts:
            if artifact.name.endswith("/WHEEL"):
                name, _, version = dist_label(artifact.name).partition(" ")
                versions[_normal(name)] = (version, package.label)
        for key in package.function_keys or [f.key for f in functions]:
            built.setdefault(key, {}).update(versions)
    problems, seen = [], []
    for function in functions:
        found = built.get(function.key) or {}
        if not found:
            for folder in {project.root, *(d for d in function.code_dirs)}:
                found = {**_pinned(folder), **found}
        for minimum in MINIMUMS:
            if not _applies(minimum, function) or minimum.package not in found:
                continue
            version, where = found[minimum.package]
            parsed = parse_version(version)
            seen.append(f"{function.key}: {minimum.package} {version} ({where})")
            if parsed is not None and parsed < minimum.version:
                problems.append(
                    f"{function.key}: {minimum.package} {version} ({where}) is older than {minimum.version_text}: "
                    f"{minimum.reason}"
                )
    if problems:
        return Result.fail(
            "A package version has a known problem on Lambda",
            "Raise the versions named above in requirements.txt and rebuild.",
            sorted(set(problems)),
        )
    if not seen:
        return Result.ok(
            "No pinned or packaged version to compare (floors: "
            + ", ".join(f"{m.package} {m.version_text}" for m in MINIMUMS)
            + ")"
        )
    return Result.ok("Package versions meet the known Lambda floors", sorted(set(seen)))


CHECKS = [Check("project.sdk-versions", Group.PROJECT, "No package version with known Lambda problems", sdk_versions)]
