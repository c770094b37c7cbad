"""Defence in depth for the secret contract: mask known secret values in any text.

Code that reads a Momento API key registers it here; every error, warning and traceback
the CLI prints passes through :func:`redact`. Registering a value keeps it (and its first
8 characters, which are how keys are usually recognised) out of what we print even if a
library puts it into an exception message.
"""

from __future__ import annotations

_secrets: set[str] = set()
MASK = "****"
_MIN_LENGTH = 8


def register_secret(value: str | None) -> None:
    """Remember ``value`` as secret for the rest of the process."""
    if value and len(value) >= _MIN_LENGTH:
        _secrets.add(value)


def redact(text: str) -> str:
    """``text`` with every registered secret (and any 8+ character prefix of one) masked."""
    for secret in sorted(_secrets, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, MASK)
        prefix = secret[:_MIN_LENGTH]
        if prefix in text:
            text = text.replace(prefix, MASK)
    return text


def forget_all() -> None:
    """Drop every registered secret (for tests)."""
    _secrets.clear()
