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

from momento_lambda_cli import catalog, frameworks
from momento_lambda_cli.scaffold.answers import Answers

TEMPLATE_NAME = "momento-lambda"


def _framework_file(name: str) -> Callable[[Answers], bool]:
    """Keep ``name`` (a framework's template or settings file) when the chosen framework's adapter keeps it."""
    return lambda a: name in frameworks.adapter(a.framework).keeps_rendered(a)


def _python(a: Answers) -> bool:
    return a.is_python


def _node(a: Answers) -> bool:
    return not a.is_python


def _typescript(a: Answers) -> bool:
    return a.language == catalog.TYPESCRIPT


def _javascript(a: Answers) -> bool:
    return _node(a) and not _typescript(a)


RULES: tuple[tuple[str, Callable[[Answers], bool]], ...] = (
    *((glob, _framework_file(glob)) for glob in dict.fromkeys(g for a in frameworks.adapters() for g in a.owned_files)),
    # Node.js projects declare @gomomento/sdk; Serverless projects (Python too) their plugins,
    # CDK projects the aws-cdk CLI.
    ("package.json", lambda a: _node(a) or frameworks.adapter(a.framework).needs_package_json(a)),
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


PATTERN_FILES: tuple[tuple[str, str | tuple[str, ...]], ...] = (
    ("src/handler.*", catalog.CACHE_ASIDE.name),
    ("tests/handler.test.*", catalog.CACHE_ASIDE.name),
    ("tests/test_handler.py", catalog.CACHE_ASIDE.name),
    ("src/rate_limit.*", catalog.RATE_LIMIT.name),
    ("src/rateLimit.*", catalog.RATE_LIMIT.name),
    ("tests/test_rate_limit.py", catalog.RATE_LIMIT.name),
    ("tests/rateLimit.test.*", catalog.RATE_LIMIT.name),
    ("src/idempotent_consumer.*", catalog.IDEMPOTENT_CONSUMER.name),
    ("tests/test_idempotent_consumer.py", catalog.IDEMPOTENT_CONSUMER.name),
    ("src/idempotentConsumer.*", catalog.IDEMPOTENT_CONSUMER.name),
    ("tests/idempotentConsumer.test.*", catalog.IDEMPOTENT_CONSUMER.name),
    # The sample events: an HTTP API request for the HTTP patterns (topics-publisher: its POST /events), an SQS batch for the consumer,
    # a DynamoDB stream batch for write-through's stream function (its read API has the HTTP request).
    (
        "events/event.json",
        (catalog.CACHE_ASIDE.name, catalog.RATE_LIMIT.name, catalog.TOPICS_PUBLISHER.name, catalog.WRITE_THROUGH.name),
    ),
    ("events/sqs.json", catalog.IDEMPOTENT_CONSUMER.name),
    ("events/stream.json", catalog.WRITE_THROUGH.name),
    ("src/publisher.*", catalog.TOPICS_PUBLISHER.name),
    ("src/webhook.*", catalog.TOPICS_PUBLISHER.name),
    ("tests/test_publisher.py", catalog.TOPICS_PUBLISHER.name),
    ("tests/test_webhook.py", catalog.TOPICS_PUBLISHER.name),
    ("tests/publisher.test.*", catalog.TOPICS_PUBLISHER.name),
    ("tests/webhook.test.*", catalog.TOPICS_PUBLISHER.name),
    ("src/write_through.*", catalog.WRITE_THROUGH.name),
    ("src/write_through_stream.*", catalog.WRITE_THROUGH.name),
    ("tests/test_write_through.py", catalog.WRITE_THROUGH.name),
    ("src/writeThrough.*", catalog.WRITE_THROUGH.name),
    ("src/writeThroughStream.*", catalog.WRITE_THROUGH.name),
    ("tests/writeThrough.test.*", catalog.WRITE_THROUGH.name),
)
"""(glob, pattern or patterns): each pattern's handler, tests and sample events, dropped from the
other patterns' projects (then :data:`RULES` decide by framework and language). Everything else
is shared."""


def keeps(relative: str, answers: Answers) -> bool:
    for pattern, owners in PATTERN_FILES:
        if fnmatch(relative, pattern) and answers.pattern not in ((owners,) if isinstance(owners, str) else owners):
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
