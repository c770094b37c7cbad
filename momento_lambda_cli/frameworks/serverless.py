"""The Serverless Framework (v3, v4, osls): ``serverless.yml`` with its params, provider and plugins."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from momento_lambda_cli import catalog, contract
from momento_lambda_cli.frameworks.base import NOT_FOUND, FrameworkAdapter, Wording

if TYPE_CHECKING:
    from momento_lambda_cli.doctor.model import Result
    from momento_lambda_cli.project.esbuild import Bundle
    from momento_lambda_cli.project.model import Function, Project, Setting
    from momento_lambda_cli.retrofit.fixes import FixContext
    from momento_lambda_cli.retrofit.plan import PlannedFiles
    from momento_lambda_cli.scaffold.answers import Answers
    from momento_lambda_cli.secrets.wiring import PlannedWrite, ProjectFiles

FOUND = 2
"""serverless.yml: above a plain CloudFormation template beside it, below a template that uses SAM."""

CLIS = ("serverless", "sls", "osls")
"""The names the Serverless Framework's CLI goes by."""


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


class ServerlessAdapter(FrameworkAdapter):
    framework = catalog.SERVERLESS
    wording = Wording(
        stage="stage",
        function_where="a function under functions:",
        runtime_setting="runtime (provider or function)",
        local_invoke="serverless invoke local -e",
        vpc_setting="provider.vpc / functions.<name>.vpc (serverless.yml)",
        grant_hint=(
            "Grant exactly `secretsmanager:GetSecretValue` on the secret's ARN in provider.iam.role.statements "
            "(Resource: ${param:momentoSecretArn})."
        ),
        kms_grant_hint="Add `kms:Decrypt` on the key's ARN to provider.iam.role.statements.",
        rebuild_hint=(
            "Rebuild for Lambda: custom.pythonRequirements.dockerizePip: true, or pipCmdExtraArgs "
            "--platform manylinux2014_<arch> --only-binary=:all:."
        ),
        glibc_build="custom.pythonRequirements.dockerizePip: true (the build image has the runtime's glibc)",
        no_container_hint=(
            "drop dockerizePip and set pipCmdExtraArgs: ['--platform manylinux2014_<arch>', '--only-binary=:all:']."
        ),
        no_build_hint="Run `serverless package` first.",
    )
    timeout_key = "timeout"
    runtime_key = "runtime"
    deploy_tool = "serverless deploy"
    kms_key_parameter = contract.SLS_PARAM_KMS_KEY_ARN
    template_is_cloudformation = False
    has_plugins = True
    shares_one_python_build = True
    reads_pyproject = True
    npm_pack_needs_identity = False
    function_name_suffix = "-dev-api"
    """The stage (``dev``) and the function's key (``api``) of a generated project."""
    function_name_hint = "set functions.api.name in serverless.yml or choose a shorter project name."

    # --- detection and loading ---------------------------------------------------------------

    def detect(self, folder: Path) -> int:
        return FOUND if self.has_project_file(folder) else NOT_FOUND

    def load(
        self,
        root: Path,
        *,
        stage: str | None,
        region: str | None,
        stack_name: str | None,
        environ: Mapping[str, str],
    ) -> Project:
        from momento_lambda_cli.project.model import Setting
        from momento_lambda_cli.project.serverless import load_serverless

        project = load_serverless(root, stage=stage, region=region, environ=environ)
        if stack_name:
            project.stack_name = Setting(stack_name, "--stack-name")
        return project

    def deploy_region(
        self, root: Path, *, stage: str | None, region: str | None, environ: Mapping[str, str]
    ) -> Setting[str]:
        from momento_lambda_cli.project.load import load_project

        return load_project(root, stage=stage, region=region, environ=environ).region

    # --- where things are in the document ------------------------------------------------------

    def function_path(self, key: str) -> list[str]:
        return ["functions", key]

    def inherited_path(self) -> list[str] | None:
        return ["provider"]

    def environment_paths(self, key: str) -> list[list[str]]:
        return [["functions", key, "environment"], ["provider", "environment"]]

    def cfn_section(self, project: Project, name: str) -> dict[str, Any]:
        return _mapping(_mapping(project.document.get("resources")).get(name))

    def declares_parameter(self, project: Project, name: str) -> bool:
        return name in project.parameters

    def unread_functions(self, project: Project) -> str | None:
        from momento_lambda_cli.project.values import Unresolved

        value = project.document.get("functions")
        if isinstance(value, Unresolved) and not project.functions:
            return value.describe()
        return None

    # --- packaging ----------------------------------------------------------------------------

    def zip_root(self, project: Project, function: Function, spec: Mapping[str, Any]) -> Path:
        if isinstance(spec.get("module"), str):
            return (project.root / str(spec["module"])).resolve()
        return project.root.resolve()

    def handler_file(self, project: Project, function: Function, spec: Mapping[str, Any]) -> Path | None:
        if not isinstance(spec.get("module"), str):
            return None
        from momento_lambda_cli.project import handlers

        return handlers.handler_file(self.zip_root(project, function, spec), function.handler, function.runtime_name)

    def python_dependency_folder(self, project: Project, spec: Mapping[str, Any], zip_root: Path) -> Path:
        return zip_root if spec.get("module") else project.root

    def node_package_folder(self, project: Project, function: Function) -> Path | None:
        return project.root

    def packages_by_pattern(self, project: Project) -> bool:
        specs = [project.document, *_mapping(project.document.get("functions")).values()]
        return any(
            isinstance(spec, dict)
            and isinstance(spec.get("package"), dict)
            and any(k in spec["package"] for k in ("patterns", "include", "exclude"))
            for spec in specs
        )

    def packages_file(self, project: Project, path: Path) -> tuple[bool, str]:
        from momento_lambda_cli.doctor.checks.project import sls_packaged

        return sls_packaged(project, path)

    def container_build(self, project: Project) -> str | None:
        dockerize = project.build.dockerize_pip
        if dockerize is True or str(dockerize).lower() == "true":
            return "custom.pythonRequirements.dockerizePip: true"
        return None  # non-linux: this check runs on Linux, where non-linux does not use Docker

    def esbuild_external(self, project: Project, function: Function) -> list[str]:
        from momento_lambda_cli.project import esbuild

        return esbuild.sls_external(project, function)

    def esbuild_bundle(self, project: Project, function: Function) -> Bundle | None:
        from momento_lambda_cli.project import esbuild

        return esbuild.sls_bundle(project, function)

    def typescript_build_note(self, project: Project, function: Function) -> str | None:
        from momento_lambda_cli.project import esbuild

        builders = (esbuild.SLS_PLUGIN, *esbuild.OTHER_SLS_BUILDERS)
        if esbuild.framework_v4(project) or any(esbuild.has_plugin(project, p) for p in builders):
            return None
        plugins = esbuild.sls_plugins(project)
        return (
            f"{function.key} is TypeScript and {project.config_path.name} names no TypeScript plugin "
            f"(plugins: {', '.join(plugins) or 'none'}): Serverless Framework v4 compiles it itself; "
            "v3 and osls need one (e.g. serverless-esbuild), which must compile momentoClient.ts with the handler"
        )

    # --- commands and words ----------------------------------------------------------------------

    def deploy_hint(self, *, build: bool = False) -> str:
        return "`serverless deploy`"

    def tools(self, project: Project) -> dict[str, tuple[str, ...]]:
        wanted: dict[str, tuple[str, ...]] = {"serverless / sls / osls (Serverless Framework)": CLIS}
        if str(project.build.dockerize_pip).lower() == "true":
            wanted["docker (dockerizePip: true)"] = ("docker",)
        return wanted

    def new_setup_steps(self, answers: Answers) -> list[tuple[str, str]]:
        return [("npm install", "serverless-python-requirements" if answers.is_python else "@gomomento/sdk")]

    def new_build_steps(self, answers: Answers) -> list[tuple[str, str]]:
        why = (
            "needs Docker for dockerizePip (Serverless Framework v3/v4 or `npx osls deploy`)"
            if answers.is_python
            else "Serverless Framework v3/v4 or `npx osls deploy`"
        )
        return [("serverless deploy", why)]

    def deploy_steps(self, project_dir: Path, answers: Mapping[str, Any] | None) -> list[str]:
        return ["serverless deploy"]

    def needs_package_json(self, answers: Answers) -> bool:
        return True

    # --- doctor checks that read the build differently ------------------------------------------

    def python_build_check(self, project: Project, arches: set[str], problems: list[str]) -> tuple[str, Result | None]:
        from momento_lambda_cli.doctor.checks.project import sls_python_build

        return sls_python_build(project, arches, problems)

    # --- edits ----------------------------------------------------------------------------------

    def plan_add_function(
        self,
        project: Project,
        function: Function,
        spec: dict[str, Any],
        files: PlannedFiles,
        source: str,
        settings: dict[str, Any],
    ) -> None:
        from momento_lambda_cli.retrofit.plan import sls_function

        sls_function(project, function, spec, files, source, settings)

    def plan_add_project(
        self,
        project: Project,
        document: Any,
        files: PlannedFiles,
        source: str,
        settings: dict[str, Any],
        python: bool,
        notes: list[str],
    ) -> None:
        from momento_lambda_cli.retrofit.plan import sls_project

        sls_project(project, files, source, settings, python, notes)

    def plan_grant(
        self,
        project: Project,
        function: Function,
        files: PlannedFiles,
        source: str,
        statements: list[list[str]],
        sid: str,
        prefix: str,
    ) -> None:
        from momento_lambda_cli.retrofit.plan import sls_grant

        sls_grant(project, function, self.function_spec(project, function), files, source, statements, sid, prefix)

    def kms_resource(self, project: Project, key: str) -> str:
        import json

        if self.declares_parameter(project, self.kms_key_parameter):
            return json.dumps(f"${{param:{self.kms_key_parameter}}}")
        return json.dumps(key)

    def secret_statement(
        self, ctx: FixContext, source: Any, resolved: Any, head: list[str], sid: str, generated: bool
    ) -> list[str] | None:
        from momento_lambda_cli.retrofit.fixes import sls_secret_statement

        return sls_secret_statement(ctx, source, resolved, head, sid, generated)

    def fix_build_method(self, ctx: FixContext) -> list[str]:
        from momento_lambda_cli.retrofit.fixes import sls_fix_build_method

        return sls_fix_build_method(ctx)

    def fix_secret_arn(self, ctx: FixContext, arn: str) -> list[str]:
        from momento_lambda_cli.retrofit.fixes import sls_fix_secret_arn

        return sls_fix_secret_arn(ctx, arn)

    def inspect_token_target(self, found: ProjectFiles, config_env: str) -> None:
        from momento_lambda_cli.secrets.wiring import inspect_serverless

        inspect_serverless(found)

    def plan_token_writes(
        self, found: ProjectFiles, arn: str, kms_key_arn: str | None, config_env: str, strict: bool
    ) -> tuple[list[PlannedWrite], list[str]]:
        from momento_lambda_cli.secrets.wiring import plan_serverless_writes

        return plan_serverless_writes(found, arn, kms_key_arn, config_env, strict)

    def token_stage(self, config_env: str) -> str | None:
        # store-token writes params.default unless told a stage; the region is the default stage's.
        return None if config_env == "default" else config_env
