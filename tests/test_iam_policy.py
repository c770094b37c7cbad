"""Our own IAM policy evaluation: the rules that decide whether a role may read a secret."""

from __future__ import annotations

import pytest

from momento_lambda_cli.iam_policy import Decision, evaluate, is_broad_grant, statements_of

SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:momento/demo/api-key-AbCdEf"
READ = "secretsmanager:GetSecretValue"


def decide(*statements, action=READ, resource=SECRET):
    return evaluate(statements_of({"Statement": list(statements)}), action, resource).decision


def allow(action=READ, resource=SECRET, **extra):
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def test_exact_allow():
    assert decide(allow()) is Decision.ALLOWED


def test_nothing_is_an_implicit_deny():
    assert decide() is Decision.IMPLICIT_DENY
    assert decide(allow(action="secretsmanager:DescribeSecret")) is Decision.IMPLICIT_DENY
    assert decide(allow(resource=SECRET.replace("demo", "other"))) is Decision.IMPLICIT_DENY


def test_explicit_deny_wins_over_allow():
    deny = {"Effect": "Deny", "Action": "secretsmanager:*", "Resource": "*"}
    assert decide(allow(), deny) is Decision.DENIED


@pytest.mark.parametrize(
    "action",
    [
        "secretsmanager:GetSecretValue",
        "SecretsManager:getsecretvalue",
        "secretsmanager:Get*",
        "secretsmanager:*",
        "*",
        "secretsmanager:GetSecretValu?",
    ],
)
def test_actions_match_case_insensitively_with_wildcards(action):
    assert decide(allow(action=action)) is Decision.ALLOWED


@pytest.mark.parametrize(
    ("resource", "expected"),
    [
        ("arn:aws:secretsmanager:us-east-1:123456789012:secret:momento/demo/api-key-??????", Decision.ALLOWED),
        ("arn:aws:secretsmanager:*:*:secret:momento/*", Decision.ALLOWED),
        ("arn:aws:secretsmanager:us-east-1:123456789012:secret:MOMENTO/demo/api-key-AbCdEf", Decision.IMPLICIT_DENY),
        ("arn:aws:secretsmanager:us-east-1:123456789012:secret:momento/demo/api-key-?", Decision.IMPLICIT_DENY),
    ],
)
def test_resources_match_case_sensitively_with_wildcards(resource, expected):
    assert decide(allow(resource=resource)) is expected


def test_not_action_and_not_resource():
    assert decide({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}) is Decision.ALLOWED
    assert decide({"Effect": "Allow", "NotAction": "secretsmanager:*", "Resource": "*"}) is Decision.IMPLICIT_DENY
    assert decide({"Effect": "Allow", "Action": READ, "NotResource": "arn:aws:s3:::*"}) is Decision.ALLOWED
    assert decide({"Effect": "Allow", "Action": READ, "NotResource": SECRET}) is Decision.IMPLICIT_DENY
    deny_others = {"Effect": "Deny", "Action": "*", "NotResource": SECRET}
    assert decide(allow(resource="*"), deny_others) is Decision.ALLOWED


def test_conditions_make_it_conditional():
    condition = {"StringEquals": {"aws:SourceVpce": "vpce-1"}}
    assert decide(allow(Condition=condition)) is Decision.CONDITIONAL
    deny = {"Effect": "Deny", "Action": READ, "Resource": "*", "Condition": condition}
    assert decide(allow(), deny) is Decision.CONDITIONAL
    assert decide(allow(), {**deny, "Condition": {}}) is Decision.DENIED


def test_lists_and_single_statement_shorthand():
    document = {"Statement": {"Effect": "Allow", "Action": ["kms:Decrypt", READ], "Resource": ["x", SECRET]}}
    assert evaluate(statements_of(document), READ, SECRET).allowed
    assert evaluate(statements_of('{"Statement": []}'), READ, SECRET).decision is Decision.IMPLICIT_DENY


def test_broad_grants_are_named():
    (exact,) = statements_of({"Statement": [allow()]})
    (star_resource,) = statements_of({"Statement": [allow(resource="*")]})
    (star_action,) = statements_of({"Statement": [allow(action="secretsmanager:*")]})
    (all_secrets,) = statements_of({"Statement": [allow(resource="arn:aws:secretsmanager:*:*:secret:*")]})
    assert is_broad_grant(exact, READ) is None
    assert is_broad_grant(star_resource, READ) == "Resource *"
    assert is_broad_grant(star_action, READ) == "Action secretsmanager:*"
    assert is_broad_grant(all_secrets, READ) is not None
