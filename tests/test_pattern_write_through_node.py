"""`new --pattern write-through` for Node.js (JavaScript and TypeScript): the project gets the read
API (``src/writeThrough``), the stream function (``src/writeThroughStream``), their tests and the
stream event beside the shared client module, wires both functions to the Node.js handlers (SAM:
esbuild for each TypeScript function; Serverless: serverless-esbuild), lints, `doctor` finds it
healthy, it passes its own suite, and, each function run by node in its own process (one execution
environment each) with the real @gomomento/sdk against the local Momento server and the real AWS
SDK for JavaScript v3 against moto (the table and its DynamoDB Streams API): after each of 50 table
updates, the stream function's processing of the stream's records, then the next read returns the
new value; a delete is a 404; one secret read and one cache client per function."""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from momento_lambda_cli import catalog
from momento_lambda_cli.scaffold.answers import build_answers
from momento_lambda_cli.scaffold.layout import keeps
from tests.support.counting_proxy import CountingProxy
from tests.support.generated import (
    NODE_LOCAL_PRELUDE,
    npm_install,
    render,
    run_node_project_tests,
    seed_local_peers,
    serverless_document,
    template_documents,
)
from tests.support.keys import MARKER
from tests.support.tools import require_tool

PATTERN = catalog.WRITE_THROUGH.name
LANGUAGES = catalog.NODE_SOURCE_LANGUAGES
FRAMEWORKS = catalog.DOCTOR_FRAMEWORK_NAMES
"""The frameworks whose project files these tests read (the CDK app: tests/test_generated_cdk.py)."""


def _ext(language: str) -> str:
    return "ts" if language == catalog.TYPESCRIPT else "mjs"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_layout_gives_node_projects_both_handlers_their_tests_and_the_stream_event(language):
    ext = _ext(language)
    mine = build_answers("demo", runtime="nodejs22.x", language=language, pattern=PATTERN)
    own = (f"src/writeThrough.{ext}", f"src/writeThroughStream.{ext}", f"tests/writeThrough.test.{ext}")
    for path in (*own, "events/stream.json", "events/event.json"):
        assert keeps(path, mine), path
    for path in (f"src/handler.{ext}", f"src/rateLimit.{ext}", "events/sqs.json", "src/write_through.py",
                 f"tests/handler.test.{ext}"):  # fmt: skip
        assert not keeps(path, mine), path
    for path in (f"src/momentoClient.{ext}", f"tests/momentoClient.test.{ext}", f"tests/fakes.{ext}"):
        assert keeps(path, mine), path
    others = [
        build_answers("demo", runtime="nodejs22.x", language=language, pattern=p.name)
        for p in catalog.PATTERNS
        if p.name != PATTERN
    ]
    for path in own:
        assert not any(keeps(path, other) for other in others), path


