"""Static project checks, each passing on a healthy project and failing on one broken on purpose."""

from __future__ import annotations

from datetime import date

import pytest

from momento_lambda_cli.doctor.checks import project as project_checks
from tests.support.doctor import run_doctor
from tests.support.doctor_projects import (
    NODE_APP_CLIENT_IN_HANDLER,
    PY_APP_CLIENT_IN_HANDLER,
    SECRET_ARN,
    make_project,
)
from tests.support.keys import legacy_key, v1_key, v2_key

PROJECT_IDS = [
    "project.framework",
    "project.runtime",
    "project.timeout",
    "iam.secret-access",
    "iam.kms-decrypt",
    "project.build-method",
    "code.client-reuse",
    "code.lambda-config",
    "code.secret-timeouts",
    "code.awaited-calls",
    "secret.no-plaintext-key",
    "project.no-local-override",
]
KINDS = [("sam", "python"), ("sam", "node"), ("serverless", "python"), ("serverless", "node")]


def doctor(run_cli, project, *only):
    return run_doctor(run_cli, str(project.root), "--offline", "--only", ",".join(only or PROJECT_IDS))


@pytest.mark.parametrize(("kind", "language"), KINDS)
def test_healthy_projects_pass_every_project_check(run_cli, tmp_path, kind, language):
    project = make_project(tmp_path, kind, language=language)
    run = doctor(run_cli, project)
    # nothing to check: no KMS key; Python has no promises to await; Node.js needs no build machine
    skipped = {"iam.kms-decrypt", "code.awaited-calls" if language == "python" else "project.build-method"}
    assert {i: run.status(i) for i in PROJECT_IDS} == {i: "skip" if i in skipped else "pass" for i in PROJECT_IDS}
    assert run.exit_code == 0


# --- project.framework ----------------------------------------------------------------------


def test_framework_reads_short_tags_and_resolves_parameters(run_cli, tmp_path):
    project = make_project(tmp_path)
    run = run_doctor(run_cli, str(project.root), "--offline", "--only", "iam.secret-access", "--verbose")
    # !Ref MomentoSecretArn in the Policies statement resolved through samconfig parameter_overrides
    assert f"HelloFunction: GetSecretValue on {SECRET_ARN}" in run.text("iam.secret-access")


def test_framework_fails_on_a_template_that_does_not_parse(run_cli, tmp_path):
    project = make_project(tmp_path)
    project.edit("template.yaml", "Globals:\n", "Globals:\n  - [unclosed\n")
    result = run_cli("doctor", str(project.root), "--offline")
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.startswith("Error: template.yaml does not parse (line")
    assert "\nHint: " in result.stderr


def test_framework_fails_without_a_project_when_told_what_to_check(run_cli, tmp_path):
    """--secret-id (or --stack-name, --cache-name) without a project: the project checks fail
    or skip and the remote checks still run on what they were told."""
    run = run_doctor(
        run_cli, str(tmp_path / "nothing-here"), "--offline", "--secret-id", "momento/x", "--only", "project,iam"
    )
    assert run.status("project.framework") == "fail"
    assert run.status("iam.secret-access") == "skip"


# --- iam.secret-access / iam.kms-decrypt ----------------------------------------------------


def test_secret_access_fails_without_a_grant_sam(run_cli, tmp_path):
    project = make_project(tmp_path)
    project.edit("template.yaml", "Action: secretsmanager:GetSecretValue", "Action: secretsmanager:DescribeSecret")
    run = doctor(run_cli, project, "iam.secret-access")
    assert run.status("iam.secret-access") == "fail"
    assert "HelloFunction: no Allow for secretsmanager:GetSecretValue" in run.text("iam.secret-access")


def test_secret_access_fails_when_the_grant_is_for_another_secret_serverless(run_cli, tmp_path):
    project = make_project(tmp_path, "serverless")
    project.edit(
        "serverless.yml",
        "Resource: ${param:momentoSecretArn}",
        "Resource: arn:aws:secretsmanager:us-east-1:123456789012:secret:other-*",
    )
    run = doctor(run_cli, project, "iam.secret-access")
    assert run.status("iam.secret-access") == "fail"


