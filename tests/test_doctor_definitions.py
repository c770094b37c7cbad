"""A check is defined once (#24): its id, title, category, docs fields, manual steps and its fix
are one definition; the docs' catalogue (docs/checks.md) and `--list-checks` come from it, the tests' id lists
are checked against it, and ids keep one prefix per area (like cfn-lint's rule collection tests)."""

from __future__ import annotations

import inspect
import json
import re
from pathlib import Path

import pytest

from momento_lambda_cli.doctor import catalogue, registry
from momento_lambda_cli.doctor.model import Group
from momento_lambda_cli.errors import UsageError
from momento_lambda_cli.retrofit import fixes

CATALOGUE = Path(__file__).resolve().parent.parent / catalogue.PAGE
CHECKS = registry.all_checks()
AREAS = {"project", "code", "iam", "secret", "serverless", "build", "deploy", "momento", "machine"}
"""The id prefixes: one per area. A new area is a deliberate change of this set."""


def test_ids_are_well_formed_unique_and_one_prefix_per_area():
    ids = [c.id for c in CHECKS]
    assert len(ids) == len(set(ids))
    for check in CHECKS:
        assert re.fullmatch(r"[a-z]+\.[a-z0-9]+(-[a-z0-9]+)*", check.id), check.id
    assert {c.area for c in CHECKS} == AREAS
    for a in AREAS:  # no area is another's plural or prefix (`secret.` vs `secrets.`)
        for b in AREAS - {a}:
            assert not b.startswith(a), (a, b)
    aliases = [alias for c in CHECKS for alias in c.aliases]
    assert not set(aliases) & set(ids)


def test_every_check_is_documented_in_its_definition():
    for check in CHECKS:
        assert check.title and check.reads and check.fails_when and check.why, check.id
        assert isinstance(check.group, Group)


def test_every_fix_belongs_to_exactly_one_check_and_resolves():
    declared = [ref.function for c in CHECKS for ref in c.fixes]
    assert len(declared) == len(set(declared))
    defined = {name for name, value in inspect.getmembers(fixes, inspect.isfunction) if name.startswith("fix_")}
    assert set(declared) == defined, "a fixer in retrofit/fixes.py that no check declares, or the reverse"
    for check in CHECKS:
        for ref in check.fixes:
            assert callable(ref.load()), (check.id, ref.function)


def test_the_docs_catalogue_is_generated_from_the_definitions():
    text = CATALOGUE.read_text(encoding="utf-8")
    assert catalogue.markdown_page(CHECKS) == text, "run `.venv/bin/python scripts/update_check_docs.py`"
    for check in CHECKS:
        assert f"| [`{check.id}`](#" in text


def test_list_checks_prints_the_definitions(run_cli):
    text = run_cli("doctor", "--list-checks").stdout.strip().splitlines()
    assert text == catalogue.list_lines(CHECKS)
    assert [line.split()[0] for line in text] == [c.id for c in CHECKS]
    assert sum("[--fix]" in line for line in text) == sum(c.fixable for c in CHECKS)
    document = json.loads(run_cli("doctor", "--list-checks", "--json").stdout)
    assert document["data"]["checks"] == catalogue.as_json(CHECKS)


@pytest.mark.parametrize("selector", ["secrets.no-plaintext-key", "secrets", "secret.no-plaintext-key"])
def test_former_ids_and_their_prefix_still_select_the_renamed_check(selector):
    assert [c.id for c in registry.select(CHECKS, only=[selector])] == ["secret.no-plaintext-key"]
    assert "secret.no-plaintext-key" not in [c.id for c in registry.select(CHECKS, skip=[selector])]


def test_skip_secret_now_covers_the_plaintext_key_check():
    kept = [c.id for c in registry.select(CHECKS, skip=["secret"])]
    assert not [i for i in kept if i.startswith(("secret.", "secrets."))]


def test_an_unknown_selector_lists_the_areas():
    with pytest.raises(UsageError) as caught:
        registry.select(CHECKS, only=["nope"])
    assert "build, code, deploy, iam, machine, momento, project, secret, serverless" in caught.value.message


def test_the_tests_id_lists_are_the_definitions():
    from tests import test_doctor_cli, test_doctor_code, test_doctor_deploy, test_doctor_project

    ids = [c.id for c in CHECKS]
    assert ids == test_doctor_cli.ALL_IDS
    for listed in (test_doctor_code.MOMENTO_IDS, test_doctor_project.PROJECT_IDS, test_doctor_deploy.REMOTE_IDS):
        assert set(listed) <= set(ids), set(listed) - set(ids)
    remote = [c.id for c in CHECKS if c.remote]
    assert set(test_doctor_deploy.REMOTE_IDS) <= set(remote)


def test_a_saved_skip_list_with_the_former_id_still_skips_the_check(run_cli, tmp_path):
    from tests.support.doctor import run_doctor
    from tests.support.doctor_projects import make_project

    project = make_project(tmp_path)
    answers = project.root / ".momento-lambda.json"
    document = json.loads(answers.read_text()) if answers.exists() else {}
    document["doctor"] = {"skip": ["secrets.no-plaintext-key"]}
    answers.write_text(json.dumps(document))
    run = run_doctor(run_cli, str(project.root), "--offline")
    assert "secret.no-plaintext-key" not in run.checks
    assert run.status("project.framework") == "pass"
