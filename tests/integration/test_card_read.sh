#!/usr/bin/env bash
# test_card_read — reading ID documents through the real PC/SC stack:
# kioskctl card read -> pcsclite -> pcscd -> vpcd ("Virtual PCD 00 00") ->
# kiosk-cardsim (sim/cardsim), with a test CSCA made by openssl here.
#
#   1. ID card (TD1) by PACE with the CAN: every JSON field equals the
#      holder file, passive_auth verified
#   2. passport (TD3, BAC only) by BAC with the MRZ
#   3. passport (TD3, PACE) by PACE with the MRZ
#   4. wrong CAN: exit 2 and a message
#   5. card pulled mid-read: exit 4 and a message
#   6. forged SOD (DG1 changed after signing): exit 3, no personal field
#      on stdout
#   7. wrong check digit in DG1: exit 3
#   8. no CSCA folder: passive_auth no_csca
#   9. 100 consecutive reads of one card without a failure
# and: the emulator's and kioskctl's logs hold no personal data.
#
# Needs root (pcscd) and vsmartcard-vpcd; starts pcscd --foreground when
# /run/pcscd/pcscd.comm is not there and stops it at the end.
set -u
. "$(dirname "$0")/lib.sh"
bk_init card_read openssl jq
CS_BIN=$BIN/sim/kiosk-cardsim
[ -x "$CS_BIN" ] || { echo "FAIL: $CS_BIN not built"; exit 1; }
READER="Virtual PCD 00 00"
CS_PID=
CS_N=0
PCSCD_PID=

# The emulator and pcscd are stopped first: lib.sh's cleanup waits for
# every child before it stops pcscd, and pcscd would never end by itself.
stop_card_stack() {
	declare -F cs_stop >/dev/null && cs_stop
	if [ -n "${PCSCD_PID:-}" ]; then
		kill -TERM "$PCSCD_PID" 2>/dev/null
		wait "$PCSCD_PID" 2>/dev/null
		PCSCD_PID=
	fi
	cleanup
}
trap stop_card_stack EXIT

# --- pcscd -------------------------------------------------------------
if declare -F pcscd_start >/dev/null; then
	pcscd_start || fail "pcscd did not start"
elif [ ! -S /run/pcscd/pcscd.comm ]; then
	command -v pcscd >/dev/null || fail "pcscd is needed"
	[ "$(id -u)" = 0 ] || fail "pcscd must be started as root"
	pcscd --foreground >"$TMP/pcscd.log" 2>&1 &
	PCSCD_PID=$!
	deadline=$((SECONDS + 10))
	until [ -S /run/pcscd/pcscd.comm ]; do
		kill -0 "$PCSCD_PID" 2>/dev/null || fail "pcscd ended at start"
		[ $SECONDS -lt $deadline ] || fail "pcscd not up after 10 s"
		sleep 0.05
	done
fi

# --- a test CSCA ---------------------------------------------------------
mkdir -p "$TMP/csca" "$TMP/empty"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	-keyout "$TMP/csca.key" -out "$TMP/csca/csca.pem" -days 3650 \
	-subj "/C=UT/O=Buergerkiosk test/CN=Test CSCA" \
	-addext "keyUsage=critical,keyCertSign,cRLSign" \
	>"$TMP/openssl.log" 2>&1 || fail "openssl could not make a CSCA"

# --- holders (upper case, so the JSON must equal them as written) -------
cat >"$TMP/id.txt" <<'EOF'
doc = td1
access = pace
can = 314159
document_number = T22000129
issuing_state = D
nationality = D
surname = MUSTERMANN
given_names = ERIKA
date_of_birth = 1964-08-12
sex = F
date_of_expiry = 2031-10-31
EOF
cat >"$TMP/bac.txt" <<'EOF'
doc = td3
access = bac
document_number = C01X00T47
issuing_state = D
nationality = D
surname = GABLER
given_names = HANS JUERGEN
date_of_birth = 1958-02-28
sex = M
date_of_expiry = 2029-01-31
EOF
cat >"$TMP/pace.txt" <<'EOF'
doc = td3
access = pace
can = 271828
document_number = L898902C3
issuing_state = UTO
nationality = UTO
surname = ERIKSSON
given_names = ANNA MARIA
date_of_birth = 1974-08-12
sex = F
date_of_expiry = 2032-04-15
EOF

# The MRZ the emulator composes for the ICAO 9303 part 5 TD1 specimen
# (published text; only the document code differs: ID instead of I<).
cat >"$TMP/specimen.txt" <<'EOF'
doc = td1
access = pace
can = 000000
document_number = D23145890
issuing_state = UTO
nationality = UTO
surname = ERIKSSON
given_names = ANNA MARIA
date_of_birth = 1974-08-12
sex = F
date_of_expiry = 2012-04-15
EOF
"$CS_BIN" --data "$TMP/specimen.txt" --print-mrz >"$TMP/specimen.out" ||
	fail "kiosk-cardsim --print-mrz failed"
