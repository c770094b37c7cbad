#!/usr/bin/env python3
"""Generate the project template's JavaScript (``.mjs``) files from their TypeScript sources.

The TypeScript files are THE source of the Node.js code `new` renders:

    src/momentoClient.ts      -> src/momentoClient.mjs
    src/handler.ts            -> src/handler.mjs      (one handler per pattern: src/rateLimit.ts ...)
    tests/*.ts                -> tests/*.mjs          (fakes.ts, the client's tests, each handler's)

Types are stripped with ts-blank-space (installed into ``.tools/node`` by
scripts/install-tools.sh), which replaces every type annotation with blanks and leaves the rest
of the text as it is (comments, blank lines, layout); this script then removes the blanks it
left (annotation gaps, lines that held only types) and points relative ``.ts`` imports at the
``.mjs`` files. The sources use erasable TypeScript only (``erasableSyntaxOnly``): no enums,
namespaces or parameter properties. These files are copied without cookiecutter rendering
(``_copy_without_render``), so no Jinja syntax is involved.

    scripts/gen_node_client.py            # rewrite the .mjs files
    scripts/gen_node_client.py --check    # exit 1 (with a diff) if a committed .mjs is stale

Exit status 3: ts-blank-space is not installed (run scripts/install-tools.sh).
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
PROJECT = REPO_ROOT / "project_templates" / "momento-lambda" / "{{cookiecutter.project_name}}"
SOURCES = (
    "src/momentoClient.ts",
    "src/handler.ts",
    "src/rateLimit.ts",
    "src/idempotentConsumer.ts",
    "src/publisher.ts",
    "src/webhook.ts",
    "src/writeThrough.ts",
    "src/writeThroughStream.ts",
    "tests/fakes.ts",
    "tests/momentoClient.test.ts",
    "tests/handler.test.ts",
    "tests/rateLimit.test.ts",
    "tests/idempotentConsumer.test.ts",
    "tests/publisher.test.ts",
    "tests/webhook.test.ts",
    "tests/writeThrough.test.ts",
)
"""The TypeScript sources, relative to the project template; each has a generated ``.mjs`` twin."""
MISSING_TOOL = 3

_RELATIVE_TS = re.compile(r"""(['"])(\.{1,2}/[^'"\s]*?)\.ts\1""")
_CLOSERS = set(";,)]}")
_COMMENT_STARTS = ("//", "/*", "*")


def tools_dir() -> Path:
    return Path(os.environ.get("MOMENTO_LAMBDA_TOOLS", REPO_ROOT / ".tools"))


def blank_space_module() -> Path | None:
    module = tools_dir() / "node" / "node_modules" / "ts-blank-space"
    return module if (module / "package.json").is_file() else None


def target_of(source: str) -> str:
    return source[: -len(".ts")] + ".mjs"


_STRIP = """
const { default: blankSpace } = await import(process.argv[1]);
const sources = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
const out = {};
for (const [name, text] of Object.entries(sources)) {
  const errors = [];
  out[name] = blankSpace(text, (node) => errors.push(node.getText()));
  if (errors.length) {
    process.stderr.write(`${name}: TypeScript that cannot be erased: ${errors.join(' | ')}\\n`);
    process.exit(2);
  }
}
process.stdout.write(JSON.stringify(out));
"""


def blank(sources: dict[str, str], module: Path) -> dict[str, str]:
    """ts-blank-space over every source (one node process): types replaced by spaces."""
    node = shutil.which("node")
    if node is None:
        raise SystemExit("node is not on PATH")
    entry = json.loads((module / "package.json").read_text())
    main = module / str(entry.get("main") or "out/index.js")
    result = subprocess.run(
        [node, "--input-type=commonjs", "-e", f"(async () => {{ {_STRIP} }})()", main.as_uri()],
        input=json.dumps(sources),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(result.stderr.strip() or f"node exited with {result.returncode}")
    blanked: dict[str, str] = json.loads(result.stdout)
    return blanked


def tidy(source: str, blanked: str) -> str:
    """Remove what stripping left behind: the blanked annotations inside a line (with the
    space before them when nothing but a closing bracket or ``;`` follows) and the lines that
    held only types; collapse the blank lines that leaves; ``./x.ts`` imports -> ``./x.mjs``."""
    source_lines = source.split("\n")
    blanked_lines = blanked.split("\n")
    if len(source_lines) != len(blanked_lines):
        raise SystemExit("ts-blank-space changed the number of lines")
    out: list[str] = []
    for original, stripped in zip(source_lines, blanked_lines, strict=True):
        if original.strip() and not stripped.strip():
            # a line of types only (interface, type alias, type import), and its doc comment
            while out and out[-1].lstrip().startswith(_COMMENT_STARTS):
                out.pop()
            continue
        out.append(_close_gaps(original, stripped))
    text = "\n".join(out)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return _RELATIVE_TS.sub(lambda m: f"{m.group(1)}{m.group(2)}.mjs{m.group(1)}", text)


def _close_gaps(original: str, stripped: str) -> str:
    """Drop the characters ts-blank-space blanked in one line (and the spaces between two
    blanked runs), so ``let a: T | null = null`` reads ``let a = null``."""
    if len(original) != len(stripped):
        raise SystemExit(f"ts-blank-space changed the length of a line: {original!r}")
    erased = [o != s for o, s in zip(original, stripped, strict=True)]
    # spaces between two erased runs are part of the annotation (`: A | B`)
    index = 0
    while index < len(erased):
        if not erased[index] and original[index] == " ":
            end = index
            while end < len(erased) and not erased[end] and original[end] == " ":
                end += 1
            if index > 0 and erased[index - 1] and end < len(erased) and erased[end]:
                for position in range(index, end):
                    erased[position] = True
            index = end
        else:
            index += 1
    kept: list[str] = []
    index = 0
    while index < len(stripped):
        if not erased[index]:
            kept.append(stripped[index])
            index += 1
            continue
        end = index
        while end < len(erased) and erased[end]:
            end += 1
        following = stripped[end] if end < len(stripped) else ""
        if following == "" or following in _CLOSERS or (following == " " and kept[-1:] == [" "]):
            while kept[-1:] == [" "]:
                kept.pop()
        index = end
    return "".join(kept).rstrip()


def generate(root: Path = PROJECT) -> dict[str, str]:
    """``{relative .mjs path: text}`` for every TypeScript source of the template."""
    module = blank_space_module()
    if module is None:
        print(
            f"ts-blank-space is not installed in {tools_dir() / 'node'}: run scripts/install-tools.sh", file=sys.stderr
        )
        raise SystemExit(MISSING_TOOL)
    sources = {name: (root / name).read_text() for name in SOURCES}
    blanked = blank(sources, module)
    return {target_of(name): tidy(sources[name], blanked[name]) for name in SOURCES}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="fail if a committed .mjs differs from the generated one")
    parser.add_argument("--root", type=Path, default=PROJECT, help="the project template folder")
    args = parser.parse_args(argv)
    generated = generate(args.root)
    stale = 0
    for name, text in generated.items():
        path = args.root / name
        current = path.read_text() if path.is_file() else ""
        if current == text:
            continue
        if args.check:
            stale += 1
            sys.stdout.writelines(
                difflib.unified_diff(
                    current.splitlines(keepends=True), text.splitlines(keepends=True), f"{name} (committed)", name
                )
            )
        else:
            path.write_text(text)
            print(f"wrote {name}")
    if stale:
        print(f"{stale} generated file(s) are stale: run scripts/gen_node_client.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
