#!/usr/bin/env bash
# kiosk-paper, the simulator's printer window: a real ticket from the
# virtual printer is shown as white paper with black ink; the FAULT switch
# shows a red banner; gray, 16-bit, palette and RGBA pictures load; a
# broken or oversized newest PNG is not shown (and does not stop the
# viewer); an empty folder is fine; in window mode SIGINT and SIGTERM quit.
# The snapshots are decoded here, independently of the viewer's own code.
set -euo pipefail
: "${BK_BIN_DIR:?}" "${BK_SOURCE_DIR:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
paper=$BK_BIN_DIR/sim/kiosk-paper
fail() { echo "FAIL: $*" >&2; exit 1; }

cat > "$tmp/png.py" <<'PY'
"""check SNAPSHOT KIND... | write FILE FORMAT  (PNG by hand: zlib only)"""
import struct, sys, zlib

def chunks(data):
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos = 8
    while pos < len(data):
        n, = struct.unpack(">I", data[pos:pos + 4])
        yield data[pos + 4:pos + 8], data[pos + 8:pos + 8 + n]
        pos += 12 + n

def decode_rgb8(path):
    """RGB, 8 bit, not interlaced: what the viewer writes."""
    idat = b""
    for kind, body in chunks(open(path, "rb").read()):
        if kind == b"IHDR":
            w, h, depth, ctype, _, _, lace = struct.unpack(">IIBBBBB", body)
            assert (depth, ctype, lace) == (8, 2, 0), (depth, ctype, lace)
        elif kind == b"IDAT":
            idat += body
    raw, bpp, stride = zlib.decompress(idat), 3, w * 3
    rows, prev = [], bytearray(stride)
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if f == 1: line[i] = (line[i] + a) & 255
            elif f == 2: line[i] = (line[i] + b) & 255
            elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pr = a if pa <= pb and pa <= pc else b if pb <= pc else c
                line[i] = (line[i] + pr) & 255
        rows.append(line)
        prev = line
    return w, h, rows

def check(path, kinds):
    w, h, rows = decode_rgb8(path)
    assert (w, h) == (480, 820), (w, h)
    def count(pred, x0, y0, x1, y1):
        return sum(1 for y in range(y0, y1) for x in range(x0, x1)
                   if pred(*rows[y][3 * x:3 * x + 3]))
    white = lambda r, g, b: r >= 245 and g >= 245 and b >= 245
    black = lambda r, g, b: r <= 40 and g <= 40 and b <= 40
    red = lambda r, g, b: r >= 160 and g <= 80 and b <= 80
    centre = (w // 4, h // 4, 3 * w // 4, 3 * h // 4)
    for k in kinds:
        if k == "paper":
            n_white, n_black = count(white, *centre), count(black, *centre)
            assert n_white > 5000 and n_black > 500, (n_white, n_black)
        elif k == "nopaper":
            assert count(white, *centre) == 0, "paper shown"
        elif k == "red":
            assert count(red, 0, 0, w, 60) > 0.5 * w * 40, "no red banner"
        elif k == "nored":
            assert count(red, 0, 0, w, h) == 0, "red without a fault"
        else:
            raise SystemExit("unknown check " + k)

def chunk(kind, body):
    return (struct.pack(">I", len(body)) + kind + body +
            struct.pack(">I", zlib.crc32(kind + body)))

def png(w, h, depth, ctype, rows, extra=b""):
    raw = b"".join(b"\0" + r for r in rows)
    return (b"\x89PNG\r\n\x1a\n" +
            chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, depth, ctype, 0, 0, 0)) +
            extra + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))

