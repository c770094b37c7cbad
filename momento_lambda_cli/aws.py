"""boto3 session and client factory honouring the AWS conventions users know.

Resolution order, most specific first:

* profile: ``--profile`` > ``AWS_PROFILE`` (boto3 reads it) > default chain
* region: ``--region`` > ``AWS_REGION`` > ``AWS_DEFAULT_REGION`` > the profile's ``region``
* endpoint: ``--endpoint-url`` > ``AWS_ENDPOINT_URL_<SERVICE>`` / ``AWS_ENDPOINT_URL``
  (botocore reads both; LocalStack and moto users rely on them)

Clients use botocore's ``standard`` retry mode and short timeouts so that a wrong
network or region fails in seconds, not minutes. boto3 is imported lazily: importing
this module costs nothing.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from momento_lambda_cli import __version__
from momento_lambda_cli.errors import MomentoLambdaError

if TYPE_CHECKING:
    import boto3

CONNECT_TIMEOUT_SECONDS = 5
READ_TIMEOUT_SECONDS = 20
MAX_ATTEMPTS = 5


@dataclass(frozen=True)
class AwsOptions:
    """What the user said about AWS on the command line (``None`` = not given)."""

    profile: str | None = None
    region: str | None = None
    endpoint_url: str | None = None


def resolve_region(options: AwsOptions, profile_region: str | None = None) -> str | None:
    """The region to use, or ``None`` when nothing names one."""
    return (
        options.region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or profile_region or None
    )


def make_session(options: AwsOptions) -> boto3.Session:
    """A boto3 session for ``options``; raises :class:`MomentoLambdaError` on a bad profile."""
    import boto3
    import botocore.exceptions

    try:
        session = boto3.Session(profile_name=options.profile) if options.profile else boto3.Session()
    except botocore.exceptions.ProfileNotFound as exc:
        raise MomentoLambdaError(
            f"AWS profile {exc.kwargs.get('profile', options.profile)!r} was not found.",
            "List your profiles with `aws configure list-profiles`, or set up one with `aws configure`.",
            code="aws.profile-not-found",
        ) from None
    region = resolve_region(options, session.region_name)
    if region and region != session.region_name:
        session = boto3.Session(profile_name=options.profile, region_name=region)
    return session


def client_config(**overrides: Any) -> Any:
    """botocore Config with standard retries, short timeouts and our user agent."""
    from botocore.config import Config

    settings: dict[str, Any] = {
        "retries": {"mode": "standard", "total_max_attempts": MAX_ATTEMPTS},
        "connect_timeout": CONNECT_TIMEOUT_SECONDS,
        "read_timeout": READ_TIMEOUT_SECONDS,
        "user_agent_extra": f"momento-lambda/{__version__}",
    }
    settings.update(overrides)
    return Config(**settings)


def make_client(options: AwsOptions, service: str, session: boto3.Session | None = None, **config: Any) -> Any:
    """A boto3 client for ``service``; raises :class:`MomentoLambdaError` when no region is set."""
    session = session or make_session(options)
    if not session.region_name:
        raise MomentoLambdaError(
            "No AWS region is set.",
            "Pass --region, set AWS_REGION, or add `region = ...` to your AWS profile.",
            code="aws.no-region",
        )
    kwargs: dict[str, Any] = {"config": client_config(**config)}
    if options.endpoint_url:
        kwargs["endpoint_url"] = options.endpoint_url
    return session.client(service, **kwargs)  # type: ignore[call-overload]


_XML_ERROR_CODE = re.compile(r"<Code>([A-Za-z0-9.]+)</Code>")


def error_code(exc: BaseException) -> str | None:
    """The AWS error code of a botocore ``ClientError`` (``None`` for anything else).

    When a JSON-protocol service (Secrets Manager, KMS) gets an XML error body (moto's
    IAM enforcement, some proxies), botocore reports the HTTP status as the code and the
    raw XML as the message: the ``<Code>`` inside is the real one.
    """
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        error = response.get("Error", {})
        code = error.get("Code")
        if code and str(code).isdigit():
            match = _XML_ERROR_CODE.search(str(error.get("Message") or ""))
            if match:
                return match.group(1)
        return str(code) if code else None
    return None


def _error_message(exc: BaseException) -> str:
    """The error's message (the ``<Message>`` of an XML body botocore did not parse)."""
    message = str(getattr(exc, "response", {}).get("Error", {}).get("Message") or "")
    match = re.search(r"<Message>(.*?)</Message>", message, re.DOTALL)
    if match:
        message = match.group(1)
    elif message.lstrip()[:1] == "<":
        return "an HTML error page"  # a proxy or emulator, not the AWS API
    message = " ".join(message.split())
    return message if len(message) <= 300 else message[:297] + "..."


