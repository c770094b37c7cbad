"""`momento-lambda add` on existing projects in real-world shapes: the project checks of
`doctor --offline` pass on the added functions, a second run changes nothing, every byte the
edit does not need stays, --dry-run writes nothing, unsafe cases are refused with nothing written."""

from __future__ import annotations

import difflib
import json
from pathlib import Path

import pytest

from momento_lambda_cli.project import load_project
from tests.support import add_projects
from tests.support.doctor import run_doctor
from tests.support.projects import snapshot

PROJECT_CHECKS = [
    "project.framework",
    "project.runtime",
    "project.timeout",
    "iam.secret-access",
    "iam.kms-decrypt",
    "project.build-method",
    "code.client-reuse",
    "code.lambda-config",
    "code.secret-timeouts",
    "secret.no-plaintext-key",
    "project.no-local-override",
]
TIMEOUT_LINES = ("Timeout: 3", "Timeout: 10")


def _listed(line: str, added: set[str]) -> bool:
    key, _, value = line.partition(": ")
    return f"- {line}" in added or (bool(value) and f"{key}:" in added and f"- {value}" in added)


def _only_additions(before: bytes, after: bytes) -> list[str]:
    """Lines the edit removed or changed (besides the timeout it raises)."""
    old = before.decode().splitlines(keepends=True)
    new = after.decode().splitlines(keepends=True)
    problems = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if tag in ("replace", "delete"):
            removed = [line.strip() for line in old[i1:i2]]
            added = {line.strip() for line in new[j1:j2]}
            # the timeout raised to the floor; a JSON member that gets a comma before the new one; a
            # single policy made the first item of a list (a mapping's first key, a value on its key's line)
            if not all(
                line.startswith(TIMEOUT_LINES) or line + "," in added or _listed(line, added) for line in removed
            ):
                problems.append(f"{tag}: {old[i1:i2]!r} -> {new[j1:j2]!r}")
    return problems


def use_the_client(project: Path) -> None:
    """Each added function's handler imports the client module with the line `add` prints for it."""
    from momento_lambda_cli.retrofit.plan import AddOptions, plan_add

    loaded = load_project(project)
    added = json.loads((project / ".momento-lambda.json").read_text())["functions"]
    imports = plan_add(loaded, AddOptions(functions=tuple(added))).imports
    for function in loaded.functions:
        if function.key not in added or function.handler_file is None:
            continue
        path = function.handler_file
        data = path.read_bytes()
        newline = b"\r\n" if b"\r\n" in data else b"\n"
        line = imports[function.key]
        if line.encode() not in data:
            path.write_bytes(line.encode() + newline + data)


@pytest.mark.parametrize("shape", sorted(add_projects.SHAPES))
def test_add_then_doctor_passes_and_only_adds_lines(tmp_path, run_cli, shape):
    project = add_projects.make(tmp_path, shape)
    before = snapshot(project)
    result = run_cli("add", str(project), "--no-input")
    assert result.exit_code == 0, result.stdout + result.stderr
    after = snapshot(project)
    for name, data in before.items():
        assert name in after
        assert not _only_additions(data, after[name]), (name, _only_additions(data, after[name]))
        if b"\r\n" in data:
            assert after[name].count(b"\n") == after[name].count(b"\r\n"), f"{name}: mixed line ends"
    created = sorted(set(after) - set(before))
    assert ".momento-lambda.json" in created
    assert any(n.endswith(("momento_client.py", "momentoClient.mjs")) for n in created)

    # Until a handler uses the client, doctor judges no function as a Momento one: nothing fails.
    run = run_doctor(run_cli, str(project), "--offline", "--only", ",".join(PROJECT_CHECKS))
    assert not {k for k, c in run.checks.items() if c["status"] in ("fail", "warn", "error")}, run.checks
    # The user's step that `add` prints (it never edits handlers): import the client in each handler.
    use_the_client(project)
    run = run_doctor(run_cli, str(project), "--offline", "--only", ",".join(PROJECT_CHECKS))
    failing = {k: run.text(k) for k, c in run.checks.items() if c["status"] not in ("pass", "skip")}
    assert not failing, failing
    # skips only where there is nothing to check (no KMS key; Node.js needs no build machine)
    assert {k for k, c in run.checks.items() if c["status"] == "skip"} <= {"iam.kms-decrypt", "project.build-method"}
    after = snapshot(project)

    again = run_cli("add", str(project), "--no-input")
    assert again.exit_code == 0, again.stderr
    assert snapshot(project) == after


