#!/bin/bash
# The back-office link over mutual TLS, with real processes on 127.0.0.1
# (docs/sync-protocol.md, "Transport security"):
#   1. kioskctl pki demo: CA, server and kiosk certificates, keys 0600, pin
#   2. buergerkioskd --once over https with client certificate and pin:
#      delivered exactly once; two pins (rotation) with one right also work
#   3. a wrong pin: refused before any request (the back office counts 0
#      requests), health "back office key does not match the pin"
#   4. no CA file: the demo server certificate is not trusted
#   5. no client certificate: 403, nothing stored, events stay pending
#      with the error in kioskctl sync status
#   6. a client certificate from another CA: 403
#   7. a client certificate of another kiosk (same CA): 403 for the batch
#   8. after all that, the correct configuration delivers everything once
#   9. http:// to a non-loopback address without allow_plain_http: exit 2
#      with the message, before any connection (TEST-NET 192.0.2.1)
# Needs BK_BIN_DIR (build dir) and BK_SOURCE_DIR. KEEP_TMP=1 keeps files.
set -u

. "$(dirname "$0")/lib.sh"
bk_init tls jq openssl

kd() {
	"$KD_BIN" "${COMMON[@]}" --set sync.backoff_min_ms=10 \
		--set sync.backoff_max_ms=20 --set sync.timeout_s=5 \
		--set sync.poll_ms=50 "$@"
}

held() { # events the back office holds
	"$BO_BIN" --data-dir "$TMP/bo" --list --json | jq length
}

# start_bo: the back office with TLS and the demo client CA on a free
# port; sets BO_PID and BO_PORT.
start_bo() {
	BO_SCHEME=https bo_start 127.0.0.1:0 \
		--tls-cert "$PKI/server.pem" --tls-key "$PKI/server.key" \
		--client-ca "$PKI/ca.pem"
}

# stop_bo: SIGTERM, exit 0; leaves the request count in $SERVED.
stop_bo() {
	bo_stop
	SERVED=$(sed -n 's/.*served \([0-9]*\) requests on \([0-9]*\) connections.*/\1 \2/p' \
		"$TMP/bo$BO_N.log")
	[ -n "$SERVED" ] || fail "back office did not report its requests"
}

# tls ARGS...: the kiosk's TLS settings as --set options.
tls_sets() { # tls_sets CA PINS CERT KEY (empty = not set)
	TLS=(--backoffice "https://127.0.0.1:$BO_PORT")
	[ -n "$1" ] && TLS+=(--set "backoffice.ca_file=$1")
	[ -n "$2" ] && TLS+=(--set "backoffice.pins=$2")
	[ -n "$3" ] && TLS+=(--set "backoffice.client_cert=$3")
	[ -n "$4" ] && TLS+=(--set "backoffice.client_key=$4")
}

last_error() { # the sync health message
	ctl sync status --json | jq -r '.health.sync.message // ""'
}

: >"$TMP/issued"

# --- 1. demo PKI -------------------------------------------------------------
PKI=$TMP/pki
ctl --json pki demo "$PKI" >"$TMP/pki.json" 2>"$TMP/pki.log" ||
	fail "1: kioskctl pki demo failed"
