"""Real grpcio wheels for every platform the build checks must tell apart, downloaded once
with pip into the git-ignored ``.cache/wheels/`` (override with MOMENTO_LAMBDA_WHEEL_CACHE)."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

from momento_lambda_cli import catalog

REPO_ROOT = Path(__file__).resolve().parents[2]
CACHE = Path(os.environ.get("MOMENTO_LAMBDA_WHEEL_CACHE", REPO_ROOT / ".cache" / "wheels"))
PLATFORMS = {
    **{arch.cpu: arch.wheel_platform for arch in catalog.ARCHITECTURES},
    "macos": "macosx_11_0_universal2",
    "musl": "musllinux_1_1_x86_64",
    "windows": "win_amd64",
}
PYTHON_VERSION = "3.11"


@dataclass(frozen=True)
class Wheel:
    path: Path

    def extension(self) -> tuple[str, bytes]:
        """(path inside the wheel, bytes) of grpc's compiled cygrpc extension."""
        with zipfile.ZipFile(self.path) as zf:
            name = next(n for n in zf.namelist() if n.startswith("grpc/_cython/cygrpc") and n.endswith((".so", ".pyd")))
            return name, zf.read(name)

    def wheel_metadata(self) -> tuple[str, bytes]:
        with zipfile.ZipFile(self.path) as zf:
            name = next(n for n in zf.namelist() if n.endswith(".dist-info/WHEEL"))
            return name, zf.read(name)


def grpcio_wheel(kind: str) -> Wheel:
    """The grpcio wheel for ``kind`` (x86_64, aarch64, macos, musl), downloading it if needed."""
    folder = CACHE / PLATFORMS[kind]
    found = sorted(folder.glob("grpcio-*.whl")) if folder.is_dir() else []
    if not found:
        folder.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "grpcio",
                "--only-binary=:all:",
                "--platform",
                PLATFORMS[kind],
                "--python-version",
                PYTHON_VERSION,
                "--no-deps",
                "--disable-pip-version-check",
                "-q",
                "-d",
                str(folder),
            ],
            check=True,
            timeout=600,
        )
        found = sorted(folder.glob("grpcio-*.whl"))
    return Wheel(found[-1])


def install_into(folder: Path, wheel: Wheel, *, wheel_tag: str | None = None) -> Path:
    """Put the wheel's extension, WHEEL and RECORD files into a build folder, as pip would; returns the .so path."""
    so_name, so_bytes = wheel.extension()
    meta_name, meta_bytes = wheel.wheel_metadata()
    if wheel_tag is not None:
        lines = [line for line in meta_bytes.decode().splitlines() if not line.startswith("Tag:")]
        meta_bytes = ("\n".join([*lines, f"Tag: {wheel_tag}"]) + "\n").encode()
    so_path = folder / so_name
    so_path.parent.mkdir(parents=True, exist_ok=True)
    so_path.write_bytes(so_bytes)
    (folder / "grpc" / "__init__.py").write_text("")
    (folder / meta_name).parent.mkdir(parents=True, exist_ok=True)
    (folder / meta_name).write_bytes(meta_bytes)
    record = meta_name.rsplit("/", 1)[0] + "/RECORD"
    (folder / record).write_text(f"grpc/__init__.py,,\n{so_name},,{len(so_bytes)}\n{meta_name},,\n{record},,\n")
    return so_path
