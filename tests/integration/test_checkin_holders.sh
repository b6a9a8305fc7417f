#!/bin/bash
# Holders in the down-sync with real processes (docs/check-in.md):
#   1. a back office seeded with --seed-demo 40 (9 in 10 with a holder) and
#      --seed-holder for a known holder today; kioskctl appointments pull
#   2. every appointment with a holder has a 32-byte holder_key, the others
#      none; DATA-DIR/holder.key is 32 bytes, mode 0600
#   3. no surname, given name or birth date in kiosk.db, its WAL, or any
#      log of the kiosk; the back office's logs name nobody either
#   4. a second pull of the same rows (cursor reset) gives the same keys:
#      the key file is kept, not replaced
#   5. kioskctl checkin --holder with the document's spelling checks in
#      (slot in 5 minutes); --code and --scan (a US scanner on a German
#      host: ':' typed as 'Ö', Y/Z swapped) then answer "already" with the
#      same number; the back office receives appointment.checked_in once,
#      with method "document" and that number (skipped within 5 minutes
#      of midnight)
# Needs BK_BIN_DIR and BK_SOURCE_DIR. KEEP_TMP=1 keeps files.
set -u

. "$(dirname "$0")/lib.sh"
bk_init holders sqlite3

kdb() { sqlite3 "$TMP/kiosk/kiosk.db" "$@"; }

"$BO_BIN" --data-dir "$TMP/bo" --seed-demo 40 >>"$TMP/bo.log" 2>&1 ||
	fail "--seed-demo failed"
SLOT=$(date -d '+5 min' +%H:%M)
"$BO_BIN" --data-dir "$TMP/bo" --seed-holder \
	"Müller-Lüdenscheidt,Anna Lena,1985-03-14,reisepass,$SLOT" \
	>"$TMP/seed.out" 2>>"$TMP/bo.log" || fail "--seed-holder failed"
grep -Eq '^id=[0-9a-f-]{36} process=[0-9]{6} code=[A-HJ-NP-Z2-9]{5} slot=' \
	"$TMP/seed.out" || fail "--seed-holder printed: $(cat "$TMP/seed.out")"
"$BO_BIN" --data-dir "$TMP/bo" --seed-holder "Nobody,X,1985-02-30,reisepass,10:00" \
	>/dev/null 2>>"$TMP/bo-refused.txt" && fail "a 30 February was taken"
"$BO_BIN" --data-dir "$TMP/bo" --seed-holder "Nobody,X,1985-02-01,nope,10:00" \
	>/dev/null 2>>"$TMP/bo-refused.txt" && fail "an unknown service was taken"
