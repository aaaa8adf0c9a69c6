#!/usr/bin/env bash
# The two commands of the README:
#   infra/dev.sh up    — install and start what is missing, migrate, run the
#                        whole system locally in the foreground (Ctrl-C stops
#                        what this script started);
#   infra/dev.sh test  — the same setup, then every test of the workspace
#                        (extra arguments: only that `cargo test` subset);
#   infra/dev.sh logs [gateway|sender|simulator] — follow what `up` runs
#                        (the terminal of `up` shows requests and errors only);
#   infra/dev.sh quiet-up — run `up` on ports of its own and check that its
#                        first minute after ready fits on one screen;
#   infra/dev.sh bench — the same setup, then the benchmarks (figures printed):
#                        the micro-benchmarks, then bench-load and
#                        bench-recovery, each of which also runs alone.
#   infra/dev.sh bench-pacing — a 200-recipient campaign through the real
#                        sender and the simulator at the fastest settings the
#                        governor allows (time compressed by BENCH_SCALE,
#                        default 30): messages per hour, the gaps (and their CV),
#                        the most in any 15 minutes.
#   infra/dev.sh bench-statements — a 50-recipient campaign through the real
#                        sender: SQL statements per message, by shape.
# Works on a fresh Debian machine with only the Rust toolchain; idempotent:
# what is installed is not reinstalled, what is running is reused.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE="${WA_STATE_DIR:-$HOME/.cache/wa-campaigns}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$STATE/target}"
VENV="$STATE/venv"
# What `up` runs writes here (infra/dev.sh logs follows it).
LOGS="$STATE/logs"
DB_HOST=127.0.0.1
DB_PORT="${DB_PORT:-3306}"
DB_NAME="${DB_NAME:-wa_campaigns}"
AWS_LOCAL="${AWS_ENDPOINT_URL:-http://127.0.0.1:4566}"
STARTED_PIDS=()
# The first build for `up`, from an empty target directory on this project's
# 2-core reference machine (docs/benchmarks.md).
FIRST_BUILD_MINUTES=6

log() { printf '\033[1;34m[dev]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[dev]\033[0m %s\n' "$*" >&2; exit 1; }

