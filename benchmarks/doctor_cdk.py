"""`momento-lambda doctor --offline` on an AWS CDK app with an up-to-date cdk.out, against the same
on the SAM project `new` generates, and `cdk synth` itself (what `doctor --synth` adds).

The CDK app is `new --framework cdk` (TypeScript, nodejs22.x; or ``--python``: python3.12),
installed through the test suite's shared caches (tests/support/generated.py: npm_install,
project_venv) and synthesized once with its own CLI before the doctor runs. The doctor processes
run interleaved, bytecode cached (as doctor_offline.py does); median and minimum.

Target: doctor on the CDK app <= 1.5x doctor on the SAM project (medians).

Usage: .venv/bin/python benchmarks/doctor_cdk.py [--runs N] [--synth-runs N] [--python]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT))
from _timing import ms, time_process  # noqa: E402

CLI = [sys.executable, "-m", "momento_lambda_cli"]


def cdk_app(folder: Path, python: bool) -> tuple[Path, dict[str, str]]:
    """A generated CDK app with its CLI installed; the environment its synth needs."""
    from tests.support.generated import npm_install, project_venv, render
    from tests.support.tools import require_python
    from tests.test_generated_cdk import cdk_env

    if python:
        project = render(folder, framework="cdk", runtime="python3.12")
        venv_python = project_venv(project, require_python("3.12"))
        npm_install(project)
        return project, cdk_env(venv_python.parent)
    project = render(folder, framework="cdk", runtime="nodejs22.x")
    npm_install(project, lock_file=True)
    return project, cdk_env()


def synth(project: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(
        [str(project / "node_modules" / ".bin" / "cdk"), "synth", "--quiet", "--no-notices"],
        cwd=project,
        env=env,
        check=True,
        capture_output=True,
        timeout=600,
    )
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--synth-runs", type=int, default=3)
    parser.add_argument("--python", action="store_true", help="a Python CDK app (python3.12) instead of TypeScript")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ)
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
        (Path(tmp) / "sam").mkdir()
        subprocess.run([*CLI, "new", "demo", "--no-input"], cwd=Path(tmp) / "sam", check=True, capture_output=True)
        sam = Path(tmp) / "sam" / "demo"
        cdk, cdk_env = cdk_app(Path(tmp) / "cdk", args.python)
        synths = [synth(cdk, cdk_env) for _ in range(args.synth_runs)]
        checked = subprocess.run([*CLI, "doctor", str(cdk), "--offline"], capture_output=True, text=True, env=env)
        assert checked.returncode == 0 and "AWS CDK" not in checked.stderr, checked.stdout + checked.stderr
        samples: dict[str, list[float]] = {"sam": [], "cdk": []}
        for _ in range(args.runs):  # interleaved: load from other processes falls on both alike
            for label, folder in (("sam", sam), ("cdk", cdk)):
                samples[label].append(time_process([*CLI, "doctor", str(folder), "--offline"], 1, warmup=0, env=env))
    kind = "Python" if args.python else "TypeScript"
    small, large = statistics.median(samples["sam"]), statistics.median(samples["cdk"])
    print(f"doctor --offline, SAM project:             {ms(small)} median, {ms(min(samples['sam']))} min")
    print(
        f"doctor --offline, CDK app ({kind}, cdk.out): {ms(large)} median, {ms(min(samples['cdk']))} min  "
        f"({large / small:.2f}x median)"
    )
    print(f"cdk synth ({kind}):                        {ms(statistics.median(synths))} median, {ms(min(synths))} min")
    print(f"CDK <= 1.5x SAM: {'OK' if large <= 1.5 * small else 'MISSED'}")


if __name__ == "__main__":
    main()
