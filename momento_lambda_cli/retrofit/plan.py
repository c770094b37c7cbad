"""Plan `momento-lambda add` on a loaded project: every file's new text, the files to create,
and what to tell the user. Planning reads only; :func:`apply_plan` writes.

A function is refused (MomentoLambdaError, exit 1, nothing written) when adding Momento to it
cannot be done safely: its code already creates a Momento client, it is defined where the
tool cannot edit it, its role is not defined in the project, its runtime or code location is
not one the client module serves.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from momento_lambda_cli import __version__, catalog, contract
from momento_lambda_cli.errors import MomentoLambdaError
from momento_lambda_cli.frameworks import FrameworkAdapter, adapter_for
from momento_lambda_cli.project import (
    ANSWERS_FILE,
    edit,
    esbuild,
    load_answers,
    samconfigyaml,
    yamltext,
)
from momento_lambda_cli.project import samconfig as samconfig_files
from momento_lambda_cli.project.answers import render_answers
from momento_lambda_cli.project.changeset import Changeset, unified_diff
from momento_lambda_cli.project.files import read_text, resolve_target
from momento_lambda_cli.project.model import CodeKind, Function, Layer, Project
from momento_lambda_cli.project.parse import read_head
from momento_lambda_cli.project.values import Unresolved
from momento_lambda_cli.retrofit import client, jsontext, pyproject, snippets, tomltext, typescript
from momento_lambda_cli.retrofit.shapes import mapping as _mapping
from momento_lambda_cli.retrofit.shapes import refuse
from momento_lambda_cli.scaffold import answers as answer_rules
from momento_lambda_cli.scaffold.versions import GENERATED_BY_KEY, MANAGED_FILES_KEY, TEMPLATE_VERSION_KEY
from momento_lambda_cli.secrets import samconfig

SLS_PLUGIN = "serverless-python-requirements"
NODE_SDK = "@gomomento/sdk"
TIMEOUT_SECONDS = 10
"""The timeout `add` sets when a function's is below doctor's floor (the generated projects' value)."""


@dataclass(frozen=True)
class AddOptions:
    functions: tuple[str, ...] = ()
    """Function keys / logical ids; empty: every function whose runtime is supported."""
    cache_name: str | None = None
    secret_name: str | None = None
    secret_arn: str | None = None
    default_ttl: int = answer_rules.DEFAULT_TTL_SECONDS
    kms_key_arn: str | None = None


@dataclass(frozen=True)
class FileChange:
    path: Path
    relative: str
    before: str | None
    """``None``: the file is created."""
    after: str

    @property
    def created(self) -> bool:
        return self.before is None

    def diff(self) -> str:
        """The edit as a unified diff (the one renderer); a created file is listed, not diffed."""
        return "" if self.before is None else unified_diff(self.relative, self.before, self.after)


@dataclass
class AddPlan:
    root: Path
    framework: str
    functions: list[str]
    skipped: dict[str, str]
    """Functions not selected by default and why."""
    changes: list[FileChange]
    usage: dict[str, list[str]]
    """Per language (``python`` / ``node``): the lines to use the client in a handler (the
    first function's import line first)."""
    imports: dict[str, str] = field(default_factory=dict)
    """Per function: the import line that works from its handler file."""
    languages: dict[str, str] = field(default_factory=dict)
    """Per function: ``python`` / ``node``."""
    notes: list[str] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)
    manual: list[tuple[str, list[str]]] = field(default_factory=list)
    """Edits `add` does not make itself: (where and why, the exact lines to add there)."""

    @property
    def changed(self) -> bool:
        return bool(self.changes)

    def diff(self) -> str:
        return "".join(c.diff() for c in self.changes if not c.created)

    def to_dict(self) -> dict[str, Any]:
        return {
            "project_dir": str(self.root),
            "framework": self.framework,
            "functions": self.functions,
            "skipped": self.skipped,
            "changed_files": [c.relative for c in self.changes if not c.created],
            "created_files": [c.relative for c in self.changes if c.created],
            "usage": self.usage,
            "imports": self.imports,
            "notes": self.notes,
            "settings": self.settings,
            "manual": [{"where": where, "lines": lines} for where, lines in self.manual],
        }