def test_new_renders_it_for_node_and_for_the_cdk_in_typescript(run_cli, tmp_path):
    result = run_cli("new", "demo", "--no-input", "-o", str(tmp_path), "-r", "nodejs22.x", "--pattern", PATTERN)
    assert result.exit_code == 0, result.output
    files = {p.relative_to(tmp_path / "demo").as_posix() for p in (tmp_path / "demo").rglob("*") if p.is_file()}
    assert {"src/writeThrough.mjs", "src/writeThroughStream.mjs", "tests/writeThrough.test.mjs"} <= files
    assert not {p for p in files if p.endswith(".py") or p.endswith(".ts")}
    cdk = run_cli("new", "cdkdemo", "--no-input", "-o", str(tmp_path), "-r", "nodejs22.x", "--framework", "cdk",
                  "--pattern", PATTERN)  # fmt: skip
    assert cdk.exit_code == 0, cdk.output
    files = {p.relative_to(tmp_path / "cdkdemo").as_posix() for p in (tmp_path / "cdkdemo").rglob("*") if p.is_file()}
    assert {
        "src/writeThrough.ts",
        "src/writeThroughStream.ts",
        "tests/writeThrough.test.ts",
        "infra/momentoStack.ts",
    } <= files
    assert not {p for p in files if p.endswith(".mjs") or p.endswith(".py")}


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_sam_template_points_both_functions_at_the_node_handlers(tmp_path, language):
    from cfnlint.api import lint_all

    project = render(tmp_path, runtime="nodejs24.x", language=language, pattern=PATTERN, architecture="arm64")
    resources = template_documents(project)["Resources"]
    reader, writer = resources["MomentoFunction"], resources["StreamFunction"]
    if language == catalog.TYPESCRIPT:
        assert (reader["Properties"]["Handler"], writer["Properties"]["Handler"]) == (
            "writeThrough.handler",
            "writeThroughStream.handler",
        )
        for resource, entry in ((reader, "src/writeThrough.ts"), (writer, "src/writeThroughStream.ts")):
            build = resource["Metadata"]["BuildProperties"]
            assert resource["Metadata"]["BuildMethod"] == "esbuild" and build["EntryPoints"] == [entry]
            assert build["External"] == ["@aws-sdk/*"] and build["Format"] == "esm"  # the runtime's DynamoDB client
    else:
        assert (reader["Properties"]["Handler"], writer["Properties"]["Handler"]) == (
            "src/writeThrough.handler",
            "src/writeThroughStream.handler",
        )
        assert "Metadata" not in reader and "Metadata" not in writer
    for resource in (reader, writer):
        assert resource["Properties"]["Runtime"] == "nodejs24.x"
    assert reader["Properties"]["Environment"]["Variables"]["ITEMS_TABLE_NAME"] == {"Ref": "ItemsTable"}
    (event,) = writer["Properties"]["Events"].values()
    assert event["Type"] == "DynamoDB" and event["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    matches = lint_all((project / "template.yaml").read_text())
    assert not [m for m in matches if m.rule.id.startswith(("E", "W"))], matches


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_serverless_service_points_both_functions_at_the_node_handlers(tmp_path, language):
    project = render(tmp_path, runtime="nodejs22.x", framework="serverless", language=language, pattern=PATTERN)
    service = serverless_document(project)
    functions = service["functions"]
    assert functions["api"]["handler"] == "src/writeThrough.handler"
    assert functions["stream"]["handler"] == "src/writeThroughStream.handler"
    assert functions["api"]["environment"] == {"ITEMS_TABLE_NAME": "${self:service}-${sls:stage}-items"}
    assert functions["stream"]["events"][0]["stream"]["functionResponseType"] == "ReportBatchItemFailures"
    if language == catalog.TYPESCRIPT:
        assert service["plugins"] == ["serverless-esbuild"]
        assert service["custom"]["esbuild"]["exclude"] == ["@aws-sdk/*"]


@pytest.mark.parametrize("framework", FRAMEWORKS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_project_declares_the_dynamodb_client_for_its_tests_only(tmp_path, framework, language):
    """`@aws-sdk/client-dynamodb` is a devDependency (the Lambda runtime has the AWS SDK v3; the
    bundles leave it out), like the Secrets Manager client; the README names the Node.js files."""
    project = render(tmp_path, runtime="nodejs22.x", framework=framework, language=language, pattern=PATTERN)
    manifest = json.loads((project / "package.json").read_text())
    assert "@aws-sdk/client-dynamodb" in manifest["devDependencies"]
    assert not [d for d in manifest["dependencies"] if d.startswith("@aws-sdk/")]
    readme = (project / "README.md").read_text()
    ext = _ext(language)
    for text in (f"src/writeThrough.{ext}", f"src/writeThroughStream.{ext}", "setIfAbsent", "FakeTable"):
        assert text in readme, text
    assert "write_through" not in readme and "set_if_not_exists" not in readme


def test_the_other_node_patterns_do_not_get_the_dynamodb_client(tmp_path):
    for pattern in (p.name for p in catalog.PATTERNS if p.name != PATTERN):
        project = render(tmp_path / pattern, runtime="nodejs22.x", pattern=pattern)
        assert "client-dynamodb" not in (project / "package.json").read_text(), pattern


@pytest.mark.parametrize("framework", FRAMEWORKS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_doctor_finds_the_node_write_through_project_healthy(tmp_path, run_cli, framework, language):
    """Both functions are judged: no check fails, errs or warns about the project (a stream function
    with no HTTP API, a module-level DynamoDB client, two esbuild bundles are no false alarm)."""
    project = render(tmp_path, runtime="nodejs22.x", framework=framework, language=language, pattern=PATTERN)
    checks = json.loads(run_cli("doctor", str(project), "--offline", "--json").stdout)["data"]["checks"]
    bad = [c for c in checks if c["status"] in ("fail", "error")]
    assert not bad, bad
    warned = [c for c in checks if c["status"] == "warn" and not c["id"].startswith("machine.")]
    assert not warned, warned
    status = {c["id"]: c["status"] for c in checks}
    for check in ("code.parses", "code.client-reuse", "code.lambda-config", "code.awaited-calls", "iam.secret-access"):
        assert status[check] == "pass", (check, status[check])
    text = json.dumps(next(c for c in checks if c["id"] == "iam.secret-access"))
    assert ("StreamFunction" if framework == "sam" else "stream") in text, text


GENERATED = [("sam", "nodejs22.x", catalog.JAVASCRIPT), ("serverless", "nodejs24.x", catalog.TYPESCRIPT)]
"""The projects whose own tests run (the TypeScript one shares its install with test_pattern_matrix's osls package)."""
HARNESS = {
    catalog.JAVASCRIPT: ("sam", "nodejs22.x", catalog.JAVASCRIPT),  # the same package.json as GENERATED's
    catalog.TYPESCRIPT: ("sam", "nodejs24.x", catalog.TYPESCRIPT),  # the same package.json as the sam build's
}


@pytest.mark.slow
@pytest.mark.parametrize(("framework", "runtime", "language"), GENERATED)
def test_the_generated_tests_pass_inside_the_project(tmp_path, framework, runtime, language):
    project = render(tmp_path, framework=framework, runtime=runtime, language=language, pattern=PATTERN)
    npm_install(project)
    result = run_node_project_tests(project, language == catalog.TYPESCRIPT, ["momentoClient", "writeThrough"])
    for name in ("a delete writes a tombstone: 404 even for a reader that loaded the item first",
                 "the stream stops at the first failed record and reports its sequence number"):  # fmt: skip
        assert re.search(rf"^ok \d+ - {name}$", result.stdout, re.MULTILINE), name


@pytest.mark.slow
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_readme_local_loop_writes_through_then_reads_a_hit(tmp_path, momento_server, language):
    """The Serverless README's local run, as written: with MOMENTO_LOCAL and no AWS, the stream
    function writes the sample's changes, then the read is a hit (the table is never read)."""
    runtime = "nodejs24.x" if language == catalog.TYPESCRIPT else "nodejs22.x"  # GENERATED's installs
    project = render(tmp_path, name="local-demo", framework="serverless", runtime=runtime, language=language,
                     pattern=PATTERN)  # fmt: skip
    npm_install(project)
    readme = (project / "README.md").read_text()
    start = readme.index("MOMENTO_LOCAL=127.0.0.1:8080 MOMENTO_CACHE_NAME=local-demo node")
    command = readme[start : readme.index("\n", readme.index("console.log((await read", start))]
    momento_server.create_cache("local-demo")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "MOMENTO_"))},
        "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
        "PATH": f"{require_tool('node').parent}{os.pathsep}{os.environ['PATH']}",
    }
    result = subprocess.run(
        ["bash", "-c", command.replace("127.0.0.1:8080", momento_server.endpoint)],
        cwd=project, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert lines[3] == {"batchItemFailures": []}
    assert [line["outcome"] for line in lines if line.get("event") == "write-through-stream"] == [
        "written",
        "written",
        "tombstone",
    ]
    body = lines[-1]
    assert body == {"item": {"id": "demo", "message": "hello again", "version": 2}, "cache": "hit"}
    assert momento_server.state.calls["Set"] == 3 and "SetIf" not in momento_server.state.calls


@pytest.mark.slow
def test_sam_builds_each_typescript_function_into_its_own_bundle(tmp_path):
    """`npm run build` (sam build, esbuild from node_modules/.bin): one .mjs per function, the
    Momento SDK inside, the AWS SDK's DynamoDB client imported from the Lambda runtime; the stream
    function's bundle never creates a DynamoDB client."""
    from tests.test_generated_sam import sam

    project = render(tmp_path, name="items", runtime=HARNESS["typescript"][1], language=catalog.TYPESCRIPT,
                     pattern=PATTERN)  # fmt: skip
    npm_install(project)
    sam(project, "build", "--no-use-container", path_first=project / "node_modules" / ".bin")
    for function, module in (("MomentoFunction", "writeThrough"), ("StreamFunction", "writeThroughStream")):
        artifact = project / ".aws-sam" / "build" / function
        assert sorted(p.name for p in artifact.iterdir()) == [f"{module}.mjs"], function
        bundle = (artifact / f"{module}.mjs").read_text()
        assert "node_modules/@gomomento/sdk/" in bundle  # the SDK is inside
        assert 'from "@aws-sdk/client-dynamodb"' in bundle  # left to the Lambda runtime
        assert "createRequire(import.meta.url)" in bundle
    assert "dynamoDbClient()" not in (project / ".aws-sam/build/StreamFunction/writeThroughStream.mjs").read_text()


# --- The harness: each function in its own node process, against moto and the local Momento server ---

DRIVER = (
    NODE_LOCAL_PRELUDE
    + """
import readline from 'node:readline';

// One execution environment of one function: each stdin line is an event; the answer goes out
// as one line starting with @@ (the handler's own log lines are JSON lines starting with {).
const { handler } = await import('./src/MODULE');
const lines = readline.createInterface({ input: process.stdin });
for await (const line of lines) {
  const answer = await handler(JSON.parse(line), { awsRequestId: 'harness' });
  process.stdout.write(`@@${JSON.stringify(answer)}\\n`);
}
process.stdout.write(`@@${JSON.stringify({ created })}\\n`);
process.exit(0);
"""
)


class NodeFunction:
    """A generated handler run by node, invoked over a line protocol (one process: one execution environment)."""

    def __init__(self, project: Path, module: str, env: dict[str, str], typescript: bool) -> None:
        node = require_tool("node")
        driver = project / f"drive-{module.split('.')[0]}.mjs"
        driver.write_text(DRIVER.replace("MODULE", module))
        self.stderr = (project / f"{driver.stem}.stderr").open("w+")
        self.logs: list[dict[str, Any]] = []
        self.process = subprocess.Popen(
            [str(node), *(["--import", "tsx"] if typescript else []), driver.name],
            cwd=project, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.stderr, text=True,
        )  # fmt: skip

    def _answer(self) -> Any:
        assert self.process.stdout is not None
        while True:
            line = self.process.stdout.readline()
            if not line:
                self.stderr.seek(0)
                raise AssertionError(f"node exited: {self.stderr.read()[-2000:]}")
            if line.startswith("@@"):
                return json.loads(line[2:])
            assert MARKER not in line
            if line.startswith("{"):
                self.logs.append(json.loads(line))

    def invoke(self, event: dict[str, Any]) -> Any:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(event) + "\n")
        self.process.stdin.flush()
        return self._answer()

    def finish(self) -> int:
        """Close stdin; the number of cache clients the process made."""
        assert self.process.stdin is not None
        self.process.stdin.close()
        created = int(self._answer()["created"])
        assert self.process.wait(timeout=30) == 0
        self.stderr.seek(0)
        assert MARKER not in self.stderr.read()
        return created

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.stderr.close()


