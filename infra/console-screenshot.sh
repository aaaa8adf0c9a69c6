#!/usr/bin/env bash
# Regenerate docs/console-campaign.png, the README's picture of the live
# campaign page: the console's end-to-end test (a real sender, the WhatsApp
# simulator, Chromium) saves it when the campaign has reached 100%.
# Needs what `infra/dev.sh test` needs: MariaDB and the AWS emulator running.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
mkdir -p "$ROOT/docs"
export AWS_ENDPOINT_URL="${AWS_ENDPOINT_URL:-http://127.0.0.1:4566}" AWS_REGION="${AWS_REGION:-us-east-1}"
export AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-local}" AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-local}"
CONSOLE_SCREENSHOT="$ROOT/docs/console-campaign.png" \
  cargo test --manifest-path "$ROOT/Cargo.toml" -p sender --test fleet console:: -- --nocapture
ls -l "$ROOT/docs/console-campaign.png"
