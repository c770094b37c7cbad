"""`momento-lambda add` on AWS CDK apps: the stacks' source is read (tree-sitter / ast, never
run), recognised function constructs get the secret lookup, the environment and the grant as
insertions only (every other byte kept), the others get the exact lines printed and their stack
is not written; the client module and the SDK go where each function's code and dependencies live."""

from __future__ import annotations

import ast
import difflib
import json
from pathlib import Path

import pytest

from momento_lambda_cli.errors import ExitCode
from momento_lambda_cli.project import cdk_source
from momento_lambda_cli.project.cdk_source import _ts_parser
from momento_lambda_cli.retrofit import client
from momento_lambda_cli.retrofit.cdk_add import plan_add_cdk
from momento_lambda_cli.retrofit.plan import AddOptions, apply_plan
from tests.support.generated import render

TS_STACK = """\
import * as cdk from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as path from 'path';
import { Construct } from 'constructs';

export class DemoStack extends cdk.Stack {
  readonly api: lambda.Function;

  constructor(scope: Construct, id: string, props?: cdk.StackProps) {
    super(scope, id, props);

    // the plain function: its asset folder is zipped as is
    const hello = new lambda.Function(this, 'HelloHandler', {
      runtime: lambda.Runtime.NODEJS_22_X,
      code: lambda.Code.fromAsset('lambda'),
      handler: 'hello.handler',
      environment: {
        TABLE: 'x'
      },
    });

    this.api = new lambda.Function(this, 'Api', { runtime: lambda.Runtime.NODEJS_22_X, code: lambda.Code.fromAsset('lambda'), handler: 'hello.handler' });

    new NodejsFunction(this, 'Bundled', {
      entry: path.join(__dirname, '../lambda/bundled.ts'),
      runtime: lambda.Runtime.NODEJS_22_X,
      timeout: cdk.Duration.seconds(5)
    });

    for (const name of ['a', 'b']) {
      new lambda.Function(this, `Loop${name}`, { runtime: lambda.Runtime.NODEJS_22_X, code: lambda.Code.fromAsset('lambda'), handler: 'hello.handler' });
    }
    this.worker('Worker');
  }

  private worker(name: string): lambda.Function {
    return new lambda.Function(this, name, { runtime: lambda.Runtime.NODEJS_22_X, code: lambda.Code.fromAsset('lambda'), handler: 'hello.handler' });
  }
}
"""

PY_STACK = """\
from aws_cdk import Duration, Stack
from aws_cdk import aws_lambda as _lambda
from constructs import Construct

RUNTIME = _lambda.Runtime.PYTHON_3_13


class ApiStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, **kwargs) -> None:
        super().__init__(scope, construct_id, **kwargs)

        self.handler = _lambda.Function(
            self,
            "ApiHandler",
            runtime=RUNTIME,
            code=_lambda.Code.from_asset("lambda_fn"),
            handler="app.handler",
            timeout=Duration.seconds(10),
        )

        _lambda.Function(self, "Other", runtime=_lambda.Runtime.PYTHON_3_12,
                         code=_lambda.Code.from_asset("lambda_fn"), handler="app.handler",
                         environment={'A': '1'})

        for name in ("x", "y"):
            _lambda.Function(self, name, runtime=RUNTIME, code=_lambda.Code.from_asset("lambda_fn"), handler="app.handler")
"""


def ts_app(root: Path, stack: str = TS_STACK, *, eol: str = "\n") -> Path:
    (root / "bin").mkdir(parents=True)
    (root / "lib").mkdir()
    (root / "lambda").mkdir()
    (root / "cdk.json").write_text('{\n  "app": "npx ts-node --prefer-ts-exts bin/app.ts"\n}\n')
    (root / "bin" / "app.ts").write_text(
        "import * as cdk from 'aws-cdk-lib';\nimport { DemoStack } from '../lib/demo-stack';\n\n"
        "new DemoStack(new cdk.App(), 'DemoStack');\n"
    )
    (root / "lib" / "demo-stack.ts").write_bytes(stack.replace("\n", eol).encode())
    (root / "lambda" / "hello.mjs").write_text("export const handler = async () => ({ statusCode: 200 });\n")
    (root / "lambda" / "bundled.ts").write_text("export const handler = async () => ({ statusCode: 200 });\n")
    (root / "package.json").write_text(
        '{\n  "name": "demo",\n  "dependencies": {\n    "aws-cdk-lib": "^2.170.0"\n  }\n}\n'
    )
    return root


