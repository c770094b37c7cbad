"""The byte-minimal cdk.json edit (project/jsontext.py) and store-token's CDK wiring through the
one changeset (unit tier: no AWS; the ARN is a stand-in)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from momento_lambda_cli.errors import MomentoLambdaError
from momento_lambda_cli.project import jsontext
from momento_lambda_cli.secrets import wiring
from tests.support import projects
from tests.support.generated import render

ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:momento/api-key-AbCdEf"
SET = {"momentoSecretArn": ARN}


def edit(text: str, values: dict[str, str] | None = None) -> str:
    return jsontext.set_strings(text, ["context"], values or SET, "cdk.json")


# --- the editor -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "after"),
    [
        # replace in place: the escapes, spacing and order of everything else stay
        (
            '{\n  "context": {\n    "a": "\\u00e9",\n    "momentoSecretArn": "",\n    "b": [1, 2.50, -0e+1]\n  }\n}\n',
            f'{{\n  "context": {{\n    "a": "\\u00e9",\n    "momentoSecretArn": "{ARN}",\n    "b": [1, 2.50, -0e+1]\n  }}\n}}\n',
        ),
        # insert after the last member, with its indentation and separator
        (
            '{\n\t"context": {\n\t\t"x" : true\n\t}\n}',
            f'{{\n\t"context": {{\n\t\t"x" : true,\n\t\t"momentoSecretArn" : "{ARN}"\n\t}}\n}}',
        ),
        # an empty context on one line becomes a block one step deeper than its key
        ('{\n    "context": {}\n}\n', f'{{\n    "context": {{\n        "momentoSecretArn": "{ARN}"\n    }}\n}}\n'),
        # a compact file stays compact
        ('{"app":"x","context":{"y":null}}', f'{{"app":"x","context":{{"y":null, "momentoSecretArn":"{ARN}"}}}}'),
        # no context: a new last member, the file's indentation unit
        ('{\n  "app": "x"\n}', f'{{\n  "app": "x",\n  "context": {{\n    "momentoSecretArn": "{ARN}"\n  }}\n}}'),
        ('{"app": "x"}', f'{{"app": "x", "context": {{"momentoSecretArn": "{ARN}"}}}}'),
        # a non-string value of ours is replaced by the string
        ('{"context": {"momentoSecretArn": {"Ref": "X"}}}', f'{{"context": {{"momentoSecretArn": "{ARN}"}}}}'),
        # a key elsewhere with the same name is not ours
        (
            '{"watch": {"momentoSecretArn": 1}, "context": {}}',
            f'{{"watch": {{"momentoSecretArn": 1}}, "context": {{\n  "momentoSecretArn": "{ARN}"\n}}}}',
        ),
    ],
)
def test_the_edit_changes_only_the_value_or_adds_one_member(before: str, after: str) -> None:
    assert edit(before) == after
    assert json.loads(after)["context"]["momentoSecretArn"] == ARN
    assert edit(after) == after  # idempotent


def test_crlf_and_a_byte_order_mark_are_kept() -> None:
    before = '\ufeff{\r\n  "context": {\r\n    "region": "eu-west-1"\r\n  }\r\n}\r\n'
    after = edit(before, {**SET, "momentoKmsKeyArn": "arn:aws:kms:eu-west-1:1:key/k"})
    assert after.startswith("\ufeff{\r\n") and after.endswith("}\r\n")
    assert "\n" not in after.replace("\r\n", "")
    assert after == before.replace(
        '"eu-west-1"',
        f'"eu-west-1",\r\n    "momentoSecretArn": "{ARN}",\r\n    "momentoKmsKeyArn": "arn:aws:kms:eu-west-1:1:key/k"',
    )


def test_every_byte_outside_the_value_is_kept_on_a_large_real_shaped_file() -> None:
    flags = {f"@aws-cdk/aws-service{i}:featureFlag{i}": i % 2 == 0 for i in range(300)}
    before = json.dumps({"app": "npx ts-node bin/app.ts", "context": {**flags, "momentoSecretArn": ""}}, indent=2)
    after = edit(before)
    assert after == before.replace('"momentoSecretArn": ""', f'"momentoSecretArn": "{ARN}"')


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("[]", "the top level is not a JSON object (line 1, column 1)"),
        ("  \n", "the file is empty"),
        ('{"a": 1, "a": 2}', 'the key "a" appears twice in one object (line 1, column 10)'),
        ('{"context": {"x": 1, "x": 1}}', 'the key "x" appears twice'),
        ('{\n  "a": 1 /* c */\n}', "a comment (JSON has none) (line 2, column 10)"),
        ('{"a": [1,]}', "a trailing comma"),
        ('{"a": Infinity}', "unexpected 'I'"),
        ('{"a": "x\ny"}', "invalid control character"),
        ('{"a": 01}', "expected ',' or '}'"),
        ('{"a": 1}}', "text after the JSON object"),
        ('{"a": 1', "expected ',' or '}'"),
        ("{" + '"a": {' * 70 + "}" * 71, "nested deeper than 64 levels"),
        ('{"a": ' + "[" * 100_000 + "]" * 100_000 + "}", "nested deeper than 64 levels"),
        ('{"context": []}', "context is not a JSON object"),
    ],
)
def test_what_the_edit_refuses_is_one_line_with_where(text: str, why: str) -> None:
    with pytest.raises(MomentoLambdaError) as refused:
        edit(text)
    assert why in refused.value.message
    assert "\n" not in refused.value.message
    assert refused.value.message.endswith("nothing was changed.")


# --- through store-token's wiring and the one changeset --------------------------------------


def _plan(directory: Path) -> list[wiring.PlannedWrite]:
    found = wiring.inspect_project(directory)
    writes, _ = wiring.plan_writes(found, secret_name="momento/api-key", secret_arn=ARN, kms_key_arn=None)
    return writes


@pytest.mark.filterwarnings("ignore:only soft file lock is available")
def test_a_change_saved_while_the_secret_was_stored_is_kept(tmp_path: Path) -> None:
    directory = render(tmp_path, framework="cdk", runtime="nodejs22.x")
    writes = _plan(directory)
    assert [w.path.name for w in writes] == ["cdk.json", ".momento-lambda.json"]
    path = directory / "cdk.json"
    path.write_text(path.read_text().replace('"region": ""', '"region": "eu-west-1"'))
    warnings = wiring.apply_writes(writes)
    context = json.loads(path.read_text())["context"]
    assert context["region"] == "eu-west-1" and context["momentoSecretArn"] == ARN
    assert warnings == ["cdk.json changed while this command ran; the edit was applied to its new content."]


@pytest.mark.filterwarnings("ignore:only soft file lock is available")
def test_a_cdk_json_broken_meanwhile_stops_every_write(tmp_path: Path) -> None:
    directory = render(tmp_path, framework="cdk", runtime="python3.13")
    writes = _plan(directory)
    (directory / "cdk.json").write_text('{"context": {}, "context": {}}')
    before = projects.snapshot(directory)
    with pytest.raises(MomentoLambdaError, match="appears twice"):
        wiring.apply_writes(writes)
    assert projects.snapshot(directory) == before  # the answers file too: all or nothing


def test_a_cdk_app_is_read_by_every_command_but_doctor_fix() -> None:
    from momento_lambda_cli import frameworks

    cdk = frameworks.adapter("cdk")
    assert [c for c in ("doctor", "add", "store-token", "update") if cdk.reads(c)] == [
        "doctor",
        "add",
        "store-token",
        "update",
    ]
    assert not cdk.reads("doctor --fix")
    for one in frameworks.adapters():
        if one.reads_projects:
            assert all(one.reads(c) for c in ("doctor", "add", "store-token", "update"))


# --- fuzzed: the editor against Python's own json --------------------------------------------


_scalar = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=8)
)
_value = st.recursive(
    _scalar,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=6), inner, max_size=4)),
    max_leaves=12,
)
_document = st.dictionaries(st.text(max_size=6), _value, max_size=5).flatmap(
    lambda top: st.one_of(
        st.just(top), st.dictionaries(st.text(max_size=6), _value, max_size=4).map(lambda c: {**top, "context": c})
    )
)
_style = st.fixed_dictionaries(
    {
        "indent": st.sampled_from([None, 0, 1, 2, 4, "\t"]),
        "separators": st.sampled_from([(",", ":"), (", ", ": "), (",", ": ")]),
        "ensure_ascii": st.booleans(),
        "crlf": st.booleans(),
    }
)


def _dump(document: dict, style: dict) -> str:
    text = json.dumps(
        document, indent=style["indent"], separators=style["separators"], ensure_ascii=style["ensure_ascii"]
    )
    return text.replace("\n", "\r\n") if style["crlf"] else text


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=_document, style=_style, value=st.text(max_size=10), key=st.sampled_from(["momentoSecretArn", "a"]))
def test_any_json_object_gets_exactly_the_one_value_and_keeps_every_other_byte(document, style, value, key) -> None:
    import difflib

    text = _dump(document, style)
    after = jsontext.set_strings(text, ["context"], {key: value}, "cdk.json")
    context = document.get("context")
    expected = {**document, "context": {**(context if isinstance(context, dict) else {}), key: value}}
    assert json.loads(after) == expected
    changes = [
        op for op in difflib.SequenceMatcher(None, text, after, autojunk=False).get_opcodes() if op[0] != "equal"
    ]
    if isinstance(context, dict) and context.get(key) == value:
        assert after == text
    else:
        # one contiguous change: a value replaced, or one member inserted (the matcher may split
        # the insert around characters it happens to share, never touching text outside it)
        first, last = min(op[1] for op in changes), max(op[2] for op in changes)
        old_value = json.dumps(context[key], ensure_ascii=style["ensure_ascii"]) if key in (context or {}) else ""
        assert last - first <= max(len(old_value), 1) + 1 or all(op[0] == "insert" for op in changes)
    if "\r\n" in text:
        assert "\n" not in after.replace("\r\n", "")


def _strict_json(text: str) -> object:
    def pairs(items: list[tuple[str, object]]) -> dict:
        keys = [k for k, _ in items]
        if len(set(keys)) != len(keys):
            raise ValueError("duplicate key")
        return dict(items)

    def constant(name: str) -> object:
        raise ValueError(name)

    return json.loads(text, object_pairs_hook=pairs, parse_constant=constant)


@settings(max_examples=150, deadline=None)
@given(
    document=_document,
    style=_style,
    edits=st.lists(
        st.tuples(
            st.integers(min_value=0), st.sampled_from(list('{}[],:" \n\t019.eE+-truefalsnul\\/x')), st.booleans()
        ),
        min_size=1,
        max_size=3,
    ),
)
def test_the_tokenizer_accepts_exactly_what_strict_json_accepts(document, style, edits) -> None:
    """Mutated files: ``parse`` accepts a text iff Python's json reads it as one object without
    duplicate keys or NaN (nesting stays far below the depth limit)."""
    text = _dump(document, style)
    for at, char, insert in edits:
        at %= len(text) + 1
        text = text[:at] + char + text[at + (0 if insert else 1) :]
    try:
        reference = _strict_json(text)
        accepted = isinstance(reference, dict)
    except (ValueError, RecursionError):
        accepted = False
    try:
        jsontext.parse(text, "cdk.json")
        ours = True
    except jsontext.BadJson:
        ours = False
    assert ours == accepted, text


@pytest.mark.filterwarnings("ignore:only soft file lock is available")
def test_a_cdk_json_that_keeps_changing_under_the_write_is_refused_and_nothing_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another writer saves cdk.json between each planning and its write: after the retries the
    changeset refuses ("changed while ... ran"), and the answers file is not written either."""
    from momento_lambda_cli.project.changeset import ChangedMeanwhile

    directory = render(tmp_path, framework="cdk", runtime="nodejs22.x")
    writes = _plan(directory)
    planned = wiring.changeset
    saves = 0

    def another_writer_saves_meanwhile(writes: list[wiring.PlannedWrite], root: Path):  # type: ignore[no-untyped-def]
        nonlocal saves
        result = planned(writes, root)
        saves += 1
        path = directory / "cdk.json"
        path.write_text(path.read_text().replace('"region": "', f'"region": "{saves}', 1))
        return result

    monkeypatch.setattr(wiring, "changeset", another_writer_saves_meanwhile)
    before_answers = (directory / ".momento-lambda.json").read_bytes()
    with pytest.raises(ChangedMeanwhile, match=r"cdk\.json changed while `momento-lambda store-token` ran"):
        wiring.apply_writes(writes)
    assert saves == 3
    assert ARN not in (directory / "cdk.json").read_text()
    assert (directory / ".momento-lambda.json").read_bytes() == before_answers
