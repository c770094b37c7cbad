"""The answers a project is rendered from, and the validation of every user input."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from functools import cache
from typing import Any

from momento_lambda_cli import catalog, regions
from momento_lambda_cli.contract import default_secret_name
from momento_lambda_cli.errors import MomentoLambdaError, Notice, UsageError

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
    pattern: str = catalog.DEFAULT_PATTERN.name
    """What the function does (:data:`catalog.PATTERNS`): which handler, tests and events it gets."""

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
            "pattern": self.pattern,
        }


def _bad(message: str, hint: str, code: str) -> MomentoLambdaError:
    return MomentoLambdaError(message, hint, code=code)


def shown(value: object, limit: int = 60) -> str:
    """``repr(value)`` cut to ``limit`` characters: a value from a file may be huge."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 4] + "..." + text[-1]


def validate_project_name(name: str) -> str:
    """A name that works as a CloudFormation stack name, a Serverless service and a folder."""
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
            f"{shown(name)} cannot be a project name: {reason}. It becomes the folder, the CloudFormation stack "
            "and the Serverless service name.",
            hint,
            "new.bad-name",
        )
    return name


def validate_cache_name(name: str) -> str:
    if not name or len(name) > 255 or not _CACHE_NAME.fullmatch(name):
        raise _bad(
            f"{shown(name)} is not a valid Momento cache name.",
            "Use ASCII letters, digits, '-', '_' and '.', starting with a letter or digit, at most 255 characters.",
            "new.bad-cache-name",
        )
    return name


def validate_secret_name(name: str) -> str:
    if not name or len(name) > 512 or not _SECRET_NAME.fullmatch(name):
        raise _bad(
            f"{shown(name)} is not a valid Secrets Manager secret name.",
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
    if regions.problem(region):
        raise _bad(f"{shown(region)} is not an AWS region.", "Use a region code such as us-east-1.", "new.bad-region")
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


def validate_ttl(value: object) -> int:
    """A default TTL: a whole number of seconds from 1 to Momento's maximum."""
    from momento_lambda_cli import numbers

    problem = numbers.TTL.problem(value)
    if problem or not isinstance(value, int):
        raise _bad(f"The default TTL {problem} (Momento's maximum TTL).", "E.g. --default-ttl 60.", "new.bad-ttl")
    return value


def _choice(value: str, allowed: tuple[str, ...], what: str) -> str:
    if value not in allowed:
        raise _bad(
            f"{shown(value)} is not a supported {what}.", f"Choose one of: {', '.join(allowed)}.", f"new.bad-{what}"
        )
    return value


LAMBDA_FUNCTION_NAME_LIMIT = 64


def warnings_for(answers: Answers) -> list[Notice]:
    """Things that render fine but may bite later."""
    from momento_lambda_cli import frameworks

    found = []
    adapter = frameworks.adapter(answers.framework)
    suffix = adapter.function_name_suffix
    if suffix is not None:
        length = len(answers.project_name) + len(suffix)
        if length > LAMBDA_FUNCTION_NAME_LIMIT:
            found.append(
                Notice(
                    f"The Lambda function will be named {answers.project_name}{suffix} "
                    f"({length} characters; AWS allows {LAMBDA_FUNCTION_NAME_LIMIT}):",
                    adapter.function_name_hint,
                    code="new.function-name-too-long",
                )
            )
    parts = (answers.secret_arn or "").split(":")
    secret_region = parts[3] if len(parts) >= 7 and parts[0] == "arn" and parts[3] else None
    if answers.region and secret_region and secret_region != answers.region:
        found.append(
            Notice(
                f"The project deploys to {answers.region} but --secret-arn is a secret in {secret_region}: the "
                "function reads its secret in its own region.",
                f"Use a secret in {answers.region} (`momento-lambda store-token --region {answers.region}`), "
                f"or pass --region {secret_region}.",
                code="new.secret-region-mismatch",
            )
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
    pattern: str = catalog.DEFAULT_PATTERN.name,
) -> Answers:
    """Validate every input and fill the defaults; raises :class:`MomentoLambdaError`."""
    validate_project_name(project_name)
    _choice(framework, catalog.FRAMEWORK_NAMES, "framework")
    _choice(runtime, catalog.RUNTIME_NAMES, "runtime")
    _choice(architecture, catalog.ARCHITECTURE_NAMES, "architecture")
    _choice(init_client, INIT_CLIENT_MODES, "init-client")
    language = source_language(runtime, language, framework)
    validate_pattern(pattern, runtime)
    if not catalog.renders(framework, pattern):
        others = " / ".join(catalog.frameworks_for(pattern))
        raise UsageError(
            f"--pattern {pattern} is not available with --framework {framework} in this version.",
            f"Choose --pattern {' / '.join(catalog.patterns_of(framework))}, or --framework {others}.",
            code="usage.pattern-framework",
        )
    if snapstart:
        validate_snapstart(runtime)
        if region:
            validate_snapstart_region(validate_region(region))
    validate_ttl(default_ttl_seconds)
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
        pattern=pattern,
    )


