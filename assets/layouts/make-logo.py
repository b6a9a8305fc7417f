#!/usr/bin/env python3
"""make-logo.py - draws the kiosk's ticket logo, logo.png, beside it.

The logo is our own emblem: a town hall with a clock tower over a flight of
steps, in flat black on white, drawn in 240 x 112 dots (30 x 14 mm at
203 dpi, the receipt printer's resolution), with six white rows below that
keep the next line of text off the steps: 240 x 118 dots, 14.8 mm of paper.
It is drawn from a few shapes into a pixel array and written as a 1-bit
grayscale PNG with zlib and struct only, so the file is the same on every
machine:

    python3 assets/layouts/make-logo.py            # writes logo.png here
    python3 assets/layouts/make-logo.py OUT.png

Layouts print it with `image logo.png [WIDTH]` (docs/printing.md). No
fonts, no text, nothing taken from elsewhere.
"""
import math
import os
import struct
import sys
import zlib

W, H = 240, 118                   # drawing in rows 0..111, then margin
CX = W // 2                       # the axis of the building
px = [[0] * W for _ in range(H)]  # 1 = black dot


def rect(x0, y0, x1, y1, v=1):
    """Fills x0 <= x < x1, y0 <= y < y1."""
    for y in range(max(y0, 0), min(y1, H)):
        for x in range(max(x0, 0), min(x1, W)):
            px[y][x] = v


def triangle(ax, ay, bx, by, cx, cy, v=1):
    """Fills the triangle by the sign of the three edge functions."""
    def edge(x0, y0, x1, y1, x, y):
        return (x1 - x0) * (y - y0) - (y1 - y0) * (x - x0)
    for y in range(min(ay, by, cy), max(ay, by, cy) + 1):
        for x in range(min(ax, bx, cx), max(ax, bx, cx) + 1):
            px_, py_ = x + 0.5, y + 0.5
            e = (edge(ax, ay, bx, by, px_, py_),
                 edge(bx, by, cx, cy, px_, py_),
                 edge(cx, cy, ax, ay, px_, py_))
            if (all(k >= 0 for k in e) or all(k <= 0 for k in e)) \
                    and 0 <= x < W and 0 <= y < H:
                px[y][x] = v


def disc(cx, cy, r, v=1):
    for y in range(int(cy - r) - 1, int(cy + r) + 2):
        for x in range(int(cx - r) - 1, int(cx + r) + 2):
            if (x + 0.5 - cx) ** 2 + (y + 0.5 - cy) ** 2 <= r * r \
                    and 0 <= x < W and 0 <= y < H:
                px[y][x] = v


def line(x0, y0, x1, y1, half, v=1):
    """A stroke half dots either side of the segment, round ends."""
    for y in range(int(min(y0, y1) - half) - 1, int(max(y0, y1) + half) + 2):
        for x in range(int(min(x0, x1) - half) - 1,
                       int(max(x0, x1) + half) + 2):
            qx, qy = x + 0.5, y + 0.5
            dx, dy = x1 - x0, y1 - y0
            t = ((qx - x0) * dx + (qy - y0) * dy) / (dx * dx + dy * dy)
            t = min(max(t, 0.0), 1.0)
            if math.hypot(qx - x0 - t * dx, qy - y0 - t * dy) <= half \
                    and 0 <= x < W and 0 <= y < H:
                px[y][x] = v


def draw():
    # Steps: two broad bars under the building.
    rect(6, 104, W - 6, 112)
    rect(14, 97, W - 14, 102)
    # Roof beam and the low gables of the two wings.
    rect(16, 50, W - 16, 57)
    triangle(16, 50, 84, 50, 84, 38)
    triangle(W - 16, 50, W - 84, 50, W - 84, 38)
    # Columns of the wings: five each side, a gap under the beam.
    for i in range(5):
        x = 22 + i * 14
        rect(x, 60, x + 8, 95)
        rect(W - x - 8, 60, W - x, 95)
    # The tower's base: a solid block with the door cut out as an arch.
    rect(CX - 30, 40, CX + 30, 97)
    rect(CX - 10, 76, CX + 10, 97, 0)
    disc(CX, 76, 10, 0)
    # The tower, its spire, and a clock face on it.
    rect(CX - 20, 14, CX + 20, 42)
    triangle(CX - 24, 15, CX + 24, 15, CX, 0)
    disc(CX, 29, 11.5, 0)
    disc(CX, 29, 8.5)
    disc(CX, 29, 6.5, 0)
    line(CX, 29, CX, 23.5, 1.2)          # minute hand at twelve
    line(CX, 29, CX + 4.0, 31.5, 1.2)    # hour hand near four
    # A strip of white between the tower's base and the beam, so the
    # tower reads as standing in front.
    rect(CX - 32, 50, CX - 30, 57, 0)
    rect(CX + 30, 50, CX + 32, 57, 0)


def png(path):
    rows = b""
    for row in px:
        bits = bytearray((W + 7) // 8)
        for x, v in enumerate(row):
            if not v:                    # PNG gray 1-bit: 1 is white
                bits[x >> 3] |= 0x80 >> (x & 7)
        rows += b"\0" + bytes(bits)      # filter type 0

    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data +
                struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    ihdr = struct.pack(">IIBBBBB", W, H, 1, 0, 0, 0, 0)
    phys = struct.pack(">IIB", 7992, 7992, 1)   # 203 dpi in dots/metre
    data = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) +
            chunk(b"pHYs", phys) + chunk(b"IDAT", zlib.compress(rows, 9)) +
            chunk(b"IEND", b""))
    with open(path, "wb") as f:
        f.write(data)


if __name__ == "__main__":
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "logo.png")
    draw()
    png(out)
