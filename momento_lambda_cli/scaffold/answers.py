"""The answers a project is rendered from, and the validation of every user input."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from momento_lambda_cli import catalog, contract
from momento_lambda_cli.contract import default_secret_name
from momento_lambda_cli.errors import MomentoLambdaError, UsageError

DEFAULT_TTL_SECONDS = 60
INIT_CLIENT_MODES = ("eager", "lazy")
"""When the generated client reads the secret and builds the Momento client: at import (Lambda's
INIT phase, falling back to the first request on any error) or on the first request."""
DEFAULT_INIT_CLIENT = "eager"
"""benchmarks/first_invocation.py: eager takes ~0.6 s of secret read and client set-up off the
first invocation (into INIT, which Provisioned Concurrency and SnapStart run ahead of traffic)."""
MAX_NAME_LENGTH = 128

_NAME = re.compile(r"[A-Za-z][A-Za-z0-9-]*")
_CACHE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
_SECRET_NAME = re.compile(r"[A-Za-z0-9/_+=.@-]+")
_SECRET_ARN = re.compile(
    r"arn:aws(?:-[a-z]+)*:secretsmanager:[a-z]{2}(?:-[a-z]+)+-\d:\d{12}:secret:(?P<name>[A-Za-z0-9/_+=.@-]+)-[A-Za-z0-9]{6}"
)
_KMS_KEY_ARN = re.compile(r"arn:aws(?:-[a-z]+)*:kms:[a-z]{2}(?:-[a-z]+)+-\d:\d{12}:(?:key|alias)/[A-Za-z0-9/_-]+")
_REGION = re.compile(r"[a-z]{2}(?:-[a-z]+)+-\d")


@dataclass(frozen=True)
class Answers:
    """Everything a project is rendered from (also what the answers file records)."""

    project_name: str
    framework: str
    runtime: str
    architecture: str
    cache_name: str
    secret_name: str
    secret_arn: str | None
    default_ttl_seconds: int
    region: str | None
    kms_key_arn: str | None
    init_client: str = DEFAULT_INIT_CLIENT
    language: str = catalog.PYTHON
    """``python``, or the Node.js source language: ``javascript`` / ``typescript``."""
    snapstart: bool = False
    """Lambda SnapStart on the function (published versions behind an alias; Python 3.12+)."""

    @property
    def is_python(self) -> bool:
        known = catalog.runtime(self.runtime)
        return known is not None and known.language == catalog.PYTHON

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def template_context(self) -> dict[str, str | bool]:
        """The cookiecutter variables (strings, empty for "not set"; ``snapstart`` a bool)."""
        return {
            "project_name": self.project_name,
            "framework": self.framework,
            "runtime": self.runtime,
            "architecture": self.architecture,
            "cache_name": self.cache_name,
            "secret_name": self.secret_name,
            "secret_arn": self.secret_arn or "",
            "default_ttl_seconds": str(self.default_ttl_seconds),
            "region": self.region or "",
            "kms_key_arn": self.kms_key_arn or "",
            "init_client": self.init_client,
            "language": self.language,
            "snapstart": self.snapstart,
        }


def _bad(message: str, hint: str, code: str) -> MomentoLambdaError:
    return MomentoLambdaError(message, hint, code=code)


def validate_project_name(name: str) -> str:
    """A name that works as a CloudFormation stack name, a Serverless service and a folder."""
    shown = repr(name)
    hint = "Use ASCII letters, digits and hyphens, starting with a letter, at most 128 characters (e.g. orders-api)."
    if not name:
        raise _bad("The project name is empty.", hint, "new.bad-name")
    if len(name) > MAX_NAME_LENGTH:
        raise _bad(
            f"The project name is {len(name)} characters long (at most {MAX_NAME_LENGTH}).", hint, "new.bad-name"
        )
    if not _NAME.fullmatch(name):
        if not name[0].isalpha() or not name[0].isascii():
            reason = "it must start with a letter (ASCII a-z, A-Z)"
        else:
            bad = sorted({ch for ch in name if not (ch.isascii() and (ch.isalnum() or ch == "-"))})
            reason = "it contains " + ", ".join(repr(ch) for ch in bad) + " (only ASCII letters, digits and hyphens)"
        raise _bad(
            f"{shown} cannot be a project name: {reason}. It becomes the folder, the CloudFormation stack "
            "and the Serverless service name.",
            hint,
            "new.bad-name",
        )
    return name


def validate_cache_name(name: str) -> str:
    if not name or len(name) > 255 or not _CACHE_NAME.fullmatch(name):
        raise _bad(
            f"{name!r} is not a valid Momento cache name.",
            "Use ASCII letters, digits, '-', '_' and '.', starting with a letter or digit, at most 255 characters.",
            "new.bad-cache-name",
        )
    return name


def validate_secret_name(name: str) -> str:
    if not name or len(name) > 512 or not _SECRET_NAME.fullmatch(name):
        raise _bad(
            f"{name!r} is not a valid Secrets Manager secret name.",
            "Use ASCII letters, digits and /_+=.@- (at most 512 characters), e.g. momento/orders-api/api-key.",
            "new.bad-secret-name",
        )
    return name


def secret_name_from_arn(arn: str) -> str:
    """The secret's name in a full ARN (the ARN ends with ``-`` and 6 random characters)."""
    match = _SECRET_ARN.fullmatch(arn)
    if match is None:
        raise _bad(
            "--secret-arn is not a Secrets Manager secret ARN.",
            "Expected arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME-XXXXXX "
            "(copy it from `aws secretsmanager describe-secret --secret-id NAME --query ARN`).",
            "new.bad-secret-arn",
        )
    return match.group("name")