def test_secret_access_fails_on_an_explicit_deny(run_cli, tmp_path):
    project = make_project(tmp_path)
    project.edit(
        "template.yaml",
        "            - !If\n",
        "            - Effect: Deny\n              Action: secretsmanager:*\n"
        "              Resource: '*'\n            - !If\n",
    )
    run = doctor(run_cli, project, "iam.secret-access")
    assert run.status("iam.secret-access") == "fail"
    assert "an explicit Deny" in run.text("iam.secret-access")


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("Resource: !Ref MomentoSecretArn", "Resource: '*'"),
        ("Action: secretsmanager:GetSecretValue", "Action: secretsmanager:*"),
    ],
)
def test_secret_access_warns_on_broad_grants(run_cli, tmp_path, old, new):
    project = make_project(tmp_path)
    project.edit("template.yaml", old, new)
    run = doctor(run_cli, project, "iam.secret-access")
    assert run.status("iam.secret-access") == "warn"
    assert "over-broad grant" in run.text("iam.secret-access")


def test_secret_access_understands_sam_policy_templates_and_sub(run_cli, tmp_path):
    project = make_project(tmp_path)
    project.edit(
        "template.yaml",
        "        - Statement:\n            - Sid: ReadMomentoApiKey\n              Effect: Allow\n"
        "              Action: secretsmanager:GetSecretValue\n              Resource: !Ref MomentoSecretArn\n",
        "        - AWSSecretsManagerGetSecretValuePolicy:\n            SecretArn: !Sub "
        "'arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:momento/demo/api-key-*'\n"
        "        - Statement:\n",
    )
    run = doctor(run_cli, project, "iam.secret-access")
    assert run.status("iam.secret-access") == "pass", run.text("iam.secret-access")


def test_kms_key_without_decrypt_fails_and_with_it_passes(run_cli, tmp_path):
    key = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    assert doctor(run_cli, make_project(tmp_path / "none"), "iam.kms-decrypt").status("iam.kms-decrypt") == "skip"
    project = make_project(tmp_path, kms_key_arn=key)
    # the !If [HasKmsKey, ...] statement is there: the condition is true with the key set
    assert doctor(run_cli, project, "iam.kms-decrypt").status("iam.kms-decrypt") == "pass"
    project.edit("template.yaml", "Action: kms:Decrypt", "Action: kms:Encrypt")
    run = doctor(run_cli, project, "iam.kms-decrypt")
    assert run.status("iam.kms-decrypt") == "fail"
    assert f"HelloFunction: no kms:Decrypt on {key}" in run.text("iam.kms-decrypt")


# --- project.build-method ---------------------------------------------------------------------


def test_build_method_warns_without_container_build_sam(run_cli, tmp_path):
    project = make_project(tmp_path)
    project.edit("samconfig.toml", "use_container = true", "use_container = false")
    run = doctor(run_cli, project, "project.build-method")
    assert run.status("project.build-method") == "warn"
    assert "use_container = true" in run.checks["project.build-method"]["hint"]


def test_build_method_fails_without_dockerize_pip_serverless(run_cli, tmp_path):
    project = make_project(tmp_path, "serverless")
    project.edit("serverless.yml", "dockerizePip: true", "dockerizePip: false")
    run = doctor(run_cli, project, "project.build-method")
    assert run.status("project.build-method") == "fail"
    assert "dockerizePip" in run.checks["project.build-method"]["hint"]


def test_build_method_accepts_a_cross_platform_makefile_but_checks_its_architecture(run_cli, tmp_path):
    project = make_project(tmp_path, architecture="arm64", use_container=False)
    project.edit(
        "template.yaml",
        "      CodeUri: hello/\n",
        "      CodeUri: hello/\n    Metadata:\n      BuildMethod: makefile\n",
    )
    makefile = "build-HelloFunction:\n\tpip install -r requirements.txt -t $(ARTIFACTS_DIR) --platform {} --only-binary=:all: --python-version 3.13\n"
    project.write("hello/Makefile", makefile.format("manylinux2014_aarch64"))
    assert doctor(run_cli, project, "project.build-method").status("project.build-method") == "pass"
    project.write("hello/Makefile", makefile.format("manylinux2014_x86_64"))
    run = doctor(run_cli, project, "project.build-method")
    assert run.status("project.build-method") == "fail"
    assert "the functions run on arm64" in run.text("project.build-method")


