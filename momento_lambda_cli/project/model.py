"""The project model's data classes (no I/O, no parsing: loaders fill them in).

One :class:`Project` per folder; its :class:`Function` s as the deploy tool would create
them (SAM ``Globals`` merged in, Serverless ``provider`` settings inherited, variables and
parameters resolved); its :class:`Layer` s; and the deploy settings (stage or config env,
region, stack name), each a :class:`Setting` that says where its value came from.
Values that only the deploy can know are :class:`~.values.Unresolved`, never guesses.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any, Generic, TypeVar

from momento_lambda_cli import iam_policy
from momento_lambda_cli.project.values import Unresolved

T = TypeVar("T")

ENV_REGION_VARS = ("AWS_REGION", "AWS_DEFAULT_REGION")
"""Where the AWS SDKs and CLIs look for a region in the environment, in order."""


@dataclass(frozen=True)
class Setting(Generic[T]):
    """A deploy setting and where it came from, e.g. ``Setting("eu-west-1", "samconfig.toml
    [default.deploy.parameters] region")``; ``note`` explains a choice the user may not
    expect (``AWS_REGION=us-east-1 is not used: ...``)."""

    value: T | None
    source: str
    note: str | None = None

    @property
    def known(self) -> T | None:
        return None if isinstance(self.value, Unresolved) else self.value


def environment_region(environ: Mapping[str, str]) -> Setting[str] | None:
    """The region the environment names (``AWS_REGION``, else ``AWS_DEFAULT_REGION``), if any."""
    name = next((n for n in ENV_REGION_VARS if environ.get(n)), None)
    return Setting(environ[name], name) if name else None


class CodeKind(str, Enum):
    FOLDER = "folder"
    ZIP = "zip"
    FILE = "file"
    """A single source file (SAM ``CodeUri: src/function.py``)."""
    S3 = "s3"
    IMAGE = "image"
    INLINE = "inline"
    MISSING = "missing"
    """The location names a file or folder that is not there."""
    UNRESOLVED = "unresolved"


@dataclass(frozen=True)
class CodeLocation:
    kind: CodeKind
    path: Path | None = None
    """The folder or zip on disk (absolute), for FOLDER / ZIP / MISSING."""
    written: str = ""
    """The location as the project writes it (``functions\\\\get-item``, ``s3://b/k``...)."""
    outside_project: bool = False


@dataclass
class Layer:
    """A layer the project builds (SAM ``AWS::Serverless::LayerVersion`` / ``AWS::Lambda::LayerVersion``,
    Serverless ``layers:``)."""

    key: str
    code: CodeLocation
    runtimes: list[str] = field(default_factory=list)
    build_method: str | None = None

    @property
    def code_dir(self) -> Path | None:
        return self.code.path if self.code.kind is CodeKind.FOLDER else None


@dataclass
class Function:
    """One Lambda function as the deploy tool would create it."""

    key: str
    """Logical id (SAM) or function key (Serverless)."""
    runtime: str | Unresolved | None
    architecture: str | Unresolved
    timeout: float | Unresolved
    memory: int | Unresolved
    handler: str | Unresolved | None
    code: CodeLocation
    environment: dict[str, Any]
    """Resolved values: strings, or Unresolved (str() gives the expression)."""
    environment_source: dict[str, Any] = field(default_factory=dict)
    """The environment as written (to tell references from literal values)."""
    statements: list[iam_policy.Statement] = field(default_factory=list)
    managed_policies: list[str] = field(default_factory=list)
    deployed_name: str | None = None
    """The function name when the project fixes it (SAM FunctionName, Serverless service-stage-key)."""
    layers: list[Layer] = field(default_factory=list)
    """Layers of this project the function uses (external layer ARNs are in ``layer_refs``)."""
    layer_refs: list[str] = field(default_factory=list)
    build_method: str | None = None
    """SAM ``Metadata.BuildMethod`` (``makefile``, ``esbuild``...)."""
    package_type: str = "Zip"
    handler_file: Path | None = None
    """The source file the handler names, when it exists on disk (``src/app.py`` for ``app.handler``)."""
    snapstart: bool = False
    """Lambda SnapStart on its published versions (SAM / CloudFormation ``SnapStart: {ApplyOn:
    PublishedVersions}``, Serverless ``snapStart: true``)."""
    problems: list[str] = field(default_factory=list)
    """Odd values in this function's settings (each becomes a finding, never an exception)."""
    code_unread: str | None = None
    """Why the code checks do not read this function's code although it is on disk (a CDK
    NodejsFunction's bundle holds library code: its own sources are read instead, when found)."""

    @property
    def code_dir(self) -> Path | None:
        """The function's own code folder, when its code is a folder on disk."""
        return self.code.path if self.code.kind is CodeKind.FOLDER else None

    @property
    def code_dirs(self) -> list[Path]:
        """Its code folder and the folders of the project's layers it uses."""
        own = self.code.path.parent if self.code.kind is CodeKind.FILE and self.code.path else self.code_dir
        dirs = [own] if own else []
        return dirs + [layer.code_dir for layer in self.layers if layer.code_dir]

    @property
    def runtime_name(self) -> str:
        return self.runtime if isinstance(self.runtime, str) else ""

    @property
    def is_image(self) -> bool:
        """A container-image function (SAM ``PackageType: Image``, Serverless ``image:``): no managed runtime."""
        return self.package_type == "Image" or self.code.kind is CodeKind.IMAGE

    @property
    def is_python(self) -> bool:
        return self.runtime_name.startswith("python")

    @property
    def is_node(self) -> bool:
        return self.runtime_name.startswith("nodejs")


@dataclass
class BuildSettings:
    """How the project's dependencies get built (the facts the build checks need)."""

    use_container: bool = False
    """SAM: samconfig ``use_container``."""
    build_image: str | None = None
    makefile_platforms: list[str] = field(default_factory=list)
    dockerize_pip: Any = False
    """Serverless: ``custom.pythonRequirements.dockerizePip`` (true / false / ``non-linux``)."""
    docker_image: str | None = None
    pip_extra_args: list[str] = field(default_factory=list)
    use_static_cache: Any = None
    plugins: list[str] = field(default_factory=list)
    package_individually: bool = False


@dataclass
class Project:
    """A SAM or Serverless project, resolved for one stage / config env."""

    framework: str
    """``sam`` or ``serverless`` (see :mod:`momento_lambda_cli.catalog`)."""
    root: Path
    config_path: Path
    """template.yaml / serverless.yml."""
    document: dict[str, Any]
    """The file as parsed (Serverless: variables resolved; ``${file()}`` includes merged)."""
    functions: list[Function]
    layers: list[Layer]
    parameters: dict[str, Any]
    """Resolved parameter values (SAM Parameters, Serverless ``params``)."""
    build: BuildSettings
    stage: Setting[str]
    """SAM: the samconfig config env; Serverless: the stage."""
    region: Setting[str]
    stack_name: Setting[str]
    service: str | Unresolved | None = None
    """Serverless ``service``; SAM: ``None``."""
    answers: dict[str, Any] | None = None
    config_files: list[Path] = field(default_factory=list)
    """Every settings file read (samconfig, ${file()} includes), for the key scan."""
    profile: str | None = None
    """The AWS profile the project's deploy settings name (samconfig ``profile``)."""
    provider: str = "aws"
    """The cloud the project deploys to: Serverless ``provider.name`` when it is written as
    another name (``openwhisk``, ``azure``...); ``aws`` otherwise (SAM, or not readable)."""
    problems: list[str] = field(default_factory=list)
    """Project-level oddities (an include that is missing, an unparsable samconfig section...)."""

    @property
    def is_aws(self) -> bool:
        return self.provider == "aws"
