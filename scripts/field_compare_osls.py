#!/usr/bin/env python3
"""Compare the project model with ``osls print --format json`` (the Serverless resolver).

    scripts/field_compare_osls.py [--jobs N] [--timeout S] [--cache DIR] [--osls PATH] DIR...

For every Serverless folder under DIRs (found as :mod:`field_test` finds them), runs
``osls print --format json`` offline (fake AWS credentials, a scratch HOME, the telemetry
off, a time limit) and compares stage, region, service and each function's runtime /
memorySize / timeout / handler with what the model resolved. Prints one line per
difference, one line per folder osls could not resolve (a plugin missing from
node_modules, an ``${ssm:}`` it cannot reach...), then the totals.

osls 4 refuses a ``frameworkVersion`` it does not satisfy (``"3"``) and, by default, a
runtime it no longer lists (``nodejs18.x``); neither changes how variables resolve. So each
folder is printed from a copy of its config without ``frameworkVersion`` and with
``configValidationMode: off``, written next to it (``serverless.field-osls.yml``) so relative
``${file()}`` paths still resolve, and removed afterwards. osls outputs are cached per folder
and config content under ``--cache``.

Settings osls leaves out of its output take the framework's defaults: stage ``dev``,
region ``us-east-1``, memory 1024, timeout 6.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import field_test

TOOLS = Path(os.environ.get("MOMENTO_LAMBDA_TOOLS", Path(__file__).resolve().parent.parent / ".tools"))
DEFAULT_OSLS = TOOLS / "node" / "node_modules" / ".bin" / "osls"
DEFAULT_CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "momento-lambda-field" / "osls"
SLS_DEFAULTS = {"stage": "dev", "region": "us-east-1", "memory": 1024, "timeout": 6}
SCRATCH_CONFIG = "serverless.field-osls.yml"
FRAMEWORK_VERSION = re.compile(r"^frameworkVersion\s*:.*$", re.MULTILINE)
VALIDATION_MODE = re.compile(r"^configValidationMode\s*:.*$", re.MULTILINE)
PLUGINS = re.compile(r"^plugins\s*:.*\n(?:(?:[ \t]+.*|-.*|[ \t]*|#.*)(?:\n|$))*", re.MULTILINE)


def scratch_config(text: str) -> str:
    """``text`` without ``frameworkVersion`` and with ``configValidationMode: off``."""
    text = VALIDATION_MODE.sub("", FRAMEWORK_VERSION.sub("", text))
    return text.rstrip("\n") + "\nconfigValidationMode: off\n"


def config_file(folder: Path) -> Path:
    return next(folder / n for n in field_test.SLS_FILES if (folder / n).is_file())


def osls_print(folder: Path, osls: Path, timeout: float, cache: Path) -> dict[str, Any]:
    """``{"ok": True, "config": {...}}`` or ``{"ok": False, "error": first lines}`` (cached).

    When osls stops on a plugin that is not installed, the folder is printed once more with
    its ``plugins:`` section left out (``"plugins_removed": True`` in the result): the
    plugins found in the corpus do not change how stage, region, service or function
    settings resolve."""
    config = config_file(folder)
    text = config.read_text(encoding="utf-8", errors="replace")
    key = hashlib.sha256(f"{folder}\0{text}".encode()).hexdigest()[:24]
    cached = cache / f"{key}.json"
    if cached.is_file():
        result: dict[str, Any] = json.loads(cached.read_text())
        if result["ok"] or result.get("plugins_removed") or error_class(result["error"]) != "plugin not installed":
            return result
    else:
        result = run_osls(folder, osls, scratch_config(text), timeout)
    if not result["ok"] and error_class(result["error"]) == "plugin not installed":
        without = PLUGINS.sub("", scratch_config(text))
        result = {**run_osls(folder, osls, without, timeout), "plugins_removed": True}
    if not result.get("timed_out"):  # a timeout says more about the machine than the folder: not cached
        cache.mkdir(parents=True, exist_ok=True)
        cached.write_text(json.dumps(result))
    return result


def run_osls(folder: Path, osls: Path, config_text: str, timeout: float) -> dict[str, Any]:
    """``osls print`` of ``config_text`` written next to the folder's own config."""
    scratch = folder / SCRATCH_CONFIG
    scratch.write_text(config_text, encoding="utf-8")
    args = [str(osls), "print", "--format", "json", "--config", SCRATCH_CONFIG]
    with tempfile.TemporaryDirectory(prefix="field-osls-home-") as home:
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": home,
            "AWS_ACCESS_KEY_ID": "x",
            "AWS_SECRET_ACCESS_KEY": "x",
            "SLS_TELEMETRY_DISABLED": "1",
            "SLS_NOTIFICATIONS_MODE": "off",
            "SLS_DEPRECATION_DISABLE": "*",
            "CI": "1",
            # Any AWS call goes to a closed local port: fails fast, never leaves the machine.
            "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
            "HTTPS_PROXY": "http://127.0.0.1:9",
            "HTTP_PROXY": "http://127.0.0.1:9",
        }
        try:
            proc = subprocess.run(
                args, cwd=folder, env=env, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL
            )
        except subprocess.TimeoutExpired:
            return {"ok": False, "error": f"timed out after {timeout}s", "timed_out": True}
        finally:
            scratch.unlink(missing_ok=True)
    if proc.returncode == 0:
        try:
            return {"ok": True, "config": json.loads(proc.stdout)}
        except json.JSONDecodeError:
            return {"ok": False, "error": "output is not JSON: " + proc.stdout[:200]}
    return {"ok": False, "error": summarize_error(proc.stderr + "\n" + proc.stdout)}


