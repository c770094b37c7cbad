"""What one source file says about Momento, secrets and its imports: facts the code checks judge.

Python is read with :mod:`ast`; JavaScript and TypeScript with tree-sitter (see
:mod:`momento_lambda_cli.doctor.js_facts`, imported only for Node.js files). The facts are
plain data, so each file is read and parsed once per doctor run (see
:mod:`momento_lambda_cli.doctor.code_index`) whichever checks ask.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

PYTHON_SUFFIXES = frozenset({".py"})
NODE_SUFFIXES = frozenset({".js", ".mjs", ".cjs", ".jsx", ".ts", ".mts", ".cts", ".tsx"})

CLIENT_CLASSES = frozenset(
    {
        "CacheClient",
        "TopicClient",
        "PreviewStorageClient",
        "AuthClient",
        "SimpleCacheClient",
        "PreviewVectorIndexClient",
    }
)
"""Momento clients that hold a gRPC channel (a connection per construction)."""
WRAPPER_FACTORIES = frozenset({"from_client_params"})
"""LangChain's Momento wrappers (``MomentoChatMessageHistory.from_client_params``...) build a CacheClient."""

MOMENTO_METHODS = frozenset(
    {
        "get",
        "set",
        "delete",
        "increment",
        "setIfNotExists",
        "setIfAbsent",
        "setIfPresent",
        "setIfEqual",
        "setIfNotEqual",
        "setIfPresentAndNotEqual",
        "setIfAbsentOrEqual",
        "getBatch",
        "setBatch",
        "keysExist",
        "keyExists",
        "updateTtl",
        "increaseTtl",
        "decreaseTtl",
        "itemGetTtl",
        "listPushBack",
        "listPushFront",
        "listConcatenateBack",
        "listConcatenateFront",
        "listFetch",
        "listRemoveValue",
        "listPopBack",
        "listPopFront",
        "dictionarySetField",
        "dictionarySetFields",
        "dictionaryFetch",
        "dictionaryGetField",
        "dictionaryGetFields",
        "dictionaryIncrement",
        "dictionaryRemoveField",
        "dictionaryRemoveFields",
        "setAddElement",
        "setAddElements",
        "setRemoveElement",
        "setRemoveElements",
        "setFetch",
        "sortedSetPutElement",
        "sortedSetPutElements",
        "sortedSetFetchByRank",
        "sortedSetFetchByScore",
        "sortedSetIncrementScore",
        "sortedSetRemoveElement",
        "sortedSetRemoveElements",
        "publish",
    }
)
"""Node.js SDK calls that return a promise of a network round trip."""

SNAPSTART_HOOKS = {"register_before_snapshot": "before_snapshot", "register_after_restore": "after_restore"}
"""``snapshot_restore_py``'s registration functions (called, or used as decorators) -> the hook."""


@dataclass(frozen=True)
class Creation:
    """A Momento client constructed here."""

    line: int
    what: str
    """``CacheClient``, ``CacheClient.create``, ``MomentoChatMessageHistory.from_client_params``..."""
    function: str | None
    """The outermost named function (or method) around it; ``None`` at module scope."""
    kept: bool
    """Stored where it outlives the call: a module-level variable (``global`` / an outer
    ``let``), an attribute, ``??=`` / ``||=``, a cached function (``@lru_cache``)."""


@dataclass(frozen=True)
class Call:
    """A call of a plain name (``get_client()`` / ``getCacheClient()``)."""

    name: str
    line: int
    function: str | None
    kept: bool
    """At module scope, or its result stored where it outlives the call."""


@dataclass(frozen=True)
class SecretRead:
    line: int
    how: str
    env: str | None = None
    """The environment variable holding the secret id, when the code names one."""
    literal: str | None = None


@dataclass(frozen=True)
class SecretsClient:
    line: int
    timeouts: bool
    how: str
    problem: str | None = None
    """Why timeouts that are written do not work (a Node.js ``requestTimeout`` that only warns)."""


