#!/bin/bash
# Network faults between the kiosk and the back office: after each, every
# event is in the back office exactly once and delivered on the kiosk.
#
# buergerkioskd (timeout 2 s, backoff 50..300 ms, batches of 2) delivers
# through tests/integration/faultproxy.py to kiosk-backoffice. For each
# fault mode of the proxy — refuse (closed at once), reset (TCP RST after
# the request), 500, slow (answer held 3 s, past the timeout) and drop
# (the back office commits, the answer is lost) — tickets are issued, the
# daemon meets the fault several times, then the proxy passes everything
# and the outbox drains. Checks after each mode:
#   1. while faulted nothing is marked delivered on the kiosk;
#   2. for slow and drop, the back office had already stored the events
#      (the lost answer), and the retry is answered from what it holds;
#   3. after recovery each issued ticket is held exactly once, pending 0.
# As root with ip netns and nft, a blackhole case (packets silently
# dropped inside a namespace of the test's own) runs too; otherwise it is
# skipped with the reason.
# Needs BK_BIN_DIR (build dir) and BK_SOURCE_DIR. KEEP_TMP=1 keeps files.
set -u

. "$(dirname "$0")/lib.sh"
bk_init netfaults jq python3

PROXY=$SRC/tests/integration/faultproxy.py
CONTROL=$TMP/mode
NETNS=
cleanup_extra() { # run by cleanup after the processes are gone
	[ -n "$NETNS" ] && ip netns del "$NETNS" 2>/dev/null
}

# wait_port OUT: the port from "listening on ...:PORT" in OUT
wait_port() {
	local port
	for _ in $(seq 200); do
		port=$(sed -n 's|^listening on [a-z:/]*127\.0\.0\.1:\([0-9]*\)$|\1|p' "$1")
		[ -n "$port" ] && { echo "$port"; return 0; }
		sleep 0.05
	done
	return 1
}

held_count() { # events of type ticket.issued the back office holds
	"$BO_BIN" --data-dir "$TMP/bo" --list --json 2>/dev/null |
		jq '[.[] | select(.type == "ticket.issued")] | length'
}

wait_drained() {
	for _ in $(seq 300); do
		[ "$(count pending)" = 0 ] && return 0
		sleep 0.1
	done
	fail "$1: outbox not drained 30 s after the fault ended"
}

# --- start: back office, proxy (pass), daemon through the proxy -------------
: >"$TMP/issued"
echo pass >"$CONTROL"
bo_start 127.0.0.1:0 || fail "back office did not start"
python3 "$PROXY" --target "127.0.0.1:$BO_PORT" --control "$CONTROL" \
	>"$TMP/proxy.out" 2>"$TMP/proxy.log" &
PIDS+=("$!")
PX_PORT=$(wait_port "$TMP/proxy.out") || fail "faultproxy did not start"

"$KD_BIN" "${COMMON[@]}" --backoffice "http://127.0.0.1:$PX_PORT" \
	--set sync.timeout_s=2 --set sync.backoff_min_ms=50 \
	--set sync.backoff_max_ms=300 --set sync.poll_ms=100 \
	--set sync.batch_size=2 </dev/null >/dev/null 2>>"$TMP/kioskd.log" &
KD_PID=$!
PIDS+=("$KD_PID")
issue 2 reisepass
wait_drained "pass"
check_exactly_once "pass"
echo "ok   pass-through: 2 tickets delivered"

# --- each fault -------------------------------------------------------------
for mode in refuse reset 500 slow drop; do
	seen=$(grep -c "^fault $mode" "$TMP/proxy.log")
	held_before=$(held_count)
	delivered_before=$(count delivered)
	echo "$mode" >"$CONTROL"
	issue 3 reisepass
	want=3
	case $mode in slow | drop) want=2 ;; esac # 2 s timeout each
	for _ in $(seq 200); do
		[ $(($(grep -c "^fault $mode" "$TMP/proxy.log") - seen)) -ge "$want" ] &&
			break
		sleep 0.1
	done
	n=$(($(grep -c "^fault $mode" "$TMP/proxy.log") - seen))
	[ "$n" -ge "$want" ] || fail "$mode: the daemon met the fault $n times"
	[ "$(count delivered)" = "$delivered_before" ] ||
		fail "$mode: events marked delivered through the fault"
	case $mode in
	slow | drop)
		[ "$(held_count)" -gt "$held_before" ] ||
			fail "$mode: the back office stored nothing (no lost answer)"
		;;
	*)
		[ "$(held_count)" = "$held_before" ] ||
			fail "$mode: the back office stored events through the fault"
		;;
	esac
	echo pass >"$CONTROL"
	wait_drained "$mode"
	check_exactly_once "$mode"
	kill -0 "$KD_PID" 2>/dev/null || fail "$mode: buergerkioskd died"
	echo "ok   $mode: met $n times, then all $(wc -l <"$TMP/issued") tickets held exactly once"
