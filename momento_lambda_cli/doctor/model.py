"""Checks and their results."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from momento_lambda_cli.doctor.context import DoctorContext


class Status(str, Enum):
    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"
    SKIP = "skip"
    ERROR = "error"
    NOT_CHECKED = "not-checked"
    """The check could not run: AWS or Momento could not be reached (or no credentials/region).
    Not a verdict, and never green: it makes the exit code 3 unless something failed."""


class Group(str, Enum):
    PROJECT = "project"
    BUILD = "build"
    DEPLOYMENT = "deployment"
    MOMENTO = "momento"
    MACHINE = "machine"


GROUP_TITLES = {
    Group.PROJECT: "Project",
    Group.BUILD: "Build output",
    Group.DEPLOYMENT: "Deployment",
    Group.MOMENTO: "Momento",
    Group.MACHINE: "This machine",
}


@dataclass(frozen=True)
class Location:
    """Where a finding is: a file relative to the project folder, and a 1-based line when known."""

    file: str
    line: int | None = None
    construct: str | None = None
    """Where the app's code declares it, when the file is generated (CDK: the construct path ``Api/Fn``)."""


@dataclass(frozen=True)
class Result:
    status: Status
    message: str
    hint: str | None = None
    details: tuple[str, ...] = ()
    """Extra lines (one per function, file...) shown under problems, or with --verbose."""
    data: Mapping[str, Any] | None = None
    """Machine-readable facts for ``--json`` (e.g. an expiry date); never secret material."""
    locations: tuple[Location, ...] = ()
    """Where the problem is, when the check knows (SARIF / JUnit annotations); otherwise the
    report derives them from the details and the project model (see ``doctor/reports.py``)."""

    @classmethod
    def ok(
        cls, message: str, details: list[str] | tuple[str, ...] = (), data: Mapping[str, Any] | None = None
    ) -> Result:
        return cls(Status.PASS, message, None, tuple(details), data)

    @classmethod
    def warn(
        cls,
        message: str,
        hint: str | None = None,
        details: list[str] | tuple[str, ...] = (),
        data: Mapping[str, Any] | None = None,
    ) -> Result:
        return cls(Status.WARN, message, hint, tuple(details), data)

    @classmethod
    def fail(
        cls,
        message: str,
        hint: str | None = None,
        details: list[str] | tuple[str, ...] = (),
        data: Mapping[str, Any] | None = None,
        locations: list[Location] | tuple[Location, ...] = (),
    ) -> Result:
        return cls(Status.FAIL, message, hint, tuple(details), data, tuple(locations))

    @classmethod
    def skip(cls, message: str, hint: str | None = None) -> Result:
        return cls(Status.SKIP, message, hint)

    @classmethod
    def error(cls, message: str, hint: str | None = None) -> Result:
        return cls(Status.ERROR, message, hint)

    @classmethod
    def not_checked(cls, message: str, hint: str | None = None) -> Result:
        return cls(Status.NOT_CHECKED, message, hint)


NO_MOMENTO = "No function uses the Momento SDK (no code of theirs imports momento / @gomomento/sdk)."
"""Why a Momento check has nothing to judge."""


NOT_AWS = "Not an AWS project"
"""How a skip for a project that deploys to another cloud starts (shown once for all checks)."""


