"""Time the doctor's code checks on projects whose functions share one code folder.

Writes a SAM project with N functions (1 and 50 by default) over one ``src/`` folder: each
function's handler file imports a shared cache module and a shared helper module, so every
function's code reaches the same files. Then times, in process (median of N runs):

* the code checks (``--only`` the project group) through the doctor's runner and context,
  each run with a fresh context, so every file is read and parsed as a real run would;

and as the command a user runs: ``momento-lambda doctor --offline --only project``.
Both for a Python and a Node.js (tree-sitter) project.

Target: the 50-function project costs under 1.5x the 1-function one (each file is read and
parsed once per run, whatever the number of functions and checks).

Usage: .venv/bin/python benchmarks/doctor_code.py [--runs N] [--functions N]
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
Globals:
  Function:
    Runtime: {runtime}
    Timeout: 10
    CodeUri: src/
    Environment:
      Variables:
        SECRET_ID: arn:aws:secretsmanager:us-east-1:123456789012:secret:momento-AbCdEf
Resources:
"""
FUNCTION = """\
  Fn{i}:
    Type: AWS::Serverless::Function
    Properties:
      Handler: handler{i}.handler
      Policies:
        - Statement:
            - Effect: Allow
              Action: secretsmanager:GetSecretValue
              Resource: arn:aws:secretsmanager:us-east-1:123456789012:secret:momento-AbCdEf
"""
PY_CACHE = """\
import os
from datetime import timedelta

import boto3
from botocore.config import Config
from momento import CacheClient, Configurations, CredentialProvider

_client = None


def get_client():
    global _client
    if _client is None:
        secrets = boto3.client("secretsmanager", config=Config(connect_timeout=1, read_timeout=1))
        key = secrets.get_secret_value(SecretId=os.environ["SECRET_ID"])["SecretString"]
        _client = CacheClient(Configurations.Lambda.latest(), CredentialProvider.from_string(key), timedelta(60))
    return _client
"""
PY_HANDLER = """\
from cache import get_client
from helpers import shape


def handler(event, context):
    return shape(get_client().get("c", event["key"]))
"""
NODE_CACHE = """\
import {CacheClient, Configurations, CredentialProvider} from '@gomomento/sdk';
import {SecretsManagerClient, GetSecretValueCommand} from '@aws-sdk/client-secrets-manager';

const secrets = new SecretsManagerClient({requestHandler: {connectionTimeout: 1000, requestTimeout: 1000}});
let client;

export function getClient() {
  client ??= secrets.send(new GetSecretValueCommand({SecretId: process.env.SECRET_ID})).then((out) =>
    CacheClient.create({
      configuration: Configurations.Lambda.latest(),
      credentialProvider: CredentialProvider.fromString({apiKey: out.SecretString}),
      defaultTtlSeconds: 60,
    }));
  return client;
}
"""
NODE_HANDLER = """\
import {getClient} from './cache.mjs';
import {shape} from './helpers.mjs';

export const handler = async (event) => shape(await (await getClient()).get('c', event.key));
"""


def helpers(language: str, lines: int = 400) -> str:
    """A larger shared module (the parse cost that must not be paid per function)."""
    if language == "python":
        body = "".join(f"\n\ndef step{i}(value):\n    return {{'step': {i}, 'value': value}}\n" for i in range(lines))
        return body + "\n\ndef shape(value):\n    return step0(value)\n"
    body = "".join(f"export function step{i}(value) {{ return {{step: {i}, value}}; }}\n" for i in range(lines))
    return body + "export function shape(value) { return step0(value); }\n"


def write_project(root: Path, language: str, count: int) -> Path:
    root.mkdir(parents=True)
    runtime = "python3.13" if language == "python" else "nodejs22.x"
    suffix = ".py" if language == "python" else ".mjs"
    (root / "template.yaml").write_text(
        HEAD.format(runtime=runtime) + "".join(FUNCTION.format(i=i) for i in range(count))
    )
    (root / "samconfig.toml").write_text("version = 0.1\n[default.build.parameters]\nuse_container = true\n")
    src = root / "src"
    src.mkdir()
    (src / f"cache{suffix}").write_text(PY_CACHE if language == "python" else NODE_CACHE)
    (src / f"helpers{suffix}").write_text(helpers(language))
    for i in range(count):
        (src / f"handler{i}{suffix}").write_text(PY_HANDLER if language == "python" else NODE_HANDLER)
    return root


def parses(root: Path) -> tuple[int, int]:
    """(files the code index read and parsed in one run, source files in the project)."""
    from momento_lambda_cli.doctor.checks import project as project_checks
    from momento_lambda_cli.doctor.context import DoctorContext, DoctorOptions
    from momento_lambda_cli.doctor.runner import run_checks

    ctx = DoctorContext(DoctorOptions(root, offline=True))
    run_checks(project_checks.CHECKS, ctx)
    return len(ctx.code()._facts), len(list((root / "src").iterdir()))


def in_process(root: Path, runs: int) -> float:
    from momento_lambda_cli.doctor.checks import project as project_checks
    from momento_lambda_cli.doctor.context import DoctorContext, DoctorOptions
    from momento_lambda_cli.doctor.runner import run_checks

    samples = []
    for _ in range(runs + 1):
        ctx = DoctorContext(DoctorOptions(root, offline=True))
        start = time.perf_counter()
        outcomes = run_checks(project_checks.CHECKS, ctx)
        samples.append(time.perf_counter() - start)
        bad = [o.check.id for o in outcomes if o.result.status.value in {"fail", "error", "warn"}]
        assert not bad, bad
    return statistics.median(samples[1:])


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--functions", type=int, default=50)
    args = parser.parse_args()
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        for language in ("python", "node"):
            one = write_project(Path(tmp) / f"{language}-1", language, 1)
            many = write_project(Path(tmp) / f"{language}-{args.functions}", language, args.functions)
            small, large = in_process(one, args.runs), in_process(many, args.runs)
            command = [sys.executable, "-m", "momento_lambda_cli", "doctor", "--offline", "--only", "project"]
            cmd_small = time_process([*command, str(one)], args.runs, cwd=ROOT)
            cmd_large = time_process([*command, str(many)], args.runs, cwd=ROOT)
            parsed, files = parses(many)
            print(f"{language}: {args.functions} functions: {parsed} files parsed in one run, {files} source files")
            print(f"{language}: project checks, 1 function:        {ms(small)}")
            print(f"{language}: project checks, {args.functions} functions:      {ms(large)}  ({large / small:.2f}x)")
            print(f"{language}: command, 1 function:               {ms(cmd_small)}")
            print(
                f"{language}: command, {args.functions} functions:             {ms(cmd_large)}  ({cmd_large / cmd_small:.2f}x)"
            )
            within = cmd_large / cmd_small < 1.5
            ok = ok and within
            print(f"{language}: {args.functions} functions < 1.5x 1 function (command): {'OK' if within else 'NO'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
