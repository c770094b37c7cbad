"""Issue #22: fuzz the files a project hands the CLI (the answers file, samconfig.toml,
serverless.yml, package.json, pyproject.toml) and assert that whatever they hold, the CLI
answers with a result or an ``Error:`` line, never "This is a bug" or a traceback, and never
prints a value resolved from ``${env:}`` / ``${file()}``: a planted secret is reachable through
the serverless base and through the fuzzed values, and no 8-character piece of it may appear in
stdout, stderr or the JSON.

Integration tier: hundreds of whole CLI runs (in-process, for speed), bounded by
``max_examples`` to stay well under 30 s on a shared machine.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from momento_lambda_cli.project.parse import loads_yaml  # noqa: E402
from momento_lambda_cli.scaffold.answers import ANSWER_FIELDS  # noqa: E402
from tests.support import generated, keys, projects  # noqa: E402
from tests.support.leaks import assert_no_leak, assert_no_piece  # noqa: E402

pytestmark = pytest.mark.integration

EXAMPLES = int(os.environ.get("MOMENTO_LAMBDA_FUZZ_EXAMPLES", "50"))
"""Bounded for the integration tier (~15 s); raise it locally to fuzz longer."""

ENV_SECRET = f"Fz9{keys.MARKER}Qw7Ep2Rt"
"""Planted in the environment as FUZZ_SECRET (not key-shaped: only its origin makes it secret)."""
FILE_SECRET = f"pw{keys.MARKER}Hk4Lm8Zx"
"""Planted in fuzz-secrets.yml (token) beside serverless.yml."""
SHORT_SECRET = "q9z"
"""Planted as FUZZ_PIN: a 3-character value from the environment must not print either."""
SECRETS_FILE = "fuzz-secrets.yml"
SOURCED_EXPRESSIONS = [
    "${env:FUZZ_SECRET}",
    "x-${env:FUZZ_SECRET}-y",
    "${env:FUZZ_PIN}",
    f"${{file(./{SECRETS_FILE}):token}}",
    f"${{file(./{SECRETS_FILE})}}",
    "${env:FUZZ_SECRET, 'fallback'}",
]
"""Expressions the fuzzed values use to reach the planted secrets."""

_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.sampled_from(["{{ 7 * 7 }}", "{% raw %}", "${env:HOME}", "python3.13", "arm64", "sam", "../../x", "\x00", "é"]),
    st.sampled_from(SOURCED_EXPRESSIONS),
)
json_values = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
ANSWER_KEYS = sorted(
    {*ANSWER_FIELDS, "_template", "_tool_version", "generated_by", "managed_files", "functions", "doctor"}
)


def _json_text(value: Any) -> str:
    return json.dumps(value, allow_nan=True)


def _yaml_mapping(keys: list[str], value: Any) -> str:
    """A YAML document setting ``keys`` (nested) to ``value`` (JSON is YAML)."""
    text = _json_text(value)
    lines = []
    for depth, key in enumerate(keys[:-1]):
        lines.append("  " * depth + f"{key}:")
    lines.append("  " * (len(keys) - 1) + f"{keys[-1]}: {text}")
    return "\n".join(lines) + "\n"


SOURCED_PATHS = [
    "service",
    "provider.stage",
    "provider.region",
    "provider.runtime",
    "provider.timeout",
    "provider.memorySize",
    "provider.stackName",
    "functions.hello.handler",
    "functions.hello.runtime",
    "functions.hello.timeout",
    "functions.hello.environment.MOMENTO_API_KEY",
    "custom.pythonRequirements.fileName",
    "custom.pythonRequirements.dockerizePip",
    "plugins",
]
"""Where a fuzzed serverless.yml takes a planted secret: settings doctor, add and update print,
check or refuse (a message naming a bad value must name its expression, never the value)."""
_sourced_values = st.one_of(
    st.sampled_from(SOURCED_EXPRESSIONS),
    st.sampled_from(SOURCED_EXPRESSIONS),
    st.sampled_from(SOURCED_EXPRESSIONS),
    st.lists(st.sampled_from(SOURCED_EXPRESSIONS), min_size=1, max_size=2),
    st.dictionaries(st.sampled_from(["a", "b"]), st.sampled_from(SOURCED_EXPRESSIONS), min_size=1, max_size=2),
)
_sourced = st.tuples(st.just("sourced"), st.sampled_from(SOURCED_PATHS), _sourced_values)

mutations = st.one_of(
    _sourced,
    _sourced,
    _sourced,
    _sourced,
    st.tuples(st.just("answers-field"), st.sampled_from(ANSWER_KEYS), json_values),
    st.tuples(st.just("answers-raw"), st.just(""), st.binary(max_size=60)),
    st.tuples(
        st.just("samconfig"),
        st.sampled_from(
            [
                "version",
                "default.deploy.parameters.stack_name",
                "default.deploy.parameters.parameter_overrides",
                "default.deploy.parameters.region",
                "default.build.parameters.use_container",
                "default",
            ]
        ),
        json_values,
    ),
    st.tuples(
        st.just("serverless"),
        st.sampled_from(
            [
                "service",
                "provider.runtime",
                "provider.environment",
                "functions",
                "functions.hello.handler",
                "provider.timeout",
                "params",
                "custom.pythonRequirements",
                "plugins",
                "provider.iam",
            ]
        ),
        json_values,
    ),
    st.tuples(st.just("package.json"), st.sampled_from(["dependencies", "type", "name", ""]), json_values),
    st.tuples(
        st.just("pyproject.toml"), st.sampled_from(["project.dependencies", "project", "tool.poetry"]), json_values
    ),
)
COMMANDS = [
    ["doctor", "--offline", "--json"],
    ["update", "--check"],
    ["update", "--dry-run"],
    ["add", "--dry-run", "--no-input"],
]


PLANTED_SLS = f"""
    FUZZ_TOKEN: ${{env:FUZZ_SECRET}}
    FUZZ_PIN: ${{env:FUZZ_PIN}}
    FUZZ_FILE: ${{file(./{SECRETS_FILE}):token}}
    FUZZ_JOINED: pre-${{env:FUZZ_SECRET}}