def test_build_method_flags_an_architecture_mismatch_with_the_docker_image(run_cli, tmp_path):
    project = make_project(tmp_path, "serverless", architecture="arm64")
    project.edit(
        "serverless.yml",
        "dockerizePip: true",
        "dockerizePip: true\n    dockerImage: public.ecr.aws/sam/build-python3.13:latest-x86_64",
    )
    run = doctor(run_cli, project, "project.build-method")
    assert run.status("project.build-method") == "fail"


# --- code.* ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "language"), KINDS)
def test_client_created_in_the_handler_fails(run_cli, tmp_path, kind, language):
    project = make_project(tmp_path, kind, language=language)
    project.handler_file.write_text(PY_APP_CLIENT_IN_HANDLER if language == "python" else NODE_APP_CLIENT_IN_HANDLER)
    run = doctor(run_cli, project, "code.client-reuse", "code.lambda-config")
    assert run.status("code.client-reuse") == "fail"
    assert "inside the handler" in run.text("code.client-reuse")
    hint = run.checks["code.client-reuse"]["hint"]
    assert ("get_momento_client()" in hint) == (language == "python")
    assert ("??=" in hint) == (language == "node")
    assert run.status("code.lambda-config") == "warn"
    assert "Laptop" in run.text("code.lambda-config")


def test_client_created_in_an_uncached_helper_fails(run_cli, tmp_path):
    project = make_project(tmp_path)
    project.edit("hello/momento_client.py", "    global _client\n", "")
    project.edit("hello/momento_client.py", "    if _client is None:\n", "    if True:\n")
    run = doctor(run_cli, project, "code.client-reuse")
    assert run.status("code.client-reuse") == "fail"
    assert "in `get_momento_client()`, which runs on every call (called from `lambda_handler`" in run.text(
        "code.client-reuse"
    )


@pytest.mark.parametrize("language", ["python", "node"])
def test_secret_read_without_timeouts_warns(run_cli, tmp_path, language):
    project = make_project(tmp_path, language=language)
    if language == "python":
        project.edit("hello/momento_client.py", "connect_timeout=1, read_timeout=1, ", "")
    else:
        project.edit(
            "hello/momentoClient.mjs",
            "  requestHandler: {connectionTimeout: 1000, requestTimeout: 1000, throwOnRequestTimeout: true},\n",
            "",
        )
    run = doctor(run_cli, project, "code.secret-timeouts")
    assert run.status("code.secret-timeouts") == "warn"


# --- secret.no-plaintext-key / project.no-local-override -------------------------------------


@pytest.mark.parametrize("make_key", [v2_key, legacy_key, v1_key])
def test_a_key_in_the_template_environment_fails_without_printing_it(run_cli, tmp_path, make_key):
    key = make_key()
    project = make_project(tmp_path)
    project.edit(
        "template.yaml",
        "          MOMENTO_CACHE_NAME:",
        f"          MOMENTO_API_KEY: {key}\n          MOMENTO_CACHE_NAME:",
    )
    result = run_cli("doctor", str(project.root), "--offline", "--only", "secret.no-plaintext-key", "--verbose")
    assert result.exit_code == 1
    assert "HelloFunction: environment variable MOMENTO_API_KEY holds a Momento" in result.stdout
    assert "template.yaml: contains a Momento" in result.stdout
    assert key not in result.output
    assert "LEAKCANARY" not in result.output


