#!/usr/bin/env bash
# The display role (buergerkiosk --role display --site URL) under the
# headless UI runner against a real buergerkioskd: calls made through the
# site API with curl arrive by server-sent events, the screen shows the
# newest call large and the older ones below, each announcement is handed
# to speech (espeak-ng, SDL's dummy audio) exactly once, a stopped daemon
# shows the quiet reconnecting mark with the last calls kept, and after
# the restart the stream resumes (Last-Event-ID) without announcing old
# calls again. All of it over HTTPS, as on a site's LAN: the daemon with
# site_api.tls_cert/tls_key, the display trusting it through --ca. The script is tests/integration/display-call.script;
# screenshots are kept in BUILD/ui-screens/display-role/.
set -u
. "$(dirname "$0")/lib.sh"
bk_init display-role curl jq openssl
UI_BIN=$BIN/ui/buergerkiosk
[ -x "$UI_BIN" ] || fail "$UI_BIN not built"

KD_PORT=0
KD_N=0
kd_start() {
	local log p
	KD_N=$((KD_N + 1))
	log=$TMP/kd$KD_N.log
	"$KD_BIN" "${COMMON[@]}" --set "site_api.listen=127.0.0.1:$KD_PORT" \
		--set "site_api.tls_cert=$TMP/site.crt" \
		--set "site_api.tls_key=$TMP/site.key" \
		>"$TMP/kd$KD_N.out" 2>"$log" &
	KD_PID=$!
	PIDS+=("$KD_PID")
	for _ in $(seq 200); do
		p=$(sed -n 's|.*site API listening on https://127\.0\.0\.1:\([0-9]*\).*|\1|p' "$log" 2>/dev/null | head -n 1)
		if [ -n "$p" ]; then
			KD_PORT=$p
			return 0
		fi
		kill -0 "$KD_PID" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}

# wait_log PATTERN N: until the display's log has N lines matching
wait_log() {
	for _ in $(seq 400); do
		[ "$(grep -c -- "$1" "$TMP/display.log" 2>/dev/null)" -ge "$2" ] 2>/dev/null && return 0
		kill -0 "$UI_PID" 2>/dev/null || fail "display ended while waiting for '$1'"
		sleep 0.05
	done
	fail "display log: no $2 × '$1'"
}

api() {
	curl -sS --cacert "$TMP/site.crt" -o "$TMP/api.json" -w '%{http_code}' -X POST \
		-H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
		--data '{}' "https://127.0.0.1:$KD_PORT/api/v1/$1"
}

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	-keyout "$TMP/site.key" -out "$TMP/site.crt" -days 2 -subj "/CN=kiosk" \
	-addext "subjectAltName=IP:127.0.0.1" 2>"$TMP/openssl.log" ||
	fail "openssl could not make the site certificate"
token=$(ctl counter add 3 --services personalausweis 2>>"$TMP/kioskctl.log" |
	grep -oE '[A-Za-z0-9_-]{43}' | head -n 1)
[ -n "$token" ] || fail "kioskctl counter add printed no token"
issue 3 personalausweis
kd_start || fail "buergerkioskd did not start its site API"

shots=$BIN/ui-screens/display-role
rm -rf "$shots"
BK_SPEECH=1 SDL_AUDIODRIVER=dummy "$UI_BIN" --role display \
	--site "https://127.0.0.1:$KD_PORT/" --ca "$TMP/site.crt" --config "$SRC/assets/site.conf" \
	--headless --script "$SRC/tests/integration/display-call.script" \
	--screenshots "$shots" >"$TMP/display.out" 2>"$TMP/display.log" &
UI_PID=$!
PIDS+=("$UI_PID")

wait_log 'display: connected' 1
[ -f "$shots/01-waiting.png" ] || sleep 1
[ "$(api next)" = 200 ] || fail "next: $(cat "$TMP/api.json")"
[ "$(jq -r .ticket.number "$TMP/api.json")" = A001 ] || fail "next gave $(cat "$TMP/api.json")"
wait_log 'announcement 1 queued' 1
[ "$(api next)" = 200 ] || fail "next 2: $(cat "$TMP/api.json")"
wait_log 'announcement 2 queued' 1

# the daemon stops; the display keeps its calls and shows the mark
kill -TERM "$KD_PID"
wait "$KD_PID" 2>/dev/null
for _ in $(seq 200); do
	[ -f "$shots/03-reconnecting.png" ] && break
	kill -0 "$UI_PID" 2>/dev/null || fail "display ended during the outage"
	sleep 0.05
done
[ -f "$shots/03-reconnecting.png" ] || fail "no reconnecting screenshot"
kd_start || fail "buergerkioskd did not restart"
wait_log 'display: connected' 2
[ "$(api next)" = 200 ] || fail "next 3: $(cat "$TMP/api.json")"

wait "$UI_PID"
rc=$?
cat "$TMP/display.log" | grep -v ' info ' || true
[ "$rc" = 0 ] || fail "display script failed ($rc)"
# three calls, three announcements: the replay after the restart
# announced nothing twice
[ "$(grep -c 'announcement [0-9]* queued' "$TMP/display.log")" = 3 ] ||
	fail "expected 3 announcements: $(grep -c 'announcement' "$TMP/display.log")"
[ "$(grep -c 'display: call ' "$TMP/display.log")" = 3 ] ||
	fail "expected 3 calls shown once each"
# the sentences reached espeak-ng (a separate process; the last may be
# cut short when the script ends)
spoken=$(sed -n 's/.*, \([0-9]*\) spoken by espeak-ng$/\1/p' "$TMP/display.log")
[ "${spoken:-0}" -ge 2 ] || fail "espeak-ng spoke ${spoken:-0} announcements"
# a gong before each sentence (silent here: SDL's dummy driver has one
# device, and speech holds it)
gongs=$(sed -n 's/.* announcements, \([0-9]*\) gongs,.*/\1/p' "$TMP/display.log")
[ "${gongs:-0}" = 3 ] || fail "expected 3 gongs, got ${gongs:-0}"
for f in 01-waiting 02-called 03-reconnecting 04-after-restart; do
	[ -s "$shots/$f.png" ] || fail "screenshot $f missing"
done
kill -TERM "$KD_PID"
wait "$KD_PID" 2>/dev/null
echo PASS
