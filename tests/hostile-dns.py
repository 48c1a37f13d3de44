#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""A deliberately misbehaving authoritative server for hostile.test.

Started by tests/test-hostile.c on 127.0.0.1 (and ::1 when it can) at a
free port; it never talks to anyone else.  How it misbehaves is chosen by
a label of the question name, so one server serves every test:

  ok      the genuine answer
  case    the genuine answer, question name echoed in other case
  silent  never answers (UDP ignored; TCP accepted, read, left hanging)
  drip    TC over UDP, then a ~1 KB TCP answer one byte per --drip-ms
  fid     forged answer: another ID
  fport   forged answer: from another source port
  fqr     forged answer: QR=0
  fop     forged answer: opcode STATUS
  fname   forged answer: another question name
  ftype   forged answer: another question type
  fclass  forged answer: question class CH
  tctcp   TC over UDP, and TC again over TCP
  tcfid   TC over UDP, then a TCP answer with another ID
  loop    an answer whose owner name is a compression pointer to itself
  tcloop  TC over UDP, then the looping answer over TCP

With a "good" label too (good.fid.hostile.test), the forgery is followed
by the genuine answer.  Genuine A answers are 192.0.2.1, forged ones
203.0.113.66; TXT answers say "genuine" or "forged".

Every query received is logged, one line "PROTO NAME TYPE ARCOUNT", to the
--log file, so tests can count what reached the server.
"""
import argparse
import socket
import struct
import sys
import threading
import time

MODES = {"ok", "case", "silent", "drip", "fid", "fport", "fqr", "fop", "fname",
         "ftype", "fclass", "tctcp", "tcfid", "loop", "tcloop"}
GENUINE_A = bytes([192, 0, 2, 1])
FORGED_A = bytes([203, 0, 113, 66])

log_lock = threading.Lock()


def parse_query(data):
    """(id, flags, qname labels, qtype, qclass, arcount, question bytes)."""
    if len(data) < 12:
        return None
    qid, flags, qd, _an, _ns, ar = struct.unpack("!6H", data[:12])
    if qd != 1:
        return None
    pos, labels = 12, []
    while True:
        if pos >= len(data):
            return None
        n = data[pos]
        if n == 0 or n > 63:
            pos += 1
            break
        labels.append(data[pos + 1:pos + 1 + n])
        pos += 1 + n
    if n != 0 or pos + 4 > len(data):
        return None
    qtype, qclass = struct.unpack("!HH", data[pos:pos + 4])
    return qid, flags, labels, qtype, qclass, ar


def encode_name(labels):
    return b"".join(bytes([len(x)]) + x for x in labels) + b"\0"


def txt_rdata(text):
    out = b""
    for i in range(0, max(len(text), 1), 255):
        chunk = text[i:i + 255]
        out += bytes([len(chunk)]) + chunk
    return out


def records(qtype, forged, big):
    """Answer rdatas for the question type."""
    if qtype == 1:
        if big:
            return [(1, bytes([192, 0, 2, i])) for i in range(1, 65)]
        return [(1, FORGED_A if forged else GENUINE_A)]
    if qtype == 16:
        text = b"forged" if forged else b"genuine"
        if big:
            text = (b"drip-" * 220)[:1100]
        return [(16, txt_rdata(text))]
    return []


def message(qid, flags, qlabels, qtype, qclass, answers, owner=b"\xc0\x0c",
            rcode=0):
    """A reply: header, one question, the answers (owner as given)."""
    header = struct.pack("!6H", qid, flags | rcode, 1, len(answers), 0, 0)
    body = encode_name(qlabels) + struct.pack("!HH", qtype, qclass)
    for rtype, rdata in answers:
        body += owner + struct.pack("!HHIH", rtype, 1, 60, len(rdata)) + rdata
    return header + body


def build(q, proto, forged=None):
    """The reply to query @q for @proto; None for no reply."""
    qid, qflags, labels, qtype, qclass, _ar = q
    names = {x.lower() for x in labels}
    mode = next((x.decode() for x in labels if x.lower().decode(errors="replace")
                 in MODES), "ok")
    mode = mode.lower()
    rd = qflags & 0x0100
    flags = 0x8400 | rd               # QR, AA
    tc = 0x0200

    def genuine():
        return message(qid, flags, labels, qtype, qclass, records(qtype, False, False))

    if b"hostile" not in names:
        return [message(qid, flags, labels, qtype, qclass, [], rcode=5)]
    if mode == "silent":
        return []
    if mode == "case":
        return [message(qid, flags, [x.swapcase() for x in labels], qtype, qclass,
                        records(qtype, False, False))]
    if mode in ("drip", "tctcp", "tcfid", "tcloop") and proto == "udp":
        return [message(qid, flags | tc, labels, qtype, qclass, [])]
    if mode == "drip":
        return [message(qid, flags, labels, qtype, qclass, records(qtype, False, True))]
    if mode == "tctcp":
        return [message(qid, flags | tc, labels, qtype, qclass, [])]
    if mode == "tcfid":
        return [message(qid ^ 0x5555, flags, labels, qtype, qclass,
                        records(qtype, True, False))]
    if mode in ("loop", "tcloop"):
        # The answer's owner points at its own offset: a loop.
        head = message(qid, flags, labels, qtype, qclass, [])
        off = len(head)
        ptr = struct.pack("!H", 0xC000 | off)
        return [message(qid, flags, labels, qtype, qclass,
                        records(qtype, False, False) or [(qtype, b"")], owner=ptr)]
    forged_rr = records(qtype, True, False)
    out = []
    if mode == "fid":
        out.append(message(qid ^ 0x5555, flags, labels, qtype, qclass, forged_rr))
    elif mode == "fport":
        out.append(("other-port", message(qid, flags, labels, qtype, qclass, forged_rr)))
    elif mode == "fqr":
        out.append(message(qid, flags & ~0x8000, labels, qtype, qclass, forged_rr))
    elif mode == "fop":
        out.append(message(qid, flags | (2 << 11), labels, qtype, qclass, forged_rr))
    elif mode == "fname":
        # Records owned by the name asked, under another question.
        out.append(forge_owner(qid, flags, [b"other"] + labels[1:], qtype, qclass,
                               labels, forged_rr))
    elif mode == "ftype":
        other = 15 if qtype != 15 else 1
        out.append(forge_owner(qid, flags, labels, other, qclass, labels, forged_rr))
    elif mode == "fclass":
        out.append(forge_owner(qid, flags, labels, qtype, 3, labels, forged_rr))
    else:
        return [genuine()]
    if b"good" in names:
        out.append(genuine())
    return out


def forge_owner(qid, flags, qlabels, qtype, qclass, owner_labels, answers):
    """A reply whose records are owned by @owner_labels, written in full."""
    return message(qid, flags, qlabels, qtype, qclass, answers,
                   owner=encode_name(owner_labels))


def log(path, proto, q):
    name = b".".join(q[2]).decode(errors="replace")
    with log_lock, open(path, "a") as f:
        f.write("%s %s %d %d\n" % (proto, name, q[3], q[5]))


def serve_udp(sock, other, args):
    while True:
        data, peer = sock.recvfrom(65535)
        q = parse_query(data)
        if not q:
            continue
        log(args.log, "udp", q)
        for reply in build(q, "udp"):
            if isinstance(reply, tuple):
                other.sendto(reply[1], peer)
            else:
                sock.sendto(reply, peer)


def recv_exact(conn, n):
    buf = b""
    while len(buf) < n:
        chunk = conn.recv(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return buf


def serve_tcp_conn(conn, args):
    try:
        with conn:
            while True:
                head = recv_exact(conn, 2)
                if head is None:
                    return
                data = recv_exact(conn, struct.unpack("!H", head)[0])
                q = parse_query(data) if data is not None else None
                if not q:
                    return
                log(args.log, "tcp", q)
                replies = build(q, "tcp")
                if not replies:
                    while conn.recv(512):       # hold it open, say nothing
                        pass
                    return
                mode_drip = any(x.lower() == b"drip" for x in q[2])
                for reply in replies:
                    if isinstance(reply, tuple):
                        reply = reply[1]
                    wire = struct.pack("!H", len(reply)) + reply
                    if mode_drip:
                        for i in range(len(wire)):
                            conn.sendall(wire[i:i + 1])
                            time.sleep(args.drip_ms / 1000.0)
                    else:
                        conn.sendall(wire)
    except OSError:
        pass


def serve_tcp(sock, args):
    while True:
        conn, _ = sock.accept()
        threading.Thread(target=serve_tcp_conn, args=(conn, args), daemon=True).start()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--drip-ms", type=int, default=200)
    args = ap.parse_args()
    open(args.log, "w").close()
    threads = []
    for family, host in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
        try:
            u = socket.socket(family, socket.SOCK_DGRAM)
            u.bind((host, args.port))
            other = socket.socket(family, socket.SOCK_DGRAM)
            other.bind((host, 0))
            t = socket.socket(family, socket.SOCK_STREAM)
            t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            t.bind((host, args.port))
            t.listen(64)
        except OSError:
            if family == socket.AF_INET:
                raise
            continue                    # no IPv6 loopback here
        threads.append(threading.Thread(target=serve_udp, args=(u, other, args), daemon=True))
        threads.append(threading.Thread(target=serve_tcp, args=(t, args), daemon=True))
    for t in threads:
        t.start()
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
