#!/usr/bin/env bash
# The QR code on a printed ticket carries a ticket that cannot be forged:
# kioskctl issues a ticket on the virtual printer, zbarimg (Debian
# zbar-tools) reads the code from the paper's PNG as a counter's scanner
# would, and `kioskctl ticket verify` accepts it with the right number. One
# character changed, another site's ticket, garbage, or no key to check
# with are all refused, each with its own exit code; the check never makes
# a key of its own.
set -euo pipefail
: "${BK_BIN_DIR:?}" "${BK_SOURCE_DIR:?}"
ctl=$BK_BIN_DIR/firmware/kioskctl
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
command -v zbarimg >/dev/null || fail "zbarimg missing: apt-get install zbar-tools"
k=(--config "$BK_SOURCE_DIR/assets/site.conf" --data-dir "$tmp/kiosk"
   --set "printer.uri=virtual:$tmp/printer")

# verify CODE, expecting exit status $1; stdout in $tmp/out, stderr in $tmp/err
verify() {
	local want=$1 rc=0
	shift
	"$ctl" "${k[@]}" ticket verify "$@" > "$tmp/out" 2> "$tmp/err" || rc=$?
	[ "$rc" = "$want" ] || fail "verify $*: exit $rc, expected $want: $(cat "$tmp/out" "$tmp/err")"
}

# no key yet: nothing to check with (2), and checking makes none
verify 2 "BK1:musterstadt:2026-11-25:A001:2776fdf4-a1d2-4708-ab61-08ee6ac3097f:AAAAAAAAAAAAAAAAAAAAAA"
grep -q 'ticket.key' "$tmp/err" || fail "no key named: $(cat "$tmp/err")"
[ ! -e "$tmp/kiosk/ticket.key" ] || fail "verify created a ticket key"

number=$("$ctl" "${k[@]}" ticket issue --service reisepass)
[ "$number" = B001 ] || fail "issued '$number'"
[ -s "$tmp/printer/job-000001.png" ] || fail "no picture of the job"
payload=$(zbarimg --raw -q "$tmp/printer/job-000001.png" 2>/dev/null) ||
	fail "zbarimg found no code on the ticket"
[ "$(printf '%s\n' "$payload" | wc -l)" = 1 ] || fail "more than one code: $payload"
case $payload in
BK1:musterstadt:????-??-??:B001:*) ;;
*) fail "payload '$payload'" ;;
esac

# the printed code is a valid ticket of this site, with its number
verify 0 "$payload"
grep -q 'B001' "$tmp/out" || fail "number not shown: $(cat "$tmp/out")"
verify 0 "$payload" --json
python3 - "$tmp/out" "$payload" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
f = sys.argv[2].split(":")
assert j["valid"] is True, j
assert j["number"] == "B001" and j["site_id"] == "musterstadt", j
assert j["day"] == f[2] and j["ticket_id"] == f[4], j
PY

# one character changed: the number (B001 -> B002), a ticket id digit, the mac
forged=${payload/:B001:/:B002:}
[ "$forged" != "$payload" ] || fail "could not change the number"
verify 1 "$forged"
grep -q 'not a ticket of this site' "$tmp/err" || fail "message: $(cat "$tmp/err")"
verify 1 "$forged" --json
python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); assert j["valid"] is False and j["number"] is None, j' "$tmp/out"
mac=${payload##*:}
first=${mac:0:1}
[ "$first" = x ] && other=y || other=x
verify 1 "${payload%:*}:$other${mac:1}"

# a real ticket of another site (its own key) is not one of ours
"$ctl" --config "$BK_SOURCE_DIR/assets/site.conf" --data-dir "$tmp/other" \
	--set "printer.uri=virtual:$tmp/other-printer" ticket issue --service reisepass > /dev/null
other=$(zbarimg --raw -q "$tmp/other-printer/job-000001.png" 2>/dev/null)
verify 1 "$other"

# malformed: garbage, a truncated code, an empty one
verify 2 garbage
grep -q 'malformed' "$tmp/err" || fail "message: $(cat "$tmp/err")"
verify 2 "${payload%:*}"
verify 2 ""

# the key named by site.ticket_key_file is the one used
cp "$tmp/kiosk/ticket.key" "$tmp/site.key"
k=(--config "$BK_SOURCE_DIR/assets/site.conf" --data-dir "$tmp/empty"
   --set "site.ticket_key_file=$tmp/site.key")
verify 0 "$payload"
[ ! -e "$tmp/empty/ticket.key" ] || fail "verify created a ticket key"
echo "ticket QR: ok"
