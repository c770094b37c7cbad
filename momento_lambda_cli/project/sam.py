"""Read a SAM (or plain CloudFormation) project as ``sam deploy`` would deploy it.

The template (``template.yaml`` / ``template.yml`` / ``template.json``, or samconfig's
``template_file``) with ``Globals`` merged into each function, parameters from samconfig's
``parameter_overrides`` over their ``Default``, intrinsics and ``Conditions`` evaluated where
the values are known; the samconfig file of one config env; layers built by the project;
and the deploy settings by ``sam deploy``'s rules:

* region: ``--region``, else samconfig's ``region`` (``[env.deploy.parameters]`` over
  ``[env.global.parameters]``; it is a default for the ``--region`` option, so it wins over
  ``AWS_REGION``), else ``AWS_REGION`` / ``AWS_DEFAULT_REGION``, else the profile's region;
* stack name: ``--stack-name``, else samconfig's ``stack_name``; none otherwise (``sam deploy``
  then refuses to run without ``--guided``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from momento_lambda_cli import catalog, iam_policy
from momento_lambda_cli.errors import MomentoLambdaError
from momento_lambda_cli.project import handlers, parse
from momento_lambda_cli.project import samconfig as samconfig_files
from momento_lambda_cli.project.answers import SAM, load_answers
from momento_lambda_cli.project.cfn import CfnResolver
from momento_lambda_cli.project.model import (
    BuildSettings,
    CodeKind,
    CodeLocation,
    Function,
    Layer,
    Project,
    Setting,
    environment_region,
)
from momento_lambda_cli.project.values import Unresolved, as_float, as_int, as_str

TEMPLATE_NAMES = catalog.SAM.template_files
FUNCTION_TYPES = {"AWS::Serverless::Function", "AWS::Lambda::Function"}
LAYER_TYPES = {"AWS::Serverless::LayerVersion", "AWS::Lambda::LayerVersion"}
DEFAULT_TIMEOUT = 3.0
DEFAULT_MEMORY = 128


def find_template(root: Path, config: samconfig_files.SamConfig | None = None) -> Path | None:
    if config is not None:
        for command in ("deploy", "build"):
            named = config.parameters(command).get("template_file") or config.parameters(command).get("template")
            if isinstance(named, str) and named and (root / named).is_file():
                return (root / named).resolve()
    return next((root / n for n in TEMPLATE_NAMES if (root / n).is_file()), None)


def load_sam(
    root: Path,
    *,
    config_env: str | None = None,
    region: str | None = None,
    stack_name: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> Project:
    """The SAM project in ``root`` for config env ``config_env`` (``default``); raises
    MomentoLambdaError only when the template is missing, does not parse or has no Resources."""
    environ = os.environ if environ is None else environ
    env_name = config_env or samconfig_files.DEFAULT_ENV
    config = samconfig_files.load(root, env_name)
    template_path = find_template(root, config)
    if template_path is None:
        raise MomentoLambdaError(
            f"No template.yaml in {root}.",
            "SAM projects need template.yaml (`sam init` creates one); pass the project folder.",
            code="project.no-template",
        )
    duplicates: list[tuple[str, int]] = []
    template = parse.load_yaml(template_path, root, duplicates)
    if not isinstance(template, dict) or not isinstance(template.get("Resources"), dict):
        raise MomentoLambdaError(
            f"{template_path.name} has no Resources section.",
            "A SAM template needs `Resources:` with at least one AWS::Serverless::Function.",
            code="project.bad-template",
        )
    deploy = config.parameters("deploy")
    build = config.parameters("build")
    overrides = config.overrides("deploy")
    deploy_region = region_setting(config, region, environ)
    problems = list(config.problems)
    problems += parse.duplicate_problems(template_path.name, duplicates, "the SAM CLI keeps the last one")

    parameters: dict[str, Any] = {}
    declared = template.get("Parameters")
    for name, spec in (declared if isinstance(declared, dict) else {}).items():
        if name in overrides:
            parameters[name] = overrides[name]
        elif isinstance(spec, dict) and "Default" in spec and spec["Default"] is not None:
            default = spec["Default"]
            parameters[name] = ",".join(map(str, default)) if isinstance(default, list) else str(default)
    unknown = sorted(set(overrides) - set(declared if isinstance(declared, dict) else {}))
    if unknown:
        problems.append(
            f"{config.name} overrides parameters the template does not declare: {', '.join(unknown)} "
            "(CloudFormation refuses the deploy)"
        )
    resolver = CfnResolver(template, parameters, deploy_region.known)
    functions, layer_list = template_functions(root, template, resolver)

    makefile_platforms: list[str] = []
    for function in functions:
        makefile = function.code_dir / "Makefile" if function.code_dir else None
        # Only a Makefile inside the project is read (a code folder outside it, `CodeUri: ../src`,
        # is not refused for it: its build settings are simply not known).
        if makefile is not None and makefile.is_file() and makefile.resolve().is_relative_to(root.resolve()):
            text = parse.read_text(makefile, root=root)
            makefile_platforms.extend(re.findall(r"--platform[ =](\S+)", text))
    stack = (
        Setting(stack_name, "--stack-name")
        if stack_name
        else Setting(str(deploy["stack_name"]), config.where("deploy", "stack_name"))
        if deploy.get("stack_name")
        else Setting(None, "not set", f"{config.name} has no stack_name for [{env_name}]: pass --stack-name")
    )
    return Project(
        framework=SAM,
        root=root,
        config_path=template_path,
        document=template,
        functions=functions,
        layers=layer_list,
        parameters=parameters,
        build=BuildSettings(
            use_container=_truthy(build.get("use_container")),
            build_image=_first_image(build.get("build_image")),
            makefile_platforms=makefile_platforms,
        ),
        stage=Setting(env_name, "--config-env" if config_env else "the SAM CLI's default"),
        region=deploy_region,
        stack_name=stack,
        answers=load_answers(root),
        config_files=list(config.files),
        problems=problems,
        profile=str(deploy["profile"]) if isinstance(deploy.get("profile"), str) else None,
    )


def template_functions(
    root: Path, template: dict[str, Any], resolver: CfnResolver
) -> tuple[list[Function], list[Layer]]:
    """The functions and layers of a CloudFormation template (SAM's ``Globals`` merged in), code
    locations relative to ``root``: the one reading of a template, for SAM and for the templates
    CDK synthesizes."""
    resources = template["Resources"]
    globals_section = template.get("Globals")
    globals_fn = globals_section.get("Function") if isinstance(globals_section, dict) else None
    globals_fn = globals_fn if isinstance(globals_fn, dict) else {}

    layers = {
        str(logical_id): _layer(root, str(logical_id), resource, resolver)
        for logical_id, resource in resources.items()
        if isinstance(resource, dict) and resource.get("Type") in LAYER_TYPES
    }
    functions: list[Function] = []
    for logical_id, resource in resources.items():
        if not isinstance(resource, dict) or resource.get("Type") not in FUNCTION_TYPES:
            continue
        props = resource.get("Properties")
        props = props if isinstance(props, dict) else {}
        serverless = resource["Type"] == "AWS::Serverless::Function"
        merged = _merge_globals(globals_fn, props) if serverless else props
        functions.append(_function(root, str(logical_id), merged, resource, resolver, layers, serverless))
    return functions, list(layers.values())


def region_setting(config: samconfig_files.SamConfig, flag: str | None, environ: Mapping[str, str]) -> Setting[str]:
    """``sam deploy``'s region: ``--region``, samconfig's ``region``, then the environment's."""
    if flag:
        return Setting(flag, "--region")
    configured = config.parameters("deploy").get("region")
    if isinstance(configured, str) and configured:
        return Setting(configured, config.where("deploy", "region"))
    return environment_region(environ) or Setting(
        None, "the AWS profile's region", "no region in the project or the environment"
    )


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"true", "1", "yes"}
    return bool(value)


