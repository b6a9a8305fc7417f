#!/usr/bin/env bash
# kioskctl as a technician uses it: options before the subcommand, ticket
# numbers per service, a broken configuration named by file and line, a
# printer fault that still issues the ticket and is visible in the status.
set -euo pipefail
: "${BK_BIN_DIR:?}" "${BK_SOURCE_DIR:?}"
ctl=$BK_BIN_DIR/firmware/kioskctl
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
k=(--config "$BK_SOURCE_DIR/assets/site.conf" --data-dir "$tmp/kiosk"
   --set "printer.uri=virtual:$tmp/printer")

# services lists the example's six services with their ids
"$ctl" "${k[@]}" services > "$tmp/services"
[ "$(wc -l < "$tmp/services")" = 6 ] || fail "expected 6 services"
grep -q '^fundbuero .* E  Fundbüro$' "$tmp/services" || fail "Fundbüro missing"

# numbers count per service
[ "$("$ctl" "${k[@]}" ticket issue --service personalausweis)" = A001 ] || fail A001
[ "$("$ctl" "${k[@]}" ticket issue --service personalausweis)" = A002 ] || fail A002
[ "$("$ctl" "${k[@]}" ticket issue --service reisepass)" = B001 ] || fail B001
[ "$(ls "$tmp/printer" | grep -c '^job-.*\.bin$')" = 3 ] || fail "expected 3 printer jobs"
# the job holds the number in ESC/POS (double size) and ends with a cut
grep -q 'A001' "$tmp/printer/job-000001.bin" || fail "number not in job"
tail -c 4 "$tmp/printer/job-000001.bin" | od -An -tx1 | grep -q '1d 56 42' || fail "no partial cut"

"$ctl" "${k[@]}" queue list > "$tmp/queue"
[ "$(grep -c '^[AB]00' "$tmp/queue")" = 3 ] || fail "queue list: $(cat "$tmp/queue")"
"$ctl" "${k[@]}" --json queue list | python3 -c '
import json,sys; q=json.load(sys.stdin)
assert [t["number"] for t in q]==["A001","A002","B001"], q
assert q[1]["ahead"]==1, q'

# a retry with the same request key gives the same ticket, never a second
a=$("$ctl" "${k[@]}" ticket issue --service fundbuero --no-print --key retry-1)
b=$("$ctl" "${k[@]}" ticket issue --service fundbuero --no-print --key retry-1)
[ "$a" = E001 ] && [ "$b" = E001 ] || fail "same key: '$a' then '$b'"

# an unknown service is a usage error
if "$ctl" "${k[@]}" ticket issue --service nope 2> "$tmp/err"; then fail "nope issued"; fi
grep -q "no service 'nope'" "$tmp/err" || fail "message: $(cat "$tmp/err")"

# printer out of paper: the ticket is issued, the fault is reported
echo paper > "$tmp/printer/FAULT"
n=$("$ctl" "${k[@]}" ticket issue --service reisepass 2> "$tmp/err")
[ "$n" = B002 ] || fail "ticket during paper-out: '$n'"
grep -qi 'not printed' "$tmp/err" || fail "no warning: $(cat "$tmp/err")"
"$ctl" "${k[@]}" sync status --json > "$tmp/status"
python3 - "$tmp/status" <<'PY'
import json,sys
s=json.load(open(sys.argv[1]))
assert s["pending"]==5 and s["delivered"]==0 and s["dead"]==0, s
# the job waits for paper; it is not given up
assert s["print_jobs"]["pending"]==1 and s["print_jobs"]["printed"]==3, s
assert s["print_jobs"]["failed"]==0, s
assert s["health"]["printer"]["ok"] is False, s
assert s["health"]["printer"]["level"]=="fault", s
assert "paper" in s["health"]["printer"]["message"], s
PY
"$ctl" "${k[@]}" health | grep -q '^printer  *fault  ' || fail "health shows no fault: $("$ctl" "${k[@]}" health)"
# the technician asks the printer itself
set +e
"$ctl" "${k[@]}" printer status --json > "$tmp/pstatus"; rc=$?
set -e
[ $rc = 1 ] || fail "printer status with paper out: exit $rc"
python3 - "$tmp/pstatus" <<'PY'
import json,sys
s=json.load(open(sys.argv[1]))
assert s["paper_end"] is True and s["online"] is True and s["cover_open"] is False, s
assert s["paper_near_end"] is False and s["error"] is False, s
PY
for word in cutter error; do
	echo "$word" > "$tmp/printer/FAULT"
	set +e
	"$ctl" "${k[@]}" printer status --json > "$tmp/pstatus"; rc=$?
	set -e
	[ $rc = 1 ] && python3 -c '
import json,sys; s=json.load(open(sys.argv[1])); assert s["error"] is True, s' "$tmp/pstatus" ||
		fail "printer status with FAULT=$word: $rc $(cat "$tmp/pstatus")"
done
rm "$tmp/printer/FAULT"
"$ctl" "${k[@]}" printer status > "$tmp/pstatus" || fail "printer status after refill: $(cat "$tmp/pstatus")"
echo near > "$tmp/printer/FAULT"
"$ctl" "${k[@]}" printer status --json | python3 -c '
import json,sys; s=json.load(sys.stdin)
assert s["paper_near_end"] is True and s["paper_end"] is False, s' || fail "near end"
rm "$tmp/printer/FAULT"

# a broken configuration: exit 2, file and line named
printf '[site]\nname = X\n[kiosk]\ncolour = red\n' > "$tmp/broken.conf"
set +e
"$ctl" --config "$tmp/broken.conf" --data-dir "$tmp/kiosk" services 2> "$tmp/err"
rc=$?
set -e
[ $rc = 2 ] || fail "broken config exit $rc"
grep -q "$tmp/broken.conf:4: unknown key 'colour' in \[kiosk\]" "$tmp/err" || fail "message: $(cat "$tmp/err")"

# a missing configuration
set +e
"$ctl" --config "$tmp/none.conf" services 2> "$tmp/err"; rc=$?
set -e
[ $rc = 2 ] && grep -q "none.conf: cannot open" "$tmp/err" || fail "missing config: $rc $(cat "$tmp/err")"

# --set overrides the file and is checked like a line
set +e
"$ctl" "${k[@]}" --set kiosk.ticket_screen_seconds=never services 2> "$tmp/err"; rc=$?
set -e
[ $rc = 2 ] && grep -q -- "--set kiosk.ticket_screen_seconds" "$tmp/err" || fail "bad --set: $rc"

# config check refuses what the daemon would refuse (a crafted URL that
# is not loopback)
set +e
"$ctl" "${k[@]}" --set 'backoffice.url=http://127.0.0.1@evil.example/' config check 2> "$tmp/err"; rc=$?
set -e
[ $rc = 2 ] && grep -q "not a loopback address" "$tmp/err" || fail "config check: $rc $(cat "$tmp/err")"

# a data directory that is not a database
mkdir -p "$tmp/bad" && echo "not a database" > "$tmp/bad/kiosk.db"
set +e
"$ctl" --config "$BK_SOURCE_DIR/assets/site.conf" --data-dir "$tmp/bad" queue list 2> "$tmp/err"; rc=$?
set -e
[ $rc = 1 ] && grep -q "kiosk.db" "$tmp/err" || fail "bad db: $rc $(cat "$tmp/err")"
echo "kioskctl: all checks passed"
