#!/bin/bash
# Encrypted form submissions end to end, with real processes on 127.0.0.1
# (docs/sync-protocol.md, "form.submitted"; docs/privacy.md):
#   1. kioskctl keys demo; the back office runs with --private-key
#   2. kioskctl form submit-demo: the plaintext is nowhere in kiosk.db or
#      its WAL; an independent JWE implementation (Python cryptography)
#      decrypts the stored JWE with the private key
#   3. buergerkioskd --once: the back office holds the decrypted answers
#      (--show), and the kiosk's outbox row is deleted (retention 0);
#      a ticket event stays delivered
#   4. same id, same bytes → held again; same id, other bytes → 422 (also
#      for a real kiosk, which parks it as dead with the reason)
#   5. a submission for another key → "cannot decrypt", dead on the kiosk
#   6. GET / renders, lists the reference, never the contents, and
#      escapes a kiosk id with <script>
# Needs BK_BIN_DIR and BK_SOURCE_DIR. KEEP_TMP=1 keeps the files.
set -u

. "$(dirname "$0")/lib.sh"
bk_init subm jq curl python3

COMMON+=(--set "backoffice.public_key=$TMP/keys/backoffice-public.pem"
	--set store.retention_hours=0)
kd_once() {
	"$KD_BIN" "${COMMON[@]}" --set sync.backoff_min_ms=50 \
		--set sync.backoff_max_ms=300 --set sync.timeout_s=5 \
		--backoffice "$URL" --once "$@" 2>>"$TMP/kioskd.log"
}
# sql DB QUERY [ARGS...]: one value per line (Python's sqlite3)
sql() {
	python3 - "$@" <<'EOF'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], timeout=10)
for row in db.execute(sys.argv[2], sys.argv[3:]):
    print(*row, sep="\t")
db.commit()
EOF
}
# has FILE... TEXT: 0 when TEXT occurs in the bytes of one of the files
has() {
	local text=${!#} f
	for f in "${@:1:$#-1}"; do
		[ -e "$f" ] && grep -aqF -- "$text" "$f" && return 0
	done
	return 1
}

# --- 1. keys and back office ---------------------------------------------
ctl keys demo "$TMP/keys" >"$TMP/keys.out" 2>>"$TMP/kioskctl.log" ||
	fail "kioskctl keys demo failed"
[ "$(stat -c %a "$TMP/keys/backoffice-private.pem")" = 600 ] ||
	fail "private key is not mode 600"
bo_start 127.0.0.1:0 \
	--private-key "$TMP/keys/backoffice-private.pem" ||
	fail "back office did not start"
URL=$BO_URL
echo "ok   keys demo, back office with --private-key"

# --- 2. submit: ciphertext only ------------------------------------------
ctl form submit-demo --json >"$TMP/submit.json" 2>>"$TMP/kioskctl.log" ||
	fail "kioskctl form submit-demo failed"
REF=$(jq -r .reference "$TMP/submit.json")
EV=$(jq -r .event_id "$TMP/submit.json")
[[ $REF =~ ^F-[0-9A-Z]{5}-[0-9A-Z]{5}$ ]] || fail "reference '$REF'"
DB=$TMP/kiosk/kiosk.db
for secret in "Erika Mustermann" "0151 23456789" "Regenschirm"; do
	has "$DB" "$DB-wal" "$DB-shm" "$secret" &&
		fail "plaintext '$secret' in kiosk.db"
done
has "$DB" "$DB-wal" "$REF" || fail "the reference is not in kiosk.db"
has "$TMP/kioskctl.log" "Erika" && fail "plaintext in kioskctl's log"
sql "$DB" "SELECT body FROM outbox WHERE id = ?" "$EV" >"$TMP/body.json"
jq -e --arg ref "$REF" '(keys == ["created_at","data","id","kiosk_id",
	"site_id","type"]) and .type == "form.submitted" and
	(.data | keys == ["form_id","jwe","reference"]) and
	.data.reference == $ref' "$TMP/body.json" >/dev/null ||
	fail "outbox body members: $(cat "$TMP/body.json" | head -c 300)"
echo "ok   submit-demo $REF: the outbox holds only the JWE"

