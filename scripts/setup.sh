# Set-up shared by scripts/test.sh and scripts/lab.sh; sourced, not run.
#
# Every step is skipped when it is already done, so a second run costs seconds:
#   - the virtualenv is created once (.venv);
#   - `pip install -e` runs again only when pyproject.toml, package.json, yarn.lock or
#     .yarnrc.yml changed (a stamp with their hashes is kept in .venv);
#   - the frontend is rebuilt (`jlpm build`) only when a file under labextension/ is newer
#     than the built extension in mlops_lab/_labextension/.

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$REPO_ROOT/.venv"
PY="$VENV/bin/python"
BUILT_FRONTEND="$REPO_ROOT/mlops_lab/_labextension/package.json"
# Files whose change means the Python package must be installed again.
INSTALL_INPUTS=(pyproject.toml package.json yarn.lock .yarnrc.yml)
# Frontend sources; a change means `jlpm build`.
FRONTEND_INPUTS=(labextension package.json tsconfig.json)

cd "$REPO_ROOT"
# The venv's tools (jupyter, jlpm, papermill, the kernel's python) come first.
export PATH="$VENV/bin:$PATH"
export PIP_DISABLE_PIP_VERSION_CHECK=1

# Microseconds since the epoch, from bash itself (no external tools on a fresh machine).
now_us() { echo "${EPOCHREALTIME/./}"; }
# seconds_since T0_US: elapsed time as "12.3".
seconds_since() {
    local ds=$((($(now_us) - $1) / 100000))
    echo "$((ds / 10)).$((ds % 10))"
}

SETUP_START=$(now_us)

CURRENT_STEP=""
STEP_START=$SETUP_START

# step NAME COMMAND...: runs COMMAND and prints how long it took. A failure ends the script
# (set -e) and the exit trap below names the step that failed.
step() {
    CURRENT_STEP=$1
    STEP_START=$(now_us)
    shift
    echo "==> $CURRENT_STEP"
    "$@"
    echo "<== $CURRENT_STEP: $(seconds_since "$STEP_START") s"
    CURRENT_STEP=""
}

report_failed_step() {
    local rc=$?
    if [[ $rc -ne 0 && -n "$CURRENT_STEP" ]]; then
        echo "<== $CURRENT_STEP: FAILED (exit $rc) after $(seconds_since "$STEP_START") s" >&2
    fi
}
trap report_failed_step EXIT

total_time() {
    echo "==> total: $(seconds_since "$SETUP_START") s"
}

die() {
    echo "error: $*" >&2
    exit 1
}

setup_venv() {
    if [[ -x "$PY" ]]; then
        echo "    .venv exists"
        return
    fi
    python3 -m venv "$VENV" || die "could not create .venv with 'python3 -m venv' (on Debian: apt-get install python3-venv)"
}

# The hashes of INSTALL_INPUTS plus the requested extras; equal stamps mean nothing to do.
install_fingerprint() {
    local extras=$1 f
    echo "extras=$extras"
    for f in "${INSTALL_INPUTS[@]}"; do
        if [[ -f "$f" ]]; then sha256sum "$f"; fi
    done
}

# install_package EXTRAS: `pip install -e ".[EXTRAS]"` unless the stamp says it is current.
# A stamp for the "test" extras also satisfies a request with no extras (it is a superset).
install_package() {
    local extras=${1:-} spec="." stamp="$VENV/.mlops-lab-install-${1:-base}"
    [[ -n "$extras" ]] && spec=".[$extras]"
    if [[ -f "$stamp" && "$(cat "$stamp")" == "$(install_fingerprint "$extras")" ]]; then
        echo "    up to date (stamp $stamp)"
        return
    fi
    if [[ -z "$extras" && -f "$VENV/.mlops-lab-install-test" &&
        "$(cat "$VENV/.mlops-lab-install-test")" == "$(install_fingerprint test)" ]]; then
        echo "    up to date (installed with the test extras)"
        return
    fi
    command -v node >/dev/null || die "node is required to build the JupyterLab extension (node 20 or newer)"
    # hatch-jupyter-builder runs `jlpm install` + `jlpm build` here; with CI=true the install
    # is immutable, so a yarn.lock out of step with package.json fails loudly.
    "$PY" -m pip install --progress-bar off -e "$spec"
    # Lab finds extensions in share/jupyter/labextensions; link the editable build there so
    # later rebuilds are picked up without reinstalling.
    local out
    out=$("$VENV/bin/jupyter" labextension develop --overwrite . 2>&1) ||
        die "'jupyter labextension develop --overwrite .' failed: $out"
    install_fingerprint "$extras" >"$stamp"
}

