"""The SnapStart runtime hooks of src/momento_client.py, run the way Lambda runs them: through
snapshot_restore_py's registries, around a real client talking to the local server."""

from __future__ import annotations

import json

import snapshot_restore_py
from momento.responses import CacheGet
from conftest import _jwt

import momento_client


def use_cache(key: str) -> str:
    """A read-through on the client, as any pattern's handler makes one: "miss" (then set) or "hit"."""
    cache = momento_client.cache_name()
    got = momento_client.call(lambda client: client.get(cache, key))
    if isinstance(got, CacheGet.Hit):
        return "hit"
    assert isinstance(got, CacheGet.Miss), got
    momento_client.call(lambda client: client.set(cache, key, "value"))
    return "miss"


def take_snapshot() -> None:
    """What Lambda does before the snapshot: the hooks in reverse order of registration."""
    for hook, args, kwargs in reversed(snapshot_restore_py.get_before_snapshot()):
        hook(*args, **kwargs)


def restore() -> None:
    """What Lambda does after a restore: the hooks in order of registration."""
    for hook, args, kwargs in snapshot_restore_py.get_after_restore():
        hook(*args, **kwargs)


def rotate_key(fake) -> None:
    """The key is rotated while the snapshot waits: the secret holds a new one, Momento
    accepts only that one."""
    new_key = _jwt({"t": "g", "id": "rotated-after-the-snapshot"})
    fake["state"]["secret"] = json.dumps({"MOMENTO_API_KEY": new_key, "MOMENTO_ENDPOINT": "cell-1.example.com"})
    fake["server"].accepted_keys = {new_key}


def test_the_client_module_registers_both_hooks():
    assert (momento_client.before_snapshot, (), {}) in snapshot_restore_py.get_before_snapshot()
    assert (momento_client.after_restore, (), {}) in snapshot_restore_py.get_after_restore()


def test_the_snapshot_holds_no_client_and_a_restore_reads_the_secret_again(fake, monkeypatch):
    monkeypatch.setenv("MOMENTO_INIT_CLIENT", "lazy")
    assert use_cache("s") == "miss"
    old = momento_client._client  # the SDK client itself (get_client() returns a LiveClient)
    take_snapshot()
    assert momento_client._client is None
    calls = fake["server"].calls["Get"]
    assert isinstance(old.get("unit-cache", "s"), CacheGet.Error)  # its channels are closed
    assert fake["server"].calls["Get"] == calls
    rotate_key(fake)
    restore()
    assert len(fake["reads"]) == 1  # lazy: the first request reads the secret
    assert use_cache("s") == "hit"
    assert fake["server"].calls["Get"] == calls + 1  # one call, with the new key at once
    assert len(fake["reads"]) == 2 and len(fake["clients"]) == 2


def test_an_eager_restore_builds_the_client_before_the_first_request(fake, monkeypatch):
    monkeypatch.setenv("MOMENTO_INIT_CLIENT", "eager")
    momento_client.prepare()  # INIT, before the snapshot
    take_snapshot()
    assert momento_client._client is None
    rotate_key(fake)
    restore()
    assert len(fake["reads"]) == 2 and len(fake["clients"]) == 2
    assert momento_client._client is fake["clients"][-1]
    assert use_cache("e") == "miss"
    assert len(fake["reads"]) == 2 and len(fake["clients"]) == 2


def test_a_restore_never_fails_and_the_first_request_reads_the_secret(fake, monkeypatch):
    monkeypatch.setenv("MOMENTO_INIT_CLIENT", "eager")
    momento_client.prepare()
    take_snapshot()
    state = {"fail": True}
    read = momento_client.read_secret_string

    def flaky():
        if state["fail"]:
            raise TimeoutError("secrets manager is slow")
        return read()

    monkeypatch.setattr(momento_client, "read_secret_string", flaky)
    restore()  # no exception: a restore must not fail
    assert momento_client._client is None
    state["fail"] = False
    assert use_cache("f") == "miss"  # not held back by the failure during the restore
    assert len(fake["reads"]) == 2


def test_a_client_kept_at_module_scope_reaches_the_restored_client(fake, monkeypatch):
    """The snapshot closes a client built during INIT that never made a request; with momento 1.29 /
    grpcio 1.85 calling such a closed client crashes the process (exit 139). What get_client()
    returned, kept in a module variable, reaches the restored client (and its new key) instead."""
    monkeypatch.setenv("MOMENTO_INIT_CLIENT", "eager")
    momento_client.prepare()  # INIT: the client is built, no request yet
    kept = momento_client.get_client()  # what a handler module might keep at module scope
    take_snapshot()
    rotate_key(fake)
    restore()
    assert isinstance(kept.get("unit-cache", "kept"), CacheGet.Miss)  # no crash, no rejected key
    assert fake["server"].calls["Get"] == 1
    assert len(fake["reads"]) == 2 and len(fake["clients"]) == 2