def validate_kms_key_arn(arn: str) -> str:
    if not _KMS_KEY_ARN.fullmatch(arn):
        raise _bad(
            "--kms-key-arn is not a KMS key ARN.",
            "Expected arn:aws:kms:REGION:ACCOUNT:key/KEY-ID.",
            "new.bad-kms-key-arn",
        )
    return arn


def validate_region(region: str) -> str:
    if not _REGION.fullmatch(region):
        raise _bad(f"{region!r} is not an AWS region.", "Use a region code such as us-east-1.", "new.bad-region")
    return region


def validate_snapstart(runtime: str) -> None:
    """Refuse ``--snapstart`` for a runtime Lambda SnapStart does not support (a usage error)."""
    known = catalog.runtime(runtime)
    if known is not None and known.snapstart:
        return
    minimum = ".".join(map(str, catalog.SNAPSTART_MIN_PYTHON))
    if known is None or known.language == catalog.PYTHON:
        this = f"Python {known.version}" if known is not None else runtime
    else:
        this = catalog.LANGUAGE_NAMES[known.language]
    raise UsageError(
        f"--snapstart cannot be used with --runtime {runtime}: AWS Lambda SnapStart supports "
        f"Python {minimum} and later, not {this}.",
        f"Choose --runtime {' / '.join(catalog.SNAPSTART_RUNTIME_NAMES)}, or drop --snapstart.",
        code="usage.snapstart-runtime",
    )


def validate_snapstart_region(region: str) -> None:
    """Refuse ``--snapstart`` for a region where Lambda SnapStart is not available (a usage error)."""
    if region in catalog.SNAPSTART_REGIONS:
        return
    area = region.rsplit("-", 1)[0]
    nearby = sorted(r for r in catalog.SNAPSTART_REGIONS if r.rsplit("-", 1)[0] == area)
    choices = f"(nearby: {', '.join(nearby)})" if nearby else "(e.g. us-east-1 or eu-west-1)"
    raise UsageError(
        f"--snapstart cannot be used with --region {region}: AWS Lambda SnapStart is not available there.",
        f"Choose a region with SnapStart {choices}, or drop --snapstart.",
        code="usage.snapstart-region",
    )


def _choice(value: str, allowed: tuple[str, ...], what: str) -> str:
    if value not in allowed:
        raise _bad(f"{value!r} is not a supported {what}.", f"Choose one of: {', '.join(allowed)}.", f"new.bad-{what}")
    return value


SERVERLESS_FUNCTION_SUFFIX = "-dev-api"
LAMBDA_FUNCTION_NAME_LIMIT = 64