# Rebuilds the frontend when a source file is newer than the built extension.
build_frontend() {
    local newer
    if [[ -f "$BUILT_FRONTEND" ]]; then
        newer=$(find "${FRONTEND_INPUTS[@]}" -newer "$BUILT_FRONTEND" -type f \
            -not -path '*/node_modules/*' -not -path 'labextension/lib/*' 2>/dev/null | head -n 1)
        if [[ -z "$newer" ]]; then
            echo "    up to date"
            return
        fi
        echo "    $newer changed since the last build"
    fi
    # Install again when the dependencies changed since the last install (a pull, a merge).
    if [[ ! node_modules/.yarn-state.yml -nt yarn.lock || ! node_modules/.yarn-state.yml -nt package.json ]]; then
        "$VENV/bin/jlpm" install
    fi
    "$VENV/bin/jlpm" build
}

# Fails unless JupyterLab and Jupyter Server both report our extensions enabled and OK.
check_extensions() {
    local lab server listing pid
    # The two listings are independent and each starts a slow Python process: run them together.
    # Their exit codes are not trusted either way; the text is what is checked.
    listing=$(mktemp)
    "$VENV/bin/jupyter" server extension list >"$listing" 2>&1 &
    pid=$!
    lab=$("$VENV/bin/jupyter" labextension list 2>&1 | sed 's/\x1b\[[0-9;]*m//g') || true
    wait "$pid" || true
    server=$(sed 's/\x1b\[[0-9;]*m//g' "$listing")
    rm -f "$listing"
    if ! grep -Eq 'mlops-lab v[^ ]+ enabled +OK' <<<"$lab"; then
        echo "$lab" >&2
        die "the JupyterLab extension 'mlops-lab' is not listed as enabled and OK (output above)"
    fi
    if ! grep -Eq 'mlops_lab +enabled' <<<"$server" || ! grep -Eq 'mlops_lab [^ ]* *OK' <<<"$server"; then
        echo "$server" >&2
        die "the Jupyter server extension 'mlops_lab' is not listed as enabled and OK (output above)"
    fi
    grep -E 'mlops-lab v' <<<"$lab" | sed 's/^ */    /'
    grep -E 'mlops_lab [^ ]* *OK' <<<"$server" | sed 's/^ */    /'
}

APT_UPDATED=0
apt_install() {
    [[ $EUID -eq 0 ]] || die "$* is missing; install it (apt-get install -y $*) or run this script as root"
    command -v apt-get >/dev/null || die "$* is missing and this is not a Debian-like system; install it by hand"
    if [[ $APT_UPDATED -eq 0 ]]; then
        apt-get update -qq
        APT_UPDATED=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"
}

# The browser tests drive Debian's chromium; browsers are never downloaded by playwright.
ensure_chromium() {
    if [[ -x /usr/bin/chromium ]]; then
        echo "    /usr/bin/chromium present"
        return
    fi
    apt_install chromium
    [[ -x /usr/bin/chromium ]] || die "apt-get installed chromium but /usr/bin/chromium is missing"
}

# The PostgreSQL tests use the server at 127.0.0.1:5432; start the local cluster if it is down.
ensure_postgres() {
    if command -v pg_isready >/dev/null && pg_isready -q -h 127.0.0.1 -p 5432; then
        echo "    PostgreSQL accepting connections on 127.0.0.1:5432"
        return
    fi
    if command -v pg_ctlcluster >/dev/null && [[ -d /etc/postgresql ]]; then
        local version
        version=$(ls /etc/postgresql | sort -V | tail -n 1)
        echo "    starting PostgreSQL $version/main"
        pg_ctlcluster --skip-systemctl-redirect "$version" main start
        local deadline=$((SECONDS + 30))
        until pg_isready -q -h 127.0.0.1 -p 5432; do
            ((SECONDS < deadline)) || die "PostgreSQL $version/main started but 127.0.0.1:5432 does not accept connections after 30 s"
            sleep 0.2
        done
        echo "    PostgreSQL accepting connections on 127.0.0.1:5432"
        return
    fi
    die "PostgreSQL is not reachable at 127.0.0.1:5432 and no local cluster was found; the tests need one (trust auth for 127.0.0.1, database 'test')"
}

# The feature store's online-store tests use Redis on 127.0.0.1:6379 (nothing kept on disk).
redis_answers() {
    command -v redis-cli >/dev/null && [[ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" == "PONG" ]]
}

ensure_redis() {
    if redis_answers; then
        echo "    Redis answering on 127.0.0.1:6379"
        return
    fi
    command -v redis-server >/dev/null || die "Redis is not reachable at 127.0.0.1:6379 and redis-server is not installed (apt-get install redis-server)"
    echo "    starting redis-server"
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
        --dir /tmp --logfile /tmp/mlops-lab-redis.log
    local deadline=$((SECONDS + 30))
    until redis_answers; do
        ((SECONDS < deadline)) || die "redis-server started but 127.0.0.1:6379 does not answer after 30 s"
        sleep 0.2
    done
    echo "    Redis answering on 127.0.0.1:6379"
}
