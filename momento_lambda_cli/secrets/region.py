"""Which region the secret goes to, and a mistyped region caught before any call.

Order: ``--region``; the region inside a secret ARN given as ``--secret-name``; the region
the project deploys to, by its deploy tool's rule (:func:`momento_lambda_cli.project.load.deploy_region`);
then ``AWS_REGION`` / ``AWS_DEFAULT_REGION`` / the profile (see :mod:`momento_lambda_cli.aws`).
"""

from __future__ import annotations

import difflib
from functools import cache
from typing import Any

from momento_lambda_cli import aws, regions
from momento_lambda_cli.errors import UsageError
from momento_lambda_cli.project.model import Setting


@cache
def known_regions() -> frozenset[str]:
    """Every region botocore's bundled endpoint data knows for Secrets Manager (offline)."""
    import boto3

    session = boto3.session.Session()
    regions: set[str] = set()
    for partition in session.get_available_partitions():
        regions.update(session.get_available_regions("secretsmanager", partition_name=partition))
    return frozenset(regions)


def check_region(region: str) -> list[str]:
    """Raise :class:`UsageError` for a region name that cannot exist; warn about an unknown one.

    A well-formed name the installed botocore does not know (a new region, or a typo such
    as ``us-eats-1``) is only a warning with suggestions: AWS itself is the judge.
    """
    if region in known_regions():
        return []
    close = difflib.get_close_matches(region, sorted(known_regions()), n=3, cutoff=0.6)
    suggestion = f"Did you mean {' or '.join(close)}?" if close else "Region codes look like us-east-1 or eu-west-1."
    if not regions.problem(region):
        return [f"{region!r} is not a region this version of botocore knows. {suggestion}"]
    raise UsageError(
        f"{region!r} is not an AWS region.",
        f"{suggestion} (--region, AWS_REGION, or the project's region)",
        code="aws.unknown-region",
    )


def region_of_arn(name: str) -> str | None:
    """The region inside a secret ARN (``arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME``)."""
    parts = name.split(":")
    if len(parts) >= 7 and parts[0] == "arn" and parts[2] == "secretsmanager" and parts[3]:
        return parts[3]
    return None


def choose_region(
    *, profile: str | None, region_flag: str | None, project_region: Setting[str] | None, secret_name: str
) -> tuple[aws.AwsOptions, Any, list[str]]:
    """``(options, boto3 session, warnings)`` for the region the secret belongs in: ``--region``,
    the region inside a secret ARN, the region the project deploys to, then the environment's."""
    wanted = project_region.known if project_region is not None else region_flag
    arn_region = region_of_arn(secret_name)
    if arn_region:
        if region_flag and region_flag != arn_region:
            raise UsageError(
                f"The secret ARN is in {arn_region}, but --region is {region_flag}.",
                "A secret is read in its own region: drop --region or give the secret's name instead of its ARN.",
                code="usage.region-mismatch",
            )
        wanted = arn_region
    wanted = region_flag or wanted
    options = aws.AwsOptions(profile=profile, region=wanted)
    session = aws.make_session(options)
    used = session.region_name
    warnings: list[str] = []
    if used:
        warnings.extend(check_region(used))
        if project_region is not None and project_region.note and used == project_region.known:
            warnings.append(project_region.note)
        mismatch = region_mismatch(project_region, used)
        if mismatch:
            warnings.append(mismatch["message"])
    return options, session, warnings


def _project_deploy_region(setting: Setting[str] | None) -> str | None:
    """The region the project deploys to (its own settings, or the environment variable its
    settings name; not a ``--region`` given to this command)."""
    if setting is None or setting.source == "--region":
        return None
    return setting.known


def region_mismatch(project_region: Setting[str] | None, secret_region: str | None) -> dict[str, str] | None:
    """The ``--json`` warning object when the secret's region is not the project's deploy region."""
    deploys_to = _project_deploy_region(project_region)
    if not deploys_to or not secret_region or deploys_to == secret_region or project_region is None:
        return None
    return {
        "code": "region.mismatch",
        "project_region": deploys_to,
        "project_region_source": project_region.source,
        "secret_region": secret_region,
        "message": f"The project deploys to {deploys_to} but the secret goes to {secret_region}: the function reads "
        f"its secret in its own region (pass --region {deploys_to}).",
    }
