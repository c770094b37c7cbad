"""`doctor` under hostile projects: it ends within --timeout + 2 s, stays under the memory cap,
never shows a traceback, and never prints a piece of a key planted in the project.

Each case builds a small project (tests/support/projects.py) and adds one attack.
"""

from __future__ import annotations

import functools
import io
import json
import os
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.hostile import harness
from tests.support import keys, projects

pytestmark = pytest.mark.integration  # the CLI as a child process under memory and time limits

TIMEOUT = 5
BOUND = TIMEOUT + 2
"""The promise: the whole run ends within --timeout + 2 s (plus the interpreter's start, see harness.startup)."""


def doctor(project: Path, *extra: str) -> harness.Run:
    return harness.run("doctor", "--offline", "--timeout", str(TIMEOUT), *extra, str(project))


def _deep_flow(project: Path) -> None:
    (project / "serverless.yml").write_text("a: " + "[" * 20000 + "]" * 20000 + "\n")


def _deep_block(project: Path) -> None:
    (project / "serverless.yml").write_text("service: x\nprovider: " + "- " * 20000 + "1\n")


def _deep_mapping(project: Path) -> None:
    (project / "serverless.yml").write_text("a: " + "{a: " * 20000 + "1" + "}" * 20000 + "\n")


def _alias_bomb(project: Path) -> None:
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 12)]
    (project / "serverless.yml").write_text("\n".join(lines) + "\nservice: *a11\n")


def _variable_cycle(project: Path) -> None:
    text = (project / "serverless.yml").read_text()
    chain = "".join(f"  v{i}: ${{self:custom.v{i + 1}}}\n" for i in range(3000)) + "  v3000: ${self:custom.v0}\n"
    (project / "serverless.yml").write_text(text + "custom:\n" + chain)


@functools.cache
def _bomb_bytes() -> bytes:
    """A zip of a few MB holding a 512 MiB ``WHEEL`` and a 128 MiB ``.so`` (built once per session)."""
    buffer = io.BytesIO()
    chunk = b"\0" * (1 << 20)
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        with zf.open("x-1.0.dist-info/WHEEL", "w", force_zip64=True) as handle:
            for _ in range(512):
                handle.write(chunk)
        with zf.open("lib/big.cpython-313-x86_64-linux-gnu.so", "w", force_zip64=True) as handle:
            for _ in range(128):
                handle.write(chunk)
    return buffer.getvalue()


def _zip_bomb(project: Path) -> None:
    (project / ".serverless").mkdir()
    (project / ".serverless" / "bomb.zip").write_bytes(_bomb_bytes())


def _dev_zero_wheel(project: Path) -> None:
    folder = project / ".aws-sam" / "build" / "HelloFunction" / "x-1.0.dist-info"
    folder.mkdir(parents=True)
    (folder / "WHEEL").symlink_to("/dev/zero")
    (folder.parent / "evil.cpython-313-x86_64-linux-gnu.so").symlink_to("/dev/urandom")


def _dev_urandom_source(project: Path) -> None:
    (project / "hello").mkdir(exist_ok=True)
    (project / "hello" / "app.py").symlink_to("/dev/urandom")
    (project / "hello" / "momento_client.py").symlink_to("/dev/zero")
    (project / "notes.txt").symlink_to("/dev/zero")


def _fifo(project: Path) -> None:
    (project / "hello").mkdir(exist_ok=True)
    os.mkfifo(project / "hello" / "app.py")
    os.mkfifo(project / "pipe.txt")


def _quadratic_jwt(project: Path) -> None:
    (project / "notes.txt").write_text("eyJ" * 200_000 + "\n" + "eyJa." * 100_000)


def _deep_intrinsics(project: Path) -> None:
    """A parameter default of 600 nested ``Fn::Join`` in block style (no flow brackets, so the
    parser's nesting cap does not apply): deep for the constructor and every resolver."""
    import io as _io
    import sys as _sys

    from ruamel.yaml import YAML

    value: object = "y"
    for _ in range(600):
        value = {"Fn::Join": ["", ["x", value]]}
    buffer = _io.StringIO()
    limit = _sys.getrecursionlimit()
    _sys.setrecursionlimit(100_000)
    try:
        yaml = YAML(typ="safe", pure=True)
        yaml.default_flow_style = False
        yaml.dump({"Deep": {"Type": "String", "Default": value}}, buffer)
    finally:
        _sys.setrecursionlimit(limit)
    block = "".join(f"  {line}\n" for line in buffer.getvalue().splitlines())
    text = (project / "template.yaml").read_text().replace("Parameters:\n", "Parameters:\n" + block, 1)
    (project / "template.yaml").write_text(text)


