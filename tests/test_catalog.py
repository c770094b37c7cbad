"""The catalog against every other place that states the same facts: the project template's
cookiecutter.json, the README, `new --help`, cfn-lint's Lambda runtime lifecycle data, the
SAM CLI's file names and build images, osls' configuration file names and real wheels."""

from __future__ import annotations

import json
import re
import struct
import subprocess
from datetime import date
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest

from momento_lambda_cli import catalog
from momento_lambda_cli.scaffold.render import template_dir
from tests.support.tools import require_tool
from tests.support.wheels import grpcio_wheel

REPO_ROOT = Path(__file__).resolve().parents[1]


def _default_first(names: tuple[str, ...], default: str) -> list[str]:
    """Cookiecutter's choice variables: the first entry is the default."""
    return [default, *(n for n in names if n != default)]


# --- the catalog itself -------------------------------------------------------------------


def test_names_are_unique_and_the_defaults_are_offered():
    assert len({r.name for r in catalog.RUNTIMES}) == len(catalog.RUNTIMES)
    assert catalog.DEFAULT_RUNTIME in catalog.OFFERED_RUNTIMES
    assert catalog.DEFAULT_FRAMEWORK in catalog.FRAMEWORKS
    assert catalog.DEFAULT_ARCHITECTURE in catalog.ARCHITECTURES
    for language in (catalog.PYTHON, catalog.NODE):
        assert catalog.newest(language).offered, language
        assert any(r.language == language for r in catalog.OFFERED_RUNTIMES), language


def test_runtime_names_follow_lambda_s_identifiers():
    for runtime in catalog.RUNTIMES:
        expected = f"python{runtime.version}" if runtime.language == catalog.PYTHON else f"nodejs{runtime.version}.x"
        assert runtime.name == expected
        assert runtime.deprecated <= runtime.create_blocked <= runtime.update_blocked, runtime.name


def test_glibc_comes_from_the_runtime_s_amazon_linux():
    assert catalog.glibc_of("python3.11") == (2, 26)
    assert catalog.glibc_of("python3.12") == (2, 34)
    assert catalog.glibc_of("nodejs20.x") == (2, 34)
    assert catalog.glibc_of("provided.al2") == (2, 26)
    assert catalog.glibc_of("provided.al2023") == (2, 34)
    assert catalog.glibc_of("java21") is None


# --- cookiecutter.json, docs/commands/new.md, --help ---------------------------------------------------


def test_cookiecutter_json_offers_exactly_the_catalog_s_choices_default_first():
    context = json.loads((template_dir() / "cookiecutter.json").read_text(encoding="utf-8"))
    assert context["framework"] == _default_first(catalog.FRAMEWORK_NAMES, catalog.DEFAULT_FRAMEWORK.name)
    assert context["runtime"] == _default_first(catalog.RUNTIME_NAMES, catalog.DEFAULT_RUNTIME.name)
    assert context["architecture"] == _default_first(catalog.ARCHITECTURE_NAMES, catalog.DEFAULT_ARCHITECTURE.name)


def _readme_option_row(option: str) -> tuple[list[str], str]:
    """(the choices, the default) in the `new` page's options table row for ``option``."""
    readme = (REPO_ROOT / "docs" / "commands" / "new.md").read_text(encoding="utf-8")
    rows = [line for line in readme.splitlines() if line.startswith(f"| `{option}`")]
    assert len(rows) == 1, f"one docs/commands/new.md table row for {option}, found {len(rows)}"
    cells = [cell.strip() for cell in re.split(r"(?<!\\)\|", rows[0])[1:-1]]
    assert len(cells) == 3, rows[0]
    name_cell, default_cell, meaning_cell = cells
    choices = [
        choice
        for token in re.findall(r"`([^`]+)`", name_cell + " " + meaning_cell)
        if not token.startswith("-")
        for choice in token.split("\\|")
    ]
    return choices, default_cell.strip("`")


