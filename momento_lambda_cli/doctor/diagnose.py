"""Run the selected checks over one project and collect what the command renders."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from momento_lambda_cli.doctor import runner
from momento_lambda_cli.doctor.context import DoctorContext, DoctorOptions
from momento_lambda_cli.doctor.model import Check, Outcome, Summary
from momento_lambda_cli.errors import MomentoLambdaError
from momento_lambda_cli.project.model import Project

REMOTE_SERVICES = ["cloudformation", "lambda", "secretsmanager", "iam"]


@dataclass(frozen=True)
class Diagnosis:
    outcomes: list[Outcome]
    summary: Summary
    framework: str | None
    """``sam`` / ``serverless`` when the project loaded within the run, else ``None``."""
    fatal: MomentoLambdaError | None = None
    """What made every check moot: the project did not load (and no check was told what to
    look at instead), or the named AWS profile does not exist. The command reports it as one
    error instead of the same line under every check."""
    project: Project | None = None
    """The project as the checks read it (for source positions in SARIF / JUnit)."""


def diagnose(
    options: DoctorOptions,
    checks: Sequence[Check],
    *,
    timeout: float,
    concurrent: bool = True,
    on_done: Callable[[Outcome], None] | None = None,
) -> Diagnosis:
    """Run ``checks`` (at once unless ``concurrent`` is false, each within ``timeout`` seconds)."""
    ctx = DoctorContext(options)
    remote = [c for c in checks if c.remote and concurrent]
    ctx.prefetch(REMOTE_SERVICES if remote else [], momento=any(c.group.value == "momento" for c in remote))
    outcomes = runner.run_checks(checks, ctx, timeout=timeout, concurrent=concurrent, on_done=on_done)
    loaded = ctx.loaded_project()  # never loads it here: a project that hung a check must not hang the command
    if loaded is not None:
        outcomes = named_by_construct(outcomes, loaded)
    # Without a project, checks told what to look at (--stack-name, --secret-id, --cache-name) still work.
    targeted = options.stack_name or options.secret_id or options.cache_name
    fatal = None if targeted else ctx.failure("project")
    session = ctx.failure("session")
    if fatal is None and session is not None and session.code == "aws.profile-not-found":
        fatal = session
    return Diagnosis(outcomes, Summary.of(outcomes), loaded.framework if loaded is not None else None, fatal, loaded)


def named_by_construct(outcomes: list[Outcome], project: Project) -> list[Outcome]:
    """Details about one function (``Fn9270CBC0: ...``) also name where the app's code declares it,
    when its template is generated (CDK: ``Fn9270CBC0 (Api/Fn): ...``)."""
    import dataclasses

    from momento_lambda_cli.frameworks import adapter_for

    adapter = adapter_for(project)
    names = {}
    for function in project.functions:
        path = adapter.construct_path(project, function)
        declared = adapter.declared_at(project, function)
        if path is not None:
            names[function.key] = path + (f", {declared[0]} line {declared[1]}" if declared else "")
    if not names:
        return outcomes

    def name(detail: str) -> str:
        key, colon, rest = detail.partition(":")
        return f"{key} ({names[key]}):{rest}" if colon and key in names else detail

    renamed = []
    for outcome in outcomes:
        details = tuple(name(d) for d in outcome.result.details)
        if details != outcome.result.details:
            outcome = dataclasses.replace(outcome, result=dataclasses.replace(outcome.result, details=details))
        renamed.append(outcome)
    return renamed