def _many_small_files(project: Path) -> None:
    folder = project / "node_modules" / "pkg"
    folder.mkdir(parents=True)
    for index in range(3000):
        (folder / f"f{index}.js").write_text("x")


SAM_CASES: dict[str, Callable[[Path], None]] = {
    "zip-bomb-in-sam": _zip_bomb,
    "dev-zero-wheel": _dev_zero_wheel,
    "dev-urandom-source": _dev_urandom_source,
    "fifo": _fifo,
    "quadratic-jwt": _quadratic_jwt,
    "node-modules": _many_small_files,
    "deep-intrinsics": _deep_intrinsics,
}
SLS_CASES: dict[str, Callable[[Path], None]] = {
    "deep-flow": _deep_flow,
    "deep-block": _deep_block,
    "deep-mapping": _deep_mapping,
    "alias-bomb": _alias_bomb,
    "variable-cycle": _variable_cycle,
    "zip-bomb": _zip_bomb,
}


@pytest.mark.parametrize("attack", sorted(SAM_CASES))
def test_doctor_is_bounded_on_a_hostile_sam_project(tmp_path, attack):
    project = projects.sam_project(tmp_path, "evil")
    SAM_CASES[attack](project)
    result = doctor(project)
    harness.assert_clean(result, seconds=BOUND + harness.startup(), exit_codes=(0, 1))


@pytest.mark.parametrize("attack", sorted(SLS_CASES))
def test_doctor_is_bounded_on_a_hostile_serverless_project(tmp_path, attack):
    project = projects.serverless_project(tmp_path, "evil")
    SLS_CASES[attack](project)
    result = doctor(project)
    harness.assert_clean(result, seconds=BOUND + harness.startup(), exit_codes=(0, 1))


def test_a_too_deep_template_is_one_error(tmp_path):
    project = projects.serverless_project(tmp_path, "evil")
    _deep_flow(project)
    result = doctor(project, "--json")
    harness.assert_clean(result, seconds=BOUND + harness.startup(), exit_codes=(1,))
    (error,) = json.loads(result.stdout)["errors"]
    assert "nests" in error["message"] and error["hint"]


def test_the_key_scan_honours_gitignore_without_git(tmp_path):
    project = projects.sam_project(tmp_path, "ignored")
    key = keys.v2_key()
    (project / ".gitignore").write_text("secrets/\n*.local\n")
    (project / "secrets").mkdir()
    (project / "secrets" / "key.txt").write_text(key)
    (project / "env.local").write_text(key)
    (project / "node_modules").mkdir()
    (project / "node_modules" / "key.txt").write_text(key)
    result = doctor(project, "--only", "secret.no-plaintext-key", "--json")
    harness.assert_clean(result, seconds=BOUND + harness.startup(), exit_codes=(0,))
    (project / "committed.txt").write_text(key)
    result = doctor(project, "--only", "secret.no-plaintext-key", "--json")
    harness.assert_clean(result, seconds=BOUND + harness.startup(), exit_codes=(1,))
    assert "committed.txt" in result.stdout
    harness.assert_no_piece(key, result.output)


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_the_key_scan_inside_git_skips_ignored_and_build_folders(tmp_path):
    project = projects.sam_project(tmp_path, "tracked")
    key = keys.legacy_key()
    subprocess.run(["git", "init", "-q"], cwd=project, check=True)
    (project / ".gitignore").write_text("*.local\n")
    (project / "env.local").write_text(key)
    (project / ".aws-sam").mkdir()
    (project / ".aws-sam" / "key.txt").write_text(key)
    result = doctor(project, "--only", "secret.no-plaintext-key")
    harness.assert_clean(result, seconds=BOUND + harness.startup(), exit_codes=(0,))


