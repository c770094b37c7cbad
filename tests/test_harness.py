"""The local peers themselves work with the real SDKs (so later tests can trust them)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.support import keys

momento = pytest.importorskip("momento")


def make_client(server, key):
    from momento import CacheClient, Configurations

    return CacheClient(Configurations.Lambda.latest(), server.credential_provider(key), timedelta(seconds=60))


def test_real_sdk_talks_to_local_server(momento_server):
    from momento.responses import CacheGet, CacheSet, CreateCache

    key = keys.v2_key()
    momento_server.state.valid_keys = {key}
    with make_client(momento_server, key) as client:
        assert isinstance(client.create_cache("demo"), CreateCache.Success)
        assert isinstance(client.get("demo", "k"), CacheGet.Miss)
        assert isinstance(client.set("demo", "k", "v"), CacheSet.Success)
        hit = client.get("demo", "k")
        assert isinstance(hit, CacheGet.Hit)
        assert hit.value_string == "v"
    assert momento_server.state.calls["Get"] == 2
    assert momento_server.state.calls["Set"] == 1
    assert set(momento_server.state.keys_seen) == {key}


def test_wrong_key_is_an_authentication_error(momento_server):
    from momento.errors import MomentoErrorCode
    from momento.responses import CacheGet

    momento_server.state.valid_keys = {keys.v2_key("good")}
    momento_server.create_cache("demo")
    with make_client(momento_server, keys.v2_key("bad")) as client:
        response = client.get("demo", "k")
    assert isinstance(response, CacheGet.Error)
    assert response.error_code == MomentoErrorCode.AUTHENTICATION_ERROR


def test_missing_cache_is_not_found(momento_server):
    from momento.errors import MomentoErrorCode
    from momento.responses import CacheGet

    with make_client(momento_server, keys.v2_key()) as client:
        response = client.get("nope", "k")
    assert isinstance(response, CacheGet.Error)
    assert response.error_code == MomentoErrorCode.NOT_FOUND_ERROR


def test_stopped_server_is_unavailable(momento_server):
    from momento.errors import MomentoErrorCode
    from momento.responses import CacheGet

    momento_server.stop()
    with make_client(momento_server, keys.v2_key()) as client:
        response = client.get("demo", "k")
    assert isinstance(response, CacheGet.Error)
    assert response.error_code in {MomentoErrorCode.SERVER_UNAVAILABLE, MomentoErrorCode.TIMEOUT_ERROR}


def test_every_key_shape_parses_with_the_sdk():
    from momento import CredentialProvider

    assert CredentialProvider.from_api_key_v2(keys.v2_key(), "cell-1.example.com").port == 443
    legacy = CredentialProvider.from_string(keys.legacy_key("cell-2.example.com"))
    assert legacy.cache_endpoint == "cache.cell-2.example.com"
    v1 = CredentialProvider.from_string(keys.v1_key("cell-3.example.com"))
    assert v1.cache_endpoint == "cache.cell-3.example.com"


def test_moto_state_is_reset_between_tests_part_1(aws):
    aws.client("secretsmanager").create_secret(Name="harness/reset", SecretString="x")


def test_moto_state_is_reset_between_tests_part_2(aws):
    names = [s["Name"] for s in aws.client("secretsmanager").list_secrets()["SecretList"]]
    assert "harness/reset" not in names
