"""The client module `add` writes: the same single-source file `new` renders
(``project_templates/momento-lambda/.../src/momento_client.py``, ``momentoClient.mjs`` or
``momentoClient.ts``),
rendered on its own, and the versions the template pins."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from fnmatch import fnmatch
from functools import cache
from typing import Any, Final, Literal

from momento_lambda_cli import catalog
from momento_lambda_cli.errors import MomentoLambdaError
from momento_lambda_cli.retrofit import typescript
from momento_lambda_cli.scaffold.render import template_dir

PROJECT_FOLDER = "{{cookiecutter.project_name}}"


ModuleLanguage = Literal["python", "node", "typescript"]
"""The client module's language: a Node.js function's is ``typescript`` when its source is."""
TYPESCRIPT: Final = "typescript"


@dataclass(frozen=True)
class ClientModule:
    language: ModuleLanguage
    """``python`` / ``node`` / ``typescript``."""
    file_name: str
    """``momento_client.py`` / ``momentoClient.mjs`` / ``momentoClient.ts``."""
    template_path: str
    """Its path inside the rendered project (``src/momento_client.py``)."""


MODULES: dict[ModuleLanguage, ClientModule] = {
    catalog.PYTHON: ClientModule(catalog.PYTHON, "momento_client.py", "src/momento_client.py"),
    catalog.NODE: ClientModule(catalog.NODE, "momentoClient.mjs", "src/momentoClient.mjs"),
    TYPESCRIPT: ClientModule(TYPESCRIPT, "momentoClient.ts", "src/momentoClient.ts"),
}


@cache
def template_context() -> dict[str, Any]:
    """``cookiecutter.json`` of the project template."""
    path = template_dir() / "cookiecutter.json"
    try:
        document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:  # pragma: no cover - a broken installation
        raise MomentoLambdaError(
            f"The project template's cookiecutter.json cannot be read ({type(exc).__name__}).",
            "Reinstall momento-lambda.",
            code="templates.missing",
        ) from None
    return document


def pinned(name: str) -> str:
    """A version the template pins (``momento_python_version``, ``momento_node_version``...)."""
    return str(template_context()[name])


def render_module(module: ClientModule, form: str | None = None) -> str:
    """The module's text exactly as `new` writes it (from the installed template), in ``form``."""
    path = template_dir() / PROJECT_FOLDER / module.template_path
    return _in_form(render_file(template_context(), path.read_text(encoding="utf-8"), module.template_path), form)


def render_file(context: Mapping[str, Any], text: str, template_path: str) -> str:
    """One file of the project template rendered on its own, as `add` writes it: copied as is
    when the template's ``cookiecutter.json`` (``context``) lists it under
    ``_copy_without_render``, else rendered with cookiecutter's Jinja environment and the
    template's default answers."""
    if any(fnmatch(template_path, pattern) for pattern in context.get("_copy_without_render", [])):
        return text
    from momento_lambda_cli.scaffold.render import sandboxed_environment

    values = {k: (v[0] if isinstance(v, list) else v) for k, v in context.items() if not k.startswith("_")}
    env = sandboxed_environment(context={"cookiecutter": values}, keep_trailing_newline=True)
    return str(env.from_string(text).render(cookiecutter=values))


COMMONJS: Final = "commonjs"
"""The ``form`` of a managed TypeScript module written for a bundle that is not an ES module."""


def managed_text(files: Mapping[str, str], template_path: str, form: str | None = None) -> str | None:
    """What `add` writes for ``template_path`` from a template version's files (template-relative
    paths, as in a snapshot), in ``form``; ``None`` when that version has no such file."""
    text = files.get(f"{PROJECT_FOLDER}/{template_path}")
    if text is None:
        return None
    context = json.loads(files.get("cookiecutter.json", "{}"))
    return _in_form(render_file(context, text, template_path), form)


def _in_form(text: str, form: str | None) -> str:
    """``text`` as written for ``form`` (:data:`COMMONJS`: the TypeScript module without its top-level await)."""
    return typescript.module_text(text, esm=False) if form == COMMONJS else text