def py_app(root: Path, stack: str = PY_STACK) -> Path:
    (root / "stacks").mkdir(parents=True)
    (root / "lambda_fn").mkdir()
    (root / "cdk.json").write_text('{"app": "python3 app.py"}\n')
    (root / "app.py").write_text(
        "import aws_cdk as cdk\nfrom stacks.api_stack import ApiStack\n\n"
        'app = cdk.App()\nApiStack(app, "ApiStack")\napp.synth()\n'
    )
    (root / "stacks" / "__init__.py").write_text("")
    (root / "stacks" / "api_stack.py").write_text(stack)
    (root / "lambda_fn" / "app.py").write_text("def handler(event, context):\n    return {}\n")
    return root


def snapshot(root: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}


def assert_insertions_only(before: str, after: str) -> None:
    """Every byte of ``before`` is in ``after``, in order and unchanged: the edit only inserts."""
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    assert {op for op, *_ in matcher.get_opcodes()} <= {"equal", "insert"}, [
        (op, before[a:b], after[c:d]) for op, a, b, c, d in matcher.get_opcodes() if op != "equal"
    ]


def stack_change(plan, name: str):  # type: ignore[no-untyped-def]
    (change,) = [c for c in plan.changes if c.path.name == name]
    return change


# --- reading the source ---------------------------------------------------------------------


def test_the_functions_are_read_from_the_typescript_stack_without_running_it(tmp_path):
    app = cdk_source.read_app(ts_app(tmp_path))
    assert app.entry == tmp_path / "bin" / "app.ts" and app.language == "typescript"
    found = {f.key: f for f in app.functions}
    assert set(found) == {"HelloHandler", "Api", "Bundled", "Loop-name", "name"}
    hello, api, bundled = found["HelloHandler"], found["Api"], found["Bundled"]
    assert (hello.variable, hello.runtime, hello.language, hello.problem) == ("hello", "nodejs22.x", "node", None)
    assert hello.code_dir == (tmp_path / "lambda").resolve() and hello.handler_file == hello.code_dir / "hello.mjs"
    assert hello.env_keys == {"TABLE"} and not hello.bundled
    assert api.variable == "this.api" and api.problem is None
    assert bundled.variable is None and bundled.assign_at is not None and bundled.bundled
    assert bundled.handler_file == (tmp_path / "lambda" / "bundled.ts").resolve()
    assert found["Loop-name"].problem == "it is built in a loop"
    assert found["name"].problem == "the construct is part of a bigger expression"


def test_the_functions_are_read_from_the_python_stack(tmp_path):
    app = cdk_source.read_app(py_app(tmp_path))
    found = {f.key: f for f in app.functions}
    handler, other = found["ApiHandler"], found["Other"]
    assert (handler.variable, handler.runtime, handler.problem) == ("self.handler", "python3.13", None)
    assert handler.handler_file == (tmp_path / "lambda_fn" / "app.py").resolve()
    assert other.variable is None and other.env_keys == {"A"} and other.quote == "'"
    (loop,) = [f for f in app.functions if f.problem]
    assert loop.problem == "it is built in a loop"


@pytest.mark.parametrize(
    ("app", "problem"),
    [
        ('{"app": "go run main.go"}', "names no TypeScript or Python file"),
        ("[1, 2", None),
        ('{"app": "npx ts-node ../outside.ts"}', "names no TypeScript or Python file"),
    ],
)
def test_an_app_command_without_a_stack_file_is_refused_in_one_line(tmp_path, run_cli, app, problem):
    (tmp_path / "cdk.json").write_text(app)
    (tmp_path.parent / "outside.ts").write_text("new lambda.Function(this, 'X', {});\n")
    result = run_cli("add", str(tmp_path), "--no-input")
    assert result.exit_code == ExitCode.FAILED, result.output
    assert "No Lambda function construct found in the CDK app's source" in result.stderr
    if problem:
        assert problem in result.stderr
    assert "Traceback" not in result.output