cleanup() {
  # Newest first: the sender drains (SIGTERM) while the gateway still runs.
  local i
  for (( i=${#STARTED_PIDS[@]}-1; i>=0; i-- )); do
    kill "${STARTED_PIDS[i]}" 2>/dev/null || true
    wait "${STARTED_PIDS[i]}" 2>/dev/null || true
  done
}
trap cleanup EXIT

APT_UPDATED=0
apt_install() {
  command -v apt-get >/dev/null || die "missing $*: install it (no apt-get here)"
  local sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  if [ "$APT_UPDATED" -eq 0 ]; then $sudo apt-get update -qq; APT_UPDATED=1; fi
  log "installing $* (apt)"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null
}

wait_for() { # wait_for <seconds> <command...>
  local deadline=$((SECONDS + $1)); shift
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.5
  done
}

# ---- MariaDB ---------------------------------------------------------------
mysql_root() {
  # Root over TCP where it has no password (dev machines), else the socket
  # (a fresh Debian install authenticates root by unix_socket).
  if mysql -h"$DB_HOST" -P"$DB_PORT" -uroot -e 'SELECT 1' >/dev/null 2>&1; then
    mysql -h"$DB_HOST" -P"$DB_PORT" -uroot "$@"
  else
    mysql -uroot "$@"
  fi
}

ensure_mariadb() {
  command -v mysql >/dev/null && { command -v mariadbd >/dev/null || [ -x /usr/sbin/mariadbd ]; } \
    || apt_install mariadb-server mariadb-client
  if ! mysqladmin -h"$DB_HOST" -P"$DB_PORT" ping >/dev/null 2>&1 && ! mysqladmin ping >/dev/null 2>&1; then
    log "starting MariaDB"
    mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld 2>/dev/null || true
    start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd -- --user=mysql \
      || service mariadb start
    wait_for 60 mysqladmin ping || die "MariaDB did not start"
  fi
  # Use root over TCP when it needs no password; otherwise a local account
  # whose generated password lives only in $STATE.
  if mysql -h"$DB_HOST" -P"$DB_PORT" -uroot -e 'SELECT 1' >/dev/null 2>&1; then
    DB_SERVER_URL="mysql://root@$DB_HOST:$DB_PORT"
  else
    local pass_file="$STATE/db-password"
    [ -s "$pass_file" ] || (umask 077; head -c 18 /dev/urandom | base64 | tr -d '/+=' > "$pass_file")
    local pass; pass="$(cat "$pass_file")"
    mysql_root -e "CREATE USER IF NOT EXISTS 'campaigns'@'127.0.0.1' IDENTIFIED BY '$pass';
                   ALTER USER 'campaigns'@'127.0.0.1' IDENTIFIED BY '$pass';
                   GRANT ALL PRIVILEGES ON *.* TO 'campaigns'@'127.0.0.1' WITH GRANT OPTION;"
    DB_SERVER_URL="mysql://campaigns:$pass@$DB_HOST:$DB_PORT"
  fi
  mysql_root -e "CREATE DATABASE IF NOT EXISTS \`$DB_NAME\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
  export DATABASE_URL="${DATABASE_URL:-$DB_SERVER_URL/$DB_NAME}"
  export TEST_DATABASE_URL="${TEST_DATABASE_URL:-$DB_SERVER_URL}"
}

# ---- the AWS emulator (moto) -----------------------------------------------
ensure_python() {
  command -v python3 >/dev/null || apt_install python3
  if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV" 2>/dev/null || { apt_install python3-venv; python3 -m venv "$VENV"; }
  fi
}

ensure_aws_emulator() {
  export AWS_ENDPOINT_URL="$AWS_LOCAL"
  export AWS_REGION="${AWS_REGION:-us-east-1}"
  export AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-local}"
  export AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-local}"
  export S3_BUCKET="${S3_BUCKET:-wa-campaigns-local}"
  if curl -fs -o /dev/null "$AWS_ENDPOINT_URL/moto-api/" 2>/dev/null \
     || curl -fs -o /dev/null "$AWS_ENDPOINT_URL/_localstack/health" 2>/dev/null; then
    log "AWS emulator already running at $AWS_ENDPOINT_URL"
  else
    case "$AWS_ENDPOINT_URL" in
      http://127.0.0.1:*|http://localhost:*) ;;
      *) die "AWS_ENDPOINT_URL=$AWS_ENDPOINT_URL does not answer" ;;
    esac
    ensure_python
    [ -x "$VENV/bin/moto_server" ] || { log "installing moto[server] (PyPI)"; "$VENV/bin/pip" install -q 'moto[server]>=5,<6'; }
    local port="${AWS_ENDPOINT_URL##*:}"; port="${port%%/*}"
    log "starting moto on 127.0.0.1:$port"
    "$VENV/bin/moto_server" -H 127.0.0.1 -p "$port" >"$STATE/moto.log" 2>&1 &
    STARTED_PIDS+=($!)
    wait_for 30 curl -fs -o /dev/null "$AWS_ENDPOINT_URL/moto-api/" || die "moto did not start (see $STATE/moto.log)"
  fi
  ensure_python
  [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c 'import boto3' 2>/dev/null \
    || "$VENV/bin/pip" install -q boto3
  # Fault tests start a moto of their own (to restart it) from here.
  [ -x "$VENV/bin/moto_server" ] && export MOTO_SERVER="$VENV/bin/moto_server"
  local init; init="$("$VENV/bin/python" "$ROOT/infra/aws-init.py")"
  echo "$init" | grep -v '=' >&2 || true
  eval "$(echo "$init" | grep -E '^[A-Z_]+=' | sed 's/^/export /')"
}

# ---- Chromium and chromedriver (the sender's WhatsApp driver) ---------------
ensure_chromium() {
  # Debian's builds: the versions match each other, and nothing is downloaded
  # at run time (chromedriver's own auto-download would need the internet).
  if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
    apt_install chromium chromium-driver
  fi
}

ensure_tools() {
  command -v curl >/dev/null || apt_install curl ca-certificates
  command -v cc >/dev/null || apt_install build-essential
  command -v cargo >/dev/null || die "the Rust toolchain (cargo) is required"
}

dev_secret() {
  local file="$STATE/jwt-secret"
  [ -s "$file" ] || (umask 077; head -c 48 /dev/urandom | base64 | tr -d '/+=\n' > "$file")
  cat "$file"
}

setup() {
  mkdir -p "$STATE"
  ensure_tools
  ensure_chromium
  ensure_mariadb
  ensure_aws_emulator
}

# The build `up` runs. The first one (no binaries yet) takes minutes: its
# hundreds of "Compiling" lines go to a log file while one line says how far
# it is; later ones are seconds and print as cargo does.
build_for_up() {
  local build=(cargo build --manifest-path "$ROOT/Cargo.toml" -p functions -p sender -p wa-simulator --bins)
  if [ -x "$CARGO_TARGET_DIR/debug/local-gateway" ] && [ -x "$CARGO_TARGET_DIR/debug/sender" ]; then
    log "building (target dir $CARGO_TARGET_DIR)"
    "${build[@]}"
    return
  fi
  mkdir -p "$LOGS"
  local crates
  crates=$(cd "$ROOT" && cargo tree -p functions -p sender -p wa-simulator -e normal,build --prefix none 2>/dev/null \
    | sed 's/ (\*)$//; s/ (proc-macro)$//' | sort -u | wc -l)
  # Measured from an empty target directory on 2 cores (docs/benchmarks.md).
  log "first build into $CARGO_TARGET_DIR: about $FIRST_BUILD_MINUTES minutes on 2 cores (log: $LOGS/build.log)"
  "${build[@]}" > "$LOGS/build.log" 2>&1 &
  local pid=$! started=$SECONDS compiled elapsed
  while kill -0 "$pid" 2>/dev/null; do
    sleep 5
    compiled=$(grep -c '^ *Compiling' "$LOGS/build.log" || true)
    elapsed=$(( SECONDS - started ))
    local line
    line=$(printf 'building: %d of about %d crates, %d:%02d elapsed' "$compiled" "$crates" $((elapsed / 60)) $((elapsed % 60)))
    if [ -t 2 ]; then
      printf '\r\033[K\033[1;34m[dev]\033[0m %s' "$line" >&2
    elif (( elapsed % 60 < 5 )); then
      log "$line"
    fi
  done
  [ -t 2 ] && printf '\n' >&2
  if ! wait "$pid"; then
    tail -n 30 "$LOGS/build.log" >&2
    die "the build failed (log: $LOGS/build.log)"
  fi
  log "built in $(( (SECONDS - started) / 60 )) min $(( (SECONDS - started) % 60 )) s"
}

cmd_up() {
  setup
  build_for_up
  local bin="$CARGO_TARGET_DIR/debug"
  "$bin/ops" migrate
  export JWT_SECRET="${JWT_SECRET:-$(dev_secret)}"
  export SMS_PROVIDER="${SMS_PROVIDER:-log}" EMAIL_PROVIDER="${EMAIL_PROVIDER:-log}"
  export PAYMENT_GATEWAY="${PAYMENT_GATEWAY:-mock}"
  export PORT="${PORT:-3000}" RUST_LOG="${RUST_LOG:-info}"
  export WS_MANAGEMENT_ENDPOINT="${WS_MANAGEMENT_ENDPOINT:-http://127.0.0.1:$PORT}"
  # The console (http://localhost:$PORT) shows the payment's outcome.
  export PAYMENT_RESULT_URL="${PAYMENT_RESULT_URL:-http://localhost:$PORT/console/payment/result}"
  export WA_SIM_PORT="${WA_SIM_PORT:-3100}"
  export WHATSAPP_URL="${WHATSAPP_URL:-http://127.0.0.1:$WA_SIM_PORT}"
  export SENDER_PROFILE_DIR="${SENDER_PROFILE_DIR:-$STATE/profiles}"
  mkdir -p "$LOGS"
  start_quiet simulator 'WARN|ERROR|panicked' "$bin/wa-simulator"
  log "simulator: $WHATSAPP_URL (log: $LOGS/simulator.log)"
  # The gateway's request lines show; its metric lines (CloudWatch EMF, one
  # JSON object a line) only go to the file.
  start_quiet gateway '^[^{]' "$bin/local-gateway"
  local gateway=$QUIET_PID
  wait_for 30 curl -fs -o /dev/null "http://127.0.0.1:$PORT/api/health" \
    || die "the gateway did not start (log: $LOGS/gateway.log)"
  log "gateway: http://localhost:$PORT (log: $LOGS/gateway.log)"
  start_quiet sender 'WARN|ERROR|panicked' "$bin/sender"
  log "sender: Chromium via chromedriver, up to ${SENDER_MAX_SESSIONS:-5} sessions (log: $LOGS/sender.log)"
  log "ready: console http://localhost:$PORT, API http://localhost:$PORT/api, docs http://localhost:$PORT/api/docs, WebSocket ws://localhost:$PORT/ws/campaigns, simulator $WHATSAPP_URL"
  log "the terminal shows requests, warnings and errors; everything else is in $LOGS (infra/dev.sh logs [gateway|sender|simulator]); Ctrl-C stops"
  wait "$gateway"
}

# Start a component in the background with all its output in
# $LOGS/<name>.log; the terminal shows only the lines matching <keep> (an
# extended regex), prefixed with the name. Its pid is in QUIET_PID.
start_quiet() { # start_quiet <name> <keep> <command...>
  local name=$1 keep=$2
  shift 2
  : >"$LOGS/$name.log"
  "$@" >>"$LOGS/$name.log" 2>&1 &
  QUIET_PID=$!
  STARTED_PIDS+=("$QUIET_PID")
  # tail ends with the component (--pid), and the filter with tail.
  tail -n +1 --pid="$QUIET_PID" -F "$LOGS/$name.log" 2>/dev/null \
    | grep --line-buffered -E "$keep" | sed -u "s/^/[$name] /" &
}

# Follow the logs `up` writes: one component's, or all of them.
cmd_logs() { # cmd_logs [gateway|sender|simulator]
  case "${1:-}" in
    gateway|sender|simulator) exec tail -n 100 -F "$LOGS/$1.log" ;;
    "") exec tail -n 20 -F "$LOGS"/gateway.log "$LOGS"/sender.log "$LOGS"/simulator.log ;;
    *) die "usage: infra/dev.sh logs [gateway|sender|simulator]" ;;
  esac
}

