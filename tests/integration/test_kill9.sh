#!/bin/bash
# kill -9 during delivery: nothing lost, nothing twice.
#
# A large outbox (2,000 ticket events, topped up with 2,000 more whenever
# it runs low, beside tickets issued with kioskctl)
# is delivered by buergerkioskd to kiosk-backoffice in small batches. The
# daemon is killed with SIGKILL at random moments (10 times) and started
# again; the back office is killed with SIGKILL mid-batch 3 times and
# started again on the same port and data dir; kioskctl keeps issuing
# tickets meanwhile. At the end:
#   1. every event of the kiosk's outbox is in the back office exactly
#      once, and the back office holds nothing else;
#   2. no ticket number (service, day, number) is held twice;
#   3. the kiosk shows everything delivered (pending 0, dead 0);
#   4. PRAGMA integrity_check is ok on kiosk.db.
# It starts with five kioskctl at once on a fresh data dir: all succeed.
# kill -9 leaves the OS page cache intact, so this proves crash recovery
# and idempotent redelivery, not durability against power loss (that is
# test_powercut). The 2,000 rows are written with the sqlite3 shell in
# the shape queue_issue_ticket() gives them, because 2,000 kioskctl runs
# under ASan would take minutes.
# Needs BK_BIN_DIR (build dir) and BK_SOURCE_DIR. KEEP_TMP=1 keeps files.
set -u

. "$(dirname "$0")/lib.sh"
bk_init kill9 jq sqlite3

BULK=${BK_KILL9_EVENTS:-2000}
KILLS=${BK_KILL9_KILLS:-10}
DB=$TMP/kiosk/kiosk.db
KD_PID=

sql() { sqlite3 -cmd ".timeout 10000" "$DB" "$@"; }

pending() { sql "SELECT count(*) FROM outbox WHERE state = 'pending'"; }

# restart_bo: SIGKILL, then the same port and data dir again.
restart_bo() {
	local port=$BO_PORT
	kill -KILL "$BO_PID" 2>/dev/null
	wait "$BO_PID" 2>/dev/null
	for _ in $(seq 100); do
		bo_start "127.0.0.1:$port" && [ "$BO_PORT" = "$port" ] &&
			return 0
		sleep 0.1
	done
	fail "could not restart the back office on port $port"
}

start_kd() {
	"$KD_BIN" "${COMMON[@]}" --backoffice "http://127.0.0.1:$BO_PORT" \
		--set sync.batch_size=10 --set sync.backoff_min_ms=20 \
		--set sync.backoff_max_ms=200 --set sync.timeout_s=3 \
		--set sync.poll_ms=50 </dev/null >/dev/null \
		2>>"$TMP/kioskd.log" &
	KD_PID=$!
	PIDS+=("$KD_PID")
}

# A random pause of 50..400 ms.
pause() { sleep "0.$(printf '%03d' $((50 + RANDOM % 350)))"; }

# --- setup: tickets from kioskctl, then the bulk in the same shape ---------
bo_start 127.0.0.1:0 || fail "back office did not start"
# five kioskctl at once on the fresh data dir: one migrates, the others
# wait for it (they used to fail with "table tickets already exists")
par=()
for _ in 1 2 3 4 5; do
	ctl ticket issue --service personalausweis --no-print >/dev/null \
		2>>"$TMP/kioskctl.log" &
	par+=("$!")
done
for p in "${par[@]}"; do
	wait "$p" || fail "kioskctl started beside others on a fresh data dir failed"
done
UUID="lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) ||
 '-4' || substr(lower(hex(randomblob(2))), 2) || '-' ||
 substr('89ab', 1 + abs(random()) % 4, 1) ||
 substr(lower(hex(randomblob(2))), 2) || '-' || lower(hex(randomblob(6)))"
# bulk N DAYS_AGO: N tickets and their events on that day (numbers from
# A500 on, so they never meet kioskctl's), one transaction
bulk() {
	sql "
BEGIN IMMEDIATE;
CREATE TEMP TABLE bulk AS
 WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n
  WHERE i < $1 - 1)
 SELECT i, $UUID AS tid, $UUID AS eid,
  CASE i % 5 WHEN 0 THEN 'personalausweis' WHEN 1 THEN 'reisepass'
   WHEN 2 THEN 'meldeangelegenheiten' WHEN 3 THEN 'fuehrungszeugnis'
   ELSE 'fundbuero' END AS svc,
  substr('ABCDE', i % 5 + 1, 1) || printf('%03d', 500 + i / 5) AS num,
  500 + i / 5 AS seq, date('now', 'localtime', '-$2 days') AS day,
  strftime('%Y-%m-%dT%H:%M:%fZ', 'now') AS ca FROM n;
