"""Every check, in display order, and selection by id, id prefix or group."""

from __future__ import annotations

from collections.abc import Iterable

from momento_lambda_cli.doctor.model import Check
from momento_lambda_cli.errors import UsageError


def all_checks() -> list[Check]:
    from momento_lambda_cli.doctor.checks import (
        build,
        deployment,
        machine,
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
        *deployment.CHECKS,
        *network.CHECKS,
        *momento.CHECKS,
        *machine.CHECKS,
    ]


def _ids(value: Iterable[str]) -> list[str]:
    return [part.strip() for item in value for part in item.split(",") if part.strip()]


def _matches(check: Check, selector: str, areas: frozenset[str] = frozenset()) -> bool:
    """``selector`` names ``check``: its id, an id prefix ending at a dot (``iam`` for
    ``iam.secret-access``), its group, or one of its former ids (``secrets.no-plaintext-key``,
    whose prefix ``secrets`` still selects it: saved skip lists keep working)."""
    prefix = selector.rstrip(".")
    if check.group.value == selector or check.id == selector or check.id.startswith(prefix + "."):
        return True
    # a former id, or a former prefix that is no area today (`secrets`; `build` is one, so it
    # no longer selects `machine.container`, once `build.container`)
    return any(a == selector or (a.startswith(prefix + ".") and prefix not in areas) for a in check.aliases)


def select(checks: list[Check], only: Iterable[str] = (), skip: Iterable[str] = ()) -> list[Check]:
    """The checks kept by ``--only`` / ``--skip`` (comma-separated ids, id prefixes or groups);
    a selector that names no check is a usage error."""
    only_ids, skip_ids = _ids(only), _ids(skip)
    areas = frozenset(c.area for c in checks)
    unknown = [i for i in [*only_ids, *skip_ids] if not any(_matches(c, i, areas) for c in checks)]
    if unknown:
        prefixes = sorted({c.area for c in checks})
        groups = list(dict.fromkeys(c.group.value for c in checks))
        raise UsageError(
            f"Unknown check id: {', '.join(unknown)}; accepted: a check id, an id prefix "
            f"({', '.join(prefixes)}) or a group ({', '.join(groups)}).",
            "List the ids with `momento-lambda doctor --list-checks`.",
            code="doctor.unknown-check",
        )
    return [
        c
        for c in checks
        if (not only_ids or any(_matches(c, i, areas) for i in only_ids))
        and not any(_matches(c, i, areas) for i in skip_ids)
    ]
