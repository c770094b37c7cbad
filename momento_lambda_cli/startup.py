"""Ctrl-C while the CLI is still starting (importing typer, rich...): "Aborted." and exit
130, never a KeyboardInterrupt traceback. :func:`quiet_interrupts` is called by the entry
points before their imports; :func:`normal_interrupts` hands Ctrl-C back to the commands,
which report it themselves."""

from __future__ import annotations

import os
import signal
import sys
from types import FrameType

_INTERRUPTED = 130


def _abort(_signum: int, _frame: FrameType | None) -> None:
    try:
        os.write(2, b"\nAborted.\n")
    finally:
        os._exit(_INTERRUPTED)


def quiet_interrupts() -> None:
    """Until :func:`normal_interrupts`, Ctrl-C ends the process at once with "Aborted."."""
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, _abort)


def normal_interrupts() -> None:
    if signal.getsignal(signal.SIGINT) is _abort:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def is_entry_point() -> bool:
    """The process runs the ``momento-lambda`` console script."""
    return os.path.basename(sys.argv[0] or "") in {"momento-lambda", "momento-lambda.exe"}