# An independent implementation decrypts it (RFC 7516 compact, 7518 4.3
# RSA-OAEP-256, 5.3 A256GCM with the protected header as AAD).
python3 - "$TMP/body.json" "$TMP/keys/backoffice-private.pem" \
	>"$TMP/py.out" 2>&1 <<'EOF' || fail "Python could not decrypt the JWE"
import base64, json, sys
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
def b64(s): return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))
jwe = json.load(open(sys.argv[1]))["data"]["jwe"]
h, ek, iv, ct, tag = jwe.split(".")
assert json.loads(b64(h)) == {"alg": "RSA-OAEP-256", "enc": "A256GCM"}
key = serialization.load_pem_private_key(open(sys.argv[2], "rb").read(), None)
cek = key.decrypt(b64(ek), padding.OAEP(padding.MGF1(hashes.SHA256()),
                                        hashes.SHA256(), None))
pt = AESGCM(cek).decrypt(b64(iv), b64(ct) + b64(tag), h.encode("ascii"))
doc = json.loads(pt)
assert doc["answers"]["finder_name"] == "Erika Mustermann", doc
print("decrypted", doc["form_id"], doc["reference"])
EOF
grep -q "decrypted fundsache $REF" "$TMP/py.out" || fail "python: $(cat "$TMP/py.out")"
echo "ok   Python's cryptography decrypts the kiosk's JWE"

# --- 3. delivery, decryption, retention ----------------------------------
ctl ticket issue --service personalausweis --no-print --json \
	>"$TMP/ticket.json" 2>>"$TMP/kioskctl.log" || fail "ticket issue"
NUM=$(jq -r .number "$TMP/ticket.json")
kd_once || fail "buergerkioskd --once exited $?"
"$BO_BIN" --data-dir "$TMP/bo" --show "$EV" >"$TMP/show.json" 2>"$TMP/show.log" ||
	fail "kiosk-backoffice --show failed"
jq -e --arg ref "$REF" '.submission.reference == $ref and
	.submission.form_id == "fundsache" and
	.submission.plaintext.answers.finder_name == "Erika Mustermann" and
	.submission.plaintext.answers.item == "Schwarzer Regenschirm"' \
	"$TMP/show.json" >/dev/null || fail "back office: $(head -c 400 "$TMP/show.json")"
[ "$(sql "$DB" "SELECT count(*) FROM outbox WHERE id = ?" "$EV")" = 0 ] ||
	fail "the delivered submission is still in the kiosk's outbox"
[ "$(sql "$DB" "SELECT state FROM outbox WHERE type = 'ticket.issued'")" = \
  delivered ] || fail "the ticket event did not stay (delivered)"
has "$DB" "$DB-wal" "$(jq -r .data.jwe "$TMP/body.json" | cut -c 700-760)" &&
	fail "the JWE is still in kiosk.db after retention"
has "$TMP"/bo*.log "Erika" && fail "plaintext in the back office's log"
has "$TMP/kioskd.log" "Erika" && fail "plaintext in buergerkioskd's log"
echo "ok   delivered: back office holds the answers, kiosk deleted its copy"

# --- 4. idempotent ingest and 422 ----------------------------------------
TEV=$(sql "$TMP/bo/backoffice.db" \
	"SELECT id FROM events WHERE type = 'ticket.issued'")
post() { # post FILE-WITH-ONE-EVENT: prints HTTP status, reply in post.out
	{ printf '{"protocol":1,"kiosk_id":"kiosk-01","site_id":"musterstadt","events":['
	  cat "$1"
	  printf ']}'; } >"$TMP/batch.json"
	curl -s -o "$TMP/post.out" -w '%{http_code}' -H 'Content-Type: application/json' \
		--data-binary @"$TMP/batch.json" "$URL/v1/events"
}
sql "$TMP/bo/backoffice.db" "SELECT raw FROM events WHERE id = ?" "$TEV" |
	tr -d '\n' >"$TMP/same.json"
[ "$(post "$TMP/same.json")" = 200 ] || fail "same body: $(cat "$TMP/post.out")"
jq -e --arg id "$TEV" '.held == [$id] and .rejected == []' "$TMP/post.out" \
	>/dev/null || fail "same body not held: $(cat "$TMP/post.out")"
