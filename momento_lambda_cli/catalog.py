"""The frameworks, runtimes, CPU architectures and project file names this tool knows.

One table per kind of fact. `new`'s choices and defaults, the project template's
``cookiecutter.json``, the README, the doctor's runtime, build-method and binary checks and
the project readers all take their values from here; ``tests/test_catalog.py`` compares
this module with ``cookiecutter.json``, the README, cfn-lint's Lambda runtime lifecycle
data (``cfnlint/data/AdditionalSpecs/LmbdRuntimeLifecycle.json``), the SAM CLI's config
and template file names and osls' configuration file names.

Stdlib only: ``momento-lambda new --help`` imports this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

# --- files --------------------------------------------------------------------------------

ANSWERS_FILE = ".momento-lambda.json"
"""What `new` writes into a generated project: the tool version and the answers."""


@dataclass(frozen=True)
class Framework:
    """A deployment framework and the files its deploy tool reads from a project folder."""

    name: str
    """The CLI / answers-file value: ``sam``, ``serverless`` or ``cdk``."""
    display_name: str
    template_files: tuple[str, ...]
    """The project file this tool reads, in the deploy tool's search order (the first one
    found wins); the first name is the one `new` writes."""
    config_files: tuple[str, ...] = ()
    """Deploy settings next to the template, in the deploy tool's search order; the first
    name is the one `new` writes and `store-token` edits."""
    unsupported_files: tuple[str, ...] = ()
    """Project files the deploy tool also accepts that this tool does not read (code)."""

    @property
    def template_file(self) -> str:
        """The template `new` writes."""
        return self.template_files[0]

    @property
    def settings_file(self) -> str:
        """Where `new` writes the deploy settings and `store-token` the secret's ARN."""
        return self.config_files[0] if self.config_files else self.template_files[0]

    @property
    def project_files(self) -> tuple[str, ...]:
        """Every file whose presence marks a folder as a project of this framework."""
        return self.template_files + self.config_files


SAM = Framework(
    name="sam",
    display_name="AWS SAM",
    # samcli.commands._utils.constants.SAM_TEMPLATE_FILE_NAMES (JSON parses as YAML).
    template_files=("template.yaml", "template.yml", "template.json"),
    # samcli.lib.config.file_manager.FILE_MANAGER_MAPPER: .toml, .yaml, .yml ("JSON support disabled").
    config_files=("samconfig.toml", "samconfig.yaml", "samconfig.yml"),
)
SERVERLESS = Framework(
    name="serverless",
    display_name="Serverless Framework",
    # osls lib/cli/resolve-configuration-path.js: yml, yaml, json, js, mjs, cjs, ts.
    template_files=("serverless.yml", "serverless.yaml"),
    unsupported_files=("serverless.json", "serverless.js", "serverless.mjs", "serverless.cjs", "serverless.ts"),
)
CDK = Framework(
    name="cdk",
    display_name="AWS CDK",
    # The CDK CLI reads cdk.json (the app command and its context) in the current folder; the
    # context holds the secret, cache and TTL settings `new` writes.
    template_files=("cdk.json",),
)
FRAMEWORKS: tuple[Framework, ...] = (SAM, SERVERLESS, CDK)
DEFAULT_FRAMEWORK = SAM

# --- operating systems and runtimes -----------------------------------------------------


@dataclass(frozen=True)
class OperatingSystem:
    """The Amazon Linux a Lambda runtime runs on."""

    name: str
    key: str
    """The suffix of its OS-only runtime: ``provided.al2`` / ``provided.al2023``."""
    glibc: tuple[int, int]


AMAZON_LINUX_1 = OperatingSystem("Amazon Linux", "", (2, 17))
"""The first Amazon Linux (2018.03): python3.7 and older; its OS-only runtime is ``provided``."""
AMAZON_LINUX_2 = OperatingSystem("Amazon Linux 2", "al2", (2, 26))
AMAZON_LINUX_2023 = OperatingSystem("Amazon Linux 2023", "al2023", (2, 34))
OPERATING_SYSTEMS: tuple[OperatingSystem, ...] = (AMAZON_LINUX_2, AMAZON_LINUX_2023)

Language = Literal["python", "node"]
PYTHON: Language = "python"
NODE: Language = "node"
LANGUAGE_NAMES: dict[Language, str] = {PYTHON: "Python", NODE: "Node.js"}


