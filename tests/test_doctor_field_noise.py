"""False alarms the field sweep found in today's new findings, each in its shape (fixtures
written for the class, not copied): a commented-out log call, and key-named parameters or
secret logs in projects that do not use Momento."""

from __future__ import annotations

import pytest

from momento_lambda_cli.doctor.code_facts import key_log_lines
from tests.support.doctor import run_doctor
from tests.support.projects import write_tree
from tests.test_doctor_code import function, template


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("key = secret['MOMENTO_API_KEY']\n# print('Expected key: ' + key)\n", "python"),
        ("    # logger.info(get_secret_value(SecretId=x))\n", "python"),
        ("const {apiKey} = JSON.parse(s.SecretString);\n// console.log(apiKey);\n", "node"),
        ("/* console.log(s.SecretString) */\n", "node"),
    ],
    ids=["py-comment", "py-indented-comment", "js-line-comment", "js-block-comment"],
)
def test_a_log_call_in_a_comment_writes_nothing(text, language):
    assert key_log_lines(text, language) == []


def test_a_log_call_in_code_is_still_found():
    text = "const {apiKey} = JSON.parse(s.SecretString);\nconsole.log(apiKey); // debug\n"
    assert [line for line, _ in key_log_lines(text, "node")] == [2]


def test_a_project_without_momento_gets_no_momento_key_findings(run_cli, tmp_path):
    """An API Gateway key parameter (no NoEcho) and `print(secret)` of some other secret are not
    "the Momento key" in a project whose code never uses Momento."""
    handler = (
        "import boto3\n\nsecret = boto3.client('secretsmanager').get_secret_value(SecretId='x')['SecretString']\n"
        "\n\ndef handler(event, context):\n    print(secret)\n    return 1\n"
    )
    text = template(function("Api", "app.handler")).replace(
        "Resources:\n", "Parameters:\n  ApiKeyValue:\n    Type: String\nResources:\n", 1
    )
    root = write_tree(tmp_path / "p", {"template.yaml": text, "src/app.py": handler})
    run = run_doctor(run_cli, str(root), "--offline")
    assert run.status("secret.no-plaintext-key") == "pass", run.text("secret.no-plaintext-key")
