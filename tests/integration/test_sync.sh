#!/bin/bash
# Outbox delivery to the back office, exactly once, with real processes on
# 127.0.0.1 (docs/sync-protocol.md):
#   1. back office down: buergerkioskd --once loses nothing, exits 3
#   2. back office up: everything delivered, each ticket held exactly once
#   3. --fail-next 2 and --drop-replies 1: still exactly once
#   4. back office killed with SIGKILL mid-run, restarted on its data dir
#   5. a long-running daemon picks up new tickets, stops on SIGTERM with 0
#   6. an event the back office refuses is parked as dead with the reason
# Needs BK_BIN_DIR (build dir) and BK_SOURCE_DIR. KEEP_TMP=1 keeps files.
set -u

. "$(dirname "$0")/lib.sh"
bk_init sync jq

# Short backoff so retries happen within the test. exec: started with &,
# $! is then buergerkioskd itself, not a subshell.
kd() {
	exec "$KD_BIN" "${COMMON[@]}" --set sync.backoff_min_ms=50 \
		--set sync.backoff_max_ms=300 --set sync.timeout_s=5 \
		--set sync.poll_ms=100 "$@"
}

# drain URL: buergerkioskd --once until nothing is pending (exit 0).
drain() {
	local rc
	for _ in $(seq 60); do
		(kd --backoffice "$1" --once 2>>"$TMP/kioskd.log")
		rc=$?
		[ "$rc" = 0 ] && return 0
		[ "$rc" = 3 ] || fail "buergerkioskd --once exited $rc"
		sleep 0.2
	done
	fail "outbox not drained after 60 rounds"
}

# held_once LABEL: check_exactly_once, then say so.
held_once() {
	check_exactly_once "$1"
	echo "ok   $1 ($(wc -l <"$TMP/issued") tickets held once each)"
}

: >"$TMP/issued"

# --- 1. back office down --------------------------------------------------
bo_start 127.0.0.1:0 || fail "back office did not start"
DEAD_URL=http://127.0.0.1:$BO_PORT
bo_stop # nobody listens on that port now
issue 3
(kd --backoffice "$DEAD_URL" --once 2>>"$TMP/kioskd.log")
rc=$?
[ "$rc" = 3 ] || fail "1: --once with the back office down exited $rc, want 3"
[ "$(count pending)" = 3 ] || fail "1: pending $(count pending), want 3"
[ "$(count delivered)" = 0 ] || fail "1: delivered $(count delivered)"
[ "$(count dead)" = 0 ] || fail "1: dead $(count dead)"
ctl sync status --json | jq -e '.health.sync.ok == false' >/dev/null ||
	fail "1: health does not show the sync error"
echo "ok   1 back office down: 3 pending, nothing lost"

# --- 2. back office up ------------------------------------------------------
bo_start 127.0.0.1:0 || fail "2: back office did not start"
URL=http://127.0.0.1:$BO_PORT
curl -sf "$URL/v1/health" | jq -e '.ok == true' >/dev/null ||
	fail "2: GET /v1/health"
drain "$URL"
held_once "2 back office up"
bo_stop

# --- 3. fault switches ------------------------------------------------------
bo_start 127.0.0.1:0 --fail-next 2 --drop-replies 1 ||
	fail "3: back office did not start"
URL=http://127.0.0.1:$BO_PORT
issue 4
drain "$URL"
grep -q "503 without storing" "$TMP/bo$BO_N.log" || fail "3: --fail-next unused"
grep -q "reply dropped" "$TMP/bo$BO_N.log" || fail "3: --drop-replies unused"
[ "$(grep -c 'held 4' "$TMP/bo$BO_N.log")" = 2 ] ||
	fail "3: the dropped batch was not sent again"
held_once "3 fail-next 2, drop-replies 1"
bo_stop

# --- 4 + 5. long-running daemon, back office killed mid-run ----------------
bo_start 127.0.0.1:0 || fail "4: back office did not start"
PORT=$BO_PORT
URL=http://127.0.0.1:$PORT
kd --backoffice "$URL" --set sync.batch_size=2 2>>"$TMP/kioskd.log" </dev/null >/dev/null &
KD_PID=$!
PIDS+=("$KD_PID")
KILLED_LOG=$TMP/bo$BO_N.log
issue 6
for _ in $(seq 50); do # some batches in, the rest still coming
	grep -q "held" "$KILLED_LOG" && break
	sleep 0.1
done
grep -q "held" "$KILLED_LOG" || fail "4: nothing delivered before the kill"
kill -KILL "$BO_PID"
wait "$BO_PID" 2>/dev/null
issue 6 # while the back office is dead
for _ in $(seq 100); do # same port again (SO_REUSEADDR)
	bo_start "127.0.0.1:$PORT" && break
	sleep 0.1
done
[ "$BO_PORT" = "$PORT" ] || fail "4: could not restart on port $PORT"
issue 3 # the daemon picks up new tickets by itself
for _ in $(seq 150); do
	[ "$(count pending)" = 0 ] && break
	sleep 0.1
done
kill -0 "$KD_PID" 2>/dev/null || fail "5: buergerkioskd died"
grep -q "held" "$TMP/bo$BO_N.log" || fail "4: nothing delivered after the restart"
held_once "4 back office killed with SIGKILL and restarted"

kill -TERM "$KD_PID"
for _ in $(seq 50); do
	kill -0 "$KD_PID" 2>/dev/null || break
	sleep 0.1
done
kill -0 "$KD_PID" 2>/dev/null && fail "5: buergerkioskd still running 5 s after SIGTERM"
wait "$KD_PID"
rc=$?
[ "$rc" = 0 ] || fail "5: buergerkioskd exited $rc on SIGTERM, want 0"
grep -q "stopping" "$TMP/kioskd.log" || fail "5: no clean stop logged"
echo "ok   5 long-running daemon picked up new tickets, SIGTERM → exit 0"

# --- 6. a refused event is parked, the rest delivered -----------------------
command -v sqlite3 >/dev/null || { echo "skip 6 (no sqlite3)"; exit 0; }
BAD_ID=$(cat /proc/sys/kernel/random/uuid)
sqlite3 "$TMP/kiosk/kiosk.db" "PRAGMA busy_timeout=5000; INSERT INTO outbox
	(id, type, body, created_ms) VALUES ('$BAD_ID', 'ticket.teleported',
	'{\"id\":\"$BAD_ID\",\"type\":\"ticket.teleported\",\"kiosk_id\":\"kiosk-01\",\"site_id\":\"musterstadt\",\"created_at\":\"2026-11-25T18:40:00.000Z\",\"data\":{}}',
	0)" >/dev/null || fail "6: could not insert the test event"
issue 1
drain "$URL"
[ "$(count dead)" = 1 ] || fail "6: dead $(count dead), want 1"
ctl sync status --json | jq -e --arg id "$BAD_ID" \
	'.dead_events[] | select(.id == $id) | .reason | test("unknown event type")' \
	>/dev/null || fail "6: dead event without the back office's reason"
"$BO_BIN" --data-dir "$TMP/bo" --list | grep -q "$BAD_ID" &&
	fail "6: the back office holds the refused event"
[ "$(count delivered)" = "$(wc -l <"$TMP/issued")" ] ||
	fail "6: delivered $(count delivered)"
echo "ok   6 refused event parked as dead with the reason"
bo_stop

# nothing of ours left running
for p in "${PIDS[@]}"; do
	kill -0 "$p" 2>/dev/null && fail "process $p still running"
done
echo "all sync scenarios passed"
