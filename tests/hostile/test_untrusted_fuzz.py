"""Issue #22: fuzz the files a project hands the CLI (the answers file, samconfig.toml,
serverless.yml, package.json, pyproject.toml) and assert that whatever they hold, the CLI
answers with a result or an ``Error:`` line, never "This is a bug" or a traceback.

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

from momento_lambda_cli.scaffold.answers import ANSWER_FIELDS  # noqa: E402
from tests.support import generated, projects  # noqa: E402

pytestmark = pytest.mark.integration

EXAMPLES = int(os.environ.get("MOMENTO_LAMBDA_FUZZ_EXAMPLES", "60"))
"""Bounded for the integration tier (~15 s); raise it locally to fuzz longer."""

_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.sampled_from(["{{ 7 * 7 }}", "{% raw %}", "${env:HOME}", "python3.13", "arm64", "sam", "../../x", "\x00", "é"]),
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


mutations = st.one_of(
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
                "functions.api.handler",
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


@pytest.fixture(scope="module")
def bases(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("fuzz-bases")
    return {
        "sam": generated.render(root / "sam", "fuzzsam"),
        "serverless": projects.serverless_project(root / "sls", "fuzzsls"),
    }


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
def test_no_project_file_shape_is_a_bug(run_cli, bases, mutation, base, command):
    with tempfile.TemporaryDirectory(prefix="fuzz-") as scratch:
        project = Path(scratch) / "p"
        shutil.copytree(bases[base], project)
        _apply(project, mutation)

        result = run_cli(*command, str(project))

    assert "This is a bug" not in result.output, (mutation, command, result.output)
    assert "Traceback" not in result.output, (mutation, command, result.output)
    assert result.exit_code in (0, 1, 2), (mutation, command, result.output)
    if result.exit_code != 0 and command[0] != "doctor":
        assert "Error:" in result.stderr or "update" in result.stdout.lower(), (mutation, command, result.output)
