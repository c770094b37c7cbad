"""Read a Serverless Framework project: serverless.yml with its variables resolved
(``${param:...}`` from ``params``, ``${self:...}``, ``${sls:stage}``, ``${opt:stage, 'dev'}``,
``${opt:region}`` / ``${aws:region}``); unknown sources stay ``${...}`` placeholders."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from momento_lambda_cli import iam_policy
from momento_lambda_cli.project.parse import load_yaml
from momento_lambda_cli.doctor.project_model import FunctionSpec, ProjectModel
from momento_lambda_cli.doctor.sam_project import CfnResolver
from momento_lambda_cli.errors import MomentoLambdaError
from momento_lambda_cli.project import SERVERLESS, load_answers

SLS_FILES = ("serverless.yml", "serverless.yaml")

_SLS_VAR = re.compile(r"\$\{([^${}]+)\}")


def load_serverless(root: Path) -> ProjectModel:
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
    # serverless.yml values may also hold CloudFormation intrinsics (Fn::If over the
    # `resources.Conditions`, Fn::Join, Ref...): resolve them once the variables are in.
    resources = resolver.resolve(document.get("resources") or {})
    cfn = CfnResolver(resources if isinstance(resources, dict) else {}, {}, region)
    provider = cfn.resolve(resolver.resolve(provider))
    service = resolver.resolve(document.get("service"))
    service_name = str(service.get("name") if isinstance(service, dict) else service)
    iam = provider.get("iam") or {}
    role = iam.get("role") if isinstance(iam, dict) else None
    statements_raw = (
        (role.get("statements") if isinstance(role, dict) else None) or provider.get("iamRoleStatements") or []
    )
    statements = iam_policy.statements_of({"Statement": statements_raw}, "provider.iam.role.statements")
    statements.extend(_extra_role_policies(resources, cfn))
    managed = list((role.get("managedPolicies") if isinstance(role, dict) else None) or [])
    functions = []
    for key, spec in (document.get("functions") or {}).items():
        spec = cfn.resolve(resolver.resolve(spec)) if isinstance(spec, dict) else {}
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


DEFAULT_ROLE = "IamRoleLambdaExecution"
"""The logical id of the role the Serverless Framework creates for the functions."""


def _extra_role_policies(resources: Any, cfn: CfnResolver) -> list[iam_policy.Statement]:
    """Statements of ``resources.Resources`` IAM policies attached to the framework's role
    (skipping those whose Condition is known to be false)."""
    statements: list[iam_policy.Statement] = []
    found = resources.get("Resources") if isinstance(resources, dict) else None
    for name, resource in (found or {}).items():
        if not isinstance(resource, dict) or resource.get("Type") not in {
            "AWS::IAM::Policy",
            "AWS::IAM::ManagedPolicy",
        }:
            continue
        condition = resource.get("Condition")
        if condition and cfn.condition(str(condition)) is False:
            continue
        props = resource.get("Properties") or {}
        roles = props.get("Roles") or []
        if any(isinstance(r, dict) and r.get("Ref") == DEFAULT_ROLE for r in roles):
            statements.extend(iam_policy.statements_of(cfn.resolve(props.get("PolicyDocument")), str(name)))
    return statements


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
