"""The generated client's circuit breaker against a hung Momento: the handler (Python, and
Node.js when node and npm are there) invoked against the local Momento server running in a
child process, which is frozen with SIGSTOP and later thawed with SIGCONT.

Reports: warm invocation latency; while frozen, the invocations that wait for the SDK's
deadline before the breaker opens and the median of those after it opened (target < 20 ms);
after SIGCONT, the time until an invocation is served by Momento again (target: within one
cool-down, 5 s). The client runs with MOMENTO_LOCAL (no secret, no AWS).

Usage: .venv/bin/python benchmarks/breaker.py [--frozen N] [--skip-node]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

SERVER = """
import sys, time
from tests.support.momento_server import LocalMomentoServer
server = LocalMomentoServer().start()
server.state.auto_create_caches = True
print(server.port, flush=True)
time.sleep(3600)
"""

NODE_DRIVER = """
import readline from 'node:readline';
const { handler } = await import('./src/handler.mjs');
const lines = readline.createInterface({ input: process.stdin });
for await (const id of lines) {
  const started = performance.now();
  const response = await handler({ pathParameters: { id } }, {});
  const ms = performance.now() - started;
  process.stdout.write(`@@${JSON.stringify({ cache: JSON.parse(response.body).cache, ms })}\\n`);
}
"""

Invoke = Callable[[str], tuple[str, float]]


def python_invoker(project: Path) -> Invoke:
    sys.path.insert(0, str(project / "src"))
    import handler

    def invoke(item_id: str) -> tuple[str, float]:
        with contextlib.redirect_stdout(io.StringIO()):  # the handler's JSON log lines
            started = time.perf_counter()
            response = handler.lambda_handler({"pathParameters": {"id": item_id}}, None)
            elapsed = (time.perf_counter() - started) * 1000
        return json.loads(response["body"])["cache"], elapsed

    return invoke


def node_invoker(project: Path, env: dict[str, str]) -> tuple[Invoke, subprocess.Popen[str]]:
    (project / "drive.mjs").write_text(NODE_DRIVER)
    process = subprocess.Popen(
        ["node", "drive.mjs"], cwd=project, env=env, text=True,
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
    )  # fmt: skip

    def invoke(item_id: str) -> tuple[str, float]:
        assert process.stdin is not None and process.stdout is not None
        process.stdin.write(item_id + "\n")
        process.stdin.flush()
        while True:
            line = process.stdout.readline()
            if not line:
                raise RuntimeError("the node driver exited")
            if line.startswith("@@"):
                reply = json.loads(line[2:])
                return reply["cache"], float(reply["ms"])

    return invoke, process


def measure(name: str, invoke: Invoke, server: subprocess.Popen[str], frozen: int) -> dict[str, float]:
    for i in range(20):  # warm: misses, then hits
        invoke(f"warm-{i % 10}")
    warm = [invoke(f"warm-{i % 10}")[1] for i in range(50)]
    os.kill(server.pid, signal.SIGSTOP)
    try:
        during = [invoke("frozen") for _ in range(frozen)]
    finally:
        os.kill(server.pid, signal.SIGCONT)
    thawed = time.perf_counter()
    recovered = None
    while time.perf_counter() - thawed < 30:
        cache, _ = invoke("frozen")
        if cache != "error":
            recovered = time.perf_counter() - thawed
            break
        time.sleep(0.02)
    slow = [ms for _, ms in during if ms >= 100]
    opened = [ms for _, ms in during[len(slow) :]]
    figures = {
        "warm_median_ms": statistics.median(warm),
        "waits_before_open": len(slow),
        "wait_median_ms": statistics.median(slow) if slow else 0.0,
        "open_median_ms": statistics.median(opened) if opened else float("nan"),
        "open_max_ms": max(opened) if opened else float("nan"),
        "recovery_s": recovered if recovered is not None else float("inf"),
    }
    print(f"{name}")
    print(f"  warm invocation, median of 50        {figures['warm_median_ms']:8.2f} ms")
    print(
        f"  frozen: {len(slow)} invocations waited for the deadline (median {figures['wait_median_ms']:.0f} ms),"
        " then the breaker opened"
    )
    print(
        f"  frozen, breaker open: median of {len(opened)}     {figures['open_median_ms']:8.2f} ms"
        f"   (max {figures['open_max_ms']:.2f} ms; target < 20 ms)"
    )
    print(f"  after SIGCONT: served by Momento again after {figures['recovery_s']:.2f} s (target: one 5 s cool-down)")
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--frozen", type=int, default=40, help="invocations while the server is frozen")
    parser.add_argument("--skip-node", action="store_true")
    args = parser.parse_args()

    from momento_lambda_cli.scaffold.answers import build_answers
    from momento_lambda_cli.scaffold.render import render_project

    server = subprocess.Popen(
        [sys.executable, "-c", SERVER], cwd=REPO, text=True, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    )
    node: subprocess.Popen[str] | None = None
    try:
        assert server.stdout is not None
        port = int(server.stdout.readline())
        env = {
            "MOMENTO_CACHE_NAME": "bench",
            "MOMENTO_LOCAL": f"127.0.0.1:{port}",
            "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
        }
        os.environ.update(env)
        scratch = Path(tempfile.mkdtemp(prefix="bench-breaker-"))
        results = {}
        python_project = render_project(build_answers("bench-py", runtime="python3.11"), scratch).project_dir
        results["python"] = measure(
            "Python (python3.11 handler, in-process)", python_invoker(python_project), server, args.frozen
        )
        if not args.skip_node and shutil.which("node") and shutil.which("npm"):
            from tests.support.generated import npm_install

            node_project = render_project(build_answers("bench-node", runtime="nodejs22.x"), scratch).project_dir
            npm_install(node_project)
            invoke, node = node_invoker(node_project, {**os.environ, **env})
            results["node"] = measure("Node.js (nodejs22.x handler, one node process)", invoke, server, args.frozen)
        # recovery: the 5 s cool-down, plus at most one 20 ms poll and the probe itself
        ok = all(r["open_median_ms"] < 20 and r["recovery_s"] <= 5.5 for r in results.values())
        print("breaker open median < 20 ms and recovery within one cool-down:", "OK" if ok else "OVER TARGET")
        return 0 if ok else 1
    finally:
        if node is not None:
            node.kill()
            node.wait()
        os.kill(server.pid, signal.SIGCONT)
        server.kill()
        server.wait()


if __name__ == "__main__":
    raise SystemExit(main())
