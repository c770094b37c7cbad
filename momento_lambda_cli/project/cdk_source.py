"""The Lambda functions of an AWS CDK app, read from its stack SOURCE code without running it.

A CDK app is a program, and the folder is untrusted: nothing here runs it. ``cdk.json``'s ``app``
names the entry file (``npx tsx bin/app.ts``, ``python3 app.py``); the stack files are the entry
and the files it imports inside the app folder (relative TypeScript imports, Python modules),
read with bounded sizes and counts: TypeScript with tree-sitter, Python with ``ast``.

A function construct is *recognised* (its stack can be edited byte-minimally) when it is
``new lambda.Function(this, 'Id', {...})`` / ``new NodejsFunction(this, ...)`` / ``new
PythonFunction(this, ...)`` (Python: ``lambda_.Function(self, "Id", ...)``...) written as its own
statement in the stack's constructor (assigned to a variable / ``this.x``, or not assigned at
all), with its props as an object literal (Python: keyword arguments). Anything else (built in
a loop or a helper, props from a variable, a scope other than ``this``) is still listed, with
``problem`` saying why `add` prints the lines to add instead of editing.

Offsets are byte offsets into the file's UTF-8 bytes (tree-sitter's and ``ast``'s columns alike).
"""

from __future__ import annotations

import ast
import json
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from momento_lambda_cli.errors import MomentoLambdaError
from momento_lambda_cli.project.files import read_bytes

MAX_STACK_BYTES = 1_000_000
"""The largest stack file read."""
MAX_STACK_FILES = 60
"""How many source files of the app are read at most (the entry and what it imports)."""
MAX_NODES = 400_000
"""Syntax nodes walked per file at most (a bigger file is left unread)."""
SKIP_DIRS = frozenset({"node_modules", "cdk.out", ".venv", "venv", ".git", "dist", "build", "__pycache__"})

LAMBDA_MODULES = ("aws-lambda", "aws_lambda")
NODEJS_MODULES = ("aws-lambda-nodejs", "aws_lambda_nodejs")
PYTHON_FN_MODULES = ("aws-lambda-python-alpha", "aws_lambda_python_alpha", "aws-lambda-python", "aws_lambda_python")
SECRETS_MODULES = ("aws-secretsmanager", "aws_secretsmanager")
KINDS = {"Function": LAMBDA_MODULES, "NodejsFunction": NODEJS_MODULES, "PythonFunction": PYTHON_FN_MODULES}
"""The function constructs `add` reads, each with the modules it may be imported from."""

TYPESCRIPT = "typescript"
PYTHON = "python"


@dataclass(frozen=True)
class Container:
    """An object literal / dict / call's argument list: where entries can be inserted."""

    open_end: int
    """Just after ``{`` / ``(``."""
    close: int
    """At ``}`` / ``)``."""
    last_end: int | None
    """The end of the last entry (``None``: empty)."""
    trailing_comma: bool
    multiline: bool
    item_indent: str | None
    """The indentation of the entries' lines (``None``: not one entry per line)."""
    close_indent: str
    """The indentation of the closing brace's line."""


@dataclass
class CdkFunction:
    key: str
    construct_id: str
    kind: str
    """``Function`` / ``NodejsFunction`` / ``PythonFunction``."""
    stack_file: Path
    line: int
    """1-based line of the construct."""
    source_language: str
    """The stack's language: ``typescript`` / ``python``."""
    language: str | None = None
    """The function's: ``python`` / ``node`` (``None``: unknown)."""
    runtime: str | None = None
    """``python3.12`` / ``nodejs20.x`` when written as ``Runtime.X``."""
    code_dir: Path | None = None
    handler_file: Path | None = None
    variable: str | None = None
    """The expression naming the construct (``fn``, ``this.fn``, ``self.fn``)."""
    problem: str | None = None
    """Why the stack cannot be edited (``None``: recognised)."""
    bundled: bool = False
    """The construct installs / bundles the dependencies (NodejsFunction, PythonFunction, Code bundling)."""
    esm: bool = False
    """NodejsFunction bundling ``format: OutputFormat.ESM``."""
    props_text: str = ""
    statement_start: int = 0
    statement_indent: str = ""
    statement_line_end: int = 0
    """Just after the newline ending the statement's last line."""
    assign_at: int | None = None
    """Where ``const NAME = `` goes for a construct not assigned to anything."""
    props: Container | None = None
    env: Container | None = None
    env_keys: frozenset[str] = frozenset()
    other_runtime: str | None = None
    """A runtime that is neither Python nor Node.js (``GO_1_X``, ``FROM_IMAGE``, an image asset)."""
    quote: str = '"'
    """Python: the quote the environment's keys are written with."""
    env_unreadable: bool = False
    """``environment`` is there but not a literal (a variable, a spread)."""
    block: tuple[int, int] = (0, 0)
    """The constructor holding the statement, as byte offsets (one secret lookup per constructor)."""
    enclosing_class: tuple[int, int] = (0, 0)


