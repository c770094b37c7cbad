"""`doctor --fix` that does not break code (#24): the runtime move refuses a Node.js function whose
code uses the AWS SDK v2 without bundling it (nodejs18.x+ do not include it), fixes only the
functions it reports, and writes the runtime the check advised."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.projects import write_tree
from tests.test_doctor_code import PY_MOMENTO, SECRET, function, template

V2_HANDLER = "const AWS = require('aws-sdk');\nconst s3 = new AWS.S3();\nexports.handler = async () => s3.listBuckets().promise();\n"
V3_HANDLER = "exports.handler = async () => ({statusCode: 200});\n"


def fix(run_cli, root: Path, only: str) -> dict:
    result = run_cli("doctor", str(root), "--offline", "--fix", "--only", only, "--json")
    return json.loads(result.stdout)


def check(document: dict, check_id: str) -> dict:
    return next(c for c in document["data"]["checks"] if c["id"] == check_id)


def test_a_node_function_on_the_aws_sdk_v2_is_not_moved_past_nodejs16(run_cli, tmp_path):
    root = write_tree(
        tmp_path / "p",
        {
            "template.yaml": template(
                function("Legacy", "legacy.handler", runtime="nodejs16.x")
                + function("Modern", "modern.handler", runtime="nodejs16.x")
            ),
            "src/legacy.js": V2_HANDLER,
            "src/modern.js": V3_HANDLER,
        },
    )
    document = fix(run_cli, root, "project.runtime")
    text = (root / "template.yaml").read_text()
    legacy, modern = text.split("Modern:", 1)
    assert "Runtime: nodejs16.x" in legacy  # untouched: its code needs the SDK v2
    assert "Runtime: nodejs16.x" not in modern  # moved
    refused = document["data"]["fix"]["refused"]
    assert len(refused) == 1 and refused[0]["check"] == "project.runtime"
    assert "Legacy" in refused[0]["message"] and "src/legacy.js uses the AWS SDK v2" in refused[0]["message"]


def test_a_bundled_aws_sdk_v2_moves(run_cli, tmp_path):
    root = write_tree(
        tmp_path / "p",
        {
            "template.yaml": template(function("Legacy", "legacy.handler", runtime="nodejs16.x")),
            "src/legacy.js": V2_HANDLER,
            "src/package.json": json.dumps({"name": "x", "version": "1.0.0", "dependencies": {"aws-sdk": "^2.1600.0"}}),
        },
    )
    document = fix(run_cli, root, "project.runtime")
    assert "Runtime: nodejs16.x" not in (root / "template.yaml").read_text()
    assert document["data"]["fix"]["refused"] == []


def test_the_runtime_fix_writes_what_the_check_advised(run_cli, tmp_path):
    root = write_tree(
        tmp_path / "p",
        {
            "template.yaml": template(function("Api", "app.handler", runtime="python3.9")),
            "src/app.py": "def handler(e, c):\n    return 1\n",
        },
    )
    before = json.loads(run_cli("doctor", str(root), "--offline", "--only", "project.runtime", "--json").stdout)
    hint = check(before, "project.runtime")["hint"]
    advised = hint.split("python3.9 to ", 1)[1].split(" ", 1)[0]
    fix(run_cli, root, "project.runtime")
    assert f"Runtime: {advised}\n" in (root / "template.yaml").read_text()


def test_a_shared_globals_timeout_is_not_raised_for_functions_it_does_not_report(run_cli, tmp_path):
    globals_ = "Globals:\n  Function:\n    Timeout: 2\n"
    momento = function("Cache", "cache.handler", env=f"SECRET_ID: {SECRET}").replace("    Timeout: 10\n", "")
    plain = function("Plain", "plain.handler").replace("    Timeout: 10\n", "")
    text = template(momento + plain).replace("Resources:\n", globals_ + "Resources:\n", 1)
    root = write_tree(
        tmp_path / "p",
        {
            "template.yaml": text,
            "src/cache.py": PY_MOMENTO + "\n\ndef handler(event, context):\n    return client.get('c', 'k')\n",
            "src/plain.py": "def handler(event, context):\n    return 1\n",
        },
    )
    document = fix(run_cli, root, "project.timeout")
    after = (root / "template.yaml").read_text()
    assert "  Function:\n    Timeout: 2\n" in after  # Plain still inherits 2 s: it was not reported
    cache_block = after.split("Cache:", 1)[1].split("Plain:", 1)[0]
    assert "Timeout: 10" in cache_block
    actions = [a for f in document["data"]["fix"]["fixes"] for a in f["actions"]]
    assert actions and all(a.startswith("Cache:") for a in actions), actions
