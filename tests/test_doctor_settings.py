"""doctor finds the stack, region and secret the way the deploy tool would: samconfig's region over
the environment, --config-env / --stage, parameter_overrides in either form."""

from __future__ import annotations

import pytest

from momento_lambda_cli import contract
from tests.support import doctor_aws
from tests.support.doctor import run_doctor
from tests.support.doctor_projects import CACHE_NAME, make_project
from tests.support.keys import v2_key

ENDPOINT = "cell-test.example.momentohq.com"


def test_samconfig_region_wins_over_aws_region_as_for_sam_deploy(run_cli, aws, tmp_path):
    aws.region = "eu-west-1"  # the stack and the secret live in eu-west-1; AWS_REGION stays us-east-1
    deployment = doctor_aws.deploy(aws, secret_string=contract.encode_secret(v2_key(), ENDPOINT))
    project = make_project(tmp_path, secret_arn=deployment.secret_arn)
    project.edit("samconfig.toml", 'region = "us-east-1"', 'region = "eu-west-1"')
    run = run_doctor(run_cli, str(project.root), "--only", "project.framework,deploy.stack,secret.contract")
    assert run.status("deploy.stack") == "pass", run.text("deploy.stack")
    assert run.status("secret.contract") == "pass", run.text("secret.contract")
    details = run.checks["project.framework"]["details"]
    assert "region eu-west-1 (from samconfig.toml [default.deploy.parameters] region)" in details
    assert any("(AWS_REGION says us-east-1)" in line for line in details)


def test_region_flag_wins_over_samconfig(run_cli, aws, tmp_path):
    deployment = doctor_aws.deploy(aws, secret_string=contract.encode_secret(v2_key(), ENDPOINT))
    project = make_project(tmp_path, secret_arn=deployment.secret_arn)
    project.edit("samconfig.toml", 'region = "us-east-1"', 'region = "eu-west-1"')
    run = run_doctor(run_cli, str(project.root), "--only", "deploy.stack", "--region", "us-east-1")
    assert run.status("deploy.stack") == "pass", run.text("deploy.stack")


PROD = """
[prod.deploy.parameters]
stack_name = "demo-prod"
region = "us-east-1"
parameter_overrides = "ParameterKey=MomentoSecretArn,ParameterValue={arn} ParameterKey=MomentoCacheName,ParameterValue={cache}"
"""


@pytest.mark.parametrize("flag", ["--config-env", "--stage"])
def test_config_env_checks_that_environment_s_stack_and_secret(run_cli, aws, tmp_path, flag):
    default = doctor_aws.deploy(aws, secret_string=contract.encode_secret(v2_key(), ENDPOINT))
    prod = doctor_aws.deploy(
        aws,
        stack_name="demo-prod",
        secret_name="momento/prod/api-key",
        secret_string='{"username": "not a momento secret"}',
    )
    project = make_project(tmp_path, secret_arn=default.secret_arn)
    project.write(
        "samconfig.toml",
        (project.root / "samconfig.toml").read_text() + PROD.format(arn=prod.secret_arn, cache=CACHE_NAME),
    )
    checks = "project.framework,iam.secret-access,deploy.stack,secret.contract"

    as_default = run_doctor(run_cli, str(project.root), "--only", checks)
    assert as_default.status("secret.contract") == "pass", as_default.text("secret.contract")
    assert default.secret_arn in as_default.text("iam.secret-access")

    as_prod = run_doctor(run_cli, str(project.root), "--only", checks, flag, "prod", "--verbose")
    assert "config env prod (from --config-env)" in as_prod.checks["project.framework"]["details"]
    assert "stack demo-prod" in as_prod.text("project.framework")
    assert as_prod.status("deploy.stack") == "pass"
    assert prod.secret_arn in as_prod.text("iam.secret-access")  # the long ParameterKey= form is read
    assert default.secret_arn not in as_prod.text("iam.secret-access")
    assert as_prod.status("secret.contract") == "fail"  # prod's secret is the one checked
    assert "momento/prod/api-key" in as_prod.text("secret.contract")