# chromedriver and Chromium processes orphaned (parent PID 1), one pid a line.
# Chromium's crash reporter (chrome_crashpad_handler) is left out: it leaves
# its browser for PID 1 by design and ends with it, and another run's
# browsers on this machine have theirs.
orphaned_browsers() {
  ps -eo pid=,ppid=,comm= \
    | awk '$2 == 1 && $3 !~ /^chrome_crashpad/ && ($3 ~ /^chromedriver/ || $3 ~ /^chrom(e|ium)/) { print $1 }' | sort
}

# Fails naming what the tests left behind: a chromedriver or Chromium that
# was not an orphan before the run and is one now (other runs on the same
# machine may leave theirs; those are not ours to judge).
check_no_orphans() { # check_no_orphans <file with the orphans before>
  # The watchdogs of the last senders act within a moment.
  local left tries=0
  while left="$(orphaned_browsers | comm -13 "$1" -)"; [ -n "$left" ] && [ $tries -lt 10 ]; do
    sleep 1; tries=$((tries + 1))
  done
  [ -z "$left" ] && { log "no chromedriver or Chromium left behind"; return 0; }
  ps -o pid=,etime=,args= -p "$(echo "$left" | paste -sd,)" | cut -c1-200 >&2 || true
  die "the tests left chromedriver/Chromium processes behind (above)"
}

