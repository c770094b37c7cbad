"""Create, update or restore the Momento key's secret in AWS Secrets Manager.

The decision (what would be done) is computed from reads only (DescribeSecret,
GetSecretValue, kms:DescribeKey), so ``--dry-run`` shares the exact same path and stops
before the first write. A secret that holds something other than a Momento key, or a key
kept up to date by Momento's key-refresh Lambda (its refresh token would be lost), is never
overwritten without ``--force``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from enum import Enum
from typing import Any

from momento_lambda_cli import aws, contract
from momento_lambda_cli.errors import MomentoLambdaError, UsageError
from momento_lambda_cli.redact import register_secret

DEFAULT_KMS_ALIAS = "alias/aws/secretsmanager"
_NAME_RE = re.compile(r"^[A-Za-z0-9/_+=.@-]{1,512}$")
_TAG_KEY_RE = re.compile(r"^[\w.:/=+@ -]{1,128}$", re.UNICODE)


class Action(str, Enum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    RESTORED = "restored"


class Current(str, Enum):
    """What the existing secret holds."""

    NONE = "none"
    """No secret (or no current value)."""
    SAME = "same"
    """Exactly this key (and endpoint) in the contract shape."""
    MOMENTO = "momento"
    """Another Momento key, or this one in an older shape."""
    REFRESHER = "key-refresher"
    """A Momento key with its refresh token, rotated by Momento's key-refresh Lambda."""
    OTHER = "other"
    """Something that is not a Momento key (another app's secret)."""
    UNREADABLE = "unreadable"
    """GetSecretValue was denied (only with --force)."""


@dataclass(frozen=True)
class StoreRequest:
    secret_name: str
    secret_string: str
    kms_key_id: str | None = None
    description: str | None = None
    """Set on create, and changed on update only when given."""
    default_description: str | None = None
    """Used on create when ``description`` is ``None``."""
    tags: dict[str, str] = field(default_factory=dict)
    restore: bool = False
    force: bool = False
    dry_run: bool = False

    def __repr__(self) -> str:
        return f"StoreRequest(secret_name={self.secret_name!r}, secret_string='****', dry_run={self.dry_run})"


@dataclass
class StoreResult:
    secret_name: str
    secret_arn: str | None
    """``None`` only for a dry run that would create the secret."""
    version_id: str | None
    action: Action
    changes: list[str] = field(default_factory=list)
    """What changed (or would): ``value``, ``description``, ``tags``, ``kms_key``, ``restored``."""
    kms_key_arn: str | None = None
    previous: Current = Current.NONE
    dry_run: bool = False
    warnings: list[str] = field(default_factory=list)


def parse_tags(values: list[str]) -> dict[str, str]:
    """``KEY=VALUE`` strings into a dict; raises :class:`UsageError` on a bad one."""
    tags: dict[str, str] = {}
    for value in values:
        key, sep, tag_value = value.partition("=")
        key = key.strip()
        if not sep or not key:
            raise UsageError(f"--tag {value!r} is not KEY=VALUE.", "Example: --tag team=payments", code="usage.bad-tag")
        if not _TAG_KEY_RE.match(key) or key.lower().startswith("aws:"):
            raise UsageError(
                f"--tag key {key!r} is not a valid AWS tag key.",
                "Use up to 128 letters, digits, spaces and _ . : / = + - @; keys may not start with aws:.",
                code="usage.bad-tag",
            )
        if len(tag_value) > 256:
            raise UsageError(f"--tag {key}: the value is longer than 256 characters.", code="usage.bad-tag")
        tags[key] = tag_value
    return tags


def check_secret_name(name: str) -> None:
    if name.startswith("arn:"):
        return
    if not _NAME_RE.match(name):
        raise UsageError(
            f"{name!r} is not a valid Secrets Manager secret name.",
            "Use up to 512 letters, digits and / _ + = . @ -, e.g. momento/my-service/api-key.",
            code="usage.bad-secret-name",
        )


# --- KMS ---------------------------------------------------------------------------------


