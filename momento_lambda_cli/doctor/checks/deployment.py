"""Checks over the deployed stack: its state, its functions, the role, the secret."""

from __future__ import annotations

import contextlib
import threading
from datetime import datetime, timedelta, timezone
from typing import Any

from momento_lambda_cli import aws, catalog, contract, frameworks, iam_policy
from momento_lambda_cli.doctor import keyscan
from momento_lambda_cli.doctor.checks._util import plural
from momento_lambda_cli.doctor.context import DeployedFunction, DoctorContext
from momento_lambda_cli.doctor.model import Check, Group, Result, SkipCheck
from momento_lambda_cli.errors import MomentoLambdaError

HEALTHY = {"CREATE_COMPLETE", "UPDATE_COMPLETE", "IMPORT_COMPLETE"}
SETTLING = {"UPDATE_ROLLBACK_COMPLETE"}
AWS_MANAGED_SECRET_KEY = "alias/aws/secretsmanager"


def _deploy(ctx: DoctorContext, build: bool = False) -> str:
    """The deploy command of the project's framework (both when the project does not load)."""
    try:
        project = ctx.project()
    except MomentoLambdaError:
        project = None
    if project is None:
        return " / ".join(dict.fromkeys(a.deploy_hint(build=build) for a in frameworks.adapters()))
    return frameworks.adapter_for(project).deploy_hint(build=build)


def stack(ctx: DoctorContext) -> Result:
    ctx.session()
    name = ctx.stack_name()
    if not name:
        return Result.skip("No stack name: pass --stack-name, or set stack_name in samconfig.toml.")
    described = ctx.stack()
    if described is None:
        return Result.fail(
            f"Stack {name} does not exist in {ctx.region()}",
            f"Deploy it ({_deploy(ctx)}), or pass the right --stack-name / --region.",
        )
    status = str(described.get("StackStatus"))
    reason = described.get("StackStatusReason")
    message = f"Stack {name} is {status}"
    if status in HEALTHY:
        return Result.ok(message)
    if status in SETTLING or status.endswith("_IN_PROGRESS"):
        return Result.warn(
            message + (f" ({reason})" if reason else ""),
            "The last update rolled back or is still running; check the stack events in the CloudFormation console.",
        )
    if status == "DELETE_COMPLETE":
        return Result.fail(message, f"The stack was deleted: deploy it again ({_deploy(ctx)}).")
    return Result.fail(
        message + (f" ({reason})" if reason else ""),
        "Look at the stack events (`aws cloudformation describe-stack-events`), fix the cause and deploy again; "
        "a stack in ROLLBACK_COMPLETE must be deleted first.",
    )


def _functions(ctx: DoctorContext) -> list[DeployedFunction]:
    ctx.session()
    functions = ctx.deployed_functions()
    if not functions:
        raise SkipCheck("No deployed function to check (the stack has none, or it does not exist).")
    return functions


def functions_match(ctx: DoctorContext) -> Result:
    problems, passes = [], []
    for deployed in _functions(ctx):
        config = deployed.configuration
        if not config:
            problems.append(f"{deployed.name}: not found")
            continue
        spec = deployed.spec
        if spec is None:
            passes.append(f"{deployed.name}: no matching function in the project, not compared")
            continue
        mismatches = []
        if isinstance(spec.runtime, str) and spec.runtime and config.get("Runtime") != spec.runtime:
            mismatches.append(f"runtime {config.get('Runtime')} (project: {spec.runtime})")
        arch = (config.get("Architectures") or [catalog.LAMBDA_DEFAULT_ARCHITECTURE.name])[0]
        if isinstance(spec.architecture, str) and arch != spec.architecture:
            mismatches.append(f"architecture {arch} (project: {spec.architecture})")
        if isinstance(spec.timeout, float) and float(config.get("Timeout") or 3) != spec.timeout:
            mismatches.append(f"timeout {config.get('Timeout')} s (project: {spec.timeout:g} s)")
        if isinstance(spec.memory, int) and int(config.get("MemorySize") or 128) != spec.memory:
            mismatches.append(f"memory {config.get('MemorySize')} MB (project: {spec.memory} MB)")
        deployed_env = (config.get("Environment") or {}).get("Variables") or {}
        for key, value in spec.environment.items():
            if key not in deployed_env:
                mismatches.append(f"environment {key} missing")
            elif isinstance(value, str | int | float) and "${" not in str(value) and str(value) != deployed_env[key]:
                mismatches.append(f"environment {key} differs from the project")
        if mismatches:
            problems.append(f"{deployed.name}: " + "; ".join(mismatches))
        else:
            passes.append(f"{deployed.name}: matches {spec.key}")
    if problems:
        return Result.fail(
            "The deployed functions differ from the project",
            f"Deploy the current project ({_deploy(ctx, build=True)}).",
            problems,
        )
    return Result.ok(f"{plural(len(passes), 'function')} match the project", passes)


