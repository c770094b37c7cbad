"""The secret contract and the names every part of the tool agrees on.

One secret, one read. The SecretString is JSON::

    {"MOMENTO_API_KEY": "...", "MOMENTO_ENDPOINT": "..."}

``MOMENTO_ENDPOINT`` is present for v2 API keys and absent for legacy keys (which carry
their endpoint). Readers also accept the older shapes: JSON with ``MOMENTO_AUTH_TOKEN``,
a plain-text SecretString holding only the key, and the shape kept up to date by Momento's
key-refresh Lambda (momentohq/api-key-refresh-lambda)::

    {"apiKey": "...", "refreshToken": "...", "validUntil": 1767225600}

where the key may also be named ``authToken`` or ``apiToken``, ``validUntil`` is the key's
expiry in epoch seconds (a number or a numeric string), and the endpoint comes from the key
or from a ``MOMENTO_ENDPOINT`` / ``endpoint`` field when present.

Nothing in this module ever puts a key into an exception message.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from enum import Enum

from momento_lambda_cli.errors import MomentoLambdaError

# Fields of the SecretString JSON.
API_KEY_FIELD = "MOMENTO_API_KEY"
ENDPOINT_FIELD = "MOMENTO_ENDPOINT"
LEGACY_TOKEN_FIELD = "MOMENTO_AUTH_TOKEN"

# Fields of the key-refresh Lambda's SecretString JSON (momentohq/api-key-refresh-lambda).
REFRESHER_KEY_FIELDS = ("apiKey", "authToken", "apiToken")
"""Where the refresher keeps the key, in order of preference."""
REFRESHER_TOKEN_FIELD = "refreshToken"
REFRESHER_VALID_UNTIL_FIELD = "validUntil"
REFRESHER_ENDPOINT_FIELD = "endpoint"
REFRESHER_FIELDS = frozenset({*REFRESHER_KEY_FIELDS, REFRESHER_TOKEN_FIELD, REFRESHER_VALID_UNTIL_FIELD})
REFRESHER_DEFAULT_SECRET_NAME = "momento/authentication-token"

# The Lambda function's environment (never the key itself).
ENV_SECRET_ARN = "MOMENTO_SECRET_ARN"
ENV_SECRET_NAME = "MOMENTO_SECRET_NAME"
"""Read by the client while ``MOMENTO_SECRET_ARN`` is empty (Serverless projects pass both)."""
ENV_CACHE_NAME = "MOMENTO_CACHE_NAME"
ENV_DEFAULT_TTL = "MOMENTO_DEFAULT_TTL_SECONDS"
MAX_TTL_SECONDS = 24 * 60 * 60
"""Momento's maximum item TTL (its default service limit: 24 hours)."""
ENV_LOCAL_OVERRIDE = "MOMENTO_LOCAL"
"""``host:port`` of a local Momento server (development only; doctor flags it on deploys).
Generated clients then use the SDK's Momento Local credentials and read no secret; the CLI's
own key check still sends the key there (plain gRPC on that port)."""

# Where generated projects take their settings from.
SAM_PARAM_SECRET_ARN = "MomentoSecretArn"
SAM_PARAM_SECRET_NAME = "MomentoSecretName"
SAM_PARAM_CACHE_NAME = "MomentoCacheName"
SAM_PARAM_DEFAULT_TTL = "MomentoDefaultTtlSeconds"
SAM_PARAM_KMS_KEY_ARN = "MomentoKmsKeyArn"
SLS_PARAM_SECRET_ARN = "momentoSecretArn"
SLS_PARAM_SECRET_NAME = "momentoSecretName"
SLS_PARAM_CACHE_NAME = "momentoCacheName"
SLS_PARAM_DEFAULT_TTL = "momentoDefaultTtlSeconds"
SLS_PARAM_KMS_KEY_ARN = "momentoKmsKeyArn"
CDK_CONTEXT_SECRET_ARN = "momentoSecretArn"
"""cdk.json ``context`` keys a `new --framework cdk` app reads (the ARN wins over the name)."""
CDK_CONTEXT_SECRET_NAME = "momentoSecretName"
CDK_CONTEXT_KMS_KEY_ARN = "momentoKmsKeyArn"
CDK_CONTEXT_REGION = "region"

DEFAULT_SECRET_NAME = "momento/api-key"


def default_secret_name(project_name: str) -> str:
    return f"momento/{project_name}/api-key"


