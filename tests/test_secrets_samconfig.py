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
    new, places = samconfig.update_text(text, {"MomentoSecretArn": ARN})
    assert f"parameter_overrides = 'A=1 MomentoSecretArn={ARN}'" in new
    assert places == ["[default.deploy.parameters]"]


def test_update_text_only_touches_parameter_overrides():
    text = (
        "# top comment\nversion = 0.1\n\n[default.deploy.parameters]\n"
        'stack_name = "s"  # why\nparameter_overrides = "A=\\"1\\""  # trailing\n\n'
        '[default.global.parameters]\nregion = "eu-west-1"\n'
    )
    new, _ = samconfig.update_text(text, {"MomentoSecretArn": ARN, "MomentoKmsKeyArn": "arn:kms"})
    expected = text.replace(
        'parameter_overrides = "A=\\"1\\""',
        f'parameter_overrides = "A=\\"1\\" MomentoSecretArn=\\"{ARN}\\" MomentoKmsKeyArn=\\"arn:kms\\""',
    )
    assert new == expected
    assert samconfig.region_of(new) == "eu-west-1"


def test_new_file():
    new, places = samconfig.update_text(None, {"MomentoSecretArn": ARN})
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
