"""`add` leaves a project that builds: package.json files `npm pack` (the SAM CLI's Node.js
build) accepts."""

from __future__ import annotations

import json

import pytest

from tests.support import add_projects
from tests.support.projects import snapshot, write_tree


def test_a_created_package_json_has_a_name_and_a_version(tmp_path, run_cli):
    project = write_tree(tmp_path / "streaming", add_projects.SAM_RESPONSE_STREAMING_NODE)
    result = run_cli("add", str(project), "--no-input")
    assert result.exit_code == 0, result.output
    document = json.loads((project / "src/package.json").read_text())
    assert document["name"] == "src" and document["version"] == "1.0.0"
    assert "@gomomento/sdk" in document["dependencies"]


def test_a_serverless_package_json_created_for_the_plugin_has_a_name_and_a_version(tmp_path, run_cli):
    project = add_projects.make(tmp_path, "sls-statements-python")
    (project / "package.json").unlink()
    assert run_cli("add", str(project), "--no-input").exit_code == 0
    document = json.loads((project / "package.json").read_text())
    assert document["name"] == "sls-statements-python" and document["version"] == "1.0.0"


@pytest.mark.parametrize("eol", ["\n", "\r\n"])
def test_a_sam_package_json_without_a_version_gets_one_and_nothing_else_changes(tmp_path, run_cli, eol):
    files = {k: v.replace("\n", eol) for k, v in add_projects.SAM_SINGLE_POLICY_NODE.items()}
    project = write_tree(tmp_path / "s3", files)
    assert run_cli("add", str(project), "--no-input").exit_code == 0
    text = (project / "package.json").read_bytes().decode()
    assert text == eol.join(
        [
            "{",
            '  "version": "1.0.0",',
            '  "name": "s3-json-logger",',
            '  "type": "module",',
            '  "dependencies": {',
            f'    "@gomomento/sdk": "^{json.loads(text)["dependencies"]["@gomomento/sdk"][1:]}"',
            "  }",
            "}",
            "",
        ]
    )
    again = run_cli("add", str(project), "--no-input")
    assert again.exit_code == 0 and (project / "package.json").read_bytes().decode() == text


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("{}\n", '{\n  "name": "pkg",\n  "version": "1.0.0"\n}\n'),
        ('{ "type": "module" }', '{ "name": "pkg", "version": "1.0.0", "type": "module" }'),
        ('{\n\t"name": "x"\n}\n', '{\n\t"version": "1.0.0",\n\t"name": "x"\n}\n'),
        (
            '\ufeff{\r\n  "private": true\r\n}\r\n',
            '\ufeff{\r\n  "name": "pkg",\r\n  "version": "1.0.0",\r\n  "private": true\r\n}\r\n',
        ),
        ('{"name": "x", "version": "2.0.0"}', '{"name": "x", "version": "2.0.0"}'),
        ('{"name": "", "version": "2.0.0"}', '{"name": "", "version": "2.0.0"}'),
    ],
)
def test_ensure_identity_adds_only_what_is_missing(before, after):
    from momento_lambda_cli.retrofit.jsontext import ensure_identity

    assert ensure_identity(before, "pkg", source="package.json") == after


@pytest.mark.parametrize(
    ("folder", "name"), [("Hello World", "hello-world"), ("_x.Y", "x.y"), ("...", "lambda-function")]
)
def test_package_names_are_valid_for_npm(folder, name):
    from momento_lambda_cli.retrofit.jsontext import package_name

    assert package_name(folder) == name


