"""``doctor --bug-report FILE``: one zip a user can attach to an issue.

It holds the doctor's JSON envelope, :func:`momento_lambda_cli.info.collect` and the
project's framework files (templates, deploy settings, params files, the answers file,
package.json / requirements.txt: regular files inside the project only, symlinks never
followed; ``project/SKIPPED.txt`` lists what was left out and why), each passed through :func:`~momento_lambda_cli.redact.redact`
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
from momento_lambda_cli.project.files import open_project_file
from momento_lambda_cli.redact import redact

MAX_FILE_BYTES = 1024 * 1024
MAX_FILES = 50
EXTRA_FILES = ("package.json", "requirements.txt", "pyproject.toml")
PARAMS_SUFFIXES = (".yml", ".yaml", ".json", ".toml")


def project_files(project_dir: Path) -> list[Path]:
    """The files a bug report may carry (framework files first, then top-level params-like
    files), as paths in the project folder; :func:`collect` decides which it reads."""
    names: list[str] = []
    for framework in catalog.FRAMEWORKS:
        names += [*framework.template_files, *framework.config_files, *framework.unsupported_files]
    names += [catalog.ANSWERS_FILE, *EXTRA_FILES]
    found = [project_dir / n for n in dict.fromkeys(names) if os.path.lexists(project_dir / n)]
    try:
        entries = sorted(os.scandir(project_dir), key=lambda e: e.name)
    except OSError:
        entries = []
    for entry in entries:
        path = project_dir / entry.name
        if path in found or entry.name.startswith(".env") or not entry.name.endswith(PARAMS_SUFFIXES):
            continue
        found.append(path)
    return found[:MAX_FILES]


def collect(project_dir: Path) -> tuple[dict[str, bytes], list[str]]:
    """The project files the report carries (name -> first bytes) and the ones it skipped, each
    with the reason: only regular files inside the project, opened by the one project-file
    reader; a symlink is never followed (``package.json -> ~/.aws/credentials``,
    ``requirements.txt -> .env``), nor is a FIFO, device or folder."""
    carried: dict[str, bytes] = {}
    skipped: list[str] = []
    for file in project_files(project_dir):
        if file.is_symlink():
            skipped.append(f"{file.name}: a symlink (not followed)")
            continue
        try:
            fd = open_project_file(file, project_dir)
        except MomentoLambdaError as exc:
            skipped.append(f"{file.name}: {exc.message.removeprefix(f'{file}: ').removesuffix('; it was not read.')}")
            continue
        if fd is None:
            continue
        with os.fdopen(fd, "rb") as handle:
            carried[file.name] = handle.read(MAX_FILE_BYTES)
    return carried, skipped


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
    carried, skipped = collect(project_dir)
    for name, data in carried.items():
        members[f"project/{name}"] = scrub(data.decode("utf-8", "replace"))
    if skipped:
        members["project/SKIPPED.txt"] = scrub(
            "Files this report did not include (only regular files inside the project are read):\n"
            + "".join(f"- {line}\n" for line in skipped)
        )
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
