"""Where the Momento API key comes from: stdin, an environment variable, or a hidden prompt.

There is deliberately no way to pass the key as a command-line argument (shell history,
``ps``). Order: ``--from-stdin``; ``--from-env VAR``; ``MOMENTO_API_KEY`` when set; a
hidden prompt when stdin is a terminal (and prompting is allowed). Otherwise an error.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TextIO

from momento_lambda_cli.errors import MomentoLambdaError, UsageError
from momento_lambda_cli.redact import register_secret

DEFAULT_KEY_ENV = "MOMENTO_API_KEY"
PROMPT = "Momento API key (input hidden): "
EMPTY_PROMPT = "Nothing was typed. Paste the Momento API key (input hidden, try {attempt} of {attempts}): "
PROMPT_ATTEMPTS = 3


@dataclass(frozen=True)
class KeyInput:
    """The key and a description of where it came from (never the key)."""

    api_key: str
    origin: str
    """``stdin``, ``env:MOMENTO_API_KEY`` or ``prompt``."""

    def __repr__(self) -> str:
        return f"KeyInput(api_key='****', origin={self.origin!r})"


def _hidden_prompt() -> str:
    """The key typed at a hidden prompt; an empty Enter asks again (:data:`PROMPT_ATTEMPTS` tries)."""
    import getpass

    prompt = PROMPT
    for attempt in range(2, PROMPT_ATTEMPTS + 2):
        try:
            value = getpass.getpass(prompt)
        except EOFError:
            break
        if value.strip():
            return value
        prompt = EMPTY_PROMPT.format(attempt=attempt, attempts=PROMPT_ATTEMPTS)
    raise MomentoLambdaError(
        "No Momento API key was typed.",
        "Paste the key at the prompt and press Enter, or use --from-stdin / MOMENTO_API_KEY.",
        code="key.missing",
    )


def read_key(
    *,
    from_stdin: bool,
    from_env: str | None,
    allow_prompt: bool,
    stdin: TextIO | None = None,
    environ: Mapping[str, str] | None = None,
    prompt: Callable[[], str] | None = None,
) -> KeyInput:
    """Read the key from the first source that applies; raises :class:`MomentoLambdaError`.

    The value is stripped of surrounding whitespace (a trailing newline from ``echo``)
    and registered with :mod:`redact` at once.
    """
    stdin = stdin if stdin is not None else sys.stdin
    environ = environ if environ is not None else os.environ
    prompt = prompt or _hidden_prompt
    if from_stdin and from_env:
        raise UsageError(
            "--from-stdin and --from-env cannot be used together.",
            "Pick one source for the key.",
            code="usage.conflicting-key-sources",
        )
    if from_stdin:
        if _is_tty(stdin):
            return _accept(prompt(), "prompt")  # never echo a key typed at a terminal
        return _accept(stdin.readline(), "stdin")
    if from_env:
        if not from_env.replace("_", "").isalnum():
            register_secret(from_env)  # it may be the key itself: never shown
            raise UsageError(
                "--from-env takes the NAME of an environment variable, not the key; the value given is not shown.",
                "E.g. `read -rs MOMENTO_API_KEY && export MOMENTO_API_KEY`, then --from-env MOMENTO_API_KEY; "
                "or pipe the key with --from-stdin.",
                code="usage.bad-env-name",
            )
        value = environ.get(from_env)
        if value is None or not value.strip():
            raise MomentoLambdaError(
                f"The environment variable {from_env} is not set or empty.",
                f"Export it first (e.g. `read -rs {from_env} && export {from_env}`), or use --from-stdin.",
                code="key.env-missing",
            )
        return _accept(value, f"env:{from_env}")
    value = environ.get(DEFAULT_KEY_ENV)
    if value is not None and value.strip():
        return _accept(value, f"env:{DEFAULT_KEY_ENV}")
    on_terminal = _is_tty(stdin)
    if allow_prompt and on_terminal:
        return _accept(prompt(), "prompt")
    to_prompt = "or drop --no-input to be prompted" if on_terminal else "or run in a terminal to be prompted"
    raise MomentoLambdaError(
        "No Momento API key was given.",
        f"Pipe it in with --from-stdin, set {DEFAULT_KEY_ENV} (or --from-env VAR), "
        f"{to_prompt}. The key is never taken as an argument.",
        code="key.missing",
    )


def _accept(value: str, origin: str) -> KeyInput:
    key = (value or "").strip()
    register_secret(key)
    return KeyInput(key, origin)


def _is_tty(stream: TextIO) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def normalise_endpoint(endpoint: str | None) -> str | None:
    """The host name of a v2 key's endpoint (``https://`` and ``cache.`` removed); raises on junk."""
    if endpoint is None:
        return None
    value = endpoint.strip()
    for prefix in ("https://", "http://"):
        if value.startswith(prefix):
            value = value[len(prefix) :]
    value = value.rstrip("/")
    if value.startswith("cache."):
        value = value[len("cache.") :]  # the SDK adds cache. / control. itself
    if not value or any(ch.isspace() or ch == "/" for ch in value):
        raise UsageError(
            f"--endpoint {endpoint!r} is not a Momento endpoint.",
            "Use the host name the Momento console shows, e.g. cell-4-us-west-2-1.prod.a.momentohq.com.",
            code="usage.bad-endpoint",
        )
    return value