@dataclass
class StackFile:
    path: Path
    language: str
    data: bytes
    eol: str
    secrets_alias: str | None
    """The name the file imports Secrets Manager's module as (``None``: not imported)."""
    import_end: int
    """Just after the newline ending the last top-level import (0: none)."""
    commonjs: bool = False
    """A JavaScript stack that loads modules with ``require``."""
    functions: list[CdkFunction] = field(default_factory=list)


@dataclass
class CdkApp:
    root: Path
    app: str | None
    entry: Path | None
    language: str | None
    stacks: list[StackFile]
    problem: str | None = None
    """Why no stack was read (the entry is not found, not TypeScript / Python...)."""

    @property
    def functions(self) -> list[CdkFunction]:
        return [f for s in self.stacks for f in s.functions]


# --- the app and its files ------------------------------------------------------------------


def app_command(root: Path) -> str | None:
    data = read_bytes(root / "cdk.json", root, 256_000)
    if data is None:
        return None
    try:
        document = json.loads(data.decode("utf-8", "replace").removeprefix("\ufeff"))
    except (ValueError, RecursionError):
        return None
    app = document.get("app") if isinstance(document, dict) else None
    return app if isinstance(app, str) else None


def entry_file(root: Path, app: str) -> Path | None:
    """The source file the app command runs (``.ts`` for a ``.js`` that is built from one)."""
    try:
        words = shlex.split(app)
    except ValueError:
        words = app.split()
    for word in words:
        path = Path(word.split("=", 1)[-1])
        if path.suffix not in (".ts", ".mts", ".js", ".mjs", ".py"):
            if words[0] in ("node", "ts-node", "tsx") and word != words[0] and not word.startswith("-"):
                for suffix in (".ts", ".js"):  # `node index`: index.js, built from index.ts
                    candidate = root / (word + suffix)
                    if _inside(candidate, root) and candidate.is_file():
                        return candidate
            continue
        candidates = [root / path]
        if path.suffix in (".js", ".mjs"):
            stem = path.with_suffix("")
            parts = stem.parts
            candidates = [root / stem.with_suffix(".ts"), *candidates]
            if parts and parts[0] in ("dist", "build", "lib", "out", "cdk.out"):
                candidates.append(root / Path(*parts[1:]).with_suffix(".ts"))
        for candidate in candidates:
            if _inside(candidate, root) and candidate.is_file():
                return candidate
    return None


def _inside(path: Path, root: Path) -> bool:
    try:
        return path.resolve().is_relative_to(root.resolve())
    except (OSError, RuntimeError):
        return False


def read_app(root: Path) -> CdkApp:
    """The app's stack files and their function constructs (never raises on a file's content)."""
    app = app_command(root)
    if app is None:
        return CdkApp(root, None, None, None, [], 'cdk.json has no "app" command')
    entry = entry_file(root, app)
    if entry is None:
        return CdkApp(
            root, app, None, None, [], f"the app command ({app}) names no TypeScript or Python file of the app"
        )
    language = PYTHON if entry.suffix == ".py" else TYPESCRIPT
    stacks: list[StackFile] = []
    queue: list[Path] = [entry]
    seen: set[Path] = set()
    while queue and len(seen) < MAX_STACK_FILES:
        path = queue.pop(0)
        key = path.resolve()
        if key in seen:
            continue
        seen.add(key)
        try:
            data = read_bytes(path, root, MAX_STACK_BYTES)
            if data is None:
                continue
            data.decode("utf-8")
        except (MomentoLambdaError, UnicodeDecodeError):
            continue  # too large, not a regular file, outside the app, not UTF-8: not read
        try:
            if language == PYTHON:
                stack, imports = _read_python(root, path, data)
            else:
                stack, imports = _read_typescript(root, path, data)
        except (SyntaxError, ValueError, RecursionError, MemoryError, UnicodeDecodeError):
            continue
        if stack.functions:
            stacks.append(stack)
        queue.extend(p for p in imports if p.resolve() not in seen)
    _name(stacks)
    return CdkApp(root, app, entry, language, stacks)


def _id_of(expression: str, path: Path, line: int) -> str:
    """A construct id written as an expression (`Loop${name}`, an f-string): its text, kept stable
    across edits (a line number would move); ``file:lineN`` when there is none."""
    text = re.sub(r"^f(?=[\"'])", "", expression.strip())
    text = re.sub(r"[^A-Za-z0-9_]+", "-", text).strip("-")[:80]
    return text or f"{path.stem}:line{line}"


def _name(stacks: list[StackFile]) -> None:
    """Each function's key: its construct id, or ``file:id`` when two share an id."""
    counts: dict[str, int] = {}
    for function in (f for s in stacks for f in s.functions):
        counts[function.construct_id] = counts.get(function.construct_id, 0) + 1
    for stack in stacks:
        for function in stack.functions:
            key = function.construct_id
            if counts[key] > 1:
                key = f"{stack.path.stem}:{key}:{function.line}"
            function.key = re.sub(r"[^A-Za-z0-9_.:/+-]+", "-", key)[:200] or f"line{function.line}"


def _eol(data: bytes) -> str:
    return "\r\n" if b"\r\n" in data else "\n"


def _line_start(data: bytes, offset: int) -> int:
    return data.rfind(b"\n", 0, offset) + 1


