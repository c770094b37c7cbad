"""The framework seam: no framework branch outside ``frameworks/`` and ``catalog.py``, and one
complete adapter per framework of the catalog.

A comparison (``==``, ``!=``, ``is``, ``in`` and their negations), a ``match`` or a dict
literal's key that involves a framework (the catalog's ``SAM`` / ``SERVERLESS`` or any alias of
them, the strings ``"sam"`` / ``"serverless"``, a ``.framework`` attribute) is a branch a new
framework would fall through silently: ask the project's adapter instead
(``momento_lambda_cli.frameworks.adapter_for(project)``). Comparing ``.framework`` with ``None``
(is there a project at all?) is not a branch on the framework.
"""

from __future__ import annotations

import ast
import inspect
from dataclasses import fields
from pathlib import Path

import pytest

from momento_lambda_cli import catalog, frameworks
from momento_lambda_cli.frameworks.base import FrameworkAdapter, Wording

PACKAGE = Path(__file__).resolve().parents[1] / "momento_lambda_cli"
EXEMPT = ("frameworks/", "catalog.py")
"""Where framework facts and branches belong."""

ALLOWED: frozenset[str] = frozenset()
"""``path:line`` of branches not moved behind the seam yet (only ever shrinks)."""

FRAMEWORK_NAMES = frozenset(f.name for f in catalog.FRAMEWORKS)
FRAMEWORK_CONSTANTS = frozenset(
    name for name, value in vars(catalog).items() if isinstance(value, catalog.Framework)
) | {"SAM", "SERVERLESS"}


def _is_framework(node: ast.AST) -> bool:
    """``node`` names a framework: a framework constant (or an attribute of one), a framework's
    name as a string, a ``framework`` variable or attribute, or a literal collection of those."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and node.value in FRAMEWORK_NAMES
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return any(_is_framework(e) for e in node.elts)
    if isinstance(node, ast.Name):
        return node.id in FRAMEWORK_CONSTANTS or node.id == "framework"
    if isinstance(node, ast.Attribute):
        return node.attr in FRAMEWORK_CONSTANTS or node.attr == "framework" or _is_framework(node.value)
    return False


def _is_none(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


BRANCH_OPS = (ast.Eq, ast.NotEq, ast.Is, ast.IsNot, ast.In, ast.NotIn)


def framework_branches(source: str, filename: str = "<snippet>") -> list[str]:
    """``filename:line: what`` for every framework branch in ``source``."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.Compare) and all(isinstance(op, BRANCH_OPS) for op in node.ops):
            operands = [node.left, *node.comparators]
            if any(_is_none(o) for o in operands):
                continue
            if any(_is_framework(o) for o in operands):
                found.append(f"{filename}:{node.lineno}: compares {ast.unparse(node)}")
        elif isinstance(node, ast.Match):
            patterns = [c.pattern for c in node.cases]
            values = [p.value for pattern in patterns for p in ast.walk(pattern) if isinstance(p, ast.MatchValue)]
            if _is_framework(node.subject) or any(_is_framework(v) for v in values):
                found.append(f"{filename}:{node.lineno}: match on {ast.unparse(node.subject)}")
        elif isinstance(node, ast.Dict) and any(  # a table keyed by SAM ("sam" is also the CLI's name)
            k is not None and not isinstance(k, ast.Constant) and _is_framework(k) for k in node.keys
        ):
            found.append(f"{filename}:{node.lineno}: a dict keyed by framework")
    return found


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if not p.relative_to(PACKAGE).as_posix().startswith(EXEMPT))


def test_no_framework_branch_outside_the_adapters() -> None:
    found: list[str] = []
    for path in _modules():
        name = path.relative_to(PACKAGE.parent).as_posix()
        found += framework_branches(path.read_text(encoding="utf-8"), name)
    left = [f for f in found if ":".join(f.split(":")[:2]) not in ALLOWED]
    assert not left, "framework branches outside frameworks/ (ask the adapter instead):\n" + "\n".join(left)


def test_the_allow_list_only_names_branches_that_are_still_there() -> None:
    found = set()
    for path in _modules():
        name = path.relative_to(PACKAGE.parent).as_posix()
        found |= {":".join(f.split(":")[:2]) for f in framework_branches(path.read_text(encoding="utf-8"), name)}
    assert sorted(ALLOWED - found) == [], "moved behind the seam: remove these from ALLOWED"


@pytest.mark.parametrize(
    "snippet",
    [
        "if project.framework == SAM:\n    pass",
        "x = 1 if project.framework != SAM else 2",
        'if answers.framework == "serverless":\n    pass',
        'if framework != "sam":\n    pass',
        "if found.framework == project.SERVERLESS:\n    pass",
        "ok = project.framework == catalog.SAM.name",
        "ok = framework is catalog.SERVERLESS",
        'ok = answers.get("framework") in {"sam", "serverless"}',
        'ok = name in ("sam",)',
        "ok = catalog.CDK.name == project.framework",
        "match project.framework:\n    case 'sam':\n        pass",
        "match kind:\n    case catalog.SAM.name:\n        pass",
        'HINT = {SAM: "Run `sam build` first.", "serverless": "x"}',
    ],
)
def test_a_planted_branch_is_found(snippet: str) -> None:
    found = framework_branches(snippet, "planted.py")
    assert found and found[0].startswith("planted.py:"), snippet


