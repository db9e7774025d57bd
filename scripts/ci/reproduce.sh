#!/usr/bin/env bash
# The main workflow's reproduction, from the root of a checkout of main:
#   bash scripts/ci/reproduce.sh [lmhub run options, e.g. --device cuda]
# Starts from the published evidence, runs whatever it does not cover yet (and the mutants),
# and leaves the new records in .evidence/ for the publishing job. A claim that fails is
# evidence like any other, so only a broken run of lmhub itself fails this step.
set -uo pipefail
source "$(dirname "$0")/common.sh"
$LMHUB evidence fetch || exit 2
$LMHUB run --all --evidence -j 2 --summary "$SUMMARY" "$@"
full=$?
$LMHUB run --all --evidence --mutants -j 2 --summary "$SUMMARY" "$@"
mutants=$?
[ "$full" -le 1 ] && [ "$mutants" -le 1 ]
