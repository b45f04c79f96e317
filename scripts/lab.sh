#!/usr/bin/env bash
# Opens JupyterLab with mlops-lab in example_notebooks/, where quickstart.ipynb is ready to
# run; the server creates the store in example_notebooks/.mlops-lab/.
#   scripts/lab.sh                  extra arguments go to `jupyter lab` (e.g. --port 8899)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

step "virtualenv" setup_venv
step "install mlops_lab (builds the frontend)" install_package
step "frontend build" build_frontend
step "extensions enabled" check_extensions
total_time

cd "$REPO_ROOT/example_notebooks"
args=()
# Jupyter refuses to run as root without being told.
[[ $EUID -eq 0 ]] && args+=(--allow-root)
exec "$VENV/bin/jupyter" lab "${args[@]}" "$@"
