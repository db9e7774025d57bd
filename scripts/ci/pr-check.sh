#!/usr/bin/env bash
# The pull-request check, from the root of a checkout of the pull request:
#   bash scripts/ci/pr-check.sh BASE_REF
# Validates every entry, then reruns the claims the pull request changes, their smoke
# configurations and their mutants in an empty record store, so that records committed in
# the pull request cannot stand for runs. Exits 1 when any of them fails.
set -uo pipefail
source "$(dirname "$0")/common.sh"
base=${1:?usage: pr-check.sh BASE_REF}
store=$(mktemp -d)
trap 'rm -rf "$store"' EXIT
status=0
$LMHUB validate --strict --format github || exit 1
$LMHUB run --changed-since "$base" -j 2 --results "$store" --summary "$SUMMARY" || status=1
$LMHUB run --changed-since "$base" --smoke -j 2 --results "$store" --summary "$SUMMARY" || status=1
$LMHUB run --changed-since "$base" --mutants -j 2 --results "$store" --summary "$SUMMARY" || status=1
exit $status