class Table:
    """The items table in moto, and its stream read like Lambda's event source mapping does."""

    def __init__(self, aws: Any) -> None:
        self.dynamodb = aws.client("dynamodb")
        created = self.dynamodb.create_table(
            TableName="items",
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        )
        self.stream_arn = created["TableDescription"]["LatestStreamArn"]
        self.streams = aws.client("dynamodbstreams")
        (shard,) = self.streams.describe_stream(StreamArn=self.stream_arn)["StreamDescription"]["Shards"]
        self.iterator = self.streams.get_shard_iterator(
            StreamArn=self.stream_arn, ShardId=shard["ShardId"], ShardIteratorType="LATEST"
        )["ShardIterator"]

    def changes(self) -> dict[str, Any]:
        """The stream's new records (moto's DynamoDB Streams API) as Lambda's event of one batch."""
        page = self.streams.get_records(ShardIterator=self.iterator)
        self.iterator = page["NextShardIterator"]
        records = []
        for record in page["Records"]:
            stream = {**record["dynamodb"]}
            stream["ApproximateCreationDateTime"] = int(stream["ApproximateCreationDateTime"].timestamp())
            records.append({**record, "dynamodb": stream, "eventSourceARN": self.stream_arn})
        return {"Records": records}


@pytest.fixture(params=sorted(HARNESS))
def functions(request, tmp_path, aws, momento_server) -> Iterator[tuple[NodeFunction, NodeFunction, Table, Any, Any]]:
    framework, runtime, language = HARNESS[request.param]
    typescript = language == catalog.TYPESCRIPT
    project = render(tmp_path, name="items", framework=framework, runtime=runtime, language=language, pattern=PATTERN)
    npm_install(project)
    ext = _ext(language)
    with CountingProxy(aws.url) as proxy:
        peers = seed_local_peers(aws, momento_server, proxy.url)
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "MOMENTO_"))},
            **aws.env,
            **peers["env"],
            "DRIVE_MOMENTO_ENDPOINT": momento_server.endpoint,
            "ITEMS_TABLE_NAME": "items",
        }
        table = Table(aws)
        reader = NodeFunction(project, f"writeThrough.{ext}", env, typescript)
        writer = NodeFunction(project, f"writeThroughStream.{ext}", env, typescript)
        try:
            yield reader, writer, table, proxy, momento_server
        finally:
            reader.kill()
            writer.kill()


