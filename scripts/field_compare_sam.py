#!/usr/bin/env python3
"""Compare the project model's samconfig reading with the SAM CLI's own reader.

    <sam venv>/bin/python scripts/field_compare_sam.py [--config-env ENV] [--shapes] DIR...

Runs under the SAM CLI's Python (``samcli`` importable). For every SAM folder under DIRs
that has a samconfig file (``samconfig.toml`` / ``.yaml`` / ``.yml``), reads it as
``sam deploy`` does (``SamConfig.get_all(["deploy"], "parameters", env)``: global
parameters overlaid by the deploy ones) and turns ``parameter_overrides`` into a dict with
``CfnParameterOverridesType`` (the click type ``sam deploy`` uses); then compares region,
stack name and every override of a parameter the template declares with what the model
resolved (the model runs in its own Python: ``scripts/field_test.py --json``, with
``--model-python``). Prints one line per difference, then the totals.

``--shapes`` also lists every distinct shape of samconfig file under DIRs (format, version,
config envs, commands, how ``parameter_overrides`` is written), with a count and an example.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SAMCONFIG_NAMES = ("samconfig.toml", "samconfig.yaml", "samconfig.yml")
PRUNE = {"node_modules", ".git", ".aws-sam", ".serverless", ".venv", "venv", "__pycache__", "cdk.out"}


def default_model_python() -> str:
    candidate = HERE.parent / ".venv" / "bin" / "python"
    return str(candidate) if candidate.is_file() else "python3"


def model_records(dirs: list[Path], python: str) -> list[dict[str, Any]]:
    env = dict(os.environ, PYTHONPATH=str(HERE.parent))
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE"):
        env.pop(name, None)
    proc = subprocess.run(
        [python, str(HERE / "field_test.py"), "--json", *map(str, dirs)], capture_output=True, text=True, env=env
    )
    records = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    return [r for r in records if "folder" in r]


def sam_view(folder: Path, config_env: str) -> dict[str, Any]:
    """What ``sam deploy --config-env ENV`` reads from the folder's samconfig."""
    from samcli.cli.types import CfnParameterOverridesType
    from samcli.lib.config.samconfig import SamConfig

    filename = SamConfig.get_default_file(str(folder))
    config = SamConfig(str(folder), filename=Path(filename).name)
    params = config.get_all(["deploy"], "parameters", env=config_env)
    overrides_raw = params.get("parameter_overrides")
    try:
        overrides = CfnParameterOverridesType().convert(overrides_raw, None, None) if overrides_raw else {}
    except Exception as exc:  # click's fail() raises BadParameter: sam deploy would stop there
        overrides = {"<sam rejects>": f"{type(exc).__name__}: {exc}"}
    return {
        "file": Path(filename).name,
        "region": params.get("region"),
        "stack_name": params.get("stack_name"),
        "overrides": overrides,
        "overrides_raw": overrides_raw,
    }


def value_of(setting: Any) -> Any:
    value = setting.get("value") if isinstance(setting, dict) and "source" in setting else setting
    if isinstance(value, dict) and "unresolved" in value:
        return "?" + str(value["unresolved"])
    return value


def compare(record: dict[str, Any], sam: dict[str, Any], declared: set[str]) -> list[tuple[str, Any, Any]]:
    diffs: list[tuple[str, Any, Any]] = []
    for name in ("region", "stack_name"):
        model = value_of(record.get(name))
        if (model or None) != (sam[name] or None):
            diffs.append((name, model, sam[name]))
    parameters = record.get("parameters") or {}
    for key, value in sam["overrides"].items():
        if key == "<sam rejects>":
            diffs.append(("parameter_overrides", "(parsed)", value))
            continue
        if key not in declared:
            continue
        model = value_of(parameters.get(key))
        if model != value:
            diffs.append((f"parameter {key}", model, value))
    for key in parameters:
        if key in sam["overrides"] or key.startswith("<"):
            continue
        written = str(sam["overrides_raw"] or "")
        if re.search(rf"\b{re.escape(key)}\b", written):
            diffs.append((f"parameter {key}", value_of(parameters[key]), "(no override: sam does not parse one)"))
    return diffs


def declared_parameters(folder: Path) -> set[str]:
    """Names under the template's ``Parameters:`` (a line scan: the model does the real parse)."""
    for name in ("template.yaml", "template.yml"):
        path = folder / name
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            match = re.search(r"^Parameters:\s*\n((?:[ \t]+.*\n|\s*\n|#.*\n)*)", text, re.MULTILINE)
            if not match:
                return set()
            indent = None
            names = set()
            for line in match.group(1).splitlines():
                m = re.match(r"^([ \t]+)([A-Za-z0-9]+)\s*:", line)
                if m and (indent is None or len(m.group(1)) == indent):
                    indent = len(m.group(1))
                    names.add(m.group(2))
            return names
    return set()