JAVASCRIPT = "javascript"
TYPESCRIPT = "typescript"
NODE_SOURCE_LANGUAGES: tuple[str, ...] = (JAVASCRIPT, TYPESCRIPT)
"""What a Node.js project's code is written in (`new --language`; the first is the default).
JavaScript ships ``.mjs`` files as they are; TypeScript is bundled by esbuild (SAM
``BuildMethod: esbuild``, the serverless-esbuild plugin)."""
DEFAULT_NODE_SOURCE_LANGUAGE = JAVASCRIPT
CDK_NODE_SOURCE_LANGUAGES: tuple[str, ...] = (TYPESCRIPT,)
"""A CDK project's Node.js code is TypeScript (the CDK app and the function; NodejsFunction
bundles the handler with esbuild)."""
SOURCE_LANGUAGES: tuple[str, ...] = (PYTHON, *NODE_SOURCE_LANGUAGES)
"""Every value of the answers file's ``language``: ``python`` for the Python runtimes."""
SOURCE_LANGUAGE_NAMES: dict[str, str] = {
    **{str(language): name for language, name in LANGUAGE_NAMES.items()},
    JAVASCRIPT: "JavaScript",
    TYPESCRIPT: "TypeScript",
}
"""Display names of the runtime languages and the Node.js source languages."""


@dataclass(frozen=True)
class Pattern:
    """A job the generated project's function does (`new --pattern`): its handler, tests and
    events come from the template's files for it; the client module, the secret contract, the
    grant and the build settings are the same for every pattern."""

    name: str
    title: str
    summary: str
    languages: tuple[Language, ...]
    """The runtime languages the template has this pattern's handler in."""
    python_module: str
    """The Python handler's module in ``src/`` (``Handler: MODULE.lambda_handler``)."""
    node_module: str = ""
    """The Node.js handler's module in ``src/`` (``MODULE.ts`` / ``MODULE.mjs``, export ``handler``),
    when :attr:`languages` has Node.js."""


CACHE_ASIDE = Pattern(
    "cache-aside",
    "reads through the cache",
    "GET /items/{id} reads through Momento: a miss loads the item from the source and caches it.",
    ("python", "node"),
    "handler",
    "handler",
)
RATE_LIMIT = Pattern(
    "rate-limit",
    "N requests per client per window, then 429",
    "GET /items/{id} allows N requests per client per window (Momento's atomic increment) and answers "
    "429 with Retry-After; fails open (or closed) when Momento is down.",
    ("python", "node"),
    "rate_limit",
    "rateLimit",
)
IDEMPOTENT_CONSUMER = Pattern(
    "idempotent-consumer",
    "an SQS consumer that processes each message once",
    "An SQS-triggered function that processes each message once: a set-if-not-exists claim in Momento "
    "keyed on the message id (or a body field); duplicates are acknowledged, a failure releases the claim "
    "and is reported as a batch item failure so SQS retries it.",
    ("python", "node"),
    "idempotent_consumer",
    "idempotentConsumer",
)
TOPICS_PUBLISHER = Pattern(
    "topics-publisher",
    "publishes to a Momento topic; a webhook receives it",
    "POST /events publishes to a Momento topic (TopicClient, reused like the cache client); a second "
    "function behind a Function URL receives the topic's webhook deliveries and refuses forged, stale "
    "and replayed ones.",
    ("python", "node"),
    "publisher",
    "publisher",
)
WRITE_THROUGH = Pattern(
    "write-through",
    "a DynamoDB table cached by its stream",
    "GET /items/{id} reads a DynamoDB table through Momento (a miss fills the cache with set-if-not-exists); "
    "a second function on the table's stream writes every change into the cache (deletes as tombstones), "
    "so reads are never older than the stream's lag.",
    ("python", "node"),
    "write_through",
    "writeThrough",
)
PATTERNS: tuple[Pattern, ...] = (CACHE_ASIDE, RATE_LIMIT, IDEMPOTENT_CONSUMER, TOPICS_PUBLISHER, WRITE_THROUGH)
CDK_PATTERNS: tuple[str, ...] = tuple(p.name for p in PATTERNS)
"""The patterns a CDK app (`new --framework cdk`) has a stack for (``infra/``: one stack source per
language, its parts chosen by the pattern, resource for resource what the SAM template has). A
pattern's runtime languages (:attr:`Pattern.languages`) still decide which runtimes `new` offers it
for: the TypeScript stack names write-through's ``writeThrough`` / ``writeThroughStream`` handlers,
used once the pattern has Node.js."""


