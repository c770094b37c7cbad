"""`momento-lambda store-token`: store the Momento API key in AWS Secrets Manager.

Thin: parse the options, call :mod:`momento_lambda_cli.secrets`, render the result. The key
is read from stdin, an environment variable or a hidden prompt; never from an argument.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from momento_lambda_cli import console
from momento_lambda_cli.commands import options

if TYPE_CHECKING:
    from momento_lambda_cli.secrets.flow import StoreOutcome

COMMAND = "store-token"


class _Warnings(list[str]):
    """Warnings shown on stderr the moment they arise and collected for the ``--json`` envelope."""

    def add(self, message: str) -> None:
        console.print_warning(message)
        self.append(message)


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
            "--stage",
            metavar="NAME",
            help="SAM config env / Serverless params stage to write the ARN to (default: default, read by every stage).",
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
    region: options.Region = None,
    profile: options.Profile = None,
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
        typer.Option(
            "--force",
            help="Overwrite a secret that holds something other than a Momento key, or one kept by Momento's key-refresh Lambda.",
        ),
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
    samconfig.toml (or samconfig.yaml) / serverless.yml / cdk.json (context) and .momento-lambda.json.
    """
    if json_output:
        console.mode.json_command = COMMAND
    from momento_lambda_cli.secrets.flow import StoreOptions
    from momento_lambda_cli.secrets.flow import store_token as run

    warnings = _Warnings()
    options = StoreOptions(
        project_dir=project_dir,
        config_env=config_env,
        from_stdin=from_stdin,
        from_env=from_env,
        endpoint=endpoint,
        secret_name=secret_name,
        kms_key_id=kms_key_id,
        description=description,
        tags=tuple(tag or ()),
        region=region,
        profile=profile,
        verify=verify,
        cache_name=cache_name,
        restore=restore,
        force=force,
        dry_run=dry_run,
        allow_prompt=not no_input,
    )
    outcome = run(options, warn=warnings.add, progress=lambda text: _spinner(json_output, text))
    if json_output:
        console.print_json(console.envelope(COMMAND, ok=True, data=outcome.to_dict(), warnings=list(warnings)))
        return
    _render(outcome, project_dir)


def _spinner(json_output: bool, text: str) -> AbstractContextManager[Any]:
    err = console.stderr()
    if json_output or not err.is_terminal:
        return nullcontext()
    return err.status(text)


_VERBS = {
    "created": ("Created", "Would create"),
    "updated": ("Updated", "Would update"),
    "unchanged": ("Unchanged", "Would leave unchanged"),
    "restored": ("Restored and updated", "Would restore and update"),
}


def _render(outcome: StoreOutcome, project_dir: Path) -> None:
    from rich.markup import escape

    data = outcome.to_dict()
    out = console.stdout()
    dry = outcome.dry_run
    done, planned = _VERBS[outcome.action]
    if outcome.action == "unchanged" and outcome.changes:
        done, planned = "Updated the details (value unchanged) of", "Would update the details (value unchanged) of"
    verb = planned if dry else done
    out.print(f"{verb} secret {escape(outcome.secret_name)} in {escape(str(outcome.region))}")
    out.print(f"  ARN:      {escape(str(outcome.secret_arn or '(assigned when created)'))}")
    if outcome.version_id:
        out.print(f"  Version:  {escape(str(outcome.version_id))}")
    if outcome.kms_key_arn:
        out.print(f"  KMS key:  {escape(str(outcome.kms_key_arn))}")
    verification = data["verification"]
    status = verification["status"]
    if status == "skipped":
        checked = "not verified (--no-verify)"
    elif outcome.verified:
        checked = "verified with Momento"
        if verification["cache_name"]:
            checked += f" (cache {verification['cache_name']})"
    else:
        checked = f"not verified ({status})"
    out.print(f"  Key:      {outcome.key_kind} key from {escape(outcome.key_source)}, {escape(checked)}")
    out.print(f"  Expiry:   {escape(outcome.key_expiry)}")
    for what in outcome.updates:
        out.print(f"{'Would update' if dry else 'Updated'} {escape(what)}")
    framework = outcome.framework
    if framework is None:
        out.print(
            f"No project in {escape(str(project_dir))} (no answers file, samconfig.toml or serverless.yml): no files changed."
        )
    if dry:
        if outcome.diff:
            out.print(outcome.diff, end="", markup=False, highlight=False, soft_wrap=True)
        out.print("Dry run: nothing was changed.")
    elif outcome.next_steps:
        out.print(f"Next: {escape(' && '.join(outcome.next_steps))}")