def validate_pattern(name: str, runtime: str) -> str:
    """A pattern the template has for the runtime's language (a usage error otherwise)."""
    _choice(name, catalog.PATTERN_NAMES, "pattern")
    chosen = catalog.pattern(name)
    known = catalog.runtime(runtime)
    if chosen is not None and known is not None and known.language not in chosen.languages:
        offered = " / ".join(catalog.LANGUAGE_NAMES[language] for language in chosen.languages)
        raise UsageError(
            f"--pattern {name} is available for {offered} runtimes in this version, not --runtime {runtime}.",
            f"Choose a {offered} runtime (e.g. --runtime {catalog.newest(chosen.languages[0]).name}), "
            f"or --pattern {catalog.DEFAULT_PATTERN.name}.",
            code="usage.pattern-runtime",
        )
    return name


def source_language(runtime: str, language: str | None, framework: str | None = None) -> str:
    """The project's source language: ``language`` checked against the runtime, or the
    runtime's default (``python``; ``javascript`` for Node.js, ``typescript`` for a CDK app)."""
    known = catalog.runtime(runtime)
    allowed = catalog.source_languages(known.language if known is not None else catalog.PYTHON)
    framework_languages = catalog.node_source_languages_for(framework)
    if allowed == catalog.NODE_SOURCE_LANGUAGES and framework_languages != allowed:
        if language not in (None, *framework_languages):
            display = catalog.framework(framework).display_name if framework else "this framework"  # type: ignore[union-attr]
            raise UsageError(
                f"--language {language} is not available with --framework {framework}: {display} projects for "
                f"Node.js runtimes are {' / '.join(catalog.SOURCE_LANGUAGE_NAMES[x] for x in framework_languages)}.",
                f"Drop --language (or pass --language {framework_languages[0]}), or choose another --framework.",
                code="new.bad-language",
            )
        return framework_languages[0]
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
            f"{shown(language)} is not a supported language for {runtime}.",
            f"Choose one of: {', '.join(allowed)}.",
            "new.bad-language",
        )
    return language


# --- the answers schema: one source of truth for `new`, the answers file and `update` -------

_VERSION_TEXT = re.compile(r"\d{1,6}\.\d{1,6}\.\d{1,6}[A-Za-z0-9.+-]{0,32}")
_SHA256 = re.compile(r"[0-9a-f]{64}")
_FUNCTION_NAME = re.compile(r"[A-Za-z0-9_.:/+-]{1,256}")
_PROJECT_PATH = re.compile(r"[^\x00-\x1f\x7f\\]{1,512}")
_LOOSE = re.compile(r"[^\x00-\x1f\x7f]{1,256}")
"""A runtime or architecture `add` recorded from a project the tool did not generate."""


@dataclass(frozen=True)
class AnswerField:
    """One answer: the JSON type it has in the answers file and the rule `new` applies to it."""

    name: str
    kind: type
    """``str``, ``int`` or ``bool``."""
    optional: bool
    """``null`` allowed (not set)."""
    rule: Callable[[Any], object]
    """`new`'s validation: raises :class:`MomentoLambdaError` for a bad value."""
    expected: str
    """What a value must be, for the hint."""


def _choice_of(names: tuple[str, ...], what: str) -> Callable[[Any], object]:
    return lambda value: _choice(value, names, what)


def _validate_language(value: str) -> str:
    return _choice(value, catalog.SOURCE_LANGUAGES, "language")


