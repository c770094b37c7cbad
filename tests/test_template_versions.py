"""Template snapshots: the current version's snapshot is the live templates (release guard),
and a snapshot renders exactly what `new` renders."""

from __future__ import annotations

import gzip

import pytest

from momento_lambda_cli import __version__
from momento_lambda_cli.scaffold import versions
from momento_lambda_cli.scaffold.template_fixes import FIXES
from tests.support.generated import render
from tests.support.template_versions import tree

RELEASE_STEP = (
    "The live templates (project_templates/ or the layout rules) differ from the snapshot of version "
    f"{__version__}. Released snapshots never change: bump __version__ in momento_lambda_cli/__init__.py, "
    "run `python scripts/snapshot_templates.py`, and add the fixes to scaffold/template_fixes.py "
    "(README, Contributing)."
)


def test_the_current_version_has_a_snapshot_equal_to_the_live_templates():
    assert __version__ in versions.snapshot_versions(), RELEASE_STEP
    snapshot = versions.load_snapshot(__version__)
    live = versions.live_source()
    assert snapshot.files == live.files, RELEASE_STEP
    assert snapshot.keep == live.keep, RELEASE_STEP


def test_snapshots_are_reproducible(tmp_path):
    """Writing a snapshot again gives the same document (the gzip header's OS byte differs
    between Python versions, so the comparison is of the content)."""
    for version in versions.snapshot_versions():
        snapshot = versions.load_snapshot(version)
        assert snapshot.version == version
        rewritten = versions.write_snapshot(snapshot, tmp_path)
        assert gzip.decompress(rewritten.read_bytes()) == gzip.decompress(versions.snapshot_path(version).read_bytes())


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"framework": "serverless", "runtime": "nodejs24.x", "architecture": "arm64"},
        {"framework": "serverless", "runtime": "python3.12", "region": "eu-west-1"},
        {"runtime": "nodejs22.x", "default_ttl_seconds": 300},
    ],
)
def test_rendering_the_snapshot_gives_exactly_what_new_writes(tmp_path, options):
    project = render(tmp_path, **options)
    import json

    answers = json.loads((project / ".momento-lambda.json").read_text())
    snapshot = versions.load_snapshot(__version__)
    rendered = versions.render(snapshot, answers)
    written = {k: v.decode() for k, v in tree(project).items() if k != ".momento-lambda.json"}
    assert rendered == written
    assert answers["_template"]["sha256"] == versions.content_hash(rendered)


def test_every_template_fix_names_a_version_this_package_has_a_template_of():
    known = set(versions.snapshot_versions()) | {__version__}
    for fix in FIXES:
        assert fix.version in known, fix
        assert not versions.newer(fix.version, __version__), fix
