#!/bin/bash
# Disk errors through libfiu: a failing fsync and a full disk (ENOSPC on
# pwrite) while kioskctl issues tickets.
#
# kioskctl ticket issue runs many times under fiu-run -x with
#   a) fsync/fdatasync failing at random (posix/io/sync/*), then
#   b) pwrite failing with ENOSPC at random (posix/io/rw/pwrite, errno 28).
# Each run must either print its ticket and exit 0, or exit 1 with
# "could not issue a ticket: ..." or, when the fault hit while opening the
# store, the store's path and the reason (never crash, never another code).
# Afterwards, without faults:
#   1. the store opens and PRAGMA integrity_check is ok;
#   2. every ticket kioskctl reported (id and number) is there;
#   3. no number twice, and every ticket has exactly one outbox event;
#   4. one more ticket issues normally.
# A ticket whose kioskctl reported failure may still be there (a failed
# fsync does not mean the row is absent: SQLite recovers the WAL frames
# that reached the file). They are counted and printed, not failed.
#
# ASan and libfiu's LD_PRELOAD: fiu-run puts its libraries first in
# LD_PRELOAD, and an ASan kioskctl then crashes at start (SIGSEGV). For an
# ASan build the test runs kioskctl through a shell that puts libasan in
# front of fiu's libraries again, and suppresses LeakSanitizer's report
# of one string that fiu_run_preload.so itself never frees.
# Needs BK_BIN_DIR (build dir) and BK_SOURCE_DIR. KEEP_TMP=1 keeps files.
set -u

BIN=${BK_BIN_DIR:?set BK_BIN_DIR to the build directory}
SRC=${BK_SOURCE_DIR:?set BK_SOURCE_DIR to the source directory}
CTL_BIN=$BIN/firmware/kioskctl
[ -x "$CTL_BIN" ] || { echo "FAIL: $CTL_BIN not built"; exit 1; }
for t in jq sqlite3; do
	command -v "$t" >/dev/null || { echo "FAIL: $t is needed"; exit 1; }
done
if ! command -v fiu-run >/dev/null; then
	echo "FAIL: fiu-run is needed (Debian fiu-utils, scripts/deps)"
	exit 1
fi

RUNS=${BK_FIU_RUNS:-25}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/bk-fiu-XXXXXX")
DB=$TMP/kiosk/kiosk.db

