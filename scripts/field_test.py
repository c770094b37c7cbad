#!/usr/bin/env python3
"""Field test: run the project model over every SAM / Serverless project folder under DIRs.

    scripts/field-test.sh [--json] [--limit-seconds N] [--quiet] DIR...
    scripts/field-test.sh --doctor [--jobs N] [--limit-seconds N] [--json] DIR...  (see field_doctor.py)

A project folder holds ``serverless.yml`` / ``serverless.yaml``, or ``template.yaml`` /
``template.yml`` with an ``AWS::Serverless::`` or ``AWS::Lambda::`` resource. For each one
the model is loaded in this process (a time limit per folder, every exception caught) and
one line is printed (``--json``: one JSON record per line) with what it resolved: framework,
stage, region, stack name, service, and each function's runtime, architecture, memory,
timeout, handler, code location and layers; then the project's problems and any exception.
The last line holds the totals. Exit status 1 when any folder raised an exception other
than the model's own refusal (``MomentoLambdaError``, listed as "refused").

Only the standard library and the package are used. ``load`` is the one place that names
the loader.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import traceback
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from types import FrameType
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from momento_lambda_cli.errors import MomentoLambdaError  # noqa: E402

SLS_FILES = ("serverless.yml", "serverless.yaml")
SAM_FILES = ("template.yaml", "template.yml")
PRUNE = {"node_modules", ".git", ".aws-sam", ".serverless", ".venv", "venv", "__pycache__", "cdk.out", ".terraform"}
SAM_MARKERS = ("AWS::Serverless::", "AWS::Lambda::")
MAX_DEPTH = 12


LOADER = os.environ.get("FIELD_TEST_LOADER", "new")
"""Which loader ``load`` calls: ``new`` (``momento_lambda_cli.project.load_project``) or ``old``
(``momento_lambda_cli.doctor.project_model.load_project``); ``--loader`` sets it too."""


def load(root: Path) -> Any:
    """The project model of ``root`` (the loader under test), read with an empty environment
    so that the machine's AWS_REGION / AWS_PROFILE play no part."""
    if LOADER == "new":
        from momento_lambda_cli.project import load_project  # type: ignore[attr-defined,unused-ignore]

        return load_project(root, environ={})
    from momento_lambda_cli.doctor.project_model import load_project as load_old

    return load_old(root)


def set_loader(name: str | None) -> None:
    global LOADER
    if name:
        LOADER = name
        os.environ["FIELD_TEST_LOADER"] = name


# --- finding project folders -------------------------------------------------------------


def project_folders(dirs: list[Path], max_depth: int = MAX_DEPTH) -> Iterator[Path]:
    """Every project folder under ``dirs`` (sorted, bounded depth, dependency and build folders pruned)."""
    for top in dirs:
        top = top.resolve()
        base_depth = len(top.parts)
        for current, subdirs, files in os.walk(top):
            here = Path(current)
            subdirs[:] = sorted(d for d in subdirs if d not in PRUNE and len(here.parts) - base_depth < max_depth)
            if is_project_folder(here, set(files)):
                yield here


def is_project_folder(folder: Path, files: set[str]) -> bool:
    if any(name in files for name in SLS_FILES):
        return True
    for name in SAM_FILES:
        if name in files:
            try:
                text = (folder / name).read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            if any(marker in text for marker in SAM_MARKERS):
                return True
    return False


# --- describing a loaded model (old ProjectModel or new Project) -------------------------


def plain(value: Any, root: Path | None = None) -> Any:
    """``value`` as JSON data; an unresolved value becomes ``{"unresolved": expr, "reason": ...}``."""
    if isinstance(value, Enum):
        return plain(value.value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if type(value).__name__ == "Unresolved":
        return {"unresolved": str(getattr(value, "expression", value)), "reason": getattr(value, "reason", "")}
    if isinstance(value, Path):
        if root is not None:
            try:
                return value.resolve().relative_to(root.resolve()).as_posix() or "."
            except ValueError:
                return str(value)
        return str(value)
    if isinstance(value, dict):
        return {str(k): plain(v, root) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v, root) for v in value]
    return repr(value)