# --- shapes ------------------------------------------------------------------------------


def samconfig_files(dirs: list[Path]) -> list[Path]:
    found: list[Path] = []
    for top in dirs:
        for current, subdirs, files in os.walk(top):
            subdirs[:] = sorted(d for d in subdirs if d not in PRUNE)
            found.extend(Path(current) / f for f in sorted(files) if re.fullmatch(r"samconfig.*\.(toml|ya?ml|json)", f))
    return found


def overrides_form(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, list):
        inner = {overrides_form(v) for v in value}
        return "list[" + ",".join(sorted(inner)) + "]"
    if isinstance(value, dict):
        return "table"
    text = str(value)
    forms = []
    if text.startswith("file://"):
        forms.append("file://")
    if "ParameterKey=" in text:
        forms.append("ParameterKey=,ParameterValue=")
    elif "=" in text:
        forms.append("Key=Value")
    if '\\"' in text or '"' in text:
        forms.append("double-quoted values")
    if "'" in text:
        forms.append("single-quoted values")
    if "\n" in text:
        forms.append("multi-line")
    return "string(" + "; ".join(forms or ["other"]) + ")"


def shape(path: Path) -> str:
    suffix = path.suffix.lstrip(".")
    text = path.read_text(encoding="utf-8", errors="replace")
    try:
        if suffix == "toml":
            import tomllib

            data: Any = tomllib.loads(text)
        elif suffix == "json":
            data = json.loads(text)
        else:
            import yaml

            data = yaml.safe_load(text)
    except Exception as exc:
        return f"{suffix}: does not parse ({type(exc).__name__})"
    if not isinstance(data, dict):
        return f"{suffix}: not a mapping"
    parts = [suffix, f"version={data.get('version', '-')}"]
    envs = [k for k, v in data.items() if isinstance(v, dict)]
    parts.append(f"envs={len(envs)}" + ("(default)" if "default" in envs else "(no default)"))
    commands: set[str] = set()
    forms: set[str] = set()
    keys: set[str] = set()
    for env in envs:
        for command, section in data[env].items():
            if not isinstance(section, dict):
                commands.add(f"{command}(not a table)")
                continue
            commands.add(command)
            params = section.get("parameters")
            if isinstance(params, dict):
                keys.update(k for k in params if k in {"region", "stack_name", "profile", "config_env", "s3_prefix"})
                if "parameter_overrides" in params:
                    forms.add(f"{command}:{overrides_form(params['parameter_overrides'])}")
    parts.append("commands=" + ",".join(sorted(commands)))
    parts.append("keys=" + ",".join(sorted(keys)))
    parts.append("overrides=" + (" | ".join(sorted(forms)) or "none"))
    return "  ".join(parts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dirs", nargs="+", type=Path)
    parser.add_argument("--config-env", default="default")
    parser.add_argument("--model-python", default=default_model_python())
    parser.add_argument("--shapes", action="store_true", help="also list the distinct samconfig shapes")
    parser.add_argument("--loader", choices=["old", "new"], default=None, help="see field_test.py")
    args = parser.parse_args(argv)
    if args.loader:
        os.environ["FIELD_TEST_LOADER"] = args.loader
    totals: Counter[str] = Counter()
    by_field: Counter[str] = Counter()
    for record in model_records(args.dirs, args.model_python):
        folder = Path(record["folder"])
        if not any((folder / n).is_file() for n in SAMCONFIG_NAMES) or record.get("framework") == "serverless":
            continue
        totals["folders with samconfig"] += 1
        if "exception" in record or "refused" in record:
            totals["model failed"] += 1
            print(f"MODEL-FAILED {folder}: {record.get('exception') or record.get('refused')}")
            continue
        try:
            sam = sam_view(folder, args.config_env)
        except Exception as exc:
            totals["sam failed"] += 1
            print(f"SAM-FAILED {folder}: {type(exc).__name__}: {exc}")
            continue
        totals["compared"] += 1
        diffs = compare(record, sam, declared_parameters(folder))
        if diffs:
            totals["folders with differences"] += 1
        for name, model, value in diffs:
            by_field[name.split(" ")[0]] += 1
            print(f"DIFF {folder} {name}: model={model!r} sam={value!r}")
    summary: dict[str, Any] = {"totals": dict(totals), "differences_by_field": dict(by_field.most_common())}
    if args.shapes:
        shapes: dict[str, list[str]] = {}
        for path in samconfig_files(args.dirs):
            shapes.setdefault(shape(path), []).append(str(path))
        summary["samconfig_shapes"] = [
            {"shape": s, "count": len(paths), "example": paths[0]}
            for s, paths in sorted(shapes.items(), key=lambda kv: -len(kv[1]))
        ]
    print(json.dumps(summary, indent=2))
    return 1 if by_field else 0


if __name__ == "__main__":
    sys.exit(main())