def resolve_kms_key(kms: Any, key_id: str) -> tuple[str, list[str]]:
    """Check that ``key_id`` (id, ARN, alias) is a usable symmetric key; return its ARN and warnings."""
    import botocore.exceptions

    try:
        metadata = kms.describe_key(KeyId=key_id)["KeyMetadata"]
    except botocore.exceptions.ClientError as exc:
        code = aws.error_code(exc)
        if code == "NotFoundException":
            raise MomentoLambdaError(
                f"The KMS key {key_id!r} was not found in this account and region.",
                "Check --kms-key-id (a key id, key ARN, alias/NAME or alias ARN) and --region; "
                "list keys with `aws kms list-aliases`.",
                code="kms.not-found",
            ) from None
        translated = aws.translate_error(exc, action="kms:DescribeKey", resource=key_id)
        if translated.code == "aws.access-denied":
            return key_id, [
                f"Could not check the KMS key {key_id!r} (kms:DescribeKey denied); "
                "Secrets Manager will report it if the key is not usable."
            ]
        raise translated from None
    except botocore.exceptions.BotoCoreError as exc:
        raise aws.translate_error(exc, action="kms:DescribeKey", resource=key_id) from None
    state = metadata.get("KeyState")
    if state != "Enabled" or not metadata.get("Enabled", True):
        raise MomentoLambdaError(
            f"The KMS key {key_id!r} is not usable (state: {state}).",
            "Enable the key (or cancel its deletion) in KMS, or choose another --kms-key-id.",
            code="kms.not-usable",
        )
    spec = metadata.get("KeySpec") or metadata.get("CustomerMasterKeySpec") or "SYMMETRIC_DEFAULT"
    usage = metadata.get("KeyUsage") or "ENCRYPT_DECRYPT"
    if usage != "ENCRYPT_DECRYPT" or spec != "SYMMETRIC_DEFAULT":
        raise MomentoLambdaError(
            f"The KMS key {key_id!r} cannot encrypt secrets (Secrets Manager needs a symmetric "
            f"ENCRYPT_DECRYPT key; this one is {spec} / {usage}).",
            "Create a symmetric key (`aws kms create-key`) or choose another --kms-key-id.",
            code="kms.not-usable",
        )
    return str(metadata["Arn"]), []


def _kms_arn_of(kms: Any, key_id: str | None) -> str | None:
    """The ARN a secret's ``KmsKeyId`` points at (``None`` for the AWS managed key)."""
    if not key_id or key_id in {DEFAULT_KMS_ALIAS} or key_id.endswith(":" + DEFAULT_KMS_ALIAS):
        return None
    try:
        return str(kms.describe_key(KeyId=key_id)["KeyMetadata"]["Arn"])
    except Exception:
        return key_id


# --- Secrets Manager ---------------------------------------------------------------------


def _describe(sm: Any, name: str) -> dict[str, Any] | None:
    import botocore.exceptions

    try:
        response: dict[str, Any] = sm.describe_secret(SecretId=name)
        return response
    except botocore.exceptions.ClientError as exc:
        if aws.error_code(exc) == "ResourceNotFoundException":
            return None
        raise aws.translate_error(exc, action="secretsmanager:DescribeSecret", resource=name) from None
    except botocore.exceptions.BotoCoreError as exc:
        raise aws.translate_error(exc, action="secretsmanager:DescribeSecret", resource=name) from None


def _read_current(sm: Any, arn: str, name: str, request: StoreRequest) -> tuple[Current, str | None]:
    """Classify the secret's current value; returns it with the current version id."""
    import botocore.exceptions

    try:
        response = sm.get_secret_value(SecretId=arn)
    except botocore.exceptions.ClientError as exc:
        code = aws.error_code(exc)
        if code == "ResourceNotFoundException":
            return Current.NONE, None  # a secret without a value yet (e.g. made by IaC)
        translated = aws.translate_error(exc, action="secretsmanager:GetSecretValue", resource=name)
        if translated.code == "aws.access-denied":
            if request.force:
                return Current.UNREADABLE, None
            raise MomentoLambdaError(
                f"The secret {name} exists, but AWS denied secretsmanager:GetSecretValue, so its current "
                "value cannot be checked before replacing it.",
                "Grant `secretsmanager:GetSecretValue` on it, or pass --force to overwrite it unchecked.",
                code="secret.unreadable",
            ) from None
        raise translated from None
    except botocore.exceptions.BotoCoreError as exc:
        raise aws.translate_error(exc, action="secretsmanager:GetSecretValue", resource=name) from None
    version = response.get("VersionId")
    text = response.get("SecretString")
    if text is None:
        return Current.OTHER, version  # SecretBinary: not ours
    register_secret(text)
    return classify(text, request.secret_string), version