printf '%s\n' "IDUTOD231458907<<<<<<<<<<<<<<<" \
	"7408122F1204159UTO<<<<<<<<<<<6" "ERIKSSON<<ANNA<MARIA<<<<<<<<<<" |
	diff -u - "$TMP/specimen.out" >"$TMP/specimen.diff.out" ||
	fail "the emulator's MRZ differs from the ICAO specimen"

# --- the emulator ----------------------------------------------------------
hval() { sed -n "s/^$2 = //p" "$1"; }

cs_stop() {
	[ -n "$CS_PID" ] || return 0
	kill -TERM "$CS_PID" 2>/dev/null
	wait "$CS_PID" 2>/dev/null
	CS_PID=
}

# cs_start HOLDER [FLAG...]: places the card and waits (10 s at most) until
# pcscd has seen it.
cs_start() {
	local holder=$1 out deadline
	shift
	cs_stop
	CS_N=$((CS_N + 1))
	out=$TMP/cs$CS_N.out
	"$CS_BIN" --data "$holder" --csca-key "$TMP/csca.key" \
		--csca-cert "$TMP/csca/csca.pem" "$@" \
		>"$out" 2>"$TMP/cs$CS_N.log" &
	CS_PID=$!
	PIDS+=("$CS_PID")
	deadline=$((SECONDS + 10))
	until grep -qs '^card seen by the reader$' "$out"; do
		kill -0 "$CS_PID" 2>/dev/null ||
			fail "kiosk-cardsim ended before pcscd saw the card"
		[ $SECONDS -lt $deadline ] ||
			fail "pcscd did not see the card within 10 s"
		sleep 0.05
	done
	# pcscd asks for the ATR before it has powered the card and calls it
	# present: wait for the reader's state as applications see it
	until ctl card list --json 2>/dev/null | jq -e --arg r "$READER" \
		'any(.[]; .name == $r and .card_present)' >/dev/null; do
		[ $SECONDS -lt $deadline ] ||
			fail "the reader did not show the card within 10 s"
		sleep 0.05
	done
}

# read_card ARGS...: kioskctl card read on the vpcd reader; sets RC,
# stdout in $TMP/read.json, stderr in $TMP/read.err (appended to
# $TMP/kioskctl.log for the privacy check).
read_card() {
	ctl card read --reader "$READER" "$@" --json >"$TMP/read.json" \
		2>"$TMP/read.err"
	RC=$?
	cat "$TMP/read.err" >>"$TMP/kioskctl.log"
}

field() { jq -r ".$1" "$TMP/read.json"; }

# expect_holder LABEL HOLDER PA: the JSON's fields equal the holder file.
expect_holder() {
	local label=$1 h=$2 pa=$3 doc k
	[ "$RC" = 0 ] || fail "$label: exit $RC: $(cat "$TMP/read.err")"
	jq -e . "$TMP/read.json" >/dev/null || fail "$label: stdout is not JSON"
	doc=$(hval "$h" doc)
	[ "$(field document_type)" = "$([ "$doc" = td1 ] && echo ID || echo P)" ] ||
		fail "$label: document_type $(field document_type)"
	for k in issuing_state document_number surname given_names \
		nationality date_of_birth sex date_of_expiry; do
		[ "$(field "$k")" = "$(hval "$h" "$k")" ] ||
			fail "$label: $k is '$(field "$k")', holder has '$(hval "$h" "$k")'"
	done
	[ "$(field passive_auth)" = "$pa" ] ||
		fail "$label: passive_auth $(field passive_auth), expected $pa"
}

mrz_key() { # HOLDER -> DOCNO,YYMMDD,YYMMDD
	local b e
	b=$(hval "$1" date_of_birth | tr -d -)
	e=$(hval "$1" date_of_expiry | tr -d -)
	echo "$(hval "$1" document_number),${b:2},${e:2}"
}

# 1. ID card by PACE-CAN
cs_start "$TMP/id.txt"
read_card --can "$(hval "$TMP/id.txt" can)" --csca "$TMP/csca"
expect_holder "ID card by PACE-CAN" "$TMP/id.txt" verified
echo "ok 1 ID card by PACE-CAN, passive authentication verified"

# 8. the same card without a CSCA folder, and with an empty one
read_card --can "$(hval "$TMP/id.txt" can)"
expect_holder "no CSCA" "$TMP/id.txt" no_csca
read_card --can "$(hval "$TMP/id.txt" can)" --csca "$TMP/empty"
expect_holder "empty CSCA folder" "$TMP/id.txt" no_csca
echo "ok 8 no CSCA: passive_auth no_csca"

