#!/usr/bin/env bash
# Set up, then run the checks: lint, types, schema drift, and the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --with-browser
.venv/bin/ruff check site_tools tests bench repro
.venv/bin/ruff format --check site_tools tests bench repro
.venv/bin/mypy
.venv/bin/lmhub schema --check
.venv/bin/python -m pytest "$@"