def setting(model: Any, name: str) -> dict[str, Any]:
    """A deploy setting as ``{"value", "source"}`` (the old model has bare values, no sources)."""
    raw: Any = getattr(model, name, None)
    if raw is not None and hasattr(raw, "source") and hasattr(raw, "value"):
        out = {"value": plain(raw.value), "source": raw.source}
        if getattr(raw, "note", None):
            out["note"] = raw.note
        return out
    return {"value": plain(raw), "source": "old loader" if raw is not None else None}


def code_of(function: Any, root: Path) -> dict[str, Any]:
    code = getattr(function, "code", None)
    if code is not None:
        out = {"kind": plain(code.kind), "path": plain(code.path, root), "written": code.written}
        if getattr(code, "outside_project", False):
            out["outside_project"] = True
        return out
    code_dir = getattr(function, "code_dir", None)
    if code_dir is None:
        return {"kind": "none", "path": None}
    return {"kind": "folder" if Path(code_dir).is_dir() else "missing", "path": plain(code_dir, root)}


def layers_of(function: Any) -> list[Any]:
    layers = [layer.key for layer in getattr(function, "layers", None) or []]
    return layers + [plain(ref) for ref in getattr(function, "layer_refs", None) or []]


def describe(model: Any, root: Path) -> dict[str, Any]:
    """What the model resolved, the same record shape for both loaders."""
    not_exposed = [name for name in ("stage", "service") if not hasattr(model, name)]
    stage = setting(model, "stage") if hasattr(model, "stage") else {"value": None, "source": None}
    functions = []
    for function in model.functions:
        functions.append(
            {
                "key": function.key,
                "runtime": plain(function.runtime),
                "architecture": plain(function.architecture),
                "memory": plain(function.memory),
                "timeout": plain(function.timeout),
                "handler": plain(function.handler),
                "code": code_of(function, root),
                "layers": layers_of(function),
                "problems": list(getattr(function, "problems", None) or []),
            }
        )
    return {
        "framework": model.framework,
        "stage": stage,
        "region": setting(model, "region"),
        "stack_name": setting(model, "stack_name"),
        "service": plain(getattr(model, "service", None)),
        "functions": functions,
        "layers": [layer.key for layer in getattr(model, "layers", None) or []],
        "parameters": plain(getattr(model, "parameters", None) or {}),
        "not_exposed": not_exposed,
        "problems": list(getattr(model, "problems", None) or []),
    }


def unresolved_kinds(record: dict[str, Any]) -> list[str]:
    """One ``field`` name per value the model left unresolved (a new-model Unresolved, or an
    old-model value still holding ``${``)."""
    kinds: list[str] = []

    def check(name: str, value: Any) -> None:
        if (isinstance(value, dict) and "unresolved" in value) or (isinstance(value, str) and "${" in value):
            kinds.append(name)

    for name in ("stage", "region", "stack_name"):
        check(name, record[name]["value"])
    check("service", record["service"])
    for function in record["functions"]:
        for name in ("runtime", "architecture", "memory", "timeout", "handler"):
            check(name, function[name])
        if function["code"]["kind"] in {"unresolved", "missing"}:
            kinds.append(f"code:{function['code']['kind']}")
    return kinds


# --- running ----------------------------------------------------------------------------


class FolderTimeout(Exception):
    """The folder took longer than the per-folder limit."""


def _on_alarm(signum: int, frame: FrameType | None) -> None:
    raise FolderTimeout("time limit reached")


def exception_record(exc: BaseException) -> dict[str, Any]:
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if "momento_lambda_cli" in f.filename]
    where = ours[-1] if ours else (frames[-1] if frames else None)
    location = f"{Path(where.filename).name}:{where.name}:{where.lineno}" if where else "?"
    return {
        "class": type(exc).__name__,
        "message": str(exc)[:500],
        "where": location,
        "traceback": [f"{Path(f.filename).name}:{f.lineno} {f.name}: {f.line}" for f in frames[-6:]],
    }


def run_one(root: Path, limit: float) -> dict[str, Any]:
    record: dict[str, Any] = {"folder": str(root)}
    signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, limit)
    try:
        model = load(root)
        record.update(describe(model, root))
        record["unresolved"] = unresolved_kinds(record)
    except MomentoLambdaError as exc:
        record["refused"] = {"message": exc.message, "hint": exc.hint, "code": getattr(exc, "code", None)}
    except Exception as exc:  # the field test's whole point is to catch and list these
        record["exception"] = exception_record(exc)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    return record


