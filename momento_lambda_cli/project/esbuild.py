"""How esbuild bundles a Node.js function: SAM's ``BuildMethod: esbuild`` with its
``Metadata.BuildProperties``, the serverless-esbuild plugin with ``custom.esbuild``, or
Serverless Framework v4's own esbuild with ``build.esbuild``.

An ES module bundle has no ``require``, so the CommonJS parts of @gomomento/sdk's dependencies
fail to load ('Dynamic require of "process" is not supported') unless a banner defines it:
:data:`BANNER`, the line `new` writes and `add` / `doctor --fix` add."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from momento_lambda_cli.project.handlers import TYPESCRIPT_SUFFIXES
from momento_lambda_cli.project.model import Function, Project
from momento_lambda_cli.project.parse import MAX_FILE_BYTES, read_head
from momento_lambda_cli.project.values import mapping as _mapping

BANNER = "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);"
SLS_PLUGIN = "serverless-esbuild"
SAM_DEFAULT_TARGET = "es2020"
"""The SAM CLI's esbuild target when ``Target`` is not set (aws-lambda-builders)."""


@dataclass(frozen=True)
class Bundle:
    """One function's esbuild settings."""

    esm: bool
    """ES module output (``Format: esm`` / ``format: esm``); esbuild's default is CommonJS."""
    target: str
    """esbuild's target (a comma list), with the tool's default filled in."""
    banners: tuple[str, ...]
    """The JavaScript banners as written."""
    banner_set: bool
    """The banner setting is there (perhaps for CSS only, or in a shape not read)."""
    banner_path: tuple[str, ...]
    """The mapping a banner goes into (``Resources.F.Metadata.BuildProperties``, ``custom.esbuild``)."""
    banner_key: str
    """``Banner`` (SAM: a list of ``js=...``) or ``banner`` (serverless-esbuild: ``{js: ...}``)."""
    banner_block: tuple[str, ...]
    """The YAML lines of :data:`BANNER` under :attr:`banner_key`."""

    @property
    def defines_require(self) -> bool:
        return any("createRequire" in banner for banner in self.banners)

    @property
    def where(self) -> str:
        return ".".join([*self.banner_path, self.banner_key])


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value] if isinstance(value, list) else []


def sam_build_properties(project: Project, function: Function) -> dict[str, Any]:
    resource = _mapping(_mapping(project.document.get("Resources")).get(function.key))
    return _mapping(_mapping(resource.get("Metadata")).get("BuildProperties"))


def sls_options(project: Project) -> dict[str, Any]:
    """serverless-esbuild's ``custom.esbuild``."""
    return _mapping(_mapping(project.document.get("custom")).get("esbuild"))


def sls_plugins(project: Project) -> list[str]:
    plugins = project.document.get("plugins")
    return _strings(plugins.get("modules") if isinstance(plugins, dict) else plugins)


def has_plugin(project: Project, name: str) -> bool:
    """Whether the service loads ``name`` or a scoped fork of it (``@scope/name``)."""
    return any(p == name or p.endswith("/" + name) for p in sls_plugins(project))


def framework_v4(project: Project) -> bool:
    """Serverless Framework v4 builds the service: ``frameworkVersion`` 4 (or later), or its
    ``build.esbuild`` settings (v4 bundles JavaScript and TypeScript itself, without a plugin)."""
    version = str(project.document.get("frameworkVersion") or "")
    digits = "".join(c if c.isdigit() else " " for c in version).split()
    build = _mapping(project.document.get("build")).get("esbuild")
    return (bool(digits) and int(digits[0]) >= 4) or isinstance(build, dict)


def package_json(folder: Path, root: Path) -> dict[str, Any]:
    """``folder/package.json`` as a mapping (empty when it is missing, unreadable, outside the
    project folder ``root`` or not an object)."""
    data = read_head(folder / "package.json", MAX_FILE_BYTES, root)
    try:
        document = json.loads(data) if data is not None else {}
    except (ValueError, RecursionError):
        return {}
    return _mapping(document)


def external(project: Project, function: Function) -> list[str]:
    """The packages the bundle leaves out (SAM ``External``; serverless-esbuild ``external`` / ``exclude``)."""
    from momento_lambda_cli import frameworks

    return frameworks.adapter_for(project).esbuild_external(project, function)


def sam_external(project: Project, function: Function) -> list[str]:
    return _strings(sam_build_properties(project, function).get("External"))


def sls_external(project: Project, function: Function) -> list[str]:
    options = sls_options(project)
    return _strings(options.get("external")) + _strings(options.get("exclude"))


def bundle(project: Project, function: Function) -> Bundle | None:
    """The function's esbuild bundle; ``None`` when esbuild does not bundle it."""
    from momento_lambda_cli import frameworks

    return frameworks.adapter_for(project).esbuild_bundle(project, function)


def sam_bundle(project: Project, function: Function) -> Bundle | None:
    """SAM: ``BuildMethod: esbuild`` with its ``Metadata.BuildProperties``."""
    if (function.build_method or "").lower() != "esbuild":
        return None
    props = sam_build_properties(project, function)
    return Bundle(
        esm=str(props.get("Format", "")).lower() == "esm",
        target=",".join(_strings(props.get("Target"))) or SAM_DEFAULT_TARGET,
        banners=tuple(b.split("=", 1)[1] for b in _strings(props.get("Banner")) if b.startswith("js=")),
        banner_set="Banner" in props,
        banner_path=("Resources", function.key, "Metadata", "BuildProperties"),
        banner_key="Banner",
        banner_block=(f'- "js={BANNER}"',),
    )


def sls_bundle(project: Project, function: Function) -> Bundle | None:
    """Serverless: the serverless-esbuild plugin, or v4's own esbuild."""
    if has_plugin(project, SLS_PLUGIN):
        runtime = function.runtime_name.replace("nodejs", "node").removesuffix(".x")
        return _sls_bundle(sls_options(project), ("custom", "esbuild"), runtime, esm_default=False)
    if framework_v4(project) and not any(has_plugin(project, p) for p in OTHER_SLS_BUILDERS):
        # v4's own esbuild: for TypeScript handlers, or every Node.js handler once `build` is set;
        # ES modules when package.json says "type": "module"; esbuild's default target
        handler = function.handler_file
        typescript = handler is not None and handler.suffix.lower() in TYPESCRIPT_SUFFIXES
        if project.document.get("build") is None and not typescript:
            return None
        options = _mapping(_mapping(project.document.get("build")).get("esbuild"))
        return _sls_bundle(
            options,
            ("build", "esbuild"),
            "esnext",
            esm_default=package_json(project.root, project.root).get("type") == "module",
        )
    return None


OTHER_SLS_BUILDERS = ("serverless-plugin-typescript", "serverless-webpack", "serverless-bundle")
"""Serverless plugins that compile or bundle Node.js code other than with esbuild."""


def _sls_bundle(options: dict[str, Any], where: tuple[str, ...], default_target: str, *, esm_default: bool) -> Bundle:
    """serverless-esbuild's default target is the runtime's Node.js; v4's is esbuild's own."""
    banner = options.get("banner")
    written = str(options.get("format", "")).lower()
    return Bundle(
        esm=written == "esm" or (not written and esm_default),
        target=",".join(_strings(options.get("target"))) or default_target,
        banners=tuple(_strings(_mapping(banner).get("js"))),
        banner_set=banner is not None,
        banner_path=where,
        banner_key="banner",
        banner_block=(f'js: "{BANNER}"',),
    )