"""


@pytest.fixture(scope="module")
def bases(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("fuzz-bases")
    sam = generated.render(root / "sam", "fuzzsam")
    sls = projects.serverless_project(root / "sls", "fuzzsls")
    text = (sls / "serverless.yml").read_text(encoding="utf-8")
    environment = text.index("  environment:\n") + len("  environment:\n")  # provider.environment
    (sls / "serverless.yml").write_text(
        text[:environment] + PLANTED_SLS.lstrip("\n") + text[environment:], encoding="utf-8"
    )
    for project in (sam, sls):
        (project / SECRETS_FILE).write_text(f"token: {FILE_SECRET}\nother: 1\n", encoding="utf-8")
    return {"sam": sam, "serverless": sls}


@pytest.fixture
def planted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    monkeypatch.setenv("FUZZ_SECRET", ENV_SECRET)
    monkeypatch.setenv("FUZZ_PIN", SHORT_SECRET)
    return [ENV_SECRET, FILE_SECRET, SHORT_SECRET]


def _toml_value(value: Any) -> str:
    """A TOML rendering of ``value`` where TOML can hold it, else a string of its JSON."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int) and abs(value) < 2**63:
        return str(value)
    if isinstance(value, float):
        return {"nan": "nan", "inf": "inf", "-inf": "-inf"}.get(str(value), repr(value))
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return json.dumps(value)
    return json.dumps(_json_text(value) if not isinstance(value, str) else value)


