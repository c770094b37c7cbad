"""Every framework x runtime x architecture renders, parses, lints, and grants exactly the
least-privilege IAM statement; the client modules and handlers exist once per runtime."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
import tomlkit
from ruamel.yaml import YAML

from momento_lambda_cli import catalog, contract
from momento_lambda_cli.errors import MomentoLambdaError
from momento_lambda_cli.scaffold.render import template_dir
from tests.support.generated import render, serverless_document, template_documents

COMBINATIONS = list(itertools.product(catalog.FRAMEWORK_NAMES, catalog.RUNTIME_NAMES, catalog.ARCHITECTURE_NAMES))
SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:momento/demo/api-key-AbC123"
KMS_ARN = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
NAME_WILDCARD = {
    "Fn::Sub": "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:${MomentoSecretName}-??????"
}


@pytest.mark.parametrize(("framework", "runtime", "arch"), COMBINATIONS, ids=["-".join(c) for c in COMBINATIONS])
def test_every_combination_renders_with_no_input_and_parses(run_cli, tmp_path, framework, runtime, arch):
    result = run_cli(
        "new", "demo", "--no-input", "--framework", framework, "--runtime", runtime, "--arch", arch,
        "--output-dir", str(tmp_path),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    project = tmp_path / "demo"
    files = sorted(p.relative_to(project).as_posix() for p in project.rglob("*") if p.is_file())
    python = runtime.startswith("python")

    for path in project.rglob("*"):
        if path.is_file():
            text = path.read_text()
            assert "{{" not in text and "}}" not in text and "{%" not in text, path
            assert "cookiecutter" not in text, path

    yaml = YAML(typ="rt")
    for path in [*project.rglob("*.yaml"), *project.rglob("*.yml")]:
        assert yaml.load(path.read_text()) is not None, path
    for path in project.rglob("*.json"):
        json.loads(path.read_text())
    for path in project.rglob("*.toml"):
        tomlkit.parse(path.read_text()).unwrap()

    expected_common = {".gitignore", ".momento-lambda.json", "README.md", "events/event.json"}
    assert expected_common <= set(files)
    if framework == "sam":
        assert {"template.yaml", "samconfig.toml"} <= set(files) and "serverless.yml" not in files
    elif framework == "serverless":
        assert "serverless.yml" in files and "template.yaml" not in files and "samconfig.toml" not in files
    else:
        assert "cdk.json" in files and not {"template.yaml", "samconfig.toml", "serverless.yml"} & set(files)
    if framework != "cdk":
        assert "cdk.json" not in files and not [f for f in files if f.startswith("infra/")]
    if python:
        assert {"src/momento_client.py", "src/handler.py", "src/requirements.txt", "tests/test_handler.py"} <= set(
            files
        )
        assert not [f for f in files if f.endswith(".mjs")]
        assert ("package.json" in files) == (framework in ("serverless", "cdk"))
    elif framework == "cdk":  # TypeScript, the CDK app's language
        assert {"src/momentoClient.ts", "src/handler.ts", "tests/handler.test.ts", "infra/app.ts"} <= set(files)
        assert not [f for f in files if f.endswith((".mjs", ".py", "requirements.txt"))]
    else:
        assert {"src/momentoClient.mjs", "src/handler.mjs", "tests/handler.test.mjs", "package.json"} <= set(files)
        assert not [f for f in files if f.endswith(".py") or f.endswith("requirements.txt")]

    answers = json.loads((project / ".momento-lambda.json").read_text())
    assert answers["_tool_version"]
    assert {k: answers[k] for k in ("project_name", "framework", "runtime", "architecture")} == {
        "project_name": "demo", "framework": framework, "runtime": runtime, "architecture": arch,
    }  # fmt: skip
    assert answers["cache_name"] == "demo"
    assert answers["secret_name"] == contract.default_secret_name("demo")
    assert answers["secret_arn"] is None
    assert answers["default_ttl_seconds"] == 60

    if framework == "sam":
        function = template_documents(project)["Resources"]["MomentoFunction"]["Properties"]
        assert function["Runtime"] == runtime
        assert function["Architectures"] == [arch]
        config = tomlkit.parse((project / "samconfig.toml").read_text()).unwrap()
        assert config["version"] == 0.1
        assert config["default"]["global"]["parameters"]["stack_name"] == "demo"
        assert config["default"]["build"]["parameters"].get("use_container", False) is python
        assert config["default"]["deploy"]["parameters"]["capabilities"] == "CAPABILITY_IAM"
    elif framework == "cdk":
        context = json.loads((project / "cdk.json").read_text())["context"]
        assert (
            context["momentoSecretName"] == contract.default_secret_name("demo") and context["momentoSecretArn"] == ""
        )
        assert context["momentoCacheName"] == "demo" and context["momentoDefaultTtlSeconds"] == 60
    else:
        document = serverless_document(project)
        assert document["provider"]["runtime"] == runtime
        assert document["provider"]["architecture"] == arch
        assert document["service"] == "demo"
        package = json.loads((project / "package.json").read_text())
        if python:
            assert document["plugins"] == ["serverless-python-requirements"]
            assert document["custom"]["pythonRequirements"]["dockerizePip"] is True
            assert "serverless-python-requirements" in package["devDependencies"]
    if python:
        requirements = (project / "src" / "requirements.txt").read_text().split()
        assert requirements == ["momento==1.29.1"]  # pinned; boto3 comes with the runtime
    else:
        package = json.loads((project / "package.json").read_text())
        assert "@gomomento/sdk" in package["dependencies"]
        assert "@aws-sdk/client-secrets-manager" not in package.get("dependencies", {})


@pytest.fixture(scope="module")
def cfn_lint_rules():
    from cfnlint.api import ManualArgs

    return ManualArgs(regions=["us-east-1"])


SAM_COMBINATIONS = [c for c in COMBINATIONS if c[0] == "sam"]


@pytest.mark.parametrize(
    ("framework", "runtime", "arch"), SAM_COMBINATIONS, ids=["-".join(c) for c in SAM_COMBINATIONS]
)
def test_sam_templates_pass_cfn_lint_without_errors_or_warnings(tmp_path, cfn_lint_rules, framework, runtime, arch):
    from cfnlint.api import lint

    for variant, options in {
        "defaults": {},
        "with-arn-and-kms": {"secret_arn": SECRET_ARN, "kms_key_arn": KMS_ARN, "region": "eu-west-1"},
    }.items():
        project = render(tmp_path / variant, runtime=runtime, architecture=arch)
        if options:
            project = render(tmp_path / variant, name="demo2", runtime=runtime, architecture=arch, **options)
        matches = lint((project / "template.yaml").read_text(), config=cfn_lint_rules)
        assert [str(m) for m in matches] == [], variant


def _statements(function: dict) -> list:
    (policy,) = function["Policies"]
    return policy["Statement"]


def test_sam_iam_statement_is_exactly_get_secret_value_on_the_secret(tmp_path):
    template = template_documents(render(tmp_path))
    properties = template["Resources"]["MomentoFunction"]["Properties"]
    read, kms = _statements(properties)
    assert read == {
        "Sid": "ReadMomentoApiKey",
        "Effect": "Allow",
        "Action": "secretsmanager:GetSecretValue",
        "Resource": {"Fn::If": ["HasMomentoSecretArn", {"Ref": "MomentoSecretArn"}, NAME_WILDCARD]},
    }
    assert kms == {
        "Fn::If": [
            "HasMomentoKmsKey",
            {
                "Sid": "DecryptMomentoApiKey",
                "Effect": "Allow",
                "Action": "kms:Decrypt",
                "Resource": {"Ref": "MomentoKmsKeyArn"},
            },
            {"Ref": "AWS::NoValue"},
        ]
    }
    assert template["Conditions"] == {
        "HasMomentoSecretArn": {"Fn::Not": [{"Fn::Equals": [{"Ref": "MomentoSecretArn"}, ""]}]},
        "HasMomentoKmsKey": {"Fn::Not": [{"Fn::Equals": [{"Ref": "MomentoKmsKeyArn"}, ""]}]},
    }
    parameters = template["Parameters"]
    assert set(parameters) == {
        contract.SAM_PARAM_SECRET_ARN, contract.SAM_PARAM_SECRET_NAME, contract.SAM_PARAM_CACHE_NAME,
        contract.SAM_PARAM_DEFAULT_TTL, contract.SAM_PARAM_KMS_KEY_ARN,
    }  # fmt: skip
    assert parameters["MomentoSecretArn"]["Default"] == ""
    assert parameters["MomentoSecretName"]["Default"] == "momento/demo/api-key"
    assert parameters["MomentoCacheName"]["Default"] == "demo"
    assert parameters["MomentoDefaultTtlSeconds"]["Default"] == 60
    assert parameters["MomentoKmsKeyArn"]["Default"] == ""
    assert properties["Environment"]["Variables"] == {
        contract.ENV_SECRET_ARN: {
            "Fn::If": ["HasMomentoSecretArn", {"Ref": "MomentoSecretArn"}, {"Ref": "MomentoSecretName"}]
        },
        contract.ENV_CACHE_NAME: {"Ref": "MomentoCacheName"},
        contract.ENV_DEFAULT_TTL: {"Ref": "MomentoDefaultTtlSeconds"},
        # declared empty so that `sam local invoke --env-vars` can set it
        contract.ENV_LOCAL_OVERRIDE: "",
        "MOMENTO_INIT_CLIENT": "eager",
    }


@pytest.mark.parametrize("framework", ["sam", "serverless"])
@pytest.mark.parametrize("mode", ["eager", "lazy"])
def test_init_client_mode_reaches_the_function_environment(tmp_path, framework, mode):
    project = render(tmp_path, framework=framework, init_client=mode)
    if framework == "sam":
        resource = template_documents(project)["Resources"]["MomentoFunction"]
        environment = resource["Properties"]["Environment"]["Variables"]
    else:
        environment = serverless_document(project)["provider"]["environment"]
    assert environment["MOMENTO_INIT_CLIENT"] == mode


def test_init_client_mode_is_validated(tmp_path):
    with pytest.raises(MomentoLambdaError) as caught:
        render(tmp_path, init_client="sometimes")
    assert caught.value.code == "new.bad-init-client"


@pytest.mark.parametrize("framework", ["sam", "serverless"])
@pytest.mark.parametrize("runtime", catalog.SNAPSTART_RUNTIME_NAMES)
def test_snapstart_turns_snapstart_on_behind_the_alias_and_adds_the_hooks_library(
    tmp_path, cfn_lint_rules, framework, runtime
):
    from cfnlint.api import lint

    plain = render(tmp_path / "plain", framework=framework, runtime=runtime)
    project = render(tmp_path / "snap", framework=framework, runtime=runtime, snapstart=True)
    if framework == "sam":
        function = template_documents(project)["Resources"]["MomentoFunction"]["Properties"]
        assert function["SnapStart"] == {"ApplyOn": "PublishedVersions"}
        assert function["AutoPublishAlias"] == catalog.SNAPSTART_ALIAS
        outputs = template_documents(project)["Outputs"]
        assert outputs["MomentoFunctionAliasArn"]["Value"] == {"Ref": "MomentoFunction.Alias"}
        assert not {"SnapStart", "AutoPublishAlias"} & set(
            template_documents(plain)["Resources"]["MomentoFunction"]["Properties"]
        )
        assert [str(m) for m in lint((project / "template.yaml").read_text(), config=cfn_lint_rules)] == []
    else:
        assert serverless_document(project)["functions"]["api"]["snapStart"] is True
        assert "snapStart" not in serverless_document(plain)["functions"]["api"]
    requirements = (project / "src" / "requirements.txt").read_text().split("\n")
    assert [line for line in requirements if line and not line.startswith("#")] == [
        "momento==1.29.1",
        "snapshot-restore-py==1.0.0",
    ]
    assert (plain / "src" / "requirements.txt").read_text() == "momento==1.29.1\n"
    assert (project / "tests" / "test_snapstart.py").is_file()
    assert not (plain / "tests" / "test_snapstart.py").exists()
    assert json.loads((project / catalog.ANSWERS_FILE).read_text())["snapstart"] is True
    assert (project / "src" / "momento_client.py").read_bytes() == (plain / "src" / "momento_client.py").read_bytes()


@pytest.mark.parametrize("runtime", [r for r in catalog.RUNTIME_NAMES if r not in catalog.SNAPSTART_RUNTIME_NAMES])
def test_snapstart_is_refused_for_runtimes_without_it(tmp_path, runtime):
    with pytest.raises(MomentoLambdaError) as caught:
        render(tmp_path, runtime=runtime, snapstart=True)
    assert caught.value.code == "usage.snapstart-runtime" and caught.value.exit_code == 2
    assert "Python 3.12 and later" in caught.value.message and runtime in caught.value.message
    assert not (tmp_path / "demo").exists()


@pytest.mark.parametrize(
    ("region", "suggested"),
    [
        ("ap-east-2", "nearby: ap-east-1)"),
        ("ap-southeast-6", "nearby: ap-southeast-1, ap-southeast-2,"),
        ("us-gov-west-1", "e.g. us-east-1"),
        ("cn-north-1", "e.g. us-east-1"),
    ],
)
def test_snapstart_is_refused_in_regions_without_it(tmp_path, region, suggested):
    assert region not in catalog.SNAPSTART_REGIONS
    with pytest.raises(MomentoLambdaError) as caught:
        render(tmp_path, snapstart=True, region=region)
    assert caught.value.code == "usage.snapstart-region" and caught.value.exit_code == 2
    assert f"--region {region}: AWS Lambda SnapStart is not available there" in caught.value.message
    assert caught.value.hint is not None and suggested in caught.value.hint
    assert not (tmp_path / "demo").exists()
    assert render(tmp_path, region=region).is_dir()


def test_sam_secret_arn_kms_and_region_go_into_parameters_and_samconfig(tmp_path):
    project = render(tmp_path, secret_arn=SECRET_ARN, kms_key_arn=KMS_ARN, region="eu-west-1", default_ttl_seconds=300)
    parameters = template_documents(project)["Parameters"]
    assert parameters["MomentoSecretArn"]["Default"] == SECRET_ARN
    assert parameters["MomentoKmsKeyArn"]["Default"] == KMS_ARN
    assert parameters["MomentoDefaultTtlSeconds"]["Default"] == 300
    deploy = tomlkit.parse((project / "samconfig.toml").read_text()).unwrap()["default"]["deploy"]["parameters"]
    assert deploy["region"] == "eu-west-1"
    overrides = dict(item.split("=", 1) for item in deploy["parameter_overrides"].split(" "))
    assert overrides["MomentoSecretArn"] == f'"{SECRET_ARN}"'
    assert overrides["MomentoKmsKeyArn"] == f'"{KMS_ARN}"'


@pytest.mark.parametrize("region", [None, "eu-west-1"])
def test_sam_sync_gets_the_deploy_settings(tmp_path, region):
    """`sam sync` reads [default.sync.parameters] only: it needs the overrides, region and capabilities."""
    project = render(tmp_path, secret_arn=SECRET_ARN, region=region)
    config = tomlkit.parse((project / "samconfig.toml").read_text()).unwrap()["default"]
    deploy, sync = config["deploy"]["parameters"], config["sync"]["parameters"]
    assert sync["parameter_overrides"] == deploy["parameter_overrides"]
    assert sync.get("region") == deploy.get("region") == region
    assert set(deploy["capabilities"].split()) <= set(sync["capabilities"].split())
    assert sync["watch"] is True


@pytest.mark.parametrize(("ttl", "valid"), [(86400, True), (86401, False), (10**30, False), (0, False)])
def test_default_ttl_is_bounded_by_momentos_maximum(tmp_path, ttl, valid):
    """Momento's item TTL limit is 24 hours (docs.momentohq.com/cache/limits, a hard limit)."""
    if not valid:
        with pytest.raises(MomentoLambdaError) as caught:
            render(tmp_path, default_ttl_seconds=ttl)
        assert caught.value.code == "new.bad-ttl"
        return
    parameter = template_documents(render(tmp_path, default_ttl_seconds=ttl))["Parameters"]["MomentoDefaultTtlSeconds"]
    assert parameter["Default"] == parameter["MaxValue"] == contract.MAX_TTL_SECONDS == ttl


