"""Time `momento-lambda store-token` end to end as a whole process, against local peers
(moto's server for Secrets Manager, the local Momento gRPC server for the key check),
next to the bare import cost of what it needs (boto3 + momento).

Cases: a first store (create + samconfig.toml edit), a repeat (unchanged: no write), and
a repeat with --no-verify. Target: a repeat under 1.5 s on the CI machine class (the
command is interactive; most of it is importing boto3, grpc and the Momento SDK).

Usage: .venv/bin/python benchmarks/store_token.py [--runs N]
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
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import ms, time_process  # noqa: E402

from tests.support import keys, projects  # noqa: E402
from tests.support.momento_server import LocalMomentoServer  # noqa: E402

TARGET_SECONDS = 1.5


def _run(argv: list[str], env: dict[str, str], key: str) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=True, capture_output=True, env=env, input=key + "\n", text=True)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=11)
    args = parser.parse_args()

    from moto.server import ThreadedMotoServer

    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    moto.start()
    host, port = moto.get_host_and_port()
    momento = LocalMomentoServer().start()
    momento.create_cache("bench-cache")
    python = sys.executable
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "MOMENTO_"))}
    env.update(
        AWS_ENDPOINT_URL=f"http://{host}:{port}",
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",  # noqa: S106 (moto accepts any)
        AWS_REGION="us-east-1",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        AWS_EC2_METADATA_DISABLED="true",
        MOMENTO_LOCAL=momento.endpoint,
    )
    try:
        baseline = time_process([python, "-c", "import boto3, momento"], args.runs)
        with tempfile.TemporaryDirectory() as tmp:
            creates, repeats, unverified = [], [], []
            for index in range(args.runs):
                directory = projects.sam_project(Path(tmp), f"bench{index}", cache_name="bench-cache")
                base = [python, "-m", "momento_lambda_cli", "store-token", "--from-stdin"]
                base += ["--project-dir", str(directory)]
                key = keys.legacy_key()
                creates.append(_run(base, env, key))
                repeats.append(_run(base, env, key))
                unverified.append(_run([*base, "--no-verify"], env, key))
    finally:
        momento.stop()
        moto.stop()
    results = {
        "python -c 'import boto3, momento'": baseline,
        "store-token (create + samconfig)": statistics.median(creates),
        "store-token (repeat, unchanged)": statistics.median(repeats),
        "store-token --no-verify (repeat)": statistics.median(unverified),
    }
    print(f"median of {args.runs} runs ({python})")
    for name, seconds in results.items():
        print(f"  {name:<36} {ms(seconds)}")
    repeat = results["store-token (repeat, unchanged)"]
    verdict = "OK" if repeat <= TARGET_SECONDS else "OVER TARGET"
    print(f"repeat = {repeat:.2f} s (target <= {TARGET_SECONDS:.2f} s): {verdict}")
    return 0 if repeat <= TARGET_SECONDS else 1


if __name__ == "__main__":
    raise SystemExit(main())
