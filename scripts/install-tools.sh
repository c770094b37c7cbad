#!/usr/bin/env bash
# Install the external tools the test suite drives, into the git-ignored .tools/ folder:
#   .tools/sam   the AWS SAM CLI in its own venv (it pins its own boto3 and cfn-lint)
#   .tools/node  osls (open-source Serverless Framework), serverless-python-requirements and
#                ts-blank-space (scripts/gen_node_client.py)
# Each is reinstalled only when its pinned requirements change.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
TOOLS=.tools
mkdir -p "$TOOLS"

stamp() { sha256sum "$@" | sha256sum | cut -c1-16; }

sam_stamp=$(stamp scripts/tools/requirements-sam.txt)
if [ "$(cat "$TOOLS/sam/.stamp" 2>/dev/null)" != "$sam_stamp" ]; then
  echo "install-tools: installing the AWS SAM CLI into $TOOLS/sam" >&2
  rm -rf "$TOOLS/sam"
  "$PYTHON" -m venv "$TOOLS/sam"
  "$TOOLS/sam/bin/python" -m pip install -q --disable-pip-version-check -r scripts/tools/requirements-sam.txt
  echo "$sam_stamp" > "$TOOLS/sam/.stamp"
fi

node_stamp=$(stamp scripts/tools/package.json scripts/tools/package-lock.json)
if [ "$(cat "$TOOLS/node/.stamp" 2>/dev/null)" != "$node_stamp" ]; then
  echo "install-tools: installing osls, serverless-python-requirements and ts-blank-space into $TOOLS/node" >&2
  rm -rf "$TOOLS/node"
  mkdir -p "$TOOLS/node"
  cp scripts/tools/package.json scripts/tools/package-lock.json "$TOOLS/node/"
  (cd "$TOOLS/node" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$node_stamp" > "$TOOLS/node/.stamp"
fi
