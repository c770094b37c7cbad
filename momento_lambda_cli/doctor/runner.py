"""Run checks: all at once (one daemon thread each), each with a timeout.

A check that raises becomes an ERROR with a one-line reason (the traceback is kept for
``--debug``); a check that outlives its timeout becomes an ERROR too, and its thread is
abandoned (daemon threads never hold the process open). Results come back in the order
the checks were given, whatever order they finished in.
"""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Callable, Sequence

from momento_lambda_cli.doctor.model import Check, NotChecked, Outcome, Result, SkipCheck, Status
from momento_lambda_cli.errors import MomentoLambdaError, crash_location

DEFAULT_TIMEOUT_SECONDS = 20.0
NOT_CHECKED_CODES = {"aws.access-denied", "aws.unreachable", "aws.throttled"}
"""Errors that mean the check could not look: NOT_CHECKED, not a verdict (and never green)."""


def run_one(check: Check, ctx: object) -> Outcome:
    """Run ``check`` in the calling thread, turning exceptions into results."""
    started = time.perf_counter()
    tb: str | None = None
    try:
        result = check.run(ctx)  # type: ignore[arg-type]
        if not isinstance(result, Result):
            raise TypeError(f"check {check.id} returned {type(result).__name__}, not a Result")
    except NotChecked as exc:
        result = Result.not_checked(exc.message, exc.hint)
    except SkipCheck as exc:
        result = Result.skip(exc.message, exc.hint)
    except MomentoLambdaError as exc:
        if exc.debug or exc.__cause__ is not None:  # --debug: the request and the traceback
            tb = (exc.debug + "\n" if exc.debug else "") + "".join(traceback.format_exception(exc))
        if exc.code in NOT_CHECKED_CODES:  # could not look: not a verdict, and not green
            result = Result.not_checked(f"Could not check: {exc.message}", exc.hint)
        else:
            result = Result.error(exc.message, exc.hint)
    except RecursionError:
        result = Result.error(
            "The project is nested too deeply for this check (Python's recursion limit).",
            "Flatten the deeply nested values in the project's files.",
        )
    except MemoryError:
        result = Result.error("The check ran out of memory.", "Look for very large files in the project folder.")
    except Exception as exc:
        tb = "".join(traceback.format_exception(exc))
        where = crash_location(exc)
        reason = str(exc).splitlines()[0] if str(exc) else ""
        result = Result.error(
            f"The check crashed: {type(exc).__name__}{where}" + (f": {reason}" if reason else ""),
            "This is a bug in momento-lambda; re-run with --debug for the traceback and report it.",
        )
    return Outcome(check, result, (time.perf_counter() - started) * 1000, tb)


def run_checks(
    checks: Sequence[Check],
    ctx: object,
    *,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
    concurrent: bool = True,
    on_done: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """Run ``checks`` against ``ctx`` and return their outcomes in the given order."""
    if not concurrent:
        outcomes = []
        for check in checks:
            outcome = _with_timeout(check, ctx, timeout)
            if on_done:
                on_done(outcome)
            outcomes.append(outcome)
        return outcomes

    slots: dict[int, Outcome] = {}
    finished = threading.Condition()

    def work(index: int, check: Check) -> None:
        outcome = run_one(check, ctx)
        with finished:
            if index not in slots:  # not already timed out
                slots[index] = outcome
                if on_done:
                    on_done(outcome)
            finished.notify_all()

    started = time.perf_counter()
    for index, check in enumerate(checks):
        threading.Thread(target=work, args=(index, check), name=f"doctor-{check.id}", daemon=True).start()
    deadline = started + timeout
    with finished:
        while len(slots) < len(checks):
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                break
            finished.wait(remaining)
        for index, check in enumerate(checks):
            if index not in slots:
                slots[index] = _timed_out(check, timeout)
                if on_done:
                    on_done(slots[index])
    return [slots[i] for i in range(len(checks))]


def _with_timeout(check: Check, ctx: object, timeout: float) -> Outcome:
    box: list[Outcome] = []
    thread = threading.Thread(target=lambda: box.append(run_one(check, ctx)), daemon=True)
    thread.start()
    thread.join(timeout)
    return box[0] if box else _timed_out(check, timeout)


def _timed_out(check: Check, timeout: float) -> Outcome:
    result = Result(
        Status.ERROR,
        f"The check did not finish within {timeout:g} s.",
        "Something it waits for (AWS, Momento, a large build folder) is slow or unreachable; "
        "raise the limit with --timeout or run it alone with --only " + check.id + ".",
    )
    return Outcome(check, result, timeout * 1000)
