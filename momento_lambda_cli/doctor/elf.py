"""The glibc a shared library needs, read from its ELF symbol versions (pyelftools).

A ``.so`` linked against glibc records, in ``.gnu.version_r``, every ``GLIBC_2.xx`` version
of the symbols it imports; the highest one is the oldest glibc it loads on. Wheel tags
(``manylinux_2_28``) only claim this, and locally built ``linux_x86_64`` wheels or vendored
libraries carry no tag at all: the symbol versions are the fact.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import BinaryIO

GLIBC_VERSION = re.compile(r"GLIBC_(\d+)\.(\d+)(?:\.\d+)?$")
GLIBC_LIBRARIES = ("libc.so", "libm.so", "libpthread.so", "libdl.so", "librt.so", "libutil.so", "libresolv.so")
"""The glibc libraries whose ``GLIBC_*`` versions count (libstdc++'s ``GLIBCXX_*`` do not)."""


@dataclass(frozen=True)
class GlibcNeed:
    """The newest glibc symbol version a library imports."""

    version: tuple[int, int]
    symbol_version: str
    """``GLIBC_2.34`` as written in the file."""
    library: str
    """The glibc library it is needed from (``libc.so.6``)."""


def glibc_need(stream: BinaryIO) -> GlibcNeed | None:
    """The glibc ``stream`` (a seekable ELF file) needs; ``None`` when it names no glibc
    version (static, musl, not ELF, or unreadable)."""
    from elftools.common.exceptions import ELFError
    from elftools.elf.elffile import ELFFile
    from elftools.elf.gnuversions import GNUVerNeedSection

    best: GlibcNeed | None = None
    try:
        elf = ELFFile(stream)
        for section in elf.iter_sections():
            if not isinstance(section, GNUVerNeedSection):
                continue
            for verneed, auxiliaries in section.iter_versions():
                library = str(verneed.name)
                if not library.startswith(GLIBC_LIBRARIES):
                    continue
                for aux in auxiliaries:
                    match = GLIBC_VERSION.match(str(aux.name))
                    if match:
                        version = (int(match.group(1)), int(match.group(2)))
                        if best is None or version > best.version:
                            best = GlibcNeed(version, str(aux.name), library)
    except (ELFError, ValueError, KeyError, IndexError, AssertionError, OSError, UnicodeDecodeError):
        return None
    except Exception as exc:  # pyelftools raises construct's errors on truncated files
        if type(exc).__module__.startswith(("construct", "elftools")):
            return None
        raise
    return best


def glibc_need_of_bytes(data: bytes) -> GlibcNeed | None:
    return glibc_need(io.BytesIO(data))


def version_text(version: tuple[int, int]) -> str:
    return f"{version[0]}.{version[1]}"
