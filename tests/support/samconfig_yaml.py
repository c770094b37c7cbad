"""SAM projects configured by ``samconfig.yaml`` / ``samconfig.yml``, and the SAM CLI's own
reader of that file (run in the SAM CLI's venv)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from tests.support.tools import require_tool

SAMCONFIG_YAML = """# More information about the configuration file can be found here:
# https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/serverless-sam-cli-config.html
version: 0.1

default:
  global:
    parameters:
      stack_name: sam-app
  build:
    parameters:
      cached: true
      parallel: true # faster
  validate:
    parameters:
      lint: true
  deploy:
    parameters:
      capabilities: CAPABILITY_IAM
      confirm_changeset: true
      resolve_s3: true
{overrides}  local_start_api:
    parameters:
      warm_containers: EAGER
"""
"""``{overrides}``: one of :data:`OVERRIDES` (lines under ``default.deploy.parameters``)."""

OVERRIDES = {
    "none": "",
    "string": '      parameter_overrides: Stage="dev" LogLevel=INFO\n',
    "list": "      parameter_overrides:\n        - Stage=dev\n        - LogLevel=INFO\n",
    "mapping": "      parameter_overrides:\n        Stage: dev\n        LogLevel: INFO\n",
}

SAM_READER = """
import json, sys
from samcli.cli.types import CfnParameterOverridesType
from samcli.lib.config.samconfig import SamConfig
config = SamConfig(sys.argv[1])
env = sys.argv[2]
deploy = config.get_all(["deploy"], "parameters", env=env)
build = config.get_all(["build"], "parameters", env=env)
print(json.dumps({"file": config.filepath.name, "use_container": build.get("use_container"),
                  "overrides": CfnParameterOverridesType().convert(deploy.get("parameter_overrides"), None, None)}))
"""


def sam_reads(project: Path, env: str = "default") -> dict[str, Any]:
    """What the SAM CLI reads from the project's samconfig file for ``--config-env env``:
    ``file``, ``use_container`` and the parsed ``overrides``."""
    python = require_tool("sam").parent / "python"
    result = subprocess.run(
        [str(python), "-c", SAM_READER, str(project), env], capture_output=True, text=True, check=True, timeout=120
    )
    return dict(json.loads(result.stdout))
