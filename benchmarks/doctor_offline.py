"""`momento-lambda doctor --offline` (every check, as a process) on the generated project and on
the same project grown to 200 functions (#24's speed targets).

The 200-function copy repeats the generated function resource 200 times (its properties, policy,
environment and API event), every one over the same ``src/`` code: what a large service looks
like to the doctor (one template, one code folder read once).

Targets: the generated project <= 0.4 s, the 200-function one within 1.5x of it (medians).

The processes run with their bytecode cached (``PYTHONPYCACHEPREFIX`` in a temporary folder,
``PYTHONDONTWRITEBYTECODE`` unset), as an installed wheel runs; ``--no-bytecode`` keeps the
caller's environment (with ``PYTHONDONTWRITEBYTECODE=1``, as on the shared machine, every run
compiles the package's modules again: about +80 ms).

``--base DIR`` (a checkout of another commit, e.g. ``git archive REV | tar -x -C DIR``) runs
that package too (``PYTHONPATH=DIR``, same interpreter), interleaved with this one, and reports
each process's CPU time (user + sys) beside the wall time: CPU time moves less than wall time
when other work shares the machine.

Usage: .venv/bin/python benchmarks/doctor_offline.py [--runs N] [--no-bytecode] [--base DIR]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import ms, time_process  # noqa: E402

CLI = [sys.executable, "-m", "momento_lambda_cli"]
FUNCTIONS = 200


def generate(folder: Path) -> Path:
    subprocess.run([*CLI, "new", "demo", "--no-input"], cwd=folder, check=True, capture_output=True)
    return folder / "demo"


def grow(project: Path, target: Path, count: int) -> Path:
    """A copy of ``project`` whose template holds ``count`` copies of its function."""
    import shutil

    shutil.copytree(project, target)
    text = (target / "template.yaml").read_text()
    head, rest = text.split("Resources:\n", 1)
    match = re.match(r"(  MomentoFunction:\n(?:    .*\n|\n)+?)(?=\S|  \S|\Z)", rest)
    assert match, "the generated template's function resource"
    block = match.group(1)
    copies = "".join(block.replace("MomentoFunction:", f"MomentoFunction{i}:") for i in range(1, count))
    (target / "template.yaml").write_text(head + "Resources:\n" + block + copies + rest[len(block) :])
    return target


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--no-bytecode", action="store_true", help="keep PYTHONDONTWRITEBYTECODE as it is")
    parser.add_argument("--base", type=Path, help="a checkout of another commit to compare with")
    args = parser.parse_args()
    if args.base is not None:
        compare(args.base.resolve(), args.runs, bytecode=not args.no_bytecode)
        return
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ)
        if not args.no_bytecode:
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            env["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
        one = generate(Path(tmp))
        many = grow(one, Path(tmp) / "many", FUNCTIONS)
        listed = subprocess.run(
            [*CLI, "doctor", str(many), "--offline", "--json"], capture_output=True, text=True, env=env
        )
        assert f"{FUNCTIONS} functions" in listed.stdout, listed.stdout[:400]
        # interleaved, so that load from other processes falls on both alike; median and minimum
        samples: dict[str, list[float]] = {"one": [], "many": []}
        for _ in range(args.runs):
            for label, folder in (("one", one), ("many", many)):
                samples[label].append(time_process([*CLI, "doctor", str(folder), "--offline"], 1, warmup=0, env=env))
        small, large = statistics.median(samples["one"]), statistics.median(samples["many"])
        low_small, low_large = min(samples["one"]), min(samples["many"])
    print(f"doctor --offline, generated project (1 function): {ms(small)} median, {ms(low_small)} min")
    print(
        f"doctor --offline, {FUNCTIONS} functions:               {ms(large)} median, {ms(low_large)} min  "
        f"({large / small:.2f}x median, {low_large / low_small:.2f}x min)"
    )
    print(f"generated <= 400 ms: {'OK' if small <= 0.4 else 'MISSED'}")
    print(f"{FUNCTIONS} functions <= 1.5x: {'OK' if large <= 1.5 * small else 'MISSED'}")


def _run(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall, CPU) seconds of one process."""
    start = time.perf_counter()
    process = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd="/")
    _pid, status, usage = os.wait4(process.pid, 0)
    assert os.waitstatus_to_exitcode(status) in (0, 1), argv
    return time.perf_counter() - start, usage.ru_utime + usage.ru_stime


def compare(base: Path, runs: int, *, bytecode: bool) -> None:
    """This checkout against ``base``, interleaved: wall and CPU, median and minimum."""
    with tempfile.TemporaryDirectory() as tmp:
        envs = {}
        for label, source in (("base", base), ("this", ROOT)):
            env = dict(os.environ, PYTHONPATH=str(source))
            if bytecode:
                env.pop("PYTHONDONTWRITEBYTECODE", None)
                env["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / f"pycache-{label}")
            envs[label] = env
        one = generate(Path(tmp))
        many = grow(one, Path(tmp) / "many", FUNCTIONS)
        wall: dict[tuple[str, str], list[float]] = {}
        cpu: dict[tuple[str, str], list[float]] = {}
        for round_ in range(runs + 1):  # the first round warms the bytecode caches
            for label, env in envs.items():
                for name, folder in (("generated", one), (f"{FUNCTIONS} functions", many)):
                    elapsed, used = _run([*CLI, "doctor", str(folder), "--offline"], env)
                    if round_:
                        wall.setdefault((label, name), []).append(elapsed)
                        cpu.setdefault((label, name), []).append(used)
    for (label, name), samples in wall.items():
        used = cpu[(label, name)]
        print(
            f"{label:4} {name:14} wall {ms(statistics.median(samples))} median {ms(min(samples))} min | "
            f"CPU {ms(statistics.median(used))} median {ms(min(used))} min"
        )
    for label in envs:
        small, large = wall[(label, "generated")], wall[(label, f"{FUNCTIONS} functions")]
        print(
            f"{label}: {FUNCTIONS} functions / generated = {statistics.median(large) / statistics.median(small):.2f}x"
        )


if __name__ == "__main__":
    main()
