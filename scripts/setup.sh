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

# bubblewrap sandboxes every reproduction `lmhub run` starts (see CONTRIBUTING.md).
if ! command -v bwrap >/dev/null && command -v apt-get >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap >/dev/null
  elif command -v sudo >/dev/null; then
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap >/dev/null
  fi || echo "could not install bubblewrap; runs will not be sandboxed (see lmhub doctor)" >&2
fi

if [ "${1:-}" = "--with-browser" ] && [ -z "${LMHUB_NO_BROWSER:-}" ] && ! command -v chromium >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  fi
fi
