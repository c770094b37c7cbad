"""`momento-lambda store-token`: store the Momento API key in AWS Secrets Manager.

Thin: parse the options, call :mod:`momento_lambda_cli.secrets`, render the result. The key
is read from stdin, an environment variable or a hidden prompt; never from an argument.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Annotated, Any

import typer

from momento_lambda_cli import console
from momento_lambda_cli.errors import UsageError

COMMAND = "store-token"


class _Warnings(list[str]):
    """Warnings shown on stderr the moment they arise (a later failure must not swallow
    them) and collected for the ``--json`` envelope."""

    def add(self, *messages: str) -> None:
        for message in messages:
            console.print_warning(message)
            self.append(message)


class _LazyClient:
    """A boto3 client made on first use (the KMS client is often not needed)."""

    def __init__(self, make: Any) -> None:
        self._make = make
        self._client: Any = None

    def __getattr__(self, name: str) -> Any:
        if self._client is None:
            self._client = self._make()
        return getattr(self._client, name)


def store_token(
    from_stdin: Annotated[
        bool, typer.Option("--from-stdin", help="Read the key from the first line of stdin (e.g. piped from a vault).")
    ] = False,
    from_env: Annotated[
        str | None,
        typer.Option(
            "--from-env",
            metavar="VAR",
            help="Read the key from the environment variable VAR (MOMENTO_API_KEY is used when set and no source is given).",
        ),
    ] = None,
    endpoint: Annotated[
        str | None,
        typer.Option(
            "--endpoint",
            metavar="HOST",
            envvar="MOMENTO_ENDPOINT",
            help="Momento endpoint of a v2 API key, e.g. cell-4-us-west-2-1.prod.a.momentohq.com (legacy keys carry theirs).",
        ),
    ] = None,
    secret_name: Annotated[
        str | None,
        typer.Option(
            "--secret-name",
            metavar="NAME",
            help="Secret name or ARN (default: the project's secret_name, else momento/api-key).",
        ),
    ] = None,
    project_dir: Annotated[
        Path, typer.Option("--project-dir", metavar="DIR", help="The project to wire the secret ARN into.")
    ] = Path("."),
    config_env: Annotated[
        str,
        typer.Option(
            "--config-env",
            metavar="NAME",
            help="samconfig.toml environment / serverless.yml params stage to write the ARN to.",
        ),
    ] = "default",
    kms_key_id: Annotated[
        str | None,
        typer.Option(
            "--kms-key-id",
            metavar="KEY",
            help="Customer-managed KMS key (id, ARN or alias/NAME) to encrypt the secret with.",
        ),
    ] = None,
    description: Annotated[
        str | None, typer.Option("--description", metavar="TEXT", help="The secret's description.")
    ] = None,
    tag: Annotated[
        list[str] | None, typer.Option("--tag", metavar="KEY=VALUE", help="Tag the secret (repeatable).")
    ] = None,
    region: Annotated[
        str | None,
        typer.Option(
            "--region", metavar="REGION", help="AWS region (default: the project's region, then AWS_REGION...)."
        ),
    ] = None,
    profile: Annotated[
        str | None, typer.Option("--profile", metavar="PROFILE", help="AWS profile (default: AWS_PROFILE).")
    ] = None,
    verify: Annotated[
        bool,
        typer.Option("--verify/--no-verify", help="Check the key with Momento first; a rejected key is not stored."),
    ] = True,
    cache_name: Annotated[
        str | None,
        typer.Option(
            "--cache-name", metavar="CACHE", help="Cache to verify the key on (default: the project's cache)."
        ),
    ] = None,
    restore: Annotated[
        bool, typer.Option("--restore", help="Restore the secret if it is scheduled for deletion, then update it.")
    ] = False,
    force: Annotated[
        bool,
        typer.Option("--force", help="Overwrite a secret that holds something other than a Momento key."),
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would be done; change nothing in AWS or on disk.")
    ] = False,
    no_input: Annotated[bool, typer.Option("--no-input", help="Never prompt for the key.")] = False,
    json_output: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Store the Momento API key in AWS Secrets Manager and wire its ARN into the project.

    The key comes from --from-stdin, --from-env VAR, MOMENTO_API_KEY, or a hidden prompt,
    never from an argument. It is checked locally, verified with Momento, stored as
    {"MOMENTO_API_KEY": ..., "MOMENTO_ENDPOINT": ...}, and the secret ARN is written to
    samconfig.toml / serverless.yml and .momento-lambda.json.
    """
    if json_output:
        console.mode.json_command = COMMAND
    from momento_lambda_cli import aws, contract
    from momento_lambda_cli.momento_key import KeyKind, parse_api_key
    from momento_lambda_cli.secrets import key_source, secret_store, wiring
    from momento_lambda_cli.secrets import verify as verifying
    from momento_lambda_cli.secrets.region import choose_region

    warnings = _Warnings()
    tags = secret_store.parse_tags(tag or [])
    if secret_name is not None:
        secret_store.check_secret_name(secret_name)
    if not config_env.strip():
        raise UsageError("--config-env may not be empty.", code="usage.bad-config-env")
    found = wiring.inspect_project(project_dir, config_env)
    warnings.add(*found.notes)

    key = key_source.read_key(from_stdin=from_stdin, from_env=from_env, allow_prompt=not no_input)
    endpoint = key_source.normalise_endpoint(endpoint)
    parsed = parse_api_key(key.api_key, endpoint)
    if parsed.kind is KeyKind.LEGACY and endpoint:
        warnings.add("This key carries its own endpoint; --endpoint / MOMENTO_ENDPOINT is ignored.")
        endpoint = None

    name = secret_name or found.secret_name or contract.DEFAULT_SECRET_NAME
    options, session, region_warnings = choose_region(
        profile=profile, region_flag=region, project_region=found.region, secret_name=name
    )
    used_region = session.region_name
    warnings.add(*region_warnings)

    verification = verifying.SKIPPED
    if verify:
        target_cache = cache_name or found.cache_name
        with _spinner(json_output, "Verifying the key with Momento..."):
            verification = verifying.verify_key(key.api_key, endpoint, target_cache)
        warnings.add(*verification.warnings)

    secretsmanager = aws.make_client(options, "secretsmanager", session)
    kms = _LazyClient(lambda: aws.make_client(options, "kms", session))
    project_name = (found.answers or {}).get("project_name")
    request = secret_store.StoreRequest(
        secret_name=name,
        secret_string=contract.encode_secret(key.api_key, endpoint if parsed.kind is KeyKind.V2 else None),
        kms_key_id=kms_key_id,
        description=description,
        default_description=f"Momento API key for {project_name}" if project_name else "Momento API key",
        tags=tags,
        restore=restore,
        force=force,
        dry_run=dry_run,
    )
    with _spinner(json_output, "Storing the key in Secrets Manager..."):
        result = secret_store.store_secret(secretsmanager, kms, request)
    warnings.add(*result.warnings)

    writes, wiring_warnings = wiring.plan_writes(
        found,
        secret_name=result.secret_name,
        secret_arn=result.secret_arn,
        kms_key_arn=result.kms_key_arn,
        config_env=config_env,
    )
    warnings.add(*wiring_warnings)
    if not dry_run:
        wiring.apply_writes(writes)

    files = [_relative(w.path, project_dir) for w in writes]
    data = {
        "secret_name": result.secret_name,
        "secret_arn": result.secret_arn,
        "version_id": result.version_id,
        "action": result.action.value,
        "dry_run": dry_run,
        "changes": result.changes,
        "region": used_region,
        "kms_key_arn": result.kms_key_arn,
        "key_kind": parsed.kind.value,
        "key_source": key.origin,
        "verified": verification.verified,
        "verification": verification.to_dict(),
        "files_updated": files,
    }
    if json_output:
        console.print_json(console.envelope(COMMAND, ok=True, data=data, warnings=list(warnings)))
        return
    _render(data, writes, found.framework if found.is_project else None, project_dir)


