"""Every check, in display order, and selection by id."""

from __future__ import annotations

from collections.abc import Iterable

from momento_lambda_cli.doctor.model import Check
from momento_lambda_cli.errors import UsageError


def all_checks() -> list[Check]:
    from momento_lambda_cli.doctor.checks import (
        build,
        deployment,
        momento,
        network,
        packaging,
        project,
        sdk,
        template_version,
    )

    return [
        *project.CHECKS,
        *template_version.CHECKS,
        *packaging.PROJECT_CHECKS,
        *sdk.CHECKS,
        *build.CHECKS,
        *packaging.BUILD_CHECKS,
        *deployment.CHECKS,
        *network.CHECKS,
        *momento.CHECKS,
    ]


def _ids(value: Iterable[str]) -> list[str]:
    return [part.strip() for item in value for part in item.split(",") if part.strip()]


def select(checks: list[Check], only: Iterable[str] = (), skip: Iterable[str] = ()) -> list[Check]:
    """The checks kept by ``--only`` / ``--skip`` (comma-separated ids); unknown ids are a usage error."""
    known = {c.id for c in checks}
    groups = {c.group.value for c in checks}
    only_ids, skip_ids = _ids(only), _ids(skip)
    unknown = [i for i in [*only_ids, *skip_ids] if i not in known and i not in groups]
    if unknown:
        raise UsageError(
            f"Unknown check id: {', '.join(unknown)}.",
            "List the ids with `momento-lambda doctor --list-checks` (a group name selects its checks).",
            code="doctor.unknown-check",
        )

    def matches(check: Check, ids: list[str]) -> bool:
        return check.id in ids or check.group.value in ids

    selected = [c for c in checks if (not only_ids or matches(c, only_ids)) and not matches(c, skip_ids)]
    return selected
