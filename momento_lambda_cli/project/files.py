"""Writing project files: atomic replacement that keeps the file's mode and owner, writes
through symlinks (to targets inside the project only), and never loses a concurrent update.

:func:`update_file` edits one file under an exclusive lock: it re-reads the file, applies
the edit to what is there now, and replaces the file atomically. The commands that edit a
project (`add`, `doctor --fix`, `store-token`, `update`) write through the one changeset
instead (:mod:`momento_lambda_cli.project.changeset`: all files or none, rolled back on a
failure or a signal).
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from momento_lambda_cli.errors import MomentoLambdaError

_MISSING = object()


def resolve_target(path: Path, root: Path | None = None) -> Path:
    """The file a write to ``path`` lands in: ``path`` itself, or the end of its symlink chain.

    With ``root`` (the project folder), a target outside it is refused: a symlink out of the
    project (``project.symlink-outside``) or a path that leads out of it (``project.path-outside``).
    """
    target = path.resolve() if path.is_symlink() else path
    if root is not None:
        base = root.resolve()
        resolved = target.resolve()
        if resolved != base and base not in resolved.parents:
            if path.is_symlink():
                raise MomentoLambdaError(
                    f"{path} is a symlink to {resolved}, outside the project folder {base}; nothing was written.",
                    f"Edit {resolved} yourself, or replace the symlink with a copy of the file.",
                    code="project.symlink-outside",
                )
            raise MomentoLambdaError(
                f"{path} is outside the project folder {base}; nothing was written.",
                f"Edit {resolved} yourself.",
                code="project.path-outside",
            )
    return target


MAX_FILE_BYTES = 8 * 1024 * 1024
"""The largest project file any command reads (CloudFormation's own template limit is 1 MB)."""

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
)


class NotText(MomentoLambdaError):
    """A project file that is not UTF-8 text."""


def _unreadable(path: Path, why: str, hint: str, code: str = "project.unreadable") -> MomentoLambdaError:
    return MomentoLambdaError(f"{path}: {why}; it was not read.", hint, code=code)


def open_project_file(path: Path, root: Path | None = None) -> int | None:
    """THE way a command opens a file of a project: a file descriptor of a regular file, or
    ``None`` when there is no file (a dangling symlink counts as none).

    Refused with :class:`MomentoLambdaError`: a FIFO, socket, device or folder (opened without
    blocking, checked on the open descriptor), a symlink loop, and with ``root`` (the project
    folder) any path whose real location is outside it."""
    try:
        real = os.path.realpath(path, strict=True)
    except FileNotFoundError:
        return None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise _unreadable(
                path, "a symlink loop", "Replace the symlink with the file it should point at.", "project.symlink-loop"
            ) from None
        if exc.errno == errno.ENOTDIR:
            return None
        raise _unreadable(path, f"{exc.strerror or type(exc).__name__}", "Check the file's permissions.") from None
    if root is not None:
        base = os.path.realpath(root)
        if real != base and not real.startswith(base.rstrip(os.sep) + os.sep):
            raise _unreadable(
                path,
                "a symlink to a file outside the project folder",
                "Replace the symlink with a copy of the file inside the project.",
                "project.symlink-outside",
            )
    try:
        fd = os.open(real, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise _unreadable(path, f"{exc.strerror or type(exc).__name__}", "Check the file's permissions.") from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        kind = next((name for test, name in _KINDS if test(mode)), "not a regular file")
        raise _unreadable(path, f"{kind}, not a regular file", "Replace it with a regular file.")
    return fd


def read_bytes(path: Path, root: Path | None = None, limit: int = MAX_FILE_BYTES) -> bytes | None:
    """A project file's bytes through :func:`open_project_file` (``None``: no file); larger than
    ``limit`` is refused (``project.too-large``)."""
    fd = open_project_file(path, root)
    if fd is None:
        return None
    try:
        with os.fdopen(fd, "rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise _unreadable(path, f"{exc.strerror or type(exc).__name__}", "Check the file's permissions.") from None
    if len(data) > limit:
        raise _unreadable(
            path,
            f"larger than the {limit // (1024 * 1024) or limit} {'MB' if limit >= 1024 * 1024 else 'bytes'} "
            "this tool reads",
            "Project settings files are small; check that this is the right file.",
            "project.too-large",
        )
    return data


def read_text(path: Path, root: Path | None = None, limit: int = MAX_FILE_BYTES) -> str | None:
    """The file's exact text (line ends and BOM kept), or ``None`` when there is none; read
    through :func:`read_bytes` (regular files only, inside ``root`` when given, size-capped).
    Raises :class:`NotText` for a file that is not UTF-8."""
    data = read_bytes(path, root, limit)
    if data is None:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise NotText(
            f"{path}: not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); it was not read.",
            f"Save {path.name} as UTF-8.",
            code="project.not-text",
        ) from None


def atomic_write_text(path: Path, text: str, root: Path | None = None) -> None:
    """Replace the file at ``path`` (or its symlink target) with ``text`` in one step: a temp
    file in the target's folder, the old file's mode (and owner where allowed), then rename."""
    target = resolve_target(path, root)
    tmp = _stage(target, text)
    try:
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _stage(target: Path, text: str) -> str:
    """A temp file next to ``target`` holding ``text``, with the old file's mode (and owner
    where allowed), ready to be renamed over it; removed again if writing it fails."""
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        try:
            old = target.stat()
        except FileNotFoundError:
            os.chmod(tmp, _default_file_mode())
        else:
            os.chmod(tmp, old.st_mode & 0o7777)
            with contextlib.suppress(OSError):
                os.chown(tmp, old.st_uid, old.st_gid)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return tmp


def _default_file_mode() -> int:
    """The mode a plain ``open(path, "w")`` would give a new file (0o666 less the umask)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an exclusive advisory lock (``flock``) for edits of the file ``path``.

    The lock is taken on the file's folder: the folder is never replaced (the file is, by
    each atomic write) and no lock file is left in the user's project.
    """
    import fcntl

    fd = os.open(path.parent, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


@dataclass(frozen=True)
class Update:
    """What :func:`update_file` did."""

    path: Path
    """The file written (a symlink's target)."""
    changed: bool
    """The file's text changed."""
    conflicted: bool
    """The file was not what the caller planned against: the edit was applied to its new content."""


def update_file(
    path: Path,
    edit: Callable[[str | None], str],
    *,
    root: Path | None = None,
    expected: object = _MISSING,
) -> Update:
    """Apply ``edit`` (current text, ``None`` for no file -> new text) to the file under a lock.

    ``expected``: the text the caller read when planning (``None``: there was no file);
    when the file now differs, the edit still applies to the current text and the result
    says ``conflicted``. Writes nothing when the text does not change.
    """
    target = resolve_target(path, root)
    with locked(target):
        current = read_text(target)
        conflicted = expected is not _MISSING and current != expected
        new = edit(current)
        if new == current:
            return Update(target, changed=False, conflicted=conflicted)
        atomic_write_text(target, new)
    return Update(target, changed=True, conflicted=conflicted)