ANSWER_FIELDS: dict[str, AnswerField] = {
    f.name: f
    for f in (
        AnswerField("project_name", str, False, validate_project_name, "a project name such as orders-api"),
        AnswerField(
            "framework",
            str,
            False,
            _choice_of(catalog.FRAMEWORK_NAMES, "framework"),
            "; ".join(catalog.FRAMEWORK_NAMES),
        ),
        AnswerField(
            "runtime", str, False, _choice_of(catalog.RUNTIME_NAMES, "runtime"), ", ".join(catalog.RUNTIME_NAMES)
        ),
        AnswerField(
            "architecture",
            str,
            False,
            _choice_of(catalog.ARCHITECTURE_NAMES, "architecture"),
            " or ".join(catalog.ARCHITECTURE_NAMES),
        ),
        AnswerField("cache_name", str, False, validate_cache_name, "a Momento cache name"),
        AnswerField("secret_name", str, False, validate_secret_name, "a Secrets Manager secret name"),
        AnswerField("secret_arn", str, True, secret_name_from_arn, "a Secrets Manager secret ARN or null"),
        AnswerField("default_ttl_seconds", int, False, validate_ttl, "a whole number of seconds, e.g. 60"),
        AnswerField("region", str, True, validate_region, "an AWS region code such as us-east-1, or null"),
        AnswerField("kms_key_arn", str, True, validate_kms_key_arn, "a KMS key ARN or null"),
        AnswerField(
            "init_client", str, False, _choice_of(INIT_CLIENT_MODES, "init-client"), " or ".join(INIT_CLIENT_MODES)
        ),
        AnswerField("language", str, False, _validate_language, ", ".join(catalog.SOURCE_LANGUAGES)),
        AnswerField("snapstart", bool, False, lambda value: value, "true or false"),
        AnswerField(
            "pattern", str, False, _choice_of(catalog.PATTERN_NAMES, "pattern"), ", ".join(catalog.PATTERN_NAMES)
        ),
    )
}
"""Every answer (the fields of :class:`Answers`), checked the same way wherever it comes from."""

LOOSE_FIELDS = frozenset({"runtime", "architecture"})
"""Answers `add` records from a project it did not generate (any runtime Lambda knows): checked
for shape only in such an answers file (`update` never renders them)."""


def _type_name(kind: type) -> str:
    return {str: "a string", int: "a whole number", bool: "true or false"}[kind]


def _field_error(source: str, name: str, message: str, hint: str | None) -> MomentoLambdaError:
    return MomentoLambdaError(f"{source}: {name}: {message}", hint, code="answers.bad-field")


def check_answer(name: str, value: Any, source: str, *, loose: bool = False) -> Any:
    """``value`` for the answer ``name`` when it passes `new`'s rules; raises
    ``Error: SOURCE: NAME: ...`` otherwise. ``loose``: the fields `add` records from a
    project it did not generate are checked for shape only."""
    spec = ANSWER_FIELDS[name]
    hint = f"Set {name} to {spec.expected} in {source}."
    if value is None:
        if spec.optional:
            return None
        raise _field_error(source, name, "must not be null.", hint)
    if isinstance(value, bool) != (spec.kind is bool) or not isinstance(value, spec.kind):
        raise _field_error(source, name, f"must be {_type_name(spec.kind)}, not {shown(value)}.", hint)
    if loose and name in LOOSE_FIELDS:
        if not _LOOSE.fullmatch(str(value)):
            raise _field_error(source, name, f"{shown(value)} is not a {name.replace('_', ' ')}.", hint)
        return value
    try:
        spec.rule(value)
    except MomentoLambdaError as exc:
        raise _field_error(source, name, exc.message, exc.hint or hint) from None
    return value


@cache
def template_only_variables() -> frozenset[str]:
    """The template's own variables that are not answers (the SDK versions it pins...): an
    answers file never sets them."""
    import json

    from momento_lambda_cli.templates import templates_root

    path = templates_root() / "momento-lambda" / "cookiecutter.json"
    try:
        names = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):  # pragma: no cover - a broken installation
        return frozenset()
    return frozenset(k for k in names if not k.startswith("_") and k not in ANSWER_FIELDS)


def check_record(document: Mapping[str, Any], source: str) -> dict[str, Any]:
    """An answers file's content checked field by field (types, `new`'s rules, the shape of the
    records the tool keeps in it); raises ``Error: SOURCE: FIELD: ...`` for the first bad one.
    Keys it does not know are kept and never rendered."""
    loose = document.get("generated_by") == "add"
    for name, value in document.items():
        if name in ANSWER_FIELDS:
            check_answer(name, value, source, loose=loose)
        elif name in template_only_variables():
            raise MomentoLambdaError(
                f"{source}: {name} is not an answer: the template sets it itself.",
                f"Delete {name} from {source}.",
                code="answers.bad-field",
            )
        elif name == DOCTOR_FIELD:
            check_doctor_options(value, source)
        elif name in _META_CHECKS:
            problem = _META_CHECKS[name](value)
            if problem:
                raise _field_error(source, name, problem, _META_HINT)
    return dict(document)


