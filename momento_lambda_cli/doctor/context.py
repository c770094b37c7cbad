"""What checks share, loaded lazily and once: the project, its build output, boto3
clients and the AWS descriptions several checks need.

Checks run concurrently; each loader runs at most once (others wait for it) and its
result or its exception is handed to every check that asks. Loaders raise
:class:`SkipCheck` when a prerequisite is missing (no credentials, --offline, no stack
name), which turns each dependent check into a SKIP with that reason.
"""

from __future__ import annotations

import contextlib
import functools
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

from momento_lambda_cli import aws, contract
from momento_lambda_cli.doctor.build_output import Package, find_packages
from momento_lambda_cli.doctor.code_facts import FileFacts
from momento_lambda_cli.doctor.code_index import CodeIndex, FunctionCode
from momento_lambda_cli.doctor.model import NO_MOMENTO, NOT_AWS, NotChecked, SkipCheck
from momento_lambda_cli.doctor.resolution import match_function, project_cache_name, project_secret_id, secret_env_names
from momento_lambda_cli.errors import MomentoLambdaError
from momento_lambda_cli.frameworks import adapter_for
from momento_lambda_cli.momento_key import EXPIRY_WARNING_DAYS
from momento_lambda_cli.project import load_project
from momento_lambda_cli.project.model import Function, Project

T = TypeVar("T")

NO_CREDENTIALS_HINT = (
    "Run `aws configure` or `aws sso login`, pass --profile, or set AWS_PROFILE; --offline skips these checks."
)
SKIP_AS_CODES = {"aws.no-credentials", "aws.sso-expired", "aws.expired-token", "aws.no-region", "aws.profile-not-found"}


@dataclass(frozen=True)
class DoctorOptions:
    project_dir: Path
    stack_name: str | None = None
    stage: str | None = None
    """SAM config env / Serverless stage (``--config-env`` / ``--stage``)."""
    functions: tuple[str, ...] = ()
    secret_id: str | None = None
    cache_name: str | None = None
    aws: aws.AwsOptions = field(default_factory=aws.AwsOptions)
    offline: bool = False
    momento_timeout: timedelta = timedelta(seconds=5)
    expiry_warning_days: int = EXPIRY_WARNING_DAYS
    """momento.key-expiry warns when the stored key expires within this many days."""


@dataclass
class _Entry:
    lock: threading.Lock = field(default_factory=threading.Lock)
    done: bool = False
    value: Any = None
    error: BaseException | None = None


@dataclass(frozen=True)
class DeployedFunction:
    name: str
    """The function name (physical id)."""
    logical_id: str | None
    configuration: dict[str, Any]
    spec: Function | None
    """The project function it was deployed from, when known."""


@dataclass(frozen=True)
class SecretInfo:
    arn: str
    name: str
    kms_key_id: str | None
    has_current: bool
    secret_string: str | None
    binary: bool = False
    """The current version holds SecretBinary (bytes), not a SecretString."""
    description: dict[str, Any] = field(default_factory=dict)
    """The DescribeSecret response (rotation settings, version stages)."""


