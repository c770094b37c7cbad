"""``doctor --bug-report FILE``: one zip a user can attach to an issue.

It holds the doctor's JSON envelope, :func:`momento_lambda_cli.info.collect` and the
project's framework files (templates, deploy settings, params files, the answers file,
package.json / requirements.txt / pyproject.toml at the top and in every code folder the
functions and their layers use: regular files inside the project only, no symlink followed
anywhere on the way; ``project/SKIPPED.txt`` lists what was left out and why), each passed
through :func:`~momento_lambda_cli.redact.redact` (registered secrets and every key-shaped
value) and :func:`mask_person` (the home folder shown as ``~``, the user name as ``<user>``).
A file in which the key scan still finds a key after that is replaced by a note. Dotenv files
are never included.
"""

from __future__ import annotations

import getpass
import json
import os
import re
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


def code_folder_files(project_dir: Path) -> tuple[list[Path], list[str]]:
    """The dependency files (requirements.txt, package.json, pyproject.toml) of every code
    folder the project's functions and their layers use, as paths in the project folder, and
    the code folders left out (outside the project, e.g. through a symlink). None when the
    project does not load: the top-level files still go in."""
    from momento_lambda_cli.project.load import load_project

    try:
        project = load_project(project_dir, environ={})
    except Exception:  # a broken project is what a bug report is for: carry what can be read
        return [], []
    real_root = Path(os.path.realpath(project_dir))
    found: list[Path] = []
    skipped: list[str] = []
    for function in project.functions:
        for folder in function.code_dirs:
            if not folder.is_relative_to(real_root):
                note = f"{folder}: a code folder outside the project folder (not followed)"
                skipped += [] if note in skipped else [note]
                continue
            for name in EXTRA_FILES:
                path = project_dir / folder.relative_to(real_root) / name
                if path.parent != project_dir and os.path.lexists(path) and path not in found:
                    found.append(path)
    return found[:MAX_FILES], skipped


def _symlink_on_the_way(project_dir: Path, path: Path) -> bool:
    """Whether ``path`` or any folder between ``project_dir`` and it is a symlink."""
    try:
        parts = path.relative_to(project_dir).parts
    except ValueError:
        return True
    current = project_dir
    for part in parts:
        current = current / part
        if current.is_symlink():
            return True
    return False


def collect(project_dir: Path) -> tuple[dict[str, bytes], list[str]]:
    """The project files the report carries (relative name -> first bytes) and the ones it
    skipped, each with the reason: only regular files inside the project, opened by the one
    project-file reader; a symlink is never followed, neither the file's own
    (``package.json -> ~/.aws/credentials``, ``requirements.txt -> .env``) nor a folder's on the
    way (``src -> ~``), nor is a FIFO, device or folder read."""
    carried: dict[str, bytes] = {}
    in_code_folders, skipped = code_folder_files(project_dir)
    for file in [*project_files(project_dir), *in_code_folders]:
        name = file.relative_to(project_dir).as_posix()
        if _symlink_on_the_way(project_dir, file):
            skipped.append(f"{name}: a symlink (not followed)")
            continue
        try:
            fd = open_project_file(file, project_dir)
        except MomentoLambdaError as exc:
            skipped.append(f"{name}: {exc.message.removeprefix(f'{file}: ').removesuffix('; it was not read.')}")
            continue
        if fd is None:
            continue
        with os.fdopen(fd, "rb") as handle:
            carried[name] = handle.read(MAX_FILE_BYTES)
    return carried, skipped


GENERIC_USERS = frozenset({"root", "user", "admin", "runner", "ubuntu", "ec2-user", "nobody", "node", "app"})
"""User names that identify nobody (and are common words in files): not masked."""


def _home_folders() -> list[str]:
    found: list[str] = []
    for candidate in (os.environ.get("HOME"), str(Path.home())):
        if not candidate:
            continue
        for form in (candidate, os.path.realpath(candidate)):
            form = form.rstrip("/")
            if len(form) > 1 and form not in found:
                found.append(form)
    return sorted(found, key=len, reverse=True)


def _user_name() -> str | None:
    try:
        name = getpass.getuser()
    except Exception:  # no user name in the environment and none in the password database
        return None
    return name if len(name) >= 3 and name not in GENERIC_USERS else None


def mask_person(text: str, homes: list[str] | None = None, user: str | None = None) -> str:
    """``text`` with the home folder shown as ``~`` (``/home/alice/proj`` -> ``~/proj``) and the
    user name as ``<user>`` (whole words only; defaults: this process's home and user)."""
    for home in _home_folders() if homes is None else homes:
        text = re.sub(re.escape(home) + r"(?=[/\\\"'\s:,;)\]}]|$)", "~", text)
    name = _user_name() if user is None else user
    if name:
        text = re.sub(r"(?<![\w.-])" + re.escape(name) + r"(?![\w-])", "<user>", text)
    return text


def scrub(text: str) -> str:
    """``text`` with every secret and key-shaped value masked (the whole text when a key
    survives), the home folder and the user name too."""
    clean = redact(text)
    if keyscan.find_keys(clean):
        return "(removed: this file holds a Momento API key that could not be masked on its own)\n"
    return mask_person(clean)


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
