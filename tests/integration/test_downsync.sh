#!/bin/bash
# Down-sync with real processes on 127.0.0.1 (docs/sync-protocol.md,
# "Down-sync"):
#   1. a back office seeded with --seed-demo; buergerkioskd pulls at start;
#      kioskctl appointments list shows today's, codes masked (whole with
#      --json), the catalogue and health "downsync" are there
#   2. back office stopped: the cache still answers; a pull fails (exit 1)
#      and health shows the fault
#   3. --cancel and --move on the back office appear after the next pull
#      (kioskctl appointments pull), a repeated pull changes nothing
#   4. a row of yesterday is purged when buergerkioskd starts
# Needs BK_BIN_DIR and BK_SOURCE_DIR. KEEP_TMP=1 keeps files.
set -u

. "$(dirname "$0")/lib.sh"
bk_init down jq sqlite3

ctl() { "$CTL_BIN" "${COMMON[@]}" --set "backoffice.url=$URL" "$@"; }
kdb() { sqlite3 "$TMP/kiosk/kiosk.db" "$@"; }

# start_bo: the back office on a free port; sets URL (and BO_PID, BO_PORT).
start_bo() { bo_start 127.0.0.1:0 && URL=$BO_URL; }

# 1. seed, serve, the daemon pulls at start
"$BO_BIN" --data-dir "$TMP/bo" --seed-demo 40 >>"$TMP/bo.log" 2>&1 ||
	fail "--seed-demo failed"
SEEDED_TODAY=$(sqlite3 "$TMP/bo/backoffice.db" "SELECT count(*) FROM
	bo_appointments WHERE date(slot_start_ms / 1000, 'unixepoch',
	'localtime') = date('now', 'localtime')")
[ "$SEEDED_TODAY" -ge 1 ] || fail "no demo appointment for today"
start_bo || fail "back office did not start"

"$KD_BIN" "${COMMON[@]}" --backoffice "$URL" --set sync.poll_ms=100 \
	>"$TMP/kioskd.out" 2>"$TMP/kioskd.log" &
KD=$!
PIDS+=("$KD")
for _ in $(seq 100); do
	[ "$(kdb "SELECT count(*) FROM appointments" 2>/dev/null)" = 40 ] && break
	sleep 0.1
done
[ "$(kdb "SELECT count(*) FROM appointments")" = 40 ] ||
	fail "buergerkioskd did not pull the 40 appointments"
for _ in $(seq 50); do
	[ "$(kdb "SELECT count(*) FROM catalogue")" = 6 ] && break
	sleep 0.1
done
[ "$(kdb "SELECT count(*) FROM catalogue")" = 6 ] ||
	fail "catalogue not pulled"
kill -TERM "$KD"
wait "$KD" || fail "buergerkioskd exited $? on SIGTERM"

ctl appointments list --json >"$TMP/list.json" 2>>"$TMP/kioskctl.log" ||
	fail "appointments list --json failed"
[ "$(jq length "$TMP/list.json")" = "$SEEDED_TODAY" ] ||
	fail "list shows $(jq length "$TMP/list.json"), seeded $SEEDED_TODAY for today"
ID=$(jq -r '.[0].id' "$TMP/list.json")
CODE=$(jq -r '.[0].booking_code' "$TMP/list.json")
PN=$(jq -r '.[0].process_number' "$TMP/list.json")
[[ "$CODE" =~ ^[A-HJ-NP-Z2-9]{5}$ ]] || fail "booking code '$CODE' not from the alphabet"
[[ "$PN" =~ ^[0-9]{6}$ ]] || fail "process number '$PN' not 6 digits"
ctl appointments list >"$TMP/list.txt" || fail "appointments list failed"
grep -q "$PN" "$TMP/list.txt" || fail "plain list lacks the process number"
grep -q "\*\*\*${CODE:3:2}" "$TMP/list.txt" || fail "code not masked to its last 2"
grep -q "$CODE" "$TMP/list.txt" && fail "plain list shows a whole code"
ctl health --json | jq -e '.downsync.ok == true' >/dev/null ||
	fail "health downsync not ok"
grep -q "$CODE\|$PN" "$TMP/kioskd.log" "$TMP"/bo*.log &&
	fail "a code or process number reached a log"

# 2. back office down: the cache answers, a pull fails and says so
kill -TERM "$BO_PID"
wait "$BO_PID"
ctl appointments pull >/dev/null 2>>"$TMP/kioskctl.log" &&
	fail "pull succeeded with the back office down"
ctl appointments list --json | jq -e --arg id "$ID" \
	'any(.[]; .id == $id and .status == "booked")' >/dev/null ||
	fail "cache does not answer while the back office is down"
ctl health --json | jq -e '.downsync.ok == false' >/dev/null ||
	fail "health downsync does not show the failure"

# 3. changes travel with the next pull; a repeated pull changes nothing
start_bo || fail "back office did not restart"
TOMORROW=$(date -u -d 'tomorrow 09:00' +%Y-%m-%dT%H:%M:%SZ)
ID2=$(jq -r '.[1].id' "$TMP/list.json")
"$BO_BIN" --data-dir "$TMP/bo" --cancel "$ID" 2>>"$TMP/bo.log" ||
	fail "--cancel failed"
"$BO_BIN" --data-dir "$TMP/bo" --move "$ID2" "$TOMORROW" 2>>"$TMP/bo.log" ||
	fail "--move failed"
"$BO_BIN" --data-dir "$TMP/bo" --cancel no-such-id 2>/dev/null &&
	fail "--cancel of an unknown id succeeded"
ctl appointments pull >"$TMP/pull.out" 2>>"$TMP/kioskctl.log" ||
	fail "pull after the change failed"
grep -q "pulled 2 appointments" "$TMP/pull.out" ||
	fail "the delta was not exactly the 2 changes: $(cat "$TMP/pull.out")"
[ "$(kdb "SELECT status FROM appointments WHERE id = '$ID'")" = cancelled ] ||
	fail "cancellation did not arrive"
[ "$(kdb "SELECT day FROM appointments WHERE id = '$ID2'")" = \
  "$(date -d "$TOMORROW" +%Y-%m-%d)" ] || fail "move did not arrive"
ctl appointments pull >"$TMP/pull.out" 2>>"$TMP/kioskctl.log" ||
	fail "repeated pull failed"
grep -q "pulled 0 appointments.*catalogue unchanged" "$TMP/pull.out" ||
	fail "repeated pull was not empty: $(cat "$TMP/pull.out")"

# 4. yesterday's rows go when the daemon starts
kdb "UPDATE appointments SET day = date('now', 'localtime', '-1 day')
	WHERE id = '$ID2'"
BEFORE=$(kdb "SELECT count(*) FROM appointments")
"$KD_BIN" "${COMMON[@]}" --backoffice "$URL" --once \
	>>"$TMP/kioskd.out" 2>>"$TMP/kioskd.log" || fail "kioskd --once failed"
[ "$(kdb "SELECT count(*) FROM appointments WHERE id = '$ID2'")" = 0 ] ||
	fail "yesterday's appointment not purged"
[ "$(kdb "SELECT count(*) FROM appointments")" = $((BEFORE - 1)) ] ||
	fail "purge removed more than yesterday's row"
grep -q "purged 1 appointments of past days" "$TMP/kioskd.log" ||
	fail "purge not logged"
bo_stop
echo "ok: down-sync"
