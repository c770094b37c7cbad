"""deploy.vpc-egress against moto's server with real boto3 calls: a function in private
subnets with and without a NAT gateway route, with and without a Secrets Manager endpoint."""

from __future__ import annotations

import json

from tests.support.doctor import run_doctor
from tests.support.doctor_aws import zip_bytes
from tests.support.doctor_projects import make_project

ID = "deploy.vpc-egress"


def network(aws, *, nat: bool, igw_only: bool = False, endpoint: bool = False):
    """A VPC with one private subnet (its own route table) and, optionally, a NAT gateway route."""
    ec2 = aws.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    public = ec2.create_subnet(VpcId=vpc, CidrBlock="10.20.0.0/24")["Subnet"]["SubnetId"]
    private = ec2.create_subnet(VpcId=vpc, CidrBlock="10.20.1.0/24")["Subnet"]["SubnetId"]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.associate_route_table(RouteTableId=table, SubnetId=private)
    if nat:
        allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
        gateway = ec2.create_nat_gateway(SubnetId=public, AllocationId=allocation)["NatGateway"]["NatGatewayId"]
        ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=gateway)
    elif igw_only:
        ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    if endpoint:
        ec2.create_vpc_endpoint(
            VpcId=vpc,
            ServiceName=f"com.amazonaws.{aws.region}.secretsmanager",
            VpcEndpointType="Interface",
            SubnetIds=[private],
        )
    group = ec2.create_security_group(GroupName="fn", Description="fn", VpcId=vpc)["GroupId"]
    return vpc, private, group


def function(aws, name: str, subnet: str | None, group: str | None) -> str:
    role = aws.client("iam").create_role(
        RoleName=f"{name}-role",
        AssumeRolePolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
                ],
            }
        ),
    )["Role"]["Arn"]
    kwargs = {}
    if subnet:
        kwargs["VpcConfig"] = {"SubnetIds": [subnet], "SecurityGroupIds": [group]}
    aws.client("lambda").create_function(
        FunctionName=name,
        Runtime="python3.13",
        Role=role,
        Handler="app.lambda_handler",
        Code={"ZipFile": zip_bytes()},
        Environment={"Variables": {"MOMENTO_CACHE_NAME": "demo-cache"}},
        **kwargs,
    )
    return name


def doctor(run_cli, tmp_path, name: str):
    project = make_project(tmp_path)
    return run_doctor(run_cli, str(project.root), "--only", ID, "--function", name, "--region", "us-east-1")


def test_private_subnet_without_nat_or_endpoint_fails(run_cli, tmp_path, peers):
    vpc, subnet, group = network(peers, nat=False)
    function(peers, "demo-hello", subnet, group)
    run = doctor(run_cli, tmp_path, "demo-hello")
    check = run.checks[ID]
    assert check["status"] == "fail", check
    assert check["details"] == [
        f"demo-hello: subnet {subnet} of {vpc} has no 0.0.0.0/0 route to a NAT gateway: Momento is unreachable; "
        "no Secrets Manager VPC endpoint either: the secret is unreachable too"
    ]
    assert "VpcConfig (SAM)" in check["hint"]
    assert run.exit_code == 1


def test_internet_gateway_route_is_not_enough_and_the_endpoint_only_serves_the_secret(run_cli, tmp_path, peers):
    vpc, subnet, group = network(peers, nat=False, igw_only=True, endpoint=True)
    function(peers, "demo-hello", subnet, group)
    check = doctor(run_cli, tmp_path, "demo-hello").checks[ID]
    assert check["status"] == "fail", check
    [detail] = check["details"]
    assert detail.startswith(f"demo-hello: subnet {subnet} of {vpc} has no 0.0.0.0/0 route to a NAT gateway")
    assert "the secret is reachable through vpce-" in detail


def test_private_subnet_behind_a_nat_gateway_passes(run_cli, tmp_path, peers):
    _vpc, subnet, group = network(peers, nat=True)
    function(peers, "demo-hello", subnet, group)
    check = doctor(run_cli, tmp_path, "demo-hello").checks[ID]
    assert check["status"] == "pass", check
    [detail] = check["details"]
    assert detail.startswith(f"demo-hello: {subnet} via NAT gateway nat-")


def test_function_outside_any_vpc_is_skipped_with_the_reason(run_cli, tmp_path, peers):
    function(peers, "demo-hello", None, None)
    check = doctor(run_cli, tmp_path, "demo-hello").checks[ID]
    assert check["status"] == "skip"
    assert check["message"] == "No deployed function is attached to a VPC (1 function checked)."


def test_offline_skips(run_cli, tmp_path):
    project = make_project(tmp_path)
    run = run_doctor(run_cli, str(project.root), "--offline", "--only", ID)
    assert run.status(ID) == "skip"
