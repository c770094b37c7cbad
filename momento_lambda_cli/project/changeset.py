"""One changeset for every command that edits a project (`add`, `doctor --fix`, `store-token`,
`update`): plan every file's new text in memory, show the diff, then apply all or nothing.

Modelled on pip's ``StashedUninstallPathSet`` (stash, commit, rollback). :meth:`Changeset.apply`:

1. takes one cross-platform lock for the project (``filelock``: ``fcntl`` on POSIX, ``msvcrt``
   on Windows; the lock file lives in the temp folder, never in the project);
2. checks that each file is still byte-identical to the text it was planned from (a file saved
   meanwhile stops everything: :class:`ChangedMeanwhile`, "X changed while ... ran; run again");
3. stages: each new text in a temp file beside its target (mode and owner of the old file), and
   a stash of each file it replaces or removes (a hard link, else a copy);
4. checks again (the window between the check and the renames is as short as it can be), then
   renames every temp over its target (removes the files to remove);
5. on any failure or signal (SIGINT, SIGTERM, SIGHUP) before the last rename, puts every stash
   back and removes every file it created: the project is exactly as it was; temps and stashes
   are removed either way.

A temp or stash carries the writer's process id (``.NAME.PID.RANDOM.ml-tmp``): one left by a
process that was killed outright (SIGKILL, power loss) is removed by the next apply in that
folder. Every file is at all times either wholly old or wholly new.
"""

from __future__ import annotations

import contextlib
import difflib
import errno
import hashlib
import os
import re
import shutil
import signal
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

from momento_lambda_cli.errors import ExitCode, MomentoLambdaError
from momento_lambda_cli.project.files import _default_file_mode, read_bytes, resolve_target

TEMP_SUFFIX = ".ml-tmp"
_TEMP_NAME = re.compile(r"^\..+\.(\d+)\.[A-Za-z0-9_]+" + re.escape(TEMP_SUFFIX) + r"$")
_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))

Hook = Callable[[str, "Change | None"], None]
"""Called at each step of :meth:`Changeset.apply` (tests inject failures and edits here):
``("checked", None)``, ``("staged", None)``, ``("rechecked", None)``, ``("renamed", change)``
after each rename, ``("committed", None)``."""


def unified_diff(relative: str, before: str | None, after: str | None) -> str:
    """THE diff renderer: a unified diff of one file (``None``: no file, shown as /dev/null);
    a last line without a line end is marked as git marks it."""
    if before == after:
        return ""
    lines = difflib.unified_diff(
        (before or "").splitlines(keepends=True),
        (after or "").splitlines(keepends=True),
        fromfile="/dev/null" if before is None else f"a/{relative}",
        tofile="/dev/null" if after is None else f"b/{relative}",
    )
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)


class ChangedMeanwhile(MomentoLambdaError):
    """A file is no longer what the change was planned from; nothing was written."""


class Interrupted(MomentoLambdaError):
    """A signal arrived while the changeset was applied; everything was rolled back."""


def changed_meanwhile(relative: str, command: str, code: str) -> ChangedMeanwhile:
    """THE "changed while" error of every writer."""
    return ChangedMeanwhile(
        f"{relative} changed while `momento-lambda {command}` ran; nothing was written.",
        f"Run `momento-lambda {command}` again.",
        code=code,
    )


@dataclass(frozen=True)
class Change:
    """One file's planned change."""

    path: Path
    """The path as the project names it (a symlink is written through to its target)."""
    relative: str
    before: str | None
    """The exact text the change was planned from (``None``: there was no file)."""
    after: str | None
    """The new text (``None``: the file is removed)."""

    @property
    def created(self) -> bool:
        return self.before is None and self.after is not None

    @property
    def removed(self) -> bool:
        return self.after is None and self.before is not None

    def diff(self) -> str:
        return unified_diff(self.relative, self.before, self.after)


@dataclass
class _Staged:
    change: Change
    target: Path
    temp: str | None = None
    stash: str | None = None