def _line_end(data: bytes, offset: int) -> int:
    """Just after the newline ending the line holding ``offset`` (the end of the data without one)."""
    found = data.find(b"\n", offset)
    return len(data) if found < 0 else found + 1


def _indent_at(data: bytes, offset: int) -> str | None:
    """The whitespace from the line's start to ``offset``; ``None`` when something else comes first."""
    before = data[_line_start(data, offset) : offset].decode("utf-8", "replace")
    return before if not before.strip() else None


def _other_runtime(text: str) -> str | None:
    match = re.search(r"Runtime\.([A-Z][A-Z0-9_]*)\b", text)
    if match and not match.group(1).startswith(("PYTHON", "NODEJS")):
        return match.group(1)
    return None


def _lambda_runtime(text: str) -> str | None:
    match = re.search(r"Runtime\.(PYTHON|NODEJS)_(\d+)_(\d+|X|LATEST)\b", text)
    if match:
        kind, major, minor = match.groups()
        return f"python{major}.{minor}" if kind == "PYTHON" else f"nodejs{major}.x"
    match = re.search(r"Runtime\.(PYTHON|NODEJS)_LATEST\b", text)
    return None if match is None else ("python" if match.group(1) == "PYTHON" else "nodejs")


def _container(data: bytes, open_end: int, close: int, items: list[tuple[int, int]]) -> Container:
    last_end = items[-1][1] if items else None
    tail = data[last_end:close] if last_end is not None else b""
    tail_code = re.sub(rb"//[^\n]*|#[^\n]*|/\*.*?\*/", b"", tail, flags=re.S)
    multiline = b"\n" in data[open_end:close]
    # the last entry's indentation when it starts its line (`f(\n    self, "Id",\n    a=1,\n)`)
    item_indent = _indent_at(data, items[-1][0]) if items else None
    close_indent = _indent_at(data, close)
    if items and item_indent is None:
        multiline = False  # entries not one per line (`f(self, "Id",\n    a=1)`): insert inline after the last
    return Container(
        open_end, close, last_end, b"," in tail_code, multiline, item_indent, close_indent if close_indent else ""
    )


# --- TypeScript -------------------------------------------------------------------------------


def _ts_parser() -> Any:
    import tree_sitter
    import tree_sitter_typescript

    return tree_sitter.Parser(tree_sitter.Language(tree_sitter_typescript.language_typescript()))


def _text(data: bytes, node: Any) -> str:
    return data[node.start_byte : node.end_byte].decode("utf-8", "replace")


def _string_value(data: bytes, node: Any) -> str | None:
    if node is not None and node.type == "string":
        return _text(data, node)[1:-1]
    return None


def _ts_path(data: bytes, node: Any, stack_dir: Path, root: Path) -> Path | None:
    """A path expression: a string (relative to the app folder, where cdk runs) or
    ``path.join/resolve(__dirname, 'a', ...)``."""
    if node is None:
        return None
    literal = _string_value(data, node)
    if literal is not None:
        return (root / literal).resolve()
    if node.type == "call_expression":
        callee = _text(data, node.child_by_field_name("function"))
        args = [c for c in node.child_by_field_name("arguments").named_children if c.type != "comment"]
        if callee in ("path.join", "path.resolve", "join", "resolve") and args:
            parts: list[str] = []
            base = root
            for index, arg in enumerate(args):
                value = _string_value(data, arg)
                if index == 0 and _text(data, arg) in ("__dirname", "PROJECT_ROOT"):
                    base = stack_dir if _text(data, arg) == "__dirname" else base
                    continue
                if value is None:
                    return None
                parts.append(value)
            return base.joinpath(*parts).resolve()
    return None


def _ts_imports(data: bytes, tree: Any) -> tuple[dict[str, str], list[str], int]:
    """alias -> module (``lambda`` -> ``aws-cdk-lib/aws-lambda``; named imports as
    ``module#Name``), the relative import specifiers, and the end of the last import."""
    aliases: dict[str, str] = {}
    relative: list[str] = []
    import_end = 0
    for node in tree.root_node.named_children:
        if node.type in ("lexical_declaration", "variable_declaration") and _ts_requires(data, node, aliases, relative):
            import_end = _line_end(data, node.end_byte)
            continue
        if node.type != "import_statement":
            continue
        import_end = _line_end(data, node.end_byte)
        for clause in (c for c in node.named_children if c.type == "import_require_clause"):  # import x = require('m')
            names = [c for c in clause.named_children if c.type == "identifier"]
            required = _string_value(data, clause.child_by_field_name("source"))
            if names and required is not None:
                aliases[_text(data, names[0])] = required
                if required.startswith("."):
                    relative.append(required)
        source = _string_value(data, node.child_by_field_name("source"))
        if source is None:
            continue
        if source.startswith("."):
            relative.append(source)
        for clause in (c for c in node.named_children if c.type == "import_clause"):
            for part in clause.named_children:
                if part.type == "namespace_import":
                    names = [c for c in part.named_children if c.type == "identifier"]
                    if names:
                        aliases[_text(data, names[0])] = source
                elif part.type == "named_imports":
                    for spec in (s for s in part.named_children if s.type == "import_specifier"):
                        name = _text(data, spec.child_by_field_name("name"))
                        alias = spec.child_by_field_name("alias")
                        local = _text(data, alias) if alias is not None else name
                        if source == "aws-cdk-lib" and name.startswith("aws_"):
                            aliases[local] = "aws-cdk-lib/" + name.replace("_", "-")
                        else:
                            aliases[local] = f"{source}#{name}"
                elif part.type == "identifier":
                    aliases[_text(data, part)] = source
    return aliases, relative, import_end


