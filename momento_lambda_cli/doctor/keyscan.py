"""Spot things shaped like a Momento API key, without ever returning the value.

* JWTs (compact or with spaced JSON) whose payload has the legacy ``c`` / ``cp`` claims or the v2 ``t`` claim;
* base64 of JSON with ``api_key`` (and ``endpoint``): v1 keys.

Only the kind of key and where it was found are reported.
"""

from __future__ import annotations

import base64
import json
import re
from typing import Any

_JWT = re.compile(r"(?<![A-Za-z0-9_-])e[w-z][A-Za-z0-9_-]{4,}\.e[w-z][A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{8,}")
"""Header and payload are base64url of JSON objects: ``eyJ`` for ``{"``, ``eyAi`` / ``ewog``
when the JSON opens with whitespace."""
_B64 = re.compile(r"(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{60,}={0,2}")
"""Both patterns start only at a token boundary, so a long run without one is scanned once."""
_MAX_TOKEN = 16 * 1024
_SHORTEST = 22
"""No text shorter than the shortest match of :data:`_JWT` (and :data:`_B64`) holds a key."""
"""Longer tokens are not keys and are not decoded."""


def _b64json(text: str, urlsafe: bool) -> Any:
    padded = text + "=" * (-len(text) % 4)
    try:
        raw = base64.urlsafe_b64decode(padded) if urlsafe else base64.b64decode(padded, validate=True)
        return json.loads(raw)
    except Exception:
        return None


def key_kind(value: str) -> str | None:
    """``"v2 key"``, ``"legacy key"``, ``"v1 key"`` for a value that IS a key, else ``None``."""
    for kind in find_keys(value):
        return kind
    return None


def find_keys(text: str) -> list[str]:
    """The kinds of Momento keys found in ``text`` (never the values)."""
    if len(text) < _SHORTEST:
        return []  # most values asked about (environment variables, parameters) are short
    kinds = []
    for match in _JWT.finditer(text):
        if len(match.group(0)) > _MAX_TOKEN:
            continue
        payload = _b64json(match.group(0).split(".")[1], urlsafe=True)
        if isinstance(payload, dict):
            if "c" in payload or "cp" in payload:
                kinds.append("legacy key")
            elif payload.get("t") is not None:
                kinds.append("v2 key")
    for match in _B64.finditer(text):
        if len(match.group(0)) > _MAX_TOKEN:
            continue
        document = _b64json(match.group(0), urlsafe=False)
        if isinstance(document, dict) and "api_key" in document:
            kinds.append("v1 key")
    return kinds
