"""Read a SAM (or plain CloudFormation) project: template.yaml plus samconfig.toml.

Parameters are resolved from ``samconfig.toml`` ``parameter_overrides`` and their defaults;
intrinsic functions as far as the values are known (conditions included, so an ``!If`` on
an empty KMS key parameter disappears as CloudFormation would make it). Whatever cannot be
resolved stays a ``${Name}`` placeholder, which still compares symbolically.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

from momento_lambda_cli import iam_policy
from momento_lambda_cli.project.parse import load_toml, load_yaml
from momento_lambda_cli.doctor.project_model import FunctionSpec, ProjectModel
from momento_lambda_cli.errors import MomentoLambdaError
from momento_lambda_cli.project import SAM, load_answers

SAM_TEMPLATES = ("template.yaml", "template.yml")


class _NoValue:
    def __repr__(self) -> str:
        return "AWS::NoValue"


NO_VALUE = _NoValue()


def parse_parameter_overrides(value: Any) -> dict[str, str]:
    """``Key=Value`` pairs from samconfig's parameter_overrides (a string or a list)."""
    items: list[str] = []
    if isinstance(value, str):
        try:
            items = shlex.split(value)
        except ValueError:
            items = value.split()
    elif isinstance(value, list):
        for item in value:
            items.extend(shlex.split(str(item)))
    result = {}
    for item in items:
        name, sep, val = item.partition("=")
        if sep:
            result[name.strip()] = val.strip().strip('"').strip("'")
    return result


def load_sam(root: Path, config_env: str) -> ProjectModel:
    template_path = next((root / n for n in SAM_TEMPLATES if (root / n).is_file()), None)
    if template_path is None:
        raise MomentoLambdaError(
            f"samconfig.toml is there but no template.yaml in {root}.",
            "SAM projects need template.yaml; `sam init` creates one.",
            code="doctor.no-template",
        )
    template = load_yaml(template_path)
    if not isinstance(template, dict) or not isinstance(template.get("Resources"), dict):
        raise MomentoLambdaError(
            f"{template_path.name} has no Resources section.",
            "A SAM template needs `Resources:` with at least one AWS::Serverless::Function.",
            code="doctor.bad-template",
        )
    config: dict[str, Any] = {}
    config_files = []
    samconfig = root / "samconfig.toml"
    if samconfig.is_file():
        config = load_toml(samconfig)
        config_files.append(samconfig)
    env = config.get(config_env, {}) if isinstance(config.get(config_env), dict) else {}

    def section(command: str) -> dict[str, Any]:
        value = env.get(command, {}).get("parameters", {}) if isinstance(env.get(command), dict) else {}
        return value if isinstance(value, dict) else {}

    glob, build, deploy = section("global"), section("build"), section("deploy")
    overrides = parse_parameter_overrides(deploy.get("parameter_overrides") or glob.get("parameter_overrides"))
    answers = load_answers(root)
    region = deploy.get("region") or glob.get("region") or (answers or {}).get("region")

    parameters: dict[str, Any] = {}
    for name, spec in (template.get("Parameters") or {}).items():
        if name in overrides:
            parameters[name] = overrides[name]
        elif isinstance(spec, dict) and "Default" in spec:
            parameters[name] = str(spec["Default"])
    resolver = CfnResolver(template, parameters, region)

    functions = []
    globals_fn = (template.get("Globals") or {}).get("Function") or {}
    resources = template["Resources"]
    for logical_id, resource in resources.items():
        if not isinstance(resource, dict):
            continue
        kind = resource.get("Type")
        props = resource.get("Properties") or {}
        if kind == "AWS::Serverless::Function":
            merged = _merge_globals(globals_fn, props)
            functions.append(_sam_function(root, logical_id, merged, resource, resolver))
        elif kind == "AWS::Lambda::Function":
            functions.append(_sam_function(root, logical_id, props, resource, resolver, plain=True))

    makefile_platforms = []
    for function in functions:
        if function.code_dir and (function.code_dir / "Makefile").is_file():
            text = (function.code_dir / "Makefile").read_text(encoding="utf-8", errors="replace")
            makefile_platforms.extend(re.findall(r"--platform[ =](\S+)", text))
    return ProjectModel(
        framework=SAM,
        root=root,
        template_path=template_path,
        template=template,
        functions=functions,
        parameters=parameters,
        build={
            "use_container": bool(build.get("use_container", False)),
            "build_image": build.get("build_image"),
            "makefile_platforms": makefile_platforms,
            "build_methods": [
                str(((resources.get(f.key) or {}).get("Metadata") or {}).get("BuildMethod") or "") for f in functions
            ],
        },
        stack_name=deploy.get("stack_name") or glob.get("stack_name"),
        region=str(region) if region else None,
        answers=answers,
        config_files=config_files,
    )


