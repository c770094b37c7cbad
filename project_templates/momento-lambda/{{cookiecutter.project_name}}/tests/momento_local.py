"""A small in-process Momento server for the tests: the real ``momento`` SDK talks to it over
plain gRPC on 127.0.0.1, so the tests exercise the real ``CacheClient`` (channels, deadlines,
error mapping) without a network or a Momento account.

It serves Get, Set, Increment, SetIfNotExists and Delete (items expire by their TTL), and topics
(Publish, and Subscribe streams that deliver what is published after they start), from the gRPC
servicer base classes in ``momento-wire-types`` (installed with ``momento``), checks the ``authorization`` metadata
against ``accepted_keys`` (``None``: any key), and can be told to ``stall`` (hold every call
until released, as a frozen server would) or be stopped. ``calls`` counts the requests.

For the whole local loop against the real thing, use Momento Local instead
(``docker run -p 8080:8080 gomomento/momento-local``, see the README).
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from concurrent import futures
from typing import Any

import grpc
from momento import CredentialProvider
from momento_wire_types import cacheclient_pb2 as cache_pb
from momento_wire_types import cacheclient_pb2_grpc as cache_grpc
from momento_wire_types import cachepubsub_pb2 as pubsub_pb
from momento_wire_types import cachepubsub_pb2_grpc as pubsub_grpc
from momento_wire_types import common_pb2 as common_pb


class _Cache(cache_grpc.ScsServicer):
    def __init__(self, server: LocalMomento) -> None:
        self.server = server

    def _enter(self, method: str, context: grpc.ServicerContext) -> dict[bytes, bytes]:
        metadata = self.server.admit(method, context)
        with self.server.lock:
            return self.server.caches.setdefault(metadata.get("cache", ""), {})

    def Get(self, request: Any, context: grpc.ServicerContext) -> Any:
        cache = self._enter("Get", context)
        with self.server.lock:
            value = self.server.live(cache, request.cache_key)
        if value is None:
            return cache_pb._GetResponse(result=cache_pb.Miss)
        return cache_pb._GetResponse(result=cache_pb.Hit, cache_body=value)

    def Set(self, request: Any, context: grpc.ServicerContext) -> Any:
        cache = self._enter("Set", context)
        with self.server.lock:
            self.server.store(cache, request.cache_key, request.cache_body, request.ttl_milliseconds)
        return cache_pb._SetResponse(result=cache_pb.Ok)

    def Increment(self, request: Any, context: grpc.ServicerContext) -> Any:
        cache = self._enter("Increment", context)
        with self.server.lock:  # read, add and write as one step: concurrent increments all count
            current = self.server.live(cache, request.cache_key)
            try:
                value = int(current or b"0") + request.amount
            except ValueError:
                context.abort(grpc.StatusCode.FAILED_PRECONDITION, "The value is not an integer")
            self.server.store(cache, request.cache_key, str(value).encode(), request.ttl_milliseconds)
        return cache_pb._IncrementResponse(value=value)

    def SetIfNotExists(self, request: Any, context: grpc.ServicerContext) -> Any:
        cache = self._enter("SetIfNotExists", context)
        with self.server.lock:  # check and store as one step: of concurrent callers, one stores
            if self.server.live(cache, request.cache_key) is not None:
                return cache_pb._SetIfNotExistsResponse(not_stored=cache_pb._SetIfNotExistsResponse._NotStored())
            self.server.store(cache, request.cache_key, request.cache_body, request.ttl_milliseconds)
        return cache_pb._SetIfNotExistsResponse(stored=cache_pb._SetIfNotExistsResponse._Stored())

    def Delete(self, request: Any, context: grpc.ServicerContext) -> Any:
        cache = self._enter("Delete", context)
        with self.server.lock:
            cache.pop(request.cache_key, None)
        return cache_pb._DeleteResponse()


class _Topics(pubsub_grpc.PubsubServicer):
    """Momento topics: a message reaches the subscriptions open when it is published."""

    def __init__(self, server: LocalMomento) -> None:
        self.server = server

    def Publish(self, request: Any, context: grpc.ServicerContext) -> Any:
        self.server.admit("Publish", context)
        with self.server.published:
            log = self.server.topics.setdefault((request.cache_name, request.topic), [])
            log.append(request.value)
            self.server.published.notify_all()
        return common_pb._Empty()

    def Subscribe(self, request: Any, context: grpc.ServicerContext) -> Any:
        self.server.admit("Subscribe", context)
        with self.server.published:
            log = self.server.topics.setdefault((request.cache_name, request.topic), [])
            sent = len(log)
        yield pubsub_pb._SubscriptionItem(heartbeat=pubsub_pb._Heartbeat())  # the SDK waits for it
        while context.is_active() and self.server._server is not None:
            with self.server.published:
                self.server.published.wait_for(lambda seen=sent: len(log) > seen, timeout=0.1)
                values = log[sent:]
            for value in values:
                sent += 1
                item = pubsub_pb._TopicItem(topic_sequence_number=sent, value=value, sequence_page=1)
                yield pubsub_pb._SubscriptionItem(item=item)


class LocalMomento:
    """``start()`` it; ``host`` / ``port`` are where it listens."""

    host = "127.0.0.1"

    def __init__(self) -> None:
        self.accepted_keys: set[str] | None = None
        self.caches: dict[str, dict[bytes, bytes]] = {}
        self.expires: dict[tuple[int, bytes], tuple[float, bytes]] = {}
        """(id of the cache's dict, key) -> (when the item expires (time.monotonic()), the value
        stored with that TTL: an entry left over from a cleared cache applies to nothing)."""
        self.calls: Counter[str] = Counter()
        self.topics: dict[tuple[str, str], list[Any]] = {}
        """(cache, topic) -> every value published to it."""
        self.lock = threading.Lock()
        self.published = threading.Condition()
        self.running = threading.Event()
        self.running.set()
        self.port = 0
        self._server: grpc.Server | None = None

    def start(self) -> LocalMomento:
        server = grpc.server(futures.ThreadPoolExecutor(max_workers=16))
        cache_grpc.add_ScsServicer_to_server(_Cache(self), server)
        pubsub_grpc.add_PubsubServicer_to_server(_Topics(self), server)
        self.port = server.add_insecure_port(f"{self.host}:0")
        server.start()
        self._server = server
        return self

    def admit(self, method: str, context: grpc.ServicerContext) -> dict[str, str]:
        """Count the call, hold it while stalled, check its key; its metadata."""
        metadata = {k: v for k, v in context.invocation_metadata() if isinstance(v, str)}
        with self.lock:
            self.calls[method] += 1
        self.running.wait()  # a stalled server holds the call
        if self.accepted_keys is not None and metadata.get("authorization", "") not in self.accepted_keys:
            context.abort(grpc.StatusCode.UNAUTHENTICATED, "Invalid signature")
        return metadata

    def live(self, cache: dict[bytes, bytes], key: bytes) -> bytes | None:
        """The item, unless its TTL has run out (then it is gone). Hold :attr:`lock`."""
        value = cache.get(key)
        until, stored = self.expires.get((id(cache), key), (float("inf"), b""))
        if value is not None and value is stored and until <= time.monotonic():
            del cache[key]
            return None
        return value

    def store(self, cache: dict[bytes, bytes], key: bytes, value: bytes, ttl_ms: int) -> None:
        """Keep ``value`` for ``ttl_ms`` (0: no TTL). Hold :attr:`lock`."""
        cache[key] = value
        if ttl_ms:
            self.expires[(id(cache), key)] = (time.monotonic() + ttl_ms / 1000, value)
        else:
            self.expires.pop((id(cache), key), None)

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