def _ts_requires(data: bytes, node: Any, aliases: dict[str, str], relative: list[str]) -> bool:
    """CommonJS: ``const lambda = require('aws-cdk-lib/aws-lambda')`` / ``const { Stack } = require(...)``."""
    found = False
    for declarator in (c for c in node.named_children if c.type == "variable_declarator"):
        value, name = declarator.child_by_field_name("value"), declarator.child_by_field_name("name")
        if value is None or name is None or value.type != "call_expression":
            continue
        if _text(data, value.child_by_field_name("function")) != "require":
            continue
        args = [c for c in value.child_by_field_name("arguments").named_children if c.type != "comment"]
        module = _string_value(data, args[0]) if len(args) == 1 else None
        if module is None:
            continue
        found = True
        if module.startswith("."):
            relative.append(module)
        if name.type == "identifier":
            aliases[_text(data, name)] = module
        elif name.type == "object_pattern":
            for part in name.named_children:
                if part.type == "shorthand_property_identifier_pattern":
                    local = _text(data, part)
                    aliases[local] = f"{module}#{local}"
                elif part.type == "pair_pattern":
                    key, local_node = part.child_by_field_name("key"), part.child_by_field_name("value")
                    if key is not None and local_node is not None:
                        key_text = _text(data, key)
                        if module == "aws-cdk-lib" and key_text.startswith("aws_"):
                            aliases[_text(data, local_node)] = "aws-cdk-lib/" + key_text.replace("_", "-")
                        else:
                            aliases[_text(data, local_node)] = f"{module}#{key_text}"
    return found


def _module_is(module: str, ends: tuple[str, ...]) -> bool:
    return module.split("#", 1)[0].rstrip("/").endswith(ends)


def _kind(name: str, module: str) -> str | None:
    """``name`` imported from ``module`` is one of :data:`KINDS` (the construct's kind), else ``None``."""
    modules = KINDS.get(name)
    return name if modules is not None and _module_is(module, modules) else None


def _ts_kind(data: bytes, ctor: Any, aliases: dict[str, str]) -> str | None:
    text = _text(data, ctor)
    if ctor.type == "identifier":
        module = aliases.get(text, "")
        name = module.split("#", 1)[1] if "#" in module else ""
        return _kind(name, module)
    if ctor.type == "member_expression":
        obj, prop = ctor.child_by_field_name("object"), ctor.child_by_field_name("property")
        module = aliases.get(_text(data, obj), "")
        if obj.type == "member_expression":  # cdk.aws_lambda_nodejs.NodejsFunction
            inner, part = obj.child_by_field_name("object"), _text(data, obj.child_by_field_name("property"))
            if aliases.get(_text(data, inner)) == "aws-cdk-lib" and part.startswith("aws_"):
                module = "aws-cdk-lib/" + part.replace("_", "-")
        return _kind(_text(data, prop), module)
    return None


def _resolve_ts_import(stack_dir: Path, spec: str, root: Path) -> Path | None:
    base = (stack_dir / spec).resolve()
    stem = base.with_suffix("") if base.suffix in (".js", ".mjs", ".ts") else base
    candidates = (Path(str(stem) + ".ts"), Path(str(stem) + ".mts"), stem / "index.ts", Path(str(stem) + ".js"), base)
    for candidate in candidates:
        if candidate.is_file() and _inside(candidate, root) and not (SKIP_DIRS & set(candidate.parts)):
            return candidate
    return None


def _secrets_alias(aliases: dict[str, str]) -> str | None:
    """The name the stack imports the Secrets Manager module under; ``""`` when it imports only
    ``Secret`` itself; ``None`` when neither."""
    alias = next((a for a, m in aliases.items() if "#" not in m and _module_is(m, SECRETS_MODULES)), None)
    if alias is None and any(m.endswith("#Secret") and _module_is(m, SECRETS_MODULES) for m in aliases.values()):
        return ""
    return alias


def _read_typescript(root: Path, path: Path, data: bytes) -> tuple[StackFile, list[Path]]:
    tree = _ts_parser().parse(data)
    aliases, relative, import_end = _ts_imports(data, tree)
    secrets_alias = _secrets_alias(aliases)
    stack = StackFile(path, TYPESCRIPT, data, _eol(data), secrets_alias, import_end)
    stack.commonjs = path.suffix in (".js", ".cjs") and not any(
        n.type == "import_statement" for n in tree.root_node.named_children
    )
    imports = [p for p in (_resolve_ts_import(path.parent, s, root) for s in relative) if p is not None]
    count = 0
    cursor = [tree.root_node]
    while cursor:
        node = cursor.pop()
        count += 1
        if count > MAX_NODES:
            stack.functions.clear()
            break
        if node.type == "new_expression":
            ctor = node.child_by_field_name("constructor")
            kind = _ts_kind(data, ctor, aliases) if ctor is not None else None
            if kind is not None:
                stack.functions.append(_ts_function(root, path, data, node, kind))
        cursor.extend(reversed(node.named_children))
    stack.functions.sort(key=lambda f: f.statement_start)
    return stack, imports