def warnings_for(answers: Answers) -> list[str]:
    """Things that render fine but may bite later."""
    found = []
    if answers.framework == "serverless":
        length = len(answers.project_name) + len(SERVERLESS_FUNCTION_SUFFIX)
        if length > LAMBDA_FUNCTION_NAME_LIMIT:
            found.append(
                f"The Lambda function will be named {answers.project_name}{SERVERLESS_FUNCTION_SUFFIX} "
                f"({length} characters; AWS allows {LAMBDA_FUNCTION_NAME_LIMIT}): set functions.api.name "
                "in serverless.yml or choose a shorter project name."
            )
    return found


def build_answers(
    project_name: str,
    *,
    framework: str = catalog.DEFAULT_FRAMEWORK.name,
    runtime: str = catalog.DEFAULT_RUNTIME.name,
    architecture: str = catalog.DEFAULT_ARCHITECTURE.name,
    cache_name: str | None = None,
    secret_name: str | None = None,
    secret_arn: str | None = None,
    default_ttl_seconds: int = DEFAULT_TTL_SECONDS,
    region: str | None = None,
    kms_key_arn: str | None = None,
    init_client: str = DEFAULT_INIT_CLIENT,
    language: str | None = None,
    snapstart: bool = False,
) -> Answers:
    """Validate every input and fill the defaults; raises :class:`MomentoLambdaError`."""
    validate_project_name(project_name)
    _choice(framework, catalog.FRAMEWORK_NAMES, "framework")
    _choice(runtime, catalog.RUNTIME_NAMES, "runtime")
    _choice(architecture, catalog.ARCHITECTURE_NAMES, "architecture")
    _choice(init_client, INIT_CLIENT_MODES, "init-client")
    language = source_language(runtime, language)
    if snapstart:
        validate_snapstart(runtime)
        if region:
            validate_snapstart_region(validate_region(region))
    if not 1 <= default_ttl_seconds <= contract.MAX_TTL_SECONDS:
        raise _bad(
            f"--default-ttl must be between 1 and {contract.MAX_TTL_SECONDS} seconds (Momento's maximum TTL).",
            "E.g. --default-ttl 60.",
            "new.bad-ttl",
        )
    arn_name = secret_name_from_arn(secret_arn) if secret_arn else None
    if secret_name and arn_name and secret_name != arn_name:
        raise _bad(
            f"--secret-name {secret_name!r} does not match --secret-arn (whose secret is {arn_name!r}).",
            "Give only --secret-arn; the name is taken from it.",
            "new.secret-mismatch",
        )
    name = validate_secret_name(secret_name or arn_name or default_secret_name(project_name))
    return Answers(
        project_name=project_name,
        framework=framework,
        runtime=runtime,
        architecture=architecture,
        cache_name=validate_cache_name(cache_name if cache_name is not None else project_name),
        secret_name=name,
        secret_arn=secret_arn or None,
        default_ttl_seconds=default_ttl_seconds,
        region=validate_region(region) if region else None,
        kms_key_arn=validate_kms_key_arn(kms_key_arn) if kms_key_arn else None,
        init_client=init_client,
        language=language,
        snapstart=bool(snapstart),
    )


def source_language(runtime: str, language: str | None) -> str:
    """The project's source language: ``language`` checked against the runtime, or the
    runtime's default (``python``; ``javascript`` for Node.js)."""
    known = catalog.runtime(runtime)
    allowed = catalog.source_languages(known.language if known is not None else catalog.PYTHON)
    if language is None:
        return allowed[0]
    if language not in allowed:
        if language in catalog.NODE_SOURCE_LANGUAGES:
            raise UsageError(
                f"--language {language} is for the Node.js runtimes; {runtime} projects are written in Python.",
                f"Add --runtime {catalog.newest(catalog.NODE).name} (or another nodejs runtime), or drop --language.",
                code="new.bad-language",
            )
        raise _bad(
            f"{language!r} is not a supported language for {runtime}.",
            f"Choose one of: {', '.join(allowed)}.",
            "new.bad-language",
        )
    return language
