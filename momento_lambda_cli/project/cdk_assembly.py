"""Read an AWS CDK app's cloud assembly (``cdk.out``) into the project model, running no code.

A CDK app is code: what it deploys is what ``cdk synth`` wrote into the cloud assembly. This module
reads only files (regular files inside the project, size-capped, through
:mod:`momento_lambda_cli.project.files`):

* ``cdk.json``: its ``output`` setting names the assembly folder (``cdk.out`` otherwise);
* ``<output>/manifest.json``: artifacts of type ``aws:cloudformation:stack`` (``templateFile``,
  ``stackName``, ``environment`` ``aws://ACCOUNT/REGION``) and nested assemblies
  (``cdk:cloud-assembly``, one per stage, ``directoryName``), a few levels deep;
* each stack's template: plain CloudFormation, read by the SAM loader's one template reading
  (:func:`momento_lambda_cli.project.sam.template_functions`); a function's code is the asset folder
  its ``Metadata`` names (``aws:asset:path``), its construct path ``aws:cdk:path``.

The assembly is used only when it is at least as new as the app's sources (:func:`freshness`):
a missing or older one is a usage error that says to run ``npx cdk synth`` (or ``doctor --synth``).
"""

from __future__ import annotations

import json
import os
import re
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from momento_lambda_cli import catalog
from momento_lambda_cli.errors import MomentoLambdaError, UsageError
from momento_lambda_cli.project import files
from momento_lambda_cli.project.model import (
    BuildSettings,
    CodeKind,
    CodeLocation,
    Function,
    Layer,
    Project,
    Setting,
    environment_region,
)

DEFAULT_OUTPUT = "cdk.out"
MANIFEST = "manifest.json"
STACK_TYPE = "aws:cloudformation:stack"
NESTED_TYPE = "cdk:cloud-assembly"
MAX_JSON_BYTES = files.MAX_FILE_BYTES
"""The largest cdk.json, manifest or template read (CloudFormation's own limit is 1 MB)."""
MAX_NESTING = 4
"""Nested assemblies (stages in stages) followed this deep."""
MAX_STACKS = 500
NESTED_STACK_TYPE = "AWS::CloudFormation::Stack"
MAX_NESTED_TEMPLATES = 50
"""Nested stacks' templates read for one stack (CDK ``NestedStack``)."""
"""Stack artifacts read from one assembly, nested ones included."""
MAX_SOURCE_FILES = 20_000
"""Files the freshness walk looks at before it stops (it then says so)."""
SKIPPED_FOLDERS = frozenset(
    {
        "node_modules",
        ".venv",
        "venv",
        ".git",
        "__pycache__",
        ".pytest_cache",
        ".mypy_cache",
        ".ruff_cache",
        ".tox",
        ".nox",
        ".idea",
        ".vscode",
        "coverage",
        "cdk.out",
        "test",
        "tests",
        "__tests__",
        ".aws-sam",
        ".serverless",
    }
)
"""Folders the freshness walk skips: installs, caches, tests and build output (not what synth reads)."""
SOURCE_SUFFIXES = frozenset(
    {".ts", ".mts", ".cts", ".js", ".mjs", ".cjs", ".py", ".json", ".txt", ".toml", ".cfg", ".lock", ".yaml", ".yml"}
)
"""What an app is made of (its code, its settings, its locked dependencies)."""
IGNORED_FILES = frozenset({catalog.ANSWERS_FILE, "cdk.context.json", "tsconfig.tsbuildinfo"})


def _bad(path: Path, why: str) -> MomentoLambdaError:
    return MomentoLambdaError(
        f"{path}: {why}.",
        "Synthesize the app again (`npx cdk synth`, or `momento-lambda doctor --synth`).",
        code="project.bad-cloud-assembly",
    )