# 4. wrong CAN (the card stays usable: a right CAN afterwards reads)
read_card --can 314158 --csca "$TMP/csca"
[ "$RC" = 2 ] || fail "wrong CAN: exit $RC, expected 2"
grep -qi 'can' "$TMP/read.err" || fail "wrong CAN: no message naming the CAN"
[ ! -s "$TMP/read.json" ] || ! grep -q MUSTERMANN "$TMP/read.json" ||
	fail "wrong CAN: personal data on stdout"
read_card --can "$(hval "$TMP/id.txt" can)" --csca "$TMP/csca"
expect_holder "right CAN after a wrong one" "$TMP/id.txt" verified
echo "ok 4 wrong CAN: exit 2 with a message"

# 2. passport by BAC
cs_start "$TMP/bac.txt"
read_card --mrz "$(mrz_key "$TMP/bac.txt")" --csca "$TMP/csca"
expect_holder "passport by BAC" "$TMP/bac.txt" verified
read_card --mrz "C01X00T48,580228,290131" --csca "$TMP/csca"
[ "$RC" = 2 ] || fail "wrong MRZ (BAC): exit $RC, expected 2"
echo "ok 2 passport by BAC"

# 3. passport by PACE-MRZ
cs_start "$TMP/pace.txt"
read_card --mrz "$(mrz_key "$TMP/pace.txt")" --csca "$TMP/csca"
expect_holder "passport by PACE-MRZ" "$TMP/pace.txt" verified
read_card --mrz "L898902C3,740812,320416" --csca "$TMP/csca"
[ "$RC" = 2 ] || fail "wrong MRZ (PACE): exit $RC, expected 2"
echo "ok 3 passport by PACE-MRZ"

# 5. card pulled mid-read: after EF.CardAccess, MSE:Set AT, 4 GENERAL
#    AUTHENTICATE and SELECT (7 APDUs), at the first file read
cs_start "$TMP/id.txt" --pull-after 7
read_card --can "$(hval "$TMP/id.txt" can)" --csca "$TMP/csca"
[ "$RC" = 4 ] || fail "card pulled: exit $RC, expected 4"
[ -s "$TMP/read.err" ] || fail "card pulled: no message"
! grep -q MUSTERMANN "$TMP/read.json" || fail "card pulled: data on stdout"
wait "$CS_PID" 2>/dev/null
CS_PID=
grep -q 'card removed after 7 APDUs (pulled)' "$TMP/cs$CS_N.log" ||
	fail "card pulled: the emulator did not pull after the 7th APDU"
echo "ok 5 card pulled mid-read: exit 4 with a message"

# 6. forged SOD
cs_start "$TMP/id.txt" --forge-sod
read_card --can "$(hval "$TMP/id.txt" can)" --csca "$TMP/csca"
[ "$RC" = 3 ] || fail "forged SOD: exit $RC, expected 3"
for k in surname given_names document_number; do
	! grep -qi "$(hval "$TMP/id.txt" $k)" "$TMP/read.json" ||
		fail "forged SOD: $k on stdout"
done
! grep -q '1964' "$TMP/read.json" || fail "forged SOD: birth date on stdout"
# without a CSCA the forgery must fail too (the SOD signature is fine,
# the DG1 hash is not)
read_card --can "$(hval "$TMP/id.txt" can)"
[ "$RC" = 3 ] || fail "forged SOD without CSCA: exit $RC, expected 3"
echo "ok 6 forged SOD: exit 3, no personal data"

# 7. wrong check digit in DG1 (the SOD signs it: only the MRZ check fails)
cs_start "$TMP/id.txt" --bad-check-digit
read_card --can "$(hval "$TMP/id.txt" can)" --csca "$TMP/csca"
[ "$RC" = 3 ] || fail "wrong check digit: exit $RC, expected 3"
! grep -q MUSTERMANN "$TMP/read.json" || fail "wrong check digit: data on stdout"
echo "ok 7 wrong check digit in DG1: exit 3"

# 9. 100 consecutive reads of one card
cs_start "$TMP/id.txt"
for i in $(seq 100); do
	read_card --can "$(hval "$TMP/id.txt" can)" --csca "$TMP/csca"
	expect_holder "read $i of 100" "$TMP/id.txt" verified
done
echo "ok 9 100 consecutive reads"
cs_stop
grep -q 'card removed after [0-9]* APDUs (stopped)' "$TMP/cs$CS_N.log" ||
	fail "the emulator did not stop cleanly on SIGTERM"

# privacy: no personal data in any emulator log or kioskctl's stderr
for f in "$TMP"/cs*.log "$TMP/kioskctl.log"; do
	for h in "$TMP/id.txt" "$TMP/bac.txt" "$TMP/pace.txt"; do
		for k in surname document_number can; do
			v=$(hval "$h" $k)
			[ -n "$v" ] || continue
			! grep -q "$v" "$f" || fail "$k of $(basename "$h") in $(basename "$f")"
		done
	done
done
echo "ok privacy: no personal data in the logs"
echo "PASS"