def _merge_globals(globals_fn: dict[str, Any], props: dict[str, Any]) -> dict[str, Any]:
    merged = dict(globals_fn)
    for key, value in props.items():
        if key == "Environment" and isinstance(value, dict) and isinstance(merged.get("Environment"), dict):
            variables = dict(merged["Environment"].get("Variables") or {})
            variables.update(value.get("Variables") or {})
            merged["Environment"] = {"Variables": variables}
        else:
            merged[key] = value
    return merged


def _sam_function(
    root: Path, logical_id: str, props: dict[str, Any], resource: dict[str, Any], r: CfnResolver, plain: bool = False
) -> FunctionSpec:
    arches = r.resolve(props.get("Architectures")) or ["x86_64"]
    env_source = dict(((props.get("Environment") or {}).get("Variables")) or {})
    environment = {k: r.resolve(v) for k, v in env_source.items()}
    code_dir = None
    code = props.get("Code") if plain else props.get("CodeUri")
    if isinstance(code, str) and not code.startswith("s3://"):
        code_dir = (root / code).resolve()
    elif code is None and not plain:
        code_dir = root.resolve()
    statements: list[iam_policy.Statement] = []
    managed: list[str] = []
    if plain:
        role = props.get("Role")
        statements, managed = _role_statements(role, r)
    else:
        policies = props.get("Policies")
        for item in policies if isinstance(policies, list) else ([policies] if policies else []):
            item = r.resolve(item)
            if isinstance(item, str):
                managed.append(item)
            elif isinstance(item, dict) and "Statement" in item:
                statements.extend(iam_policy.statements_of(item, "Policies"))
            elif isinstance(item, dict):
                statements.extend(_policy_template(item))
        if props.get("Role"):
            more, more_managed = _role_statements(props.get("Role"), r)
            statements.extend(more)
            managed.extend(more_managed)
    runtime = r.resolve(props.get("Runtime"))
    return FunctionSpec(
        key=logical_id,
        runtime=str(runtime) if runtime else None,
        architecture=str(arches[0]) if isinstance(arches, list) and arches else "x86_64",
        timeout=float(r.resolve(props.get("Timeout")) or 3),
        memory=int(r.resolve(props.get("MemorySize")) or 128),
        handler=str(props.get("Handler")) if props.get("Handler") else None,
        code_dir=code_dir,
        environment=environment,
        statements=statements,
        managed_policies=[str(m) for m in managed],
        deployed_name=str(r.resolve(props["FunctionName"])) if props.get("FunctionName") else None,
        environment_source=env_source,
    )


def _policy_template(item: dict[str, Any]) -> list[iam_policy.Statement]:
    """SAM policy templates that matter for Momento (others are ignored)."""
    statements = []
    for name, args in item.items():
        args = args if isinstance(args, dict) else {}
        if name == "AWSSecretsManagerGetSecretValuePolicy":
            statements.append(
                iam_policy.Statement(
                    "Allow",
                    ("secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"),
                    (),
                    (str(args.get("SecretArn", "")),),
                    (),
                    False,
                    name,
                )
            )
        elif name == "KMSDecryptPolicy":
            key = str(args.get("KeyId", ""))
            resource = (
                key
                if key.startswith("arn:")
                else f"arn:${{AWS::Partition}}:kms:${{AWS::Region}}:${{AWS::AccountId}}:key/{key}"
            )
            statements.append(iam_policy.Statement("Allow", ("kms:Decrypt",), (), (resource,), (), False, name))
    return statements


def _role_statements(role: Any, r: CfnResolver) -> tuple[list[iam_policy.Statement], list[str]]:
    """Statements of an AWS::IAM::Role defined in the same template (and policies attached to it)."""
    logical = None
    if isinstance(role, dict):
        if "Fn::GetAtt" in role:
            target = role["Fn::GetAtt"]
            logical = target[0] if isinstance(target, list) and target else None
        elif "Ref" in role:
            logical = role["Ref"]
    resources = r.template.get("Resources") or {}
    if not logical or not isinstance(resources.get(logical), dict):
        return [], []
    props = resources[logical].get("Properties") or {}
    statements: list[iam_policy.Statement] = []
    for policy in props.get("Policies") or []:
        policy = r.resolve(policy)
        if isinstance(policy, dict):
            statements.extend(iam_policy.statements_of(policy.get("PolicyDocument"), str(policy.get("PolicyName", ""))))
    managed = [str(m) for m in (r.resolve(props.get("ManagedPolicyArns")) or [])]
    for name, resource in resources.items():
        if not isinstance(resource, dict) or resource.get("Type") not in {
            "AWS::IAM::Policy",
            "AWS::IAM::ManagedPolicy",
        }:
            continue
        rprops = resource.get("Properties") or {}
        roles = rprops.get("Roles") or []
        if any(isinstance(x, dict) and x.get("Ref") == logical for x in roles):
            statements.extend(iam_policy.statements_of(r.resolve(rprops.get("PolicyDocument")), name))
    return statements, managed


