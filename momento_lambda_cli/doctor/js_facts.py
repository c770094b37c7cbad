"""JavaScript and TypeScript facts, read with tree-sitter (a real parser: strings holding ``}``
and comments holding ``if (!`` are tokens, never code).

Imported only when a project has Node.js code; the grammars load once per process.
"""

from __future__ import annotations

import functools
import re
import threading
from pathlib import Path
from typing import Any

from momento_lambda_cli.doctor.code_facts import (
    CLIENT_CLASSES,
    MOMENTO_METHODS,
    Call,
    Creation,
    FileFacts,
    SecretRead,
    SecretsClient,
)

FUNCTION_TYPES = frozenset(
    {
        "function_declaration",
        "generator_function_declaration",
        "function_expression",
        "function",
        "arrow_function",
        "method_definition",
        "generator_function",
    }
)
WRAPPERS = frozenset(
    {"await_expression", "parenthesized_expression", "as_expression", "non_null_expression", "satisfies_expression"}
)
TIMEOUT_WORDS = ("connectionTimeout", "requestTimeout", "socketTimeout", "connectTimeout", "timeout")
QUERY = """
(import_statement source: (string) @source)
(export_statement source: (string) @source)
(call_expression function: (_) @callee) @call
(new_expression constructor: (_) @ctor) @new
(member_expression object: (identifier) @object property: (property_identifier) @property) @member
(variable_declarator name: (_) @declared value: (_) @value) @declarator
(expression_statement (assignment_expression left: (identifier) right: (string)) @constant)
(function_declaration name: (identifier) @fname)
(method_definition name: (property_identifier) @fname)
(expression_statement (call_expression) @statement_call)
"""


_PARSE_LOCK = threading.Lock()
"""A tree-sitter parser is not safe to use from two threads at once."""


@functools.cache
def _parser(suffix: str) -> tuple[Any, Any]:
    import tree_sitter

    if suffix in {".ts", ".mts", ".cts"}:
        import tree_sitter_typescript

        language = tree_sitter.Language(tree_sitter_typescript.language_typescript())
    elif suffix == ".tsx":
        import tree_sitter_typescript

        language = tree_sitter.Language(tree_sitter_typescript.language_tsx())
    else:
        import tree_sitter_javascript

        language = tree_sitter.Language(tree_sitter_javascript.language())
    return tree_sitter.Parser(language), tree_sitter.Query(language, QUERY)


CONFIGURED_CLIENTS = frozenset({"CacheClient", "TopicClient"})
"""Node.js clients built from an options object whose ``configuration`` picks the preset."""
_THROWS = re.compile(r"throwOnRequestTimeout\s*:\s*true\b")


WARN_ONLY_HANDLER = "@smithy/node-http-handler"
WARN_ONLY_SINCE = (4, 4, 0)
"""From ``@smithy/node-http-handler`` 4.4.0 (October 2025) ``requestTimeout`` is a whole-request timer
that only logs a warning unless ``throwOnRequestTimeout: true``; before it, ``requestTimeout`` was
the socket's idle timeout, which rejects with TimeoutError."""
REQUEST_TIMEOUT_PROBLEM = "requestTimeout without throwOnRequestTimeout: true only logs a warning when exceeded"


def request_timeout_problem(text: str) -> str | None:
    """AWS SDK v3 (``@smithy/node-http-handler`` 4.4.0 and later): a ``requestTimeout`` without
    ``throwOnRequestTimeout: true`` only logs a warning when exceeded; a read against an endpoint
    that never answers waits on. ``socketTimeout`` (or ``throwOnRequestTimeout: true``) rejects.
    (The check forgives it when the project installs or locks an older handler.)"""
    if "requestTimeout" not in text or "socketTimeout" in text or _THROWS.search(text):
        return None
    return f"{REQUEST_TIMEOUT_PROBLEM} ({WARN_ONLY_HANDLER} 4.4.0 and later): the read still waits"


def _text(node: Any) -> str:
    return node.text.decode("utf-8", "replace") if node is not None and node.text is not None else ""


def _string(node: Any) -> str | None:
    if node is not None and node.type == "string":
        return "".join(_text(c) for c in node.named_children if c.type == "string_fragment")
    if (
        node is not None
        and node.type == "template_string"
        and not any(c.type == "template_substitution" for c in node.named_children)
    ):
        return _text(node)[1:-1]
    return None


