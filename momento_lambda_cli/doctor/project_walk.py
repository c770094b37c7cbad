"""The files of a project that the key scan reads: bounded, pruned, ``.gitignore`` honoured.

Inside a git work tree, ``git ls-files`` (tracked plus untracked-not-ignored) is the list.
Without git, a walk that prunes :data:`SKIP_DIRS` and what ``.gitignore`` files ignore
*before* descending (``pathspec`` implements git's pattern rules: anchoring, ``**``,
negation, folder-only patterns). Either way the list stops at :data:`MAX_FILES` and
symlinked folders are not followed.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

from momento_lambda_cli.doctor.resolution import SKIP_DIRS

MAX_FILES = 20_000
"""Files listed at most (a project folder, not a home folder)."""
MAX_ENTRIES = 200_000
"""Folder entries looked at, at most, by the walk without git."""
GIT_SECONDS = 5.0


def _git_files(root: Path) -> list[Path] | None:
    try:
        proc = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=root,
            capture_output=True,
            timeout=GIT_SECONDS,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    found: list[Path] = []
    for name in proc.stdout.decode("utf-8", "replace").split("\0"):
        if not name:
            continue
        if any(part in SKIP_DIRS for part in name.split("/")[:-1]):
            continue
        found.append(root / name)
        if len(found) >= MAX_FILES:
            break
    return found or None


def _ignore_spec(folder: Path, root: Path) -> Any:
    from pathspec import GitIgnoreSpec

    from momento_lambda_cli.project.parse import read_head

    data = read_head(folder / ".gitignore", 256 * 1024, root)
    if not data:
        return None
    try:
        return GitIgnoreSpec.from_lines(data.decode("utf-8", "replace").splitlines())
    except Exception:  # a malformed pattern: ignore the file, as git skips bad lines
        return None


def _walk(root: Path) -> list[Path]:
    found: list[Path] = []
    entries = 0
    # (folder, its path relative to root, the .gitignore specs above it with their base folders)
    stack: list[tuple[Path, str, list[tuple[str, Any]]]] = [(root, "", [])]
    while stack and len(found) < MAX_FILES and entries < MAX_ENTRIES:
        folder, rel, specs = stack.pop()
        spec = _ignore_spec(folder, root)
        if spec is not None:
            specs = [*specs, (rel, spec)]
        try:
            with os.scandir(folder) as iterator:
                items = sorted(iterator, key=lambda e: e.name)
        except OSError:
            continue
        subfolders = []
        for entry in items:
            entries += 1
            if entries >= MAX_ENTRIES or len(found) >= MAX_FILES:
                break
            path_rel = f"{rel}/{entry.name}" if rel else entry.name
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
                is_file = entry.is_file(follow_symlinks=False)
            except OSError:
                continue
            if is_dir and entry.name in SKIP_DIRS:
                continue
            if _ignored(path_rel + ("/" if is_dir else ""), specs):
                continue
            if is_dir:
                subfolders.append((Path(entry.path), path_rel, specs))
            elif is_file:
                found.append(Path(entry.path))
        stack.extend(reversed(subfolders))
    return found


def _ignored(path_rel: str, specs: list[tuple[str, Any]]) -> bool:
    ignored = False
    for base, spec in specs:
        inner = path_rel[len(base) + 1 :] if base else path_rel
        result = spec.check_file(inner)
        if result.include is not None:
            ignored = bool(result.include)
    return ignored


def project_files(root: Path) -> list[Path]:
    """Files of the project at ``root``, at most :data:`MAX_FILES`, ignored folders never entered."""
    listed = _git_files(root)
    return listed if listed is not None else _walk(root)
