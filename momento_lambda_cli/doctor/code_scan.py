"""Read a function's source for how it creates the Momento client.

Python: the AST (a ``CacheClient(...)`` / ``CacheClient.create(...)`` call inside the
handler, or inside a helper that does not keep it in a module-level variable). Node.js:
the exported handler's body (found by brace matching) holding ``CacheClient.create(`` /
``new CacheClient(`` without a ``??=`` / ``if (!client)`` guard.
"""

from __future__ import annotations

import ast
import re


def python_client_problems(tree: ast.AST, handler: str) -> tuple[bool, list[str]]:
    """(creates a client at all, problems) for one Python module."""
    problems: list[str] = []
    created = False
    parents: dict[ast.AST, ast.AST] = {}
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            parents[child] = node
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        owner = func.value.id if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) else ""
        if not (name == "CacheClient" or (owner == "CacheClient" and name in {"create", "create_async"})):
            continue
        created = True
        enclosing = parents.get(node)
        while enclosing is not None and not isinstance(enclosing, ast.FunctionDef | ast.AsyncFunctionDef):
            enclosing = parents.get(enclosing)
        if enclosing is None:
            continue  # module scope
        assert isinstance(enclosing, ast.FunctionDef | ast.AsyncFunctionDef)
        cached = any(isinstance(n, ast.Global) for n in ast.walk(enclosing)) or any(
            "cache" in ast.unparse(d) for d in enclosing.decorator_list
        )
        if enclosing.name == handler:
            problems.append(f"line {node.lineno}: CacheClient created inside the handler `{handler}`")
        elif not cached:
            problems.append(
                f"line {node.lineno}: CacheClient created in `{enclosing.name}()` without keeping it in a module-level variable"
            )
    return created, problems


NODE_HANDLER = re.compile(
    r"(?:export\s+(?:const|let|var)\s+(?P<n1>\w+)\s*=\s*(?:async\s*)?(?:\([^)]*\)|\w+)\s*=>\s*\{"
    r"|export\s+(?:async\s+)?function\s+(?P<n2>\w+)\s*\([^)]*\)\s*\{"
    r"|(?:module\.)?exports\.(?P<n3>\w+)\s*=\s*(?:async\s*)?(?:function\s*\w*\s*)?(?:\([^)]*\)|\w+)\s*(?:=>)?\s*\{)"
)
NODE_CREATE = re.compile(r"(?:CacheClient\.create|new\s+CacheClient)\s*\(")


def node_client_problems(text: str, handler: str) -> tuple[bool, list[str]]:
    created = bool(NODE_CREATE.search(text))
    problems = []
    for match in NODE_HANDLER.finditer(text):
        name = match.group("n1") or match.group("n2") or match.group("n3")
        if name != handler:
            continue
        start = match.end() - 1
        depth = 0
        end = len(text)
        for index in range(start, len(text)):
            if text[index] == "{":
                depth += 1
            elif text[index] == "}":
                depth -= 1
                if depth == 0:
                    end = index
                    break
        body = text[start:end]
        for create in NODE_CREATE.finditer(body):
            before = body[max(0, create.start() - 120) : create.start()]
            if "??=" in before or re.search(r"if\s*\(\s*!", before):
                continue  # lazily cached in an outer variable
            line = text.count("\n", 0, start + create.start()) + 1
            problems.append(f"line {line}: CacheClient created inside the exported handler `{handler}`")
    return created, problems