DOCTOR_FRAMEWORK_NAMES: tuple[str, ...] = (SAM.name, SERVERLESS.name)
"""The frameworks every project-reading command (`doctor`, `add`, `store-token`, `update`) reads.
The others are read command by command: ``FrameworkAdapter.reads(command)`` (CDK: `doctor`, `add`,
`store-token`, `update`; not `doctor --fix`)."""


def frameworks_for(pattern_name: str) -> tuple[str, ...]:
    """The frameworks `new` renders ``pattern_name`` for."""
    return tuple(f.name for f in FRAMEWORKS if f is not CDK or pattern_name in CDK_PATTERNS)


def renders(framework_name: str, pattern_name: str) -> bool:
    """`new` renders ``pattern_name`` for the framework ``framework_name``."""
    return framework_name in frameworks_for(pattern_name)


def patterns_of(framework_name: str) -> tuple[str, ...]:
    """The patterns `new` renders for the framework ``framework_name``."""
    return tuple(p.name for p in PATTERNS if renders(framework_name, p.name))


def node_source_languages_for(framework_name: str | None) -> tuple[str, ...]:
    """The source languages a Node.js project of ``framework_name`` may be written in, the default
    first (a CDK app is TypeScript: the CDK app and the function)."""
    return CDK_NODE_SOURCE_LANGUAGES if framework_name == CDK.name else NODE_SOURCE_LANGUAGES


PATTERN_NAMES: tuple[str, ...] = tuple(p.name for p in PATTERNS)
DEFAULT_PATTERN = CACHE_ASIDE


def pattern(name: str) -> Pattern | None:
    return next((p for p in PATTERNS if p.name == name), None)


def patterns_for(language: Language) -> tuple[Pattern, ...]:
    """The patterns the template has a handler for in ``language``, the default first."""
    return tuple(p for p in PATTERNS if language in p.languages)


def source_languages(language: Language) -> tuple[str, ...]:
    """The source languages a runtime language accepts, the default first."""
    return NODE_SOURCE_LANGUAGES if language == NODE else (PYTHON,)


@dataclass(frozen=True)
class Lifecycle:
    """A Lambda runtime's place in AWS's runtime deprecation policy, as cfn-lint ships it.

    ``deprecated``: no more security patches; ``create_blocked``: no new functions;
    ``update_blocked``: no more code updates (``None`` when AWS has not announced it);
    ``successor``: the runtime to move to (``None`` for the newest of its language).
    """

    deprecated: date
    create_blocked: date | None
    update_blocked: date | None
    successor: str | None


