"""Time `momento-lambda new demo --no-input` as a whole process next to plain
`cookiecutter --no-input` on the same template and, when the SAM CLI is installed,
`sam init --no-interactive --no-input --location` on it too. Each run writes a fresh folder.

Target: momento-lambda new / cookiecutter <= 1.3x.

Usage: .venv/bin/python benchmarks/new.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import ms

REPO = Path(__file__).resolve().parents[1]
TEMPLATE = REPO / "project_templates" / "momento-lambda"
BIN = Path(sys.executable).parent


def median_of(make_argv: Callable[[Path], list[str]], runs: int, env: dict[str, str], warmup: int = 2) -> float:
    samples = []
    with tempfile.TemporaryDirectory() as scratch:
        for i in range(warmup + runs):
            out = Path(scratch) / f"run{i}"
            out.mkdir()
            start = time.perf_counter()
            subprocess.run(make_argv(out), check=True, capture_output=True, env=env, cwd=out)
            if i >= warmup:
                samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()

    home = tempfile.mkdtemp(prefix="bench-home-")  # cookiecutter's replay file, sam's settings
    env = {**os.environ, "HOME": home, "SAM_CLI_TELEMETRY": "0", "NO_COLOR": "1"}
    results = {
        "momento-lambda new demo --no-input": median_of(
            lambda out: [str(BIN / "momento-lambda"), "new", "demo", "--no-input", "-o", str(out)], args.runs, env
        ),
        "cookiecutter --no-input (same template)": median_of(
            lambda out: [str(BIN / "cookiecutter"), "--no-input", str(TEMPLATE), "-o", str(out), "project_name=demo"],
            args.runs,
            env,
        ),
    }
    sam = REPO / ".tools" / "sam" / "bin" / "sam"
    if sam.exists():
        results["sam init --no-interactive --location (same)"] = median_of(
            lambda out: [str(sam), "init", "--no-interactive", "--no-input", "--location", str(TEMPLATE),
                         "--name", "demo", "-o", str(out)],
            args.runs,
            env,
        )  # fmt: skip
    baseline = results["cookiecutter --no-input (same template)"]
    print(f"median of {args.runs} runs ({sys.executable})")
    for name, seconds in results.items():
        print(f"  {name:<44} {ms(seconds)}   {seconds / baseline:4.2f}x cookiecutter")
    ratio = results["momento-lambda new demo --no-input"] / baseline
    verdict = "OK" if ratio <= 1.3 else "OVER TARGET"
    print(f"new / cookiecutter = {ratio:.2f}x (target <= 1.30x): {verdict}")
    return 0 if ratio <= 1.3 else 1


if __name__ == "__main__":
    raise SystemExit(main())
