"""Minimum versions of packages with known problems on Lambda, each with its reason.

Every entry was checked against the published packages (PyPI files), not taken on trust:
- ``momento`` 1.8.0 is the first release whose ``momento/config/configurations.py`` has
  ``Configurations.Lambda`` (1.7.0's has none);
- ``grpcio`` 1.75.1 is the first release with ``cp314`` wheels (manylinux2014 x86_64 and
  aarch64; 1.75.0 and 1.74.0 have none), so python3.14 needs at least that;
- ``@gomomento/sdk`` 1.31.0 is the first release with ``Configurations.Lambda``: the commit
  that adds it (momentohq/client-sdk-javascript 0a5ea06, "feat: add a configuration for
  lambda", #708) is first in tag v1.31.0, and the npm tarballs agree (1.28.0's
  ``dist/src/config/configurations.js`` has no Lambda, 1.35.0's has it). Before it every
  ``CacheClient`` opened 6 data clients, a slow first calls' cost in a short-lived environment.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Minimum:
    package: str
    registry: str
    """``pypi`` or ``npm``."""
    version: tuple[int, ...]
    reason: str
    runtimes: tuple[str, ...] = ()
    """Runtimes it applies to (empty: every runtime of the registry's language)."""

    @property
    def version_text(self) -> str:
        return ".".join(str(p) for p in self.version)


MINIMUMS: tuple[Minimum, ...] = (
    Minimum("momento", "pypi", (1, 8, 0), "Configurations.Lambda first ships in momento 1.8.0"),
    Minimum(
        "grpcio",
        "pypi",
        (1, 75, 1),
        "grpcio 1.75.1 is the first release with Python 3.14 (cp314) wheels; older ones build from source or fail",
        runtimes=("python3.14",),
    ),
    Minimum(
        "@gomomento/sdk",
        "npm",
        (1, 31, 0),
        "Configurations.Lambda (one data client instead of six per CacheClient) first ships in @gomomento/sdk 1.31.0",
    ),
)


def parse_version(text: str) -> tuple[int, ...] | None:
    parts = []
    for piece in text.strip().split("."):
        digits = "".join(c for c in piece if c.isdigit()) if piece[:1].isdigit() else ""
        if not digits:
            break
        parts.append(int(digits))
        if not piece.isdigit():
            break
    return tuple(parts) if parts else None
