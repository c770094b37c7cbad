"""TypeScript functions for `add`: which form of the client module the function's bundle takes,
the package that reads the secret, and the import path a handler writes.

The client module (``momentoClient.ts``, the file `new` renders for TypeScript projects) ends
by awaiting its INIT work at the top level, which only an ES module can do, and only for a
target that has top-level await: esbuild refuses it for CommonJS output ("Top-level await is
currently not supported with the "cjs" output format") and for older targets such as the SAM
CLI's default es2020, and tsc for ``module: commonjs``. So a function known to be bundled by
esbuild as an ES module (``Format: esm`` / serverless-esbuild's ``format: esm``) for such a
target gets the module as `new` writes it, and every other TypeScript function (esbuild's
default CommonJS, tsc through serverless-plugin-typescript, webpack, a Makefile) gets its
CommonJS form: the same text with ``void`` in place of that one ``await``, so INIT starts the
work and the first request awaits it. An ES module bundle must give ``require`` to
@gomomento/sdk's CommonJS dependencies (else loading fails with 'Dynamic require of "process"
is not supported'): `add` writes the createRequire banner where the bundle has none, and
refuses a bundle whose banner holds something else.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from momento_lambda_cli.errors import MomentoLambdaError
from momento_lambda_cli.project import esbuild
from momento_lambda_cli.project.handlers import TYPESCRIPT_SUFFIXES
from momento_lambda_cli.project.model import Function, Project
from momento_lambda_cli.project.parse import MAX_FILE_BYTES, read_head
from momento_lambda_cli.retrofit.shapes import mapping as _mapping
from momento_lambda_cli.retrofit.shapes import refuse

SECRETS_PACKAGE = "@aws-sdk/client-secrets-manager"


def is_typescript(handler: Path) -> bool:
    return handler.suffix.lower() in TYPESCRIPT_SUFFIXES


_ES_YEAR = re.compile(r"es(\d{4})")
_NODE = re.compile(r"node(\d+)(?:\.(\d+))?")


def has_top_level_await(target: str) -> bool:
    """Whether esbuild allows top-level await for ``target`` (``es2022``, ``node20``, a comma
    list: every entry must): ES2022 and later, ``esnext``, Node.js 14.8 and later."""
    entries = [e.strip().lower() for e in target.split(",") if e.strip()]
    if not entries:
        return False
    for entry in entries:
        year, node = _ES_YEAR.fullmatch(entry), _NODE.fullmatch(entry)
        if entry == "esnext" or (year and int(year.group(1)) >= 2022):
            continue
        if node and (int(node.group(1)), int(node.group(2) or 0)) >= (14, 8):
            continue
        return False
    return True


def missing_banner(function: Function, bundle: esbuild.Bundle | None) -> esbuild.Bundle | None:
    """``bundle`` (the function's, :func:`esbuild.bundle`) when it is an ES module without
    ``require`` (the banner `add` writes); ``None`` when it needs none. Raises (code
    ``add.esm-banner``) when the bundle has a banner that does not define ``require`` (two
    banners cannot be merged safely)."""
    if bundle is None or not bundle.esm or bundle.defines_require:
        return None
    if bundle.banner_set:
        raise refuse(
            f"{function.key} is bundled as an ES module with a banner that does not define `require`, which "
            "@gomomento/sdk's CommonJS dependencies need (the bundle would fail to load with 'Dynamic require "
            'of "process" is not supported\').',
            f"Add to the banner at {bundle.where}: {esbuild.BANNER}\nthen run the command again.",
            "add.esm-banner",
        )
    return bundle


def module_has_top_level_await(bundle: esbuild.Bundle | None) -> bool:
    """Whether a function bundled so (:func:`esbuild.bundle`) takes the module as `new` writes
    it: esbuild bundles it as an ES module for a target with top-level await (else it gets the
    CommonJS form)."""
    return bundle is not None and bundle.esm and has_top_level_await(bundle.target)


def build_note(project: Project, function: Function) -> str | None:
    """A note when nothing visible compiles the function's TypeScript (no esbuild or Makefile
    build in SAM; no TypeScript plugin and no sign of Serverless v4, which compiles TypeScript
    itself): the module is written anyway, in the form every compiler takes, and the user's
    build must compile it with the handler."""
    from momento_lambda_cli import frameworks

    return frameworks.adapter_for(project).typescript_build_note(project, function)


MIN_TYPESCRIPT = (4, 9)
"""The oldest TypeScript that compiles momentoClient.ts (``in`` narrowing to unlisted properties)
and reads @gomomento/sdk's declarations (``import { type X }`` needs 4.5)."""
_VERSION = re.compile(r"(\d+)(?:\.(\d+|x|\*))?")


