"""Spot the platform of compiled extensions in a build (stdlib only)."""

from __future__ import annotations

import struct
from pathlib import Path

from momento_lambda_cli import catalog

ELF_MACHINES = {arch.elf_machine: arch.cpu for arch in catalog.ARCHITECTURES}


def extension_platforms(root: Path) -> dict[str, str]:
    """``{relative path: "x86_64" | "aarch64" | "macos" | "windows" | "unknown"}`` for every .so/.pyd."""
    found = {}
    for path in [*root.rglob("*.so"), *root.rglob("*.so.*"), *root.rglob("*.pyd")]:
        head = path.read_bytes()[:20]
        if head[:4] == b"\x7fELF":
            kind = ELF_MACHINES.get(struct.unpack_from("<H", head, 18)[0], "unknown")
        elif head[:4] in (b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe"):
            kind = "macos"
        elif head[:2] == b"MZ":
            kind = "windows"
        else:
            kind = "unknown"
        found[path.relative_to(root).as_posix()] = kind
    return found
