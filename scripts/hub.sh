#!/usr/bin/env bash
# The main job: set up, validate every entry, reproduce every CPU claim, build the site.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/lmhub validate
.venv/bin/lmhub run --all -j "${LMHUB_JOBS:-2}" || echo "some claims did not reproduce; see the table above"
.venv/bin/lmhub build
echo "site built in site/; open site/index.html or run: .venv/bin/lmhub serve"