sed 's/"lang":"de"/"lang":"en"/' "$TMP/same.json" >"$TMP/changed.json"
cmp -s "$TMP/same.json" "$TMP/changed.json" && fail "test did not change the body"
[ "$(post "$TMP/changed.json")" = 422 ] || fail "changed body: $(cat "$TMP/post.out")"
jq -e --arg id "$TEV" '.held == [] and .rejected[0].id == $id and
	.rejected[0].status == 422 and
	(.rejected[0].reason | test("different body"))' "$TMP/post.out" \
	>/dev/null || fail "422 reply: $(cat "$TMP/post.out")"
echo "ok   same id + same body → held; same id + other body → 422"

# the kiosk's view: its event changed under the same id (a bug, a restore)
sql "$DB" "UPDATE outbox SET state = 'pending', next_attempt_ms = 0,
	body = replace(body, '\"lang\":\"de\"', '\"lang\":\"en\"') WHERE id = ?" "$TEV"
kd_once || fail "buergerkioskd --once exited $? after the 422"
ctl sync status --json >"$TMP/status.json" 2>>"$TMP/kioskctl.log"
jq -e --arg id "$TEV" '.dead_events | any(.id == $id and
	(.reason | test("different body.*422")))' "$TMP/status.json" \
	>/dev/null || fail "kiosk did not park the conflict: $(jq -c .dead_events "$TMP/status.json")"
echo "ok   the kiosk parks a 422 as dead with the reason"

# --- 5. encrypted for another key → cannot decrypt ------------------------
ctl keys demo "$TMP/otherkeys" >/dev/null 2>>"$TMP/kioskctl.log" || fail "keys"
ctl --set "backoffice.public_key=$TMP/otherkeys/backoffice-public.pem" \
	form submit-demo --json >"$TMP/submit2.json" 2>>"$TMP/kioskctl.log" ||
	fail "second submit-demo failed"
EV2=$(jq -r .event_id "$TMP/submit2.json")
kd_once || fail "buergerkioskd --once exited $? (cannot decrypt)"
ctl sync status --json >"$TMP/status.json" 2>>"$TMP/kioskctl.log"
jq -e --arg id "$EV2" '.dead_events | any(.id == $id and
	.reason == "cannot decrypt")' "$TMP/status.json" >/dev/null ||
	fail "no 'cannot decrypt': $(jq -c .dead_events "$TMP/status.json")"
"$BO_BIN" --data-dir "$TMP/bo" --show "$EV2" >/dev/null 2>&1 &&
	fail "the back office holds a submission it cannot decrypt"
[ "$(sql "$DB" "SELECT state FROM outbox WHERE id = ?" "$EV2")" = dead ] ||
	fail "the undecryptable submission did not stay on the kiosk"
echo "ok   another key: rejected 'cannot decrypt', kept as dead on the kiosk"

# --- 6. the technicians' page ---------------------------------------------
sql "$TMP/bo/backoffice.db" "INSERT INTO events (id, kiosk_id, site_id, type,
	number, created_at, received_at, raw) VALUES
	('00000000-0000-4000-8000-000000000001', '<script>alert(1)</script>',
	 'musterstadt', 'ticket.issued', 'A\"&<b>', 'x', 'y', '{}')"
curl -s -D "$TMP/page.hdr" -o "$TMP/page.html" "$URL/" || fail "GET / failed"
grep -qi '^content-type: text/html' "$TMP/page.hdr" || fail "page content type"
grep -q '^HTTP/1.1 200' "$TMP/page.hdr" || fail "page status: $(head -1 "$TMP/page.hdr")"
grep -qF "$REF" "$TMP/page.html" || fail "page lacks the reference"
grep -qF ">$NUM<" "$TMP/page.html" || fail "page lacks ticket $NUM"
grep -qF '&lt;script&gt;alert(1)&lt;/script&gt;' "$TMP/page.html" ||
	fail "kiosk id not escaped"
grep -qF 'A&quot;&amp;&lt;b&gt;' "$TMP/page.html" || fail "number not escaped"
grep -qiF '<script' "$TMP/page.html" && fail "page carries a <script>"
for secret in "Erika" "Regenschirm" "0151"; do
	grep -qF "$secret" "$TMP/page.html" && fail "page shows '$secret'"
done
[ "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$URL/")" = 405 ] ||
	fail "POST / is not 405"
echo "ok   GET / lists events, escapes, shows no contents"

kill -TERM "$BO_PID"
wait "$BO_PID" || fail "back office exit $?"
BO_PID=
echo "all submission checks passed"