def _line(node: Any) -> int:
    return int(node.start_point[0]) + 1


def _function_name(node: Any) -> str:
    """The name a function is known by: its own, its variable's, its property's or export's."""
    named = node.child_by_field_name("name")
    if named is not None:
        return _text(named)
    parent = node.parent
    while parent is not None and parent.type in WRAPPERS | {"call_expression", "arguments"}:
        parent = parent.parent  # export const handler = middy(async () => ...)
    if parent is None:
        return "<anonymous>"
    if parent.type == "variable_declarator":
        return _text(parent.child_by_field_name("name"))
    if parent.type in {"assignment_expression", "pair"}:
        target = parent.child_by_field_name("left") or parent.child_by_field_name("key")
        if target is not None and target.type == "member_expression":
            return _text(target.child_by_field_name("property"))
        return _text(target)
    return "<anonymous>"


class _Reader:
    def __init__(self, facts: FileFacts, source: bytes) -> None:
        self.facts = facts
        self.source = source
        self.module_env: dict[str, str] = {}
        self.module_literals: dict[str, str] = {}
        self.clients: set[str] = set()
        """Variables bound to a Momento client (``const client = await getMomentoClient()``)."""

    def functions_around(self, node: Any) -> list[Any]:
        found = []
        current = node.parent
        while current is not None:
            if current.type in FUNCTION_TYPES:
                found.append(current)
            current = current.parent
        return found

    def outer_name(self, node: Any) -> str | None:
        around = self.functions_around(node)
        return _function_name(around[-1]) if around else None

    def declared_in(self, functions: list[Any]) -> set[str]:
        names: set[str] = set()
        for function in functions:
            stack = [function]
            while stack:
                current = stack.pop()
                if current.type == "variable_declarator":
                    target = current.child_by_field_name("name")
                    if target is not None and target.type == "identifier":
                        names.add(_text(target))
                elif current.type in {"formal_parameters", "required_parameter", "optional_parameter"}:
                    names.update(_text(c) for c in current.named_children if c.type == "identifier")
                    stack.extend(c for c in current.named_children if c.type != "identifier")
                    continue
                stack.extend(current.named_children)
        return names

    def lift(self, node: Any) -> Any:
        """Through a callback (``p.then((out) => CacheClient.create(...))``): the call taking it, whose
        result is the client."""
        while True:
            parent = node.parent
            while parent is not None and parent.type in WRAPPERS:
                node, parent = parent, parent.parent
            function = None
            if parent is not None and parent.type == "arrow_function" and parent.child_by_field_name("body") == node:
                function = parent
            elif parent is not None and parent.type == "return_statement":
                around = self.functions_around(parent)
                function = around[0] if around else None
            if function is None or function.parent is None or function.parent.type != "arguments":
                return node
            node = function.parent.parent

    def stored(self, node: Any) -> bool:
        """The value of ``node`` outlives the call: module scope, an outer variable, a property, ``??=``."""
        node = self.lift(node)
        functions = self.functions_around(node)
        if not functions:
            return True
        parent = node.parent
        while parent is not None and parent.type in WRAPPERS:
            node, parent = parent, parent.parent
        if parent is None:
            return False
        if parent.type == "augmented_assignment_expression":
            return True
        if parent.type == "variable_declarator":
            target = parent.child_by_field_name("name")
            return target is not None and self.handed_on(_text(target), functions)
        if parent.type == "assignment_expression" and parent.child_by_field_name("right") == node:
            target = parent.child_by_field_name("left")
            if target is None:
                return False
            if target.type in {"member_expression", "subscript_expression"}:
                return True
            return _text(target) not in self.declared_in(functions)
        if parent.type == "binary_expression" and _text(parent.child_by_field_name("operator")) in {"??", "||"}:
            grand = parent.parent
            if grand is not None and grand.type == "assignment_expression":
                target = grand.child_by_field_name("left")
                return target is not None and (
                    target.type == "member_expression" or _text(target) not in self.declared_in(functions)
                )
        return False

    def handed_on(self, name: str, functions: list[Any]) -> bool:
        """``const c = new CacheClient(...); cached = c;`` with ``cached`` outside the function (or a property)."""
        declared = self.declared_in(functions)
        stack = [functions[-1]]
        while stack:
            current = stack.pop()
            if current.type == "assignment_expression" and _text(current.child_by_field_name("right")) == name:
                target = current.child_by_field_name("left")
                if target is not None and (target.type == "member_expression" or _text(target) not in declared):
                    return True
            stack.extend(current.named_children)
        return False

    def env_name(self, node: Any) -> str | None:
        """``process.env.X`` / ``process.env["X"]`` / a module constant bound to one."""
        if node is None:
            return None
        while node.type in WRAPPERS or node.type == "binary_expression":
            if node.type == "binary_expression":
                node = node.child_by_field_name("left")
            else:
                node = node.named_children[0] if node.named_children else None
            if node is None:
                return None
        if node.type == "member_expression" and _text(node.child_by_field_name("object")) == "process.env":
            return _text(node.child_by_field_name("property"))
        if node.type == "subscript_expression" and _text(node.child_by_field_name("object")) == "process.env":
            return _string(node.child_by_field_name("index"))
        if node.type in {"identifier", "shorthand_property_identifier"}:
            return self.module_env.get(_text(node))
        return None

    def literal(self, node: Any) -> str | None:
        if node is not None and node.type in {"identifier", "shorthand_property_identifier"}:
            return self.module_literals.get(_text(node))
        return _string(node)

    def object_value(self, node: Any, key: str) -> Any:
        """The value of ``key`` in an object literal (``{SecretId: x}``, shorthand ``{SecretId}``)."""
        if node is None or node.type != "object":
            return None
        for child in node.named_children:
            if child.type == "pair" and _text(child.child_by_field_name("key")).strip("'\"") == key:
                return child.child_by_field_name("value")
            if child.type == "shorthand_property_identifier" and _text(child) == key:
                return child
        return None

    def read(self, captures: dict[str, list[Any]]) -> None:
        facts = self.facts
        for declarator in captures.get("declarator", []):
            target, value = declarator.child_by_field_name("name"), declarator.child_by_field_name("value")
            if target is not None and target.type == "identifier" and _is_client_value(value):
                self.clients.add(_text(target))
            if self.functions_around(declarator):
                continue
            target, value = declarator.child_by_field_name("name"), declarator.child_by_field_name("value")
            if target is not None and target.type == "identifier" and (env := self.env_name(value)):
                self.module_env[_text(target)] = env
            elif target is not None and target.type == "identifier" and (literal := _string(value)) is not None:
                self.module_literals[_text(target)] = literal
            elif target is not None and target.type == "object_pattern" and _text(value) == "process.env":
                for part in target.named_children:
                    if part.type == "shorthand_property_identifier_pattern":
                        self.module_env[_text(part)] = _text(part)
                        facts.env_reads.add(_text(part))
        for node in captures.get("constant", []):
            if not self.functions_around(node):  # SECRET_ID = "prod/momento" at module scope
                value = _string(node.child_by_field_name("right"))
                if value is not None:
                    self.module_literals[_text(node.child_by_field_name("left"))] = value
        for node in captures.get("source", []):
            self.imported(_string(node) or "")
        for node in captures.get("fname", []):
            facts.functions.add(_text(node))
        for node in captures.get("declared", []):
            value = node.parent.child_by_field_name("value") if node.parent is not None else None
            if value is not None and value.type in FUNCTION_TYPES | {"call_expression"}:
                facts.functions.add(_text(node))
        for node in captures.get("member", []):
            obj = _text(node.child_by_field_name("object"))
            if obj == "Configurations":
                facts.presets.append((_line(node), _text(node.child_by_field_name("property"))))
            elif obj == "process" and _text(node.child_by_field_name("property")) == "env":
                parent = node.parent
                if parent is not None and (env := self.env_name(parent)):
                    facts.env_reads.add(env)
        for node in captures.get("new", []):
            self.constructed(node)
        for node in captures.get("call", []):
            self.called(node)
        for node in captures.get("statement_call", []):
            self.dropped(node)

    def imported(self, source: str) -> None:
        if source.startswith("@gomomento/") or (source.startswith("@langchain/") and "momento" in source):
            self.facts.momento = True
        elif source.startswith((".", "/opt/")):
            self.facts.imports.append(source)

    def constructed(self, node: Any) -> None:
        facts = self.facts
        name = _text(node.child_by_field_name("constructor"))
        last = name.rsplit(".", 1)[-1]
        arguments = node.child_by_field_name("arguments")
        if last in CLIENT_CLASSES:
            facts.creations.append(Creation(_line(node), f"new {last}", self.outer_name(node), self.stored(node)))
            first = arguments.named_children[0] if arguments is not None and arguments.named_children else None
            if (
                last in CONFIGURED_CLIENTS
                and first is not None
                and first.type == "object"
                and self.object_value(first, "configuration") is None
            ):
                facts.unconfigured.append(_line(node))
        elif last in {"SecretsManagerClient", "SecretsManager"}:
            text = _text(arguments)
            timeouts = any(w in text for w in TIMEOUT_WORDS)
            problem = request_timeout_problem(text) if last == "SecretsManagerClient" else None
            facts.secrets_clients.append(
                SecretsClient(_line(node), timeouts and problem is None, f"new {last}", problem)
            )
        elif last == "GetSecretValueCommand":
            first = arguments.named_children[0] if arguments is not None and arguments.named_children else None
            value = self.object_value(first, "SecretId")
            facts.secret_reads.append(
                SecretRead(_line(node), "GetSecretValueCommand", self.env_name(value), self.literal(value))
            )

    def called(self, node: Any) -> None:
        facts = self.facts
        callee = node.child_by_field_name("function")
        arguments = node.child_by_field_name("arguments")
        args = arguments.named_children if arguments is not None else []
        first = args[0] if args else None
        name = _text(callee)
        if callee is None:
            return
        if callee.type == "import" or name == "require":
            if first is not None and (source := _string(first)) is not None:
                self.imported(source)
            return
        last = name.rsplit(".", 1)[-1]
        if callee.type == "member_expression" and _text(callee.child_by_field_name("object")) in CLIENT_CLASSES:
            if last.startswith("create"):
                facts.creations.append(Creation(_line(node), name, self.outer_name(node), self.stored(node)))
                if first is not None and first.type == "object" and self.object_value(first, "configuration") is None:
                    facts.unconfigured.append(_line(node))
            return
        if callee.type == "identifier":
            facts.calls.append(Call(name, _line(node), self.outer_name(node), self.stored(node)))
        if last == "getSecretValue" and callee.type == "member_expression":
            value = self.object_value(first, "SecretId")
            facts.secret_reads.append(
                SecretRead(_line(node), "getSecretValue", self.env_name(value), self.literal(value))
            )
        elif name == "getSecret" and first is not None:
            facts.secret_reads.append(
                SecretRead(_line(node), "Powertools getSecret", self.env_name(first), self.literal(first))
            )
            facts.secrets_clients.append(SecretsClient(_line(node), False, "Powertools getSecret"))
        elif name.startswith("CredentialProvider.from"):
            variable: str | None = None
            if last in {"fromEnvironmentVariable", "fromEnvVar", "fromEnvironmentVariables"}:
                variable = _string(first) or _string(self.object_value(first, "environmentVariableName"))
                variable = variable or "MOMENTO_API_KEY"
            else:
                for key in ("apiKey", "authToken"):
                    variable = variable or self.env_name(self.object_value(first, key))
                variable = variable or self.env_name(first)
            if variable:
                facts.env_keys.append((_line(node), variable, name))

    def dropped(self, node: Any) -> None:
        """A Momento call as a statement of its own: its promise is neither awaited nor returned."""
        callee = node.child_by_field_name("function")
        if callee is None or callee.type != "member_expression" or not self.functions_around(node):
            return
        method = _text(callee.child_by_field_name("property"))
        receiver = _text(callee.child_by_field_name("object"))
        if method in MOMENTO_METHODS and (receiver in self.clients or "momento" in receiver.lower()):
            self.facts.unawaited.append((_line(node), f"{receiver}.{method}"))