_TS_LOOPS = {"for_statement", "for_in_statement", "while_statement", "do_statement"}
_TS_FUNCTIONS = {"arrow_function", "function_declaration", "function_expression", "method_definition", "function"}


def _ts_function(root: Path, path: Path, data: bytes, node: Any, kind: str) -> CdkFunction:
    args_node = node.child_by_field_name("arguments")
    args = [c for c in args_node.named_children if c.type != "comment"] if args_node is not None else []
    construct_id = (_string_value(data, args[1]) if len(args) > 1 else None) or _id_of(
        _text(data, args[1]) if len(args) > 1 else "", path, node.start_point[0] + 1
    )
    function = CdkFunction(
        construct_id, construct_id, kind, path, node.start_point[0] + 1, TYPESCRIPT,
        language="node" if kind == "NodejsFunction" else ("python" if kind == "PythonFunction" else None),
        bundled=kind != "Function",
    )  # fmt: skip
    props = args[2] if len(args) > 2 else None
    if props is not None and props.type == "object":
        _ts_props(root, path, data, props, function)
    else:
        function.problem = "its props are not an object literal"
    if not args or args[0].type != "this":
        function.problem = function.problem or "its scope is not `this`"
    _ts_statement(data, node, function)
    _complete(function)
    return function


def _ts_props(root: Path, path: Path, data: bytes, props: Any, function: CdkFunction) -> None:
    items = [c for c in props.named_children if c.type != "comment"]
    function.props = _container(
        data, props.start_byte + 1, props.end_byte - 1, [(i.start_byte, i.end_byte) for i in items]
    )
    function.props_text = _text(data, props)
    values: dict[str, Any] = {}
    spread = False
    for item in items:
        if item.type == "pair":
            key = item.child_by_field_name("key")
            name = _string_value(data, key) if key.type == "string" else _text(data, key)
            values[name or ""] = item.child_by_field_name("value")
        elif item.type == "shorthand_property_identifier":
            values[_text(data, item)] = None
        else:
            spread = True
    if spread and "environment" not in values:  # an environment added here would replace the spread's
        function.problem = function.problem or "its props spread another object (which may set its environment)"
    runtime = values.get("runtime")
    if runtime is not None:
        function.runtime = _lambda_runtime(_text(data, runtime))
        function.other_runtime = _other_runtime(_text(data, runtime))
    code = values.get("code")
    if code is not None and code.type == "call_expression":
        callee = _text(data, code.child_by_field_name("function"))
        code_args = [c for c in code.child_by_field_name("arguments").named_children if c.type != "comment"]
        if callee.endswith("Code.fromAsset") and code_args:
            function.code_dir = _ts_path(data, code_args[0], path.parent, root)
            function.bundled = function.bundled or "bundling" in _text(data, code)
    entry = values.get("entry")
    handler = _string_value(data, values.get("handler")) if values.get("handler") is not None else None
    if function.kind == "NodejsFunction":
        entry_path = _ts_path(data, entry, path.parent, root) if entry is not None else None
        if entry is None:  # NodejsFunction's default: <stack file>.<id>.ts beside the stack file
            entry_path = path.with_name(f"{path.stem}.{function.construct_id}.ts")
        function.handler_file = entry_path
        function.code_dir = entry_path.parent if entry_path is not None else None
        function.esm = "OutputFormat.ESM" in function.props_text
    elif function.kind == "PythonFunction":
        function.code_dir = _ts_path(data, entry, path.parent, root) if entry is not None else None
        index = _string_value(data, values.get("index")) if values.get("index") is not None else None
        if function.code_dir is not None:
            function.handler_file = function.code_dir / (index or "index.py")
    elif function.code_dir is not None and handler:
        function.handler_file = _handler_file(function.code_dir, handler)
    env = values.get("environment")
    if "environment" in values:
        if env is not None and env.type == "object":
            env_items = [c for c in env.named_children if c.type != "comment"]
            function.env = _container(
                data, env.start_byte + 1, env.end_byte - 1, [(i.start_byte, i.end_byte) for i in env_items]
            )
            keys = set()
            for item in env_items:
                if item.type == "pair":
                    key = item.child_by_field_name("key")
                    keys.add(_string_value(data, key) if key.type == "string" else _text(data, key))
                else:
                    function.env_unreadable = True
            function.env_keys = frozenset(k for k in keys if k)
        else:
            function.env_unreadable = True


