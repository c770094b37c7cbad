"""TypeScript functions for `add`: the bundle settings the TypeScript client module needs, the
package that reads the secret, and the import path a handler writes.

The client module (``momentoClient.ts``, the file `new` renders for TypeScript projects) awaits
its INIT work at the top level, so the function must be bundled as an ES module: esbuild
refuses top-level await with CommonJS output ("Top-level await is currently not supported with
the "cjs" output format"). The bundle must be a ``.mjs`` file (the build output holds no
package.json saying ``"type": "module"``) and give ``require`` to @gomomento/sdk's CommonJS
dependencies (else loading it fails with 'Dynamic require of "process" is not supported').
A function bundled otherwise is refused with the exact settings to write: switching a user's
bundle from CommonJS to ES modules changes how all of its code loads, which `add` does not
decide for them.
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


def require_esm_bundle(project: Project, function: Function) -> None:
    """Raise (code ``add.typescript``) unless the function is bundled by esbuild as an ES module
    ``.mjs`` with ``require`` available; the hint lists exactly the settings that are missing."""
    if project.framework == SAM:
        if (function.build_method or "").lower() != "esbuild":
            raise _refuse(
                f"{function.key} is written in TypeScript but not built with esbuild "
                f"(Metadata.BuildMethod is {function.build_method or 'not set'}).",
                "Build it with `BuildMethod: esbuild` and `BuildProperties` (EntryPoints, Format: esm, "
                "OutExtension: [.js=.mjs], the createRequire Banner), then run `add` again.",
            )
        props = sam_build_properties(project, function)
        missing = []
        if str(props.get("Format", "cjs")).lower() != "esm":
            missing.append("Format: esm")
        if not any(re.fullmatch(r"\s*\.js\s*=\s*\.mjs\s*", s) for s in _strings(props.get("OutExtension"))):
            missing += ["OutExtension:", "  - .js=.mjs"]
        if not any("createRequire" in s for s in _strings(props.get("Banner"))):
            missing += ["Banner:", f'  - "js={BANNER}"']
        where = f"Resources.{function.key}.Metadata.BuildProperties"
    else:
        plugins = _sls_plugins(project)
        if not any(p in SLS_BUNDLERS for p in plugins):
            raise _refuse(
                f"{function.key} is written in TypeScript and {project.config_path.name} bundles it "
                f"without serverless-esbuild (plugins: {', '.join(plugins) or 'none'}).",
                "Bundle it with serverless-esbuild as an ES module (custom.esbuild: format: esm, "
                "outputFileExtension: .mjs, banner.js with createRequire), then run `add` again.",
            )
        options = _sls_esbuild(project)
        missing = []
        if str(options.get("format", "cjs")).lower() != "esm":
            missing.append("format: esm")
        if str(options.get("outputFileExtension", ".js")) != ".mjs":
            missing.append("outputFileExtension: .mjs")
        if "createRequire" not in str(_mapping(options.get("banner")).get("js", "")):
            missing += ["banner:", f'  js: "{BANNER}"']
        where = "custom.esbuild"
    if missing:
        module_format = "CommonJS" if any(m.lower().startswith("format") for m in missing) else "an ES module"
        raise _refuse(
            f"{function.key} is bundled as {module_format} without all of what the TypeScript Momento client "
            "needs: it awaits at the top level (esbuild refuses that for CommonJS output), the bundle must be "
            "a .mjs file, and @gomomento/sdk's CommonJS dependencies need require().",
            f"Set under {where}:\n    " + "\n    ".join(missing) + "\n"
            "  (and `module` ES2022 / ESNext / NodeNext in tsconfig.json), then run `add` again.",
        )


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
