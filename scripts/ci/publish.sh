#!/usr/bin/env bash
# The main workflow's publishing job: add the records this workflow run made to the
# evidence branch and push it.
#   bash scripts/ci/publish.sh FOLDER...
# Needs GITHUB_RUN_ID; with GH_TOKEN set, pushes with it (from the environment only, so the
# token is never written to disk). EVIDENCE_REMOTE overrides the remote (tests use a path).
set -euo pipefail
source "$(dirname "$0")/common.sh"
remote=${EVIDENCE_REMOTE:-origin}
if [ -n "${GH_TOKEN:-}" ]; then
  basic=$(printf 'x-access-token:%s' "$GH_TOKEN" | base64 -w0)
  export GIT_CONFIG_COUNT=1
  export GIT_CONFIG_KEY_0="http.https://github.com/.extraheader"
  export GIT_CONFIG_VALUE_0="AUTHORIZATION: basic $basic"
fi
$LMHUB evidence publish --remote "$remote" --run-id "${GITHUB_RUN_ID:?}" "$@"