def _ts_statement(data: bytes, node: Any, function: CdkFunction) -> None:
    """The statement holding the construct, the constructor around it, the variable naming it."""
    parent = node.parent
    if parent is not None and parent.type in ("as_expression", "satisfies_expression", "parenthesized_expression"):
        node, parent = parent, parent.parent
    statement = None
    if parent is not None and parent.type == "variable_declarator" and parent.child_by_field_name("value") == node:
        declaration = parent.parent
        if declaration is not None and declaration.type in ("lexical_declaration", "variable_declaration"):
            declarators = [c for c in declaration.named_children if c.type == "variable_declarator"]
            name = parent.child_by_field_name("name")
            if len(declarators) == 1 and name is not None and name.type == "identifier":
                statement, function.variable = declaration, _text(data, name)
    elif parent is not None and parent.type == "assignment_expression" and parent.child_by_field_name("right") == node:
        left = parent.child_by_field_name("left")
        if parent.parent is not None and parent.parent.type == "expression_statement":
            statement, function.variable = parent.parent, _text(data, left)
    elif parent is not None and parent.type == "expression_statement":
        statement, function.assign_at = parent, node.start_byte
    if statement is None:
        function.problem = function.problem or "the construct is part of a bigger expression"
        return
    function.statement_start = statement.start_byte
    function.statement_line_end = _line_end(data, statement.end_byte)
    indent = _indent_at(data, statement.start_byte)
    block = statement.parent
    if indent is None or block is None or block.type != "statement_block":
        function.problem = function.problem or "the construct does not start its own line in a block"
        return
    function.statement_indent = indent
    function.block = (block.start_byte, block.end_byte)
    rest = data[statement.end_byte : function.statement_line_end].strip()
    if rest not in (b"", b";") and not rest.startswith(b"//"):
        function.problem = function.problem or "other code follows the construct on its line"
        return
    outer = node.parent
    while outer is not None and outer.type not in _TS_FUNCTIONS:
        if outer.type in _TS_LOOPS:
            function.problem = function.problem or "it is built in a loop"
            return
        outer = outer.parent
    if (
        outer is None
        or outer.type != "method_definition"
        or _text(data, outer.child_by_field_name("name")) != "constructor"
    ):
        function.problem = function.problem or "it is built in a helper function, not in the stack's constructor"
        return
    if block.parent != outer:
        function.problem = function.problem or "it is built inside an if / try block of the constructor"
        return
    klass = outer.parent.parent if outer.parent is not None else None
    if klass is not None:
        function.enclosing_class = (klass.start_byte, klass.end_byte)


# --- Python -----------------------------------------------------------------------------------


class _Offsets:
    """Byte offsets of ``ast`` positions (1-based lines, UTF-8 byte columns)."""

    def __init__(self, data: bytes) -> None:
        self.starts = [0]
        for index, byte in enumerate(data):
            if byte == 0x0A:
                self.starts.append(index + 1)

    def at(self, line: int, col: int) -> int:
        return self.starts[line - 1] + col


def _py_aliases(tree: ast.Module) -> tuple[dict[str, str], list[str], int]:
    """alias -> module (``_lambda`` -> ``aws_cdk.aws_lambda``; ``Function`` -> ``aws_cdk.aws_lambda#Function``),
    the imported module names, and the last top-level import's end line."""
    aliases: dict[str, str] = {}
    modules: list[str] = []
    last_line = 0
    for statement in tree.body:
        if isinstance(statement, ast.Import | ast.ImportFrom):
            last_line = statement.end_lineno or statement.lineno
    for node in ast.walk(tree):  # imports inside functions too (`from aws_cdk import aws_lambda as lambda_`)
        if isinstance(node, ast.Import):
            for name in node.names:
                aliases[name.asname or name.name] = name.name
                modules.append(name.name)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            modules.append(node.module)
            for name in node.names:
                if node.module == "aws_cdk" and name.name.startswith("aws_"):
                    aliases[name.asname or name.name] = f"aws_cdk.{name.name}"
                else:
                    aliases[name.asname or name.name] = f"{node.module}#{name.name}"
                modules.append(f"{node.module}.{name.name}")
        elif isinstance(node, ast.ImportFrom) and node.level:  # from .stacks import x: "." per level up
            base = "." * node.level + (node.module or "")
            modules += [base] + [f"{base}.{n.name}" if node.module else base + n.name for n in node.names]
    return aliases, modules, last_line


def _py_kind(func: ast.expr, aliases: dict[str, str]) -> str | None:
    if isinstance(func, ast.Name):
        module = aliases.get(func.id, "")
        name = module.split("#", 1)[1] if "#" in module else ""
    elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        module, name = aliases.get(func.value.id, ""), func.attr
    elif (  # aws_cdk.aws_lambda.Function, cdk.aws_lambda.Function
        isinstance(func, ast.Attribute)
        and isinstance(func.value, ast.Attribute)
        and isinstance(func.value.value, ast.Name)
        and aliases.get(func.value.value.id) == "aws_cdk"
    ):
        module, name = f"aws_cdk.{func.value.attr}", func.attr
    else:
        return None
    return _kind(name, module)