def write(path, fmt):
    # a black square on white paper (transparent paper for RGBA), 400x600
    w, h = 400, 600
    ink = lambda x, y: 100 <= x < 300 and 150 <= y < 450
    if fmt == "gray8":
        data = png(w, h, 8, 0, [bytes(0 if ink(x, y) else 255 for x in range(w))
                                for y in range(h)])
    elif fmt == "gray16":
        data = png(w, h, 16, 0, [b"".join(b"\0\0" if ink(x, y) else b"\xff\xff"
                                          for x in range(w)) for y in range(h)])
    elif fmt == "palette":
        plte = chunk(b"PLTE", b"\0\0\0\xff\xff\xff")  # 0 black, 1 white
        data = png(w, h, 8, 3, [bytes(0 if ink(x, y) else 1 for x in range(w))
                                for y in range(h)], plte)
    elif fmt == "rgba":
        data = png(w, h, 8, 6, [b"".join(b"\0\0\0\xff" if ink(x, y) else b"\x20\x40\x60\0"
                                          for x in range(w)) for y in range(h)])
    elif fmt == "truncated":
        data = png(w, h, 8, 0, [bytes(255 for x in range(w)) for y in range(h)])
        data = data[:len(data) // 2]
    elif fmt == "huge":  # 5000 dots wide: over the cap, refused before decoding
        data = png(5000, 2, 8, 0, [bytes(255 for x in range(5000))] * 2)
    else:
        raise SystemExit("unknown format " + fmt)
    open(path, "wb").write(data)

if sys.argv[1] == "check":
    check(sys.argv[2], sys.argv[3:])
else:
    write(sys.argv[2], sys.argv[3])
PY

snap() {  # snap NAME: a headless snapshot of $tmp/p into $tmp/NAME.png
  "$paper" --dir "$tmp/p" --headless --snapshot "$tmp/$1.png" \
    2> "$tmp/$1.log" || { cat "$tmp/$1.log"; fail "$1: kiosk-paper failed"; }
  [ -s "$tmp/$1.png" ] || fail "$1: no snapshot"
}
check() { python3 "$tmp/png.py" check "$@" || fail "check $*"; }

# 1. an empty (even missing) folder: a snapshot all the same
mkdir -p "$tmp/p"
snap empty
check "$tmp/empty.png" nopaper nored

# 2. a real ticket from the virtual printer
"$BK_BIN_DIR/firmware/kioskctl" --config "$BK_SOURCE_DIR/assets/site.conf" \
  --data-dir "$tmp/k" --set "printer.uri=virtual:$tmp/p" \
  ticket issue --service reisepass > "$tmp/issue.out"
[ -f "$tmp/p/job-000001.png" ] || fail "the virtual printer wrote no PNG"
snap ticket
check "$tmp/ticket.png" paper nored

# 3. the fault switch: a red banner over the paper
echo paper > "$tmp/p/FAULT"
snap fault
check "$tmp/fault.png" paper red
grep -q "Papier leer" "$tmp/fault.log" || fail "fault not logged"
echo near > "$tmp/p/FAULT"
snap near
check "$tmp/near.png" paper red
echo slow > "$tmp/p/FAULT"   # not a fault the printer reports
snap slow
check "$tmp/slow.png" paper nored
rm "$tmp/p/FAULT"

# 4. other kinds of PNG, each as the newest job
n=1
for fmt in gray8 gray16 palette rgba; do
  n=$((n + 1))
  python3 "$tmp/png.py" write "$(printf '%s/p/job-%06d.png' "$tmp" "$n")" "$fmt"
  snap "$fmt"
  check "$tmp/$fmt.png" paper nored
done

# 5. a newest PNG that does not load is not shown, and is no error
for fmt in truncated huge; do
  n=$((n + 1))
  python3 "$tmp/png.py" write "$(printf '%s/p/job-%06d.png' "$tmp" "$n")" "$fmt"
  snap "$fmt"
  check "$tmp/$fmt.png" nopaper nored
  rm "$(printf '%s/p/job-%06d.png' "$tmp" "$n")"
done

# 6. window mode (SDL's offscreen driver): SIGINT and SIGTERM quit cleanly.
#    Leak checks stay with the headless runs above: SDL 2.26's offscreen
#    driver loads Mesa's EGL for every window, and Mesa leaks at exit.
for sig in INT TERM; do
  ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" SDL_VIDEODRIVER=offscreen \
    "$paper" --dir "$tmp/p" 2> "$tmp/win.log" &
  pid=$!
  sleep 1
  kill -0 "$pid" 2>/dev/null || { cat "$tmp/win.log"; fail "window mode died"; }
  kill -"$sig" "$pid"
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid"; fail "SIG$sig did not stop it"; fi
  rc=0; wait "$pid" || rc=$?
  [ "$rc" = 0 ] || { cat "$tmp/win.log"; fail "SIG$sig: exit status $rc"; }
done

echo "paper viewer: all checks passed"
