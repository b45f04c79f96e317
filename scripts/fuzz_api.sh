#!/usr/bin/env bash
# Schema-driven fuzz of the REST API: schemathesis generates requests from the OpenAPI
# document the server itself serves (/mlops-lab/api/openapi.json) and checks every answer:
# no 5xx, status codes, content types, headers and bodies as documented.
#
#   scripts/fuzz_api.sh                    25 examples per operation
#   FUZZ_EXAMPLES=200 scripts/fuzz_api.sh  more; extra arguments go to `schemathesis run`
#
# It starts a real `jupyter server` (with a fresh token, on a free loopback port, in a
# temporary root holding a small store: a run with an artifact, a registered model with an
# alias, a snapshot), runs the fuzz against it and stops it. schemathesis lives in a
# virtualenv of its own (.venv-fuzz/, made on first use) so its dependencies never mix with
# the project's. Too slow for the pytest suite (minutes); run it after changing a route or
# its OpenAPI yaml. Exit code: schemathesis's (0 when nothing was found).
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# The Python with mlops_lab and jupyter-server installed (scripts/setup.sh makes .venv/).
PY="${MLOPS_LAB_PYTHON:-$REPO_ROOT/.venv/bin/python}"
FUZZ_VENV="${FUZZ_VENV:-$REPO_ROOT/.venv-fuzz}"
SCHEMATHESIS="schemathesis==4.32.5"
EXAMPLES="${FUZZ_EXAMPLES:-25}"

[[ -x "$PY" ]] || { echo "error: no Python at $PY; run scripts/setup.sh or set MLOPS_LAB_PYTHON" >&2; exit 2; }
if [[ ! -x "$FUZZ_VENV/bin/st" ]]; then
    echo "== making $FUZZ_VENV with $SCHEMATHESIS"
    "$PY" -m venv "$FUZZ_VENV"
    "$FUZZ_VENV/bin/pip" install --quiet --disable-pip-version-check "$SCHEMATHESIS"
fi

ROOT="$(mktemp -d -t mlops-lab-fuzz.XXXXXX)"
PORT="$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
TOKEN="$("$PY" -c 'import secrets; print(secrets.token_hex(24))')"
SERVER_PID=""

stop() {
    if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill "$SERVER_PID"
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    if [[ -s "$ROOT/server.log" ]] && grep -q "Uncaught error" "$ROOT/server.log"; then
        echo "== server errors (from $ROOT/server.log):"
        grep -A3 "Uncaught error" "$ROOT/server.log" | head -60
    fi
    rm -rf "$ROOT"
}
trap stop EXIT

echo "== a small store in $ROOT"
(cd "$ROOT" && MLOPS_LAB_HOME="$ROOT/.mlops-lab" "$PY" - <<'EOF'
from pathlib import Path

from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression

import mlops_lab as ml

X, y = load_iris(return_X_y=True, as_frame=True)
ml.snapshot(X.assign(target=y), "iris", progress=False)
Path("notes.txt").write_text("just text")
with ml.start_run(experiment="fuzz", name="fit") as run:
    model = LogisticRegression(max_iter=500).fit(X, y)
    ml.log_params({"C": 1.0, "max_iter": 500})
    ml.log_metric("accuracy", float(model.score(X, y)))
    ml.log_artifact("notes.txt")
ml.register_model(model, "iris", input_example=X.head(5), alias="champion")
EOF
)

echo "== jupyter server on 127.0.0.1:$PORT"
args=()
[[ $EUID -eq 0 ]] && args+=(--allow-root)  # Jupyter refuses to run as root without being told
(cd "$ROOT" && MLOPS_LAB_HOME="$ROOT/.mlops-lab" exec "$PY" -m jupyter server --no-browser \
    --ServerApp.ip=127.0.0.1 --ServerApp.port="$PORT" --ServerApp.port_retries=0 \
    --ServerApp.root_dir="$ROOT" --IdentityProvider.token="$TOKEN" \
    --MlopsLabApp.run_scheduler=False "${args[@]}" >"$ROOT/server.log" 2>&1) &
SERVER_PID=$!
URL="http://127.0.0.1:$PORT"
for _ in $(seq 1 120); do
    if "$PY" -c "import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)" \
        "$URL/api/status?token=$TOKEN" 2>/dev/null; then
        break
    fi
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$ROOT/server.log" >&2; exit 2; }
    sleep 0.5
done

echo "== schemathesis: $EXAMPLES examples per operation"
rc=0
# run from the temporary root, so schemathesis's own cache folder goes with it
(cd "$ROOT" && exec "$FUZZ_VENV/bin/st" --config-file "$REPO_ROOT/scripts/fuzz_api.toml" \
    run "$URL/mlops-lab/api/openapi.json" --url "$URL" \
    --header "Authorization: token $TOKEN" \
    --checks all --max-examples "$EXAMPLES" --seed "${FUZZ_SEED:-11}" --workers 1 \
    --request-timeout 30 --phases examples,coverage,fuzzing "$@") || rc=$?
exit "$rc"
