"""The files `store-token` writes, read back by the real tools: the SAM CLI's own
samconfig reader and parameter_overrides parser, and osls (`serverless print`) resolving
``${param:momentoSecretArn}`` offline."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from tests.support import keys, projects
from tests.support.tools import TOOLS_DIR, require_tool

pytestmark = pytest.mark.slow

_SAM_READER = """
import json, sys
from samcli.cli.types import CfnParameterOverridesType
from samcli.lib.config.samconfig import SamConfig
config = SamConfig(config_dir=sys.argv[1], filename="samconfig.toml")
result = {}
for command in ("deploy", "sync"):
    params = config.get_all([command], "parameters", sys.argv[2])
    raw = params.get("parameter_overrides")
    if raw is not None:
        raw = raw if isinstance(raw, list) else [raw]
        result[command] = CfnParameterOverridesType().convert(raw, None, None)
print(json.dumps(result))
"""


_SAM_INIT_AND_GUIDED = """
import sys
from samcli.commands.deploy.guided_config import GuidedConfig
from samcli.lib.config.samconfig import SamConfig
from samcli.lib.init.default_samconfig import DefaultSamconfig
DefaultSamconfig(sys.argv[1], "Zip", sys.argv[2]).create()      # what `sam init` writes
config = SamConfig(sys.argv[1])                                  # what `sam deploy --guided` adds
values = {"MomentoCacheName": sys.argv[2] + "-cache", "MomentoDefaultTtlSeconds": "60"}
GuidedConfig(template_file=None, section="parameters")._save_parameter_overrides(
    ["deploy"], "default", values, config
)
config.put(["deploy"], "parameters", "stack_name", sys.argv[2])
config.flush()
"""


def _sam_reads(directory, env="default"):
    sam = require_tool("sam")
    python = sam.parent / "python"
    proc = subprocess.run(
        [str(python), "-c", _SAM_READER, str(directory), env], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


@pytest.mark.parametrize(
    "samconfig",
    [
        None,  # sam init / sam deploy --guided shape, quoted values
        'version = 0.1\n[default.deploy.parameters]\nparameter_overrides = "Stage=dev"\n'
        '[default.sync.parameters]\nparameter_overrides = ["Stage=dev"]\n',
        'version = 0.1\n[default.deploy.parameters]\nparameter_overrides = "ParameterKey=Stage,ParameterValue=dev"\n',
    ],
    ids=["guided", "bare-and-list", "parameterkey-form"],
)
def test_sam_cli_reads_the_secret_arn(run_cli, peers, tmp_path, samconfig):
    directory = projects.sam_project(tmp_path, "real", samconfig=samconfig)
    kms_arn = peers.client("kms").create_key()["KeyMetadata"]["Arn"]
    result = run_cli(
        "store-token", "--from-stdin", "--project-dir", str(directory), "--kms-key-id", kms_arn,
        stdin=keys.legacy_key() + "\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    arn = peers.client("secretsmanager").describe_secret(SecretId="momento/real/api-key")["ARN"]
    parsed = _sam_reads(directory)
    assert parsed["deploy"]["MomentoSecretArn"] == arn
    assert parsed["deploy"]["MomentoKmsKeyArn"] == kms_arn
    if samconfig is None:
        assert parsed["deploy"]["MomentoCacheName"] == "real-cache"  # the user's overrides survive
    else:
        assert parsed["deploy"]["Stage"] == "dev"
    if "sync" in parsed:
        assert parsed["sync"]["MomentoSecretArn"] == arn


@pytest.mark.parametrize("params_block", [True, False], ids=["params-default", "no-params-block"])
def test_serverless_print_resolves_the_secret_arn(run_cli, peers, tmp_path, params_block):
    osls = require_tool("osls")
    directory = projects.serverless_project(tmp_path, "real", params_block=params_block)
    path = directory / "serverless.yml"
    # osls reports version 4.x; the fixture pins frameworkVersion '3' like a Serverless v3 service
    path.write_text(path.read_text().replace("frameworkVersion: '3'", "frameworkVersion: '>=3'"))
    (directory / "node_modules").symlink_to(TOOLS_DIR / "node" / "node_modules")  # the plugin
    result = run_cli("store-token", "--from-stdin", "--project-dir", str(directory), stdin=keys.legacy_key() + "\n")
    assert result.exit_code == 0, result.output
    arn = peers.client("secretsmanager").describe_secret(SecretId="momento/real/api-key")["ARN"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env["SLS_TELEMETRY_DISABLED"] = "1"
    env["SLS_NOTIFICATIONS_MODE"] = "off"
    proc = subprocess.run(
        [str(osls), "print", "--path", "provider.environment", "--format", "json", "--stage", "dev"],
        cwd=directory,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    environment = json.loads(proc.stdout[proc.stdout.index("{") :])
    assert environment["MOMENTO_SECRET_ARN"] == arn


def test_samconfig_written_by_sam_init_and_guided_deploy(run_cli, peers, tmp_path):
    """The SAM CLI itself writes samconfig.toml (its `sam init` defaults and the guided
    deploy's parameter_overrides); store-token edits it; the SAM CLI reads it back."""
    sam = require_tool("sam")
    directory = projects.sam_project(tmp_path, "bysam")
    (directory / "samconfig.toml").unlink()
    proc = subprocess.run(
        [str(sam.parent / "python"), "-c", _SAM_INIT_AND_GUIDED, str(directory), "bysam"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    before = (directory / "samconfig.toml").read_text()
    assert "More information about the configuration file" in before
    result = run_cli("store-token", "--from-stdin", "--project-dir", str(directory), stdin=keys.legacy_key() + "\n")
    assert result.exit_code == 0, result.output
    arn = peers.client("secretsmanager").describe_secret(SecretId="momento/bysam/api-key")["ARN"]
    after = (directory / "samconfig.toml").read_text()
    changed = [line for line in after.splitlines() if line not in before.splitlines()]
    assert len(changed) == 1 and changed[0].startswith("parameter_overrides = ")
    parsed = _sam_reads(directory)["deploy"]
    assert parsed == {"MomentoCacheName": "bysam-cache", "MomentoDefaultTtlSeconds": "60", "MomentoSecretArn": arn}
