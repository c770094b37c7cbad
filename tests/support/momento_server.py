"""A local Momento server the real SDKs connect to over an insecure loopback channel.

Built on the gRPC servicer base classes in ``momento-wire-types``: the Python ``momento``
SDK and the Node.js ``@gomomento/sdk`` both talk to it unchanged when their credential
provider points at 127.0.0.1 with a port other than 443 (which means plain gRPC).

It implements CreateCache, DeleteCache, ListCaches (control plane), Get, Set, Delete,
Increment, SetIfNotExists, SetIf (data plane) and topics (Publish; Subscribe streams that deliver what
is published after they start), checks the ``authorization`` metadata against ``valid_keys``
(``None`` means any key is accepted), answers NOT_FOUND for an unknown cache, can be slowed down
with ``delay_seconds``, and counts calls per method in ``calls``.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from concurrent import futures
from dataclasses import dataclass, field
from typing import Any

import grpc
from momento_wire_types import cacheclient_pb2 as cache_pb
from momento_wire_types import cacheclient_pb2_grpc as cache_grpc
from momento_wire_types import cachepubsub_pb2 as pubsub_pb
from momento_wire_types import cachepubsub_pb2_grpc as pubsub_grpc
from momento_wire_types import common_pb2 as common_pb
from momento_wire_types import controlclient_pb2 as control_pb
from momento_wire_types import controlclient_pb2_grpc as control_grpc


@dataclass
class ServerState:
    valid_keys: set[str] | None = None
    caches: dict[str, dict[bytes, bytes]] = field(default_factory=dict)
    calls: Counter[str] = field(default_factory=Counter)
    keys_seen: list[str] = field(default_factory=list)
    delay_seconds: float = 0.0
    auto_create_caches: bool = False
    ttls: dict[bytes, int] = field(default_factory=dict)
    """The TTL (ms) each key was last stored with (Set, Increment, or a SetIfNotExists that stored)."""
    topics: dict[tuple[str, str], list[Any]] = field(default_factory=dict)
    """(cache, topic) -> every value published to it."""
    lock: threading.Lock = field(default_factory=threading.Lock)
    published: threading.Condition = field(default_factory=threading.Condition)


def _metadata(context: grpc.ServicerContext) -> dict[str, str]:
    return {k: v for k, v in context.invocation_metadata() if isinstance(v, str)}


class _Base:
    def __init__(self, state: ServerState) -> None:
        self.state = state

    def _enter(self, method: str, context: grpc.ServicerContext) -> dict[str, str]:
        metadata = _metadata(context)
        key = metadata.get("authorization", "")
        with self.state.lock:
            self.state.calls[method] += 1
            self.state.keys_seen.append(key)
        if self.state.delay_seconds:
            time.sleep(self.state.delay_seconds)
        if self.state.valid_keys is not None and key not in self.state.valid_keys:
            context.abort(grpc.StatusCode.UNAUTHENTICATED, "Invalid signature")
        return metadata

    def _cache(self, metadata: dict[str, str], context: grpc.ServicerContext) -> dict[bytes, bytes]:
        name = metadata.get("cache", "")
        with self.state.lock:
            if name not in self.state.caches:
                if not self.state.auto_create_caches:
                    context.abort(grpc.StatusCode.NOT_FOUND, f'Cache not found: "{name}"')
                self.state.caches[name] = {}
            return self.state.caches[name]


class _DataServicer(_Base, cache_grpc.ScsServicer):
    def Get(self, request: Any, context: grpc.ServicerContext) -> Any:
        cache = self._cache(self._enter("Get", context), context)
        value = cache.get(request.cache_key)
        if value is None:
            return cache_pb._GetResponse(result=cache_pb.Miss)
        return cache_pb._GetResponse(result=cache_pb.Hit, cache_body=value)

    def Set(self, request: Any, context: grpc.ServicerContext) -> Any:
        cache = self._cache(self._enter("Set", context), context)
        with self.state.lock:
            cache[request.cache_key] = request.cache_body
            self.state.ttls[request.cache_key] = request.ttl_milliseconds
        return cache_pb._SetResponse(result=cache_pb.Ok)

    def Increment(self, request: Any, context: grpc.ServicerContext) -> Any:
        """Atomic, as Momento's: concurrent increments each count once (the TTL is recorded in
        ``state.ttls`` by key; items here do not expire)."""
        cache = self._cache(self._enter("Increment", context), context)
        with self.state.lock:
            try:
                value = int(cache.get(request.cache_key, b"0")) + request.amount
            except ValueError:
                context.abort(grpc.StatusCode.FAILED_PRECONDITION, "The value is not an integer")
            cache[request.cache_key] = str(value).encode()
            self.state.ttls[request.cache_key] = request.ttl_milliseconds
        return cache_pb._IncrementResponse(value=value)

    def SetIfNotExists(self, request: Any, context: grpc.ServicerContext) -> Any:
        """Atomic, as Momento's: of concurrent callers for a key that does not exist, exactly one
        stores (the TTL is recorded in ``state.ttls`` by key; items here do not expire)."""
        cache = self._cache(self._enter("SetIfNotExists", context), context)
        with self.state.lock:
            if request.cache_key in cache:
                return cache_pb._SetIfNotExistsResponse(not_stored=cache_pb._SetIfNotExistsResponse._NotStored())
            cache[request.cache_key] = request.cache_body
            self.state.ttls[request.cache_key] = request.ttl_milliseconds
        return cache_pb._SetIfNotExistsResponse(stored=cache_pb._SetIfNotExistsResponse._Stored())

    def SetIf(self, request: Any, context: grpc.ServicerContext) -> Any:
        """The conditional set the Node.js SDK's ``setIfAbsent`` / ``setIfPresent`` /
        ``setIfEqual`` / ``setIfNotEqual`` send; atomic, as Momento's."""
        cache = self._cache(self._enter("SetIf", context), context)
        with self.state.lock:
            current = cache.get(request.cache_key)
            condition = request.WhichOneof("condition")
            if condition == "absent":
                store = current is None
            elif condition == "present":
                store = current is not None
            elif condition == "equal":
                store = current == request.equal.value_to_check
            elif condition == "not_equal":
                store = current != request.not_equal.value_to_check
            else:
                context.abort(grpc.StatusCode.UNIMPLEMENTED, f"SetIf condition {condition} is not served here")
            if not store:
                return cache_pb._SetIfResponse(not_stored=cache_pb._SetIfResponse._NotStored())
            cache[request.cache_key] = request.cache_body
            self.state.ttls[request.cache_key] = request.ttl_milliseconds
        return cache_pb._SetIfResponse(stored=cache_pb._SetIfResponse._Stored())

    def Delete(self, request: Any, context: grpc.ServicerContext) -> Any:
        cache = self._cache(self._enter("Delete", context), context)
        cache.pop(request.cache_key, None)
        return cache_pb._DeleteResponse()


