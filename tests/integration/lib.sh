# Shared setup for the integration tests (tests/integration/test_*.sh).
# Not a test itself: ctest only runs test_*.sh. Source it after set -u:
#   . "$(dirname "$0")/lib.sh"
#   bk_init NAME [TOOL...]
#
# bk_init NAME [TOOL...]
#   Needs BK_BIN_DIR and BK_SOURCE_DIR (exits with a message otherwise).
#   Sets BIN, SRC, CTL_BIN, KD_BIN, BO_BIN and exits 1 with "FAIL: ... not
#   built" unless all three binaries are there, and "FAIL: TOOL is needed"
#   for each TOOL not on PATH. Makes TMP (bk-NAME-XXXXXX under $TMPDIR or
#   /tmp), sets PIDS=() and BO_PID, BO_PORT, BO_URL empty, BO_N=0, and COMMON
#   to the kioskctl/buergerkioskd options for the example config with the
#   data dir $TMP/kiosk and a virtual printer in $TMP/printer (scripts may
#   append to COMMON). Installs cleanup on EXIT and exit 1 on INT/TERM.
# cleanup
#   SIGKILLs every pid in PIDS, waits, calls cleanup_extra if the script
#   defines it, then removes TMP (KEEP_TMP=1 keeps it and says where).
# fail MESSAGE...
#   Prints "FAIL: MESSAGE", the last 15 lines of every non-empty
#   $TMP/*.log and $TMP/*.out, and exits 1.
# ctl ARGS...
#   kioskctl with COMMON, then ARGS.
# issue N [SERVICE]
#   N × kioskctl ticket issue --no-print (service personalausweis unless
#   given); the numbers are appended to $TMP/issued, stderr to
#   $TMP/kioskctl.log; fails the test when one run fails.
# count FIELD
#   A top-level field of kioskctl sync status --json (pending, delivered,
#   dead).
# bo_start LISTEN [FLAG...]
#   Starts kiosk-backoffice --listen LISTEN --data-dir $TMP/bo FLAG... in
#   the background, stdout to $TMP/boN.out, stderr to $TMP/boN.log (N =
#   ++BO_N), adds it to PIDS and waits up to 10 s for its line
#   "listening on $BO_SCHEME://127.0.0.1:PORT" (BO_SCHEME: http unless set).
#   Sets BO_PID, BO_PORT and BO_URL; returns 1 if the line does not come or
#   the process ends first.
# bo_stop
#   SIGTERM to BO_PID and waits; fails the test unless it exits 0.
# pcscd_start
#   Makes sure pcscd runs with the vpcd readers (Debian pcscd and
#   vsmartcard-vpcd): when no pcscd process runs, starts
#   `pcscd --foreground` (output to $TMP/pcscd.log), sets PCSCD_PID, and
#   cleanup stops it (SIGTERM) after the PIDS; a pcscd someone else started
#   is left alone. Waits up to 10 s until kioskctl card list shows the
#   reader "Virtual PCD 00 00"; returns 1 with a message otherwise.
# check_exactly_once LABEL
#   Each number in $TMP/issued is held exactly once as ticket.issued by the
#   back office in $TMP/bo (and no other number), no event id twice, and
#   the kiosk shows pending 0 and delivered = the number of issued tickets.
#   Fails the test with LABEL otherwise. Leaves $TMP/list.json.

bk_init() {
	local name=$1 b t
	shift
	BIN=${BK_BIN_DIR:?set BK_BIN_DIR to the build directory}
	SRC=${BK_SOURCE_DIR:?set BK_SOURCE_DIR to the source directory}
	CTL_BIN=$BIN/firmware/kioskctl
	KD_BIN=$BIN/firmware/buergerkioskd
	BO_BIN=$BIN/sim/kiosk-backoffice
	for b in "$CTL_BIN" "$KD_BIN" "$BO_BIN"; do
		[ -x "$b" ] || { echo "FAIL: $b not built"; exit 1; }
	done
	for t in "$@"; do
		command -v "$t" >/dev/null || { echo "FAIL: $t is needed"; exit 1; }
	done
	TMP=$(mktemp -d "${TMPDIR:-/tmp}/bk-$name-XXXXXX")
	PIDS=()
	BO_PID=
	BO_PORT=
	BO_URL=
	BO_N=0
	COMMON=(--config "$SRC/assets/site.conf" --data-dir "$TMP/kiosk"
		--set "printer.uri=virtual:$TMP/printer")
	trap cleanup EXIT
	trap 'exit 1' INT TERM
}