@dataclass
class FileFacts:
    path: Path
    language: str
    """``python`` or ``node``."""
    error: str | None = None
    """Why the file does not parse (Python: the facts are then empty; Node.js: partial)."""
    error_line: int | None = None
    """The (1-based) line of the first syntax error or conflict marker."""
    momento: bool = False
    """Imports the Momento SDK (or a wrapper built on it)."""
    imports: list[str] = field(default_factory=list)
    """Local imports as written (``./cache.js``, ``.util``, ``cache``)."""
    python_imports: list[tuple[int, str]] = field(default_factory=list)
    """Python: (relative level, dotted module) of each import."""
    functions: set[str] = field(default_factory=set)
    """Names of the functions (and methods) the file defines."""
    creations: list[Creation] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    presets: list[tuple[int, str]] = field(default_factory=list)
    """``Configurations.<Preset>`` uses: (line, preset)."""
    unconfigured: list[int] = field(default_factory=list)
    """Lines of Node.js ``CacheClient.create({...})`` calls without a ``configuration``."""
    secrets_clients: list[SecretsClient] = field(default_factory=list)
    secret_reads: list[SecretRead] = field(default_factory=list)
    env_keys: list[tuple[int, str, str]] = field(default_factory=list)
    """The key read from an environment variable: (line, variable, how)."""
    key_logs: list[tuple[int, str]] = field(default_factory=list)
    """A log call that writes the key (or the whole secret) to CloudWatch: (line, the call as written)."""
    env_reads: set[str] = field(default_factory=set)
    """Every environment variable the file reads by a literal name."""
    unawaited: list[tuple[int, str]] = field(default_factory=list)
    """Node.js: Momento calls whose promise is dropped (line, ``client.set``)."""
    snapstart_hooks: set[str] = field(default_factory=set)
    """Python: the SnapStart runtime hooks the file registers (``before_snapshot``, ``after_restore``)."""
    import_members: dict[str, frozenset[str] | None] = field(default_factory=dict)
    """Node.js: per local import (as written), the names this file uses from it (``shared.metrics``,
    ``const {getSecret} = require(...)``); ``None`` when it uses the module some other way."""
    momento_exports: dict[str, bool] | None = None
    """Node.js, for a file that imports the SDK: each export's name -> whether its definition
    reaches the SDK (through the file's own functions and exports); ``None`` when not known."""


def language_of(path: Path) -> str | None:
    if path.suffix in PYTHON_SUFFIXES:
        return "python"
    if path.suffix in NODE_SUFFIXES and not path.name.endswith(".d.ts"):
        return "node"
    return None


CONFLICT_MARKERS = (b"<<<<<<< ", b">>>>>>> ", b"<<<<<<<\n", b">>>>>>>\n")
"""How git (and ``momento-lambda update``) open and close a conflict: at the start of a line."""


def conflict_marker_line(data: bytes) -> int | None:
    """The 1-based line of the first merge-conflict marker in ``data``, else ``None``."""
    if b"<<<<<<<" not in data and b">>>>>>>" not in data:
        return None  # the common case, without splitting the file
    for number, line in enumerate(data.splitlines(keepends=True), start=1):
        if line.startswith(CONFLICT_MARKERS) or line.rstrip(b"\r\n") in (b"<<<<<<<", b">>>>>>>"):
            return number
    return None


KEY_MARKERS = re.compile(
    r"SecretString|GetSecretValue|get_secret_value|MOMENTO_API_KEY|MOMENTO_AUTH_TOKEN|\bapiKey\b|\bauthToken\b|\bapi_key\b"
)
"""What an expression that holds the Momento key (or the whole secret) mentions."""
_JS_BINDING = re.compile(r"\b(?:const|let|var)\s+(\{[^}]*\}|\w+)\s*=\s*([^;\n]*)")
_PY_BINDING = re.compile(r"^\s*(\w+)\s*(?::[^=]+)?=\s*(.*)$", re.M)
_JS_LOG = re.compile(r"\bconsole\.(?:log|info|warn|error|debug|trace)\s*\(([^;\n]*)\)")
_PY_LOG = re.compile(
    r"\b(?:print|(?:logger|logging|log|LOGGER)\.(?:debug|info|warning|warn|error|exception|critical))\s*\(([^\n]*)\)"
)


