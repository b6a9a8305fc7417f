#!/usr/bin/env python3
"""faultproxy.py - an HTTP fault proxy for the sync tests (standard library).

    faultproxy.py --target 127.0.0.1:PORT --control FILE [--listen 127.0.0.1:0]

Listens (port 0: any free port), prints "listening on 127.0.0.1:PORT"
(flushed), and forwards each HTTP/1.1 request to the target on a fresh
connection. Before each request it reads FILE; its first word is the mode:

  pass       forward the request, return the answer
  refuse     close the connection at once (a kept-alive one when the next
             request arrives), never answering
  reset      read the request, then close with SO_LINGER 0 (a TCP reset)
  500        read the request, answer 500 itself; nothing is forwarded
  slow[:S]   forward, then hold the answer S seconds (default 3) first
  drop       forward the request, read the answer and throw it away; keep
             the connection open until the client gives up (the lost
             answer: the back office has committed, the kiosk times out)

One line per request goes to stderr: "fault MODE METHOD PATH" (or
"pass ..."), so a test can count what happened. SIGTERM stops it.
Only loopback addresses are accepted for --listen and --target.
"""
import argparse
import signal
import socket
import struct
import sys
import threading
import time

MAX_MSG = 16 * 1024 * 1024
log_lock = threading.Lock()


def log(line):
    with log_lock:
        sys.stderr.write(line + "\n")
        sys.stderr.flush()


def hostport(s):
    host, _, port = s.rpartition(":")
    if host not in ("127.0.0.1", "localhost"):
        raise argparse.ArgumentTypeError("loopback addresses only: " + s)
    return ("127.0.0.1", int(port))


def read_message(sock, buf):
    """One HTTP message (headers + Content-Length body) from sock.
    Returns (message, rest) or (None, buf) at EOF before a whole one."""
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            return None, buf
        buf += chunk
        if len(buf) > MAX_MSG:
            return None, b""
    head, _, rest = buf.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
        elif name.strip().lower() == b"transfer-encoding":
            raise ValueError("chunked messages are not supported")
    if length > MAX_MSG:
        return None, b""
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            return None, b""
        rest += chunk
    return head + b"\r\n\r\n" + rest[:length], rest[length:]


def mode_of(path):
    try:
        with open(path, encoding="ascii") as f:
            words = f.read().split()
    except OSError:
        words = []
    return words[0] if words else "pass"


def forward(target, request):
    with socket.create_connection(target, timeout=30) as up:
        up.sendall(request)
        answer, _ = read_message(up, b"")
    return answer


def handle(client, args):
    buf = b""
    try:
        while True:
            mode = mode_of(args.control)
            if mode == "refuse":
                log("fault refuse")
                return
            request, buf = read_message(client, buf)
            if request is None:
                return
            line = request.split(b"\r\n", 1)[0].decode("latin-1")
            what = " ".join(line.split(" ")[:2])
            # a kept-alive connection waited for this request: the mode
            # of now applies to it
            mode = mode_of(args.control)
            if mode == "refuse":
                log("fault refuse " + what)
                return
            if mode == "reset":
                log("fault reset " + what)
                client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                  struct.pack("ii", 1, 0))
                return
            if mode == "500":
                log("fault 500 " + what)
                body = b'{"error":"injected by faultproxy"}'
                client.sendall(b"HTTP/1.1 500 Internal Server Error\r\n"
                               b"Content-Type: application/json\r\n"
                               b"Content-Length: %d\r\nConnection: close"
                               b"\r\n\r\n%s" % (len(body), body))
                return
            answer = forward(args.target, request)
            if answer is None:
                log("upstream closed " + what)
                return
            if mode == "drop":
                log("fault drop " + what)
                client.settimeout(120)
                while client.recv(65536):
                    pass
                return
            if mode.startswith("slow"):
                delay = float(mode.partition(":")[2] or 3)
                log("fault slow %.1fs %s" % (delay, what))
                time.sleep(delay)
            else:
                log("pass " + what)
            client.sendall(answer)
    except (OSError, ValueError) as e:
        log("connection error: %s" % e)
    finally:
        client.close()


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--listen", type=hostport, default=("127.0.0.1", 0))
    p.add_argument("--target", type=hostport, required=True)
    p.add_argument("--control", required=True)
    args = p.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))

    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(args.listen)
    srv.listen(64)
    print("listening on 127.0.0.1:%d" % srv.getsockname()[1], flush=True)
    while True:
        client, _ = srv.accept()
        threading.Thread(target=handle, args=(client, args),
                         daemon=True).start()


if __name__ == "__main__":
    main()
