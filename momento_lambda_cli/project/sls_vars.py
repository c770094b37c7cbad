"""The Serverless Framework's variable syntax, resolved the way Serverless v3 (osls) and v4 do.

Sources: ``${opt:...}`` (CLI options), ``${env:...}``, ``${self:a.b.c}`` (addresses into the
document, themselves resolved), ``${sls:stage}``, ``${aws:region}``, ``${param:...}``
(``params.<stage>`` then ``params.default``), ``${file(./x.yml):a.b}`` (YAML, JSON or text
inside the service folder) and ``${strToBool(...)}``; fallbacks (``${opt:stage, env:STAGE,
'dev'}``), string, number, boolean and null literals, nested variables in addresses and
parameters, and a nested variable as a fallback source (``${opt:stage, ${self:x, 'dev'}}``,
accepted by Serverless v4 and v2, an error under v3).

Whatever only the deploy can know (``${ssm:}``, ``${cf:}``, ``${s3:}``, ``${aws:accountId}``,
``${sls:instanceId}``, JavaScript files), a missing value without a fallback, a circular
reference or a syntax error becomes :class:`~.values.Unresolved` holding the string as written:
never a guess, never an exception. The work is bounded (nesting depth, total steps, file size).
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from momento_lambda_cli.errors import MomentoLambdaError
from momento_lambda_cli.project.files import read_text
from momento_lambda_cli.project.parse import load_yaml
from momento_lambda_cli.project.values import Sourced, Unresolved, child_expression, secret_by_origin

DEFAULT_STAGE = "dev"
DEFAULT_REGION = "us-east-1"
MAX_FILE_BYTES = 5 * 1024 * 1024
"""``${file()}`` reads no file larger than this."""
MAX_NEST_DEPTH = 40
"""How many variables deep a value may resolve (``self:a`` -> ``self:b`` -> ...)."""
MAX_RESULT_NEST = 10
"""How many times a value a source returned may itself hold variables (an included file
that includes a file...), as Serverless limits it."""
MAX_TREE_DEPTH = 200
"""How deeply nested mappings and lists may be."""
MAX_STRING = 1_000_000
"""The longest string a variable may build."""
MAX_STEPS = 1_000_000
"""Total work (values visited, variables resolved) before everything left is Unresolved."""

_STAGE_PATTERN = re.compile(r"^[A-Za-z0-9-]+$")
_LOWER = frozenset("abcdefghijklmnopqrstuvwxyz")
_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-")
_TYPE = re.compile(r"^[a-z][a-zA-Z0-9]*$")
_DEPLOY_TIME = {
    "ssm": "an SSM parameter, read at deploy time",
    "cf": "a CloudFormation stack output, read at deploy time",
    "s3": "an S3 object, read at deploy time",
    "sm": "a Secrets Manager secret, read at deploy time",
    "terraform": "Terraform state, read at deploy time",
    "vault": "a Vault secret, read at deploy time",
    "doppler": "a Doppler secret, read at deploy time",
}


SECRET_SOURCES = frozenset({"env", "file"})
"""Variable sources whose values are not the project's own text: every value they give is
marked secret by origin (:class:`~.values.Sourced`) and never printed; so is a ``${param:}``
given on the command line (a ``params:`` entry of serverless.yml is the project's own text).
(``ssm``, ``sm``, ``cf``, ``s3``... are never resolved offline: they stay
:class:`~.values.Unresolved` expressions.)"""


SECRET_FIELD = re.compile(
    r"password|passwd|passphrase|secret|token|credential|auth|private|salt|dsn|"
    r"(?:api|access|signing|encryption|license|master)[_-]?key|(?:^|[_-])(?:key|pass|pin)$",
    re.I,
)
"""Names of fields whose values are secrets (``dbPassword``, ``MOMENTO_API_KEY``, ``authToken``)."""
_NOT_SECRET_FIELD = re.compile(r"(?:arn|name|id|ref|url|uri|endpoint|region|required|enabled)$", re.I)
"""...unless the name says it holds an identifier or a switch (``SecretArn``, ``ApiKeyRequired``)."""


def _secret_fields(value: Any, expression: str) -> Any:
    """A mapping or list spliced in whole by ``${file(x.yml)}`` (``functions: ${file(functions.yml)}``,
    ``resources: - ${file(resources.yml)}``): a file of the project, the project's own text like
    serverless.yml (its handlers, paths, names and settings are shown as they are; the key scan
    reads the file). Only values of fields named like secrets (``dbPassword: ...``) are secret by
    origin."""
    if isinstance(value, dict):
        found = {}
        for key, item in value.items():
            child = child_expression(expression, key)
            name = str(key)
            if SECRET_FIELD.search(name) and not _NOT_SECRET_FIELD.search(name):
                found[key] = secret_by_origin(item, child)
            else:
                found[key] = _secret_fields(item, child)
        return found
    if isinstance(value, list):
        return [_secret_fields(item, expression) for item in value]
    return value


def _holds_sourced(value: Any) -> bool:
    """A list with a value from a secret source (joined into a string)."""
    return isinstance(value, list) and any(isinstance(item, Sourced) or _holds_sourced(item) for item in value)


class _Missing:
    """A source that has no value (the next fallback is tried)."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


# --------------------------------------------------------------------------- parsing


class VariableSyntaxError(ValueError):
    """A ``${...}`` that Serverless rejects."""


@dataclass
class _Part:
    """A parameter or address: a literal value, or text hosting variables."""

    value: Any
    variables: list[_Var] | None = None


@dataclass
class _Source:
    type: str | None = None
    params: list[_Part] | None = None
    address: _Part | None = None
    literal: Any = MISSING
    nested: _Var | None = None
    """A whole ``${...}`` used as a fallback source."""


@dataclass
class _Var:
    start: int
    end: int
    sources: list[_Source] = field(default_factory=list)
    escape: str | None = None
    """For ``\\${`` escapes: the text that replaces ``start:end``."""


def _literal(text: str, lenient: bool) -> Any:
    if text == "true":
        return True
    if text == "false":
        return False
    if text == "null":
        return None
    number = _number(text)
    if number is not None:
        return number
    if lenient:
        return text
    raise VariableSyntaxError(f"invalid literal source {text!r}")


def _number(text: str) -> int | float | None:
    stripped = text.strip()
    if not stripped:
        return 0
    if "_" in stripped:
        return None
    radix = {"0x": 16, "0o": 8, "0b": 2}.get(stripped[:2].lower())
    try:
        if radix:
            return int(stripped[2:], radix)
        if re.fullmatch(r"[+-]?\d+", stripped):
            return int(stripped)
        value = float(stripped)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


class _Parser:
    """Serverless v3's variable grammar (``lib/configuration/variables/parse.js``)."""

    def __init__(self, text: str) -> None:
        self.s = text
        self.n = len(text)

    def parse(self) -> list[_Var]:
        s, n = self.s, self.n
        found: list[_Var] = []
        i = 0
        while i < n:
            c = s[i]
            if c == "\\":
                j = i
                while j < n and s[j] == "\\":
                    j += 1
                if not s.startswith("${", j):
                    i = j
                    continue
                slashes = j - i
                if slashes % 2:
                    found.append(_Var(i, j + 1, escape="\\" * (slashes // 2) + "$"))
                    i = j + 1
                    continue
                found.append(_Var(i, j, escape="\\" * (slashes // 2)))
                i = j
                c = "$"
            if c == "$":
                j = i
                while j < n and s[j] == "$":
                    j += 1
                i = self._variable(i, j, found, 0, False) if j < n and s[j] == "{" else j
                continue
            i += 1
        return found

    def _skip(self, q: int) -> int:
        while q < self.n and self.s[q] == " ":
            q += 1
        return q

    def _unterminated(self) -> VariableSyntaxError:
        return VariableSyntaxError("missing closing bracket")

    def _variable(self, start: int, brace: int, sink: list[_Var], base: int, in_real: bool) -> int:
        """Parse the ``${`` at ``brace``; real variables go to ``sink`` (offsets from ``base``)."""
        s, n = self.s, self.n
        p = brace + 1
        if p < n and s[p] in _LOWER:
            q = p
            while q < n and s[q] in _ALNUM:
                q += 1
            c = s[q] if q < n else ""
            if c == ":":
                return self._address(q + 1, _Source(type=s[p:q]), [], start, sink, base, in_real)
            if c == "(":
                return self._params(q + 1, _Source(type=s[p:q], params=[]), [], start, sink, base, in_real)
            if in_real:
                raise VariableSyntaxError(f"invalid variable type at index {p}")
            if c == "}":
                return q + 1
            return self._foreign(q, sink, base)
        if in_real:
            raise VariableSyntaxError(f"invalid variable type at index {p}")
        if p < n and s[p] == "}":
            return p + 1
        return self._foreign(p, sink, base)

    def _foreign(self, q: int, sink: list[_Var], base: int) -> int:
        """Skip a ``${...}`` that is not a variable (``${AWS::Region}`` for Fn::Sub)."""
        s, n = self.s, self.n
        while q < n:
            if s.startswith("${", q):
                q = self._variable(q, q + 1, sink, base, False)
                continue
            if s[q] == "}":
                return q + 1
            q += 1
        return n

    def _finish(self, q: int, source: _Source, sources: list[_Source], start: int, sink: list[_Var], base: int) -> int:
        sources.append(source)
        sink.append(_Var(start - base, q + 1 - base, sources))
        return q + 1

    def _string(self, q: int) -> tuple[str, int]:
        s, n = self.s, self.n
        quote = s[q]
        r = q + 1
        while r < n and s[r] != quote:
            r += 2 if quote == '"' and s[r] == "\\" else 1
        if r >= n:
            raise self._unterminated()
        if quote == "'":
            return s[q + 1 : r], r + 1
        try:
            return str(json.loads(s[q : r + 1])), r + 1
        except ValueError:
            raise VariableSyntaxError(f"invalid string literal at index {q}") from None

    def _raw(self, q: int, stops: str, bad: str) -> tuple[_Part, int]:
        """Text up to one of ``stops``, with nested variables (offsets from ``q``)."""
        s, n = self.s, self.n
        nested: list[_Var] = []
        r = q
        while r < n:
            if s.startswith("${", r):
                r = self._variable(r, r + 1, nested, q, True)
                continue
            if s[r] in stops:
                return _Part(s[q:r].rstrip(), nested or None), r
            if s[r] in bad:
                raise VariableSyntaxError(f"invalid variable at index {q}")
            r += 1
        raise self._unterminated()

    def _address(
        self, q: int, source: _Source, sources: list[_Source], start: int, sink: list[_Var], base: int, in_real: bool
    ) -> int:
        s, n = self.s, self.n
        q = self._skip(q)
        if q >= n:
            raise self._unterminated()
        c = s[q]
        if c == "}":
            return self._finish(q, source, sources, start, sink, base)
        if c == ",":
            sources.append(source)
            return self._next_source(q + 1, sources, start, sink, base)
        if c == ":":
            if source.params is None and not in_real and not sources:
                return self._foreign(q, sink, base)
            raise VariableSyntaxError(f"invalid variable address at index {q}")
        if c in "'\"":
            text, q = self._string(q)
            source.address = _Part(text)
            q = self._skip(q)
        else:
            source.address, q = self._raw(q, "},", "")
        if q < n and s[q] == "}":
            return self._finish(q, source, sources, start, sink, base)
        if q < n and s[q] == ",":
            sources.append(source)
            return self._next_source(q + 1, sources, start, sink, base)
        raise VariableSyntaxError(f"invalid variable address at index {q}")

    def _params(
        self, q: int, source: _Source, sources: list[_Source], start: int, sink: list[_Var], base: int, in_real: bool
    ) -> int:
        s, n = self.s, self.n
        params = source.params if source.params is not None else []
        while True:
            q = self._skip(q)
            if q >= n:
                raise self._unterminated()
            c = s[q]
            if c == ")":
                q += 1
                break
            if c == ",":
                params.append(_Part(None))
                q += 1
                continue
            if c == "}":
                raise VariableSyntaxError(f"invalid variable param at index {q}")
            if c in "'\"":
                text, q = self._string(q)
                q = self._skip(q)
                if q < n and s[q] in "),":
                    params.append(_Part(text))
                    q += 1
                    if s[q - 1] == ")":
                        break
                    continue
                raise VariableSyntaxError(f"invalid variable param at index {q}")
            part, q = self._raw(q, "),", "}")
            if part.variables is None:
                part = _Part(_literal(str(part.value), True))
            if s[q] == ",":
                params.append(part)
                q += 1
                continue
            if part.value != "" or part.variables:
                params.append(part)
            q += 1
            break
        q = self._skip(q)
        if q >= n:
            raise self._unterminated()
        c = s[q]
        if c == ":":
            return self._address(q + 1, source, sources, start, sink, base, True)
        if c == "}":
            return self._finish(q, source, sources, start, sink, base)
        if c == ",":
            sources.append(source)
            return self._next_source(q + 1, sources, start, sink, base)
        raise VariableSyntaxError(f"invalid variable address at index {q}")

    def _next_source(self, q: int, sources: list[_Source], start: int, sink: list[_Var], base: int) -> int:
        s, n = self.s, self.n
        q = self._skip(q)
        if q >= n:
            raise self._unterminated()
        c = s[q]
        if c in _ALNUM:
            r = q
            while r < n:
                ch = s[r]
                if ch in ":(":
                    kind = s[q:r]
                    if not _TYPE.match(kind):
                        raise VariableSyntaxError(f"invalid variable source at index {q}")
                    if ch == ":":
                        return self._address(r + 1, _Source(type=kind), sources, start, sink, base, True)
                    return self._params(r + 1, _Source(type=kind, params=[]), sources, start, sink, base, True)
                if ch == "}":
                    literal = _literal(s[q:r].strip(), False)
                    return self._finish(r, _Source(literal=literal), sources, start, sink, base)
                if ch != " " and ch not in _ALNUM:
                    raise VariableSyntaxError(f"invalid variable source at index {q}")
                r += 1
            raise self._unterminated()
        if c in "'\"":
            text, r = self._string(q)
            r = self._skip(r)
            if r < n and s[r] == "}":
                return self._finish(r, _Source(literal=text), sources, start, sink, base)
            raise VariableSyntaxError(f"invalid variable source at index {q}")
        if s.startswith("${", q):
            nested: list[_Var] = []
            r = self._variable(q, q + 1, nested, q, True)
            source = _Source(nested=nested[0] if nested else None)
            r = self._skip(r)
            if r < n and s[r] == "}":
                return self._finish(r, source, sources, start, sink, base)
            if r < n and s[r] == ",":
                sources.append(source)
                return self._next_source(r + 1, sources, start, sink, base)
            raise self._unterminated()
        raise VariableSyntaxError(f"invalid variable source at index {q}")


def parse_variables(text: str) -> list[_Var] | None:
    """The variables in ``text`` (``None`` when there are none); raises VariableSyntaxError."""
    if "${" not in text:
        return None
    found = _Parser(text).parse()
    return found or None


def has_variables(text: str) -> bool:
    try:
        return parse_variables(text) is not None
    except VariableSyntaxError:
        return True


# --------------------------------------------------------------------------- resolving


@dataclass(frozen=True)
class Choice:
    """The stage or region Serverless uses, and where it came from."""

    value: str | Unresolved
    origin: str
    """``option`` (``--stage`` / ``--region``), ``provider`` (``provider.stage`` /
    ``provider.region``) or ``default``."""


def js_string(value: Any) -> str | None:
    """``value`` as JavaScript's ``String()`` gives it inside a string (lists joined with
    commas), ``None`` for values Serverless refuses to put in a string (mappings, null)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e21:
            return str(int(value))
        return repr(value)
    if isinstance(value, list):
        return ",".join(_array_item(item) for item in value)
    return None


def _may_host_variables(value: Any) -> bool:
    if isinstance(value, str):
        return "${" in value
    return isinstance(value, dict | list)


def _contains_unresolved(value: Any) -> bool:
    if isinstance(value, list):
        return any(_contains_unresolved(item) for item in value)
    return isinstance(value, Unresolved)


def _array_item(item: Any) -> str:
    """An element as JavaScript's ``Array.prototype.join`` writes it."""
    if item is None or isinstance(item, Unresolved):
        return "" if item is None else item.expression
    if isinstance(item, dict):
        return "[object Object]"
    return js_string(item) or ""


class _Budget(Exception):
    pass


class SlsVariables:
    """Resolves the variables of one serverless.yml document for one set of CLI options.

    ``options`` holds the CLI options (``{"stage": "prod", "region": "eu-west-1"}``;
    ``param`` may be a list of ``key=value``), ``environ`` the environment ``${env:}`` reads.
    Results are memoized; :attr:`files_read` lists every file ``${file()}`` read."""

    def __init__(
        self,
        root: Path,
        document: Mapping[str, Any],
        *,
        options: Mapping[str, Any] | None = None,
        environ: Mapping[str, str] | None = None,
        max_steps: int = MAX_STEPS,
    ) -> None:
        self.root = root
        self.real_root = Path(os.path.realpath(root))
        self.document: Any = document
        self.options = dict(options or {})
        self.environ: Mapping[str, str] = dict(os.environ) if environ is None else environ
        self.files_read: list[Path] = []
        self.problems: list[str] = []
        self._max_steps = max_steps
        self._steps = 0
        self._nest = 0
        self._results = 0
        self._memo: dict[tuple[str, ...], Any] = {}
        self._active: set[tuple[str, ...]] = set()
        self._files: dict[Path, Any] = {}
        self._file_memo: dict[tuple[str, str], Any] = {}
        self._file_active: set[tuple[str, str]] = set()
        self._stage: Choice | None = None
        self._region: Choice | None = None
        self._params: dict[str, Any] | None = None
        self._dotenv_values: dict[str, str] | None = None

    # ----------------------------------------------------------------- public

    def resolve_all(self) -> Any:
        """The whole document with every variable resolved."""
        return self.get(())

    def get(self, keys: tuple[str, ...] | str) -> Any:
        """The resolved value at ``keys`` (``"provider.stage"`` or a tuple), ``None`` when absent."""
        if isinstance(keys, str):
            keys = tuple(keys.split(".")) if keys else ()
        value = self._lookup(keys)
        return None if value is MISSING else value

    def resolve_text(self, text: str) -> Any:
        """A string resolved in this document's context (not memoized)."""
        try:
            return self._text(text)
        except _Budget:
            return Unresolved(text, "variable resolution took too much work")

    @property
    def stage(self) -> Choice:
        """``--stage``, else ``provider.stage`` (resolved), else ``dev``."""
        if self._stage is None:
            option = self.options.get("stage")
            if option is not None:
                self._stage = Choice(_valid_stage(option), "option")
            else:
                value = self._lookup(("provider", "stage"))
                if value is MISSING:
                    self._stage = Choice(DEFAULT_STAGE, "default")
                else:
                    self._stage = Choice(_valid_stage(value), "provider")
        return self._stage

    @property
    def region(self) -> Choice:
        """``--region``, else ``provider.region`` (resolved), else ``us-east-1``."""
        if self._region is None:
            option = self.options.get("region")
            if option:
                self._region = Choice(str(option), "option")
            else:
                value = self._lookup(("provider", "region"))
                if value is MISSING or value == "" or value is False:
                    self._region = Choice(DEFAULT_REGION, "default")
                elif isinstance(value, Unresolved):
                    self._region = Choice(value, "provider")
                else:
                    text = js_string(value)
                    self._region = Choice(
                        text if text is not None else Unresolved(repr(value), "provider.region is not a string"),
                        "provider",
                    )
        return self._region

    def params(self) -> dict[str, Any]:
        """The ``${param:}`` values for the stage: ``--param`` options, ``params.<stage>``,
        then ``params.default``."""
        if self._params is None:
            self._params = self._stage_params()
        return self._params

    def _stage_params(self) -> dict[str, Any]:
        result: dict[str, Any] = dict(self._cli_params())
        stage = self.stage.value
        sections = [stage] if isinstance(stage, str) else []
        for section in [*sections, "default"]:
            found = self._lookup(("params", section))
            if isinstance(found, Mapping):
                for name, value in found.items():
                    if value is not None and str(name) not in result:
                        result[str(name)] = value
        return result

    def written(self, keys: tuple[str, ...]) -> Any:
        """The value at ``keys`` as written: variables left as they are, except that a
        whole-value ``${file(...)}`` include is followed into the file's content."""
        try:
            node: Any = self.document
            for key in keys:
                node = self._follow_include(node)
                node = _child(node, key)
                if node is MISSING:
                    return None
            return self._follow_include(node)
        except _Budget:
            return None

    def _follow_include(self, node: Any) -> Any:
        for _ in range(MAX_NEST_DEPTH):
            if not isinstance(node, str) or "${" not in node:
                return node
            try:
                variables = parse_variables(node)
            except VariableSyntaxError:
                return node
            if not variables or len(variables) != 1 or variables[0].start != 0 or variables[0].end != len(node):
                return node
            source = variables[0].sources[0] if variables[0].sources else None
            if source is None or source.type != "file" or not source.params:
                return node
            written = self._part(source.params[0])
            content = self._read_file(written) if isinstance(written, str) else MISSING
            if content is MISSING or isinstance(content, Unresolved):
                return node
            address = self._part(source.address) if source.address is not None else None
            for key in str(address).split(".") if isinstance(address, str) and address else []:
                content = _child(content, key)
            if content is MISSING:
                return node
            node = content
        return node

    # ----------------------------------------------------------------- document walk

    def _tick(self, amount: int = 1) -> None:
        self._steps += amount
        if self._steps > self._max_steps:
            raise _Budget

    def _lookup(self, keys: tuple[str, ...]) -> Any:
        """The resolved value at ``keys``: MISSING, a value, or Unresolved."""
        depth = len(keys)
        if any(len(active) > depth and active[:depth] == keys for active in self._active):
            return Unresolved(
                ".".join(keys) or "(document)", "circular reference: it contains the value being resolved"
            )
        try:
            node: Any = self.document
            resolved = False
            for i, key in enumerate(keys):
                if not resolved and isinstance(node, str):
                    node = self._property(keys[:i], node)
                    resolved = True
                if isinstance(node, Unresolved):
                    return node
                node = _child(node, key)
                if node is MISSING or node is None:
                    return MISSING
            if isinstance(node, Unresolved):
                return node
            if not resolved:
                node = self._deep(node, keys, 0)
            return MISSING if node is None else node
        except _Budget:
            return Unresolved(".".join(keys) or "(document)", "variable resolution took too much work")

    def _deep(self, node: Any, keys: tuple[str, ...], depth: int) -> Any:
        if isinstance(node, str):
            return self._property(keys, node) if "${" in node else node
        if not isinstance(node, dict | list):
            return node
        if keys in self._memo:
            return self._memo[keys]
        if keys in self._active:
            return Unresolved(".".join(keys) or "(document)", "circular reference")
        self._tick()
        if depth > MAX_TREE_DEPTH:
            return Unresolved(".".join(keys), "nested too deeply")
        result: Any
        self._active.add(keys)
        try:
            if isinstance(node, dict):
                result = {k: self._deep(v, (*keys, str(k)), depth + 1) for k, v in node.items()}
            else:
                result = [self._deep(v, (*keys, str(i)), depth + 1) for i, v in enumerate(node)]
        finally:
            self._active.discard(keys)
        self._memo[keys] = result
        return result

    def _property(self, keys: tuple[str, ...], text: str) -> Any:
        """A string property of the document, resolved (memoized, cycles detected)."""
        if keys in self._memo:
            return self._memo[keys]
        if keys in self._active:
            return Unresolved(text, f"circular reference at {'.'.join(keys)}")
        self._active.add(keys)
        try:
            value = self._text(text)
        finally:
            self._active.discard(keys)
        self._memo[keys] = value
        return value

    # ----------------------------------------------------------------- strings

    def _text(self, text: str) -> Any:
        """``text`` with its variables resolved: the value itself for a whole-string variable,
        else a string; Unresolved (the whole ``text``) when any part cannot be resolved."""
        self._tick()
        try:
            variables = parse_variables(text)
        except VariableSyntaxError as exc:
            return Unresolved(text, f"variable syntax: {exc}")
        if not variables:
            return text
        if self._nest >= MAX_NEST_DEPTH:
            return Unresolved(text, "variables nested too deeply")
        self._nest += 1
        try:
            return self._substitute(text, variables)
        finally:
            self._nest -= 1

    def _substitute(self, text: str, variables: list[_Var]) -> Any:
        if (
            len(variables) == 1
            and variables[0].start == 0
            and variables[0].end == len(text)
            and not variables[0].escape
        ):
            value = self._variable(variables[0])
            if isinstance(value, Unresolved):
                return _wrap(text, value)
            self._charge(value)
            if self._results >= MAX_RESULT_NEST and _may_host_variables(value):
                return Unresolved(text, "variables nested too deeply (a value resolves to variables, again and again)")
            self._results += 1
            try:
                return self._nested(value, 0)
            finally:
                self._results -= 1
        pieces: list[str] = []
        last = 0
        length = len(text)
        for var in variables:
            pieces.append(text[last : var.start])
            last = var.end
            if var.escape is not None:
                pieces.append(var.escape)
                continue
            value = self._variable(var)
            if isinstance(value, Unresolved):
                return _wrap(text, value)
            piece = None if _contains_unresolved(value) else js_string(value)
            if piece is None:
                return Unresolved(text, f"{text[var.start : var.end]} is not a string, number or boolean")
            if "${" in piece:
                nested = self._text(piece)
                if isinstance(nested, Unresolved):
                    return _wrap(text, nested)
                piece = js_string(nested) or ""
                if isinstance(value, Sourced) or _holds_sourced(value):
                    piece = Sourced(piece, text[var.start : var.end])
            elif _holds_sourced(value) and not isinstance(piece, Sourced):
                piece = Sourced(piece, text[var.start : var.end])
            pieces.append(piece)
            length += len(piece)
            if length > MAX_STRING:
                return Unresolved(text, f"resolves to more than {MAX_STRING} characters")
        pieces.append(text[last:])
        self._tick(length // 256)
        joined = "".join(pieces)
        if any(isinstance(piece, Sourced) for piece in pieces):
            return secret_by_origin(joined, text)
        return joined

    def _charge(self, value: Any) -> None:
        """Count every node of a mapping or list a variable copies in (shared values count
        each time), so that references to references cannot build an exponential document."""
        stack = [value]
        while stack:
            item = stack.pop()
            if isinstance(item, dict):
                self._tick(len(item) + 1)
                stack.extend(v for v in item.values() if isinstance(v, dict | list))
            elif isinstance(item, list):
                self._tick(len(item) + 1)
                stack.extend(v for v in item if isinstance(v, dict | list))

    def _nested(self, value: Any, depth: int) -> Any:
        """Variables inside a value a source returned (an included file's content)."""
        self._tick()
        if isinstance(value, str):
            return self._text(value) if "${" in value else value
        if depth > MAX_TREE_DEPTH:
            return Unresolved("(value)", "nested too deeply")
        if isinstance(value, dict):
            return {k: self._nested(v, depth + 1) for k, v in value.items()}
        if isinstance(value, list):
            return [self._nested(v, depth + 1) for v in value]
        return value

    def _part(self, part: _Part) -> Any:
        if not part.variables:
            return part.value
        return self._substitute(str(part.value), part.variables)

    # ----------------------------------------------------------------- variables

    def _variable(self, var: _Var) -> Any:
        """A variable's value (a value or Unresolved; never MISSING)."""
        last: _Source | None = None
        for source in var.sources:
            value = self._source(source)
            if isinstance(value, Unresolved):
                return value
            if value is not MISSING:
                return value
            last = source
        return Unresolved(_describe(last), "no value" + _hint(last))

    def _source(self, source: _Source) -> Any:
        if source.nested is not None:
            value = self._variable(source.nested)
            return MISSING if value is None else value
        if source.type is None:
            return source.literal
        params = [self._part(p) for p in source.params or []]
        for value in params:
            if isinstance(value, Unresolved):
                return value
        address = self._part(source.address) if source.address is not None else None
        if isinstance(address, Unresolved):
            return address
        if address is not None and not isinstance(address, str):
            address = js_string(address)
        kind = source.type
        handler = getattr(self, f"_src_{kind}", None)
        if handler is None:
            expression = _describe(source)
            reason = _DEPLOY_TIME.get(kind, f"the {kind!r} variable source is not one Serverless resolves offline")
            return Unresolved(expression, reason)
        value = handler(params, address, source)
        if value is None or value is MISSING:
            return MISSING
        if kind == "file" and isinstance(value, dict | list):
            return _secret_fields(value, _describe(source))
        if kind in SECRET_SOURCES:
            return secret_by_origin(value, _describe(source))
        return value

    def _src_opt(self, params: list[Any], address: str | None, source: _Source) -> Any:
        if address is None:
            return dict(self.options)
        value = self.options.get(address)
        return MISSING if value is None else value

    def _src_env(self, params: list[Any], address: str | None, source: _Source) -> Any:
        if not address:
            return Unresolved("${env:}", "missing address in the env source")
        value = self.environ.get(address)
        if value is None:
            value = self._dotenv().get(address)
        return MISSING if value is None else value

    def _dotenv(self) -> Mapping[str, str]:
        """With ``useDotenv: true``: ``.env.<stage>``, else ``.env`` (values the environment
        does not set; read once the stage is known, as Serverless does)."""
        if self._dotenv_values is None:
            self._dotenv_values = {}
            if self._lookup(("useDotenv",)) is True and isinstance(self.stage.value, str):
                for name in (f".env.{self.stage.value}", ".env"):
                    path = self.root / name
                    if path.is_file():
                        self._dotenv_values.update(self._read_dotenv(path))
                        break
        return self._dotenv_values

    def _read_dotenv(self, path: Path) -> dict[str, str]:
        real = Path(os.path.realpath(path))
        try:
            text = read_text(path, self.real_root, MAX_FILE_BYTES) or ""
        except MomentoLambdaError:
            self.problems.append(
                f"{path.name} is not read: not a regular UTF-8 file inside the service folder, or too large"
            )
            return {}
        if real not in self.files_read:
            self.files_read.append(real)
        return parse_dotenv(text)

    def _src_self(self, params: list[Any], address: str | None, source: _Source) -> Any:
        keys = tuple(address.split(".")) if address else ()
        return self._lookup(keys)

    def _src_sls(self, params: list[Any], address: str | None, source: _Source) -> Any:
        if address == "stage":
            return self.stage.value
        if address == "instanceId":
            return Unresolved("${sls:instanceId}", "a new id on every deploy")
        return Unresolved(_describe(source), f"unsupported sls address {address!r}")

    def _src_aws(self, params: list[Any], address: str | None, source: _Source) -> Any:
        if address == "region":
            return self.region.value
        if address == "accountId":
            return Unresolved("${aws:accountId}", "the deploying account, known at deploy time")
        return Unresolved(_describe(source), f"unsupported aws address {address!r}")

    def _src_param(self, params: list[Any], address: str | None, source: _Source) -> Any:
        if not address:
            return Unresolved("${param:}", "missing address in the param source")
        cli = self._cli_params()
        if address in cli:
            return secret_by_origin(cli[address], _describe(source))
        stage = self.stage.value
        for section in [stage, "default"] if isinstance(stage, str) else ["default"]:
            found = self._lookup(("params", section, address))
            if found is not MISSING:
                return found
        return MISSING

    def _src_strToBool(self, params: list[Any], address: str | None, source: _Source) -> Any:
        raw = params[0] if params else None
        if raw is None:
            return Unresolved("${strToBool()}", "missing strToBool input")
        text = (js_string(raw) or "").strip().lower()
        if text in {"true", "1"}:
            return True
        if text in {"false", "0"}:
            return False
        return Unresolved(_describe(source), f"strToBool expects true, false, 0 or 1, not {raw!r}")

    def _src_file(self, params: list[Any], address: str | None, source: _Source) -> Any:
        written = params[0] if params else None
        if not isinstance(written, str) or not written:
            return Unresolved(_describe(source), "missing or non-string file path")
        key = (os.path.realpath(self._candidate(written)), address or "")
        if key in self._file_memo:
            return self._file_memo[key]
        if key in self._file_active:
            return Unresolved(_describe(source), "the file includes itself")
        self._file_active.add(key)
        try:
            result = self._file_value(written, address)
        finally:
            self._file_active.discard(key)
        self._file_memo[key] = result
        return result

    def _file_value(self, written: str, address: str | None) -> Any:
        """The content of an included file (at ``address``) with its variables resolved."""
        result = self._read_file(written)
        if result is MISSING or isinstance(result, Unresolved):
            return result
        for key in address.split(".") if address else []:
            if isinstance(result, str):
                result = self._text(result)
                if isinstance(result, Unresolved):
                    return result
            result = _child(result, key)
            if result is MISSING or result is None:
                return MISSING
        return self._nested(result, 0)

    def _cli_params(self) -> dict[str, str]:
        raw = self.options.get("param")
        items = [raw] if isinstance(raw, str) else list(raw) if isinstance(raw, list | tuple) else []
        found: dict[str, str] = {}
        for item in items:
            key, sep, value = str(item).partition("=")
            if sep and key and value and key not in found:
                found[key] = value.rstrip()
        return found

    # ----------------------------------------------------------------- files

    def _candidate(self, written: str) -> Path:
        candidate = Path(written)
        return candidate if candidate.is_absolute() else self.root / candidate

    def _read_file(self, written: str) -> Any:
        real = Path(os.path.realpath(self._candidate(written)))
        if not real.is_relative_to(self.real_root):
            self.problems.append(f"${{file({written})}} is not read: it is outside the service folder")
            return Unresolved(f"${{file({written})}}", "the file is outside the service folder")
        if real in self._files:
            return self._files[real]
        content = self._load_file(written, real)
        self._files[real] = content
        return content

    def _load_file(self, written: str, real: Path) -> Any:
        expression = f"${{file({written})}}"
        if not real.exists():
            return MISSING
        if not real.is_file():
            return Unresolved(expression, "not a regular file")
        suffix = real.suffix.lower()
        if suffix in {".js", ".cjs", ".mjs", ".ts"}:
            return Unresolved(expression, "a JavaScript file, evaluated by Serverless")
        try:
            size = real.stat().st_size
        except OSError as exc:
            return Unresolved(expression, f"cannot read it: {exc.strerror}")
        if size > MAX_FILE_BYTES:
            return Unresolved(expression, f"larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
        self._tick(max(1, size // 64))
        if real not in self.files_read:
            self.files_read.append(real)
        if suffix in {".yml", ".yaml"}:
            try:
                return load_yaml(real, self.real_root)
            except MomentoLambdaError as exc:
                self.problems.append(f"{written}: {exc.message}")
                return Unresolved(expression, exc.message)
        try:
            text = read_text(real, self.real_root, MAX_FILE_BYTES) or ""
        except MomentoLambdaError as exc:
            return Unresolved(expression, f"cannot read it: {exc.code}")
        if suffix in {".json", ".tfstate"}:
            try:
                return json.loads(text)
            except ValueError as exc:
                self.problems.append(f"{written}: not valid JSON ({exc})")
                return Unresolved(expression, "not valid JSON")
        return text


_DOTENV_LINE = re.compile(r"^\s*(?:export\s+)?([\w.-]+)\s*[=:]\s*(.*?)\s*$")


def parse_dotenv(text: str) -> dict[str, str]:
    """``KEY=value`` lines as the ``dotenv`` package reads them (quotes, ``#`` comments,
    ``export`` prefixes; ``\\n`` in double quotes is a newline; no ``${VAR}`` expansion)."""
    values: dict[str, str] = {}
    lines = text.replace("\r\n", "\n").split("\n")
    index = 0
    while index < len(lines):
        match = _DOTENV_LINE.match(lines[index])
        index += 1
        if not match:
            continue
        key, raw = match.groups()
        if raw[:1] in {'"', "'", "`"}:
            quote = raw[0]
            body = raw[1:]
            while quote not in body and index < len(lines):
                body += "\n" + lines[index]
                index += 1
            value = body.split(quote, 1)[0]
            if quote == '"':
                value = value.replace("\\n", "\n").replace("\\r", "\r")
        else:
            value = raw.split(" #", 1)[0].strip() if not raw.startswith("#") else ""
        values[key] = value
    return values


def _valid_stage(value: Any) -> str | Unresolved:
    if isinstance(value, Unresolved):
        return value
    if isinstance(value, str) and _STAGE_PATTERN.match(value):
        return value
    return Unresolved(str(value), "not a valid stage name (ASCII letters, digits and hyphens)")


def _child(node: Any, key: str) -> Any:
    if isinstance(node, Mapping):
        if key in node:
            return node[key]
        for k, v in node.items():
            if not isinstance(k, str) and js_string(k) == key:
                return v
        return MISSING
    if isinstance(node, list) and key.isdigit():
        index = int(key)
        return node[index] if index < len(node) else MISSING
    if isinstance(node, str | list) and key == "length":
        return len(node)
    return MISSING


def _describe(source: _Source | None) -> str:
    if source is None:
        return "${}"
    if source.type is None:
        return repr(source.literal)
    text = source.type
    if source.params is not None:
        text += "(" + ", ".join(str(p.value) for p in source.params) + ")"
    if source.address is not None:
        text += ":" + str(source.address.value)
    return "${" + text + "}"


def _hint(source: _Source | None) -> str:
    if source is None or source.type is None:
        return ""
    if source.type == "param":
        return " (not in params: a --param option or a Serverless Dashboard parameter)"
    if source.type == "env":
        return " (not set in the environment)"
    if source.type == "opt":
        return " (no such CLI option)"
    if source.type == "file":
        return " (no such file or key)"
    return ""


def _wrap(text: str, inner: Unresolved) -> Unresolved:
    if inner.expression == text:
        return inner
    reason = inner.reason if inner.expression in inner.reason else f"{inner.expression}: {inner.reason}"
    return Unresolved(text, reason)
