"""Read a SAM or Serverless project into one neutral model the checks share.

Works on any project, generated or not: the YAML loader accepts CloudFormation short
tags (``!Ref``, ``!Sub``, ``!GetAtt``, ``!If``...), SAM parameters are resolved from
``samconfig.toml`` ``parameter_overrides`` and their defaults, Serverless variables
(``${param:...}``, ``${self:...}``, ``${sls:stage}``, ``${opt:..., default}``) from
``params`` and the file itself. Whatever cannot be resolved stays a ``${Name}``
placeholder so that comparisons still work symbolically.
"""

from __future__ import annotations

import re
import shlex
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from momento_lambda_cli import contract
from momento_lambda_cli.doctor import iam_eval
from momento_lambda_cli.errors import MomentoLambdaError
from momento_lambda_cli.project import SAM, SERVERLESS, detect_framework, load_answers

SAM_TEMPLATES = ("template.yaml", "template.yml")
SLS_FILES = ("serverless.yml", "serverless.yaml")
PSEUDO_PLACEHOLDERS = ("${AWS::Region}", "${AWS::AccountId}", "${AWS::Partition}", "${AWS::URLSuffix}")


class _NoValue:
    def __repr__(self) -> str:
        return "AWS::NoValue"


NO_VALUE = _NoValue()


@dataclass
class FunctionSpec:
    """One Lambda function as the project describes it."""

    key: str
    """Logical id (SAM) or function key (Serverless)."""
    runtime: str | None
    architecture: str
    timeout: float
    memory: int
    handler: str | None
    code_dir: Path | None
    environment: dict[str, Any]
    statements: list[iam_eval.Statement] = field(default_factory=list)
    managed_policies: list[str] = field(default_factory=list)
    deployed_name: str | None = None
    """The function name when the project fixes it (Serverless: service-stage-key)."""
    environment_source: dict[str, Any] = field(default_factory=dict)
    """The environment before resolution (to tell references from literal values)."""

    @property
    def is_python(self) -> bool:
        return bool(self.runtime and self.runtime.startswith("python"))

    @property
    def is_node(self) -> bool:
        return bool(self.runtime and self.runtime.startswith("nodejs"))

    @property
    def secret_ref(self) -> str | None:
        for name in (contract.ENV_SECRET_ARN, "MOMENTO_SECRET_NAME", "MOMENTO_SECRET_ID"):
            value = self.environment.get(name)
            if isinstance(value, str) and value:
                return value
        return None

    @property
    def uses_momento(self) -> bool:
        return any(str(k).startswith("MOMENTO_") for k in self.environment) or _code_mentions_momento(self.code_dir)


@dataclass
class ProjectModel:
    framework: str
    root: Path
    template_path: Path
    template: dict[str, Any]
    functions: list[FunctionSpec]
    parameters: dict[str, Any]
    """Resolved parameter values (SAM Parameters or Serverless params)."""
    build: dict[str, Any]
    """Build settings: use_container, dockerize_pip, docker_image, pip_extra_args, makefile_platforms."""
    stack_name: str | None
    region: str | None
    answers: dict[str, Any] | None
    config_files: list[Path]
    """samconfig.toml and friends (scanned for keys)."""

    @property
    def kms_key_ref(self) -> str | None:
        for name in (contract.SAM_PARAM_KMS_KEY_ARN, contract.SLS_PARAM_KMS_KEY_ARN):
            value = self.parameters.get(name)
            if isinstance(value, str) and value.strip() and not value.startswith("${"):
                return value.strip()
        answer = (self.answers or {}).get("kms_key_arn")
        return str(answer) if answer else None

    @property
    def cache_name(self) -> str | None:
        for name in (contract.SAM_PARAM_CACHE_NAME, contract.SLS_PARAM_CACHE_NAME):
            value = self.parameters.get(name)
            if isinstance(value, str) and value and "${" not in value:
                return value
        for function in self.functions:
            value = function.environment.get(contract.ENV_CACHE_NAME)
            if isinstance(value, str) and value and "${" not in value:
                return value
        answer = (self.answers or {}).get("cache_name")
        return str(answer) if answer else None

    @property
    def secret_id(self) -> str | None:
        for name in (
            contract.SAM_PARAM_SECRET_ARN,
            contract.SLS_PARAM_SECRET_ARN,
            contract.SAM_PARAM_SECRET_NAME,
            contract.SLS_PARAM_SECRET_NAME,
        ):
            value = self.parameters.get(name)
            if isinstance(value, str) and value and "${" not in value:
                return value
        for function in self.functions:
            ref = function.secret_ref
            if ref and "${" not in ref:
                return ref
        answers = self.answers or {}
        value = answers.get("secret_arn") or answers.get("secret_name")
        return str(value) if value else None