class SecretShape(str, Enum):
    CONTRACT = "contract"
    """JSON with MOMENTO_API_KEY (and MOMENTO_ENDPOINT for v2 keys)."""
    LEGACY_JSON = "legacy-json"
    """JSON with MOMENTO_AUTH_TOKEN."""
    PLAIN_TEXT = "plain-text"
    """The key alone."""
    KEY_REFRESHER = "key-refresher"
    """JSON with apiKey, refreshToken and validUntil, rotated by Momento's key-refresh Lambda."""


@dataclass(frozen=True)
class StoredKey:
    """What a secret holds. ``repr`` hides the key."""

    api_key: str
    endpoint: str | None
    shape: SecretShape
    valid_until: datetime | None = None
    """The refresher's ``validUntil`` (UTC), when the secret has one that parses."""
    has_refresh_token: bool = False
    """The secret carries a refresh token (a refresher-managed secret: overwriting it breaks rotation)."""

    def __repr__(self) -> str:
        return f"StoredKey(api_key='****', endpoint={self.endpoint!r}, shape={self.shape.value!r})"


def encode_secret(api_key: str, endpoint: str | None) -> str:
    """The SecretString for ``api_key`` in the contract shape."""
    document = {API_KEY_FIELD: api_key}
    if endpoint:
        document[ENDPOINT_FIELD] = endpoint
    return json.dumps(document)


def decode_secret(secret_string: str | None) -> StoredKey:
    """Read any accepted shape; raises :class:`MomentoLambdaError` (without the value)."""
    text = (secret_string or "").strip()
    if not text:
        raise MomentoLambdaError(
            "The secret is empty.",
            "Store the key with `momento-lambda store-token`.",
            code="secret.empty",
        )
    if text.startswith(("{", "[")):
        try:
            document = json.loads(text)
        except ValueError:
            raise MomentoLambdaError(
                "The secret looks like JSON but does not parse.",
                "Store the key again with `momento-lambda store-token`.",
                code="secret.bad-json",
            ) from None
        if not isinstance(document, dict):
            raise MomentoLambdaError("The secret's JSON is not an object.", code="secret.bad-shape")
        endpoint = document.get(ENDPOINT_FIELD)
        endpoint = str(endpoint).strip() or None if endpoint else None
        for field, shape in ((API_KEY_FIELD, SecretShape.CONTRACT), (LEGACY_TOKEN_FIELD, SecretShape.LEGACY_JSON)):
            value = document.get(field)
            if isinstance(value, str) and value.strip():
                return StoredKey(value.strip(), endpoint, shape)
        for field in REFRESHER_KEY_FIELDS:
            value = document.get(field)
            if isinstance(value, str) and value.strip():
                other_endpoint = document.get(REFRESHER_ENDPOINT_FIELD)
                if endpoint is None and isinstance(other_endpoint, str):
                    endpoint = other_endpoint.strip() or None
                token = document.get(REFRESHER_TOKEN_FIELD)
                return StoredKey(
                    value.strip(),
                    endpoint,
                    SecretShape.KEY_REFRESHER,
                    valid_until=parse_valid_until(document.get(REFRESHER_VALID_UNTIL_FIELD)),
                    has_refresh_token=isinstance(token, str) and bool(token.strip()),
                )
        fields = ", ".join(sorted(str(k) for k in document)) or "none"
        raise MomentoLambdaError(
            f"The secret is JSON without {API_KEY_FIELD} (fields: {fields}).",
            f"Store the key with `momento-lambda store-token`; the JSON needs {API_KEY_FIELD} "
            f"(or the key-refresh Lambda's {REFRESHER_KEY_FIELDS[0]}).",
            code="secret.bad-shape",
        )
    return StoredKey(text, None, SecretShape.PLAIN_TEXT)


def parse_valid_until(value: object) -> datetime | None:
    """The refresher's ``validUntil`` (epoch seconds, a number or a numeric string) as UTC; ``None`` otherwise."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        seconds = float(value) if isinstance(value, int | float | str) else None
    except ValueError:
        return None
    if seconds is None or seconds != seconds:  # NaN
        return None
    if seconds > 100_000_000_000:  # milliseconds
        seconds /= 1000
    if not 0 < seconds < 253402300800:  # before the year 10000
        return None
    return datetime.fromtimestamp(seconds, tz=timezone.utc)
