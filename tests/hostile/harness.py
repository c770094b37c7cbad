"""Run the CLI as a child process under a hostile input and measure what the promises cover.

Each run reports the exit code, stdout, stderr, wall time and the child's own peak
resident memory: the high-water mark (``VmHWM``) of the program the child runs, read from
``/proc`` while it runs. (``wait4``'s ``ru_maxrss`` is not used when ``/proc`` answers: a
forked child inherits the parent's high-water mark, so late in a long test session it
reports the size of pytest itself.) A hard address-space
limit and a hard kill well past the bound keep a runaway child from taking the machine.
"""

from __future__ import annotations

import functools
import os
import re
import resource
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

_REPO = Path(__file__).resolve().parents[2]
MEMORY_CAP_MB = 500
"""The promise: the CLI stays under this resident size whatever the project holds."""
_ADDRESS_SPACE_LIMIT = 4 * 1024**3
_HARD_KILL_AFTER = 60.0


@dataclass
class Run:
    exit_code: int
    stdout: str
    stderr: str
    seconds: float
    peak_mb: float

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


_LAUNCH = (
    "import os, resource, runpy, sys\n"
    f"resource.setrlimit(resource.RLIMIT_AS, ({_ADDRESS_SPACE_LIMIT}, {_ADDRESS_SPACE_LIMIT}))\n"
    "fsize = int(os.environ.pop('HOSTILE_FILE_SIZE_LIMIT', '0'))\n"
    "if fsize: resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))\n"
    "sys.argv[0] = 'momento-lambda'\n"
    "runpy.run_module('momento_lambda_cli', run_name='__main__', alter_sys=True)\n"
)
"""Starts the CLI under an address-space limit (set in the child itself: no fork hook in a
parent that runs gRPC threads)."""


def run(
    *args: str,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    stdin: str = "",
    interrupt_after: float | None = None,
    file_size_limit: int = 0,
) -> Run:
    """``python -m momento_lambda_cli ARGS`` in a child; SIGINT after ``interrupt_after`` seconds
    if set; with ``file_size_limit``, no file the child writes may grow past that many bytes
    (a full disk, for one process: the write fails with EFBIG)."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    full_env["PYTHONPATH"] = str(_REPO)  # this checkout's code, whatever the child's cwd
    full_env.update(env or {})
    if file_size_limit:
        full_env["HOSTILE_FILE_SIZE_LIMIT"] = str(file_size_limit)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, tempfile.TemporaryFile() as inp:
        inp.write(stdin.encode())
        inp.seek(0)
        started = time.monotonic()
        proc = subprocess.Popen(
            [sys.executable, "-c", _LAUNCH, *args],
            stdin=inp,
            stdout=out,
            stderr=err,
            env=full_env,
            cwd=cwd,
        )
        status, usage, hwm_kb = _wait(proc, interrupt_after)
        seconds = time.monotonic() - started
        out.seek(0)
        err.seek(0)
        code = os.waitstatus_to_exitcode(status)
        return Run(
            code,
            out.read().decode("utf-8", "replace"),
            err.read().decode("utf-8", "replace"),
            seconds,
            (hwm_kb if hwm_kb is not None else usage.ru_maxrss) / 1024,
        )


def _high_water_kb(pid: int) -> int | None:
    """``VmHWM`` of process ``pid`` in kB (its peak resident size since its last exec), once it
    runs the launcher (before its exec the forked child still holds a copy of this process)."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            argv = handle.read().split(b"\0")
        if len(argv) < 3 or argv[1] != b"-c" or argv[2] != _LAUNCH.encode():
            return None
        with open(f"/proc/{pid}/status", "rb") as handle:
            for line in handle:
                if line.startswith(b"VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


def _wait(
    proc: subprocess.Popen[bytes], interrupt_after: float | None = None
) -> tuple[int, resource.struct_rusage, int | None]:
    """Reap the child with its own rusage and the highest ``VmHWM`` seen; SIGINT it once after
    ``interrupt_after`` seconds if it is still running (never through Popen, which would reap it
    first). The high-water mark only grows, so the last reading before exit is the peak up to
    then (within one 5 ms poll)."""
    started = time.monotonic()
    deadline = started + _HARD_KILL_AFTER
    hwm: int | None = None
    while True:
        reading = _high_water_kb(proc.pid)
        if reading is not None:
            hwm = reading if hwm is None else max(hwm, reading)
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            proc.returncode = os.waitstatus_to_exitcode(status)
            return status, usage, hwm
        now = time.monotonic()
        if interrupt_after is not None and now - started >= interrupt_after:
            os.kill(proc.pid, signal.SIGINT)
            interrupt_after = None
        if now > deadline:
            os.kill(proc.pid, signal.SIGKILL)
        time.sleep(0.005)


@functools.cache
def startup() -> float:
    """How long this machine takes to start the CLI and list the doctor's checks (once per
    session): bounds are the promise plus this, so a loaded machine does not fail them."""
    return run("doctor", "--list-checks").seconds


_TRACEBACK = re.compile(r"Traceback \(most recent call last\)|This is a bug|crashed: ")


def assert_clean(result: Run, *, seconds: float, exit_codes: tuple[int, ...]) -> None:
    """Finished within ``seconds``, under the memory cap, an expected exit code, no traceback."""
    assert result.seconds <= seconds, f"took {result.seconds:.1f}s > {seconds}s\n{result.output[-2000:]}"
    assert result.peak_mb <= MEMORY_CAP_MB, f"peak {result.peak_mb:.0f} MB\n{result.output[-2000:]}"
    assert result.exit_code in exit_codes, f"exit {result.exit_code}\n{result.output[-3000:]}"
    assert not _TRACEBACK.search(result.output), result.output[-3000:]


def pieces(secret: str, size: int = 8) -> set[str]:
    """Every ``size``-character substring of ``secret``."""
    return {secret[i : i + size] for i in range(len(secret) - size + 1)}


def assert_no_piece(secret: str, text: str, where: str = "output") -> None:
    """No 8+ character piece of ``secret`` in ``text``."""
    found = [p for p in pieces(secret) if p in text]
    assert not found, f"{len(found)} pieces of the key in {where}, e.g. {found[0]!r}"


def assert_no_piece_in_files(secret: str, directory: Path, *, skip: tuple[str, ...] = ()) -> None:
    """No piece of ``secret`` in any regular file under ``directory`` (files named in ``skip`` hold it on purpose)."""
    for path in directory.rglob("*"):
        if path.is_file() and not path.is_symlink() and path.name not in skip:
            assert_no_piece(secret, path.read_bytes().decode("utf-8", "replace"), str(path))
