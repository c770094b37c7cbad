"""Deployment and Momento checks against real local peers: the moto server (stacks of plain
CloudFormation resources, IAM, Lambda, Secrets Manager, KMS) and the local Momento server."""

from __future__ import annotations

import json

import pytest

from momento_lambda_cli import contract
from tests.support import doctor_aws
from tests.support.doctor import run_doctor
from tests.support.doctor_projects import CACHE_NAME, make_project
from tests.support.keys import legacy_key, v1_key, v2_key

REMOTE_IDS = [
    "deploy.stack",
    "deploy.functions",
    "deploy.env-secrets",
    "secret.contract",
    "secret.rotation",
    "iam.role-secret-access",
    "iam.role-kms-decrypt",
    "momento.key",
    "momento.key-expiry",
    "momento.cache",
]
ENDPOINT = "cell-test.example.momentohq.com"


@pytest.fixture
def momento(momento_server, monkeypatch):
    monkeypatch.setenv(contract.ENV_LOCAL_OVERRIDE, momento_server.endpoint)
    momento_server.create_cache(CACHE_NAME)
    return momento_server


@pytest.fixture
def healthy(aws, momento, tmp_path):
    key = v2_key()
    momento.state.valid_keys = {key}
    deployment = doctor_aws.deploy(aws, secret_string=contract.encode_secret(key, ENDPOINT))
    project = make_project(tmp_path, secret_arn=deployment.secret_arn)
    return deployment, project, key


def remote(run_cli, project, *args):
    return run_doctor(run_cli, str(project.root), "--only", ",".join(REMOTE_IDS), *args)


def test_healthy_deployment_passes_every_remote_check(run_cli, healthy, momento):
    _deployment, project, key = healthy
    run = remote(run_cli, project, "--verbose")
    # the secret uses aws/secretsmanager: no kms:Decrypt to check
    expected = {i: "skip" if i == "iam.role-kms-decrypt" else "pass" for i in REMOTE_IDS}
    assert {i: run.status(i) for i in REMOTE_IDS} == expected, {i: run.text(i) for i in REMOTE_IDS}
    assert run.exit_code == 0
    assert run.checks["deploy.stack"]["message"] == "Stack demo is CREATE_COMPLETE"
    # moto's simulator answers 500: the fallback is used and named
    message = run.checks["iam.role-secret-access"]["message"]
    assert "own policy evaluation over inline HelloFunctionRolePolicy0" in message
    assert "the simulator was unavailable" in message
    assert "ms round trip" in run.checks["momento.key"]["message"]
    assert run.checks["momento.cache"]["message"].startswith(f"Cache {CACHE_NAME} exists (")
    assert momento.state.calls["Get"] >= 1
    assert key not in json.dumps(run.document)


def test_explicit_names_override_the_project(run_cli, aws, healthy, tmp_path):
    deployment, _project, _key = healthy
    function_arn = aws.client("lambda").get_function_configuration(FunctionName=deployment.function_name)["FunctionArn"]
    run = run_doctor(
        run_cli,
        str(tmp_path / "not-a-project"),
        "--only",
        ",".join(REMOTE_IDS),
        "--stack-name",
        deployment.stack_name,
        "--function",
        function_arn,
        "--secret-id",
        deployment.secret_arn,
        "--cache-name",
        CACHE_NAME,
    )
    assert {i: run.status(i) for i in REMOTE_IDS} == {
        i: "skip" if i == "iam.role-kms-decrypt" else "pass" for i in REMOTE_IDS
    }


def test_missing_stack_fails(run_cli, aws, tmp_path):
    project = make_project(tmp_path)
    run = remote(run_cli, project, "--stack-name", "nope")
    assert run.status("deploy.stack") == "fail"
    assert run.checks["deploy.stack"]["message"] == "Stack nope does not exist in us-east-1"
    assert run.status("deploy.functions") == "skip"
    assert run.status("iam.role-kms-decrypt") == "skip"


def test_a_function_that_does_not_exist_fails(run_cli, healthy):
    _deployment, project, _key = healthy
    run = remote(run_cli, project, "--function", "no-such-function")
    assert run.status("deploy.functions") == "fail"
    assert "no-such-function: not found" in run.text("deploy.functions")
    assert run.status("deploy.env-secrets") == "skip"
    assert "no-such-function not found" in run.text("deploy.env-secrets")


