#!/usr/bin/env python3
"""Field test of ``doctor``: run ``momento-lambda doctor --offline --json`` on every project folder.

    scripts/field-test.sh --doctor [--jobs N] [--limit-seconds N] [--json] DIR...

Project folders are found as in ``field_test.py``. Each folder gets its own
``python -m momento_lambda_cli doctor --offline --json FOLDER`` process (``--jobs`` at once,
killed after ``--limit-seconds``), with AWS_PROFILE / AWS_REGION / AWS_DEFAULT_REGION removed
from its environment. A folder "uses Momento" when a dependency file or a source file under it
names the Momento SDK (``@gomomento/`` or the Python ``momento`` package).

The report tabulates statuses per check id (pass / warn / fail / skip / error), then lists each
folder's fails and warns with their messages, then the folders that use Momento. ``--json``
prints one record per folder and then the totals. A folder whose doctor run crashed (no JSON
envelope, an exit status other than 0 / 1, or the time limit) is listed as a crash; exit
status 1 when any folder crashed or any check said ``error``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from field_test import PRUNE, REPO, project_folders

STATUSES = ("pass", "warn", "fail", "skip", "error")
SOURCE_SUFFIXES = {".py", ".js", ".mjs", ".cjs", ".ts", ".mts", ".cts"}
DEPENDENCY_FILES = {"package.json", "pyproject.toml", "Pipfile", "setup.py", "setup.cfg", "poetry.lock"}
MOMENTO = re.compile(
    r"@gomomento/|^\s*(?:from\s+momento\b|import\s+momento\b)|^\s*momento\s*(?:[<>=~!;\[]|$)|\"momento\"\s*[:=]",
    re.MULTILINE,
)
MAX_SCAN_BYTES = 512_000
DROPPED_ENV = ("AWS_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION")


def uses_momento(folder: Path) -> bool:
    """Whether a dependency file or a source file under ``folder`` names the Momento SDK."""
    for current, subdirs, files in os.walk(folder):
        subdirs[:] = [d for d in subdirs if d not in PRUNE]
        for name in files:
            path = Path(current) / name
            if not (
                name in DEPENDENCY_FILES
                or (name.startswith("requirements") and name.endswith(".txt"))
                or path.suffix in SOURCE_SUFFIXES
            ):
                continue
            try:
                if path.stat().st_size <= MAX_SCAN_BYTES and MOMENTO.search(path.read_text("utf-8", "replace")):
                    return True
            except OSError:
                continue
    return False


def run_doctor(folder: Path, limit: float, python: str) -> dict[str, Any]:
    """One folder's record: its checks (id, status, message) or what went wrong running doctor."""
    env = {k: v for k, v in os.environ.items() if k not in DROPPED_ENV}
    record: dict[str, Any] = {"folder": str(folder), "momento": uses_momento(folder)}
    try:
        proc = subprocess.run(
            [python, "-m", "momento_lambda_cli", "doctor", "--offline", "--json", str(folder)],
            capture_output=True,
            text=True,
            env=env,
            timeout=limit,
            cwd=REPO,
        )
    except subprocess.TimeoutExpired:
        record["crash"] = f"no answer within {limit:g} s"
        return record
    try:
        envelope = json.loads(proc.stdout)
        if proc.returncode == 1 and envelope["data"] is None and envelope["errors"]:
            # doctor's one error for a project it cannot read (no project, YAML that does not parse)
            record["refused"] = envelope["errors"][0]["message"][:400]
            record["checks"] = []
            return record
        checks = envelope["data"]["checks"]
    except (ValueError, KeyError, TypeError):
        record["crash"] = f"exit {proc.returncode}, no JSON envelope: {(proc.stderr or proc.stdout).strip()[-400:]}"
        return record
    if proc.returncode not in (0, 1):
        record["crash"] = f"exit {proc.returncode}: {proc.stderr.strip()[-400:]}"
    record["framework"] = envelope["data"].get("framework")
    record["checks"] = [
        {"id": c["id"], "status": c["status"], "message": c.get("message", ""), "details": c.get("details") or []}
        for c in checks
    ]
    return record


def tabulate(records: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Totals: folders, crashes, per check id a count per status, and the same over Momento folders."""
    per_check: dict[str, Counter[str]] = defaultdict(Counter)
    momento_per_check: dict[str, Counter[str]] = defaultdict(Counter)
    folders = momento = crashes = refused = 0
    for record in records:
        folders += 1
        momento += record["momento"]
        crashes += "crash" in record
        refused += "refused" in record
        for check in record.get("checks", []):
            per_check[check["id"]][check["status"]] += 1
            if record["momento"]:
                momento_per_check[check["id"]][check["status"]] += 1

    def table(counts: dict[str, Counter[str]]) -> dict[str, dict[str, int]]:
        return {cid: {s: counts[cid][s] for s in STATUSES} for cid in sorted(counts)}

    return {
        "folders": folders,
        "momento_folders": momento,
        "crashes": crashes,
        "refused": refused,
        "errors": sum(c["error"] for c in per_check.values()),
        "checks": table(per_check),
        "momento_checks": table(momento_per_check),
    }


def status_table(title: str, table: dict[str, dict[str, int]]) -> list[str]:
    lines = [f"## {title}", "", "| check | " + " | ".join(STATUSES) + " |", "|---" * (len(STATUSES) + 1) + "|"]
    lines += [f"| {cid} | " + " | ".join(str(row[s]) for s in STATUSES) + " |" for cid, row in table.items()]
    return [*lines, ""]


def findings(record: dict[str, Any]) -> list[str]:
    if "crash" in record:
        return [f"  CRASH {record['crash']}"]
    lines = []
    for check in record.get("checks", []):
        if check["status"] in ("fail", "warn", "error"):
            lines.append(f"  {check['status'].upper():<5} {check['id']}: {check['message']}")
            lines += [f"        {detail}" for detail in check["details"]]
    return lines


def report(records: list[dict[str, Any]], totals: dict[str, Any]) -> str:
    lines = [
        f"folders: {totals['folders']}, using Momento: {totals['momento_folders']}, "
        f"crashes: {totals['crashes']}, refused (one error: the project cannot be read): {totals['refused']}, "
        f"error statuses: {totals['errors']}",
        "",
        *status_table("All folders", totals["checks"]),
        *status_table("Folders that use Momento", totals["momento_checks"]),
        "## Fails and warns per folder",
        "",
    ]
    for record in records:
        found = findings(record)
        if found:
            lines += [record["folder"] + (" [momento]" if record["momento"] else ""), *found]
    lines += ["", "## Folders that use Momento", ""]
    lines += [r["folder"] for r in records if r["momento"]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--doctor", action="store_true", help="(selects this mode in field-test.sh)")
    parser.add_argument("dirs", nargs="+", type=Path)
    parser.add_argument("--jobs", type=int, default=2, help="doctor processes at once")
    parser.add_argument("--limit-seconds", type=float, default=60.0, help="time limit per folder")
    parser.add_argument("--json", action="store_true", help="one JSON record per folder, then the totals")
    args = parser.parse_args(argv)
    folders = list(project_folders(args.dirs))
    records = []
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        for record in pool.map(lambda f: run_doctor(f, args.limit_seconds, sys.executable), folders):
            records.append(record)
            if args.json:
                print(json.dumps(record, sort_keys=True), flush=True)
    totals = tabulate(records)
    print(json.dumps({"totals": totals}, sort_keys=True) if args.json else report(records, totals))
    return 1 if totals["crashes"] or totals["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