@pytest.mark.slow
def test_sam_build_succeeds_after_add_on_the_response_streaming_template(tmp_path, run_cli):
    """`sam init`'s response-streaming template builds before `add` (no package.json) and after it
    (the package.json `add` creates has the name and version `npm pack` needs)."""
    from tests.support.tools import require_tool
    from tests.test_generated_sam import sam

    node_bin = require_tool("node").parent
    project = write_tree(tmp_path / "streaming", add_projects.SAM_RESPONSE_STREAMING_NODE)
    assert run_cli("add", str(project), "--no-input").exit_code == 0
    sam(project, "build", "--no-use-container", path_first=node_bin)
    built = tmp_path / "streaming" / ".aws-sam" / "build" / "StreamingFunction"
    assert (built / "momentoClient.mjs").is_file()
    assert (built / "node_modules" / "@gomomento" / "sdk").is_dir()


@pytest.mark.parametrize("runtime", ["python3.7", "python3.8", "python3.9"])
def test_a_python_runtime_older_than_momento_supports_is_refused_with_nothing_written(tmp_path, run_cli, runtime):
    files = dict(add_projects.SAM_HELLO_PYTHON)
    files["template.yaml"] = files["template.yaml"].replace("Runtime: python3.13", f"Runtime: {runtime}")
    assert f"Runtime: {runtime}" in files["template.yaml"]
    project = write_tree(tmp_path / "old", files)
    before = snapshot(project)
    for args in ((), ("--function", "HelloWorldFunction")):
        result = run_cli("add", str(project), "--no-input", *args)
        assert result.exit_code == 1, result.output
        message = " ".join(result.stderr.split())
        assert f"runtime {runtime}: the momento SDK needs python3.10 or later" in message, message
        assert "upgrade its Runtime to python3.14" in message
        assert snapshot(project) == before


@pytest.mark.parametrize("runtime", ["nodejs14.x", "nodejs16.x"])
def test_a_node_runtime_without_the_aws_sdk_v3_is_refused_with_nothing_written(tmp_path, run_cli, runtime):
    """The client module reads the secret with the AWS SDK v3, which Lambda's nodejs16.x and
    older runtimes do not include: the function would fail at its first import."""
    files = dict(add_projects.SAM_SINGLE_POLICY_NODE)
    files["template.yaml"] = files["template.yaml"].replace("Runtime: nodejs22.x", f"Runtime: {runtime}")
    project = write_tree(tmp_path / "old", files)
    before = snapshot(project)
    result = run_cli("add", str(project), "--no-input", "--function", "AuditFunction")
    assert result.exit_code == 1, result.output
    message = " ".join(result.stderr.split())
    assert f"runtime {runtime}: the client module needs nodejs18.x or later" in message, message
    assert "upgrade its Runtime to nodejs24.x" in message
    assert snapshot(project) == before


def test_an_old_node_function_is_skipped_beside_one_the_module_supports(tmp_path, run_cli):
    files = dict(add_projects.SAM_SINGLE_POLICY_NODE)
    files["template.yaml"] = files["template.yaml"].replace(
        "      Handler: src/handlers/audit.handler\n      Runtime: nodejs22.x",
        "      Handler: src/handlers/audit.handler\n      Runtime: nodejs16.x",
    )
    project = write_tree(tmp_path / "mixed", files)
    result = run_cli("add", str(project), "--no-input")
    assert result.exit_code == 0, result.output
    assert "Skipped AuditFunction: runtime nodejs16.x" in " ".join(result.stdout.split())
    assert json.loads((project / ".momento-lambda.json").read_text())["functions"] == ["S3JsonLoggerFunction"]


def test_an_old_python_function_is_skipped_beside_one_momento_supports(tmp_path, run_cli):
    files = dict(add_projects.SAM_HELLO_PYTHON)
    template = files["template.yaml"]
    head, _, rest = template.partition("Resources:\n")
    function, _, tail = rest.partition("\nOutputs:")
    assert "HelloWorldFunction:" in function
    old = function.replace("HelloWorldFunction:", "LegacyFunction:").replace(
        "Runtime: python3.13", "Runtime: python3.9"
    )
    files["template.yaml"] = head + "Resources:\n" + function.rstrip("\n") + "\n" + old + "\nOutputs:" + tail
    project = write_tree(tmp_path / "mixed", files)
    result = run_cli("add", str(project), "--no-input")
    assert result.exit_code == 0, result.output
    assert "Skipped LegacyFunction: runtime python3.9: the momento SDK needs python3.10" in " ".join(
        result.stdout.split()
    )
    answers = json.loads((project / ".momento-lambda.json").read_text())
    assert answers["functions"] == ["HelloWorldFunction"]


