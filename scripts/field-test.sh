#!/usr/bin/env bash
# Field test of the project model: scripts/field-test.sh [--json] [--quiet] [--limit-seconds N] DIR...
# Field test of doctor: scripts/field-test.sh --doctor [--jobs N] [--limit-seconds N] [--json] DIR...
# (see scripts/field_test.py). Uses this checkout's package with the project's .venv
# (or $PYTHON).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
PYTHON=${PYTHON:-"$here/.venv/bin/python"}
[ -x "$PYTHON" ] || PYTHON=python3
exec env PYTHONPATH="$here${PYTHONPATH:+:$PYTHONPATH}" "$PYTHON" "$here/scripts/field_test.py" "$@"