def test_serverless_iam_statement_params_and_kms_policy(tmp_path):
    document = serverless_document(render(tmp_path, framework="serverless", secret_arn=SECRET_ARN))
    assert document["frameworkVersion"] == ">=3"
    assert document["params"]["default"] == {
        contract.SLS_PARAM_SECRET_ARN: SECRET_ARN,
        contract.SLS_PARAM_SECRET_NAME: "momento/demo/api-key",
        contract.SLS_PARAM_CACHE_NAME: "demo",
        contract.SLS_PARAM_DEFAULT_TTL: 60,
        contract.SLS_PARAM_KMS_KEY_ARN: "",
    }
    (statement,) = document["provider"]["iam"]["role"]["statements"]
    assert statement["Effect"] == "Allow"
    assert statement["Action"] == "secretsmanager:GetSecretValue"
    condition, by_arn, by_name = statement["Resource"]["Fn::If"]
    assert (condition, by_arn) == ("HasMomentoSecretArn", "${param:momentoSecretArn}")
    assert by_name == {
        "Fn::Join": [
            ":",
            ["arn", {"Ref": "AWS::Partition"}, "secretsmanager", {"Ref": "AWS::Region"}, {"Ref": "AWS::AccountId"},
             "secret", "${param:momentoSecretName}-??????"],
        ]
    }  # fmt: skip
    environment = document["provider"]["environment"]
    # Plain values only: `serverless invoke local` refuses Fn::If in the environment.
    assert environment[contract.ENV_SECRET_ARN] == "${param:momentoSecretArn}"
    assert environment["MOMENTO_SECRET_NAME"] == "${param:momentoSecretName}"
    assert all(isinstance(value, str) for value in environment.values())
    assert document["custom"]["pythonRequirements"]["useStaticCache"] is False
    assert environment[contract.ENV_CACHE_NAME] == "${param:momentoCacheName}"
    kms = document["resources"]["Resources"]["MomentoKmsDecryptPolicy"]
    assert kms["Condition"] == "HasMomentoKmsKey"
    assert kms["Properties"]["PolicyDocument"]["Statement"] == [
        {
            "Sid": "DecryptMomentoApiKey",
            "Effect": "Allow",
            "Action": "kms:Decrypt",
            "Resource": "${param:momentoKmsKeyArn}",
        }
    ]


