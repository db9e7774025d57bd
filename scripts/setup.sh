#!/usr/bin/env bash
# Create .venv and install the hub with its test tools. Safe to run again: it only adds what
# is missing. Set LMHUB_NO_BROWSER=1 to skip installing Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
# A CPU build of torch; an unpinned torch would pull a multi-GB CUDA build.
.venv/bin/python -m pip install --quiet "torch==2.13.0"
.venv/bin/python -m pip install --quiet -e ".[test,torch]"

if [ "${1:-}" = "--with-browser" ] && [ -z "${LMHUB_NO_BROWSER:-}" ] && ! command -v chromium >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  fi
fi

# axe-core for the accessibility checks of the browser test (tests/site/test_browser.py).
if [ "${1:-}" = "--with-browser" ] && [ -z "${LMHUB_NO_BROWSER:-}" ] \
  && [ ! -f .cache/axe/node_modules/axe-core/axe.min.js ]; then
  if command -v npm >/dev/null; then
    npm install --silent --no-audit --no-fund --prefix .cache/axe axe-core@4 >/dev/null
  else
    echo "npm not found: the accessibility checks of the browser test will be skipped" >&2
  fi
fi
