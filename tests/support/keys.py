"""Momento API keys in every shape the SDK parses, made locally (never real keys).

* v2 key: a JWT with the claim ``t: "g"``; the endpoint is given separately.
* legacy key: a JWT carrying its endpoints in the ``c`` / ``cp`` claims.
* v1 key: base64 of ``{"endpoint": ..., "api_key": ...}`` (the inner key is a JWT too).

``expires_in`` (a timedelta, negative for an expired key) adds an ``exp`` claim; the SDK
does not check signatures or expiry, only Momento does.

Each carries a recognisable marker so tests can assert it never leaks.
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from datetime import timedelta

import jwt

MARKER = "LEAKCANARY"


def _jwt(claims: dict[str, object], expires_in: timedelta | None = None) -> str:
    if expires_in is not None:
        claims = {**claims, "exp": int(time.time() + expires_in.total_seconds())}
    return jwt.encode(claims, "not-a-real-signing-secret-for-tests-only", algorithm="HS256")


def v2_key(tag: str | None = None, expires_in: timedelta | None = None) -> str:
    return _jwt({"t": "g", "id": f"{MARKER}-{tag or uuid.uuid4().hex}"}, expires_in)


def legacy_key(
    endpoint: str = "cell-test.example.momentohq.com", tag: str | None = None, expires_in: timedelta | None = None
) -> str:
    return _jwt(
        {
            "sub": f"{MARKER}-{tag or uuid.uuid4().hex}",
            "c": f"cache.{endpoint}",
            "cp": f"control.{endpoint}",
        },
        expires_in,
    )


def v1_key(
    endpoint: str = "cell-test.example.momentohq.com", tag: str | None = None, expires_in: timedelta | None = None
) -> str:
    inner = f"{MARKER}-{tag or uuid.uuid4().hex}"
    if expires_in is not None:
        inner = _jwt({"sub": inner}, expires_in)
    raw = json.dumps({"endpoint": endpoint, "api_key": inner})
    return base64.b64encode(raw.encode()).decode()


def refresher_secret(api_key: str, valid_until: int | str | None = None, **extra: object) -> str:
    """A SecretString in the shape Momento's key-refresh Lambda keeps up to date."""
    document: dict[str, object] = {"apiKey": api_key, "refreshToken": f"{MARKER}-refresh-{uuid.uuid4().hex}"}
    if valid_until is not None:
        document["validUntil"] = valid_until
    document.update(extra)
    return json.dumps(document)


def rotated_refresher_secret(api_key: str, valid_until: int) -> str:
    """The SecretString the key-refresh Lambda writes when it rotates: the key under ``authToken``,
    ``validUntil`` as a string, the JSON spread over indented lines."""
    document = {
        "authToken": api_key,
        "refreshToken": f"{MARKER}-refresh-{uuid.uuid4().hex}",
        "validUntil": str(valid_until),
    }
    return json.dumps(document, indent=6)


def v1_key_indented(endpoint: str = "cell-test.example.momentohq.com", tag: str | None = None) -> str:
    """A v1 key whose JSON is indented: base64 starting ``ewog``, not ``eyJ``."""
    raw = json.dumps({"endpoint": endpoint, "api_key": f"{MARKER}-{tag or uuid.uuid4().hex}"}, indent=2)
    return base64.b64encode(raw.encode()).decode()


def spaced_jwt_key(tag: str | None = None) -> str:
    """A JWT-shaped key whose header and payload JSON have spaces: segments start ``eyAi``."""

    def segment(document: dict[str, object]) -> str:
        text = "{ " + json.dumps(document)[1:-1] + " }"
        return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")

    header = segment({"alg": "HS256", "typ": "JWT"})
    payload = segment({"t": "g", "id": f"{MARKER}-{tag or uuid.uuid4().hex}"})
    return f"{header}.{payload}.{uuid.uuid4().hex}{uuid.uuid4().hex}"