def classify(text: str, new_secret_string: str | None = None) -> Current:
    """Is ``text`` (a SecretString) a Momento key, this very key, or something else?"""
    from momento_lambda_cli.momento_key import parse_api_key

    stripped = text.strip()
    if not stripped:
        return Current.MOMENTO  # an empty value: nothing of value to keep
    if stripped.startswith(("{", "[")):
        try:
            document = json.loads(stripped)
        except ValueError:
            return Current.OTHER
        allowed = {contract.API_KEY_FIELD, contract.ENDPOINT_FIELD, contract.LEGACY_TOKEN_FIELD}
        if isinstance(document, dict) and set(document) & contract.REFRESHER_FIELDS:
            allowed = {*contract.REFRESHER_FIELDS, contract.ENDPOINT_FIELD, contract.REFRESHER_ENDPOINT_FIELD}
        if not isinstance(document, dict) or not document or not set(document) <= allowed:
            return Current.OTHER
    try:
        stored = contract.decode_secret(stripped)
    except MomentoLambdaError:
        return Current.OTHER
    register_secret(stored.api_key)
    if stored.shape in {contract.SecretShape.PLAIN_TEXT, contract.SecretShape.KEY_REFRESHER}:
        # Shapes other software uses too: only a value that parses as a Momento key counts.
        try:
            parse_api_key(stored.api_key)
        except MomentoLambdaError as exc:
            if exc.code != "key.endpoint-missing":
                return Current.OTHER
    if stored.shape is contract.SecretShape.KEY_REFRESHER and stored.has_refresh_token:
        return Current.REFRESHER
    if new_secret_string is not None and stored.shape is contract.SecretShape.CONTRACT:
        new = contract.decode_secret(new_secret_string)
        if (stored.api_key, stored.endpoint) == (new.api_key, new.endpoint):
            return Current.SAME
    return Current.MOMENTO


def store_secret(sm: Any, kms: Any, request: StoreRequest) -> StoreResult:
    """Create, update or restore the secret (or, with ``dry_run``, only say what would be done)."""
    name = request.secret_name
    check_secret_name(name)
    warnings: list[str] = []
    kms_arn: str | None = None
    if request.kms_key_id:
        kms_arn, kms_warnings = resolve_kms_key(kms, request.kms_key_id)
        warnings.extend(kms_warnings)
    existing = _describe(sm, name)
    if existing is None:
        if name.startswith("arn:"):
            raise MomentoLambdaError(
                f"No secret has the ARN {name}.",
                "Check the ARN and --region, or pass a name (e.g. momento/my-service/api-key) to create a new secret.",
                code="secret.not-found",
            )
        if request.dry_run:
            changes = ["value"] + (["kms_key"] if kms_arn else []) + (["tags"] if request.tags else [])
            return StoreResult(name, None, None, Action.CREATED, changes, kms_arn, dry_run=True, warnings=warnings)
        created = _create(sm, request, kms_arn)
        if created is not None:
            created.warnings[:0] = warnings
            return created
        existing = _describe(sm, name)  # created by someone else meanwhile: update it
        if existing is None:
            raise MomentoLambdaError(f"The secret {name} vanished while it was being stored.", "Run the command again.")
    result = _update(sm, kms, request, existing, kms_arn)
    result.warnings[:0] = warnings
    return result