DOCTOR_FIELD = "doctor"
DOCTOR_OPTIONS = ("only", "skip", "strict", "offline", "timeout", "expiry_warning_days")
"""The `doctor` options a project may keep in its answers file (doctor/saved.py applies them)."""
_DOCTOR_HINT = (
    f'E.g. "doctor": {{"skip": ["build"], "strict": true, "timeout": 30}}; fields: {", ".join(DOCTOR_OPTIONS)}.'
)


def check_doctor_options(value: Any, source: str) -> dict[str, Any]:
    """The ``doctor`` object of an answers file, checked field by field with the bounds the
    command line uses (:mod:`momento_lambda_cli.numbers`); raises ``Error: SOURCE: doctor.FIELD: ...``."""
    from momento_lambda_cli import numbers

    if not isinstance(value, dict):
        raise _field_error(source, DOCTOR_FIELD, f"must be a JSON object, not {shown(value)}.", _DOCTOR_HINT)
    for name, option in value.items():
        field = f"{DOCTOR_FIELD}.{name}"
        if name not in DOCTOR_OPTIONS:
            raise _field_error(source, DOCTOR_FIELD, f"{shown(name)} is not a doctor option.", _DOCTOR_HINT)
        problem: str | None = None
        if name in ("strict", "offline"):
            problem = None if isinstance(option, bool) else f"must be true or false, not {shown(option)}"
        elif name in ("only", "skip"):
            names = [option] if isinstance(option, str) else option
            if not isinstance(names, list) or not all(isinstance(n, str) and len(n) <= 200 for n in names):
                problem = f"must be a list of check ids, id prefixes or groups, not {shown(option)}"
        else:
            bound = numbers.TIMEOUT if name == "timeout" else numbers.EXPIRY_WARNING_DAYS
            problem = bound.problem(option)
        if problem:
            raise _field_error(source, field, f"{problem}.", _DOCTOR_HINT)
    return dict(value)


_META_HINT = "`momento-lambda new` and `add` write this field; restore it from version control."


def _check_version(value: Any) -> str | None:
    if not isinstance(value, str) or not _VERSION_TEXT.fullmatch(value):
        return f'must be a momento-lambda version such as "0.3.0", not {shown(value)}.'
    return None


def _check_template_record(value: Any) -> str | None:
    if not isinstance(value, dict):
        return f"must be an object with version and sha256, not {shown(value)}."
    problem = _check_version(value.get("version"))
    if problem:
        return "version " + problem
    sha = value.get("sha256")
    if sha is not None and not (isinstance(sha, str) and _SHA256.fullmatch(sha)):
        return f"sha256 must be 64 hexadecimal digits, not {shown(sha)}."
    return None


def _check_generated_by(value: Any) -> str | None:
    return None if value in ("new", "add") else f'must be "new" or "add", not {shown(value)}.'


def _check_managed_files(value: Any) -> str | None:
    if not isinstance(value, dict):
        return f"must be an object (project path -> template file), not {shown(value)}."
    for path, entry in value.items():
        if not _PROJECT_PATH.fullmatch(path) or ".." in path.split("/") or path.startswith("/"):
            return f"{shown(path)} is not a path inside the project."
        if not isinstance(entry, dict) or not isinstance(entry.get("template_file"), str):
            return f"{path}: must be an object with template_file (a path in the template)."
        if not _PROJECT_PATH.fullmatch(entry["template_file"]):
            return f"{path}: template_file {shown(entry['template_file'])} is not a template path."
        version = entry.get("template_version")
        if version is not None and _check_version(version):
            return f"{path}: template_version " + str(_check_version(version))
        form = entry.get("form")
        if form is not None and not isinstance(form, str):
            return f"{path}: form must be a string, not {shown(form)}."
    return None


def _check_functions(value: Any) -> str | None:
    if not isinstance(value, list) or not all(isinstance(v, str) and _FUNCTION_NAME.fullmatch(v) for v in value):
        return "must be a list of function names."
    return None


_META_CHECKS: dict[str, Callable[[Any], str | None]] = {
    "_tool_version": _check_version,
    "_template": _check_template_record,
    "generated_by": _check_generated_by,
    "managed_files": _check_managed_files,
    "functions": _check_functions,
}
"""The records the tool keeps beside the answers (the ``doctor`` options: :func:`check_doctor_options`)."""
