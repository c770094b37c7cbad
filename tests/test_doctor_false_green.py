"""Never green without evidence (#24): source that does not parse and `update`'s conflict markers
fail `code.parses` naming file and line (and the Momento checks say they could not tell, not "no
function uses the SDK"); checks that could not reach AWS are "not checked" and exit 3 unless
--offline said not to check."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from momento_lambda_cli.doctor.model import Status, Summary
from tests.support.doctor import run_doctor
from tests.support.doctor_projects import make_project
from tests.support.projects import write_tree
from tests.test_doctor_code import NODE_CACHE, PY_MOMENTO, function, template

PY_HANDLER = "from cache import client\n\n\ndef handler(event, context):\n    return client.get('c', 'k')\n"
NODE_HANDLER = (
    "import {getCacheClient} from './cache.mjs';\n\n"
    "export const handler = async () => {\n  const c = await getCacheClient();\n  return c.get('c', 'k');\n};\n"
)
THIS_PYTHON = f"python3.{sys.version_info.minor}"
"""The runtime whose syntax the Python running the tests knows (a newer one's syntax errors are
reported as "could not check", see the last test)."""
CONFLICT = "<<<<<<< yours\nTIMEOUT = 1\n=======\nTIMEOUT = 2\n>>>>>>> template 0.4.0\n"


def _sam(tmp_path: Path, files: dict[str, str], *, runtime: str = "python3.13", handler: str = "app.handler") -> Path:
    return write_tree(tmp_path / "p", {"template.yaml": template(function("Api", handler, runtime=runtime)), **files})


def _offline(run_cli, root: Path):
    return run_doctor(run_cli, str(root), "--offline")


@pytest.mark.parametrize(
    ("files", "where"),
    [
        pytest.param(
            {"src/app.py": "import momento\ndef handler(event, context:\n    pass\n"}, "src/app.py:2", id="py-handler"
        ),
        pytest.param(
            {"src/app.py": PY_HANDLER, "src/cache.py": PY_MOMENTO.replace("import os\n", "import os\n" + CONFLICT)},
            "src/cache.py:2",
            id="py-client-conflict",
        ),
        pytest.param(
            {"src/app.py": CONFLICT + PY_HANDLER, "src/cache.py": PY_MOMENTO},
            "src/app.py:1",
            id="py-handler-conflict",
        ),
    ],
)
def test_python_source_that_does_not_parse_fails_naming_file_and_line(run_cli, tmp_path, files, where):
    run = _offline(run_cli, _sam(tmp_path, files, runtime=THIS_PYTHON))
    assert run.status("code.parses") == "fail", run.text("code.parses")
    assert where in run.text("code.parses")
    assert run.exit_code == 1
    # the Momento checks do not conclude "no function uses the SDK" from code they could not read
    for check_id in ("code.client-reuse", "project.sdk-versions"):
        if run.status(check_id) == "skip":
            assert "No function uses the Momento SDK" not in run.checks[check_id]["message"], check_id


def test_a_handler_that_does_not_parse_says_the_momento_checks_could_not_tell(run_cli, tmp_path):
    run = _offline(run_cli, _sam(tmp_path, {"src/app.py": "import momento\ndef handler(:\n"}))
    assert run.status("code.client-reuse") == "skip"
    assert "Could not tell which functions use the Momento SDK" in run.checks["code.client-reuse"]["message"]


@pytest.mark.parametrize(
    ("files", "where"),
    [
        pytest.param(
            {"src/app.mjs": NODE_HANDLER, "src/cache.mjs": NODE_CACHE.replace("let client;", "let client = {;")},
            "src/cache.mjs:6",
            id="js-client-syntax",
        ),
        pytest.param(
            {
                "src/app.mjs": NODE_HANDLER.replace(
                    "export const", CONFLICT.replace("TIMEOUT", "const T") + "export const"
                ),
                "src/cache.mjs": NODE_CACHE,
            },
            "src/app.mjs:3",
            id="js-handler-conflict",
        ),
    ],
)
def test_javascript_that_does_not_parse_fails_naming_file_and_line(run_cli, tmp_path, files, where):
    run = _offline(run_cli, _sam(tmp_path, files, runtime="nodejs22.x"))
    assert run.status("code.parses") == "fail", run.text("code.parses")
    assert where in run.text("code.parses")
    assert run.exit_code == 1


def test_source_that_parses_passes(run_cli, tmp_path):
    run = _offline(run_cli, _sam(tmp_path, {"src/app.py": PY_HANDLER, "src/cache.py": PY_MOMENTO}))
    assert run.status("code.parses") == "pass", run.text("code.parses")


# --- AWS that could not be asked -----------------------------------------------------------------


def test_an_unreachable_aws_endpoint_is_not_checked_and_exits_3(run_cli, tmp_path, monkeypatch):
    project = make_project(tmp_path)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_REGION", "us-east-1")  # AWS_ENDPOINT_URL: a closed port (isolated_env)
    run = run_doctor(run_cli, str(project.root), "--only", "deploy.stack,project.framework")
    assert run.status("deploy.stack") == "not-checked", run.text("deploy.stack")
    assert run.status("project.framework") == "pass"
    assert run.exit_code == 3
    assert run.document["ok"] is False
    assert run.document["data"]["summary"]["not_checked"] == 1
    offline = run_doctor(run_cli, str(project.root), "--offline", "--only", "deploy.stack,project.framework")
    assert offline.status("deploy.stack") == "skip" and offline.exit_code == 0


def test_without_credentials_the_aws_checks_are_not_checked_and_the_text_says_exit_3(run_cli, tmp_path):
    project = make_project(tmp_path)
    result = run_cli("doctor", str(project.root), "--only", "deploy,project.framework")
    assert result.exit_code == 3, result.stdout
    assert "not checked" in result.stdout and "exit code 3" in result.stdout


def test_a_failure_wins_over_not_checked():
    def summary(**counts: int) -> Summary:
        base = {"passed": 1, "warned": 0, "failed": 0, "errored": 0, "skipped": 0, "total": 5}
        return Summary(**{**base, **counts})

    assert summary().exit_code() == 0
    assert summary(not_checked=2).exit_code() == 3
    assert summary(not_checked=2, failed=1).exit_code() == 1
    assert summary(warned=1).exit_code() == 0 and summary(warned=1).exit_code(strict=True) == 1
    assert summary(not_checked=1).ok() is False
    assert Status.NOT_CHECKED.value == "not-checked"


@pytest.mark.integration
def test_a_wrong_endpoint_is_not_checked_in_words_and_debug_shows_the_request(run_cli, tmp_path, monkeypatch):
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Proxy(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            body = b"<html><body>corporate proxy login</body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        project = make_project(tmp_path)
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        monkeypatch.setenv("AWS_REGION", "us-east-1")
        monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{server.server_address[1]}")
        run = run_doctor(run_cli, str(project.root), "--only", "deploy.stack")
        assert run.status("deploy.stack") == "not-checked", run.text("deploy.stack")
        assert "not an AWS response" in run.text("deploy.stack") and "b'" not in run.text("deploy.stack")
        assert run.exit_code == 3
        debug = run_cli("--debug", "doctor", str(project.root), "--only", "deploy.stack")
        assert "request: cloudformation.describe_stacks(" in debug.stderr
        assert "Traceback" in debug.stderr
    finally:
        server.shutdown()


def test_code_outside_the_project_folder_is_named_not_taken_for_no_momento(run_cli, tmp_path):
    """doctor reads only files inside the project (#22); a function whose code lies outside it
    (`CodeUri: ../shared`) is a warning naming it, and the Momento checks say they could not tell."""
    write_tree(tmp_path / "shared", {"app.py": PY_HANDLER, "cache.py": PY_MOMENTO})
    root = write_tree(tmp_path / "app", {"template.yaml": template(function("Api", "app.handler", code="../shared/"))})
    run = _offline(run_cli, root)
    assert run.status("code.parses") == "skip", run.text("code.parses")  # not a pass, not a finding
    assert "Api: ../shared/app.py" in run.checks["code.parses"]["message"]
    assert "No function uses the Momento SDK" not in run.checks["code.client-reuse"]["message"]
    assert "outside the project folder" in run.checks["code.client-reuse"]["message"]


def test_a_makefile_build_in_a_code_folder_outside_the_project_is_not_refused(run_cli, tmp_path):
    """`CodeUri: ../src` with `BuildMethod: makefile`: the Makefile outside the project is not
    read, and the project is not refused for it (it was 'a symlink outside the project')."""
    write_tree(tmp_path / "src", {"Makefile": "build-Api:\n\tcp *.py $(ARTIFACTS_DIR)\n", "app.py": PY_HANDLER})
    text = template(function("Api", "app.handler", code="../src/")).replace(
        "    Properties:\n", "    Metadata:\n      BuildMethod: makefile\n    Properties:\n", 1
    )
    run = _offline(run_cli, write_tree(tmp_path / "infra", {"template.yaml": text}))
    assert run.status("project.framework") == "pass", run.text("project.framework")


def test_newer_python_syntax_is_not_called_a_syntax_error(run_cli, tmp_path):
    """A python3.13 function's `type X = ...` does not parse on an older Python running doctor:
    code.parses says it could not check (skip), not that the project is broken (field: 3.12+ syntax)."""
    if sys.version_info >= (3, 12):
        pytest.skip("this Python parses 3.12 syntax")
    files = {"src/app.py": "type Pair = tuple[int, int]\n\n\ndef handler(event, context):\n    return 1\n"}
    run = _offline(run_cli, _sam(tmp_path, files, runtime="python3.13"))
    assert run.status("code.parses") == "skip", run.text("code.parses")
    assert "perhaps newer syntax" in run.checks["code.parses"]["message"]
    conflict = {"src/app.py": CONFLICT + "def handler(event, context):\n    return 1\n"}
    assert _offline(run_cli, _sam(tmp_path / "c", conflict, runtime="python3.13")).status("code.parses") == "fail"


@pytest.mark.parametrize(
    ("files", "named"),
    [
        pytest.param(
            {"template.yaml": template(function("Api", "index.handler", runtime="nodejs22.x", code="function.zip"))},
            "Api: its code is function.zip (zip)",
            id="sam-codeuri-zip",
        ),
        pytest.param(
            {
                "serverless.yml": (
                    "service: s\nprovider:\n  name: aws\n  runtime: nodejs22.x\nfunctions:\n  hello:\n"
                    "    handler: handler.handler\n    package:\n      artifact: dist/hello.zip\n"
                ),
                "src/handler.ts": "import { CacheClient } from '@gomomento/sdk';\nexport const handler = async () => 1;\n",
            },
            "hello: its code is dist/hello.zip (zip)",
            id="serverless-package-artifact",
        ),
    ],
)
def test_code_doctor_never_read_is_could_not_tell_not_a_pass(run_cli, tmp_path, files, named):
    """Field (f4, sam-codeuri-zip): a prebuilt archive is not source doctor read: code.parses says it
    could not tell, naming the function and the archive, and the Momento checks do not conclude
    "no function uses the SDK"."""
    run = _offline(run_cli, write_tree(tmp_path / "p", files))
    assert run.status("code.parses") == "skip", run.text("code.parses")
    assert "Could not tell" in run.checks["code.parses"]["message"]
    assert named in run.checks["code.parses"]["message"]
    assert "No function uses the Momento SDK" not in run.checks["code.client-reuse"]["message"]
    assert "was not read" in run.checks["code.client-reuse"]["message"]


def test_code_parses_skips_a_project_without_python_or_node_functions(run_cli, tmp_path):
    java = function("Jar", "example.Handler::handleRequest", runtime="java21", code="target/app.jar")
    go = function("Go", "bootstrap", runtime="provided.al2023", code="cmd/")
    root = write_tree(tmp_path / "p", {"template.yaml": template(java + go), "cmd/main.go": "package main\n"})
    run = _offline(run_cli, root)
    assert run.status("code.parses") == "skip", run.text("code.parses")
    assert "No Python or Node.js function (java21, provided.al2023)" in run.checks["code.parses"]["message"]


def test_code_parses_passes_the_python_functions_and_names_the_others(run_cli, tmp_path):
    java = function("Jar", "example.Handler::handleRequest", runtime="java21", code="target/app.jar")
    files = {"template.yaml": template(function("Api", "app.handler") + java), "src/app.py": PY_HANDLER}
    run = _offline(run_cli, write_tree(tmp_path / "p", files))
    assert run.status("code.parses") == "pass", run.text("code.parses")
    assert "not read: 1 function of other languages (java21)" in run.text("code.parses")


def test_newer_syntax_beside_an_older_functions_broken_handler_is_not_a_syntax_error(run_cli, tmp_path):
    """Field (f9): a python3.9 function's handler that does not parse sweeps its whole folder; the
    python3.13 function's `type X = ...` file in that folder is still judged by the runtime that
    runs it (perhaps newer syntax), and only the old handler is named as broken."""
    if sys.version_info >= (3, 12):
        pytest.skip("this Python parses 3.12 syntax")
    old = function("Old", "old.handler", runtime="python3.9")
    files = {
        "template.yaml": template(function("Api", "app.handler", runtime="python3.13") + old),
        "src/app.py": "type Pair = tuple[int, int]\n\n\ndef handler(event, context):\n    return 1\n",
        "src/old.py": 'def handler(event, context):\n    print "legacy"\n',
    }
    run = _offline(run_cli, write_tree(tmp_path / "p", files))
    assert run.status("code.parses") == "fail", run.text("code.parses")
    assert "src/old.py:2" in run.text("code.parses")
    assert "src/app.py" not in run.text("code.parses")


def test_a_function_without_a_runtime_is_judged_by_the_source_read(run_cli, tmp_path):
    """Field: a Serverless service without `provider.runtime` (the Framework's default applies)
    whose handler is JavaScript doctor reads still gets its pass; it is not "no Python or Node.js"."""
    files = {
        "serverless.yml": "service: s\nprovider:\n  name: aws\nfunctions:\n  hello:\n    handler: handler.hello\n",
        "handler.js": "module.exports.hello = async () => ({ statusCode: 200 });\n",
    }
    run = _offline(run_cli, write_tree(tmp_path / "p", files))
    assert run.status("code.parses") == "pass", run.text("code.parses")