def read_json(path: Path, root: Path) -> Any:
    """A JSON file of the project (``None``: no file); refused when it is not a regular file inside
    ``root``, larger than :data:`MAX_JSON_BYTES`, nested too deeply or not JSON."""
    text = files.read_text(path, root=root, limit=MAX_JSON_BYTES)
    if text is None:
        return None
    try:
        return json.loads(text.removeprefix("\ufeff"))
    except RecursionError:
        raise _bad(path, "nested too deeply to read") from None
    except ValueError as exc:
        where = f" (line {exc.lineno}, column {exc.colno})" if isinstance(exc, json.JSONDecodeError) else ""
        raise _bad(path, f"not valid JSON{where}") from None


def _inside(root: Path, written: Any, base: Path) -> Path | None:
    """``written`` (a relative path from the assembly) under ``base``, when it stays inside ``root``."""
    if not isinstance(written, str) or not written or "\x00" in written:
        return None
    path = (base / written).resolve()
    return path if path.is_relative_to(root.resolve()) else None


def output_dir(root: Path) -> Path:
    """The cloud assembly folder: cdk.json's ``output``, else ``cdk.out`` (inside the project)."""
    settings = read_json(root / catalog.CDK.template_file, root)
    written = settings.get("output") if isinstance(settings, dict) else None
    if isinstance(written, str) and written.strip():
        found = _inside(root, written.strip(), root)
        if found is None:
            raise UsageError(
                f"cdk.json's output ({written[:200]!r}) is outside the project folder {root}.",
                "Keep the cloud assembly inside the project (the default is cdk.out).",
                code="project.cdk-output-outside",
            )
        return found
    return root / DEFAULT_OUTPUT


@dataclass(frozen=True)
class Freshness:
    """Whether the cloud assembly can stand for the app (see :func:`freshness`)."""

    manifest: Path
    exists: bool
    newer_source: Path | None = None
    """A source file changed after the assembly was written."""
    walked: int = 0

    @property
    def usable(self) -> bool:
        return self.exists and self.newer_source is None


def freshness(root: Path, out: Path, limit: int = MAX_SOURCE_FILES) -> Freshness:
    """``out``'s manifest against the app's sources (cdk.json, the app's code and settings, a bounded
    walk that skips installs, caches, tests and build output): usable when no source is newer."""
    manifest = out / MANIFEST
    try:
        written = manifest.stat().st_mtime if manifest.is_file() else None
    except OSError:
        written = None
    if written is None:
        return Freshness(manifest, False)
    base = root.resolve()
    skip = {out.resolve()}
    walked = 0
    newest: tuple[float, Path] | None = None
    for folder, dirnames, filenames in os.walk(base, followlinks=False):
        here = Path(folder)
        dirnames[:] = sorted(
            d
            for d in dirnames
            if d not in SKIPPED_FOLDERS
            and not d.startswith("cdk.out")
            and (here / d).resolve() not in skip
            and not (here / d / "pyvenv.cfg").exists()  # a virtual environment under any name
        )
        for name in sorted(filenames):
            walked += 1
            if walked > limit:
                break
            if name in IGNORED_FILES or Path(name).suffix.lower() not in SOURCE_SUFFIXES:
                continue
            path = here / name
            try:
                info = path.lstat()
            except OSError:
                continue
            if not os.path.isfile(path) or path.is_symlink():
                continue
            if info.st_mtime > written and (newest is None or info.st_mtime > newest[0]):
                newest = (info.st_mtime, path)
        if walked > limit:
            break
    return Freshness(manifest, True, newest[1] if newest else None, walked)


def require_fresh(root: Path, out: Path) -> None:
    """Raise the usage error that says to synthesize, when ``out`` is missing or older than a source."""
    state = freshness(root, out)
    if state.usable:
        return
    shown = os.path.relpath(out, root)
    if not state.exists:
        message = f"{shown} is missing: this AWS CDK app has not been synthesized ({root})."
    else:
        assert state.newer_source is not None
        message = f"{shown} is older than {state.newer_source.relative_to(root.resolve()).as_posix()}: the synthesized templates may not be what the app deploys now."
    raise UsageError(
        message,
        "Run `npx cdk synth` in the app folder (doctor reads cdk.out and runs no code), or pass "
        "`--synth` to let doctor run the app's own `cdk synth`.",
        code="project.cdk-not-synthesized" if not state.exists else "project.cdk-out-stale",
    )