done

# --- blackhole: packets silently dropped (root, netns, nft) -----------------
blackhole_skip() { echo "skip blackhole: $*"; }
blackhole() {
	[ "$(id -u)" = 0 ] || { blackhole_skip "not root"; return; }
	command -v ip >/dev/null || { blackhole_skip "no ip"; return; }
	command -v nft >/dev/null || { blackhole_skip "no nft"; return; }
	NETNS=bk-nf-$$
	ip netns add "$NETNS" 2>/dev/null ||
		{ NETNS=; blackhole_skip "ip netns add failed"; return; }
	ip -n "$NETNS" link set lo up ||
		{ blackhole_skip "no loopback in the namespace"; return; }
	# a second back office and daemon inside the namespace: its loopback is
	# the test's own, nothing outside it is touched
	local dir=$TMP/ns
	mkdir -p "$dir"
	ip netns exec "$NETNS" "$BO_BIN" --listen 127.0.0.1:0 \
		--data-dir "$dir/bo" >"$dir/bo.out" 2>"$TMP/ns-bo.log" &
	PIDS+=("$!")
	local port
	port=$(wait_port "$dir/bo.out") ||
		{ blackhole_skip "back office in the namespace did not start"; return; }
	local nsctl=(--config "$SRC/assets/site.conf" --data-dir "$dir/kiosk"
		--set "printer.uri=virtual:$dir/printer")
	for _ in 1 2 3; do
		"$CTL_BIN" "${nsctl[@]}" ticket issue --service fundbuero \
			--no-print >>"$dir/issued" 2>>"$TMP/kioskctl.log" ||
			fail "blackhole: kioskctl failed"
	done
	ip netns exec "$NETNS" nft -f - <<-EOF || { blackhole_skip "nft failed"; return; }
	table inet bk_blackhole {
		chain input {
			type filter hook input priority 0; policy accept;
			tcp dport $port drop
		}
	}
	EOF
	ip netns exec "$NETNS" "$KD_BIN" "${nsctl[@]}" \
		--backoffice "http://127.0.0.1:$port" --set sync.timeout_s=2 \
		--set sync.backoff_min_ms=50 --set sync.backoff_max_ms=300 \
		--set sync.poll_ms=100 </dev/null >/dev/null \
		2>>"$TMP/ns-kioskd.log" &
	local kd=$!
	PIDS+=("$kd")
	# SYNs vanish: the 2 s timeout must fire (after the down-sync's own)
	for _ in $(seq 150); do
		grep -q "deferred" "$TMP/ns-kioskd.log" && break
		sleep 0.1
	done
	grep -q "deferred" "$TMP/ns-kioskd.log" ||
		fail "blackhole: the daemon did not give up on the silent link"
	local ns_pending
	ns_pending=$("$CTL_BIN" "${nsctl[@]}" sync status --json | jq .pending)
	[ "$ns_pending" = 3 ] || fail "blackhole: pending $ns_pending, want 3"
	ip netns exec "$NETNS" nft delete table inet bk_blackhole ||
		fail "blackhole: could not lift the blackhole"
	for _ in $(seq 150); do
		ns_pending=$("$CTL_BIN" "${nsctl[@]}" sync status --json | jq .pending)
		[ "$ns_pending" = 0 ] && break
		sleep 0.1
	done
	[ "$ns_pending" = 0 ] || fail "blackhole: not drained after the link came back"
	"$BO_BIN" --data-dir "$dir/bo" --list --json | jq -r '.[].number' |
		sort >"$dir/held"
	sort "$dir/issued" | diff -u - "$dir/held" >/dev/null ||
		fail "blackhole: back office does not hold each ticket once"
	kill -TERM "$kd"
	echo "ok   blackhole (netns + nft drop): 3 tickets held exactly once after the link came back"
}
blackhole

kill -TERM "$KD_PID"
wait "$KD_PID"
rc=$?
[ "$rc" = 0 ] || fail "buergerkioskd exited $rc on SIGTERM"
echo "all network fault modes passed"
