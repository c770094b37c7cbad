"""What a bug report needs to know about this machine: the tool, Python, the OS, the
libraries the tool runs on and the deploy tools on PATH (like ``sam --info``).

Returns data only; ``momento-lambda info`` and ``--version --verbose`` print it.
"""

from __future__ import annotations

import os
import platform
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable
from importlib import metadata
from typing import Any

from momento_lambda_cli import __version__

DISTRIBUTION = "momento-lambda"
ALSO_REPORTED = ("botocore", "grpcio", "momento-wire-types", "click", "pyyaml", "jinja2")
"""Libraries the dependencies bring that often matter in a bug (gRPC, AWS, templating)."""
TOOLS = {
    "sam": ["--version"],
    "serverless": ["--version"],
    "osls": ["--version"],
    "node": ["--version"],
    "docker": ["--version"],
}
TOOL_SECONDS = 10.0
"""How long one ``TOOL --version`` may take (serverless v4 may try the network)."""

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*")


def _dependency_names() -> list[str]:
    try:
        requires = metadata.requires(DISTRIBUTION) or []
    except metadata.PackageNotFoundError:
        requires = []
    names = []
    for requirement in requires:
        if "extra ==" in requirement:
            continue
        found = _NAME.match(requirement)
        if found:
            names.append(found.group(0))
    return list(dict.fromkeys([*names, *ALSO_REPORTED]))


def libraries() -> dict[str, str | None]:
    """``{distribution: version or None when not installed}`` for the tool's libraries."""
    found: dict[str, str | None] = {}
    for name in _dependency_names():
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    return found


def _tool(name: str, args: list[str]) -> dict[str, Any]:
    path = shutil.which(name)
    if path is None:
        return {"path": None, "version": None}
    try:
        proc = subprocess.run(
            [path, *args],
            capture_output=True,
            text=True,
            timeout=TOOL_SECONDS,
            check=False,
            stdin=subprocess.DEVNULL,
            env={**os.environ, "SLS_TELEMETRY_DISABLED": "1", "SLS_NOTIFICATIONS_MODE": "off"},
        )
    except subprocess.TimeoutExpired:
        return {
            "path": path,
            "version": None,
            "problem": f"`{name} {' '.join(args)}` did not answer within {TOOL_SECONDS:g} s",
        }
    except OSError as exc:
        return {"path": path, "version": None, "problem": f"could not run it ({type(exc).__name__})"}
    text = (proc.stdout or proc.stderr).strip()
    first = text.splitlines()[0][:200] if text else ""
    return {
        "path": path,
        "version": first or None,
        **({"problem": f"exit {proc.returncode}"} if proc.returncode else {}),
    }


def tools(progress: Callable[[list[str]], None] | None = None) -> dict[str, dict[str, Any]]:
    """Each deploy tool's path on PATH and its ``--version`` line (asked in parallel).
    ``progress`` hears the names still being asked, first all of them, then after each answer
    (``[]`` when every tool has answered)."""
    found: dict[str, dict[str, Any]] = {}
    lock = threading.Lock()

    def waiting() -> list[str]:
        return [name for name in TOOLS if name not in found]

    def ask(name: str, args: list[str]) -> None:
        answer = _tool(name, args)
        with lock:
            found[name] = answer
            if progress is not None:
                progress(waiting())

    if progress is not None:
        progress(list(TOOLS))
    threads = [threading.Thread(target=ask, args=item, daemon=True) for item in TOOLS.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TOOL_SECONDS + 2)
    return {name: found.get(name, {"path": shutil.which(name), "version": None}) for name in TOOLS}


def collect(progress: Callable[[list[str]], None] | None = None) -> dict[str, Any]:
    """Everything :mod:`info` reports, as plain JSON-able data (``progress``: see :func:`tools`)."""
    return {
        "tool": {"name": DISTRIBUTION, "version": __version__, "path": os.path.dirname(__file__)},
        "python": {
            "version": platform.python_version(),
            "implementation": platform.python_implementation(),
            "executable": sys.executable,
        },
        "os": {
            "system": platform.system(),
            "release": platform.release(),
            "machine": platform.machine(),
            "platform": platform.platform(),
        },
        "libraries": libraries(),
        "tools": tools(progress),
    }