LIFECYCLES: dict[str, Lifecycle] = {
    "dotnet6": Lifecycle(date(2024, 12, 20), date(2027, 2, 1), date(2027, 3, 3), "dotnet10"),
    "dotnet8": Lifecycle(date(2026, 11, 10), date(2027, 2, 1), date(2027, 3, 3), "dotnet10"),
    "dotnet9": Lifecycle(date(2026, 11, 10), None, None, "dotnet10"),
    "dotnet10": Lifecycle(date(2028, 11, 14), date(2028, 12, 14), date(2029, 1, 15), None),
    "dotnetcore1.0": Lifecycle(date(2019, 6, 27), date(2019, 6, 30), date(2019, 7, 30), "dotnet10"),
    "dotnetcore2.0": Lifecycle(date(2019, 5, 30), date(2019, 4, 30), date(2019, 5, 30), "dotnet10"),
    "dotnetcore2.1": Lifecycle(date(2022, 1, 5), date(2022, 1, 5), date(2022, 4, 13), "dotnet10"),
    "dotnetcore3.1": Lifecycle(date(2023, 4, 3), date(2023, 4, 3), date(2023, 5, 3), "dotnet10"),
    "go1.x": Lifecycle(date(2024, 1, 8), date(2024, 2, 8), date(2027, 3, 3), "provided.al2023"),
    "java8": Lifecycle(date(2024, 1, 8), date(2024, 2, 8), date(2027, 3, 3), "java25"),
    "java8.al2": Lifecycle(date(2027, 6, 30), date(2027, 7, 31), date(2027, 8, 31), "java25"),
    "java11": Lifecycle(date(2027, 6, 30), date(2027, 7, 31), date(2027, 8, 31), "java25"),
    "java17": Lifecycle(date(2027, 6, 30), date(2027, 7, 31), date(2027, 8, 31), "java25"),
    "java21": Lifecycle(date(2029, 6, 30), date(2029, 7, 31), date(2029, 8, 31), "java25"),
    "java25": Lifecycle(date(2029, 6, 30), date(2029, 7, 31), date(2029, 8, 31), None),
    "nodejs": Lifecycle(date(2016, 8, 30), date(2016, 9, 30), date(2016, 10, 31), "nodejs24.x"),
    "nodejs4.3": Lifecycle(date(2020, 3, 5), date(2020, 2, 3), date(2020, 3, 5), "nodejs24.x"),
    "nodejs4.3-edge": Lifecycle(date(2020, 3, 5), date(2019, 3, 31), date(2019, 4, 30), "nodejs24.x"),
    "nodejs6.10": Lifecycle(date(2019, 8, 12), date(2019, 7, 12), date(2019, 8, 12), "nodejs24.x"),
    "nodejs8.10": Lifecycle(date(2020, 3, 6), date(2020, 2, 4), date(2020, 3, 6), "nodejs24.x"),
    "nodejs10.x": Lifecycle(date(2021, 7, 30), date(2021, 7, 30), date(2022, 2, 14), "nodejs24.x"),
    "nodejs12.x": Lifecycle(date(2023, 3, 31), date(2023, 3, 31), date(2023, 4, 30), "nodejs24.x"),
    "nodejs14.x": Lifecycle(date(2023, 12, 4), date(2024, 1, 9), date(2027, 3, 3), "nodejs24.x"),
    "nodejs16.x": Lifecycle(date(2024, 6, 12), date(2027, 2, 1), date(2027, 3, 3), "nodejs24.x"),
    "nodejs18.x": Lifecycle(date(2025, 9, 1), date(2027, 2, 1), date(2027, 3, 3), "nodejs24.x"),
    "nodejs20.x": Lifecycle(date(2026, 4, 30), date(2027, 2, 1), date(2027, 3, 3), "nodejs24.x"),
    "nodejs22.x": Lifecycle(date(2027, 4, 30), date(2027, 6, 1), date(2027, 7, 1), "nodejs24.x"),
    "nodejs24.x": Lifecycle(date(2028, 4, 30), date(2028, 6, 1), date(2028, 7, 1), None),
    "provided": Lifecycle(date(2024, 1, 8), date(2024, 2, 8), date(2027, 3, 3), "provided.al2023"),
    "provided.al2": Lifecycle(date(2026, 7, 31), date(2027, 2, 1), date(2027, 3, 3), "provided.al2023"),
    "provided.al2023": Lifecycle(date(2029, 6, 30), date(2029, 7, 31), date(2029, 8, 31), None),
    "python2.7": Lifecycle(date(2021, 7, 15), date(2021, 7, 15), date(2022, 5, 30), "python3.14"),
    "python3.6": Lifecycle(date(2022, 7, 18), date(2022, 7, 18), date(2022, 8, 29), "python3.14"),
    "python3.7": Lifecycle(date(2023, 12, 4), date(2024, 1, 9), date(2027, 3, 3), "python3.14"),
    "python3.8": Lifecycle(date(2024, 10, 14), date(2027, 2, 1), date(2027, 3, 3), "python3.14"),
    "python3.9": Lifecycle(date(2025, 12, 15), date(2027, 2, 1), date(2027, 3, 3), "python3.14"),
    "python3.10": Lifecycle(date(2026, 10, 31), date(2027, 2, 1), date(2027, 3, 3), "python3.14"),
    "python3.11": Lifecycle(date(2027, 6, 30), date(2027, 7, 31), date(2027, 8, 31), "python3.14"),
    "python3.12": Lifecycle(date(2028, 10, 31), date(2028, 11, 30), date(2029, 1, 10), "python3.14"),
    "python3.13": Lifecycle(date(2029, 6, 30), date(2029, 7, 31), date(2029, 8, 31), "python3.14"),
    "python3.14": Lifecycle(date(2029, 6, 30), date(2029, 7, 31), date(2029, 8, 31), None),
    "ruby2.5": Lifecycle(date(2021, 7, 30), date(2021, 7, 30), date(2022, 3, 31), "ruby4.0"),
    "ruby2.7": Lifecycle(date(2023, 12, 7), date(2024, 1, 9), date(2027, 3, 3), "ruby4.0"),
    "ruby3.2": Lifecycle(date(2026, 3, 31), date(2027, 2, 1), date(2027, 3, 3), "ruby4.0"),
    "ruby3.3": Lifecycle(date(2027, 3, 31), date(2027, 4, 30), date(2027, 5, 31), "ruby4.0"),
    "ruby3.4": Lifecycle(date(2028, 3, 31), date(2028, 4, 30), date(2028, 5, 31), "ruby4.0"),
    "ruby4.0": Lifecycle(date(2029, 3, 31), date(2029, 4, 30), date(2029, 5, 31), None),
}
"""Every Lambda runtime identifier cfn-lint's lifecycle data knows, with its dates (all
languages: a Java or Go function's runtime is judged by the same dates)."""


