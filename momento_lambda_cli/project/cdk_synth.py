"""``doctor --synth``: run an AWS CDK app's own ``cdk synth`` (the one place this tool runs a
project's code, and only when asked).

The CLI is the app's own (``node_modules/.bin/cdk``), else ``npx --no-install cdk`` (never a
download); a project ``.venv`` goes first on ``PATH`` (a Python app's ``python3`` needs its
aws-cdk-lib). The run has a timeout (its whole process group is ended), its output is never
printed (an app may print its environment): a failure is one line naming its class (no
node_modules, lookups that need AWS credentials, a CLI older than the app's library, Docker
bundling, a timeout) and a hint.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
from pathlib import Path

from momento_lambda_cli.errors import MomentoLambdaError

DEFAULT_TIMEOUT_SECONDS = 300.0

FAILURES: tuple[tuple[str, str, str], ...] = (
    (
        r"Cloud assembly schema version mismatch|This CDK CLI is not compatible",
        "the app's aws-cdk CLI is older than its aws-cdk-lib (cloud assembly schema version mismatch)",
        "Update the aws-cdk CLI in package.json (`npm install -D aws-cdk@latest`), then run again.",
    ),
    (
        r"Need to perform AWS calls|no credentials have been configured|Unable to resolve AWS account",
        "the app looks up values in AWS (fromLookup / context), which needs AWS credentials",
        "Run `npx cdk synth` once with credentials (cdk.context.json keeps the answers; commit it), then run again.",
    ),
    (
        r"Cannot connect to the Docker daemon|spawnSync docker ENOENT|docker: not found",
        "bundling an asset needs Docker, and no Docker engine answered",
        "Start Docker, or bundle locally (NodejsFunction: add esbuild to the project's devDependencies).",
    ),
    (
        r"Cannot find module|MODULE_NOT_FOUND|ModuleNotFoundError|No module named|command not found|ENOENT",
        "the app's dependencies are not installed (a module or a program it runs is missing)",
        "Install them (`npm install`; Python apps: `pip install -r requirements.txt` in the project's .venv), "
        "then run again.",
    ),
)


def _failure(code: str, message: str, hint: str) -> MomentoLambdaError:
    return MomentoLambdaError(message, hint, code=code)


def command(root: Path) -> list[str]:
    """The app's own CDK CLI: ``node_modules/.bin/cdk`` inside the project, else ``npx --no-install cdk``;
    an app without package.json (Python...) has none of its own: the ``cdk`` on PATH."""
    local = root / "node_modules" / ".bin" / "cdk"
    if local.is_file() and local.resolve().is_relative_to(root.resolve()):
        return [str(local), "synth", "--quiet", "--no-notices"]
    if not (root / "package.json").is_file():
        # a Python (Java, Go...) app: nothing to `npm install`; its CLI is the one installed globally
        found = shutil.which("cdk")
        if found is None:
            raise _failure(
                "synth.no-cli",
                f"`cdk synth` cannot run in {root}: the app has no package.json and no aws-cdk CLI is on PATH.",
                "Install the aws-cdk CLI once (`npm install -g aws-cdk`, Node.js needed), then run again; or run "
                "`npx aws-cdk synth` yourself and run doctor without --synth.",
            )
        return [found, "synth", "--quiet", "--no-notices"]
    if not (root / "node_modules").is_dir():
        raise _failure(
            "synth.no-node-modules",
            f"`cdk synth` cannot run in {root}: no node_modules (the app's aws-cdk CLI is not installed).",
            "Run `npm install` in the app folder first (doctor --synth runs the app's own CLI, never a download).",
        )
    npx = shutil.which("npx")
    if npx is None:
        raise _failure(
            "synth.no-cli",
            f"`cdk synth` cannot run in {root}: no node_modules/.bin/cdk and no npx on PATH.",
            "Install Node.js and the app's dependencies (`npm install`).",
        )
    return [npx, "--no-install", "cdk", "synth", "--quiet", "--no-notices"]


def environment(root: Path) -> dict[str, str]:
    """The caller's environment, with the project's .venv first on PATH when it has one."""
    env = dict(os.environ)
    env.setdefault("CDK_DISABLE_VERSION_CHECK", "1")
    venv = root / ".venv" / "bin"
    if venv.is_dir() and venv.resolve().is_relative_to(root.resolve()):
        env["PATH"] = f"{venv}{os.pathsep}{env.get('PATH', '')}"
        env["VIRTUAL_ENV"] = str(root / ".venv")
    return env


def synthesize(root: Path, timeout: float = DEFAULT_TIMEOUT_SECONDS) -> str:
    """Run ``cdk synth`` in ``root`` within ``timeout`` seconds; the command line that ran (its
    output is not shown). Raises MomentoLambdaError (exit 1) with the failure's class."""
    argv = command(root)
    try:
        process = subprocess.Popen(
            argv,
            cwd=root,
            env=environment(root),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    except OSError as exc:
        raise _failure(
            "synth.no-cli", f"`cdk synth` could not start in {root}: {exc.strerror}.", "Run `npm install` first."
        ) from None
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _end(process)
        raise _failure(
            "synth.timeout",
            f"`cdk synth` did not finish within {timeout:g} s in {root}; it was stopped.",
            "Run `npx cdk synth` yourself to see what it waits for, or pass a longer --synth-timeout.",
        ) from None
    except BaseException:
        _end(process)
        raise
    if process.returncode == 0:
        return " ".join(Path(argv[0]).name if i == 0 else a for i, a in enumerate(argv))
    text = output.decode("utf-8", "replace")[-200_000:]
    for pattern, why, hint in FAILURES:
        if re.search(pattern, text):
            raise _failure("synth.failed", f"`cdk synth` failed in {root}: {why}.", hint)
    raise _failure(
        "synth.failed",
        f"`cdk synth` failed in {root} (exit {process.returncode}); its output is not shown here "
        "(an app may print its environment).",
        "Run `npx cdk synth` in the app folder to see the error.",
    )


def _end(process: subprocess.Popen[bytes]) -> None:
    """End the synth and everything it started (its own process group)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()