def test_a_key_in_samconfig_or_serverless_params_or_any_file_fails(run_cli, tmp_path):
    sam = make_project(tmp_path)
    sam.edit("samconfig.toml", "MomentoCacheName=demo-cache", f"MomentoCacheName=demo-cache MomentoApiKey={v2_key()}")
    assert "samconfig.toml: contains a Momento v2 key" in doctor(run_cli, sam, "secret.no-plaintext-key").text(
        "secret.no-plaintext-key"
    )
    sls = make_project(tmp_path, "serverless", name="sls")
    sls.edit(
        "serverless.yml",
        "momentoCacheName: demo-cache",
        f"momentoCacheName: demo-cache\n    momentoKey: {legacy_key()}",
    )
    sls.write(".env", f"MOMENTO_API_KEY={v1_key()}\n")
    text = doctor(run_cli, sls, "secret.no-plaintext-key").text("secret.no-plaintext-key")
    assert "serverless.yml: contains a Momento legacy key" in text
    assert ".env: contains a Momento v1 key" in text


def test_momento_local_in_the_template_fails(run_cli, tmp_path):
    project = make_project(tmp_path, "serverless")
    project.edit(
        "serverless.yml", "    MOMENTO_CACHE_NAME:", "    MOMENTO_LOCAL: 127.0.0.1:8080\n    MOMENTO_CACHE_NAME:"
    )
    run = doctor(run_cli, project, "project.no-local-override")
    assert run.status("project.no-local-override") == "fail"
    assert "hello: MOMENTO_LOCAL=127.0.0.1:8080" in run.text("project.no-local-override")


# --- project.runtime / project.timeout --------------------------------------------------------


@pytest.mark.parametrize(
    ("runtime", "status"),
    [("python3.10", "fail"), ("nodejs20.x", "fail"), ("python3.13", "pass"), ("nodejs24.x", "pass")],
)
def test_runtime_table(run_cli, tmp_path, runtime, status):
    language = "python" if runtime.startswith("python") else "node"
    project = make_project(tmp_path, language=language, runtime=runtime)
    run = doctor(run_cli, project, "project.runtime")
    assert run.status("project.runtime") == status
    if status == "fail":
        assert f"{runtime}: deprecated (no security patches) since " in run.text("project.runtime")


def test_runtime_close_to_deprecation_warns(run_cli, tmp_path, monkeypatch):
    monkeypatch.setattr(project_checks, "TODAY", lambda: date(2027, 3, 1))
    project = make_project(tmp_path, language="node", runtime="nodejs22.x")
    assert doctor(run_cli, project, "project.runtime").status("project.runtime") == "warn"


@pytest.mark.parametrize(("seconds", "status"), [("3", "fail"), ("4", "warn"), ("10", "pass")])
def test_timeout_against_client_deadline_plus_secret_read(run_cli, tmp_path, seconds, status):
    project = make_project(tmp_path)
    project.edit("template.yaml", "Timeout: 10", f"Timeout: {seconds}")
    assert doctor(run_cli, project, "project.timeout").status("project.timeout") == status


def test_serverless_default_timeout_is_six_seconds(run_cli, tmp_path):
    project = make_project(tmp_path, "serverless")
    project.edit("serverless.yml", "  timeout: 10\n", "")
    assert doctor(run_cli, project, "project.timeout").status("project.timeout") == "pass"


# --- projects the tool did not generate -------------------------------------------------------

PLAIN_CFN = """\
AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  SecretArn:
    Type: String
    Default: arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod/momento-XyZ123
Resources:
  WorkerRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - {Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}
      ManagedPolicyArns:
        - !Sub arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole
  ReadSecret:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: read-secret
      Roles: [!Ref WorkerRole]
      PolicyDocument:
        Statement:
          - Effect: Allow
            Action: [secretsmanager:GetSecretValue]
            Resource: !Join ['', [!Ref SecretArn]]
  Worker:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: worker.handler
      Code: src/
      Timeout: 15
      MemorySize: 512
      Architectures: [arm64]
      Role: !GetAtt WorkerRole.Arn
      Environment:
        Variables:
          MOMENTO_SECRET_ARN: !Ref SecretArn
          MOMENTO_CACHE_NAME: jobs
"""


