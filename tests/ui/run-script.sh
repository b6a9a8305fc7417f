#!/usr/bin/env bash
# run-script.sh — runs one scripted UI test headless and checks what it
# left behind. Called by ctest as: bash tests/ui/run-script.sh FILE.script
# with BK_BIN_DIR and BK_SOURCE_DIR set.
#
# Directives in the script's comment lines (any line "# name: value"):
#   # config: PATH         site configuration (relative to the source tree);
#                          default assets/site.conf
#   # set: KEY=VALUE       a --set override (repeatable)
#   # fault: WORD          writes WORD into the virtual printer's FAULT file
#   # data-dir: file       makes the data dir a plain file (store cannot open)
#   # sql: STATEMENT       runs STATEMENT on a fresh kiosk.db before the run
#                          ({today} is replaced by the local date)
#   # backoffice-key: yes  makes an RSA key pair in the temporary dir and
#                          sets backoffice.public_key, so forms are taken
#   # card: HOLDER         places an emulated ID card (sim/cardsim, holder file
#                          relative to the source tree) on pcscd's vpcd
#                          reader "Virtual PCD 00 00" (pcscd is started
#                          when none runs) and sets card.reader to it;
#                          without it card.reader is empty (no reader).
#                          In sql, {holder:SURNAME,YYYY-MM-DD} becomes the
#                          appointment's holder key (firmware/appointments.h)
#   # expect-exit: N       the kiosk's exit status (default 0)
#   # expect-stderr: TEXT  the kiosk's stderr contains TEXT (repeatable)
#   # reject-stderr: TEXT  the kiosk's stderr does not contain TEXT
#   # expect-jobs: N       printer job files written
#   # expect-tickets: N    rows in the tickets table of kiosk.db
#   # expect-sql: QUERY = VALUE
#                          QUERY on kiosk.db after the run prints VALUE
#                          (split at the last " = "; repeatable)
#
# Screenshots are kept in $BK_BIN_DIR/ui-screens/NAME/; the temporary data
# dir is removed.
set -uo pipefail

script=${1:?usage: run-script.sh FILE.script}
src=${BK_SOURCE_DIR:?BK_SOURCE_DIR not set}
bin=${BK_BIN_DIR:?BK_BIN_DIR not set}
name=$(basename "$script" .script)
kiosk=$bin/ui/buergerkiosk

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bk-ui-XXXXXX")
cs_pid= pcscd_pid=
cleanup() {
	[ -n "$cs_pid" ] && kill "$cs_pid" 2> /dev/null && wait "$cs_pid"
	[ -n "$pcscd_pid" ] && kill "$pcscd_pid" 2> /dev/null &&
		wait "$pcscd_pid"
	rm -rf "$tmp"
}
trap cleanup EXIT
shots=$bin/ui-screens/$name
rm -rf "$shots"
mkdir -p "$shots" "$tmp/printer"

directive() { sed -n "s/^# $1: *//p" "$script"; }

config=$(directive config | tail -n 1)
config=$src/${config:-assets/site.conf}
data=$tmp/data
args=(--config "$config" --data-dir "$data"
      --set "printer.uri=virtual:$tmp/printer")
while IFS= read -r kv; do
	[ -n "$kv" ] && args+=(--set "$kv")
done < <(directive set)
if [ "$(directive backoffice-key | tail -n 1)" = yes ]; then
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
		-out "$tmp/bo.key" 2> /dev/null &&
	openssl pkey -in "$tmp/bo.key" -pubout -out "$tmp/bo.pub" || exit 1
	args+=(--set "backoffice.public_key=$tmp/bo.pub")
