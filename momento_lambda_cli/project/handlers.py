"""Where a function's code is: its code location and the file its handler names."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from pathlib import Path, PureWindowsPath
from typing import Any, TypeVar

from momento_lambda_cli.project.model import CodeKind, CodeLocation

PYTHON_SUFFIXES = (".py",)
NODE_SUFFIXES = (".js", ".mjs", ".cjs", ".ts", ".mts", ".cts")
TYPESCRIPT_SUFFIXES = (".ts", ".mts", ".cts", ".tsx")
"""Handler sources a TypeScript compiler (or esbuild's TypeScript loader) reads."""
"""The Node.js runtime's own lookup order, then TypeScript sources of a built handler."""
ARCHIVE_SUFFIXES = (".zip", ".jar")

F = TypeVar("F", bound=Callable[..., Any])
_MEMO: ContextVar[dict[tuple[Any, ...], Any] | None] = ContextVar("handlers_memo", default=None)


@contextlib.contextmanager
def memo() -> Iterator[None]:
    """Within one project load, each (code location, handler) is looked up on disk once: 200
    functions over one ``src/`` folder resolve it once, not 200 times. Outside, no caching (a
    later load sees files created since)."""
    token = _MEMO.set({})
    try:
        yield
    finally:
        _MEMO.reset(token)


def _memoized(function: F) -> F:
    @functools.wraps(function)
    def wrapper(*args: Any) -> Any:
        cache = _MEMO.get()
        if cache is None:
            return function(*args)
        key = (function.__name__, *(tuple(a) if isinstance(a, list) else a for a in args))
        try:
            if key in cache:
                return cache[key]
        except TypeError:  # an unhashable handler value: not cached
            return function(*args)
        cache[key] = found = function(*args)
        return found

    return wrapper  # type: ignore[return-value]


@_memoized
def local_code(root: Path, written: str) -> CodeLocation:
    """A code location written as a path (``src/``, ``functions\\\\get-item``, ``dist/fn.zip``,
    ``s3://bucket/key``), relative to the project folder ``root``."""
    text = written.strip()
    if text.startswith("s3://"):
        return CodeLocation(CodeKind.S3, None, written)
    if "${" in text:
        return CodeLocation(CodeKind.UNRESOLVED, None, written)
    if "\\" in text:
        text = PureWindowsPath(text).as_posix()
    path = (root / (text or ".")).resolve()
    outside = not path.is_relative_to(root.resolve())
    if path.is_dir():
        return CodeLocation(CodeKind.FOLDER, path, written, outside)
    if path.is_file() and path.suffix.lower() in ARCHIVE_SUFFIXES:
        return CodeLocation(CodeKind.ZIP, path, written, outside)
    if path.is_file():
        return CodeLocation(CodeKind.FILE, path, written, outside)
    if not path.exists() and path.suffix.lower() in ARCHIVE_SUFFIXES:
        return CodeLocation(CodeKind.ZIP, path, written, outside)  # built before deploy (e.g. `make package`)
    return CodeLocation(CodeKind.MISSING, path, written, outside)


@_memoized
def handler_file(
    code_dir: Path | None, handler: Any, runtime: str, entry_points: list[str] | None = None
) -> Path | None:
    """The source file a handler names (``app.lambda_handler`` -> ``app.py``,
    ``src/handlers/get.main`` -> ``src/handlers/get.py``), when it exists inside ``code_dir``.

    Node.js handlers may point at a built file (``dist/app.handler``) whose source is
    TypeScript (``app.ts``); ``entry_points`` (esbuild ``BuildProperties.EntryPoints``) win.
    """
    if code_dir is None or not isinstance(handler, str) or "." not in handler:
        return None
    for entry in entry_points or []:
        candidate = (code_dir / str(entry)).resolve()
        if candidate.is_file():
            return candidate
    folder, _, name = handler.replace("\\", "/").rpartition("/")
    module = name.rsplit(".", 1)[0]
    if runtime.startswith("python"):
        module = module.replace(".", "/")
        suffixes: tuple[str, ...] = PYTHON_SUFFIXES
    elif runtime.startswith("nodejs"):
        suffixes = NODE_SUFFIXES
    else:
        suffixes = PYTHON_SUFFIXES + NODE_SUFFIXES
    base = code_dir.resolve()
    for suffix in suffixes:
        candidate = (base / folder / f"{module}{suffix}").resolve()
        if candidate.is_relative_to(base) and candidate.is_file():
            return candidate
    return None
