"""Spotting Momento keys by shape, without returning them."""

from __future__ import annotations

import base64
import json

import jwt

from momento_lambda_cli.doctor.keyscan import find_keys, key_kind
from tests.support.keys import legacy_key, v1_key, v2_key


def test_every_key_shape_is_recognised_inside_text():
    assert key_kind(v2_key()) == "v2 key"
    assert key_kind(legacy_key()) == "legacy key"
    assert key_kind(v1_key()) == "v1 key"
    text = f'MOMENTO_API_KEY="{v2_key()}"\n# old: {legacy_key()}\nexport K={v1_key()}\n'
    assert find_keys(text) == ["v2 key", "legacy key", "v1 key"]


def test_look_alikes_are_not_keys():
    other_jwt = jwt.encode(
        {"sub": "user-1", "iss": "https://auth.example.com"}, "a-signing-secret-for-tests-only-32b", algorithm="HS256"
    )
    other_b64 = base64.b64encode(json.dumps({"endpoint": "x", "token": "y" * 40}).encode()).decode()
    arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:momento/demo/api-key-AbCdEf"
    assert find_keys(f"{other_jwt} {other_b64} {arn} {'A' * 200}") == []
    assert key_kind("") is None
