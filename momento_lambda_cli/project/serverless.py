"""Read a Serverless Framework project (serverless.yml) the way ``serverless deploy`` reads it.

Variables are resolved by :mod:`.sls_vars` for one stage; functions inherit the
``provider`` settings (runtime, architecture, timeout, memorySize, environment, layers, IAM
role); odd values become ``problems`` on the function or the project, never exceptions.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, cast

from momento_lambda_cli import iam_policy
from momento_lambda_cli.errors import MomentoLambdaError
from momento_lambda_cli.project import handlers
from momento_lambda_cli.project.answers import SERVERLESS, load_answers
from momento_lambda_cli.project.cfn import CfnResolver
from momento_lambda_cli.project.handlers import ARCHIVE_SUFFIXES
from momento_lambda_cli.project.model import (
    BuildSettings,
    CodeKind,
    CodeLocation,
    Function,
    Layer,
    Project,
    Setting,
)
from momento_lambda_cli.project.parse import duplicate_problems, load_yaml
from momento_lambda_cli.project.sls_vars import Choice, SlsVariables, js_string
from momento_lambda_cli.project.values import Sourced, Unresolved, as_float, as_int, as_str, secret_by_origin, shown

SLS_FILES = ("serverless.yml", "serverless.yaml")
UNREADABLE_FILES = ("serverless.ts", "serverless.js", "serverless.cjs", "serverless.mjs", "serverless.json")
"""Serverless configuration formats this tool does not read (they need Node to evaluate)."""
DEFAULT_ARCHITECTURE = "x86_64"
DEFAULT_TIMEOUT = 6.0
DEFAULT_MEMORY = 1024
DEFAULT_ROLE = "IamRoleLambdaExecution"
"""The logical id of the role Serverless creates for the functions."""
ROLES_PER_FUNCTION_PLUGIN = "serverless-iam-roles-per-function"
_IAM_POLICY_TYPES = {"AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"}


def find_config(root: Path) -> Path | None:
    """serverless.yml / serverless.yaml in ``root``; raises MomentoLambdaError when only a
    format this tool cannot read is there (serverless.ts, .js, .json)."""
    for name in SLS_FILES:
        if (root / name).is_file():
            return root / name
    for name in UNREADABLE_FILES:
        if (root / name).is_file():
            raise MomentoLambdaError(
                f"{name} is not readable by momento-lambda: only serverless.yml / serverless.yaml are.",
                f"Run `serverless print > serverless.yml` in {root} to get a YAML copy, or check it by hand.",
                code="project.unsupported-config",
            )
    return None


def load_serverless(
    root: Path,
    *,
    stage: str | None = None,
    region: str | None = None,
    environ: Mapping[str, str] | None = None,
    options: Mapping[str, Any] | None = None,
) -> Project:
    """The Serverless project in ``root`` resolved for ``stage`` / ``region`` (the ``--stage`` /
    ``--region`` options; ``None`` = Serverless's own rule). ``environ`` is what ``${env:}``
    reads (default: this process's environment); ``options`` other CLI options (``param``...).
    Raises MomentoLambdaError only when the file is missing, does not parse or is not a mapping."""
    path = find_config(root)
    if path is None:
        raise MomentoLambdaError(
            f"No serverless.yml in {root}.",
            "Run the command in the Serverless project's folder, or pass --project-dir.",
            code="project.no-config",
        )
    duplicates: list[tuple[str, int]] = []
    try:
        document = load_yaml(path, root, duplicates)
    except MomentoLambdaError as exc:
        raise MomentoLambdaError(exc.message, exc.hint, code="project.bad-config") from None
    if not isinstance(document, dict):
        raise MomentoLambdaError(
            f"{path.name} is not a YAML mapping.",
            f"{path.name} must start with keys such as `service:`, `provider:` and `functions:`.",
            code="project.bad-config",
        )
    environ = os.environ if environ is None else environ
    cli: dict[str, Any] = dict(options or {})
    if stage is not None:
        cli["stage"] = stage
    if region is not None:
        cli["region"] = region
    variables = SlsVariables(root, document, options=cli, environ=environ)
    loader = _Loader(root, path, variables, environ)
    loader.problems += duplicate_problems(
        path.name, duplicates, "the Serverless Framework refuses a duplicated mapping key"
    )
    return loader.load()


def layer_logical_id(name: str) -> str:
    """The CloudFormation logical id Serverless gives the layer ``name`` (``shared-lib`` ->
    ``SharedDashlibLambdaLayer``)."""
    normalized = name.replace("-", "Dash").replace("_", "Underscore")
    return normalized[:1].upper() + normalized[1:] + "LambdaLayer"


class _Loader:
    def __init__(self, root: Path, path: Path, variables: SlsVariables, environ: Mapping[str, str]) -> None:
        self.root = root
        self.path = path
        self.vars = variables
        self.environ = environ
        self.problems: list[str] = []
        self.document: dict[str, Any] = {}
        self.cfn = CfnResolver({}, {}, None)

    def load(self) -> Project:
        resolved = self.vars.resolve_all()
        self.document = resolved if isinstance(resolved, dict) else {}
        if isinstance(resolved, Unresolved):
            self.problems.append(f"variables: {resolved.describe()}")
        for key, value in self.document.items():
            if isinstance(value, Unresolved):
                self.problems.append(f"{key}: {value.describe()}")
        provider = self._provider()
        stage = self._stage()
        region = self._region()
        self.cfn = CfnResolver(self._resources(), {}, region.known)
        service = self._service()
        stack_name = self._stack_name(provider, service, stage)
        plugins = self._plugins()
        layers = self._layers()
        functions = self._functions(provider, service, stage, layers, plugins)
        build = self._build(plugins)
        params = {k: v for k, v in self.vars.params().items()}
        self.problems.extend(p for p in self.vars.problems if p not in self.problems)
        return Project(
            framework=SERVERLESS,
            root=self.root,
            config_path=self.path,
            document=self.document,
            functions=functions,
            layers=list(layers.values()),
            parameters=params,
            build=build,
            stage=stage,
            region=region,
            stack_name=stack_name,
            service=service,
            answers=load_answers(self.root),
            config_files=[self.path, *self.vars.files_read],
            provider=cloud if isinstance(cloud := provider.get("name"), str) and cloud else "aws",
            problems=self.problems,
        )

    # ----------------------------------------------------------------- helpers

    def _mapping(self, value: Any, what: str, problems: list[str] | None = None) -> dict[str, Any]:
        """``value`` when it is a mapping, ``{}`` when absent; anything else is a problem."""
        if value is None:
            return {}
        if isinstance(value, dict):
            return value
        target = self.problems if problems is None else problems
        shown = value.describe() if isinstance(value, Unresolved) else f"{type(value).__name__} {_short(value)}"
        target.append(f"{what} is not a mapping: {shown}")
        return {}

    def _list(self, value: Any, what: str, problems: list[str] | None = None) -> list[Any]:
        if value is None:
            return []
        if isinstance(value, list):
            return value
        target = self.problems if problems is None else problems
        shown = value.describe() if isinstance(value, Unresolved) else _short(value)
        target.append(f"{what} is not a list: {shown}")
        return []

    def _cfn(self, value: Any) -> Any:
        try:
            return self.cfn.resolve(value)
        except RecursionError:  # pragma: no cover - hostile nesting
            return Unresolved(_short(value), "nested too deeply")

    # ----------------------------------------------------------------- settings

    def _provider(self) -> dict[str, Any]:
        raw = self.document.get("provider")
        if isinstance(raw, str):
            provider: dict[str, Any] = {"name": raw}
        else:
            provider = self._mapping(raw, "provider")
        name = provider.get("name")
        if name is None:
            self.problems.append("provider.name is missing: Serverless needs `provider: {name: aws}`")
        elif isinstance(name, Unresolved) or not isinstance(name, str):
            shown = name.describe() if isinstance(name, Unresolved) else repr(name)
            self.problems.append(f"provider.name is {shown}: only AWS (`aws`) projects are checked")
        return provider

    def _stage(self) -> Setting[str]:
        choice = self.vars.stage
        if isinstance(choice.value, Unresolved) and choice.origin == "provider":
            self.problems.append(f"provider.stage: {choice.value.describe()}")
        return self._chosen(choice, "stage")

    def _region(self) -> Setting[str]:
        return self._chosen(self.vars.region, "region")  # load.with_environment_note says when AWS_REGION differs

    def _chosen(self, choice: Choice, name: str) -> Setting[str]:
        """``--<name>``, else ``provider.<name>``, else the framework's default, with where it came from."""
        source = {
            "option": f"--{name}",
            "provider": f"{self.path.name} provider.{name}",
            "default": "Serverless default",
        }[choice.origin]
        return _setting(choice.value, source)

    def _service(self) -> str | Unresolved | None:
        raw = self.document.get("service")
        if isinstance(raw, dict):
            raw = raw.get("name")
        if raw is None:
            self.problems.append("service is missing")
            return None
        value = as_str(raw, "service")
        if isinstance(value, Unresolved) and not isinstance(raw, Unresolved):
            self.problems.append(f"service: {value.describe()}")
        return value

    def _stack_name(
        self, provider: dict[str, Any], service: str | Unresolved | None, stage: Setting[str]
    ) -> Setting[str]:
        raw = provider.get("stackName")
        if raw is not None:
            value = as_str(raw, "provider.stackName")
            return _setting(value, f"{self.path.name} provider.stackName")
        source = "Serverless default (<service>-<stage>)"
        if isinstance(service, str) and isinstance(stage.value, str):
            name = f"{service}-{stage.value}"
            if isinstance(service, Sourced) or isinstance(stage.value, Sourced):  # secret by origin, as its parts
                name = secret_by_origin(name, f"{shown(service)}-{shown(stage.value)}")
            return _setting(name, source)
        return _setting(Unresolved(f"{service}-{stage.value}", "the service or the stage is unresolved"), source)

    def _plugins(self) -> list[str]:
        raw = self.document.get("plugins")
        if isinstance(raw, dict):
            raw = raw.get("modules")
        return [str(p) for p in self._list(raw, "plugins") if isinstance(p, str)]

    def _build(self, plugins: list[str]) -> BuildSettings:
        custom = self._mapping(self.document.get("custom"), "custom")
        reqs = self._mapping(custom.get("pythonRequirements"), "custom.pythonRequirements")
        extra = reqs.get("pipCmdExtraArgs")
        if extra is None:
            extra_args: list[str] = []
        elif isinstance(extra, list):
            extra_args = [str(x) for x in extra]
        else:
            extra_args = [str(extra)]
        image = reqs.get("dockerImage")
        package = self._mapping(self.document.get("package"), "package")
        individually = package.get("individually")
        return BuildSettings(
            dockerize_pip=reqs.get("dockerizePip", False),
            docker_image=str(image) if image is not None else None,
            pip_extra_args=extra_args,
            use_static_cache=reqs.get("useStaticCache"),
            plugins=plugins,
            package_individually=individually is True or individually == "true",
        )

    # ----------------------------------------------------------------- layers

    def _layers(self) -> dict[str, Layer]:
        layers: dict[str, Layer] = {}
        for name, spec in self._mapping(self.document.get("layers"), "layers").items():
            spec_map = self._mapping(spec, f"layers.{name}")
            written = spec_map.get("path")
            if isinstance(written, str):
                code = self._folder(written)
            elif written is None and spec_map.get("package"):
                code = self._artifact(self._mapping(spec_map.get("package"), f"layers.{name}.package").get("artifact"))
            else:
                code = CodeLocation(CodeKind.UNRESOLVED, written=str(written))
            runtimes = [
                str(r) for r in self._list(spec_map.get("compatibleRuntimes"), f"layers.{name}.compatibleRuntimes")
            ]
            layers[layer_logical_id(str(name))] = Layer(key=str(name), code=code, runtimes=runtimes)
        return layers

    def _resources(self) -> dict[str, Any]:
        """``resources``, also written as a list of fragments (Serverless merges them in order)."""
        raw = self.document.get("resources")
        if not isinstance(raw, list):
            return self._mapping(raw, "resources")
        merged: dict[str, Any] = {}
        for index, fragment in enumerate(raw):
            for section, value in self._mapping(fragment, f"resources[{index}]").items():
                if isinstance(value, dict) and isinstance(merged.get(section), dict):
                    merged[section] = {**merged[section], **value}
                else:
                    merged[section] = value
        return merged

    # ----------------------------------------------------------------- code

    def _folder(self, written: str) -> CodeLocation:
        candidate = (self.root / written.replace("\\", "/")).resolve()
        outside = not candidate.is_relative_to(self.root.resolve())
        kind = CodeKind.FOLDER if candidate.is_dir() else CodeKind.MISSING
        return CodeLocation(kind, candidate, written, outside)

    def _artifact(self, written: Any) -> CodeLocation:
        if isinstance(written, Unresolved) or not isinstance(written, str) or not written:
            return CodeLocation(CodeKind.UNRESOLVED, written=str(written))
        if written.startswith("s3://") or written.startswith("https://"):
            return CodeLocation(CodeKind.S3, written=written)
        candidate = (self.root / written.replace("\\", "/")).resolve()
        outside = not candidate.is_relative_to(self.root.resolve())
        # An archive not there yet is built before the deploy (`mvn package`, `dotnet lambda package`).
        archive = candidate.is_file() or candidate.suffix.lower() in ARCHIVE_SUFFIXES
        return CodeLocation(CodeKind.ZIP if archive else CodeKind.MISSING, candidate, written, outside)

    def _code(self, spec: dict[str, Any], handler: str | Unresolved | None, runtime: Any) -> CodeLocation:
        package = spec.get("package") if isinstance(spec.get("package"), dict) else {}
        artifact = (package or {}).get("artifact")
        if artifact is None:
            artifact = self._mapping(self.document.get("package"), "package").get("artifact")
        if artifact is not None:
            return self._artifact(artifact)
        if isinstance(handler, Unresolved):
            return CodeLocation(CodeKind.UNRESOLVED, written=str(handler))
        folder = handler.replace("\\", "/").rsplit("/", 1)[0] if handler and "/" in handler.replace("\\", "/") else "."
        location = self._folder(folder)
        interpreted = isinstance(runtime, str) and runtime.startswith(("python", "nodejs"))
        if location.kind is CodeKind.MISSING and not interpreted:
            # A handler naming build output (Go `bin/hello`): Serverless packages the service folder.
            return self._folder(".")
        return location

    # ----------------------------------------------------------------- functions

    def _function_specs(self) -> list[tuple[str, Any]]:
        raw = self.document.get("functions")
        if raw is None:
            return []
        if isinstance(raw, dict):
            return [(str(k), v) for k, v in raw.items()]
        if isinstance(raw, list):
            specs: list[tuple[str, Any]] = []
            for index, item in enumerate(raw):
                if isinstance(item, dict):
                    specs.extend((str(k), v) for k, v in item.items())
                elif item is not None:
                    self.problems.append(f"functions[{index}] is not a mapping: {_describe(item)}")
            return specs
        self.problems.append(f"functions is not a mapping: {_describe(raw)}")
        return []

    def _functions(
        self,
        provider: dict[str, Any],
        service: str | Unresolved | None,
        stage: Setting[str],
        layers: dict[str, Layer],
        plugins: list[str],
    ) -> list[Function]:
        provider_env = self._environment(provider.get("environment"), "provider.environment", self.problems)
        provider_env_source = self._written_env(("provider", "environment"))
        provider_statements, provider_managed = self._provider_iam(provider)
        functions = []
        for key, spec_value in self._function_specs():
            problems: list[str] = []
            spec = self._mapping(spec_value, f"functions.{key}", problems)
            functions.append(
                self._function(
                    key,
                    spec,
                    problems,
                    provider,
                    service,
                    stage,
                    layers,
                    plugins,
                    provider_env,
                    provider_env_source,
                    provider_statements,
                    provider_managed,
                )
            )
        return functions

    def _function(
        self,
        key: str,
        spec: dict[str, Any],
        problems: list[str],
        provider: dict[str, Any],
        service: str | Unresolved | None,
        stage: Setting[str],
        layers: dict[str, Layer],
        plugins: list[str],
        provider_env: dict[str, Any],
        provider_env_source: dict[str, Any],
        provider_statements: list[iam_policy.Statement],
        provider_managed: list[str],
    ) -> Function:
        where = f"functions.{key}"

        def inherited(name: str) -> Any:
            value = spec.get(name)
            return provider.get(name) if value is None else value

        image = spec.get("image")
        runtime_raw = inherited("runtime")
        runtime: str | Unresolved | None
        if image is not None:
            runtime = as_str(spec.get("runtime"), "runtime")
        elif runtime_raw is None:
            runtime = Unresolved("(default)", "no runtime set: the Serverless version's default applies")
        else:
            runtime = self._typed(as_str(runtime_raw, "runtime"), runtime_raw, f"{where}.runtime", problems)
        architecture_raw = inherited("architecture")
        architecture = self._typed(
            as_str(architecture_raw, "architecture"), architecture_raw, f"{where}.architecture", problems
        )
        timeout_raw = inherited("timeout")
        memory_raw = inherited("memorySize")
        handler_raw = spec.get("handler")
        handler = self._typed(as_str(handler_raw, "handler"), handler_raw, f"{where}.handler", problems)
        environment = {**provider_env, **self._environment(spec.get("environment"), f"{where}.environment", problems)}
        env_source = {**provider_env_source, **self._written_env(("functions", key, "environment"))}
        statements, managed = self._function_iam(key, spec, plugins, provider_statements, provider_managed, problems)
        own_layers, layer_refs = self._function_layers(spec, provider, layers, problems, where)
        name = spec.get("name")
        deployed_name: str | None
        if name is not None:
            deployed_name = name if isinstance(name, str) else None
        elif isinstance(service, str) and isinstance(stage.value, str):
            deployed_name = f"{service}-{stage.value}-{key}"
        else:
            deployed_name = None
        code = (
            CodeLocation(CodeKind.IMAGE, written=_short(image))
            if image is not None
            else self._code(spec, handler, runtime)
        )
        if image is None and handler is None:
            problems.append(f"{where}.handler is missing")
        return Function(
            key=key,
            runtime=runtime,
            architecture=architecture if architecture is not None else DEFAULT_ARCHITECTURE,
            timeout=self._typed(
                as_float(timeout_raw, DEFAULT_TIMEOUT, "timeout"), timeout_raw, f"{where}.timeout", problems
            ),
            memory=self._typed(
                as_int(memory_raw, DEFAULT_MEMORY, "memorySize"), memory_raw, f"{where}.memorySize", problems
            ),
            handler=handler,
            code=code,
            environment=environment,
            environment_source=env_source,
            statements=statements,
            managed_policies=managed,
            deployed_name=deployed_name,
            layers=own_layers,
            layer_refs=layer_refs,
            package_type="Image" if image is not None else "Zip",
            snapstart=spec.get("snapStart") in (True, "true"),
            handler_file=handlers.handler_file(self.root, handler, runtime if isinstance(runtime, str) else ""),
            problems=problems,
        )

    @staticmethod
    def _typed(value: Any, raw: Any, what: str, problems: list[str]) -> Any:
        """``value`` (a typed conversion of ``raw``); a conversion that failed on a concrete
        value (not a deploy-time variable) is a problem of the function."""
        if isinstance(value, Unresolved) and not isinstance(raw, Unresolved):
            problems.append(f"{what}: {value.describe()}")
        return value

    def _environment(self, value: Any, what: str, problems: list[str]) -> dict[str, Any]:
        env = self._mapping(value, what, problems)
        result: dict[str, Any] = {}
        for name, item in env.items():
            result[str(name)] = self._env_value(item)
        return result

    def _env_value(self, item: Any) -> Any:
        if isinstance(item, Unresolved):
            return item
        if isinstance(item, dict | list):
            value = self._cfn(item)
            if isinstance(value, str) and "${" not in value:
                return value
            return Unresolved(_short(item), "a CloudFormation value, known at deploy time")
        text = js_string(item)
        return text if text is not None else ""

    def _written_env(self, keys: tuple[str, ...]) -> dict[str, Any]:
        value = self.vars.written(keys)
        return {str(k): v for k, v in value.items()} if isinstance(value, dict) else {}

    # ----------------------------------------------------------------- IAM

    def _cfn_resources(self) -> dict[str, Any]:
        """``resources.Resources``: the CloudFormation resources the service adds."""
        found = self._resources().get("Resources")
        return found if isinstance(found, dict) else {}

    def _statements(self, document: Any, source: str) -> list[iam_policy.Statement]:
        resolved = _expressions(self._cfn(document))
        try:
            return iam_policy.statements_of(resolved, source)
        except ValueError:
            self.problems.append(f"{source}: the policy document is not valid JSON")
            return []

    def _provider_iam(self, provider: dict[str, Any]) -> tuple[list[iam_policy.Statement], list[str]]:
        iam = self._mapping(provider.get("iam"), "provider.iam")
        role = iam.get("role")
        statements: list[iam_policy.Statement] = []
        managed: list[str] = []
        if isinstance(role, dict):
            raw = role.get("statements")
            statements.extend(
                self._statements(
                    {"Statement": self._list(raw, "provider.iam.role.statements")}, "provider.iam.role.statements"
                )
            )
            managed.extend(self._managed(role.get("managedPolicies"), "provider.iam.role.managedPolicies"))
        elif role is not None or provider.get("role") is not None:
            custom = role if role is not None else provider.get("role")
            return self._role_resource(custom, "provider.iam.role")
        legacy = provider.get("iamRoleStatements")
        if legacy is not None:
            statements.extend(
                self._statements(
                    {"Statement": self._list(legacy, "provider.iamRoleStatements")}, "provider.iamRoleStatements"
                )
            )
        managed.extend(self._managed(provider.get("iamManagedPolicies"), "provider.iamManagedPolicies"))
        statements.extend(self._attached_policies(DEFAULT_ROLE))
        return statements, managed

    def _managed(self, value: Any, what: str) -> list[str]:
        result = []
        for item in self._list(value, what):
            resolved = self._cfn(item)
            result.append(resolved if isinstance(resolved, str) else str(Unresolved(_short(item))))
        return result

    def _attached_policies(self, role_id: str) -> list[iam_policy.Statement]:
        """Statements of ``resources`` IAM policies attached to the role ``role_id`` (skipping
        those whose Condition is known to be false)."""
        statements: list[iam_policy.Statement] = []
        for name, resource in self._cfn_resources().items():
            if not isinstance(resource, dict) or resource.get("Type") not in _IAM_POLICY_TYPES:
                continue
            condition = resource.get("Condition")
            if condition and self.cfn.condition(str(condition)) is False:
                continue
            props = _as_dict(resource.get("Properties"))
            roles = _as_list(props.get("Roles"))
            if any(_role_id(r) == role_id for r in roles):
                statements.extend(self._statements(props.get("PolicyDocument"), str(name)))
        return statements

    def _role_resource(self, reference: Any, what: str) -> tuple[list[iam_policy.Statement], list[str]]:
        """The statements and managed policies of a role the project defines in ``resources``
        (``reference`` is its logical id, ``{Ref: Id}`` or ``{Fn::GetAtt: [Id, Arn]}``); a role
        ARN from outside the project has none we can know."""
        role_id = _role_id(reference)
        resource = self._cfn_resources().get(role_id) if role_id else None
        if not isinstance(resource, dict) or resource.get("Type") != "AWS::IAM::Role":
            return [], []
        props = _as_dict(resource.get("Properties"))
        statements: list[iam_policy.Statement] = []
        for policy in self._list(props.get("Policies"), f"resources.{role_id}.Policies"):
            if isinstance(policy, dict):
                statements.extend(
                    self._statements(policy.get("PolicyDocument"), f"{role_id} {policy.get('PolicyName', '')}".strip())
                )
        managed = self._managed(props.get("ManagedPolicyArns"), f"resources.{role_id}.ManagedPolicyArns")
        statements.extend(self._attached_policies(str(role_id)))
        return statements, managed

    def _function_iam(
        self,
        key: str,
        spec: dict[str, Any],
        plugins: list[str],
        provider_statements: list[iam_policy.Statement],
        provider_managed: list[str],
        problems: list[str],
    ) -> tuple[list[iam_policy.Statement], list[str]]:
        if spec.get("role") is not None:
            return self._role_resource(spec.get("role"), f"functions.{key}.role")
        own = spec.get("iamRoleStatements")
        if own is not None and ROLES_PER_FUNCTION_PLUGIN in plugins:
            statements = self._statements(
                {"Statement": self._list(own, f"functions.{key}.iamRoleStatements", problems)},
                f"functions.{key}.iamRoleStatements",
            )
            custom = self._mapping(
                self._mapping(self.document.get("custom"), "custom").get(ROLES_PER_FUNCTION_PLUGIN),
                "custom." + ROLES_PER_FUNCTION_PLUGIN,
            )
            inherit = spec.get("iamRoleStatementsInherit", custom.get("defaultInherit", False))
            if inherit is True:
                statements = [*provider_statements, *statements]
            return statements, list(provider_managed) if inherit is True else []
        return list(provider_statements), list(provider_managed)

    # ----------------------------------------------------------------- layers of a function

    def _function_layers(
        self, spec: dict[str, Any], provider: dict[str, Any], layers: dict[str, Layer], problems: list[str], where: str
    ) -> tuple[list[Layer], list[str]]:
        raw = spec.get("layers")
        if raw is None:
            raw = provider.get("layers")
        own: list[Layer] = []
        refs: list[str] = []
        for item in self._list(raw, f"{where}.layers", problems):
            if isinstance(item, dict) and set(item) == {"Ref"} and str(item["Ref"]) in layers:
                own.append(layers[str(item["Ref"])])
            elif isinstance(item, str):
                refs.append(item)
            else:
                resolved = self._cfn(item)
                refs.append(resolved if isinstance(resolved, str) else str(Unresolved(_short(item))))
        return own, refs


def _expressions(value: Any) -> Any:
    """``value`` with every Unresolved replaced by its expression (a policy's ``Resource:
    ${ssm:/arn}`` stays a string that matches no real ARN, instead of vanishing)."""
    if isinstance(value, Unresolved):
        return value.expression
    if isinstance(value, dict):
        return {k: _expressions(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_expressions(v) for v in value]
    return value


def _as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _role_id(reference: Any) -> str | None:
    if isinstance(reference, str):
        return None if reference.startswith("arn:") else reference
    if isinstance(reference, dict) and len(reference) == 1:
        ((key, value),) = reference.items()
        if key == "Ref":
            return str(value)
        if key == "Fn::GetAtt":
            parts = value if isinstance(value, list) else str(value).split(".", 1)
            return str(parts[0]) if parts else None
    return None


def _setting(value: str | Unresolved | None, source: str, note: str | None = None) -> Setting[str]:
    """A Setting whose value may be Unresolved (``Setting.known`` tells)."""
    return Setting(cast(str, value), source, note)


def _describe(value: Any) -> str:
    return value.describe() if isinstance(value, Unresolved) else _short(value)


def _short(value: Any, limit: int = 120) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
