# Sourced by the CI scripts: how to call lmhub, and where GitHub wants its summary.
# LMHUB may name another command (the tests point it at the package under test).
LMHUB=${LMHUB:-.venv/bin/lmhub}
SUMMARY=${GITHUB_STEP_SUMMARY:-/dev/null}
