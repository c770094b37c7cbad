"""Which rendered files belong to which framework and runtime.

The project template (``project_templates/momento-lambda``) holds ONE copy of every file:
the Python and the Node.js client modules, handlers and tests exist once and serve both
frameworks. After rendering, the files that do not apply to the chosen framework / runtime
are removed here.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from fnmatch import fnmatch
from pathlib import Path

from momento_lambda_cli import catalog
from momento_lambda_cli.scaffold.answers import Answers

TEMPLATE_NAME = "momento-lambda"


def _sam(a: Answers) -> bool:
    return a.framework == catalog.SAM.name


def _serverless(a: Answers) -> bool:
    return a.framework == catalog.SERVERLESS.name


def _cdk(a: Answers) -> bool:
    return a.framework == catalog.CDK.name


def _python(a: Answers) -> bool:
    return a.is_python


def _node(a: Answers) -> bool:
    return not a.is_python


def _typescript(a: Answers) -> bool:
    return a.language == catalog.TYPESCRIPT


def _javascript(a: Answers) -> bool:
    return _node(a) and not _typescript(a)


RULES: tuple[tuple[str, Callable[[Answers], bool]], ...] = (
    (catalog.SAM.template_file, _sam),
    (catalog.SAM.settings_file, _sam),
    (catalog.SERVERLESS.template_file, _serverless),
    (catalog.CDK.template_file, _cdk),
    # The CDK app: TypeScript beside a Node.js function, Python beside a Python one.
    ("infra/*.ts", lambda a: _cdk(a) and _typescript(a)),
    ("infra/*.py", lambda a: _cdk(a) and _python(a)),
    ("requirements.txt", lambda a: _cdk(a) and _python(a)),  # the CDK app's aws-cdk-lib
    ("pytest.ini", lambda a: _cdk(a) and _python(a)),  # keeps pytest out of cdk.out/
    # Node.js projects declare @gomomento/sdk; Python Serverless projects their plugin; Python
    # CDK projects the aws-cdk CLI.
    ("package.json", lambda a: _node(a) or _serverless(a) or _cdk(a)),
    ("requirements-dev.txt", _python),
    ("src/*.py", _python),
    ("src/requirements.txt", _python),
    ("tests/test_snapstart.py", lambda a: a.snapstart),  # --snapstart implies a Python runtime
    ("tests/*.py", _python),
    # TypeScript projects get the .ts sources (the .mjs files are generated from them).
    ("tsconfig.json", _typescript),
    ("src/*.ts", _typescript),
    ("tests/*.ts", _typescript),
    ("src/*.mjs", _javascript),
    ("tests/*.mjs", _javascript),
)
"""(glob relative to the project root, keep-when). Files matching no rule are always kept."""


PATTERN_FILES: tuple[tuple[str, str], ...] = (
    ("src/handler.*", catalog.CACHE_ASIDE.name),
    ("tests/handler.test.*", catalog.CACHE_ASIDE.name),
    ("tests/test_handler.py", catalog.CACHE_ASIDE.name),
    ("src/rate_limit.*", catalog.RATE_LIMIT.name),
    ("tests/test_rate_limit.py", catalog.RATE_LIMIT.name),
)
"""(glob, pattern): each pattern's handler and tests, dropped from the other patterns' projects
(then :data:`RULES` decide by framework and language). Everything else is shared."""


def keeps(relative: str, answers: Answers) -> bool:
    for pattern, owner in PATTERN_FILES:
        if fnmatch(relative, pattern) and answers.pattern != owner:
            return False
    for pattern, keep in RULES:
        if fnmatch(relative, pattern):
            return keep(answers)
    return True


JUNK_DIRS = ("__pycache__", ".pytest_cache", "node_modules")
"""Folders that are never part of a template, though an installed copy may hold them
(pip byte-compiles the templates' ``.py`` files into ``__pycache__`` at install time)."""


def prune(project_dir: Path, answers: Answers) -> None:
    """Remove the rendered files that do not belong to ``answers``' framework and runtime."""
    for junk in [p for p in project_dir.rglob("*") if p.is_dir() and p.name in JUNK_DIRS]:
        shutil.rmtree(junk, ignore_errors=True)
    for path in sorted(project_dir.rglob("*")):
        if path.is_file() and not keeps(path.relative_to(project_dir).as_posix(), answers):
            path.unlink()
    # A folder whose every file went (infra/ of a SAM or Serverless project) goes too, deepest first.
    for folder in sorted((p for p in project_dir.rglob("*") if p.is_dir()), key=lambda p: len(p.parts), reverse=True):
        if not any(folder.iterdir()):
            folder.rmdir()


def project_files(project_dir: Path) -> list[str]:
    """Every file of the project, relative and sorted (what `new` reports)."""
    return sorted(p.relative_to(project_dir).as_posix() for p in project_dir.rglob("*") if p.is_file())
