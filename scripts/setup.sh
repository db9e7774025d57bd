#!/usr/bin/env bash
# Create .venv and install the hub with its test tools. Safe to run again: it only adds what
# is missing. Options:
#   --with-browser  also install Debian's Chromium for the browser test (LMHUB_NO_BROWSER=1 skips)
#   --gpu           install torch's default (CUDA) build instead of the CPU build
#   --no-torch      no torch at all (jobs that only publish records or build the site)
set -euo pipefail
cd "$(dirname "$0")/.."

browser=0 torch=cpu
for arg in "$@"; do
  case "$arg" in
    --with-browser) browser=1 ;;
    --gpu) torch=gpu ;;
    --no-torch) torch=none ;;
    *) echo "setup.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
case "$torch" in
  # A CPU build of torch; an unpinned torch would pull a multi-GB CUDA build.
  cpu) .venv/bin/python -m pip install --quiet "torch==2.13.0"
       .venv/bin/python -m pip install --quiet -e ".[test,torch]" ;;
  gpu) .venv/bin/python -m pip install --quiet -e ".[test,torch]" ;;
  none) .venv/bin/python -m pip install --quiet -e ".[test]" ;;
esac

# bubblewrap sandboxes every reproduction `lmhub run` starts (see CONTRIBUTING.md).
if ! command -v bwrap >/dev/null && command -v apt-get >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap >/dev/null
  elif command -v sudo >/dev/null; then
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap >/dev/null
  fi || echo "could not install bubblewrap; runs will not be sandboxed (see lmhub doctor)" >&2
fi

if [ "$browser" = 1 ] && [ -z "${LMHUB_NO_BROWSER:-}" ] && ! command -v chromium >/dev/null; then
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
