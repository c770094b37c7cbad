"""AWS SAM: ``template.yaml`` (a CloudFormation template with the SAM transform) and ``samconfig.toml``."""

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

SAM_MARK = b"AWS::Serverless"
"""In a template: the SAM transform or a SAM resource type; a plain CloudFormation template has neither."""

MARKED = 3
"""A samconfig, or a template that uses SAM: surely SAM."""
PLAIN_TEMPLATE = 1
"""Only a template without SAM in it: SAM when nothing else claims the folder (a Serverless
service may keep a plain CloudFormation template beside serverless.yml)."""


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


class SamAdapter(FrameworkAdapter):
    framework = catalog.SAM
    wording = Wording(
        stage="config env",
        function_where="an AWS::Serverless::Function",
        runtime_setting="Runtime",
        local_invoke="sam local invoke --env-vars",
        vpc_setting="the function's VpcConfig (SAM)",
        grant_hint=(
            "Grant exactly `secretsmanager:GetSecretValue` on the secret's ARN in the function's Policies: "
            "`- Statement: [{Effect: Allow, Action: secretsmanager:GetSecretValue, Resource: !Ref MomentoSecretArn}]`."
        ),
        kms_grant_hint="Add `kms:Decrypt` on the key's ARN to each function's Policies (KMSDecryptPolicy or a Statement).",
        rebuild_hint=(
            "Rebuild for Lambda: `sam build --use-container` (samconfig use_container = true), or pip install "
            "--platform manylinux2014_<arch> --only-binary=:all: --python-version <X.Y> in a Makefile build."
        ),
        glibc_build="`sam build --use-container` (the build image has the runtime's glibc)",
        no_container_hint=(
            "build without a container here: `sam build --no-use-container` fetches manylinux wheels for the "
            "function's architecture."
        ),
        no_build_hint="Run `sam build` first.",
    )
    timeout_key = "Timeout"
    runtime_key = "Runtime"
    deploy_tool = "sam deploy"
    kms_key_parameter = contract.SAM_PARAM_KMS_KEY_ARN
    template_is_cloudformation = True
    has_plugins = False
    shares_one_python_build = False
    reads_pyproject = False
    npm_pack_needs_identity = True

    # --- detection and loading ---------------------------------------------------------------

    def detect(self, folder: Path) -> int:
        present = [name for name in self.framework.project_files if (folder / name).is_file()]
        if not present:
            return NOT_FOUND
        if any(name in self.framework.config_files for name in present):
            return MARKED
        from momento_lambda_cli.project.parse import read_head

        for name in present:
            head = read_head(folder / name, 1_000_000, root=folder)
            if head is not None and SAM_MARK in head:
                return MARKED
        return PLAIN_TEMPLATE

    def load(
        self,
        root: Path,
        *,
        stage: str | None,
        region: str | None,
        stack_name: str | None,
        environ: Mapping[str, str],
    ) -> Project:
        from momento_lambda_cli.project.sam import load_sam

        return load_sam(root, config_env=stage, region=region, stack_name=stack_name, environ=environ)

    def deploy_region(
        self, root: Path, *, stage: str | None, region: str | None, environ: Mapping[str, str]
    ) -> Setting[str]:
        from momento_lambda_cli.project import samconfig
        from momento_lambda_cli.project.sam import region_setting

        config = samconfig.load(root, stage or samconfig.DEFAULT_ENV)
        return region_setting(config, region, environ)

    # --- where things are in the document ------------------------------------------------------

    def function_path(self, key: str) -> list[str]:
        return ["Resources", key, "Properties"]

    def inherited_path(self) -> list[str] | None:
        return ["Globals", "Function"]

    def environment_paths(self, key: str) -> list[list[str]]:
        return [
            ["Resources", key, "Properties", "Environment", "Variables"],
            ["Globals", "Function", "Environment", "Variables"],
        ]

    def cfn_section(self, project: Project, name: str) -> dict[str, Any]:
        return _mapping(project.document.get(name))

    def declares_parameter(self, project: Project, name: str) -> bool:
        return name in _mapping(project.document.get("Parameters"))

    def unread_functions(self, project: Project) -> str | None:
        return None

    # --- packaging ----------------------------------------------------------------------------

    def zip_root(self, project: Project, function: Function, spec: Mapping[str, Any]) -> Path:
        assert function.code_dir is not None
        return function.code_dir

    def handler_file(self, project: Project, function: Function, spec: Mapping[str, Any]) -> Path | None:
        return None

    def python_dependency_folder(self, project: Project, spec: Mapping[str, Any], zip_root: Path) -> Path:
        return zip_root

    def node_package_folder(self, project: Project, function: Function) -> Path | None:
        return function.code_dir

    def packages_by_pattern(self, project: Project) -> bool:
        return False

    def packages_file(self, project: Project, path: Path) -> tuple[bool, str]:
        from momento_lambda_cli.doctor.checks.project import sam_packaged

        return sam_packaged(project, path)

    def container_build(self, project: Project) -> str | None:
        return "use_container = true in samconfig.toml" if project.build.use_container else None

    def esbuild_external(self, project: Project, function: Function) -> list[str]:
        from momento_lambda_cli.project import esbuild

        return esbuild.sam_external(project, function)

    def esbuild_bundle(self, project: Project, function: Function) -> Bundle | None:
        from momento_lambda_cli.project import esbuild

        return esbuild.sam_bundle(project, function)

    def typescript_build_note(self, project: Project, function: Function) -> str | None:
        method = (function.build_method or "").lower()
        if method in ("esbuild", "makefile"):
            return None
        return (
            f"{function.key} is TypeScript that nothing in {project.config_path.name} compiles "
            f"(Metadata.BuildMethod is {function.build_method or 'not set'}): make sure your build compiles "
            "momentoClient.ts with the handler (e.g. `BuildMethod: esbuild`)"
        )

    # --- commands and words ----------------------------------------------------------------------

    def deploy_hint(self, *, build: bool = False) -> str:
        return "`sam build && sam deploy`" if build else "`sam deploy`"

    def tools(self, project: Project) -> dict[str, tuple[str, ...]]:
        wanted: dict[str, tuple[str, ...]] = {"sam (AWS SAM CLI)": ("sam",)}
        if project.build.use_container:
            wanted["docker (use_container = true)"] = ("docker",)
            return wanted
        for function in project.functions:
            runtime = catalog.runtime(str(function.runtime or ""))
            if runtime is not None and runtime.language == "python":
                name = f"python{runtime.version}"
                wanted[f"{name} (sam build --no-use-container builds {function.runtime} with it)"] = (name,)
        return wanted

    def new_setup_steps(self, answers: Answers) -> list[tuple[str, str]]:
        return []

    def new_build_steps(self, answers: Answers) -> list[tuple[str, str]]:
        steps: list[tuple[str, str]] = []
        if answers.is_python:
            steps.append(("sam build", "builds in the Lambda image (use_container = true): needs Docker"))
        elif answers.language == catalog.TYPESCRIPT:
            # The SAM CLI's esbuild builder needs esbuild on PATH (it does not look in the
            # project's node_modules): `npm run build` runs `sam build` with node_modules/.bin on PATH.
            steps.append(("npm install", "esbuild, TypeScript, @gomomento/sdk"))
            steps.append(("npm run build", "sam build, with esbuild from node_modules/.bin"))
        else:
            steps.append(("sam build", "installs @gomomento/sdk into the build"))
        steps.append(("sam deploy --guided", "the first time; then `sam deploy`"))
        return steps

    def deploy_steps(self, project_dir: Path, answers: Mapping[str, Any] | None) -> list[str]:
        """A SAM TypeScript project builds with esbuild from its own node_modules: ``npm install``
        then ``npm run build`` (``sam build`` alone fails on a fresh clone), as `new` tells."""
        from momento_lambda_cli.scaffold.next_steps import builds_with_npm

        language = (answers or {}).get("language")
        if language == catalog.TYPESCRIPT or (language is None and builds_with_npm(project_dir)):
            return ["npm install", "npm run build", "sam deploy"]
        return ["sam build", "sam deploy"]

    def needs_package_json(self, answers: Answers) -> bool:
        return False

    # --- doctor checks that read the build differently ------------------------------------------

    def python_build_check(self, project: Project, arches: set[str], problems: list[str]) -> tuple[str, Result | None]:
        from momento_lambda_cli.doctor.checks.project import sam_python_build

        return sam_python_build(project, arches, problems)

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
        from momento_lambda_cli.retrofit.plan import sam_function

        sam_function(project, function, files, source, settings)

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
        from momento_lambda_cli.retrofit.plan import sam_project

        sam_project(project, document, files, source, settings, python, notes)

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
        from momento_lambda_cli.retrofit.plan import sam_grant

        lines = [line for s in statements for line in ["- " + s[0], *["  " + x for x in s[1:]]]]
        sam_grant(project, function, files, source, lines, sid, prefix)

    def kms_resource(self, project: Project, key: str) -> str:
        from momento_lambda_cli.project import edit

        if self.declares_parameter(project, self.kms_key_parameter):
            return f"!Ref {self.kms_key_parameter}"
        return edit.yaml_scalar(key, '"')

    def secret_statement(
        self, ctx: FixContext, source: Any, resolved: Any, head: list[str], sid: str, generated: bool
    ) -> list[str] | None:
        from momento_lambda_cli.retrofit.fixes import sam_secret_statement

        return sam_secret_statement(ctx, source, resolved, head, sid, generated)

    def fix_build_method(self, ctx: FixContext) -> list[str]:
        from momento_lambda_cli.retrofit.fixes import sam_fix_build_method

        return sam_fix_build_method(ctx)

    def fix_secret_arn(self, ctx: FixContext, arn: str) -> list[str]:
        from momento_lambda_cli.retrofit.fixes import sam_fix_secret_arn

        return sam_fix_secret_arn(ctx, arn)

    def inspect_token_target(self, found: ProjectFiles, config_env: str) -> None:
        from momento_lambda_cli.secrets.wiring import inspect_sam

        inspect_sam(found, config_env)

    def plan_token_writes(
        self, found: ProjectFiles, arn: str, kms_key_arn: str | None, config_env: str, strict: bool
    ) -> tuple[list[PlannedWrite], list[str]]:
        from momento_lambda_cli.secrets.wiring import plan_sam_writes

        return plan_sam_writes(found, arn, kms_key_arn, config_env, strict)

    def token_stage(self, config_env: str) -> str | None:
        return config_env