def test_plain_cloudformation_template_with_a_separate_role_and_policy(run_cli, tmp_path):
    root = tmp_path / "legacy"
    (root / "src").mkdir(parents=True)
    (root / "template.yaml").write_text(PLAIN_CFN)
    (root / "src" / "worker.py").write_text("import momento\n\n\ndef handler(event, context):\n    return 1\n")
    run = run_doctor(
        run_cli, str(root), "--offline", "--only", "project.framework,iam.secret-access,project.runtime", "--verbose"
    )
    assert run.status("project.framework") == "pass"
    assert "1 function (python3.12)" in run.checks["project.framework"]["message"]
    assert run.status("iam.secret-access") == "pass", run.text("iam.secret-access")
    assert (
        "Worker: GetSecretValue on arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod/momento-XyZ123"
        in run.text("iam.secret-access")
    )
    (root / "template.yaml").write_text(PLAIN_CFN.replace("Roles: [!Ref WorkerRole]", "Roles: [!Ref OtherRole]"))
    assert (
        run_doctor(run_cli, str(root), "--offline", "--only", "iam.secret-access").status("iam.secret-access") == "fail"
    )


def test_serverless_self_and_stage_variables_are_resolved(run_cli, tmp_path):
    project = make_project(tmp_path, "serverless", secret_arn=None)
    project.edit(
        "serverless.yml",
        "custom:\n  pythonRequirements:",
        f"custom:\n  secrets:\n    dev: {SECRET_ARN}\n  pythonRequirements:",
    )
    project.edit(
        "serverless.yml", "Resource: ${param:momentoSecretArn}", "Resource: ${self:custom.secrets.${sls:stage}}"
    )
    project.edit(
        "serverless.yml",
        "MOMENTO_SECRET_ARN: ${param:momentoSecretArn}",
        "MOMENTO_SECRET_ARN: ${self:custom.secrets.dev}",
    )
    run = run_doctor(
        run_cli, str(project.root), "--offline", "--only", "iam.secret-access,project.build-method", "--verbose"
    )
    assert run.status("iam.secret-access") == "pass", run.text("iam.secret-access")
    assert f"hello: GetSecretValue on {SECRET_ARN}" in run.text("iam.secret-access")
    assert run.status("project.build-method") == "pass"


def test_unresolved_secret_parameter_is_compared_symbolically(run_cli, tmp_path):
    # No parameter_overrides for MomentoSecretArn (store-token not run yet): the grant and the
    # environment both say !Ref MomentoSecretArn, which is enough to know they agree.
    project = make_project(tmp_path, secret_arn=None)
    run = run_doctor(run_cli, str(project.root), "--offline", "--only", "iam.secret-access", "--verbose")
    assert run.status("iam.secret-access") == "pass"
    assert "HelloFunction: GetSecretValue on ${MomentoSecretArn}" in run.text("iam.secret-access")
    project.edit(
        "template.yaml",
        "Resource: !Ref MomentoSecretArn",
        "Resource: !Sub 'arn:aws:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:other-*'",
    )
    assert (
        run_doctor(run_cli, str(project.root), "--offline", "--only", "iam.secret-access").status("iam.secret-access")
        == "fail"
    )


def test_in_a_git_repository_only_files_that_would_be_committed_are_scanned(run_cli, tmp_path):
    import subprocess

    project = make_project(tmp_path)
    subprocess.run(["git", "init", "-q", str(project.root)], check=True)
    project.write(".gitignore", ".aws-sam/\n.env\n")
    project.write(".env", f"MOMENTO_API_KEY={v2_key()}\n")  # ignored, outside every CodeUri: stays on this machine
    run = doctor(run_cli, project, "secret.no-plaintext-key")
    assert run.status("secret.no-plaintext-key") == "warn"
    assert run.checks["secret.no-plaintext-key"]["details"] == [
        ".env: holds a Momento key; git ignores it (not committed); no function's CodeUri holds it, so SAM does not "
        "package it"
    ]
    (project.root / ".env").unlink()
    project.write("notes/setup.md", f"Use this key: {legacy_key()}\n")  # untracked but not ignored
    run = doctor(run_cli, project, "secret.no-plaintext-key")
    assert run.status("secret.no-plaintext-key") == "fail"
    assert run.checks["secret.no-plaintext-key"]["details"] == ["notes/setup.md: contains a Momento legacy key"]