def translate_error(exc: BaseException, *, action: str, resource: str | None = None) -> MomentoLambdaError:
    """Turn a botocore exception into one readable line with a hint.

    ``action`` is the IAM action that was attempted (``secretsmanager:CreateSecret``);
    ``resource`` names what it was attempted on. Neither may hold secret material.
    """
    import botocore.exceptions as bexc

    target = f" on {resource}" if resource else ""
    if isinstance(exc, bexc.NoCredentialsError | bexc.PartialCredentialsError):
        return MomentoLambdaError(
            "No AWS credentials were found.",
            "Run `aws configure` or `aws sso login`, pass --profile, or set AWS_PROFILE / AWS_ACCESS_KEY_ID.",
            code="aws.no-credentials",
        )
    if isinstance(exc, bexc.TokenRetrievalError | bexc.SSOTokenLoadError | bexc.UnauthorizedSSOTokenError):
        return MomentoLambdaError(
            "Your AWS SSO session has expired or is missing.",
            "Run `aws sso login` (with --profile if you use one) and try again.",
            code="aws.sso-expired",
        )
    if isinstance(exc, bexc.EndpointConnectionError | bexc.ConnectTimeoutError | bexc.ReadTimeoutError):
        return MomentoLambdaError(
            f"Could not reach AWS for {action}: {exc}.",
            "Check your network and the region (--region / AWS_REGION); "
            "if you use AWS_ENDPOINT_URL, check that the endpoint is running.",
            code="aws.unreachable",
        )
    from botocore.parsers import ResponseParserError

    unparsed = not isinstance(exc, bexc.BotoCoreError | bexc.ClientError) and isinstance(
        exc, KeyError | TypeError | AttributeError | IndexError
    )  # botocore's parsers fail this way on an HTTP 200 that is not AWS's shape
    if isinstance(exc, ResponseParserError) or unparsed:
        return MomentoLambdaError(
            f"The answer to {action}{target} is not an AWS response (the endpoint is not AWS, or a proxy "
            "answered instead).",
            "Check AWS_ENDPOINT_URL / --region and any HTTP(S)_PROXY; re-run with --debug for the response.",
            code="aws.unreachable",
        )
    if isinstance(exc, bexc.ClientError):
        code = error_code(exc) or "Unknown"
        message = _error_message(exc)
        status = (getattr(exc, "response", None) or {}).get("ResponseMetadata", {}).get("HTTPStatusCode")
        http = f" (HTTP {status})" if status else ""
        if code in {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation"}:
            return MomentoLambdaError(
                f"AWS denied {action}{target}.",
                f"Grant `{action}` to the identity you are using (check with `aws sts get-caller-identity`).",
                code="aws.access-denied",
            )
        if code in {"UnrecognizedClientException", "InvalidClientTokenId", "InvalidSignatureException"}:
            return MomentoLambdaError(
                "AWS rejected your credentials (the access key is invalid for this account or region).",
                "Check AWS_PROFILE / --profile and the region; refresh expired credentials.",
                code="aws.invalid-credentials",
            )
        if code == "ExpiredTokenException" or code == "ExpiredToken":
            return MomentoLambdaError(
                "Your AWS session token has expired.",
                "Refresh your credentials (`aws sso login` or a new session token) and try again.",
                code="aws.expired-token",
            )
        if code in {"ThrottlingException", "Throttling", "TooManyRequestsException", "RequestLimitExceeded"}:
            return MomentoLambdaError(
                f"AWS throttled {action}{target} even after {MAX_ATTEMPTS} attempts.",
                "Wait a minute and try again; check for scripts calling the same API in a loop.",
                code="aws.throttled",
            )
        detail = f": {_words(message)}" if message else ""
        return MomentoLambdaError(
            f"{action}{target} failed with {code}{http}{detail}",
            "Check the region and the resource name; re-run with --debug for details.",
            code=f"aws.{code}",
        )
    return MomentoLambdaError(
        f"{action}{target} failed: {type(exc).__name__}: {_words(str(exc))}",
        "Re-run with --debug for details.",
        code="aws.error",
    )


_BYTES = re.compile(r"""\bb(['"])(?:\\.|(?!\1).)*\1""", re.S)


def _words(text: str) -> str:
    """``text`` without Python bytes literals (botocore quotes raw response bodies as ``b'...'``)
    and on one line; the raw body is in the --debug output."""
    text = _BYTES.sub("(the response body; see --debug)", text)
    return " ".join(text.split())
