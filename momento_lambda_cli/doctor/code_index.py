"""Each function's code, read once per doctor run: which files it runs (its handler file and the
local code that file imports, a few hops deep, plus its layers), their facts, and whether
the function uses the Momento SDK at all.

Every source file is read and parsed at most once, however many functions share it and
however many checks ask (a 50-function project over one code folder costs about what one
function costs).
"""

from __future__ import annotations

import re
import threading
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

from momento_lambda_cli import iam_policy
from momento_lambda_cli.doctor.code_facts import FileFacts, facts_of, language_of
from momento_lambda_cli.project.model import CodeKind, Function
from momento_lambda_cli.project.parse import read_head

SECRET_READ_ACTION = "secretsmanager:GetSecretValue"
SECRET_ENV_HINTS = ("SECRET",)
"""An environment variable whose name holds one of these names a secret (MOMENTO_SECRET_ARN, ...)."""


def secret_evidence(function: Function) -> bool:
    """The function's template shows it reads a secret: an environment variable naming one
    (MOMENTO_SECRET_ARN / _NAME, any ``*SECRET*`` variable, a Secrets Manager ARN as a value)
    or an Allow statement granting ``secretsmanager:GetSecretValue``."""
    for name, value in function.environment.items():
        if any(hint in name.upper() for hint in SECRET_ENV_HINTS) and str(value):
            return True
        if ":secretsmanager:" in str(value) or "{{resolve:secretsmanager" in str(value):
            return True
    return any(
        statement.effect == "Allow"
        and any(
            action.strip() != "*" and iam_policy.action_matches(action, SECRET_READ_ACTION)
            for action in statement.actions
        )
        for statement in function.statements
    )


MAX_SOURCE_BYTES = 1_000_000
"""A source file is read up to this size (bundles beyond it are not the user's code)."""
MAX_HOPS = 3
"""Local imports followed from the handler file (handler -> ./cache.js -> ./client.js -> ...)."""
MAX_DEPTH = 4
"""Folder levels searched when a function's handler file is not known."""
MAX_FILES = 2000
SKIP_DIRS = frozenset(
    {
        ".git",
        ".aws-sam",
        ".serverless",
        "node_modules",
        ".venv",
        "venv",
        "env",
        "__pycache__",
        ".pytest_cache",
        ".tox",
        ".mypy_cache",
        "site-packages",
        "dist-packages",
        "dist",
        "build",
        "cdk.out",
        ".build",
        ".esbuild",
        ".webpack",
        "coverage",
        "test",
        "tests",
        "__tests__",
        "__mocks__",
    }
)
"""Folders that hold no code of the function's own (dependencies, build output, tests)."""
VENDORED = frozenset({"momento", "momento_wire_types", "@gomomento", "grpc", "google", "boto3", "botocore"})
"""Packages that, inside a function's folder, are a copy of a dependency (``pip install -t src``)."""
TEST_SUFFIXES = (".test.js", ".test.ts", ".spec.js", ".spec.ts", ".test.mjs", ".spec.mjs")
NODE_RESOLVE = (".ts", ".js", ".mjs", ".cjs", ".mts", ".cts", ".tsx", ".jsx")


@dataclass
class FunctionCode:
    """What a function runs, as far as its files show."""

    function: Function
    files: list[FileFacts] = field(default_factory=list)
    """Its handler file and the local files it imports (its layers' files included, through
    ``/opt/...`` or layer module imports); when the handler file is not known, every source
    file of its code folder and of its layers."""
    handler: FileFacts | None = None
    readable: bool = False
    """Some of its code is on disk (not a zip, an image or S3 only)."""
    unused_momento: set[Path] = field(default_factory=set)
    """Files among ``files`` that import the SDK but that this function imports only for exports
    that never reach it (a shared layer imported for its ``metrics``)."""

    @property
    def uses_momento(self) -> bool:
        if self.readable:
            return any(f.momento and f.path not in self.unused_momento for f in self.files)
        return any(str(k).startswith("MOMENTO_") for k in self.function.environment)

    @property
    def unread(self) -> str | None:
        """Why its code was not read (a prebuilt zip, an image, S3), when it was not."""
        if self.readable:
            return None
        if self.function.code_unread:
            return self.function.code_unread
        code = self.function.code
        return f"its code is {code.written or code.kind.value} ({code.kind.value}), not read"

    @property
    def handler_name(self) -> str:
        handler = self.function.handler if isinstance(self.function.handler, str) else ""
        return (handler or "handler").rsplit(".", 1)[-1]


