"""parameter_overrides editing: every form SAM accepts, other tokens kept as written."""

from __future__ import annotations

import pytest
import tomlkit

from momento_lambda_cli.errors import MomentoLambdaError
from momento_lambda_cli.secrets import samconfig, secret_store

ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:momento/x/api-key-AbCdEf"


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("", f'MomentoSecretArn="{ARN}"'),
        ('A="1" B="two words"', f'A="1" B="two words" MomentoSecretArn="{ARN}"'),
        ("A=1 B=2", f"A=1 B=2 MomentoSecretArn={ARN}"),
        ('A="1" MomentoSecretArn="old" B="2"', f'A="1" MomentoSecretArn="{ARN}" B="2"'),
        ("MomentoSecretArn=old", f"MomentoSecretArn={ARN}"),
        ("MomentoSecretArn='old' C=3", f"MomentoSecretArn='{ARN}' C=3"),
        ("XMomentoSecretArn=keep", f"XMomentoSecretArn=keep MomentoSecretArn={ARN}"),
        (
            "ParameterKey=MomentoSecretArn,ParameterValue=old ParameterKey=A,ParameterValue=1",
            f"ParameterKey=MomentoSecretArn,ParameterValue={ARN} ParameterKey=A,ParameterValue=1",
        ),
        ('MomentoSecretArn="has \\"escaped\\" quotes" Z=1', f'MomentoSecretArn="{ARN}" Z=1'),
        (
            "ParameterKey=A,ParameterValue=1",
            f"ParameterKey=A,ParameterValue=1 ParameterKey=MomentoSecretArn,ParameterValue={ARN}",
        ),
    ],
    ids=[
        "empty",
        "quoted-style",
        "bare-style",
        "replace-quoted",
        "replace-bare",
        "replace-single-quoted",
        "similar-name-untouched",
        "parameterkey-form",
        "escaped-quotes",
        "parameterkey-form-append",
    ],
)
def test_set_override(before, after):
    assert samconfig.set_override(before, "MomentoSecretArn", ARN) == after
    assert samconfig.get_override(after, "MomentoSecretArn") == ARN


def test_set_override_is_idempotent():
    once = samconfig.set_override('A="1"', "MomentoSecretArn", ARN)
    assert samconfig.set_override(once, "MomentoSecretArn", ARN) == once


def test_literal_string_style_is_kept():
    text = "version = 0.1\n[default.deploy.parameters]\nparameter_overrides = 'A=1'\n"
    new, places, _ = samconfig.update_text(text, {"MomentoSecretArn": ARN})
    assert f"parameter_overrides = 'A=1 MomentoSecretArn={ARN}'" in new
    assert places == ["[default.deploy.parameters]"]


def test_update_text_only_touches_parameter_overrides():
    text = (
        "# top comment\nversion = 0.1\n\n[default.deploy.parameters]\n"
        'stack_name = "s"  # why\nparameter_overrides = "A=\\"1\\""  # trailing\n\n'
        '[default.global.parameters]\nregion = "eu-west-1"\n'
    )
    new, _, _ = samconfig.update_text(text, {"MomentoSecretArn": ARN, "MomentoKmsKeyArn": "arn:kms"})
    expected = text.replace(
        'parameter_overrides = "A=\\"1\\""',
        f'parameter_overrides = "A=\\"1\\" MomentoSecretArn=\\"{ARN}\\" MomentoKmsKeyArn=\\"arn:kms\\""',
    )
    assert new == expected


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ('["A=1 MomentoSecretArn=old", "B=2"]', ["A=1 MomentoSecretArn={arn}", "B=2"]),
        (
            '["A=1", "ParameterKey=B,ParameterValue=2"]',
            ["A=1", "ParameterKey=B,ParameterValue=2", "MomentoSecretArn={arn}"],
        ),
        ('{A = "1"}', {"A": "1", "MomentoSecretArn": "{arn}"}),
    ],
    ids=["list-multi-token", "list-append", "inline-table"],
)
def test_list_and_table_forms(overrides, expected):
    text = f"version = 0.1\n[default.deploy.parameters]\nparameter_overrides = {overrides}\n"
    new, places, skipped = samconfig.update_text(text, {"MomentoSecretArn": ARN})
    value = tomlkit.parse(new)["default"]["deploy"]["parameters"]["parameter_overrides"].unwrap()
    if isinstance(expected, dict):
        assert value == {k: v.format(arn=ARN) for k, v in expected.items()}
    else:
        assert value == [e.format(arn=ARN) for e in expected]
    assert (places, skipped) == (["[default.deploy.parameters]"], [])


def test_file_reference_is_left_alone():
    text = 'version = 0.1\n[default.deploy.parameters]\nparameter_overrides = "file://params.yaml"\n'
    new, places, skipped = samconfig.update_text(text, {"MomentoSecretArn": ARN})
    assert new == text
    assert (places, skipped) == ([], ["[default.deploy.parameters]"])


def test_new_file():
    new, places, _ = samconfig.update_text(None, {"MomentoSecretArn": ARN})
    document = tomlkit.parse(new)
    assert document["version"] == 0.1
    assert document["default"]["deploy"]["parameters"]["parameter_overrides"] == f'MomentoSecretArn="{ARN}"'
    assert places == ["[default.deploy.parameters]"]


def test_broken_toml_is_a_clear_error():
    with pytest.raises(MomentoLambdaError) as caught:
        samconfig.update_text("[default\n", {"MomentoSecretArn": ARN})
    assert caught.value.code == "project.bad-samconfig"


# --- small rules of the secret store ----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"MOMENTO_API_KEY": "k", "MOMENTO_ENDPOINT": "e"}', secret_store.Current.SAME),
        ('{"MOMENTO_API_KEY": "other", "MOMENTO_ENDPOINT": "e"}', secret_store.Current.MOMENTO),
        ('{"MOMENTO_AUTH_TOKEN": "k"}', secret_store.Current.MOMENTO),
        ('{"MOMENTO_API_KEY": "k", "MOMENTO_ENDPOINT": "e", "X": "y"}', secret_store.Current.OTHER),
        ('{"password": "p"}', secret_store.Current.OTHER),
        ("{not json", secret_store.Current.OTHER),
        ("plain password", secret_store.Current.OTHER),
        ("", secret_store.Current.MOMENTO),
    ],
)
def test_classify(text, expected):
    new = '{"MOMENTO_API_KEY": "k", "MOMENTO_ENDPOINT": "e"}'
    assert secret_store.classify(text, new) is expected


def test_parse_tags():
    assert secret_store.parse_tags(["a=1", "b=", "c=x=y"]) == {"a": "1", "b": "", "c": "x=y"}
