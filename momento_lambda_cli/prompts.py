"""Terminal prompts that forgive: a wrong answer is re-asked with the reason, never fatal.

Choices are numbered with the default marked and accept the number or the name in any
case; text answers go through the same validator the command line uses. Prompts write to
stderr (stdout stays for results); end of input or Ctrl-C raise click's ``Abort``, which the
CLI reports as "Aborted." with exit code 130.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from momento_lambda_cli import console
from momento_lambda_cli.errors import MomentoLambdaError


def _read(label: str, default: str | None) -> str:
    import click

    return str(click.prompt(label, default=default, show_default=default is not None, err=True))


def _complain(error: MomentoLambdaError) -> None:
    console.print_error(error)


def pick(answer: str, choices: Sequence[str]) -> str | None:
    """The choice ``answer`` names: its number (1-based) or its name in any case; else ``None``."""
    text = answer.strip()
    if text.isdigit() and 1 <= int(text) <= len(choices):
        return choices[int(text) - 1]
    by_name = {choice.lower(): choice for choice in choices}
    return by_name.get(text.lower())


def ask_choice(label: str, choices: Sequence[str], default: str) -> str:
    """Ask for one of ``choices`` (numbered, default marked); re-ask until one is named."""
    err = console.stderr()
    err.print(f"{label}:", markup=False, highlight=False)
    for number, choice in enumerate(choices, start=1):
        marker = "  (default)" if choice == default else ""
        err.print(f"  {number}) {choice}{marker}", markup=False, highlight=False)
    default_number = str(choices.index(default) + 1)
    while True:
        answer = _read(f"Choose 1-{len(choices)} or a name", default_number)
        chosen = pick(answer, choices)
        if chosen is not None:
            return chosen
        _complain(
            MomentoLambdaError(
                f"{answer.strip()!r} is not one of the choices for {label.lower()}.",
                f"Type a number from 1 to {len(choices)} or one of: {', '.join(choices)}.",
            )
        )


def ask_text(label: str, default: str | None, validate: Callable[[str], str]) -> str:
    """Ask for a value that ``validate`` accepts (it raises :class:`MomentoLambdaError` with the
    reason otherwise); re-ask with that reason until it does."""
    while True:
        answer = _read(label, default).strip()
        try:
            return validate(answer)
        except MomentoLambdaError as problem:
            _complain(problem)