class CodeIndex:
    """Per-run cache of file facts and function views (thread-safe: checks run concurrently).

    ``root`` is the project folder: every file is read through the one reader fenced to it (a
    symlink or an import that leads out of the project is not read)."""

    def __init__(self, root: Path | None) -> None:
        self.root = root
        self._lock = threading.Lock()
        self._parse_lock = threading.Lock()
        self._facts: dict[Path, FileFacts | None] = {}
        self._folders: dict[Path, list[Path]] = {}
        self._functions: dict[int, FunctionCode] = {}
        self._imports: dict[tuple[Path, tuple[Path, ...], tuple[Path, ...]], list[tuple[Path, str]]] = {}
        self._lookups: dict[Path, Path | None] = {}
        self._reaches: dict[
            tuple[Path, tuple[Path, ...], tuple[Path, ...]], tuple[list[Path], dict[Path, list[tuple[Path, str]]]]
        ] = {}
        """Import targets looked up on disk (``src/cache`` -> ``src/cache.ts``), shared by every importer."""

    def facts(self, path: Path) -> FileFacts | None:
        """The facts of one file, read and parsed once (parsing is serialised: one parser per
        grammar is shared, and checks ask from several threads)."""
        with self._lock:
            if path in self._facts:
                return self._facts[path]
        with self._parse_lock:
            with self._lock:
                if path in self._facts:
                    return self._facts[path]
            found: FileFacts | None = None
            if language_of(path) is not None:
                data = read_head(path, MAX_SOURCE_BYTES, self.root)
                if data is not None:
                    found = facts_of(path, data)
            with self._lock:
                return self._facts.setdefault(path, found)

    def folder_files(self, folder: Path) -> list[Path]:
        with self._lock:
            if folder in self._folders:
                return self._folders[folder]
        found = source_files(folder, root=self.root)
        with self._lock:
            return self._folders.setdefault(folder, found)

    def function(self, function: Function) -> FunctionCode:
        with self._lock:
            known = self._functions.get(id(function))
        if known is not None:
            return known
        code = self._build(function)
        with self._lock:
            return self._functions.setdefault(id(function), code)

    def _build(self, function: Function) -> FunctionCode:
        code = FunctionCode(function)
        if function.code_unread:
            return code
        own = (
            function.code.path.parent
            if function.code.kind is CodeKind.FILE and function.code.path
            else function.code_dir
        )
        layer_dirs = [layer.code_dir for layer in function.layers if layer.code_dir]
        paths: list[Path] = []
        edges: dict[Path, list[tuple[Path, str]]] = {}
        if function.handler_file is not None:
            code.handler = self.facts(function.handler_file)
            roots = [d for d in [own, _import_base(function)] if d]
            paths, edges = self._reachable(function.handler_file, list(dict.fromkeys(roots)), layer_dirs)
        else:
            # the handler file is not known: the whole code folder and every layer may be what runs
            paths = list(self.folder_files(own)) if own is not None else []
            for folder in layer_dirs:
                paths.extend(self.folder_files(folder))
        seen: set[Path] = set()
        for path in paths:
            if path in seen:
                continue
            seen.add(path)
            facts = self.facts(path)
            if facts is not None:
                code.files.append(facts)
        code.readable = bool(code.files) or own is not None
        code.unused_momento = {f.path for f in code.files if f.momento and not self._momento_reached(f, edges)}
        return code

    def _momento_reached(self, target: FileFacts, edges: dict[Path, list[tuple[Path, str]]]) -> bool:
        """Whether the files importing ``target`` use an export of it that reaches the SDK (``True``
        when that is not known: the handler itself, a module used whole, exports not read)."""
        incoming = edges.get(target.path)
        if not incoming or target.momento_exports is None:
            return True
        used: set[str] = set()
        for importer, spec in incoming:
            facts = self.facts(importer)
            members = facts.import_members.get(spec) if facts is not None else None
            if members is None:
                return True
            used |= members
        return any(target.momento_exports.get(name, True) for name in used)

    def reads_secret(self, code: FunctionCode) -> bool:
        """Its code reads a secret; code that cannot be read is taken to only when the function
        shows one: a secret named in its environment or a grant to read secrets."""
        if not code.readable:
            return secret_evidence(code.function)
        return any(f.secret_reads for f in code.files)

    def _resolved(
        self, facts: FileFacts, roots: tuple[Path, ...], layer_dirs: tuple[Path, ...]
    ) -> list[tuple[Path, str]]:
        """The local files ``facts``' imports name (with the import as written), once per file and search path."""
        key = (facts.path, roots, layer_dirs)
        with self._lock:
            known = self._imports.get(key)
        if known is None:
            known = _resolve(facts, roots, layer_dirs, self._lookups)
            with self._lock:
                self._imports[key] = known
        return known

    def _reachable(
        self, start: Path, roots: list[Path], layer_dirs: list[Path]
    ) -> tuple[list[Path], dict[Path, list[tuple[Path, str]]]]:
        """The files reached from ``start``, and per file the (importer, import as written) that
        reach it; worked out once per handler file and search path (200 functions over one handler
        file walk its imports once). The lists returned are shared: read them, do not change them."""
        key = (start, tuple(roots), tuple(layer_dirs))
        with self._lock:
            known = self._reaches.get(key)
        if known is None:
            known = self._walk_imports(start, roots, layer_dirs)
            with self._lock:
                known = self._reaches.setdefault(key, known)
        return known

    def _walk_imports(
        self, start: Path, roots: list[Path], layer_dirs: list[Path]
    ) -> tuple[list[Path], dict[Path, list[tuple[Path, str]]]]:
        found = [start]
        edges: dict[Path, list[tuple[Path, str]]] = {}
        queue = deque([(start, 0)])
        seen = {start}
        while queue:
            path, hops = queue.popleft()
            if hops >= MAX_HOPS:
                continue
            facts = self.facts(path)
            if facts is None:
                continue
            for target, spec in self._resolved(facts, (*roots, path.parent), tuple(layer_dirs)):
                if target != start:
                    edges.setdefault(target, []).append((path, spec))
                if target not in seen:
                    seen.add(target)
                    found.append(target)
                    queue.append((target, hops + 1))
        return found, edges