def test_a_deleted_stack_fails(run_cli, aws, tmp_path):
    cloudformation = aws.client("cloudformation")
    deployment = doctor_aws.deploy(aws, secret_string=contract.encode_secret(v2_key(), ENDPOINT))
    stack_id = cloudformation.describe_stacks(StackName=deployment.stack_name)["Stacks"][0]["StackId"]
    cloudformation.delete_stack(StackName=deployment.stack_name)
    run = run_doctor(run_cli, str(make_project(tmp_path).root), "--only", "deploy.stack", "--stack-name", stack_id)
    assert run.status("deploy.stack") == "fail"
    assert run.checks["deploy.stack"]["message"] == f"Stack {stack_id} is DELETE_COMPLETE"
    assert run.checks["deploy.stack"]["hint"].startswith("The stack was deleted")
    assert run.exit_code == 1


def test_functions_that_drifted_from_the_project_fail(run_cli, aws, momento, tmp_path):
    deployment = doctor_aws.deploy(
        aws,
        secret_string=contract.encode_secret(v2_key(), ENDPOINT),
        runtime="python3.12",
        timeout=3,
        memory=128,
    )
    project = make_project(tmp_path, secret_arn=deployment.secret_arn)
    run = remote(run_cli, project)
    assert run.status("deploy.functions") == "fail"
    text = run.text("deploy.functions")
    for part in (
        "runtime python3.12 (project: python3.13)",
        "timeout 3 s (project: 10 s)",
        "memory 128 MB (project: 256 MB)",
    ):
        assert part in text


def test_function_on_another_architecture_fails(run_cli, aws, momento, tmp_path):
    # moto's CloudFormation ignores Architectures: create this function through the Lambda API.
    deployment = doctor_aws.deploy(aws, secret_string=contract.encode_secret(v2_key(), ENDPOINT))
    lam = aws.client("lambda")
    config = lam.get_function_configuration(FunctionName=deployment.function_name)
    lam.create_function(
        FunctionName="demo-arm",
        Runtime="python3.13",
        Role=config["Role"],
        Handler="app.lambda_handler",
        Code={"ZipFile": doctor_aws.zip_bytes()},
        Architectures=["arm64"],
        Timeout=10,
        MemorySize=256,
        Environment=config["Environment"],
    )
    project = make_project(tmp_path, secret_arn=deployment.secret_arn)
    run = remote(run_cli, project, "--function", "demo-arm")
    assert run.status("deploy.functions") == "fail"
    assert run.text("deploy.functions").endswith("demo-arm: architecture arm64 (project: x86_64)")
    assert (
        run_doctor(
            run_cli, str(project.root), "--only", "deploy.functions", "--function", deployment.function_name
        ).status("deploy.functions")
        == "pass"
    )


@pytest.mark.parametrize("make_key", [v2_key, legacy_key, v1_key])
def test_a_key_in_the_deployed_environment_fails_without_printing_it(run_cli, aws, momento, tmp_path, make_key):
    leaked = make_key()
    deployment = doctor_aws.deploy(
        aws, secret_string=contract.encode_secret(v2_key(), ENDPOINT), environment={"CACHE_TOKEN": leaked}
    )
    project = make_project(tmp_path, secret_arn=deployment.secret_arn)
    result = run_cli("doctor", str(project.root), "--only", "deploy.env-secrets", "--verbose")
    assert result.exit_code == 1
    assert f"{deployment.function_name}: environment variable CACHE_TOKEN holds a Momento" in result.stdout
    assert leaked not in result.output
    assert "LEAKCANARY" not in result.output


def test_momento_local_in_the_deployed_environment_fails(run_cli, aws, momento, tmp_path):
    deployment = doctor_aws.deploy(
        aws, secret_string=contract.encode_secret(v2_key(), ENDPOINT), environment={"MOMENTO_LOCAL": "127.0.0.1:1"}
    )
    run = remote(run_cli, make_project(tmp_path, secret_arn=deployment.secret_arn))
    assert run.status("deploy.env-secrets") == "fail"
    assert "MOMENTO_LOCAL is set" in run.text("deploy.env-secrets")


def test_role_without_the_grant_fails(run_cli, aws, momento, tmp_path):
    deployment = doctor_aws.deploy(aws, secret_string=contract.encode_secret(v2_key(), ENDPOINT), grant_secret=False)
    run = remote(run_cli, make_project(tmp_path, secret_arn=deployment.secret_arn))
    assert run.status("iam.role-secret-access") == "fail"
    assert f"role {deployment.role_name} ({deployment.function_name}): implicit-deny" in run.text(
        "iam.role-secret-access"
    )


