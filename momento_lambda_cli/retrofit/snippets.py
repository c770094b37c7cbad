"""The YAML blocks `add` writes, in the shapes generated projects use (so `store-token` and
`doctor` read an added project exactly like a generated one). Two-space indentation, column 0."""

from __future__ import annotations

from collections.abc import Sequence

from momento_lambda_cli import contract

READ_SID = "ReadMomentoApiKey"
DECRYPT_SID = "DecryptMomentoApiKey"
CONDITION_ARN = "HasMomentoSecretArn"
CONDITION_KMS = "HasMomentoKmsKey"
POLICY_NAME = "momento-api-key-access"

# --- SAM -------------------------------------------------------------------------------


def sam_parameters(
    secret_arn: str, secret_name: str, cache_name: str, ttl: int, kms_key_arn: str
) -> dict[str, list[str]]:
    return {
        contract.SAM_PARAM_SECRET_ARN: [
            "Type: String",
            f'Default: "{secret_arn}"',
            'AllowedPattern: "^(arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:.+)?$"',
            "Description: >-",
            "  ARN of the Secrets Manager secret holding the Momento API key (`momento-lambda",
            f"  store-token` sets it). While it is empty, the functions may read the secret named {contract.SAM_PARAM_SECRET_NAME}.",
        ],
        contract.SAM_PARAM_SECRET_NAME: [
            "Type: String",
            f'Default: "{secret_name}"',
            "MinLength: 1",
            "Description: Name of the Secrets Manager secret holding the Momento API key.",
        ],
        contract.SAM_PARAM_CACHE_NAME: [
            "Type: String",
            f'Default: "{cache_name}"',
            "MinLength: 1",
            "Description: The Momento cache the functions use.",
        ],
        contract.SAM_PARAM_DEFAULT_TTL: [
            "Type: Number",
            f"Default: {ttl}",
            "MinValue: 1",
            "Description: How long cached items live, in seconds.",
        ],
        contract.SAM_PARAM_KMS_KEY_ARN: [
            "Type: String",
            f'Default: "{kms_key_arn}"',
            "Description: The customer-managed KMS key encrypting the secret, if any (empty for aws/secretsmanager).",
        ],
    }


SAM_CONDITIONS = {
    CONDITION_ARN: f'!Not [!Equals [!Ref {contract.SAM_PARAM_SECRET_ARN}, ""]]',
    CONDITION_KMS: f'!Not [!Equals [!Ref {contract.SAM_PARAM_KMS_KEY_ARN}, ""]]',
}

SAM_ENVIRONMENT = {
    contract.ENV_SECRET_ARN: (
        f"!If [{CONDITION_ARN}, !Ref {contract.SAM_PARAM_SECRET_ARN}, !Ref {contract.SAM_PARAM_SECRET_NAME}]"
    ),
    contract.ENV_CACHE_NAME: f"!Ref {contract.SAM_PARAM_CACHE_NAME}",
    contract.ENV_DEFAULT_TTL: f"!Ref {contract.SAM_PARAM_DEFAULT_TTL}",
}

SAM_STATEMENTS = [
    f"- Sid: {READ_SID}",
    "  Effect: Allow",
    "  Action: secretsmanager:GetSecretValue",
    "  Resource: !If",
    f"    - {CONDITION_ARN}",
    f"    - !Ref {contract.SAM_PARAM_SECRET_ARN}",
    '    - !Sub "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:'
    f'${{{contract.SAM_PARAM_SECRET_NAME}}}-??????"',
    "- !If",
    f"  - {CONDITION_KMS}",
    f"  - Sid: {DECRYPT_SID}",
    "    Effect: Allow",
    "    Action: kms:Decrypt",
    f"    Resource: !Ref {contract.SAM_PARAM_KMS_KEY_ARN}",
    "  - !Ref AWS::NoValue",
]


def sam_policy_item(statements: Sequence[str] = SAM_STATEMENTS) -> list[str]:
    """One item of a function's SAM ``Policies`` list (first line without its dash)."""
    return ['Version: "2012-10-17"', "Statement:", *["  " + line for line in statements]]


def sam_role_policy(role_id: str, statements: Sequence[str] = SAM_STATEMENTS) -> list[str]:
    """An ``AWS::IAM::Policy`` resource attached to the template's role ``role_id``."""
    return [
        "Type: AWS::IAM::Policy",
        "Properties:",
        f"  PolicyName: {POLICY_NAME}",
        "  Roles:",
        f"    - !Ref {role_id}",
        "  PolicyDocument:",
        '    Version: "2012-10-17"',
        "    Statement:",
        *["      " + line for line in statements],
    ]


# --- Serverless ------------------------------------------------------------------------

SLS_CONDITIONS = {
    CONDITION_ARN: [f'Fn::Not: [{{ Fn::Equals: ["${{param:{contract.SLS_PARAM_SECRET_ARN}}}", ""] }}]'],
}

SLS_ENVIRONMENT = {
    # Plain values, as generated projects write them: `serverless invoke local` resolves only
    # Ref / Fn::ImportValue in an environment; the client reads MOMENTO_SECRET_NAME while the ARN is empty.
    contract.ENV_SECRET_ARN: f'"${{param:{contract.SLS_PARAM_SECRET_ARN}}}"',
    contract.ENV_SECRET_NAME: f'"${{param:{contract.SLS_PARAM_SECRET_NAME}}}"',
    contract.ENV_CACHE_NAME: f'"${{param:{contract.SLS_PARAM_CACHE_NAME}}}"',
    contract.ENV_DEFAULT_TTL: f'"${{param:{contract.SLS_PARAM_DEFAULT_TTL}}}"',
}


def sls_read_statement() -> list[str]:
    """One statement (first line without its dash) of provider.iam.role.statements and the like."""
    return [
        f"Sid: {READ_SID}",
        "Effect: Allow",
        "Action: secretsmanager:GetSecretValue",
        "Resource:",
        "  Fn::If:",
        f"    - {CONDITION_ARN}",
        f'    - "${{param:{contract.SLS_PARAM_SECRET_ARN}}}"',
        "    - Fn::Join:",
        '        - ":"',
        "        - - arn",
        "          - Ref: AWS::Partition",
        "          - secretsmanager",
        "          - Ref: AWS::Region",
        "          - Ref: AWS::AccountId",
        "          - secret",
        f'          - "${{param:{contract.SLS_PARAM_SECRET_NAME}}}-??????"',
    ]


def sls_decrypt_statement() -> list[str]:
    return [
        f"Sid: {DECRYPT_SID}",
        "Effect: Allow",
        "Action: kms:Decrypt",
        f'Resource: "${{param:{contract.SLS_PARAM_KMS_KEY_ARN}}}"',
    ]


def sls_role_policy(role_id: str, statements: Sequence[Sequence[str]]) -> list[str]:
    """An ``AWS::IAM::Policy`` under resources.Resources attached to the project's role ``role_id``."""
    lines: list[str] = []
    for statement in statements:
        lines += ["- " + statement[0], *["  " + s for s in statement[1:]]]
    return [
        "Type: AWS::IAM::Policy",
        "Properties:",
        f"  PolicyName: {POLICY_NAME}",
        "  Roles:",
        f"    - Ref: {role_id}",
        "  PolicyDocument:",
        '    Version: "2012-10-17"',
        "    Statement:",
        *["      " + s for s in lines],
    ]