cleanup() {
	local p
	for p in "${PIDS[@]}"; do
		kill -KILL "$p" 2>/dev/null
	done
	# pcscd before the bare wait: it is a child too and never ends alone
	if [ -n "${PCSCD_PID:-}" ]; then
		kill -TERM "$PCSCD_PID" 2>/dev/null
	fi
	wait 2>/dev/null
	PCSCD_PID=
	if declare -F cleanup_extra >/dev/null; then
		cleanup_extra
	fi
	if [ "${KEEP_TMP:-0}" = 1 ]; then
		echo "files kept in $TMP"
	else
		rm -rf "$TMP"
	fi
}

fail() {
	local f
	echo "FAIL: $*"
	for f in "$TMP"/*.log "$TMP"/*.out; do
		[ -s "$f" ] || continue
		echo "--- $f (last 15 lines)"
		tail -n 15 "$f"
	done
	exit 1
}

ctl() { "$CTL_BIN" "${COMMON[@]}" "$@"; }

issue() {
	for _ in $(seq "$1"); do
		ctl ticket issue --service "${2:-personalausweis}" --no-print \
			>>"$TMP/issued" 2>>"$TMP/kioskctl.log" ||
			fail "kioskctl ticket issue failed"
	done
}

count() {
	ctl sync status --json 2>>"$TMP/kioskctl.log" | jq -r ".$1"
}

bo_start() {
	local listen=$1 scheme=${BO_SCHEME:-http} out
	shift
	BO_N=$((BO_N + 1))
	out=$TMP/bo$BO_N.out
	"$BO_BIN" --listen "$listen" --data-dir "$TMP/bo" "$@" \
		>"$out" 2>"$TMP/bo$BO_N.log" &
	BO_PID=$!
	PIDS+=("$BO_PID")
	for _ in $(seq 200); do
		BO_PORT=$(sed -n "s|^listening on $scheme://127\\.0\\.0\\.1:\\([0-9]*\\)\$|\\1|p" "$out")
		if [ -n "$BO_PORT" ]; then
			BO_URL=$scheme://127.0.0.1:$BO_PORT
			return 0
		fi
		kill -0 "$BO_PID" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}

bo_stop() {
	kill -TERM "$BO_PID"
	wait "$BO_PID"
	local rc=$?
	[ "$rc" = 0 ] || fail "kiosk-backoffice exited $rc on SIGTERM"
}

check_exactly_once() {
	"$BO_BIN" --data-dir "$TMP/bo" --list --json >"$TMP/list.json" ||
		fail "$1: kiosk-backoffice --list --json failed"
	jq -r '.[] | select(.type == "ticket.issued") | .number' \
		"$TMP/list.json" | sort >"$TMP/held"
	sort "$TMP/issued" >"$TMP/issued.sorted"
	diff -u "$TMP/issued.sorted" "$TMP/held" >"$TMP/diff.out" ||
		fail "$1: back office does not hold each ticket exactly once"
	[ "$(jq '[.[].id] | unique | length' "$TMP/list.json")" = \
	  "$(jq 'length' "$TMP/list.json")" ] || fail "$1: duplicate ids"
	[ "$(count pending)" = 0 ] || fail "$1: pending is $(count pending)"
	[ "$(count delivered)" = "$(wc -l <"$TMP/issued")" ] ||
		fail "$1: delivered $(count delivered), issued $(wc -l <"$TMP/issued")"
}

pcscd_start() {
	local reader="Virtual PCD 00 00" end=$((SECONDS + 10))

	PCSCD_PID=${PCSCD_PID:-}
	if ! pgrep -x pcscd >/dev/null; then
		command -v pcscd >/dev/null ||
			{ echo "pcscd_start: pcscd is not installed"; return 1; }
		pcscd --foreground >"$TMP/pcscd.log" 2>&1 &
		PCSCD_PID=$!
	fi
	while [ "$SECONDS" -le "$end" ]; do
		if "$CTL_BIN" "${COMMON[@]}" card list --json 2>/dev/null |
			jq -e --arg r "$reader" 'any(.[]; .name == $r)' \
				>/dev/null; then
			return 0
		fi
		if [ -n "$PCSCD_PID" ] && ! kill -0 "$PCSCD_PID" 2>/dev/null; then
			echo "pcscd_start: pcscd exited (see $TMP/pcscd.log:" \
				"$(tail -n 3 "$TMP/pcscd.log" 2>/dev/null))"
			PCSCD_PID=
			return 1
		fi
		sleep 0.05
	done
	echo "pcscd_start: no reader \"$reader\" within 10 s" \
		"(is vsmartcard-vpcd installed? are we root?)"
	return 1
}
