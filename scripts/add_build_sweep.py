#!/usr/bin/env python3
"""Field sweep: real `momento-lambda add` + the project's own build, on copies of project folders.

For each folder of the input JSONL (objects with "folder"; with --outcome, only those whose
"outcome" matches, e.g. the `added` plans of an earlier `add --dry-run` sweep):

1. copy the folder (symlinks kept) to SCRATCH/<n>-<slug>/proj, `git init` + commit; the source
   folder is never written;
2. baseline: `cfn-lint` on the SAM template (E-level findings kept) and the project's build
   (SAM: `sam build --no-use-container`; Serverless: `npm install --ignore-scripts` when there is a
   package.json, then `osls package`); the state after it is committed;
3. `momento-lambda add --no-input --json` (wall time kept); refused (exit 1, error code kept) and
   crashed (any other exit, or a traceback) stop here;
4. idempotence: commit, run add again, and compare `git status --porcelain` and the file contents
   (build folders left out) to the first add's;
5. after-add: cfn-lint again (new E-level findings = after minus baseline, by rule and message) and
   the same build, from a clean build folder.

Builds run under `nice -n 10`, one at a time, each with --timeout seconds. Network use is held to
the package registries: AWS credentials are removed, the EC2 metadata endpoint is disabled, SAM and
Serverless telemetry are off, and HTTP(S) proxies point at 127.0.0.1 with only the registries in
NO_PROXY.

Classes (field "status"): skip (reason), baseline-fail, add-refused (add_code), add-crash,
after-add-ok, after-add-fail. Results are appended one JSON object per line to --out (a folder
already there is not run again, so a stopped sweep resumes); --totals prints the totals of --out.

  python scripts/add_build_sweep.py --folders add.jsonl --outcome added --out results.jsonl \
      --scratch /tmp/addsweep --limit 150 --timeout 300
  python scripts/add_build_sweep.py --out results.jsonl --totals
"""

from __future__ import annotations

import argparse
import collections
import glob
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TOOLS = REPO / ".tools"
SAM = TOOLS / "sam" / "bin" / "sam"
NODE_BIN = TOOLS / "node" / "node_modules" / ".bin"
VENV_BIN = REPO / ".venv" / "bin"
SAM_TEMPLATES = ("template.yaml", "template.yml")
SLS_FILES = ("serverless.yml", "serverless.yaml")
BUILD_DIRS = {".aws-sam", ".serverless", "node_modules", "__pycache__", ".git", ".venv", ".requirements"}
REGISTRIES = "registry.npmjs.org,pypi.org,files.pythonhosted.org,localhost,127.0.0.1"


def python_bins() -> dict[str, str]:
    """pythonX.Y -> bin folder holding it (pyenv versions, then the system's)."""
    found: dict[str, str] = {}
    root = subprocess.run(["pyenv", "root"], capture_output=True, text=True).stdout.strip() or str(
        Path.home() / ".pyenv"
    )
    for d in sorted(glob.glob(f"{root}/versions/*/bin")):
        for exe in glob.glob(f"{d}/python3.*"):
            name = os.path.basename(exe)
            if re.fullmatch(r"python3\.\d+", name):
                found.setdefault(name, d)
    for d in ("/usr/bin", "/usr/local/bin"):
        for exe in glob.glob(f"{d}/python3.*"):
            name = os.path.basename(exe)
            if re.fullmatch(r"python3\.\d+", name):
                found.setdefault(name, d)
    return found


PY = python_bins()


def build_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and "PROXY" not in k.upper()}
    path = [str(NODE_BIN), str(SAM.parent), "/usr/local/bin", "/usr/bin", "/bin"]
    path += sorted(set(PY.values()) - set(path))
    env.update(
        PATH=":".join(path),
        SAM_CLI_TELEMETRY="0",
        SLS_TELEMETRY_DISABLED="1",
        SLS_NOTIFICATIONS_MODE="off",
        SLS_DEPRECATION_DISABLE="*",
        AWS_EC2_METADATA_DISABLED="true",
        AWS_REGION="us-east-1",
        AWS_DEFAULT_REGION="us-east-1",
        HTTP_PROXY="http://127.0.0.1:9",
        HTTPS_PROXY="http://127.0.0.1:9",
        http_proxy="http://127.0.0.1:9",
        https_proxy="http://127.0.0.1:9",
        NO_PROXY=REGISTRIES,
        no_proxy=REGISTRIES,
        CI="1",
        PIP_DISABLE_PIP_VERSION_CHECK="1",
    )
    env.pop("PYENV_VERSION", None)
    return env