@dataclass
class Changeset:
    """Every file edit of one command, applied all or nothing (see the module docstring)."""

    root: Path
    command: str
    """The command as the user typed it (``doctor --fix``): named in errors."""
    code: str = "project.changed-meanwhile"
    """The error code of :class:`ChangedMeanwhile`."""
    changes: list[Change] = field(default_factory=list)

    def add(self, path: Path, before: str | None, after: str | None, relative: str | None = None) -> None:
        """Plan ``path``'s change from ``before`` (the text read) to ``after``; no-ops are dropped."""
        if before == after:
            return
        if relative is None:
            relative = path.relative_to(self.root).as_posix()
        self.changes.append(Change(path, relative, before, after))

    def __bool__(self) -> bool:
        return bool(self.changes)

    def diff(self) -> str:
        return "".join(change.diff() for change in self.changes)

    def apply(self, *, hook: Hook | None = None) -> list[str]:
        """Write every change or none (see the module docstring); returns the relative paths."""
        if not self.changes:
            return []
        step: Hook = hook or (lambda _name, _change: None)
        staged = [_Staged(c, resolve_target(c.path, self.root)) for c in self.changes]
        with project_lock(self.root), _SignalGuard() as guard:
            created_dirs: list[Path] = []
            committed = False
            try:
                _sweep({s.target.parent for s in staged})
                self._check(staged)
                step("checked", None)
                for item in staged:
                    _make_parents(item.target.parent, created_dirs)
                    _stage(item)
                step("staged", None)
                self._check(staged)
                step("rechecked", None)
                for item in staged:
                    if item.temp is not None:
                        os.replace(item.temp, item.target)
                        item.temp = None
                    else:
                        with contextlib.suppress(FileNotFoundError):
                            os.unlink(item.target)
                    step("renamed", item.change)
                guard.defer()
                committed = True
                step("committed", None)
            except BaseException as exc:
                guard.defer()
                if not committed:
                    _rollback(staged)
                _cleanup(staged)
                if not committed:
                    _remove_folders(created_dirs)
                if isinstance(exc, OSError):
                    raise _write_failed(exc, staged, self.command) from None
                if isinstance(exc, _Signalled):
                    raise Interrupted(
                        f"`momento-lambda {self.command}` was interrupted; nothing was changed.",
                        exit_code=ExitCode.INTERRUPTED,
                        code="project.interrupted",
                    ) from None
                raise
            _cleanup(staged)
        return [c.relative for c in self.changes]

    def _check(self, staged: Sequence[_Staged]) -> None:
        for item in staged:
            try:
                now = read_bytes(item.target, self.root)
            except MomentoLambdaError:
                now = b"\0not a file"
            before = None if item.change.before is None else item.change.before.encode("utf-8")
            if now != before:
                raise changed_meanwhile(item.change.relative, self.command, self.code)


# --- lock ---------------------------------------------------------------------------------


def lock_path(root: Path) -> Path:
    """The project's lock file: in the temp folder (per user), named by the project's real path."""
    digest = hashlib.sha256(os.path.realpath(root).encode("utf-8", "surrogateescape")).hexdigest()[:24]
    user = getattr(os, "getuid", lambda: "u")()
    return Path(tempfile.gettempdir()) / f"momento-lambda-{user}-{digest}.lock"


@contextlib.contextmanager
def project_lock(root: Path) -> Iterator[None]:
    """An exclusive lock on the project for the writers of this tool (cross-platform)."""
    from filelock import FileLock

    with FileLock(str(lock_path(root))):
        yield


# --- signals ------------------------------------------------------------------------------


class _Signalled(BaseException):
    """Raised by the signal handler inside :meth:`Changeset.apply`."""


class _SignalGuard:
    """SIGINT / SIGTERM / SIGHUP raise :class:`_Signalled` while the changeset is applied (so it
    rolls back); after :meth:`defer` (committed, or rolling back) they are held until the end."""

    def __init__(self) -> None:
        self._old: dict[int, Any] = {}
        self._deferred = False
        self.pending: int | None = None

    def __enter__(self) -> _SignalGuard:
        if threading.current_thread() is threading.main_thread():
            for sig in _SIGNALS:
                with contextlib.suppress(ValueError, OSError):
                    self._old[sig] = signal.signal(sig, self._handle)
        return self

    def defer(self) -> None:
        self._deferred = True

    def _handle(self, signum: int, _frame: FrameType | None) -> None:
        if self._deferred:
            self.pending = signum
            return
        self._deferred = True
        self.pending = signum
        raise _Signalled()

    def __exit__(self, *exc: object) -> None:
        for sig, old in self._old.items():
            signal.signal(sig, old)
        if self.pending is not None and exc[0] is None:
            # committed before the signal could stop it: deliver it now, as if it came after
            if self.pending == getattr(signal, "SIGINT", None):
                raise KeyboardInterrupt
            os.kill(os.getpid(), self.pending)


