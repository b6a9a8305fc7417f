#!/bin/bash
# The site API (docs/site-api.md) with a real buergerkioskd on 127.0.0.1,
# driven by curl:
#   1. no token, a wrong token, a revoked token: 401 with a JSON body
#   2. malformed JSON, an unknown field: 400 with a JSON body; a 5 KB
#      body: 413; a form encoding: 415
#   3. an action on a ticket another counter holds: 409, nothing changes
#   4. next / recall / start / finish / transfer / park / unpark flow,
#      no-show refused before the second call (409 with the reason)
#   5. 20 concurrent "next" from two counters: 20 different tickets;
#      kioskctl stats today counts them
#   6. server-sent events: the calls reach the display stream (numbers and
#      counter names only), Last-Event-ID resumes after a given call, the
#      counter stream sends its state; SIGTERM ends the streams and the
#      daemon exits 0 at once
#   7. static files with their content types; no traversal, no hidden files
#   8. the events reach the back office (none dead)
#   9. HTTPS with a certificate from kioskctl pki demo
# Needs BK_BIN_DIR (build dir) and BK_SOURCE_DIR. KEEP_TMP=1 keeps files.
set -u

. "$(dirname "$0")/lib.sh"
bk_init site_api curl jq

KD_PID=
kd_start() { # extra --set options...
	: >"$TMP/kd.log"
	"$KD_BIN" "${COMMON[@]}" --set site_api.listen=127.0.0.1:0 \
		--set sync.poll_ms=50 "$@" >"$TMP/kd.out" 2>"$TMP/kd.log" &
	KD_PID=$!
	PIDS+=("$KD_PID")
	for _ in $(seq 200); do
		PORT=$(sed -n 's|.*site API listening on https*://127\.0\.0\.1:\([0-9]*\) .*|\1|p' "$TMP/kd.log")
		[ -n "$PORT" ] && return 0
		kill -0 "$KD_PID" 2>/dev/null || fail "buergerkioskd ended"
		sleep 0.05
	done
	fail "buergerkioskd did not start the site API"
}

