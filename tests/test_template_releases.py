"""Each shipped snapshot of a released version is what that release rendered.

`update` re-renders a project's base from the snapshot of the version that generated it and
merges from there. A snapshot that holds later changes turns the user's untouched files into
conflicts, and the merge then keeps the old code while claiming the new version (0.1.0's
snapshot once held the key-refresh parser, written after the release). The witness is the
released code: every combination of choices is rendered by the release's own ``new`` from a
``git archive`` of its commit and compared, file by file, with the snapshot's rendering from
the answers file that release wrote.
"""

from __future__ import annotations

import difflib
import json
import shutil
from dataclasses import fields
from pathlib import Path
from typing import Any

import pytest

from momento_lambda_cli import catalog
from momento_lambda_cli.scaffold import versions
from momento_lambda_cli.scaffold.answers import Answers, build_answers
from tests.support.releases import RELEASES, combinations, extract, history_available, release_source, render_release
from tests.support.template_versions import commit_all, tree

pytestmark = (
    pytest.mark.integration
)  # the released code runs in a child process (git archive, python); no external tools


@pytest.fixture(scope="module")
def released(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """``released(version)`` -> (its scratch folder, its source, its renderings): each release
    renders its combinations once per test process, for every test that reads them."""
    cache: dict[str, tuple[Path, versions.TemplateSource, list[Any]]] = {}

    def get(version: str) -> tuple[Path, versions.TemplateSource, list[Any]]:
        if version not in cache:
            scratch = tmp_path_factory.mktemp(f"release-{version}")
            cache[version] = (scratch, *release_source(version, scratch))
        return cache[version]

    return get


def _differences(expected: dict[str, str], actual: dict[str, str]) -> list[str]:
    problems = [f"{path}: the release wrote it, the snapshot does not" for path in sorted(set(expected) - set(actual))]
    problems += [
        f"{path}: the snapshot renders it, the release did not" for path in sorted(set(actual) - set(expected))
    ]
    for path in sorted(set(expected) & set(actual)):
        if expected[path] != actual[path]:
            diff = difflib.unified_diff(
                expected[path].splitlines(), actual[path].splitlines(), "release", "snapshot", lineterm="", n=0
            )
            problems.append(f"{path}:\n" + "\n".join(list(diff)[:12]))
    return problems


@pytest.mark.parametrize("version", sorted(RELEASES))
def test_the_snapshot_of_a_release_renders_what_the_release_rendered(version: str, released: Any) -> None:
    if not history_available(version):
        pytest.skip(f"this checkout has no git history of release {version} (an sdist or a shallow clone)")
    assert version in versions.snapshot_versions(), f"release {version} ships no snapshot"
    snapshot = versions.load_snapshot(version)
    _, source, renderings = released(version)

    differing = sorted(
        p for p in set(snapshot.files) | set(source.files) if snapshot.files.get(p) != source.files.get(p)
    )
    assert not differing, f"the {version} snapshot's template files are not the release's: {differing}"
    for rendering in renderings:
        rendered = versions.render(snapshot, rendering.answers)
        problems = _differences(rendering.files, rendered)
        assert not problems, f"{version} {rendering.combo}:\n" + "\n".join(problems)
        record = rendering.answers.get(versions.TEMPLATE_VERSION_KEY)
        if isinstance(record, dict):  # from 0.2.0 on, `new` records the rendering's hash
            assert record == {"version": version, "sha256": versions.content_hash(rendering.files)}


@pytest.mark.parametrize("version", sorted(RELEASES))
def test_the_snapshot_of_a_release_renders_every_answer_as_the_release_did(version: str, tmp_path: Path) -> None:
    """The answers that are not choices (cache, secret ARN, KMS key, region, TTL) reach the
    files as the release put them there."""
    if not history_available(version):
        pytest.skip(f"this checkout has no git history of release {version} (an sdist or a shallow clone)")
    code = extract(version, tmp_path / "code")
    names, combos = combinations(versions.read_tree(code / "project_templates/momento-lambda"))
    by_framework_and_language = {(combo[0], str(combo[1])[:4]): combo for combo in combos}
    extra = [
        *("--cache-name", "orders-cache", "--default-ttl", "900", "--region", "eu-west-1"),
        *("--secret-arn", "arn:aws:secretsmanager:eu-west-1:123456789012:secret:momento/orders-AbCdEf"),
        *("--kms-key-arn", "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"),
    ]
    renderings = render_release(code, names, list(by_framework_and_language.values()), tmp_path / "out", extra)
    snapshot = versions.load_snapshot(version)
    for rendering in renderings:
        assert rendering.answers["cache_name"] == "orders-cache"
        problems = _differences(rendering.files, versions.render(snapshot, rendering.answers))
        assert not problems, f"{version} {rendering.combo}:\n" + "\n".join(problems)


SHARDS = 2
"""The release's combinations are split this many ways, so pytest-xdist's workers share them."""


@pytest.mark.parametrize("shard", range(SHARDS))
@pytest.mark.parametrize("version", sorted(RELEASES))
def test_a_project_the_release_rendered_updates_cleanly_to_what_new_renders_now(
    version: str, shard: int, tmp_path: Path, run_cli: Any, released: Any
) -> None:
    """Every combination the release rendered, untouched and committed, then `update`: no
    conflict, and exactly what today's `new` renders for the same answers (the client module
    included: the merge never keeps a released version's code under a newer version's record);
    `update --check` then says up to date."""
    if not history_available(version):
        pytest.skip(f"this checkout has no git history of release {version} (an sdist or a shallow clone)")
    scratch, _, renderings = released(version)
    live = versions.live_source()
    for index, rendering in list(enumerate(renderings))[shard::SHARDS]:
        project = tmp_path / "projects" / f"p{index}"
        shutil.copytree(scratch / "out" / f"p{index}", project)
        commit_all(project, f"generated by momento-lambda {version}")
        result = run_cli("update", str(project))
        assert result.exit_code == 0, f"{rendering.combo}: {result.output}"
        updated = {k: v.decode("utf-8") for k, v in tree(project).items()}
        answers = json.loads(updated.pop(catalog.ANSWERS_FILE))
        assert answers[versions.TEMPLATE_VERSION_KEY]["version"] == live.version
        known = {f.name for f in fields(Answers)} - {"project_name"}
        complete = build_answers(answers["project_name"], **{k: v for k, v in answers.items() if k in known})
        problems = _differences(updated, versions.render(live, complete.as_dict()))
        assert not problems, f"{rendering.combo}:\n" + "\n".join(problems)
        commit_all(project, "update")
        check = run_cli("update", str(project), "--check")
        assert check.exit_code == 0, f"{rendering.combo}: {check.output}"
