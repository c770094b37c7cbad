"""The doctor mode of the field test (scripts/field_doctor.py) on two tiny project folders."""

from __future__ import annotations

import sys

import pytest

from tests.project.test_field_fixtures import run_script
from tests.support.tools import REPO_ROOT

pytestmark = pytest.mark.integration  # runs the field-test script as a process

FOLDERS = REPO_ROOT / "tests" / "fixtures" / "field-doctor"
STATUSES = ("pass", "warn", "fail", "skip", "error")


def test_doctor_mode_tabulates_statuses_per_check_and_marks_momento_folders() -> None:
    code, records, output = run_script(sys.executable, "field_test.py", "--doctor", "--json", "--jobs", "2", FOLDERS)
    totals = records[-1]["totals"]
    by_name = {r["folder"].rsplit("/", 1)[-1]: r for r in records[:-1]}
    assert sorted(by_name) == ["sam-python-momento", "sls-node-plain"], output
    assert (by_name["sam-python-momento"]["momento"], by_name["sls-node-plain"]["momento"]) == (True, False)
    assert [r for r in by_name.values() if "crash" in r] == []
    assert (totals["folders"], totals["momento_folders"], totals["crashes"]) == (2, 1, 0)
    assert code == (1 if totals["errors"] else 0), output
    checks = totals["checks"]
    assert "project.framework" in checks and "code.client-reuse" in checks
    for row in checks.values():
        assert sum(row[s] for s in STATUSES) == 2
    for row in totals["momento_checks"].values():
        assert sum(row[s] for s in STATUSES) == 1
    sam_checks = {c["id"]: c["status"] for c in by_name["sam-python-momento"]["checks"]}
    assert sam_checks["project.framework"] == "pass"


def test_doctor_mode_report_lists_tables_findings_and_momento_folders() -> None:
    _, _, output = run_script(sys.executable, "field_test.py", "--doctor", FOLDERS)
    assert "| check | pass | warn | fail | skip | error |" in output
    assert "## Fails and warns per folder" in output
    momento_section = output.split("## Folders that use Momento\n", 2)[-1]
    assert "sam-python-momento" in momento_section and "sls-node-plain" not in momento_section


def test_a_project_doctor_cannot_read_is_refused_not_a_crash(tmp_path) -> None:
    """doctor's one error (a template that does not parse) is counted as refused, not as a crash."""
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "template.yaml").write_text("Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n  x: [\n")
    code, records, output = run_script(sys.executable, "field_test.py", "--doctor", "--json", tmp_path)
    totals = records[-1]["totals"]
    (record,) = records[:-1]
    assert "does not parse" in record["refused"] and "crash" not in record
    assert (totals["folders"], totals["crashes"], totals["refused"]) == (1, 0, 1)
    assert code == 0, output