class CfnResolver:
    """Resolve CloudFormation intrinsics against known parameter values."""

    def __init__(self, template: dict[str, Any], parameters: dict[str, Any], region: Any) -> None:
        self.template = template
        self.parameters = parameters
        self.region = region
        self._conditions: dict[str, bool | None] = {}

    def ref(self, name: str) -> Any:
        if name in self.parameters:
            return self.parameters[name]
        if name == "AWS::NoValue":
            return NO_VALUE
        if name == "AWS::Partition":
            return "aws"
        if name == "AWS::Region" and self.region:
            return str(self.region)
        return "${" + name + "}"

    def condition(self, name: str) -> bool | None:
        if name not in self._conditions:
            self._conditions[name] = None
            spec = (self.template.get("Conditions") or {}).get(name)
            self._conditions[name] = self.truth(spec)
        return self._conditions[name]

    def truth(self, spec: Any) -> bool | None:
        if not isinstance(spec, dict) or len(spec) != 1:
            return None
        ((key, value),) = spec.items()
        if key == "Condition":
            return self.condition(str(value))
        if key == "Fn::Equals" and isinstance(value, list) and len(value) == 2:
            a, b = (self.resolve(v) for v in value)
            if any(isinstance(x, str) and "${" in x for x in (a, b)):
                return None
            return str(a) == str(b)
        if key == "Fn::Not" and isinstance(value, list) and value:
            inner = self.truth(value[0])
            return None if inner is None else not inner
        if key in {"Fn::And", "Fn::Or"} and isinstance(value, list):
            parts = [self.truth(v) for v in value]
            if None in parts:
                return None
            return all(parts) if key == "Fn::And" else any(parts)
        return None

    def resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            items = [self.resolve(v) for v in value]
            return [v for v in items if v is not NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, arg),) = value.items()
            if key == "Ref":
                return self.ref(str(arg))
            if key == "Fn::Sub":
                return self.sub(arg)
            if key == "Fn::GetAtt":
                parts = arg if isinstance(arg, list) else str(arg).split(".", 1)
                return "${" + ".".join(str(p) for p in parts) + "}"
            if key == "Fn::If" and isinstance(arg, list) and len(arg) == 3:
                truth = self.condition(str(arg[0]))
                return self.resolve(arg[2] if truth is False else arg[1])
            if key == "Fn::Join" and isinstance(arg, list) and len(arg) == 2:
                items = self.resolve(arg[1])
                if isinstance(items, list):
                    return str(arg[0]).join(str(i) for i in items)
            if key == "Fn::Select" and isinstance(arg, list) and len(arg) == 2:
                items = self.resolve(arg[1])
                try:
                    return items[int(self.resolve(arg[0]))]
                except (TypeError, ValueError, IndexError, KeyError):
                    return "${Select}"
            if key == "Fn::Split" and isinstance(arg, list) and len(arg) == 2:
                text = self.resolve(arg[1])
                return str(text).split(str(arg[0]))
            if key == "Fn::ImportValue":
                return "${Import:" + str(self.resolve(arg)) + "}"
            if key == "Fn::FindInMap" and isinstance(arg, list) and len(arg) == 3:
                keys = [self.resolve(a) for a in arg]
                try:
                    return self.template["Mappings"][keys[0]][keys[1]][keys[2]]
                except (KeyError, TypeError):
                    return "${FindInMap}"
            if key.startswith("Fn::"):
                return "${" + key + "}"
        return {k: v for k, v in ((k, self.resolve(v)) for k, v in value.items()) if v is not NO_VALUE}

    def sub(self, arg: Any) -> str:
        if isinstance(arg, list) and arg:
            text = str(arg[0])
            local = arg[1] if len(arg) > 1 and isinstance(arg[1], dict) else {}
        else:
            text, local = str(arg), {}

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name.startswith("!"):
                return "${" + name[1:] + "}"
            if name in local:
                return str(self.resolve(local[name]))
            if "." in name:
                return "${" + name + "}"
            value = self.ref(name)
            return str(value) if value is not NO_VALUE else ""

        return re.sub(r"\$\{([^}]+)\}", replace, text)
