"""The root Typer app: wires the commands and maps errors to exit codes.

Keep this module (and everything it imports at top level) free of boto3, momento and
cookiecutter: ``momento-lambda --help`` must stay fast.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Annotated, NoReturn, ParamSpec, TypeVar

from momento_lambda_cli import startup

if startup.is_entry_point():
    startup.quiet_interrupts()

import typer

from momento_lambda_cli import __version__, console, issues_url
from momento_lambda_cli.errors import ExitCode, MomentoLambdaError, crash_location
from momento_lambda_cli.redact import install as redact_streams
from momento_lambda_cli.redact import redact
from momento_lambda_cli.redact import uninstall as uninstall_streams

P = ParamSpec("P")
R = TypeVar("R")

COMMANDS: dict[str, tuple[str, str]] = {
    "new": ("momento_lambda_cli.commands.new", "new"),
    "store-token": ("momento_lambda_cli.commands.store_token", "store_token"),
    "doctor": ("momento_lambda_cli.commands.doctor", "doctor"),
    "add": ("momento_lambda_cli.commands.add", "add"),
    "update": ("momento_lambda_cli.commands.update", "update"),
    "info": ("momento_lambda_cli.commands.info", "info"),
}
"""Each command's name -> (module, function). A command's module is imported only when that
command runs (or its help is shown): the modules and what they import cost ~50 ms, as much
as typer itself, and ``momento-lambda --help`` needs none of them."""

COMMAND_SUMMARIES: dict[str, str] = {
    "new": "Create a new Lambda project that uses Momento (SAM, Serverless Framework or AWS CDK).",
    "store-token": "Store the Momento API key in AWS Secrets Manager and wire its ARN into the project.",
    "doctor": "Check a project, its build output and its deployed stack, and say how to fix what is wrong.",
    "add": "Add Momento to functions of an existing project: client module, dependency, environment, IAM grant "
    "on the secret, build settings. Never edits handler code.",
    "update": "Merge the current project template into a project made by `new` (or `add`).",
    "info": "Show the tool, Python, OS and library versions and the deploy tools on PATH (sam, serverless, osls, "
    "node, docker), for bug reports.",
}
"""The one-line summaries the root ``--help`` lists (the first line of each command's docstring;
tests/test_cli.py pins them to the docstrings)."""


def _new_app() -> typer.Typer:
    return typer.Typer(
        name="momento-lambda",
        help="Build AWS Lambda functions that use the Momento cache: scaffold, store the API key, diagnose.",
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
        context_settings={"help_option_names": ["-h", "--help"]},
    )


def _command_function(name: str) -> Callable[..., None]:
    import importlib

    module, attribute = COMMANDS[name]
    function: Callable[..., None] = getattr(importlib.import_module(module), attribute)
    return function


def _register(target: typer.Typer, names: list[str]) -> typer.Typer:
    target.callback()(root)
    for name in names:
        target.command(name)(_guarded(_command_function(name)))
    return target


def _summaries_app() -> typer.Typer:
    """The root group for ``--help`` and usage errors: every command by name and summary,
    none of their modules imported."""
    target = _new_app()
    target.callback()(root)
    for name, summary in COMMAND_SUMMARIES.items():

        def placeholder() -> None:  # pragma: no cover - never invoked: a named command is built for real
            raise AssertionError("placeholder command invoked")

        target.command(name, help=summary)(placeholder)
    return target


_app: typer.Typer | None = None


def full_app() -> typer.Typer:
    """The app with every command imported and registered (tests, shell completion)."""
    global _app
    if _app is None:
        _app = _register(_new_app(), list(COMMANDS))
    return _app


def __getattr__(name: str) -> typer.Typer:
    if name == "app":
        return full_app()
    raise AttributeError(name)


def _show_version(value: bool) -> None:
    if value:
        sys.stdout.write(f"momento-lambda {__version__}\n")
        raise typer.Exit()


def root(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            "-V",
            callback=_show_version,
            is_eager=True,
            help="Show the version and exit (with --verbose: the versions `info` shows).",
        ),
    ] = False,
    debug: Annotated[
        bool,
        typer.Option("--debug", envvar="MOMENTO_LAMBDA_DEBUG", help="Show full tracebacks for unexpected errors."),
    ] = False,
) -> None:
    """Build AWS Lambda functions that use the Momento cache: scaffold, store the API key, diagnose.

    Exit codes: 0 success, 1 the command failed, 2 usage error, 130 interrupted.
    """
    console.mode.debug = debug


@functools.cache
def _click_exception_types(name: str) -> tuple[type[BaseException], ...]:
    """``name`` (Exit / Abort / UsageError) from typer and from the click it uses: typer >= 0.26
    vendors its own copy of click (prompts raise ``typer._click.exceptions.Abort``), older typer
    uses click."""
    import importlib

    found: list[type[BaseException]] = [getattr(typer, name)] if hasattr(typer, name) else []
    for module in ("typer._click.exceptions", "click.exceptions"):
        try:
            found.append(getattr(importlib.import_module(module), name))
        except (ImportError, AttributeError):
            continue
    return tuple(dict.fromkeys(found))


def _report_aborted() -> NoReturn:
    sys.stderr.write("\nAborted.\n")
    raise typer.Exit(ExitCode.INTERRUPTED) from None


def _guarded(command: Callable[P, R]) -> Callable[P, R]:
    """Run ``command`` turning our error type (and any surprise) into output and an exit code."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except MomentoLambdaError as exc:
            _report_error(exc)
            raise typer.Exit(int(exc.exit_code)) from None
        except KeyboardInterrupt:
            _report_aborted()
        except Exception as exc:
            if isinstance(exc, _click_exception_types("Exit")):
                raise
            if isinstance(exc, _click_exception_types("Abort")):  # Ctrl-C or Ctrl-D at a prompt
                _report_aborted()
            _report_unexpected(exc)
            raise typer.Exit(ExitCode.FAILED) from None

    return wrapper