def _target_secret(ctx: DoctorContext) -> str:
    secret = ctx.secret()
    if secret is not None:
        return secret.arn
    secret_id = ctx.secret_id()
    if not secret_id:
        raise SkipCheck("No secret to check.", "Pass --secret-id.")
    return secret_id


def _decide(ctx: DoctorContext, role_arn: str, action: str, resource: str) -> tuple[iam_policy.Decision, str]:
    """Ask the IAM policy simulator; fall back to our own evaluation on any error."""
    # Read the role's policies meanwhile: the simulator is often denied or missing.
    threading.Thread(target=_quietly, args=(ctx.role_statements, role_arn), daemon=True).start()
    try:
        response = ctx.client("iam", attempts=1).simulate_principal_policy(
            PolicySourceArn=role_arn, ActionNames=[action], ResourceArns=[resource]
        )
        decision = response["EvaluationResults"][0]["EvalDecision"]
        mapping = {
            "allowed": iam_policy.Decision.ALLOWED,
            "explicitDeny": iam_policy.Decision.DENIED,
            "implicitDeny": iam_policy.Decision.IMPLICIT_DENY,
        }
        return mapping.get(decision, iam_policy.Decision.CONDITIONAL), "IAM policy simulator"
    except SkipCheck:
        raise
    except Exception as exc:
        why = type(exc).__name__
        statements, sources = ctx.role_statements(role_arn)
        evaluation = iam_policy.evaluate(statements, action, resource)
        read = ", ".join(sources) or "no policies"
        return evaluation.decision, f"own policy evaluation over {read}; the simulator was unavailable ({why})"


def _quietly(call: Any, *args: Any) -> None:
    with contextlib.suppress(BaseException):
        call(*args)


def _role_check(ctx: DoctorContext, action: str, resource: str, what: str) -> Result:
    problems, passes, notes = [], [], []
    roles: dict[str, list[str]] = {}
    for deployed in _functions(ctx):
        role = deployed.configuration.get("Role")
        if role:
            roles.setdefault(str(role), []).append(deployed.name)
    if not roles:
        return Result.skip("No deployed function with a role.")
    for role_arn, names in roles.items():
        decision, how = _decide(ctx, role_arn, action, resource)
        role = role_arn.rsplit("/", 1)[-1]
        line = f"role {role} ({', '.join(names)}): {decision.value}"
        notes.append(how)
        if decision is iam_policy.Decision.ALLOWED:
            passes.append(line)
        else:
            problems.append(line)
    method = "; ".join(sorted(set(notes)))
    if problems:
        conditional = all("conditional" in p for p in problems)
        hint = f"Allow `{action}` on {resource} in the function role's policy and deploy again."
        message = f"The function role may not {what} (checked with {method})"
        if conditional:
            return Result.warn(
                f"The function role may {what} only under a Condition (checked with {method})", hint, problems
            )
        return Result.fail(message, hint, problems)
    return Result.ok(f"The function role may {what} (checked with {method})", passes)


def role_secret_access(ctx: DoctorContext) -> Result:
    resource = _target_secret(ctx)
    return _role_check(ctx, "secretsmanager:GetSecretValue", resource, "read the secret")


