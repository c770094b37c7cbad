"""`momento-lambda add` on a TypeScript function bundled by SAM's esbuild: the client module
`new` renders for TypeScript, the dependencies, env and policy; idempotent; --dry-run; a
CommonJS bundle refused with nothing written; and (slow) tsc and a real `sam build`."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from momento_lambda_cli.scaffold.render import template_dir
from tests.support.doctor import run_doctor
from tests.support.generated import npm_install
from tests.support.projects import snapshot, write_tree
from tests.support.tools import require_tool
from tests.test_add import PROJECT_CHECKS
from tests.test_generated_sam import sam

TEMPLATE = """AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Description: sam-app-ts

Globals:
  Function:
    Timeout: 3

Resources:
  HelloWorldFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: hello-world/
      Handler: app.lambdaHandler
      Runtime: nodejs22.x
      Architectures:
      - x86_64
    Metadata: # Manage esbuild properties
      BuildMethod: esbuild
      BuildProperties:
        Minify: true
        Target: es2022
        Format: esm
        OutExtension:
        - .js=.mjs
        Banner:
        - js=import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);
        External:
        - "@aws-sdk/*"
        EntryPoints:
        - app.ts
"""
HANDLER = """import type { Result } from './types.js';

export const lambdaHandler = async (): Promise<Result> => {
  return { statusCode: 200, body: JSON.stringify({ message: 'hello world' }) };
};
"""
PACKAGE = """{
  "name": "hello_world",
  "version": "1.0.0",
  "type": "module",
  "devDependencies": {
    "@types/node": "^22.0.0",
    "esbuild": "^0.28.2",
    "typescript": "^5.9.3"
  }
}
"""
TSCONFIG = """{
  "compilerOptions": {
    "target": "es2022",
    "strict": true,
    "noEmit": true,
    // ES modules, resolved as Node.js does
    "module": "nodenext",
    "moduleResolution": "nodenext",
    "skipLibCheck": true,
  }
}
"""
FILES = {
    "template.yaml": TEMPLATE,
    "hello-world/app.ts": HANDLER,
    "hello-world/types.ts": "export interface Result {\n  statusCode: number;\n  body: string;\n}\n",
    "hello-world/package.json": PACKAGE,
    "hello-world/tsconfig.json": TSCONFIG,
}
CLIENT = template_dir() / "{{cookiecutter.project_name}}" / "src" / "momentoClient.ts"


def make(tmp_path: Path, **replace: str) -> Path:
    files = dict(FILES)
    for old, new in replace.items():
        files["template.yaml"] = files["template.yaml"].replace(old, new)
    return write_tree(tmp_path / "sam-ts", files)


def test_add_writes_the_typescript_client_dependencies_env_and_policy(tmp_path, run_cli):
    project = make(tmp_path)
    result = run_cli("add", str(project), "--no-input")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert (project / "hello-world/momentoClient.ts").read_bytes() == CLIENT.read_bytes()
    assert not (project / "hello-world/momentoClient.mjs").exists()
    package = json.loads((project / "hello-world/package.json").read_text())
    assert "@gomomento/sdk" in package["dependencies"]
    # External @aws-sdk/*: the secrets client is for the type checker only
    assert "@aws-sdk/client-secrets-manager" in package["devDependencies"]
    template = (project / "template.yaml").read_text()
    assert "MOMENTO_SECRET_ARN: !If [HasMomentoSecretArn" in template
    assert "Sid: ReadMomentoApiKey" in template
    assert "Use the client in your TypeScript handler:" in result.stdout
    assert "from './momentoClient.js'" in result.stdout  # the handler's own import style
    # The user's step `add` prints: the handler imports the module; doctor's project checks pass.
    handler = project / "hello-world/app.ts"
    handler.write_text("import { cacheName, callMomento } from './momentoClient.js';\n" + handler.read_text())
    run = run_doctor(run_cli, str(project), "--offline", "--only", ",".join(PROJECT_CHECKS))
    failing = {k: run.text(k) for k, c in run.checks.items() if c["status"] not in ("pass", "skip")}
    assert not failing, failing
    assert run.checks["code.client-reuse"]["status"] == "pass"
    after = snapshot(project)
    again = run_cli("add", str(project), "--no-input")
    assert again.exit_code == 0, again.stderr
    assert snapshot(project) == after


def test_the_secrets_client_is_a_dependency_when_the_bundle_includes_the_aws_sdk(tmp_path, run_cli):
    project = make(tmp_path, **{'        External:\n        - "@aws-sdk/*"\n': ""})
    assert run_cli("add", str(project), "--no-input").exit_code == 0
    package = json.loads((project / "hello-world/package.json").read_text())
    assert "@aws-sdk/client-secrets-manager" in package["dependencies"]


def test_dry_run_prints_the_diff_and_writes_nothing(tmp_path, run_cli):
    project = make(tmp_path)
    before = snapshot(project)
    result = run_cli("add", str(project), "--no-input", "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert "+++ b/hello-world/package.json" in result.stdout
    assert "would create hello-world/momentoClient.ts" in result.stdout
    assert snapshot(project) == before


@pytest.mark.parametrize(
    ("replace", "expected"),
    [
        ({"        Format: esm\n": ""}, "Format: esm"),  # esbuild's default: CommonJS
        ({"        Format: esm\n": "        Format: cjs\n"}, "Format: esm"),
        ({"        OutExtension:\n        - .js=.mjs\n": ""}, ".js=.mjs"),
        ({"        Banner:\n": "        Bannerx:\n"}, "createRequire"),
        ({"      BuildMethod: esbuild\n": ""}, "not built with esbuild"),
    ],
)
def test_a_bundle_the_client_cannot_run_in_is_refused(tmp_path, run_cli, replace, expected):
    project = make(tmp_path, **replace)
    before = snapshot(project)
    result = run_cli("add", str(project), "--no-input")
    assert result.exit_code == 1, result.stdout
    assert expected in result.stderr and "Nothing was written" in result.stderr
    assert snapshot(project) == before


@pytest.mark.parametrize(
    ("tsconfig", "handler_import", "expected"),
    [
        ('{"compilerOptions": {"module": "nodenext"}}', "", "'./momentoClient.js'"),
        ('{"compilerOptions": {"moduleResolution": "bundler"}}', "", "'./momentoClient'"),
        (
            '{"compilerOptions": {"moduleResolution": "bundler"}}',
            "import { x } from './lib.ts';\n",
            "'./momentoClient.ts'",
        ),
        ('{"compilerOptions": {"module": "nodenext"}}', "import { x } from './lib';\n", "'./momentoClient'"),
    ],
)
def test_the_import_follows_the_project_s_style(tmp_path, tsconfig, handler_import, expected):
    from momento_lambda_cli.retrofit import typescript

    (tmp_path / "tsconfig.json").write_text(tsconfig)
    (tmp_path / "src").mkdir()
    handler = tmp_path / "src/app.ts"
    handler.write_text(handler_import + "export const handler = async () => 1;\n")
    assert expected in typescript.import_line("./momentoClient.ts", handler, tmp_path)


@pytest.mark.slow
def test_tsc_and_sam_build_after_add(tmp_path, run_cli):
    node = require_tool("node")
    project = make(tmp_path)
    assert run_cli("add", str(project), "--no-input").exit_code == 0
    code = project / "hello-world"
    handler = code / "app.ts"
    handler.write_text(
        "import { cacheName, callMomento } from './momentoClient.js';\n"
        + HANDLER.replace(
            "  return {", "  const response = await callMomento((client) => client.get(cacheName(), 'k'));\n  return {"
        ).replace("'hello world'", "response.type")
    )
    npm_install(code)
    typecheck = subprocess.run(
        [str(node), "node_modules/typescript/bin/tsc", "--noEmit", "-p", "."],
        cwd=code, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert typecheck.returncode == 0, typecheck.stdout + typecheck.stderr
    sam(project, "build", "--no-use-container", path_first=code / "node_modules" / ".bin")
    artifact = project / ".aws-sam" / "build" / "HelloWorldFunction"
    assert sorted(p.name for p in artifact.iterdir()) == ["app.mjs"]
    # The bundle loads (its @aws-sdk import resolved from the function's node_modules) and answers.
    (code / "bundle.mjs").write_bytes((artifact / "app.mjs").read_bytes())
    run = subprocess.run(
        [str(node), "--input-type=module", "-e",
         "const { lambdaHandler } = await import('./bundle.mjs');"
         "console.log('@@' + (await lambdaHandler().catch((e) => ({ body: String(e.name) }))).body); process.exit(0);"],
        cwd=code, capture_output=True, text=True, timeout=120, check=False,
        env={"PATH": "/usr/bin:/bin", "MOMENTO_LOCAL": "127.0.0.1:9", "MOMENTO_CACHE_NAME": "c"},
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    body = json.loads(run.stdout.split("@@", 1)[1])
    assert body["message"] == "Error", body  # Momento Local unreachable: the SDK's error answer, no exception


SERVERLESS = """service: orders-ts