PIN=$(jq -r .pin "$TMP/pki.json")
[[ "$PIN" =~ ^sha256//[A-Za-z0-9+/]{43}=$ ]] || fail "1: pin '$PIN'"
# the same pin computed by openssl alone
WANT=$(openssl x509 -in "$PKI/server.pem" -pubkey -noout |
	openssl pkey -pubin -outform der | openssl dgst -sha256 -binary |
	base64)
[ "$PIN" = "sha256//$WANT" ] || fail "1: pin differs from openssl's"
for k in ca server kiosk-01; do
	[ "$(stat -c %a "$PKI/$k.key")" = 600 ] || fail "1: $k.key not 0600"
done
openssl verify -CAfile "$PKI/ca.pem" -purpose sslserver "$PKI/server.pem" \
	>/dev/null || fail "1: server certificate does not verify"
openssl verify -CAfile "$PKI/ca.pem" -purpose sslclient "$PKI/kiosk-01.pem" \
	>/dev/null || fail "1: client certificate does not verify"
openssl x509 -in "$PKI/kiosk-01.pem" -noout -subject | grep -q "CN = kiosk-01" ||
	fail "1: client certificate CN is not kiosk.id"
openssl x509 -in "$PKI/server.pem" -noout -ext subjectAltName |
	grep -q "IP Address:127.0.0.1" || fail "1: no SAN IP 127.0.0.1"
# a second kiosk under the same CA, and a CA of somebody else
ctl --set kiosk.id=kiosk-02 --json pki demo "$PKI" >"$TMP/pki2.json" ||
	fail "1: second kiosk"
[ "$(jq .created "$TMP/pki2.json")" = 1 ] || fail "1: CA or server remade"
[ "$(jq -r .pin "$TMP/pki2.json")" = "$PIN" ] || fail "1: pin changed"
ctl --json pki demo "$TMP/other" >"$TMP/other.json" || fail "1: other CA"
OTHER_PIN=$(jq -r .pin "$TMP/other.json")
ctl pki demo "$TMP/pki" | grep -q "^pins = $PIN$" ||
	fail "1: site.conf lines not printed"
echo "ok   1 pki demo: CA, server (SAN 127.0.0.1), kiosk CN, keys 0600, pin"

# --- 2. mutual TLS with pin --------------------------------------------------
start_bo || fail "2: back office did not start"
curl -sf --cacert "$PKI/ca.pem" "https://127.0.0.1:$BO_PORT/v1/health" |
	jq -e '.ok == true' >/dev/null || fail "2: GET /v1/health over https"
issue 3
tls_sets "$PKI/ca.pem" "$PIN" "$PKI/kiosk-01.pem" "$PKI/kiosk-01.key"
kd "${TLS[@]}" --once 2>>"$TMP/kioskd.log" || fail "2: --once exited $?"
[ "$(count delivered)" = 3 ] || fail "2: delivered $(count delivered)"
[ "$(held)" = 3 ] || fail "2: back office holds $(held)"
issue 1 # rotation: the old pin and the new one
tls_sets "$PKI/ca.pem" "$OTHER_PIN $PIN" "$PKI/kiosk-01.pem" "$PKI/kiosk-01.key"
kd "${TLS[@]}" --once 2>>"$TMP/kioskd.log" || fail "2: two pins: exit $?"
[ "$(held)" = 4 ] || fail "2: two pins: back office holds $(held)"
stop_bo
echo "ok   2 https with client certificate and pin: delivered once"

# --- 3. wrong pin: nothing leaves --------------------------------------------
start_bo || fail "3: back office did not start"
issue 2
tls_sets "$PKI/ca.pem" "$OTHER_PIN" "$PKI/kiosk-01.pem" "$PKI/kiosk-01.key"
kd "${TLS[@]}" --once 2>>"$TMP/kioskd.log"
rc=$?
[ "$rc" = 3 ] || fail "3: wrong pin: --once exited $rc, want 3"
[ "$(count pending)" = 2 ] || fail "3: pending $(count pending), want 2"
last_error | grep -q "back office key does not match the pin" ||
	fail "3: health says '$(last_error)'"
ctl sync status --json | jq -e '.health.sync.level == "fault"' \
	>/dev/null || fail "3: not recorded as a fault"
stop_bo
set -- $SERVED
[ "$1" = 0 ] || fail "3: the back office received $1 requests"
[ "$2" -ge 1 ] || fail "3: the kiosk never connected ($2 connections)"
[ "$(held)" = 4 ] || fail "3: back office holds $(held)"
echo "ok   3 wrong pin refused in the handshake: 0 requests on $2 connections"

# --- 4. server certificate not trusted ---------------------------------------
start_bo || fail "4: back office did not start"
tls_sets "" "$PIN" "$PKI/kiosk-01.pem" "$PKI/kiosk-01.key"
kd "${TLS[@]}" --once 2>>"$TMP/kioskd.log"
rc=$?
[ "$rc" = 3 ] || fail "4: no CA file: --once exited $rc, want 3"
last_error | grep -qi "certificate" || fail "4: health says '$(last_error)'"

# --- 5. no client certificate ------------------------------------------------
issue 30 # a batch with a body of some size
tls_sets "$PKI/ca.pem" "$PIN" "" ""
kd "${TLS[@]}" --once 2>>"$TMP/kioskd.log"
rc=$?
[ "$rc" = 3 ] || fail "5: no client certificate: --once exited $rc, want 3"
[ "$(count pending)" = 32 ] || fail "5: pending $(count pending), want 32"
[ "$(count dead)" = 0 ] || fail "5: dead $(count dead)"
ctl sync status | grep -q "HTTP 403 from the back office: client certificate required" ||
	fail "5: sync status does not show the 403"
[ "$(held)" = 4 ] || fail "5: back office holds $(held)"
echo "ok   4 server certificate without the CA file refused"
echo "ok   5 no client certificate: 403, nothing stored, 32 pending with the error"

# --- 6. client certificate from another CA -----------------------------------
tls_sets "$PKI/ca.pem" "$PIN" "$TMP/other/kiosk-01.pem" "$TMP/other/kiosk-01.key"
kd "${TLS[@]}" --once 2>>"$TMP/kioskd.log"
rc=$?
[ "$rc" = 3 ] || fail "6: foreign CA: --once exited $rc, want 3"
last_error | grep -q "403.*client certificate not trusted" ||
	fail "6: health says '$(last_error)'"
[ "$(held)" = 4 ] || fail "6: back office holds $(held)"
echo "ok   6 client certificate of another CA: 403"

# --- 7. certificate of another kiosk -----------------------------------------
tls_sets "$PKI/ca.pem" "$PIN" "$PKI/kiosk-02.pem" "$PKI/kiosk-02.key"
kd "${TLS[@]}" --once 2>>"$TMP/kioskd.log"
rc=$?
[ "$rc" = 3 ] || fail "7: other kiosk's certificate: --once exited $rc, want 3"
last_error | grep -q "403.*kiosk_id does not match the client certificate" ||
	fail "7: health says '$(last_error)'"
[ "$(held)" = 4 ] || fail "7: back office holds $(held)"
[ "$(count pending)" = 32 ] || fail "7: pending $(count pending)"
echo "ok   7 client certificate of kiosk-02 for kiosk-01's batch: 403"

# --- 8. the right configuration delivers everything once ---------------------
tls_sets "$PKI/ca.pem" "$PIN" "$PKI/kiosk-01.pem" "$PKI/kiosk-01.key"
for _ in $(seq 20); do
	kd "${TLS[@]}" --once 2>>"$TMP/kioskd.log" && break
	sleep 0.1
done
[ "$(count pending)" = 0 ] || fail "8: pending $(count pending)"
"$BO_BIN" --data-dir "$TMP/bo" --list --json |
	jq -r '.[] | .number' | sort >"$TMP/held"
sort "$TMP/issued" >"$TMP/issued.sorted"
diff -u "$TMP/issued.sorted" "$TMP/held" >"$TMP/diff.out" ||
	fail "8: back office does not hold each ticket exactly once"
stop_bo
echo "ok   8 after the refusals: $(wc -l <"$TMP/issued") tickets held once each"

# --- 9. plain http to a non-loopback address ---------------------------------
start=$(date +%s%N)
"$KD_BIN" "${COMMON[@]}" --backoffice http://192.0.2.1:8080 --once \
	>"$TMP/plain.out" 2>"$TMP/plain.err"
rc=$?
ms=$((($(date +%s%N) - start) / 1000000))
[ "$rc" = 2 ] || fail "9: http:// to 192.0.2.1 exited $rc, want 2"
grep -q "plain http:// to 192.0.2.1, which is not a loopback address" \
	"$TMP/plain.err" || fail "9: message: $(cat "$TMP/plain.err")"
grep -q "delivering to" "$TMP/plain.err" && fail "9: the daemon started"
[ "$ms" -lt 3000 ] || fail "9: took $ms ms (a connection attempt?)"
# the same with the key in the file's place: --set
"$KD_BIN" "${COMMON[@]}" --set backoffice.url=http://127.0.0.1.nip.io:9 \
	--once >/dev/null 2>"$TMP/plain2.err"
[ "$?" = 2 ] || fail "9: 127.0.0.1.nip.io counted as loopback"
echo "ok   9 http:// to 192.0.2.1 refused with exit 2 in $ms ms, no connection"

for p in "${PIDS[@]}"; do
	kill -0 "$p" 2>/dev/null && fail "process $p still running"
done
echo "all tls scenarios passed"
