"""The docs pages (mkdocs, docs/): they build with --strict, every command and every option of it
has its page entry, and the check catalogue page is generated from the check definitions."""

from __future__ import annotations

from pathlib import Path

import pytest

from momento_lambda_cli import cli
from momento_lambda_cli.doctor import catalogue, registry

REPO_ROOT = Path(__file__).resolve().parents[1]
DOCS = REPO_ROOT / "docs"


def _commands() -> dict[str, object]:
    import typer.main

    group = typer.main.get_command(cli.full_app())
    return dict(group.commands)  # type: ignore[attr-defined]


def test_the_docs_build_strictly(tmp_path: Path):
    """`mkdocs build --strict` (in-process): a broken link, a missing anchor or a page left out
    of the nav fails the build."""
    pytest.importorskip("material", reason="the docs extra (pip install -e '.[docs]') is not installed")
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    config = load_config(str(REPO_ROOT / "mkdocs.yml"), site_dir=str(tmp_path / "site"), strict=True)
    build(config)
    assert (tmp_path / "site" / "checks" / "index.html").is_file()
    for name in _commands():
        assert (tmp_path / "site" / "commands" / name / "index.html").is_file(), name


@pytest.mark.parametrize("name", sorted(cli.COMMANDS))
def test_every_command_and_option_has_its_page_entry(name: str):
    page = DOCS / "commands" / f"{name}.md"
    assert page.is_file(), f"no docs page for `{name}`"
    text = page.read_text(encoding="utf-8")
    assert text.startswith(f"# `momento-lambda {name}"), text[:80]
    command = _commands()[name]
    missing = []
    for param in command.params:  # type: ignore[attr-defined]
        if getattr(param, "hidden", False) or param.name in ("help", "debug"):
            continue
        if param.param_type_name == "argument":
            names = [str(param.metavar or param.name).upper()]
        else:
            names = [o for o in [*param.opts, *param.secondary_opts] if o.startswith("--")]
        missing += [n for n in names if f"`{n}" not in text]
    assert not missing, f"docs/commands/{name}.md does not describe {missing}"
    index = (DOCS / "commands" / "index.md").read_text(encoding="utf-8")
    assert f"({name}.md)" in index


def test_the_check_catalogue_page_is_generated_from_the_definitions():
    checks = registry.all_checks()
    text = (REPO_ROOT / catalogue.PAGE).read_text(encoding="utf-8")
    assert text == catalogue.markdown_page(checks), "run `.venv/bin/python scripts/update_check_docs.py`"
    for check in checks:
        assert f"### `{check.id}`" in text
        for field in (check.title, check.reads, check.fails_when, check.why, *check.steps):
            assert field in text, (check.id, field)


def test_the_catalogue_generator_notices_a_new_check():
    checks = registry.all_checks()
    assert catalogue.markdown_page(checks[:-1]) != catalogue.markdown_page(checks)


def test_the_readme_is_short_and_links_the_docs():
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 200
    for page in ("docs/getting-started.md", "docs/checks.md", "docs/commands/index.md", "docs/troubleshooting.md"):
        assert f"]({page})" in readme, page
        assert (REPO_ROOT / page).is_file(), page
    assert "pipx install ." in readme and "uv tool install ." in readme
