"""An HTTP endpoint on 127.0.0.1 that stands in for a misbehaving Secrets Manager.

Generated code is pointed at it with ``AWS_ENDPOINT_URL`` (boto3 and the AWS SDK for
JavaScript v3 both read it). Modes:

* ``hang``: accepts the connection, reads the request and never answers (until :meth:`stop`);
* ``slow``: answers a valid GetSecretValue after ``delay`` seconds (4 s by default);
* ``error``: answers HTTP 500 ``InternalServiceError`` at once (a retryable AWS error).

It records when each request arrived (``time.monotonic()``), so a test can count the attempts a
client made and the time between them.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MODES = ("hang", "slow", "error")


class FaultyEndpoint:
    def __init__(self, mode: str, delay: float = 4.0) -> None:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        self.mode = mode
        self.delay = delay
        self.arrivals: list[float] = []
        self.targets: list[str] = []
        self._lock = threading.Lock()
        self._release = threading.Event()
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("content-length") or 0))
                with endpoint._lock:
                    endpoint.arrivals.append(time.monotonic())
                    endpoint.targets.append(self.headers.get("x-amz-target", ""))
                if endpoint.mode == "hang":
                    endpoint._release.wait()
                    self.close_connection = True
                    return
                if endpoint.mode == "slow" and endpoint._release.wait(endpoint.delay):
                    self.close_connection = True
                    return
                if endpoint.mode == "error":
                    status, body = 500, {"__type": "InternalServiceError", "message": "stand-in failure"}
                else:
                    status, body = 200, {"ARN": "arn:aws:secretsmanager:us-east-1:123456789012:secret:x-AbCdEf",
                                         "Name": "x", "VersionId": "v1", "SecretString": "too late"}  # fmt: skip
                payload = json.dumps(body).encode()
                try:
                    self.send_response(status)
                    self.send_header("content-type", "application/x-amz-json-1.1")
                    self.send_header("content-length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:  # the client gave up long ago
                    self.close_connection = True

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def attempts(self) -> int:
        with self._lock:
            return len(self.arrivals)

    def gaps(self) -> list[float]:
        """Seconds between consecutive requests."""
        with self._lock:
            return [later - earlier for earlier, later in zip(self.arrivals, self.arrivals[1:], strict=False)]

    def start(self) -> FaultyEndpoint:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._release.set()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FaultyEndpoint:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