_PLAIN_STRING = re.compile(r"""(?<![fFrRbB`\w])(['"])(?:\\.|(?!\1).)*\1""")
"""A quoted string without interpolation (not an f-string, not a template literal)."""

_OPERAND = r"[\w$]+(?:\s*(?:\.[\w$]+|\[[^\[\]\n]*\]|\(\)))*"
"""A name with its attributes, subscripts and empty calls (``s.SecretString``, ``secret["apiKey"]``)."""
_METADATA = r"VersionId|ARN|Name|CreatedDate|VersionStages|ResponseMetadata"
"""Fields of a GetSecretValue response that are not the secret."""
_SAFE_COMMON = (
    rf"""{_OPERAND}\s*(?:\[\s*['"](?:{_METADATA})['"]\s*\]|\.(?:{_METADATA}|\$metadata)\b)""",
    rf"{_OPERAND}\[\s*-?[1-4]\s*:\s*\]",  # a few characters of it: key[-4:]
    rf"{_OPERAND}\[\s*:\s*[1-4]\s*\]",
)
_SAFE_USES = {
    "python": re.compile(
        "|".join(
            (
                *_SAFE_COMMON,
                rf"\b(?:len|bool|type|isinstance|callable|id)\(\s*{_OPERAND}\s*(?:,[^()\n]*)?\)",
                rf"{_OPERAND}\s+is\s+(?:not\s+)?None\b",
                rf"{_OPERAND}\.keys\(\)",
            )
        )
    ),
    "node": re.compile(
        "|".join(
            (
                *_SAFE_COMMON,
                rf"!!\s*{_OPERAND}",
                rf"\btypeof\s+{_OPERAND}",
                rf"{_OPERAND}\.length\b",
                rf"\b(?:Boolean|Object\.keys)\(\s*{_OPERAND}\s*\)",
                rf"{_OPERAND}\.slice\(\s*-[1-4]\s*\)",
                rf"{_OPERAND}\s*[!=]==?\s*(?:null|undefined)\b",
            )
        )
    ),
}
"""Uses of the key that log something about it, not the key: its length, whether it is there, its
last four characters, the key names of the secret, the response's version id."""
_JS_PARSED = re.compile(r"^\s*(?:await\s+)?JSON\.parse\((?:[^()]|\([^()]*\))*\)\s*$")
"""A binding to a whole parsed object (``const obj = JSON.parse(r.SecretString)``)."""


def key_log_lines(text: str, language: str) -> list[tuple[int, str]]:
    """Log calls whose arguments hold the key: a name bound to an expression that reads the key
    or the secret (``const {MOMENTO_API_KEY} = JSON.parse(out.SecretString)``), or such an
    expression written in the call itself. Read from the text: comments may mislead it, rarely."""
    binding, log = (_JS_BINDING, _JS_LOG) if language == "node" else (_PY_BINDING, _PY_LOG)
    names: set[str] = set()
    objects: set[str] = set()
    for match in binding.finditer(text):
        target, value = match.group(1), match.group(2)
        if KEY_MARKERS.search(value) or (target.startswith("{") and KEY_MARKERS.search(target)):
            names.update(re.findall(r"\w+", target) if target.startswith("{") else [target])
            if language == "node" and not target.startswith("{") and _JS_PARSED.match(value.rstrip(";")):
                objects.add(target)
    names -= {"const", "let", "var"}
    safe = _SAFE_USES["node" if language == "node" else "python"]
    comment = "//" if language == "node" else "#"
    found = []
    for match in log.finditer(text):
        line_start = text.rfind("\n", 0, match.start()) + 1
        before = text[line_start : match.start()]
        if comment in before or (language == "node" and "/*" in before and "*/" not in before):
            continue  # a log call in a comment runs nothing
        arguments = safe.sub("''", match.group(1))  # len(key), !!s.SecretString, resp["VersionId"]
        arguments = _PLAIN_STRING.sub("''", arguments)  # words inside a message are not the key
        for name in objects:  # "obj=" + obj prints [object Object], not the secret
            pattern = (
                rf"(?:\+\s*{re.escape(name)}\b(?!\s*[.\[(])|\b{re.escape(name)}\s*\+|\$\{{\s*{re.escape(name)}\s*\}})"
            )
            arguments = re.sub(pattern, "''", arguments)
        if KEY_MARKERS.search(arguments) or any(re.search(rf"\b{re.escape(n)}\b", arguments) for n in names):
            line = text.count("\n", 0, match.start()) + 1
            found.append((line, match.group(0)[:80]))
    return found