ENV = build_env()


def run(cmd: list[str], cwd: Path, log: Path, timeout: int, nice: bool = True) -> dict:
    """Run cmd, output to log; rc (None on timeout), seconds, last lines."""
    full = ["nice", "-n", "10", *cmd] if nice else cmd
    t0 = time.monotonic()
    with open(log, "ab") as fh:
        fh.write(f"\n$ {' '.join(cmd)}\n".encode())
        fh.flush()
        try:
            p = subprocess.Popen(full, cwd=cwd, stdout=fh, stderr=subprocess.STDOUT, env=ENV, start_new_session=True)
            rc = p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, 9)
            p.wait()
            rc = None
    secs = round(time.monotonic() - t0, 1)
    return {"rc": rc, "secs": secs}


def tail(log: Path, n: int = 25) -> str:
    lines = log.read_text(errors="replace").splitlines()
    keep = [ln for ln in lines if ln.strip()]
    return "\n".join(keep[-n:])[-4000:]


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, env=ENV).stdout


def commit(cwd: Path, msg: str) -> None:
    git(cwd, "add", "-A")
    git(cwd, "-c", "user.name=sweep", "-c", "user.email=sweep@localhost", "commit", "-qm", msg, "--allow-empty")


def snapshot(root: Path) -> dict[str, str]:
    """Path -> sha256 of every file outside build folders (ignored files included)."""
    out = {}
    for dirpath, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in BUILD_DIRS]
        for f in files:
            p = Path(dirpath, f)
            if p.is_symlink():
                out[str(p.relative_to(root))] = "link:" + os.readlink(p)
            else:
                out[str(p.relative_to(root))] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def kind_of(folder: Path) -> tuple[str | None, Path | None]:
    for n in SAM_TEMPLATES:
        if (folder / n).is_file():
            return "sam", folder / n
    for n in SLS_FILES:
        if (folder / n).is_file():
            return "sls", folder / n
    return None, None


def runtimes(text: str) -> set[str]:
    return set(
        re.findall(
            r"\b(python3\.\d+|nodejs\d+\.x|java\d+|go1\.x|provided(?:\.al2023|\.al2)?|dotnet\w*|ruby[\d.]+)\b", text
        )
    )


def cfn_lint(cwd: Path, template: str, log: Path) -> list[str] | None:
    """E-level findings as 'E1234 message' (None when cfn-lint itself did not run)."""
    p = subprocess.run(
        [str(VENV_BIN / "cfn-lint"), "-f", "parseable", "--", template],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=ENV,
        timeout=180,
    )
    with open(log, "a") as fh:
        fh.write(f"\n$ cfn-lint {template} (rc {p.returncode})\n{p.stdout}{p.stderr}")
    if p.returncode not in (0, 2, 4, 6, 8, 10, 12, 14):
        return None
    found = []
    for ln in p.stdout.splitlines():
        parts = ln.split(":", 6)
        if len(parts) == 7 and parts[5].startswith("E"):
            found.append(f"{parts[5]} {parts[6]}")
    return found


