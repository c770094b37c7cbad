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
from momento_lambda_cli.doctor.elf import GlibcNeed, glibc_need, glibc_need_of_bytes
from momento_lambda_cli.errors import MomentoLambdaError
from momento_lambda_cli.project.files import open_project_file
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
MAX_RECORD_BYTES = 4 * 1024 * 1024
"""A ``RECORD`` file (one line per installed file) is read up to this size."""
MAX_ELF_BYTES = 128 * 1024 * 1024
"""A zipped ELF library larger than this (uncompressed) is not read for its glibc versions:
a zip member is decompressed into memory, one at a time."""


@dataclass
class Artifact:
    """A file inside a build folder or a zip: its name and its first bytes (never more than
    :data:`MAX_WHEEL_BYTES`), read once when the package is listed."""

    name: str
    """Path inside the package (posix)."""
    head: bytes
    glibc: GlibcNeed | None = None
    """For an ELF library: the newest glibc symbol version it imports."""


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
    owners: dict[str, str] = field(default_factory=dict)
    """File path -> the distribution that installed it (``grpcio 1.68.1``), from the
    ``*.dist-info/RECORD`` files."""

    def owner(self, name: str) -> str | None:
        return self.owners.get(name)


def dist_label(dist_info: str) -> str:
    """``grpcio 1.68.1`` for ``.../grpcio-1.68.1.dist-info/WHEEL`` (or ``.../RECORD``)."""
    folder = dist_info.rsplit("/", 2)[-2] if "/" in dist_info else dist_info
    stem = folder.removesuffix(".dist-info")
    name, _, version = stem.partition("-")
    return f"{name} {version}".strip()


def _add_record(package: Package, name: str, text: str) -> None:
    """Note which files ``name`` (a ``RECORD``) lists; its paths are relative to the dist-info's parent."""
    base = name.rsplit("/", 2)[0] + "/" if name.count("/") >= 2 else ""
    label = dist_label(name)
    for line in text.splitlines():
        path = line.split(",", 1)[0].strip().strip('"')
        if path.endswith((".so", ".pyd")) or ".so." in path.rsplit("/", 1)[-1]:
            package.owners[(base + path) if not path.startswith("/") else path] = label


def _head_size(name: str) -> int:
    if name.endswith("/RECORD"):
        return MAX_RECORD_BYTES
    return MAX_WHEEL_BYTES if name.endswith("/WHEEL") else HEADER_BYTES


def is_library(name: str) -> bool:
    return name.endswith((".so", ".pyd")) or ".so." in name.rsplit("/", 1)[-1]


def is_interesting(name: str) -> bool:
    return is_library(name) or name.endswith((".dist-info/WHEEL", ".dist-info/RECORD"))


def _note(package: Package, name: str, head: bytes, glibc: GlibcNeed | None = None) -> None:
    if name.endswith("/RECORD"):
        _add_record(package, name, head.decode("utf-8", "replace"))
    else:
        package.artifacts.append(Artifact(name, head, glibc))


def _zip_package(archive: Path, package: Package, root: Path) -> None:
    """List ``archive`` once (its index is read one time) and read the first bytes of each
    interesting member through the same handle; a member is never decompressed past its head.
    The archive is opened by the one reader: a regular file inside the project ``root``."""
    try:
        fd = open_project_file(archive, root)
    except MomentoLambdaError:
        fd = None
    if fd is None:  # a device, FIFO, folder or a symlink out of the project named *.zip
        package.names.add("<not a zip file>")
        return
    try:
        with os.fdopen(fd, "rb") as opened, zipfile.ZipFile(opened) as zf:
            for index, info in enumerate(zf.infolist()):
                if index >= MAX_ARCHIVE_ENTRIES:
                    break
                if info.is_dir():
                    continue
                package.names.add(info.filename)
                if is_interesting(info.filename):
                    size = min(_head_size(info.filename), info.file_size)
                    glibc = None
                    try:
                        with zf.open(info) as handle:
                            head = handle.read(size)
                            # The size is checked before anything is decompressed past the head.
                            elf = is_library(info.filename) and head.startswith(b"\x7fELF")
                            if elf and info.file_size <= MAX_ELF_BYTES:
                                glibc = glibc_need_of_bytes(head + handle.read(info.file_size - len(head)))
                    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, EOFError, ValueError):
                        head = b""
                    _note(package, info.filename, head, glibc)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        package.names.add("<not a zip file>")


def _file_glibc(path: Path, root: Path) -> GlibcNeed | None:
    """The glibc an ELF file on disk needs (pyelftools seeks in it; nothing else is read),
    opened by the one reader (a regular file inside the project ``root``)."""
    try:
        fd = open_project_file(path, root)
        if fd is None:
            return None
        with os.fdopen(fd, "rb") as handle:
            return glibc_need(handle)
    except (OSError, MomentoLambdaError):
        return None


