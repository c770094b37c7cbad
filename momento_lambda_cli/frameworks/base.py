"""The seam between this tool and the deployment frameworks it reads and edits.

Every command works on one project model (:class:`~momento_lambda_cli.project.model.Project`);
what differs between AWS SAM, the Serverless Framework and whatever comes next is asked of the
project's :class:`FrameworkAdapter`, never decided by comparing framework names. Modelled on the
SAM CLI's IaC plugins (``samcli/lib/iac/plugins_interfaces.py``: one interface per kind of
project; ``iac_factory.py``: the factory that picks one): :mod:`momento_lambda_cli.frameworks`
holds the registry (``adapter(name)``, ``adapter_for(project)``, ``detect(folder)``), and a
test (``tests/test_framework_seam.py``) fails on a framework comparison anywhere else.

A new adapter (for instance AWS CDK: found by ``cdk.json``, loaded from the synthesized
``cdk.out/*.template.json``, the ARN written to ``cdk.json``'s context) provides:

* ``framework``: its :class:`~momento_lambda_cli.catalog.Framework` entry (the catalog stays the
  one table of names and file names; add the entry to ``catalog.FRAMEWORKS`` too);
* detection (:meth:`FrameworkAdapter.detect`) and loading into the project model
  (:meth:`~FrameworkAdapter.load`, :meth:`~FrameworkAdapter.deploy_region`), the region / stage /
  stack rules living in its loader;
* where things are in its document (:meth:`~FrameworkAdapter.function_spec`, the key paths) and
  how its deploy tool packages code (the ``*_folder`` methods, the packaging facts);
* its words (:class:`Wording`) and commands (next steps after `new`, the deploy steps
  `store-token` prints, which rendered files `new` keeps);
* the edits it can plan (``add``'s function and project edits, grants, where `store-token` and
  ``doctor --fix`` write the secret's ARN). Edits are planned by the adapter on a
  ``PlannedFiles`` of whole-file text edits, so nothing here assumes a YAML template: an
  adapter whose project is generated (CDK's ``cdk.out``) refuses the template edits with
  :func:`not_supported` and writes its settings where its tool reads them.

The methods the base class implements are the common case; an adapter overrides what differs.
A behaviour one framework does not have is a method that answers "nothing" (``None``, ``[]``,
``False``) for it, so a new framework never silently takes another one's branch: every abstract
method must be written for it, and the guard test names any comparison left behind.

Implementations may live next to the code that uses them (the SAM and Serverless editors in
``retrofit/``, the doctor's per-framework checks); the adapter imports them lazily, so importing
this package costs only the catalog (``--help`` and plain ``doctor`` stay as fast).
"""

from __future__ import annotations

import abc
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from momento_lambda_cli import catalog

if TYPE_CHECKING:
    from momento_lambda_cli.doctor.build_output import Package
    from momento_lambda_cli.doctor.model import Result
    from momento_lambda_cli.project.esbuild import Bundle
    from momento_lambda_cli.project.model import Function, Project, Setting
    from momento_lambda_cli.retrofit.fixes import FixContext
    from momento_lambda_cli.retrofit.plan import AddOptions, AddPlan, PlannedFiles
    from momento_lambda_cli.scaffold.answers import Answers
    from momento_lambda_cli.secrets.wiring import PlannedWrite, ProjectFiles


NOT_FOUND = 0
"""What :meth:`FrameworkAdapter.detect` answers for a folder that is not its project."""


@dataclass(frozen=True)
class Wording:
    """How the doctor, `add` and `store-token` name this framework's settings in messages."""

    stage: str
    """What ``--stage`` / ``--config-env`` selects: ``config env`` / ``stage``."""
    function_where: str
    """Where a function is declared: ``an AWS::Serverless::Function``."""
    runtime_setting: str
    """Where the runtime is set: ``Runtime``."""
    local_invoke: str
    """The local run that takes an environment file: ``sam local invoke --env-vars``."""
    vpc_setting: str
    """Where a function's VPC is set."""
    grant_hint: str
    """How to grant GetSecretValue on the secret."""
    kms_grant_hint: str
    """How to grant kms:Decrypt on the secret's key."""
    rebuild_hint: str
    """How to rebuild the Python dependencies for Lambda."""
    glibc_build: str
    """How to build in the runtime's own image (the glibc hint)."""
    no_container_hint: str
    """The tail of the container-build hint: how to build without a container."""
    no_build_hint: str
    """How to make the build output the doctor inspects."""