@pytest.mark.slow
def test_after_each_of_50_table_updates_the_next_read_returns_the_new_value(functions):
    reader, writer, table, proxy, server = functions

    def read(item_id: str) -> tuple[int, Any, str]:
        answer = reader.invoke({"pathParameters": {"id": item_id}, "rawPath": f"/items/{item_id}"})
        return answer["statusCode"], json.loads(answer["body"]), answer["headers"]["x-cache"]

    assert read("a")[::2] == (404, "miss")  # never created: read from the table, cached as a tombstone
    for version in range(1, 51):
        if version == 1:
            table.dynamodb.put_item(TableName="items", Item={"id": {"S": "a"}, "version": {"N": "1"},
                                                             "price": {"N": "1.5"}})  # fmt: skip
        else:
            table.dynamodb.update_item(
                TableName="items",
                Key={"id": {"S": "a"}},
                UpdateExpression="SET version = :v, price = :p",
                ExpressionAttributeValues={":v": {"N": str(version)}, ":p": {"N": f"{version}.5"}},
            )
        event = table.changes()
        assert len(event["Records"]) == 1
        assert writer.invoke(event) == {"batchItemFailures": []}
        status, body, cache = read("a")
        assert (status, body["item"], cache) == (200, {"id": "a", "version": version, "price": version + 0.5},
                                                  "hit"), version  # fmt: skip
    table.dynamodb.delete_item(TableName="items", Key={"id": {"S": "a"}})
    assert writer.invoke(table.changes()) == {"batchItemFailures": []}
    for _ in range(2):
        assert read("a")[::2] == (404, "hit")  # the tombstone
    assert proxy.calls["GetItem"] == 1  # only the first read touched the table
    assert proxy.calls["GetSecretValue"] == 2  # one per execution environment
    assert (reader.finish(), writer.finish()) == (1, 1)  # one cache client each
    state = server.state
    assert state.calls["SetIf"] == 1 and state.calls["Set"] == 51
    assert set(state.ttls.values()) == {60_000}  # the default TTL; the stream's writes at least 60 s
    outcomes = [log["outcome"] for log in writer.logs if log.get("event") == "write-through-stream"]
    assert outcomes == ["written"] * 50 + ["tombstone"]
    caches = [log["cache"] for log in reader.logs if log.get("event") == "write-through-read"]
    assert caches == ["miss"] + ["hit"] * 52