class SkipCheck(Exception):
    """Raised by shared context loaders to turn every dependent check into a SKIP."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class NotChecked(SkipCheck):
    """Raised when AWS or Momento cannot be asked (unreachable, no credentials, no region):
    every dependent check becomes NOT_CHECKED, which is never green."""


@dataclass(frozen=True)
class FixRef:
    """A check's mechanical fix (``doctor --fix``), declared in the check's definition.

    The function lives in :mod:`momento_lambda_cli.retrofit.fixes` and is imported only when
    ``--fix`` runs (it pulls in the editors: ~90 ms a plain doctor run does not pay).
    """

    function: str
    """The fixer's name in ``retrofit.fixes`` (``fix_runtime``); a test checks it exists and that
    every fixer there belongs to exactly one check."""
    always: bool = False
    """Also runs on its own detection when the check passed (``fix_secret_by_name``)."""

    def load(self) -> Callable[[Any], list[str]]:
        from momento_lambda_cli.retrofit import fixes

        fixer: Callable[[Any], list[str]] = getattr(fixes, self.function)
        return fixer


@dataclass(frozen=True)
class Check:
    """One check, defined once: what it is, what it reads, why it matters, how to fix it and
    (when it has one) its mechanical fix. The docs' check catalogue (docs/checks.md), ``--list-checks``, the
    selection prefixes and the tests' id lists come from (or are checked against) these."""

    id: str
    group: Group
    """Its category (the heading it is shown under)."""
    title: str
    run: Callable[[DoctorContext], Result]
    remote: bool = False
    """Needs AWS or Momento: skipped with --offline."""
    reads: str = ""
    """What it reads (the template, the code, the build output, AWS APIs...)."""
    fails_when: str = ""
    """When it fails (and when it only warns): the docs' catalogue row."""
    why: str = ""
    """Why it matters, in one sentence."""
    steps: tuple[str, ...] = ()
    """How to fix it by hand (``--fix`` prints these when it cannot fix mechanically)."""
    fixes: tuple[FixRef, ...] = ()
    """Its mechanical fixes, if ``--fix`` repairs it."""
    aliases: tuple[str, ...] = ()
    """Former ids, still accepted by --only / --skip and saved skip lists."""

    @property
    def area(self) -> str:
        """The id's prefix (``iam`` for ``iam.secret-access``): one prefix per area."""
        return self.id.split(".", 1)[0]

    @property
    def fixable(self) -> bool:
        return bool(self.fixes)


@dataclass
class Outcome:
    check: Check
    result: Result
    duration_ms: float
    traceback: str | None = field(default=None, repr=False)
    """Formatted traceback of a crashing check, or the failed request and traceback of an AWS
    error (shown with --debug only)."""

    def to_dict(self) -> dict[str, object]:
        """The check's JSON; ``data`` only for checks that report facts (e.g. momento.key-expiry)."""
        document: dict[str, object] = {
            "id": self.check.id,
            "group": self.check.group.value,
            "title": self.check.title,
            "status": self.result.status.value,
            "message": self.result.message,
            "hint": self.result.hint,
            "details": list(self.result.details),
            "duration_ms": round(self.duration_ms, 1),
        }
        if self.result.data is not None:
            document["data"] = dict(self.result.data)
        return document


@dataclass(frozen=True)
class Summary:
    passed: int
    warned: int
    failed: int
    errored: int
    skipped: int
    total: int
    not_checked: int = 0
    machine_warned: int = 0
    """Warnings about this machine (Docker, tools): never a failure, not even with --strict."""

    @classmethod
    def of(cls, outcomes: list[Outcome]) -> Summary:
        count = {s: 0 for s in Status}
        for outcome in outcomes:
            count[outcome.result.status] += 1
        return cls(
            passed=count[Status.PASS],
            warned=count[Status.WARN],
            failed=count[Status.FAIL],
            errored=count[Status.ERROR],
            skipped=count[Status.SKIP],
            total=len(outcomes),
            not_checked=count[Status.NOT_CHECKED],
            machine_warned=sum(
                1 for o in outcomes if o.result.status is Status.WARN and o.check.group is Group.MACHINE
            ),
        )

    def ok(self, strict: bool = False) -> bool:
        """Nothing failed or errored, nothing was left unchecked (warnings too with ``strict``)."""
        return self.exit_code(strict) == 0

    def passed_checks(self, strict: bool = False) -> bool:
        """Nothing failed or errored (warnings too with ``strict``); checks not run do not count."""
        return self.failed == 0 and self.errored == 0 and (not strict or self.warned == self.machine_warned)

    def exit_code(self, strict: bool = False) -> int:
        """0 all good, 1 a check failed or errored (or warned, with ``strict``), 3 nothing failed
        but some checks could not run (AWS or Momento unreachable, no credentials)."""
        if not self.passed_checks(strict):
            return 1
        return 3 if self.not_checked else 0

    def to_dict(self) -> dict[str, int]:
        return {
            "passed": self.passed,
            "warned": self.warned,
            "failed": self.failed,
            "errored": self.errored,
            "skipped": self.skipped,
            "not_checked": self.not_checked,
            "total": self.total,
        }
