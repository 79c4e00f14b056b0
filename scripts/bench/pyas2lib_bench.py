#!/usr/bin/env python3
"""The pyas2lib 1.4.4 side of `make bench`: the same scenarios as `as2-bench`, one per process.

Subcommands print one JSON object on stdout:

* ``messages`` — 1 KiB messages/s for ``Message.build`` (signed SHA-256, AES-256-CBC, signed sync MDN
  requested) and ``Message.parse`` (decrypt, verify, MIC, and the signed MDN pyas2lib builds inside
  parse) with the payload and MDN bytes taken out as a server must ("unpack"), and ``Message.parse``
  alone ("parse_only"), in ``--procs`` processes.
* ``build`` / ``parse`` — one message from / to files, with the process's peak RSS.

pyas2lib is used the way a deployment uses it, with the Organization and Partner objects (keys
loaded) created once, outside the timing. Its keys are the PEM files ``as2-bench keys`` wrote.
"""

import argparse
import json
import multiprocessing
import os
import resource
import sys
import time

_ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
sys.path.insert(0, os.path.join(_ROOT, "Tests", "InteropTests", "peer"))

import oscrypto_fix  # noqa: E402,F401  (the harness's fix; must run before pyas2lib imports oscrypto)
import pyas2lib  # noqa: E402
import pyas2lib.as2 as as2  # noqa: E402

SENDER = "bench-sender"
RECEIVER = "bench-receiver"
CONTENT_TYPE = "application/octet-stream"


def _read(path):
    with open(path, "rb") as f:
        return f.read()


class Parties:
    """Sender and receiver configured as in as2-bench (BenchParties.swift)."""

    def __init__(self, keys):
        def pair(role):
            return _read(f"{keys}/{role}.key.pem") + b"\n" + _read(f"{keys}/{role}.cert.pem")

        sender_cert = _read(f"{keys}/sender.cert.pem")
        receiver_cert = _read(f"{keys}/receiver.cert.pem")
        self.sender = as2.Organization(as2_name=SENDER, sign_key=pair("sender"), decrypt_key=pair("sender"), domain="as2-bench")
        self.receiver_as_partner = as2.Partner(
            as2_name=RECEIVER, verify_cert=receiver_cert, encrypt_cert=receiver_cert,
            sign=True, digest_alg="sha256", encrypt=True, enc_alg="aes_256_cbc",
            mdn_mode="SYNC", mdn_digest_alg="sha256",
        )
        self.receiver = as2.Organization(as2_name=RECEIVER, sign_key=pair("receiver"), decrypt_key=pair("receiver"), domain="as2-bench")
        self.sender_as_partner = as2.Partner(
            as2_name=SENDER, verify_cert=sender_cert, encrypt_cert=sender_cert, sign=True, encrypt=True,
        )

    def build(self, data):
        """(headers, body) of a new message carrying ``data``."""
        message = as2.Message(self.sender, self.receiver_as_partner)
        message.build(data, content_type=CONTENT_TYPE)
        body = message.content
        return list(message.headers.items()), body if isinstance(body, bytes) else body.encode("utf-8")

    def parse_only(self, raw):
        """Message.parse alone (it builds and signs the MDN) without serializing payload or MDN."""
        message = as2.Message()
        status, (exc, _tb), mdn = message.parse(
            raw,
            find_org_partner_cb=lambda as2_to, as2_from: (self.receiver, self.sender_as_partner),
            find_message_cb=lambda message_id, partner_id: False,
        )
        if status != "processed" or mdn is None:
            raise RuntimeError(f"pyas2lib did not process the message: {status}: {exc}")

    def parse(self, raw):
        """(payload, mdn headers, mdn body) of a received message (headers + body bytes)."""
        message = as2.Message()
        status, (exc, _tb), mdn = message.parse(
            raw,
            find_org_partner_cb=lambda as2_to, as2_from: (self.receiver, self.sender_as_partner),
            find_message_cb=lambda message_id, partner_id: False,
        )
        if status != "processed" or exc is not None:
            raise RuntimeError(f"pyas2lib did not process the message: {status}: {exc}")
        mdn_type = next((v for k, v in (mdn.headers.items() if mdn else []) if k.lower() == "content-type"), "")
        if not mdn_type.startswith("multipart/signed"):
            raise RuntimeError("pyas2lib built no signed MDN")
        content = message.content
        mdn_body = mdn.content if isinstance(mdn.content, bytes) else mdn.content.encode("utf-8")
        return content if isinstance(content, bytes) else content.encode("utf-8"), list(mdn.headers.items()), mdn_body


def raw_message(headers, body):
    """Header lines, an empty line, the body: what Message.parse takes."""
    head = "".join(f"{n}: {' '.join(str(v).split())}\r\n" for n, v in headers)
    return head.encode("utf-8") + b"\r\n" + body


def read_headers(path):
    """The header file as2-bench writes beside a body (``Name: value`` CRLF lines)."""
    headers = []
    for line in _read(path).decode("utf-8").split("\r\n"):
        if line:
            name, _, value = line.partition(":")
            headers.append((name.strip(), value.strip()))
    return headers


def cpu_seconds():
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime


