#!/usr/bin/env bash
# test_card_cli — kioskctl card list / card read through the real pcscd
# without a document: what a technician sees when something is missing.
#
#   1. card list (text and --json) shows both vpcd readers, the configured
#      one selected, no card
#   2. card read on an empty reader: exit 4, the reader named, JSON error
#   3. card read on a reader that does not exist: exit 4, the name given
#   4. bad --can / --mrz / no access key: exit 2 before any reader work
#   5. card.reader from the configuration and --reader as a URI
# The document reads themselves are test_card_read.sh (kiosk-cardsim).
set -u
. "$(dirname "$0")/lib.sh"
bk_init card_cli jq
pcscd_start || fail "pcscd did not start"
R0="Virtual PCD 00 00"
R1="Virtual PCD 00 01"

# 1. the reader list
ctl --set "card.reader=pcsc:$R1" card list --json >"$TMP/list.json" \
	2>"$TMP/list.log" || fail "card list failed"
jq -e --arg r "$R0" 'any(.[]; .name == $r and .selected == false)' \
	"$TMP/list.json" >/dev/null || fail "card list: $R0 missing"
jq -e --arg r "$R1" 'any(.[]; .name == $r and .selected == true)' \
	"$TMP/list.json" >/dev/null || fail "card list: $R1 not selected"
ctl --set "card.reader=pcsc:$R1" card list >"$TMP/list.out" ||
	fail "card list (text) failed"
grep -q "^\\* $R1 .*empty\$" "$TMP/list.out" ||
	fail "card list (text): no '* $R1 ... empty' line"
echo "ok 1 card list"

# 2. no card in the reader (the vpcd reader 00 01 has no card program)
start=$SECONDS
ctl card read --reader "$R1" --can 123456 --wait 1 --json \
	>"$TMP/read.json" 2>"$TMP/read.log"
rc=$?
[ "$rc" = 4 ] || fail "empty reader: exit $rc, expected 4"
grep -q "no card in the reader: \"$R1\"" "$TMP/read.log" ||
	fail "empty reader: message does not name the reader"
[ "$(jq -r .error "$TMP/read.json")" = removed ] ||
	fail "empty reader: JSON error is not 'removed'"
[ $((SECONDS - start)) -lt 10 ] || fail "empty reader: took too long"
echo "ok 2 empty reader: exit 4"

# 3. a reader that is not there
ctl card read --reader "No Such Reader" --can 123456 --wait 0 \
	>"$TMP/read.out" 2>"$TMP/read.log"
rc=$?
[ "$rc" = 4 ] || fail "missing reader: exit $rc, expected 4"
grep -q 'no card reader named "No Such Reader' "$TMP/read.log" ||
	fail "missing reader: message does not name it"
echo "ok 3 missing reader: exit 4"

# 4. usage errors never touch the reader
for args in "--can 12345" "--can 12345a" "--mrz L898902C3,740812" \
	"--mrz L898902C3,7408121,320415" "--mrz L898902C3!,740812,320415" \
	"" "--can 123456 --mrz L898902C3,740812,320415"; do
	# shellcheck disable=SC2086
	ctl card read --reader "$R1" $args >"$TMP/read.out" 2>"$TMP/read.log"
	rc=$?
	[ "$rc" = 2 ] || fail "card read $args: exit $rc, expected 2"
	! grep -q "no card in the reader" "$TMP/read.log" ||
		fail "card read $args: reached the reader"
done
# a well-formed MRZ key gets past the parser (to the empty reader)
ctl card read --reader "$R1" --mrz l898902c3,740812,320415 --wait 0 \
	>"$TMP/read.out" 2>"$TMP/read.log"
rc=$?
[ "$rc" = 4 ] || fail "a good --mrz: exit $rc, expected 4 (empty reader)"
echo "ok 4 bad access keys: exit 2; a good MRZ key is taken"

# 5. the reader from the configuration, and a URI as --reader
ctl --set "card.reader=pcsc:$R1" card read --can 123456 --wait 0 \
	>"$TMP/read.out" 2>"$TMP/read.log"
[ $? = 4 ] && grep -q "\"$R1\"" "$TMP/read.log" ||
	fail "card.reader from the configuration not used"
ctl card read --reader "pcsc:$R1" --can 123456 --wait 0 \
	>"$TMP/read.out" 2>"$TMP/read.log"
[ $? = 4 ] && grep -q "\"$R1\"" "$TMP/read.log" ||
	fail "--reader pcsc:NAME not used"
ctl card read --reader virtual: --can 123456 --wait 0 \
	>"$TMP/read.out" 2>"$TMP/read.log"
[ $? = 4 ] && grep -q '"Virtual reader"' "$TMP/read.log" ||
	fail "--reader virtual: not used"
echo "ok 5 reader from config and URI"
echo "PASS"