@dataclass
class Totals:
    folders: int = 0
    frameworks: Counter[str] = field(default_factory=Counter)
    functions: int = 0
    exceptions: Counter[str] = field(default_factory=Counter)
    refused: int = 0
    unresolved: Counter[str] = field(default_factory=Counter)
    with_problems: int = 0

    def add(self, record: dict[str, Any]) -> None:
        self.folders += 1
        if "exception" in record:
            self.exceptions[record["exception"]["class"]] += 1
            self.frameworks["(exception)"] += 1
            return
        if "refused" in record:
            self.refused += 1
            self.frameworks["(refused)"] += 1
            return
        self.frameworks[record["framework"]] += 1
        self.functions += len(record["functions"])
        self.unresolved.update(record["unresolved"])
        if record["problems"] or any(f["problems"] for f in record["functions"]):
            self.with_problems += 1

    def as_dict(self) -> dict[str, Any]:
        return {
            "totals": {
                "folders": self.folders,
                "by_framework": dict(sorted(self.frameworks.items())),
                "functions": self.functions,
                "exceptions": sum(self.exceptions.values()),
                "exceptions_by_class": dict(self.exceptions.most_common()),
                "refused": self.refused,
                "folders_with_problems": self.with_problems,
                "unresolved_by_kind": dict(self.unresolved.most_common()),
            }
        }


def line_of(record: dict[str, Any]) -> str:
    folder = record["folder"]
    if "exception" in record:
        e = record["exception"]
        return f"EXCEPTION {folder}: {e['class']} at {e['where']}: {e['message'][:200]}"
    if "refused" in record:
        return f"REFUSED   {folder}: {record['refused']['message'][:200]}"

    def v(value: Any) -> str:
        if isinstance(value, dict) and "unresolved" in value:
            return f"?{value['unresolved']}"
        return str(value)

    head = (
        f"{record['framework']:<10} {folder} stage={v(record['stage']['value'])} "
        f"region={v(record['region']['value'])}({record['region']['source']}) stack={v(record['stack_name']['value'])}"
    )
    if record["service"] is not None:
        head += f" service={v(record['service'])}"
    parts = [head]
    for f in record["functions"]:
        code = f["code"]
        layers = f" layers={','.join(map(v, f['layers']))}" if f["layers"] else ""
        parts.append(
            f"    {f['key']}: {v(f['runtime'])} {v(f['architecture'])} {v(f['memory'])}MB {v(f['timeout'])}s "
            f"{v(f['handler'])} code={code['kind']}:{code['path']}{layers}"
            + (f" problems={f['problems']}" if f["problems"] else "")
        )
    if record["problems"]:
        parts.append(f"    problems: {record['problems']}")
    return "\n".join(parts)


def main(argv: list[str] | None = None) -> int:
    if "--doctor" in (sys.argv[1:] if argv is None else argv):
        import field_doctor

        return field_doctor.main(argv)
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dirs", nargs="+", type=Path)
    parser.add_argument("--json", action="store_true", help="one JSON record per folder, then the totals")
    parser.add_argument("--limit-seconds", type=float, default=20.0, help="time limit per folder")
    parser.add_argument("--quiet", action="store_true", help="print only exceptions, refusals and the totals")
    parser.add_argument("--loader", choices=["old", "new"], default=None, help=f"default: {LOADER}")
    args = parser.parse_args(argv)
    set_loader(args.loader)
    totals = Totals()
    for root in project_folders(args.dirs):
        record = run_one(root, args.limit_seconds)
        totals.add(record)
        if args.quiet and "exception" not in record and "refused" not in record:
            continue
        print(json.dumps(record, sort_keys=True) if args.json else line_of(record), flush=True)
    summary = totals.as_dict()
    print(json.dumps(summary, sort_keys=True) if args.json else json.dumps(summary, indent=2))
    return 1 if totals.exceptions else 0


if __name__ == "__main__":
    sys.exit(main())