def facts_of(path: Path, data: bytes) -> FileFacts:
    """The facts of one file (``data`` is its start, as read)."""
    language = language_of(path)
    if language == "node":
        from momento_lambda_cli.doctor import js_facts

        facts = js_facts.facts(path, data)
    else:
        facts = FileFacts(path, "python")
        text = data.decode("utf-8", "replace")
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError) as exc:
            line = getattr(exc, "lineno", None)
            reason = getattr(exc, "msg", None) or str(exc).splitlines()[0]
            facts.error = f"does not parse: {reason}" + (f" (line {line})" if line else "")
            facts.error_line = line
        else:
            _PythonReader(facts, text).read(tree)
    if b"console." in data or b"print(" in data or b"log" in data:
        facts.key_logs = key_log_lines(data.decode("utf-8", "replace"), facts.language)
    conflict = conflict_marker_line(data)
    if conflict is not None:
        facts.error = f"holds merge conflict markers (line {conflict})"
        facts.error_line = conflict
    return facts


# --- Python ----------------------------------------------------------------------------------


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        inner = _dotted(node.value)
        return f"{inner}.{node.attr}" if inner else node.attr
    if isinstance(node, ast.Call):
        return _dotted(node.func) + "()"
    return ""


def _string(node: ast.AST | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


class _PythonReader:
    def __init__(self, facts: FileFacts, text: str) -> None:
        self.facts = facts
        self.text = text
        self.module_env: dict[str, str] = {}
        """Module-level names bound to an environment variable (``SECRET_ID = os.environ["X"]``)."""
        self.module_literals: dict[str, str] = {}
        """Module-level names bound to a string (``SECRET_NAME = "prod/momento"``)."""
        self.parents: dict[ast.AST, ast.AST] = {}
        self.scopes: dict[int, tuple[set[str], dict[str, list[ast.expr]]]] = {}

    def snapstart_hook(self, node: ast.AST) -> None:
        """``register_before_snapshot`` / ``register_after_restore`` (bare or ``module.``-qualified)."""
        hook = SNAPSTART_HOOKS.get(_dotted(node).rsplit(".", 1)[-1])
        if hook is not None:
            self.facts.snapstart_hooks.add(hook)

    def read(self, tree: ast.Module) -> None:
        nodes: list[ast.AST] = []
        stack: list[ast.AST] = [tree]
        while stack:  # one pass: every node, and its parent
            node = stack.pop()
            nodes.append(node)
            for child in ast.iter_child_nodes(node):
                self.parents[child] = node
                stack.append(child)
        for statement in tree.body:
            if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
                target = statement.targets[0]
                env = self.env_name(statement.value)
                if isinstance(target, ast.Name) and env:
                    self.module_env[target.id] = env
                elif isinstance(target, ast.Name) and (literal := _string(statement.value)):
                    self.module_literals[target.id] = literal
        for node in nodes:
            if isinstance(node, ast.Import):
                for alias in node.names:
                    self.imported(0, alias.name, [])
            elif isinstance(node, ast.ImportFrom):
                self.imported(node.level, node.module or "", [a.name for a in node.names])
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                self.facts.functions.add(node.name)
                for decorator in node.decorator_list:
                    self.snapstart_hook(decorator)
            elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                if node.value.id == "Configurations":
                    self.facts.presets.append((node.lineno, node.attr))
            elif isinstance(node, ast.Call):
                self.snapstart_hook(node.func)
                self.call(node)
            elif isinstance(node, ast.Subscript) and (env := self.env_name(node)):
                self.facts.env_reads.add(env)

    def imported(self, level: int, module: str, names: list[str]) -> None:
        parts = module.split(".") if module else []
        if (
            "momento" in parts
            or module.startswith("momento")
            or any(n.startswith("Momento") and not n.startswith("MomentoLambda") for n in names)
        ):
            self.facts.momento = True
        self.facts.python_imports.append((level, module))
        if level and not module:
            self.facts.python_imports.extend((level, n) for n in names)
        elif names:
            self.facts.python_imports.extend((level, f"{module}.{n}") for n in names if n != "*")

    def env_name(self, node: ast.AST | None) -> str | None:
        """``os.environ["X"]`` / ``os.environ.get("X")`` / ``os.getenv("X")`` / a module name bound to one."""
        if node is None:
            return None
        if isinstance(node, ast.Subscript) and _dotted(node.value).endswith("environ"):
            return _string(node.slice)
        if isinstance(node, ast.Call) and node.args:
            name = _dotted(node.func)
            if name.endswith(("environ.get", "getenv")):
                return _string(node.args[0])
        if isinstance(node, ast.Name):
            return self.module_env.get(node.id)
        return None

    def literal(self, node: ast.AST | None) -> str | None:
        if isinstance(node, ast.Name):
            return self.module_literals.get(node.id)
        return _string(node)

    def enclosing(self, node: ast.AST) -> tuple[ast.FunctionDef | ast.AsyncFunctionDef | None, bool]:
        """The outermost function around ``node`` and whether some function on the way keeps what it makes."""
        outer = None
        kept = False
        current = self.parents.get(node)
        while current is not None:
            if isinstance(current, ast.FunctionDef | ast.AsyncFunctionDef):
                outer = current
                if any("cache" in _dotted(d).lower() or "once" in _dotted(d).lower() for d in current.decorator_list):
                    kept = True
            current = self.parents.get(current)
        return outer, kept

    def stored(self, node: ast.AST, function: ast.AST | None) -> bool:
        """The value of ``node`` is stored where it outlives the call."""
        parent = self.parents.get(node)
        while isinstance(parent, ast.Await):
            node, parent = parent, self.parents.get(parent)
        targets: list[ast.expr] = []
        if isinstance(parent, ast.Tuple | ast.List):  # `_client, _seen = Client(...), x`: the matching target
            index = next(i for i, element in enumerate(parent.elts) if element is node)
            grand = self.parents.get(parent)
            if isinstance(grand, ast.Assign):
                targets = [
                    target.elts[index]
                    for target in grand.targets
                    if isinstance(target, ast.Tuple | ast.List) and len(target.elts) == len(parent.elts)
                ]
        elif isinstance(parent, ast.Assign):
            targets = list(parent.targets)
        elif isinstance(parent, ast.AnnAssign | ast.AugAssign | ast.NamedExpr):
            targets = [parent.target]
        if function is None:
            return True
        declared, handoffs = self.scope(function)
        for target in targets:
            if isinstance(target, ast.Attribute | ast.Subscript):
                return True
            if isinstance(target, ast.Name) and target.id in declared:
                return True
            if isinstance(target, ast.Name) and self.handed_on(handoffs.get(target.id, []), declared):
                return True
        return False

    def scope(self, function: ast.AST) -> tuple[set[str], dict[str, list[ast.expr]]]:
        """What ``stored`` needs of a function, walked once per function (not once per call in it):
        the names it declares ``global`` / ``nonlocal``, and per name the targets it is assigned to
        (``_client = c``)."""
        known = self.scopes.get(id(function))
        if known is not None:
            return known
        declared: set[str] = set()
        handoffs: dict[str, list[ast.expr]] = {}
        for inner in ast.walk(function):
            if isinstance(inner, ast.Global | ast.Nonlocal):
                declared.update(inner.names)
            elif isinstance(inner, ast.Assign) and isinstance(inner.value, ast.Name):
                handoffs.setdefault(inner.value.id, []).extend(inner.targets)
        self.scopes[id(function)] = (declared, handoffs)
        return declared, handoffs

    @staticmethod
    def handed_on(targets: list[ast.expr], declared: set[str]) -> bool:
        """``c = CacheClient(...); _client = c`` with ``_client`` global (or an attribute)."""
        for target in targets:
            if isinstance(target, ast.Attribute | ast.Subscript):
                return True
            if isinstance(target, ast.Name) and target.id in declared:
                return True
        return False

    def call(self, node: ast.Call) -> None:
        facts = self.facts
        func = node.func
        name = _dotted(func)
        last = name.rsplit(".", 1)[-1]
        function, cached = self.enclosing(node)
        function_name = function.name if function is not None else None
        if last in CLIENT_CLASSES or (
            isinstance(func, ast.Attribute) and _dotted(func.value) in CLIENT_CLASSES and last.startswith("create")
        ):
            facts.creations.append(Creation(node.lineno, name, function_name, cached or self.stored(node, function)))
        elif (
            last in WRAPPER_FACTORIES and isinstance(func, ast.Attribute) and _dotted(func.value).startswith("Momento")
        ):
            facts.momento = True
            facts.creations.append(Creation(node.lineno, name, function_name, cached or self.stored(node, function)))
        elif isinstance(func, ast.Name):
            facts.calls.append(Call(func.id, node.lineno, function_name, cached or self.stored(node, function)))
        if last in {"client", "Client"} and (
            _string(node.args[0] if node.args else None) == "secretsmanager"
            or any(k.arg == "service_name" and _string(k.value) == "secretsmanager" for k in node.keywords)
        ):
            facts.secrets_clients.append(SecretsClient(node.lineno, self.config_has_timeouts(node), name))
        elif last == "get_secret_value":
            arg = next((k.value for k in node.keywords if k.arg == "SecretId"), None)
            facts.secret_reads.append(
                SecretRead(node.lineno, "get_secret_value", self.env_name(arg), self.literal(arg))
            )
        elif last == "get_secret" and node.args and (name == "get_secret" or "parameters" in name):
            arg = node.args[0]
            facts.secret_reads.append(
                SecretRead(node.lineno, "Powertools get_secret", self.env_name(arg), self.literal(arg))
            )
            facts.secrets_clients.append(
                SecretsClient(node.lineno, self.config_has_timeouts(node), "Powertools get_secret")
            )
        elif name in {
            "CredentialProvider.from_environment_variable",
            "CredentialProvider.from_environment_variables_v2",
        }:
            variable = _string(node.args[0] if node.args else None) or next(
                (_string(k.value) for k in node.keywords if k.arg in {"env_var_name", "api_key_env_var"}), None
            )
            facts.env_keys.append((node.lineno, variable or "MOMENTO_API_KEY", name))
        elif name.startswith("CredentialProvider.from_") and node.args and (variable := self.env_name(node.args[0])):
            facts.env_keys.append((node.lineno, variable, name))
        if (env := self.env_name(node)) and isinstance(node.func, ast.Attribute | ast.Name):
            facts.env_reads.add(env)

    def config_has_timeouts(self, node: ast.Call) -> bool:
        """The call passes a botocore Config with both connect and read timeouts (inline or by name)."""
        for keyword in node.keywords:
            if keyword.arg in {"config", "boto_config"}:
                value = keyword.value
                if isinstance(value, ast.Call):
                    names = {k.arg for k in value.keywords}
                    return {"connect_timeout", "read_timeout"} <= names
                return "connect_timeout" in self.text and "read_timeout" in self.text  # a Config built by name
        return False