def role_kms(ctx: DoctorContext) -> Result:
    secret = ctx.secret()
    if secret is None:
        raise SkipCheck("The secret does not exist (see secret.contract).")
    _functions(ctx)
    key = secret.kms_key_id
    if not key or key == AWS_MANAGED_SECRET_KEY or key.endswith(AWS_MANAGED_SECRET_KEY):
        return Result.skip("The secret uses the AWS-managed key: no kms:Decrypt grant is needed.")
    key_arn = key
    if not key.startswith("arn:"):
        try:
            described = ctx.call("kms", "describe_key", "kms:DescribeKey", key, KeyId=key)
            key_arn = str(described["KeyMetadata"]["Arn"])
        except MomentoLambdaError:
            key_arn = key
    return _role_check(ctx, "kms:Decrypt", key_arn, f"decrypt with the secret's KMS key {key_arn}")


def secret_contract(ctx: DoctorContext) -> Result:
    ctx.session()
    secret = ctx.secret()
    if secret is None:
        return Result.fail(
            f"Secret {ctx.secret_id()} does not exist in {ctx.region()}",
            "Store the key with `momento-lambda store-token`, or pass the right --secret-id / --region.",
        )
    if not secret.has_current:
        return Result.fail(
            f"Secret {secret.name} has no AWSCURRENT version",
            "Store the key again with `momento-lambda store-token`.",
        )
    if secret.binary:
        return Result.fail(
            f"Secret {secret.name} holds binary data (SecretBinary), not the key as text",
            "Store the key with `momento-lambda store-token` (it writes a SecretString).",
        )
    try:
        stored = contract.decode_secret(secret.secret_string)
    except MomentoLambdaError as exc:
        return Result.fail(f"Secret {secret.name}: {exc.message}", exc.hint)
    if stored.shape is contract.SecretShape.KEY_REFRESHER:
        return Result.ok(
            f"Secret {secret.name} exists, has an AWSCURRENT version and the key-refresh Lambda's shape "
            f"({', '.join(sorted(_present(secret.secret_string)))})"
        )
    if stored.shape is not contract.SecretShape.CONTRACT:
        return Result.warn(
            f"Secret {secret.name} holds the key in the older {stored.shape.value} shape",
            f"Store it again with `momento-lambda store-token` (JSON with {contract.API_KEY_FIELD} and {contract.ENDPOINT_FIELD}).",
        )
    return Result.ok(f"Secret {secret.name} exists, has an AWSCURRENT version and the contract shape")


def _present(secret_string: str | None) -> set[str]:
    """The refresher fields the secret's JSON has (names only)."""
    import json

    try:
        document = json.loads(secret_string or "")
    except ValueError:
        return set()
    known = {*contract.REFRESHER_FIELDS, contract.ENDPOINT_FIELD, contract.REFRESHER_ENDPOINT_FIELD}
    return {str(k) for k in document if k in known} if isinstance(document, dict) else set()


def _day(value: Any) -> str:
    return value.astimezone(timezone.utc).strftime("%Y-%m-%d") if isinstance(value, datetime) else str(value)


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(timezone.utc).isoformat().replace("+00:00", "Z") if value is not None else None


