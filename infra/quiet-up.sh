#!/usr/bin/env bash
# Does `infra/dev.sh up` keep its terminal quiet? Runs `up` on ports of its
# own, signs a user up and lists a few things while it runs (so the
# gateway has requests to show), and counts what the terminal printed in the
# first minute after the ready line: it must fit on one screen (SCREEN_LINES,
# 40). Prints the lines it counted.
#
# Usage: infra/quiet-up.sh (or: infra/dev.sh quiet-up). Environment:
# WATCH_SECONDS (60), SCREEN_LINES (40).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WATCH="${WATCH_SECONDS:-60}"
SCREEN="${SCREEN_LINES:-40}"
OUT="$(mktemp)"

log() { printf '\033[1;34m[quiet-up]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[quiet-up]\033[0m %s\n' "$*" >&2; exit 1; }
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

export PORT="$(free_port)" WA_SIM_PORT="$(free_port)" SENDER_OPS_PORT="$(free_port)"
setsid "$ROOT/infra/dev.sh" up >"$OUT" 2>&1 &
UP=$!
trap 'kill -TERM -- -"$UP" 2>/dev/null || true; wait "$UP" 2>/dev/null || true; rm -f "$OUT"' EXIT

deadline=$((SECONDS + 1800))
until grep -q 'ready: console' "$OUT"; do
  kill -0 "$UP" 2>/dev/null || { cat "$OUT" >&2; die "up stopped before it was ready"; }
  [ "$SECONDS" -lt "$deadline" ] || die "up was not ready within 30 minutes"
  sleep 1
done
ready_line=$(grep -n 'ready: console' "$OUT" | head -1 | cut -d: -f1)
log "up is ready on port $PORT; watching its terminal for $WATCH s"

API="http://127.0.0.1:$PORT/api"
n=$RANDOM
curl -fs -o /dev/null -X POST "$API/user/register-simple" -H 'content-type: application/json' \
  -d "{\"name\":\"Quiet\",\"email\":\"quiet$n@example.com\",\"phone\":\"0935$(printf '%07d' "$n")\",\"password\":\"quiet-pass-1\"}" \
  || die "sign-up failed"
for path in health packages openapi.json; do curl -fs -o /dev/null "$API/$path" || die "GET /api/$path failed"; done
sleep "$WATCH"

after=$(tail -n +"$((ready_line + 1))" "$OUT")
count=$(printf '%s' "$after" | grep -c '' || true)
printf '%s\n' "$after"
log "$count lines in the first $WATCH s after ready (a screen: $SCREEN)"
[ "$count" -le "$SCREEN" ] || die "the terminal of up is not quiet: $count lines"
