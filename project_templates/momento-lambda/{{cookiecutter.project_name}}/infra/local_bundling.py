"""Build the function's dependencies for Lambda without Docker.

CDK's Python bundling runs pip inside a Docker image by default. grpcio (under momento) is a
compiled wheel that must match Lambda's CPU and Python version, not this machine's, so this
local bundler asks pip for the manylinux wheels of that platform (``--platform``,
``--python-version``, ``--implementation cp``, ``--only-binary=:all:``): it works from any
Linux, macOS or Windows machine for dependencies that publish wheels (momento and grpcio do).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import jsii

SKIPPED = shutil.ignore_patterns("__pycache__", "*.pyc")


@jsii.implements(cdk.ILocalBundling)
class PipInstall:
    """``pip install -r requirements.txt`` for Lambda's platform into the asset, then the code."""

    def __init__(self, source: Path, python_version: str, platform: str) -> None:
        self.source = source
        self.python_version = python_version
        self.platform = platform

    def command(self, output_dir: str) -> list[str]:
        return [
            sys.executable, "-m", "pip", "install",
            "--quiet", "--disable-pip-version-check", "--no-compile",
            "--requirement", str(self.source / "requirements.txt"),
            "--platform", self.platform,
            "--implementation", "cp",
            "--python-version", self.python_version,
            "--only-binary=:all:",
            "--target", output_dir,
        ]  # fmt: skip

    def try_bundle(self, output_dir: str, *args: Any, **kwargs: Any) -> bool:
        result = subprocess.run(self.command(output_dir), capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise RuntimeError(
                f"pip could not install src/requirements.txt for Lambda ({self.platform}, Python "
                f"{self.python_version}):\n{result.stderr.strip()}\n"
                "Every dependency needs a binary wheel for that platform; otherwise build in Docker: "
                "npx cdk synth -c momentoBundling=docker"
            )
        for path in self.source.iterdir():
            if path.name in ("__pycache__",) or path.suffix == ".pyc":
                continue
            if path.is_dir():
                shutil.copytree(path, Path(output_dir) / path.name, ignore=SKIPPED, dirs_exist_ok=True)
            else:
                shutil.copy2(path, Path(output_dir) / path.name)
        return True
