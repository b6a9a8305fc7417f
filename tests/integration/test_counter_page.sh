#!/usr/bin/env bash
# The counter page (assets/counter/) in real headless Chromium (Debian's
# /usr/bin/chromium, driven by npm playwright-core from
# tests/npm/counter/; no browser is downloaded) against a real
# buergerkioskd on 127.0.0.1 with two counters made by kioskctl counter
# add: a wrong token is refused; log in; Next, Recall, No-show, Start,
# Finish, Transfer, Park/Unpark, Pause/Resume; the other page sees the
# queue shrink through server-sent events; two pages pressing Next at once
# get different tickets; the page shows "reconnecting" while the daemon is
# down and carries on after it restarts; a revoked token sends the clerk
# back to the login. Screenshots are kept in
# BUILD/ui-screens/counter-page/.
set -u
. "$(dirname "$0")/lib.sh"
bk_init counter-page curl node npm jq sqlite3

[ -x /usr/bin/chromium ] ||
	fail "/usr/bin/chromium is needed (scripts/deps test installs Debian's chromium)"

KD_PID=
KD_PORT=0
KD_N=0

# kd_start: starts the daemon with the site API on 127.0.0.1:KD_PORT (0 =
# any; the port it took is kept for restarts) and waits for its line.
kd_start() {
	local log
	KD_N=$((KD_N + 1))
	log=$TMP/kd$KD_N.log
	"$KD_BIN" "${COMMON[@]}" --set "site_api.listen=127.0.0.1:$KD_PORT" \
		--set "site_api.static_dir=$SRC/assets/counter" \
		>"$TMP/kd$KD_N.out" 2>"$log" &
	KD_PID=$!
	echo "$KD_PID" >"$TMP/kd.pid"
	for _ in $(seq 200); do
		local p
		p=$(sed -n 's|.*site API listening on http://127\.0\.0\.1:\([0-9]*\).*|\1|p' "$log" 2>/dev/null | head -n 1)
		if [ -n "$p" ]; then
			KD_PORT=$p
			echo "$KD_PORT" >"$TMP/kd.port"
			return 0
		fi
		kill -0 "$KD_PID" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}

cleanup_extra() {
	[ -f "$TMP/kd.pid" ] && kill -KILL "$(cat "$TMP/kd.pid")" 2>/dev/null
	return 0
}

token_of() { grep -oE '[A-Za-z0-9_-]{43}' | head -n 1; }

t1=$(ctl counter add "Schalter 1" --services personalausweis,reisepass 2>>"$TMP/kioskctl.log" | token_of)
t2=$(ctl counter add "Schalter 2" --services personalausweis 2>>"$TMP/kioskctl.log" | token_of)
[ -n "$t1" ] && [ -n "$t2" ] || fail "kioskctl counter add printed no token"
issue 12 personalausweis
issue 2 reisepass

kd_start || fail "buergerkioskd did not start its site API"
url=http://127.0.0.1:$KD_PORT
curl -fsS "$url/" | grep -q 'counter.js' || fail "GET / is not the counter page"

# the driver's commands to stop and start the daemon on the same port
cat >"$TMP/stop.sh" <<EOF
kill -TERM "\$(cat "$TMP/kd.pid")"
while kill -0 "\$(cat "$TMP/kd.pid")" 2>/dev/null; do sleep 0.05; done
EOF
{
	declare -p KD_BIN COMMON SRC TMP KD_PORT
	declare -f kd_start
	echo 'KD_N=100; kd_start || { echo "restart failed"; exit 1; }'
} >"$TMP/start.sh"

{
	declare -p CTL_BIN COMMON
	echo '"$CTL_BIN" "${COMMON[@]}" counter revoke "Schalter 2"'
} >"$TMP/revoke.sh"

mkdir -p "$TMP/npm"
cp "$SRC/tests/npm/counter/package.json" "$SRC/tests/npm/counter/package-lock.json" \
	"$SRC/tests/npm/counter/counter.mjs" "$TMP/npm/"
(cd "$TMP/npm" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 \
	npm ci --no-audit --no-fund --loglevel=error >npm.log 2>&1) ||
	{ cat "$TMP/npm/npm.log"; fail "npm ci (playwright-core) failed"; }

shots=$BIN/ui-screens/counter-page
rm -rf "$shots"
mkdir -p "$shots"
(cd "$TMP/npm" && BK_URL=$url BK_TOKEN1=$t1 BK_TOKEN2=$t2 BK_SHOTS=$shots \
	BK_STOP="bash $TMP/stop.sh" BK_START="bash $TMP/start.sh" \
	BK_REVOKE="bash $TMP/revoke.sh" \
	node counter.mjs) >"$TMP/node.out" 2>&1
rc=$?
cat "$TMP/node.out"
[ "$rc" = 0 ] || fail "the counter page driver failed ($rc)"
grep -q 'counter page: all steps passed' "$TMP/node.out" || fail "driver ended early"

# the page's work is in the store: one no-show, the transfer, the calls
n=$(sqlite3 "$TMP/kiosk/kiosk.db" "SELECT count(*) FROM tickets WHERE status = 'no_show'")
[ "$n" = 1 ] || fail "expected 1 no-show ticket, got $n"
echo "PASS"
