"""The project model: what a SAM or Serverless project in a folder says, read the way its
deploy tool reads it, and edited without touching bytes that need not change.

Data classes live in :mod:`.model` and :mod:`.values` (leaves); loaders in :mod:`.sam` and
:mod:`.serverless`; the region / stage / stack-name rules in :mod:`.settings`; surgical
editors in :mod:`.edit`; the answers file of generated projects in :mod:`.answers`.
"""

from momento_lambda_cli.project.answers import (
    ANSWERS_FILE,
    SAM,
    SERVERLESS,
    detect_framework,
    load_answers,
    refuse_unread,
    write_answers,
)
from momento_lambda_cli.project.files import Update, atomic_write_text, read_text, resolve_target, update_file
from momento_lambda_cli.project.load import load_project

__all__ = [
    "ANSWERS_FILE",
    "SAM",
    "SERVERLESS",
    "Update",
    "atomic_write_text",
    "detect_framework",
    "load_answers",
    "load_project",
    "read_text",
    "refuse_unread",
    "resolve_target",
    "update_file",
    "write_answers",
]
