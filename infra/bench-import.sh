#!/usr/bin/env bash
# A 100,000-row recipient list imported over HTTP by the binaries that
# `infra/dev.sh up` runs (debug profile, the import's crates optimised), next to
#   - the release benchmark's end-to-end import (functions/benches/campaigns.rs);
#   - SheetJS 0.18.5 — the old Node service's parser — parsing the same
#     file, in this run.
# The import through `up` (upload, parse, normalise, insert, answer) must
# not be slower than SheetJS's parse alone, and should stay within 1.5× of
# the release figure.
#
# Usage, with `infra/dev.sh up` running:
#   infra/bench-import.sh            (or: infra/dev.sh bench-import)
# Environment: PORT (3000), RUNS (3), ROWS (100000), BENCH_RELEASE=1 to
# run the release benchmark now instead of reading its last saved output,
# BENCH_RELEASE=skip to compare with SheetJS only.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE="${WA_STATE_DIR:-$HOME/.cache/wa-campaigns}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$STATE/target}"
API="http://localhost:${PORT:-3000}/api"
RUNS="${RUNS:-3}"
ROWS="${ROWS:-100000}"
WORK="$STATE/bench-import"
SHEETJS="$STATE/sheetjs-0.18.5"
mkdir -p "$WORK"

log() { printf '\033[1;34m[bench-import]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[bench-import]\033[0m %s\n' "$*" >&2; exit 1; }
# json_get key… < answer.json: one value of a JSON answer.
json_get() { python3 -c 'import json, sys
v = json.load(sys.stdin)
for k in sys.argv[1:]: v = v.get(k) if isinstance(v, dict) else None
print("" if v is None else v)' "$@"; }

curl -fs -o /dev/null "$API/health" || die "nothing answers at $API: start infra/dev.sh up first"

# ---- the list: ops' sample generator (Persian headers, distinct 0912… numbers)
LIST="$WORK/recipients-$ROWS.xlsx"
if [ ! -s "$LIST" ]; then
  OPS="$CARGO_TARGET_DIR/debug/ops"
  [ -x "$OPS" ] || cargo build --manifest-path "$ROOT/Cargo.toml" -p functions --bin ops
  "$OPS" create-test-excel "$ROWS" "$LIST" >&2
fi
SIZE_MB=$(awk "BEGIN { printf \"%.2f\", $(stat -c %s "$LIST") / 1e6 }")

# ---- SheetJS 0.18.5 from the npm registry, cached -----------------------------
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  command -v apt-get >/dev/null || die "node and npm are needed for the SheetJS comparison"
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  log "installing node and npm (apt)"
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq nodejs npm >/dev/null
fi
if [ ! -f "$SHEETJS/node_modules/xlsx/package.json" ]; then
  log "installing xlsx@0.18.5 (npm) into $SHEETJS"
  npm install --silent --no-audit --no-fund --prefix "$SHEETJS" xlsx@0.18.5 >&2
fi

# ---- a user and a campaign through the API --------------------------------------
n=$(( (RANDOM << 15 | RANDOM) % 10000000 ))
email="bench$n@example.com"
curl -fs "$API/user/register-simple" -H 'content-type: application/json' \
  -d "{\"name\":\"Bench\",\"email\":\"$email\",\"phone\":\"0935$(printf %07d "$n")\",\"password\":\"bench-pass-$n\"}" \
  -o /dev/null || die "sign-up failed"
TOKEN=$(curl -fs "$API/user/login" -H 'content-type: application/json' \
  -d "{\"email\":\"$email\",\"password\":\"bench-pass-$n\"}" | json_get accessToken)
[ -n "$TOKEN" ] || die "login failed"
# A new campaign per run: each run is a first import, as in the release benchmark.
new_campaign() {
  curl -fs "$API/campaigns" -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' \
    -d '{"title":"bench-import","message":"سلام"}' | json_get campaign id
}

# ---- the import, RUNS times, and SheetJS in the same run ---------------------------
log "importing $ROWS rows ($SIZE_MB MB .xlsx) at $API, $RUNS times"
up_ms=()
for _ in $(seq "$RUNS"); do
  CAMPAIGN=$(new_campaign)
  [ -n "$CAMPAIGN" ] || die "creating a campaign failed"
  out=$(curl -s -o "$WORK/answer.json" -w '%{http_code} %{time_total}' -H "authorization: Bearer $TOKEN" \
    -F "recipientsFile=@$LIST;type=application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" \
    "$API/campaigns/$CAMPAIGN/recipients")
  [ "${out%% *}" = 200 ] || die "import answered ${out%% *}: $(head -c 300 "$WORK/answer.json")"
  count=$(json_get recipientsCount < "$WORK/answer.json")
  [ "$count" = "$ROWS" ] || die "imported $count of $ROWS rows"
  up_ms+=("$(awk "BEGIN { printf \"%.0f\", ${out#* } * 1000 }")")
done

log "SheetJS parse of the same file, $RUNS times"
mapfile -t sheetjs < <(NODE_PATH="$SHEETJS/node_modules" node "$ROOT/infra/sheetjs-parse.js" "$LIST" "$RUNS")
sheetjs_ms=(); sheetjs_read_ms=()
for line in "${sheetjs[@]}"; do
  read -r total read_only rows <<<"$line"
  [ "$rows" = "$ROWS" ] || die "SheetJS read $rows rows"
  sheetjs_ms+=("$total"); sheetjs_read_ms+=("$read_only")
done

# ---- the release figure -------------------------------------------------------------
RELEASE_OUT="${RELEASE_OUT:-$STATE/bench-campaigns.txt}"
if [ "${BENCH_RELEASE:-}" = skip ]; then
  # No release build at hand (it takes a quarter of an hour on 2 cores):
  # only the comparison with SheetJS.
  release_ms=""
elif [ "${BENCH_RELEASE:-0}" = 1 ] || [ ! -s "$RELEASE_OUT" ]; then
  log "running the release benchmark (cargo bench -p functions --bench campaigns)"
  export TEST_DATABASE_URL="${TEST_DATABASE_URL:-mysql://root@127.0.0.1:3306}"
  cargo bench --manifest-path "$ROOT/Cargo.toml" -p functions --bench campaigns | tee "$RELEASE_OUT" >&2
fi
if [ "${BENCH_RELEASE:-}" != skip ]; then
  release_ms=$(sed -nE 's/^import end to end +([0-9]+) ms.*/\1/p' "$RELEASE_OUT" | head -1)
  [ -n "$release_ms" ] || die "no 'import end to end' line in $RELEASE_OUT"
fi

min() { printf '%s\n' "$@" | sort -n | head -1; }
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
up_best=$(min "${up_ms[@]}"); up_median=$(median "${up_ms[@]}")
js_best=$(min "${sheetjs_ms[@]}"); js_median=$(median "${sheetjs_ms[@]}")
js_read_median=$(median "${sheetjs_read_ms[@]}")

printf '\n%s rows, %s MB .xlsx (runs: %s)\n' "$ROWS" "$SIZE_MB" "$RUNS"
printf '%-52s %6s ms  (median %s; runs: %s)\n' "import over HTTP via \`up\` (debug build)" \
  "$up_best" "$up_median" "${up_ms[*]}"
[ -z "$release_ms" ] || printf '%-52s %6s ms  (%s, saved %s)\n' "import end to end, release benchmark" "$release_ms" \
  "$RELEASE_OUT" "$(date -r "$RELEASE_OUT" '+%F %H:%M')"
printf '%-52s %6s ms  (median %s; runs: %s; XLSX.read alone: %s)\n' "SheetJS 0.18.5 parse (read + sheet_to_json), node $(node --version)" \
  "$js_best" "$js_median" "${sheetjs_ms[*]}" "${sheetjs_read_ms[*]}"

status=0
# The stricter yardstick: SheetJS's XLSX.read alone, without making rows.
if [ "$up_median" -le "$js_read_median" ]; then
  printf 'up (upload, parse, normalise, insert) is not slower than SheetJS parse alone: %s ms ≤ %s ms (XLSX.read, medians)\n' \
    "$up_median" "$js_read_median"
else
  printf 'FAIL: up took %s ms, SheetJS XLSX.read alone %s ms (medians)\n' "$up_median" "$js_read_median"; status=1
fi
if [ -n "$release_ms" ]; then
  ratio=$(awk "BEGIN { printf \"%.2f\", $up_median / $release_ms }")
  printf 'up / release: %s× (median; target ≤ 1.5×)\n' "$ratio"
  awk "BEGIN { exit !($ratio <= 1.5) }" || { printf 'FAIL: up is %s× the release figure\n' "$ratio"; status=1; }
fi
exit $status