def _first_image(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    return str(value) if value else None


def _merge_globals(globals_fn: dict[str, Any], props: dict[str, Any]) -> dict[str, Any]:
    """SAM's Globals rules: properties override, Environment.Variables merge, lists (Layers...) append."""
    merged = dict(globals_fn)
    for key, value in props.items():
        inherited = merged.get(key)
        if key == "Environment" and isinstance(value, dict) and isinstance(inherited, dict):
            base = inherited.get("Variables")
            own = value.get("Variables")
            variables = dict(base) if isinstance(base, dict) else {}
            variables.update(own if isinstance(own, dict) else {})
            merged["Environment"] = {**inherited, **value, "Variables": variables}
        elif isinstance(value, list) and isinstance(inherited, list) and key != "Architectures":
            merged[key] = inherited + value
        else:
            merged[key] = value
    return merged


def _code(root: Path, value: Any, r: CfnResolver) -> CodeLocation:
    """A CodeUri / ContentUri / Code value."""
    value = r.resolve(value)
    if value is None:
        return handlers.local_code(root, ".")
    if isinstance(value, str):
        return handlers.local_code(root, value)
    if isinstance(value, dict):
        if "ZipFile" in value:
            return CodeLocation(CodeKind.INLINE, None, "ZipFile")
        if "ImageUri" in value:
            return CodeLocation(CodeKind.IMAGE, None, str(value["ImageUri"]))
        if any(k in value for k in ("Bucket", "S3Bucket")):
            bucket = value.get("Bucket") or value.get("S3Bucket")
            key = value.get("Key") or value.get("S3Key")
            return CodeLocation(CodeKind.S3, None, f"s3://{bucket}/{key}")
    return CodeLocation(CodeKind.UNRESOLVED, None, str(value)[:200])


def _layer(root: Path, logical_id: str, resource: dict[str, Any], r: CfnResolver) -> Layer:
    props = resource.get("Properties")
    props = props if isinstance(props, dict) else {}
    content = (
        props.get("ContentUri") if resource.get("Type") == "AWS::Serverless::LayerVersion" else props.get("Content")
    )
    runtimes = r.resolve(props.get("CompatibleRuntimes"))
    metadata = resource.get("Metadata")
    method = metadata.get("BuildMethod") if isinstance(metadata, dict) else None
    return Layer(
        key=logical_id,
        code=_code(root, content, r),
        runtimes=[str(x) for x in runtimes] if isinstance(runtimes, list) else [],
        build_method=str(method) if method else None,
    )


def _snapstart(value: Any, r: CfnResolver) -> bool:
    """``SnapStart: {ApplyOn: PublishedVersions}`` (``None`` turns it off)."""
    return isinstance(value, dict) and r.resolve(value.get("ApplyOn")) == "PublishedVersions"


def _function(
    root: Path,
    logical_id: str,
    props: dict[str, Any],
    resource: dict[str, Any],
    r: CfnResolver,
    layers: dict[str, Layer],
    serverless: bool,
) -> Function:
    problems: list[str] = []
    package_type = str(r.resolve(props.get("PackageType")) or "Zip")
    runtime = as_str(r.resolve(props.get("Runtime")), "Runtime")
    if isinstance(runtime, str) and "${" in runtime:
        runtime = Unresolved(
            runtime,
            "Runtime comes from a mapping keyed by a region that is not known (its entries differ)"
            if "${FindInMap" in runtime
            else "Runtime comes from a parameter with no value",
        )
    arches = r.resolve(props.get("Architectures"))
    architecture: str | Unresolved = catalog.LAMBDA_DEFAULT_ARCHITECTURE.name
    if isinstance(arches, list) and arches:
        architecture = str(arches[0])
        if "${" in architecture:
            architecture = Unresolved(architecture, "Architectures comes from a parameter with no value")
    elif arches is not None and not isinstance(arches, list):
        architecture = Unresolved(str(arches), "Architectures is not a list")
    timeout = as_float(_known(r.resolve(props.get("Timeout"))), DEFAULT_TIMEOUT, "Timeout")
    memory = as_int(_known(r.resolve(props.get("MemorySize"))), DEFAULT_MEMORY, "MemorySize")
    for name, value in (("Timeout", timeout), ("MemorySize", memory), ("Runtime", runtime)):
        if isinstance(value, Unresolved):
            problems.append(f"{name}: {value.describe()}")

    environment_block = props.get("Environment")
    variables = environment_block.get("Variables") if isinstance(environment_block, dict) else None
    env_source = dict(variables) if isinstance(variables, dict) else {}
    if environment_block is not None and not isinstance(variables, dict | type(None)):
        problems.append("Environment.Variables is not a mapping")
    environment = {str(k): _env_value(r.resolve(v)) for k, v in env_source.items()}

    if package_type == "Image":
        metadata = resource.get("Metadata")
        context = metadata.get("DockerContext") if isinstance(metadata, dict) else None
        code = (
            handlers.local_code(root, str(context))
            if isinstance(context, str)
            else CodeLocation(CodeKind.IMAGE, None, str(props.get("ImageUri") or ""))
        )
    elif props.get("InlineCode") is not None:
        code = CodeLocation(CodeKind.INLINE, None, "InlineCode")
    else:
        code = _code(root, props.get("CodeUri") if serverless else props.get("Code"), r)
        if code.kind is CodeKind.MISSING:
            problems.append(f"code location {code.written!r} does not exist")

    statements: list[iam_policy.Statement] = []
    managed: list[str] = []
    if serverless:
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

    own_layers: list[Layer] = []
    layer_refs: list[str] = []
    raw_layers = props.get("Layers")
    for item in raw_layers if isinstance(raw_layers, list) else []:
        if isinstance(item, dict) and isinstance(item.get("Ref"), str) and item["Ref"] in layers:
            own_layers.append(layers[item["Ref"]])
        else:
            layer_refs.append(str(r.resolve(item)))

    metadata = resource.get("Metadata")
    metadata = metadata if isinstance(metadata, dict) else {}
    build_properties = metadata.get("BuildProperties")
    entry_points = build_properties.get("EntryPoints") if isinstance(build_properties, dict) else None
    handler = as_str(r.resolve(props.get("Handler")), "Handler")
    name = r.resolve(props.get("FunctionName"))
    return Function(
        key=logical_id,
        runtime=runtime,
        architecture=architecture,
        timeout=timeout,
        memory=memory,
        handler=handler,
        code=code,
        environment=environment,
        environment_source=env_source,
        statements=statements,
        managed_policies=[str(m) for m in managed],
        deployed_name=str(name) if isinstance(name, str | int) else None,
        layers=own_layers,
        layer_refs=layer_refs,
        build_method=str(metadata["BuildMethod"]) if metadata.get("BuildMethod") else None,
        package_type=package_type,
        snapstart=_snapstart(r.resolve(props.get("SnapStart")), r),
        problems=problems,
        handler_file=code.path
        if code.kind is CodeKind.FILE
        else handlers.handler_file(
            code.path if code.kind is CodeKind.FOLDER else None,
            handler,
            runtime if isinstance(runtime, str) else "",
            [str(e) for e in entry_points] if isinstance(entry_points, list) else None,
        ),
    )


def _known(value: Any) -> Any:
    """A ``${Param}`` placeholder left by the resolver becomes Unresolved."""
    if isinstance(value, str) and value.startswith("${") and value.endswith("}"):
        return Unresolved(value, f"{value[2:-1]} has no value (no Default, no override)")
    return value


def _env_value(value: Any) -> Any:
    """An environment value: text, or Unresolved for what only the deploy knows."""
    if isinstance(value, str | int | float | bool):
        return value if isinstance(value, str) else str(value).lower() if isinstance(value, bool) else str(value)
    if value is None:
        return ""
    return Unresolved(str(value)[:200], "an intrinsic function evaluated at deploy time")


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
    if not isinstance(logical, str) or not isinstance(resources.get(logical), dict):
        return [], []
    props = resources[logical].get("Properties")
    props = props if isinstance(props, dict) else {}
    statements: list[iam_policy.Statement] = []
    policies = props.get("Policies")
    for policy in policies if isinstance(policies, list) else []:
        policy = r.resolve(policy)
        if isinstance(policy, dict):
            statements.extend(iam_policy.statements_of(policy.get("PolicyDocument"), str(policy.get("PolicyName", ""))))
    managed_arns = r.resolve(props.get("ManagedPolicyArns"))
    managed = [str(m) for m in managed_arns] if isinstance(managed_arns, list) else []
    for name, resource in resources.items():
        if not isinstance(resource, dict) or resource.get("Type") not in {
            "AWS::IAM::Policy",
            "AWS::IAM::ManagedPolicy",
        }:
            continue
        rprops = resource.get("Properties")
        if not isinstance(rprops, dict):
            continue
        roles = rprops.get("Roles")
        if isinstance(roles, list) and any(isinstance(x, dict) and x.get("Ref") == logical for x in roles):
            statements.extend(iam_policy.statements_of(r.resolve(rprops.get("PolicyDocument")), str(name)))
    return statements, managed
