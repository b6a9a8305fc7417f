#!/bin/bash
# bench_card_read.sh — time and APDU count of reading an ID card by
# PACE-CAN through the real PC/SC stack: kioskctl card read -> pcsclite ->
# pcscd -> vpcd -> kiosk-cardsim (TD1 card, PACE GM brainpoolP256r1
# AES-128, EF.SOD signed by a P-256 document signer under a test CSCA).
# Prints the median and spread over N reads (default 50), the APDUs one
# read sends, and the smallest APDU count the protocol allows.
#
# Run by hand as root (never by ctest; bench/*.sh are not built):
#
#   cmake -S . -B ../build-rel -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBK_TESTS=OFF
#   cmake --build ../build-rel -j2
#   bench/bench_card_read.sh ../build-rel [N]
#
# The clock runs around each kioskctl process, so a figure includes
# starting kioskctl, connecting to pcscd, OpenPACE's set-up and passive
# authentication; "of it the read itself" is the card service's own
# figure from kioskctl's log (card_connect, icao_read, card_disconnect);
# "kioskctl card list" is timed like the reads, as the baseline of process
# start + pcscd round trip without any card protocol.
# Starts pcscd --foreground when it is not running and stops it again.
set -eu

BIN=${1:?usage: bench_card_read.sh BUILD-DIR [N]}
N=${2:-50}
SRC=$(cd "$(dirname "$0")/.." && pwd)
CTL=$BIN/firmware/kioskctl
CS=$BIN/sim/kiosk-cardsim
for b in "$CTL" "$CS"; do
	[ -x "$b" ] || { echo "bench_card_read: $b not built" >&2; exit 1; }
done
for t in jq openssl pcscd; do
	command -v $t >/dev/null || { echo "bench_card_read: needs $t" >&2; exit 1; }
done

TMP=$(mktemp -d "${TMPDIR:-/tmp}/bk-cardbench-XXXXXX")
CS_PID=
PCSCD_PID=
cleanup() {
	[ -n "$CS_PID" ] && kill -TERM "$CS_PID" 2>/dev/null && wait "$CS_PID" || true
	[ -n "$PCSCD_PID" ] && kill -TERM "$PCSCD_PID" 2>/dev/null &&
		wait "$PCSCD_PID" || true
	[ "${KEEP_TMP:-0}" = 1 ] && echo "files kept in $TMP" >&2 || rm -rf "$TMP"
}
trap cleanup EXIT

if [ ! -S /run/pcscd/pcscd.comm ]; then
	pcscd --foreground >"$TMP/pcscd.log" 2>&1 &
	PCSCD_PID=$!
	for _ in $(seq 200); do
		[ -S /run/pcscd/pcscd.comm ] && break
		sleep 0.05
	done
	[ -S /run/pcscd/pcscd.comm ] || { echo "bench_card_read: pcscd did not start" >&2; exit 1; }
fi

mkdir -p "$TMP/csca"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	-keyout "$TMP/csca.key" -out "$TMP/csca/csca.pem" -days 3650 \
	-subj "/C=UT/O=Buergerkiosk test/CN=Bench CSCA" \
	-addext "keyUsage=critical,keyCertSign,cRLSign" >/dev/null 2>&1
HOLDER=$SRC/sim/holders/erika-id.txt
CAN=$(sed -n 's/^can = //p' "$HOLDER")

"$CS" --data "$HOLDER" --csca-key "$TMP/csca.key" \
	--csca-cert "$TMP/csca/csca.pem" >"$TMP/cs.out" 2>"$TMP/cs.log" &
CS_PID=$!
for _ in $(seq 200); do
	grep -qs '^card seen by the reader$' "$TMP/cs.out" && break
	sleep 0.05
done
grep -q '^card seen by the reader$' "$TMP/cs.out" ||
	{ echo "bench_card_read: pcscd did not see the card" >&2; exit 1; }

CONF=(--config "$SRC/assets/site.conf" --data-dir "$TMP/kiosk")
now_us() { echo $(( $(date +%s%N) / 1000 )); }

# median and min/max in ms of the microsecond figures in FILE
stats() {
	sort -n "$1" | awk '{ v[NR] = $1 } END {
		m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "median %.1f ms (min %.1f, max %.1f, n=%d)", m / 1000,
		       v[1] / 1000, v[NR] / 1000, NR }'
}

: >"$TMP/read.us"
: >"$TMP/inproc.us"
apdus=
for i in $(seq "$N"); do
	t0=$(now_us)
	BK_LOG_LEVEL=info "$CTL" "${CONF[@]}" card read --reader "Virtual PCD 00 00" \
		--can "$CAN" --csca "$TMP/csca" --json >"$TMP/read.json" \
		2>"$TMP/read.err" ||
		{ echo "bench_card_read: read $i failed: $(cat "$TMP/read.err")" >&2; exit 1; }
	t1=$(now_us)
	echo $((t1 - t0)) >>"$TMP/read.us"
	# the card service's own figure: connect, icao_read, disconnect
	ms=$(sed -n 's/.* card: read [0-9]*: .* APDUs, \([0-9]*\) ms.*/\1/p' "$TMP/read.err")
	[ -z "$ms" ] || echo $((ms * 1000)) >>"$TMP/inproc.us"
	[ "$(jq -r .passive_auth "$TMP/read.json")" = verified ] ||
		{ echo "bench_card_read: read $i not verified" >&2; exit 1; }
	[ -n "$apdus" ] || apdus=$(jq -r '.apdus // empty' "$TMP/read.json")
done

: >"$TMP/list.us"
for i in $(seq "$N"); do
	t0=$(now_us)
	"$CTL" "${CONF[@]}" card list >/dev/null 2>&1 || true
	t1=$(now_us)
	echo $((t1 - t0)) >>"$TMP/list.us"
done

kill -TERM "$CS_PID"
wait "$CS_PID" || true
CS_PID=
total=$(sed -n 's/.*card removed after \([0-9]*\) APDUs.*/\1/p' "$TMP/cs.log")
per_read=$(( ${total:-0} / N ))
[ -n "$apdus" ] || apdus=$per_read

echo "PACE-CAN read of an ID card through pcscd + vpcd ($N reads, kioskctl card read --json)"
echo "  time per read:       $(stats "$TMP/read.us")"
[ ! -s "$TMP/inproc.us" ] ||
	echo "  of it the read itself: $(stats "$TMP/inproc.us")  (connect + icao_read + disconnect, ms resolution)"
echo "  kioskctl card list:  $(stats "$TMP/list.us")  (process start + pcscd, no card protocol)"
echo "  APDUs per read:      $apdus (the emulator counted $total in $N reads = $per_read each)"
echo "  smallest possible:   8 for DG1 alone (CardAccess, SELECT, MSE:Set AT,"
echo "                       4 x GENERAL AUTHENTICATE, READ BINARY DG1 by SFI);"
echo "                       9 with EF.SOD for passive authentication in one"
echo "                       extended-length READ BINARY (docs/performance.md)"