def newest_in_range(spec: str) -> tuple[int, int] | None:
    """The (major, minor) a fresh install of the npm range ``spec`` can reach at most, as far as
    it bounds it: ``^3.9.7`` / ``3.x`` -> (3, 999); ``~4.1.0`` / ``4.1.2`` -> (4, 1); ``None``
    for a range with no upper bound written (``>=4``, ``*``, ``latest``, a tag or a URL)."""
    text = spec.strip()
    if not text or any(s in text for s in (">", "*", "||", ":", "/")) or text in ("latest", "next"):
        return None
    caret = text.startswith("^")
    match = _VERSION.match(text.lstrip("^~=v "))
    if match is None:
        return None
    major = int(match.group(1))
    minor = match.group(2)
    if caret or minor is None or not minor.isdigit():
        return (major, 999)
    return (major, int(minor))


def require_typescript(project: Project, package_folder: Path) -> None:
    """Raise (code ``add.typescript-version``) when the TypeScript that compiles the function is
    older than :data:`MIN_TYPESCRIPT`: the one installed under ``node_modules``, else the newest
    its package.json range allows."""
    for folder in [package_folder, *package_folder.parents]:
        installed = esbuild.package_json(folder / "node_modules" / "typescript", project.root).get("version")
        if isinstance(installed, str) and (match := _VERSION.match(installed)) and match.group(2):
            found, where = (int(match.group(1)), int(match.group(2))), f"installed TypeScript {installed}"
            break
        manifest = esbuild.package_json(folder, project.root)
        spec = {**_mapping(manifest.get("dependencies")), **_mapping(manifest.get("devDependencies"))}.get("typescript")
        if isinstance(spec, str) and (reach := newest_in_range(spec)) is not None:
            found, where = reach, f'package.json "typescript": "{spec}"'
            break
        if folder == project.root or not folder.is_relative_to(project.root):
            return
    else:  # pragma: no cover - the loop stops at the project root
        return
    if found < MIN_TYPESCRIPT:
        raise refuse(
            f"The project compiles with TypeScript older than {MIN_TYPESCRIPT[0]}.{MIN_TYPESCRIPT[1]} ({where}): "
            "momentoClient.ts and @gomomento/sdk's type declarations need a newer one.",
            "Upgrade it (npm install -D typescript@5), then run `add` again.",
            "add.typescript-version",
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
    return any(e in (SECRETS_PACKAGE, "@aws-sdk/*", "*") for e in esbuild.external(project, function))


_RELATIVE_IMPORT = re.compile(r"""(?:from|import)\s*\(?\s*['"](\.\.?/[^'"]+)['"]""")


def _tsconfig(folder: Path, root: Path) -> dict[str, Any]:
    for directory in [folder, *folder.parents]:
        path = directory / "tsconfig.json"
        if path.is_file():
            text = (read_head(path, MAX_FILE_BYTES, root) or b"").decode("utf-8", "replace")
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
    source = (read_head(handler, MAX_FILE_BYTES, root) or b"").decode("utf-8", "replace")
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