# --- staging, rollback, cleanup -----------------------------------------------------------


def _temp_path(target: Path) -> str:
    fd, path = tempfile.mkstemp(prefix=f".{target.name}.{os.getpid()}.", suffix=TEMP_SUFFIX, dir=target.parent)
    os.close(fd)
    return path


def _stage(item: _Staged) -> None:
    target, change = item.target, item.change
    if change.before is not None:
        stash = _temp_path(target)
        item.stash = stash
        try:
            os.unlink(stash)
            os.link(target, stash)
        except OSError:
            shutil.copy2(target, stash)
    if change.after is not None:
        temp = _temp_path(target)
        item.temp = temp
        with open(temp, "w", encoding="utf-8", newline="") as handle:
            handle.write(change.after)
        try:
            old = os.stat(target)
        except FileNotFoundError:
            os.chmod(temp, _default_file_mode())
        else:
            os.chmod(temp, old.st_mode & 0o7777)
            with contextlib.suppress(OSError, AttributeError):
                os.chown(temp, old.st_uid, old.st_gid)


def _rollback(staged: Sequence[_Staged]) -> None:
    """Every target back to its old bytes (idempotent: also right for targets not yet renamed)."""
    for item in reversed(staged):
        with contextlib.suppress(OSError):
            if item.stash is not None:
                # a target not renamed yet is the same inode as its stash: rename is then a
                # no-op and the stash stays, for the cleanup to remove
                os.replace(item.stash, item.target)
            elif item.change.before is None and _renamed(item):
                # created (the check found no file): the temp was renamed into place
                os.unlink(item.target)


def _remove_folders(created: Sequence[Path]) -> None:
    for folder in reversed(created):
        with contextlib.suppress(OSError):
            folder.rmdir()


def _renamed(item: _Staged) -> bool:
    try:
        data = read_bytes(item.target)
    except MomentoLambdaError:
        return False
    return data is not None and item.change.after is not None and data == item.change.after.encode("utf-8")


def _cleanup(staged: Sequence[_Staged]) -> None:
    """Remove this process's temps and stashes beside every target (also one a signal
    interrupted before its name was recorded)."""
    for item in staged:
        for path in (item.temp, item.stash):
            if path is not None:
                with contextlib.suppress(OSError):
                    os.unlink(path)
        item.temp = item.stash = None
        prefix = f".{item.target.name}.{os.getpid()}."
        with contextlib.suppress(OSError):
            for name in os.listdir(item.target.parent):
                if name.startswith(prefix) and name.endswith(TEMP_SUFFIX):
                    with contextlib.suppress(OSError):
                        os.unlink(item.target.parent / name)


def _make_parents(folder: Path, created: list[Path]) -> None:
    """Create ``folder`` and its missing parents, each recorded in ``created`` as it is made
    (so a rollback removes exactly those, also after a failure half-way)."""
    missing = []
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    for path in reversed(missing):
        created.append(path)  # before mkdir: a signal between the two still leaves it recorded
        try:
            path.mkdir()
        except FileExistsError:  # made meanwhile by someone else: not ours to remove
            created.pop()
            raise


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def _sweep(folders: set[Path]) -> None:
    """Remove temps and stashes that a killed writer left (its process is gone)."""
    for folder in folders:
        try:
            names = os.listdir(folder)
        except OSError:
            continue
        for name in names:
            match = _TEMP_NAME.match(name)
            if match and not _alive(int(match.group(1))):
                with contextlib.suppress(OSError):
                    os.unlink(folder / name)


def _write_failed(exc: OSError, staged: Sequence[_Staged], command: str) -> MomentoLambdaError:
    where = Path(exc.filename) if isinstance(exc.filename, str) else None
    folder = where.parent if where is not None and where.name.endswith(TEMP_SUFFIX) else where
    name = next((s.change.relative for s in staged if where is not None and where == s.target), None)
    reason = exc.strerror or type(exc).__name__
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        subject = f"the folder {folder}" if folder is not None else "a project folder"
        return MomentoLambdaError(
            f"Cannot write {name or subject} ({subject} is not writable: {reason}); nothing was changed.",
            f"Make it writable (or run where you can write) and run `momento-lambda {command}` again.",
            code="project.not-writable",
        )
    return MomentoLambdaError(
        f"Cannot write {name or (folder if folder is not None else 'the project')} ({reason}); nothing was changed.",
        f"Fix that and run `momento-lambda {command}` again.",
        code="project.write-failed",
    )
