#!/usr/bin/env bash
# Build the site from the published evidence:
#   bash scripts/ci/site.sh
set -euo pipefail
source "$(dirname "$0")/common.sh"
$LMHUB evidence fetch --remote "${EVIDENCE_REMOTE:-origin}"
$LMHUB build
