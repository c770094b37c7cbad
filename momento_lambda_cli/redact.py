"""Defence in depth for the secret contract: mask secret values in any text.

Two layers, both applied by :func:`redact`:

* values registered with :func:`register_secret` (every key the CLI reads), with their
  first 8 characters, which are how keys are usually recognised;
* anything SHAPED like a Momento key, registered or not: every Momento key format (JWT
  v2 and legacy keys, base64-of-JSON v1 keys) starts with ``eyJ`` (base64 of ``{"``), so
  any token starting with ``eyJ`` is masked whole, also a truncated one.

:func:`install` wraps ``sys.stdout`` and ``sys.stderr`` so that every string the process
writes passes through :func:`redact` at the last moment, after any truncation.
"""

from __future__ import annotations

import re
import sys
from typing import Any, TextIO

_secrets: set[str] = set()
MASK = "****"
_MIN_LENGTH = 8
_KEY_SHAPE = re.compile(r"eyJ[A-Za-z0-9_\-+/=.%]{5,}")
"""A base64 / base64url token starting with ``{"`` and at least 8 characters long."""


def register_secret(value: str | None) -> None:
    """Remember ``value`` as secret for the rest of the process."""
    if value and len(value) >= _MIN_LENGTH:
        _secrets.add(value)


def redact(text: str) -> str:
    """``text`` with every registered secret (and any 8+ character prefix of one) and every
    key-shaped token masked."""
    for secret in sorted(_secrets, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, MASK)
        prefix = secret[:_MIN_LENGTH]
        if prefix in text:
            text = text.replace(prefix, MASK)
    if "eyJ" in text:
        text = _KEY_SHAPE.sub(MASK, text)
    return text


def forget_all() -> None:
    """Drop every registered secret (for tests)."""
    _secrets.clear()


class RedactingStream:
    """A text stream that redacts every string before it reaches ``stream``."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    @property
    def wrapped(self) -> TextIO:
        return self._stream

    def write(self, text: str) -> int:
        self._stream.write(redact(text))
        return len(text)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def install() -> tuple[TextIO, TextIO]:
    """Wrap ``sys.stdout`` and ``sys.stderr`` (once); returns the previous pair for :func:`uninstall`."""
    previous = (sys.stdout, sys.stderr)
    if not isinstance(sys.stdout, RedactingStream):
        sys.stdout = RedactingStream(sys.stdout)
    if not isinstance(sys.stderr, RedactingStream):
        sys.stderr = RedactingStream(sys.stderr)
    return previous


def uninstall(previous: tuple[TextIO, TextIO]) -> None:
    sys.stdout, sys.stderr = previous
