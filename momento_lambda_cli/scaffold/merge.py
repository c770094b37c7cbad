"""Three-way merge of one file's text with ``git merge-file`` (the merge copier uses too)."""

from __future__ import annotations

import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from momento_lambda_cli.errors import MomentoLambdaError

GIT_TIMEOUT_SECONDS = 60


@dataclass(frozen=True)
class Merged:
    text: str
    """The merge; with conflicts, the conflict regions as chosen by ``favor`` (markers by default)."""
    conflicts: int


def merge_texts(base: str, ours: str, theirs: str, *, labels: tuple[str, str, str], favor: str | None = None) -> Merged:
    """Merge the change base->theirs into ours. ``labels``: (ours, base, theirs) marker names;
    ``favor``: ``None`` for conflict markers, ``"ours"`` / ``"theirs"`` to take that side."""
    with tempfile.TemporaryDirectory(prefix="momento-lambda-merge-") as scratch:
        paths = []
        for name, text in (("ours", ours), ("base", base), ("theirs", theirs)):
            path = Path(scratch) / name
            path.write_bytes(text.encode("utf-8"))
            paths.append(str(path))
        command = ["git", "merge-file", "-p"]
        if favor is not None:
            command.append(f"--{favor}")
        for label in labels:
            command += ["-L", label]
        try:
            done = subprocess.run(
                [*command, *paths],
                capture_output=True,
                timeout=GIT_TIMEOUT_SECONDS,
                check=False,
                stdin=subprocess.DEVNULL,
            )
        except FileNotFoundError:
            raise MomentoLambdaError(
                "`update` needs git (it merges with `git merge-file`), and git is not on PATH.",
                "Install git and run the command again.",
                code="update.no-git",
            ) from None
    if done.returncode < 0 or done.returncode > 127:
        raise MomentoLambdaError(
            f"git merge-file failed: {done.stderr.decode('utf-8', 'replace').strip()}",
            code="update.merge-failed",
        )
    return Merged(text=done.stdout.decode("utf-8"), conflicts=done.returncode)
