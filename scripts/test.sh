#!/usr/bin/env bash
# The one test command (README.md and .ci/run both call it). It installs what the tests
# need (a .venv with the package and its test/lint extras, then the SAM CLI and osls into
# .tools/), runs ruff and mypy (strict on momento_lambda_cli/), then the whole pytest suite.
# Extra arguments go to pytest, e.g. `scripts/test.sh -m "not slow"` or `-k doctor`.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}

if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[dev]'
scripts/install-tools.sh

echo "== ruff" >&2
.venv/bin/ruff check momento_lambda_cli tests benchmarks
.venv/bin/ruff format --check momento_lambda_cli tests benchmarks
echo "== mypy" >&2
.venv/bin/mypy
echo "== pytest" >&2
exec .venv/bin/pytest "$@"
