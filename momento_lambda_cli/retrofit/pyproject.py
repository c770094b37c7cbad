"""The Momento SDK in a ``pyproject.toml`` that lists a project's dependencies, in the style it
uses: PEP 621 ``[project] dependencies`` (uv, pdm, hatch, Serverless's uv support) or Poetry's
``[tool.poetry.dependencies]`` (serverless-python-requirements exports it). tomlkit keeps every
other byte (comments, layout, array style)."""

from __future__ import annotations

import re
from typing import Any

from momento_lambda_cli.errors import parser_problem
from momento_lambda_cli.project.edit import toml_error

_NAME = re.compile(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def _normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirement_name(item: Any) -> str:
    match = _NAME.match(str(item))
    return _normalized(match.group(1)) if match else ""


def add_requirement(text: str, package: str, version: str, *, source: str) -> str | None:
    """``text`` with ``package`` pinned to ``version``, or ``text`` when it lists ``package``
    already; ``None`` when the file lists no dependencies (no ``[project]`` table with static
    dependencies, no ``[tool.poetry.dependencies]``: a pyproject.toml for tools only)."""
    import tomlkit
    from tomlkit.exceptions import TOMLKitError

    try:
        document = tomlkit.parse(text)
    except (TOMLKitError, ValueError) as exc:
        raise toml_error(source, parser_problem(exc)) from None
    project = document.get("project")
    poetry = document.get("tool", {}).get("poetry", {}).get("dependencies")
    if isinstance(project, dict) and "dependencies" not in project.get("dynamic", []):
        dependencies = project.get("dependencies")
        if dependencies is None:
            project["dependencies"] = [f"{package}=={version}"]
        elif isinstance(dependencies, list):
            if any(_requirement_name(d) == _normalized(package) for d in dependencies):
                return text
            dependencies.append(f"{package}=={version}")
        else:
            return None
    elif isinstance(poetry, dict):
        if any(_normalized(str(name)) == _normalized(package) for name in poetry):
            return text
        poetry[package] = version  # Poetry: a bare version is an exact pin
    else:
        return None
    return tomlkit.dumps(document)