@pytest.mark.parametrize(
    "snippet",
    [
        "if found.framework is not None:\n    pass",
        "if framework is None:\n    pass",
        "adapter = frameworks.adapter(project.framework)",
        "ok = name in adapter_for(project).keeps_rendered(answers)",
        'ok = runtime.language == "python"',
        'print(f"{answers.framework}")',
    ],
)
def test_asking_the_adapter_is_not_a_branch(snippet: str) -> None:
    assert framework_branches(snippet) == []


def test_the_guard_names_file_and_line() -> None:
    found = framework_branches("a = 1\n\nif p.framework == SAM:\n    pass\n", "momento_lambda_cli/x.py")
    assert found == ["momento_lambda_cli/x.py:3: compares p.framework == SAM"]


# --- the adapters --------------------------------------------------------------------------


def _adapter_classes() -> list[type[FrameworkAdapter]]:
    frameworks.adapters()  # imports every adapter module

    def walk(cls: type[FrameworkAdapter]) -> list[type[FrameworkAdapter]]:
        return [c for sub in cls.__subclasses__() for c in (sub, *walk(sub))]

    return walk(FrameworkAdapter)


def test_every_framework_of_the_catalog_has_exactly_one_adapter() -> None:
    classes = [c for c in _adapter_classes() if not inspect.isabstract(c)]
    by_framework = sorted(c.framework.name for c in classes)
    assert by_framework == sorted(f.name for f in catalog.FRAMEWORKS)
    assert frameworks.names() == tuple(f.name for f in catalog.FRAMEWORKS)
    for framework in catalog.FRAMEWORKS:
        assert frameworks.adapter(framework.name).framework is framework


def _interface_attributes() -> set[str]:
    annotations: set[str] = set()
    for cls in FrameworkAdapter.__mro__:
        annotations |= set(getattr(cls, "__annotations__", {}))
    return annotations


@pytest.mark.parametrize("name", [f.name for f in catalog.FRAMEWORKS])
def test_each_adapter_implements_the_whole_interface(name: str) -> None:
    one = frameworks.adapter(name)
    assert not inspect.isabstract(type(one)), sorted(getattr(type(one), "__abstractmethods__", ()))
    for attribute in _interface_attributes():
        assert hasattr(one, attribute), f"{type(one).__name__} lacks {attribute}"
    for method in FrameworkAdapter.__abstractmethods__:
        implementation = getattr(type(one), method)
        assert implementation is not getattr(FrameworkAdapter, method), method
        assert inspect.signature(implementation) == inspect.signature(getattr(FrameworkAdapter, method)), method
    assert isinstance(one.wording, Wording)
    for field in fields(Wording):
        assert getattr(one.wording, field.name), f"{name}: wording.{field.name} is empty"


def test_unknown_framework_is_a_loud_error() -> None:
    with pytest.raises(KeyError, match="no framework adapter for 'pulumi'"):
        frameworks.adapter("pulumi")


def test_a_framework_reads_the_commands_it_names_and_refuses_the_others(tmp_path: Path) -> None:
    """CDK apps: `doctor` (cdk.out), `add` (the stack source), `store-token` and `update` read
    them; `doctor --fix` (it edits YAML templates) is refused by the adapter's per-command
    capability instead of another framework reading cdk.json's folder."""
    from momento_lambda_cli.errors import UsageError

    (tmp_path / "cdk.json").write_text('{"app": "npx tsx infra/app.ts"}')
    found = frameworks.detect(tmp_path)
    assert found is not None and found.name == "cdk" and not found.reads_projects
    for command in ("doctor", "add", "store-token", "update"):
        assert found.reads(command), command
        found.refuse(tmp_path, command)  # nothing to refuse
    assert not found.reads("doctor --fix")
    with pytest.raises(UsageError, match="does not support AWS CDK projects yet") as refused:
        found.refuse(tmp_path, "doctor --fix")
    assert refused.value.code == "project.cdk-not-supported"
    for one in frameworks.adapters():
        if one.reads_projects:
            assert one.reads("doctor --fix")
            one.refuse(tmp_path, "doctor --fix")  # nothing to refuse
    (tmp_path / "serverless.yml").write_text("service: x\n")
    assert frameworks.detect(tmp_path).name == "serverless"  # type: ignore[union-attr]  # cdk.json ranks last


def test_detection_ranks_the_adapters(tmp_path: Path) -> None:
    assert frameworks.detect(tmp_path) is None
    (tmp_path / "serverless.yml").write_text("service: s\n")
    (tmp_path / "template.yaml").write_text("Resources: {}\n")  # plain CloudFormation beside it
    detected = frameworks.detect(tmp_path)
    assert detected is not None and detected.framework is catalog.SERVERLESS
    (tmp_path / "template.yaml").write_text("Transform: AWS::Serverless-2016-10-31\nResources: {}\n")
    detected = frameworks.detect(tmp_path)
    assert detected is not None and detected.framework is catalog.SAM
