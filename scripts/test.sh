#!/usr/bin/env bash
# The one test command (README.md and .ci/run both call it).
#
#   scripts/test.sh            everything: lint, types, every tier (unit, integration, slow; one
#                              pytest run each) on .venv's Python, then the unit tier on each other
#                              supported Python
#   scripts/test.sh --fast     lint, types and the unit tier on .venv's Python only; installs
#                              neither the SAM CLI nor osls
#   scripts/test.sh [--fast] PYTEST-ARGS...   extra arguments go to every pytest run (-k doctor)
#
# It installs what it needs (.venv with the package and its test/lint extras and nox; in full
# mode the SAM CLI and osls into .tools/, and one nox venv per other Python), runs every part
# even when an earlier one failed, prints a summary of each part's result and time, and exits
# non-zero if any part failed. The figures it announces come from benchmarks/README.md
# ("The test suite").
set -uo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}

mode=full
if [ "${1:-}" = "--fast" ]; then
  mode=fast
  shift
fi

die() {
  echo "scripts/test.sh: $1" >&2
  [ -n "${2:-}" ] && echo "hint: $2" >&2
  exit 2
}

# --- what it needs, checked before anything is installed ------------------------------------
command -v "$PYTHON" >/dev/null 2>&1 || die "$PYTHON not found" "install Python 3.10+ or set PYTHON=/path/to/python3"
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 10))' ||
  die "$PYTHON is $("$PYTHON" -V 2>&1), the tool needs 3.10 or newer" "set PYTHON=/path/to/python3.11"
others=""
if [ "$mode" = full ]; then
  for tool in node npm git; do
    command -v "$tool" >/dev/null 2>&1 ||
      die "$tool not found: the integration and slow tiers need it" "install Node.js 20+ (node and npm) and git, or run scripts/test.sh --fast"
  done
  # The other supported Pythons (pyproject.toml's classifiers), found as nox will find them.
  missing=$("$PYTHON" - <<'EOF'
import sys
sys.path.insert(0, ".")
from tests.support import pythons
print(" ".join(v for v in pythons.supported() if v != pythons.current() and pythons.find(v) is None))
EOF
  ) || die "could not list the supported Pythons (tests/support/pythons.py)"
  [ -z "$missing" ] ||
    die "python$missing not found: the unit tier runs on every supported Python" "pyenv install ${missing%% *} (or put python${missing%% *} on PATH), or run scripts/test.sh --fast"
  others=$("$PYTHON" -c 'import sys; sys.path.insert(0, "."); from tests.support import pythons; print(" ".join(v for v in pythons.supported() if v != pythons.current()))')
fi

# --- the plan ------------------------------------------------------------------------------
first_run=no
[ -x .venv/bin/python ] || first_run=yes
{
  echo "scripts/test.sh ($mode) on $("$PYTHON" -V 2>&1), $(nproc 2>/dev/null || echo '?') cores"
  if [ "$mode" = fast ]; then
    echo "  install: .venv (the package, test and lint extras)$([ $first_run = yes ] && echo ', about 2 min the first time')"
    echo "  run:     ruff, mypy, the unit tier (about 1-2 min on 2 cores)"
  else
    echo "  install: .venv, the SAM CLI and osls into .tools/, a nox venv for Python $others"
    echo "           (about 7 min the first time, seconds after)"
    echo "  run:     ruff, mypy; unit + integration + slow tiers (about 11 min on 2 cores);"
    echo "           the unit tier on Python $others (about 1 min each)"
    echo "  quicker: scripts/test.sh --fast (the unit tier only)"
  fi
} >&2

# --- parts: each runs whatever happened before, the summary tells ---------------------------
summary=()
status=0
part() {
  local name=$1
  shift
  echo "== $name" >&2
  local started=$SECONDS rc=0
  "$@" || rc=$?
  local took=$((SECONDS - started))
  if [ "$rc" -eq 0 ]; then
    summary+=("$(printf '  ok      %4ss  %s' "$took" "$name")")
  else
    summary+=("$(printf '  FAILED  %4ss  %s (exit %s)' "$took" "$name" "$rc")")
    status=1
  fi
  return "$rc"
}

install_venv() {
  [ -x .venv/bin/python ] || "$PYTHON" -m venv .venv || return
  .venv/bin/python -m pip install -q --disable-pip-version-check -e '.[dev]'
}

if ! part "install .venv" install_venv; then
  printf '%s\n' "${summary[@]}" >&2
  exit 1
fi
if [ "$mode" = full ]; then
  # The nox venvs install in the background while the tools install and lint runs.
  nox_log=$(mktemp)
  .venv/bin/nox --install-only >"$nox_log" 2>&1 &
  nox_pid=$!
  part "install the SAM CLI and osls (.tools/)" scripts/install-tools.sh
fi

part "ruff check" .venv/bin/ruff check momento_lambda_cli tests benchmarks noxfile.py
part "ruff format --check" .venv/bin/ruff format --check momento_lambda_cli tests benchmarks noxfile.py
part "mypy" .venv/bin/mypy
if [ "$mode" = full ]; then
  nox_installed() {
    wait "$nox_pid" && return
    cat "$nox_log" >&2
    return 1
  }
  part "install the nox venvs (Python $others; in the background, this is the wait)" nox_installed
  rm -f "$nox_log"
fi
# One pytest run per tier, so the summary shows what each tier costs; "no tests ran" (exit 5,
# e.g. a -k that selects nothing in a tier) is not a failure.
tier() {
  local rc=0
  .venv/bin/pytest -m "$1" --durations=15 "${@:2}" || rc=$?
  [ "$rc" -eq 5 ] && rc=0
  return "$rc"
}
python_version=$(.venv/bin/python -V)
part "unit tier ($python_version)" tier unit "$@"
if [ "$mode" = full ]; then
  part "integration tier ($python_version)" tier integration "$@"
  part "slow tier ($python_version)" tier slow "$@"
  part "unit tier on Python $others (nox)" .venv/bin/nox -- "$@"
fi

echo "== summary" >&2
printf '%s\n' "${summary[@]}" >&2
exit "$status"