def test_answers_file_architecture_must_agree_with_the_template(run_cli, tmp_path):
    from momento_lambda_cli.project import write_answers

    project = make_project(tmp_path, architecture="arm64")
    write_answers(project.root, {"framework": "sam", "architecture": "arm64", "runtime": "python3.13"})
    assert doctor(run_cli, project, "project.build-method").status("project.build-method") == "pass"
    write_answers(project.root, {"framework": "sam", "architecture": "x86_64", "runtime": "python3.13"})
    run = doctor(run_cli, project, "project.build-method")
    assert run.status("project.build-method") == "fail"
    assert ".momento-lambda.json says x86_64, the template says arm64" in run.text("project.build-method")


@pytest.mark.parametrize(("language", "architecture"), [("python", "x86_64"), ("node", "arm64")])
def test_the_sam_fixture_is_a_valid_template_for_cfn_lint(tmp_path, language, architecture):
    from cfnlint.api import lint_all

    project = make_project(tmp_path, language=language, architecture=architecture)
    matches = lint_all(project.template.read_text())
    assert [str(m) for m in matches if m.rule.id[0] in "EW"] == []  # errors and warnings


@pytest.mark.slow
def test_serverless_resolution_agrees_with_the_serverless_framework(tmp_path):
    """What the doctor resolves from serverless.yml is what `serverless print` (osls) resolves."""
    import json
    import subprocess

    from momento_lambda_cli.project import load_project
    from tests.support.tools import require_tool

    osls = require_tool("osls")
    node_modules = require_tool("node-tools")
    project = make_project(tmp_path, "serverless")
    project.edit(
        "serverless.yml",
        "custom:\n  pythonRequirements:",
        f"custom:\n  secrets:\n    dev: {SECRET_ARN}\n  pythonRequirements:",
    )
    project.edit(
        "serverless.yml", "Resource: ${param:momentoSecretArn}", "Resource: ${self:custom.secrets.${sls:stage}}"
    )
    (project.root / "node_modules").symlink_to(node_modules)
    printed = subprocess.run(
        [str(osls), "print", "--format", "json"],
        cwd=project.root,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    truth = json.loads(printed.stdout)
    model = load_project(project.root, environ={})
    (function,) = model.functions
    assert {k: str(v) for k, v in function.environment.items()} == truth["provider"]["environment"]
    assert [s.resources[0] for s in function.statements] == [
        s["Resource"] for s in truth["provider"]["iam"]["role"]["statements"]
    ]
    assert function.deployed_name == truth["functions"]["hello"]["name"]
    assert model.stack_name.value == f"{truth['service']}-{truth['provider']['stage']}"
    assert (function.runtime, function.architecture) == (
        truth["provider"]["runtime"],
        truth["provider"]["architecture"],
    )


@pytest.mark.parametrize(("resource", "status"), [("momento/demo/api-key-*", "pass"), ("other/*", "fail")])
def test_a_function_reading_the_secret_by_name(run_cli, tmp_path, resource, status):
    project = make_project(tmp_path, secret_arn=None)
    project.edit(
        "template.yaml", "MOMENTO_SECRET_ARN: !Ref MomentoSecretArn", "MOMENTO_SECRET_NAME: !Ref MomentoSecretName"
    )
    project.edit(
        "template.yaml",
        "Resource: !Ref MomentoSecretArn",
        f"Resource: !Sub 'arn:${{AWS::Partition}}:secretsmanager:${{AWS::Region}}:${{AWS::AccountId}}:secret:{resource}'",
    )
    run = doctor(run_cli, project, "iam.secret-access")
    assert run.status("iam.secret-access") == status, run.text("iam.secret-access")
    expected = {
        "pass": "HelloFunction: GetSecretValue on momento/demo/api-key",
        "fail": "HelloFunction: no Allow for secretsmanager:GetSecretValue on momento/demo/api-key",
    }[status]
    assert run.checks["iam.secret-access"]["details"] == [expected]


@pytest.mark.parametrize("cloud", ["openwhisk", "azure", "google", "tencent", "aliyun", "knative"])
def test_a_project_for_another_cloud_is_said_once_and_judged_by_nothing(run_cli, tmp_path, cloud):
    from tests.support.projects import write_tree

    root = write_tree(
        tmp_path / cloud,
        {
            "serverless.yml": f"service: hello\nprovider:\n  name: {cloud}\n  runtime: python3.9\n"
            "functions:\n  greeting:\n    handler: handler.main\n",
            "handler.py": "import momento\n\n\ndef main(params):\n    return {}\n",
        },
    )
    run = run_doctor(run_cli, str(root), "--offline")
    statuses = {check_id: check["status"] for check_id, check in run.checks.items()}
    assert statuses.pop("project.framework") == "pass"
    assert f"provider.name is {cloud}" in run.checks["project.framework"]["message"]
    assert set(statuses.values()) == {"skip"}, statuses
    assert run.checks["project.runtime"]["message"].startswith(f"Not an AWS project (provider.name is {cloud})")
    assert run.exit_code == 0
    text = run_cli("doctor", "--offline", str(root)).stdout
    assert text.count("Not an AWS project") == 1, text


def _git_project(tmp_path, kind="sam", language="python", ignore=".env*\n"):
    import subprocess

    project = make_project(tmp_path, kind, language=language)
    subprocess.run(["git", "init", "-q", str(project.root)], check=True)
    project.write(".gitignore", ".aws-sam/\n" + ignore)
    return project


def _key_check(run_cli, project):
    return doctor(run_cli, project, "secret.no-plaintext-key").checks["secret.no-plaintext-key"]


def test_a_git_ignored_env_file_inside_a_codeuri_is_packaged_by_sam(run_cli, tmp_path):
    project = _git_project(tmp_path, language="node")
    project.write("hello/.env.production", f"MOMENTO_API_KEY={v2_key()}\n")
    check = _key_check(run_cli, project)
    assert check["status"] == "warn", check
    assert check["message"].endswith("not committed, but it goes into a deployment package")
    assert check["details"] == [
        "hello/.env.production: holds a Momento key; git ignores it (not committed); it is in the CodeUri of "
        "HelloFunction, so SAM packages it with that code"
    ]


def test_sam_s_python_builder_leaves_a_plain_env_file_out(run_cli, tmp_path):
    project = _git_project(tmp_path)
    project.write("hello/.env", f"MOMENTO_API_KEY={v2_key()}\n")
    check = _key_check(run_cli, project)
    assert check["status"] == "warn", check
    [detail] = check["details"]
    assert "`sam build` leaves .env out (the Python builder excludes it)" in detail


@pytest.mark.parametrize(
    ("extra", "packaged", "why"),
    [
        ("", True, "the Serverless Framework packages it: only .git, .gitignore, .serverless and the config file"),
        ("useDotenv: true\n", False, "useDotenv: true, so the Serverless Framework leaves .env* files out"),
        ("package:\n  patterns:\n    - '!.env*'\n", False, "package.patterns leaves it out of the package"),
    ],
)
def test_a_git_ignored_env_file_in_a_serverless_service(run_cli, tmp_path, extra, packaged, why):
    project = _git_project(tmp_path, "serverless")
    if extra:
        project.write("serverless.yml", project.template.read_text() + extra)
    project.write(".env", f"SOME_SETTING=1\nMOMENTO_API_KEY={v2_key()}\n")
    check = _key_check(run_cli, project)
    assert check["status"] == "warn", check
    assert check["message"].endswith("goes into a deployment package" if packaged else "not packaged")
    [detail] = check["details"]
    assert detail.startswith(".env: holds a Momento key; git ignores it (not committed); " + why), detail
