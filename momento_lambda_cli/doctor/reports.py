"""CI formats for doctor's results: SARIF 2.1.0 (GitHub code scanning annotations) and JUnit XML.

Each problem (fail, error, warning, not checked) becomes a result at a file and line: the
check's own locations when it gives them (``code.parses``), else the ``path line N`` /
``path:N`` a detail names, else the function's definition in the template (the project
model's source positions), else the project's config file.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from momento_lambda_cli import __version__
from momento_lambda_cli.doctor.model import GROUP_TITLES, Check, Location, Outcome, Status, Summary
from momento_lambda_cli.project.model import Project

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
INFORMATION_URI = "https://github.com/momentohq/momento-lambda"
PROBLEMS = (Status.FAIL, Status.ERROR, Status.WARN, Status.NOT_CHECKED)
LEVELS = {Status.FAIL: "error", Status.ERROR: "error", Status.WARN: "warning", Status.NOT_CHECKED: "warning"}

_AT_LINE = re.compile(r"^(?P<file>[^\s:]+\.[A-Za-z0-9]+)(?: line |:)(?P<line>\d+)\b")
"""``src/app.py line 12: ...`` / ``src/cache.mjs:6: ...``"""
_FUNCTION = re.compile(r"^(?P<key>[A-Za-z0-9_\-]+)\s*[:(]")
"""``ApiFunction: ...`` / ``ApiFunction (python3.9) ...``: a detail about one function."""


class Locator:
    """Maps findings to (file, line) with the project model's source positions."""

    def __init__(self, root: Path, project: Project | None) -> None:
        self.root = root
        self.project = project
        self._lines: dict[Path, dict[tuple[str, ...], int]] = {}

    def _relative(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return path.as_posix()

    def _key_line(self, path: Path, *keys: str) -> int | None:
        if path not in self._lines:
            from momento_lambda_cli.project.positions import key_lines

            self._lines[path] = key_lines(path, root=self.project.root if self.project else None)
        return self._lines[path].get(keys)

    def function(self, key: str) -> Location | None:
        project = self.project
        if project is None or not any(f.key == key for f in project.functions):
            return None
        from momento_lambda_cli.frameworks import adapter_for

        function = next(f for f in project.functions if f.key == key)
        adapter = adapter_for(project)
        construct = adapter.construct_path(project, function)
        declared = adapter.declared_at(project, function)
        if declared is not None:  # the app's own code, where the framework records it
            return Location(declared[0], declared[1], construct)
        for path in [project.config_path, *project.config_files]:
            for section in ("Resources", "functions"):
                line = self._key_line(path, section, key)
                if line is not None:
                    return Location(self._relative(path), line, construct)
        return Location(self._relative(project.config_path), None, construct)

    def config(self) -> Location | None:
        if self.project is None:
            return None
        return Location(self._relative(self.project.config_path), 1)

    def locate(self, outcome: Outcome) -> list[Location]:
        result = outcome.result
        if result.locations:
            return list(result.locations)
        found: dict[tuple[str, int | None], Location] = {}
        for detail in result.details:
            at = _AT_LINE.match(detail)
            if at and (self.root / at["file"]).is_file():
                where = Location(at["file"], int(at["line"]))
            elif (named := _FUNCTION.match(detail)) and (function := self.function(named["key"])):
                where = function
            else:
                continue
            found.setdefault((where.file, where.line), where)
        if found:
            return list(found.values())
        config = self.config()
        return [config] if config is not None and not outcome.check.remote else []


def _rule(check: Check) -> dict[str, Any]:
    help_text = " ".join([check.why.rstrip(".") + ".", *check.steps]) if check.why else " ".join(check.steps)
    return {
        "id": check.id,
        "name": "".join(part.title() for part in re.split(r"[.\-]", check.id)),
        "shortDescription": {"text": check.title},
        "fullDescription": {"text": check.fails_when or check.title},
        "help": {"text": help_text or check.title},
        "defaultConfiguration": {"level": "error"},
        "properties": {"category": check.group.value, "reads": check.reads, "fixable": check.fixable},
    }


def _message(outcome: Outcome) -> str:
    result = outcome.result
    text = result.message.rstrip(".")
    if result.status is Status.NOT_CHECKED:
        text = f"Not checked: {text}"
    if result.hint:
        text += f". {result.hint}"
    return text


def sarif(checks: Sequence[Check], outcomes: Sequence[Outcome], locator: Locator) -> dict[str, Any]:
    """One SARIF 2.1.0 log: a rule per selected check, a result per problem with its locations."""
    index = {check.id: i for i, check in enumerate(checks)}
    results: list[dict[str, Any]] = []
    for outcome in outcomes:
        if outcome.result.status not in PROBLEMS:
            continue
        entry: dict[str, Any] = {
            "ruleId": outcome.check.id,
            "level": LEVELS[outcome.result.status],
            "message": {"text": _message(outcome)},
            "properties": {"status": outcome.result.status.value, "details": list(outcome.result.details)},
        }
        if outcome.check.id in index:
            entry["ruleIndex"] = index[outcome.check.id]
        if outcome.result.status is Status.NOT_CHECKED:
            entry["kind"] = "open"
        locations = [_physical(where) for where in locator.locate(outcome)]
        if locations:
            entry["locations"] = locations
        results.append(entry)
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "momento-lambda doctor",
                        "version": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": [_rule(check) for check in checks],
                    }
                },
                "originalUriBaseIds": {"%SRCROOT%": {"uri": locator.root.resolve().as_uri() + "/"}},
                "results": results,
            }
        ],
    }