def _py_path(node: ast.expr | None, stack_dir: Path, root: Path) -> Path | None:
    """A string (relative to the app folder) or ``os.path.join(os.path.dirname(__file__), ...)``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return (root / node.value).resolve()
    if isinstance(node, ast.Call) and ast.unparse(node.func) in ("os.path.join", "path.join", "str") and node.args:
        if ast.unparse(node.func) == "str":
            return _py_path(node.args[0], stack_dir, root)
        first, *rest = node.args
        base = stack_dir if "__file__" in ast.unparse(first) and "dirname" in ast.unparse(first) else None
        if ast.unparse(first) in ("os.getcwd()", "getcwd()"):
            base = root  # cdk runs the app in the app folder
        if base is None:
            return None
        parts = [a.value for a in rest if isinstance(a, ast.Constant) and isinstance(a.value, str)]
        return base.joinpath(*parts).resolve() if len(parts) == len(rest) else None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        left = ast.unparse(node.left)
        if isinstance(node.right, ast.Constant) and isinstance(node.right.value, str) and "__file__" in left:
            ups = left.count(".parent") + (int(m.group(1)) if (m := re.search(r"parents\[(\d+)\]", left)) else 0)
            base = stack_dir.resolve()
            for _ in range(max(ups - 1, 0)):
                base = base.parent
            return (base / node.right.value).resolve()
    return None


def _resolve_py_import(module: str, root: Path, stack_dir: Path) -> Path | None:
    bases = [root, stack_dir]
    if module.startswith("."):  # relative: from the stack's package, one folder up per extra dot
        dots = len(module) - len(module.lstrip("."))
        package = stack_dir
        for _ in range(dots - 1):
            package = package.parent
        bases, module = [package], module[dots:]
        if not module:
            return None
    relative = Path(*module.split("."))
    for base in bases:
        for candidate in (base / relative.with_suffix(".py"), base / relative / "__init__.py"):
            if candidate.is_file() and _inside(candidate, root) and not (SKIP_DIRS & set(candidate.parts)):
                return candidate
    return None


def _read_python(root: Path, path: Path, data: bytes) -> tuple[StackFile, list[Path]]:
    tree = ast.parse(data, filename=str(path))
    aliases, modules, last_line = _py_aliases(tree)
    offsets = _Offsets(data)
    secrets_alias = _secrets_alias(aliases)
    import_end = offsets.starts[last_line] if 0 < last_line < len(offsets.starts) else (len(data) if last_line else 0)
    stack = StackFile(path, PYTHON, data, _eol(data), secrets_alias, import_end)
    imports = [p for p in (_resolve_py_import(m, root, path.parent) for m in modules) if p is not None]
    parents: dict[ast.AST, ast.AST] = {}
    for count, node in enumerate(ast.walk(tree)):
        if count >= MAX_NODES:
            return stack, imports
        for child in ast.iter_child_nodes(node):
            parents[child] = node
    constants = {
        t.id: n.value for n in tree.body if isinstance(n, ast.Assign) for t in n.targets if isinstance(t, ast.Name)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            kind = _py_kind(node.func, aliases)
            if kind is not None:
                stack.functions.append(_py_function(root, path, data, offsets, node, kind, parents, constants))
    stack.functions.sort(key=lambda f: f.statement_start)
    return stack, imports


def _py_function(
    root: Path,
    path: Path,
    data: bytes,
    offsets: _Offsets,
    node: ast.Call,
    kind: str,
    parents: dict[ast.AST, ast.AST],
    constants: dict[str, ast.expr],
) -> CdkFunction:
    args = node.args
    keywords = {k.arg: k.value for k in node.keywords if k.arg}
    first = args[1] if len(args) > 1 else keywords.get("id", keywords.get("construct_id"))
    construct_id = first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else None
    if construct_id is None and first is not None:
        start = offsets.at(first.lineno, first.col_offset)
        end = offsets.at(first.end_lineno or first.lineno, first.end_col_offset or 0)
        construct_id = _id_of(data[start:end].decode("utf-8", "replace"), path, node.lineno)
    construct_id = construct_id or _id_of("", path, node.lineno)
    function = CdkFunction(
        construct_id, construct_id, kind, path, node.lineno, PYTHON,
        language="node" if kind == "NodejsFunction" else ("python" if kind == "PythonFunction" else None),
        bundled=kind != "Function",
    )  # fmt: skip
    if not args or not (isinstance(args[0], ast.Name) and args[0].id == "self"):
        function.problem = "its scope is not `self`"
    if len(args) > 2:
        function.problem = function.problem or "its props are not keyword arguments"
    end = offsets.at(node.end_lineno or node.lineno, node.end_col_offset or 0)
    close = end - 1
    positioned: list[ast.expr | ast.keyword] = [*args, *node.keywords]
    items = [
        (offsets.at(a.lineno, a.col_offset), offsets.at(a.end_lineno or a.lineno, a.end_col_offset or 0))
        for a in positioned
    ]
    if node.keywords:  # a keyword's node starts at its name (Python 3.9+)
        items.sort()
    open_end = data.find(b"(", offsets.at(node.func.end_lineno or node.lineno, node.func.end_col_offset or 0)) + 1
    function.props = _container(data, open_end, close, items)
    function.props_text = data[open_end:close].decode("utf-8", "replace")
    values = {k.arg: k.value for k in node.keywords if k.arg}
    if any(k.arg is None for k in node.keywords):
        function.problem = function.problem or "its props come from **kwargs"
    runtime = values.get("runtime")
    if isinstance(runtime, ast.Name):  # RUNTIME = lambda_.Runtime.PYTHON_3_13 at the module's top
        runtime = constants.get(runtime.id, runtime)
    if runtime is not None:
        function.runtime = _lambda_runtime(ast.unparse(runtime))
        function.other_runtime = _other_runtime(ast.unparse(runtime))
    code = values.get("code")
    if isinstance(code, ast.Call) and ast.unparse(code.func).endswith("Code.from_asset") and code.args:
        function.code_dir = _py_path(code.args[0], path.parent, root)
        function.bundled = function.bundled or any(k.arg == "bundling" for k in code.keywords)
    handler = values.get("handler")
    handler_text = handler.value if isinstance(handler, ast.Constant) and isinstance(handler.value, str) else None
    if kind == "PythonFunction":
        function.code_dir = _py_path(values.get("entry"), path.parent, root)
        index = values.get("index")
        name = index.value if isinstance(index, ast.Constant) and isinstance(index.value, str) else "index.py"
        if function.code_dir is not None:
            function.handler_file = function.code_dir / name
    elif kind == "NodejsFunction":
        entry_path = _py_path(values.get("entry"), path.parent, root)
        function.handler_file = entry_path
        function.code_dir = entry_path.parent if entry_path is not None else None
        function.esm = "OutputFormat.ESM" in function.props_text
    elif function.code_dir is not None and handler_text:
        function.handler_file = _handler_file(function.code_dir, handler_text)
    if "environment" in values:
        env = values["environment"]
        if isinstance(env, ast.Dict) and all(k is not None for k in env.keys):
            env_items = [
                (offsets.at(k.lineno, k.col_offset), offsets.at(v.end_lineno or v.lineno, v.end_col_offset or 0))
                for k, v in zip(env.keys, env.values, strict=True)
                if k is not None
            ]
            function.env = _container(
                data,
                offsets.at(env.lineno, env.col_offset) + 1,
                offsets.at(env.end_lineno or env.lineno, env.end_col_offset or 0) - 1,
                env_items,
            )
            function.env_keys = frozenset(
                k.value for k in env.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)
            )
            if env_items and data[env_items[0][0] : env_items[0][0] + 1] == b"'":
                function.quote = "'"
        else:
            function.env_unreadable = True
    _py_statement(data, offsets, node, function, parents)
    _complete(function)
    return function


def _py_statement(
    data: bytes, offsets: _Offsets, node: ast.Call, function: CdkFunction, parents: dict[ast.AST, ast.AST]
) -> None:
    parent = parents.get(node)
    statement: ast.stmt | None = None
    if isinstance(parent, ast.Assign) and parent.value is node and len(parent.targets) == 1:
        target = parent.targets[0]
        if isinstance(target, ast.Name | ast.Attribute):
            statement, function.variable = parent, ast.unparse(target)
    elif isinstance(parent, ast.AnnAssign) and parent.value is node:
        statement, function.variable = parent, ast.unparse(parent.target)
    elif isinstance(parent, ast.Expr):
        statement, function.assign_at = parent, offsets.at(node.lineno, node.col_offset)
    if statement is None:
        function.problem = function.problem or "the construct is part of a bigger expression"
        return
    start = offsets.at(statement.lineno, statement.col_offset)
    end = offsets.at(statement.end_lineno or statement.lineno, statement.end_col_offset or 0)
    function.statement_start = start
    function.statement_line_end = _line_end(data, end)
    indent = _indent_at(data, start)
    rest = data[end : function.statement_line_end].strip()
    if indent is None or (rest and not rest.startswith(b"#")):
        function.problem = function.problem or "the construct shares its line with other code"
        return
    function.statement_indent = indent
    scan: ast.AST | None = parents.get(statement)
    while scan is not None and not isinstance(scan, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
        if isinstance(scan, ast.For | ast.While | ast.AsyncFor | ast.comprehension):
            function.problem = function.problem or "it is built in a loop"
            return
        scan = parents.get(scan)
    if not isinstance(scan, ast.FunctionDef) or scan.name != "__init__":
        function.problem = function.problem or "it is built in a helper function, not in the stack's __init__"
        return
    if parents.get(statement) is not scan:
        function.problem = function.problem or "it is built inside an if / with block"
        return
    function.block = (
        offsets.at(scan.lineno, scan.col_offset),
        offsets.at(scan.end_lineno or scan.lineno, scan.end_col_offset or 0),
    )
    klass = parents.get(scan)
    if isinstance(klass, ast.ClassDef):
        function.enclosing_class = (klass.lineno, klass.end_lineno or klass.lineno)


# --- shared -------------------------------------------------------------------------------------


def _handler_file(code_dir: Path, handler: str) -> Path | None:
    """``index.handler`` -> the file in the code folder Lambda loads it from."""
    module = handler.rsplit(".", 1)[0]
    base = code_dir / module
    for suffix in (".py", ".mjs", ".js", ".cjs", ".ts"):
        candidate = base.with_name(base.name + suffix)
        if candidate.is_file():
            return candidate
    return None


def _complete(function: CdkFunction) -> None:
    if function.language is None:
        if function.runtime is not None:
            function.language = "python" if function.runtime.startswith("python") else "node"
        elif function.handler_file is not None:
            function.language = "python" if function.handler_file.suffix == ".py" else "node"
