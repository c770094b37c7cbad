"""``doctor --bug-report FILE``: one zip a user can attach to an issue.

It holds the doctor's JSON envelope, :func:`momento_lambda_cli.info.collect` and the
project's framework files (templates, deploy settings, params files, the answers file,
package.json / requirements.txt), each passed through :func:`~momento_lambda_cli.redact.redact`
(registered secrets and every key-shaped value). A file in which the key scan still finds a
key after that is replaced by a note. Dotenv files are never included.
"""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from momento_lambda_cli import catalog
from momento_lambda_cli.doctor import keyscan
from momento_lambda_cli.errors import MomentoLambdaError
from momento_lambda_cli.project.parse import read_head
from momento_lambda_cli.redact import redact

MAX_FILE_BYTES = 1024 * 1024
MAX_FILES = 50
EXTRA_FILES = ("package.json", "requirements.txt", "pyproject.toml")
PARAMS_SUFFIXES = (".yml", ".yaml", ".json", ".toml")


def project_files(project_dir: Path) -> list[Path]:
    """The files a bug report carries: framework files first, then top-level params-like files."""
    names: list[str] = []
    for framework in catalog.FRAMEWORKS:
        names += [*framework.template_files, *framework.config_files, *framework.unsupported_files]
    names += [catalog.ANSWERS_FILE, *EXTRA_FILES]
    found = [project_dir / n for n in dict.fromkeys(names) if (project_dir / n).is_file()]
    try:
        entries = sorted(os.scandir(project_dir), key=lambda e: e.name)
    except OSError:
        entries = []
    for entry in entries:
        path = project_dir / entry.name
        if path in found or entry.name.startswith(".env") or not entry.name.endswith(PARAMS_SUFFIXES):
            continue
        if entry.is_file(follow_symlinks=False):
            found.append(path)
    return found[:MAX_FILES]


def scrub(text: str) -> str:
    """``text`` with every secret and key-shaped value masked (the whole text when a key survives)."""
    clean = redact(text)
    if keyscan.find_keys(clean):
        return "(removed: this file holds a Momento API key that could not be masked on its own)\n"
    return clean


def write(path: Path, doctor_document: dict[str, Any], info: dict[str, Any], project_dir: Path) -> list[str]:
    """Write the zip at ``path`` (atomically); returns the names it holds. Raises
    :class:`MomentoLambdaError` when it cannot be written."""
    members: dict[str, str] = {
        "doctor.json": scrub(json.dumps(doctor_document, indent=2)),
        "info.json": scrub(json.dumps(info, indent=2)),
    }
    for file in project_files(project_dir):
        data = read_head(file, MAX_FILE_BYTES)
        if data is None:
            continue
        members[f"project/{file.name}"] = scrub(data.decode("utf-8", "replace"))
    target = path.expanduser().absolute()
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise MomentoLambdaError(
            f"Cannot write the bug report to {target} ({exc.strerror or type(exc).__name__}).",
            "Pass a path in a folder you can write to, e.g. --bug-report ./doctor-report.zip.",
            code="doctor.bug-report-unwritable",
        ) from None
    try:
        with os.fdopen(fd, "wb") as handle, zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, text in members.items():
                archive.writestr(name, text)
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise MomentoLambdaError(
            f"Cannot write the bug report to {target} ({exc.strerror or type(exc).__name__}).",
            "Pass a path in a folder you can write to, e.g. --bug-report ./doctor-report.zip.",
            code="doctor.bug-report-unwritable",
        ) from None
    return list(members)
