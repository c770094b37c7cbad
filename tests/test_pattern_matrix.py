"""Every pattern x framework x language renders, lints and points each function at a handler file
the project has: cfn-lint on every SAM template (unit), `sam validate --lint` on every SAM
project and `osls package` on every Node.js Serverless project, checking each function's
artifact holds its handler (slow). The per-pattern files prove behaviour; this one proves the
combinations (a template conditional that only one combination reaches is caught here)."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pytest

from momento_lambda_cli import catalog
from tests.support.generated import npm_install, render

LANGUAGES = {"python": "python3.12", catalog.JAVASCRIPT: "nodejs22.x", catalog.TYPESCRIPT: "nodejs24.x"}
COMBOS = [
    (pattern.name, framework, language)
    for pattern in catalog.PATTERNS
    for framework in catalog.DOCTOR_FRAMEWORK_NAMES  # CDK: tests/test_new_cdk.py, tests/test_generated_cdk.py
    for language in LANGUAGES
    if (catalog.PYTHON if language == "python" else catalog.NODE) in pattern.languages
]


def _render(tmp_path: Path, pattern: str, framework: str, language: str) -> Path:
    extra = {} if language == "python" else {"language": language}
    return render(tmp_path, runtime=LANGUAGES[language], framework=framework, pattern=pattern, **extra)


def _sam_handler_files(project: Path) -> dict[str, str]:
    """Each SAM function's handler file, resolved as SAM / esbuild find it."""
    from tests.support.generated import template_documents

    found = {}
    for key, resource in template_documents(project)["Resources"].items():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        properties = resource["Properties"]
        module = properties["Handler"].rsplit(".", 1)[0]
        if "Metadata" in resource:  # TypeScript: esbuild's entry point is the handler's source
            (entry,) = resource["Metadata"]["BuildProperties"]["EntryPoints"]
            assert Path(entry).stem == module, (key, entry, module)
            found[key] = entry
        elif properties["Runtime"].startswith("python"):
            found[key] = f"{properties['CodeUri'].rstrip('/')}/{module}.py"
        else:
            found[key] = f"{module}.mjs"
    return found


def _serverless_handler_files(project: Path, typescript: bool) -> dict[str, str]:
    from ruamel.yaml import YAML

    functions = YAML(typ="safe", pure=True).load((project / "serverless.yml").read_text())["functions"]
    suffix = ".py" if (project / "src" / "momento_client.py").is_file() else ".ts" if typescript else ".mjs"
    return {name: spec["handler"].rsplit(".", 1)[0] + suffix for name, spec in functions.items()}


@pytest.mark.parametrize(("pattern", "framework", "language"), COMBOS)
def test_every_combination_renders_and_each_function_has_its_handler_file(tmp_path, pattern, framework, language):
    project = _render(tmp_path, pattern, framework, language)
    if framework == catalog.SAM.name:
        handlers = _sam_handler_files(project)
        from cfnlint.api import lint_all

        matches = lint_all((project / "template.yaml").read_text())
        assert not [m for m in matches if m.rule.id.startswith(("E", "W"))], matches
    else:
        handlers = _serverless_handler_files(project, language == catalog.TYPESCRIPT)
    assert handlers
    for function, path in handlers.items():
        assert (project / path).is_file(), (function, path, sorted(p.name for p in (project / "src").iterdir()))


SAM_COMBOS = [c for c in COMBOS if c[1] == catalog.SAM.name]
NODE_SERVERLESS_COMBOS = [
    (pattern.name, catalog.SERVERLESS.name, (catalog.JAVASCRIPT, catalog.TYPESCRIPT)[i % 2])
    for i, pattern in enumerate(p for p in catalog.PATTERNS if catalog.NODE in p.languages)
    if pattern is not catalog.CACHE_ASIDE
]
"""One Node.js language per pattern (alternating JavaScript and TypeScript; the unit test above
checks every combination's handler files): `osls package` is the tier's most expensive step, and
cache-aside's packages are proved in test_generated_serverless.py (JavaScript) and
test_typescript.py (TypeScript)."""


@pytest.mark.slow
@pytest.mark.parametrize(("pattern", "framework", "language"), SAM_COMBOS)
def test_sam_validate_lint_on_every_sam_combination(tmp_path, pattern, framework, language):
    from tests.test_generated_sam import sam

    project = _render(tmp_path, pattern, framework, language)
    assert "is a valid SAM Template" in sam(project, "validate", "--lint").stdout


@pytest.mark.slow
@pytest.mark.parametrize(("pattern", "framework", "language"), NODE_SERVERLESS_COMBOS)
def test_osls_packages_every_node_serverless_combination(tmp_path, pattern, framework, language):
    from tests.test_generated_serverless import package

    project = _render(tmp_path, pattern, framework, language)
    npm_install(project)
    template, _calls = package(project, tmp_path)
    resources: dict[str, Any] = template["Resources"]
    functions = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::Lambda::Function"]
    handlers = _serverless_handler_files(project, language == catalog.TYPESCRIPT)
    assert sorted(f["Handler"] for f in functions) == sorted(
        h.rsplit(".", 1)[0] + ".handler" for h in handlers.values()
    )
    archives = list((project / ".serverless").glob("*.zip"))
    names = {n for archive in archives for n in zipfile.ZipFile(archive).namelist()}
    for path in handlers.values():  # TypeScript: serverless-esbuild's bundle of the .ts handler
        built = path.rsplit(".", 1)[0] + ".mjs"
        assert built in names, (built, sorted(names)[:20])
