"""Redaction by key shape: every Momento key format is masked, registered or not, wherever it
starts in a run of base64 characters, and ordinary text is left alone."""

from __future__ import annotations

import urllib.parse

import pytest

from momento_lambda_cli.redact import MASK, redact
from tests.hostile.harness import assert_no_piece
from tests.support import keys

MAKERS = {
    "v2": keys.v2_key,
    "legacy": keys.legacy_key,
    "v1": keys.v1_key,
    "v1-indented": keys.v1_key_indented,
    "jwt-spaced": keys.spaced_jwt_key,
}

CONTEXTS = {
    "alone": "{key}",
    "assignment": "MOMENTO_API_KEY={key}",
    "glued-to-a-word": "tokenvalue{key}",
    "quoted": "value '{key}' is not valid",
    "json": '{{"MOMENTO_API_KEY": "{key}"}}',
    "percent-encoded": "SecretString=%s",
    "truncated": "{short}…",
}


@pytest.mark.parametrize("kind", sorted(MAKERS))
@pytest.mark.parametrize("context", sorted(CONTEXTS))
def test_unregistered_keys_are_masked_by_shape(kind, context):
    key = MAKERS[kind]()
    template = CONTEXTS[context]
    if context == "percent-encoded":
        text = template % urllib.parse.quote(key, safe="")
    else:
        text = template.format(key=key, short=key[:40])
    shown = redact(text)
    assert MASK in shown
    assert_no_piece(key if context != "percent-encoded" else urllib.parse.quote(key, safe=""), shown)


@pytest.mark.parametrize(
    "text",
    [
        "eyeballs everywhere, ewoks too",
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:momento/api-key-AbCdEf",
        "eyAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "cell-4-us-west-2-1.prod.a.momentohq.com",
        "sha256:ewzz0f7c5e4d3b2a19876543210fedcba9876543210fedcba",
        "A" * 200,
    ],
)
def test_ordinary_text_is_left_alone(text):
    assert redact(text) == text


def test_long_runs_stay_linear():
    # Many candidate starts in one run: only a few are decoded, the text is returned whole.
    text = "ey" * 200_000
    assert redact(text) == text


def test_a_registered_json_secret_masks_its_values_not_its_punctuation():
    """A SecretString is registered whole: the key-refresh Lambda's indented JSON starts with
    ``{`` and six spaces, which other JSON output (the --json envelope) has too."""
    import json

    from momento_lambda_cli.redact import register_secret

    key = keys.legacy_key()
    secret_string = keys.rotated_refresher_secret(key, 1798675200)
    refresh_token = json.loads(secret_string)["refreshToken"]
    register_secret(secret_string)
    register_secret(json.dumps({"MOMENTO_API_KEY": key, "MOMENTO_ENDPOINT": "cell-1.example.momentohq.com"}))
    envelope = json.dumps({"errors": [{"code": "x", "endpoint": "cell-1.example.momentohq.com"}]}, indent=2)
    assert redact(envelope) == envelope
    assert redact(secret_string) == MASK
    assert refresh_token not in redact(f"token {refresh_token}") and MASK in redact(f"token {refresh_token[:12]}")
    assert redact(f"key {key}") == f"key {MASK}"
