"""Time `momento-lambda doctor` as a whole process against local peers.

* full run: project + build + deployment + Momento checks (21 checks) against the moto
  server (a stack of plain CloudFormation resources, IAM, Lambda, Secrets Manager) and the
  local Momento gRPC server; then the same run with the checks forced sequential
  (hidden ``--sequential``) to show the concurrency gain;
* offline project checks: ``doctor --offline --only project``.

Targets: full run under 2 s, offline project checks under 0.5 s (medians).

Usage: .venv/bin/python benchmarks/doctor.py [--runs N]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT))
from _timing import ms, time_process  # noqa: E402


class LatencyProxy:
    """A loopback TCP proxy that holds each client->server chunk for ``delay`` seconds:
    every AWS request then pays a round trip like a real region's (moto answers in ~1 ms)."""

    def __init__(self, upstream_port: int, delay: float) -> None:
        import socket
        import threading

        self.delay = delay
        self.upstream_port = upstream_port
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        import socket
        import threading

        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
            threading.Thread(target=self._pump, args=(client, upstream, self.delay), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, 0.0), daemon=True).start()

    @staticmethod
    def _pump(source: object, target: object, delay: float) -> None:
        import time

        try:
            while True:
                data = source.recv(65536)  # type: ignore[attr-defined]
                if not data:
                    break
                if delay:
                    time.sleep(delay)
                target.sendall(data)  # type: ignore[attr-defined]
        except OSError:
            pass
        finally:
            for sock in (source, target):
                with contextlib.suppress(OSError):
                    sock.close()  # type: ignore[attr-defined]

    def close(self) -> None:
        self.server.close()


class _Peer:
    """What tests.support.doctor_aws needs from the `aws` test fixture."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.account_id = "123456789012"

    def client(self, service: str) -> object:
        import boto3

        return boto3.client(
            service,
            region_name="us-east-1",
            endpoint_url=self.url,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",  # noqa: S106 (moto's fake credentials)
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument(
        "--latency-ms", type=float, default=0.0, help="delay added to every AWS request and Momento call"
    )
    args = parser.parse_args()

    from moto.server import ThreadedMotoServer

    from momento_lambda_cli import contract
    from tests.support import doctor_aws
    from tests.support.doctor_projects import CACHE_NAME, make_project
    from tests.support.keys import v2_key
    from tests.support.momento_server import LocalMomentoServer

    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    moto.start()
    host, port = moto.get_host_and_port()
    momento = LocalMomentoServer().start()
    proxy = LatencyProxy(port, args.latency_ms / 1000) if args.latency_ms else None
    try:
        peer = _Peer(f"http://{host}:{port}")
        key = v2_key()
        momento.create_cache(CACHE_NAME)
        deployment = doctor_aws.deploy(peer, secret_string=contract.encode_secret(key, "cell.example.com"))
        workdir = Path(tempfile.mkdtemp(prefix="doctor-bench-"))
        project = make_project(workdir, secret_arn=deployment.secret_arn)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "MOMENTO_"))} | {
            "AWS_ENDPOINT_URL": peer.url,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_REGION": "us-east-1",
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_CONFIG_FILE": str(workdir / "aws-config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(workdir / "aws-credentials"),
            contract.ENV_LOCAL_OVERRIDE: momento.endpoint,
        }
        if proxy is not None:
            env["AWS_ENDPOINT_URL"] = f"http://127.0.0.1:{proxy.port}"
            momento.state.delay_seconds = args.latency_ms / 1000
        doctor = [sys.executable, "-m", "momento_lambda_cli", "doctor", str(project.root)]
        results = {
            "full run (21 checks, concurrent)": time_process([*doctor, "--json"], args.runs, env=env),
            "full run (21 checks, sequential)": time_process([*doctor, "--json", "--sequential"], args.runs, env=env),
            "offline project checks": time_process([*doctor, "--offline", "--only", "project"], args.runs, env=env),
            "python -c 'import typer'": time_process([sys.executable, "-c", "import typer"], args.runs, env=env),
        }
    finally:
        if proxy is not None:
            proxy.close()
        momento.stop()
        moto.stop()
    print(f"median of {args.runs} runs ({sys.executable}), added latency {args.latency_ms:g} ms per AWS/Momento call")
    for name, seconds in results.items():
        print(f"  {name:<36} {ms(seconds)}")
    full = results["full run (21 checks, concurrent)"]
    sequential = results["full run (21 checks, sequential)"]
    offline = results["offline project checks"]
    print(f"concurrency gain: {sequential / full:.2f}x")
    ok = full < 2.0 and offline < 0.5
    print(
        f"full run < 2 s: {'OK' if full < 2.0 else 'OVER'}; offline project checks < 0.5 s: {'OK' if offline < 0.5 else 'OVER'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
