"""Momento API keys in every shape the SDK parses, made locally (never real keys).

* v2 key: a JWT with the claim ``t: "g"``; the endpoint is given separately.
* legacy key: a JWT carrying its endpoints in the ``c`` / ``cp`` claims.
* v1 key: base64 of ``{"endpoint": ..., "api_key": ...}``.

Each carries a recognisable marker so tests can assert it never leaks.
"""

from __future__ import annotations

import base64
import json
import uuid

import jwt

MARKER = "LEAKCANARY"


def _jwt(claims: dict[str, object]) -> str:
    return jwt.encode(claims, "not-a-real-signing-secret-for-tests-only", algorithm="HS256")


def v2_key(tag: str | None = None) -> str:
    return _jwt({"t": "g", "id": f"{MARKER}-{tag or uuid.uuid4().hex}"})


def legacy_key(endpoint: str = "cell-test.example.momentohq.com", tag: str | None = None) -> str:
    return _jwt(
        {
            "sub": f"{MARKER}-{tag or uuid.uuid4().hex}",
            "c": f"cache.{endpoint}",
            "cp": f"control.{endpoint}",
        }
    )


def v1_key(endpoint: str = "cell-test.example.momentohq.com", tag: str | None = None) -> str:
    raw = json.dumps({"endpoint": endpoint, "api_key": f"{MARKER}-{tag or uuid.uuid4().hex}"})
    return base64.b64encode(raw.encode()).decode()
