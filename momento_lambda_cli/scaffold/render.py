"""Render a project atomically: into a temporary folder next to the target, then one rename.

A failure or Ctrl-C at any point leaves the target as it was (absent, or an empty folder).
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from momento_lambda_cli import __version__
from momento_lambda_cli.errors import MomentoLambdaError
from momento_lambda_cli.project import ANSWERS_FILE, write_answers
from momento_lambda_cli.scaffold.answers import Answers
from momento_lambda_cli.scaffold.layout import TEMPLATE_NAME, project_files, prune
from momento_lambda_cli.scaffold.versions import TEMPLATE_VERSION_KEY, content_hash, read_tree
from momento_lambda_cli.templates import templates_root


@dataclass(frozen=True)
class RenderResult:
    project_dir: Path
    files: list[str]


def template_dir() -> Path:
    return templates_root() / TEMPLATE_NAME


def check_target(output_dir: Path, name: str) -> Path:
    """The target folder; raises if it exists and is not an empty folder."""
    target = output_dir / name
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        raise MomentoLambdaError(
            f"{target} already exists and is not a folder.",
            "Choose another project name or --output-dir.",
            code="new.target-exists",
        )
    if target.is_dir() and any(target.iterdir()):
        raise MomentoLambdaError(
            f"The folder {target} already exists and is not empty.",
            "Choose another project name or --output-dir, or remove the folder.",
            code="new.target-exists",
        )
    return target


def _missing_folders(folder: Path) -> list[Path]:
    """``folder`` and its ancestors that do not exist yet, deepest first (what ``mkdir -p`` creates)."""
    missing = []
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    return missing


def _remove_empty(folders: list[Path]) -> None:
    """Remove the folders this run created (deepest first), as long as they are empty."""
    for folder in folders:
        try:
            folder.rmdir()
        except OSError:
            return


def render_project(answers: Answers, output_dir: Path) -> RenderResult:
    """Render ``answers`` into ``output_dir/<project_name>``; raises :class:`MomentoLambdaError`."""
    output_dir = output_dir.expanduser().absolute()
    if output_dir.exists() and not output_dir.is_dir():
        raise MomentoLambdaError(
            f"--output-dir {output_dir} is not a folder.", "Point --output-dir at a folder.", code="new.bad-output-dir"
        )
    target = check_target(output_dir, answers.project_name)
    source = template_dir()
    created = _missing_folders(output_dir)
    staging: Path | None = None
    try:
        try:
            output_dir.mkdir(parents=True, exist_ok=True)
            staging = Path(
                tempfile.mkdtemp(prefix=f".{answers.project_name}.", suffix=".momento-lambda-tmp", dir=output_dir)
            )
        except OSError as exc:
            raise MomentoLambdaError(
                f"Cannot create or write in {output_dir}: {exc.strerror}.",
                "Choose another --output-dir, or check that folder's permissions.",
                code="new.bad-output-dir",
            ) from None
        rendered = Path(cookiecutter_files(source, answers.template_context(), staging))
        prune(rendered, answers)
        record = {"version": __version__, "sha256": content_hash(read_tree(rendered))}
        write_answers(rendered, {**answers.as_dict(), TEMPLATE_VERSION_KEY: record})
        check_target(output_dir, answers.project_name)  # nobody created it meanwhile
        os.rename(rendered, target)  # replaces an empty folder too
    except OSError as exc:
        raise MomentoLambdaError(
            f"Could not write the project into {output_dir}: {exc.strerror or exc}.",
            "Check the folder's permissions and free space.",
            code="new.write-failed",
        ) from None
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        if not target.exists():
            _remove_empty(created)
    return RenderResult(project_dir=target, files=project_files(target))


def sandboxed_environment(**kwargs: Any) -> Any:
    """Cookiecutter's Jinja environment (strict undefined, its extensions) on Jinja's
    :class:`~jinja2.sandbox.SandboxedEnvironment`: a template or a value that reaches for
    Python internals (``cycler.__init__.__globals__``...) raises ``SecurityError`` instead of
    running code."""
    return _sandboxed_class()(**kwargs)


@functools.cache
def _sandboxed_class() -> type:
    from cookiecutter.environment import ExtensionLoaderMixin
    from jinja2 import StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    class SandboxedStrictEnvironment(ExtensionLoaderMixin, SandboxedEnvironment):  # type: ignore[misc]
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(undefined=StrictUndefined, **kwargs)

    return SandboxedStrictEnvironment


_COOKIECUTTER_LOCK = threading.Lock()


@contextlib.contextmanager
def _sandboxed_cookiecutter() -> Iterator[None]:
    """Cookiecutter builds its environment with ``create_env_with_context`` (in its prompt and
    generate modules) and takes no environment class: for the time of one rendering, both
    build the sandboxed one."""
    import cookiecutter.generate
    import cookiecutter.prompt

    def create_env_with_context(context: dict[str, Any]) -> Any:
        envvars = context.get("cookiecutter", {}).get("_jinja2_env_vars", {})
        return sandboxed_environment(context=context, keep_trailing_newline=True, **envvars)

    modules = (cookiecutter.generate, cookiecutter.prompt)
    with _COOKIECUTTER_LOCK:
        saved = [module.create_env_with_context for module in modules]
        for module in modules:
            module.create_env_with_context = create_env_with_context
        try:
            yield
        finally:
            for module, original in zip(modules, saved, strict=True):
                module.create_env_with_context = original


def cookiecutter_files(template: Path, context_values: dict[str, Any], output_dir: Path) -> str:
    """Cookiecutter's own context + file generation, without its replay file or hooks, in a
    sandboxed Jinja environment; returns the rendered project folder. ``context_values`` must
    already be validated answers (:mod:`.answers`): the sandbox is the second fence."""
    from cookiecutter.generate import generate_context, generate_files
    from cookiecutter.prompt import prompt_for_config
    from jinja2.exceptions import SecurityError

    try:
        with _sandboxed_cookiecutter():
            context: dict[str, Any] = generate_context(
                context_file=str(template / "cookiecutter.json"), extra_context=context_values
            )
            context["cookiecutter"] = prompt_for_config(context, no_input=True)
            context["cookiecutter"]["_template"] = str(template)
            context["cookiecutter"]["_output_dir"] = str(output_dir)
            return str(
                generate_files(repo_dir=str(template), context=context, output_dir=str(output_dir), accept_hooks=False)
            )
    except SecurityError:
        raise MomentoLambdaError(
            "An answer tried to reach Python internals through the template; nothing was rendered.",
            "Answers are plain names and values: check the answers file.",
            code="render.unsafe",
        ) from None


__all__ = [
    "ANSWERS_FILE",
    "RenderResult",
    "check_target",
    "cookiecutter_files",
    "render_project",
    "sandboxed_environment",
    "template_dir",
]
