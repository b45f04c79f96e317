#!/usr/bin/env bash
# The whole test suite, from a fresh clone or an existing checkout:
#   scripts/test.sh                 every test
#   scripts/test.sh -k search -x    extra arguments go to pytest
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

step "virtualenv" setup_venv
step "install mlops_lab[test] (builds the frontend)" install_package test
step "frontend build" build_frontend
step "chromium" ensure_chromium
step "extensions enabled" check_extensions
step "postgresql" ensure_postgres
step "redis" ensure_redis

# pytest exit code 5 means "no tests collected": for a CI run that is a failure.
run_pytest() {
    local rc=0
    "$PY" -m pytest "$@" || rc=$?
    if [[ $rc -eq 5 ]]; then
        echo "error: pytest collected no tests" >&2
    fi
    return "$rc"
}

step "pytest" run_pytest "$@"
total_time
