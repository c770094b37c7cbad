"""Network reachability of deployed functions attached to a VPC.

A function with ``VpcConfig`` subnets reaches nothing outside the VPC except through its
subnets' routes: Momento (a public endpoint) needs a ``0.0.0.0/0`` route to a NAT gateway
(a route to an internet gateway does not help: Lambda's network interfaces have no public
address), and Secrets Manager needs either that NAT route or an interface VPC endpoint for
``com.amazonaws.<region>.secretsmanager``.
"""

from __future__ import annotations

from typing import Any

from momento_lambda_cli import aws
from momento_lambda_cli.doctor.checks._util import plural
from momento_lambda_cli.doctor.context import DeployedFunction, DoctorContext
from momento_lambda_cli.doctor.model import Check, Group, Result, SkipCheck
from momento_lambda_cli.frameworks import adapter_for

DEFAULT_ROUTE = "0.0.0.0/0"
EGRESS_TARGETS = {
    "NatGatewayId": "NAT gateway",
    "InstanceId": "NAT instance",
    "NetworkInterfaceId": "network interface (NAT instance / firewall)",
    "TransitGatewayId": "transit gateway",
}
"""Targets of a default route that can carry a Lambda function's traffic to the internet."""


def _route_table(ctx: DoctorContext, vpc_id: str, subnet_id: str) -> dict[str, Any] | None:
    """The route table a subnet uses: its explicit association, else its VPC's main table."""

    def load() -> dict[str, Any] | None:
        for filters in (
            [{"Name": "association.subnet-id", "Values": [subnet_id]}],
            [{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "association.main", "Values": ["true"]}],
        ):
            tables = ctx.call(
                "ec2", "describe_route_tables", "ec2:DescribeRouteTables", subnet_id, Filters=filters
            ).get("RouteTables")
            if tables:
                return dict(tables[0])
        return None

    return ctx.once(f"route-table:{subnet_id}", load)


def _subnet_vpc(ctx: DoctorContext, subnet_id: str) -> str | None:
    """The VPC a subnet belongs to (from EC2: the subnet is the fact, whatever else names a VPC)."""

    def load() -> str | None:
        found = ctx.call(
            "ec2",
            "describe_subnets",
            "ec2:DescribeSubnets",
            subnet_id,
            missing=lambda exc: aws.error_code(exc) == "InvalidSubnetID.NotFound",
            SubnetIds=[subnet_id],
        )
        subnets = (found or {}).get("Subnets") or []
        return str(subnets[0]["VpcId"]) if subnets else None

    return ctx.once(f"subnet-vpc:{subnet_id}", load)


def _egress(table: dict[str, Any] | None) -> str | None:
    """What carries the subnet's default route to the internet (``NAT gateway nat-1``), if anything."""
    for route in (table or {}).get("Routes") or []:
        if route.get("DestinationCidrBlock") != DEFAULT_ROUTE or route.get("State") == "blackhole":
            continue
        for key, label in EGRESS_TARGETS.items():
            if route.get(key):
                return f"{label} {route[key]}"
    return None


def _secrets_endpoint(ctx: DoctorContext, vpc_id: str) -> str | None:
    """The id of an available Secrets Manager interface endpoint in the VPC, if any."""

    def load() -> str | None:
        service = f"com.amazonaws.{ctx.region()}.secretsmanager"
        found = ctx.call(
            "ec2",
            "describe_vpc_endpoints",
            "ec2:DescribeVpcEndpoints",
            vpc_id,
            Filters=[{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "service-name", "Values": [service]}],
        ).get("VpcEndpoints")
        for endpoint in found or []:
            if str(endpoint.get("State", "available")).lower() in {"available", "pending"}:
                return str(endpoint.get("VpcEndpointId"))
        return None

    return ctx.once(f"secrets-endpoint:{vpc_id}", load)


def _in_vpc(ctx: DoctorContext) -> list[DeployedFunction]:
    ctx.session()
    functions = ctx.deployed_functions()
    if not functions:
        raise SkipCheck("No deployed function to check (the stack has none, or it does not exist).")
    attached = [f for f in functions if (f.configuration.get("VpcConfig") or {}).get("SubnetIds")]
    if not attached:
        raise SkipCheck(f"No deployed function is attached to a VPC ({plural(len(functions), 'function')} checked).")
    momento = [f for f in attached if f.spec is None or ctx.code().function(f.spec).uses_momento]
    if not momento:
        raise SkipCheck("The functions attached to a VPC do not use Momento.")
    return momento


def vpc_egress(ctx: DoctorContext) -> Result:
    failures, passes = [], []
    for function in _in_vpc(ctx):
        vpc = function.configuration["VpcConfig"]
        subnets = [str(s) for s in vpc.get("SubnetIds") or []]
        vpc_id = _subnet_vpc(ctx, subnets[0]) or str(vpc.get("VpcId") or "")
        without = []
        routes = []
        for subnet in subnets:
            egress = _egress(_route_table(ctx, vpc_id, subnet))
            if egress is None:
                without.append(subnet)
            else:
                routes.append(f"{subnet} via {egress}")
        endpoint = _secrets_endpoint(ctx, vpc_id)
        if without:
            secret = (
                f"the secret is reachable through {endpoint}"
                if endpoint
                else "no Secrets Manager VPC endpoint either: the secret is unreachable too"
            )
            failures.append(
                f"{function.name}: subnet {', '.join(without)} of {vpc_id} has no {DEFAULT_ROUTE} route to a NAT "
                f"gateway: Momento is unreachable; {secret}"
            )
        else:
            via = f"; secret via {endpoint}" if endpoint else ""
            passes.append(f"{function.name}: {'; '.join(routes)}{via}")
    if failures:
        return Result.fail(
            "A function in a VPC has no route to the internet: Momento calls time out",
            _hint(ctx),
            failures,
        )
    return Result.ok(f"{plural(len(passes), 'function')} in a VPC reach the internet through NAT", passes)


def _hint(ctx: DoctorContext) -> str:
    try:
        where = adapter_for(ctx.project()).wording.vpc_setting
    except Exception:
        where = "the function's VPC settings"
    return (
        f"Put the subnets in {where} behind a NAT gateway (a private route table with 0.0.0.0/0 -> nat-...), "
        "or take the function out of the VPC if it needs nothing there; a Secrets Manager interface endpoint "
        "(com.amazonaws.<region>.secretsmanager) serves the secret, not Momento."
    )


CHECKS = [
    Check(
        "deploy.vpc-egress",
        Group.DEPLOYMENT,
        "Functions in a VPC reach Momento",
        vpc_egress,
        remote=True,
        reads="EC2: the functions' subnets, route tables and VPC endpoints",
        fails_when="a deployed Momento function in a VPC has a subnet without a `0.0.0.0/0` route to a NAT gateway (Momento unreachable); says whether a Secrets Manager interface endpoint serves the secret",
        why="a function in a VPC without a NAT route cannot reach Momento",
    ),
]