def current_rss_kib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def write_synced(path, *chunks):
    """Writes the file and fsyncs it, as as2-bench's outputs are."""
    with open(path, "wb") as f:
        for chunk in chunks:
            f.write(chunk)
        f.flush()
        os.fsync(f.fileno())


# ---------------------------------------------------------------------------------------------
# messages

def _rate_worker(keys, size, seconds, barrier, results):
    parties = Parties(keys)
    data = os.urandom(size)
    headers, body = parties.build(data)
    raw = raw_message(headers, body)
    payload, _, _ = parties.parse(raw)
    if payload != data:
        raise RuntimeError("pyas2lib's parsed payload differs from the one it built")
    out = {"message_bytes": len(body)}
    ops = (("build", lambda: parties.build(data)), ("unpack", lambda: parties.parse(raw)),
           ("parse_only", lambda: parties.parse_only(raw)))
    for name, op in ops:
        for _ in range(5):
            op()
        barrier.wait()
        cpu0, t0 = cpu_seconds(), time.perf_counter()
        deadline, n = t0 + seconds, 0
        while time.perf_counter() < deadline:
            op()
            n += 1
        out[name] = {"operations": n, "seconds": time.perf_counter() - t0, "cpu_seconds": cpu_seconds() - cpu0}
    results.put(out)


def cmd_messages(args):
    ctx = multiprocessing.get_context("fork")
    barrier, results = ctx.Barrier(args.procs), ctx.Queue()
    procs = [ctx.Process(target=_rate_worker, args=(args.keys, args.size, args.seconds, barrier, results)) for _ in range(args.procs)]
    for p in procs:
        p.start()
    outs = [results.get(timeout=600) for _ in procs]
    for p in procs:
        p.join()
        if p.exitcode != 0:
            raise SystemExit(f"a worker failed (exit {p.exitcode})")
    report = {"procs": args.procs, "payload_bytes": args.size, "message_bytes": outs[0]["message_bytes"], "pyas2lib": pyas2lib.__version__}
    for name in ("build", "unpack", "parse_only"):
        ops = sum(o[name]["operations"] for o in outs)
        wall = max(o[name]["seconds"] for o in outs)
        cpu = sum(o[name]["cpu_seconds"] for o in outs)
        report[name] = {"tasks": args.procs, "operations": ops, "seconds": wall, "cpu_seconds": cpu}
        report[f"{name}_per_second"] = ops / wall
    print(json.dumps(report, sort_keys=True))


# ---------------------------------------------------------------------------------------------
# build / parse of one large message

def cmd_build(args):
    parties = Parties(args.keys)
    rss0, cpu0, t0 = current_rss_kib(), cpu_seconds(), time.perf_counter()
    data = _read(args.payload)
    headers, body = parties.build(data)
    write_synced(args.out, body)
    seconds, cpu = time.perf_counter() - t0, cpu_seconds() - cpu0
    with open(args.out + ".headers", "wb") as f:
        f.write("".join(f"{n}: {' '.join(str(v).split())}\r\n" for n, v in headers).encode("utf-8") + b"\r\n")
    _report("build", len(data), len(body), seconds, cpu, rss0, {})


def cmd_parse(args):
    parties = Parties(args.keys)
    headers = read_headers(args.body + ".headers")
    rss0, cpu0, t0 = current_rss_kib(), cpu_seconds(), time.perf_counter()
    body = _read(args.body)
    payload, mdn_headers, mdn_body = parties.parse(raw_message(headers, body))
    t1 = time.perf_counter()
    write_synced(args.out, payload)
    t2 = time.perf_counter()
    write_synced(args.out + ".mdn", raw_message(mdn_headers, mdn_body))
    seconds, cpu = time.perf_counter() - t0, cpu_seconds() - cpu0
    _report("unpack", len(payload), len(body), seconds, cpu, rss0, {"unpack": t1 - t0, "deliver": t2 - t1, "mdn": seconds - (t2 - t0)})


def _report(scenario, payload_bytes, message_bytes, seconds, cpu, rss0, steps):
    print(json.dumps({
        "scenario": scenario, "payload_bytes": payload_bytes, "message_bytes": message_bytes,
        "seconds": seconds, "cpu_seconds": cpu, "steps": steps, "start_rss_kib": rss0,
        "max_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    }, sort_keys=True))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    m = sub.add_parser("messages", help="1 KiB messages/s, build and parse")
    m.add_argument("--keys", required=True)
    m.add_argument("--size", type=int, default=1024)
    m.add_argument("--seconds", type=float, default=3.0)
    m.add_argument("--procs", type=int, default=1)
    b = sub.add_parser("build", help="one message from a payload file")
    b.add_argument("--keys", required=True)
    b.add_argument("--payload", required=True)
    b.add_argument("--out", required=True)
    p = sub.add_parser("parse", help="one message body file (+ .headers) to a payload file and an MDN")
    p.add_argument("--keys", required=True)
    p.add_argument("--body", required=True)
    p.add_argument("--out", required=True)
    args = parser.parse_args()
    {"messages": cmd_messages, "build": cmd_build, "parse": cmd_parse}[args.cmd](args)


if __name__ == "__main__":
    main()