def lifecycle(name: str) -> Lifecycle | None:
    """The deprecation dates of a runtime identifier, ``None`` for one not in :data:`LIFECYCLES`."""
    return LIFECYCLES.get(name)


@dataclass(frozen=True)
class Runtime:
    """A Python or Node.js Lambda runtime identifier with the facts the tool uses about it.

    Its three dates (:attr:`deprecated`, :attr:`create_blocked`, :attr:`update_blocked`) are
    its :data:`LIFECYCLES` entry.
    """

    name: str
    language: Language
    version: str
    """``3.13`` for python3.13, ``22`` for nodejs22.x."""
    os: OperatingSystem
    offered: bool = False
    """Whether `new` renders projects for it."""
    snapstart: bool = False
    """Whether Lambda SnapStart supports it (Python 3.12 and later; no Node.js runtime)."""

    @property
    def lifecycle(self) -> Lifecycle:
        return LIFECYCLES[self.name]

    @property
    def deprecated(self) -> date:
        return self.lifecycle.deprecated

    @property
    def create_blocked(self) -> date:
        return self.lifecycle.create_blocked or self.deprecated

    @property
    def update_blocked(self) -> date:
        return self.lifecycle.update_blocked or self.create_blocked

    @property
    def glibc(self) -> tuple[int, int]:
        return self.os.glibc

    @property
    def version_tuple(self) -> tuple[int, ...]:
        return tuple(int(part) for part in self.version.split("."))


SNAPSTART_MIN_PYTHON = (3, 12)
"""Lambda SnapStart supports python3.12 and later (and Java, .NET; never Node.js)."""
MOMENTO_MIN_PYTHON = (3, 10)
"""The oldest Python the momento SDK supports (pip finds no momento for an older one)."""
MOMENTO_MIN_NODE = (18,)
"""The oldest Node.js runtime the client module runs on: it imports the AWS SDK v3
(``@aws-sdk/client-secrets-manager``), which Lambda's runtimes include from nodejs18.x
(nodejs16.x and older have only v2); @gomomento/sdk itself needs Node.js 16."""


def _python(version: str, os: OperatingSystem, *, offered: bool = False) -> Runtime:
    snapstart = tuple(int(part) for part in version.split(".")) >= SNAPSTART_MIN_PYTHON
    return Runtime(f"python{version}", PYTHON, version, os, offered=offered, snapstart=snapstart)


def _node(version: str, os: OperatingSystem, *, offered: bool = False) -> Runtime:
    return Runtime(f"nodejs{version}.x", NODE, version, os, offered=offered)


_AL2, _AL2023 = AMAZON_LINUX_2, AMAZON_LINUX_2023
RUNTIMES: tuple[Runtime, ...] = (
    _python("3.7", AMAZON_LINUX_1),
    _python("3.8", _AL2),
    _python("3.9", _AL2),
    _python("3.10", _AL2),
    _python("3.11", _AL2, offered=True),
    _python("3.12", _AL2023, offered=True),
    _python("3.13", _AL2023, offered=True),
    _python("3.14", _AL2023, offered=True),
    _node("14", _AL2),
    _node("16", _AL2),
    _node("18", _AL2),
    _node("20", _AL2023),
    _node("22", _AL2023, offered=True),
    _node("24", _AL2023, offered=True),
)
"""Every Python and Node.js runtime the doctor knows, oldest first per language."""
DEFAULT_RUNTIME_NAME = "python3.13"

_RUNTIMES_BY_NAME = {r.name: r for r in RUNTIMES}
OFFERED_RUNTIMES: tuple[Runtime, ...] = tuple(r for r in RUNTIMES if r.offered)
DEFAULT_RUNTIME = _RUNTIMES_BY_NAME[DEFAULT_RUNTIME_NAME]


