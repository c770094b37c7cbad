#!/usr/bin/env bash
# The one test command (README.md and .ci/run both call it). It installs what the tests
# need (a .venv with the package and its test/lint extras and nox, then the SAM CLI and osls
# into .tools/), runs ruff and mypy (strict on momento_lambda_cli/), the whole pytest suite
# on .venv's Python, then (noxfile.py) the fast suite (-m "not slow") on every other Python
# the tool supports: a missing one is reported and skipped, in CI (CI=true) it fails.
# Extra arguments go to every pytest run, e.g. `scripts/test.sh -m "not slow"` or `-k doctor`.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}

if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[dev]'
scripts/install-tools.sh

echo "== ruff" >&2
.venv/bin/ruff check momento_lambda_cli tests benchmarks noxfile.py
.venv/bin/ruff format --check momento_lambda_cli tests benchmarks noxfile.py
echo "== mypy" >&2
.venv/bin/mypy
echo "== pytest ($(.venv/bin/python -V))" >&2
status=0
.venv/bin/pytest "$@" || status=$?
echo "== the fast suite on the other supported Pythons (nox)" >&2
.venv/bin/nox -- "$@" || status=$?
exit "$status"
