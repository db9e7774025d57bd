#!/usr/bin/env bash
# The main job: set up, validate every entry, reproduce every CPU claim, build the site.
# Statuses on the site come from the hub's own evidence (fetched from the `evidence` branch
# when the clone's remote has one); this machine's runs are shown beside them as reported.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/lmhub validate
.venv/bin/lmhub evidence fetch 2>/dev/null ||
  echo "no evidence branch reachable: statuses will show as not yet run by the hub's CI"
.venv/bin/lmhub run --all -j "${LMHUB_JOBS:-2}" || echo "some claims did not reproduce; see the table above"
.venv/bin/lmhub build
echo "site built in site/; open site/index.html or run: .venv/bin/lmhub serve"
