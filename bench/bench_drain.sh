#!/bin/bash
# bench_drain.sh — drain rate of the outbox to the back office over
# loopback mutual TLS: N queued events (default 10,000) delivered by
# buergerkioskd --once with batches of 100, next to one request per event
# (sync.batch_size = 1). Prints events per second for each.
#
# Run by hand (never by ctest; bench/*.c are built, bench/*.sh are not):
#
#   cmake -S . -B ../build-rel -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBK_TESTS=OFF
#   cmake --build ../build-rel -j2
#   bench/bench_drain.sh ../build-rel [N]
#
# Setup: kioskctl pki demo (CA, server, kiosk certificate, pin); a fresh
# kiosk store whose outbox is filled with N ticket.issued events in one
# SQLite transaction (sqlite3 command line, the outbox table's own
# columns); kiosk-backoffice with --tls-cert/--tls-key/--client-ca on
# 127.0.0.1. The clock runs around buergerkioskd --once only, so it covers
# the TLS handshake (one: the connection is kept), every request, the back
# office's durable commit (synchronous=FULL) and the kiosk's marking of
# each batch as delivered. Both stores live in $TMPDIR (default /tmp).
set -eu

BIN=${1:?usage: bench_drain.sh BUILD-DIR [N]}
N=${2:-10000}
SRC=$(cd "$(dirname "$0")/.." && pwd)
CTL=$BIN/firmware/kioskctl
KD=$BIN/firmware/buergerkioskd
BO=$BIN/sim/kiosk-backoffice
for b in "$CTL" "$KD" "$BO"; do
	[ -x "$b" ] || { echo "bench_drain: $b not built" >&2; exit 1; }
done
for t in sqlite3 jq openssl; do
	command -v $t >/dev/null || { echo "bench_drain: needs $t" >&2; exit 1; }
done

TMP=$(mktemp -d "${TMPDIR:-/tmp}/bk-drain-XXXXXX")
BO_PID=
cleanup() {
	[ -n "$BO_PID" ] && kill -TERM "$BO_PID" 2>/dev/null && wait "$BO_PID"
	[ "${KEEP_TMP:-0}" = 1 ] && echo "files kept in $TMP" >&2 || rm -rf "$TMP"
}
trap cleanup EXIT

CONF=$SRC/assets/site.conf
"$CTL" --config "$CONF" --data-dir "$TMP/k0" --json pki demo "$TMP/pki" \
	>"$TMP/pki.json"
PIN=$(jq -r .pin "$TMP/pki.json")
KIOSK=$(jq -r .kiosk_id "$TMP/pki.json")

# fill DIR: a store with N pending events
fill() {
	"$CTL" --config "$CONF" --data-dir "$1" sync status >/dev/null
	sqlite3 "$1/kiosk.db" <<-SQL >/dev/null
	PRAGMA busy_timeout = 5000;
	BEGIN IMMEDIATE;
	CREATE TEMP TABLE u (i INTEGER PRIMARY KEY, id TEXT NOT NULL);
	WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $N)
	INSERT INTO u SELECT i, lower(hex(randomblob(4)) || '-' ||
		hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) ||
		'-a' || substr(hex(randomblob(2)), 2) || '-' ||
		hex(randomblob(6))) FROM n;
	INSERT INTO outbox (id, type, body, created_ms)
	SELECT id, 'ticket.issued', '{"id":"' || id ||
		'","type":"ticket.issued","kiosk_id":"$KIOSK",' ||
		'"site_id":"musterstadt","created_at":"2026-11-25T08:00:00.000Z",' ||
		'"data":{"number":"B' || printf('%05d', i) || '"}}',
		0 FROM u ORDER BY i;
	COMMIT;
	SQL
}

# run BATCH: prints "BATCH SECONDS RATE"
run() {
	local batch=$1 kdir=$TMP/k$1 bdir=$TMP/bo$1 port t0 t1 held
	fill "$kdir"
	"$BO" --listen 127.0.0.1:0 --data-dir "$bdir" \
		--tls-cert "$TMP/pki/server.pem" --tls-key "$TMP/pki/server.key" \
		--client-ca "$TMP/pki/ca.pem" >"$TMP/bo$batch.out" \
		2>"$TMP/bo$batch.log" &
	BO_PID=$!
	for _ in $(seq 100); do
		port=$(sed -n 's|^listening on https://127\.0\.0\.1:\([0-9]*\)$|\1|p' \
			"$TMP/bo$batch.out")
		[ -n "$port" ] && break
		sleep 0.05
	done
	[ -n "$port" ] || { echo "bench_drain: back office did not start" >&2; exit 1; }
	t0=$(date +%s%N)
	"$KD" --config "$CONF" --data-dir "$kdir" \
		--backoffice "https://127.0.0.1:$port" \
		--set "backoffice.ca_file=$TMP/pki/ca.pem" \
		--set "backoffice.pins=$PIN" \
		--set "backoffice.client_cert=$(jq -r .client_cert "$TMP/pki.json")" \
		--set "backoffice.client_key=$(jq -r .client_key "$TMP/pki.json")" \
		--set "sync.batch_size=$batch" --once 2>"$TMP/kd$batch.log" || {
		echo "bench_drain: buergerkioskd --once failed (batch $batch)" >&2
		tail -5 "$TMP/kd$batch.log" >&2
		exit 1
	}
	t1=$(date +%s%N)
	kill -TERM "$BO_PID"
	wait "$BO_PID"
	BO_PID=
	held=$("$BO" --data-dir "$bdir" --list | wc -l)
	[ "$held" = "$N" ] || { echo "bench_drain: back office holds $held of $N" >&2; exit 1; }
	awk -v b="$batch" -v n="$N" -v ns=$((t1 - t0)) 'BEGIN {
		s = ns / 1e9
		printf "batch %4d: %6d events in %7.2f s = %8.0f events/s (%d requests)\n",
			b, n, s, n / s, (n + b - 1) / b }'
}

echo "drain of $N events over loopback mutual TLS (ECDSA P-256, pinned key)"
run 100
run 1