def _report_error(error: MomentoLambdaError) -> None:
    if console.mode.json_command:
        console.print_json(console.envelope(console.mode.json_command, ok=False, errors=[error]))
    console.print_error(error)


def _report_unexpected(exc: BaseException) -> None:
    if console.mode.debug:
        import traceback

        sys.stderr.write(redact("".join(traceback.format_exception(exc))))
    error = MomentoLambdaError(
        f"Unexpected error: {type(exc).__name__}{crash_location(exc)}. This is a bug in momento-lambda {__version__}.",
        f"Please report it at {issues_url()}"
        + ("" if console.mode.debug else " with the output of `momento-lambda --debug ...`."),
        code="internal",
    )
    _report_error(error)


def _set_debug(value: bool) -> bool:
    if value:
        console.mode.debug = True
    return value


def _command(args: list[str]) -> typer.core.TyperGroup:
    """The click group for ``app``, with ``--debug`` also accepted after each subcommand.

    When ``args`` names a subcommand, the group holds only that one: building a command's
    options costs ~10 ms each, and help, usage errors and dispatch need only the invoked one
    (the root's own options take no values, so the first word that is not an option is the
    subcommand)."""
    import os

    import typer.main

    invoked = next((a for a in args if not a.startswith("-")), None)
    if _app is not None or "_MOMENTO_LAMBDA_COMPLETE" in os.environ:  # tests' extra commands; completion
        source = full_app()
        chosen = [c for c in source.registered_commands if c.name == invoked]
        if chosen:
            import copy

            source = copy.copy(source)  # the same settings and callback, one command
            source.registered_commands = chosen
    elif invoked in COMMANDS:
        source = _register(_new_app(), [invoked])
    else:
        source = _summaries_app()
    group = typer.main.get_command(source)
    assert isinstance(group, typer.core.TyperGroup)
    for sub in group.commands.values():
        if not any("--debug" in getattr(p, "opts", ()) for p in sub.params):
            sub.params.append(_debug_option())
    return group


@functools.cache
def _debug_option() -> typer.core.TyperOption:
    """``--debug`` as a parameter object, built by Typer itself from a one-option command (no
    private API), so that it renders and parses exactly like the root's ``--debug``."""
    import typer.main

    probe = typer.Typer(add_completion=False)

    @probe.command()
    def _probe(
        debug: Annotated[
            bool, typer.Option("--debug", callback=_set_debug, help="Show full tracebacks for unexpected errors.")
        ] = False,
    ) -> None:
        """Never run."""

    (option,) = (p for p in typer.main.get_command(probe).params if p.name == "debug")
    assert isinstance(option, typer.core.TyperOption)
    option.expose_value = False
    return option