def find_packages(root: Path, function_keys: list[str]) -> list[Package]:
    """Build output under ``root``: ``.aws-sam/build/<Function>/`` folders and ``.serverless/*.zip``.

    Only regular files inside ``root`` are read (the one reader), and only their first bytes;
    symlinked folders are not followed."""
    packages: list[Package] = []
    sam_build = root / ".aws-sam" / "build"
    if sam_build.is_dir():
        for folder in sorted(p for p in sam_build.iterdir() if p.is_dir()):
            packages.append(folder_package(root, folder, f".aws-sam/build/{folder.name}", [folder.name]))
    sls = root / ".serverless"
    if sls.is_dir():
        for archive in sorted(sls.glob("*.zip")):
            keys = [archive.stem] if archive.stem in function_keys else []
            package = Package(f".serverless/{archive.name}", keys)
            _zip_package(archive, package, root)
            packages.append(package)
    return packages


def zip_package(root: Path, archive: Path, label: str, function_keys: list[str]) -> Package:
    """A zip (a prebuilt asset) as a package, read as :func:`find_packages` reads ``.serverless/*.zip``."""
    package = Package(label, function_keys)
    _zip_package(archive, package, root)
    return package


def folder_package(root: Path, folder: Path, label: str, function_keys: list[str]) -> Package:
    """A built folder (``.aws-sam/build/<Function>``, a CDK asset) as a package: every name, and the
    first bytes of the files that matter (symlinked folders are not followed)."""
    package = Package(label, function_keys)
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames.sort()
        rel_dir = Path(dirpath).relative_to(folder).as_posix()
        for filename in filenames:
            rel = filename if rel_dir == "." else f"{rel_dir}/{filename}"
            package.names.add(rel)
            if is_interesting(rel):
                path = Path(dirpath) / filename
                head = read_head(path, _head_size(rel), root) or b""
                elf = is_library(rel) and head.startswith(b"\x7fELF")
                _note(package, rel, head, _file_glibc(path, root) if elf else None)
        if len(package.names) >= MAX_ARCHIVE_ENTRIES:
            break
    return package


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


def wheel_tags(text: str) -> list[str]:
    return re.findall(r"^Tag:\s*(\S+)", text, re.MULTILINE)


def wheel_glibc_floor(text: str) -> tuple[int, int] | None:
    """The glibc a ``WHEEL`` file's manylinux tags claim (the lowest of its aliases), if any."""
    floors = []
    for tag in wheel_tags(text):
        match = re.fullmatch(
            r"manylinux_(\d+)_(\d+)_\w+|(manylinux1|manylinux2010|manylinux2014)_\w+", tag.rsplit("-", 1)[-1]
        )
        if match:
            floors.append(
                (int(match.group(1)), int(match.group(2))) if match.group(1) else MANYLINUX_ALIASES[match.group(3)]
            )
    return min(floors) if floors else None


def wheel_problems(name: str, text: str, runtime: str, architecture: str) -> list[str]:
    """Problems with a ``*.dist-info/WHEEL`` file's platform tags (empty when fine or pure).

    Aliases of one platform (``manylinux_2_17_x86_64`` and ``manylinux2014_x86_64``) make one
    problem; the glibc floor is build.glibc's (with the libraries' own symbol versions)."""
    tags = wheel_tags(text)
    if not tags or all(t.endswith("-any") for t in tags):
        return []
    dist = dist_label(name).split(" ")[0] if "/" in name else name
    want_cpu = LAMBDA_CPU.get(architecture, architecture)
    platforms = list(dict.fromkeys(t.rsplit("-", 1)[-1] for t in tags))
    problems = []
    wrong_cpu = []
    for platform in platforms:
        if platform.startswith("macosx"):
            return [f"{dist}: wheel tagged {platform} (macOS)"]
        if platform.startswith("win"):
            return [f"{dist}: wheel tagged {platform} (Windows)"]
        if platform.startswith("musllinux"):
            return [f"{dist}: wheel tagged {platform} (musl libc); Lambda uses glibc"]
        match = re.fullmatch(r"(manylinux_\d+_\d+|manylinux1|manylinux2010|manylinux2014)_(\w+)", platform)
        if match and match.group(2) != want_cpu:
            wrong_cpu.append(platform)
    if wrong_cpu:
        problems.append(f"{dist}: wheel tagged {'.'.join(wrong_cpu)}, the function runs on {architecture}")
    python = runtime_python(runtime)
    interpreters = {t.split("-")[0] for t in tags}
    if python and interpreters and all(re.fullmatch(r"cp\d+", i) for i in interpreters):
        wanted = f"cp{python[0]}{python[1]}"
        abi3 = any(t.split("-")[1] == "abi3" for t in tags if t.count("-") == 2)
        if wanted not in interpreters and not abi3:
            problems.append(f"{dist}: wheel for {', '.join(sorted(interpreters))}, the runtime is {runtime}")
    return sorted(set(problems))