def _import_base(function: Function) -> Path | None:
    """The folder Python imports start from for this handler (``/var/task``): the handler's file
    less its module path (``functions/get/handler.main`` and ``get.handler.main`` name a module
    two folders below it). ``None`` for other runtimes or when the file does not match."""
    path = function.handler_file
    if path is None or not isinstance(function.handler, str) or not function.is_python:
        return None
    parts = [p for p in re.split(r"[/\\.]", function.handler.rsplit(".", 1)[0]) if p]
    if not parts or parts[-1] != path.stem or len(parts) > len(path.parents):
        return None
    return path.parents[len(parts) - 1]


def _resolve(
    facts: FileFacts, roots: tuple[Path, ...], layer_dirs: tuple[Path, ...], lookups: dict[Path, Path | None]
) -> list[tuple[Path, str]]:
    """The local files ``facts``' imports name, each with the import as written (vendored packages
    left out); ``lookups`` caches what a path on disk resolves to."""
    found: list[tuple[Path, str]] = []
    if facts.language == "node":
        for spec in facts.imports:
            if spec.startswith("/opt/"):
                rest = spec[len("/opt/") :]
                bases = [d / rest for d in layer_dirs] + [d / rest.partition("/")[2] for d in layer_dirs]
            else:
                bases = [facts.path.parent / spec]
            for base in bases:
                if base not in lookups:
                    lookups[base] = _node_file(base)
                if (hit := lookups[base]) is not None:
                    found.append((hit, spec))
                    break
        return found
    for level, module in facts.python_imports:
        parts = [p for p in module.split(".") if p]
        if level:
            base = facts.path.parent
            for _ in range(level - 1):
                base = base.parent
            candidates = [base]
        else:
            if parts and parts[0] in VENDORED:
                continue
            candidates = [*roots, *(d / "python" for d in layer_dirs), *layer_dirs]
        if not parts:
            continue
        for root in candidates:
            target = root.joinpath(*parts)
            if target not in lookups:
                lookups[target] = _python_file(target)
            if (hit := lookups[target]) is not None:
                found.append((hit, module))
                break
    return found


