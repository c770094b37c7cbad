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


def pieces(secret: str, width: int = 8) -> set[str]:
    """Every ``width``-character piece of ``secret`` (the whole of a shorter one)."""
    if len(secret) <= width:
        return {secret}
    return {secret[i : i + width] for i in range(len(secret) - width + 1)}


def assert_no_piece(output: str, secrets: list[str], width: int = 8) -> None:
    """No ``width``-character piece of any of ``secrets`` (nor a shorter secret whole, as a word
    of its own) is in ``output``: a stricter :func:`assert_no_leak` for values the tool resolved."""
    import re

    for secret in secrets:
        if len(secret) < width:
            found = re.search(rf"(?<![\w-]){re.escape(secret)}(?![\w-])", output)
            assert found is None, f"the {len(secret)}-character value {secret[:1]}... leaked into the output"
            continue
        for piece in pieces(secret, width):
            assert piece not in output, f"a piece of {secret[:3]}... ({piece[:2]}...) leaked into the output"
