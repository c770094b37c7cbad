"""Assert that secret values (and their first 8 characters) appear nowhere."""

from __future__ import annotations

from pathlib import Path

from tests.support import keys


def assert_no_leak(output: str, secrets: list[str], directory: Path | None = None) -> None:
    """Neither any of ``secrets`` nor its first 8 characters nor the test-key marker is in
    ``output`` or in any file under ``directory``."""
    needles = {s for secret in secrets if secret for s in (secret, secret[:8])}
    needles.add(keys.MARKER)
    for needle in needles:
        assert needle not in output, f"{needle[:3]}... leaked into the output"
    if directory is not None:
        for path in directory.rglob("*"):
            if path.is_file():
                text = path.read_bytes().decode("utf-8", errors="replace")
                for needle in needles:
                    assert needle not in text, f"{needle[:3]}... leaked into {path}"