def _python_file(target: Path) -> Path | None:
    """``target.py`` or ``target/__init__.py``, when one is a file."""
    for candidate in (target.with_name(target.name + ".py"), target / "__init__.py"):
        try:
            if candidate.is_file():
                return candidate.resolve()
        except OSError:
            continue
    return None


def _node_file(base: Path) -> Path | None:
    stem = base.name
    candidates = [base]
    for suffix in (".js", ".mjs", ".cjs", ".jsx"):
        if stem.endswith(suffix):
            candidates += [base.with_name(stem[: -len(suffix)] + s) for s in (".ts", ".mts", ".cts", ".tsx")]
    candidates += [base.with_name(stem + s) for s in NODE_RESOLVE]
    candidates += [base / f"index{s}" for s in NODE_RESOLVE]
    for candidate in candidates:
        try:
            if candidate.is_file() and language_of(candidate) is not None:
                return candidate.resolve()
        except OSError:
            continue
    return None


def _pip_targets(folder: Path, names: list[str], root: Path | None) -> set[str]:
    """Top-level packages installed into ``folder`` by ``pip install -t`` (from its ``*.dist-info``)."""
    packages: set[str] = set()
    for name in names:
        if name.endswith(".dist-info"):
            packages.add(name.split("-", 1)[0].lower())
            data = read_head(folder / name / "top_level.txt", 64 * 1024, root)
            if data:
                packages.update(line.strip().lower() for line in data.decode("utf-8", "replace").splitlines())
    return packages


def _own_source(path: Path) -> bool:
    """A source file that is not a test."""
    if language_of(path) is None or path.name.endswith(TEST_SUFFIXES) or path.name.startswith("test_"):
        return False
    return path.is_file()


def source_files(
    code_dir: Path, max_depth: int = MAX_DEPTH, limit: int = MAX_FILES, *, root: Path | None
) -> list[Path]:
    """A code folder's own source files: no dependencies (``node_modules``, ``pip install -t``
    copies, a vendored Momento SDK), no build output, no tests; regular files only, and none
    whose real location is outside ``code_dir`` or the project folder ``root``."""
    found: list[Path] = []
    resolved_root = code_dir.resolve()
    project = root.resolve() if root is not None else None

    def walk(folder: Path, depth: int) -> None:
        try:
            entries = sorted(folder.iterdir())
        except OSError:
            return
        vendored = VENDORED | _pip_targets(folder, [e.name for e in entries], root)
        for entry in entries:
            if len(found) >= limit:
                return
            try:
                real = entry.resolve()
                if entry.is_symlink() and not real.is_relative_to(resolved_root):
                    continue
                if project is not None and not real.is_relative_to(project):
                    continue
                if entry.is_dir():
                    name = entry.name
                    if (
                        depth < max_depth
                        and name not in SKIP_DIRS
                        and name.lower() not in vendored
                        and not name.endswith((".dist-info", ".egg-info"))
                        and not name.startswith(".")
                    ):
                        walk(entry, depth + 1)
                elif _own_source(entry):
                    found.append(real)
            except OSError:
                continue

    walk(code_dir, 0)
    return found