def test_the_client_module_is_the_one_new_renders(tmp_path, run_cli):
    from tests.support.generated import render

    generated = render(tmp_path / "gen", runtime="python3.13")
    project = add_projects.make(tmp_path, "sam-hello-python")
    assert run_cli("add", str(project), "--no-input").exit_code == 0
    assert (project / "hello_world/momento_client.py").read_bytes() == (
        generated / "src/momento_client.py"
    ).read_bytes()


def test_dry_run_prints_the_diff_and_writes_nothing(tmp_path, run_cli):
    project = add_projects.make(tmp_path, "sam-hello-python")
    before = snapshot(project)
    result = run_cli("add", str(project), "--no-input", "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert "+++ b/template.yaml" in result.stdout
    assert "+          MOMENTO_CACHE_NAME: !Ref MomentoCacheName" in result.stdout
    assert "would create hello_world/momento_client.py" in result.stdout
    assert snapshot(project) == before


def test_json_reports_the_plan(tmp_path, run_cli):
    project = add_projects.make(tmp_path, "sls-statements-python")
    result = run_cli("add", str(project), "--json", "--dry-run", "--function", "hello")
    document = json.loads(result.stdout)
    assert document["ok"] is True
    data = document["data"]
    assert data["functions"] == ["hello"]
    assert "serverless.yml" in data["changed_files"]
    assert "momento_client.py" in data["created_files"]
    assert data["written"] == []


def test_secret_arn_goes_into_the_parameters(tmp_path, run_cli):
    arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:momento/orders/api-key-AbC123"
    project = add_projects.make(tmp_path, "sam-hello-python")
    assert run_cli("add", str(project), "--no-input", "--secret-arn", arn).exit_code == 0
    assert f'MomentoSecretArn=\\"{arn}\\"' in (project / "samconfig.toml").read_text()
    answers = json.loads((project / ".momento-lambda.json").read_text())
    assert answers["secret_arn"] == arn
    assert answers["secret_name"] == "momento/orders/api-key"


def test_refuses_a_function_that_creates_its_own_client(tmp_path, run_cli):
    project = add_projects.make(tmp_path, "sam-hello-python")
    (project / "hello_world/app.py").write_text(
        "from momento import CacheClient\n\ndef lambda_handler(event, context):\n    client = CacheClient(None, None, None)\n"
    )
    before = snapshot(project)
    result = run_cli("add", str(project), "--no-input")
    assert result.exit_code == 1
    assert "already creates its own Momento client" in result.stderr
    assert snapshot(project) == before


def test_refuses_a_role_defined_outside_the_template(tmp_path, run_cli):
    project = add_projects.make(tmp_path, "sam-hello-python")
    template = project / "template.yaml"
    template.write_text(
        template.read_text().replace(
            "      Handler: app.lambda_handler\n",
            "      Handler: app.lambda_handler\n      Role: arn:aws:iam::123456789012:role/existing\n",
        )
    )
    before = snapshot(project)
    result = run_cli("add", str(project), "--no-input")
    assert result.exit_code == 1
    assert "not a role defined in template.yaml" in result.stderr
    assert snapshot(project) == before


def test_refuses_unknown_functions(tmp_path, run_cli):
    project = add_projects.make(tmp_path, "sam-hello-node")
    before = snapshot(project)
    result = run_cli("add", str(project), "--function", "Nope")
    assert result.exit_code == 1 and "No function 'Nope'" in result.stderr
    assert snapshot(project) == before


def test_typescript_nothing_compiles_gets_the_commonjs_form_and_a_note(tmp_path, run_cli):
    project = add_projects.make(tmp_path, "sam-hello-node")
    (project / "hello-world/app.mjs").rename(project / "hello-world/app.ts")
    result = run_cli("add", str(project), "--no-input")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "void prepareMomentoClient();" in (project / "hello-world/momentoClient.ts").read_text()
    assert "HelloWorldFunction is TypeScript that nothing in template.yaml compiles" in result.stdout
    assert "Metadata.BuildMethod is not set" in result.stdout


def test_skips_unsupported_runtimes_by_default(tmp_path, run_cli):
    files = dict(add_projects.SAM_HELLO_PYTHON)
    files["template.yaml"] = files["template.yaml"].replace(
        "\nOutputs:",
        "\n  GoFunction:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: go/\n"
        "      Handler: bootstrap\n      Runtime: provided.al2023\n\nOutputs:",
    )
    files["go/main.go"] = "package main\n"
    from tests.support.projects import write_tree

    project = write_tree(tmp_path / "mixed", files)
    result = run_cli("add", str(project), "--no-input")
    assert result.exit_code == 0, result.stderr
    assert "Skipped GoFunction" in result.stdout
    assert "GoFunction" not in json.loads((project / ".momento-lambda.json").read_text())["functions"]


@pytest.mark.parametrize("shape", sorted(add_projects.SHARED))
def test_functions_sharing_code_get_one_client_module_and_their_import_lines(tmp_path, run_cli, shape):
    module, dependency_files, imports = add_projects.SHARED[shape]
    project = add_projects.make(tmp_path, shape)
    before = snapshot(project)
    result = run_cli("add", str(project), "--no-input", "--json")
    assert result.exit_code == 0, result.stdout + result.stderr
    data = json.loads(result.stdout)["data"]
    assert [n for n in data["created_files"] if n.endswith(("momento_client.py", "momentoClient.mjs"))] == [module]
    assert data["imports"] == imports
    after = snapshot(project)
    for name in dependency_files:
        assert b"momento" in after[name], name
    sdk = [n for n in after if n.endswith(".txt") and b"momento==" in after[n]]
    sdk += [n for n in after if n.endswith("package.json") and b"@gomomento/sdk" in after[n]]
    assert sorted(sdk) == sorted(dependency_files), sdk
    changed = {n for n in before if before[n] != after[n]}
    assert changed <= {*dependency_files, "template.yaml", "serverless.yml", "samconfig.toml", "package.json"}


def test_the_human_output_prints_the_import_for_each_handler(tmp_path, run_cli):
    project = add_projects.make(tmp_path, "sls-shared-folder-python")
    result = run_cli("add", str(project), "--no-input")
    assert result.exit_code == 0, result.stderr
    assert "  from functions.momento_client import cache_name, get_client  # at the top" in result.stdout
    files = dict(add_projects.SLS_SHARED_FOLDER_PYTHON)
    files["serverless.yml"] = files["serverless.yml"].replace(
        "functions:\n", "package:\n  patterns:\n    - '!tests/**'\n\nfunctions:\n"
    )
    from tests.support.projects import write_tree

    patterned = write_tree(tmp_path / "patterned", files)
    result = run_cli("add", str(patterned), "--no-input")
    assert result.exit_code == 0, result.stderr
    # package patterns might leave out a folder above the handlers: one module next to each
    assert "from functions.get_item.momento_client import cache_name, get_client  # getItem" in result.stdout
    assert "from functions.list_items.momento_client import cache_name, get_client  # listItems" in result.stdout
    assert (patterned / "functions/get_item/momento_client.py").is_file()


def test_a_module_an_earlier_add_wrote_next_to_a_handler_keeps_serving_it(tmp_path, run_cli):
    from momento_lambda_cli.retrofit import client

    project = add_projects.make(tmp_path, "sam-shared-codeuri-python")
    for folder in ("get_order", "list_orders"):
        (project / "src" / folder / "momento_client.py").write_text(client.render_module(client.MODULES["python"]))
    result = run_cli("add", str(project), "--no-input", "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)["data"]
    assert not [n for n in data["created_files"] if n.endswith("momento_client.py")]
    assert data["imports"]["GetOrderFunction"] == "from get_order.momento_client import cache_name, get_client"


@pytest.mark.parametrize("provider", ["azure", "google"])
def test_a_service_for_another_cloud_is_refused(tmp_path, run_cli, provider):
    from tests.support.projects import write_tree

    project = write_tree(
        tmp_path / provider,
        {
            "serverless.yml": f"service: x\nprovider:\n  name: {provider}\n  runtime: nodejs22.x\n"
            "functions:\n  hello:\n    handler: src/handlers/hello.handler\n",
            "src/handlers/hello.js": "module.exports.handler = async () => 1;\n",
            "package.json": '{"name": "x"}\n',
        },
    )
    before = snapshot(project)
    result = run_cli("add", str(project), "--no-input")
    assert result.exit_code == 1 and f"deploys to {provider}" in result.stderr
    assert snapshot(project) == before


def test_a_function_timeout_from_a_parameter_is_kept_with_a_note(tmp_path):
    """Issue #23: never a literal over an intrinsic (`!Ref 10` does not deploy)."""
    from momento_lambda_cli.retrofit.plan import AddOptions, plan_add

    project = add_projects.make(tmp_path, "sam-hello-python")
    template = project / "template.yaml"
    text = template.read_text()
    text = text.replace("Globals:\n", "Parameters:\n  FnTimeout:\n    Type: Number\n    Default: 3\n\nGlobals:\n", 1)
    text = text.replace(
        "      Handler: app.lambda_handler\n", "      Handler: app.lambda_handler\n      Timeout: !Ref FnTimeout\n"
    )
    template.write_text(text)
    plan = plan_add(load_project(project), AddOptions())
    after = next(c.after for c in plan.changes if c.relative == "template.yaml")
    assert "      Timeout: !Ref FnTimeout\n" in after and "!Ref 10" not in after
    assert any("intrinsic function (!Ref FnTimeout)" in note and "Default" in note for note in plan.notes), plan.notes
