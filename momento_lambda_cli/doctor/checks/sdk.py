"""project.sdk-versions: packaged or pinned versions below :data:`~momento_lambda_cli.doctor.sdk_versions.MINIMUMS`.

Python: versions come from the build output (``<name>-<version>.dist-info``) when there is one,
else from exact pins (``name==X``) in the functions' requirements files. Node.js: from the
installed ``node_modules/<name>/package.json``, else ``package-lock.json``, else an exact
version (no range) in ``package.json``, in the function's code folders or the project root."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from momento_lambda_cli.doctor.build_output import dist_label
from momento_lambda_cli.doctor.context import DoctorContext
from momento_lambda_cli.doctor.model import Check, Group, Result, SkipCheck
from momento_lambda_cli.doctor.sdk_versions import MINIMUMS, Minimum, parse_version
from momento_lambda_cli.errors import MomentoLambdaError
from momento_lambda_cli.project.model import Function
from momento_lambda_cli.project.parse import read_head

MAX_REQUIREMENTS_BYTES = 256 * 1024
MAX_LOCK_BYTES = 16 * 1024 * 1024


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pinned(folder: Path, root: Path) -> dict[str, tuple[str, str]]:
    """Exact pins in ``requirements*.txt`` of ``folder``: name -> (version, file)."""
    pins: dict[str, tuple[str, str]] = {}
    for path in sorted(folder.glob("requirements*.txt")):
        data = read_head(path, MAX_REQUIREMENTS_BYTES, root)
        for line in (data or b"").decode("utf-8", "replace").splitlines():
            match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*===?\s*([0-9][\w.]*)", line)
            if match:
                pins[_normal(match.group(1))] = (match.group(2), path.name)
    return pins


def _json(path: Path, limit: int, root: Path) -> Any:
    data = read_head(path, limit, root)
    if data is None or len(data) >= limit:
        return None
    try:
        return json.loads(data.decode("utf-8", "replace"))
    except ValueError:
        return None


def _npm_versions(folder: Path, names: list[str], root: Path) -> dict[str, tuple[str, str]]:
    """``names`` -> (version, where) in ``folder``: installed, else locked, else pinned exactly
    (read inside the project folder ``root`` only)."""
    found: dict[str, tuple[str, str]] = {}
    lock = _json(folder / "package-lock.json", MAX_LOCK_BYTES, root)
    manifest = _json(folder / "package.json", MAX_REQUIREMENTS_BYTES, root)
    for name in names:
        installed = _json(folder / "node_modules" / name / "package.json", MAX_REQUIREMENTS_BYTES, root)
        if isinstance(installed, dict) and isinstance(installed.get("version"), str):
            found[name] = (installed["version"], f"node_modules/{name}")
            continue
        if isinstance(lock, dict):
            entry = (lock.get("packages") or {}).get(f"node_modules/{name}") or (lock.get("dependencies") or {}).get(
                name
            )
            if isinstance(entry, dict) and isinstance(entry.get("version"), str):
                found[name] = (entry["version"], "package-lock.json")
                continue
        if isinstance(manifest, dict):
            for section in ("dependencies", "devDependencies"):
                wanted = (manifest.get(section) or {}).get(name)
                if isinstance(wanted, str) and re.fullmatch(r"=?v?\d+(\.\d+){0,2}", wanted.strip()):
                    found[name] = (wanted.strip().lstrip("=v"), "package.json")
                    break
    return found


def _applies(minimum: Minimum, function: Function) -> bool:
    if minimum.registry == "pypi" and not function.is_python:
        return False
    if minimum.registry == "npm" and not function.is_node:
        return False
    return not minimum.runtimes or function.runtime_name in minimum.runtimes


def sdk_versions(ctx: DoctorContext) -> Result:
    project = ctx.project_or_skip()
    momento = ctx.momento_code()
    if not momento:
        raise ctx.no_momento()
    functions = [code.function for code in momento if code.function.is_python or code.function.is_node]
    if not functions:
        raise SkipCheck("No Python or Node.js function uses Momento.")
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
        for key in package.function_keys or [f.key for f in functions if f.is_python]:
            built.setdefault(key, {}).update(versions)
    npm_names = [m.package for m in MINIMUMS if m.registry == "npm"]
    problems, seen = [], []
    npm: dict[Path, dict[str, tuple[str, str]]] = {}
    pins: dict[Path, dict[str, tuple[str, str]]] = {}
    """Each folder read once, however many functions share it (200 functions over one src/)."""
    for function in functions:
        found = built.get(function.key) or {}
        if function.is_node:
            for folder in [project.root, *function.code_dirs]:  # the function's own folders win
                if folder not in npm:
                    npm[folder] = _npm_versions(folder, npm_names, project.root)
                found = {**found, **npm[folder]}
        elif not found:
            for folder in {project.root, *(d for d in function.code_dirs)}:
                if folder not in pins:
                    pins[folder] = _pinned(folder, project.root)
                found = {**pins[folder], **found}
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
            "Raise the versions named above (requirements.txt / package.json) and rebuild.",
            sorted(set(problems)),
        )
    if not seen:
        return Result.skip(
            "No pinned or packaged version to compare (floors: "
            + ", ".join(f"{m.package} {m.version_text}" for m in MINIMUMS)
            + ")"
        )
    return Result.ok("Package versions meet the known Lambda floors", sorted(set(seen)))


CHECKS = [
    Check(
        "project.sdk-versions",
        Group.PROJECT,
        "No package version with known Lambda problems",
        sdk_versions,
        reads="requirements / lock files, package.json, node_modules and the build output",
        fails_when="a pinned or packaged `momento` is below 1.8.0, or an installed, locked or exactly pinned `@gomomento/sdk` below 1.31.0 (neither has `Configurations.Lambda`), or a python3.14 function gets `grpcio` below 1.75.1 (the first with cp314 wheels)",
        why="old SDKs have no Lambda preset; old grpcio has no wheel for the runtime",
    ),
]