def test_the_reader_is_bounded(tmp_path, monkeypatch):
    root = ts_app(tmp_path)
    monkeypatch.setattr(cdk_source, "MAX_NODES", 50)
    assert cdk_source.read_app(root).functions == []
    monkeypatch.setattr(cdk_source, "MAX_NODES", 400_000)
    monkeypatch.setattr(cdk_source, "MAX_STACK_BYTES", 100)
    assert cdk_source.read_app(root).functions == []


# --- the stack edits: insertions only -----------------------------------------------------------


def test_typescript_stack_gets_the_lookup_the_environment_and_the_grants_byte_minimally(tmp_path):
    root = ts_app(tmp_path)
    plan = plan_add_cdk(root, AddOptions(), "cdk")
    change = stack_change(plan, "demo-stack.ts")
    assert_insertions_only(change.before, change.after)
    after = change.after
    assert after.count("import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';\n") == 1
    assert after.count("Secret.fromSecretNameV2(this, 'MomentoSecret', momentoSecretName)") == 1
    # env present (no trailing comma): the comma, then the keys at the entries' indentation
    assert "        TABLE: 'x',\n        MOMENTO_SECRET_ARN: momentoSecretArn || momentoSecretName,\n" in after
    # props on one line: the environment inline
    assert "handler: 'hello.handler', environment: { MOMENTO_SECRET_ARN: momentoSecretArn" in after
    # not assigned: a variable for the grant; env absent: the property after the last one
    assert "    const momentoFnBundled = new NodejsFunction(this, 'Bundled', {\n" in after
    assert "      timeout: cdk.Duration.seconds(5),\n      environment: {\n        MOMENTO_SECRET_ARN" in after
    for variable in ("hello", "this.api", "momentoFnBundled"):
        assert after.count(f"    momentoSecret.grantRead({variable});\n") == 1
    assert "Loop" in after and after.count("grantRead(") == 3  # the loop and the helper: printed, not edited
    assert "    // Momento (momento-lambda add)" in after.split("const hello")[0]  # before the first construct
    tree = _ts_parser().parse(after.encode())
    assert not tree.root_node.has_error
    where = [w for w, _ in plan.manual]
    assert any("it is built in a loop; add these lines yourself" in w for w in where)
    assert any("bigger expression" in w for w in where)


def test_python_stack_gets_the_lookup_the_environment_and_the_grants_byte_minimally(tmp_path):
    root = py_app(tmp_path)
    plan = plan_add_cdk(
        root, AddOptions(secret_arn="arn:aws:secretsmanager:us-east-1:123456789012:secret:app/key-AbC123"), "cdk"
    )
    change = stack_change(plan, "api_stack.py")
    assert_insertions_only(change.before, change.after)
    after = change.after
    ast.parse(after)
    assert "from aws_cdk import aws_secretsmanager as secretsmanager\n" in after
    assert (
        'try_get_context("momentoSecretArn") or "arn:aws:secretsmanager:us-east-1:123456789012:secret:app/key-AbC123"'
        in after
    )
    assert (
        '            timeout=Duration.seconds(10),\n            environment={\n                "MOMENTO_SECRET_ARN": '
        in after
    )
    assert "environment={'A': '1', 'MOMENTO_SECRET_ARN': momento_secret_arn or momento_secret_name" in after
    assert '        momento_fn_other = _lambda.Function(self, "Other"' in after
    assert "        momento_secret.grant_read(self.handler)\n" in after
    assert "        momento_secret.grant_read(momento_fn_other)\n" in after
    assert after.count("grant_read(") == 2
    assert stack_change(plan, "requirements.txt").after == f"momento=={client.pinned('momento_python_version')}\n"
    assert (root / "lambda_fn" / "momento_client.py").resolve() in {c.path for c in plan.changes}
    assert plan.imports["ApiHandler"] == "from momento_client import cache_name, get_client"
    assert any("Code.fromAsset zips lambda_fn as it is" in n for n in plan.notes)


def test_a_crlf_stack_keeps_its_line_endings(tmp_path):
    root = ts_app(tmp_path, eol="\r\n")
    change = stack_change(plan_add_cdk(root, AddOptions(), "cdk"), "demo-stack.ts")
    assert_insertions_only(change.before, change.after)
    assert "\n" not in change.after.replace("\r\n", "")


