"""What ``sam build`` / ``serverless package`` produced, and what its binaries are built for.

Stdlib only: the first bytes of every ``*.so`` / ``*.pyd`` tell the format (ELF, Mach-O,
PE) and, for ELF, the CPU (e_machine 62 = x86_64, 183 = aarch64); the file name carries
the interpreter tag (``cpython-311-x86_64-linux-gnu``); ``*.dist-info/WHEEL`` ``Tag:``
lines carry the manylinux glibc floor, compared with the runtime's Amazon Linux.
"""

from __future__ import annotations

import os
import re
import struct
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from momento_lambda_cli import catalog
from momento_lambda_cli.project.parse import read_head

ELF_MACHINES = {**{a.elf_machine: a.cpu for a in catalog.ARCHITECTURES}, 3: "i386", 40: "arm", 8: "mips"}
LAMBDA_CPU = catalog.LAMBDA_CPU
MANYLINUX_ALIASES = {"manylinux1": (2, 5), "manylinux2010": (2, 12), "manylinux2014": (2, 17)}


runtime_glibc = catalog.glibc_of
"""glibc of the runtime's Amazon Linux (``None`` for a runtime the catalog does not know)."""


def runtime_python(runtime: str) -> tuple[int, int] | None:
    match = re.fullmatch(r"python(\d)\.(\d+)", runtime or "")
    return (int(match.group(1)), int(match.group(2))) if match else None


HEADER_BYTES = 64
"""What :func:`classify` needs of a binary."""
MAX_WHEEL_BYTES = 64 * 1024
"""A ``WHEEL`` file is a few hundred bytes; more than this is not read."""
MAX_ARCHIVE_ENTRIES = 200_000
"""Entries of one zip listed; the rest are not looked at."""


@dataclass
class Artifact:
    """A file inside a build folder or a zip: its name and its first bytes (never more than
    :data:`MAX_WHEEL_BYTES`), read once when the package is listed."""

    name: str
    """Path inside the package (posix)."""
    head: bytes


@dataclass
class Package:
    """One deployable unit: a SAM build folder or a Serverless zip."""

    label: str
    """``.aws-sam/build/HelloFunction`` or ``.serverless/demo.zip``."""
    function_keys: list[str]
    """Project functions it belongs to (empty = all of them)."""
    artifacts: list[Artifact] = field(default_factory=list)
    names: set[str] = field(default_factory=set)
    """Every file path inside (posix), for presence checks."""


def _head_size(name: str) -> int:
    return MAX_WHEEL_BYTES if name.endswith("/WHEEL") else HEADER_BYTES


def is_interesting(name: str) -> bool:
    return name.endswith((".so", ".pyd")) or ".so." in name.rsplit("/", 1)[-1] or name.endswith(".dist-info/WHEEL")


def _zip_package(archive: Path, package: Package) -> None:
    """List ``archive`` once (its index is read one time) and read the first bytes of each
    interesting member through the same handle; a member is never decompressed past its head."""
    if read_head(archive, 0) is None:  # a device, FIFO or folder named *.zip
        package.names.add("<not a zip file>")
        return
    try:
        with zipfile.ZipFile(archive) as zf:
            for index, info in enumerate(zf.infolist()):
                if index >= MAX_ARCHIVE_ENTRIES:
                    break
                if info.is_dir():
                    continue
                package.names.add(info.filename)
                if is_interesting(info.filename):
                    size = min(_head_size(info.filename), info.file_size)
                    try:
                        with zf.open(info) as handle:
                            head = handle.read(size)
                    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, EOFError, ValueError):
                        head = b""
                    package.artifacts.append(Artifact(info.filename, head))
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        package.names.add("<not a zip file>")


def find_packages(root: Path, function_keys: list[str]) -> list[Package]:
    """Build output under ``root``: ``.aws-sam/build/<Function>/`` folders and ``.serverless/*.zip``.

    Only regular files are read, and only their first bytes; symlinked folders are not followed."""
    packages: list[Package] = []
    sam_build = root / ".aws-sam" / "build"
    if sam_build.is_dir():
        for folder in sorted(p for p in sam_build.iterdir() if p.is_dir()):
            package = Package(f".aws-sam/build/{folder.name}", [folder.name])
            for dirpath, dirnames, filenames in os.walk(folder):
                dirnames.sort()
                rel_dir = Path(dirpath).relative_to(folder).as_posix()
                for filename in filenames:
                    rel = filename if rel_dir == "." else f"{rel_dir}/{filename}"
                    package.names.add(rel)
                    if is_interesting(rel):
                        head = read_head(Path(dirpath) / filename, _head_size(rel))
                        package.artifacts.append(Artifact(rel, head or b""))
                if len(package.names) >= MAX_ARCHIVE_ENTRIES:
                    break
            packages.append(package)
    sls = root / ".serverless"
    if sls.is_dir():
        for archive in sorted(sls.glob("*.zip")):
            keys = [archive.stem] if archive.stem in function_keys else []
            package = Package(f".serverless/{archive.name}", keys)
            _zip_package(archive, package)
            packages.append(package)
    return packages


@dataclass(frozen=True)
class BinaryInfo:
    format: str
    """``elf``, ``mach-o``, ``pe`` or ``unknown``."""
    cpu: str | None
    python: tuple[int, int] | None
    platform_tag: str | None
    """The interpreter tag's platform (``x86_64-linux-gnu``, ``darwin``, ``x86_64-linux-musl``...)."""


