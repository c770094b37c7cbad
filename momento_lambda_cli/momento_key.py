"""Parse and check Momento API keys with the real SDK (imported lazily).

Parsing happens locally, before anything is sent anywhere. The SDK raises several
exception types for a bad key (InvalidArgumentException, UnicodeDecodeError,
JSONDecodeError, KeyError...): all of them become one :class:`MomentoLambdaError` that
never carries the key. Every key seen here is registered with :mod:`redact`.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import os
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from enum import Enum
from typing import Any

from momento_lambda_cli.contract import ENV_LOCAL_OVERRIDE
from momento_lambda_cli.errors import MomentoLambdaError
from momento_lambda_cli.redact import register_secret


class KeyKind(str, Enum):
    V2 = "v2"
    LEGACY = "legacy"
    """A legacy (JWT or base64 v1) key that carries its own endpoint."""


@dataclass(frozen=True)
class ParsedKey:
    kind: KeyKind
    cache_endpoint: str
    """Where the SDK will connect (``cache.<endpoint>``), never secret."""


def _not_a_key(reason: str) -> MomentoLambdaError:
    return MomentoLambdaError(
        f"This is not a Momento API key ({reason}).",
        "Copy the key again from the Momento console (console.gomomento.com > API keys); "
        "v2 keys also need --endpoint / MOMENTO_ENDPOINT.",
        code="key.invalid",
    )


def _is_v2(api_key: str) -> bool:
    from momento.auth import momento_endpoint_resolver

    try:
        return bool(momento_endpoint_resolver._is_v2_api_key(api_key))
    except Exception:
        return False


def build_provider(api_key: str, endpoint: str | None = None) -> Any:
    """A ``momento.CredentialProvider`` for the key; raises :class:`MomentoLambdaError`.

    Honours ``MOMENTO_LOCAL=host:port`` (a local Momento server): the key is still
    parsed and sent, but the connection goes to that address over plain gRPC.
    """
    import warnings

    from momento import CredentialProvider

    api_key = (api_key or "").strip()
    register_secret(api_key)
    if not api_key:
        raise _not_a_key("it is empty")
    if any(ch.isspace() for ch in api_key):
        raise _not_a_key("it contains whitespace")
    try:
        if _is_v2(api_key):
            if not endpoint:
                raise MomentoLambdaError(
                    "This is a v2 Momento API key, which needs its endpoint.",
                    "Pass --endpoint (or set MOMENTO_ENDPOINT), e.g. cell-4-us-west-2-1.prod.a.momentohq.com; "
                    "the Momento console shows it next to the key.",
                    code="key.endpoint-missing",
                )
            provider = CredentialProvider.from_api_key_v2(api_key, endpoint)
        else:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                provider = CredentialProvider.from_string(api_key)
    except MomentoLambdaError:
        raise
    except Exception as exc:  # the SDK raises many types for a bad key
        raise _not_a_key(f"the SDK could not read it: {type(exc).__name__}") from None
    local = local_override()
    if local is not None:
        import dataclasses

        host, port = local
        provider = dataclasses.replace(
            provider, control_endpoint=host, cache_endpoint=host, token_endpoint=host, port=port
        )
    return provider


def parse_api_key(api_key: str, endpoint: str | None = None) -> ParsedKey:
    """Check locally that ``api_key`` is a Momento key; raises :class:`MomentoLambdaError`."""
    provider = build_provider(api_key, endpoint)
    kind = KeyKind.V2 if _is_v2(api_key.strip()) else KeyKind.LEGACY
    return ParsedKey(kind=kind, cache_endpoint=str(provider.cache_endpoint))


EXPIRY_WARNING_DAYS = 30
"""Warn when a key expires within this many days (store-token; doctor's default)."""


def key_expiry(api_key: str) -> datetime | None:
    """When the key expires (its ``exp`` claim, UTC), read locally; ``None`` when it never does.

    Legacy and v2 keys are JWTs; a v1 key is base64 JSON whose ``api_key`` is one. The
    signature is not checked (only Momento can). Raises :class:`MomentoLambdaError` when the
    ``exp`` claim is present but not a number.
    """
    claims = _jwt_claims(api_key.strip())
    if claims is None:
        inner = _v1_inner_key(api_key.strip())
        claims = _jwt_claims(inner) if inner else None
    if not claims or claims.get("exp") is None:
        return None
    exp = claims["exp"]
    if isinstance(exp, bool) or not isinstance(exp, int | float) or not math.isfinite(exp):
        raise _not_a_key("its exp claim is not a number")
    try:
        return datetime.fromtimestamp(exp, tz=timezone.utc)
    except (OverflowError, OSError, ValueError):
        return datetime.max.replace(tzinfo=timezone.utc)


def _b64decode(part: str) -> bytes | None:
    try:
        return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
    except (binascii.Error, ValueError):
        return None


def _jwt_claims(token: str) -> dict[str, Any] | None:
    parts = token.split(".")
    if len(parts) != 3:
        return None
    raw = _b64decode(parts[1])
    try:
        claims = json.loads(raw) if raw is not None else None
    except ValueError:
        return None
    return claims if isinstance(claims, dict) else None


def _v1_inner_key(api_key: str) -> str | None:
    raw = _b64decode(api_key.replace("+", "-").replace("/", "_"))
    try:
        document = json.loads(raw) if raw is not None else None
    except ValueError:
        return None
    inner = document.get("api_key") if isinstance(document, dict) else None
    return inner if isinstance(inner, str) else None


@dataclass(frozen=True)
class Expiry:
    """A key's expiry as seen at ``now``."""

    expires_at: datetime | None
    now: datetime

    @property
    def expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= self.now

    @property
    def days_left(self) -> int | None:
        """Whole days left (0 on the last day, negative once expired); ``None`` when it never expires."""
        if self.expires_at is None:
            return None
        return math.floor((self.expires_at - self.now).total_seconds() / 86400)

    def within(self, days: int) -> bool:
        """Expires (or has expired) within ``days`` days."""
        return self.expires_at is not None and self.expires_at - self.now < timedelta(days=days)

    def describe(self) -> str:
        """``expires 2027-01-31 (in 66 days)``, ``expired 2026-11-01 (25 days ago)``, ``never expires``."""
        if self.expires_at is None:
            return "never expires"
        day = self.expires_at.strftime("%Y-%m-%d")
        if self.expired:
            ago = math.floor((self.now - self.expires_at).total_seconds() / 86400)
            return f"expired {day} ({'today' if ago == 0 else _days(ago) + ' ago'})"
        left = self.days_left or 0
        return f"expires {day} ({'today' if left == 0 else 'in ' + _days(left)})"

    def iso(self) -> str | None:
        return self.expires_at.isoformat().replace("+00:00", "Z") if self.expires_at else None


def _days(n: int) -> str:
    return f"{n} day{'s' if n != 1 else ''}"


def expiry_of(api_key: str, now: datetime | None = None) -> Expiry:
    return Expiry(key_expiry(api_key), now or datetime.now(timezone.utc))


def local_override() -> tuple[str, int] | None:
    """``(host, port)`` from ``MOMENTO_LOCAL`` when set; raises on a malformed value."""
    value = os.environ.get(ENV_LOCAL_OVERRIDE, "").strip()
    if not value:
        return None
    host, _, port = value.rpartition(":")
    if not host or not port.isdigit():
        raise MomentoLambdaError(
            f"{ENV_LOCAL_OVERRIDE}={value!r} is not host:port.",
            f"Use e.g. {ENV_LOCAL_OVERRIDE}=127.0.0.1:8080, or unset it to use the key's endpoint.",
            code="key.bad-local-override",
        )
    return host, int(port)


class KeyStatus(str, Enum):
    OK = "ok"
    AUTHENTICATION_FAILED = "authentication-failed"
    PERMISSION_DENIED = "permission-denied"
    CACHE_NOT_FOUND = "cache-not-found"
    UNREACHABLE = "unreachable"
    ERROR = "error"


@dataclass(frozen=True)
class KeyCheck:
    status: KeyStatus
    latency_ms: float
    detail: str
    """Momento's error code or a short description; never the key."""


def check_key(
    api_key: str, endpoint: str | None, cache_name: str, *, timeout: timedelta = timedelta(seconds=5)
) -> KeyCheck:
    """One cheap ``get`` on ``cache_name`` with the key: does it authenticate, does the cache exist?

    A fine-grained key may not be allowed ``list_caches``, so a get is the honest probe.
    Raises :class:`MomentoLambdaError` only when the key does not parse.
    """
    from momento import CacheClient, Configurations
    from momento.errors import MomentoErrorCode
    from momento.responses import CacheGet

    provider = build_provider(api_key, endpoint)
    configuration = Configurations.Lambda.latest().with_client_timeout(timeout)
    started = time.perf_counter()
    with CacheClient(configuration, provider, timedelta(seconds=60)) as client:
        response = client.get(cache_name, "momento-lambda-probe")
    latency_ms = (time.perf_counter() - started) * 1000
    if isinstance(response, CacheGet.Hit | CacheGet.Miss):
        return KeyCheck(KeyStatus.OK, latency_ms, "authenticated; the cache exists")
    code = getattr(response, "error_code", None)
    statuses: dict[Any, KeyStatus] = {
        MomentoErrorCode.AUTHENTICATION_ERROR: KeyStatus.AUTHENTICATION_FAILED,
        MomentoErrorCode.PERMISSION_ERROR: KeyStatus.PERMISSION_DENIED,
        MomentoErrorCode.NOT_FOUND_ERROR: KeyStatus.CACHE_NOT_FOUND,
        MomentoErrorCode.SERVER_UNAVAILABLE: KeyStatus.UNREACHABLE,
        MomentoErrorCode.TIMEOUT_ERROR: KeyStatus.UNREACHABLE,
        MomentoErrorCode.CONNECTION_ERROR: KeyStatus.UNREACHABLE,
    }
    status = statuses.get(code, KeyStatus.ERROR)
    name = getattr(code, "name", str(code))
    return KeyCheck(status, latency_ms, name)