class DoctorContext:
    def __init__(self, options: DoctorOptions) -> None:
        self.options = options
        self._lock = threading.Lock()
        self._entries: dict[str, _Entry] = {}

    def once(self, name: str, loader: Callable[[], T]) -> T:
        """``loader()`` the first time ``name`` is asked for; its value (or error) after that."""
        with self._lock:
            entry = self._entries.setdefault(name, _Entry())
        with entry.lock:
            if not entry.done:
                try:
                    entry.value = loader()
                except BaseException as exc:
                    entry.error = exc
                entry.done = True
        if entry.error is not None:
            raise entry.error
        return entry.value  # type: ignore[no-any-return]

    def prefetch(self, services: list[str], momento: bool) -> None:
        """Warm up what remote checks will need, in the background: boto3 clients and the
        Momento SDK import are CPU work that can overlap the first AWS round trips."""

        def warm() -> None:
            with contextlib.suppress(BaseException):
                for service in services:
                    self.client(service)

        def warm_momento() -> None:
            with contextlib.suppress(BaseException):
                import momento  # noqa: F401

        if self.options.offline:
            return
        if services:
            threading.Thread(target=warm, name="doctor-prefetch-aws", daemon=True).start()
        if momento:
            threading.Thread(target=warm_momento, name="doctor-prefetch-momento", daemon=True).start()

    # --- project ------------------------------------------------------------------------

    def project(self) -> Project:
        """The parsed project; raises MomentoLambdaError when it does not load."""
        options = self.options

        def load() -> Project:
            try:
                return load_project(
                    options.project_dir, stage=options.stage, region=options.aws.region, stack_name=options.stack_name
                )
            except RecursionError:
                raise MomentoLambdaError(
                    "The project's settings are nested too deeply to read.",
                    "Flatten the deeply nested values (or the variables that refer to each other) in the template.",
                    code="project.too-deep",
                ) from None

        return self.once("project", load)

    def loaded_project(self) -> Project | None:
        """The project if a check has already loaded it (never waits, never loads)."""
        entry = self._entries.get("project")
        if entry is None or not entry.done or entry.error is not None:
            return None
        return entry.value  # type: ignore[no-any-return]

    def failure(self, name: str) -> MomentoLambdaError | None:
        """Our error that loading ``name`` (``project``, ``session``) already ended in, if it
        did (never waits, never loads)."""
        entry = self._entries.get(name)
        if entry is None or not entry.done or not isinstance(entry.error, MomentoLambdaError):
            return None
        return entry.error

    def project_or_skip(self) -> Project:
        """The project; SkipCheck when it did not load or does not deploy to AWS."""
        try:
            project = self.project()
        except MomentoLambdaError as exc:
            raise SkipCheck(f"The project did not load ({exc.message})", "See project.framework.") from None
        if not project.is_aws:
            raise SkipCheck(not_aws(project))
        return project

    def code(self) -> CodeIndex:
        """The per-run cache of source files and their facts (each file read and parsed once,
        through the reader fenced to the project folder); raises when the project does not load."""
        return self.once("code", lambda: CodeIndex(self.project().root))

    def momento_code(self) -> list[FunctionCode]:
        """The project's functions whose code uses the Momento SDK (their files' facts with them)."""

        def load() -> list[FunctionCode]:
            project = self.project_or_skip()
            index = self.code()
            return [c for c in (index.function(f) for f in project.functions) if c.uses_momento]

        return self.once("momento_code", load)

    def unparsed(self) -> list[FileFacts]:
        """Source files of the functions that do not parse or hold conflict markers: the files each
        function runs, and, when a handler itself does not parse (its imports then unknown), every
        source file of its code folder."""

        def load() -> list[FileFacts]:
            project = self.project_or_skip()
            index = self.code()
            found: dict[Path, FileFacts] = {}
            for function in project.functions:
                code = index.function(function)
                files = list(code.files)
                if code.handler is not None and code.handler.error and function.code_dir is not None:
                    files.extend(f for p in index.folder_files(function.code_dir) if (f := index.facts(p)))
                for facts in files:
                    if facts.error:
                        found.setdefault(facts.path, facts)
            return sorted(found.values(), key=lambda f: f.path)

        return self.once("unparsed", load)

    def newer_python(self) -> dict[Path, str]:
        """Python source that only functions on a newer Python than the one running doctor run
        (a syntax error there may be syntax this interpreter does not know): path -> runtime."""

        def load() -> dict[Path, str]:
            import sys

            project = self.project_or_skip()
            index = self.code()
            runs: dict[Path, list[tuple[int, str]]] = {}
            swept: dict[Path, list[tuple[int, str]]] = {}
            """Files of a folder swept because a handler there does not parse: they count only
            when no function is known to run them (old.py's python3.9 function does not run app.py)."""
            for function in project.functions:
                match = re.fullmatch(r"python3\.(\d+)", function.runtime_name)
                minor = int(match.group(1)) if match else 0
                code = index.function(function)
                for path in [f.path for f in code.files]:
                    runs.setdefault(path, []).append((minor, function.runtime_name))
                if code.handler is not None and code.handler.error and function.code_dir is not None:
                    for path in index.folder_files(function.code_dir):
                        swept.setdefault(path, []).append((minor, function.runtime_name))
            newer = {}
            for path in runs.keys() | swept.keys():
                found = runs.get(path) or swept[path]
                if min(minor for minor, _ in found) > sys.version_info.minor:
                    newer[path] = max(found)[1]
            return newer

        return self.once("newer_python", load)

    def code_outside(self) -> list[tuple[str, Path]]:
        """Functions whose code lies outside the project folder (``CodeUri: ../shared``): doctor
        reads only files inside it (a project folder is untrusted input), so their code is not
        judged. (function name, the code's path), in the template's order."""

        def load() -> list[tuple[str, Path]]:
            project = self.project_or_skip()
            root = project.root.resolve()
            found = []
            for function in project.functions:
                where = function.handler_file or function.code_dir
                if where is not None and not where.resolve().is_relative_to(root):
                    found.append((function.key, where))
            return found

        return self.once("code_outside", load)

    def code_unread(self) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
        """Functions whose source doctor did not read, each (name, why): Python / Node.js functions
        whose code is a prebuilt archive, an image, S3, missing or holds no source file it knows;
        and functions of other languages (Java, Go, .NET, custom runtimes), which it never reads."""

        def load() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
            project = self.project_or_skip()
            index = self.code()
            unread: list[tuple[str, str]] = []
            other: list[tuple[str, str]] = []
            for function in project.functions:
                ours = function.is_python or function.is_node
                if function.runtime_name and not ours:
                    other.append((function.key, function.runtime_name))  # java21, go1.x, provided.al2023
                    continue
                code = index.function(function)
                if code.unread is not None:
                    unread.append((function.key, code.unread))
                elif not code.files and ours:
                    where = function.code.written or "its code folder"
                    unread.append((function.key, f"no {function.runtime_name} source file found in {where}"))
                elif not code.files:  # an image or no runtime, and no Python or JavaScript in its folder
                    other.append((function.key, "a container image" if function.is_image else "no runtime"))
            return unread, other

        return self.once("code_unread", load)

    def no_momento(self) -> SkipCheck:
        """Why a Momento check has nothing to judge: no function uses the SDK, or, when some
        source does not parse or lies outside the project, that nobody can tell (never a quiet
        "no Momento here")."""
        broken = self.unparsed()
        if broken:
            return SkipCheck(
                f"Could not tell which functions use the Momento SDK: {len(broken)} source "
                f"file{'s' if len(broken) != 1 else ''} do{'es' if len(broken) == 1 else ''} not parse (see code.parses)."
            )
        outside = self.code_outside()
        if outside:
            return SkipCheck(
                f"Could not tell which functions use the Momento SDK: the code of {len(outside)} "
                f"function{'s' if len(outside) != 1 else ''} is outside the project folder, which doctor does "
                "not read (see code.parses)."
            )
        unread, _ = self.code_unread()
        if unread:
            key, why = unread[0]
            return SkipCheck(
                f"Could not tell which functions use the Momento SDK: the code of {len(unread)} "
                f"function{'s' if len(unread) != 1 else ''} was not read ({key}: {why}"
                f"{', ...' if len(unread) > 1 else ''}; see code.parses)."
            )
        return SkipCheck(NO_MOMENTO)

    def packages(self) -> list[Package]:
        def load() -> list[Package]:
            project = self.project_or_skip()
            built = adapter_for(project).build_packages(project)
            return built if built is not None else find_packages(project.root, [f.key for f in project.functions])

        return self.once("packages", load)

    # --- AWS ----------------------------------------------------------------------------

    def session(self) -> Any:
        def load() -> Any:
            if self.options.offline:
                raise SkipCheck("Skipped with --offline.")
            options = self.options.aws
            try:
                project = self.project()
            except MomentoLambdaError:
                project = None
            if project is not None and not project.is_aws:
                raise SkipCheck(not_aws(project))
            if project is not None:
                # The project's deploy tool decides the region and profile (see project.sam / project.serverless).
                options = aws.AwsOptions(
                    options.profile or project.profile, project.region.known or options.region, options.endpoint_url
                )
            try:
                session = aws.make_session(options)
                credentials = session.get_credentials()
            except MomentoLambdaError as exc:
                if exc.code == "aws.profile-not-found":
                    raise  # the user named it: an error, not a reason to skip
                raise NotChecked(exc.message, exc.hint) from None
            except Exception as exc:
                raise NotChecked(
                    aws.translate_error(exc, action="sts:GetCallerIdentity").message, NO_CREDENTIALS_HINT
                ) from None
            if credentials is None:
                raise NotChecked("No AWS credentials were found, so AWS was not checked.", NO_CREDENTIALS_HINT)
            if not session.region_name:
                raise NotChecked(
                    "No AWS region is set, so AWS was not checked.",
                    "Pass --region, set AWS_REGION, or add region to samconfig.toml.",
                )
            return session, options

        return self.once("session", load)

    def client(self, service: str, attempts: int = 2) -> Any:
        """A boto3 client (one per service and retry budget, created once)."""

        def load() -> Any:
            session, options = self.session()
            return aws.make_client(
                options, service, session=session, retries={"mode": "standard", "total_max_attempts": attempts}
            )

        return self.once(f"client:{service}:{attempts}", load)

    def call(
        self,
        service: str,
        operation: str,
        action: str,
        resource: str | None = None,
        missing: Callable[[BaseException], bool] | None = None,
        **kwargs: Any,
    ) -> Any:
        """``client(service).operation(**kwargs)``.

        ``None`` when ``missing(error)`` says the error means "no such resource"; no
        credentials becomes a SkipCheck; everything else a one-line MomentoLambdaError.
        """
        client = self.client(service)
        try:
            return getattr(client, operation)(**kwargs)
        except Exception as exc:
            if missing is not None and missing(exc):
                return None
            error = aws.translate_error(exc, action=action, resource=resource)
            if error.code in SKIP_AS_CODES:
                raise NotChecked(error.message, error.hint) from None
            endpoint = getattr(getattr(client, "meta", None), "endpoint_url", None)
            arguments = ", ".join(f"{k}={v!r}" for k, v in sorted(kwargs.items()))
            error.debug = (
                f"request: {service}.{operation}({arguments}) at {endpoint}\nerror: {type(exc).__name__}: {exc}"
            )
            raise error from exc

    def region(self) -> str:
        session, _ = self.session()
        return str(session.region_name)

    def stack_name(self) -> str | None:
        if self.options.stack_name:
            return self.options.stack_name
        try:
            return self.project().stack_name.known
        except MomentoLambdaError:
            return None

    def stack(self) -> dict[str, Any] | None:
        """DescribeStacks of the stack, ``None`` when it does not exist; SkipCheck when no name is known."""

        def load() -> dict[str, Any] | None:
            name = self.stack_name()
            if not name:
                raise SkipCheck(
                    "No stack name: nothing tells which stack to check.",
                    "Pass --stack-name, or set stack_name in samconfig.toml.",
                )
            response = self.call(
                "cloudformation",
                "describe_stacks",
                "cloudformation:DescribeStacks",
                name,
                missing=_stack_missing,
                StackName=name,
            )
            if response is None:
                return None
            stacks = response.get("Stacks") or []
            return dict(stacks[0]) if stacks else None

        return self.once("stack", load)

    def stack_resources(self) -> list[dict[str, Any]]:
        def load() -> list[dict[str, Any]]:
            # Not waiting for DescribeStacks: both calls go out at once.
            name = self.stack_name()
            if not name:
                return []
            resources: list[dict[str, Any]] = []
            kwargs: dict[str, Any] = {"StackName": name}
            while True:
                page = self.call(
                    "cloudformation",
                    "list_stack_resources",
                    "cloudformation:ListStackResources",
                    name,
                    missing=_stack_missing,
                    **kwargs,
                )
                if page is None:
                    return []
                resources.extend(page.get("StackResourceSummaries") or [])
                if not page.get("NextToken"):
                    return resources
                kwargs["NextToken"] = page["NextToken"]

        return self.once("stack_resources", load)

    def deployed_functions(self) -> list[DeployedFunction]:
        """The functions to check: --function, else the stack's AWS::Lambda::Function resources."""

        def load() -> list[DeployedFunction]:
            try:
                specs = self.project().functions
            except MomentoLambdaError:
                specs = []
            wanted: list[tuple[str, str | None]] = []
            if self.options.functions:
                wanted = [(f, None) for f in self.options.functions]
            else:
                if not self.stack_name():
                    raise SkipCheck("No stack or function to check.", "Pass --stack-name or --function.")
                for resource in self.stack_resources():
                    if resource.get("ResourceType") == "AWS::Lambda::Function":
                        wanted.append((str(resource["PhysicalResourceId"]), str(resource["LogicalResourceId"])))
            logical_by_name = {
                str(r.get("PhysicalResourceId")): str(r.get("LogicalResourceId"))
                for r in self.stack_resources()
                if r.get("ResourceType") == "AWS::Lambda::Function"
            }
            result = []
            for name, logical in wanted:
                logical = logical or logical_by_name.get(name)
                config = self.call(
                    "lambda",
                    "get_function_configuration",
                    "lambda:GetFunctionConfiguration",
                    name,
                    missing=_resource_not_found,
                    FunctionName=name,
                )
                if config is None:
                    result.append(DeployedFunction(name, logical, {}, None))
                    continue
                config.pop("ResponseMetadata", None)
                spec = match_function(specs, name=str(config.get("FunctionName") or name), logical_id=logical)
                result.append(DeployedFunction(str(config.get("FunctionName") or name), logical, config, spec))
            return result

        return self.once("deployed_functions", load)

    def role_statements(self, role_arn: str) -> tuple[list[Any], list[str]]:
        """The role's inline and attached managed policy statements, and the policy names read."""

        def load() -> tuple[list[Any], list[str]]:
            from momento_lambda_cli import iam_policy

            role_name = role_arn.rsplit("/", 1)[-1]

            def inline() -> list[tuple[str, list[iam_policy.Statement]]]:
                names = self.call("iam", "list_role_policies", "iam:ListRolePolicies", role_name, RoleName=role_name)

                def one(policy_name: str) -> tuple[str, list[iam_policy.Statement]]:
                    document = self.call(
                        "iam",
                        "get_role_policy",
                        "iam:GetRolePolicy",
                        role_name,
                        RoleName=role_name,
                        PolicyName=policy_name,
                    )
                    source = f"inline {policy_name}"
                    return source, iam_policy.statements_of(_document(document["PolicyDocument"]), source)

                return parallel([functools.partial(one, n) for n in names.get("PolicyNames") or []])

            def managed() -> list[tuple[str, list[iam_policy.Statement]]]:
                attached = self.call(
                    "iam", "list_attached_role_policies", "iam:ListAttachedRolePolicies", role_name, RoleName=role_name
                )

                def one(policy: dict[str, Any]) -> tuple[str, list[iam_policy.Statement]]:
                    arn = policy["PolicyArn"]
                    meta = self.call("iam", "get_policy", "iam:GetPolicy", arn, PolicyArn=arn)
                    version = meta["Policy"]["DefaultVersionId"]
                    document = self.call(
                        "iam", "get_policy_version", "iam:GetPolicyVersion", arn, PolicyArn=arn, VersionId=version
                    )
                    source = f"managed {policy['PolicyName']}"
                    return source, iam_policy.statements_of(_document(document["PolicyVersion"]["Document"]), source)

                return parallel([functools.partial(one, p) for p in attached.get("AttachedPolicies") or []])

            statements: list[iam_policy.Statement] = []
            sources: list[str] = []
            for part in parallel([inline, managed]):
                for source, found in part:
                    sources.append(source)
                    statements.extend(found)
            return statements, sources

        return self.once(f"role:{role_arn}", load)

    # --- the secret and Momento ---------------------------------------------------------

    def secret_id(self) -> str | None:
        """--secret-id, else the project's (resolved) secret, else what the deployed functions read.

        The project comes before the deployment so that the secret can be fetched while the
        stack is still being described; deploy.functions reports a deployment that reads another.
        """
        if self.options.secret_id:
            return self.options.secret_id
        try:
            project = self.project()
            from_project = project_secret_id(
                project, secret_env_names([self.code().function(f) for f in project.functions])
            )
        except MomentoLambdaError:
            from_project = None
        return from_project or self._deployed_env(contract.ENV_SECRET_ARN)

    def _deployed_env(self, name: str) -> str | None:
        try:
            for function in self.deployed_functions():
                value = (function.configuration.get("Environment") or {}).get("Variables", {}).get(name)
                if value:
                    return str(value)
        except (SkipCheck, MomentoLambdaError):
            pass
        return None

    def secret(self) -> SecretInfo | None:
        """The secret's description and value; ``None`` when it does not exist."""

        def load() -> SecretInfo | None:
            self.session()
            secret_id = self.secret_id()
            if not secret_id:
                raise SkipCheck(
                    "No secret to check: none is named by the project or the deployed functions.",
                    "Pass --secret-id, or store the key with `momento-lambda store-token`.",
                )
            described = self.call(
                "secretsmanager",
                "describe_secret",
                "secretsmanager:DescribeSecret",
                secret_id,
                missing=_resource_not_found,
                SecretId=secret_id,
            )
            if described is None:
                return None
            stages = [s for stages in (described.get("VersionIdsToStages") or {}).values() for s in stages]
            value = None
            binary = False
            if "AWSCURRENT" in stages:
                got = self.call(
                    "secretsmanager", "get_secret_value", "secretsmanager:GetSecretValue", secret_id, SecretId=secret_id
                )
                value = got.get("SecretString")
                binary = value is None and got.get("SecretBinary") is not None
                from momento_lambda_cli.redact import register_secret

                register_secret(value)
            return SecretInfo(
                arn=str(described.get("ARN")),
                name=str(described.get("Name")),
                kms_key_id=described.get("KmsKeyId"),
                has_current="AWSCURRENT" in stages,
                secret_string=value,
                binary=binary,
                description={k: v for k, v in described.items() if k != "ResponseMetadata"},
            )

        return self.once("secret", load)

    def cache_name(self) -> str | None:
        if self.options.cache_name:
            return self.options.cache_name
        try:
            from_project = project_cache_name(self.project())
        except MomentoLambdaError:
            from_project = None
        return from_project or self._deployed_env(contract.ENV_CACHE_NAME)

    def stored_key(self) -> contract.StoredKey:
        def load() -> contract.StoredKey:
            secret = self.secret()
            if secret is None or secret.secret_string is None:
                raise SkipCheck("There is no readable secret (see secret.contract).")
            stored = contract.decode_secret(secret.secret_string)
            from momento_lambda_cli.redact import register_secret

            register_secret(stored.api_key)
            return stored

        return self.once("stored_key", load)

    def key_check(self) -> Any:
        def load() -> Any:
            from momento_lambda_cli.momento_key import check_key

            stored = self.stored_key()
            cache = self.cache_name()
            if not cache:
                raise SkipCheck("No cache name known.", "Pass --cache-name or set MomentoCacheName / momentoCacheName.")
            return check_key(stored.api_key, stored.endpoint, cache, timeout=self.options.momento_timeout)

        return self.once("key_check", load)


