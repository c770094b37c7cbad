"""TypeScript functions for `add`: which form of the client module the function's bundle takes,
the package that reads the secret, and the import path a handler writes.

The client module (``momentoClient.ts``, the file `new` renders for TypeScript projects) ends
by awaiting its INIT work at the top level, which only an ES module can do: esbuild refuses it
for CommonJS output ("Top-level await is currently not supported with the "cjs" output format"),
and tsc for ``module: commonjs``. So a function known to be bundled as an ES module (esbuild's
``Format: esm`` / serverless-esbuild's ``format: esm``) gets the module as `new` writes it, and
every other TypeScript function (esbuild's default CommonJS, tsc through
serverless-plugin-typescript, webpack, a Makefile) gets its CommonJS form: the same text with
``void`` in place of that one ``await``, so INIT starts the work and the first request awaits
it. An ES module bundle must give ``require`` to @gomomento/sdk's CommonJS dependencies (the
createRequire banner; else loading fails with 'Dynamic require of "process" is not
supported'); one without it is refused with the banner to add.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from momento_lambda_cli.errors import MomentoLambdaError
from momento_lambda_cli.project import SAM
from momento_lambda_cli.project.model import Function, Project
from momento_lambda_cli.retrofit.shapes import mapping as _mapping
from momento_lambda_cli.retrofit.shapes import refuse

SUFFIXES = (".ts", ".mts", ".cts")
SECRETS_PACKAGE = "@aws-sdk/client-secrets-manager"
BANNER = "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);"
SLS_BUNDLERS = ("serverless-esbuild",)


def is_typescript(handler: Path) -> bool:
    return handler.suffix.lower() in SUFFIXES


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value] if isinstance(value, list) else []


def _refuse(message: str, hint: str) -> MomentoLambdaError:
    return refuse(message, hint, "add.typescript")


def sam_build_properties(project: Project, function: Function) -> dict[str, Any]:
    resource = _mapping(_mapping(project.document.get("Resources")).get(function.key))
    return _mapping(_mapping(resource.get("Metadata")).get("BuildProperties"))


def _sls_esbuild(project: Project) -> dict[str, Any]:
    return _mapping(_mapping(project.document.get("custom")).get("esbuild"))


def _sls_plugins(project: Project) -> list[str]:
    plugins = project.document.get("plugins")
    return _strings(plugins.get("modules") if isinstance(plugins, dict) else plugins)


def bundles_esm(project: Project, function: Function) -> bool:
    """Whether esbuild bundles the function as an ES module (SAM ``BuildMethod: esbuild`` with
    ``Format: esm``; serverless-esbuild with ``format: esm``). Raises (code ``add.typescript``)
    when such a bundle lacks the createRequire banner @gomomento/sdk needs."""
    if project.framework == SAM:
        props = sam_build_properties(project, function)
        esm = (function.build_method or "").lower() == "esbuild" and str(props.get("Format", "")).lower() == "esm"
        banner = " ".join(_strings(props.get("Banner")))
        where, missing = f"Resources.{function.key}.Metadata.BuildProperties", ["Banner:", f'  - "js={BANNER}"']
    else:
        options = _sls_esbuild(project)
        esm = any(p in SLS_BUNDLERS for p in _sls_plugins(project)) and str(options.get("format", "")).lower() == "esm"
        banner = str(_mapping(options.get("banner")).get("js", ""))
        where, missing = "custom.esbuild", ["banner:", f'  js: "{BANNER}"']
    if esm and "createRequire" not in banner:
        raise _refuse(
            f"{function.key} is bundled as an ES module without `require`, which @gomomento/sdk's CommonJS "
            'dependencies need (the bundle would fail to load with \'Dynamic require of "process" is not '
            "supported').",
            f"Set under {where}:\n    " + "\n    ".join(missing) + "\nthen run `add` again.",
        )
    return esm


SLS_TYPESCRIPT_BUILDERS = (*SLS_BUNDLERS, "serverless-plugin-typescript", "serverless-webpack", "serverless-bundle")
"""Serverless plugins that compile TypeScript handlers."""


def build_note(project: Project, function: Function) -> str | None:
    """A note when nothing visible compiles the function's TypeScript (no esbuild or Makefile
    build in SAM, no TypeScript plugin in Serverless): the module is written anyway, in the form
    every compiler takes, and the user's build must compile it with the handler."""
    if project.framework == SAM:
        method = (function.build_method or "").lower()
        if method in ("esbuild", "makefile"):
            return None
        how = f"Metadata.BuildMethod is {function.build_method or 'not set'}"
    else:
        plugins = _sls_plugins(project)
        if any(p in SLS_TYPESCRIPT_BUILDERS for p in plugins) or project.document.get("build") is not None:
            return None
        how = f"plugins: {', '.join(plugins) or 'none'}"
    return (
        f"{function.key} is TypeScript that nothing in {project.config_path.name} compiles ({how}): "
        "make sure your build compiles momentoClient.ts with the handler (e.g. `BuildMethod: esbuild`)"
    )


