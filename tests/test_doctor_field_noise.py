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


PY_KEY = "api_key = sm.get_secret_value(SecretId=arn)['SecretString']\n"
PY_RESP = "resp = sm.get_secret_value(SecretId=arn)\nsecret = json.loads(resp['SecretString'])\n"
JS_RESP = "const s = await sm.send(new GetSecretValueCommand({SecretId: id}));\n"
JS_OBJ = "const obj = JSON.parse(response.SecretString);\n"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        (PY_KEY + 'logger.info("momento api key loaded: %s chars", len(api_key))\n', "python"),
        (PY_KEY + 'logger.info("key present: %s", bool(api_key))\n', "python"),
        (PY_KEY + 'print(f"api key ends with {api_key[-4:]}")\n', "python"),
        (PY_KEY + 'print("loaded", api_key is not None)\n', "python"),
        (PY_RESP + 'logger.info("secret version %s", resp["VersionId"])\n', "python"),
        (PY_RESP + 'logger.info("secret fields: %s", list(secret.keys()))\n', "python"),
        (JS_RESP + "console.log('secret loaded', { hasKey: !!s.SecretString });\n", "node"),
        (JS_RESP + "console.log('length', s.SecretString.length, typeof s.SecretString);\n", "node"),
        (JS_RESP + "console.log('version', s.VersionId);\n", "node"),
        (JS_OBJ + 'console.log("obj=" + obj)\n', "node"),
        (JS_OBJ + "console.log(`parsed ${obj}`, Object.keys(obj))\n", "node"),
    ],
    ids=[
        "py-len",
        "py-bool",
        "py-last-four",
        "py-is-not-none",
        "py-version-id",
        "py-secret-keys",
        "js-double-bang",
        "js-length-typeof",
        "js-version-id",
        "js-object-concatenated",
        "js-object-template-and-keys",
    ],
)
def test_logging_something_about_the_key_is_not_logging_the_key(text, language):
    """Field sweep (f2, f5, f6, a public Momento tutorial): the key's length, whether it is there, its
    last four characters, the secret's field names or version id, and a parsed object concatenated
    into a string ("[object Object]") do not write the key to CloudWatch."""
    assert key_log_lines(text, language) == []


@pytest.mark.parametrize(
    ("text", "language"),
    [
        (PY_KEY + "print(api_key)\n", "python"),
        (PY_KEY + 'print(f"key {api_key[-12:]}")\n', "python"),
        (PY_KEY + 'logger.info("key %s", api_key.strip())\n', "python"),
        (PY_RESP + 'logger.info("secret %s", resp["SecretString"])\n', "python"),
        (PY_RESP + 'print(f"{secret}")\n', "python"),
        (JS_RESP + "console.log('secret', s.SecretString);\n", "node"),
        (JS_OBJ + 'console.log("key=" + obj.apiKey)\n', "node"),
        (JS_OBJ + "console.log('obj', obj)\n", "node"),
        (JS_OBJ + "console.log(JSON.stringify(obj))\n", "node"),
        ("const authToken = await getToken();\nconsole.log('momento authToken=' + authToken);\n", "node"),
    ],
    ids=[
        "py-whole",
        "py-long-slice",
        "py-method",
        "py-secret-string",
        "py-dict-in-f-string",
        "js-secret-string",
        "js-field-concatenated",
        "js-object-argument",
        "js-stringified",
        "js-auth-token",
    ],
)
def test_logging_the_key_itself_is_still_found(text, language):
    assert [line for line, _ in key_log_lines(text, language)] == [text.count("\n")]


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
