"""`momento-lambda add` on a TypeScript function: the client module `new` renders for TypeScript
for an ES module bundle, its CommonJS form (no top-level await) for every other build, the
dependencies, env and policy; idempotent; --dry-run; an ES module bundle without `require`
refused with nothing written; and (slow) tsc and a real `sam build` of both forms, the CommonJS
one in the shape `sam init`'s TypeScript template has."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from momento_lambda_cli.project import esbuild
from momento_lambda_cli.retrofit import typescript
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
COMMONJS_CLIENT = typescript.module_text(CLIENT.read_text(encoding="utf-8"), esm=False)


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


def test_the_commonjs_form_differs_only_in_its_one_top_level_await():
    source = CLIENT.read_text(encoding="utf-8")
    assert source.count(typescript.TOP_LEVEL_AWAIT) == 1
    assert source.rstrip().endswith(typescript.TOP_LEVEL_AWAIT)  # the last statement: INIT-time creation
    assert COMMONJS_CLIENT.rstrip().endswith(") void prepareMomentoClient();")
    changed = [(a, b) for a, b in zip(source.splitlines(), COMMONJS_CLIENT.splitlines(), strict=True) if a != b]
    assert len(changed) == 1
    assert not any(
        line.startswith("await ") or " await " in line
        for line in COMMONJS_CLIENT.splitlines()
        if not line.startswith((" ", "/", "*"))
    )


BANNER_LINES = (
    "        Banner:\n"
    "        - js=import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);\n"
)


@pytest.mark.parametrize(
    ("replace", "esm"),
    [
        ({}, True),
        ({"        Target: es2022\n": "        Target: node20\n"}, True),
        # the bundle's own file name / package type is the user's ES module setup, not the client's concern
        ({"        OutExtension:\n        - .js=.mjs\n": ""}, True),
        # ES modules for a target without top-level await (the SAM CLI's default target is es2020)
        ({"        Target: es2022\n": "        Target: es2020\n"}, False),
        ({"        Target: es2022\n": ""}, False),
        ({"        Format: esm\n": ""}, False),  # esbuild's default: CommonJS (sam init's TypeScript template)
        ({"        Format: esm\n": "        Format: cjs\n", BANNER_LINES: ""}, False),  # CommonJS has require
        ({"      BuildMethod: esbuild\n": ""}, False),  # built another way (a Makefile): the form any compiler takes
    ],
)
def test_the_bundle_picks_the_client_form(tmp_path, run_cli, replace, esm):
    project = make(tmp_path, **replace)
    result = run_cli("add", str(project), "--no-input")
    assert result.exit_code == 0, result.stdout + result.stderr
    written = (project / "hello-world/momentoClient.ts").read_text(encoding="utf-8")
    assert written == (CLIENT.read_text(encoding="utf-8") if esm else COMMONJS_CLIENT)
    after = snapshot(project)
    assert run_cli("add", str(project), "--no-input").exit_code == 0
    assert snapshot(project) == after  # idempotent in either form


@pytest.mark.parametrize("target", ["es2022", "es2020"])
def test_an_es_module_bundle_without_a_banner_gets_the_create_require_banner(tmp_path, run_cli, target):
    project = make(tmp_path, **{BANNER_LINES: "", "        Target: es2022\n": f"        Target: {target}\n"})
    original = (project / "template.yaml").read_text()
    result = run_cli("add", str(project), "--no-input", "--dry-run")
    assert result.exit_code == 0, result.stdout + result.stderr
    added = [line for line in result.stdout.splitlines() if line.startswith("+") and not line.startswith("+++")]
    banner = '+          - "js=' + esbuild.BANNER + '"'
    assert "+        Banner:" in added and banner in added
    assert run_cli("add", str(project), "--no-input").exit_code == 0
    template = (project / "template.yaml").read_text()
    assert template.count("import { createRequire }") == 1
    # Byte for byte what `add` writes where the banner was there already: only the banner lines differ.
    with_banner = make(
        tmp_path / "with-banner",
        **{
            BANNER_LINES: "",
            "        Target: es2022\n": f"        Target: {target}\n",
            "        - app.ts\n": f'        - app.ts\n        Banner:\n          - "js={esbuild.BANNER}"\n',
        },
    )
    assert run_cli("add", str(with_banner), "--no-input").exit_code == 0
    assert template == (with_banner / "template.yaml").read_text()
    assert original != template
    written = (project / "hello-world/momentoClient.ts").read_text(encoding="utf-8")
    assert written == (CLIENT.read_text(encoding="utf-8") if target == "es2022" else COMMONJS_CLIENT)


def test_an_es_module_bundle_with_another_banner_is_refused(tmp_path, run_cli):
    project = make(tmp_path, **{BANNER_LINES: "        Banner:\n        - js=console.log('built');\n"})
    before = snapshot(project)
    result = run_cli("add", str(project), "--no-input")
    assert result.exit_code == 1, result.stdout
    assert "createRequire" in result.stderr and "Nothing was written" in result.stderr
    assert "Traceback" not in result.stderr
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
    (tmp_path / "tsconfig.json").write_text(tsconfig)
    (tmp_path / "src").mkdir()
    handler = tmp_path / "src/app.ts"
    handler.write_text(handler_import + "export const handler = async () => 1;\n")
    assert expected in typescript.import_line("./momentoClient.ts", handler, tmp_path)


@pytest.mark.slow
@pytest.mark.parametrize(
    "replace",
    [{}, {BANNER_LINES: "", "        Target: es2022\n": "        Target: es2020\n"}],
    ids=["es2022-with-banner", "es2020-banner-added"],
)
def test_tsc_and_sam_build_after_add(tmp_path, run_cli, replace):
    """An ES module bundle as `new` writes it, and one for es2020 without a banner (the shape of
    AWS's serverless-patterns TypeScript examples): `add` writes the banner and the CommonJS
    form; tsc passes, `sam build` bundles it, and the bundle loads and answers."""
    node = require_tool("node")
    project = make(tmp_path, **replace)
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


@pytest.mark.parametrize(
    ("replace", "form"),
    [
        ({}, "esm"),
        ({"    format: esm\n": ""}, "cjs"),  # serverless-esbuild's default: CommonJS
        ({"  - serverless-esbuild\n": "  - serverless-plugin-typescript\n"}, "cjs"),  # tsc
        ({"  - serverless-esbuild\n": "  - serverless-webpack\n"}, "cjs"),
        ({"    banner:\n": "    bannerx:\n"}, "esm+banner"),  # add writes the banner
        ({"    format: esm\n": "    format: esm\n    target: node12\n"}, "cjs"),  # no top-level await
        ({f'"{esbuild.BANNER}"': "\"console.log('built');\""}, "refused"),
    ],
)
def test_serverless_typescript_function(tmp_path, run_cli, replace, form):
    config = SERVERLESS
    for old, new in replace.items():
        config = config.replace(old, new)
    files = {
        "serverless.yml": config,
        "src/app.ts": "export const handler = async () => ({ statusCode: 200 });\n",
        "package.json": '{\n  "name": "orders-ts",\n  "type": "module"\n}\n',
    }
    project = write_tree(tmp_path / "sls-ts", files)
    before = snapshot(project)
    result = run_cli("add", str(project), "--no-input")
    if form == "refused":
        assert result.exit_code == 1 and "createRequire" in result.stderr and "custom.esbuild" in result.stderr
        assert snapshot(project) == before
        return
    assert result.exit_code == 0, result.stdout + result.stderr
    written = (project / "src/momentoClient.ts").read_text(encoding="utf-8")
    assert written == (CLIENT.read_text(encoding="utf-8") if form.startswith("esm") else COMMONJS_CLIENT)
    if form == "esm+banner":
        config = (project / "serverless.yml").read_text()
        assert f'    banner:\n      js: "{esbuild.BANNER}"\n' in config
    package = json.loads((project / "package.json").read_text())
    assert "@gomomento/sdk" in package["dependencies"]
    assert "@aws-sdk/client-secrets-manager" in package["dependencies"]  # bundled / packaged: not external
    assert "Sid: ReadMomentoApiKey" in (project / "serverless.yml").read_text()


SAM_INIT_TEMPLATE = """AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Description: >
  sam-app-cjs

# The shape of `sam init`'s TypeScript template: esbuild with no Format, so CommonJS
Globals:
  Function:
    Timeout: 3

Resources:
  HelloWorldFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: hello-world/
      Handler: app.lambdaHandler
      Runtime: nodejs20.x
      Architectures:
        - x86_64
    Metadata: # Manage esbuild properties
      BuildMethod: esbuild
      BuildProperties:
        Minify: true
        Target: "es2020"
        Sourcemap: true
        EntryPoints:
        - app.ts
"""
SAM_INIT_TSCONFIG = """{
    "compilerOptions": {
      "target": "es2020",
      "strict": true,
      "preserveConstEnums": true,
      "noEmit": true,
      "sourceMap": false,
      "module":"commonjs",
      "moduleResolution":"node",
      "esModuleInterop": true,
      "skipLibCheck": true,
      "forceConsistentCasingInFileNames": true
    },
    "exclude": ["node_modules", "**/*.test.ts"]
}
"""
SAM_INIT_PACKAGE = """{
  "name": "hello_world",
  "version": "1.0.0",
  "main": "app.js",
  "dependencies": {
    "esbuild": "^0.28.2"
  },
  "devDependencies": {
    "@types/node": "^20.0.0",
    "typescript": "^5.9.3"
  }
}
"""


@pytest.mark.slow
def test_a_commonjs_bundle_in_sam_init_s_shape(tmp_path, run_cli):
    """`sam init`'s TypeScript shape (esbuild's default CommonJS, target es2020, tsconfig module
    commonjs): `add` writes the CommonJS form; tsc passes; esbuild would refuse the ES module
    form (its top-level await) but builds this one; the built app.js loads with require() and
    answers, its INIT-time creation started and awaited by the first request."""
    node = require_tool("node")
    project = write_tree(
        tmp_path / "sam-cjs",
        {
            "template.yaml": SAM_INIT_TEMPLATE,
            "hello-world/app.ts": HANDLER.replace(
                "import type { Result } from './types.js';", "import type { Result } from './types';"
            ),
            "hello-world/types.ts": FILES["hello-world/types.ts"],
            "hello-world/package.json": SAM_INIT_PACKAGE,
            "hello-world/tsconfig.json": SAM_INIT_TSCONFIG,
        },
    )
    result = run_cli("add", str(project), "--no-input")
    assert result.exit_code == 0, result.stdout + result.stderr
    code = project / "hello-world"
    assert (code / "momentoClient.ts").read_text(encoding="utf-8") == COMMONJS_CLIENT
    assert "import { cacheName, callMomento } from './momentoClient';" in result.stdout  # the handler's style
    handler = code / "app.ts"
    handler.write_text(
        "import { cacheName, callMomento } from './momentoClient';\n"
        + handler.read_text()
        .replace(
            "  return {", "  const response = await callMomento((client) => client.get(cacheName(), 'k'));\n  return {"
        )
        .replace("'hello world'", "response.type")
    )
    npm_install(code)
    typecheck = subprocess.run(
        [str(node), "node_modules/typescript/bin/tsc", "--noEmit", "-p", "."],
        cwd=code, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert typecheck.returncode == 0, typecheck.stdout + typecheck.stderr
    # Why the form exists: esbuild refuses the ES module form for CommonJS output.
    (tmp_path / "esm-form.ts").write_bytes(CLIENT.read_bytes())
    refused = subprocess.run(
        [str(code / "node_modules/.bin/esbuild"), str(tmp_path / "esm-form.ts"), "--format=cjs"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert refused.returncode != 0
    assert 'Top-level await is currently not supported with the "cjs" output format' in refused.stderr
    sam(project, "build", "--no-use-container", path_first=code / "node_modules" / ".bin")
    artifact = project / ".aws-sam" / "build" / "HelloWorldFunction"
    assert sorted(p.name for p in artifact.iterdir()) == ["app.js", "app.js.map"]
    (code / "bundle.cjs").write_bytes((artifact / "app.js").read_bytes())
    run = subprocess.run(
        [str(node), "-e",
         "const { lambdaHandler } = require('./bundle.cjs');"
         "lambdaHandler().then((r) => { console.log('@@' + r.body); process.exit(0); },"
         " (e) => { console.log('@@' + JSON.stringify({ message: 'threw ' + e.name })); process.exit(0); });"],
        cwd=code, capture_output=True, text=True, timeout=120, check=False,
        env={"PATH": "/usr/bin:/bin", "MOMENTO_LOCAL": "127.0.0.1:9", "MOMENTO_CACHE_NAME": "c",
             "MOMENTO_INIT_CLIENT": "eager"},
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    body = json.loads(run.stdout.split("@@", 1)[1])
    assert body["message"] == "Error", body  # Momento Local unreachable: the SDK's error answer, no exception


PLUGIN_TYPESCRIPT = {
    "serverless.yml": """service: http-api-ts