def _apply(project: Path, mutation: tuple[str, str, Any]) -> None:
    kind, where, value = mutation
    answers = project / ".momento-lambda.json"
    if kind == "answers-field":
        document = json.loads(answers.read_text(encoding="utf-8"))
        document[where] = value
        answers.write_text(json.dumps(document, allow_nan=True), encoding="utf-8")
    elif kind == "answers-raw":
        answers.write_bytes(value)
    elif kind == "samconfig":
        *table, key = where.split(".") if "." in where else ["", where]
        header = f"[{'.'.join(table)}]\n" if table and table[0] else ""
        (project / "samconfig.toml").write_text(f"{header}{key} = {_toml_value(value)}\n", encoding="utf-8")
    elif kind == "sourced":  # set inside the document: the rest of the project (and its planted env) stays
        path = project / "serverless.yml"
        document = loads_yaml(path.read_text(encoding="utf-8"), path.name)  # short tags in long form
        *parents, key = where.split(".")
        node = document
        for name in parents:
            node = node.setdefault(name, {}) if isinstance(node.get(name), dict | None) else {}
        node[key] = value
        path.write_text(json.dumps(document), encoding="utf-8")
    elif kind == "serverless":
        path = project / "serverless.yml"
        text = path.read_text(encoding="utf-8") if path.exists() else ""
        path.write_text(text + "\n" + _yaml_mapping(where.split("."), value), encoding="utf-8")
    elif kind == "package.json":
        document = {where: value} if where else value
        (project / "package.json").write_text(json.dumps(document, allow_nan=True), encoding="utf-8")
    else:
        *table, key = where.split(".")
        (project / "pyproject.toml").write_text(
            f"[{'.'.join(table)}]\n{key} = {_toml_value(value)}\n", encoding="utf-8"
        )


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize="MOMENTO_LAMBDA_FUZZ_EXAMPLES" not in os.environ,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(mutation=mutations, base=st.sampled_from(["sam", "serverless"]), command=st.sampled_from(COMMANDS))
def test_no_project_file_shape_is_a_bug_or_a_leak(run_cli, bases, planted, mutation, base, command):
    with tempfile.TemporaryDirectory(prefix="fuzz-") as scratch:
        project = Path(scratch) / "p"
        shutil.copytree(bases[base], project)
        if mutation[0] == "sourced":  # the expressions resolve in serverless.yml only
            shutil.rmtree(project)
            shutil.copytree(bases["serverless"], project)
        _apply(project, mutation)

        result = run_cli(*command, str(project))

    assert "This is a bug" not in result.output, (mutation, command, result.output)
    assert "Traceback" not in result.output, (mutation, command, result.output)
    assert result.exit_code in (0, 1, 2), (mutation, command, result.output)
    if result.exit_code != 0 and command[0] != "doctor":
        assert "Error:" in result.stderr or "update" in result.stdout.lower(), (mutation, command, result.output)
    assert_no_leak(result.output, planted)
    assert_no_piece(result.output, planted)
    if "--json" in command and result.stdout.strip():
        json.loads(result.stdout)


SWEEP_EXPRESSIONS = ["${env:FUZZ_SECRET}", f"${{file(./{SECRETS_FILE}):token}}", "${env:FUZZ_PIN}"]
SWEEP = [
    (where, command, SWEEP_EXPRESSIONS[(i + j) % len(SWEEP_EXPRESSIONS)])
    for i, where in enumerate(SOURCED_PATHS)
    for j, command in enumerate([["doctor", "--offline", "--json"], ["add", "--dry-run", "--no-input"]])
]


@pytest.mark.parametrize(("where", "command", "expression"), SWEEP, ids=[f"{c[0]}-{w}" for w, c, _ in SWEEP])
def test_a_planted_secret_in_any_printed_setting_never_prints(run_cli, bases, planted, where, command, expression):
    """The sweep behind the fuzz: each setting doctor and add print, check or refuse, resolved
    from a planted secret; the random examples above rarely hit all of them in a bounded run."""
    with tempfile.TemporaryDirectory(prefix="sweep-") as scratch:
        project = Path(scratch) / "p"
        shutil.copytree(bases["serverless"], project)
        _apply(project, ("sourced", where, expression))

        result = run_cli(*command, str(project))

    assert "This is a bug" not in result.output, result.output
    assert_no_leak(result.output, planted)
    assert_no_piece(result.output, planted)
