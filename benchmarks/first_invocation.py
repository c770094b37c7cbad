"""First-invocation latency of the generated Python handler, lazy vs INIT-time client creation.

Peers: the moto server (Secrets Manager, holding a v2 key) and the local Momento server, both
in this process. Each run is a fresh interpreter: it imports the handler (Lambda's INIT), in
"eager" runs also reads the secret and builds the client then (``momento_client.get_client()``,
what an INIT-time option does), and times the first and the second invocation. The client's
credentials come from the secret; the child only points them at the local server.

Usage: .venv/bin/python benchmarks/first_invocation.py [--runs N]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

CHILD = """
import json, sys, time
started = time.perf_counter()
import momento_client
from momento import CredentialProvider
original = momento_client.CacheClient
host, port = sys.argv[2].rsplit(":", 1)
def local(configuration, provider, ttl):
    return original(configuration, CredentialProvider(provider.auth_token, host, host, host, int(port)), ttl)
momento_client.CacheClient = local
import handler
imported = time.perf_counter()
if sys.argv[1] == "eager":
    momento_client.get_client()
init = time.perf_counter()
first = handler.lambda_handler({"pathParameters": {"id": "a"}}, None)
t1 = time.perf_counter()
second = handler.lambda_handler({"pathParameters": {"id": "a"}}, None)
t2 = time.perf_counter()
print("@@" + json.dumps({"import": imported - started, "init": init - started, "first": t1 - init,
      "second": t2 - t1, "caches": [json.loads(r["body"])["cache"] for r in (first, second)]}))
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()

    import boto3
    from moto.server import ThreadedMotoServer

    from momento_lambda_cli.contract import encode_secret
    from momento_lambda_cli.scaffold.answers import build_answers
    from momento_lambda_cli.scaffold.render import render_project
    from tests.support.keys import v2_key
    from tests.support.momento_server import LocalMomentoServer

    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    moto.start()
    server = LocalMomentoServer().start()
    try:
        host, port = moto.get_host_and_port()
        aws = {
            "AWS_ENDPOINT_URL": f"http://{host}:{port}",
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_REGION": "us-east-1",
            "AWS_EC2_METADATA_DISABLED": "true",
        }
        key = v2_key("bench")
        secrets = boto3.client(
            "secretsmanager", endpoint_url=aws["AWS_ENDPOINT_URL"], region_name="us-east-1",
            aws_access_key_id=aws["AWS_ACCESS_KEY_ID"], aws_secret_access_key=aws["AWS_SECRET_ACCESS_KEY"],
        )  # fmt: skip
        arn = secrets.create_secret(Name="momento/bench/api-key", SecretString=encode_secret(key, "cell.example.com"))[
            "ARN"
        ]
        server.state.auto_create_caches = True
        project = render_project(
            build_answers("bench", runtime="python3.11"), Path(tempfile.mkdtemp(prefix="bench-first-"))
        ).project_dir
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "MOMENTO_"))},
            **aws,
            "MOMENTO_SECRET_ARN": arn,
            "MOMENTO_CACHE_NAME": "bench",
        }
        results: dict[str, list[dict]] = {"lazy": [], "eager": []}
        for _ in range(args.runs):
            for mode in ("lazy", "eager"):
                server.state.caches.clear()
                out = subprocess.run(
                    [sys.executable, "-c", CHILD, mode, server.endpoint],
                    cwd=project / "src", env=env, capture_output=True, text=True, check=True, timeout=120,
                ).stdout  # fmt: skip
                results[mode].append(json.loads(next(s for s in out.splitlines() if s.startswith("@@"))[2:]))

        def median(mode: str, field: str) -> float:
            return statistics.median(r[field] for r in results[mode]) * 1000

        print(f"median of {args.runs} fresh processes each (Python {sys.version.split()[0]})")
        print("                       INIT (import + eager)   first invocation   second invocation")
        for mode in ("lazy", "eager"):
            caches = {tuple(r["caches"]) for r in results[mode]}
            print(
                f"  {mode:6}               {median(mode, 'init'):8.1f} ms            {median(mode, 'first'):8.1f} ms"
                f"          {median(mode, 'second'):8.2f} ms   {sorted(caches)}"
            )
        print(
            f"eager moves {median('lazy', 'first') - median('eager', 'first'):.1f} ms from the first invocation "
            f"into INIT (INIT grows by {median('eager', 'init') - median('lazy', 'init'):.1f} ms)"
        )
        return 0
    finally:
        server.stop()
        moto.stop()


if __name__ == "__main__":
    raise SystemExit(main())