# --- leaks ------------------------------------------------------------------------------

KEY_MAKERS = {"v2": keys.v2_key, "legacy": keys.legacy_key, "v1": keys.v1_key}
OTHER_SHAPES = {"v1-indented": keys.v1_key_indented, "jwt-spaced": keys.spaced_jwt_key}
"""Key shapes that do not start with ``eyJ``: caught by shape, never registered."""


def _sam_key_everywhere(project: Path, key: str) -> None:
    text = (project / "samconfig.toml").read_text()
    text = text.replace('MomentoCacheName=\\"', f'MomentoSecretArn=\\"{key}\\" MomentoCacheName=\\"')
    text = text.replace('stack_name = "', f'# {key}\nstack_name = "')
    (project / "samconfig.toml").write_text(text)
    template = (project / "template.yaml").read_text()
    template = template.replace("\nDescription:", f"\nMetadata:\n  K: {key}\n  {key}: 1\nDescription:", 1)
    (project / "template.yaml").write_text(template)


def _sls_key_everywhere(project: Path, key: str) -> None:
    text = (project / "serverless.yml").read_text()
    text = text.replace("  default:\n", f"  default:\n    momentoSecretArn: {key}\n    {key}: x\n", 1)
    (project / "serverless.yml").write_text(text)


def _answers_and_code(project: Path, key: str) -> None:
    import json as _json

    answers = project / ".momento-lambda.json"
    document = _json.loads(answers.read_text())
    document.update({"secret_arn": key, "cache_name": key, "secret_name": key, key: key})
    answers.write_text(_json.dumps(document))
    (project / "hello").mkdir(exist_ok=True)
    (project / "hello" / "app.py").write_text(f"import momento\nKEY = '{key}'\ndef handler(e, c):\n    return KEY\n")
    (project / "notes.md").write_text(f"the key: {key}\n")


def _params_file(project: Path, key: str) -> None:
    """Serverless ``params`` from a ``${file(...)}`` file, a key in each of its fields (and as a name)."""
    text = (project / "serverless.yml").read_text()
    start, end = text.index("params:"), text.index("provider:")
    text = text[:start] + "params: ${file(./params.yml)}\n\n" + text[end:]
    text = text.replace("region: us-east-1", "region: ${file(./params.yml):default.region}")
    (project / "serverless.yml").write_text(text)
    (project / "params.yml").write_text(
        f"default:\n  momentoSecretArn: {key}\n  momentoCacheName: {key}\n  region: {key}\n"
        f"  {key}: x\n  # {key}\nprod:\n  momentoSecretArn: '{key}'\n  stage: {key}\n"
    )


def _samconfig_yaml(project: Path, key: str) -> None:
    """samconfig.yaml (instead of .toml) with a key in every field, as a name and in a comment."""
    (project / "samconfig.toml").unlink()
    (project / "samconfig.yaml").write_text(
        f"version: 0.1\n# {key}\ndefault:\n  global:\n    parameters:\n      stack_name: {key}\n"
        f"      region: {key}\n  deploy:\n    parameters:\n      parameter_overrides:\n"
        f"        - MomentoSecretArn={key}\n        - MomentoCacheName={key}\n"
        f"      capabilities: {key}\n      {key}: x\n  build:\n    parameters:\n      use_container: {key}\n"
    )


def _env_files(project: Path, key: str) -> None:
    """Dotenv files a Serverless service reads (``useDotenv``), and ``${env:}`` pointing at them."""
    text = (project / "serverless.yml").read_text()
    text = text.replace("frameworkVersion: '3'\n", "frameworkVersion: '3'\nuseDotenv: true\n", 1)
    text = text.replace("  default:\n", "  default:\n    momentoSecretArn: ${env:MOMENTO_API_KEY}\n", 1)
    text = text.replace("region: us-east-1", "region: ${env:REGION_FROM_DOTENV}")
    (project / "serverless.yml").write_text(text)
    for name in (".env", ".env.dev", ".env.prod"):
        (project / name).write_text(f"MOMENTO_API_KEY={key}\nREGION_FROM_DOTENV={key}\nexport {key}=1\n# {key}\n")


