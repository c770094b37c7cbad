"""The whole `store-token` workflow as one function: read the key, check it, choose the
region, store the secret, wire its ARN into the project. Returns a :class:`StoreOutcome`;
warnings go to a callback the moment they arise (a later failure must not swallow them)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from momento_lambda_cli.errors import ExitCode, MomentoLambdaError, UsageError

Progress = Callable[[str], AbstractContextManager[Any]]


@dataclass(frozen=True)
class StoreOptions:
    project_dir: Path = Path(".")
    config_env: str = "default"
    """SAM config env / Serverless params stage to write the ARN to."""
    from_stdin: bool = False
    from_env: str | None = None
    endpoint: str | None = None
    secret_name: str | None = None
    kms_key_id: str | None = None
    description: str | None = None
    tags: tuple[str, ...] = ()
    region: str | None = None
    profile: str | None = None
    verify: bool = True
    cache_name: str | None = None
    restore: bool = False
    force: bool = False
    dry_run: bool = False
    allow_prompt: bool = True


@dataclass
class StoreOutcome:
    secret_name: str
    secret_arn: str | None
    version_id: str | None
    action: str
    changes: list[str]
    region: str | None
    kms_key_arn: str | None
    key_kind: str
    key_source: str
    verification: dict[str, Any]
    verified: bool
    files_updated: list[str]
    updates: list[str] = field(default_factory=list)
    """What each written file got (``samconfig.toml [default.deploy.parameters] parameter_overrides``)."""
    framework: str | None = None
    dry_run: bool = False
    key_expires_at: str | None = None
    """ISO 8601 UTC expiry of the key (its ``exp`` claim); ``None`` when it never expires."""
    key_expiry: str = "never expires"
    """``expires 2027-01-31 (in 66 days)`` or ``never expires``."""
    region_mismatch: dict[str, str] | None = None
    """The warning object when the secret's region is not the one the project deploys to."""
    next_steps: list[str] = field(default_factory=list)
    """The commands that build and deploy the project with the new setting."""
    diff: str = ""
    """The unified diff of the project files (shown by ``--dry-run``)."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "secret_name": self.secret_name,
            "secret_arn": self.secret_arn,
            "version_id": self.version_id,
            "action": self.action,
            "dry_run": self.dry_run,
            "changes": self.changes,
            "region": self.region,
            "kms_key_arn": self.kms_key_arn,
            "key_kind": self.key_kind,
            "key_source": self.key_source,
            "key_expires_at": self.key_expires_at,
            "verified": self.verified,
            "verification": self.verification,
            "files_updated": self.files_updated,
            "region_mismatch": self.region_mismatch,
            "next_steps": self.next_steps,
        }


class _LazyClient:
    """A boto3 client made on first use (the KMS client is often not needed)."""

    def __init__(self, make: Callable[[], Any]) -> None:
        self._make = make
        self._client: Any = None

    def __getattr__(self, name: str) -> Any:
        if self._client is None:
            self._client = self._make()
        return getattr(self._client, name)


def store_token(
    options: StoreOptions, *, warn: Callable[[str], None], progress: Progress = lambda _text: nullcontext()
) -> StoreOutcome:
    """Run the workflow; raises MomentoLambdaError (nothing is written after a failure)."""
    from momento_lambda_cli import aws, contract
    from momento_lambda_cli.momento_key import EXPIRY_WARNING_DAYS, KeyKind, expiry_of, parse_api_key
    from momento_lambda_cli.project.changeset import unified_diff
    from momento_lambda_cli.scaffold.next_steps import deploy_steps
    from momento_lambda_cli.secrets import key_source, secret_store, wiring
    from momento_lambda_cli.secrets import verify as verifying
    from momento_lambda_cli.secrets.region import choose_region, region_mismatch

    tags = secret_store.parse_tags(list(options.tags))
    if options.secret_name is not None:
        secret_store.check_secret_name(options.secret_name)
    config_env = options.config_env.strip()
    if not config_env:
        raise UsageError("--config-env / --stage may not be empty.", code="usage.bad-config-env")
    found = wiring.inspect_project(options.project_dir, config_env)
    for note in found.notes:
        warn(note)
    if not options.dry_run:
        wiring.preflight(found, config_env)

    key = key_source.read_key(
        from_stdin=options.from_stdin, from_env=options.from_env, allow_prompt=options.allow_prompt
    )
    endpoint = key_source.normalise_endpoint(options.endpoint)
    parsed = parse_api_key(key.api_key, endpoint)
    if parsed.kind is KeyKind.LEGACY and endpoint:
        warn("This key carries its own endpoint; --endpoint / MOMENTO_ENDPOINT is ignored.")
        endpoint = None
    expiry = expiry_of(key.api_key)
    if expiry.expired:
        raise MomentoLambdaError(
            f"This Momento API key has {expiry.describe()}; nothing was stored.",
            "Create a new key in the Momento console (console.gomomento.com > API keys) and store that one.",
            code="key.expired",
        )
    if expiry.within(EXPIRY_WARNING_DAYS):
        warn(
            f"This key {expiry.describe()}: create a new one before then and store it, or the "
            "functions will lose the cache when it expires."
        )

    name = options.secret_name or found.secret_name or contract.DEFAULT_SECRET_NAME
    aws_options, session, region_warnings = choose_region(
        profile=options.profile, region_flag=options.region, project_region=found.region, secret_name=name
    )
    for message in region_warnings:
        warn(message)

    verification = verifying.SKIPPED
    if options.verify:
        with progress("Verifying the key with Momento..."):
            verification = verifying.verify_key(key.api_key, endpoint, options.cache_name or found.cache_name)
        for message in verification.warnings:
            warn(message)

    secretsmanager = aws.make_client(aws_options, "secretsmanager", session)
    kms = _LazyClient(lambda: aws.make_client(aws_options, "kms", session))
    project_name = (found.answers or {}).get("project_name")
    request = secret_store.StoreRequest(
        secret_name=name,
        secret_string=contract.encode_secret(key.api_key, endpoint if parsed.kind is KeyKind.V2 else None),
        kms_key_id=options.kms_key_id,
        description=options.description,
        default_description=f"Momento API key for {project_name}" if project_name else "Momento API key",
        tags=tags,
        restore=options.restore,
        force=options.force,
        dry_run=options.dry_run,
    )
    doing = (
        "Checking what would change in Secrets Manager..."
        if options.dry_run
        else "Storing the key in Secrets Manager..."
    )
    with progress(doing):
        result = secret_store.store_secret(secretsmanager, kms, request)
    for message in result.warnings:
        warn(message)

    writes, wiring_warnings = wiring.plan_writes(
        found,
        secret_name=result.secret_name,
        secret_arn=result.secret_arn,
        kms_key_arn=result.kms_key_arn,
        config_env=config_env,
    )
    for message in wiring_warnings:
        warn(message)
    if not options.dry_run:
        _apply(writes, result, warn)

    return StoreOutcome(
        secret_name=result.secret_name,
        secret_arn=result.secret_arn,
        version_id=result.version_id,
        action=result.action.value,
        changes=result.changes,
        region=session.region_name,
        kms_key_arn=result.kms_key_arn,
        key_kind=parsed.kind.value,
        key_source=key.origin,
        verification=verification.to_dict(),
        verified=verification.verified,
        files_updated=[_relative(w.path, options.project_dir) for w in writes],
        updates=[w.what for w in writes],
        framework=found.framework if found.is_project else None,
        dry_run=options.dry_run,
        key_expires_at=expiry.iso(),
        key_expiry=expiry.describe(),
        region_mismatch=region_mismatch(found.region, session.region_name),
        next_steps=deploy_steps(found.framework, found.directory, found.answers) if found.is_project else [],
        diff="".join(unified_diff(_relative(w.path, options.project_dir), w.old, w.text) for w in writes),
    )


def _apply(writes: list[Any], stored: Any, warn: Callable[[str], None]) -> None:
    """Write the project files, all or none; any failure after the secret was stored (a file
    changed, a folder not writable, a signal, no lock on this platform) says what was done in
    AWS, that no file was changed, and the exact lines to add by hand."""
    from momento_lambda_cli.errors import crash_location
    from momento_lambda_cli.secrets import wiring

    try:
        for message in wiring.apply_writes(writes):
            warn(message)
    except Exception as exc:  # the secret exists now: whatever failed, name its ARN
        if isinstance(exc, MomentoLambdaError):
            reason = exc.message
        elif isinstance(exc, OSError):
            reason = exc.strerror or type(exc).__name__
        else:
            reason = f"{type(exc).__name__}{crash_location(exc)}"
        version = f", version {stored.version_id}" if stored.version_id else ""
        names = ", ".join(dict.fromkeys(w.path.name for w in writes))
        raise MomentoLambdaError(
            f"The key is stored in Secrets Manager ({stored.secret_arn}{version}), but {names} could not be "
            f"written ({reason.rstrip('.')}); no project file was changed.",
            "Add it by hand: " + "; ".join(w.manual for w in writes if w.manual),
            exit_code=exc.exit_code if isinstance(exc, MomentoLambdaError) else ExitCode.FAILED,
            code="project.write-failed",
        ) from None


def _relative(path: Path, base: Path) -> str:
    try:
        return str(path.resolve().relative_to(base.resolve()))
    except ValueError:
        return str(path)
