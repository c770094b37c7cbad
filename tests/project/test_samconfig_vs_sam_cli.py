"""parameter_overrides, region and stack name read as the SAM CLI's own samconfig reader reads them."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from momento_lambda_cli.project import samconfig
from tests.support.tools import require_tool

OVERRIDES = [
    "A=1 B=two",
    "A=\"x y\" B='q r' C=plain",
    "ParameterKey=A,ParameterValue=1 ParameterKey=B,ParameterValue=arn:aws:secretsmanager:us-east-1:1:secret:s-AbCdEf",
    'ParameterKey=A,ParameterValue="with space"',
    "A=a\\ b C=",
    'Arn="arn:aws:secretsmanager:eu-west-1:123456789012:secret:momento/x-AbCdEf" Ttl="60"',
    ["A=1", "B=2 C=3", ["D=4"]],
    {"A": "1", "B": ["x", "y", ""], "C": None, "D": 5, "E": True},
    "  A=1   B=2  ",
    'A="quote \\" inside"',
]

SAM_READER = """
import json, sys
from samcli.cli.types import CfnParameterOverridesType
from samcli.lib.config.samconfig import SamConfig
cases = json.loads(sys.argv[1])
out = {"overrides": [CfnParameterOverridesType().convert(c, None, None) for c in cases["overrides"]]}
configs = []
for folder, env in cases["configs"]:
    config = SamConfig(folder, filename=cases["filename"])
    params = config.get_all(["deploy"], "parameters", env)
    configs.append({"region": params.get("region"), "stack_name": params.get("stack_name"),
                    "overrides": CfnParameterOverridesType().convert(params.get("parameter_overrides"), None, None)})
out["configs"] = configs
print(json.dumps(out))
"""

SAMCONFIG = """\
version = 0.1
[default.global.parameters]
stack_name = "global-stack"
region = "eu-west-1"
[default.deploy.parameters]
parameter_overrides = 'A="x y" ParameterKeyish=1'
[prod.global.parameters]
region = "ap-south-1"
[prod.deploy.parameters]
stack_name = "prod-stack"
region = "us-west-2"
parameter_overrides = ["X=1", "Y=two words"]
"""


@pytest.mark.slow
def test_parameter_overrides_region_and_stack_name_agree_with_the_sam_cli(tmp_path: Path):
    sam = require_tool("sam")
    python = sam.parent / "python"
    (tmp_path / "samconfig.toml").write_text(SAMCONFIG)
    envs = ["default", "prod"]
    cases = {"overrides": OVERRIDES, "configs": [[str(tmp_path), env] for env in envs], "filename": "samconfig.toml"}
    result = subprocess.run(
        [str(python), "-c", SAM_READER, json.dumps(cases)], capture_output=True, text=True, check=True, timeout=120
    )
    theirs = json.loads(result.stdout)
    ours = [samconfig.parse_overrides(c, tmp_path, root=tmp_path, seen=set(), files=[]) for c in OVERRIDES]
    assert ours == theirs["overrides"]
    for env, expected in zip(envs, theirs["configs"], strict=True):
        config = samconfig.load(tmp_path, env)
        params = config.parameters("deploy")
        assert params.get("region") == expected["region"]
        assert params.get("stack_name") == expected["stack_name"]
        assert config.overrides("deploy") == expected["overrides"]
