"""Checks over how Python dependencies get packaged: serverless-python-requirements' options
that break compiled extensions, and container builds this machine cannot run.

The plugin's behaviour is serverless-python-requirements 6.x: ``slim`` strips every ``*.so``
unless ``strip: false`` (``lib/slim.js`` getStripMode: skipped only on macOS / Windows without
Docker); ``useStaticCache`` defaults to true and names the cache folder
``<sha256 of requirements.txt>_<provider.architecture>_slspyc`` (``lib/shared.js``
getRequirementsWorkingPath), so neither the Python version nor a function's own architecture
is part of the key.
"""

from __future__ import annotations

import os
import platform
import re
import shutil
import socket
from pathlib import Path
from typing import Any

from momento_lambda_cli import catalog
from momento_lambda_cli.doctor.context import DoctorContext
from momento_lambda_cli.doctor.model import Check, FixRef, Group, Result, SkipCheck
from momento_lambda_cli.frameworks import adapter_for
from momento_lambda_cli.project.model import Function, Project
from momento_lambda_cli.project.parse import read_head
from momento_lambda_cli.project.values import Unresolved

PLUGIN = "serverless-python-requirements"
COMPILED_PACKAGES = ("momento", "grpcio")
"""Requirements that bring compiled extensions (the Momento SDK needs grpcio)."""
MAX_REQUIREMENTS_BYTES = 256 * 1024


def _flag(value: Any, default: bool) -> bool | None:
    """A plugin option as the plugin reads it (``true``/``"true"``); ``None`` when unresolved."""
    if value is None:
        return default
    if isinstance(value, Unresolved):
        return None
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in {"true", "false"}:
            return lowered == "true"
        return bool(lowered)
    return bool(value)


def _serverless_python(ctx: DoctorContext) -> tuple[Project, list[Function], dict[str, Any]]:
    project = ctx.project_or_skip()
    if not adapter_for(project).has_plugins:
        raise SkipCheck(f"Not a Serverless project ({PLUGIN} is a Serverless Framework plugin).")
    python = [f for f in project.functions if f.is_python]
    if not python:
        raise SkipCheck("No Python function.")
    if PLUGIN not in (project.build.plugins or []):
        raise SkipCheck(f"{PLUGIN} is not among the plugins (project.build-method reports that).")
    custom = project.document.get("custom") if isinstance(project.document, dict) else None
    options = custom.get("pythonRequirements") if isinstance(custom, dict) else None
    return project, python, options if isinstance(options, dict) else {}


def _requirements(project: Project, functions: list[Function], file_name: str) -> list[tuple[str, str]]:
    """(file, text) of every requirements file the plugin would read for ``functions``."""
    folders = [project.root, *(f.code_dir for f in functions if f.code_dir)]
    found = []
    seen: set[Path] = set()
    for folder in folders:
        path = folder / file_name
        if path in seen:
            continue
        seen.add(path)
        data = read_head(path, MAX_REQUIREMENTS_BYTES, project.root)
        if data is not None:
            found.append((path.relative_to(project.root).as_posix(), data.decode("utf-8", "replace")))
    return found


def _compiled(requirements: list[tuple[str, str]]) -> list[str]:
    """``requirements.txt: momento`` for each requirement that brings compiled extensions."""
    names = []
    for file, text in requirements:
        for line in text.splitlines():
            match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", line.split("#", 1)[0])
            if match and match.group(1).lower().replace("_", "-") in COMPILED_PACKAGES:
                names.append(f"{file}: {match.group(1)}")
    return names


def slim_strip(ctx: DoctorContext) -> Result:
    project, python, options = _serverless_python(ctx)
    slim = _flag(options.get("slim"), False)
    strip = _flag(options.get("strip"), True)
    if slim is None or strip is None:
        return Result.warn(
            "custom.pythonRequirements slim / strip are set at deploy time: whether .so files get stripped is unknown",
            "Set custom.pythonRequirements.strip: false next to slim: true.",
        )
    if not slim:
        return Result.ok("slim is off: compiled extensions are packaged as built")
    if not strip:
        return Result.ok("slim: true with strip: false: compiled extensions are not stripped")
    file_name = str(options.get("fileName") or "requirements.txt")
    compiled = _compiled(_requirements(project, python, file_name))
    message = (
        "custom.pythonRequirements.slim: true runs `strip` on every .so (strip defaults to true): a stripped grpcio "
        "extension fails to load (ELF load command address/offset not properly aligned)"
    )
    hint = "Add `strip: false` under custom.pythonRequirements in serverless.yml (slim still drops caches and tests)."
    if compiled:
        return Result.fail(message, hint, compiled)
    return Result.warn(message, hint)


MAX_CACHE_ENTRIES = 200
"""Static-cache folders looked at."""
MAX_CACHE_FILES = 50_000
"""Files listed in one cache folder."""


