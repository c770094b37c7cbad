"""`add` then `update`: `add` records the client modules it copied from the template
(``generated_by: add``, ``managed_files`` with each module's template version and form), and
`update` to a newer template merges the template's changes into exactly those modules (the
user's own edits to them kept, the CommonJS form of a TypeScript module kept) and touches no
other file of the user's project: not the template, serverless.yml or package.json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from momento_lambda_cli import __version__
from momento_lambda_cli.scaffold import versions
from tests.support import add_projects
from tests.support.projects import write_tree
from tests.support.template_versions import ROOT, commit_all, tree
from tests.test_add_typescript import SAM_INIT_PACKAGE, SAM_INIT_TEMPLATE, SAM_INIT_TSCONFIG

NEWER = "99.0.0"
PY_OLD, PY_NEW = "SECRET_RETRY_AFTER_SECONDS = 10.0\n", "SECRET_RETRY_AFTER_SECONDS = 5.0\n"
TS_OLD, TS_NEW = "const SECRET_RETRY_AFTER_MS = 10_000;\n", "const SECRET_RETRY_AFTER_MS = 5_000;\n"


@pytest.fixture
def newer_template(monkeypatch) -> versions.TemplateSource:
    """The live template with a fix in both client modules and in the project files `new`
    renders (a stand-in for the next release; `add` ran against the live one)."""
    current = versions.live_source()
    files = dict(current.files)
    for path, old, new in [
        ("src/momento_client.py", PY_OLD, PY_NEW),
        ("src/momentoClient.ts", TS_OLD, TS_NEW),
        ("template.yaml", "Timeout: 10", "Timeout: 15"),
        ("serverless.yml", "timeout: 10", "timeout: 15"),
    ]:
        assert files[ROOT + path].count(old) >= 1, (path, old)
        files[ROOT + path] = files[ROOT + path].replace(old, new)
    source = versions.TemplateSource(version=NEWER, files=files, keep=current.keep)
    monkeypatch.setattr(versions, "live_source", lambda: source)
    return source


def _sam_typescript_commonjs(root: Path) -> Path:
    return write_tree(
        root / "sam-ts-cjs",
        {
            "template.yaml": SAM_INIT_TEMPLATE,
            "hello-world/app.ts": "export const lambdaHandler = async () => ({ statusCode: 200, body: '{}' });\n",
            "hello-world/package.json": SAM_INIT_PACKAGE,
            "hello-world/tsconfig.json": SAM_INIT_TSCONFIG,
        },
    )


CASES = {
    "python": (lambda root: add_projects.make(root, "sam-hello-python"), "hello_world/momento_client.py", None),
    "typescript-commonjs": (_sam_typescript_commonjs, "hello-world/momentoClient.ts", "commonjs"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_update_after_add_changes_only_the_managed_module(tmp_path, run_cli, newer_template, case):
    make, module, form = CASES[case]
    project = make(tmp_path)
    result = run_cli("add", str(project), "--no-input")
    assert result.exit_code == 0, result.stdout + result.stderr
    answers = json.loads((project / ".momento-lambda.json").read_text())
    assert answers["generated_by"] == "add"
    expected_entry = {"template_file": module.replace("hello_world/", "src/").replace("hello-world/", "src/")}
    expected_entry["template_version"] = __version__
    if form:
        expected_entry["form"] = form
    assert answers["managed_files"] == {module: expected_entry}
    # The user's own line in the module, kept through the update.
    module_path = project / module
    comment = "# our team's note\n" if module.endswith(".py") else "// our team's note\n"
    module_path.write_text(comment + module_path.read_text())
    commit_all(project, "added Momento, then edited")
    before = tree(project)

    result = run_cli("update", str(project))
    assert result.exit_code == 0, result.stdout + result.stderr
    after = tree(project)
    changed = {path for path in before.keys() | after.keys() if before.get(path) != after.get(path)}
    assert changed == {module, ".momento-lambda.json"}
    text = module_path.read_text()
    assert text.startswith(comment)
    assert (PY_NEW if module.endswith(".py") else TS_NEW) in text
    if form:
        assert text.rstrip().endswith(") void prepareMomentoClient();")  # still the CommonJS form
    recorded = json.loads((project / ".momento-lambda.json").read_text())
    assert recorded["managed_files"][module]["template_version"] == NEWER
    assert "_template" not in recorded


def test_add_into_a_project_new_generated_records_no_managed_files(tmp_path, run_cli):
    """`update` manages every file of a `new` project already: `add`ing another function keeps
    the record as `new` wrote it."""
    assert run_cli("new", "demo", "--no-input", "--output-dir", str(tmp_path)).exit_code == 0
    project = tmp_path / "demo"
    answers = json.loads((project / ".momento-lambda.json").read_text())
    assert run_cli("add", str(project), "--no-input").exit_code == 0
    after = json.loads((project / ".momento-lambda.json").read_text())
    assert "generated_by" not in after and "managed_files" not in after
    assert after["_template"] == answers["_template"]


def test_a_module_the_user_wrote_is_not_managed(tmp_path, run_cli):
    project = add_projects.make(tmp_path, "sam-hello-python")
    (project / "hello_world/momento_client.py").write_text("# our own client\n")
    result = run_cli("add", str(project), "--no-input")
    assert result.exit_code == 0, result.stdout + result.stderr
    answers = json.loads((project / ".momento-lambda.json").read_text())
    assert answers["generated_by"] == "add" and answers["managed_files"] == {}


def test_add_into_a_project_0_1_0_generated_keeps_it_a_new_project(tmp_path, run_cli):
    """0.1.0's `new` recorded only `_tool_version` and the answers: `add` must not turn it into an
    added project (`update` would then stop managing the files `new` rendered)."""
    from tests.support.template_versions import released_project

    project = released_project(tmp_path)
    assert run_cli("add", str(project), "--no-input").exit_code == 0
    after = json.loads((project / ".momento-lambda.json").read_text())
    assert "generated_by" not in after and "managed_files" not in after