provider:
  name: aws
  runtime: nodejs22.x

plugins:
  - serverless-esbuild

custom:
  esbuild:
    bundle: true
    format: esm
    outputFileExtension: .mjs
    banner:
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);"

functions:
  hello:
    handler: src/app.handler
"""


@pytest.mark.parametrize("format_line", ["    format: esm\n", ""])
def test_serverless_esbuild_function(tmp_path, run_cli, format_line):
    files = {
        "serverless.yml": SERVERLESS.replace("    format: esm\n", format_line),
        "src/app.ts": "export const handler = async () => ({ statusCode: 200 });\n",
        "package.json": '{\n  "name": "orders-ts",\n  "type": "module"\n}\n',
    }
    project = write_tree(tmp_path / "sls-ts", files)
    before = snapshot(project)
    result = run_cli("add", str(project), "--no-input")
    if not format_line:
        assert result.exit_code == 1 and "format: esm" in result.stderr and "custom.esbuild" in result.stderr
        assert snapshot(project) == before
        return
    assert result.exit_code == 0, result.stdout + result.stderr
    assert (project / "src/momentoClient.ts").read_bytes() == CLIENT.read_bytes()
    package = json.loads((project / "package.json").read_text())
    assert "@gomomento/sdk" in package["dependencies"]
    assert "@aws-sdk/client-secrets-manager" in package["dependencies"]  # bundled: not external
    assert "Sid: ReadMomentoApiKey" in (project / "serverless.yml").read_text()


@pytest.mark.slow
def test_why_a_commonjs_bundle_is_refused(tmp_path):
    """The refusal's reason, with the real tools: esbuild (via sam build) rejects the client
    module's top-level await in a CommonJS bundle."""
    import os

    project = make(tmp_path, **{"        Format: esm\n": "        Format: cjs\n"})
    code = project / "hello-world"
    (code / "momentoClient.ts").write_bytes(CLIENT.read_bytes())
    used = HANDLER.replace("'hello world'", "cacheName()")  # an unused import is dropped as type-only
    (code / "app.ts").write_text("import { cacheName } from './momentoClient.js';\n" + used)
    (code / "package.json").write_text(
        PACKAGE.replace(
            '  "devDependencies": {',
            '  "dependencies": {\n    "@gomomento/sdk": "^1.118.1"\n  },\n  "devDependencies": {',
        )
    )
    npm_install(code)
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x", "AWS_DEFAULT_REGION": "us-east-1"}
    env.update(SAM_CLI_TELEMETRY="0", PATH=f"{code / 'node_modules' / '.bin'}{os.pathsep}{os.environ['PATH']}")
    env.pop("AWS_ENDPOINT_URL", None)
    build = subprocess.run(
        [str(require_tool("sam")), "build", "--no-use-container"],
        cwd=project, env=env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert build.returncode != 0
    assert 'Top-level await is currently not supported with the "cjs" output format' in build.stdout + build.stderr