def test_one_source_of_truth_per_runtime():
    """The client modules and handlers exist exactly once in the shipped templates."""
    root = template_dir().parent
    for name in ("momento_client.py", "handler.py", "momentoClient.mjs", "handler.mjs"):
        copies = [p for p in root.rglob(name)]
        assert len(copies) == 1, copies
    assert sorted(p.name for p in root.iterdir() if p.is_dir()) == ["momento-lambda"]


def test_generated_code_never_holds_a_key_or_reads_it_from_the_environment(tmp_path):
    for runtime in ("python3.13", "nodejs22.x"):
        project = render(tmp_path / runtime, runtime=runtime)
        for path in (project / "src").iterdir():
            text = path.read_text()
            assert 'MOMENTO_API_KEY"]' not in text and "process.env.MOMENTO_API_KEY" not in text
            assert 'os.environ["MOMENTO_API_KEY"]' not in text


def test_readme_names_the_framework_commands(tmp_path):
    sam = (render(tmp_path / "a") / "README.md").read_text()
    assert "sam build" in sam and "sam deploy --guided" in sam and "momento-lambda store-token" in sam
    assert "use_container" in sam
    sls = (render(tmp_path / "b", framework="serverless", runtime="nodejs24.x") / "README.md").read_text()
    assert "serverless deploy" in sls and "npm test" in sls and "sam build" not in sls


def test_python_sam_projects_have_gitignore_for_their_build(tmp_path):
    assert ".aws-sam/" in (render(tmp_path / "a") / ".gitignore").read_text()
    assert ".serverless/" in (render(tmp_path / "b", framework="serverless") / ".gitignore").read_text()


def test_template_dir_is_the_shipped_one():
    assert (template_dir() / "cookiecutter.json").is_file()
    assert Path(template_dir()).name == "momento-lambda"
