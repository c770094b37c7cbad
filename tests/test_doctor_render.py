"""Golden output of the doctor renderer: narrow and wide terminals, colour and NO_COLOR,
verbose, and the one line for the checks --offline skipped.

Regenerate after an intended change with ``UPDATE_GOLDEN=1 pytest tests/test_doctor_render.py``
and review the diff of tests/golden/doctor/.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from momento_lambda_cli.doctor import render
from momento_lambda_cli.doctor.model import Check, Group, Outcome, Result, Status, Summary

GOLDEN = Path(__file__).parent / "golden" / "doctor"


def _check(id_: str, group: Group, title: str, remote: bool = False) -> Check:
    return Check(id_, group, title, lambda _ctx: Result.ok(""), remote)


def _outcomes(offline: bool) -> list[Outcome]:
    rows = [
        (_check("project.framework", Group.PROJECT, "Framework detected"), Result.ok("AWS SAM project, 1 function")),
        (
            _check("code.lambda-config", Group.PROJECT, "Configurations.Lambda used"),
            Result.ok("Configurations.Lambda used (src/momento_client.py)"),
        ),
        (
            _check("project.build-method", Group.PROJECT, "Dependencies built for Lambda"),
            Result.warn(
                "Built on this machine, which runs x86_64 (x86_64)",
                "Set use_container = true under [default.build.parameters] in samconfig.toml.",
                ["HelloFunction: arm64"],
            ),
        ),
        (
            _check("secret.no-plaintext-key", Group.PROJECT, "No Momento key in the project"),
            Result.fail("A Momento API key is in the project", "Remove it and revoke it.", ["notes.md: v2 key"]),
        ),
        (
            _check("build.binaries", Group.BUILD, "Compiled extensions"),
            Result.skip("No build output.", "Run `sam build`."),
        ),
        (_check("build.sdk", Group.BUILD, "Momento SDK packaged"), Result.skip("No build output.", "Run `sam build`.")),
        (_check("build.crash", Group.BUILD, "Something else"), Result.error("The check crashed: ValueError")),
    ]
    remote = [
        ("deploy.stack", Group.DEPLOYMENT, "Stack deployed"),
        ("deploy.env", Group.DEPLOYMENT, "Function environment"),
        ("momento.cache", Group.MOMENTO, "Cache exists"),
    ]
    for id_, group, title in remote:
        result = Result.skip("Skipped with --offline.") if offline else Result.ok(f"{title}: fine")
        rows.append((_check(id_, group, title, remote=True), result))
    return [Outcome(check, result, 1.0) for check, result in rows]


def rendered(outcomes: list[Outcome], *, width: int, colour: bool, verbose: bool) -> str:
    from rich.console import Console

    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=width,
        force_terminal=colour,
        no_color=not colour,
        color_system="standard" if colour else None,
        soft_wrap=True,
        highlight=False,
        emoji=False,
    )
    for line in render.lines(outcomes, verbose=verbose):
        console.print(line)
    console.print("")
    console.print(render.summary_line(Summary.of(outcomes)))
    return buffer.getvalue()


CASES = {
    f"{mode}-{width}-{'colour' if colour else 'no-colour'}{'-verbose' if verbose else ''}": (
        mode,
        width,
        colour,
        verbose,
    )
    for mode in ("offline", "online")
    for width in (40, 120)
    for colour in (False, True)
    for verbose in (False, True)
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_golden_output(case):
    mode, width, colour, verbose = CASES[case]
    text = rendered(_outcomes(mode == "offline"), width=width, colour=colour, verbose=verbose)
    golden = GOLDEN / f"{case}.txt"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


def test_offline_skips_are_one_line():
    lines = render.lines(_outcomes(offline=True))
    assert lines[-1] == "[dim]- 3 deployment and Momento checks skipped (--offline)[/]"
    assert not any("Stack deployed" in line or "Deployment" in line for line in lines)


def test_no_colour_has_no_escape_codes_and_lines_are_not_wrapped():
    text = rendered(_outcomes(offline=False), width=40, colour=False, verbose=True)
    assert "\x1b[" not in text
    longest = max(len(line) for line in text.splitlines())
    assert longest > 40  # soft wrap: long lines stay whole for copy and paste


def test_title_is_not_repeated_as_the_message():
    text = rendered(_outcomes(offline=False), width=120, colour=False, verbose=True)
    assert "Configurations.Lambda used (src/momento_client.py) (code.lambda-config)" in text
    assert "Configurations.Lambda used: Configurations.Lambda used" not in text
    assert "x86_64 (x86_64)" not in text


def test_a_repeated_skip_hint_is_shown_once():
    text = rendered(_outcomes(offline=False), width=120, colour=False, verbose=False)
    assert text.count("Run `sam build`.") == 1


def test_the_progress_line_names_what_it_waits_for():
    checks = [o.check for o in _outcomes(offline=False)]
    text = render.waiting_text(checks[-3:], len(checks))
    assert text == "Waiting for Stack deployed, Function environment and 1 more… (7/10 done)"
    assert render.waiting_text(checks[-1:], len(checks)) == "Waiting for Cache exists… (9/10 done)"


@pytest.mark.parametrize("status", list(Status))
def test_every_status_renders(status):
    outcome = Outcome(_check("x.y", Group.PROJECT, "T"), Result(status, "m", "h", ("d",)), 1.0)
    assert render.lines([outcome], verbose=True)
