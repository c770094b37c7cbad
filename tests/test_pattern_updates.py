"""`update` carries template fixes into projects of every pattern and language: a later template
changes a shared file (the client module), the SAM template and the pattern's own handler; a
project made by `new --pattern P` whose handler the user edited gets all three, keeps the edit,
and keeps exactly its pattern's files."""

from __future__ import annotations

import pytest

from momento_lambda_cli import catalog
from momento_lambda_cli.scaffold.layout import keeps

CLIENT_FIX = {
    "py": ("src/momento_client.py", "SECRET_RETRY_AFTER_SECONDS = 10.0\n", "SECRET_RETRY_AFTER_SECONDS = 15.0\n"),
    "mjs": (
        "src/momentoClient.mjs",
        "const SECRET_RETRY_AFTER_MS = 10_000;\n",
        "const SECRET_RETRY_AFTER_MS = 15_000;\n",
    ),
    "ts": (
        "src/momentoClient.ts",
        "const SECRET_RETRY_AFTER_MS = 10_000;\n",
        "const SECRET_RETRY_AFTER_MS = 15_000;\n",
    ),
}
RUNTIME = {"py": "python3.12", "mjs": "nodejs22.x", "ts": "nodejs22.x"}
LANGUAGE = {"py": None, "mjs": catalog.JAVASCRIPT, "ts": catalog.TYPESCRIPT}

CASES = [
    (pattern.name, ext)
    for pattern in catalog.PATTERNS
    for ext in ("py", "mjs", "ts")
    if (catalog.PYTHON if ext == "py" else catalog.NODE) in pattern.languages
]


@pytest.mark.parametrize(("pattern", "ext"), CASES)
def test_update_carries_fixes_into_every_pattern_and_keeps_the_users_edit(run_cli, tmp_path, monkeypatch, pattern, ext):
    from momento_lambda_cli.scaffold import versions
    from tests.support.template_versions import ROOT, commit_all

    chosen = catalog.pattern(pattern)
    assert chosen is not None
    handler = f"src/{chosen.python_module}.py" if ext == "py" else f"src/{chosen.node_module}.{ext}"
    live = versions.live_source()
    files = dict(live.files)
    first_line = files[ROOT + handler].split("\n", 1)[0]
    client, old, new = CLIENT_FIX[ext]
    fixes = {
        client: (old, new),
        "template.yaml": ("    MemorySize: 512\n", "    MemorySize: 1024\n"),
        handler: (first_line + "\n", first_line + " (fixed in 0.3.1)\n"),
    }
    for path, (before, after) in fixes.items():
        assert files[ROOT + path].count(before) == 1, path
        files[ROOT + path] = files[ROOT + path].replace(before, after)
    later = versions.TemplateSource(version="0.3.1", files=files, keep=live.keep)

    options = ["-r", RUNTIME[ext], *(["-l", LANGUAGE[ext]] if LANGUAGE[ext] else []), "--pattern", pattern]
    created = run_cli("new", "svc", "--no-input", "-o", str(tmp_path), *options)
    assert created.exit_code == 0, created.output
    project = tmp_path / "svc"
    mine = ("# " if ext == "py" else "// ") + "my own code, kept by update\n"
    with (project / handler).open("a", encoding="utf-8") as edited:
        edited.write(mine)
    before_files = {
        p.relative_to(project).as_posix() for p in project.rglob("*") if p.is_file() and ".git/" not in p.as_posix()
    }
    commit_all(project)

    monkeypatch.setattr(versions, "live_source", lambda: later)
    result = run_cli("update", str(project))
    assert result.exit_code == 0, result.output
    for path, (_before, after) in fixes.items():
        assert after in (project / path).read_text(), path
    assert (project / handler).read_text().endswith(mine)
    after_files = {
        p.relative_to(project).as_posix() for p in project.rglob("*") if p.is_file() and ".git/" not in p.as_posix()
    }
    assert after_files == before_files
    from momento_lambda_cli.scaffold.answers import build_answers

    answers = build_answers(
        "svc", runtime=RUNTIME[ext], pattern=pattern, **({"language": LANGUAGE[ext]} if LANGUAGE[ext] else {})
    )
    assert all(keeps(path, answers) for path in after_files if not path.startswith(".")), after_files