def test_add_writes_then_is_idempotent_and_dry_run_writes_nothing(tmp_path, run_cli):
    root = ts_app(tmp_path)
    before = snapshot(root)
    dry = run_cli("add", str(root), "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert snapshot(root) == before
    assert (
        "+    momentoSecret.grantRead(hello);" in dry.stdout and "would create lambda/momentoClient.mjs" in dry.stdout
    )
    assert "it is built in a loop; add these lines yourself:" in dry.stdout
    result = run_cli("add", str(root), "--no-input")
    assert result.exit_code == 0, result.output
    assert "changed lib/demo-stack.ts" in result.stdout and "created lambda/momentoClient.ts" in result.stdout
    package = json.loads((root / "package.json").read_text())
    assert package["dependencies"]["@gomomento/sdk"].startswith("^")  # NodejsFunction bundles from the app's
    assert json.loads((root / "lambda" / "package.json").read_text())["dependencies"]["@gomomento/sdk"]
    # NodejsFunction bundles CommonJS by default: the module without top-level await
    assert (root / "lambda" / "momentoClient.ts").read_text() == client.render_module(
        client.MODULES["typescript"], client.COMMONJS
    )
    answers = json.loads((root / ".momento-lambda.json").read_text())
    assert answers["framework"] == "cdk" and answers["functions"] == ["Api", "Bundled", "HelloHandler"]
    written = snapshot(root)
    again = run_cli("add", str(root), "--dry-run")
    assert again.exit_code == 0 and "Nothing to change" in again.stdout, again.output
    assert run_cli("add", str(root), "--no-input").exit_code == 0
    assert snapshot(root) == written


def test_an_unrecognised_shape_prints_the_lines_and_leaves_the_stack_alone(tmp_path, run_cli):
    stack = TS_STACK.split("    // the plain function")[0] + (
        "    const props = { runtime: lambda.Runtime.NODEJS_22_X, code: lambda.Code.fromAsset('lambda'), "
        "handler: 'hello.handler' };\n    const fn = new lambda.Function(this, 'FromProps', props);\n  }\n}\n"
    )
    root = ts_app(tmp_path, stack)
    before = (root / "lib" / "demo-stack.ts").read_bytes()
    result = run_cli("add", str(root), "--no-input")
    assert result.exit_code == 0, result.output
    assert (root / "lib" / "demo-stack.ts").read_bytes() == before
    assert "lib/demo-stack.ts line 14 (FromProps): its props are not an object literal; add these lines yourself:" in (
        result.stdout
    )
    for line in (
        "import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';",
        "? secretsmanager.Secret.fromSecretCompleteArn(this, 'MomentoSecret', momentoSecretArn)",
        "MOMENTO_CACHE_NAME: String(this.node.tryGetContext('momentoCacheName') ?? ",
        "momentoSecret.grantRead(fn);",
    ):
        assert line in result.stdout
    assert not (root / "lambda" / "momentoClient.mjs").exists()  # the code folder is not known: printed too
    assert "copy src/momento_client.py (Python) or src/momentoClient.ts (Node.js)" in result.stdout
    assert "Added Momento to the project (the function edits to make by hand are below):" in result.stdout


def test_a_generated_cdk_app_already_has_momento(tmp_path, run_cli):
    """`new -f cdk` stacks look up their own MomentoSecret and grant it: nothing is added to them."""
    for runtime in ("nodejs22.x", "python3.13"):
        project = render(tmp_path / runtime, framework="cdk", runtime=runtime)
        stacks = {p: p.read_bytes() for p in (project / "infra").iterdir()}
        result = run_cli("add", str(project), "--no-input")
        assert result.exit_code == 0, result.output
        assert {p: p.read_bytes() for p in (project / "infra").iterdir()} == stacks
        assert "yourself" not in result.stdout


def test_a_construct_with_its_own_momento_secret_is_not_guessed(tmp_path, run_cli):
    stack = TS_STACK.replace(
        "    // the plain function",
        "    const mine = cdk.aws_secretsmanager.Secret.fromSecretNameV2(this, 'MomentoSecret', 'x');\n"
        "    // the plain function",
    )
    root = ts_app(tmp_path, stack)
    before = (root / "lib" / "demo-stack.ts").read_bytes()
    result = run_cli("add", str(root), "--no-input")
    assert result.exit_code == 0, result.output
    assert (root / "lib" / "demo-stack.ts").read_bytes() == before
    assert "already looks up a MomentoSecret of its own" in result.stdout


def test_json_lists_the_manual_edits(tmp_path, run_cli):
    result = run_cli("add", str(ts_app(tmp_path)), "--json", "--dry-run")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)["data"]
    assert data["framework"] == "cdk" and "lib/demo-stack.ts" in data["changed_files"]
    assert any("built in a loop" in m["where"] and "momentoSecret.grantRead(fn);" in m["lines"] for m in data["manual"])


