#!/usr/bin/env bash
# The simulator as scripts/run starts it: the headless demo issues tickets
# that reach the back office exactly once, a demo counter calls the first
# through the site API and the waiting-room display shows it, and it leaves
# screenshots and printer jobs behind; in window mode Ctrl-C stops every
# process it started (the display's window among them).
set -euo pipefail
: "${BK_BIN_DIR:?}" "${BK_SOURCE_DIR:?}"
tmp=$(mktemp -d)
sim=$BK_SOURCE_DIR/sim/kiosk-sim
fail() { echo "FAIL: $*" >&2; exit 1; }
leftovers() { pgrep -f -- "$1" || true; }
cleanup() {
  pkill -KILL -f -- "$tmp/" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

# 1. headless demo
env -u DISPLAY -u WAYLAND_DISPLAY bash "$sim" --build "$BK_BIN_DIR" \
  --session "$tmp/demo" > "$tmp/demo.out" 2>&1 || {
  cat "$tmp/demo.out"; for f in "$tmp"/demo/logs/*; do echo "== $f"; cat "$f"; done
  fail "demo exited non-zero"; }
grep -q "screenshots:  $tmp/demo/screenshots" "$tmp/demo.out" || fail "no screenshot folder named"
grep -q "printer jobs: $tmp/demo/printer" "$tmp/demo.out" || fail "no printer folder named"
[ "$(ls "$tmp/demo/screenshots"/*.png | wc -l)" -ge 5 ] || fail "too few screenshots"
[ "$(ls "$tmp/demo/printer" | grep -c '^job-.*\.bin$')" = 4 ] || fail "expected 4 printer jobs (3 tickets, 1 form receipt)"
"$BK_BIN_DIR/sim/kiosk-backoffice" --data-dir "$tmp/demo/backoffice" --list --json > "$tmp/held.json"
python3 - "$tmp/held.json" <<'PY'
import json, sys
held = json.load(open(sys.argv[1]))
issued = sorted(e["number"] for e in held if e["type"] == "ticket.issued")
assert issued == ["A001", "A002", "B001"], issued
# the demo counter called the first ticket through the site API
called = [e["number"] for e in held if e["type"] == "ticket.called"]
assert called == ["A001"], called
# the demo's form, encrypted on the kiosk, held once
forms = [e for e in held if e["type"] == "form.submitted"]
assert len(forms) == 1, forms
PY
grep -q 'counter page: http://127.0.0.1:[0-9]*/' "$tmp/demo.out" || fail "no counter page URL"
grep -q 'called A001: screenshots/display-called.png' "$tmp/demo.out" || fail "the display did not show the call"
[ -s "$tmp/demo/screenshots/display-called.png" ] || fail "no screenshot of the display"
# the back office served the site's catalogue and demo appointments
"$BK_BIN_DIR/firmware/kioskctl" --config "$BK_SOURCE_DIR/assets/site.conf" \
  --data-dir "$tmp/demo/kiosk" health --json > "$tmp/health.json"
python3 - "$tmp/health.json" <<'PY'
import json, sys
h = json.load(open(sys.argv[1]))
assert h["downsync"]["level"] == "ok", h
PY
[ -z "$(leftovers "$tmp/demo")" ] || fail "processes left after the demo: $(leftovers "$tmp/demo")"

# 2. window mode (SDL's offscreen video driver stands in for a display):
#    Ctrl-C, sent to the whole process group as a terminal does, stops all
setsid env DISPLAY=:nowhere SDL_VIDEODRIVER=offscreen bash "$sim" \
  --build "$BK_BIN_DIR" --session "$tmp/win" > "$tmp/win.out" 2>&1 &
sid=$!
for _ in $(seq 100); do
  [ "$(leftovers "$tmp/win/kiosk" | wc -l)" -ge 2 ] && break  # daemon + UI
  sleep 0.1
done
[ "$(leftovers "$tmp/win/kiosk" | wc -l)" -ge 2 ] || { cat "$tmp/win.out"; fail "window mode did not start"; }
sleep 0.5
kill -INT -- -"$sid"
for _ in $(seq 100); do
  [ -z "$(leftovers "$tmp/win/")" ] && break
  sleep 0.1
done
[ -z "$(leftovers "$tmp/win/")" ] || fail "left running after Ctrl-C: $(ps -o pid,args -p "$(leftovers "$tmp/win/" | tr '\n' ',' | sed 's/,$//')")"
wait "$sid" 2>/dev/null || true
echo "simulator: all checks passed"