@dataclass(frozen=True)
class StackArtifact:
    """One ``aws:cloudformation:stack`` artifact of the assembly."""

    artifact_id: str
    stack_name: str
    template: Path
    assembly: Path
    """The folder the template's relative asset paths start from."""
    account: str | None
    region: str | None
    display: str
    """``Stage/Stack`` (the artifact's display name)."""
    metadata: Any = None
    """The artifact's construct metadata (``metadata``), when it holds it inline."""
    metadata_file: Path | None = None
    """Or the file holding it (``additionalMetadataFile``, inside the project)."""


def _environment(value: Any) -> tuple[str | None, str | None]:
    """``aws://ACCOUNT/REGION`` -> (account, region); ``unknown-*`` (environment-agnostic) -> None."""
    if not isinstance(value, str) or not value.startswith("aws://"):
        return None, None
    account, _, region = value[len("aws://") :].partition("/")

    def known(part: str) -> str | None:
        part = part.strip()
        return part if part and not part.startswith("unknown-") and len(part) <= 64 else None

    return known(account), known(region)


def stacks(root: Path, out: Path, missing: list[str] | None = None) -> list[StackArtifact]:
    """Every stack artifact of the assembly in ``out`` and its nested assemblies (stages);
    ``missing`` gets the providers of the context lookups the synth could not make (its
    templates then hold placeholder values such as ``vpc-12345``)."""
    found: list[StackArtifact] = []
    _read_assembly(root, out, 0, found, set(), missing if missing is not None else [])
    return found


def _read_assembly(
    root: Path, folder: Path, depth: int, found: list[StackArtifact], seen: set[Path], missing: list[str]
) -> None:
    real = folder.resolve()
    if real in seen or depth > MAX_NESTING:
        return
    seen.add(real)
    manifest_path = folder / MANIFEST
    manifest = read_json(manifest_path, root)
    if manifest is None:
        if depth == 0:
            raise _bad(manifest_path, "missing")
        return
    lookups = manifest.get("missing") if isinstance(manifest, dict) else None
    for lookup in lookups[:50] if isinstance(lookups, list) else []:
        provider = lookup.get("provider") if isinstance(lookup, dict) else None
        missing.append(str(provider)[:100] if provider else "a lookup")
    artifacts = manifest.get("artifacts") if isinstance(manifest, dict) else None
    if not isinstance(artifacts, dict):
        if depth == 0:
            raise _bad(manifest_path, "no artifacts (is this a cloud assembly?)")
        return
    for artifact_id, artifact in artifacts.items():
        if len(found) >= MAX_STACKS or not isinstance(artifact, dict):
            continue
        props = artifact.get("properties")
        props = props if isinstance(props, dict) else {}
        kind = artifact.get("type")
        if kind == NESTED_TYPE:
            nested = _inside(root, props.get("directoryName"), folder)
            if nested is not None and nested.is_dir():
                _read_assembly(root, nested, depth + 1, found, seen, missing)
        elif kind == STACK_TYPE:
            template = _inside(root, props.get("templateFile"), folder)
            if template is None:
                continue
            account, region = _environment(artifact.get("environment"))
            name = props.get("stackName")
            display = artifact.get("displayName")
            metadata_file = _inside(root, artifact.get("additionalMetadataFile"), folder)
            found.append(
                StackArtifact(
                    artifact_id=str(artifact_id)[:256],
                    stack_name=str(name)[:256] if isinstance(name, str) and name else str(artifact_id)[:256],
                    template=template,
                    assembly=folder,
                    account=account,
                    region=region,
                    display=str(display)[:256] if isinstance(display, str) and display else str(artifact_id)[:256],
                    metadata=artifact.get("metadata"),
                    metadata_file=metadata_file,
                )
            )