def _is_client_value(node: Any) -> bool:
    """A Momento client construction, or a call of an accessor named like one (``getCacheClient()``)."""
    while node is not None and node.type in WRAPPERS:
        node = node.named_children[0] if node.named_children else None
    if node is None or node.type not in {"call_expression", "new_expression"}:
        return False
    callee = _text(node.child_by_field_name("function") or node.child_by_field_name("constructor"))
    if any(callee.startswith(c) or callee == f"new {c}" for c in CLIENT_CLASSES):
        return True
    lowered = callee.rsplit(".", 1)[-1].lower()
    return "momento" in lowered or ("client" in lowered and ("cache" in lowered or "topic" in lowered))


def _walk(node: Any) -> Any:
    """Every node under ``node`` (depth first, iterative)."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(current.children))


def _unwrapped_parent(node: Any) -> tuple[Any, Any]:
    """(the node as its consumer sees it, that consumer) through ``await`` and parentheses."""
    parent = node.parent
    while parent is not None and parent.type in WRAPPERS:
        node, parent = parent, parent.parent
    return node, parent


def _pattern_names(pattern: Any) -> set[str]:
    """The property names an object pattern takes (``{a, b: c}`` -> a, b)."""
    names = set()
    for part in pattern.named_children:
        if part.type == "shorthand_property_identifier_pattern":
            names.add(_text(part))
        elif part.type in {"pair_pattern", "object_assignment_pattern"}:
            key = part.child_by_field_name("key") or part.child_by_field_name("left")
            names.add(_text(key))
    return names


def _import_members(root: Any, captures: dict[str, list[Any]], local: set[str]) -> dict[str, frozenset[str] | None]:
    """Per local import, the names used from it; ``None`` when the module is used another way."""
    members: dict[str, set[str] | None] = {}
    bindings: dict[str, str] = {}
    binders: set[Any] = set()

    def add(spec: str, names: set[str] | None) -> None:
        known = members.get(spec, set())
        members[spec] = None if names is None or known is None else known | names

    for call in captures.get("call", []):
        callee = call.child_by_field_name("function")
        arguments = call.child_by_field_name("arguments")
        first = arguments.named_children[0] if arguments is not None and arguments.named_children else None
        spec = _string(first)
        if callee is None or spec not in local:
            continue
        if callee.type == "import":
            add(spec, None)
            continue
        if _text(callee) != "require":
            continue
        node, parent = _unwrapped_parent(call)
        if parent is not None and parent.type == "variable_declarator" and parent.child_by_field_name("value") == node:
            target = parent.child_by_field_name("name")
            if target is not None and target.type == "identifier":
                bindings[_text(target)] = spec
                binders.add(target)
                members.setdefault(spec, set())
                continue
            if target is not None and target.type == "object_pattern":
                add(spec, _pattern_names(target))
                continue
        if parent is not None and parent.type == "member_expression" and parent.child_by_field_name("object") == node:
            add(spec, {_text(parent.child_by_field_name("property"))})
            continue
        add(spec, None)
    for source in captures.get("source", []):
        spec = _string(source)
        statement = source.parent
        if spec not in local or statement is None or statement.type != "import_statement":
            if spec in local:
                add(spec, None)  # export ... from: re-exported, used by whoever imports this file
            continue
        clause = next((c for c in statement.named_children if c.type == "import_clause"), None)
        if clause is None:
            add(spec, None)
            continue
        for part in clause.named_children:
            if part.type == "identifier":
                bindings[_text(part)] = spec
                binders.add(part)
                members.setdefault(spec, set())
            elif part.type == "namespace_import":
                for name in part.named_children:
                    bindings[_text(name)] = spec
                    binders.add(name)
                    members.setdefault(spec, set())
            elif part.type == "named_imports":
                add(
                    spec,
                    {
                        _text(spec_node.child_by_field_name("name"))
                        for spec_node in part.named_children
                        if spec_node.type == "import_specifier"
                    },
                )
    if bindings:
        for node in _walk(root):
            if node.type != "identifier" or node in binders:
                continue
            name = _text(node)
            if name not in bindings:
                continue
            parent = node.parent
            if (
                parent is not None
                and parent.type == "member_expression"
                and parent.child_by_field_name("object") == node
            ):
                add(bindings[name], {_text(parent.child_by_field_name("property"))})
            else:
                add(bindings[name], None)
    return {spec: None if names is None else frozenset(names) for spec, names in members.items()}


def _export_target(node: Any) -> str | None:
    """``X`` for ``exports.X`` / ``module.exports.X``."""
    if node is None or node.type != "member_expression":
        return None
    obj = _text(node.child_by_field_name("object"))
    return _text(node.child_by_field_name("property")) if obj in {"exports", "module.exports"} else None


def _references(node: Any) -> set[str]:
    """Identifiers under ``node``, and ``exports.X`` as ``exports.X``."""
    found = set()
    for current in _walk(node):
        if current.type == "identifier":
            found.add(_text(current))
        elif (target := _export_target(current)) is not None:
            found.add(f"exports.{target}")
    return found


def _momento_exports(root: Any) -> dict[str, bool] | None:
    """Each export of the module -> whether its definition reaches a name bound from the SDK
    (through the module's own top-level functions, variables and exports)."""
    sdk: set[str] = set()
    definitions: dict[str, Any] = {}
    """Top-level name (``exports.X`` for an export) -> its definition node."""
    exported: dict[str, str] = {}
    """Export name -> the definition key it stands for."""
    for statement in root.named_children:
        node = statement
        is_export = node.type == "export_statement"
        if is_export:
            declaration = node.child_by_field_name("declaration")
            if declaration is None:
                clause = next((c for c in node.named_children if c.type == "export_clause"), None)
                for spec in clause.named_children if clause is not None else []:
                    name = _text(spec.child_by_field_name("name"))
                    alias = spec.child_by_field_name("alias")
                    exported[_text(alias) if alias is not None else name] = name
                value = node.child_by_field_name("value")
                if value is not None:
                    definitions["exports.default"] = value
                    exported["default"] = "exports.default"
                continue
            node = declaration
        if node.type == "import_statement":
            source = _string(node.child_by_field_name("source"))
            if source is not None and source.startswith("@gomomento/"):
                sdk.update(_text(n) for n in _walk(node) if n.type == "identifier")
            continue
        if node.type in {"function_declaration", "generator_function_declaration", "class_declaration"}:
            name = _text(node.child_by_field_name("name"))
            definitions[name] = node
            if is_export:
                exported[name] = name
            continue
        if node.type in {"lexical_declaration", "variable_declaration"}:
            for declarator in node.named_children:
                if declarator.type != "variable_declarator":
                    continue
                target, value = declarator.child_by_field_name("name"), declarator.child_by_field_name("value")
                if target is None or value is None:
                    continue
                text = _text(value)
                if "require(" in text and "@gomomento/" in text:
                    sdk.update(
                        _text(n)
                        for n in _walk(target)
                        if n.type in {"identifier", "shorthand_property_identifier_pattern"}
                    )
                    continue
                if target.type == "identifier":
                    definitions[_text(target)] = value
                    if is_export:
                        exported[_text(target)] = _text(target)
            continue
        if node.type == "expression_statement" and node.named_children:
            expression = node.named_children[0]
            if expression.type != "assignment_expression":
                continue
            left, right = expression.child_by_field_name("left"), expression.child_by_field_name("right")
            if (target_name := _export_target(left)) is not None:
                definitions[f"exports.{target_name}"] = right
                exported[target_name] = f"exports.{target_name}"
            elif _text(left) == "module.exports":
                if right is None or right.type != "object":
                    return None
                for pair in right.named_children:
                    if pair.type == "pair":
                        key = _text(pair.child_by_field_name("key")).strip("'\"")
                        definitions[f"exports.{key}"] = pair.child_by_field_name("value")
                        exported[key] = f"exports.{key}"
                    elif pair.type == "shorthand_property_identifier":
                        exported[_text(pair)] = _text(pair)
                    elif pair.type == "method_definition":
                        key = _text(pair.child_by_field_name("name"))
                        definitions[f"exports.{key}"] = pair
                        exported[key] = f"exports.{key}"
    references = {name: _references(node) for name, node in definitions.items()}
    reaches = {name for name, refs in references.items() if refs & sdk}
    changed = True
    while changed:
        changed = False
        for name, refs in references.items():
            if name not in reaches and refs & reaches:
                reaches.add(name)
                changed = True
    return {export: key in reaches or key in sdk for export, key in exported.items()}


def _first_error_line(root: Any) -> int | None:
    """The 1-based line of the first ERROR or MISSING node (tree-sitter's error recovery)."""
    stack = [root]
    while stack:
        node = stack.pop()
        if node.type == "ERROR" or node.is_missing:
            return int(node.start_point[0]) + 1
        stack.extend(child for child in reversed(node.children) if child.has_error or child.is_missing)
    return None


def facts(path: Path, data: bytes) -> FileFacts:
    import tree_sitter

    with _PARSE_LOCK:
        parser, query = _parser(path.suffix)
        tree = parser.parse(data)
        captures = tree_sitter.QueryCursor(query).captures(tree.root_node)
        result = FileFacts(path, "node")
        if tree.root_node.has_error:
            line = _first_error_line(tree.root_node)
            result.error = "does not parse" + (f" (line {line})" if line else "")
            result.error_line = line
        _Reader(result, data).read(captures)
        if result.imports:
            result.import_members = _import_members(tree.root_node, captures, set(result.imports))
        if result.momento:
            result.momento_exports = _momento_exports(tree.root_node)
    return result
