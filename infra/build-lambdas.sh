#!/usr/bin/env bash
# Build every Lambda as a bootstrap.zip for provided.al2023 on arm64 and
# print each zip's size (target: each ≤ 6 MB). cargo-lambda and the zig
# linker it cross-compiles with come from PyPI into the project's venv.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE="${WA_STATE_DIR:-$HOME/.cache/wa-campaigns}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$STATE/target}"
VENV="$STATE/venv"
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
[ -x "$VENV/bin/cargo-lambda" ] || "$VENV/bin/pip" install -q cargo-lambda ziglang
export PATH="$VENV/bin:$PATH"
rustup target list --installed 2>/dev/null | grep -q aarch64-unknown-linux-gnu || rustup target add aarch64-unknown-linux-gnu

BINS=(auth campaigns packages payments admin ws-connect ws-disconnect ws-default scheduler)
args=(); for bin in "${BINS[@]}"; do args+=(--bin "$bin"); done
cd "$ROOT"
cargo lambda build --release --arm64 --output-format zip -p functions "${args[@]}"
printf '%-16s %10s\n' function "zip bytes"
status=0
for bin in "${BINS[@]}"; do
  zip="$CARGO_TARGET_DIR/lambda/$bin/bootstrap.zip"
  size=$(stat -c %s "$zip")
  printf '%-16s %10d\n' "$bin" "$size"
  [ "$size" -le $((6 * 1024 * 1024)) ] || { echo "  over 6 MB" >&2; status=1; }
done
exit $status
