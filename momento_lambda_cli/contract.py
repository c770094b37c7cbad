"""The secret contract and the names every part of the tool agrees on.

One secret, one read. The SecretString is JSON::

    {"MOMENTO_API_KEY": "...", "MOMENTO_ENDPOINT": "..."}

``MOMENTO_ENDPOINT`` is present for v2 API keys and absent for legacy keys (which carry
their endpoint). Readers also accept the older shapes: JSON with ``MOMENTO_AUTH_TOKEN``,
and a plain-text SecretString holding only the key.

Nothing in this module ever puts a key into an exception message.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import Enum

from momento_lambda_cli.errors import MomentoLambdaError

# Fields of the SecretString JSON.
API_KEY_FIELD = "MOMENTO_API_KEY"
ENDPOINT_FIELD = "MOMENTO_ENDPOINT"
LEGACY_TOKEN_FIELD = "MOMENTO_AUTH_TOKEN"

# The Lambda function's environment (never the key itself).
ENV_SECRET_ARN = "MOMENTO_SECRET_ARN"
ENV_CACHE_NAME = "MOMENTO_CACHE_NAME"
ENV_DEFAULT_TTL = "MOMENTO_DEFAULT_TTL_SECONDS"
MAX_TTL_SECONDS = 24 * 60 * 60
"""Momento's maximum item TTL (its default service limit: 24 hours)."""
ENV_LOCAL_OVERRIDE = "MOMENTO_LOCAL"
"""``host:port`` of a local Momento server (development only; doctor flags it on deploys).
The key is still read and sent, only the endpoint changes (plain gRPC on that port)."""

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


@dataclass(frozen=True)
class StoredKey:
    """What a secret holds. ``repr`` hides the key."""

    api_key: str
    endpoint: str | None
    shape: SecretShape

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
        endpoint = str(endpoint) if endpoint else None
        for field, shape in ((API_KEY_FIELD, SecretShape.CONTRACT), (LEGACY_TOKEN_FIELD, SecretShape.LEGACY_JSON)):
            value = document.get(field)
            if isinstance(value, str) and value.strip():
                return StoredKey(value.strip(), endpoint, shape)
        fields = ", ".join(sorted(str(k) for k in document)) or "none"
        raise MomentoLambdaError(
            f"The secret is JSON without {API_KEY_FIELD} (fields: {fields}).",
            f"Store the key with `momento-lambda store-token`; the JSON needs {API_KEY_FIELD}.",
            code="secret.bad-shape",
        )
    return StoredKey(text, None, SecretShape.PLAIN_TEXT)