def not_aws(project: Project) -> str:
    """Why a check skips a project that deploys to another cloud."""
    return f"{NOT_AWS} (provider.name is {project.provider}): this doctor checks AWS Lambda projects only."


def parallel(calls: list[Callable[[], T]]) -> list[T]:
    """Run ``calls`` at once (daemon threads: an abandoned call never holds the process open);
    their results in order, or the first exception."""
    if len(calls) <= 1:
        return [call() for call in calls]
    results: list[Any] = [None] * len(calls)
    errors: list[BaseException | None] = [None] * len(calls)

    def work(index: int) -> None:
        try:
            results[index] = calls[index]()
        except BaseException as exc:
            errors[index] = exc

    threads = [threading.Thread(target=work, args=(i,), daemon=True) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for error in errors:
        if error is not None:
            raise error
    return results


def _document(value: Any) -> Any:
    if isinstance(value, str):
        import json
        import urllib.parse

        for text in (value, urllib.parse.unquote(value)):
            try:
                return json.loads(text)
            except ValueError:
                pass
        import ast

        # Some stand-ins (moto's CloudFormation) store the Python repr of the document.
        return ast.literal_eval(value)
    return value


def _resource_not_found(exc: BaseException) -> bool:
    return aws.error_code(exc) == "ResourceNotFoundException"


def _stack_missing(exc: BaseException) -> bool:
    """CloudFormation says "Stack with id X does not exist" as a ValidationError."""
    return aws.error_code(exc) == "ValidationError" and "does not exist" in str(exc)