@pytest.mark.parametrize(
    ("shape", "path", "text", "where"),
    [
        ("sam-hello-python", "hello_world/requirements.txt", "requests\nmomento==0.28.0\n", "momento==0.28.0"),
        ("sam-hello-python", "hello_world/requirements.txt", "momento>=0.20,<1.0  # old\n", "momento>=0.20,<1.0"),
        ("sls-statements-python", "requirements.txt", "momento~=0.29\n", "momento~=0.29"),
        (
            "sam-hello-node",
            "hello-world/package.json",
            '{"name": "a", "version": "1.0.0", "dependencies": {"@gomomento/sdk": "^0.38.0"}}\n',
            "@gomomento/sdk ^0.38.0",
        ),
        (
            "sam-hello-python",
            "hello_world/cache.py",
            "from momento import SimpleCacheClient\n",
            "hello_world/cache.py uses SimpleCacheClient",
        ),
    ],
)
def test_an_sdk_0x_project_is_refused_with_the_migration_hint(tmp_path, run_cli, shape, path, text, where):
    project = add_projects.make(tmp_path, shape)
    (project / path).write_text(text)
    before = snapshot(project)
    result = run_cli("add", str(project), "--no-input")
    assert result.exit_code == 1, result.output
    message = " ".join(result.stderr.split())
    assert "uses the Momento SDK 0.x" in message and where in message, message
    assert "SimpleCacheClient became CacheClient" in message
    assert snapshot(project) == before


@pytest.mark.parametrize("pin", ["momento==1.29.1", "momento>=1.0", "momento<2", "momento"])
def test_a_1x_pin_is_not_taken_for_0x(tmp_path, run_cli, pin):
    project = add_projects.make(tmp_path, "sam-hello-python")
    (project / "hello_world/requirements.txt").write_text(pin + "\n")
    assert run_cli("add", str(project), "--no-input").exit_code == 0


def test_a_second_add_on_a_python_and_node_service_changes_nothing(tmp_path, run_cli):
    """Both client modules land in one folder: neither is taken for the user's own client."""
    files = dict(add_projects.SLS_STATEMENTS_PYTHON)
    files["serverless.yml"] = files["serverless.yml"].replace(
        "    handler: handler.report\n", "    handler: thumbs.report\n    runtime: nodejs22.x\n"
    )
    files["thumbs.mjs"] = "export const report = async () => ({ statusCode: 200 });\n"
    project = write_tree(tmp_path / "mixed", files)
    first = run_cli("add", str(project), "--no-input")
    assert first.exit_code == 0, first.output
    assert (project / "momento_client.py").is_file() and (project / "momentoClient.mjs").is_file()
    after = snapshot(project)
    again = run_cli("add", str(project), "--no-input")
    assert again.exit_code == 0, again.output
    assert "Nothing to change" in again.stdout
    assert snapshot(project) == after


def test_slim_gets_strip_false_so_the_service_passes_its_own_doctor(tmp_path, run_cli):
    from tests.support.doctor import run_doctor

    files = dict(add_projects.SLS_STATEMENTS_PYTHON)
    files["serverless.yml"] += "\ncustom:\n  pythonRequirements:\n    slim: true # smaller zips\n"
    project = write_tree(tmp_path / "slim", files)
    result = run_cli("add", str(project), "--no-input")
    assert result.exit_code == 0, result.output
    text = (project / "serverless.yml").read_text()
    assert "    slim: true # smaller zips\n" in text and "    strip: false\n" in text
    run = run_doctor(run_cli, str(project), "--offline", "--only", "serverless.slim-strip")
    assert run.checks["serverless.slim-strip"]["status"] == "pass", run.checks
    again = run_cli("add", str(project), "--no-input")
    assert again.exit_code == 0 and (project / "serverless.yml").read_text() == text