def plugin_cache_root(project: Project, options: dict[str, Any]) -> Path:
    """Where the plugin keeps its static cache: ``cacheLocation``, else the user cache folder
    (``$XDG_CACHE_HOME`` or ``~/.cache``)/serverless-python-requirements."""
    location = options.get("cacheLocation")
    if isinstance(location, str) and location:
        return (project.root / location).resolve()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / PLUGIN


def _requirement_lines(text: str) -> set[str]:
    """The lines the plugin keeps (comments and blank lines dropped): its cache copy's content, unordered."""
    return {line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")}


def _cached_pythons(folder: Path) -> set[str]:
    """Python versions (``3.11``) of the compiled extensions in one cache folder (names only)."""
    found: set[str] = set()
    count = 0
    for _dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = [d for d in dirnames if not d.endswith(".dist-info")]
        for name in filenames:
            count += 1
            match = re.search(r"\.cpython-3(\d+)[a-z]*-[\w-]+\.so$", name)
            if match:
                found.add(f"3.{match.group(1)}")
        if count >= MAX_CACHE_FILES:
            break
    return found


def static_cache(ctx: DoctorContext) -> Result:
    project, python, options = _serverless_python(ctx)
    enabled = _flag(options.get("useStaticCache"), True)
    hint = "Set custom.pythonRequirements.useStaticCache: false in serverless.yml (or a cacheLocation per service)."
    if enabled is None:
        return Result.warn("custom.pythonRequirements.useStaticCache is set at deploy time", hint)
    if not enabled:
        return Result.ok("useStaticCache: false: requirements are installed for this service's runtime")
    provider = project.document.get("provider") if isinstance(project.document, dict) else None
    provider_arch = str((provider or {}).get("architecture") or catalog.LAMBDA_DEFAULT_ARCHITECTURE.name)
    keyed = "the plugin's static cache is keyed on requirements.txt and provider.architecture, not the Python version"
    failures = [
        f"{f.key}: runs on {f.architecture}, the cache is filled for provider.architecture {provider_arch}"
        for f in python
        if str(f.architecture) != provider_arch
    ]
    wanted = {f.runtime_name.removeprefix("python") for f in python}
    ours = [
        _requirement_lines(text)
        for _, text in _requirements(project, python, str(options.get("fileName") or "requirements.txt"))
    ]
    root = plugin_cache_root(project, options)
    try:
        entries = sorted(p for p in root.glob("*_slspyc") if p.is_dir())[:MAX_CACHE_ENTRIES]
    except OSError:
        entries = []
    versions: set[str] = set()
    for entry in entries:
        found = _cached_pythons(entry)
        versions |= found
        if not entry.name.endswith(f"_{provider_arch}_slspyc") or not found - wanted:
            continue
        # the plugin's cache on this machine, not a project file (compared, never printed)
        copy = read_head(entry / "requirements.txt", MAX_REQUIREMENTS_BYTES, None)
        if copy is not None and _requirement_lines(copy.decode("utf-8", "replace")) in ours:
            failures.append(
                f"{entry}: this service's requirements, built for Python {', '.join(sorted(found - wanted))}; "
                f"the next package reuses it for {', '.join(sorted(f.runtime_name for f in python))}"
            )
    if failures:
        return Result.fail(f"The requirements cache serves the wrong build: {keyed}", hint, sorted(set(failures)))
    default = " (the plugin's default)" if options.get("useStaticCache") is None else ""
    if len(versions) > 1:
        return Result.warn(
            f"useStaticCache is on{default} and this machine's cache holds builds for Python "
            f"{', '.join(sorted(versions))}: {keyed}, so a service with the same requirements for another Python "
            "gets the wrong extensions (a python3.13 zip shipped a cp311 grpcio)",
            hint,
            [f"cache: {root}"],
        )
    return Result.ok(
        f"useStaticCache is on{default}; no cached build for another Python on this machine ({keyed})",
        [f"cache: {root}"],
    )


# --- container builds on this machine --------------------------------------------------------

BINFMT = Path("/proc/sys/fs/binfmt_misc")
"""Where Linux lists the interpreters registered for foreign executables (qemu-aarch64...)."""
DOCKER_PROBE_SECONDS = 1.0


def machine_cpu() -> str:
    """This machine's CPU as Lambda's architectures name it in ELF terms (x86_64 / aarch64)."""
    machine = platform.machine().lower()
    return {"amd64": "x86_64", "arm64": "aarch64"}.get(machine, machine)


def emulates(cpu: str) -> bool:
    """Whether binfmt_misc runs ``cpu`` executables here: an enabled ``qemu-<cpu>`` (or similar)
    entry in :data:`BINFMT`. Nothing registered, or binfmt_misc not mounted, means no emulation."""
    try:
        entries = [p for p in BINFMT.iterdir() if p.name not in {"register", "status"}]
    except OSError:
        return False
    for entry in entries:
        if cpu in entry.name:
            # /proc, not a project file: no project folder to fence it to
            head = (read_head(entry, 4096, None) or b"").decode("utf-8", "replace")
            if head.startswith("enabled"):
                return True
    return False


def docker_host() -> str:
    """The Docker endpoint the docker CLI would use (``DOCKER_HOST``, else the default socket)."""
    return os.environ.get("DOCKER_HOST") or "unix:///var/run/docker.sock"


def docker_reachable(host: str | None = None) -> bool | None:
    """Whether the Docker engine answers at its endpoint (a local socket connect, no request);
    ``None`` for an endpoint this check does not probe (ssh://, tcp:// to another host)."""
    host = host or docker_host()
    if host.startswith("unix://"):
        path = host.removeprefix("unix://")
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(DOCKER_PROBE_SECONDS)
        try:
            sock.connect(path)
            return True
        except OSError:
            return False
        finally:
            sock.close()
    if host.startswith("tcp://"):
        address = host.removeprefix("tcp://").split("/", 1)[0]
        name, _, port = address.rpartition(":")
        if name in {"127.0.0.1", "localhost", "[::1]"}:
            try:
                with socket.create_connection((name.strip("[]"), int(port)), timeout=DOCKER_PROBE_SECONDS):
                    return True
            except (OSError, ValueError):
                return False
    return None


def _container_build(project: Project) -> str | None:
    """How the project builds in a container, in its own words; ``None`` when it does not."""
    return adapter_for(project).container_build(project)


def container_build(ctx: DoctorContext) -> Result:
    project = ctx.project_or_skip()
    python = [f for f in project.functions if f.is_python]
    if not python:
        raise SkipCheck("No Python function: nothing is built in a container.")
    how = _container_build(project)
    if how is None:
        raise SkipCheck("The project does not build in a container.")
    if platform.system() != "Linux":
        raise SkipCheck(f"Checked on Linux only (this machine runs {platform.system()}; Docker Desktop emulates).")
    problems = []
    here = machine_cpu()
    for arch in sorted({str(f.architecture) for f in python}):
        want = catalog.LAMBDA_CPU.get(arch, arch)
        if want != here and not emulates(want):
            keys = ", ".join(f.key for f in python if str(f.architecture) == arch)
            problems.append(
                f"{keys}: {arch} ({want}) built on this {here} machine, and no qemu-{want} is registered in "
                f"{BINFMT}: the build image cannot run (exec format error)"
            )
    reachable = docker_reachable()
    if reachable is False:
        docker_cli = shutil.which("docker")
        problems.append(
            f"no Docker engine answers at {docker_host()}" + ("" if docker_cli else " (and no docker CLI on PATH)")
        )
    emulation = (
        "register emulation once (`docker run --privileged --rm tonistiigi/binfmt --install all`, or the "
        "qemu-user-static and binfmt-support packages)"
    )
    hint = f"Start Docker; for another CPU {emulation}; or {adapter_for(project).wording.no_container_hint}"
    message = f"The container build ({how}) cannot run on this machine"
    if any("qemu" in p for p in problems):  # a fact about this machine, not the project: a warning
        return Result.warn(message, hint, problems)
    if problems:
        return Result.warn(message + " until Docker runs", hint, problems)
    note = "" if reachable else " (Docker's endpoint was not probed)"
    return Result.ok(f"The container build ({how}) can run here{note}")


PROJECT_CHECKS = [
    Check(
        "serverless.slim-strip",
        Group.PROJECT,
        "slim does not strip compiled extensions",
        slim_strip,
        reads="serverless.yml custom.pythonRequirements and the requirements",
        fails_when="serverless-python-requirements `slim: true` without `strip: false` (stripping breaks grpcio's `.so`) when the requirements name `momento` or `grpcio`; warns otherwise",
        why="strip removes symbols grpcio's .so needs: the import fails on Lambda",
        fixes=(FixRef("fix_slim_strip", always=True),),
    ),
    Check(
        "serverless.static-cache",
        Group.PROJECT,
        "No requirements cache shared across runtimes",
        static_cache,
        reads="serverless.yml, the requirements and the plugin's static cache on this machine",
        fails_when="the plugin's static cache (on by default; keyed on requirements.txt + `provider.architecture`, not the Python version) holds this service's requirements built for another Python, or a function's architecture differs from the provider's; warns when the cache holds builds for several Pythons",
        why="the cache is keyed on requirements and CPU, not the Python version: another runtime's wheels get packaged",
        fixes=(FixRef("fix_static_cache", always=True),),
    ),
]