def _create(sm: Any, request: StoreRequest, kms_arn: str | None) -> StoreResult | None:
    """CreateSecret; ``None`` when the secret appeared meanwhile (the caller updates it)."""
    import botocore.exceptions

    kwargs: dict[str, Any] = {"Name": request.secret_name, "SecretString": request.secret_string}
    if kms_arn:
        kwargs["KmsKeyId"] = kms_arn
    description = request.description if request.description is not None else request.default_description
    if description is not None:
        kwargs["Description"] = description
    if request.tags:
        kwargs["Tags"] = [{"Key": k, "Value": v} for k, v in request.tags.items()]
    try:
        response = sm.create_secret(**kwargs)
    except botocore.exceptions.ClientError as exc:
        if aws.error_code(exc) == "ResourceExistsException":
            return None
        raise _translate_with_kms(exc, "secretsmanager:CreateSecret", request.secret_name, kms_arn) from None
    except botocore.exceptions.BotoCoreError as exc:
        raise aws.translate_error(exc, action="secretsmanager:CreateSecret", resource=request.secret_name) from None
    changes = ["value"] + (["kms_key"] if kms_arn else []) + (["tags"] if request.tags else [])
    return StoreResult(
        request.secret_name,
        str(response["ARN"]),
        str(response.get("VersionId") or "") or None,
        Action.CREATED,
        changes,
        kms_arn,
    )


def _translate_with_kms(exc: Exception, action: str, name: str, kms_arn: str | None) -> MomentoLambdaError:
    code = aws.error_code(exc)
    if kms_arn and code in {"KMSInvalidStateException", "KMSAccessDeniedException", "KMSNotFoundException"} | {
        "EncryptionFailure"
    }:
        return MomentoLambdaError(
            f"Secrets Manager could not use the KMS key {kms_arn} for {name} ({code}).",
            "Allow your identity kms:GenerateDataKey and kms:Decrypt on the key (key policy or IAM), "
            "and check that the key is enabled.",
            code="kms.not-usable",
        )
    return aws.translate_error(exc, action=action, resource=name)


