"""Checks against Momento itself, with the stored key: it parses, authenticates, the cache exists."""

from __future__ import annotations

from datetime import datetime, timezone

from momento_lambda_cli import contract
from momento_lambda_cli.doctor.context import DoctorContext
from momento_lambda_cli.doctor.model import Check, Group, Result
from momento_lambda_cli.errors import MomentoLambdaError
from momento_lambda_cli.momento_key import Expiry, KeyStatus, key_expiry, parse_api_key

UNREACHABLE_HINT = "Check the network path to Momento (VPC egress, proxy) and the key's endpoint; retry later."


def key(ctx: DoctorContext) -> Result:
    stored = ctx.stored_key()
    try:
        parsed = parse_api_key(stored.api_key, stored.endpoint)
    except MomentoLambdaError as exc:
        return Result.fail(f"The stored key: {exc.message}", exc.hint)
    check = ctx.key_check()
    where = f"{parsed.kind.value} key for {parsed.cache_endpoint}"
    if check.status is KeyStatus.AUTHENTICATION_FAILED:
        return Result.fail(
            f"Momento rejected the stored key ({where}): {check.detail}",
            "The key was revoked or expired: create a new one in the Momento console and run `momento-lambda store-token`.",
        )
    if check.status is KeyStatus.UNREACHABLE:
        return Result.not_checked(
            f"Could not reach Momento to check the key ({where}): {check.detail}", UNREACHABLE_HINT
        )
    if check.status is KeyStatus.ERROR:
        return Result.not_checked(f"Momento answered {check.detail} while checking the key ({where})", UNREACHABLE_HINT)
    return Result.ok(f"The stored key authenticates ({where}, {check.latency_ms:.0f} ms round trip)")


def cache(ctx: DoctorContext) -> Result:
    ctx.stored_key()
    try:
        check = ctx.key_check()
    except MomentoLambdaError:
        return Result.skip("The stored key does not parse (see momento.key).")
    name = ctx.cache_name()
    if check.status is KeyStatus.OK:
        return Result.ok(f"Cache {name} exists ({check.latency_ms:.0f} ms round trip)")
    if check.status is KeyStatus.CACHE_NOT_FOUND:
        return Result.fail(
            f"Cache {name} does not exist",
            f"Create it in the Momento console (or `momento cache create {name}`), or fix MOMENTO_CACHE_NAME / --cache-name.",
        )
    if check.status is KeyStatus.PERMISSION_DENIED:
        return Result.fail(
            f"The key may not read cache {name}",
            "Give the key read/write access to this cache in the Momento console.",
        )
    if check.status is KeyStatus.AUTHENTICATION_FAILED:
        return Result.skip("The key does not authenticate (see momento.key).")
    return Result.not_checked(f"Could not check cache {name}: {check.detail}", UNREACHABLE_HINT)


def expiry(ctx: DoctorContext) -> Result:
    """The stored key's expiry (its ``exp`` claim, else the key-refresh Lambda's ``validUntil``)."""
    stored = ctx.stored_key()
    try:
        expires_at = key_expiry(stored.api_key)
    except MomentoLambdaError as exc:
        return Result.fail(f"The stored key: {exc.message}", exc.hint)
    source = "exp" if expires_at is not None else None
    if expires_at is None and stored.valid_until is not None:
        expires_at, source = stored.valid_until, contract.REFRESHER_VALID_UNTIL_FIELD
    seen = Expiry(expires_at, datetime.now(timezone.utc))
    days = ctx.options.expiry_warning_days
    data = {
        "expires_at": seen.iso(),
        "days_left": seen.days_left,
        "source": source,
        "warning_days": days,
    }
    rotated = stored.shape is contract.SecretShape.KEY_REFRESHER
    renew = (
        "The key-refresh Lambda should have renewed it: see secret.rotation and the function's logs."
        if rotated
        else "Create a new key in the Momento console and store it with `momento-lambda store-token`."
    )
    if seen.expired:
        return Result.fail(f"The stored key {seen.describe()}", renew, data=data)
    if seen.within(days):
        return Result.warn(f"The stored key {seen.describe()}", renew, data=data)
    return Result.ok(f"The stored key {seen.describe()}", data=data)


CHECKS = [
    Check(
        "momento.key",
        Group.MOMENTO,
        "Stored key authenticates",
        key,
        remote=True,
        reads="the stored key (Secrets Manager) and Momento",
        fails_when="the stored key does not parse or Momento rejects it; unreachable Momento is a warning; shows the round-trip latency",
        why="a revoked or malformed key fails every cache call",
    ),
    Check(
        "momento.key-expiry",
        Group.MOMENTO,
        "Stored key not expiring",
        expiry,
        remote=True,
        reads="the stored key's exp claim or the key-refresh Lambda's validUntil",
        fails_when='the stored key has expired (its `exp` claim, else the key-refresh Lambda\'s `validUntil`); warns within `--expiry-warning-days`; passes with the date or "never expires"; `data` in `--json`: `expires_at`, `days_left`, `source`, `warning_days`',
        why="an expired key fails every cache call at once",
    ),
    Check(
        "momento.cache",
        Group.MOMENTO,
        "Cache exists",
        cache,
        remote=True,
        reads="Momento: the cache the functions use",
        fails_when="the cache does not exist or the key may not use it",
        why="a missing cache fails every call with NOT_FOUND",
    ),
]