@pytest.mark.parametrize(
    ("option", "names", "default"),
    [
        ("--framework", catalog.FRAMEWORK_NAMES, catalog.DEFAULT_FRAMEWORK.name),
        ("--runtime", catalog.RUNTIME_NAMES, catalog.DEFAULT_RUNTIME.name),
        ("--arch", catalog.ARCHITECTURE_NAMES, catalog.DEFAULT_ARCHITECTURE.name),
    ],
)
def test_readme_new_options_table_names_exactly_the_catalog_s_choices(option, names, default):
    choices, shown_default = _readme_option_row(option)
    assert choices == list(names)
    assert shown_default == default


def test_new_help_offers_exactly_the_catalog_s_choices(run_cli):
    result = run_cli("new", "--help")
    assert result.exit_code == 0
    for option, names, default in (
        ("--framework", catalog.FRAMEWORK_NAMES, catalog.DEFAULT_FRAMEWORK.name),
        ("--runtime", catalog.RUNTIME_NAMES, catalog.DEFAULT_RUNTIME.name),
        ("--arch", catalog.ARCHITECTURE_NAMES, catalog.DEFAULT_ARCHITECTURE.name),
    ):
        shown = re.search(rf"{option} <([^>]*)>\s+.*?\[default: ([^\]]*)\]", result.stdout, re.DOTALL)
        assert shown, option
        assert (shown.group(1).split("|"), shown.group(2)) == (list(names), default)


@pytest.mark.parametrize("runtime", catalog.RUNTIMES, ids=lambda r: r.name)
def test_snapstart_support_is_cfn_lint_s(runtime):
    """cfn-lint's E2530 (SnapStart on a runtime that has none) agrees with the catalog."""
    from cfnlint.rules.resources.lmbd.SnapStartSupported import SnapStartSupported

    assert runtime.snapstart == SnapStartSupported()._is_runtime_valid(runtime.name)


def test_snapstart_regions_are_cfn_lint_s():
    """cfn-lint's E2530 (SnapStart in a region that has none) knows the same regions."""
    from cfnlint.rules.resources.lmbd.SnapStartSupported import SnapStartSupported

    assert set(SnapStartSupported().regions) == catalog.SNAPSTART_REGIONS


def test_snapstart_runtimes_are_the_offered_python_3_12_and_later():
    assert (
        tuple(r.name for r in catalog.OFFERED_RUNTIMES if r.language == catalog.PYTHON and r.version_tuple >= (3, 12))
        == catalog.SNAPSTART_RUNTIME_NAMES
    )


# --- cfn-lint's lifecycle data ------------------------------------------------------------


def _lifecycle() -> dict[str, dict[str, Any]]:
    text = files("cfnlint").joinpath("data", "AdditionalSpecs", "LmbdRuntimeLifecycle.json").read_text()
    data: dict[str, dict[str, Any]] = json.loads(text)
    return data


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


@pytest.mark.parametrize("runtime", catalog.RUNTIMES, ids=lambda r: r.name)
def test_lifecycle_dates_are_cfn_lint_s(runtime):
    entry = _lifecycle()[runtime.name]
    assert (runtime.deprecated, runtime.create_blocked, runtime.update_blocked) == (
        _day(entry["deprecated"]),
        _day(entry["create-block"]),
        _day(entry["update-block"]),
    )


@pytest.mark.parametrize("runtime", catalog.RUNTIMES, ids=lambda r: r.name)
def test_the_runtime_to_move_to_is_cfn_lint_s_successor(runtime):
    newest = catalog.newest(runtime.language)
    successor = _lifecycle()[runtime.name]["successor"]
    assert successor == (None if runtime is newest else newest.name)


def test_the_lifecycle_table_is_cfn_lint_s_every_runtime_every_date():
    def day(value: str | None) -> date | None:
        return None if value is None else date.fromisoformat(value)

    expected = {
        name: catalog.Lifecycle(
            day(entry["deprecated"]), day(entry["create-block"]), day(entry["update-block"]), entry["successor"]
        )
        for name, entry in _lifecycle().items()
    }
    assert expected == catalog.LIFECYCLES