def _physical(where: Location) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": {"uri": where.file, "uriBaseId": "%SRCROOT%"}}
    if where.line:
        physical["region"] = {"startLine": where.line}
    location: dict[str, Any] = {"physicalLocation": physical}
    if where.construct:
        location["logicalLocations"] = [{"fullyQualifiedName": where.construct, "kind": "resource"}]
    return location


def junit(outcomes: Sequence[Outcome], locator: Locator, *, strict: bool = False) -> str:
    """JUnit XML: a test suite per category, a test case per check. Fail and error are failures
    and errors; not checked is an error (never green); a warning is a failure with ``strict``,
    else a passing case with the warning in its output; skip is skipped."""
    from xml.etree import ElementTree as ET

    suites = ET.Element("testsuites", name="momento-lambda doctor")
    summary = Summary.of(list(outcomes))
    suites.set("tests", str(summary.total))
    by_group: dict[str, list[Outcome]] = {}
    for outcome in outcomes:
        by_group.setdefault(outcome.check.group.value, []).append(outcome)
    total_failures = total_errors = 0
    for group, members in by_group.items():
        suite = ET.SubElement(suites, "testsuite", name=GROUP_TITLES[members[0].check.group], tests=str(len(members)))
        failures = errors = skipped = 0
        for outcome in members:
            result = outcome.result
            case = ET.SubElement(
                suite,
                "testcase",
                name=f"{outcome.check.id}: {outcome.check.title}",
                classname=f"doctor.{group}",
                time=f"{outcome.duration_ms / 1000:.3f}",
            )
            where = locator.locate(outcome) if result.status in PROBLEMS else []
            if where:
                case.set("file", where[0].file)
                if where[0].line:
                    case.set("line", str(where[0].line))
            body = "\n".join(
                [*result.details, *([f"→ {result.hint}"] if result.hint else [])]
                + [
                    f"at {w.file}" + (f":{w.line}" if w.line else "") + (f" ({w.construct})" if w.construct else "")
                    for w in where
                ]
            )
            if result.status is Status.FAIL or (result.status is Status.WARN and strict):
                failures += 1
                ET.SubElement(case, "failure", message=result.message, type=result.status.value).text = body
            elif result.status in (Status.ERROR, Status.NOT_CHECKED):
                errors += 1
                ET.SubElement(case, "error", message=result.message, type=result.status.value).text = body
            elif result.status is Status.SKIP:
                skipped += 1
                ET.SubElement(case, "skipped", message=result.message)
            elif result.status is Status.WARN:
                ET.SubElement(case, "system-out").text = f"warning: {result.message}\n{body}".rstrip()
        suite.set("failures", str(failures))
        suite.set("errors", str(errors))
        suite.set("skipped", str(skipped))
        total_failures += failures
        total_errors += errors
    suites.set("failures", str(total_failures))
    suites.set("errors", str(total_errors))
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