def not_supported(adapter: FrameworkAdapter, what: str) -> Exception:
    """The error an adapter raises for an edit its framework does not have."""
    from momento_lambda_cli.errors import MomentoLambdaError

    return MomentoLambdaError(
        f"{what} is not supported for {adapter.framework.display_name} projects.",
        "Make the change by hand; `momento-lambda doctor` checks the result.",
        code="framework.not-supported",
    )


class FrameworkAdapter(abc.ABC):
    """One deployment framework, as every command of this tool sees it (see the module doc)."""

    framework: catalog.Framework
    wording: Wording
    timeout_key: str
    """The function setting for the timeout (``Timeout`` / ``timeout``)."""
    runtime_key: str
    """The function setting for the runtime (``Runtime`` / ``runtime``)."""
    deploy_tool: str
    """The deploy command, bare: ``sam deploy``."""
    kms_key_parameter: str
    """The parameter the template reads the secret's KMS key ARN from."""
    template_is_cloudformation: bool
    """The loaded document is a CloudFormation template (``Parameters``, ``Resources`` at the top)."""
    has_plugins: bool
    """The project lists Serverless Framework plugins (serverless-python-requirements...)."""
    shares_one_python_build: bool
    """All Python functions are packaged from one dependency build (so one CPU architecture)."""
    reads_pyproject: bool
    """The Python packaging reads dependencies from a pyproject.toml when no requirements.txt is there."""
    npm_pack_needs_identity: bool
    """The Node.js build runs ``npm pack``: package.json needs a name and a version."""
    function_name_suffix: str | None = None
    """What the deploy tool appends to a generated project's name to name its function (``None``:
    the name does not come from the project's name)."""
    function_name_hint: str = ""
    """How to shorten that name when it is too long."""
    adds_from_source: bool = False
    """`add` plans this framework's projects from their source code (:meth:`plan_add_source`: a
    CDK app's stacks) instead of loading the project model and asking the ``plan_add_*`` methods."""

    @property
    def reads_projects(self) -> bool:
        """`doctor`, `add`, `store-token` and `update` all read this framework's projects
        (``catalog.DOCTOR_FRAMEWORK_NAMES``); for the others each command asks :meth:`reads`, and
        :meth:`refuse` stops the commands that do not."""
        return self.name in catalog.DOCTOR_FRAMEWORK_NAMES

    @property
    def owned_files(self) -> tuple[str, ...]:
        """Globs of the rendered files only this framework's projects have (`new` drops them from
        the other frameworks' projects)."""
        return tuple(dict.fromkeys((self.framework.template_file, self.framework.settings_file)))

    def has_project_file(self, folder: Path) -> bool:
        """``folder`` holds one of the files that mark this framework's projects."""
        return any((folder / name).is_file() for name in self.framework.project_files)

    def reads(self, command: str | None) -> bool:
        """``command`` (``doctor``, ``doctor --fix``, ``add``, ``store-token``, ``update``) works on
        this framework's projects: the one per-command capability :meth:`refuse` and callers ask."""
        del command
        return self.reads_projects

    def refuse(self, project_dir: Path, command: str | None) -> None:
        """Raise a usage error when ``command`` cannot work on this framework's project (the
        frameworks this tool reads: nothing to refuse)."""
        del project_dir, command

    def synthesize(self, project_dir: Path, timeout: float) -> str:
        """``doctor --synth``: run the framework's own code generation (CDK's ``cdk synth``) and
        say what ran; a framework whose project is its files has nothing to run (usage error)."""
        from momento_lambda_cli.errors import UsageError

        del timeout
        raise UsageError(
            f"--synth is for AWS CDK apps: {project_dir} is a {self.framework.display_name} project "
            "(doctor reads its files as they are).",
            "Drop --synth.",
            code="usage.synth-not-cdk",
        )

    def build_packages(self, project: Project) -> list[Package] | None:
        """The deployable build output the build checks inspect when the framework keeps it somewhere
        of its own (CDK: the assets in cdk.out); ``None``: ``.aws-sam/build`` / ``.serverless``."""
        del project
        return None

    def declared_at(self, project: Project, function: Function) -> tuple[str, int] | None:
        """The file (relative to the project) and line of the app's code that declares the function,
        when its template is generated and the framework records it (CDK with ``CDK_DEBUG=true``)."""
        del project, function
        return None

    def construct_path(self, project: Project, function: Function) -> str | None:
        """Where the function is declared in the app's code, when that is not a line of the template
        (CDK: the construct path ``Stack/Fn``)."""
        del project, function
        return None

    @property
    def name(self) -> str:
        return self.framework.name

    # --- detection and loading ---------------------------------------------------------------

    @abc.abstractmethod
    def detect(self, folder: Path) -> int:
        """How surely ``folder`` holds a project of this framework: :data:`NOT_FOUND`, or a
        positive score (the highest score among the adapters wins; a tie goes to the first in
        ``catalog.FRAMEWORKS``)."""

    @abc.abstractmethod
    def load(
        self,
        root: Path,
        *,
        stage: str | None,
        region: str | None,
        stack_name: str | None,
        environ: Mapping[str, str],
    ) -> Project:
        """The project in ``root`` as the deploy tool would deploy it (the region note is added by the caller)."""

    @abc.abstractmethod
    def deploy_region(
        self, root: Path, *, stage: str | None, region: str | None, environ: Mapping[str, str]
    ) -> Setting[str]:
        """The region the deploy tool deploys to, reading only what that needs."""

    # --- where things are in the document ------------------------------------------------------

    @abc.abstractmethod
    def function_path(self, key: str) -> list[str]:
        """The path of a function's own settings in the document."""

    @abc.abstractmethod
    def inherited_path(self) -> list[str] | None:
        """The path of the settings every function inherits (``None``: the document has none,
        as in a synthesized CloudFormation template)."""

    @abc.abstractmethod
    def environment_paths(self, key: str) -> list[list[str]]:
        """The function's own environment mapping, then the inherited one (if any)."""

    def function_spec(self, project: Project, function: Function) -> dict[str, Any]:
        """The function's own settings as written (``{}``: none, or not a mapping)."""
        node: Any = project.document
        for part in self.function_path(function.key):
            node = node.get(part) if isinstance(node, dict) else None
        return node if isinstance(node, dict) else {}

    @abc.abstractmethod
    def cfn_section(self, project: Project, name: str) -> dict[str, Any]:
        """A CloudFormation section (``Conditions``...) the project's stack gets from this document."""

    @abc.abstractmethod
    def declares_parameter(self, project: Project, name: str) -> bool:
        """The project declares the deploy parameter ``name``."""

    @abc.abstractmethod
    def unread_functions(self, project: Project) -> str | None:
        """Why the functions could not be read (they come from code the deploy tool runs), or ``None``."""

    # --- packaging ----------------------------------------------------------------------------

    @abc.abstractmethod
    def zip_root(self, project: Project, function: Function, spec: Mapping[str, Any]) -> Path:
        """The folder that becomes the root of the function's zip (``/var/task``)."""

    @abc.abstractmethod
    def handler_file(self, project: Project, function: Function, spec: Mapping[str, Any]) -> Path | None:
        """The handler file when the model has none but the packaging rules still find one."""

    @abc.abstractmethod
    def python_dependency_folder(self, project: Project, spec: Mapping[str, Any], zip_root: Path) -> Path:
        """The folder whose requirements.txt the Python build installs for the function."""

    @abc.abstractmethod
    def node_package_folder(self, project: Project, function: Function) -> Path | None:
        """The folder whose package.json the function's Node.js build installs (``None``: unknown)."""

    @abc.abstractmethod
    def packages_by_pattern(self, project: Project) -> bool:
        """Package include / exclude patterns anywhere (a folder above the handlers might be left out)."""

    @abc.abstractmethod
    def packages_file(self, project: Project, path: Path) -> tuple[bool, str]:
        """Whether the deploy tool puts ``path`` (a .env file) into a package, and why."""

    @abc.abstractmethod
    def container_build(self, project: Project) -> str | None:
        """How the project builds in a container, in its own words; ``None`` when it does not."""

    @abc.abstractmethod
    def esbuild_external(self, project: Project, function: Function) -> list[str]:
        """The packages the function's esbuild bundle leaves out."""

    @abc.abstractmethod
    def esbuild_bundle(self, project: Project, function: Function) -> Bundle | None:
        """The function's esbuild bundle; ``None`` when esbuild does not bundle it."""

    @abc.abstractmethod
    def typescript_build_note(self, project: Project, function: Function) -> str | None:
        """A note when nothing visible compiles the function's TypeScript."""

    # --- commands and words ----------------------------------------------------------------------

    @abc.abstractmethod
    def deploy_hint(self, *, build: bool = False) -> str:
        """The deploy command as the doctor quotes it: ```sam deploy```."""

    @abc.abstractmethod
    def tools(self, project: Project) -> dict[str, tuple[str, ...]]:
        """The programs the build and deploy run: label -> names (any one on PATH will do)."""

    @abc.abstractmethod
    def new_setup_steps(self, answers: Answers) -> list[tuple[str, str]]:
        """(command, why) to run in a new project before `store-token`."""

    @abc.abstractmethod
    def new_build_steps(self, answers: Answers) -> list[tuple[str, str]]:
        """(command, why) that build and deploy a new project."""

    @abc.abstractmethod
    def deploy_steps(self, project_dir: Path, answers: Mapping[str, Any] | None) -> list[str]:
        """The commands that build and deploy an existing project (what `store-token` prints next)."""

    def keeps_rendered(self, answers: Answers) -> Sequence[str]:
        """The framework's own files `new` keeps (the template, the settings file); the other
        frameworks' files are removed."""
        del answers
        return tuple(dict.fromkeys((self.framework.template_file, self.framework.settings_file)))

    @abc.abstractmethod
    def needs_package_json(self, answers: Answers) -> bool:
        """A new project gets a package.json even without Node.js code (for its plugins)."""

    # --- doctor checks that read the build differently ------------------------------------------

    @abc.abstractmethod
    def python_build_check(self, project: Project, arches: set[str], problems: list[str]) -> tuple[str, Result | None]:
        """How Python dependencies are built for Lambda (``how``), or a result that ends the check;
        mismatches go to ``problems``."""

    # --- edits ----------------------------------------------------------------------------------

    def plan_add_source(self, root: Path, options: AddOptions) -> AddPlan:
        """`add` on a project read from its source (:attr:`adds_from_source`)."""
        del root, options
        raise not_supported(self, "Planning `add` from the source code")

    @abc.abstractmethod
    def plan_add_function(
        self,
        project: Project,
        function: Function,
        spec: dict[str, Any],
        files: PlannedFiles,
        source: str,
        settings: dict[str, Any],
    ) -> None:
        """`add`: the function's environment, grants and build settings."""

    @abc.abstractmethod
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
        """`add`: the parameters, settings and build setup the project needs once."""

    @abc.abstractmethod
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
        """Add IAM ``statements`` (lists of YAML lines, the first without its dash) to the function's role."""

    @abc.abstractmethod
    def kms_resource(self, project: Project, key: str) -> str:
        """The Resource of a kms:Decrypt statement on ``key`` (its parameter when declared)."""

    @abc.abstractmethod
    def secret_statement(
        self, ctx: FixContext, source: Any, resolved: Any, head: list[str], sid: str, generated: bool
    ) -> list[str] | None:
        """The GetSecretValue statement for the secret the environment names (``source``: as written)."""

    @abc.abstractmethod
    def fix_build_method(self, ctx: FixContext) -> list[str]:
        """``doctor --fix``: build Python dependencies for Lambda."""

    @abc.abstractmethod
    def fix_secret_arn(self, ctx: FixContext, arn: str) -> list[str]:
        """``doctor --fix``: pass the secret's ARN where the template reads it."""

    @abc.abstractmethod
    def inspect_token_target(self, found: ProjectFiles, config_env: str) -> None:
        """`store-token`: read the files it writes the ARN to (raises on a broken one)."""

    @abc.abstractmethod
    def token_stage(self, config_env: str) -> str | None:
        """`store-token`: the stage whose region the ARN is for."""

    @abc.abstractmethod
    def plan_token_writes(
        self, found: ProjectFiles, arn: str, kms_key_arn: str | None, config_env: str, strict: bool
    ) -> tuple[list[PlannedWrite], list[str]]:
        """`store-token`: the whole-file writes that pass the ARN (and KMS key) to the deploy, and
        warnings; ``strict``: a file whose shape the edit refuses is an error, not a warning."""
