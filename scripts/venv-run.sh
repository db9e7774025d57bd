#!/usr/bin/env bash
# Run a tool of the hub's .venv (lmhub, ruff, check-jsonschema) without activating it, for
# the pre-commit hooks. Usage: bash scripts/venv-run.sh TOOL [ARGS...]
set -euo pipefail
tool="$1"
shift
root="$(cd "$(dirname "$0")/.." && pwd)"
if [ -x "$root/.venv/bin/$tool" ]; then
  exec "$root/.venv/bin/$tool" "$@"
fi
echo "$tool is not installed in $root/.venv: run 'bash scripts/setup.sh' once, then commit again" >&2
exit 1