class PlannedFiles:
    """The planned text of every file touched, over what is on disk."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.original: dict[Path, str | None] = {}
        self.current: dict[Path, str | None] = {}
        self._batches: dict[Path, yamltext.YamlBatch] = {}

    def text(self, path: Path) -> str | None:
        self._flush(path)
        if path not in self.current:
            resolve_target(path, self.root)
            self.original[path] = self.current[path] = read_text(path, self.root)
        return self.current[path]

    def edit(self, path: Path, change: Callable[[str | None], str]) -> None:
        self.current[path] = change(self.text(path))

    def create(self, path: Path, text: str) -> None:
        if self.text(path) is None:
            self.current[path] = text

    def yaml(self, path: Path, source: str) -> yamltext.YamlBatch:
        """The pending edits of a YAML file, planned against one parse of its text (they are
        applied, and the result parsed, when the text is next read)."""
        batch = self._batches.get(path)
        if batch is None:
            batch = self._batches[path] = yamltext.YamlBatch(self.text(path) or "", source)
        return batch

    def _flush(self, path: Path) -> None:
        batch = self._batches.pop(path, None)
        if batch is not None and batch.changed:
            try:
                self.current[path] = batch.result()
            except edit.CannotEdit as exc:
                raise _cannot_edit(exc) from None

    def changes(self) -> list[FileChange]:
        for path in list(self._batches):
            self._flush(path)
        found = []
        for path, after in self.current.items():
            before = self.original[path]
            if after is not None and after != before:
                found.append(FileChange(path, path.relative_to(self.root).as_posix(), before, after))
        return sorted(found, key=lambda c: (c.created, c.relative))


# --- selection ----------------------------------------------------------------------------


def source_adapter(root: Path) -> FrameworkAdapter | None:
    """The adapter that plans `add` on ``root`` from its source code (a CDK app), or ``None``:
    `add` loads the project model (or refuses a framework it does not read)."""
    from momento_lambda_cli import frameworks
    from momento_lambda_cli.project.answers import detect_framework

    try:
        name = detect_framework(root)
    except MomentoLambdaError:
        return None  # a broken answers file: load_project reports it
    found = frameworks.adapter(name) if name is not None else None
    return found if found is not None and found.adds_from_source else None


def supported_reason(function: Function) -> str | None:
    """Why `add` cannot serve this function (``None``: it can)."""
    if function.package_type == "Image" or function.code.kind is CodeKind.IMAGE:
        return "a container image function (add the client module to its image yourself)"
    if not (function.is_python or function.is_node):
        return f"runtime {function.runtime or 'unknown'} (the client module is Python or Node.js)"
    known = catalog.runtime(function.runtime_name)
    if known is None:
        return f"runtime {function.runtime_name} is not one this tool supports"
    if known.language == catalog.PYTHON and known.version_tuple < catalog.MOMENTO_MIN_PYTHON:
        minimum = "python" + ".".join(map(str, catalog.MOMENTO_MIN_PYTHON))
        return (
            f"runtime {known.name}: the momento SDK needs {minimum} or later (pip finds no momento for "
            f"{known.name}); upgrade its Runtime to {catalog.newest(catalog.PYTHON).name} first"
        )
    if known.language == catalog.NODE and known.version_tuple < catalog.MOMENTO_MIN_NODE:
        minimum = "nodejs" + ".".join(map(str, catalog.MOMENTO_MIN_NODE)) + ".x"
        return (
            f"runtime {known.name}: the client module needs {minimum} or later (it reads the secret with the AWS "
            f"SDK v3, which {known.name} does not include); upgrade its Runtime to {catalog.newest(catalog.NODE).name} "
            "first"
        )
    if function.code.kind is not CodeKind.FOLDER or function.code.outside_project:
        return f"its code is not a folder of the project ({function.code.kind.value} {function.code.written!r})"
    return None


def select_functions(project: Project, names: Sequence[str]) -> tuple[list[Function], dict[str, str]]:
    by_key = {f.key: f for f in project.functions}
    if not project.is_aws:
        raise refuse(
            f"{project.config_path.name} deploys to {project.provider} (provider.name), not AWS Lambda: `add` writes "
            "AWS settings (IAM, Secrets Manager, Lambda environment).",
            f"Use the Momento SDK directly in your {project.provider} functions.",
            "add.not-aws",
        )
    if not project.functions:
        raise refuse(
            f"{project.config_path.name} defines no Lambda functions.",
            "Add a function first (sam init / serverless create), or use `momento-lambda new`.",
            "add.no-functions",
        )
    if names:
        unknown = [n for n in names if n not in by_key]
        if unknown:
            raise refuse(
                f"No function {', '.join(map(repr, unknown))} in {project.config_path.name}.",
                f"Functions: {', '.join(by_key)}.",
                "add.unknown-function",
            )
        chosen = [by_key[n] for n in dict.fromkeys(names)]
        for function in chosen:
            reason = supported_reason(function)
            if reason:
                raise refuse(
                    f"Cannot add Momento to {function.key}: {reason}.", "Choose another --function.", "add.unsupported"
                )
        return chosen, {}
    skipped = {f.key: reason for f in project.functions if (reason := supported_reason(f))}
    chosen = [f for f in project.functions if f.key not in skipped]
    if not chosen:
        details = "; ".join(f"{k}: {v}" for k, v in skipped.items())
        raise refuse(f"No function Momento can be added to ({details}).", "See the reasons above.", "add.unsupported")
    return chosen, skipped


# --- planning -----------------------------------------------------------------------------


def project_name(*candidates: object) -> str:
    """The first candidate that makes a project name (letters, digits and dashes, starting with a
    letter, at most the template's length), else ``momento-lambda``."""
    for candidate in candidates:
        if isinstance(candidate, str) and candidate:
            name = re.sub(r"[^A-Za-z0-9-]+", "-", candidate).strip("-")
            name = re.sub(r"^[^A-Za-z]+", "", name)
            if name:
                return name[: answer_rules.MAX_NAME_LENGTH]
    return "momento-lambda"


@dataclass(frozen=True)
class Names:
    """What `add` writes about the cache and the secret, from its options, else the answers file,
    else the project's name: validated the same way for every framework."""

    cache_name: str
    secret_name: str
    secret_arn: str | None
    kms_key_arn: str | None
    default_ttl: int


def add_names(name: str, options: AddOptions, existing: Mapping[str, Any]) -> Names:
    cache_name = options.cache_name or existing.get("cache_name") or name
    arn = options.secret_arn or existing.get("secret_arn") or None
    secret_name = options.secret_name or (answer_rules.secret_name_from_arn(arn) if arn else None)
    secret_name = secret_name or existing.get("secret_name") or contract.default_secret_name(name)
    answer_rules.validate_cache_name(cache_name)
    answer_rules.validate_secret_name(secret_name)
    if options.secret_arn:
        arn_name = answer_rules.secret_name_from_arn(options.secret_arn)
        if options.secret_name and options.secret_name != arn_name:
            raise refuse(
                f"--secret-name {options.secret_name!r} does not match --secret-arn (whose secret is {arn_name!r}).",
                "Give only --secret-arn.",
                "add.secret-mismatch",
            )
    if options.kms_key_arn:
        answer_rules.validate_kms_key_arn(options.kms_key_arn)
    if not 1 <= options.default_ttl <= contract.MAX_TTL_SECONDS:
        raise refuse(
            f"--default-ttl must be between 1 and {contract.MAX_TTL_SECONDS} seconds.",
            "E.g. --default-ttl 60.",
            "add.bad-ttl",
        )
    ttl = options.default_ttl
    if ttl == answer_rules.DEFAULT_TTL_SECONDS and existing.get("default_ttl_seconds"):
        ttl = int(existing["default_ttl_seconds"])
    kms = options.kms_key_arn or existing.get("kms_key_arn") or None
    return Names(cache_name, secret_name, arn, kms, ttl)


def _settings(project: Project, options: AddOptions, first: Function) -> dict[str, Any]:
    existing = project.answers or {}
    name = project_name(
        existing.get("project_name"), project.service, project.stack_name.known, project.root.resolve().name
    )
    names = add_names(name, options, existing)
    return {
        "project_name": name,
        "framework": project.framework,
        "runtime": first.runtime_name,
        "architecture": str(first.architecture),
        "cache_name": names.cache_name,
        "secret_name": names.secret_name,
        "secret_arn": names.secret_arn,
        "default_ttl_seconds": names.default_ttl,
        "region": project.region.known or existing.get("region"),
        "kms_key_arn": names.kms_key_arn,
    }


def _own_client(function: Function, folder: Path, module_name: str, root: Path) -> Path | None:
    """A source file next to the handler that already creates a Momento client (read with
    doctor's parsers: Python ``ast``, JavaScript / TypeScript tree-sitter)."""
    from momento_lambda_cli.doctor.code_facts import facts_of, language_of

    own = catalog.PYTHON if function.is_python else "node"
    candidates = [function.handler_file] if function.handler_file else []
    candidates += [p for p in sorted(folder.glob("*")) if language_of(p) == own]  # not another language's module
    for path in dict.fromkeys(c for c in candidates if c is not None):
        if path.name == module_name or not path.is_file():
            continue
        data = read_head(path, 1_000_000, root)
        if data is None:
            continue
        if b"momento" in data.lower() and facts_of(path, data).creations:
            return path
    return None


_PYTHON_ZERO = re.compile(
    r"^\s*momento\s*(\[[^\]]*\])?\s*(==|~=|<=|===)\s*0\.|^\s*momento\b[^;#]*<\s*1(\.0)*\s*($|[,;#])"
)
_NODE_ZERO = re.compile(r"^\s*[\^~=v]*\s*0\.|<\s*1(\.0)*\s*$")


def _sdk_zero(
    project: Project,
    function: Function,
    spec: dict[str, Any],
    handler: Path,
    module_name: str,
    files: PlannedFiles,
) -> str | None:
    """Where the function shows the Momento SDK 0.x: its dependency file pins it, or a source
    file next to its handler uses ``SimpleCacheClient`` (``None``: neither)."""
    if function.is_python:
        zip_root = _zip_root(project, function, spec)
        folder = adapter_for(project).python_dependency_folder(project, spec, zip_root)
        requirements = folder / "requirements.txt"
        for line in (files.text(requirements) or "").splitlines():
            if _PYTHON_ZERO.match(line.lower()):
                return f"{requirements.relative_to(project.root).as_posix()}: {line.strip()}"
    else:
        node_folder = adapter_for(project).node_package_folder(project, function)
        manifest = (node_folder or project.root) / "package.json"
        try:
            document = json.loads(files.text(manifest) or "{}")
        except ValueError:
            document = None
        for section in ("dependencies", "devDependencies", "peerDependencies", "optionalDependencies"):
            listed = document.get(section) if isinstance(document, dict) else None
            version = listed.get(NODE_SDK) if isinstance(listed, dict) else None
            if isinstance(version, str) and _NODE_ZERO.search(version):
                return f"{manifest.relative_to(project.root).as_posix()}: {NODE_SDK} {version}"
    from momento_lambda_cli.doctor.code_facts import language_of

    own = catalog.PYTHON if function.is_python else "node"
    candidates = [handler, *sorted(p for p in handler.parent.glob("*") if language_of(p) == own)]
    for path in dict.fromkeys(candidates):
        if path.name == module_name or not path.is_file():
            continue
        data = read_head(path, 1_000_000, project.root)
        if data is not None and b"SimpleCacheClient" in data:
            return f"{path.relative_to(project.root).as_posix()} uses SimpleCacheClient"
    return None


def _zip_root(project: Project, function: Function, spec: dict[str, Any]) -> Path:
    """The folder that becomes the root of the function's zip (``/var/task``, the folder imports
    start from): SAM's CodeUri; Serverless's service folder (or the function's ``module``)."""
    return adapter_for(project).zip_root(project, function, spec)


def _handler_file(project: Project, function: Function, spec: dict[str, Any]) -> Path | None:
    if function.handler_file is not None:
        return function.handler_file
    return adapter_for(project).handler_file(project, function, spec)


def _usage(language: str, import_statement: str) -> list[str]:
    if language == client.TYPESCRIPT:
        return typescript.usage(import_statement)
    if language == catalog.PYTHON:
        return [
            f"{import_statement}  # at the top of the handler module",
            "client = get_client()  # in the handler: created once per execution environment, then reused",
            "response = client.get(cache_name(), key)  # CacheGet.Hit / Miss / Error",
        ]
    if import_statement.startswith(COMMONJS_IMPORT):
        return [
            f"{import_statement}  // at the top of the handler module (CommonJS: a dynamic import)",
            "const { cacheName, getMomentoClient } = await momento;  // in the async handler",
            "const client = await getMomentoClient();  // created once, then reused",
            "const response = await client.get(cacheName(), key);",
        ]
    return [
        f"{import_statement}  // at the top of the handler module",
        "const client = await getMomentoClient();  // in the handler: created once, then reused",
        "const response = await client.get(cacheName(), key);",
    ]


COMMONJS_IMPORT = "const momento = import("
"""How a CommonJS handler loads the ES module client (``require`` of an ES module is not in every Node.js)."""


def is_commonjs(handler: Path, root: Path) -> bool:
    """Whether Node.js loads ``handler`` as CommonJS: ``.cjs``; ``.js`` unless the nearest
    package.json (up to the project folder) says ``"type": "module"``."""
    if handler.suffix == ".cjs":
        return True
    if handler.suffix != ".js":
        return False
    folder, top = handler.parent.resolve(), root.resolve()
    while folder.is_relative_to(top):
        if (folder / "package.json").is_file():
            return esbuild.package_json(folder, root).get("type") != "module"
        if folder == top:
            break
        folder = folder.parent
    return True


# --- where the client module goes ---------------------------------------------------------

LAYER_ROOTS = {catalog.PYTHON: "python", catalog.NODE: "nodejs"}
"""The folder of a layer's zip that Lambda puts on the module path (``/opt/python``, ``/opt/nodejs``)."""


@dataclass(frozen=True)
class Chosen:
    function: Function
    spec: dict[str, Any]
    language: client.ModuleLanguage
    handler: Path
    zip_root: Path
    esm: bool = True
    """Node.js: not bundled, or bundled as an ES module with top-level await (else the module's
    CommonJS form is written)."""
    bundled: bool = False
    """esbuild bundles the function (SAM BuildMethod esbuild, serverless-esbuild)."""


@dataclass(frozen=True)
class Placement:
    folder: Path
    """Where the client module goes."""
    import_root: Path | None
    """Python: the folder on ``sys.path`` the import is relative to; ``None`` for Node.js."""
    layer_path: str | None = None
    """Node.js in a layer: the absolute path Lambda gives the module (``/opt/nodejs/momentoClient.mjs``)."""
    dependency: Path | None = None
    """The layer's requirements.txt / package.json that gets the SDK (``None``: each function's own)."""


def _layer_placement(layer: Layer, language: catalog.Language, root: Path) -> Placement | None:
    """The client module's place in a layer the project builds, as the SAM CLI lays it out: with a
    ``BuildMethod`` of the language the ContentUri becomes ``python/`` (``nodejs/``) and its
    requirements.txt (package.json) is installed there; without one the ContentUri is zipped as
    is, so the module goes into its ``python/`` folder (the functions keep the SDK dependency).
    ``None``: not a layer of this language the module can be served from."""
    folder = layer.code_dir
    if folder is None or layer.code.outside_project or not folder.is_relative_to(root.resolve()):
        return None
    method = (layer.build_method or "").lower()
    prefix = "python" if language == catalog.PYTHON else "nodejs"
    module = client.MODULES[language].file_name
    if method.startswith(prefix):
        if language == catalog.PYTHON:
            return Placement(folder, folder, dependency=folder / "requirements.txt")
        if (folder / "package.json").is_file():  # npm needs the layer's own package.json
            return Placement(folder, None, f"/opt/nodejs/{module}", dependency=folder / "package.json")
        return None
    if not method and language == catalog.PYTHON and (folder / LAYER_ROOTS[language]).is_dir():
        return Placement(folder / LAYER_ROOTS[language], folder / LAYER_ROOTS[language])
    return None  # a Node.js layer not built by SAM: the SDK would not resolve from /opt


def _packages_by_pattern(project: Project) -> bool:
    """Serverless ``package`` patterns / include / exclude anywhere (a folder above the
    handlers might not be packaged)."""
    return adapter_for(project).packages_by_pattern(project)


def placements(project: Project, chosen: Sequence[Chosen]) -> dict[str, Placement]:
    """Where each chosen function's client module goes: once into a layer of the project that
    several of them use, else once into the folder several of them share (the deepest folder
    holding all their handlers, inside the one code folder they are built from), else next to
    the handler. A module already next to a handler (an earlier `add`) keeps serving it."""
    found: dict[str, Placement] = {}
    for item in chosen:  # a module already next to the handler (an earlier `add`) stays the one used
        if (item.handler.parent / client.MODULES[item.language].file_name).is_file():
            found[item.function.key] = Placement(
                item.handler.parent, item.zip_root if item.language == catalog.PYTHON else None
            )
    by_layer: dict[tuple[catalog.Language, str], list[Chosen]] = {}
    for item in chosen:
        language = item.language
        if item.function.key in found or language == client.TYPESCRIPT:
            continue  # TypeScript: esbuild bundles the module from next to the handler, never from /opt
        for layer in item.function.layers:
            if _layer_placement(layer, language, project.root) is not None:
                by_layer.setdefault((language, layer.key), []).append(item)
                break
    layers = {layer.key: layer for item in chosen for layer in item.function.layers}
    for (language, key), items in by_layer.items():
        place = _layer_placement(layers[key], language, project.root)
        if len(items) >= 2 and place is not None:
            found.update({i.function.key: place for i in items})
    by_root: dict[tuple[client.ModuleLanguage, Path], list[Chosen]] = {}
    for item in chosen:
        if item.function.key not in found:
            by_root.setdefault((item.language, item.zip_root), []).append(item)
    patterns = _packages_by_pattern(project)
    for (language, zip_root), items in by_root.items():
        folders = {i.handler.parent for i in items}
        common: Path | None = Path(os.path.commonpath([str(f) for f in folders]))
        if len(folders) > 1 and (patterns or common is None or not common.is_relative_to(zip_root)):
            common = None
        for item in items:
            folder = common if common is not None and len(items) >= 2 else item.handler.parent
            found[item.function.key] = Placement(folder, zip_root if language == catalog.PYTHON else None)
    return found


def import_line(language: client.ModuleLanguage, place: Placement, handler: Path, root: Path) -> str:
    """The import that works from ``handler`` for the module placed at ``place``."""
    module = client.MODULES[language]
    if language == catalog.PYTHON:
        parts = (
            place.folder.relative_to(place.import_root).parts
            if place.import_root is not None and place.folder.is_relative_to(place.import_root)
            else ()
        )
        name = ".".join([*parts, Path(module.file_name).stem])
        return f"from {name} import cache_name, get_client"
    if place.layer_path is not None:
        spec = place.layer_path
    else:
        spec = Path(os.path.relpath(place.folder / module.file_name, handler.parent)).as_posix()
        spec = spec if spec.startswith("../") else "./" + spec
    if language == client.TYPESCRIPT:
        return typescript.import_line(spec, handler, root)
    if is_commonjs(handler, root):
        return f"{COMMONJS_IMPORT}'{spec}');"
    return f"import {{ cacheName, getMomentoClient }} from '{spec}';"


def plan_add(project: Project, options: AddOptions) -> AddPlan:
    """The edits that add Momento to the chosen functions of ``project`` (raises on a refusal)."""
    chosen, skipped = select_functions(project, options.functions)
    settings = _settings(project, options, chosen[0])
    files = PlannedFiles(project.root)
    notes: list[str] = []
    usage: dict[str, list[str]] = {}
    source = project.config_path.name
    if project.config_path.suffix.lower() not in (".yaml", ".yml"):
        raise refuse(
            f"{source} is not YAML: `add` edits YAML templates only.",
            "Convert it to YAML, or add the settings yourself (see `momento-lambda new` for their shape).",
            "add.not-yaml",
        )
    document = project.document
    adapter = adapter_for(project)
    prepared: list[Chosen] = []
    for function in chosen:
        spec = _spec(project, function)
        language: client.ModuleLanguage = catalog.PYTHON if function.is_python else catalog.NODE
        module = client.MODULES[language]
        handler = _handler_file(project, function, spec)
        if handler is None:
            raise refuse(
                f"Cannot find the handler file of {function.key} ({function.handler}).",
                "Check the function's Handler and CodeUri / handler, then run `add` again.",
                "add.no-handler-file",
            )
        esm = True
        bundle = esbuild.bundle(project, function) if function.is_node else None
        if function.is_node and typescript.is_typescript(handler):
            esm = typescript.module_has_top_level_await(bundle)
            package_folder = adapter_for(project).node_package_folder(project, function)
            typescript.require_typescript(project, package_folder or project.root)
            note = typescript.build_note(project, function)
            if note is not None:
                notes.append(note)
            language = client.TYPESCRIPT
            module = client.MODULES[language]
        elif bundle is not None:  # a JavaScript handler esbuild bundles: the same rule for the module's form
            esm = typescript.module_has_top_level_await(bundle)
        missing = typescript.missing_banner(function, bundle)
        if missing is not None:  # an ES module bundle gets `require` for the SDK's CommonJS parts
            add_banner(project, files, missing)
        zero = _sdk_zero(project, function, spec, handler, module.file_name, files)
        if zero is not None:
            sdk = "momento" if function.is_python else NODE_SDK
            raise refuse(
                f"{function.key} uses the Momento SDK 0.x ({zero}); `add` writes a module for {sdk} 1.x.",
                f"Migrate it to {sdk} 1.x first (SimpleCacheClient became CacheClient, built with a Configuration "
                "and a CredentialProvider), then run `add` again.",
                "add.sdk-0x",
            )
        creator = _own_client(function, handler.parent, module.file_name, project.root)
        if creator is not None:
            raise refuse(
                f"{creator.relative_to(project.root).as_posix()} already creates its own Momento client.",
                "Remove that client (use the generated module's get_client() instead) or keep your own; "
                "`momento-lambda doctor` checks it either way.",
                "add.own-client",
            )
        zip_root = _zip_root(project, function, spec)
        prepared.append(Chosen(function, spec, language, handler, zip_root, esm, bundled=bundle is not None))
    places = placements(project, prepared)
    esm_targets: dict[Path, bool] = {}  # a module shared with any non-ES-module bundle takes the CommonJS form
    for item in prepared:
        target = places[item.function.key].folder / client.MODULES[item.language].file_name
        esm_targets[target] = esm_targets.get(target, True) and item.esm
    imports: dict[str, str] = {}
    managed: dict[str, dict[str, str]] = {}  # the modules that are the template's text, for `update`
    for item in prepared:
        function, spec, language = item.function, item.spec, item.language
        module = client.MODULES[language]
        place = places[function.key]
        target = place.folder / module.file_name
        existing = files.text(target)
        form = client.COMMONJS if language != catalog.PYTHON and not esm_targets[target] else None
        text = client.render_module(module, form)
        entry = {"template_file": module.template_path, "template_version": __version__}
        if form is not None:
            entry["form"] = form
        if existing in (None, text):
            managed[target.relative_to(project.root).as_posix()] = entry
        if existing is None:
            files.create(target, text)
        elif existing != text:
            note = f"{target.relative_to(project.root).as_posix()} exists and differs from the tool's: kept as is"
            if note not in notes:
                notes.append(note)
        imports[function.key] = import_line(language, place, item.handler, project.root)
        usage.setdefault(language, _usage(language, imports[function.key]))
        adapter.plan_add_function(project, function, spec, files, source, settings)
        try:
            raise_timeout(project, function, spec, files, source, notes)
        except MomentoLambdaError as exc:  # an intrinsic: say what to raise instead
            notes.append(f"{exc.message} {exc.hint}")
        if place.dependency is not None:
            _layer_dependency(project, language, place.dependency, files)
        else:
            _dependency(project, function, spec, item.zip_root, files, notes)
        if language == client.TYPESCRIPT:
            _typescript_dependency(project, function, files)
        elif item.bundled:
            _bundled_secrets_dependency(project, function, files)
    adapter.plan_add_project(project, document, files, source, settings, any(f.is_python for f in chosen), notes)
    _answers(project.root, files, settings, [f.key for f in chosen], managed)
    notes += stale_locks(project.root, files.changes())
    return AddPlan(
        root=project.root,
        framework=project.framework,
        functions=[f.key for f in chosen],
        skipped=skipped,
        changes=files.changes(),
        usage=usage,
        imports=imports,
        languages={i.function.key: i.language for i in prepared},
        notes=notes,
        settings={k: v for k, v in settings.items() if k != "framework"},
    )


def _spec(project: Project, function: Function) -> dict[str, Any]:
    return adapter_for(project).function_spec(project, function)


def _require_block(batch: yamltext.YamlBatch, path: Sequence[str], source: str, function: str) -> None:
    node = batch.node_at(path)
    if node is None or node.id != "mapping" or node.flow_style:
        raise refuse(
            f"{function} is not written as a block mapping at {'.'.join(path)} in {source} "
            "(it may come from an included file or a variable).",
            f"Move the function into {source}, or add the settings yourself.",
            "add.cannot-edit",
        )


def _cannot_edit(exc: edit.CannotEdit) -> MomentoLambdaError:
    return refuse(exc.message.removesuffix(" nothing was changed.").rstrip(";"), exc.hint or "", "add.cannot-edit")


def add_banner(project: Project, files: PlannedFiles, bundle: esbuild.Bundle) -> None:
    """The createRequire banner in the bundle's settings (SAM ``Banner``, ``custom.esbuild.banner``)."""
    path, key, block = list(bundle.banner_path), bundle.banner_key, list(bundle.banner_block)
    source = project.config_path.name
    batch_edit(files, project.config_path, source, lambda b: b.set_block(path, key, block))


def batch_edit(files: PlannedFiles, path: Path, source: str, change: Callable[[yamltext.YamlBatch], None]) -> None:
    """Plan ``change`` on the file's pending edits (one parse for all of them)."""
    try:
        change(files.yaml(path, source))
    except edit.CannotEdit as exc:
        raise _cannot_edit(exc) from None


def yaml_edit(files: PlannedFiles, path: Path, change: Callable[[str], str]) -> None:
    """Apply ``change`` to the planned text of ``path`` now (so closures over loop variables are safe)."""

    def apply(text: str | None) -> str:
        try:
            return change(text or "")
        except edit.CannotEdit as exc:
            raise _cannot_edit(exc) from None

    files.edit(path, apply)


def raise_timeout(
    project: Project,
    function: Function,
    spec: dict[str, Any],
    files: PlannedFiles,
    source: str,
    notes: list[str],
    *,
    shared: bool = False,
) -> None:
    """Raise a timeout below what a cold start needs (secret read + client deadline) to the floor `new` uses.

    The function's own setting changes; without one, ``shared`` edits the value it inherits
    (SAM ``Globals.Function.Timeout``, Serverless ``provider.timeout``) when that is written, else
    the function gets its own."""
    from momento_lambda_cli.doctor.checks.project import COMFORTABLE_TIMEOUT_SECONDS

    if isinstance(function.timeout, Unresolved) or function.timeout >= COMFORTABLE_TIMEOUT_SECONDS:
        return
    adapter = adapter_for(project)
    key = adapter.timeout_key
    base = adapter.function_path(function.key)
    inherited = adapter.inherited_path()
    batch = files.yaml(project.config_path, source)
    if key in spec:
        target: list[str] | None = [*base, key]
    elif shared and inherited is not None and batch.node_at([*inherited, key]) is not None:
        target = [*inherited, key]
    else:
        target = None
    if target is not None:
        problem = yamltext.intrinsic(batch.node_at(target))
        if problem:
            raise MomentoLambdaError(
                f"{function.key}: {'.'.join(target)} in {source} is {problem}, which resolves to "
                f"{function.timeout:g} s, below the {TIMEOUT_SECONDS} s a cold start needs; a literal would replace "
                "it, so it was not changed.",
                f"Raise the value it refers to (a parameter's Default, or the value you deploy with) to "
                f"{TIMEOUT_SECONDS}.",
                code="retrofit.timeout-intrinsic",
            )
        if batch.node_at(target).value != str(TIMEOUT_SECONDS):
            batch_edit(files, project.config_path, source, lambda b: b.replace_scalar(target, str(TIMEOUT_SECONDS)))
    else:
        batch_edit(files, project.config_path, source, lambda b: b.set_block(base, key, str(TIMEOUT_SECONDS)))
    notes.append(
        f"{function.key}: timeout raised from {function.timeout:g} s to {TIMEOUT_SECONDS} s "
        "(a cold start reads the secret and connects within about 3 s)"
    )


# --- SAM ----------------------------------------------------------------------------------


def _role_id(value: Any, resources: dict[str, Any]) -> str | None:
    target = None
    if isinstance(value, dict):
        if "Ref" in value:
            target = value["Ref"]
        elif "Fn::GetAtt" in value:
            att = value["Fn::GetAtt"]
            target = att[0] if isinstance(att, list) and att else str(att).split(".")[0]
    elif isinstance(value, str) and value in resources:
        target = value
    if isinstance(target, str) and isinstance(resources.get(target), dict):
        return target if resources[target].get("Type") == "AWS::IAM::Role" else None
    return None


def _mentions(value: Any, sid: str) -> bool:
    return sid in json.dumps(value, default=str)


def sam_function(
    project: Project, function: Function, files: PlannedFiles, source: str, settings: dict[str, Any]
) -> None:
    path = project.config_path
    base = ["Resources", function.key, "Properties"]
    _require_block(files.yaml(path, source), base, source, function.key)
    for name, value in snippets.SAM_ENVIRONMENT.items():
        if name not in function.environment_source:
            batch_edit(
                files,
                path,
                source,
                lambda b: b.set_block([*base, "Environment", "Variables"], name, value),  # noqa: B023
            )
    sam_grant(project, function, files, source)


def sam_grant(
    project: Project,
    function: Function,
    files: PlannedFiles,
    source: str,
    statements: Sequence[str] = snippets.SAM_STATEMENTS,
    sid: str = snippets.READ_SID,
    policy_prefix: str = "MomentoApiKeyAccess",
) -> None:
    """Grant ``statements`` (block-sequence lines at column 0) to a SAM function in the
    template's own style: an ``AWS::IAM::Policy`` on its role resource, else an item of its
    ``Policies`` (created when missing). Nothing is added where a policy already names ``sid``."""
    path = project.config_path
    base = ["Resources", function.key, "Properties"]
    resources = project.document.get("Resources") or {}
    resource = resources.get(function.key) or {}
    props = resource.get("Properties") or {}
    role = props.get("Role")
    if role is not None:
        role_id = _role_id(role, resources)
        if role_id is None:
            raise refuse(
                f"{function.key}'s Role is not a role defined in {source}.",
                "Grant secretsmanager:GetSecretValue on the Momento secret to that role yourself, then run `add` "
                "with --function for the other functions.",
                "add.external-role",
            )
        policy_id = f"{policy_prefix}{role_id}"[:255]
        if policy_id in resources or any(
            isinstance(r, dict) and r.get("Type") == "AWS::IAM::Policy" and _mentions(r, sid) and _mentions(r, role_id)
            for r in resources.values()
        ):
            return
        batch_edit(
            files,
            path,
            source,
            lambda b: b.set_block(["Resources"], policy_id, snippets.sam_role_policy(role_id, statements)),
        )
        return
    if resource.get("Type") != "AWS::Serverless::Function":
        raise refuse(
            f"{function.key} is an AWS::Lambda::Function without a Role in {source}.",
            "Give it a role resource, then run the command again.",
            "add.external-role",
        )
    policies = props.get("Policies")
    if _mentions(policies, sid):
        return
    item = snippets.sam_policy_item(statements)
    where = [*base, "Policies"]
    if policies is None:
        batch_edit(
            files,
            path,
            source,
            lambda b: b.set_block(base, "Policies", ["- " + item[0], *["  " + s for s in item[1:]]]),
        )
    elif isinstance(policies, list) and files.yaml(path, source).node_at(where) is not None:
        batch_edit(files, path, source, lambda b: b.append_item(where, item))
    else:  # one value (a managed policy, a policy template or document) made its first item
        yaml_edit(
            files,
            path,
            lambda t: yamltext.append_item(yamltext.wrap_in_list(t, where, source=source), where, item, source=source),
        )


def sam_project(
    project: Project,
    document: dict[str, Any],
    files: PlannedFiles,
    source: str,
    settings: dict[str, Any],
    python: bool,
    notes: list[str],
) -> None:
    path = project.config_path
    declared = _mapping(document.get("Parameters"))
    parameters = snippets.sam_parameters(
        settings["secret_arn"] or "",
        settings["secret_name"],
        settings["cache_name"],
        settings["default_ttl_seconds"],
        settings["kms_key_arn"] or "",
    )
    for name, block in parameters.items():
        if name not in declared:
            batch_edit(
                files,
                path,
                source,
                lambda b: b.set_block(
                    ["Parameters"],
                    name,  # noqa: B023
                    block,  # noqa: B023
                    insert_before=["Conditions", "Globals", "Resources"],
                ),
            )
    conditions = _mapping(document.get("Conditions"))
    for name, value in snippets.SAM_CONDITIONS.items():
        if name not in conditions:
            batch_edit(
                files,
                path,
                source,
                lambda b: b.set_block(
                    ["Conditions"],
                    name,  # noqa: B023
                    value,  # noqa: B023
                    insert_before=["Globals", "Resources"],
                ),
            )
    env = project.stage.value if isinstance(project.stage.value, str) else samconfig_files.DEFAULT_ENV
    overrides = {
        contract.SAM_PARAM_CACHE_NAME: settings["cache_name"],
        contract.SAM_PARAM_SECRET_NAME: settings["secret_name"],
    }
    if settings["secret_arn"]:
        overrides[contract.SAM_PARAM_SECRET_ARN] = settings["secret_arn"]
    if settings["kms_key_arn"]:
        overrides[contract.SAM_PARAM_KMS_KEY_ARN] = settings["kms_key_arn"]
    found = samconfig_files.find(project.root)
    if found is not None and found.suffix != ".toml":
        _samconfig_yaml(project, found, files, env, overrides, python, notes)
        return
    config_path = project.root / samconfig.SAMCONFIG
    if python:
        before = files.text(config_path)
        files.edit(
            config_path,
            lambda t: tomltext.set_value(
                t, (env, "build", "parameters"), "use_container", "true", source=samconfig.SAMCONFIG
            ),
        )
        if files.text(config_path) != before:
            notes.append(_use_container_note(samconfig.SAMCONFIG))
    current = files.text(config_path)
    missing = {
        k: v
        for k, v in overrides.items()
        if current is None or edit.get_override(_overrides_of(current, env), k) is None
    }
    if missing:
        files.edit(config_path, lambda t: edit.samconfig_set_overrides(t, missing, env, samconfig.SAMCONFIG)[0])


def _use_container_note(settings_file: str) -> str:
    return (
        f"{settings_file}: use_container = true, so `sam build` builds in the Lambda build image and needs Docker "
        "(grpcio is compiled for the function's Python version and architecture); without Docker, "
        "`sam build --no-use-container` builds with your local Python when it matches the runtime and this "
        "machine's architecture"
    )


def _samconfig_yaml(
    project: Project,
    path: Path,
    files: PlannedFiles,
    env: str,
    overrides: dict[str, str],
    python: bool,
    notes: list[str],
) -> None:
    """The SAM CLI reads ``samconfig.yaml`` / ``.yml`` when there is no ``samconfig.toml``: the
    same settings go there, in YAML."""
    source = path.name
    if python:
        before = files.text(path)
        yaml_edit(files, path, lambda t: samconfigyaml.set_use_container(t, env, source=source))
        if files.text(path) != before:
            notes.append(_use_container_note(source))
    document = edit._load(edit.Text(files.text(path) or "").norm, source)
    current = _mapping(_mapping(_mapping(_mapping(document).get(env)).get("deploy")).get("parameters"))
    value = current.get("parameter_overrides")
    missing = {
        k: v
        for k, v in overrides.items()
        if (value.get(k) if isinstance(value, dict) else edit.get_override(value or "", k)) is None
    }
    if not missing:
        return
    skipped: list[str] = []

    def apply(text: str) -> str:
        new, _places, left = samconfigyaml.set_overrides(text, missing, env, source=source)
        skipped.extend(left)
        return new

    yaml_edit(files, path, apply)
    for place in skipped:
        notes.append(
            f"{source} {place}.parameter_overrides is a file:// reference: set "
            + ", ".join(f"{k}={v}" for k, v in missing.items())
            + " there"
        )


def _overrides_of(text: str, env: str) -> Any:
    document = edit._toml_loads(text.removeprefix(edit.BOM), samconfig.SAMCONFIG)
    table = _mapping(_mapping(_mapping(document.get(env)).get("deploy")).get("parameters"))
    return table.get("parameter_overrides", "")


# --- Serverless ---------------------------------------------------------------------------


def sls_function(
    project: Project,
    function: Function,
    spec: dict[str, Any],
    files: PlannedFiles,
    source: str,
    settings: dict[str, Any],
) -> None:
    path = project.config_path
    base = ["functions", function.key]
    _require_block(files.yaml(path, source), base, source, function.key)
    for name, value in snippets.SLS_ENVIRONMENT.items():
        if name not in function.environment_source:
            batch_edit(files, path, source, lambda b: b.set_block([*base, "environment"], name, value))  # noqa: B023
    kms = bool(settings["kms_key_arn"])
    statements = [snippets.sls_read_statement()] + ([snippets.sls_decrypt_statement()] if kms else [])
    sls_grant(project, function, spec, files, source, statements)


def sls_grant(
    project: Project,
    function: Function,
    spec: dict[str, Any],
    files: PlannedFiles,
    source: str,
    statements: Sequence[Sequence[str]],
    sid: str = snippets.READ_SID,
    policy_prefix: str = "MomentoApiKeyAccess",
) -> None:
    """Grant ``statements`` (each a list of lines, the first without its dash) to a Serverless
    function in the file's own style: an ``AWS::IAM::Policy`` on a role resource the function or
    provider names, the function's ``iamRoleStatements``, else the provider's statements
    (created when missing). Nothing is added where the statements already name ``sid``."""
    path = project.config_path
    base = ["functions", function.key]
    resources = _sls_resources(project)
    if spec.get("role") is not None:
        _sls_role_policy(
            project,
            files,
            source,
            spec.get("role"),
            resources,
            statements,
            f"functions.{function.key}.role",
            policy_prefix,
        )
        return
    own = spec.get("iamRoleStatements")
    if own is not None:
        if _mentions(own, sid):
            return
        for statement in statements:
            batch_edit(files, path, source, lambda b: b.append_item([*base, "iamRoleStatements"], statement))  # noqa: B023
        return
    provider = _mapping(project.document.get("provider"))
    iam = _mapping(provider.get("iam"))
    role = iam.get("role", provider.get("role"))
    if (role is not None and not isinstance(role, dict)) or (
        isinstance(role, dict) and ("Ref" in role or "Fn::GetAtt" in role)
    ):
        _sls_role_policy(project, files, source, role, resources, statements, "provider.iam.role", policy_prefix)
        return
    if isinstance(role, dict) and isinstance(role.get("statements"), list):
        where = ["provider", "iam", "role", "statements"]
        existing: Any = role.get("statements")
    elif isinstance(provider.get("iamRoleStatements"), list):
        where = ["provider", "iamRoleStatements"]
        existing = provider.get("iamRoleStatements")
    else:
        where = ["provider", "iam", "role", "statements"]
        existing = None
    if _mentions(existing, sid) or files.yaml(path, source).mentions(sid):
        return
    if existing is None:
        lines: list[str] = []
        for statement in statements:
            lines += ["- " + statement[0], *["  " + s for s in statement[1:]]]
        batch_edit(files, path, source, lambda b: b.set_block(where[:-1], where[-1], lines))
        return
    for statement in statements:
        batch_edit(files, path, source, lambda b: b.append_item(where, statement))  # noqa: B023


def _sls_resources(project: Project) -> dict[str, Any]:
    resources = project.document.get("resources")
    inner = resources.get("Resources") if isinstance(resources, dict) else None
    return inner if isinstance(inner, dict) else {}


def _sls_role_policy(
    project: Project,
    files: PlannedFiles,
    source: str,
    role: Any,
    resources: dict[str, Any],
    statements: Sequence[Sequence[str]],
    where: str,
    policy_prefix: str,
) -> None:
    role_id = _role_id(role, resources)
    if role_id is None:
        raise refuse(
            f"{where} names a role that is not defined in {source}'s resources.",
            "Grant secretsmanager:GetSecretValue on the Momento secret to that role yourself, then run `add` "
            "with --function for the other functions.",
            "add.external-role",
        )
    policy_id = f"{policy_prefix}{role_id}"
    if policy_id in resources:
        return
    batch_edit(
        files,
        project.config_path,
        source,
        lambda b: b.set_block(["resources", "Resources"], policy_id, snippets.sls_role_policy(role_id, statements)),
    )


def sls_project(
    project: Project, files: PlannedFiles, source: str, settings: dict[str, Any], python: bool, notes: list[str]
) -> None:
    path = project.config_path
    text = files.text(path) or ""
    params = {
        contract.SLS_PARAM_SECRET_ARN: settings["secret_arn"] or "",
        contract.SLS_PARAM_SECRET_NAME: settings["secret_name"],
        contract.SLS_PARAM_CACHE_NAME: settings["cache_name"],
        contract.SLS_PARAM_DEFAULT_TTL: str(settings["default_ttl_seconds"]),
    }
    if settings["kms_key_arn"]:
        params[contract.SLS_PARAM_KMS_KEY_ARN] = settings["kms_key_arn"]
    missing = {k: v for k, v in params.items() if f"{k}:" not in _params_default_text(text, source)}
    if missing:
        yaml_edit(
            files,
            path,
            lambda t: edit.yaml_set(t, ["params", "default"], missing, source=source, insert_before=["provider"]),
        )
    for name, value in snippets.SLS_CONDITIONS.items():
        batch_edit(files, path, source, lambda b: b.set_block(["resources", "Conditions"], name, value))  # noqa: B023
    if python:
        sls_python_build(project, files, source, notes)


def sls_python_build(
    project: Project, files: PlannedFiles, source: str, notes: list[str], *, repair: bool = False
) -> None:
    """serverless-python-requirements among the plugins (and in package.json) with
    ``dockerizePip: true``; ``repair``: a false ``dockerizePip`` becomes true (else it is kept, with a note)."""
    path = project.config_path
    plugins = project.document.get("plugins")
    if isinstance(plugins, dict):
        plugin_path = ["plugins", "modules"]
        listed = plugins.get("modules")
    else:
        plugin_path = ["plugins"]
        listed = plugins
    if not (isinstance(listed, list) and SLS_PLUGIN in listed):
        if listed is None:
            batch_edit(
                files, path, source, lambda b: b.set_block(plugin_path[:-1], plugin_path[-1], [f"- {SLS_PLUGIN}"])
            )
        else:
            batch_edit(files, path, source, lambda b: b.append_item(plugin_path, [SLS_PLUGIN]))
    custom = project.document.get("custom")
    requirements = custom.get("pythonRequirements") if isinstance(custom, dict) else None
    dockerize = requirements.get("dockerizePip") if isinstance(requirements, dict) else None
    if dockerize is None:
        batch_edit(files, path, source, lambda b: b.set_block(["custom", "pythonRequirements"], "dockerizePip", "true"))
    elif not (dockerize is True or str(dockerize).lower() in ("true", "non-linux")):
        if repair:
            batch_edit(
                files,
                path,
                source,
                lambda b: b.replace_scalar(["custom", "pythonRequirements", "dockerizePip"], "true"),
            )
        else:
            notes.append(
                f"custom.pythonRequirements.dockerizePip is {dockerize!r}: left as is "
                "(doctor's project.build-method says why)"
            )
    slim = requirements.get("slim") if isinstance(requirements, dict) else None
    strip = requirements.get("strip") if isinstance(requirements, dict) else None
    if (slim is True or str(slim).lower() == "true") and strip is None:  # slim strips grpcio's .so files
        batch_edit(files, path, source, lambda b: b.set_block(["custom", "pythonRequirements"], "strip", "false"))
    elif (slim is True or str(slim).lower() == "true") and not (strip is False or str(strip).lower() == "false"):
        notes.append(
            f"custom.pythonRequirements.strip is {strip!r} with slim: true: left as is "
            "(doctor's serverless.slim-strip says why)"
        )
    package_dependency(
        project,
        files,
        project.root / "package.json",
        "devDependencies",
        SLS_PLUGIN,
        "^" + client.pinned("serverless_python_requirements_version"),
    )


def _params_default_text(text: str, source: str) -> str:
    node = yamltext.node_at(text, ["params", "default"], source)
    if node is None or node.id != "mapping":
        return ""
    return " ".join(f"{k.value}:" for k, _ in node.value)


# --- dependencies and answers -------------------------------------------------------------


NODE_LOCK_FILES = {
    "package-lock.json": "npm install",
    "npm-shrinkwrap.json": "npm install",
    "pnpm-lock.yaml": "pnpm install",
    "yarn.lock": "yarn install",
    "bun.lock": "bun install",
    "bun.lockb": "bun install",
}
"""Lock files a package.json edit leaves stale (`npm ci` and frozen installs fail), and the command that refreshes each."""


def stale_locks(root: Path, changes: Sequence[FileChange]) -> list[str]:
    """A note for each lock file beside an edited package.json, naming the command that refreshes it."""
    notes = []
    for change in changes:
        if change.path.name != "package.json" or change.created:
            continue
        for lock, command in NODE_LOCK_FILES.items():
            lock_path = change.path.parent / lock
            if lock_path.is_file():
                folder = change.path.parent.relative_to(root).as_posix()
                where = "" if folder == "." else f"cd {folder} && "
                notes.append(
                    f"{lock_path.relative_to(root).as_posix()} is now out of date ({change.relative} gained "
                    f"dependencies): run `{where}{command}` before the build (`npm ci` / a frozen install fails until then)"
                )
    return notes


LOCK_FILES = {"poetry.lock": "poetry lock", "uv.lock": "uv lock", "pdm.lock": "pdm lock"}
"""Lock files a pyproject.toml edit leaves stale, and the command that refreshes each."""


def _pyproject_dependency(
    project: Project, manifest: Path, version: str, files: PlannedFiles, notes: list[str]
) -> bool:
    """The SDK in the pyproject.toml that lists the service's dependencies (it has no
    requirements.txt); ``False`` when it lists none (a pyproject.toml for tools only)."""
    where = manifest.relative_to(project.root).as_posix()
    before = files.text(manifest) or ""
    after = pyproject.add_requirement(before, "momento", version, source=where)
    if after is None:
        return False
    if after != before:
        files.edit(manifest, lambda _t: after)
        for lock, command in LOCK_FILES.items():
            if (manifest.parent / lock).is_file():
                notes.append(f"{where} gained momento=={version}: run `{command}` to refresh {lock}")
    return True


def _dependency(
    project: Project, function: Function, spec: dict[str, Any], zip_root: Path, files: PlannedFiles, notes: list[str]
) -> None:
    if function.is_python:
        folder = adapter_for(project).python_dependency_folder(project, spec, zip_root)
        requirements = folder / "requirements.txt"
        current = files.text(requirements)
        version = client.pinned("momento_python_version")
        manifest = folder / "pyproject.toml"
        serverless_pyproject = current is None and manifest.is_file() and adapter_for(project).reads_pyproject
        if serverless_pyproject and _pyproject_dependency(project, manifest, version, files, notes):
            return
        files.edit(requirements, _requirement_line(f"momento=={version}"))
        return
    _node_dependency(project, function, files, "dependencies", NODE_SDK, "momento_node_version")


def _node_dependency(
    project: Project, function: Function, files: PlannedFiles, section: str, name: str, pin: str
) -> None:
    """``name`` at the template's pinned version (``pin``) in the package.json the function's
    build installs from (SAM: its code folder; Serverless: the service)."""
    node_folder = adapter_for(project).node_package_folder(project, function)
    assert node_folder is not None
    package_dependency(project, files, node_folder / "package.json", section, name, "^" + client.pinned(pin))


def _bundled_secrets_dependency(project: Project, function: Function, files: PlannedFiles) -> None:
    """The secrets client of a JavaScript module esbuild bundles: a production dependency unless
    the bundle leaves the AWS SDK to the Lambda runtime (``External: ['@aws-sdk/*']``)."""
    if not typescript.secrets_external(project, function):
        _node_dependency(project, function, files, "dependencies", typescript.SECRETS_PACKAGE, "aws_sdk_node_version")


def _typescript_dependency(project: Project, function: Function, files: PlannedFiles) -> None:
    """The secrets client the TypeScript module imports: for the type checker only when the
    bundle leaves the AWS SDK to the Lambda runtime, else bundled (a production dependency)."""
    section = "devDependencies" if typescript.secrets_external(project, function) else "dependencies"
    _node_dependency(project, function, files, section, typescript.SECRETS_PACKAGE, "aws_sdk_node_version")


def _layer_dependency(project: Project, language: client.ModuleLanguage, path: Path, files: PlannedFiles) -> None:
    """The SDK in the layer's own requirements.txt / package.json (the SAM CLI installs it into the layer)."""
    if language == catalog.PYTHON:
        files.edit(path, _requirement_line(f"momento=={client.pinned('momento_python_version')}"))
        return
    package_dependency(project, files, path, "dependencies", NODE_SDK, "^" + client.pinned("momento_node_version"))


def package_dependency(
    project: Project, files: PlannedFiles, path: Path, section: str, name: str, version: str
) -> None:
    """``name: version`` in the package.json at ``path``; a package.json created gets a name and a
    version, and for SAM (whose Node.js build runs ``npm pack``) one that lacks them gets them."""
    source = path.relative_to(project.root).as_posix()
    package = jsontext.package_name(path.parent.resolve().name)
    files.edit(path, lambda t: jsontext.add_dependency(t, section, name, version, source=source, package=package))
    if adapter_for(project).npm_pack_needs_identity:
        files.edit(path, lambda t: jsontext.ensure_identity(t, package, source=source) or "")


def _requirement_line(line: str) -> Callable[[str | None], str]:
    name = line.split("=", 1)[0]

    def apply(text: str | None) -> str:
        if text is None:
            return line + "\n"
        for existing in text.splitlines():
            if re.match(rf"\s*{re.escape(name)}\s*($|[=<>!~\[;])", existing, re.IGNORECASE):
                return text
        doc = edit.Text(text)
        return (
            doc.apply([doc.insert_lines(doc.norm.count("\n") + 1, [line])])
            if doc.norm.endswith("\n") or not doc.norm
            else text + doc.eol + line + doc.eol
        )

    return apply


def _answers(
    root: Path,
    files: PlannedFiles,
    settings: dict[str, Any],
    functions: list[str],
    managed: dict[str, dict[str, str]],
) -> None:
    """The answers file: the settings, the functions, and (unless `new` generated the project,
    when `update` manages every file the template renders) ``generated_by: add`` with the
    client modules `add` copied from the template, which `update` then keeps current."""
    path = root / ANSWERS_FILE

    def apply(text: str | None) -> str:
        existing = load_answers(root) or {}
        merged = {**settings, **{k: v for k, v in existing.items() if v not in (None, "")}}
        if settings.get("secret_arn"):
            merged["secret_arn"] = settings["secret_arn"]
        if settings.get("kms_key_arn"):
            merged["kms_key_arn"] = settings["kms_key_arn"]
        merged["functions"] = (
            sorted({*existing.get("functions", []), *functions})
            if isinstance(existing.get("functions", []), list)
            else functions
        )
        # `new` wrote the file: it records the template (0.2.0 on) or, from 0.1.0, only the
        # answers (no functions list, which `add` writes)
        from_new = TEMPLATE_VERSION_KEY in existing or (
            bool(existing) and GENERATED_BY_KEY not in existing and "functions" not in existing
        )
        if not from_new:
            merged[GENERATED_BY_KEY] = "add"
            recorded = existing.get(MANAGED_FILES_KEY)
            merged[MANAGED_FILES_KEY] = {**managed, **(recorded if isinstance(recorded, dict) else {})}
        if existing and all(existing.get(k) == v for k, v in merged.items() if k != "_tool_version"):
            return text or ""
        return render_answers(merged, text)

    files.edit(path, apply)


# --- writing ------------------------------------------------------------------------------


def changeset(plan: AddPlan) -> Changeset:
    """The plan's edits as the one changeset every writer applies."""
    changes = Changeset(plan.root, "add", code="add.changed-meanwhile")
    for change in plan.changes:
        changes.add(change.path, change.before, change.after, change.relative)
    return changes


def apply_plan(plan: AddPlan) -> list[str]:
    """Write every file of the plan or none (the one changeset); returns the relative paths written."""
    return changeset(plan).apply()