fi
card=$(directive card | tail -n 1)
if [ -n "$card" ]; then
	if ! pgrep -x pcscd > /dev/null; then
		pcscd --foreground > "$tmp/pcscd.log" 2>&1 &
		pcscd_pid=$!
		sleep 0.5
	fi
	"$bin/sim/kiosk-cardsim" --data "$src/$card" > "$tmp/cs.out" \
		2> "$tmp/cs.log" &
	cs_pid=$!
	for _ in $(seq 200); do
		grep -qs '^card seen by the reader$' "$tmp/cs.out" && break
		kill -0 "$cs_pid" 2> /dev/null || break
		sleep 0.05
	done
	grep -qs '^card seen by the reader$' "$tmp/cs.out" ||
		{ echo "$name: the emulated card was not seen" >&2; exit 1; }
	args+=(--set "card.reader=pcsc:Virtual PCD 00 00")
else
	args+=(--set "card.reader=")
fi
fault=$(directive fault | tail -n 1)
[ -n "$fault" ] && printf '%s\n' "$fault" > "$tmp/printer/FAULT"
[ "$(directive data-dir | tail -n 1)" = file ] && : > "$data"
if [ -n "$(directive sql)" ]; then
	# kioskctl creates the schema, as the kiosk would
	"$bin/firmware/kioskctl" "${args[@]}" health > /dev/null || exit 1
	today=$(date +%F)
	# the holder key file, as the kiosk would make it on first use
	head -c 32 /dev/urandom > "$data/holder.key" && chmod 600 "$data/holder.key"
	hkey=$(od -An -tx1 -v "$data/holder.key" | tr -d ' \n')
	while IFS= read -r stmt; do
		[ -n "$stmt" ] || continue
		stmt=${stmt//\{today\}/$today}
		while [[ $stmt =~ \{holder:([^,}]*),([^}]*)\} ]]; do
			h=$(printf 'BKH1\n%s\n%s' "${BASH_REMATCH[1]}" \
				"${BASH_REMATCH[2]}" |
				openssl dgst -sha256 -mac HMAC \
					-macopt "hexkey:$hkey" -r | cut -d' ' -f1)
			stmt=${stmt/"${BASH_REMATCH[0]}"/X\'$h\'}
		done
		sqlite3 "$data/kiosk.db" "$stmt"
	done < <(directive sql)
fi

fail=0
"$kiosk" "${args[@]}" --headless --script "$script" --screenshots "$shots" \
	2> "$tmp/stderr"
status=$?
cat "$tmp/stderr" >&2

want=$(directive expect-exit | tail -n 1)
if [ "$status" -ne "${want:-0}" ]; then
	echo "$name: buergerkiosk exited $status, expected ${want:-0}" >&2
	fail=1
fi
while IFS= read -r text; do
	[ -z "$text" ] && continue
	if ! grep -qF -- "$text" "$tmp/stderr"; then
		echo "$name: stderr lacks: $text" >&2
		fail=1
	fi
done < <(directive expect-stderr)
while IFS= read -r text; do
	[ -z "$text" ] && continue
	if grep -qF -- "$text" "$tmp/stderr"; then
		echo "$name: stderr holds: $text" >&2
		fail=1
	fi
done < <(directive reject-stderr)

want=$(directive expect-jobs | tail -n 1)
if [ -n "$want" ]; then
	got=$(find "$tmp/printer" -name 'job-*.bin' | wc -l)
	if [ "$got" -ne "$want" ]; then
		echo "$name: $got printer jobs, expected $want" >&2
		fail=1
	fi
fi
want=$(directive expect-tickets | tail -n 1)
if [ -n "$want" ]; then
	got=$(sqlite3 "$data/kiosk.db" 'select count(*) from tickets' 2>&1)
	if [ "$got" != "$want" ]; then
		echo "$name: $got tickets in kiosk.db, expected $want" >&2
		fail=1
	fi
fi
while IFS= read -r line; do
	[ -z "$line" ] && continue
	query=${line% = *}
	want=${line##* = }
	got=$(sqlite3 "$data/kiosk.db" "$query" 2>&1)
	if [ "$got" != "$want" ]; then
		echo "$name: $query gave '$got', expected '$want'" >&2
		fail=1
	fi
done < <(directive expect-sql)
[ "$fail" -eq 0 ] && echo "$name: ok (screenshots in $shots)"
exit "$fail"