@dataclass
class CdkFacts:
    """What the CDK loader knows beyond the project model (kept on the project for the adapter)."""

    output: Path
    stack: StackArtifact
    others: list[StackArtifact] = field(default_factory=list)
    construct_paths: dict[str, str] = field(default_factory=dict)
    """Function key -> its construct path (``Stack/Fn``)."""
    declared_at: dict[str, tuple[str, int]] = field(default_factory=dict)
    """Function key -> the app's file and line that created it, where CDK records it (``CDK_DEBUG=true``
    or ``cdk synth --debug``: ``aws:cdk:creationStack``)."""
    bundled: dict[str, bool] = field(default_factory=dict)
    """Function key -> its asset was bundled (``aws:asset:is-bundled``: NodejsFunction, PythonFunction)."""


_FACTS: dict[Path, CdkFacts] = {}


def facts(project: Project) -> CdkFacts | None:
    """The CDK facts of a project this module loaded."""
    return _FACTS.get(project.config_path)


def _choose(found: list[StackArtifact], stack_name: str | None, root: Path) -> StackArtifact:
    if stack_name:
        for stack in found:
            if stack_name in (stack.stack_name, stack.artifact_id, stack.display):
                return stack
        names = ", ".join(s.stack_name for s in found[:20]) or "none"
        raise UsageError(
            f"No stack {stack_name!r} in the cloud assembly of {root} (stacks: {names}).",
            "Pass one of those names with --stack-name.",
            code="project.cdk-no-such-stack",
        )
    return found[0]


def _has_functions(root: Path, stack: StackArtifact) -> bool:
    template = read_json(stack.template, root)
    if not isinstance(template, dict) or not isinstance(template.get("Resources"), dict):
        return False
    found = [template] + [t for _, t, _ in _nested_templates(root, stack, template, _defaults(template), None, [])]
    return any(
        isinstance(r, dict) and r.get("Type") == "AWS::Lambda::Function" for t in found for r in t["Resources"].values()
    )


def _defaults(template: dict[str, Any]) -> dict[str, Any]:
    """A template's parameters that have a plain Default (lists joined with commas)."""
    parameters: dict[str, Any] = {}
    declared = template.get("Parameters")
    for name, spec in (declared if isinstance(declared, dict) else {}).items():
        if isinstance(spec, dict) and spec.get("Default") is not None and not isinstance(spec["Default"], dict):
            default = spec["Default"]
            parameters[str(name)] = ",".join(map(str, default)) if isinstance(default, list) else str(default)
    return parameters