def _update(sm: Any, kms: Any, request: StoreRequest, existing: dict[str, Any], kms_arn: str | None) -> StoreResult:
    name = str(existing.get("Name") or request.secret_name)
    arn = str(existing["ARN"])
    changes: list[str] = []
    warnings: list[str] = []
    restored = False
    if existing.get("DeletedDate"):
        when = existing["DeletedDate"]
        when_text = (
            when.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC") if isinstance(when, datetime) else str(when)
        )
        if not request.restore:
            raise MomentoLambdaError(
                f"The secret {name} is scheduled for deletion (on {when_text}); nothing was stored.",
                "Pass --restore to cancel the deletion and store the key in it, or choose another --secret-name.",
                code="secret.scheduled-for-deletion",
            )
        restored = True
        changes.append("restored")
        if request.dry_run:
            # A deleted secret cannot be read before it is restored: assume it held a key.
            return StoreResult(name, arn, None, Action.RESTORED, [*changes, "value"], kms_arn, dry_run=True)
        _call(sm.restore_secret, "secretsmanager:RestoreSecret", name, SecretId=arn)

    current, current_version = _read_current(sm, arn, name, request)
    rotated_by = rotation_function(existing)
    if current is Current.REFRESHER and not request.force:
        rotation = f"; rotation by {rotated_by} is enabled" if rotated_by else ""
        raise MomentoLambdaError(
            f"The secret {name} is kept up to date by Momento's key-refresh Lambda (it holds a refresh "
            f"token{rotation}); storing a key in it would break the rotation. It was left unchanged.",
            f"Point the functions at this secret instead (`momento-lambda new --secret-arn {arn}` for a new "
            f"project, `momento-lambda add --secret-arn {arn}` for an existing one, or set "
            f"{contract.SAM_PARAM_SECRET_ARN} / {contract.SLS_PARAM_SECRET_ARN} to it), or choose another "
            "--secret-name; --force overwrites it anyway.",
            code="secret.refresher-managed",
        )
    if rotated_by and current is not Current.SAME:
        if not request.force:
            raise MomentoLambdaError(
                f"Rotation by {rotated_by} is enabled on the secret {name}: a key stored in it would be "
                "replaced at the next rotation, or break it. It was left unchanged.",
                "Choose another --secret-name, or turn rotation off first (`aws secretsmanager "
                f"cancel-rotate-secret --secret-id {name}`); --force stores the key anyway.",
                code="secret.rotation-enabled",
            )
        warnings.append(
            f"Rotation by {rotated_by} is still enabled on the secret {name}: its next run replaces this key "
            f"(or fails on it). Turn it off with `aws secretsmanager cancel-rotate-secret --secret-id {name}` "
            "to keep the key."
        )
    if current is Current.OTHER and not request.force:
        if restored:
            raise MomentoLambdaError(
                f"The secret {name} was restored, but it holds something that is not a Momento API key; "
                "its value was left unchanged.",
                "Pass --force to overwrite it, or delete it again (`aws secretsmanager delete-secret`) and "
                "choose another --secret-name.",
                code="secret.other-shape",
            )
        raise MomentoLambdaError(
            f"The secret {name} already holds something that is not a Momento API key; it was left unchanged.",
            "Choose another --secret-name, or pass --force to overwrite it (its current value stays "
            "available as the AWSPREVIOUS version).",
            code="secret.other-shape",
        )

    value_changed = current is not Current.SAME
    if value_changed:
        changes.append("value")
    old_kms_arn = _kms_arn_of(kms, existing.get("KmsKeyId"))
    kms_changed = kms_arn is not None and kms_arn != old_kms_arn
    if kms_changed:
        changes.append("kms_key")
    description_changed = request.description is not None and request.description != existing.get("Description", "")
    if description_changed:
        changes.append("description")
    old_tags = {t["Key"]: t.get("Value", "") for t in existing.get("Tags") or []}
    new_tags = {k: v for k, v in request.tags.items() if old_tags.get(k) != v}
    if new_tags:
        changes.append("tags")

    if restored:
        action = Action.RESTORED
    elif value_changed or kms_changed:
        action = Action.UPDATED
    else:
        action = Action.UNCHANGED
    result_kms = kms_arn or old_kms_arn
    if request.dry_run:
        return StoreResult(
            name, arn, current_version, action, changes, result_kms, current, dry_run=True, warnings=warnings
        )

    version_id = current_version
    if kms_changed:
        # Re-encrypt under the new key: UpdateSecret with a value makes a new AWSCURRENT version.
        kwargs: dict[str, Any] = {"SecretId": arn, "KmsKeyId": kms_arn, "SecretString": request.secret_string}
        if description_changed:
            kwargs["Description"] = request.description
        response = _call(sm.update_secret, "secretsmanager:UpdateSecret", name, kms_arn=kms_arn, **kwargs)
        version_id = response.get("VersionId") or version_id
    else:
        if value_changed:
            response = _call(
                sm.put_secret_value,
                "secretsmanager:PutSecretValue",
                name,
                kms_arn=result_kms,
                SecretId=arn,
                SecretString=request.secret_string,
            )
            version_id = response.get("VersionId") or version_id
        if description_changed:
            _call(sm.update_secret, "secretsmanager:UpdateSecret", name, SecretId=arn, Description=request.description)
    if new_tags:
        _call(
            sm.tag_resource,
            "secretsmanager:TagResource",
            name,
            SecretId=arn,
            Tags=[{"Key": k, "Value": v} for k, v in new_tags.items()],
        )
    return StoreResult(name, arn, version_id, action, changes, result_kms, current, warnings=warnings)


def rotation_function(described: dict[str, Any]) -> str | None:
    """The name of the function rotating the secret (DescribeSecret's answer); ``None`` when rotation is off."""
    if not described.get("RotationEnabled"):
        return None
    arn = str(described.get("RotationLambdaARN") or "")
    return arn.rsplit(":", 1)[-1] if arn else "a rotation function"


def _call(method: Any, action: str, name: str, kms_arn: str | None = None, **kwargs: Any) -> dict[str, Any]:
    import botocore.exceptions

    try:
        response: dict[str, Any] = method(**kwargs)
        return response
    except botocore.exceptions.ClientError as exc:
        raise _translate_with_kms(exc, action, name, kms_arn) from None
    except botocore.exceptions.BotoCoreError as exc:
        raise aws.translate_error(exc, action=action, resource=name) from None
