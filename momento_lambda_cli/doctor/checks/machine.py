"""This machine: can it build and deploy the project (Docker, CPU emulation, the tools on PATH)?

Facts about the machine, not the project: these checks warn, never fail, so a project is
judged the same on every machine (a fresh arm64 project does not fail on a laptop without qemu).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable

from momento_lambda_cli.doctor.checks.packaging import container_build
from momento_lambda_cli.doctor.context import DoctorContext
from momento_lambda_cli.doctor.model import Check, Group, Result
from momento_lambda_cli.frameworks import adapter_for

which: Callable[[str], str | None] = shutil.which
"""Looks a program up on PATH (swappable: the tests decide what this machine has)."""


def tools(ctx: DoctorContext) -> Result:
    """The programs the project's build and deploy commands run, found on PATH (not run)."""
    project = ctx.project_or_skip()
    wanted: dict[str, tuple[str, ...]] = {}
    wanted.update(adapter_for(project).tools(project))
    if any(f.is_node for f in project.functions):
        wanted["node and npm (Node.js functions)"] = ("node", "npm")
    missing = [label for label, names in wanted.items() if not _any_found(label, names)]
    found = [label for label in wanted if label not in missing]
    if missing:
        return Result.warn(
            f"Not on PATH: {', '.join(label.split(' ', 1)[0] for label in missing)}",
            "Install them to build and deploy from this machine (CI images usually have them); the project itself is fine.",
            [f"missing: {label}" for label in missing] + [f"found: {label}" for label in found],
        )
    return Result.ok("Build and deploy tools on PATH", [f"found: {label}" for label in found])


def _any_found(label: str, names: tuple[str, ...]) -> bool:
    """One of ``names`` is on PATH (``node and npm``: all of them)."""
    if " and " in label.split(" (", 1)[0]:
        return all(which(n) for n in names)
    return any(which(n) for n in names)


CHECKS = [
    Check(
        "machine.container",
        Group.MACHINE,
        "Container build can run here",
        container_build,
        reads="this machine: the Docker engine (DOCKER_HOST), binfmt_misc (qemu)",
        fails_when="never fails (a fact about the machine, not the project); warns when a container build (`use_container` / `dockerizePip`) targets another CPU than this machine's and no qemu interpreter is registered in binfmt_misc, or when no Docker engine answers (Linux only)",
        why="a container build for another CPU needs Docker and emulation on the machine that builds",
        steps=(
            "Start Docker; for another CPU register emulation (`docker run --privileged --rm tonistiigi/binfmt --install all`).",
            "Or build without a container on this machine (`sam build --no-use-container`; Serverless: pipCmdExtraArgs with --platform).",
        ),
        aliases=("build.container",),
    ),
    Check(
        "machine.tools",
        Group.MACHINE,
        "Build and deploy tools on PATH",
        tools,
        reads="this machine's PATH (sam, serverless/sls/osls, docker, pythonX.Y, node, npm), without running them",
        fails_when="never fails; warns when a program the project's build or deploy runs is not on PATH: the SAM CLI or a Serverless CLI, docker for container builds, the runtime's pythonX.Y for `sam build --no-use-container`, node and npm for Node.js functions",
        why="a missing tool fails the build or deploy on this machine, not on a machine that has it",
    ),
]
