#!/bin/bash
# bench_display.sh — the waiting-room display's side of a call: how long
# after the daemon commits a call the display has it (the call's "at" to
# the display's clock, from its log), the display's memory, and its CPU
# while it waits. N calls (default 100) are made with curl, one every
# 100 ms, by one counter against buergerkioskd on 127.0.0.1 (plain HTTP);
# the display runs headless (no script: its normal loop).
#
# Run by hand (never by ctest):
#
#   cmake -S . -B ../build-rel -DCMAKE_BUILD_TYPE=Release
#   cmake --build ../build-rel -j2 --target buergerkiosk buergerkioskd kioskctl
#   bench/bench_display.sh ../build-rel [N]
set -eu

BIN=${1:?usage: bench_display.sh BUILD-DIR [N]}
N=${2:-100}
SRC=$(cd "$(dirname "$0")/.." && pwd)
CTL=$BIN/firmware/kioskctl
KD=$BIN/firmware/buergerkioskd
UI=$BIN/ui/buergerkiosk
for b in "$CTL" "$KD" "$UI"; do
	[ -x "$b" ] || { echo "bench_display: $b not built" >&2; exit 1; }
done
TMP=$(mktemp -d "${TMPDIR:-/tmp}/bench-display-XXXXXX")
KD_PID=
UI_PID=
trap '[ -n "$UI_PID" ] && kill "$UI_PID" 2>/dev/null; [ -n "$KD_PID" ] && kill "$KD_PID" 2>/dev/null; wait 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$TMP"' EXIT
C=(--config "$SRC/assets/site.conf" --data-dir "$TMP/kiosk" --set "printer.uri=virtual:$TMP/printer")

token=$("$CTL" "${C[@]}" counter add 1 --services personalausweis 2>/dev/null |
	grep -oE '[A-Za-z0-9_-]{43}' | head -n 1)
for _ in $(seq "$N"); do
	"$CTL" "${C[@]}" ticket issue --service personalausweis --no-print >/dev/null
done
"$KD" "${C[@]}" --set site_api.listen=127.0.0.1:0 2>"$TMP/kd.log" &
KD_PID=$!
port=
for _ in $(seq 200); do
	port=$(sed -n 's|.*site API listening on http://127\.0\.0\.1:\([0-9]*\).*|\1|p' "$TMP/kd.log" 2>/dev/null | head -n 1)
	[ -n "$port" ] && break
	sleep 0.05
done
[ -n "$port" ] || { echo "bench_display: daemon did not start" >&2; exit 1; }
"$UI" --role display --site "http://127.0.0.1:$port" --config "$SRC/assets/site.conf" \
	--headless 2>"$TMP/display.log" &
UI_PID=$!
sleep 1

# idle: CPU over 5 s with nothing happening
ticks() { awk '{ print $14 + $15 }' "/proc/$UI_PID/stat"; }
t0=$(ticks)
sleep 5
t1=$(ticks)
hz=$(getconf CLK_TCK)

for _ in $(seq "$N"); do
	curl -s -o /dev/null -X POST -H "Authorization: Bearer $token" \
		-H 'Content-Type: application/json' \
		--data '{}' "http://127.0.0.1:$port/api/v1/next"
	sleep 0.1
done
sleep 1
rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$UI_PID/status")
sed -n 's/.*, \([0-9-]*\) ms after the call$/\1/p' "$TMP/display.log" | sort -n >"$TMP/ms"
got=$(wc -l <"$TMP/ms")
[ "$got" -gt 0 ] || { echo "bench_display: the display logged no call" >&2; exit 1; }
med=$(sed -n "$(((got + 1) / 2))p" "$TMP/ms")
p99=$(sed -n "$(((got * 99 + 99) / 100))p" "$TMP/ms")
max=$(tail -n 1 "$TMP/ms")
echo "calls made: $N, shown by the display: $got"
echo "call -> display: median $med ms, p99 $p99 ms, max $max ms"
echo "display idle CPU: $(awk -v a="$t0" -v b="$t1" -v hz="$hz" 'BEGIN { printf "%.1f", (b - a) / hz / 5 * 100 }') % of one core"
echo "display RSS after $got calls: $((rss / 1024)) MiB"