def test_hostile_stack_files_are_not_followed_nor_read(tmp_path, run_cli):
    """A stack import that is a symlink out of the app, a FIFO, a non-UTF-8 file, a huge one: each
    is left unread (never followed, never a traceback); the other stacks are still read."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "evil.ts").write_text("new lambda.Function(this, 'Evil', {});\n")
    root = ts_app(tmp_path / "app")
    (root / "bin" / "app.ts").write_text(
        (root / "bin" / "app.ts").read_text()
        + "import './link';\nimport './fifo';\nimport './latin';\nimport './huge';\nimport './missing';\n"
    )
    (root / "bin" / "link.ts").symlink_to(outside / "evil.ts")
    import os

    os.mkfifo(root / "bin" / "fifo.ts")
    (root / "bin" / "latin.ts").write_bytes(
        b"import * as lambda from 'aws-cdk-lib/aws-lambda';\n// caf\xe9\nnew lambda.Function(this, 'Latin', {});\n"
    )
    (root / "bin" / "huge.ts").write_text("// x\n" * 300_000)
    app = cdk_source.read_app(root)
    assert {f.key for f in app.functions} == {
        "HelloHandler",
        "Api",
        "Bundled",
        "Loop-name",
        "name",
    }
    result = run_cli("add", str(root), "--dry-run")
    assert result.exit_code == 0 and "Traceback" not in result.output, result.output
    assert (outside / "evil.ts").read_text() == "new lambda.Function(this, 'Evil', {});\n"


def test_commonjs_javascript_stacks_and_qualified_constructors(tmp_path):
    """A JavaScript app (`node bin/app.js`, `require`) gets a `require` for Secrets Manager;
    `cdk.aws_lambda_nodejs.NodejsFunction` and a Python `aws_cdk.aws_lambda.Function` behind a
    function-local import are found; a runtime the client module does not serve is skipped."""
    root = tmp_path / "js"
    (root / "bin").mkdir(parents=True)
    (root / "lambda").mkdir()
    (root / "cdk.json").write_text('{"app": "node bin/app.js"}')
    (root / "bin" / "app.js").write_text("const { Demo } = require('./demo');\n")
    (root / "bin" / "demo.js").write_text(
        "const cdk = require('aws-cdk-lib');\n"
        "const { Construct } = require('constructs');\n\n"
        "class Demo extends cdk.Stack {\n"
        "  constructor(scope, id) {\n"
        "    super(scope, id);\n"
        "    const fn = new cdk.aws_lambda_nodejs.NodejsFunction(this, 'Fn', { entry: 'lambda/index.js' });\n"
        "    const old = new cdk.aws_lambda.Function(this, 'Old', {\n"
        "      runtime: cdk.aws_lambda.Runtime.NODEJS_16_X, code: cdk.aws_lambda.Code.fromAsset('lambda'), handler: 'index.handler',\n"
        "    });\n"
        "  }\n}\nmodule.exports = { Demo };\n"
    )
    (root / "lambda" / "index.js").write_text("exports.handler = async () => ({});\n")
    plan = plan_add_cdk(root, AddOptions(), "cdk")
    assert plan.functions == ["Fn"] and "nodejs16.x" in plan.skipped["Old"]
    change = stack_change(plan, "demo.js")
    assert_insertions_only(change.before, change.after)
    assert (
        "const { Construct } = require('constructs');\nconst secretsmanager = require('aws-cdk-lib/aws-secretsmanager');\n"
        in (change.after)
    )
    assert "    momentoSecret.grantRead(fn);\n" in change.after and "grantRead(old)" not in change.after
    assert plan.imports["Fn"] == "const momento = import('./momentoClient.mjs');"  # a CommonJS handler

    root = py_app(
        tmp_path / "py",
        PY_STACK.split("        self.handler")[0]
        + "        import aws_cdk\n        from aws_cdk import aws_lambda as fn_lib\n\n"
        '        fn = aws_cdk.aws_lambda.Function(self, id="Local", runtime=fn_lib.Runtime.PYTHON_3_13,'
        ' code=fn_lib.Code.from_asset(os.path.join(os.getcwd(), "lambda_fn")), handler="app.handler")\n',
    )
    (function,) = cdk_source.read_app(root).functions
    assert (function.key, function.variable, function.problem) == ("Local", "fn", None)
    assert function.code_dir == (root / "lambda_fn").resolve()


def test_python_relative_imports_are_followed(tmp_path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "cdk.json").write_text('{"app": "python3 app.py"}')
    (tmp_path / "app.py").write_text("from pkg.app_stack import S\n")
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "app_stack.py").write_text("from .inner import Inner\n")
    (tmp_path / "pkg" / "inner.py").write_text(
        "from aws_cdk import aws_lambda as l\n\nclass Inner:\n    def __init__(self):\n"
        '        x = l.Function(self, "F", runtime=l.Runtime.PYTHON_3_12, code=l.Code.from_asset("c"), handler="a.b")\n'
    )
    assert [f.key for f in cdk_source.read_app(tmp_path).functions] == ["F"]


def test_a_call_closed_on_its_last_argument_line_gets_the_environment_on_lines_of_its_own(tmp_path):
    stack = PY_STACK.split("        self.handler")[0] + (
        '        fn = _lambda.Function(self, "Hanging",\n'
        "                              runtime=RUNTIME,\n"
        '                              code=_lambda.Code.from_asset("lambda_fn"),\n'
        '                              handler="app.handler")\n'
    )
    change = stack_change(plan_add_cdk(py_app(tmp_path, stack), AddOptions(), "cdk"), "api_stack.py")
    assert_insertions_only(change.before, change.after)
    assert (
        '                              handler="app.handler",\n'
        "                              environment={\n"
        '                                  "MOMENTO_SECRET_ARN": momento_secret_arn or momento_secret_name,\n'
    ) in change.after
    assert "60),\n                              })\n        momento_secret.grant_read(fn)\n" in change.after
    ast.parse(change.after)


def test_function_picks_constructs_by_id(tmp_path, run_cli):
    root = ts_app(tmp_path)
    result = run_cli("add", str(root), "--function", "Api", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "+    momentoSecret.grantRead(this.api);" in result.stdout and "grantRead(hello)" not in result.stdout
    assert "add these lines yourself" not in result.stdout
    unknown = run_cli("add", str(root), "--function", "Nope")
    assert unknown.exit_code == ExitCode.FAILED and "No function 'Nope' in the CDK app" in unknown.stderr
    assert "HelloHandler" in unknown.stderr and "Traceback" not in unknown.output


def test_a_second_stack_class_in_a_file_added_to_later_gets_its_own_lookup(tmp_path):
    root = ts_app(tmp_path)
    apply_plan(plan_add_cdk(root, AddOptions(), "cdk"))
    stack = root / "lib" / "demo-stack.ts"
    stack.write_text(
        stack.read_text() + "\nexport class Other extends cdk.Stack {\n  constructor(scope: Construct, id: string) {\n"
        "    super(scope, id);\n    const late = new lambda.Function(this, 'Late', {\n"
        "      runtime: lambda.Runtime.NODEJS_22_X, code: lambda.Code.fromAsset('lambda'), handler: 'hello.handler',\n"
        "    });\n  }\n}\n"
    )
    change = stack_change(plan_add_cdk(root, AddOptions(), "cdk"), "demo-stack.ts")
    assert_insertions_only(change.before, change.after)
    other = change.after.split("export class Other")[1]
    assert "const momentoSecret = momentoSecretArn" in other and "momentoSecret.grantRead(late);" in other
    assert change.after.count("import * as secretsmanager") == 1
