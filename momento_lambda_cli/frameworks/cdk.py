"""AWS CDK v2 apps: ``cdk.json`` (the app command and its context) and the cloud assembly ``cdk.out``.

`new --framework cdk` renders a CDK app (TypeScript or Python) whose stack reads the secret, cache
and TTL from ``cdk.json``'s context. `doctor` reads a CDK app from its synthesized cloud assembly
(:mod:`momento_lambda_cli.project.cdk_assembly`: no code of the app runs unless ``--synth`` asks).
`store-token` writes the secret's ARN into that context (:mod:`momento_lambda_cli.secrets.cdk_context`)
and `update` merges later templates into the app (framework-neutral). `add` plans from the app's
stack source (:attr:`~FrameworkAdapter.adds_from_source`: :meth:`CdkAdapter.plan_add_source`,
reading with :mod:`momento_lambda_cli.project.cdk_source`, never running the app), so the
model-based ``plan_add_*`` methods refuse. :data:`READ_BY` names the commands that work on a CDK
app and :meth:`CdkAdapter.reads` is the one per-command gate; the others (``doctor --fix``: it
edits YAML templates) raise :func:`unread`, a usage error that says what to do instead.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from momento_lambda_cli import catalog
from momento_lambda_cli.frameworks.base import NOT_FOUND, FrameworkAdapter, Wording, not_supported

if TYPE_CHECKING:
    from momento_lambda_cli.doctor.build_output import Package
    from momento_lambda_cli.doctor.model import Result
    from momento_lambda_cli.project.esbuild import Bundle
    from momento_lambda_cli.project.model import Function, Project, Setting
    from momento_lambda_cli.retrofit.fixes import FixContext
    from momento_lambda_cli.retrofit.plan import AddOptions, AddPlan, PlannedFiles
    from momento_lambda_cli.scaffold.answers import Answers
    from momento_lambda_cli.secrets.wiring import PlannedWrite, ProjectFiles

FOUND = 1
"""cdk.json: below every other framework's files (a SAM or Serverless project that keeps a
cdk.json beside it is read as that project)."""

READ_BY = frozenset({"doctor", "add", "store-token", "update"})
"""The commands that work on a CDK app (:meth:`CdkAdapter.reads`)."""

HINTS = {
    "doctor --fix": "`--fix` edits YAML templates; a CDK app's template is generated from its code: make the change "
    "in the stack's code (each finding's hint says what), run `npx cdk synth`, then `momento-lambda doctor` again.",
}

OWNED_FILES = ("cdk.json", "infra/*.ts", "infra/*.py", "requirements.txt", "pytest.ini")
"""What a rendered CDK app has that no other framework's project does (globs from the project root)."""


def unread(command: str | None = None, project_dir: Path | None = None) -> NoReturn:
    """The usage error for a command that does not read CDK apps yet (exit 2)."""
    from momento_lambda_cli.errors import UsageError

    what = f"`momento-lambda {command}` does" if command else "This command does"
    where = f" ({project_dir} holds {catalog.CDK.template_file})" if project_dir is not None else ""
    readers = " and ".join(f"`momento-lambda {c}`" for c in sorted(READ_BY))
    raise UsageError(
        f"{what} not support AWS CDK projects yet{where}: so far `momento-lambda new --framework cdk` and "
        f"{readers} do.",
        HINTS.get(command or "")
        or "Check the stack with `momento-lambda doctor`, `npx cdk synth` and its tests (`npm test` / `pytest`); set "
        "the secret in cdk.json's context (momentoSecretArn / momentoSecretName) or with "
        "`npx cdk deploy -c momentoSecretName=...`.",
        code="project.cdk-not-supported",
    )