def rotation(ctx: DoctorContext) -> Result:
    """Rotation of the secret: enabled, its function exists, its last run finished, and the
    key-refresh Lambda's ``validUntil`` is neither past nor before the next rotation."""
    ctx.session()
    secret = ctx.secret()
    if secret is None:
        raise SkipCheck("The secret does not exist (see secret.contract).")
    described = secret.description
    stored: contract.StoredKey | None = None
    if secret.secret_string is not None:
        try:
            stored = contract.decode_secret(secret.secret_string)
        except MomentoLambdaError:
            stored = None
    refresher = stored is not None and stored.shape is contract.SecretShape.KEY_REFRESHER
    valid_until = stored.valid_until if stored is not None else None
    lambda_arn = described.get("RotationLambdaARN") or None
    last = described.get("LastRotatedDate")
    following = described.get("NextRotationDate")
    after_days = (described.get("RotationRules") or {}).get("AutomaticallyAfterDays")
    if following is None and isinstance(last, datetime) and after_days:
        following = last + timedelta(days=int(after_days))
    data: dict[str, Any] = {
        "rotation_enabled": bool(described.get("RotationEnabled")),
        "rotation_lambda_arn": lambda_arn,
        "last_rotated": _iso(last) if isinstance(last, datetime) else None,
        "next_rotation": _iso(following) if isinstance(following, datetime) else None,
        "valid_until": _iso(valid_until),
    }
    if not described.get("RotationEnabled"):
        if refresher:
            return Result.warn(
                f"Secret {secret.name} holds a key-refresh secret (with a refresh token), but rotation is not enabled",
                "Enable rotation with the key-refresh Lambda (`aws secretsmanager rotate-secret --secret-id "
                f"{secret.name} --rotation-lambda-arn ARN --rotation-rules AutomaticallyAfterDays=N`), "
                "or the key stops working at its validUntil.",
                data=data,
            )
        return Result.ok(
            f"Rotation is not enabled for secret {secret.name} (the key is changed with `momento-lambda store-token`)",
            data=data,
        )
    if not lambda_arn:
        return Result.fail(
            f"Rotation is enabled for secret {secret.name}, but no rotation function is set",
            f"Set it: `aws secretsmanager rotate-secret --secret-id {secret.name} --rotation-lambda-arn ARN`.",
            data=data,
        )
    function_name = lambda_arn.rsplit(":", 1)[-1]
    try:
        function = ctx.call(
            "lambda",
            "get_function_configuration",
            "lambda:GetFunctionConfiguration",
            lambda_arn,
            missing=lambda exc: aws.error_code(exc) == "ResourceNotFoundException",
            FunctionName=lambda_arn,
        )
    except MomentoLambdaError as exc:
        if exc.code != "aws.access-denied":
            raise
        return Result.warn(
            f"Could not check the rotation function {function_name} of secret {secret.name}: {exc.message}",
            exc.hint,
            [f"rotation function: {lambda_arn}"],
            data=data,
        )
    if function is None:
        return Result.fail(
            f"The rotation function {function_name} of secret {secret.name} does not exist",
            "Deploy the rotation function (e.g. Momento's api-key-refresh-lambda) again, or point rotation at "
            f"the right one: `aws secretsmanager rotate-secret --secret-id {secret.name} --rotation-lambda-arn ARN`.",
            [f"rotation function: {lambda_arn}"],
            data=data,
        )
    when = [
        f"last rotated {_day(last)}" if last else "never rotated yet",
        f"next rotation {_day(following)}" if following else "next rotation not scheduled",
    ]
    stages = described.get("VersionIdsToStages") or {}
    unfinished = [v for v, labels in stages.items() if "AWSPENDING" in labels and "AWSCURRENT" not in labels]
    if unfinished:
        log_group = f"/aws/lambda/{function_name}"
        return Result.fail(
            f"The last rotation of secret {secret.name} did not finish (a version is still AWSPENDING; {when[0]})",
            f"Read the rotation function's logs ({log_group}), fix the cause, then rotate again: "
            f"`aws secretsmanager rotate-secret --secret-id {secret.name}`.",
            [f"rotation function: {function_name}", *when],
            data=data,
        )
    now = datetime.now(timezone.utc)
    message = f"Rotation by {function_name} is enabled ({', '.join(when)})"
    if valid_until is not None and valid_until <= now:
        return Result.warn(
            f"{message}, but the key's validUntil ({_day(valid_until)}) is in the past",
            "The refresher did not renew the key in time: read its logs, then rotate now "
            f"(`aws secretsmanager rotate-secret --secret-id {secret.name}`).",
            [f"rotation function: {function_name}", *when],
            data=data,
        )
    if valid_until is not None and isinstance(following, datetime) and valid_until < following:
        return Result.warn(
            f"{message}, but the key's validUntil ({_day(valid_until)}) comes before the next rotation",
            "Rotate more often (a shorter AutomaticallyAfterDays) or rotate now, or the key expires "
            "before it is renewed.",
            [f"rotation function: {function_name}", *when],
            data=data,
        )
    return Result.ok(message, [f"rotation function: {lambda_arn}", *when], data=data)


