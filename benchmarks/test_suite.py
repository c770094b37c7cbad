"""The test suite's own cost: each tier's wall time and test count on this machine.

    .venv/bin/python benchmarks/test_suite.py                   # unit, integration, slow on .venv's Python
    .venv/bin/python benchmarks/test_suite.py --tiers unit --nox  # plus the unit tier per other Python (nox)
    .venv/bin/python benchmarks/test_suite.py -n 1              # one worker, to compare

Each tier runs as ``pytest -m TIER -n N -q -p no:cacheprovider`` (N = ``auto`` by default, the
pyproject's setting), timed whole (start-up and collection included). The machine's load
average before and after is printed: record it with the figures in benchmarks/README.md.
Targets: unit + integration <= 240 s; the unit tier <= 90 s on each other Python.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TIERS = ("unit", "integration", "slow")
_COUNTS = re.compile(r"(\d+) (passed|failed|skipped|errors?|deselected)")


def run(argv: list[str]) -> tuple[float, str, int]:
    started = time.perf_counter()
    proc = subprocess.run(argv, cwd=REPO, capture_output=True, text=True, check=False)
    return time.perf_counter() - started, proc.stdout + proc.stderr, proc.returncode


def counts(output: str) -> str:
    lines = [line for line in output.splitlines() if _COUNTS.search(line) and " in " in line]
    tail = lines[-1] if lines else ""
    found = {kind: int(n) for n, kind in _COUNTS.findall(tail)}
    return ", ".join(f"{n} {kind}" for kind, n in found.items() if kind != "deselected") or tail


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.2f} / {five:.2f} (1 / 5 min)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tiers", default=",".join(TIERS), help="comma-separated tiers (default: all three)")
    parser.add_argument("-n", default="auto", help="pytest-xdist workers (default: auto)")
    parser.add_argument("--nox", action="store_true", help="also time the unit tier on each other Python (nox)")
    args = parser.parse_args()

    print(f"{time.strftime('%Y-%m-%d %H:%M')}  {os.cpu_count()} cores  Python {sys.version.split()[0]}  {load()}")
    failed = False
    for tier in args.tiers.split(","):
        argv = [sys.executable, "-m", "pytest", "-m", tier, "-n", args.n, "-q", "-p", "no:cacheprovider"]
        seconds, output, code = run(argv)
        failed |= code not in (0, 5)
        print(f"  {tier:<12} {seconds:7.1f} s  {counts(output)}  (exit {code})")
    if args.nox:
        nox = str(Path(sys.executable).with_name("nox"))
        listed, _, _ = run([nox, "--list"])
        for session in re.findall(r"^\* (unit-3\.\d+)", listed, re.MULTILINE):
            run([nox, "-s", session, "--install-only"])
            seconds, output, code = run([nox, "-s", session, "--", "-n", args.n])
            failed |= code != 0
            print(f"  {session:<12} {seconds:7.1f} s  {counts(output)}  (exit {code})")
    print(f"  after: {load()}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
