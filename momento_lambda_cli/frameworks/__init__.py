"""The framework adapters and the factory that picks one (see :mod:`.base` for the seam).

``adapter(name)`` is the adapter of a framework named in the catalog (``sam``,
``serverless``); ``adapter_for(project)`` the one of a loaded project; ``detect(folder)`` the
one whose project a folder holds (``None``: no project). Importing this package imports only
the catalog and the adapters' classes; what an adapter reads or edits is imported when asked.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from momento_lambda_cli import catalog
from momento_lambda_cli.frameworks.base import NOT_FOUND, FrameworkAdapter

if TYPE_CHECKING:
    from momento_lambda_cli.project.model import Project

__all__ = ["FrameworkAdapter", "adapter", "adapter_for", "adapters", "detect", "names"]


@cache
def _registry() -> dict[str, FrameworkAdapter]:
    from momento_lambda_cli.frameworks.cdk import CdkAdapter
    from momento_lambda_cli.frameworks.sam import SamAdapter
    from momento_lambda_cli.frameworks.serverless import ServerlessAdapter

    found: dict[str, FrameworkAdapter] = {}
    for one in (SamAdapter(), ServerlessAdapter(), CdkAdapter()):
        if one.name in found:
            raise RuntimeError(f"two adapters for {one.name}")
        found[one.name] = one
    return {f.name: found[f.name] for f in catalog.FRAMEWORKS if f.name in found}


def adapters() -> tuple[FrameworkAdapter, ...]:
    """Every adapter, in the catalog's order."""
    return tuple(_registry().values())


def names() -> tuple[str, ...]:
    """The names of the frameworks this tool reads (``sam``, ``serverless``)."""
    return tuple(_registry())


def adapter(name: str) -> FrameworkAdapter:
    """The adapter of the framework ``name``; ``KeyError`` for a name the catalog does not know."""
    try:
        return _registry()[name]
    except KeyError:
        raise KeyError(f"no framework adapter for {name!r} (known: {', '.join(names())})") from None


def adapter_for(project: Project) -> FrameworkAdapter:
    """The adapter of a loaded project."""
    return adapter(project.framework)


def detect(folder: Path) -> FrameworkAdapter | None:
    """The adapter whose project ``folder`` holds, from the files present (the answers file's
    ``framework`` is read by :func:`momento_lambda_cli.project.answers.detect_framework`)."""
    best: FrameworkAdapter | None = None
    best_score = NOT_FOUND
    for one in adapters():
        score = one.detect(folder)
        if score > best_score:
            best, best_score = one, score
    return best