def _spinner(json_output: bool, text: str) -> AbstractContextManager[Any]:
    err = console.stderr()
    if json_output or not err.is_terminal:
        return nullcontext()
    return err.status(text)


def _relative(path: Path, base: Path) -> str:
    try:
        return str(path.resolve().relative_to(base.resolve()))
    except ValueError:
        return str(path)


_VERBS = {
    "created": ("Created", "Would create"),
    "updated": ("Updated", "Would update"),
    "unchanged": ("Unchanged", "Would leave unchanged"),
    "restored": ("Restored and updated", "Would restore and update"),
}


def _render(data: dict[str, Any], writes: list[Any], framework: str | None, project_dir: Path) -> None:
    from rich.markup import escape

    out = console.stdout()
    dry = bool(data["dry_run"])
    done, planned = _VERBS[str(data["action"])]
    if data["action"] == "unchanged" and data["changes"]:
        done, planned = "Updated the details (value unchanged) of", "Would update the details (value unchanged) of"
    verb = planned if dry else done
    out.print(f"{verb} secret {escape(str(data['secret_name']))} in {escape(str(data['region']))}")
    out.print(f"  ARN:      {escape(str(data['secret_arn'] or '(assigned when created)'))}")
    if data["version_id"]:
        out.print(f"  Version:  {escape(str(data['version_id']))}")
    if data["kms_key_arn"]:
        out.print(f"  KMS key:  {escape(str(data['kms_key_arn']))}")
    verification = data["verification"]
    status = verification["status"]
    if status == "skipped":
        checked = "not verified (--no-verify)"
    elif data["verified"]:
        checked = "verified with Momento"
        if verification["cache_name"]:
            checked += f" (cache {verification['cache_name']})"
    else:
        checked = f"not verified ({status})"
    out.print(f"  Key:      {data['key_kind']} key from {escape(str(data['key_source']))}, {escape(checked)}")
    for write in writes:
        out.print(f"{'Would update' if dry else 'Updated'} {escape(write.what)}")
    if framework is None:
        out.print(
            f"No project in {escape(str(project_dir))} (no answers file, samconfig.toml or serverless.yml): no files changed."
        )
    if dry:
        out.print("Dry run: nothing was changed.")
    elif framework == "sam":
        out.print("Next: sam build && sam deploy")
    elif framework == "serverless":
        out.print("Next: serverless deploy")
