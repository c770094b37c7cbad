"""Defence in depth for the secret contract: mask secret values in any text.

Two layers, both applied by :func:`redact`:

* values registered with :func:`register_secret` (every key the CLI reads), with their
  first 8 characters, which are how keys are usually recognised; a registered JSON document
  (a SecretString) is masked whole, and each string value in it as a value of its own (the
  document's own first characters are punctuation and indentation, not secret);
* anything SHAPED like a Momento key, registered or not. Every Momento key format (JWT
  v2 and legacy keys, base64-of-JSON v1 keys) is base64 of a JSON object: any token
  starting with ``eyJ`` (base64 of ``{"``) is masked whole, also a truncated one, wherever
  it starts; so is a base64 / base64url token (also percent-encoded) that decodes to a JSON
  object opened with whitespace (``{ "``, ``{\n  "``: ``eyAi``, ``ewog``...), found inside
  a longer run of base64 characters too.

:func:`install` wraps ``sys.stdout`` and ``sys.stderr`` so that every string the process
writes passes through :func:`redact` at the last moment, after any truncation.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import sys
import urllib.parse
from typing import Any, TextIO

_secrets: set[str] = set()
_documents: set[str] = set()
"""Registered JSON documents: masked whole, never by their first characters."""
MASK = "****"
_MIN_LENGTH = 8
_KEY_SHAPE = re.compile(r"eyJ[A-Za-z0-9_\-+/=.%]{5,}")
"""A base64 / base64url token starting with ``{"`` and at least 8 characters long."""
_RUN = re.compile(r"[A-Za-z0-9_\-+/=%.]{16,}")
"""A run of base64 / base64url / percent-encoded characters (dots join JWT segments)."""
_JSON_START = re.compile(r"e[w-z]")
"""Where base64 of ``{`` followed by any byte below 0x80 starts."""
_TRIES_PER_RUN = 8
"""Start positions tried inside one run: keeps a long run of ``ey`` linear."""


def register_secret(value: str | None) -> None:
    """Remember ``value`` as secret for the rest of the process.

    A JSON object or array is remembered whole, and each of its string values as a secret
    of its own, except the values of fields that are not secret (endpoints, ``validUntil``)."""
    if not value or len(value) < _MIN_LENGTH:
        return
    if value.lstrip().startswith(("{", "[")):
        try:
            document = json.loads(value)
        except ValueError:
            document = None
        if isinstance(document, dict | list):
            _documents.add(value)
            for leaf in _secret_strings(document):
                register_secret(leaf)
            return
    _secrets.add(value)


_sourced: dict[str, str] = {}
"""Values resolved from outside a project's own text (``${env:...}``, ``${file(...)}``...) ->
the expression they came from, which output shows in their place."""
_MIN_SOURCED_LENGTH = 3
"""Sourced values of 3 to 7 characters (``dev``, ``x7q``) are replaced where they stand as a word
of their own; 8 and more everywhere. One- and two-character values (``1``, ``on``) cannot be told
from ordinary text and are left to the structured output, which names every sourced value by its
expression whatever its length (:func:`momento_lambda_cli.project.values.shown`)."""


_PUBLIC_SHAPES = (re.compile(r"[a-z]{2}(?:-[a-z]+)+-\d"),)
"""Sourced values that are public identifiers by their shape, never rewritten in text: an AWS
region name (``${env:AWS_REGION}`` = ``us-east-1``) is part of every ARN, endpoint and console
link the tool prints (store-token's ``secret_arn`` in ``--json``), and no secret has that shape.
Doctor's settings lines still name such a value by its expression and origin."""


def register_sourced(value: str, expression: str) -> None:
    """Remember ``value`` as secret by origin: :func:`redact` writes ``expression`` in its place
    (and masks its first 8 characters wherever they appear, as for keys). A value of a public
    shape (:data:`_PUBLIC_SHAPES`: an AWS region name) is left as it is."""
    value = value.strip()
    if any(shape.fullmatch(value) for shape in _PUBLIC_SHAPES):
        return
    if len(value) >= _MIN_SOURCED_LENGTH and value not in _sourced and value not in expression:
        _sourced[value] = expression


def _secret_strings(document: object) -> list[str]:
    from momento_lambda_cli import contract

    public = {contract.ENDPOINT_FIELD, contract.REFRESHER_ENDPOINT_FIELD, contract.REFRESHER_VALID_UNTIL_FIELD}
    if isinstance(document, dict):
        items = [v for k, v in document.items() if k not in public]
    elif isinstance(document, list):
        items = list(document)
    else:
        return []
    found: list[str] = []
    for item in items:
        found.extend([item] if isinstance(item, str) else _secret_strings(item))
    return found


def redact(text: str) -> str:
    """``text`` with every registered secret (and any 8+ character prefix of one) and every
    key-shaped token masked."""
    for document in sorted(_documents, key=len, reverse=True):
        if document in text:
            text = text.replace(document, MASK)
    for secret in sorted(_secrets, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, MASK)
        prefix = secret[:_MIN_LENGTH]
        if prefix in text:
            text = text.replace(prefix, MASK)
    if _sourced:
        text = _redact_sourced(text)
    if "eyJ" in text:
        text = _KEY_SHAPE.sub(MASK, text)
    if "e" in text:
        text = _RUN.sub(_mask_json_run, text)
    return text


def _redact_sourced(text: str) -> str:
    """Each sourced value replaced by its expression. The expressions put in are held aside
    (private-use placeholders) until the end, so that a shorter value never rewrites the inside
    of one (``env`` in ``${env:X}``), nor a first-8-characters mask a label's own text."""
    labels: list[str] = []

    def hold(label: str) -> str:
        labels.append(label)
        return f"\ue000{chr(0xE100 + len(labels) - 1)}\ue001"

    for value in sorted(_sourced, key=len, reverse=True):
        if value not in text and value[:_MIN_LENGTH] not in text:
            continue
        label = _sourced[value]
        if len(value) >= _MIN_LENGTH:
            text = text.replace(value, hold(label))
            if value[:_MIN_LENGTH] not in label:  # a prefix the project writes itself is not secret
                text = text.replace(value[:_MIN_LENGTH], MASK)
        else:  # a short value: only where it stands as a word of its own
            placeholder = hold(label).replace("\\", "\\\\")  # a replacement string, not a function
            text = re.sub(rf"(?<![\w-]){re.escape(value)}(?![\w-])", placeholder, text)
    if labels:
        text = re.sub("\ue000(.)\ue001", lambda m: labels[ord(m.group(1)) - 0xE100], text)
    return text


def _mask_json_run(match: re.Match[str]) -> str:
    """The run with everything from the first base64-of-a-JSON-object start masked."""
    run = match.group(0)
    for tries, start in enumerate(m.start() for m in _JSON_START.finditer(run)):
        if tries >= _TRIES_PER_RUN:
            break
        if len(run) - start >= 16 and is_json_object_base64(run[start : start + 24]):
            return run[:start] + MASK
    return run


def is_json_object_base64(head: str) -> bool:
    """Whether ``head`` (the start of a token) is base64 / base64url of ``{`` + whitespace + ``"``."""
    head = urllib.parse.unquote(head.split(".", 1)[0]).rstrip("=")
    head = head[: len(head) // 4 * 4]
    if len(head) < 8:
        return False
    try:
        raw = base64.b64decode(head.replace("-", "+").replace("_", "/"), validate=True)
    except (binascii.Error, ValueError):
        return False
    return raw[:1] == b"{" and raw[1:].lstrip(b" \t\r\n")[:1] == b'"'


def forget_all() -> None:
    """Drop every registered secret (for tests)."""
    _secrets.clear()
    _documents.clear()
    _sourced.clear()


class RedactingStream:
    """A text stream that redacts every string before it reaches ``stream``."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    @property
    def wrapped(self) -> TextIO:
        return self._stream

    def write(self, text: str) -> int:
        self._stream.write(redact(text))
        return len(text)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def install() -> tuple[TextIO, TextIO]:
    """Wrap ``sys.stdout`` and ``sys.stderr`` (once); returns the previous pair for :func:`uninstall`."""
    previous = (sys.stdout, sys.stderr)
    if not isinstance(sys.stdout, RedactingStream):
        sys.stdout = RedactingStream(sys.stdout)
    if not isinstance(sys.stderr, RedactingStream):
        sys.stderr = RedactingStream(sys.stderr)
    return previous


def uninstall(previous: tuple[TextIO, TextIO]) -> None:
    sys.stdout, sys.stderr = previous
