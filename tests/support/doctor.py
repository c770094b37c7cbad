"""Run `momento-lambda doctor --json` and index the checks by id."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any


@dataclass
class DoctorRun:
    exit_code: int
    document: dict[str, Any]
    stderr: str

    @property
    def checks(self) -> dict[str, dict[str, Any]]:
        return {c["id"]: c for c in self.document["data"]["checks"]}

    def status(self, check_id: str) -> str:
        return str(self.checks[check_id]["status"])

    def text(self, check_id: str) -> str:
        """Message, hint and details of one check, for substring assertions."""
        check = self.checks[check_id]
        return "\n".join([check["message"], check["hint"] or "", *check["details"]])


def run_doctor(run_cli: Any, *args: str) -> DoctorRun:
    result = run_cli("doctor", "--json", *args)
    assert result.stdout.strip(), result.stderr
    return DoctorRun(result.exit_code, json.loads(result.stdout), result.stderr)