def test_every_python_and_node_runtime_cfn_lint_knows_since_the_oldest_listed_is_in_the_catalog():
    oldest = min(r.deprecated for r in catalog.RUNTIMES)
    pattern = re.compile(r"python\d+\.\d+|nodejs\d+\.x")
    current = {
        name
        for name, entry in _lifecycle().items()
        if pattern.fullmatch(name) and date.fromisoformat(entry["deprecated"]) >= oldest
    }
    assert current == {r.name for r in catalog.RUNTIMES}


# --- the deploy tools' own file names and images ------------------------------------------

_SAM_PROBE = """
import json
from samcli.commands._utils.constants import SAM_TEMPLATE_FILE_NAMES
from samcli.lib.config.file_manager import FILE_MANAGER_MAPPER
from samcli.lib.config.samconfig import DEFAULT_CONFIG_FILE
from samcli.lib.utils.architecture import SUPPORTED_RUNTIMES
from samcli.local.docker.lambda_build_container import LambdaBuildContainer

print(json.dumps({
    "templates": list(SAM_TEMPLATE_FILE_NAMES),
    "configs": [DEFAULT_CONFIG_FILE + extension for extension in FILE_MANAGER_MAPPER],
    "runtimes": SUPPORTED_RUNTIMES,
    "tags": {arch: LambdaBuildContainer.get_image_tag(arch) for arch in ("x86_64", "arm64")},
}))
"""


@pytest.fixture(scope="module")
def sam_cli_facts() -> dict[str, Any]:
    sam = require_tool("sam")
    proc = subprocess.run(
        [str(sam.parent / "python"), "-c", _SAM_PROBE], capture_output=True, text=True, timeout=120, check=True
    )
    facts: dict[str, Any] = json.loads(proc.stdout)
    return facts


@pytest.mark.slow
def test_sam_file_names_are_the_sam_cli_s_in_its_search_order(sam_cli_facts):
    assert list(catalog.SAM.template_files) == sam_cli_facts["templates"]
    assert list(catalog.SAM.config_files) == sam_cli_facts["configs"]


@pytest.mark.slow
def test_the_sam_cli_builds_every_offered_runtime_for_every_architecture(sam_cli_facts):
    for runtime in catalog.OFFERED_RUNTIMES:
        assert sorted(sam_cli_facts["runtimes"][runtime.name]) == sorted(catalog.ARCHITECTURE_NAMES), runtime.name
    assert sam_cli_facts["tags"] == {a.name: a.build_image_tag for a in catalog.ARCHITECTURES}


@pytest.mark.slow
def test_serverless_file_names_are_osls_s_in_its_search_order():
    source = require_tool("node-tools") / "osls" / "lib" / "cli" / "resolve-configuration-path.js"
    match = re.search(r"supportedExtensions = new Set\(\[([^\]]*)\]\)", source.read_text(encoding="utf-8"))
    assert match, "osls no longer declares supportedExtensions"
    extensions = re.findall(r"'([a-z]+)'", match.group(1))
    known = catalog.SERVERLESS.template_files + catalog.SERVERLESS.unsupported_files
    assert list(known) == [f"serverless.{extension}" for extension in extensions]


# --- architectures against real wheels -----------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("arch", catalog.ARCHITECTURES, ids=lambda a: a.name)
def test_a_real_wheel_for_the_platform_tag_is_elf_for_the_catalog_s_cpu(arch):
    wheel = grpcio_wheel(arch.cpu)
    assert arch.wheel_platform in wheel.path.name
    name, data = wheel.extension()
    assert data[:4] == b"\x7fELF"
    assert struct.unpack_from("<H", data, 18)[0] == arch.elf_machine
    assert name.endswith(f"-{arch.cpu}-linux-gnu.so")
