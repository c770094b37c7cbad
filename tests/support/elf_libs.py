"""Tiny real shared libraries, compiled with this machine's C compiler, whose highest
``GLIBC_2.xx`` symbol version is known: the fixtures of the glibc-floor check.

- ``memcpy`` -> GLIBC_2.14 (loads on every Lambda runtime),
- ``pthread_create`` -> GLIBC_2.34 (libpthread merged into libc: Amazon Linux 2023 only),
- ``arc4random`` -> GLIBC_2.36 (newer than any Lambda runtime).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

SOURCES = {
    (2, 14): "#include <string.h>\nvoid copy(char *d, const char *s, size_t n) { memcpy(d, s, n); }\n",
    (2, 34): (
        "#include <pthread.h>\nstatic void *run(void *a) { return a; }\n"
        "int start(void) { pthread_t t; return pthread_create(&t, 0, run, 0); }\n"
    ),
    (2, 36): "#include <stdlib.h>\nunsigned int pick(void) { return arc4random(); }\n",
}


def shared_library(folder: Path, needs: tuple[int, int], name: str = "libdemo.so") -> Path:
    """Compile a library that needs glibc ``needs`` into ``folder/name``."""
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        pytest.skip("no C compiler to build the ELF fixtures")
    folder.mkdir(parents=True, exist_ok=True)
    source = folder / f"{Path(name).name}.c"
    source.write_text(SOURCES[needs])
    target = folder / name
    target.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([cc, "-shared", "-fPIC", "-O1", "-o", str(target), str(source)], check=True, timeout=120)
    source.unlink()
    return target


def local_wheel(folder: Path, dist: str, version: str, so_name: str, needs: tuple[int, int], tag: str) -> Path:
    """Lay out an installed, locally built wheel (``pip install`` of a ``linux_x86_64`` wheel):
    the extension, ``WHEEL`` and ``RECORD``; returns the extension's path."""
    so = shared_library(folder / Path(so_name).parent, needs, Path(so_name).name)
    package = Path(so_name).parts[0]
    (folder / package / "__init__.py").write_text("")
    info = folder / f"{dist}-{version}.dist-info"
    info.mkdir(parents=True, exist_ok=True)
    (info / "WHEEL").write_text(f"Wheel-Version: 1.0\nGenerator: setuptools\nRoot-Is-Purelib: false\nTag: {tag}\n")
    (info / "RECORD").write_text(
        f"{package}/__init__.py,sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU,0\n"
        f"{so_name},,{so.stat().st_size}\n"
        f"{dist}-{version}.dist-info/WHEEL,,\n{dist}-{version}.dist-info/RECORD,,\n"
    )
    return so
