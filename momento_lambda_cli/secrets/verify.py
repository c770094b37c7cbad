"""What a Momento key check means for `store-token`: refuse, warn, or go ahead.

One cheap ``get`` with the key (:func:`momento_lambda_cli.momento_key.check_key`). Momento
checks the key before it looks the cache up, so even without a cache name a get on a
placeholder cache tells a good key (``NOT_FOUND``) from a bad one (``AUTHENTICATION_ERROR``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from momento_lambda_cli.errors import MomentoLambdaError
from momento_lambda_cli.momento_key import KeyCheck, KeyStatus, check_key

PROBE_CACHE = "momento-lambda-key-check"
"""The cache a get goes to when no cache name is known (it need not exist)."""
VERIFY_TIMEOUT = timedelta(seconds=5)


@dataclass(frozen=True)
class Verification:
    status: str
    """A :class:`KeyStatus` value, ``"authenticated"`` (no cache named), or ``"skipped"``."""
    verified: bool
    """True when Momento accepted the key."""
    cache_name: str | None
    latency_ms: float | None = None
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "cache_name": self.cache_name,
            "latency_ms": None if self.latency_ms is None else round(self.latency_ms, 1),
        }


SKIPPED = Verification(status="skipped", verified=False, cache_name=None)


def verify_key(
    api_key: str, endpoint: str | None, cache_name: str | None, *, timeout: timedelta = VERIFY_TIMEOUT
) -> Verification:
    """Check the key with Momento; raises :class:`MomentoLambdaError` when Momento rejects it."""
    result = check_key(api_key, endpoint, cache_name or PROBE_CACHE, timeout=timeout)
    return interpret(result, cache_name)


def interpret(result: KeyCheck, cache_name: str | None) -> Verification:
    status = result.status
    if status is KeyStatus.AUTHENTICATION_FAILED:
        raise MomentoLambdaError(
            "Momento rejected this API key (authentication failed); nothing was stored.",
            "Check that the key is current (console.gomomento.com > API keys) and that --endpoint matches "
            "its region; use --no-verify to store it anyway.",
            code="key.authentication-failed",
        )
    if status is KeyStatus.OK:
        return Verification(status.value, True, cache_name, result.latency_ms)
    if status is KeyStatus.CACHE_NOT_FOUND:
        if cache_name is None:
            return Verification("authenticated", True, None, result.latency_ms)
        return Verification(
            status.value,
            True,
            cache_name,
            result.latency_ms,
            [
                f"The key is valid, but the cache {cache_name!r} does not exist yet. "
                f"Create it in the Momento console or with `momento cache create {cache_name}`."
            ],
        )
    if status is KeyStatus.PERMISSION_DENIED:
        return Verification(
            status.value,
            True,
            cache_name,
            result.latency_ms,
            [
                f"The key is valid but may not read the cache {cache_name or PROBE_CACHE!r} "
                "(permission denied): the function will fail unless the key's permissions include that cache."
            ],
        )
    if status is KeyStatus.UNREACHABLE:
        return Verification(
            status.value,
            False,
            cache_name,
            result.latency_ms,
            [f"Could not reach Momento to verify the key ({result.detail}); storing it unverified."],
        )
    return Verification(
        status.value,
        False,
        cache_name,
        result.latency_ms,
        [f"Momento answered the key check with {result.detail}; storing the key unverified."],
    )