def build(kind: str, cwd: Path, log: Path, timeout: int) -> dict:
    shutil.rmtree(cwd / ".aws-sam", ignore_errors=True)
    shutil.rmtree(cwd / ".serverless", ignore_errors=True)
    if kind == "sam":
        r = run([str(SAM), "build", "--no-use-container"], cwd, log, timeout)
        r["cmd"] = "sam build --no-use-container"
        return r
    steps = []
    if (cwd / "package.json").is_file():
        r = run(
            ["npm", "install", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"], cwd, log, timeout
        )
        steps.append("npm install --ignore-scripts")
        if r["rc"] != 0:
            r["cmd"] = " && ".join(steps)
            r["step"] = "npm install"
            return r
        t = r["secs"]
    else:
        t = 0
    r = run([str(NODE_BIN / "osls"), "package"], cwd, log, timeout)
    steps.append("osls package")
    r["cmd"] = " && ".join(steps)
    r["secs"] = round(r["secs"] + t, 1)
    r["step"] = "osls package"
    return r


def adapt_framework_version(path: Path) -> str | None:
    """Make osls (the Serverless Framework v3 fork, version 4.x) build a v3 service, in the copy,
    before the first commit (so the baseline and the after-add build see the same file): it refuses
    any ``frameworkVersion`` it does not satisfy, so a top-level pin to a major below 4 is commented
    out."""
    text = path.read_text(errors="replace")
    done = []
    m = re.search(r"^frameworkVersion:[ \t]*(.*)$", text, re.M)
    digits = re.findall(r"\d+", m.group(1)) if m else []
    if m and not (digits and int(digits[0]) >= 4):
        text = text[: m.start()] + "# (sweep: osls) " + text[m.start() :]
        done.append(f"frameworkVersion {m.group(1).strip()} commented out")
    # osls validates the configuration in 'error' mode by default and no longer lists older
    # runtimes (nodejs18.x): the Framework v3 default, 'warn', is set when the service sets none.
    s = re.search(r"^service:", text, re.M)
    if s and not re.search(r"^configValidationMode:", text, re.M):
        text = text[: s.start()] + "configValidationMode: warn # (sweep: osls)\n" + text[s.start() :]
        done.append("configValidationMode: warn")
    if done:
        path.write_text(text)
    return "; ".join(done) or None


def add(cwd: Path, log: Path) -> dict:
    t0 = time.monotonic()
    p = subprocess.run(
        [str(VENV_BIN / "momento-lambda"), "add", "--no-input", "--json", "."],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=ENV,
        timeout=300,
    )
    secs = round(time.monotonic() - t0, 2)
    with open(log, "a") as fh:
        fh.write(f"\n$ momento-lambda add --no-input --json . (rc {p.returncode}, {secs}s)\n{p.stdout}\n{p.stderr}")
    out: dict = {"rc": p.returncode, "secs": secs}
    try:
        doc = json.loads(p.stdout)
    except ValueError:
        doc = None
    if doc is not None:
        errs = doc.get("errors") or []
        if errs:
            out["code"] = errs[0].get("code")
            out["message"] = (errs[0].get("message") or "")[:300]
        data = doc.get("data") or {}
        out["functions"] = data.get("functions")
        out["written"] = data.get("written")
        out["skipped"] = data.get("skipped")
    if "Traceback" in p.stderr or p.returncode not in (0, 1) or doc is None:
        out["crash"] = (p.stderr or p.stdout)[-1500:]
    return out


def slug(folder: str) -> str:
    parts = folder.split("/repos", 1)[-1].split("/", 2)[-1]
    return re.sub(r"[^A-Za-z0-9._-]+", "_", parts)[:80]


def sweep_one(n: int, folder: Path, scratch: Path, timeout: int) -> dict:
    res: dict = {"folder": str(folder)}
    kind, tpl = kind_of(folder)
    if kind is None:
        return {**res, "status": "skip", "reason": "no template.yaml / serverless.yml"}
    res["kind"] = kind
    text = tpl.read_text(errors="replace")
    rts = runtimes(text)
    res["runtimes"] = sorted(rts)
    missing = sorted(r for r in rts if r.startswith("python") and r not in PY)
    if missing:
        return {**res, "status": "skip", "reason": f"no local {', '.join(missing)}"}
    work = scratch / f"{n:04d}-{slug(str(folder))}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    proj = work / "proj"
    shutil.copytree(folder, proj, symlinks=True)
    res["work"] = str(work)
    if kind == "sls":
        res["adapted"] = adapt_framework_version(proj / tpl.name)
    git(proj, "init", "-q")
    (proj / ".git" / "info").mkdir(parents=True, exist_ok=True)
    (proj / ".git" / "info" / "exclude").write_text("\n".join(f"{d}/" for d in BUILD_DIRS if d != ".git") + "\n")
    commit(proj, "copy")
    blog, alog, addlog = work / "baseline.log", work / "after.log", work / "add.log"
    res["dockerize_pip"] = bool(re.search(r"dockerizePip:\s*(true|non-linux|['\"]?true)", text))

    if kind == "sam":
        res["lint_before"] = cfn_lint(proj, tpl.name, work / "lint.log")
    b = build(kind, proj, blog, timeout)
    res["baseline"] = {k: b[k] for k in ("rc", "secs", "cmd")}
    baseline_ok = b["rc"] == 0
    if not baseline_ok:
        res["baseline"]["tail"] = tail(blog)
    commit(proj, "baseline build")
    samcfg_before = {p.name: p.read_text(errors="replace") for p in proj.glob("samconfig.*")}

    a = add(proj, addlog)
    res["add"] = {k: v for k, v in a.items() if k not in ("written",)}
    res["add_secs"] = a["secs"]
    if "crash" in a:
        res["status"] = "add-crash"
        return res
    if a["rc"] == 1:
        res["status"] = "add-refused"
        res["add_code"] = a.get("code")
        res["baseline_ok"] = baseline_ok
        return res
    # samconfig use_container introduced by add (plain `sam build` then needs Docker)
    uc = lambda t: bool(re.search(r"use_container\s*[=:]\s*true", t))  # noqa: E731
    after_cfg = {p.name: p.read_text(errors="replace") for p in proj.glob("samconfig.*")}
    res["add_sets_use_container"] = any(uc(t) for t in after_cfg.values()) and not any(
        uc(t) for t in samcfg_before.values()
    )
    # idempotence: a second add on the committed result changes nothing
    for f in a.get("written") or []:
        git(proj, "add", "-f", "--", f)
    commit(proj, "add")
    snap1 = snapshot(proj)
    a2 = add(proj, addlog)
    porcelain = git(proj, "status", "--porcelain")
    snap2 = snapshot(proj)
    changed = sorted(k for k in set(snap1) | set(snap2) if snap1.get(k) != snap2.get(k))
    res["idempotent"] = a2["rc"] == 0 and not porcelain.strip() and not changed
    if not res["idempotent"]:
        res["second_add"] = {
            "rc": a2["rc"],
            "porcelain": porcelain[:1000],
            "changed": changed[:20],
            "code": a2.get("code"),
            "diff": git(proj, "diff")[:3000],
        }
        git(proj, "checkout", "-q", "--", ".")
        git(proj, "clean", "-fdq")
    if kind == "sam":
        res["lint_after"] = cfn_lint(proj, tpl.name, work / "lint.log")
        if res["lint_before"] is not None and res["lint_after"] is not None:
            new = collections.Counter(res["lint_after"]) - collections.Counter(res["lint_before"])
            res["lint_new_errors"] = sorted(new.elements())
    if not baseline_ok:
        res["status"] = "baseline-fail"
        return res
    b2 = build(kind, proj, alog, timeout)
    res["after"] = {k: b2[k] for k in ("rc", "secs", "cmd")}
    if b2["rc"] == 0:
        res["status"] = "after-add-ok"
    else:
        res["status"] = "after-add-fail"
        res["after"]["tail"] = tail(alog)
    return res


CONFIG_FILES = {".momento-lambda.json", "samconfig.toml", "samconfig.yaml", "samconfig.yml", "package.json"}
CONFIG_FILES |= {"requirements.txt", "pyproject.toml"}


def artifact_check(kind: str, proj: Path, functions: list[str]) -> dict:
    """After a good after-add build: does the artifact hold the client module add created and
    the Momento SDK? SAM: .aws-sam/build/<function>/ (a folder holding only a bundle is
    'bundled': esbuild keeps a module only when the handler imports it); Serverless: the
    .serverless/*.zip files. Returns {"ok": bool, "missing": [...], "bundled": [...]}."""
    import zipfile

    names = git(proj, "show", "--name-status", "--format=", "HEAD").split("\n")
    created = [ln.split("\t")[-1] for ln in names if ln.startswith("A\t")]
    clients = sorted({os.path.basename(f) for f in created if os.path.basename(f) not in CONFIG_FILES})
    missing: list[str] = []
    bundled: list[str] = []
    if kind == "sam":
        for fn in functions:
            d = proj / ".aws-sam" / "build" / fn
            if not d.is_dir():
                missing.append(f"{fn}: no build folder")
                continue
            files = {p.name for p in d.rglob("*") if "node_modules" not in p.parts and p.is_file()}
            if not (d / "node_modules").exists() and not any(f.endswith(".py") for f in files) and len(files) <= 4:
                bundled.append(fn)
                continue
            if not any(c in files for c in clients):
                missing.append(f"{fn}: client module {clients}")
            node = any(c.endswith((".mjs", ".js", ".cjs", ".ts")) for c in clients)
            if node and not (d / "node_modules" / "@gomomento" / "sdk").is_dir():
                missing.append(f"{fn}: node_modules/@gomomento/sdk")
            if not node and not (d / "momento" / "__init__.py").is_file():
                missing.append(f"{fn}: momento package")
    else:
        config = next((proj / n for n in SLS_FILES if (proj / n).is_file()), None)
        text = config.read_text(errors="replace") if config else ""
        if re.search(r"serverless-(esbuild|webpack|plugin-typescript|bundle)\b", text):
            bundled.append("(service: bundler plugin)")
            return {"ok": True, "missing": [], "bundled": bundled, "clients": clients}
        zips = list((proj / ".serverless").glob("*.zip"))
        members: set[str] = set()
        for z in zips:
            with zipfile.ZipFile(z) as zf:
                members |= set(zf.namelist())
        base = {os.path.basename(m) for m in members}
        if not any(c in base for c in clients):
            missing.append(f"client module {clients} in no zip")
        if not any("@gomomento/sdk/package.json" in m for m in members) and not any(
            m.startswith("momento/") for m in members
        ):
            missing.append("Momento SDK in no zip")
    return {"ok": not missing, "missing": missing, "bundled": bundled, "clients": clients}


def check_artifacts(out: Path) -> None:
    """Add an "artifact" field to the after-add-ok rows of `out` (their work folders kept)."""
    rows = [json.loads(ln) for ln in out.read_text().splitlines() if ln.strip()]
    for r in rows:
        if r.get("status") == "after-add-ok" and r.get("work") and Path(r["work"], "proj").is_dir():
            fns = (r.get("add") or {}).get("functions") or []
            r["artifact"] = artifact_check(r["kind"], Path(r["work"], "proj"), fns)
    out.write_text("".join(json.dumps(r) + "\n" for r in rows))


def add_doc(work: Path) -> dict:
    """The first add's JSON document from work/add.log."""
    text = (work / "add.log").read_text(errors="replace")
    return json.JSONDecoder().raw_decode(text[text.index("{") :])[0]


def probe_import(row: dict, timeout: int) -> dict:
    """Follow add's usage on an after-add-ok copy: put the import line add printed for each
    function at the top of its handler file (with a statement that uses the imported names, so
    neither a bundler nor `noUnusedLocals` drops it), build again, then restore the handler
    files. Returns {"rc", "secs", "tail"?, "functions": {name: handler file}}."""
    sys.path.insert(0, str(REPO))
    from momento_lambda_cli.project import load_project

    work = Path(row["work"])
    proj = work / "proj"
    imports = add_doc(work)["data"].get("imports") or {}
    project = load_project(proj)
    edited: dict[str, str] = {}
    for fn in project.functions:
        line = imports.get(fn.key)
        if not line or fn.handler_file is None or str(fn.handler_file) in edited.values():
            continue
        path = Path(fn.handler_file)
        text = path.read_text()
        names = re.findall(r"import \{([^}]*)\}", line)
        if names:  # ES module / TypeScript: use the names
            use = f"void [{names[0].strip()}];\n"
        elif line.startswith("from "):
            use = ""
        else:  # CommonJS: `const momento = import('./momentoClient.mjs');`
            use = "void momento;\n"
        head = ""
        if text.startswith("#!"):
            head, text = text.split("\n", 1)[0] + "\n", text.split("\n", 1)[1]
        path.write_text(head + line + "\n" + use + text)
        edited[fn.key] = str(path.relative_to(proj))
    log = work / "probe.log"
    if not edited:
        return {"rc": None, "functions": {}, "note": "no handler file to edit"}
    if row["kind"] == "sls" and (proj / "package.json").is_file():
        pass  # build() runs npm install first
    r = build(row["kind"], proj, log, timeout)
    out = {"rc": r["rc"], "secs": r["secs"], "functions": edited}
    if r["rc"] != 0:
        out["tail"] = tail(log)
    git(proj, "checkout", "-q", "--", *edited.values())
    return out


def probe_imports(out: Path, timeout: int, match: str | None, limit: int) -> None:
    """Run probe_import on the after-add-ok rows of `out` (matching `match`), record "probe"."""
    rows = [json.loads(ln) for ln in out.read_text().splitlines() if ln.strip()]
    n = 0
    for r in rows:
        if r.get("status") != "after-add-ok" or "probe" in r or (match and not re.search(match, r["folder"])):
            continue
        if limit and n >= limit:
            break
        try:
            r["probe"] = probe_import(r, timeout)
        except Exception as e:
            r["probe"] = {"rc": None, "error": repr(e)[:500]}
        n += 1
        print(f"[{time.strftime('%H:%M:%S')}] probe rc={r['probe'].get('rc')} {r['folder']}", flush=True)
        out.write_text("".join(json.dumps(x) + "\n" for x in rows))


def interleave(rows: list[dict]) -> list[dict]:
    """Round-robin over repositories so one big repo does not fill the sample."""
    by: dict[str, list[dict]] = collections.OrderedDict()
    for r in rows:
        key = r["folder"].split("/repos", 1)[-1].split("/")[1]
        by.setdefault(key, []).append(r)
    out = []
    while any(by.values()):
        for v in by.values():
            if v:
                out.append(v.pop(0))
    return out


def totals(path: Path) -> dict:
    rows = [json.loads(ln) for ln in path.read_text().splitlines() if ln.strip()]
    st = collections.Counter(r["status"] for r in rows)
    t = {
        "folders": len(rows),
        "by_status": dict(st),
        "skipped_reasons": dict(collections.Counter(r.get("reason") for r in rows if r["status"] == "skip")),
        "baseline_ok": sum(1 for r in rows if (r.get("baseline") or {}).get("rc") == 0),
        "refused_by_code": dict(collections.Counter(r.get("add_code") for r in rows if r["status"] == "add-refused")),
        "after_add_fail_by_class": dict(
            collections.Counter(r.get("fail_class", "unclassified") for r in rows if r["status"] == "after-add-fail")
        ),
        "folders_with_new_cfn_lint_errors": sum(1 for r in rows if r.get("lint_new_errors")),
        "new_cfn_lint_rules": dict(
            collections.Counter(e.split()[0] for r in rows for e in r.get("lint_new_errors") or [])
        ),
        "idempotent": sum(1 for r in rows if r.get("idempotent") is True),
        "not_idempotent": sum(1 for r in rows if r.get("idempotent") is False),
        "add_sets_use_container": sum(1 for r in rows if r.get("add_sets_use_container")),
        "probe_import": dict(
            collections.Counter(
                "ok" if r["probe"].get("rc") == 0 else "fail" if r["probe"].get("rc") else "n/a"
                for r in rows
                if "probe" in r
            )
        ),
        "artifact_missing": sum(1 for r in rows if (r.get("artifact") or {}).get("ok") is False),
        "artifact_bundled_only": sum(1 for r in rows if (r.get("artifact") or {}).get("bundled")),
    }
    secs = sorted(r["add_secs"] for r in rows if "add_secs" in r)
    if secs:
        t["add_secs"] = {"median": secs[len(secs) // 2], "max": secs[-1], "n": len(secs)}
    return t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--folders", type=Path, help="input JSONL with 'folder' (and 'outcome')")
    ap.add_argument("--outcome", default=None, help="keep only rows with this outcome (e.g. added)")
    ap.add_argument("--out", type=Path, required=True, help="results JSONL (appended; resumable)")
    ap.add_argument("--scratch", type=Path, default=Path(tempfile.gettempdir(), "addsweep"))
    ap.add_argument("--limit", type=int, default=0, help="stop after this many folders run (0: all)")
    ap.add_argument("--timeout", type=int, default=300, help="seconds per build step")
    ap.add_argument("--match", default=None, help="regex a folder must match")
    ap.add_argument("--keep-order", action="store_true", help="run in file order (default: round-robin over repos)")
    ap.add_argument("--check-artifacts", action="store_true", help="check the after-add artifacts of --out, exit")
    ap.add_argument("--probe-import", action="store_true", help="follow add's import line and rebuild (--out rows)")
    ap.add_argument("--totals", action="store_true", help="print the totals of --out and exit")
    args = ap.parse_args()
    if args.probe_import:
        probe_imports(args.out, args.timeout, args.match, args.limit)
        return
    if args.check_artifacts:
        check_artifacts(args.out)
        return
    if args.totals:
        print(json.dumps(totals(args.out), indent=2))
        return
    rows = [json.loads(ln) for ln in args.folders.read_text().splitlines() if ln.strip()]
    if args.outcome:
        rows = [r for r in rows if r.get("outcome") == args.outcome]
    if args.match:
        rows = [r for r in rows if re.search(args.match, r["folder"])]
    if not args.keep_order:
        rows = interleave(rows)
    done = set()
    if args.out.exists():
        done = {json.loads(ln)["folder"] for ln in args.out.read_text().splitlines() if ln.strip()}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    ran = 0
    for i, r in enumerate(rows):
        if r["folder"] in done:
            continue
        if args.limit and ran >= args.limit:
            break
        t0 = time.monotonic()
        try:
            res = sweep_one(i, Path(r["folder"]), args.scratch, args.timeout)
        except Exception as e:
            res = {"folder": r["folder"], "status": "sweep-error", "error": repr(e)[:500]}
        res["wall"] = round(time.monotonic() - t0, 1)
        with open(args.out, "a") as fh:
            fh.write(json.dumps(res) + "\n")
        ran += 1
        print(f"[{time.strftime('%H:%M:%S')}] {i} {res['status']:<15} {res.get('wall')}s {r['folder']}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
