"""What store-token tells after writing (unit tier): the build and deploy commands of the
project, and the region warning object (issues #23, #25)."""

from __future__ import annotations

import json
from pathlib import Path

from momento_lambda_cli.project.model import Setting
from momento_lambda_cli.scaffold.next_steps import deploy_steps
from momento_lambda_cli.secrets.region import choose_region, region_mismatch


def test_a_sam_typescript_project_is_built_with_npm_first(tmp_path: Path) -> None:
    """`sam build` alone fails on a fresh clone of a SAM TypeScript project (esbuild from node_modules)."""
    assert deploy_steps("sam", tmp_path, {"language": "typescript"}) == ["npm install", "npm run build", "sam deploy"]


def test_a_sam_project_with_an_npm_build_script_is_built_with_npm(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text(json.dumps({"scripts": {"build": "sam build"}}))
    assert deploy_steps("sam", tmp_path, None) == ["npm install", "npm run build", "sam deploy"]


def test_other_projects_keep_their_steps(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text("{not json")
    assert deploy_steps("sam", tmp_path, {"language": "python"}) == ["sam build", "sam deploy"]
    assert deploy_steps("sam", tmp_path, None) == ["sam build", "sam deploy"]
    assert deploy_steps("serverless", tmp_path, {"language": "typescript"}) == ["serverless deploy"]
    assert deploy_steps(None, tmp_path, None) == []


def test_the_region_warning_object_names_both_regions() -> None:
    setting = Setting("us-east-1", "samconfig.toml [default.deploy.parameters] region")
    assert region_mismatch(setting, "eu-west-1") == {
        "code": "region.mismatch",
        "project_region": "us-east-1",
        "project_region_source": "samconfig.toml [default.deploy.parameters] region",
        "secret_region": "eu-west-1",
        "message": "The project deploys to us-east-1 but the secret goes to eu-west-1: the function reads its "
        "secret in its own region (pass --region us-east-1).",
    }
    assert region_mismatch(setting, "us-east-1") is None
    assert region_mismatch(None, "eu-west-1") is None


def test_region_flag_against_a_project_that_deploys_where_the_environment_says(monkeypatch) -> None:
    """serverless.yml `region: ${env:AWS_REGION}`: --region elsewhere wired a secret of another region, silently."""
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    setting = Setting("us-east-1", "AWS_REGION")
    _options, _session, warnings = choose_region(
        profile=None, region_flag="eu-west-1", project_region=setting, secret_name="momento/demo/api-key"
    )
    assert any("deploys to us-east-1 but the secret goes to eu-west-1" in w for w in warnings), warnings
