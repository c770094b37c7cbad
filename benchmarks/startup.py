"""Time `momento-lambda --help` and `--version` as whole processes next to a bare
`python -c "import typer"`, and print the ratio (target: --help within 1.5x of typer, #26).

Usage: .venv/bin/python benchmarks/startup.py [--runs N]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import ms, time_process

TARGET = 1.5
"""--help / import typer (#26: typer is not capped; lazy command imports keep --help cheap)."""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()

    python = sys.executable
    baseline = time_process([python, "-c", "import typer"], args.runs)
    results = {
        "python -c 'import typer'": baseline,
        "momento-lambda --help": time_process([python, "-m", "momento_lambda_cli", "--help"], args.runs),
        "momento-lambda --version": time_process([python, "-m", "momento_lambda_cli", "--version"], args.runs),
        "momento-lambda new --help": time_process([python, "-m", "momento_lambda_cli", "new", "--help"], args.runs),
    }
    print(f"median of {args.runs} runs ({python})")
    for name, seconds in results.items():
        print(f"  {name:<28} {ms(seconds)}   {seconds / baseline:4.2f}x typer")
    ratio = results["momento-lambda --help"] / baseline
    verdict = "OK" if ratio <= TARGET else "OVER TARGET"
    print(f"--help / import typer = {ratio:.2f}x (target <= {TARGET:.2f}x): {verdict}")
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