@pytest.mark.parametrize("language", LANGUAGES)
def test_update_switches_a_node_project_to_the_pattern(run_cli, tmp_path, language):
    """`update --answer pattern=write-through` on a Node.js cache-aside project: the handler and its
    tests go, both handlers, their tests, the stream event and the DynamoDB client's devDependency
    come; the result is what `new` renders."""
    from tests.support.template_versions import commit_all, tree

    ext = _ext(language)
    options = ["--no-input", "-r", "nodejs22.x", "-l", language]
    assert run_cli("new", "svc", *options, "-o", str(tmp_path / "a")).exit_code == 0
    project = tmp_path / "a" / "svc"
    commit_all(project)
    result = run_cli("update", str(project), "--answer", f"pattern={PATTERN}")
    assert result.exit_code == 0, result.output
    for line in (f"removed  src/handler.{ext}", f"added    src/writeThrough.{ext}", f"added    src/writeThroughStream.{ext}",
                 "added    events/stream.json", f"added    tests/writeThrough.test.{ext}"):  # fmt: skip
        assert line in result.stdout, line
    assert "@aws-sdk/client-dynamodb" in (project / "package.json").read_text()
    fresh = run_cli("new", "svc", *options, "-o", str(tmp_path / "b"), "--pattern", PATTERN)
    assert fresh.exit_code == 0
    expected = {k: v for k, v in tree(tmp_path / "b" / "svc").items() if k != catalog.ANSWERS_FILE}
    assert {k: v for k, v in tree(project).items() if k != catalog.ANSWERS_FILE} == expected