cleanup() {
	if [ "${KEEP_TMP:-0}" = 1 ]; then
		echo "files kept in $TMP"
	else
		rm -rf "$TMP"
	fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

fail() {
	echo "FAIL: $*"
	for f in "$TMP"/*.log; do
		[ -s "$f" ] || continue
		echo "--- $f (last 15 lines)"
		tail -n 15 "$f"
	done
	exit 1
}

CTL=("$CTL_BIN" --config "$SRC/assets/site.conf" --data-dir "$TMP/kiosk"
	--set "printer.uri=virtual:$TMP/printer")
ASANLIB=$(ldd "$CTL_BIN" | awk '/libasan\.so/ { print $3; exit }')
WRAP=()
if [ -n "$ASANLIB" ]; then
	echo "leak:fiu_run_preload.so" >"$TMP/lsan.supp"
	export LSAN_OPTIONS="suppressions=$TMP/lsan.supp:print_suppressions=0"
	# shellcheck disable=SC2016 # expanded by the inner shell
	WRAP=(/bin/sh -c 'LD_PRELOAD="$0 $LD_PRELOAD" exec "$@"' "$ASANLIB")
fi

: >"$TMP/reported"
ok=0
failed=0

# issue_under POINT_COMMANDS...: one kioskctl under fiu-run
issue_under() {
	local fiu=(fiu-run -x -f "")
	local c out rc
	for c in "$@"; do
		fiu+=(-c "$c")
	done
	out=$("${fiu[@]}" "${WRAP[@]}" "${CTL[@]}" --json ticket issue \
		--service reisepass --no-print 2>"$TMP/last.err")
	rc=$?
	cat "$TMP/last.err" >>"$TMP/kioskctl.log"
	case $rc in
	0)
		echo "$out" | jq -r '"\(.id) \(.number)"' >>"$TMP/reported" ||
			fail "exit 0 without a ticket: $out"
		ok=$((ok + 1))
		;;
	1)
		# the commit failed, or the store could not even be opened
		grep -Eq "could not issue a ticket: |^kioskctl: .*kiosk\.db: " \
			"$TMP/last.err" ||
			fail "exit 1 without a clear message: $(tail -3 "$TMP/last.err")"
		grep -E "^kioskctl: " "$TMP/last.err" | sed "s|$TMP|TMP|" \
			>>"$TMP/messages"
		failed=$((failed + 1))
		;;
	*)
		fail "kioskctl exited $rc under $*: $(tail -5 "$TMP/last.err")"
		;;
	esac
}

# the store exists before the faults (its creation is not the subject)
"${CTL[@]}" --json ticket issue --service reisepass --no-print \
	2>>"$TMP/kioskctl.log" | jq -r '"\(.id) \(.number)"' >>"$TMP/reported" ||
	fail "kioskctl without faults failed"

for _ in $(seq "$RUNS"); do
	issue_under "enable_random name=posix/io/sync/fsync,probability=0.4" \
		"enable_random name=posix/io/sync/fdatasync,probability=0.4"
done
echo "ok   failing fsync: $ok issued, $failed refused with a message"
[ "$failed" -gt 0 ] || fail "no fsync failure reached kioskctl (fiu inactive?)"
grep -q "I/O error" "$TMP/kioskctl.log" || fail "no I/O error reported"
ok_f=$ok
failed_f=$failed
ok=0
failed=0
for _ in $(seq "$RUNS"); do
	issue_under "enable_random name=posix/io/rw/pwrite,probability=0.08,failinfo=28"
done
echo "ok   ENOSPC on pwrite: $ok issued, $failed refused with a message"
[ "$failed" -gt 0 ] || fail "no ENOSPC reached kioskctl (fiu inactive?)"

# --- afterwards, without faults ----------------------------------------------
"${CTL[@]}" --json ticket issue --service reisepass --no-print \
	2>>"$TMP/kioskctl.log" | jq -r '"\(.id) \(.number)"' >>"$TMP/reported" ||
	fail "kioskctl after the faults failed"
[ "$(sqlite3 "$DB" "PRAGMA integrity_check")" = ok ] ||
	fail "integrity_check: $(sqlite3 "$DB" "PRAGMA integrity_check" | head -3)"
sqlite3 "$DB" "SELECT id || ' ' || number FROM tickets" | sort >"$TMP/stored"
sort "$TMP/reported" >"$TMP/reported.sorted"
missing=$(comm -23 "$TMP/reported.sorted" "$TMP/stored")
[ -z "$missing" ] || fail "reported tickets missing: $missing"
twice=$(sqlite3 "$DB" "SELECT number FROM tickets GROUP BY service_id, day,
	number HAVING count(*) > 1")
[ -z "$twice" ] || fail "numbers twice: $twice"
bad=$(sqlite3 "$DB" "SELECT count(*) FROM tickets t WHERE (SELECT count(*)
	FROM outbox o WHERE o.type = 'ticket.issued' AND
	json_extract(o.body, '$.data.ticket_id') = t.id) <> 1")
[ "$bad" = 0 ] || fail "$bad tickets without exactly one outbox event"
echo "     messages seen:"
sort "$TMP/messages" | uniq -c | sed 's/^/     /'
ghosts=$(comm -13 "$TMP/reported.sorted" "$TMP/stored" | wc -l)
echo "ok   after the faults: integrity ok, all $(wc -l <"$TMP/reported") reported tickets stored once each with one event; $ghosts stored although kioskctl reported failure (fsync: $ok_f/$failed_f, ENOSPC: $ok/$failed ok/refused)"