def _nested_templates(
    root: Path,
    stack: StackArtifact,
    template: dict[str, Any],
    parameters: dict[str, Any],
    region: str | None,
    problems: list[str],
) -> list[tuple[Path, dict[str, Any], dict[str, Any]]]:
    """The templates of the stack's nested stacks (CDK ``NestedStack``: an ``AWS::CloudFormation::Stack``
    whose ``aws:asset:path`` names ``*.nested.template.json`` in the assembly), breadth first, at
    most :data:`MAX_NESTING` levels and :data:`MAX_NESTED_TEMPLATES` templates, each read only from
    inside the assembly folder; with the parameters the parent passes (resolved where it can)."""
    from momento_lambda_cli.project.cfn import CfnResolver

    assembly = stack.assembly.resolve()
    found: list[tuple[Path, dict[str, Any], dict[str, Any]]] = []
    seen = {stack.template.resolve()}
    queue = deque([(template, parameters, 0)])
    while queue and len(found) < MAX_NESTED_TEMPLATES:
        parent, known, depth = queue.popleft()
        if depth >= MAX_NESTING:
            continue
        resolver = CfnResolver(parent, known, region)
        for logical_id, resource in parent["Resources"].items():
            if not isinstance(resource, dict) or resource.get("Type") != NESTED_STACK_TYPE:
                continue
            metadata = resource.get("Metadata")
            written = metadata.get("aws:asset:path") if isinstance(metadata, dict) else None
            path = _inside(root, written, stack.assembly)
            if path is None or not path.is_relative_to(assembly) or path in seen:
                continue
            seen.add(path)
            try:
                nested = read_json(path, root)
            except MomentoLambdaError as exc:
                problems.append(f"nested stack {str(logical_id)[:100]}: {exc.message}")
                continue
            if not isinstance(nested, dict) or not isinstance(nested.get("Resources"), dict):
                continue
            passed = _defaults(nested)
            props = resource.get("Properties")
            given = props.get("Parameters") if isinstance(props, dict) else None
            for name, value in (given if isinstance(given, dict) else {}).items():
                resolved = resolver.resolve(value)
                if isinstance(resolved, str | int | float) and not isinstance(resolved, bool):
                    passed[str(name)] = str(resolved)
            found.append((path, nested, passed))
            queue.append((nested, passed, depth + 1))
            if len(found) >= MAX_NESTED_TEMPLATES:
                break
    return found


def region_of(stack: StackArtifact | None, flag: str | None, environ: Mapping[str, str]) -> Setting[str]:
    """``cdk deploy``'s region: the stack's own environment when it names one (``env: {region}``),
    else the CLI's: ``--region`` / ``AWS_REGION`` / the profile's."""
    if stack is not None and stack.region:
        return Setting(stack.region, f"the stack's environment (aws://…/{stack.region})")
    if flag:
        return Setting(flag, "--region")
    return environment_region(environ) or Setting(
        None, "the AWS profile's region", "the stack is environment-agnostic and no region is set"
    )


def deploy_region(root: Path, region: str | None, environ: Mapping[str, str]) -> Setting[str]:
    """The region, reading only the manifest (a missing or broken assembly: the CLI's region)."""
    try:
        found = stacks(root, output_dir(root))
    except MomentoLambdaError:
        found = []
    with_functions = [s for s in found if _safe_has_functions(root, s)]
    chosen = (with_functions or found)[:1]
    return region_of(chosen[0] if chosen else None, region, environ)


def _safe_has_functions(root: Path, stack: StackArtifact) -> bool:
    try:
        return _has_functions(root, stack)
    except MomentoLambdaError:
        return False


