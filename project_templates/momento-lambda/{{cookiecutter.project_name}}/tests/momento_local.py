"""A small in-process Momento server for the tests: the real ``momento`` SDK talks to it over
plain gRPC on 127.0.0.1, so the tests exercise the real ``CacheClient`` (channels, deadlines,
error mapping) without a network or a Momento account.

It serves Get and Set (the calls the handler makes) from the gRPC servicer base classes in
``momento-wire-types`` (installed with ``momento``), checks the ``authorization`` metadata
against ``accepted_keys`` (``None``: any key), and can be told to ``stall`` (hold every call
until released, as a frozen server would) or be stopped. ``calls`` counts the requests.

For the whole local loop against the real thing, use Momento Local instead
(``docker run -p 8080:8080 gomomento/momento-local``, see the README).
"""

from __future__ import annotations

import threading
from collections import Counter
from concurrent import futures
from typing import Any

import grpc
from momento import CredentialProvider
from momento_wire_types import cacheclient_pb2 as cache_pb
from momento_wire_types import cacheclient_pb2_grpc as cache_grpc


class _Cache(cache_grpc.ScsServicer):
    def __init__(self, server: LocalMomento) -> None:
        self.server = server

    def _enter(self, method: str, context: grpc.ServicerContext) -> dict[bytes, bytes]:
        server = self.server
        metadata = {k: v for k, v in context.invocation_metadata() if isinstance(v, str)}
        with server.lock:
            server.calls[method] += 1
        server.running.wait()  # a stalled server holds the call
        if server.accepted_keys is not None and metadata.get("authorization", "") not in server.accepted_keys:
            context.abort(grpc.StatusCode.UNAUTHENTICATED, "Invalid signature")
        with server.lock:
            return server.caches.setdefault(metadata.get("cache", ""), {})

    def Get(self, request: Any, context: grpc.ServicerContext) -> Any:
        value = self._enter("Get", context).get(request.cache_key)
        if value is None:
            return cache_pb._GetResponse(result=cache_pb.Miss)
        return cache_pb._GetResponse(result=cache_pb.Hit, cache_body=value)

    def Set(self, request: Any, context: grpc.ServicerContext) -> Any:
        self._enter("Set", context)[request.cache_key] = request.cache_body
        return cache_pb._SetResponse(result=cache_pb.Ok)


class LocalMomento:
    """``start()`` it; ``host`` / ``port`` are where it listens."""

    host = "127.0.0.1"

    def __init__(self) -> None:
        self.accepted_keys: set[str] | None = None
        self.caches: dict[str, dict[bytes, bytes]] = {}
        self.calls: Counter[str] = Counter()
        self.lock = threading.Lock()
        self.running = threading.Event()
        self.running.set()
        self.port = 0
        self._server: grpc.Server | None = None

    def start(self) -> LocalMomento:
        server = grpc.server(futures.ThreadPoolExecutor(max_workers=16))
        cache_grpc.add_ScsServicer_to_server(_Cache(self), server)
        self.port = server.add_insecure_port(f"{self.host}:0")
        server.start()
        self._server = server
        return self

    def stop(self) -> None:
        self.running.set()
        if self._server is not None:
            self._server.stop(grace=None).wait()
            self._server = None

    def stall(self) -> None:
        """Hold every call from now on (the SDK's deadline ends it), until :meth:`resume`."""
        self.running.clear()

    def resume(self) -> None:
        self.running.set()

    def credentials(self, api_key: str) -> CredentialProvider:
        """Real SDK credentials carrying ``api_key`` that point at this server (plain gRPC)."""
        return CredentialProvider(api_key, self.host, self.host, self.host, self.port)