# The template as CloudFormation receives it (docs/deploy.md, "The template").
# cfn-lint up to 1.53 lints the template after the SAM transform (later
# releases check SAM resources without transforming, so they cannot see
# what the transform generates); check-template.py fails on any cycle there
# and writes the transformed template; checkov then checks both the template
# and that (zero failures: each check skipped is skipped in the template,
# with its reason, and listed in docs/security.md).
check_template() {
  log "checking template.yaml (cfn-lint with the SAM translator, check-template.py, checkov)"
  local pins=(cfn-lint==1.53.3 aws-sam-translator==1.115.0)
  "$VENV/bin/python" - "${pins[@]}" <<'PY' || "$VENV/bin/pip" install -q "${pins[@]}"
import sys
from importlib.metadata import PackageNotFoundError, version
try:
    sys.exit(any(version(n) != v for n, v in (p.split("==") for p in sys.argv[1:])))
except PackageNotFoundError:
    sys.exit(1)
PY
  "$VENV/bin/cfn-lint" "$ROOT/template.yaml"
  local transformed; transformed="$(mktemp -d)/template.transformed.json"
  "$VENV/bin/python" "$ROOT/infra/check-template.py" "$ROOT/template.yaml" --transformed-out "$transformed"
  # checkov pins boto3 1.35, networkx 2.6 and packaging 23, older than what
  # moto and Schemathesis in $VENV need: it gets a venv of its own.
  local checkov=checkov==3.3.30 ckv="$STATE/checkov-venv"
  if [ "$("$ckv/bin/checkov" --version 2>/dev/null)" != "${checkov#*==}" ]; then
    log "installing $checkov (PyPI, in $ckv)"
    [ -x "$ckv/bin/pip" ] || python3 -m venv "$ckv"
    "$ckv/bin/pip" install -q "$checkov"
  fi
  # Both at once: about 11 s and 30 s alone on 2 cores (the transformed
  # template, with the HTTP API's generated OpenAPI body, is the slow one).
  local started=$SECONDS dir; dir="$(dirname "$transformed")"
  local pids=() f rc=0
  for f in "$ROOT/template.yaml" "$transformed"; do
    "$ckv/bin/checkov" --framework cloudformation --skip-download --compact --quiet -f "$f" \
      >"$dir/$(basename "$f").checkov" 2>&1 &
    pids+=($!)
  done
  for f in "${pids[@]}"; do wait "$f" || rc=1; done
  if [ "$rc" -ne 0 ]; then
    cat "$dir"/*.checkov >&2
    rm -rf "$dir"
    die "checkov: failed checks above (fix them, or skip one in template.yaml with its reason, listed in docs/security.md)"
  fi
  rm -rf "$dir"
  log "checkov: template.yaml and its SAM transform pass ($(( SECONDS - started )) s)"
}

cmd_test() {
  setup
  local before; before="$(mktemp)"
  orphaned_browsers >"$before"
  # The OpenAPI tests run a real validator from PyPI.
  "$VENV/bin/python" -c 'import openapi_spec_validator' 2>/dev/null \
    || "$VENV/bin/pip" install -q 'openapi-spec-validator==0.7.2'
  export OPENAPI_VALIDATOR="$VENV/bin/openapi-spec-validator"
  # ... and a third-party fuzzer, Schemathesis, against the served document
  # (functions/tests/api/fuzz.rs); required here, so CI never skips it.
  local fuzzer=schemathesis==4.32.5
  [ "$("$VENV/bin/schemathesis" --version 2>/dev/null)" = "schemathesis, version ${fuzzer#*==}" ] \
    || { log "installing $fuzzer (PyPI)"; "$VENV/bin/pip" install -q "$fuzzer"; }
  export SCHEMATHESIS="$VENV/bin/schemathesis" REQUIRE_SCHEMATHESIS=1
  # Databases of test runs over an hour old (tests name them test_<epoch>_<id>).
  local cutoff=$(( $(date +%s) - 3600 ))
  mysql_root -N -e "SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE 'test\\_%'" \
    | while read -r db; do
        local born="${db#test_}"; born="${born%%_*}"
        if [[ "$born" =~ ^[0-9]+$ ]] && [ "$born" -lt "$cutoff" ]; then mysql_root -e "DROP DATABASE \`$db\`"; fi
      done
  if [ $# -gt 0 ]; then
    # A subset while working: `infra/dev.sh test -p sender --test fleet`.
    log "running: cargo test $*"
    cargo test --manifest-path "$ROOT/Cargo.toml" "$@"
    return
  fi
  check_template
  log "checking formatting (cargo fmt) and lints (clippy, warnings are errors)"
  cargo fmt --version >/dev/null 2>&1 || rustup component add rustfmt
  cargo clippy --version >/dev/null 2>&1 || rustup component add clippy
  cargo fmt --manifest-path "$ROOT/Cargo.toml" --all -- --check
  cargo clippy --manifest-path "$ROOT/Cargo.toml" --workspace --all-targets -- -D warnings
  log "running every test of the workspace"
  cargo test --manifest-path "$ROOT/Cargo.toml" --workspace --no-fail-fast
  check_no_orphans "$before"
}

cmd_bench() {
  setup
  log "running the benchmarks (optimised build)"
  cargo bench --manifest-path "$ROOT/Cargo.toml" --workspace
  bench_load
  bench_recovery
}

# The load test (infra/load, goose) against a local gateway of its own, on
# a database of its own: 300 users for 2 minutes (LOAD_USERS, LOAD_SECONDS).
bench_load() {
  # The gateway as `infra/dev.sh up` runs it (dependencies optimised, our
  # crates not): what a developer's machine serves, and no LTO build to wait for.
  log "load test: building the gateway and infra/load"
  cargo build --manifest-path "$ROOT/Cargo.toml" -p functions --bin local-gateway --bin ops
  cargo build --manifest-path "$ROOT/infra/load/Cargo.toml" --release
  local db="wa_load_$(date +%s)" port="${LOAD_PORT:-3900}"
  mysql_root -e "CREATE DATABASE \`$db\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
  local bin="$CARGO_TARGET_DIR/debug"
  DATABASE_URL="$DB_SERVER_URL/$db" "$bin/ops" migrate
  DATABASE_URL="$DB_SERVER_URL/$db" JWT_SECRET="$(dev_secret)" PORT="$port" RUST_LOG=warn METRICS_EMF=off \
    RATE_LIMIT_MAX=100000000 SMS_PROVIDER=log EMAIL_PROVIDER=log PAYMENT_GATEWAY=mock \
    "$bin/local-gateway" >"$STATE/load-gateway.log" 2>&1 &
  local gateway=$!
  STARTED_PIDS+=("$gateway")
  wait_for 30 curl -fs -o /dev/null "http://127.0.0.1:$port/api/health" || die "the gateway did not start"
  local rc=0
  LOAD_HOST="http://127.0.0.1:$port" LOAD_GATEWAY_PID="$gateway" "$CARGO_TARGET_DIR/release/load" || rc=$?
  kill "$gateway" 2>/dev/null || true
  wait "$gateway" 2>/dev/null || true
  mysql_root -e "DROP DATABASE \`$db\`"
  [ "$rc" -eq 0 ] || die "the load test failed its bars (above)"
}

# The fault tests, printing how long each recovery took.
bench_recovery() {
  log "fault recovery times (sender fleet tests)"
  cargo test --manifest-path "$ROOT/Cargo.toml" -p sender --test fleet -- \
    faults:: operations::browsers_over orphans:: outages:: emulator_restart:: browser_killed:: snapshot_refused:: \
    --nocapture --test-threads 1 2>&1 \
    | grep -E '^recovery:|test result' || die "the fault tests failed"
  cargo test --manifest-path "$ROOT/Cargo.toml" -p shared --test storage_retry -- --nocapture 2>&1 \
    | grep -E '^recovery:|test result' || die "the S3 retry tests failed"
}

cmd_bench_pacing() {
  setup
  log "running the pacing bench (200 recipients, time compressed ${BENCH_SCALE:-30}x)"
  cargo test --manifest-path "$ROOT/Cargo.toml" -p sender --test fleet bench_pacing -- --ignored --nocapture
}

cmd_bench_statements() {
  setup
  log "counting SQL statements per message (50 recipients through the real sender)"
  cargo test --manifest-path "$ROOT/Cargo.toml" -p sender --test fleet bench_statements -- --nocapture 2>&1 \
    | grep -E '^statements bench|/msg|test result' || die "the statements bench failed"
}

case "${1:-}" in
  up) cmd_up ;;
  test) shift; cmd_test "$@" ;;
  bench) cmd_bench ;;
  bench-import) exec "$ROOT/infra/bench-import.sh" ;;
  bench-pacing) cmd_bench_pacing ;;
  bench-statements) cmd_bench_statements ;;
  bench-load) setup; bench_load ;;
  bench-recovery) setup; bench_recovery ;;
  logs) shift; cmd_logs "$@" ;;
  quiet-up) exec "$ROOT/infra/quiet-up.sh" ;;
  *) echo "usage: infra/dev.sh up|test|logs|quiet-up|bench|bench-load|bench-recovery|bench-import|bench-pacing|bench-statements" >&2; exit 2 ;;
esac