HOLDERS=$(sqlite3 "$TMP/bo/backoffice.db" "SELECT count(*) FROM
	bo_appointments WHERE holder_surname IS NOT NULL")
[ "$HOLDERS" = 37 ] || fail "back office has $HOLDERS holders, want 37"

bo_start 127.0.0.1:0 || fail "back office did not start"
ctl() { "$CTL_BIN" "${COMMON[@]}" --set "backoffice.url=$BO_URL" "$@"; }
ctl appointments pull >"$TMP/pull.out" 2>>"$TMP/kioskctl.log" ||
	fail "pull failed"

# 2. keys, and only keys
[ "$(kdb "SELECT count(*) FROM appointments")" -ge 9 ] ||
	fail "too few appointments pulled"
KEYED=$(kdb "SELECT count(*) FROM appointments WHERE length(holder_key) = 32")
IN_BO=$(sqlite3 "$TMP/bo/backoffice.db" "SELECT count(*) FROM bo_appointments
	WHERE holder_surname IS NOT NULL AND id IN ($(kdb "SELECT group_concat(
	quote(id)) FROM appointments"))")
[ "$KEYED" = "$IN_BO" ] || fail "$KEYED keyed rows, $IN_BO with a holder"
[ "$KEYED" -ge 1 ] || fail "no holder key stored"
[ "$(stat -c %s "$TMP/kiosk/holder.key")" = 32 ] || fail "holder.key size"
[ "$(stat -c %a "$TMP/kiosk/holder.key")" = 600 ] || fail "holder.key mode"

# 3. no names: every holder the back office sent, in every kiosk file
sqlite3 "$TMP/bo/backoffice.db" "SELECT holder_surname FROM bo_appointments
	WHERE holder_surname IS NOT NULL UNION SELECT holder_given_names FROM
	bo_appointments WHERE holder_surname IS NOT NULL UNION SELECT
	holder_date_of_birth FROM bo_appointments WHERE holder_surname IS NOT
	NULL" >"$TMP/words"
[ "$(wc -l <"$TMP/words")" -ge 30 ] || fail "too few words to look for"
grep -q "Müller-Lüdenscheidt" "$TMP/words" || fail "seeded holder missing"
no_names() {
	local f
	for f in "$TMP/kiosk"/kiosk.db* "$TMP"/*.log "$TMP"/*.out \
		"$TMP"/*.json; do
		[ -f "$f" ] || continue
		if grep -a -F -f "$TMP/words" "$f" >/dev/null; then
			fail "a holder's name or birth date is in $f ($1)"
		fi
	done
}
no_names "after the pull"
# and the check can fail: the process numbers are there
PN=$(sed -n 's/.*process=\([0-9]*\).*/\1/p' "$TMP/seed.out")
cat "$TMP/kiosk"/kiosk.db* | grep -a -q "$PN" ||
	fail "the process number is not in kiosk.db: the search is broken"

# 4. the same rows again give the same keys
kdb "SELECT hex(holder_key) FROM appointments ORDER BY id" >"$TMP/keys1"
kdb "DELETE FROM sync_state WHERE key = 'appointments.cursor'"
ctl appointments pull >>"$TMP/pull.out" 2>>"$TMP/kioskctl.log" ||
	fail "second pull failed"
kdb "SELECT hex(holder_key) FROM appointments ORDER BY id" >"$TMP/keys2"
cmp -s "$TMP/keys1" "$TMP/keys2" || fail "keys changed on a second pull"
# 5. check in by document, then by code and scan: the same number
if [ "$(date -d '+5 min' +%Y-%m-%d)" = "$(date +%Y-%m-%d)" ]; then
	CODE=$(sed -n 's/.*code=\([A-Z0-9]*\).*/\1/p' "$TMP/seed.out")
	ctl checkin --holder "MUELLER<LUEDENSCHEIDT,1985-03-14" --no-print \
		--json >"$TMP/ci1.json" 2>>"$TMP/kioskctl.log" ||
		fail "checkin --holder failed"
	grep -q '"outcome": "checked_in"' "$TMP/ci1.json" ||
		fail "not checked in: $(cat "$TMP/ci1.json")"
	NUM=$(sed -n 's/.*"number": "\([A-Z][0-9]*\)".*/\1/p' "$TMP/ci1.json")
	[[ "$NUM" =~ ^B[0-9]{3}$ ]] || fail "number '$NUM'"
	[ "$(ctl checkin --code "$PN,$CODE" --no-print 2>>"$TMP/kioskctl.log")" \
	  = "already $NUM" ] || fail "--code did not give the same number"
	SCAN="BKT1Ö${PN}Ö$(echo "$CODE" | tr YZ ZY)"
	[ "$(ctl checkin --scan "$SCAN" --no-print 2>>"$TMP/kioskctl.log")" \
	  = "already $NUM" ] || fail "--scan ($SCAN) did not give the same number"
	[ "$(ctl checkin --holder "MUELLER,1985-03-14" --no-print \
	     2>>"$TMP/kioskctl.log")" = unknown ] || fail "a partial name matched"
	"$KD_BIN" "${COMMON[@]}" --backoffice "$BO_URL" --once \
		>>"$TMP/kioskd.out" 2>>"$TMP/kioskd.log" ||
		fail "kioskd --once did not deliver"
	[ "$(sqlite3 "$TMP/bo/backoffice.db" "SELECT count(*) FROM events
	     WHERE type = 'appointment.checked_in' AND number = '$NUM' AND
	     json_extract(raw, '\$.data.method') = 'document'")" = 1 ] ||
		fail "back office did not get appointment.checked_in once"
	[ "$(sqlite3 "$TMP/bo/backoffice.db" "SELECT json_extract(raw,
	     '\$.data.kind') FROM events WHERE type = 'ticket.issued' AND
	     number = '$NUM'")" = appointment ] ||
		fail "the ticket is not marked as an appointment's"
	no_names "after the check-in"
else
	echo "skipped the check-in part: midnight is less than 5 minutes away"
fi
bo_stop
for f in "$TMP"/bo*.log; do
	if grep -a -F -f "$TMP/words" "$f" >/dev/null; then
		fail "the back office logged a holder in $f"
	fi
done
echo "ok: holders are keys only"