def runtime(name: str) -> Runtime | None:
    """The catalog entry for a runtime identifier, or ``None`` for one the tool does not know."""
    return _RUNTIMES_BY_NAME.get(name)


def newest(language: Language) -> Runtime:
    """The newest runtime of a language (the one to move to)."""
    return max((r for r in RUNTIMES if r.language == language), key=lambda r: r.version_tuple)


def glibc_of(runtime_name: str) -> tuple[int, int] | None:
    """The glibc of the Amazon Linux a runtime (or an OS-only ``provided.*`` runtime) runs on."""
    known = runtime(runtime_name)
    if known is not None:
        return known.glibc
    for os in OPERATING_SYSTEMS:
        if runtime_name == f"provided.{os.key}":
            return os.glibc
    return None


# --- architectures ------------------------------------------------------------------------


@dataclass(frozen=True)
class Architecture:
    """A Lambda CPU architecture under the names each tool gives it."""

    name: str
    """Lambda's name (``Architectures:`` / ``architecture:``, the answers file, ``--arch``)."""
    cpu: str
    """The CPU as Linux, ELF and wheel tags name it."""
    elf_machine: int
    """``e_machine`` of an ELF file built for it (the little-endian u16 at offset 18)."""
    wheel_platform: str
    """``pip install --platform`` value for Lambda wheels."""

    @property
    def build_image_tag(self) -> str:
        """The tag of the SAM build images (``public.ecr.aws/sam/build-<runtime>:<tag>``)."""
        return f"latest-{self.name}"


X86_64 = Architecture("x86_64", "x86_64", 62, "manylinux2014_x86_64")
ARM64 = Architecture("arm64", "aarch64", 183, "manylinux2014_aarch64")
ARCHITECTURES: tuple[Architecture, ...] = (X86_64, ARM64)
DEFAULT_ARCHITECTURE = X86_64
"""What `new` renders for."""
LAMBDA_DEFAULT_ARCHITECTURE = X86_64
"""What Lambda runs a function on when it names no architecture."""

LAMBDA_CPU: dict[str, str] = {a.name: a.cpu for a in ARCHITECTURES}
"""Lambda architecture name -> CPU name (``arm64`` -> ``aarch64``)."""

# --- lookups -------------------------------------------------------------------------------

FRAMEWORK_NAMES: tuple[str, ...] = tuple(f.name for f in FRAMEWORKS)
RUNTIME_NAMES: tuple[str, ...] = tuple(r.name for r in OFFERED_RUNTIMES)
"""The runtimes `new` offers."""
SNAPSTART_RUNTIME_NAMES: tuple[str, ...] = tuple(r.name for r in OFFERED_RUNTIMES if r.snapstart)
"""The runtimes `new --snapstart` accepts."""
SNAPSTART_ALIAS = "snapstart"
"""The alias in front of a SnapStart function's published versions: osls names it so
(``getLambdaSnapStartEnabledAliasName`` in lib/plugins/aws/lib/naming.js); SAM projects use the
same name in ``AutoPublishAlias``."""
SNAPSTART_REGIONS: frozenset[str] = frozenset(
    {
        *("us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1", "ca-west-1", "mx-central-1"),
        *("sa-east-1", "af-south-1", "il-central-1", "me-central-1", "me-south-1"),
        *("eu-central-1", "eu-central-2", "eu-north-1", "eu-south-1", "eu-south-2"),
        *("eu-west-1", "eu-west-2", "eu-west-3"),
        *("ap-east-1", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1", "ap-south-2"),
        *("ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5"),
        "ap-southeast-7",
    }
)
"""The regions where Lambda SnapStart is available: every commercial region but Asia Pacific
(New Zealand) ap-southeast-6 and (Taipei) ap-east-2; none in GovCloud or China
(https://docs.aws.amazon.com/lambda/latest/dg/snapstart.html#snapstart-supported-regions; the
same list as cfn-lint's rule E2530)."""
ARCHITECTURE_NAMES: tuple[str, ...] = tuple(a.name for a in ARCHITECTURES)


def framework(name: str) -> Framework | None:
    return next((f for f in FRAMEWORKS if f.name == name), None)


def architecture(name: str) -> Architecture | None:
    return next((a for a in ARCHITECTURES if a.name == name), None)