def load_cdk(
    root: Path,
    *,
    stage: str | None = None,
    region: str | None = None,
    stack_name: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> Project:
    """The CDK app in ``root`` as its synthesized cloud assembly says (one stack: ``--stack-name``,
    else the first stack that has Lambda functions)."""
    from momento_lambda_cli.project.answers import load_answers
    from momento_lambda_cli.project.cfn import CfnResolver
    from momento_lambda_cli.project.sam import template_functions

    environ = os.environ if environ is None else environ
    out = output_dir(root)
    require_fresh(root, out)
    missing: list[str] = []
    found = stacks(root, out, missing)
    if not found:
        raise _bad(out / MANIFEST, "no CloudFormation stack in the cloud assembly")
    problems: list[str] = []
    if missing:
        problems.append(
            f"the cloud assembly lacks {len(missing)} context lookup{'s' if len(missing) != 1 else ''} "
            f"({', '.join(sorted(set(missing)))}): its templates hold placeholder values (e.g. vpc-12345); run "
            "`npx cdk synth` with AWS credentials once (cdk.context.json keeps the answers)"
        )
    if stack_name:
        stack = _choose(found, stack_name, root)
    else:
        with_functions = [s for s in found if _has_functions(root, s)]
        stack = (with_functions or found)[0]
        if len(with_functions) > 1:
            problems.append(
                f"the app has {len(with_functions)} stacks with Lambda functions "
                f"({', '.join(s.stack_name for s in with_functions[:10])}): checking {stack.stack_name}; "
                "pass --stack-name to check another"
            )
    template = read_json(stack.template, root)
    if template is None:
        raise _bad(stack.template, "missing (named by the cloud assembly's manifest)")
    if not isinstance(template, dict) or not isinstance(template.get("Resources"), dict):
        raise _bad(stack.template, "no Resources section")
    deploy_region = region_of(stack, region, environ)
    parameters = _defaults(template)
    facts_ = CdkFacts(output=out, stack=stack, others=[s for s in found if s is not stack])
    functions: list[Function] = []
    layers: list[Layer] = []
    nested = _nested_templates(root, stack, template, parameters, deploy_region.known, problems)
    for source, (one, known) in [(stack.template, (template, parameters))] + [(p, (t, k)) for p, t, k in nested]:
        resolver = CfnResolver(one, known, deploy_region.known)
        its_functions, its_layers = template_functions(root, one, resolver)
        resources: dict[str, Any] = one["Resources"]
        for function in its_functions:
            if any(f.key == function.key for f in functions):
                problems.append(
                    f"{os.path.relpath(source, root)}: function {function.key} has the key of another "
                    "stack's function: not read"
                )
                continue
            functions.append(function)
            metadata = resources.get(function.key, {}).get("Metadata")
            metadata = metadata if isinstance(metadata, dict) else {}
            path = metadata.get("aws:cdk:path")
            if isinstance(path, str) and path:
                facts_.construct_paths[function.key] = path.removesuffix("/Resource")[:512]
            facts_.bundled[function.key] = metadata.get("aws:asset:is-bundled") is True
            _asset_code(root, stack, function, metadata)
        for layer in its_layers:
            metadata = resources.get(layer.key, {}).get("Metadata")
            asset = _asset_location(root, stack, metadata if isinstance(metadata, dict) else {})
            if asset is not None:
                layer.code = asset
            layers.append(layer)
    facts_.declared_at = _creation_sites(root, stack, facts_.construct_paths)
    project = Project(
        framework=catalog.CDK.name,
        root=root,
        config_path=stack.template,
        document=template,
        functions=functions,
        layers=layers,
        parameters=parameters,
        build=BuildSettings(),
        stage=Setting(None, "CDK apps have no stage (context selects)"),
        region=deploy_region,
        stack_name=Setting(stack.stack_name, f"the cloud assembly ({os.path.relpath(stack.template, root)})"),
        answers=load_answers(root),
        config_files=[root / catalog.CDK.template_file],
        problems=problems,
    )
    _FACTS[stack.template] = facts_
    return project


FRAME = re.compile(r"\((?P<file>[^()]+?):(?P<line>\d+):\d+\)$")
"""A stack frame of ``aws:cdk:creationStack``: ``new MomentoStack (/app/infra/momentoStack.ts:67:21)``."""


def _creation_sites(root: Path, stack: StackArtifact, constructs: dict[str, str]) -> dict[str, tuple[str, int]]:
    """Function key -> (file relative to the project, line) of the app's code that created it: the
    first frame of its ``aws:cdk:creationStack`` inside the project and outside node_modules."""
    if not constructs:
        return {}
    metadata = stack.metadata
    if not isinstance(metadata, dict) and stack.metadata_file is not None:
        try:
            metadata = read_json(stack.metadata_file, root)
        except MomentoLambdaError:
            metadata = None
    if not isinstance(metadata, dict):
        return {}
    base = root.resolve()
    found: dict[str, tuple[str, int]] = {}
    for key, construct in constructs.items():
        entries = metadata.get(f"/{construct}/Resource")
        for entry in entries if isinstance(entries, list) else []:
            if not isinstance(entry, dict) or entry.get("type") != "aws:cdk:creationStack":
                continue
            frames = entry.get("data")
            for frame in frames[:50] if isinstance(frames, list) else []:
                match = FRAME.search(frame) if isinstance(frame, str) else None
                if match is None or "node_modules" in match["file"]:
                    continue
                path = Path(match["file"])
                path = path if path.is_absolute() else base / path
                try:
                    relative = path.resolve().relative_to(base)
                except ValueError:
                    continue
                found[key] = (relative.as_posix(), int(match["line"]))
                break
            if key in found:
                break
    return found


def _asset_location(root: Path, stack: StackArtifact, metadata: dict[str, Any]) -> CodeLocation | None:
    """The asset a resource's ``aws:asset:path`` names (relative to its assembly folder)."""
    from momento_lambda_cli.project import handlers

    written = metadata.get("aws:asset:path")
    if not isinstance(written, str) or not written or "\x00" in written:
        return None
    path = (stack.assembly / written).resolve()
    if not path.is_relative_to(root.resolve()):
        return CodeLocation(CodeKind.MISSING if not path.exists() else CodeKind.FOLDER, path, written[:300], True)
    return handlers.local_code(root, os.path.relpath(path, root.resolve()))


def _asset_code(root: Path, stack: StackArtifact, function: Function, metadata: dict[str, Any]) -> None:
    """The function's code is its asset in the assembly (the S3 location in the template is where
    `cdk deploy` uploads it)."""
    from momento_lambda_cli.project import handlers

    if function.is_image or function.code.kind is CodeKind.INLINE:
        return
    asset = _asset_location(root, stack, metadata)
    if asset is None:
        return
    function.code = asset
    function.problems = [p for p in function.problems if not p.startswith("code location")]
    if asset.kind is CodeKind.MISSING:
        function.problems.append(f"its asset {asset.written!r} is not in the cloud assembly (synthesize again)")
    if asset.outside_project:
        function.handler_file = None
        return
    runtime = function.runtime if isinstance(function.runtime, str) else ""
    function.handler_file = handlers.handler_file(
        asset.path if asset.kind is CodeKind.FOLDER else None, function.handler, runtime, None
    )
    if function.is_node and metadata.get("aws:asset:is-bundled") is True and function.handler_file is not None:
        _bundle_sources(root, function, function.handler_file)


BUNDLE_MARKER = re.compile(rb"^// ([^\s]+\.(?:[cm]?[jt]sx?))$", re.MULTILINE)
"""esbuild's comment before each module of a bundle: ``// src/handler.ts`` (relative to its working folder)."""
MAX_BUNDLE_BYTES = 64 * 1024 * 1024


def _bundle_sources(root: Path, function: Function, bundle: Path) -> None:
    """A NodejsFunction's asset is an esbuild bundle: the app's code and its libraries in one file.
    The code checks read the app's own modules instead (esbuild names each one in a comment; the
    entry comes last) when they are in the project folder; otherwise the function is not read (a
    bundle's library code would be judged as the app's)."""
    try:
        data = files.read_bytes(bundle, root=root, limit=MAX_BUNDLE_BYTES) or b""
    except MomentoLambdaError:
        data = b""
    own = [
        m.decode("utf-8", "replace")
        for m in BUNDLE_MARKER.findall(data)
        if b"node_modules" not in m and not m.startswith(b"/")
    ]
    function.build_method = "esbuild"  # the bundle holds its dependencies (build.sdk)
    base = root.resolve()
    for written in reversed(own):
        candidate = (base / written).resolve()
        if candidate.is_relative_to(base) and candidate.is_file() and "cdk.out" not in candidate.parts:
            function.handler_file = candidate
            return
    where = f" ({own[-1]})" if own else ""
    function.handler_file = None
    function.code_unread = (
        f"its code is an esbuild bundle in {os.path.relpath(bundle, root)} that holds library code too, and its own "
        f"source{where} is not in the project folder: not read"
    )