def _answers_every_field(project: Path, key: str) -> None:
    """The answers file with a key in every field, also the ones checked against a list."""
    import json as _json

    answers = project / ".momento-lambda.json"
    document = _json.loads(answers.read_text())
    answers.write_text(_json.dumps({**{field: key for field in document}, key: {key: [key]}}))


def _duplicate_key(project: Path, key: str) -> None:
    text = (project / "serverless.yml").read_text()
    text = text.replace("  default:\n", f"  default:\n    dup: {key}\n    dup: {key}\n    bad: [{key}\n", 1)
    (project / "serverless.yml").write_text(text)


def _toml_error(project: Path, key: str) -> None:
    (project / "samconfig.toml").write_text(f'version = 0.1\n[default.deploy.parameters]\nx = "{key}\n')


PLANTS: dict[str, tuple[str, Callable[[Path, str], None]]] = {
    "sam-everywhere": ("sam", _sam_key_everywhere),
    "sls-everywhere": ("sls", _sls_key_everywhere),
    "yaml-duplicate": ("sls", _duplicate_key),
    "toml-error": ("sam", _toml_error),
    "answers-and-code": ("sam", _answers_and_code),
    "sls-params-file": ("sls", _params_file),
    "samconfig-yaml": ("sam", _samconfig_yaml),
    "dotenv-files": ("sls", _env_files),
    "sam-answers-every-field": ("sam", _answers_every_field),
    "sls-answers-every-field": ("sls", _answers_every_field),
}
"""Where a key is planted, by case id: (framework, how). The whole matrix runs in-process
(test_doctor_planted_keys.py, unit tier); a few cases run as a real process here."""

MODES = {"text": ([], []), "json": ([], ["--json"]), "debug": (["--debug"], ["-v"])}
"""Output mode -> (global options, doctor options)."""


def planted(tmp_path: Path, kind: str, plant: str) -> tuple[str, Path]:
    """A small project of the plant's framework with a key of ``kind`` planted; (key, project)."""
    framework, how = PLANTS[plant]
    key = KEY_MAKERS[kind]()
    project = (projects.sam_project if framework == "sam" else projects.serverless_project)(tmp_path, "leaky")
    how(project, key)
    return key, project


@pytest.mark.parametrize("mode", sorted(MODES))
@pytest.mark.parametrize("plant", ["sam-everywhere", "sls-everywhere", "answers-and-code"])
def test_doctor_never_prints_a_planted_key_as_a_process(tmp_path, plant, mode):
    key, project = planted(tmp_path, "v2", plant)
    before = {p: p.read_bytes() for p in project.rglob("*") if p.is_file()}
    options, extra = MODES[mode]
    result = harness.run(*options, "doctor", "--offline", "--timeout", str(TIMEOUT), *extra, str(project))
    harness.assert_clean(result, seconds=BOUND + harness.startup(), exit_codes=(0, 1))
    harness.assert_no_piece(key, result.output)
    if mode == "json":
        json.loads(result.stdout)
    after = {p: p.read_bytes() for p in project.rglob("*") if p.is_file()}
    assert after == before, "doctor changed the project"


@pytest.mark.parametrize("kind", sorted(OTHER_SHAPES))
@pytest.mark.parametrize(
    "plant",
    [
        ("sam", _sam_key_everywhere),
        ("sls", _sls_key_everywhere),
        ("sls", _params_file),
        ("sam", _samconfig_yaml),
        ("sls", _env_files),
        ("sam", _answers_every_field),
    ],
    ids=["sam-everywhere", "sls-everywhere", "sls-params-file", "samconfig-yaml", "dotenv-files", "answers"],
)
def test_doctor_never_prints_a_key_of_another_shape(tmp_path, kind, plant):
    framework, how = plant
    key = OTHER_SHAPES[kind]()
    project = (projects.sam_project if framework == "sam" else projects.serverless_project)(tmp_path, "leaky")
    how(project, key)
    result = harness.run("doctor", "--offline", "--timeout", str(TIMEOUT), "-v", str(project))
    harness.assert_clean(result, seconds=BOUND + harness.startup(), exit_codes=(0, 1))
    harness.assert_no_piece(key, result.output)