def env_secrets(ctx: DoctorContext) -> Result:
    problems, checked, missing = [], [], []
    for deployed in _functions(ctx):
        if not deployed.configuration:
            missing.append(deployed.name)
            continue
        variables: dict[str, Any] = (deployed.configuration.get("Environment") or {}).get("Variables") or {}
        checked.append(deployed.name)
        for name, value in sorted(variables.items()):
            kinds = keyscan.find_keys(str(value))
            if kinds:
                problems.append(f"{deployed.name}: environment variable {name} holds a Momento {kinds[0]}")
            elif name in {contract.API_KEY_FIELD, contract.LEGACY_TOKEN_FIELD} and value:
                problems.append(f"{deployed.name}: environment variable {name} is set")
            elif name == contract.ENV_LOCAL_OVERRIDE and value:
                problems.append(
                    f"{deployed.name}: {contract.ENV_LOCAL_OVERRIDE} is set (points the function at a local server)"
                )
    if problems:
        return Result.fail(
            "A deployed function's environment holds a Momento key or a development override",
            "Remove the variable, revoke the key in the Momento console, store a new one with "
            "`momento-lambda store-token`, and give the function only MOMENTO_SECRET_ARN.",
            problems,
        )
    if not checked:
        return Result.skip(
            f"No deployed function to read: {', '.join(missing)} not found."
            if missing
            else "No deployed function found."
        )
    return Result.ok("No key in the deployed functions' environment", checked)


CHECKS = [
    Check(
        "deploy.stack",
        Group.DEPLOYMENT,
        "Stack deployed and healthy",
        stack,
        remote=True,
        reads="CloudFormation: the stack",
        fails_when="the stack does not exist or failed (warns while in progress or rolled back)",
        why="the other deployment checks read what the stack deployed",
    ),
    Check(
        "deploy.functions",
        Group.DEPLOYMENT,
        "Deployed functions match the project",
        functions_match,
        remote=True,
        reads="Lambda: each deployed function's configuration, against the project",
        fails_when="a deployed function's runtime, architecture, timeout, memory or environment differs from the project",
        why="a deployed function that differs from the project runs code or settings nobody reviewed",
    ),
    Check(
        "deploy.env-secrets",
        Group.DEPLOYMENT,
        "No key in deployed environments",
        env_secrets,
        remote=True,
        reads="Lambda: each deployed function's environment",
        fails_when="a deployed function's environment holds a Momento key (named by variable, never shown) or `MOMENTO_LOCAL`",
        why="a key in an environment variable is readable by anyone who may read the function's configuration",
    ),
    Check(
        "secret.contract",
        Group.DEPLOYMENT,
        "Secret exists, current, contract shape",
        secret_contract,
        remote=True,
        reads="Secrets Manager: the secret and its current value",
        fails_when="the secret is missing, has no AWSCURRENT version, or is not in a readable shape (warns on the older shapes; the key-refresh Lambda's shape passes)",
        why="the functions parse this shape on their cold start",
    ),
    Check(
        "secret.rotation",
        Group.DEPLOYMENT,
        "Secret rotation healthy",
        rotation,
        remote=True,
        reads="Secrets Manager: rotation settings; Lambda: the rotation function",
        fails_when="rotation is enabled but its function is unset or does not exist, or the last rotation did not finish (a version still `AWSPENDING`); warns when a key-refresh secret has rotation off, or its `validUntil` is past or before the next rotation; shows the last and next rotation dates (`data` in `--json`)",
        why="a broken rotation leaves the functions with an expired key",
    ),
    Check(
        "iam.role-secret-access",
        Group.DEPLOYMENT,
        "Function role may read the secret",
        role_secret_access,
        remote=True,
        reads="IAM: the deployed function roles' policies (or the policy simulator)",
        fails_when="the function role may not read the secret: `iam:SimulatePrincipalPolicy` when it answers, else the tool's own evaluation of the role's inline and attached policies (the message says which)",
        why="what is deployed decides whether the function may read its key, whatever the template says",
    ),
    Check(
        "iam.role-kms-decrypt",
        Group.DEPLOYMENT,
        "Function role may decrypt the secret",
        role_kms,
        remote=True,
        reads="IAM and KMS: the roles' policies and the secret's key",
        fails_when="the secret uses a customer-managed KMS key the role may not decrypt with",
        why="a secret encrypted with a customer-managed key cannot be read without kms:Decrypt",
    ),
]
