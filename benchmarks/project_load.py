"""Time reading a SAM project through the project model as it grows.

Writes SAM templates with 1 and 200 functions (each with an environment, a policy
statement and an API event, Globals shared), then times:

* the model alone (in process, ``momento_lambda_cli.project.load_project``), and
* the command a user runs: ``momento-lambda doctor --offline --only project.framework``.

Target: the 200-function command costs at most 2x the 1-function one (median).

Usage: .venv/bin/python benchmarks/project_load.py [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT))
from _timing import ms, time_process  # noqa: E402

HEAD = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Parameters:
  MomentoSecretArn:
    Type: String
    Default: ''
Globals:
  Function:
    Runtime: python3.13
    Timeout: 10
Resources:
"""

FUNCTION = """\
  Fn{i}:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler{i}
      Environment:
        Variables:
          MOMENTO_SECRET_ARN: !Ref MomentoSecretArn
          MOMENTO_CACHE_NAME: cache
      Policies:
        - Statement:
            - Effect: Allow
              Action: secretsmanager:GetSecretValue
              Resource: !Ref MomentoSecretArn
      Events:
        Api:
          Type: Api
          Properties:
            Path: /items{i}
            Method: get
"""


def write_project(folder: Path, functions: int) -> Path:
    (folder / "src").mkdir(parents=True)
    (folder / "src" / "app.py").write_text("def handler0(event, context):\n    return {}\n")
    (folder / "template.yaml").write_text(HEAD + "".join(FUNCTION.format(i=i) for i in range(functions)))
    (folder / "samconfig.toml").write_text('version = 0.1\n[default.deploy.parameters]\nregion = "us-east-1"\n')
    return folder


def time_model(folder: Path, runs: int) -> float:
    from momento_lambda_cli.project import load_project

    load_project(folder, environ={})
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        load_project(folder, environ={})
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    cli = [sys.executable, "-m", "momento_lambda_cli", "doctor", "--offline", "--only", "project.framework"]
    with tempfile.TemporaryDirectory() as tmp:
        small = write_project(Path(tmp) / "one", 1)
        large = write_project(Path(tmp) / "many", 200)
        model_small, model_large = time_model(small, args.runs), time_model(large, args.runs)
        command_small = time_process([*cli, str(small)], args.runs)
        command_large = time_process([*cli, str(large)], args.runs)
    print(f"model, 1 function:      {ms(model_small)}")
    print(f"model, 200 functions:   {ms(model_large)}  ({model_large / 200 * 1000:.2f} ms per function)")
    print(f"command, 1 function:    {ms(command_small)}")
    print(f"command, 200 functions: {ms(command_large)}  ({command_large / command_small:.2f}x)")
    ok = command_large <= 2 * command_small
    print(f"200 functions <= 2x 1 function: {'OK' if ok else 'OVER'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