provider:
  name: aws
  runtime: nodejs20.x

functions:
  hello:
    handler: handler.hello
    events:
      - httpApi:
          path: /
          method: get

plugins:
  - serverless-plugin-typescript
""",
    "handler.ts": """export const hello = async (event: unknown) => {
  return { statusCode: 200, body: JSON.stringify({ message: 'hello', input: event }, null, 2) };
};
""",
    "package.json": """{
  "name": "http-api-ts",
  "version": "1.0.0",
  "main": "handler.js",
  "devDependencies": {
    "@types/node": "^20.0.0",
    "serverless-plugin-typescript": "^2.1.5",
    "typescript": "^5.9.3"
  }
}
""",
}


@pytest.mark.slow
def test_serverless_plugin_typescript_compiles_and_packages_the_commonjs_form(tmp_path, run_cli):
    """A Serverless project compiled by tsc (serverless-plugin-typescript, no tsconfig: its own
    ES5 / CommonJS defaults, where the ES module form's top-level await is an error): `add`,
    then `osls package` compiles and zips the module; the zipped handler loads with require()
    and answers."""
    import zipfile

    from tests.test_add_tools import osls

    node = require_tool("node")
    project = write_tree(tmp_path / "sls-plugin-ts", PLUGIN_TYPESCRIPT)
    result = run_cli("add", str(project), "--no-input")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert (project / "momentoClient.ts").read_text(encoding="utf-8") == COMMONJS_CLIENT
    handler = project / "handler.ts"
    handler.write_text(
        "import { cacheName, callMomento } from './momentoClient';\n"
        + PLUGIN_TYPESCRIPT["handler.ts"]
        .replace(
            "  return {", "  const response = await callMomento((client) => client.get(cacheName(), 'k'));\n  return {"
        )
        .replace("'hello'", "response.type")
    )
    npm_install(project)
    osls(project, "package")
    unpacked = tmp_path / "unpacked"
    with zipfile.ZipFile(project / ".serverless" / "http-api-ts.zip") as archive:
        names = archive.namelist()
        archive.extractall(unpacked)
    assert {"handler.js", "momentoClient.js"} <= set(names)
    assert "node_modules/@gomomento/sdk/package.json" in names  # a production dependency, packaged
    run = subprocess.run(
        [str(node), "-e",
         "require('./handler.js').hello({}).then((r) => { console.log('@@' + r.body); process.exit(0); });"],
        cwd=unpacked, capture_output=True, text=True, timeout=120, check=False,
        env={"PATH": "/usr/bin:/bin", "MOMENTO_LOCAL": "127.0.0.1:9", "MOMENTO_CACHE_NAME": "c",
             "MOMENTO_INIT_CLIENT": "eager"},
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout.split("@@", 1)[1])["message"] == "Error"


def test_a_javascript_function_in_an_es_module_bundle_gets_the_banner_too(tmp_path, run_cli):
    files = dict(FILES)
    files["template.yaml"] = TEMPLATE.replace(BANNER_LINES, "").replace("        - app.ts\n", "        - app.mjs\n")
    del files["hello-world/app.ts"], files["hello-world/types.ts"], files["hello-world/tsconfig.json"]
    files["hello-world/app.mjs"] = "export const lambdaHandler = async () => ({ statusCode: 200, body: '{}' });\n"
    project = write_tree(tmp_path / "sam-js-esm", files)
    result = run_cli("add", str(project), "--no-input")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert (project / "hello-world/momentoClient.mjs").is_file()
    assert f'        Banner:\n          - "js={esbuild.BANNER}"\n' in (project / "template.yaml").read_text()


@pytest.mark.parametrize(
    ("spec", "reach"),
    [("^3.9.7", (3, 999)), ("~4.1.0", (4, 1)), ("4.8.4", (4, 8)), ("3.x", (3, 999)), ("^5", (5, 999)),
     (">=4.0.0", None), ("latest", None), ("*", None), ("npm:typescript@5", None)],
)  # fmt: skip
def test_the_newest_typescript_a_range_allows(spec, reach):
    assert typescript.newest_in_range(spec) == reach


WEBPACK_SERVICE = """service: kinesis-ts
frameworkVersion: "3"
provider:
  name: aws
  runtime: nodejs20.x
plugins:
  - serverless-webpack
functions:
  producer:
    handler: handler.producer
"""


@pytest.mark.parametrize(
    ("package", "installed", "refused"),
    [
        ('"typescript": "^3.9.7"', None, True),
        ('"typescript": "~4.8.0"', None, True),
        ('"typescript": "^4.1.0"', None, False),  # a fresh install takes 4.9.5
        ('"typescript": "^4.1.0"', "4.8.4", True),  # what node_modules holds decides
        ('"typescript": "^5.9.3"', None, False),
    ],
)
def test_a_typescript_too_old_for_the_module_is_refused(tmp_path, run_cli, package, installed, refused):
    files = {
        "serverless.yml": WEBPACK_SERVICE,
        "handler.ts": "export const producer = async () => ({ statusCode: 200 });\n",
        "package.json": '{\n  "name": "kinesis-ts",\n  "devDependencies": {\n    ' + package + "\n  }\n}\n",
    }
    if installed:
        files["node_modules/typescript/package.json"] = f'{{"name": "typescript", "version": "{installed}"}}\n'
    project = write_tree(tmp_path / "svc", files)
    before = snapshot(project)
    result = run_cli("add", str(project), "--no-input")
    if refused:
        assert result.exit_code == 1, result.stdout
        assert "older than 4.9" in result.stderr and "typescript@5" in result.stderr
        assert snapshot(project) == before
    else:
        assert result.exit_code == 0, result.stdout + result.stderr
        assert (project / "momentoClient.ts").read_text(encoding="utf-8") == COMMONJS_CLIENT
        assert "names no TypeScript plugin" not in result.stdout


V4_SERVICE = """service: orders-v4
frameworkVersion: "4"
provider:
  name: aws
  runtime: nodejs22.x
functions:
  hello:
    handler: src/app.handler
"""


@pytest.mark.parametrize("package_type", ["module", "commonjs"])
def test_serverless_v4_bundles_typescript_itself(tmp_path, run_cli, package_type):
    """Serverless Framework v4 compiles TypeScript handlers with its own esbuild (no plugin): ES
    modules when package.json says "type": "module" (then `add` writes the banner under
    build.esbuild), else CommonJS; no "nothing compiles" note."""
    project = write_tree(
        tmp_path / "v4",
        {
            "serverless.yml": V4_SERVICE,
            "src/app.ts": "export const handler = async () => ({ statusCode: 200 });\n",
            "package.json": f'{{\n  "name": "orders-v4",\n  "type": "{package_type}"\n}}\n',
        },
    )
    result = run_cli("add", str(project), "--no-input")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "names no TypeScript plugin" not in result.stdout
    written = (project / "src/momentoClient.ts").read_text(encoding="utf-8")
    config = (project / "serverless.yml").read_text()
    if package_type == "module":
        assert written == CLIENT.read_text(encoding="utf-8")  # esbuild's default target has top-level await
        assert f'build:\n  esbuild:\n    banner:\n      js: "{esbuild.BANNER}"\n' in config
    else:
        assert written == COMMONJS_CLIENT
        assert "banner" not in config


def test_a_scoped_fork_of_a_typescript_plugin_counts(tmp_path, run_cli):
    project = write_tree(
        tmp_path / "nest",
        {
            "serverless.yml": WEBPACK_SERVICE.replace("serverless-webpack", "'@hewmen/serverless-plugin-typescript'"),
            "handler.ts": "export const producer = async () => ({ statusCode: 200 });\n",
            "package.json": '{"name": "nest", "devDependencies": {"typescript": "^5.9.3"}}\n',
        },
    )
    result = run_cli("add", str(project), "--no-input")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "names no TypeScript plugin" not in result.stdout


def test_a_package_json_with_odd_dependency_shapes_does_not_stop_add(tmp_path, run_cli):
    project = write_tree(
        tmp_path / "odd",
        {
            "serverless.yml": WEBPACK_SERVICE,
            "handler.ts": "export const producer = async () => ({ statusCode: 200 });\n",
            "package.json": '{"name": "odd", "dependencies": ["typescript"], "devDependencies": null}\n',
        },
    )
    result = run_cli("add", str(project), "--no-input")
    assert result.exit_code == 1, result.stdout
    assert "package.json is not valid JSON (dependencies is not an object)" in result.stderr
    assert "Unexpected error" not in result.stderr
