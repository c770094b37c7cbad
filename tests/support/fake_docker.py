"""A stand-in ``docker`` for serverless-python-requirements (``dockerizePip: true``).

There is no Docker engine here. The stand-in records every argv (one JSON list per line) and,
for ``docker run public.ecr.aws/sam/build-pythonX.Y:latest-<arch> ...``, does what the image
would: ``pip install`` the mounted requirements.txt into the mounted /var/task, with wheels for
Lambda's platform (manylinux2014_x86_64 / _aarch64) and that Python version. Any other image
is refused, so a wrong image name fails the packaging.
"""

from __future__ import annotations

import sys
from pathlib import Path

SCRIPT = r"""#!{python}
import json, os, re, subprocess, sys
argv = sys.argv[1:]
with open({log!r}, "a") as log:
    log.write(json.dumps(argv) + "\n")
if not argv or argv[0] != "run":
    sys.exit(0)
mounts, i = {{}}, 1
while i < len(argv) and argv[i].startswith("-"):
    if argv[i] in ("-v", "--volume"):
        host, container = argv[i + 1].split(":")[:2]
        mounts[container] = host
        i += 2
    elif argv[i] in ("-e", "--env", "-u", "--user", "-w", "--workdir"):
        i += 2
    else:
        i += 1
image = argv[i]
match = re.fullmatch(r"public\.ecr\.aws/sam/build-python(\d+\.\d+):latest-(x86_64|arm64)", image)
if not match:
    sys.exit("fake docker: unexpected image " + image)
version, arch = match.groups()
task = mounts["/var/task"]
platform = "manylinux2014_" + ("aarch64" if arch == "arm64" else "x86_64")
subprocess.run(
    [sys.executable, "-m", "pip", "install", "-q", "--disable-pip-version-check", "--no-compile",
     "--platform", platform, "--implementation", "cp", "--python-version", version, "--only-binary=:all:",
     "-t", task, "-r", os.path.join(task, "requirements.txt")],
    check=True,
)
"""


def install(bin_dir: Path, log: Path) -> Path:
    """Write the stand-in as ``bin_dir/docker``; returns its path. Put ``bin_dir`` first on PATH."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    path = bin_dir / "docker"
    path.write_text(SCRIPT.format(python=sys.executable, log=str(log)))
    path.chmod(0o755)
    return path