class CdkAdapter(FrameworkAdapter):
    framework = catalog.CDK
    wording = Wording(
        stage="context",
        function_where="a lambda.Function / NodejsFunction in the stack",
        runtime_setting="runtime (the function construct)",
        local_invoke="sam local invoke -t cdk.out/STACK.template.json",
        vpc_setting="vpc (the function construct)",
        grant_hint="secret.grantRead(fn) on exactly the secret (infra/ stack).",
        kms_grant_hint="key.grantDecrypt(fn) on the secret's key (infra/ stack).",
        rebuild_hint="Bundle for Lambda's platform (local bundling with pip --platform, or Docker bundling).",
        glibc_build="Docker bundling in the runtime's build image",
        no_container_hint="use local bundling with pip --platform manylinux2014_<arch> --only-binary=:all:.",
        no_build_hint="Run `npx cdk synth` first.",
    )
    timeout_key = "Timeout"
    runtime_key = "Runtime"
    deploy_tool = "cdk deploy"
    kms_key_parameter = "momentoKmsKeyArn"
    template_is_cloudformation = True
    has_plugins = False
    shares_one_python_build = False
    reads_pyproject = False
    npm_pack_needs_identity = False
    owned_files = OWNED_FILES
    adds_from_source = True

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
        from momento_lambda_cli.project.cdk_assembly import load_cdk

        return load_cdk(root, stage=stage, region=region, stack_name=stack_name, environ=environ)

    def deploy_region(
        self, root: Path, *, stage: str | None, region: str | None, environ: Mapping[str, str]
    ) -> Setting[str]:
        from momento_lambda_cli.project.cdk_assembly import deploy_region
        from momento_lambda_cli.secrets.cdk_context import region as context_region

        synthesized = deploy_region(root, None, {})  # the stack's own environment, when it names one
        if synthesized.known:
            return synthesized
        return context_region(root, region, environ)  # --region, cdk.json context.region, the CLI's

    def reads(self, command: str | None) -> bool:
        return command in READ_BY

    def refuse(self, project_dir: Path, command: str | None) -> None:
        if not self.reads(command):
            unread(command, project_dir)

    def synthesize(self, project_dir: Path, timeout: float) -> str:
        from momento_lambda_cli.project.cdk_synth import synthesize

        return synthesize(project_dir, timeout)

    def build_packages(self, project: Project) -> list[Package] | None:
        """Each function's asset folder in cdk.out is what `cdk deploy` zips: the build output."""
        from momento_lambda_cli.doctor.build_output import folder_package, zip_package

        packages: list[Package] = []
        by_folder: dict[Path, list[str]] = {}
        for function in project.functions:
            folder = function.code_dir
            if folder is not None and not function.code.outside_project:
                by_folder.setdefault(folder, []).append(function.key)
        for folder, keys in by_folder.items():
            label = os.path.relpath(folder, project.root)
            packages.append(folder_package(project.root, folder, label, keys))
        for layer in project.layers:  # a layer's asset: one package named by the layer's key
            path, kind = layer.code.path, layer.code.kind.value
            if layer.code.outside_project or path is None or kind not in ("folder", "zip"):
                continue
            label = os.path.relpath(path, project.root)
            read = folder_package if kind == "folder" else zip_package
            packages.append(read(project.root, path, label, [layer.key]))
        return packages

    def construct_path(self, project: Project, function: Function) -> str | None:
        from momento_lambda_cli.project.cdk_assembly import facts

        found = facts(project)
        return found.construct_paths.get(function.key) if found is not None else None

    def declared_at(self, project: Project, function: Function) -> tuple[str, int] | None:
        from momento_lambda_cli.project.cdk_assembly import facts

        found = facts(project)
        return found.declared_at.get(function.key) if found is not None else None

    # --- where things are in the document ------------------------------------------------------

    def function_path(self, key: str) -> list[str]:
        return ["Resources", key, "Properties"]

    def inherited_path(self) -> list[str] | None:
        return None

    def environment_paths(self, key: str) -> list[list[str]]:
        return [["Resources", key, "Properties", "Environment", "Variables"]]

    def cfn_section(self, project: Project, name: str) -> dict[str, Any]:
        section = project.document.get(name)
        return section if isinstance(section, dict) else {}

    def declares_parameter(self, project: Project, name: str) -> bool:
        return name in self.cfn_section(project, "Parameters")

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
        """A bundled asset (NodejsFunction) has no package.json: its dependencies are inside the bundle."""
        from momento_lambda_cli.project.cdk_assembly import facts

        found = facts(project)
        if found is not None and found.bundled.get(function.key):
            return None
        return function.code_dir

    def packages_by_pattern(self, project: Project) -> bool:
        return False

    def packages_file(self, project: Project, path: Path) -> tuple[bool, str]:
        owners = [f.key for f in project.functions if any(path.parent.is_relative_to(d) for d in f.code_dirs)]
        if not owners:
            return False, "no function's asset in cdk.out holds it, so `cdk deploy` does not package it"
        return True, f"it is in the asset of {', '.join(sorted(owners))} in cdk.out, so `cdk deploy` uploads it"

    def container_build(self, project: Project) -> str | None:
        return None

    def esbuild_external(self, project: Project, function: Function) -> list[str]:
        return []

    def esbuild_bundle(self, project: Project, function: Function) -> Bundle | None:
        return None

    def typescript_build_note(self, project: Project, function: Function) -> str | None:
        return None

    # --- commands and words ----------------------------------------------------------------------

    def deploy_hint(self, *, build: bool = False) -> str:
        return "`npx cdk deploy`"

    def tools(self, project: Project) -> dict[str, tuple[str, ...]]:
        return {"AWS CDK CLI": ("cdk", "npx")}

    def new_setup_steps(self, answers: Answers) -> list[tuple[str, str]]:
        """Install the aws-cdk CLI and the app's libraries in the project, then its tests."""
        if answers.is_python:
            return [
                ("python3 -m venv .venv && . .venv/bin/activate", "the CDK app's Python"),
                ("pip install -r requirements-dev.txt", "aws-cdk-lib, the function's and the tests' libraries"),
                ("npm install", "the aws-cdk CLI"),
                ("pytest", "the function's and the stack's tests, offline"),
            ]
        return [
            ("npm install", "aws-cdk, aws-cdk-lib, esbuild, TypeScript, @gomomento/sdk"),
            ("npm test", "the function's and the stack's tests, offline"),
        ]

    def new_build_steps(self, answers: Answers) -> list[tuple[str, str]]:
        """Synthesize offline, bootstrap once, deploy (the secret's ARN is in cdk.json's context:
        rendered there, or written by `momento-lambda store-token`)."""
        build = "(pip for Lambda's platform, no Docker)" if answers.is_python else "(the project's esbuild, no Docker)"
        return [
            ("npx cdk synth", f"offline: builds the function {build}"),
            ("momento-lambda doctor --offline", "reads cdk.out: the grant, the secret contract, the code, the build"),
            ("npx cdk bootstrap", "once per AWS account and region"),
            ("npx cdk deploy", "with the secret's ARN from cdk.json's context (momentoSecretArn)"),
        ]

    def deploy_steps(self, project_dir: Path, answers: Mapping[str, Any] | None) -> list[str]:
        return ["npx cdk deploy"]

    def keeps_rendered(self, answers: Answers) -> Sequence[str]:
        """cdk.json, and the CDK app in the function's language (Python: its requirements and pytest.ini)."""
        if answers.is_python:
            return ("cdk.json", "infra/*.py", "requirements.txt", "pytest.ini")
        return ("cdk.json", "infra/*.ts")

    def needs_package_json(self, answers: Answers) -> bool:
        return True  # the aws-cdk CLI, for Python apps too

    # --- doctor checks that read the build differently ------------------------------------------

    def python_build_check(self, project: Project, arches: set[str], problems: list[str]) -> tuple[str, Result | None]:
        """The asset folder in cdk.out is the built package (bundled at synth, locally or in Docker,
        as the app's code says): no project setting to judge; build.binaries inspects its compiled
        extensions for the function's CPU and Python."""
        from momento_lambda_cli.doctor.model import Result

        del project, arches, problems
        return "", Result.skip(
            "The Python dependencies are bundled by the app's code at synth (the asset in cdk.out): "
            "build.binaries and build.glibc check what the asset holds."
        )

    # --- edits ----------------------------------------------------------------------------------

    def plan_add_source(self, root: Path, options: AddOptions) -> AddPlan:
        """`add`: read the stacks' source (:mod:`momento_lambda_cli.project.cdk_source`, never run)
        and plan the client module, the SDK, and the stack's secret, grant and environment."""
        from momento_lambda_cli.retrofit.cdk_add import plan_add_cdk

        return plan_add_cdk(root, options, self.name)

    def plan_add_function(
        self,
        project: Project,
        function: Function,
        spec: dict[str, Any],
        files: PlannedFiles,
        source: str,
        settings: dict[str, Any],
    ) -> None:
        raise not_supported(self, "Planning `add` on the synthesized template (add reads the stack source)")

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
        raise not_supported(self, "Planning `add` on the synthesized template (add reads the stack source)")

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
        raise not_supported(self, "Granting on the synthesized template (add edits the stack source)")

    def kms_resource(self, project: Project, key: str) -> str:
        unread("doctor --fix")

    def secret_statement(
        self, ctx: FixContext, source: Any, resolved: Any, head: list[str], sid: str, generated: bool
    ) -> list[str] | None:
        unread("doctor --fix")

    def fix_build_method(self, ctx: FixContext) -> list[str]:
        unread("doctor --fix")

    def fix_secret_arn(self, ctx: FixContext, arn: str) -> list[str]:
        unread("doctor --fix")

    def inspect_token_target(self, found: ProjectFiles, config_env: str) -> None:
        """cdk.json, parsed (a broken one stops the command before AWS), and which context keys the app reads."""
        from momento_lambda_cli.secrets import cdk_context

        cdk_context.inspect(found, config_env)

    def token_stage(self, config_env: str) -> str | None:
        return None  # one context: no stages

    def plan_token_writes(
        self, found: ProjectFiles, arn: str, kms_key_arn: str | None, config_env: str, strict: bool
    ) -> tuple[list[PlannedWrite], list[str]]:
        """cdk.json ``context.momentoSecretArn`` (and ``momentoKmsKeyArn``), a byte-minimal edit."""
        from momento_lambda_cli.secrets import cdk_context

        return cdk_context.plan(found, arn, kms_key_arn)
