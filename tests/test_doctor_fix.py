"""`doctor --fix` on the deliberate breakages of test_doctor_generated.py (and a few project
fixtures): each mechanical problem is fixed with a byte-minimal edit and the re-run passes its
check; `--dry-run` writes nothing; a second `--fix` changes nothing; the rest get steps."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.doctor_projects import make_project
from tests.support.generated import render
from tests.test_add_tools import link_plugins, osls
from tests.test_generated_sam import sam

SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:momento/demo/api-key-AbCdEf"
KMS_KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


@dataclass(frozen=True)
class Breakage:
    check: str
    framework: str
    runtime: str
    file: str
    old: str
    new: str
    options: tuple[tuple[str, str], ...] = ()
    mechanical: bool = True


ARN = (("secret_arn", SECRET_ARN),)
BREAKAGES = {
    "serverless-kms-encrypt": Breakage(
        "iam.kms-decrypt",
        "serverless",
        "python3.13",
        "serverless.yml",
        "Action: kms:Decrypt",
        "Action: kms:Encrypt",
        (*ARN, ("kms_key_arn", KMS_KEY_ARN)),
    ),
    "sam-misspelt-action": Breakage(
        "iam.secret-access",
        "sam",
        "python3.13",
        "template.yaml",
        "secretsmanager:GetSecretValue",
        "secretsmanager:GetSecretValues",
        ARN,
    ),
    "serverless-misspelt-action": Breakage(
        "iam.secret-access",
        "serverless",
        "python3.13",
        "serverless.yml",
        "secretsmanager:GetSecretValue",
        "secretsmanager:GetSecretValues",
        ARN,
    ),
    "sam-no-container": Breakage(
        "project.build-method", "sam", "python3.13", "samconfig.toml", "use_container = true", "use_container = false"
    ),
    "serverless-no-dockerize": Breakage(
        "project.build-method",
        "serverless",
        "python3.12",
        "serverless.yml",
        "dockerizePip: true",
        "dockerizePip: false",
    ),
    "serverless-momento-local": Breakage(
        "project.no-local-override",
        "serverless",
        "nodejs22.x",
        "serverless.yml",
        "    MOMENTO_CACHE_NAME:",
        '    MOMENTO_LOCAL: "127.0.0.1:8080"\n    MOMENTO_CACHE_NAME:',
    ),
    "sam-deprecated-runtime": Breakage(
        "project.runtime", "sam", "nodejs22.x", "template.yaml", "nodejs22.x", "nodejs18.x"
    ),
    "sam-client-in-handler": Breakage(
        "code.client-reuse",
        "sam",
        "python3.13",
        "src/handler.py",
        "    started = time.perf_counter()\n",
        "    started = time.perf_counter()\n"
        "    from datetime import timedelta\n"
        "    from momento import CacheClient, Configurations, CredentialProvider\n"
        "    CacheClient(Configurations.Lambda.latest(), CredentialProvider.from_string('x'), timedelta(seconds=60))\n",
        mechanical=False,
    ),
    "sam-key-in-template": Breakage(
        "secret.no-plaintext-key",
        "sam",
        "python3.13",
        "template.yaml",
        "          MOMENTO_CACHE_NAME:",
        "          MOMENTO_API_KEY: '{key}'\n          MOMENTO_CACHE_NAME:",
        mechanical=False,
    ),
}


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def doctor(run_cli, project: Path, *extra: str) -> tuple[int, dict]:
    result = run_cli("doctor", str(project), "--offline", "--only", "project", "--json", *extra)
    document = json.loads(result.stdout)
    return result.exit_code, document


def statuses(document: dict) -> dict[str, str]:
    return {c["id"]: c["status"] for c in document["data"]["checks"]}


def broken(tmp_path: Path, breakage: Breakage) -> tuple[Path, dict[str, bytes]]:
    """The generated project (its bytes before the breakage) with the breakage applied."""
    from tests.support.keys import legacy_key

    project = render(tmp_path, framework=breakage.framework, runtime=breakage.runtime, **dict(breakage.options))
    original = snapshot(project)
    path = project / breakage.file
    text = path.read_text()
    assert breakage.old in text
    path.write_text(text.replace(breakage.old, breakage.new.replace("{key}", legacy_key()), 1))
    return project, original


@pytest.mark.parametrize("name", sorted(BREAKAGES))
def test_dry_run_writes_nothing_and_shows_the_diff(tmp_path, run_cli, name):
    breakage = BREAKAGES[name]
    project, original = broken(tmp_path, breakage)
    before = snapshot(project)
    code, document = doctor(run_cli, project, "--fix", "--dry-run")
    assert snapshot(project) == before
    assert code == (0 if document["ok"] else 1)
    assert statuses(document)[breakage.check] in {"warn", "fail"}
    fix = document["data"]["fix"]
    assert fix["dry_run"] is True and fix["applied"] is False
    if breakage.mechanical:
        assert breakage.check in {f["check"] for f in fix["fixes"]}
        assert f"--- a/{breakage.file}" in fix["diff"]
        broken_lines = set((project / breakage.file).read_text().splitlines()) - set(
            original[breakage.file].decode().splitlines()
        )
        assert broken_lines and all(f"\n-{line}\n" in fix["diff"] for line in broken_lines), fix["diff"]
    else:
        assert fix["diff"] == ""
        assert breakage.check in {m["check"] for m in fix["manual"]}


@pytest.mark.parametrize("name", sorted(n for n, b in BREAKAGES.items() if b.mechanical))
def test_fix_restores_exactly_the_bytes_the_breakage_changed(tmp_path, run_cli, name):
    breakage = BREAKAGES[name]
    project, original = broken(tmp_path, breakage)
    _, first = doctor(run_cli, project)
    assert statuses(first)[breakage.check] in {"fail", "warn"}
    code, document = doctor(run_cli, project, "--fix")
    assert statuses(document)[breakage.check] == "pass", document["data"]["checks"]
    assert {k: v for k, v in statuses(document).items() if v not in {"pass", "skip"}} == {}
    assert code == 0 and document["ok"] is True
    fix = document["data"]["fix"]
    assert fix["applied"] is True and fix["changed_files"] == [breakage.file]
    # the minimal diff: every byte of every file is what it was before the breakage
    assert snapshot(project) == original
    # a second --fix has nothing to do
    code, again = doctor(run_cli, project, "--fix")
    assert code == 0 and again["data"]["fix"]["fixes"] == [] and again["data"]["fix"]["changed_files"] == []
    assert snapshot(project) == original


@pytest.mark.parametrize("name", sorted(n for n, b in BREAKAGES.items() if not b.mechanical))
def test_problems_without_a_mechanical_fix_get_steps_and_nothing_changes(tmp_path, run_cli, name):
    breakage = BREAKAGES[name]
    project, _ = broken(tmp_path, breakage)
    before = snapshot(project)
    code, document = doctor(run_cli, project, "--fix")
    assert code == 1 and snapshot(project) == before
    (manual,) = [m for m in document["data"]["fix"]["manual"] if m["check"] == breakage.check]
    assert manual["steps"]
    assert statuses(document)[breakage.check] == "fail"


def test_human_output_lists_fixes_and_steps(tmp_path, run_cli):
    project, _ = broken(tmp_path, BREAKAGES["sam-client-in-handler"])
    path = project / "samconfig.toml"
    path.write_text(path.read_text().replace("use_container = true", "use_container = false"))
    result = run_cli("doctor", str(project), "--offline", "--only", "project", "--fix")
    assert result.exit_code == 1
    assert "Fixed:" in result.stdout and "use_container = true" in result.stdout
    assert "Fix by hand:" in result.stdout and "(code.client-reuse)" in result.stdout
    assert "Checks after the fixes:" in result.stdout
    assert "use_container = true" in path.read_text()


def test_over_broad_grant_is_left_alone_with_its_hint(tmp_path, run_cli):
    project = render(tmp_path, framework="serverless", secret_arn=SECRET_ARN)
    path = project / "serverless.yml"
    text = path.read_text()
    start = text.index("Resource:", text.index("secretsmanager:GetSecretValue"))
    end = text.index("\n\n", start)
    path.write_text(text[:start] + 'Resource: "*"' + text[end:])
    before = snapshot(project)
    code, document = doctor(run_cli, project, "--fix")
    assert code == 0 and snapshot(project) == before
    assert [m["check"] for m in document["data"]["fix"]["manual"]] == ["iam.secret-access"]


# --- fixes on the hand-written project fixtures -----------------------------------------------


def test_a_statement_for_the_secret_is_added_where_none_grants_it_serverless(tmp_path, run_cli):
    project = make_project(tmp_path, "serverless")
    project.edit(
        "serverless.yml",
        "Resource: ${param:momentoSecretArn}",
        "Resource: arn:aws:secretsmanager:us-east-1:123456789012:secret:other-*",
    )
    before = project.template.read_text()
    _code, document = doctor(run_cli, project.root, "--fix", "--only", "iam.secret-access")
    assert statuses(document)["iam.secret-access"] == "pass"
    after = project.template.read_text()
    added = after.replace(before[: before.index("\nfunctions:")], "", 1)
    assert after.startswith(before[: before.index("      Resource: arn:aws")])
    assert "Sid: ReadMomentoApiKey" in after and '"${param:momentoSecretArn}"' in after
    assert "other-*" in after and added  # the user's own statement stays


def test_a_statement_for_the_secret_is_added_to_sam_policies(tmp_path, run_cli):
    project = make_project(tmp_path)
    project.edit(
        "template.yaml", "              Action: secretsmanager:GetSecretValue\n", "              Action: s3:GetObject\n"
    )
    project.edit("template.yaml", "Sid: ReadMomentoApiKey", "Sid: ReadObjects")
    _code, document = doctor(run_cli, project.root, "--fix", "--only", "iam.secret-access")
    assert statuses(document)["iam.secret-access"] == "pass", document["data"]["checks"]
    assert "Resource: !Ref MomentoSecretArn" in project.template.read_text().split("s3:GetObject", 1)[1]


def test_timeout_in_sam_globals_is_raised_there(tmp_path, run_cli):
    project = make_project(tmp_path)
    project.edit("template.yaml", "Timeout: 10", "Timeout: 3")
    before = project.template.read_text()
    code, _document = doctor(run_cli, project.root, "--fix", "--only", "project.timeout")
    assert code == 0
    assert project.template.read_text() == before.replace("Timeout: 3", "Timeout: 10")


def test_momento_local_in_sam_globals_is_removed(tmp_path, run_cli):
    project = make_project(tmp_path)
    project.edit(
        "template.yaml",
        "    MemorySize: 256\n",
        "    MemorySize: 256\n    Environment:\n      Variables:\n        MOMENTO_LOCAL: 127.0.0.1:8080\n"
        "        LOG_LEVEL: info\n",
    )
    code, _document = doctor(run_cli, project.root, "--fix", "--only", "project.no-local-override")
    assert code == 0
    text = project.template.read_text()
    assert "MOMENTO_LOCAL" not in text and "        LOG_LEVEL: info\n" in text


def test_slim_without_strip_gets_strip_false(tmp_path, run_cli):
    project = make_project(tmp_path, "serverless")
    before = project.template.read_text()
    assert "slim: true" in before and "strip" not in before
    code, document = doctor(run_cli, project.root, "--fix")
    assert code == 0
    assert project.template.read_text() == before.replace("    slim: true\n", "    slim: true\n    strip: false\n")
    assert {f["check"] for f in document["data"]["fix"]["fixes"]} == {"serverless.slim-strip"}


def test_answers_file_follows_the_template_architecture(tmp_path, run_cli):
    from momento_lambda_cli.project import write_answers

    project = make_project(tmp_path, architecture="arm64")
    answers = write_answers(project.root, {"framework": "sam", "architecture": "x86_64", "runtime": "python3.13"})
    before = answers.read_text()
    code, _document = doctor(run_cli, project.root, "--fix", "--only", "project.build-method")
    assert code == 0
    assert answers.read_text() == before.replace('"x86_64"', '"arm64"')


def test_secret_named_while_its_arn_is_known_gets_the_arn(tmp_path, run_cli):
    project = render(tmp_path, framework="serverless")
    answers = project / ".momento-lambda.json"
    document = json.loads(answers.read_text())
    document["secret_arn"] = SECRET_ARN
    answers.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n")
    before = (project / "serverless.yml").read_text()
    code, result = doctor(run_cli, project, "--fix")
    assert code == 0
    assert {f["check"] for f in result["data"]["fix"]["fixes"]} == {"iam.secret-access"}  # its fix, declared there
    after = (project / "serverless.yml").read_text()
    assert after == before.replace('momentoSecretArn: ""', f'momentoSecretArn: "{SECRET_ARN}"')


def test_a_file_changed_after_planning_is_refused_and_nothing_is_written(tmp_path):
    from momento_lambda_cli.doctor import registry
    from momento_lambda_cli.doctor.context import DoctorOptions
    from momento_lambda_cli.doctor.diagnose import diagnose
    from momento_lambda_cli.errors import MomentoLambdaError
    from momento_lambda_cli.project import load_project
    from momento_lambda_cli.retrofit.fixes import apply_fixes, plan_fixes

    project = make_project(tmp_path)
    project.edit("template.yaml", "Timeout: 10", "Timeout: 3")
    project.edit("samconfig.toml", "use_container = true", "use_container = false")
    checks = registry.select(registry.all_checks(), ["project"])
    diagnosis = diagnose(DoctorOptions(project.root, offline=True), checks, timeout=20)
    plan = plan_fixes(load_project(project.root), diagnosis.outcomes)
    assert sorted(c.relative for c in plan.changes) == ["samconfig.toml", "template.yaml"]
    project.edit("template.yaml", "MemorySize: 256", "MemorySize: 512")
    before = snapshot(project.root)
    with pytest.raises(
        MomentoLambdaError, match=r"template\.yaml changed while `momento-lambda doctor --fix` ran; nothing was written"
    ):
        apply_fixes(plan)
    assert snapshot(project.root) == before


# --- the real tools on fixed projects ---------------------------------------------------------


@pytest.mark.slow
def test_a_fixed_sam_project_passes_sam_validate_lint(tmp_path, run_cli):
    project = make_project(tmp_path)
    project.edit("template.yaml", "Action: secretsmanager:GetSecretValue", "Action: s3:GetObject")
    project.edit("template.yaml", "Sid: ReadMomentoApiKey", "Sid: ReadObjects")
    project.edit("template.yaml", "Timeout: 10", "Timeout: 2")
    code, _ = doctor(run_cli, project.root, "--fix")
    assert code == 0
    sam(project.root, "validate", "--lint")


@pytest.mark.slow
def test_a_fixed_serverless_project_prints_with_osls(tmp_path, run_cli):
    project, _ = broken(tmp_path, BREAKAGES["serverless-no-dockerize"])
    path = project / "serverless.yml"
    text = path.read_text().replace("secretsmanager:GetSecretValue", "secretsmanager:GetSecretValues")
    path.write_text(text.replace("  timeout: 10\n", "  timeout: 2\n"))
    code, _ = doctor(run_cli, project, "--fix")
    assert code == 0
    link_plugins(project)
    printed = osls(project, "print", "--format", "json")
    config = json.loads(printed.stdout)
    assert config["custom"]["pythonRequirements"]["dockerizePip"] is True
    assert config["provider"]["timeout"] == 10
    assert config["provider"]["iam"]["role"]["statements"][0]["Action"] in (
        "secretsmanager:GetSecretValue",
        ["secretsmanager:GetSecretValue"],
    )


ESM_BANNERS = {
    "sam": (
        "template.yaml",
        "        Banner:\n"
        "          - \"js=import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);\"\n",
    ),
    "serverless": (
        "serverless.yml",
        "    banner:\n"
        "      js: \"import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);\"\n",
    ),
}


@pytest.mark.parametrize("framework", sorted(ESM_BANNERS))
def test_an_es_module_bundle_without_require_gets_the_banner(tmp_path, run_cli, framework):
    """project.esm-require: a TypeScript project's ES module bundle without its createRequire
    banner fails (the SDK would not load on Lambda); --fix writes the banner's lines back and
    changes nothing else; the re-run passes."""
    file, banner = ESM_BANNERS[framework]
    project = render(tmp_path, framework=framework, runtime="nodejs22.x", language="typescript")
    _, healthy = doctor(run_cli, project)
    assert statuses(healthy)["project.esm-require"] == "pass"
    path = project / file
    original = path.read_text()
    assert original.count(banner) == 1
    path.write_text(original.replace(banner, ""))
    broken_text = path.read_text()
    _, first = doctor(run_cli, project)
    assert statuses(first)["project.esm-require"] == "fail"
    code, document = doctor(run_cli, project, "--fix")
    assert code == 0 and statuses(document)["project.esm-require"] == "pass", document["data"]["checks"]
    fixed = path.read_text()
    added = [line for line in fixed.splitlines() if line not in broken_text.splitlines()]
    assert added == banner.rstrip("\n").splitlines()
    assert [line for line in fixed.splitlines() if line not in banner.splitlines()] == broken_text.splitlines()
    assert document["data"]["fix"]["changed_files"] == [file]


def test_a_banner_that_holds_something_else_is_not_edited(tmp_path, run_cli):
    project = render(tmp_path, framework="sam", runtime="nodejs22.x", language="typescript")
    path = project / "template.yaml"
    _, banner = ESM_BANNERS["sam"]
    path.write_text(path.read_text().replace(banner, "        Banner:\n          - \"js=console.log('built');\"\n"))
    before = snapshot(project)
    code, document = doctor(run_cli, project, "--fix")
    assert code == 1 and snapshot(project) == before
    assert statuses(document)["project.esm-require"] == "fail"
    (refused,) = [r for r in document["data"]["fix"]["refused"] if r["check"] == "project.esm-require"]
    assert "banner that does not define `require`" in refused["message"]


# --- issue #23: edits keep meaning -------------------------------------------------------------


def test_a_timeout_from_a_parameter_is_not_replaced_by_a_literal(tmp_path, run_cli):
    """`Timeout: !Ref FnTimeout` became `Timeout: !Ref 10` (CloudFormation rejects it) and --fix said Fixed."""
    project = make_project(tmp_path)
    project.edit("template.yaml", "Timeout: 10", "Timeout: !Ref FnTimeout")
    project.edit("template.yaml", "\nParameters:\n", "\nParameters:\n  FnTimeout:\n    Type: Number\n    Default: 3\n")
    before = snapshot(project.root)
    _code, document = doctor(run_cli, project.root, "--fix", "--only", "project.timeout")
    assert snapshot(project.root) == before
    fix = document["data"]["fix"]
    assert fix["fixes"] == []
    [refused] = fix["refused"]
    assert refused["check"] == "project.timeout"
    assert "intrinsic function (!Ref FnTimeout)" in refused["message"] and "resolves to 3 s" in refused["message"]
    assert "Default" in refused["steps"][0]


@pytest.mark.parametrize("quote", ["'", '"'])
def test_a_misspelt_action_keeps_its_quotes(tmp_path, run_cli, quote):
    project = make_project(tmp_path)
    project.edit(
        "template.yaml",
        "Action: secretsmanager:GetSecretValue",
        f"Action: {quote}secretsmanager:GetSecretVaule{quote}",
    )
    before = project.template.read_text()
    _code, document = doctor(run_cli, project.root, "--fix", "--only", "iam.secret-access")
    assert document["data"]["fix"]["fixes"], document["data"]["fix"]
    assert project.template.read_text() == before.replace(
        f"{quote}secretsmanager:GetSecretVaule{quote}", f"{quote}secretsmanager:GetSecretValue{quote}"
    )