def _report_usage(exc: Exception, argv: list[str]) -> int:
    """Print a click usage error in our one shape (and its JSON envelope with ``--json``)."""
    from momento_lambda_cli import usage

    if type(exc).__name__ == "NoArgsIsHelpError":  # `momento-lambda` alone: the help
        ctx = getattr(exc, "ctx", None)
        sys.stdout.write((ctx.get_help() if ctx is not None else str(exc)) + "\n")
        return ExitCode.USAGE
    known = full_app().registered_commands if _app is not None else []
    commands = list(dict.fromkeys([*COMMANDS, *(c.name for c in known if c.name and not c.hidden)]))
    error = usage.translate(exc, argv, commands)
    if usage.wants_json(argv):
        command = usage.command_of(argv, commands) or "momento-lambda"
        console.print_json(console.envelope(command, ok=False, errors=[error]))
    console.print_error(error)
    return ExitCode.USAGE


def _version_verbose(args: list[str]) -> list[str]:
    """``--version --verbose`` (before any command) is ``info``; ``--json`` is passed on."""
    head = args[: next((i for i, a in enumerate(args) if not a.startswith("-")), len(args))]
    if {"--version", "-V"} & set(head) and {"--verbose", "-v"} & set(head):
        return ["info", *(["--json"] if "--json" in head else [])]
    return args


SHELLS = ("bash", "zsh", "fish", "powershell", "pwsh")


def _show_completion(args: list[str]) -> int | None:
    """``--show-completion SHELL`` (or ``=SHELL``) before any command: that shell's script. Typer's
    own option is a flag that detects the shell (with shellingham installed) and ignores a named
    one; ``None`` when ``args`` asks for something else."""
    head = args[: next((i for i, a in enumerate(args) if not a.startswith("-")), len(args)) + 1]
    for index, word in enumerate(head):
        if word.startswith("--show-completion="):
            shell: str | None = word.partition("=")[2]
        elif word == "--show-completion" and index + 1 < len(args) and not args[index + 1].startswith("-"):
            shell = args[index + 1]
            if shell in COMMANDS:
                return None
        else:
            continue
        if shell not in SHELLS:
            from momento_lambda_cli.errors import UsageError

            console.print_error(
                UsageError(
                    f"Invalid value {shell!r} for --show-completion; accepted: {', '.join(SHELLS)}.",
                    "Pass a shell name, e.g. --show-completion zsh (or none: the current shell).",
                )
            )
            return ExitCode.USAGE
        from typer._completion_shared import get_completion_script  # what typer's own option prints

        sys.stdout.write(
            get_completion_script(prog_name="momento-lambda", complete_var="_MOMENTO_LAMBDA_COMPLETE", shell=shell)
            + "\n"
        )
        return ExitCode.OK
    return None


def main(argv: list[str] | None = None) -> int:
    """Console-script entry point; returns the process exit code."""
    console.mode.reset()
    streams = redact_streams()
    startup.normal_interrupts()
    args = list(sys.argv[1:] if argv is None else argv)
    args = _version_verbose(args)
    completion = _show_completion(args)
    if completion is not None:
        return completion
    try:
        code = _command(args).main(args=args, prog_name="momento-lambda", standalone_mode=False)
        return code if isinstance(code, int) else ExitCode.OK
    except SystemExit as exc:
        if exc.code is None:
            return ExitCode.OK
        return exc.code if isinstance(exc.code, int) else ExitCode.FAILED
    except KeyboardInterrupt:  # Ctrl-C while typer builds the command, outside any command
        sys.stderr.write("\nAborted.\n")
        return ExitCode.INTERRUPTED
    except Exception as exc:
        if isinstance(exc, _click_exception_types("UsageError")):
            return _report_usage(exc, args)
        if isinstance(exc, _click_exception_types("Abort")):
            sys.stderr.write("\nAborted.\n")
            return ExitCode.INTERRUPTED
        raise
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        uninstall_streams(streams)


if __name__ == "__main__":
    raise SystemExit(main())