URL=
# req METHOD PATH TOKEN [BODY]: prints the body, status in $TMP/status
req() {
	local args=(-s -o "$TMP/body" -w '%{http_code}' -X "$1")
	[ -n "$3" ] && args+=(-H "Authorization: Bearer $3")
	[ $# -ge 4 ] && args+=(-H 'Content-Type: application/json' --data-binary "$4")
	curl "${args[@]}" "$URL$2" >"$TMP/status"
	cat "$TMP/body"
}
status() { cat "$TMP/status"; }
expect() { # STATUS ERRORCODE LABEL: the last reply
	[ "$(status)" = "$1" ] || fail "$3: HTTP $(status), want $1: $(cat "$TMP/body")"
	if [ -n "$2" ]; then
		[ "$(jq -r .error "$TMP/body")" = "$2" ] ||
			fail "$3: error body $(cat "$TMP/body")"
		jq -e '.message | length > 0' "$TMP/body" >/dev/null ||
			fail "$3: no message"
	fi
}

# ---- setup: tickets, counters, back office, daemon
issue 30 personalausweis
issue 3 reisepass
TA=$(ctl counter add A --services personalausweis,reisepass 2>>"$TMP/kioskctl.log") ||
	fail "counter add A"
TB=$(ctl counter add B --services personalausweis 2>>"$TMP/kioskctl.log") ||
	fail "counter add B"
TC=$(ctl counter add C --services reisepass 2>>"$TMP/kioskctl.log") ||
	fail "counter add C"
[ ${#TA} = 43 ] || fail "token of 43 characters expected: '$TA'"
ctl counter add A --services reisepass 2>/dev/null && fail "same name twice"
ctl counter list --json | jq -e 'length == 3 and .[0].name == "A"' >/dev/null ||
	fail "counter list"
ctl counter list --json | grep -q "$TA" && fail "counter list shows a token"
bo_start 127.0.0.1:0 || fail "back office did not start"
mkdir -p "$TMP/static"
printf '<!doctype html><title>Schalter</title>\n' >"$TMP/static/index.html"
printf 'console.log(1);\n' >"$TMP/static/counter.js"
printf 'body{}\n' >"$TMP/static/counter.css"
printf 'secret\n' >"$TMP/static/.hidden.js"
printf 'secret\n' >"$TMP/secret.js"
kd_start --set backoffice.url="$BO_URL" --set site_api.static_dir="$TMP/static"
URL=http://127.0.0.1:$PORT

# the display stream from the start, and one counter stream
curl -s -N "$URL/api/v1/display/events" >"$TMP/display.sse" 2>/dev/null &
DISPLAY_PID=$!
curl -s -N "$URL/api/v1/events?access_token=$TA" >"$TMP/counter.sse" 2>/dev/null &
COUNTER_PID=$!
PIDS+=("$DISPLAY_PID" "$COUNTER_PID")

# ---- 1. authentication
req GET /api/v1/state "" >/dev/null; expect 401 unauthorized "no token"
req POST /api/v1/next "wrong-token" '{}' >/dev/null; expect 401 unauthorized "wrong token"
req GET /api/v1/state "$TC" >/dev/null; expect 200 "" "counter C before revoke"
ctl counter revoke C >/dev/null || fail "revoke"
req GET /api/v1/state "$TC" >/dev/null; expect 401 unauthorized "revoked token"
curl -s -I "$URL/api/v1/state" | grep -qi '^WWW-Authenticate: Bearer' ||
	fail "401 without WWW-Authenticate"

# ---- 2. bodies
req POST /api/v1/recall "$TA" '{"ticket_id": ' >/dev/null; expect 400 bad_request "malformed JSON"
req POST /api/v1/next "$TA" '[1,2]' >/dev/null; expect 400 bad_request "not an object"
req POST /api/v1/next "$TA" '{"colour":"red"}' >/dev/null; expect 400 bad_request "unknown field"
req POST /api/v1/transfer "$TA" '{"service":"reisepass","counter":"B"}' >/dev/null
expect 400 bad_request "transfer with two targets"
req POST /api/v1/next "$TA" "{\"x\":\"$(head -c 5000 /dev/zero | tr '\0' a)\"}" >/dev/null
expect 413 too_large "5 KB body"
curl -s -o "$TMP/body" -w '%{http_code}' -X POST -H "Authorization: Bearer $TA" \
	-d 'a=b' "$URL/api/v1/next" >"$TMP/status"
expect 415 unsupported_media_type "form body"
req GET /api/v1/next "$TA" >/dev/null; expect 405 method_not_allowed "GET next"
req POST /api/v1/nothing "$TA" '{}' >/dev/null; expect 404 not_found "unknown path"
[ "$(req GET /api/v1/state "$TA" | jq '.ticket')" = null ] || fail "A holds a ticket at start"

# ---- 3. and 4. the flow, and another counter's ticket
X=$(req POST /api/v1/next "$TA" '{}' | jq -r .ticket.number); expect 200 "" "A next"
XID=$(jq -r .ticket.ticket_id "$TMP/body")
[ "$X" = A001 ] || fail "A's first call is $X, want A001 (arrival order)"
[ "$(jq -r .event "$TMP/body")" = ticket.called ] || fail "event of next"
req POST /api/v1/finish "$TB" "{\"ticket_id\":\"$XID\"}" >/dev/null
expect 409 conflict "B finishes A's ticket"
grep -q 'held by counter A' "$TMP/body" || fail "409 without the holder: $(cat "$TMP/body")"
req POST /api/v1/recall "$TB" "{\"ticket_id\":\"$XID\"}" >/dev/null
expect 409 conflict "B recalls A's ticket"
[ "$(req GET /api/v1/state "$TA" | jq -r .ticket.status)" = called ] ||
	fail "A's ticket changed by B's refused action"
req POST /api/v1/no-show "$TA" '{}' >/dev/null; expect 409 conflict "no-show after one call"
grep -q 'after 2 calls' "$TMP/body" || fail "no-show reason: $(cat "$TMP/body")"
req POST /api/v1/recall "$TA" '{}' | jq -e '.ticket.calls == 2 and .ticket.no_show_allowed' \
	>/dev/null || fail "recall: $(cat "$TMP/body")"
req POST /api/v1/start "$TA" '{}' | jq -e '.ticket.status == "serving"' >/dev/null ||
	fail "start: $(cat "$TMP/body")"
req POST /api/v1/finish "$TA" '{}' | jq -e '.ticket == null and .event == "ticket.finished"' \
	>/dev/null || fail "finish: $(cat "$TMP/body")"
Y=$(req POST /api/v1/next "$TA" '{}' | jq -r .ticket.number)
[ "$Y" = A002 ] || fail "A's second call is $Y"
req POST /api/v1/transfer "$TA" '{"counter":"B"}' >/dev/null; expect 200 "" "transfer to B"
[ "$(req POST /api/v1/next "$TB" '{}' | jq -r .ticket.number)" = "$Y" ] ||
	fail "B does not get the ticket transferred to it first: $(cat "$TMP/body")"
req POST /api/v1/park "$TB" '{}' | jq -e ".parked | map(.number) | index(\"$Y\") != null" \
	>/dev/null || fail "park: $(cat "$TMP/body")"
req POST /api/v1/unpark "$TB" "{\"number\":\"$Y\"}" | jq -e ".ticket.number == \"$Y\"" \
	>/dev/null || fail "unpark: $(cat "$TMP/body")"
req POST /api/v1/transfer "$TB" '{"service":"reisepass"}' >/dev/null; expect 200 "" "transfer to a service"
req POST /api/v1/pause "$TB" '{}' | jq -e '.counter.paused' >/dev/null || fail "pause"
req POST /api/v1/next "$TB" '{}' >/dev/null; expect 409 conflict "next while paused"
req POST /api/v1/resume "$TB" '{}' | jq -e '.counter.paused | not' >/dev/null || fail "resume"
req POST /api/v1/finish "$TA" '{}' >/dev/null; expect 409 conflict "finish without a ticket"

# ---- 5. 20 concurrent next from two counters
for i in $(seq 20); do
	t=$TA; [ $((i % 2)) = 0 ] && t=$TB
	curl -s -X POST -H "Authorization: Bearer $t" -d '{}' \
		-H 'Content-Type: application/json' "$URL/api/v1/next" >"$TMP/race.$i" &
done
wait_race() { for i in $(seq 20); do jq -e . "$TMP/race.$i" >/dev/null 2>&1 || return 1; done; }
for _ in $(seq 200); do wait_race && break; sleep 0.05; done
cat "$TMP"/race.* | jq -r '.ticket.number // "none"' | sort >"$TMP/raced"
[ "$(wc -l <"$TMP/raced")" = 20 ] || fail "20 answers expected: $(cat "$TMP"/race.*)"
grep -q none "$TMP/raced" && fail "a next found nothing: $(tr '\n' ' ' <"$TMP/raced")"
[ "$(sort -u "$TMP/raced" | wc -l)" = 20 ] ||
	fail "two counters got the same ticket: $(tr '\n' ' ' <"$TMP/raced")"

# ---- 5b. statistics of today (kioskctl stats today)
ctl stats today --json | jq -e '.services[] | select(.service_id == "personalausweis") |
	.issued == 30 and .called >= 20 and .finished >= 1 and .service_avg_s >= 0' \
	>/dev/null || fail "stats today: $(ctl stats today --json)"
ctl stats today | grep -q '^ *personalausweis  *30 ' || fail "stats today table: $(ctl stats today)"

# ---- 6. server-sent events
for _ in $(seq 100); do
	grep -q "\"number\":\"$X\",\"counter\":\"A\"" "$TMP/display.sse" &&
		[ "$(grep -c '^event: call' "$TMP/display.sse")" -ge 25 ] && break
	sleep 0.05
done
grep -q "\"number\":\"$X\",\"counter\":\"A\",\"recall\":false" "$TMP/display.sse" ||
	fail "the call of $X is not on the display stream: $(head -c 600 "$TMP/display.sse")"
grep -q "\"number\":\"$X\",\"counter\":\"A\",\"recall\":true" "$TMP/display.sse" ||
	fail "the recall of $X is not on the display stream"
grep '^data:' "$TMP/display.sse" | sed 's/^data: //' |
	jq -e -s 'all(keys == ["at","counter","number","recall"])' >/dev/null ||
	fail "display events carry other fields"
grep -q '^id: [0-9]' "$TMP/display.sse" || fail "display events without id"
grep -q '^event: state' "$TMP/counter.sse" || fail "no state on the counter stream"
FIRST=$(grep -m1 '^id:' "$TMP/display.sse" | cut -d' ' -f2)
timeout 2 curl -s -N -H "Last-Event-ID: $FIRST" "$URL/api/v1/display/events" \
	>"$TMP/resume.sse" 2>/dev/null
grep -q "^id: $FIRST\$" "$TMP/resume.sse" && fail "Last-Event-ID: the same call again"
[ "$(grep -c '^event: call' "$TMP/resume.sse")" = \
  "$(( $(grep -c '^event: call' "$TMP/display.sse") - 1 ))" ] ||
	fail "Last-Event-ID: not the calls after $FIRST"

# ---- 7. static files
for f in /:text/html /counter.js:text/javascript /counter.css:text/css; do
	ct=$(curl -s -o /dev/null -w '%{http_code} %{content_type}' "$URL${f%%:*}")
	case $ct in "200 ${f#*:}"*) ;; *) fail "GET ${f%%:*}: $ct" ;; esac
done
for p in /../secret.js /%2e%2e/secret.js /.hidden.js /static/../secret.js \
	 '/..%2fsecret.js' /etc/passwd; do
	c=$(curl -s --path-as-is -o "$TMP/body" -w '%{http_code}' "$URL$p")
	[ "$c" = 404 ] || [ "$c" = 400 ] || fail "GET $p: $c"
	grep -q secret "$TMP/body" && fail "GET $p served a file outside"
done

# ---- 8. the events reach the back office
for _ in $(seq 100); do
	[ "$(count pending)" = 0 ] && break
	sleep 0.1
done
[ "$(count pending)" = 0 ] && [ "$(count dead)" = 0 ] ||
	fail "events pending $(count pending), dead $(count dead)"
"$BO_BIN" --data-dir "$TMP/bo" --list --json |
	jq -e '[.[].type] | (index("ticket.called") != null) and
		(index("ticket.transferred") != null) and
		(index("counter.paused") != null)' >/dev/null ||
	fail "the back office lacks the counters' events"

# ---- 6b. SIGTERM ends the streams and the daemon promptly
T0=$(date +%s%N)
kill -TERM "$KD_PID"
wait "$KD_PID"; rc=$?
T1=$(date +%s%N)
[ "$rc" = 0 ] || fail "buergerkioskd exited $rc on SIGTERM"
[ $(( (T1 - T0) / 1000000 )) -lt 3000 ] || fail "shutdown took $(( (T1 - T0) / 1000000 )) ms"
for _ in $(seq 40); do kill -0 "$DISPLAY_PID" 2>/dev/null || break; sleep 0.05; done
kill -0 "$DISPLAY_PID" 2>/dev/null && fail "the display stream did not end"

# ---- 9. HTTPS
ctl pki demo "$TMP/pki" >/dev/null || fail "pki demo"
kd_start --set site_api.tls_cert="$TMP/pki/server.pem" \
	--set site_api.tls_key="$TMP/pki/server.key"
grep -q 'listening on https://' "$TMP/kd.log" || fail "no https"
c=$(curl -s --cacert "$TMP/pki/ca.pem" -o "$TMP/body" -w '%{http_code}' \
	-H "Authorization: Bearer $TA" "https://localhost:$PORT/api/v1/state")
[ "$c" = 200 ] || fail "HTTPS state: $c"
curl -s -o /dev/null "http://127.0.0.1:$PORT/api/v1/state" && fail "plain HTTP answered on the HTTPS port"
kill -TERM "$KD_PID"; wait "$KD_PID"
"$KD_BIN" "${COMMON[@]}" --set site_api.listen=192.0.2.1:8080 2>"$TMP/lan.log"
[ $? = 2 ] && grep -q allow_plain_http "$TMP/lan.log" || fail "plain HTTP on the LAN was not refused"
echo "PASS"
