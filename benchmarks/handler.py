"""The generated Python handler's costs: the warm-invocation overhead of the client accessor
(`momento_client.get_client()` / `call(op)`) next to using a ready client directly (target:
under 5 microseconds), and the cold-start import time of the handler module.

Usage: .venv/bin/python benchmarks/handler.py [--calls N] [--runs N]
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

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def per_call_ns(function, calls: int, repeats: int = 7) -> float:
    best = []
    for _ in range(repeats):
        start = time.perf_counter_ns()
        for _ in range(calls):
            function()
        best.append((time.perf_counter_ns() - start) / calls)
    return min(best)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()

    from momento_lambda_cli.scaffold.answers import build_answers
    from momento_lambda_cli.scaffold.render import render_project

    scratch = Path(tempfile.mkdtemp(prefix="bench-handler-"))
    project = render_project(build_answers("bench", runtime="python3.11"), scratch).project_dir
    src = project / "src"
    sys.path.insert(0, str(src))
    os.environ.update({"MOMENTO_CACHE_NAME": "bench", "MOMENTO_SECRET_ARN": "unused", "MOMENTO_LOCAL": "127.0.0.1:9"})
    import momento_client
    from momento.responses import CacheGet

    # A ready, lazy client (it never connects here): built once, as on a cold start.
    from tests.support.keys import v2_key

    provider = momento_client.credential_provider(v2_key(), "cell-bench.example.com")
    client = momento_client.CacheClient(
        momento_client.Configurations.Lambda.latest(), provider, momento_client.default_ttl()
    )
    momento_client._client = client
    hit = CacheGet.Miss()

    def operation(c):
        return hit

    direct = per_call_ns(lambda: client, args.calls)
    accessor = per_call_ns(momento_client.get_client, args.calls)
    direct_op = per_call_ns(lambda: operation(client), args.calls)
    wrapped_op = per_call_ns(lambda: momento_client.call(operation), args.calls)

    python = sys.executable
    env = {**os.environ}
    env.pop("MOMENTO_LOCAL", None)

    def median_import(code: str) -> float:
        samples = []
        for _ in range(args.runs):
            start = time.perf_counter()
            subprocess.run([python, "-c", code], check=True, cwd=src, env=env)
            samples.append(time.perf_counter() - start)
        return statistics.median(samples)

    bare = median_import("pass")
    handler_import = median_import("import handler")
    boto_momento = median_import("import boto3, momento")

    overhead_get = (accessor - direct) / 1000
    overhead_call = (wrapped_op - direct_op) / 1000
    print(f"warm accessor ({args.calls} calls, best of 7, {python})")
    print(f"  ready client, direct             {direct:8.1f} ns/call")
    print(f"  momento_client.get_client()      {accessor:8.1f} ns/call   overhead {overhead_get:6.3f} us")
    print(f"  op(client) direct                {direct_op:8.1f} ns/call")
    print(f"  momento_client.call(op)          {wrapped_op:8.1f} ns/call   overhead {overhead_call:6.3f} us")
    print(f"cold start, whole process, median of {args.runs}")
    print(f"  python -c pass                   {bare * 1000:8.1f} ms")
    print(f"  python -c 'import boto3, momento' {boto_momento * 1000:7.1f} ms")
    print(
        f"  python -c 'import handler'       {handler_import * 1000:8.1f} ms   (import cost {1000 * (handler_import - bare):.1f} ms)"
    )
    worst = max(overhead_get, overhead_call)
    verdict = "OK" if worst < 5 else "OVER TARGET"
    print(f"accessor overhead {worst:.3f} us (target < 5 us): {verdict}")
    return 0 if worst < 5 else 1


if __name__ == "__main__":
    raise SystemExit(main())