def test_role_with_an_explicit_deny_fails(run_cli, aws, momento, tmp_path):
    statements = [
        {"Effect": "Allow", "Action": "secretsmanager:*", "Resource": "*"},
        {
            "Effect": "Deny",
            "Action": "secretsmanager:GetSecretValue",
            "Resource": "arn:aws:secretsmanager:*:*:secret:momento/*",
        },
    ]
    deployment = doctor_aws.deploy(aws, secret_string=contract.encode_secret(v2_key(), ENDPOINT), statements=statements)
    run = remote(run_cli, make_project(tmp_path, secret_arn=deployment.secret_arn))
    assert run.status("iam.role-secret-access") == "fail"
    assert ": denied" in run.text("iam.role-secret-access")


def test_role_with_a_conditional_grant_warns(run_cli, aws, momento, tmp_path):
    statements = [
        {
            "Effect": "Allow",
            "Action": "secretsmanager:GetSecretValue",
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:SourceVpce": "vpce-123"}},
        }
    ]
    deployment = doctor_aws.deploy(aws, secret_string=contract.encode_secret(v2_key(), ENDPOINT), statements=statements)
    run = remote(run_cli, make_project(tmp_path, secret_arn=deployment.secret_arn))
    assert run.status("iam.role-secret-access") == "warn"


def test_grant_through_an_attached_managed_policy_is_read(run_cli, aws, momento, tmp_path):
    deployment = doctor_aws.deploy(aws, secret_string=contract.encode_secret(v2_key(), ENDPOINT), grant_secret=False)
    iam = aws.client("iam")
    policy = iam.create_policy(
        PolicyName="ReadMomentoKey",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": deployment.secret_arn}
                ],
            }
        ),
    )
    iam.attach_role_policy(RoleName=deployment.role_name, PolicyArn=policy["Policy"]["Arn"])
    run = remote(run_cli, make_project(tmp_path, secret_arn=deployment.secret_arn))
    assert run.status("iam.role-secret-access") == "pass"
    assert "managed ReadMomentoKey" in run.checks["iam.role-secret-access"]["message"]


@pytest.mark.parametrize("grant", [True, False])
def test_customer_managed_kms_key_needs_decrypt(run_cli, aws, momento, tmp_path, grant):
    deployment = doctor_aws.deploy(
        aws, secret_string=contract.encode_secret(v2_key(), ENDPOINT), kms=True, grant_kms=grant
    )
    run = remote(run_cli, make_project(tmp_path, secret_arn=deployment.secret_arn, kms_key_arn=deployment.kms_key_arn))
    assert run.status("iam.role-kms-decrypt") == ("pass" if grant else "fail")


def test_missing_secret_fails(run_cli, aws, momento, tmp_path):
    deployment = doctor_aws.deploy(aws, secret_name="")
    run = remote(run_cli, make_project(tmp_path, secret_arn=deployment.secret_arn))
    assert run.status("secret.contract") == "fail"
    assert "does not exist" in run.checks["secret.contract"]["message"]
    assert run.status("momento.key") == "skip"


def test_secret_without_a_current_version_fails(run_cli, aws, momento, tmp_path):
    deployment = doctor_aws.deploy(aws, secret_string=None)
    run = remote(run_cli, make_project(tmp_path, secret_arn=deployment.secret_arn))
    assert run.status("secret.contract") == "fail"
    assert "has no AWSCURRENT version" in run.checks["secret.contract"]["message"]


@pytest.mark.parametrize(
    ("secret_string", "status", "needle"),
    [
        ('{"api_key": "x"}', "fail", "JSON without MOMENTO_API_KEY"),
        ("{not json", "fail", "does not parse"),
        ("PLAIN", "warn", "older plain-text shape"),
    ],
)
def test_secret_shapes(run_cli, aws, momento, tmp_path, secret_string, status, needle):
    value = legacy_key(ENDPOINT) if secret_string == "PLAIN" else secret_string
    deployment = doctor_aws.deploy(aws, secret_string=value)
    run = remote(run_cli, make_project(tmp_path, secret_arn=deployment.secret_arn))
    assert run.status("secret.contract") == status
    assert needle in run.checks["secret.contract"]["message"]


# --- Momento ---------------------------------------------------------------------------------