def summarize_error(text: str) -> str:
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    skip = ("Environment:", "Docs:", "Support:", "Bugs:", "Credentials:", "Error:", "Learn more")
    keep = [ln for ln in lines if not ln.startswith(skip)]
    return " | ".join(keep[:3])[:400] or "no output"


def error_class(message: str) -> str:
    """A short class for an osls failure (what to group the report by)."""
    patterns = [
        (r"plugin .* not found|Cannot find module|Serverless plugin", "plugin not installed"),
        (r"ssm:|SSM", "${ssm:} needs AWS"),
        (r"\bcf:|CloudFormation|cf\(", "${cf:} needs AWS"),
        (r"s3:", "${s3:} needs AWS"),
        (r"aws:accountId|AWS account|credentials|sts", "needs AWS account"),
        (r"env:|environment variable", "environment variable not set"),
        (r"file\(|No file found|does not exist|ENOENT", "file missing"),
        (r"timed out", "timeout"),
        (r"frameworkVersion", "frameworkVersion"),
        (r"Object notation for \"service\"", "service as an object (osls 4 refuses it)"),
        (r"Unrecognized provider|provider", "provider not aws"),
        (r"Cannot resolve variable|Cannot resolve", "unresolvable variable"),
        (r"YAML|yaml|parse", "YAML"),
    ]
    for pattern, name in patterns:
        if re.search(pattern, message):
            return name
    return "other"


