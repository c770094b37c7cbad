"""Time `momento-lambda add --dry-run` against `doctor --offline --only project` on SAM templates
of 25, 50 and 100 Python functions (each its own CodeUri folder, sam init's hello-world shape), as
whole processes.

Target: 100 functions within 2x of doctor on the same template, and time growing linearly
(100 functions about 2x the time of 50).

Usage: .venv/bin/python benchmarks/add_scale.py [--runs N] [--sizes 25,50,100]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT))
from _timing import ms, time_process  # noqa: E402

HEAD = """AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Description: many functions

Globals:
  Function:
    Timeout: 10
    MemorySize: 128

Resources:
"""
FUNCTION = """  Fn{i}Function:
    Type: AWS::Serverless::Function # function {i}
    Properties:
      CodeUri: fn{i}/
      Handler: app.lambda_handler
      Runtime: python3.13
      Architectures:
        - x86_64
      Events:
        Api{i}:
          Type: Api
          Properties:
            Path: /fn{i}
            Method: get
"""
HANDLER = (
    "import json\n\n\ndef lambda_handler(event, context):\n    return {'statusCode': 200, 'body': json.dumps({})}\n"
)


def make(root: Path, count: int) -> Path:
    project = root / f"sam-{count}"
    project.mkdir()
    (project / "template.yaml").write_text(HEAD + "".join(FUNCTION.format(i=i) for i in range(count)))
    (project / "samconfig.toml").write_text('version = 0.1\n\n[default.deploy.parameters]\nstack_name = "many"\n')
    for i in range(count):
        (project / f"fn{i}").mkdir()
        (project / f"fn{i}" / "app.py").write_text(HANDLER)
        (project / f"fn{i}" / "requirements.txt").write_text("requests\n")
    return project


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sizes", default="25,50,100")
    args = parser.parse_args()
    cli = [sys.executable, "-m", "momento_lambda_cli"]
    results: dict[int, tuple[float, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for count in (int(s) for s in args.sizes.split(",")):
            project = make(Path(tmp), count)
            doctor = time_process([*cli, "doctor", str(project), "--offline", "--only", "project"], args.runs, 1)
            add = time_process([*cli, "add", str(project), "--dry-run", "--no-input"], args.runs, 1)
            results[count] = (add, doctor)
            print(f"  {count:4d} functions   add --dry-run {ms(add):>10}   doctor --offline {ms(doctor):>10}   "
                  f"{add / doctor:5.2f}x doctor")  # fmt: skip
    largest = max(results)
    add, doctor = results[largest]
    ok = add <= 2 * doctor
    print(f"{largest} functions: add / doctor = {add / doctor:.2f}x (target <= 2.00x): {'OK' if ok else 'OVER'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