def test_rejected_key_fails(run_cli, healthy, momento):
    _deployment, project, _key = healthy
    momento.state.valid_keys = {"another-key"}
    run = remote(run_cli, project)
    assert run.status("momento.key") == "fail"
    assert "Momento rejected the stored key" in run.checks["momento.key"]["message"]
    assert run.status("momento.cache") == "skip"


def test_missing_cache_fails(run_cli, healthy, momento):
    _deployment, project, _key = healthy
    momento.reset()
    run = remote(run_cli, project)
    assert run.status("momento.key") == "pass"
    assert run.status("momento.cache") == "fail"
    assert run.checks["momento.cache"]["message"] == f"Cache {CACHE_NAME} does not exist"


def test_unreachable_momento_is_not_checked_and_exits_3(run_cli, healthy, momento):
    _deployment, project, _key = healthy
    momento.stop()
    run = remote(run_cli, project)
    assert run.status("momento.key") == "not-checked"
    assert "Could not reach Momento" in run.checks["momento.key"]["message"]
    assert run.status("momento.cache") == "not-checked"
    assert run.exit_code == 3  # nothing failed, but nothing was checked either: never green
    assert run_doctor(run_cli, str(project.root), "--only", "momento", "--strict").exit_code == 3


def test_a_secret_that_is_not_a_key_fails(run_cli, aws, momento, tmp_path):
    deployment = doctor_aws.deploy(aws, secret_string=contract.encode_secret("not-a-key-at-all", None))
    run = remote(run_cli, make_project(tmp_path, secret_arn=deployment.secret_arn))
    assert run.status("momento.key") == "fail"
    assert "This is not a Momento API key" in run.checks["momento.key"]["message"]
    assert run.status("momento.cache") == "skip"


def test_offline_never_calls_aws_or_momento(run_cli, healthy, momento):
    _deployment, project, _key = healthy
    run = run_doctor(run_cli, str(project.root), "--offline")
    assert {run.status(i) for i in REMOTE_IDS} == {"skip"}
    assert momento.state.calls.total() == 0


def test_serverless_project_finds_its_stack_as_service_dash_stage(run_cli, aws, momento, tmp_path):
    key = v2_key()
    deployment = doctor_aws.deploy(aws, stack_name="demo-dev", secret_string=contract.encode_secret(key, ENDPOINT))
    project = make_project(tmp_path, "serverless", secret_arn=deployment.secret_arn)
    run = remote(run_cli, project)
    assert run.checks["deploy.stack"]["message"] == "Stack demo-dev is CREATE_COMPLETE"
    assert {i: run.status(i) for i in REMOTE_IDS} == {
        i: "skip" if i == "iam.role-kms-decrypt" else "pass" for i in REMOTE_IDS
    }


def test_a_v2_key_stored_without_its_endpoint_fails(run_cli, aws, momento, tmp_path):
    deployment = doctor_aws.deploy(aws, secret_string=contract.encode_secret(v2_key(), None))
    run = remote(run_cli, make_project(tmp_path, secret_arn=deployment.secret_arn))
    assert run.status("secret.contract") == "pass"
    assert run.status("momento.key") == "fail"
    assert "v2 Momento API key, which needs its endpoint" in run.checks["momento.key"]["message"]
    assert momento.state.calls.total() == 0  # nothing was sent


def test_a_cdk_app_finds_its_stack_by_its_synthesized_name_and_region(run_cli, aws, momento, tmp_path):
    """The stack name and region come from the cloud assembly (manifest.json: stackName,
    aws://ACCOUNT/REGION), not from a settings file."""
    from tests.test_doctor_cdk import make_app

    key = v2_key()
    deployment = doctor_aws.deploy(
        aws, stack_name="Api", secret_string=contract.encode_secret(key, ENDPOINT), runtime="python3.12", memory=512
    )
    root = make_app(
        tmp_path / "app",
        environment={
            contract.ENV_SECRET_ARN: deployment.secret_arn,
            contract.ENV_CACHE_NAME: "demo-cache",
            contract.ENV_DEFAULT_TTL: "60",
        },
    )
    run = run_doctor(run_cli, str(root), "--only", ",".join(REMOTE_IDS))
    assert run.checks["deploy.stack"]["message"] == "Stack Api is CREATE_COMPLETE"
    assert {i: run.status(i) for i in REMOTE_IDS} == {
        i: "skip" if i == "iam.role-kms-decrypt" else "pass" for i in REMOTE_IDS
    }, {i: run.text(i) for i in REMOTE_IDS}