def norm(value: Any) -> Any:
    """Values comparable across JSON sources: numbers as float, ``{"unresolved": x}`` kept."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return value
    return value


def compare(record: dict[str, Any], config: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """(field, model value, osls value) for every difference."""
    diffs: list[tuple[str, Any, Any]] = []
    provider = config.get("provider") or {}
    service = config.get("service")
    if isinstance(service, dict):
        service = service.get("name")

    def check(name: str, model: Any, osls: Any) -> None:
        if name in record.get("not_exposed", ()):
            return
        if isinstance(model, dict) and "unresolved" in model:
            # The model flags the value; it agrees when osls leaves the same text (or nothing) in place.
            expression = model["unresolved"]
            if (osls is None and expression == "(default)") or str(osls) == expression:
                return
        if norm(model) != norm(osls):
            diffs.append((name, model, osls))

    check("stage", record["stage"]["value"], provider.get("stage", SLS_DEFAULTS["stage"]))
    check("region", record["region"]["value"], provider.get("region", SLS_DEFAULTS["region"]))
    check("service", record["service"], service)
    osls_functions = config.get("functions") or {}
    if not isinstance(osls_functions, dict):
        osls_functions = {}
    model_functions = {f["key"]: f for f in record["functions"]}
    if any(str(p).startswith("functions: unresolved") for p in record.get("problems", ())):
        # The model says it cannot know the functions (e.g. built by JavaScript that Serverless
        # runs): it agrees with osls when it lists none of its own.
        osls_functions = {k: v for k, v in osls_functions.items() if k in model_functions}
    for key in sorted(set(osls_functions) - set(model_functions)):
        diffs.append((f"functions.{key}", "(absent)", "(present)"))
    for key in sorted(set(model_functions) - set(osls_functions)):
        diffs.append((f"functions.{key}", "(present)", "(absent)"))
    for key in sorted(set(osls_functions) & set(model_functions)):
        spec = osls_functions[key] or {}
        model = model_functions[key]
        check(f"functions.{key}.runtime", model["runtime"], spec.get("runtime", provider.get("runtime")))
        check(
            f"functions.{key}.memorySize",
            model["memory"],
            spec.get("memorySize", provider.get("memorySize", SLS_DEFAULTS["memory"])),
        )
        check(
            f"functions.{key}.timeout",
            model["timeout"],
            spec.get("timeout", provider.get("timeout", SLS_DEFAULTS["timeout"])),
        )
        if "image" not in spec:
            check(f"functions.{key}.handler", model["handler"], spec.get("handler"))
    return diffs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dirs", nargs="+", type=Path)
    parser.add_argument("--osls", type=Path, default=DEFAULT_OSLS)
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--timeout", type=float, default=180.0)
    parser.add_argument("--jobs", type=int, default=max(1, (os.cpu_count() or 2) // 2))
    parser.add_argument("--json", action="store_true", help="one JSON record per folder, then the totals")
    parser.add_argument("--loader", choices=["old", "new"], default=None, help="see field_test.py")
    args = parser.parse_args(argv)
    field_test.set_loader(args.loader)
    folders = [f for f in field_test.project_folders(args.dirs) if any((f / n).is_file() for n in field_test.SLS_FILES)]
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        osls_results = list(pool.map(lambda f: osls_print(f, args.osls, args.timeout, args.cache), folders))
    totals: Counter[str] = Counter()
    by_field: Counter[str] = Counter()
    unresolved: Counter[str] = Counter()
    for folder, result in zip(folders, osls_results, strict=True):
        totals["folders"] += 1
        record = field_test.run_one(folder, 20.0)
        out: dict[str, Any] = {"folder": str(folder)}
        if "exception" in record or "refused" in record:
            totals["model failed"] += 1
            out["model_failed"] = record.get("exception") or record.get("refused")
        if result.get("plugins_removed"):
            totals["printed without plugins"] += 1
            out["plugins_removed"] = True
        if not result["ok"]:
            totals["osls could not resolve"] += 1
            cls = error_class(result["error"])
            unresolved[cls] += 1
            out["osls_unresolved"] = {"class": cls, "error": result["error"]}
        elif "model_failed" not in out:
            totals["compared"] += 1
            diffs = compare(record, result["config"])
            out["differences"] = [{"field": f, "model": m, "osls": o} for f, m, o in diffs]
            if diffs:
                totals["folders with differences"] += 1
            for name, _, _ in diffs:
                by_field[re.sub(r"^functions\.[^.]+", "functions.*", name)] += 1
        if args.json:
            print(json.dumps(out, sort_keys=True, default=str))
            continue
        if "model_failed" in out:
            print(f"MODEL-FAILED {folder}: {out['model_failed']}")
        if "osls_unresolved" in out:
            print(f"OSLS-UNRESOLVED [{out['osls_unresolved']['class']}] {folder}: {result['error'][:200]}")
        for diff in out.get("differences", []):
            print(f"DIFF {folder} {diff['field']}: model={diff['model']!r} osls={diff['osls']!r}")
    summary = {
        "totals": dict(totals),
        "differences_by_field": dict(by_field.most_common()),
        "osls_unresolved_by_class": dict(unresolved.most_common()),
    }
    print(json.dumps(summary, sort_keys=True) if args.json else json.dumps(summary, indent=2))
    return 1 if by_field else 0


if __name__ == "__main__":
    sys.exit(main())
