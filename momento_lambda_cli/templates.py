"""Find the cookiecutter templates shipped with the tool.

In a wheel they live at ``momento_lambda_cli/project_templates`` (hatch force-includes the
top-level ``project_templates/`` folder there); in a source checkout or an editable install
they are the repository's ``project_templates/``.
"""

from __future__ import annotations

from pathlib import Path

from momento_lambda_cli.errors import MomentoLambdaError

_PACKAGE_DIR = Path(__file__).resolve().parent


def templates_root() -> Path:
    """The folder holding the project templates; raises if the installation lacks it."""
    for candidate in (_PACKAGE_DIR / "project_templates", _PACKAGE_DIR.parent / "project_templates"):
        if candidate.is_dir():
            return candidate
    raise MomentoLambdaError(
        "The project templates are missing from this installation of momento-lambda.",
        "Reinstall it: `pip install --force-reinstall momento-lambda`.",
        code="templates.missing",
    )