# --- YAML with CloudFormation short tags ------------------------------------------------


def _yaml() -> Any:
    from ruamel.yaml import YAML
    from ruamel.yaml.constructor import SafeConstructor
    from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode

    class CfnConstructor(SafeConstructor):
        pass

    def construct(loader: Any, suffix: str, node: Any) -> Any:
        if isinstance(node, ScalarNode):
            value: Any = loader.construct_scalar(node)
        elif isinstance(node, SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        elif isinstance(node, MappingNode):
            value = loader.construct_mapping(node, deep=True)
        else:  # pragma: no cover
            value = None
        if suffix == "Ref":
            return {"Ref": value}
        if suffix == "Condition":
            return {"Condition": value}
        if suffix == "GetAtt" and isinstance(value, str):
            value = value.split(".", 1)
        return {f"Fn::{suffix}": value}

    CfnConstructor.add_multi_constructor("!", construct)
    yaml = YAML(typ="safe")
    yaml.Constructor = CfnConstructor
    return yaml


def load_yaml(path: Path) -> Any:
    """Parse a YAML file accepting CloudFormation short tags; raises MomentoLambdaError."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise MomentoLambdaError(f"Cannot read {path.name}: {exc.strerror}.", code="doctor.unreadable") from None
    try:
        return _yaml().load(text)
    except Exception as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
        problem = getattr(exc, "problem", None) or type(exc).__name__
        raise MomentoLambdaError(
            f"{path.name} does not parse{where}: {problem}.",
            f"Fix the YAML syntax in {path.name}; `sam validate --lint` or `serverless print` shows the context.",
            code="doctor.bad-template",
        ) from None


def load_toml(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    try:
        if sys.version_info >= (3, 11):
            import tomllib

            document: Any = tomllib.loads(text)
        else:  # pragma: no cover - Python 3.10
            import tomlkit

            document = tomlkit.parse(text).unwrap()
    except Exception as exc:
        raise MomentoLambdaError(
            f"{path.name} does not parse: {exc}.", f"Fix the TOML syntax in {path.name}.", code="doctor.bad-config"
        ) from None
    return dict(document)


# --- loading ------------------------------------------------------------------------------


def load_project(root: Path, *, config_env: str = "default") -> ProjectModel:
    """The project in ``root``; raises :class:`MomentoLambdaError` when there is none or it does not parse."""
    framework = detect_framework(root)
    if framework == SAM:
        return _load_sam(root, config_env)
    if framework == SERVERLESS:
        return _load_serverless(root)
    raise MomentoLambdaError(
        f"No SAM or Serverless project in {root}.",
        "Run doctor in the project folder (with template.yaml + samconfig.toml, or serverless.yml), "
        "or pass its path: `momento-lambda doctor PATH`.",
        code="doctor.no-project",
    )


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


def _load_sam(root: Path, config_env: str) -> ProjectModel:
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
    resolver = _CfnResolver(template, parameters, region)

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
    root: Path, logical_id: str, props: dict[str, Any], resource: dict[str, Any], r: _CfnResolver, plain: bool = False
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
    statements: list[iam_eval.Statement] = []
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
                statements.extend(iam_eval.statements_of(item, "Policies"))
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


def _policy_template(item: dict[str, Any]) -> list[iam_eval.Statement]:
    """SAM policy templates that matter for Momento (others are ignored)."""
    statements = []
    for name, args in item.items():
        args = args if isinstance(args, dict) else {}
        if name == "AWSSecretsManagerGetSecretValuePolicy":
            statements.append(
                iam_eval.Statement(
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
            statements.append(iam_eval.Statement("Allow", ("kms:Decrypt",), (), (resource,), (), False, name))
    return statements


def _role_statements(role: Any, r: _CfnResolver) -> tuple[list[iam_eval.Statement], list[str]]:
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
    statements: list[iam_eval.Statement] = []
    for policy in props.get("Policies") or []:
        policy = r.resolve(policy)
        if isinstance(policy, dict):
            statements.extend(iam_eval.statements_of(policy.get("PolicyDocument"), str(policy.get("PolicyName", ""))))
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
            statements.extend(iam_eval.statements_of(r.resolve(rprops.get("PolicyDocument")), name))
    return statements, managed


class _CfnResolver:
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


# --- Serverless ---------------------------------------------------------------------------

_SLS_VAR = re.compile(r"\$\{([^${}]+)\}")


def _load_serverless(root: Path) -> ProjectModel:
    path = next(root / n for n in SLS_FILES if (root / n).is_file())
    document = load_yaml(path)
    if not isinstance(document, dict):
        raise MomentoLambdaError(f"{path.name} is not a YAML mapping.", code="doctor.bad-template")
    provider = document.get("provider") or {}
    stage = str(provider.get("stage") or "dev")
    if "${" in stage:
        stage = "dev"
    params_doc = document.get("params") or {}
    params: dict[str, Any] = dict(params_doc.get("default") or {}) if isinstance(params_doc, dict) else {}
    if isinstance(params_doc, dict) and isinstance(params_doc.get(stage), dict):
        params.update(params_doc[stage])
    region = provider.get("region")
    resolver = _SlsResolver(document, params, stage, region if isinstance(region, str) else None)
    resolved_params = {k: resolver.resolve(v) for k, v in params.items()}
    provider = resolver.resolve(provider)
    service = resolver.resolve(document.get("service"))
    service_name = str(service.get("name") if isinstance(service, dict) else service)
    iam = provider.get("iam") or {}
    role = iam.get("role") if isinstance(iam, dict) else None
    statements_raw = (
        (role.get("statements") if isinstance(role, dict) else None) or provider.get("iamRoleStatements") or []
    )
    statements = iam_eval.statements_of({"Statement": statements_raw}, "provider.iam.role.statements")
    managed = list((role.get("managedPolicies") if isinstance(role, dict) else None) or [])
    functions = []
    for key, spec in (document.get("functions") or {}).items():
        spec = resolver.resolve(spec) if isinstance(spec, dict) else {}
        env_source = {
            **(document.get("provider") or {}).get("environment", {}),
            **(((document.get("functions") or {}).get(key) or {}).get("environment") or {}),
        }
        env = {**(provider.get("environment") or {}), **(spec.get("environment") or {})}
        handler = spec.get("handler")
        code_dir = root
        if isinstance(handler, str) and "/" in handler:
            code_dir = root / handler.rsplit("/", 1)[0]
        functions.append(
            FunctionSpec(
                key=str(key),
                runtime=str(spec.get("runtime") or provider.get("runtime") or "") or None,
                architecture=str(spec.get("architecture") or provider.get("architecture") or "x86_64"),
                timeout=float(spec.get("timeout") or provider.get("timeout") or 6),
                memory=int(spec.get("memorySize") or provider.get("memorySize") or 1024),
                handler=str(handler) if handler else None,
                code_dir=code_dir.resolve(),
                environment=env,
                statements=list(statements),
                managed_policies=[str(m) for m in managed],
                deployed_name=str(spec.get("name") or f"{service_name}-{stage}-{key}"),
                environment_source=env_source,
            )
        )
    custom = resolver.resolve(document.get("custom") or {})
    reqs = custom.get("pythonRequirements") or {} if isinstance(custom, dict) else {}
    extra = reqs.get("pipCmdExtraArgs") or []
    return ProjectModel(
        framework=SERVERLESS,
        root=root,
        template_path=path,
        template=document,
        functions=functions,
        parameters=resolved_params,
        build={
            "dockerize_pip": reqs.get("dockerizePip", False),
            "docker_image": reqs.get("dockerImage"),
            "pip_extra_args": [str(x) for x in extra] if isinstance(extra, list) else [str(extra)],
            "plugins": [str(p) for p in (document.get("plugins") or []) if isinstance(p, str)],
        },
        stack_name=f"{service_name}-{stage}",
        region=str(provider.get("region"))
        if provider.get("region") and "${" not in str(provider.get("region"))
        else None,
        answers=load_answers(root),
        config_files=[],
    )


class _SlsResolver:
    def __init__(self, document: dict[str, Any], params: dict[str, Any], stage: str, region: str | None) -> None:
        self.document = document
        self.params = params
        self.stage = stage
        self.region = region
        self._depth = 0

    def lookup(self, expression: str) -> Any:
        source, _, fallback = expression.partition(",")
        source = source.strip()
        default = fallback.strip().strip("'\"") if fallback else None
        kind, _, name = source.partition(":")
        value: Any = None
        if kind == "param":
            value = self.params.get(name)
        elif kind == "self":
            value = self.document
            for part in name.split("."):
                value = value.get(part) if isinstance(value, dict) else None
        elif (kind == "sls" and name == "stage") or (kind == "opt" and name == "stage"):
            value = self.stage
        elif kind in {"opt", "aws"} and name == "region":
            value = self.region
        if value is None:
            return default if default is not None else "\x00" + source + "\x01"
        return self.resolve(value)

    def resolve(self, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: self.resolve(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        if not isinstance(value, str) or "${" not in value:
            return value
        self._depth += 1
        try:
            if self._depth > 20:
                return value
            whole = _SLS_VAR.fullmatch(value)
            if whole:
                result = self.lookup(whole.group(1))
                return result.replace("\x00", "${").replace("\x01", "}") if isinstance(result, str) else result
            text = value
            while True:
                new = _SLS_VAR.sub(lambda m: str(self.lookup(m.group(1))), text)
                if new == text:
                    break
                text = new
            return text.replace("\x00", "${").replace("\x01", "}")
        finally:
            self._depth -= 1


def _code_mentions_momento(code_dir: Path | None) -> bool:
    if code_dir is None or not code_dir.is_dir():
        return False
    for path in source_files(code_dir):
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        if "momento" in text.lower():
            return True
    return False


SKIP_DIRS = {".git", ".aws-sam", ".serverless", "node_modules", ".venv", "venv", "__pycache__", ".pytest_cache", ".tox"}
SOURCE_SUFFIXES = {".py", ".mjs", ".js", ".cjs", ".ts", ".mts"}


def source_files(code_dir: Path, max_depth: int = 3) -> list[Path]:
    """The function's own source files (not dependencies), a few levels deep."""
    found: list[Path] = []

    def walk(folder: Path, depth: int) -> None:
        try:
            entries = sorted(folder.iterdir())
        except OSError:
            return
        for entry in entries:
            if entry.is_dir():
                if depth < max_depth and entry.name not in SKIP_DIRS and not entry.name.endswith(".dist-info"):
                    walk(entry, depth + 1)
            elif entry.suffix in SOURCE_SUFFIXES and not entry.name.endswith(".d.ts"):
                found.append(entry)

    walk(code_dir, 0)
    return found