TOP_LEVEL_AWAIT = "await prepareMomentoClient();"
"""The module's one top-level await (its last statement: INIT-time client creation)."""


def module_text(text: str, esm: bool) -> str:
    """The client module for the bundle: as `new` writes it for an ES module, else its CommonJS
    form (``void`` in place of the top-level ``await``)."""
    if esm:
        return text
    if text.count(TOP_LEVEL_AWAIT) != 1:  # pragma: no cover - guarded by a test on the template
        raise MomentoLambdaError(
            "The TypeScript client module in the template has no single top-level await.",
            "Reinstall momento-lambda.",
            code="templates.missing",
        )
    return text.replace(TOP_LEVEL_AWAIT, "void prepareMomentoClient();")


def secrets_external(project: Project, function: Function) -> bool:
    """Whether the bundle leaves the AWS SDK to the Lambda runtime (then the secrets client is
    a development dependency, for the type checker only; else esbuild bundles it and the build's
    production install needs it in ``dependencies``)."""
    if project.framework == SAM:
        external = _strings(sam_build_properties(project, function).get("External"))
    else:
        options = _sls_esbuild(project)
        external = _strings(options.get("external")) + _strings(options.get("exclude"))
    return any(e in (SECRETS_PACKAGE, "@aws-sdk/*", "*") for e in external)


_RELATIVE_IMPORT = re.compile(r"""(?:from|import)\s*\(?\s*['"](\.\.?/[^'"]+)['"]""")


def _tsconfig(folder: Path, root: Path) -> dict[str, Any]:
    for directory in [folder, *folder.parents]:
        path = directory / "tsconfig.json"
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            text = re.sub(r'("(?:\\.|[^"\\])*")|//[^\n]*|/\*.*?\*/', lambda m: m.group(1) or "", text, flags=re.S)
            text = re.sub(r",(\s*[}\]])", r"\1", text)
            try:
                return _mapping(_mapping(json.loads(text)).get("compilerOptions"))
            except ValueError:
                return {}
        if directory == root or not directory.is_relative_to(root):
            break
    return {}


def import_suffix(handler: Path, root: Path) -> str:
    """The extension ``handler`` writes on a relative import of a TypeScript module: as its own
    relative imports are written (``./x.js``, ``./x.ts``, ``./x``), else as its tsconfig resolves
    (NodeNext / Node16 need ``.js``; bundler resolution takes the bare path)."""
    try:
        source = handler.read_text(encoding="utf-8", errors="replace")
    except OSError:
        source = ""
    for specifier in _RELATIVE_IMPORT.findall(source):
        suffix = Path(specifier).suffix
        if suffix in (".js", ".mjs", ".ts", ".mts"):
            return ".js" if suffix in (".js", ".mjs") else ".ts"
        if not suffix:
            return ""
    options = _tsconfig(handler.parent, root)
    resolution = str(options.get("moduleResolution") or options.get("module") or "").lower()
    if resolution in ("node16", "nodenext"):
        return ".js"
    if options.get("allowImportingTsExtensions") is True:
        return ".ts"
    return ""


def import_line(module_path: str, handler: Path, root: Path) -> str:
    """The import of the module at ``module_path`` (relative, ``./momentoClient.ts``) from ``handler``."""
    base = module_path.removesuffix(".ts")
    return f"import {{ cacheName, callMomento }} from '{base}{import_suffix(handler, root)}';"


def usage(import_statement: str) -> list[str]:
    return [
        f"{import_statement}  // at the top of the handler module",
        "// in the handler: the client is created once per execution environment, then reused",
        "const response = await callMomento((client) => client.get(cacheName(), key));",
    ]