class _PubsubServicer(_Base, pubsub_grpc.PubsubServicer):
    """Momento topics: a message reaches the subscriptions open when it is published."""

    def Publish(self, request: Any, context: grpc.ServicerContext) -> Any:
        self._enter("Publish", context)
        with self.state.published:
            self.state.topics.setdefault((request.cache_name, request.topic), []).append(request.value)
            self.state.published.notify_all()
        return common_pb._Empty()

    def Subscribe(self, request: Any, context: grpc.ServicerContext) -> Any:
        self._enter("Subscribe", context)
        with self.state.published:
            log = self.state.topics.setdefault((request.cache_name, request.topic), [])
            sent = len(log)
        yield pubsub_pb._SubscriptionItem(heartbeat=pubsub_pb._Heartbeat())  # the SDKs wait for it
        while context.is_active():
            with self.state.published:
                self.state.published.wait_for(lambda seen=sent: len(log) > seen, timeout=0.1)
                values = log[sent:]
            for value in values:
                sent += 1
                item = pubsub_pb._TopicItem(topic_sequence_number=sent, value=value, sequence_page=1)
                yield pubsub_pb._SubscriptionItem(item=item)


class _ControlServicer(_Base, control_grpc.ScsControlServicer):
    def CreateCache(self, request: Any, context: grpc.ServicerContext) -> Any:
        self._enter("CreateCache", context)
        with self.state.lock:
            if request.cache_name in self.state.caches:
                context.abort(grpc.StatusCode.ALREADY_EXISTS, f"Cache {request.cache_name} already exists")
            self.state.caches[request.cache_name] = {}
        return control_pb._CreateCacheResponse()

    def DeleteCache(self, request: Any, context: grpc.ServicerContext) -> Any:
        self._enter("DeleteCache", context)
        with self.state.lock:
            if self.state.caches.pop(request.cache_name, None) is None:
                context.abort(grpc.StatusCode.NOT_FOUND, f"Cache {request.cache_name} not found")
        return control_pb._DeleteCacheResponse()

    def ListCaches(self, request: Any, context: grpc.ServicerContext) -> Any:
        self._enter("ListCaches", context)
        with self.state.lock:
            names = sorted(self.state.caches)
        return control_pb._ListCachesResponse(cache=[control_pb._Cache(cache_name=n) for n in names])


class LocalMomentoServer:
    """Start with :meth:`start`; ``endpoint`` is ``127.0.0.1:PORT``."""

    host = "127.0.0.1"

    def __init__(self, port: int = 0) -> None:
        self.state = ServerState()
        self.port = port
        self._server: grpc.Server | None = None

    @property
    def endpoint(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def running(self) -> bool:
        return self._server is not None

    def start(self) -> LocalMomentoServer:
        server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
        cache_grpc.add_ScsServicer_to_server(_DataServicer(self.state), server)
        control_grpc.add_ScsControlServicer_to_server(_ControlServicer(self.state), server)
        pubsub_grpc.add_PubsubServicer_to_server(_PubsubServicer(self.state), server)
        bound = server.add_insecure_port(f"{self.host}:{self.port}")
        if not bound:
            raise RuntimeError(f"could not bind the local Momento server to {self.host}:{self.port}")
        self.port = bound
        server.start()
        self._server = server
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop(grace=None).wait()
            self._server = None

    def reset(self) -> None:
        """Forget caches, keys and counters (between tests)."""
        with self.state.lock:
            self.state.valid_keys = None
            self.state.caches.clear()
            self.state.calls.clear()
            self.state.keys_seen.clear()
            self.state.ttls.clear()
            self.state.topics.clear()
            self.state.delay_seconds = 0.0
            self.state.auto_create_caches = False

    def create_cache(self, name: str) -> None:
        with self.state.lock:
            self.state.caches.setdefault(name, {})

    def credential_provider(self, api_key: str) -> Any:
        """A real SDK credential provider carrying ``api_key`` but pointing at this server."""
        from momento import CredentialProvider

        return CredentialProvider(
            auth_token=api_key,
            control_endpoint=self.host,
            cache_endpoint=self.host,
            token_endpoint=self.host,
            port=self.port,
        )
