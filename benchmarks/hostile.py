"""Time and memory of `momento-lambda doctor --offline` on hostile projects, each against the
generated project it was made from (same framework), as whole processes.

* node_modules: 100k files in ``node_modules/`` of a generated SAM project, without git
  (the walk prunes it) and inside a git work tree (``git ls-files`` with the project's
  ``.gitignore``);
* zip: 1000 ``.so`` in a 20k-entry ``.serverless/<service>.zip`` of a generated Serverless
  project (the zip index is read once, each member's first 64 bytes);
* alias bomb: a "billion laughs" ``serverless.yml`` (refused by its expanded size).

Target: each within 2x of its generated project's time; peak memory reported (cap 500 MB).

Usage: .venv/bin/python benchmarks/hostile.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from momento_lambda_cli.scaffold.answers import build_answers  # noqa: E402
from momento_lambda_cli.scaffold.render import render_project  # noqa: E402


def run_doctor(project: Path, runs: int) -> tuple[float, float]:
    """Median seconds and the largest peak RSS (MB) of ``doctor --offline`` over ``runs`` runs."""
    samples, peaks = [], []
    argv = [sys.executable, "-m", "momento_lambda_cli", "doctor", "--offline", str(project)]
    for _ in range(runs + 1):
        started = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode not in (0, 1):
            raise SystemExit(f"doctor exited {proc.returncode} on {project}")
        samples.append(time.perf_counter() - started)
        peaks.append(usage.ru_maxrss / 1024)
    return statistics.median(samples[1:]), max(peaks)


def generated(root: Path, name: str, framework: str) -> Path:
    return render_project(build_answers(name, framework=framework), root).project_dir


def add_node_modules(project: Path, count: int = 100_000) -> None:
    for index in range(count):
        folder = project / "node_modules" / f"pkg{index // 1000}" / "lib"
        if index % 1000 == 0:
            folder.mkdir(parents=True)
        (folder / f"f{index}.js").write_text("module.exports = 1;\n")


def add_zip(project: Path, service: str) -> None:
    folder = project / ".serverless"
    folder.mkdir(exist_ok=True)
    elf = b"\x7fELF\x02\x01\x01" + b"\0" * 11 + b"\x3e\x00" + b"\0" * 44
    with zipfile.ZipFile(folder / f"{service}.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        for index in range(20_000):
            if index < 1000:
                zf.writestr(f"lib{index}/_ext.cpython-313-x86_64-linux-gnu.so", elf)
            else:
                zf.writestr(f"pkg/m{index}.py", "x = 1\n")


def add_alias_bomb(project: Path) -> None:
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 12)]
    (project / "serverless.yml").write_text("\n".join(lines) + "\nservice: *a11\n")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    rows: list[tuple[str, float, float, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        sam_base = generated(root / "base-sam", "bench", "sam")
        sls_base = generated(root / "base-sls", "bench", "serverless")
        sam_time, sam_peak = run_doctor(sam_base, runs)
        sls_time, sls_peak = run_doctor(sls_base, runs)
        rows.append(("generated SAM project", sam_time, sam_peak, sam_time))
        rows.append(("generated Serverless project", sls_time, sls_peak, sls_time))

        nm = generated(root / "nm", "bench", "sam")
        add_node_modules(nm)
        seconds, peak = run_doctor(nm, runs)
        rows.append(("+100k files in node_modules, no git", seconds, peak, sam_time))
        if shutil.which("git"):
            subprocess.run(["git", "init", "-q"], cwd=nm, check=True)
            seconds, peak = run_doctor(nm, runs)
            rows.append(("+100k files in node_modules, git", seconds, peak, sam_time))

        zipped = generated(root / "zip", "bench", "serverless")
        add_zip(zipped, "bench")
        seconds, peak = run_doctor(zipped, runs)
        rows.append(("+1000 .so in a 20k-entry .serverless zip", seconds, peak, sls_time))

        bomb = generated(root / "bomb", "bench", "serverless")
        add_alias_bomb(bomb)
        seconds, peak = run_doctor(bomb, runs)
        rows.append(("alias-bomb serverless.yml", seconds, peak, sls_time))

    ok = True
    for label, seconds, peak, base in rows:
        ratio = seconds / base
        ok &= ratio <= 2.0 and peak <= 500
        print(f"  {label:<44} {seconds * 1000:8.1f} ms  {ratio:5.2f}x  peak {peak:6.1f} MB")
    print("each within 2x of its generated project, peak <= 500 MB:", "OK" if ok else "NOT MET")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