def classify(name: str, header: bytes) -> BinaryInfo:
    cpu = None
    if header.startswith(b"\x7fELF"):
        fmt = "elf"
        if len(header) >= 20:
            order = "<" if header[5] == 1 else ">"
            (machine,) = struct.unpack_from(order + "H", header, 18)
            cpu = ELF_MACHINES.get(machine, f"e_machine {machine}")
    elif header[:4] in {
        b"\xca\xfe\xba\xbe",
        b"\xcf\xfa\xed\xfe",
        b"\xce\xfa\xed\xfe",
        b"\xfe\xed\xfa\xcf",
        b"\xfe\xed\xfa\xce",
    }:
        fmt = "mach-o"
    elif header.startswith(b"MZ"):
        fmt = "pe"
    else:
        fmt = "unknown"
    python = None
    platform_tag = None
    base = name.rsplit("/", 1)[-1]
    tag = re.search(r"\.cpython-(\d)(\d+)[a-z]*-([\w-]+)\.so$", base)
    if tag:
        python = (int(tag.group(1)), int(tag.group(2)))
        platform_tag = tag.group(3)
    else:
        windows = re.search(r"\.cp(\d)(\d+)-(win[\w]*)\.pyd$", base)
        if windows:
            python = (int(windows.group(1)), int(windows.group(2)))
            platform_tag = windows.group(3)
    return BinaryInfo(fmt, cpu, python, platform_tag)


def binary_problems(name: str, info: BinaryInfo, runtime: str, architecture: str) -> list[str]:
    """Why ``name`` cannot load on ``runtime``/``architecture`` (empty when it can)."""
    want_cpu = LAMBDA_CPU.get(architecture, architecture)
    if info.format == "mach-o" or (info.platform_tag or "").startswith("darwin"):
        return [f"{name}: a macOS (Mach-O) binary; Lambda needs Linux {want_cpu}"]
    if info.format == "pe" or name.endswith(".pyd"):
        return [f"{name}: a Windows binary; Lambda needs Linux {want_cpu}"]
    problems = []
    if info.format == "unknown":
        problems.append(f"{name}: not an ELF shared library")
    if info.cpu and info.cpu != want_cpu:
        problems.append(f"{name}: built for {info.cpu}, the function runs on {architecture} ({want_cpu})")
    if info.platform_tag and "musl" in info.platform_tag:
        problems.append(f"{name}: built for musl libc (Alpine); Lambda's Amazon Linux uses glibc")
    want_python = runtime_python(runtime)
    if info.python and want_python and info.python != want_python:
        problems.append(f"{name}: built for Python {info.python[0]}.{info.python[1]}, the runtime is {runtime}")
    return problems


def wheel_problems(name: str, text: str, runtime: str, architecture: str) -> list[str]:
    """Problems with a ``*.dist-info/WHEEL`` file's platform tags (empty when fine or pure)."""
    tags = re.findall(r"^Tag:\s*(\S+)", text, re.MULTILINE)
    if not tags or all(t.endswith("-any") for t in tags):
        return []
    dist = name.split("/")[-2].split("-")[0] if "/" in name else name
    want_cpu = LAMBDA_CPU.get(architecture, architecture)
    platforms = [t.rsplit("-", 1)[-1] for t in tags]
    glibc_floors = []
    problems = []
    for platform in platforms:
        if platform.startswith("macosx"):
            return [f"{dist}: wheel tagged {platform} (macOS)"]
        if platform.startswith("win"):
            return [f"{dist}: wheel tagged {platform} (Windows)"]
        if platform.startswith("musllinux"):
            return [f"{dist}: wheel tagged {platform} (musl libc); Lambda uses glibc"]
        match = re.fullmatch(r"(manylinux_(\d+)_(\d+)|manylinux1|manylinux2010|manylinux2014)_(\w+)", platform)
        if match:
            floor = (int(match.group(2)), int(match.group(3))) if match.group(2) else MANYLINUX_ALIASES[match.group(1)]
            glibc_floors.append(floor)
            if match.group(4) != want_cpu:
                problems.append(f"{dist}: wheel tagged {platform}, the function runs on {architecture}")
        elif platform.startswith("linux_"):
            problems.append(f"{dist}: wheel tagged {platform} (built locally, not manylinux)")
    glibc = runtime_glibc(runtime)
    if glibc_floors and glibc and min(glibc_floors) > glibc:
        floor = min(glibc_floors)
        problems.append(
            f"{dist}: needs glibc {floor[0]}.{floor[1]} (manylinux), {runtime} has glibc {glibc[0]}.{glibc[1]}"
        )
    python = runtime_python(runtime)
    interpreters = {t.split("-")[0] for t in tags}
    if python and interpreters and all(re.fullmatch(r"cp\d+", i) for i in interpreters):
        wanted = f"cp{python[0]}{python[1]}"
        abi3 = any(t.split("-")[1] == "abi3" for t in tags if t.count("-") == 2)
        if wanted not in interpreters and not abi3:
            problems.append(f"{dist}: wheel for {', '.join(sorted(interpreters))}, the runtime is {runtime}")
    return sorted(set(problems))