@pytest.mark.parametrize(
    ("lock", "command"), [("package-lock.json", "npm install"), ("pnpm-lock.yaml", "pnpm install")]
)
def test_a_lock_file_beside_an_edited_package_json_gets_a_loud_note(tmp_path, run_cli, lock, command):
    project = add_projects.make(tmp_path, "sam-hello-node")
    (project / "hello-world" / lock).write_text("{}\n")
    result = run_cli("add", str(project), "--no-input")
    assert result.exit_code == 0, result.output
    out = " ".join(result.stdout.split())
    assert f"Note: hello-world/{lock} is now out of date" in out, out
    assert f"run `cd hello-world && {command}`" in out
    assert (project / "hello-world" / lock).read_text() == "{}\n"
    data = json.loads(run_cli("add", str(project), "--json", "--dry-run").stdout)["data"]
    assert not any(lock in note for note in data["notes"])  # nothing changed the second time: no note


CJS_HANDLER = (
    "exports.lambdaHandler = async (event, context) => {\n"
    "  return { statusCode: 200, body: JSON.stringify({ message: 'hello world' }) };\n"
    "};\n"
)


@pytest.mark.parametrize(
    ("handler", "package_type", "expected"),
    [
        ("app.js", None, "const momento = import('./momentoClient.mjs');"),
        ("app.cjs", '"module"', "const momento = import('./momentoClient.mjs');"),
        ("app.js", '"commonjs"', "const momento = import('./momentoClient.mjs');"),
        ("app.js", '"module"', "import { cacheName, getMomentoClient } from './momentoClient.mjs';"),
        ("app.mjs", None, "import { cacheName, getMomentoClient } from './momentoClient.mjs';"),
    ],
)
def test_the_printed_import_line_is_in_the_handler_modules_syntax(tmp_path, run_cli, handler, package_type, expected):
    from tests.support.doctor import run_doctor

    files = dict(add_projects.SAM_HELLO_NODE)
    del files["hello-world/app.mjs"]
    files[f"hello-world/{handler}"] = CJS_HANDLER if expected.startswith("const") else add_projects.NODE_HANDLER
    if package_type is not None:
        files["hello-world/package.json"] = files["hello-world/package.json"].replace(
            '"version": "1.0.0",', f'"version": "1.0.0",\n  "type": {package_type},'
        )
    project = write_tree(tmp_path / "node", files)
    result = run_cli("add", str(project), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)["data"]
    assert data["imports"]["HelloWorldFunction"] == expected
    if expected.startswith("const"):
        assert (
            "const { cacheName, getMomentoClient } = await momento;  // in the async handler" in data["usage"]["node"]
        )
    # the user's step: the line `add` printed, at the top of the handler; doctor sees the client used
    path = project / "hello-world" / handler
    path.write_text(expected + "\n" + path.read_text())
    run = run_doctor(run_cli, str(project), "--offline", "--only", "code.client-reuse")
    assert run.checks["code.client-reuse"]["status"] == "pass", run.checks
    assert "momentoClient.mjs" in run.text("code.client-reuse"), run.text("code.client-reuse")


def test_an_oversized_requirements_txt_is_refused_by_the_project_reader(tmp_path, run_cli):
    project = add_projects.make(tmp_path, "sam-hello-python")
    (project / "hello_world/requirements.txt").write_bytes(b"# padding\n" * (900 * 1024))  # 9 MB > 8 MB cap
    before = snapshot(project)
    result = run_cli("add", str(project), "--no-input")
    assert result.exit_code == 1, result.output
    assert "larger than the 8 MB this tool reads" in " ".join(result.stderr.split())
    assert snapshot(project) == before
