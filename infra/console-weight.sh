#!/usr/bin/env bash
# The console's weight (JS + CSS before compression; the budget is 200 KB)
# and, with headless Chromium driven over WebDriver, how long the first page
# takes to become interactive against a running gateway
# (`infra/dev.sh up`; default http://localhost:3000, or pass a URL).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
URL="${1:-http://localhost:3000}"
DIR="$ROOT/functions/console"

js=$(cat "$DIR"/*.js | wc -c)
css=$(cat "$DIR"/*.css | wc -c)
html=$(cat "$DIR"/*.html | wc -c)
gz=$(cat "$DIR"/*.js "$DIR"/*.css "$DIR"/*.html | gzip -9 | wc -c)
printf 'console weight: JS %d B + CSS %d B = %d B (budget 204800 B); HTML %d B; all gzipped %d B\n' \
  "$js" "$css" $((js + css)) "$html" "$gz"
[ $((js + css)) -le 204800 ] || { echo "over the 200 KB budget" >&2; exit 1; }

if ! curl -fs -o /dev/null "$URL/console/config.json"; then
  echo "no console at $URL (start it with infra/dev.sh up); load time not measured"
  exit 0
fi
CHROMEDRIVER="${CHROMEDRIVER_PATH:-/usr/bin/chromedriver}" CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}" \
  URL="$URL" python3 - <<'PY'
import json, os, socket, subprocess, tempfile, time, urllib.request

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]

port = free_port()
driver = subprocess.Popen([os.environ["CHROMEDRIVER"], f"--port={port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
base = f"http://127.0.0.1:{port}"

def call(method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method, headers={"content-type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.load(r)["value"]

try:
    for _ in range(100):
        try:
            call("GET", "/status")
            break
        except Exception:
            time.sleep(0.1)
    profile = tempfile.mkdtemp()
    caps = {"capabilities": {"alwaysMatch": {"goog:chromeOptions": {"binary": os.environ["CHROMIUM"], "args": [
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
        "--window-size=360,780", f"--user-data-dir={profile}"]}}}}
    session = call("POST", "/session", caps)["sessionId"]
    measure = """
        const done = arguments[arguments.length - 1];
        const check = () => document.body && document.body.dataset.readyMs
            ? done({ready: +document.body.dataset.readyMs,
                    dcl: Math.round(performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd),
                    bytes: performance.getEntriesByType('resource').reduce((n, r) => n + r.transferSize, 0)
                         + performance.getEntriesByType('navigation')[0].transferSize})
            : setTimeout(check, 5);
        check();"""
    call("POST", f"/session/{session}/timeouts", {"script": 30000})
    runs = []
    for i in range(6):
        call("POST", f"/session/{session}/url", {"url": os.environ["URL"] + "/#/login"})
        runs.append(call("POST", f"/session/{session}/execute/async", {"script": measure, "args": []}))
    cold, warm = runs[0], sorted(r["ready"] for r in runs[1:])[len(runs[1:]) // 2]
    print(f"time to interactive at 360 px: first load {cold['ready']} ms (DOMContentLoaded {cold['dcl']} ms, "
          f"{cold['bytes']} B transferred); warm median of 5: {warm} ms (target: first load under 1000 ms)")
    call("DELETE", f"/session/{session}")
finally:
    driver.kill()
PY