INSERT INTO tickets (id, request_key, service_id, day, seq, number, lang,
 created_ms)
 SELECT tid, 'bulk-' || tid, svc, day, seq, num, 'de',
  CAST(unixepoch('now') AS INTEGER) * 1000 FROM bulk;
INSERT INTO outbox (id, type, body, created_ms)
 SELECT eid, 'ticket.issued', json_object('id', eid, 'type', 'ticket.issued',
  'kiosk_id', 'kiosk-01', 'site_id', 'musterstadt', 'created_at', ca,
  'data', json_object('ticket_id', tid, 'number', num, 'service_id', svc,
  'day', day, 'lang', 'de')), CAST(unixepoch('now') AS INTEGER) * 1000
 FROM bulk ORDER BY i;
COMMIT;" >/dev/null || fail "could not write $1 bulk events"
}
bulk "$BULK" 0
TOTAL=$(sql "SELECT count(*) FROM outbox")
[ "$TOTAL" = $((BULK + 5)) ] || fail "outbox holds $TOTAL, want $((BULK + 5))"
echo "ok   outbox holds $TOTAL events"

# --- kills ------------------------------------------------------------------
start_kd
mid=0
for k in $(seq "$KILLS"); do
	# kill only once delivery is under way again after the restart
	before=$(pending)
	for _ in $(seq 100); do
		[ "$(pending)" -lt "$before" ] && break
		[ "$before" = 0 ] && break
		sleep 0.02
	done
	# keep the outbox large, so the kill lands mid-delivery however fast
	# this machine drains (a batch of 100 takes milliseconds)
	[ "$(pending)" -lt 1500 ] && bulk 2000 "$k"
	sleep "0.0$((1 + RANDOM % 6))"
	left=$(pending)
	[ "$left" -gt 0 ] && mid=$((mid + 1))
	kill -KILL "$KD_PID" 2>/dev/null || fail "buergerkioskd died by itself"
	wait "$KD_PID" 2>/dev/null
	echo "     kill -9 buergerkioskd #$k with $left pending"
	if [ $((k % 3)) = 2 ]; then
		start_kd
		pause
		restart_bo
		echo "     kill -9 kiosk-backoffice (restarted on port $BO_PORT)"
	else
		issue 1
		start_kd
	fi
done
[ "$mid" -ge $((KILLS / 2)) ] ||
	fail "only $mid of $KILLS kills landed with events pending"

for _ in $(seq 600); do
	[ "$(pending)" = 0 ] && break
	kill -0 "$KD_PID" 2>/dev/null || fail "buergerkioskd died"
	sleep 0.1
done
[ "$(pending)" = 0 ] || fail "outbox not drained 60 s after the last kill"
kill -TERM "$KD_PID"
wait "$KD_PID"
rc=$?
[ "$rc" = 0 ] || fail "buergerkioskd exited $rc on SIGTERM"

# --- checks -------------------------------------------------------------------
TOTAL=$(sql "SELECT count(*) FROM outbox")
"$BO_BIN" --data-dir "$TMP/bo" --list --json >"$TMP/list.json" ||
	fail "kiosk-backoffice --list --json failed"
jq -r '.[].id' "$TMP/list.json" | sort >"$TMP/held"
sql "SELECT id FROM outbox" | sort >"$TMP/outbox"
[ "$(sort -u "$TMP/held" | wc -l)" = "$(wc -l <"$TMP/held")" ] ||
	fail "the back office holds an event id twice"
diff -u "$TMP/outbox" "$TMP/held" >"$TMP/diff.out" ||
	fail "back office and outbox differ (see diff.out): $(head -5 "$TMP/diff.out")"
dups=$(jq -r '.[] | .event.data | "\(.service_id) \(.day) \(.number)"' \
	"$TMP/list.json" | sort | uniq -d | head -3)
[ -z "$dups" ] || fail "numbers held twice: $dups"
[ "$(sql "SELECT count(*) FROM outbox WHERE state = 'delivered'")" = "$TOTAL" ] ||
	fail "not all $TOTAL events delivered on the kiosk"
[ "$(sql "PRAGMA integrity_check")" = ok ] || fail "kiosk.db integrity_check"
echo "ok   $KILLS kills of buergerkioskd ($mid mid-delivery), $((KILLS / 3)) of the back office: $TOTAL events held exactly once, all delivered"
